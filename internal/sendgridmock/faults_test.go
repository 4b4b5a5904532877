package sendgridmock

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/calls"
)

var appendNone = creds("task", "append", "user", "alice", "set", "none")

func TestFaultAnswers(t *testing.T) {
	const normalIPs = `[{"ip":"192.0.2.9"},{"ip":"192.0.2.10"}]`
	tests := []struct {
		name   string
		fault  Fault
		path   string
		status int
		ctype  string
		body   string
		check  func(t *testing.T, r reply)
	}{
		{"server error", Fault{Kind: FaultServerError}, "customer.ip.json", 500, "application/json", serverErrorBody, nil},
		{"server error status", Fault{Kind: FaultServerError, Status: 502}, "customer.ip.json", 502, "application/json", serverErrorBody, nil},
		{"unavailable", Fault{Kind: FaultUnavailable}, "customer.ip.json", 503, "text/html", unavailableBody, nil},
		{"html", Fault{Kind: FaultHTML}, "customer.ip.json", 200, "text/html", maintenanceBody, nil},
		{"html status", Fault{Kind: FaultHTML, Status: 502}, "customer.ip.json", 502, "text/html", maintenanceBody, nil},
		{"error 200", Fault{Kind: FaultError200}, "customer.ip.json", 200, "application/json",
			`{"message":"error","errors":["Internal error, please try again"]}`, nil},
		{"error 200 xml", Fault{Kind: FaultError200}, "customer.ip.xml", 200, "text/xml",
			xmlDoc("<result><message>error</message><errors><error>Internal error, please try again</error></errors></result>"), nil},
		{"truncated", Fault{Kind: FaultTruncatedJSON}, "customer.ip.json", 200, "application/json", normalIPs[:len(normalIPs)/2],
			func(t *testing.T, r reply) {
				var v any
				if json.Unmarshal([]byte(r.body), &v) == nil {
					t.Error("truncated answer is valid JSON")
				}
			}},
		{"rate limited bare", Fault{Kind: FaultRateLimited}, "customer.ip.json", 429, "application/json", tooManyRequestsBody,
			func(t *testing.T, r reply) {
				if r.header.Get("Retry-After") != "" || r.header.Get("X-RateLimit-Reset") != "" {
					t.Errorf("unexpected headers %v", r.header)
				}
			}},
		{"rate limited headers", Fault{Kind: FaultRateLimited, RetryAfter: "Wed, 21 Oct 2015 07:28:00 GMT", RateLimitReset: 90 * time.Second},
			"customer.ip.json", 429, "application/json", tooManyRequestsBody,
			func(t *testing.T, r reply) {
				if got := r.header.Get("Retry-After"); got != "Wed, 21 Oct 2015 07:28:00 GMT" {
					t.Errorf("Retry-After = %q", got)
				}
				reset, err := strconv.ParseInt(r.header.Get("X-RateLimit-Reset"), 10, 64)
				if d := reset - time.Now().Unix(); err != nil || d < 85 || d > 95 {
					t.Errorf("X-RateLimit-Reset = %q (%d s from now)", r.header.Get("X-RateLimit-Reset"), d)
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := StartTest(t, testSeed())
			s.InjectFault(tt.fault)
			got := call(t, s, http.MethodGet, tt.path, creds("list", "free"))
			wantReply(t, got, tt.status, tt.ctype, tt.body)
			if tt.check != nil {
				tt.check(t, got)
			}
			// Used up: the next request is normal.
			got = call(t, s, http.MethodGet, "customer.ip.json", creds("list", "free"))
			wantReply(t, got, 200, "application/json", normalIPs)
			if s.FaultsInjected() != 1 {
				t.Errorf("FaultsInjected = %d", s.FaultsInjected())
			}
			reqs := s.Requests()
			if len(reqs) != 2 || reqs[0].Fault != tt.fault.Kind || reqs[0].Status != tt.status || reqs[1].Fault != "" {
				t.Errorf("log = %+v", reqs)
			}
		})
	}
}

// TestFaultAfterProcessing: a write is applied before the faulty answer exactly when AfterProcessing (a delay answers normally).
func TestFaultAfterProcessing(t *testing.T) {
	for _, api := range []struct {
		name  string
		fault Fault
		write func(s *Server) (reply, error)
	}{
		{"v2", Fault{Call: calls.V2SendIP, Task: "append"}, func(s *Server) (reply, error) { return post(s.URL()+"customer.sendip.json", appendNone) }},
		{"v3", Fault{Call: calls.V3SetSubuserIPs, Delay: 10 * time.Millisecond}, func(s *Server) (reply, error) {
			return send(fresh, http.MethodPut, s.V3URL()+"v3/subusers/alice/ips", `["192.0.2.9"]`, "Authorization", bearer,
				"Content-Type", "application/json")
		}},
	} {
		for _, kind := range allFaultKinds {
			for _, after := range []bool{false, true} {
				t.Run(api.name+"/"+string(kind)+"/after="+strconv.FormatBool(after), func(t *testing.T) {
					s := StartTest(t, testSeed())
					f := api.fault
					f.Kind, f.AfterProcessing = kind, after
					s.InjectFault(f)
					_, _ = api.write(s)
					if changed := !aliceUntouched(s); changed != (after || kind == FaultDelay) {
						t.Errorf("changed = %v", changed)
					}
					if s.FaultsInjected() != 1 {
						t.Errorf("FaultsInjected = %d", s.FaultsInjected())
					}
				})
			}
		}
	}
}

func TestFaultTruncatedIsRealAnswer(t *testing.T) {
	s := StartTest(t, testSeed())
	full := call(t, s, http.MethodGet, "customer.sendip.xml", creds("task", "list", "user", "alice")).body
	s.InjectFault(Fault{Kind: FaultTruncatedJSON})
	got := call(t, s, http.MethodGet, "customer.sendip.xml", creds("task", "list", "user", "alice"))
	wantReply(t, got, 200, "text/xml", full[:len(full)/2])
	// Cutting an error answer keeps status 200.
	s.InjectFault(Fault{Kind: FaultTruncatedJSON})
	got = call(t, s, http.MethodGet, "customer.sendip.json", creds("task", "list", "user", "nobody"))
	full = `{"error":{"code":400,"message":"User does not exist"}}`
	wantReply(t, got, 200, "application/json", full[:len(full)/2])
}

func TestFaultDrop(t *testing.T) {
	s := StartTest(t, testSeed())
	s.InjectFault(Fault{Kind: FaultDrop})
	if r, err := post(s.URL()+"customer.ip.json", creds("list", "all")); err == nil {
		t.Fatalf("dropped request got an answer: %+v", r)
	}
	reqs := s.Requests()
	if len(reqs) != 1 || reqs[0].Status != 0 || reqs[0].Fault != FaultDrop {
		t.Errorf("log = %+v", reqs)
	}
	wantReply(t, call(t, s, http.MethodGet, "customer.ip.json", creds("list", "free")), 200, "application/json", jsonIPList("192.0.2.9", "192.0.2.10"))
}

func TestFaultDelay(t *testing.T) {
	s := StartTest(t, testSeed())
	s.InjectFault(Fault{Kind: FaultDelay, Delay: 300 * time.Millisecond})
	start := time.Now()
	got := call(t, s, http.MethodGet, "customer.ip.json", creds("list", "free"))
	if el := time.Since(start); el < 300*time.Millisecond {
		t.Errorf("answered after %v", el)
	}
	wantReply(t, got, 200, "application/json", jsonIPList("192.0.2.9", "192.0.2.10"))
	if r := s.Requests(); r[0].Fault != FaultDelay || r[0].Status != 200 {
		t.Errorf("log = %+v", r)
	}
}

// A client that gives up ends the delay; logged with status 0, the request changes nothing.
func TestFaultDelayCancelled(t *testing.T) {
	s := StartTest(t, testSeed())
	s.InjectFault(Fault{Kind: FaultDelay, Delay: time.Hour})
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, s.URL()+"customer.sendip.json", strings.NewReader(appendNone.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if resp, err := http.DefaultClient.Do(req); err == nil {
		_ = resp.Body.Close()
		t.Fatal("got an answer")
	}
	deadline := time.Now().Add(5 * time.Second)
	for s.Count(calls.V2SendIP, "append") == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the delayed handler did not return after the client left")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if r := s.Requests(); r[0].Status != 0 || r[0].Fault != FaultDelay {
		t.Errorf("log = %+v", r)
	}
	if !aliceUntouched(s) {
		t.Error("abandoned delayed request was applied")
	}
}

// A delayed request holds nothing other requests need, and Close cuts it short.
func TestFaultDelayBlocksNobody(t *testing.T) {
	s := StartTest(t, testSeed())
	s.InjectFault(Fault{Kind: FaultDelay, Delay: 1500 * time.Millisecond, Call: calls.V2SendIP})
	slow := make(chan struct{})
	go func() {
		defer close(slow)
		_, _ = post(s.URL()+"customer.sendip.json", appendNone)
	}()
	for s.FaultsInjected() == 0 {
		time.Sleep(time.Millisecond)
	}
	start := time.Now()
	var wg sync.WaitGroup
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _ = post(s.URL()+"customer.sendip.json", creds("task", "append", "user", "bob", "set", "all"))
		}()
	}
	wg.Wait()
	if el := time.Since(start); el > time.Second {
		t.Errorf("other requests took %v while one was delayed", el)
	}
	<-slow
	s.InjectFault(Fault{Kind: FaultDelay, Delay: time.Hour})
	done := make(chan struct{})
	go func() {
		defer close(done)
		_, _ = post(s.URL()+"customer.ip.json", creds("list", "all"))
	}()
	for s.FaultsInjected() < 2 {
		time.Sleep(time.Millisecond)
	}
	_ = s.Close()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Close left a delayed request hanging")
	}
}

