package sendgridmock

import (
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/calls"
)

func TestRateLimit(t *testing.T) {
	clock := &fakeClock{t: time.Unix(1_700_000_000, 250_000_000)} // .25 s past a second
	s := startWithClock(t, testSeed(), clock)
	s.SetRateLimit(2, time.Minute)
	// The window opens at the first request and ends at 1_700_000_060.25, announced rounded up.
	const reset = "1700000061"
	wantHeaders := func(t *testing.T, r reply, remaining string) {
		t.Helper()
		if r.header.Get("X-RateLimit-Limit") != "2" || r.header.Get("X-RateLimit-Remaining") != remaining || r.header.Get("X-RateLimit-Reset") != reset {
			t.Errorf("headers: limit %q remaining %q reset %q, want 2 %s %s", r.header.Get("X-RateLimit-Limit"),
				r.header.Get("X-RateLimit-Remaining"), r.header.Get("X-RateLimit-Reset"), remaining, reset)
		}
	}

	r := call(t, s, http.MethodGet, "customer.ip.json", creds("list", "all"))
	if r.status != 200 {
		t.Fatalf("first: %d", r.status)
	}
	wantHeaders(t, r, "1")
	clock.Add(10 * time.Second)
	r = call(t, s, http.MethodGet, "customer.ip.json", nil)
	wantHeaders(t, r, "0")

	clock.Add(10 * time.Second) // 40 s left in the window
	r = call(t, s, http.MethodPost, "customer.sendip.json", appendNone)
	wantReply(t, r, http.StatusTooManyRequests, "application/json", `{"error":{"code":429,"message":"Too many requests"}}`)
	wantHeaders(t, r, "0")
	if got := r.header.Get("Retry-After"); got != "40" {
		t.Errorf("Retry-After = %q, want 40", got)
	}
	if !aliceUntouched(s) {
		t.Error("a rate-limited request was processed")
	}
	if s.RateLimited() != 1 {
		t.Errorf("RateLimited = %d", s.RateLimited())
	}
	if reqs := s.Requests(); len(reqs) != 3 || reqs[2].Status != 429 || reqs[2].Task != "append" {
		t.Errorf("log = %+v", reqs)
	}

	clock.Add(40 * time.Second)
	r = call(t, s, http.MethodPost, "customer.sendip.json", appendNone)
	wantReply(t, r, 200, "application/json", `{"message":"success"}`)
	if r.header.Get("X-RateLimit-Remaining") != "1" {
		t.Errorf("new window remaining = %q", r.header.Get("X-RateLimit-Remaining"))
	}
	if aliceUntouched(s) {
		t.Error("request in the new window not processed")
	}

	s.SetRateLimit(0, time.Minute)
	for range 5 {
		r = call(t, s, http.MethodGet, "customer.ip.json", creds("list", "all"))
		if r.status != 200 || r.header.Get("X-RateLimit-Limit") != "" {
			t.Fatalf("limit off: %d %v", r.status, r.header)
		}
	}
	if s.RateLimited() != 1 {
		t.Errorf("RateLimited = %d", s.RateLimited())
	}
}

// Under concurrency exactly limit requests get through per window.
func TestRateLimitConcurrent(t *testing.T) {
	s := StartTest(t, testSeed())
	s.SetRateLimit(25, time.Hour)
	results := make(chan int, 100)
	for range 100 {
		go func() {
			results <- call(t, s, http.MethodGet, "customer.ip.json", creds("list", "all")).status
		}()
	}
	counts := map[int]int{}
	for range 100 {
		counts[<-results]++
	}
	if counts[200] != 25 || counts[429] != 75 || s.RateLimited() != 75 {
		t.Errorf("statuses %v, RateLimited %d", counts, s.RateLimited())
	}
}

func TestCeil(t *testing.T) {
	for _, tt := range []struct {
		d    time.Duration
		want int64
	}{{0, 1}, {-time.Second, 1}, {time.Millisecond, 1}, {time.Second, 1}, {time.Second + 1, 2}, {59*time.Second + 999*time.Millisecond, 60}} {
		if got := ceilSeconds(tt.d); got != tt.want {
			t.Errorf("ceilSeconds(%v) = %d, want %d", tt.d, got, tt.want)
		}
	}
	if got := strconv.FormatInt(ceilUnix(time.Unix(10, 0)), 10); got != "10" {
		t.Errorf("ceilUnix exact = %s", got)
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
	if r := s.Requests(); r[3].Call != calls.V3SetSubuserIPs || r[3].Status != 429 || r[3].User != "alice" {
		t.Errorf("log = %+v", r[3])
	}
	clock.Add(45 * time.Second)
	wantReply(t, v3put(t, s, "alice", `["192.0.2.9"]`), 200, "application/json", `{"ips":["192.0.2.9"]}`)
}
