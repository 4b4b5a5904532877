package sendgridmock

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/calls"
	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/contract"
)

// poolSeed is testSeed with two pools, one named with a space, and .3 without reverse DNS.
func poolSeed() Seed {
	seed := testSeed()
	seed.IPsWithoutRDNS = []string{"192.0.2.3"}
	seed.Pools = []SeedPool{{Name: "mkt", IPs: []string{"192.0.2.10", "192.0.2.2"}}, {Name: "tx pool"}}
	return seed
}

// poolState renders the account's pools, "mkt=192.0.2.2,192.0.2.10;tx pool=", additions not yet shown included.
func poolState(s *Server) string {
	var parts []string
	for _, p := range s.Snapshot().Pools {
		parts = append(parts, p.Name+"="+strings.Join(p.IPs, ","))
	}
	return strings.Join(parts, ";")
}

func notFoundError(msg string) string { return `{"error":"` + msg + `"}` }

func TestV3PoolCalls(t *testing.T) {
	const seeded = "mkt=192.0.2.2,192.0.2.10;tx pool="
	long := strings.Repeat("é", 64)
	noRDNS := `{"ip":"192.0.2.3","subusers":["carol"],"pools":[],"warmup":false,"start_date":null,"whitelabeled":false,"assigned_at":null}`
	tests := []struct {
		name, method, path, body string
		status                   int
		want, pools              string // pools: poolState afterwards
	}{
		{"list", "GET", "v3/ips/pools", "", 200, `[{"name":"mkt"},{"name":"tx pool"}]`, seeded},
		{"get", "GET", "v3/ips/pools/mkt", "", 200, `{"pool_name":"mkt","ips":["192.0.2.2","192.0.2.10"]}`, seeded},
		{"get escaped name", "GET", "v3/ips/pools/tx%20pool", "", 200, `{"pool_name":"tx pool","ips":[]}`, seeded},
		{"get unknown", "GET", "v3/ips/pools/nope", "", 404, v3Err("error", msgPoolNotFound), seeded},
		{"get is case-sensitive", "GET", "v3/ips/pools/MKT", "", 404, v3Err("error", msgPoolNotFound), seeded},
		{"create", "POST", "v3/ips/pools", `{"name":"new"}`, 200, `{"name":"new"}`, seeded + ";new="},
		{"create 64 characters", "POST", "v3/ips/pools", `{"name":"` + long + `"}`, 200, `{"name":"` + long + `"}`, seeded + ";" + long + "="},
		{"create 65 characters", "POST", "v3/ips/pools", `{"name":"` + long + `e"}`, 400, v3Err("name", msgPoolNameLong), seeded},
		{"create empty name", "POST", "v3/ips/pools", `{"name":""}`, 400, v3Err("name", msgPoolNoName), seeded},
		{"create without name", "POST", "v3/ips/pools", `{}`, 400, v3Err("name", msgPoolNoName), seeded},
		{"create name in use", "POST", "v3/ips/pools", `{"name":"mkt"}`, 400, v3Err("name", msgPoolNameTaken), seeded},
		{"create other case", "POST", "v3/ips/pools", `{"name":"MKT"}`, 200, `{"name":"MKT"}`, seeded + ";MKT="},
		{"create array", "POST", "v3/ips/pools", `["x"]`, 400, v3Err("", msgPoolBody), seeded},
		{"delete", "DELETE", "v3/ips/pools/mkt", "", 204, "", "tx pool="},
		{"delete unknown", "DELETE", "v3/ips/pools/nope", "", 404, notFoundError(msgPoolNotFound), seeded},
		{"add", "POST", "v3/ips/pools/mkt/ips", `{"ip":"192.0.2.1"}`, 201,
			`{"ip":"192.0.2.1","pools":["mkt"],"start_date":0,"warmup":false}`, "mkt=192.0.2.1,192.0.2.2,192.0.2.10;tx pool="},
		{"add again", "POST", "v3/ips/pools/mkt/ips", `{"ip":"192.0.2.2"}`, 201,
			`{"ip":"192.0.2.2","pools":["mkt"],"start_date":0,"warmup":false}`, seeded},
		{"add to a second pool", "POST", "v3/ips/pools/tx%20pool/ips", `{"ip":"192.0.2.10"}`, 201,
			`{"ip":"192.0.2.10","pools":["mkt","tx pool"],"start_date":0,"warmup":false}`, "mkt=192.0.2.2,192.0.2.10;tx pool=192.0.2.10"},
		{"add to unknown pool", "POST", "v3/ips/pools/nope/ips", `{"ip":"192.0.2.1"}`, 404, v3Err("error", msgPoolNotFound), seeded},
		{"add foreign IP", "POST", "v3/ips/pools/mkt/ips", `{"ip":"198.51.100.1"}`, 404, v3Err("", msgIPNotFound), seeded},
		{"add IP without rdns", "POST", "v3/ips/pools/mkt/ips", `{"ip":"192.0.2.3"}`, 400,
			v3Err("ip", fmt.Sprintf(msgNoRDNS, "192.0.2.3")), seeded},
		{"add number", "POST", "v3/ips/pools/mkt/ips", `{"ip":1}`, 400, v3Err("ip", msgPoolIPBody), seeded},
		{"remove", "DELETE", "v3/ips/pools/mkt/ips/192.0.2.2", "", 204, "", "mkt=192.0.2.10;tx pool="},
		{"remove IP not in pool", "DELETE", "v3/ips/pools/mkt/ips/192.0.2.1", "", 404, notFoundError(msgNotInPool), seeded},
		{"remove foreign IP", "DELETE", "v3/ips/pools/mkt/ips/198.51.100.1", "", 404, notFoundError(msgNotInPool), seeded},
		{"remove from unknown pool", "DELETE", "v3/ips/pools/nope/ips/192.0.2.2", "", 404, notFoundError(msgPoolNotFound), seeded},
		{"get IP", "GET", "v3/ips/192.0.2.2", "", 200, `{"ip":"192.0.2.2","subusers":["alice","bob"],"rdns":"` + rdnsOf("192.0.2.2") +
			`","pools":["mkt"],"warmup":false,"start_date":null,"whitelabeled":true}`, seeded},
		{"get IP without rdns", "GET", "v3/ips/192.0.2.3", "", 200,
			`{"ip":"192.0.2.3","subusers":["carol"],"rdns":"","pools":[],"warmup":false,"start_date":null,"whitelabeled":false}`, seeded},
		{"get foreign IP", "GET", "v3/ips/198.51.100.1", "", 404, v3Err("", msgIPNotFound), seeded},
		{"list IPs shows pools and rdns", "GET", "v3/ips?limit=2&offset=1", "", 200,
			arr(v3IPIn("192.0.2.2", []string{"mkt"}, "alice", "bob"), noRDNS), seeded},
	}
	offContractAt := map[string]string{ // requests sent off the contract on purpose
		"create 65 characters": "body $.name", "create without name": "body", "create array": "body", "add number": "body $.ip",
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := StartTest(t, poolSeed())
			got := v3req(t, s, tt.method, tt.path, bearer, tt.body)
			if where, ok := offContractAt[tt.name]; ok {
				offContract(t, s, "request", where)
			}
			ctype := "application/json"
			if tt.status == 204 {
				ctype = ""
			}
			wantReply(t, got, tt.status, ctype, tt.want)
			if p := poolState(s); p != tt.pools {
				t.Errorf("pools %q, want %q", p, tt.pools)
			}
		})
	}
}