func TestFaultMatching(t *testing.T) {
	s := StartTest(t, testSeed())
	s.InjectFault(Fault{Kind: FaultServerError, Call: calls.V2SendIP, Task: "append", Count: 2})
	s.InjectFault(Fault{Kind: FaultUnavailable, Call: calls.V2IP})
	s.InjectFault(Fault{Kind: FaultHTML}) // any call
	s.InjectFault(Fault{Kind: "no such kind"})

	list := creds("task", "list", "user", "alice")
	steps := []struct {
		path   string
		params url.Values
		status int
	}{
		{"customer.sendip.json", list, 200},       // HTML fault (any call) is third in line but first to match
		{"customer.sendip.json", list, 200},       // normal
		{"customer.sendip.json", appendNone, 500}, // first of two
		{"customer.ip.json", creds("list", "all"), 503},
		{"customer.ip.json", creds("list", "all"), 200},
		{"customer.sendip.json", appendNone, 500}, // second of two
		{"customer.sendip.json", appendNone, 200},
	}
	for i, st := range steps {
		got := call(t, s, http.MethodPost, st.path, st.params)
		if got.status != st.status {
			t.Errorf("step %d: status %d, want %d", i, got.status, st.status)
		}
	}
	var kinds []FaultKind
	for _, r := range s.Requests() {
		kinds = append(kinds, r.Fault)
	}
	want := []FaultKind{FaultHTML, "", FaultServerError, FaultUnavailable, "", FaultServerError, ""}
	if !slices.Equal(kinds, want) {
		t.Errorf("faults = %v, want %v", kinds, want)
	}
	if s.FaultsInjected() != 4 {
		t.Errorf("FaultsInjected = %d", s.FaultsInjected())
	}
	s.InjectFault(Fault{Kind: FaultServerError})
	s.ClearFaults()
	if got := call(t, s, http.MethodGet, "customer.ip.json", creds("list", "all")); got.status != 200 {
		t.Errorf("fault survived ClearFaults: %d", got.status)
	}
}

