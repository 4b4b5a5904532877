package sendgridmock

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/calls"
	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/contract"
)

const (
	warmStart   = 1409616000 // .9 warming since
	warmStopped = 1400000000 // .10 warmed from, then stopped
)

// warmupSeed is testSeed with .9 warming and .10's warmup stopped.
func warmupSeed() Seed {
	seed := testSeed()
	seed.Warmups = []SeedWarmup{{IP: "192.0.2.9", StartDate: warmStart, Warming: true}, {IP: "192.0.2.10", StartDate: warmStopped}}
	return seed
}

// warmupState renders the account's warmups, "192.0.2.9=on@1409616000;192.0.2.10=off@1400000000".
func warmupState(s *Server) string {
	var parts []string
	for _, w := range s.Snapshot().Warmups {
		on := "off"
		if w.Warming {
			on = "on"
		}
		parts = append(parts, fmt.Sprintf("%s=%s@%d", w.IP, on, w.StartDate))
	}
	return strings.Join(parts, ";")
}

func warmRows(pairs ...any) string {
	var rows []string
	for k := 0; k+1 < len(pairs); k += 2 {
		rows = append(rows, fmt.Sprintf(`{"ip":%q,"start_date":%d}`, pairs[k], pairs[k+1]))
	}
	return arr(rows...)
}

// startWithContract starts seed on clock, checking the contract.
func startWithContract(t *testing.T, seed Seed, clock *fakeClock) *Server {
	t.Helper()
	s := startWithClock(t, seed, clock)
	c, err := contract.Default()
	if err != nil {
		t.Fatal(err)
	}
	s.CheckContract(c)
	t.Cleanup(func() {
		if vs := s.TakeContractViolations(); len(vs) > 0 {
			t.Errorf("violations: %v", vs)
		}
	})
	return s
}

func TestV3WarmupCalls(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	const seeded = "192.0.2.9=on@1409616000;192.0.2.10=off@1400000000"
	notFound := v3Err("", msgIPNotFound)
	tests := []struct {
		name, method, path, body string
		status                   int
		want, warm               string // warm: warmupState afterwards
	}{
		{"list", "GET", "v3/ips/warmup", "", 200, warmRows("192.0.2.9", warmStart), seeded},
		{"get warming", "GET", "v3/ips/warmup/192.0.2.9", "", 200, warmRows("192.0.2.9", warmStart), seeded},
		{"get stopped", "GET", "v3/ips/warmup/192.0.2.10", "", 404, notFound, seeded},
		{"get never warmed", "GET", "v3/ips/warmup/192.0.2.1", "", 404, notFound, seeded},
		{"get foreign IP", "GET", "v3/ips/warmup/198.51.100.1", "", 404, notFound, seeded},
		{"start", "POST", "v3/ips/warmup", `{"ip":"192.0.2.1"}`, 200, warmRows("192.0.2.1", now.Unix()),
			"192.0.2.1=on@" + fmt.Sprint(now.Unix()) + ";" + seeded},
		{"start again after a stop", "POST", "v3/ips/warmup", `{"ip":"192.0.2.10"}`, 200, warmRows("192.0.2.10", now.Unix()),
			"192.0.2.9=on@1409616000;192.0.2.10=on@" + fmt.Sprint(now.Unix())},
		{"start warming", "POST", "v3/ips/warmup", `{"ip":"192.0.2.9"}`, 400, v3Err("ip", msgAlreadyWarming), seeded},
		{"start foreign IP", "POST", "v3/ips/warmup", `{"ip":"198.51.100.1"}`, 404, notFound, seeded},
		{"start without ip", "POST", "v3/ips/warmup", `{}`, 404, notFound, seeded},
		{"start array", "POST", "v3/ips/warmup", `["192.0.2.1"]`, 400, v3Err("ip", msgPoolIPBody), seeded},
		{"stop", "DELETE", "v3/ips/warmup/192.0.2.9", "", 204, "", "192.0.2.9=off@1409616000;192.0.2.10=off@1400000000"},
		{"stop stopped", "DELETE", "v3/ips/warmup/192.0.2.10", "", 404, notFound, seeded},
		{"stop never warmed", "DELETE", "v3/ips/warmup/192.0.2.1", "", 404, notFound, seeded},
		{"stop foreign IP", "DELETE", "v3/ips/warmup/198.51.100.1", "", 404, notFound, seeded},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := startWithContract(t, warmupSeed(), &fakeClock{t: now})
			got := v3req(t, s, tt.method, tt.path, bearer, tt.body)
			if tt.name == "start array" {
				offContract(t, s, "request", "body")
			}
			ctype := "application/json"
			if tt.status == 204 {
				ctype = ""
			}
			wantReply(t, got, tt.status, ctype, tt.want)
			if w := warmupState(s); w != tt.warm {
				t.Errorf("warmups %q, want %q", w, tt.warm)
			}
		})
	}
}