// An account holds 100 pools at most; deleting one makes room.
func TestV3PoolCap(t *testing.T) {
	seed := Seed{APIKey: testKey}
	for i := range 100 {
		seed.Pools = append(seed.Pools, SeedPool{Name: fmt.Sprint("p", i)})
	}
	s := StartTest(t, seed)
	create := func() reply { return v3req(t, s, "POST", "v3/ips/pools", bearer, `{"name":"one more"}`) }
	wantReply(t, create(), 400, "application/json", v3Err("name", msgPoolTooMany))
	wantReply(t, v3req(t, s, "DELETE", "v3/ips/pools/p7", bearer, ""), 204, "", "")
	wantReply(t, create(), 200, "application/json", `{"name":"one more"}`)
	if err := s.AddPool("p7", nil); err == nil || !strings.Contains(err.Error(), msgPoolTooMany) {
		t.Errorf("AddPool past the cap: %v", err)
	}
}

// With SetPoolSettle, an addition shows in every read only once its time has passed; a removal at once.
func TestV3PoolSettle(t *testing.T) {
	clock := &fakeClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	s := startWithClock(t, poolSeed(), clock)
	c, err := contract.Default()
	if err != nil {
		t.Fatal(err)
	}
	s.CheckContract(c)
	s.SetPoolSettle(time.Minute)
	wantReply(t, v3req(t, s, "POST", "v3/ips/pools/mkt/ips", bearer, `{"ip":"192.0.2.1"}`), 201, "application/json",
		`{"ip":"192.0.2.1","pools":["mkt"],"start_date":0,"warmup":false}`)
	reads := func(shown bool) {
		t.Helper()
		pool, pools := `["192.0.2.2","192.0.2.10"]`, []string{}
		if shown {
			pool, pools = `["192.0.2.1","192.0.2.2","192.0.2.10"]`, []string{"mkt"}
		}
		wantReply(t, v3get(t, s, "v3/ips/pools/mkt"), 200, "application/json", `{"pool_name":"mkt","ips":`+pool+`}`)
		wantReply(t, v3get(t, s, "v3/ips?limit=1"), 200, "application/json", arr(v3IPIn("192.0.2.1", pools, "alice")))
		var ip v3IPRow
		decodeJSON(t, v3get(t, s, "v3/ips/192.0.2.1").body, &ip)
		if !slices.Equal(ip.Pools, pools) {
			t.Errorf("GET /v3/ips/192.0.2.1 pools %q, want %q", ip.Pools, pools)
		}
	}
	reads(false)
	if ips, _ := s.PoolIPs("mkt"); len(ips) != 3 {
		t.Errorf("PoolIPs = %v: the pool holds what it does not show yet", ips)
	}
	clock.Add(59 * time.Second)
	wantReply(t, v3req(t, s, "POST", "v3/ips/pools/mkt/ips", bearer, `{"ip":"192.0.2.1"}`), 201, "application/json",
		`{"ip":"192.0.2.1","pools":["mkt"],"start_date":0,"warmup":false}`) // again: keeps its time
	reads(false)
	clock.Add(time.Second)
	reads(true)
	wantReply(t, v3req(t, s, "DELETE", "v3/ips/pools/mkt/ips/192.0.2.1", bearer, ""), 204, "", "")
	reads(false)
	if vs := s.TakeContractViolations(); len(vs) > 0 {
		t.Errorf("violations: %v", vs)
	}
}