func TestRandomFaults(t *testing.T) {
	s := StartTest(t, testSeed())
	s.SetRandomFaults(1, []FaultKind{FaultError200}, 1)
	for range 10 {
		got := call(t, s, http.MethodGet, "customer.ip.json", creds("list", "all"))
		if !strings.Contains(got.body, "Internal error") {
			t.Fatalf("rate 1 left a request alone: %s", got.body)
		}
	}
	s.InjectFault(Fault{Kind: FaultServerError})
	if got := call(t, s, http.MethodGet, "customer.ip.json", creds("list", "all")); got.status != 500 {
		t.Errorf("queued fault not first: %d", got.status)
	}
	s.SetRandomFaults(0.5, []FaultKind{FaultServerError}, 42)
	faulted := 0
	for range 200 {
		if call(t, s, http.MethodGet, "customer.ip.json", creds("list", "all")).status == 500 {
			faulted++
		}
	}
	if faulted < 60 || faulted > 140 {
		t.Errorf("rate 0.5 faulted %d of 200", faulted)
	}
	// Every kind is drawn by default (delays are short, and drops are retried by no one).
	s.SetRandomFaults(1, nil, 7)
	seen := map[FaultKind]bool{}
	for range 200 {
		_, _ = post(s.URL()+"customer.ip.json", creds("list", "all"))
	}
	for _, r := range s.Requests() {
		seen[r.Fault] = true
	}
	for _, k := range allFaultKinds {
		if !seen[k] {
			t.Errorf("kind %s never drawn", k)
		}
	}
	s.SetRandomFaults(0, nil, 0)
	n := s.FaultsInjected()
	call(t, s, http.MethodGet, "customer.ip.json", creds("list", "all"))
	if s.FaultsInjected() != n {
		t.Error("rate 0 still faults")
	}
	s.SetRandomFaults(1, nil, 7)
	s.ClearFaults()
	if call(t, s, http.MethodGet, "customer.ip.json", creds("list", "all")).status != 200 {
		t.Error("ClearFaults left random faults on")
	}
}