// GET /v3/ips, GET /v3/ips/{ip} and a pool addition show the warmup; a stop keeps the start date.
func TestV3WarmupShowsInIPs(t *testing.T) {
	clock := &fakeClock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	s := startWithContract(t, warmupSeed(), clock)
	row := func(warming bool, start string) string {
		return fmt.Sprintf(`"warmup":%t,"start_date":%s,`, warming, start)
	}
	check := func(ip string, offset int, want string) {
		t.Helper()
		for _, path := range []string{"v3/ips/" + ip, fmt.Sprintf("v3/ips?limit=1&offset=%d", offset)} {
			if got := v3get(t, s, path); got.status != 200 || !strings.Contains(got.body, `"ip":"`+ip+`"`) || !strings.Contains(got.body, want) {
				t.Errorf("%s: %d %s, want it to hold %s", path, got.status, got.body, want)
			}
		}
	}
	check("192.0.2.1", 0, row(false, "null"))
	check("192.0.2.9", 4, row(true, "1409616000"))
	check("192.0.2.10", 5, row(false, "1400000000"))
	v3req(t, s, "POST", "v3/ips/warmup", bearer, `{"ip":"192.0.2.1"}`)
	started := fmt.Sprint(clock.Now().Unix())
	check("192.0.2.1", 0, row(true, started))
	v3req(t, s, "POST", "v3/ips/pools", bearer, `{"name":"p"}`)
	wantReply(t, v3req(t, s, "POST", "v3/ips/pools/p/ips", bearer, `{"ip":"192.0.2.1"}`), 201, "application/json",
		`{"ip":"192.0.2.1","pools":["p"],"start_date":`+started+`,"warmup":true}`)
	clock.Add(time.Hour)
	wantReply(t, v3req(t, s, "DELETE", "v3/ips/warmup/192.0.2.1", bearer, ""), 204, "", "")
	check("192.0.2.1", 0, row(false, started))
	wantReply(t, v3get(t, s, "v3/ips/warmup"), 200, "application/json", warmRows("192.0.2.9", warmStart))
	if warming, start, err := s.Warmup("192.0.2.1"); warming || start.Unix() != clock.Now().Add(-time.Hour).Unix() || err != nil {
		t.Errorf("Warmup = %v, %v, %v", warming, start, err)
	}
}