// Each pool call refuses a missing or wrong key with 401, changing nothing.
func TestV3PoolAuth(t *testing.T) {
	s := StartTest(t, poolSeed())
	for _, c := range []struct{ method, path, body string }{
		{"GET", "v3/ips/pools", ""}, {"POST", "v3/ips/pools", `{"name":"x"}`}, {"GET", "v3/ips/pools/mkt", ""},
		{"DELETE", "v3/ips/pools/mkt", ""}, {"POST", "v3/ips/pools/mkt/ips", `{"ip":"192.0.2.1"}`},
		{"DELETE", "v3/ips/pools/mkt/ips/192.0.2.2", ""}, {"GET", "v3/ips/192.0.2.1", ""},
	} {
		wantReply(t, v3req(t, s, c.method, c.path, "Bearer nope", c.body), 401, "application/json", v3Err("", msgV3Auth))
		wantReply(t, v3req(t, s, c.method, c.path, "", c.body), 401, "application/json", v3Err("", msgV3Auth))
		offContract(t, s, "request", "header Authorization")
	}
	if p := poolState(s); p != "mkt=192.0.2.2,192.0.2.10;tx pool=" {
		t.Errorf("pools %q", p)
	}
}

// Faults reach the pool calls by name; a write's fault applies the write first exactly when AfterProcessing.
func TestV3PoolFaults(t *testing.T) {
	for _, after := range []bool{false, true} {
		s := StartTest(t, poolSeed())
		s.InjectFault(Fault{Kind: FaultServerError, Call: calls.V3AddPoolIP, AfterProcessing: after})
		s.InjectFault(Fault{Kind: FaultUnavailable, Call: calls.V3Pools})
		wantReply(t, v3req(t, s, "POST", "v3/ips/pools/mkt/ips", bearer, `{"ip":"192.0.2.1"}`), 500, "application/json", v3ServerErrorBody)
		wantReply(t, v3get(t, s, "v3/ips/pools"), 503, "text/html", unavailableBody)
		wantReply(t, v3get(t, s, "v3/ips/pools"), 200, "application/json", `[{"name":"mkt"},{"name":"tx pool"}]`)
		if ips, _ := s.PoolIPs("mkt"); slices.Contains(ips, "192.0.2.1") != after {
			t.Errorf("after=%v: mkt holds %v", after, ips)
		}
		if s.FaultsInjected() != 2 {
			t.Errorf("FaultsInjected = %d", s.FaultsInjected())
		}
	}
}