func TestV3FaultAnswers(t *testing.T) {
	normal := arr(v3IP("192.0.2.9"), v3IP("192.0.2.10"))
	const page = "v3/ips?offset=4"
	tests := []struct {
		fault  Fault
		status int
		ctype  string
		body   string
		header string // a header the answer must carry
	}{
		{Fault{Kind: FaultServerError}, 500, "application/json", v3ServerErrorBody, ""},
		{Fault{Kind: FaultServerError, Status: 502}, 502, "application/json", v3ServerErrorBody, ""},
		{Fault{Kind: FaultUnavailable}, 503, "text/html", unavailableBody, ""},
		{Fault{Kind: FaultHTML}, 200, "text/html", maintenanceBody, ""},
		{Fault{Kind: FaultError200}, 200, "application/json", v3Err("", internalErrorMessage), ""},
		{Fault{Kind: FaultTruncatedJSON}, 200, "application/json", normal[:len(normal)/2], ""},
		{Fault{Kind: FaultRateLimited, RetryAfter: "7"}, 429, "application/json", v3Err("", msgV3TooMany), "Retry-After"},
		{Fault{Kind: FaultRateLimited, RateLimitReset: time.Minute}, 429, "application/json", v3Err("", msgV3TooMany), "X-RateLimit-Reset"},
		{Fault{Kind: FaultDelay, Delay: 50 * time.Millisecond}, 200, "application/json", normal, ""},
	}
	for _, tt := range tests {
		t.Run(string(tt.fault.Kind), func(t *testing.T) {
			s := StartTest(t, testSeed())
			s.InjectFault(tt.fault)
			got := v3get(t, s, page)
			wantReply(t, got, tt.status, tt.ctype, tt.body)
			if tt.header != "" && got.header.Get(tt.header) == "" {
				t.Errorf("no %s header: %v", tt.header, got.header)
			}
			wantReply(t, v3get(t, s, page), 200, "application/json", normal)
			if r := s.Requests(); r[0].Fault != tt.fault.Kind || r[0].Status != tt.status || r[0].Call != calls.V3IPs || r[1].Fault != "" {
				t.Errorf("log = %+v", r)
			}
		})
	}
	t.Run("drop", func(t *testing.T) {
		s := StartTest(t, testSeed())
		s.InjectFault(Fault{Kind: FaultDrop})
		if _, err := send(fresh, http.MethodGet, s.V3URL()+page, "", "Authorization", bearer); err == nil {
			t.Fatal("a dropped request got an answer")
		}
		if r := s.Requests(); r[0].Status != 0 || r[0].Fault != FaultDrop {
			t.Errorf("log = %+v", r)
		}
	})
}

// Faults target v3 calls by name, a per-subuser read apart from a full scan.
func TestV3FaultMatching(t *testing.T) {
	s := StartTest(t, testSeed())
	s.InjectFault(Fault{Kind: FaultServerError, Call: calls.V2IP})
	s.InjectFault(Fault{Kind: FaultServerError, Call: calls.V3IPsOfSubuser})
	s.InjectFault(Fault{Kind: FaultUnavailable, Call: calls.V3IPs, Count: 2})
	s.InjectFault(Fault{Kind: FaultHTML, Call: calls.V3Subusers})
	s.InjectFault(Fault{Kind: FaultError200, Call: calls.V3SetSubuserIPs, Task: "append"}) // v3 calls have no task
	for i, st := range []struct {
		path   string
		status int
	}{
		{"v3/ips", 503},
		{"v3/ips?subuser=alice", 500},
		{"v3/ips?subuser=alice", 503},
		{"v3/ips?subuser=alice", 200},
		{"v3/subusers?username=x", 200}, // HTML fault, status 200
		{"v3/subusers", 200},
	} {
		if got := v3get(t, s, st.path); got.status != st.status {
			t.Errorf("step %d %s: %d, want %d", i, st.path, got.status, st.status)
		}
	}
	if r := s.Requests(); r[4].Fault != FaultHTML || r[5].Fault != "" {
		t.Errorf("log = %+v", r)
	}
	if got := v3put(t, s, "alice", `["192.0.2.9"]`); got.status != 200 || strings.Contains(got.body, "error") {
		t.Errorf("PUT drew a fault: %s", got.body)
	}
	wantReply(t, call(t, s, http.MethodGet, "customer.ip.json", creds("list", "all")), 500, "application/json", serverErrorBody)
}

func TestV3RandomFaults(t *testing.T) {
	s := StartTest(t, testSeed())
	s.SetRandomFaults(1, []FaultKind{FaultError200}, 1)
	wantReply(t, v3get(t, s, "v3/subusers"), 200, "application/json", v3Err("", internalErrorMessage))
	wantReply(t, v3put(t, s, "alice", `["192.0.2.9"]`), 200, "application/json", v3Err("", internalErrorMessage))
	if !aliceUntouched(s) || s.FaultsInjected() != 2 {
		t.Errorf("alice untouched %v, faults %d", aliceUntouched(s), s.FaultsInjected())
	}
}
