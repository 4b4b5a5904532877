package sendgridmock

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

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
			if r := s.Requests(); r[0].Fault != tt.fault.Kind || r[0].Status != tt.status || r[0].Call != CallV3ListIPs || r[1].Fault != "" {
				t.Errorf("log = %+v", r)
			}
		})
	}
	t.Run("drop", func(t *testing.T) {
		s := StartTest(t, testSeed())
		s.InjectFault(Fault{Kind: FaultDrop})
		req, _ := http.NewRequest(http.MethodGet, s.V3URL()+page, nil)
		req.Header.Set("Authorization", bearer)
		c := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
		if resp, err := c.Do(req); err == nil {
			_ = resp.Body.Close()
			t.Fatal("a dropped request got an answer")
		}
		if r := s.Requests(); r[0].Status != 0 || r[0].Fault != FaultDrop {
			t.Errorf("log = %+v", r)
		}
	})
}

// The PUT is applied before the faulty answer exactly when AfterProcessing.
func TestV3FaultAfterProcessing(t *testing.T) {
	for _, kind := range allFaultKinds {
		for _, after := range []bool{false, true} {
			t.Run(string(kind)+"/after="+strconv.FormatBool(after), func(t *testing.T) {
				s := StartTest(t, testSeed())
				s.InjectFault(Fault{Kind: kind, AfterProcessing: after, Call: CallV3SetSubuserIPs, Delay: 10 * time.Millisecond})
				req, _ := http.NewRequest(http.MethodPut, s.V3URL()+"v3/subusers/alice/ips", strings.NewReader(`["192.0.2.9"]`))
				req.Header.Set("Authorization", bearer)
				c := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
				if resp, err := c.Do(req); err == nil {
					_ = resp.Body.Close()
				}
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

// Faults target v3 calls by name, a per-subuser read apart from a full scan.
func TestV3FaultMatching(t *testing.T) {
	s := StartTest(t, testSeed())
	s.InjectFault(Fault{Kind: FaultServerError, Call: "customer.ip"})
	s.InjectFault(Fault{Kind: FaultServerError, Call: "GET /v3/ips?subuser"})
	s.InjectFault(Fault{Kind: FaultUnavailable, Call: CallV3ListIPs, Count: 2})
	s.InjectFault(Fault{Kind: FaultHTML, Call: CallV3ListSubusers})
	s.InjectFault(Fault{Kind: FaultError200, Call: CallV3SetSubuserIPs, Task: "append"}) // v3 calls have no task
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

// v2 and v3 draw on one rate limit; a refused v3 request is not processed.
func TestV3RateLimit(t *testing.T) {
	clock := &fakeClock{t: time.Unix(1_700_000_000, 0)}
	s := startWithClock(t, testSeed(), clock)
	s.SetRateLimit(3, time.Minute)
	headers := func(r reply, remaining string) {
		t.Helper()
		if r.header.Get("X-RateLimit-Limit") != "3" || r.header.Get("X-RateLimit-Remaining") != remaining ||
			r.header.Get("X-RateLimit-Reset") != "1700000060" {
			t.Errorf("headers %v, want remaining %s", r.header, remaining)
		}
	}
	headers(v3get(t, s, "v3/ips"), "2")
	headers(call(t, s, http.MethodGet, "customer.ip.json", creds("list", "all")), "1")
	headers(v3req(t, s, http.MethodGet, "v3/subusers", "", ""), "0") // a refused key counts too
	clock.Add(15 * time.Second)
	got := v3put(t, s, "alice", `["192.0.2.9"]`)
	wantReply(t, got, 429, "application/json", v3Err("", msgV3TooMany))
	headers(got, "0")
	if got.header.Get("Retry-After") != "45" {
		t.Errorf("Retry-After = %q", got.header.Get("Retry-After"))
	}
	wantReply(t, v3req(t, s, http.MethodGet, "v3/nothing", bearer, ""), 429, "application/json", v3Err("", msgV3TooMany))
	if !aliceUntouched(s) || s.RateLimited() != 2 {
		t.Errorf("alice untouched %v, RateLimited %d", aliceUntouched(s), s.RateLimited())
	}
	if r := s.Requests(); r[3].Call != CallV3SetSubuserIPs || r[3].Status != 429 || r[3].User != "alice" {
		t.Errorf("log = %+v", r[3])
	}
	clock.Add(45 * time.Second)
	wantReply(t, v3put(t, s, "alice", `["192.0.2.9"]`), 200, "application/json", `{"ips":["192.0.2.9"]}`)
}