// The log names each pool call, its pool and its IP.
func TestV3PoolLog(t *testing.T) {
	s := StartTest(t, poolSeed())
	v3req(t, s, "POST", "v3/ips/pools", bearer, `{"name":"a b"}`)
	v3req(t, s, "POST", "v3/ips/pools/a%20b/ips", bearer, `{"ip":"192.0.2.1"}`)
	v3get(t, s, "v3/ips/pools/a%20b")
	v3req(t, s, "DELETE", "v3/ips/pools/a%20b/ips/192.0.2.1", bearer, "")
	v3req(t, s, "DELETE", "v3/ips/pools/a%20b", bearer, "")
	v3get(t, s, "v3/ips/pools")
	v3get(t, s, "v3/ips/192.0.2.1")
	type entry struct {
		call, pool string
		ips        []string
		status     int
	}
	want := []entry{
		{calls.V3CreatePool, "a b", nil, 200}, {calls.V3AddPoolIP, "a b", []string{"192.0.2.1"}, 201},
		{calls.V3Pool, "a b", nil, 200}, {calls.V3RemovePoolIP, "a b", []string{"192.0.2.1"}, 204},
		{calls.V3DeletePool, "a b", nil, 204}, {calls.V3Pools, "", nil, 200}, {calls.V3IP, "", []string{"192.0.2.1"}, 200},
	}
	var got []entry
	for _, r := range s.Requests() {
		got = append(got, entry{r.Call, r.Pool, r.IPs, r.Status})
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("log =\n%+v\nwant\n%+v", got, want)
	}
	if n := s.Count(calls.V3AddPoolIP, ""); n != 1 {
		t.Errorf("Count = %d", n)
	}
	if tally := Tally(s.Requests()); tally[calls.V3DeletePool] != 1 || tally[calls.V3IP] != 1 {
		t.Errorf("Tally = %v", tally)
	}
}