// SetWarmup and Warmup change and read a warmup outside the API, refusing what no account can hold.
func TestWarmupOutside(t *testing.T) {
	s := StartTest(t, warmupSeed())
	start := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	if err := s.SetWarmup("192.0.2.2", true, start); err != nil {
		t.Fatal(err)
	}
	if err := s.SetWarmup("192.0.2.9", false, time.Time{}); err != nil {
		t.Fatal(err)
	}
	wantReply(t, v3get(t, s, "v3/ips/warmup"), 200, "application/json", warmRows("192.0.2.2", start.Unix()))
	if got := v3get(t, s, "v3/ips/192.0.2.9"); !strings.Contains(got.body, `"warmup":false,"start_date":null,`) {
		t.Errorf("GET /v3/ips/192.0.2.9 = %s", got.body)
	}
	for name, err := range map[string]error{
		"foreign IP":           s.SetWarmup("198.51.100.1", true, start),
		"warming, no start":    s.SetWarmup("192.0.2.1", true, time.Time{}),
		"start before 1970":    s.SetWarmup("192.0.2.1", false, time.Unix(-5, 0)),
		"not an IP":            s.SetWarmup("x", false, start),
		"read of a foreign IP": func() error { _, _, err := s.Warmup("198.51.100.1"); return err }(),
	} {
		if err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if warming, got, err := s.Warmup("192.0.2.2"); !warming || !got.Equal(start) || err != nil {
		t.Errorf("Warmup = %v, %v, %v", warming, got, err)
	}
	if warming, got, err := s.Warmup("192.0.2.9"); warming || !got.IsZero() || err != nil {
		t.Errorf("Warmup of a cleared IP = %v, %v, %v", warming, got, err)
	}
}

// Faults reach the warmup calls; a write's fault applies it first exactly when AfterProcessing. The log counts each call.
func TestV3WarmupFaultsAndLog(t *testing.T) {
	for _, after := range []bool{false, true} {
		s := StartTest(t, warmupSeed())
		s.InjectFault(Fault{Kind: FaultServerError, Call: calls.V3StartWarmup, AfterProcessing: after})
		s.InjectFault(Fault{Kind: FaultDrop, Call: calls.V3StopWarmup, AfterProcessing: after})
		wantReply(t, v3req(t, s, "POST", "v3/ips/warmup", bearer, `{"ip":"192.0.2.1"}`), 500, "application/json", v3ServerErrorBody)
		if _, err := send(fresh, "DELETE", s.V3URL()+"v3/ips/warmup/192.0.2.9", "", "Authorization", bearer); err == nil {
			t.Error("a dropped DELETE answered")
		}
		w1, _, _ := s.Warmup("192.0.2.1")
		w9, _, _ := s.Warmup("192.0.2.9")
		if w1 != after || w9 == after {
			t.Errorf("after=%v: .1 warming %v, .9 warming %v", after, w1, w9)
		}
	}
	s := StartTest(t, warmupSeed())
	v3req(t, s, "POST", "v3/ips/warmup", bearer, `{"ip":"192.0.2.1"}`)
	v3get(t, s, "v3/ips/warmup")
	v3get(t, s, "v3/ips/warmup/192.0.2.1")
	v3req(t, s, "DELETE", "v3/ips/warmup/192.0.2.1", bearer, "")
	v3req(t, s, "DELETE", "v3/ips/warmup/192.0.2.1", "", "")
	offContract(t, s, "request", "header Authorization")
	type entry struct {
		call   string
		ips    []string
		status int
	}
	want := []entry{{calls.V3StartWarmup, []string{"192.0.2.1"}, 200}, {calls.V3Warmups, nil, 200},
		{calls.V3Warmup, []string{"192.0.2.1"}, 200}, {calls.V3StopWarmup, []string{"192.0.2.1"}, 204},
		{calls.V3StopWarmup, []string{"192.0.2.1"}, 401}}
	var got []entry
	for _, r := range s.Requests() {
		got = append(got, entry{r.Call, r.IPs, r.Status})
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("log =\n%+v\nwant\n%+v", got, want)
	}
	for call, n := range map[string]int{calls.V3StartWarmup: 1, calls.V3Warmups: 1, calls.V3Warmup: 1, calls.V3StopWarmup: 2} {
		if c := s.Count(call, ""); c != n {
			t.Errorf("Count(%s) = %d, want %d", call, c, n)
		}
	}
	if w, _, _ := s.Warmup("192.0.2.1"); w {
		t.Error("still warming")
	}
}

// Seeded warmups are checked strictly and round-trip through Snapshot.
func TestWarmupSeeds(t *testing.T) {
	for name, tt := range map[string]struct {
		warmups []SeedWarmup
		want    string
	}{
		"foreign IP":        {[]SeedWarmup{{IP: "198.51.100.1", StartDate: 1, Warming: true}}, "198.51.100.1 is not one of"},
		"not an IP":         {[]SeedWarmup{{IP: "x"}}, "IP x is not one of"},
		"IP twice":          {[]SeedWarmup{{IP: "192.0.2.1", StartDate: 1}, {IP: "::ffff:192.0.2.1", StartDate: 2}}, "listed twice"},
		"warming, no start": {[]SeedWarmup{{IP: "192.0.2.1", Warming: true}}, "needs a start_date"},
		"negative start":    {[]SeedWarmup{{IP: "192.0.2.1", StartDate: -1}}, "before 1970"},
	} {
		seed := testSeed()
		seed.Warmups = tt.warmups
		if _, err := New(seed); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err = %v, want one saying %q", name, err, tt.want)
		}
	}
	seed := warmupSeed()
	seed.Warmups = append(seed.Warmups, SeedWarmup{IP: "192.0.2.1"}) // never warmed: not kept
	s := StartTest(t, seed)
	snap := s.Snapshot()
	if want := warmupSeed().Warmups; !reflect.DeepEqual(snap.Warmups, want) {
		t.Fatalf("snapshot warmups %+v, want %+v", snap.Warmups, want)
	}
	if err := s.Reset(snap); err != nil || !reflect.DeepEqual(s.Snapshot(), snap) {
		t.Errorf("Reset(Snapshot()) = %v, snapshot %+v", err, s.Snapshot())
	}
}
