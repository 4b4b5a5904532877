package sendgridmock

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

var appendNone = creds("task", "append", "user", "alice", "set", "none")

// aliceUntouched reports whether alice still has her seed IPs.
func aliceUntouched(s *Server) bool {
	ips, _ := s.SubuserIPs("alice")
	return len(ips) == 2
}

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

// Faults that replace the answer skip the change unless AfterProcessing.
func TestFaultAfterProcessing(t *testing.T) {
	for _, kind := range []FaultKind{FaultRateLimited, FaultServerError, FaultUnavailable, FaultHTML, FaultTruncatedJSON, FaultError200, FaultDrop, FaultDelay} {
		for _, after := range []bool{false, true} {
			t.Run(string(kind)+"/after="+strconv.FormatBool(after), func(t *testing.T) {
				s := StartTest(t, testSeed())
				s.InjectFault(Fault{Kind: kind, AfterProcessing: after, Call: callSendIP, Task: "append"})
				_, _ = post(t, s.URL()+"customer.sendip.json", appendNone)
				changed := !aliceUntouched(s)
				// A delay answers normally either way: the change happens.
				want := after || kind == FaultDelay
				if changed != want {
					t.Errorf("changed = %v, want %v", changed, want)
				}
			})
		}
	}
}

// post sends a form without keep-alive, so Go's transport does not retry a
// dropped request on a fresh connection; it returns the error if any.
func post(t *testing.T, u string, params url.Values) (reply, error) {
	t.Helper()
	c := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 10 * time.Second}
	resp, err := c.PostForm(u, params)
	if err != nil {
		return reply{}, err
	}
	defer func() { _ = resp.Body.Close() }()
	b, err := io.ReadAll(resp.Body)
	return reply{status: resp.StatusCode, header: resp.Header, body: string(b)}, err
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
	if r, err := post(t, s.URL()+"customer.ip.json", creds("list", "all")); err == nil {
		t.Fatalf("dropped request got an answer: %+v", r)
	}
	reqs := s.Requests()
	if len(reqs) != 1 || reqs[0].Status != 0 || reqs[0].Fault != FaultDrop {
		t.Errorf("log = %+v", reqs)
	}
	// The server is fine afterwards.
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

// A client that gives up ends the delay; the request is logged with status
// 0 and, without AfterProcessing, changes nothing.
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
	for s.Count(callSendIP, "append") == 0 {
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

// A delayed request must not hold anything other requests need.
func TestFaultDelayBlocksNobody(t *testing.T) {
	s := StartTest(t, testSeed())
	s.InjectFault(Fault{Kind: FaultDelay, Delay: 1500 * time.Millisecond, Call: callSendIP})
	slow := make(chan struct{})
	go func() {
		defer close(slow)
		_, _ = post(t, s.URL()+"customer.sendip.json", appendNone)
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
			_, _ = post(t, s.URL()+"customer.sendip.json", creds("task", "append", "user", "bob", "set", "all"))
		}()
	}
	wg.Wait()
	if el := time.Since(start); el > time.Second {
		t.Errorf("other requests took %v while one was delayed", el)
	}
	<-slow
	// Close cuts a delay short.
	s.InjectFault(Fault{Kind: FaultDelay, Delay: time.Hour})
	done := make(chan struct{})
	go func() {
		defer close(done)
		_, _ = post(t, s.URL()+"customer.ip.json", creds("list", "all"))
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
	s.InjectFault(Fault{Kind: FaultServerError, Call: callSendIP, Task: "append", Count: 2})
	s.InjectFault(Fault{Kind: FaultUnavailable, Call: callIP})
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
	// Queued faults come first.
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
	// All kinds by default, and each drawn sometime (no drops or delays
	// here would hang: delays are short, drops are retried by no one).
	s.SetRandomFaults(1, nil, 7)
	seen := map[FaultKind]bool{}
	for range 200 {
		_, _ = post(t, s.URL()+"customer.ip.json", creds("list", "all"))
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