// The Go API changes pools as a change outside Terraform would, shown at once, with the API's refusals.
func TestPoolsOutside(t *testing.T) {
	s := StartTest(t, poolSeed())
	s.SetPoolSettle(time.Hour) // not for changes outside
	if err := s.AddPool("web", []string{"192.0.2.9"}); err != nil {
		t.Fatal(err)
	}
	if err := s.SetPoolIPs("mkt", []string{"192.0.2.1", "::ffff:192.0.2.4"}); err != nil {
		t.Fatal(err)
	}
	if err := s.DeletePool("tx pool"); err != nil {
		t.Fatal(err)
	}
	wantReply(t, v3get(t, s, "v3/ips/pools/mkt"), 200, "application/json", `{"pool_name":"mkt","ips":["192.0.2.1","192.0.2.4"]}`)
	wantReply(t, v3get(t, s, "v3/ips/pools"), 200, "application/json", `[{"name":"mkt"},{"name":"web"}]`)
	for name, err := range map[string]error{
		"add taken":           s.AddPool("web", nil),
		"add empty":           s.AddPool("", nil),
		"add foreign IP":      s.AddPool("x", []string{"198.51.100.1"}),
		"add IP without rdns": s.AddPool("x", []string{"192.0.2.3"}),
		"set unknown pool":    s.SetPoolIPs("nope", nil),
		"set IP without rdns": s.SetPoolIPs("mkt", []string{"192.0.2.3"}),
		"delete unknown":      s.DeletePool("nope"),
	} {
		if err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if p := poolState(s); p != "mkt=192.0.2.1,192.0.2.4;web=192.0.2.9" {
		t.Errorf("pools %q", p)
	}
	if _, ok := s.PoolIPs("nope"); ok {
		t.Error("PoolIPs of no pool: ok")
	}
}

// Seeds with pools are checked as strictly as subusers, and round-trip through Snapshot and a file.
func TestPoolSeeds(t *testing.T) {
	many := make([]SeedPool, 101)
	for i := range many {
		many[i].Name = fmt.Sprint("p", i)
	}
	for name, tt := range map[string]struct {
		pools  []SeedPool
		noRDNS []string
		want   string
	}{
		"unnamed pool":       {[]SeedPool{{}}, nil, msgPoolNoName},
		"65 characters":      {[]SeedPool{{Name: strings.Repeat("n", 65)}}, nil, msgPoolNameLong},
		"pool twice":         {[]SeedPool{{Name: "a"}, {Name: "a"}}, nil, msgPoolNameTaken},
		"101 pools":          {many, nil, msgPoolTooMany},
		"foreign IP":         {[]SeedPool{{Name: "a", IPs: []string{"198.51.100.1"}}}, nil, "198.51.100.1"},
		"IP without rdns":    {[]SeedPool{{Name: "a", IPs: []string{"192.0.2.3"}}}, []string{"192.0.2.3"}, "reverse DNS"},
		"foreign IP no rdns": {nil, []string{"198.51.100.1"}, "ips_without_rdns"},
		"not an IP, no rdns": {nil, []string{"x"}, "ips_without_rdns"},
	} {
		seed := testSeed()
		seed.Pools, seed.IPsWithoutRDNS = tt.pools, tt.noRDNS
		if _, err := New(seed); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err = %v, want one saying %q", name, err, tt.want)
		}
	}
	s := StartTest(t, poolSeed())
	s.SetPoolSettle(time.Hour)
	v3req(t, s, "POST", "v3/ips/pools/tx%20pool/ips", bearer, `{"ip":"192.0.2.9"}`)
	snap := s.Snapshot()
	if !slices.Equal(snap.IPsWithoutRDNS, []string{"192.0.2.3"}) || poolState(s) != "mkt=192.0.2.2,192.0.2.10;tx pool=192.0.2.9" {
		t.Fatalf("snapshot %+v", snap)
	}
	b, _ := json.Marshal(snap) //nolint:gosec // the test seed's made-up key, written to a temporary file
	path := filepath.Join(t.TempDir(), "seed.json")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	loaded, err := LoadSeedFile(path)
	if err != nil || !reflect.DeepEqual(loaded, snap) {
		t.Fatalf("LoadSeedFile = %+v, %v; want %+v", loaded, err, snap)
	}
	if err := s.Reset(loaded); err != nil || !reflect.DeepEqual(s.Snapshot(), snap) {
		t.Errorf("Reset(Snapshot()) = %v, snapshot %+v", err, s.Snapshot())
	}
	typo := strings.Replace(string(b), `"ips_without_rdns"`, `"ips_without_rnds"`, 1)
	if err := os.WriteFile(path, []byte(typo), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadSeedFile(path); err == nil {
		t.Error("LoadSeedFile with a misspelt field: no error")
	}
}

// The rate limit refuses pool calls as any v3 call, before they change anything.
func TestV3PoolRateLimit(t *testing.T) {
	s := StartTest(t, poolSeed())
	s.SetRateLimit(1, time.Hour)
	wantReply(t, v3get(t, s, "v3/ips/pools"), 200, "application/json", `[{"name":"mkt"},{"name":"tx pool"}]`)
	wantReply(t, v3req(t, s, "POST", "v3/ips/pools", bearer, `{"name":"new"}`), 429, "application/json", v3TooManyRequestsBody)
	if _, ok := s.PoolIPs("new"); ok {
		t.Error("a refused request created a pool")
	}
}

// Each pool call answers with the fields of SendGrid's own example of that answer (the contract's), no more, no fewer.
func TestV3PoolAnswersMatchExamples(t *testing.T) {
	s := StartTest(t, poolSeed())
	keys := func(body []byte) []string {
		var v any
		if err := json.Unmarshal(body, &v); err != nil {
			t.Fatalf("%s: %v", body, err)
		}
		if a, ok := v.([]any); ok && len(a) > 0 {
			v = a[0]
		}
		var out []string
		for k := range v.(map[string]any) {
			out = append(out, k)
		}
		slices.Sort(out)
		return out
	}
	for _, tt := range []struct{ op, method, path, body string }{
		{calls.V3Pools, "GET", "v3/ips/pools", ""},
		{calls.V3CreatePool, "POST", "v3/ips/pools", `{"name":"new"}`},
		{"GET /v3/ips/pools/{pool_name}", "GET", "v3/ips/pools/mkt", ""},
		{"GET /v3/ips/pools/{pool_name}", "GET", "v3/ips/pools/nope", ""},
		{"DELETE /v3/ips/pools/{pool_name}", "DELETE", "v3/ips/pools/nope", ""},
		{"POST /v3/ips/pools/{pool_name}/ips", "POST", "v3/ips/pools/mkt/ips", `{"ip":"192.0.2.1"}`},
		{"POST /v3/ips/pools/{pool_name}/ips", "POST", "v3/ips/pools/mkt/ips", `{"ip":"198.51.100.1"}`},
		{"DELETE /v3/ips/pools/{pool_name}/ips/{ip}", "DELETE", "v3/ips/pools/mkt/ips/192.0.2.9", ""},
		{"GET /v3/ips/{ip_address}", "GET", "v3/ips/192.0.2.2", ""},
	} {
		got := v3req(t, s, tt.method, tt.path, bearer, tt.body)
		examples := contract.Examples(tt.op, got.status)
		if len(examples) == 0 {
			t.Errorf("%s %d: the contract has no example", tt.op, got.status)
		}
		for _, ex := range examples {
			if k, want := keys([]byte(got.body)), keys(ex); !slices.Equal(k, want) {
				t.Errorf("%s %d: fields %q, SendGrid's example has %q", tt.op, got.status, k, want)
			}
		}
	}
}
