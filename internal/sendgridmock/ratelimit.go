package sendgridmock

import (
	"net/http"
	"strconv"
	"sync"
	"time"
)

// limiter counts requests in fixed windows, each opened by the first request after the last one
// ended, so a test with a long window never straddles a boundary by bad luck.
type limiter struct {
	mu     sync.Mutex
	limit  int
	window time.Duration
	start  time.Time // of the current window; zero before the first request
	count  int
}

type verdict struct {
	enabled, allowed bool
	limit, remaining int
	reset            time.Time // end of the window
}

func (l *limiter) set(limit int, window time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.limit, l.window = limit, window
	l.start, l.count = time.Time{}, 0
}

func (l *limiter) take(now time.Time) verdict {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.limit <= 0 || l.window <= 0 {
		return verdict{}
	}
	if l.start.IsZero() || !now.Before(l.start.Add(l.window)) {
		l.start, l.count = now, 0
	}
	v := verdict{enabled: true, limit: l.limit, reset: l.start.Add(l.window)}
	if l.count >= l.limit {
		return v // refused, not counted
	}
	l.count++
	v.allowed, v.remaining = true, l.limit-l.count
	return v
}

// headers writes the X-RateLimit-* headers, and Retry-After on a refusal.
func (v verdict) headers(h http.Header, now time.Time) {
	h.Set("X-RateLimit-Limit", strconv.Itoa(v.limit))
	h.Set("X-RateLimit-Remaining", strconv.Itoa(v.remaining))
	h.Set("X-RateLimit-Reset", strconv.FormatInt(ceilUnix(v.reset), 10))
	if !v.allowed {
		h.Set("Retry-After", strconv.FormatInt(ceilSeconds(v.reset.Sub(now)), 10))
	}
}

// ceilUnix is t in unix seconds, rounded up: a client that waits until then is past the window.
func ceilUnix(t time.Time) int64 {
	if t.Nanosecond() > 0 {
		return t.Unix() + 1
	}
	return t.Unix()
}

// ceilSeconds is d in whole seconds, rounded up and at least 1: "Retry-After: 0" would invite a refused retry.
func ceilSeconds(d time.Duration) int64 {
	return max(int64((d+time.Second-1)/time.Second), 1)
}

// SetRateLimit allows limit requests per window (0 turns it off); the rest get 429, unprocessed.
func (s *Server) SetRateLimit(limit int, window time.Duration) {
	s.limiter.set(limit, window)
}

// RateLimited returns how many 429s the rate limit gave (FaultRateLimited counts in FaultsInjected).
func (s *Server) RateLimited() int { return int(s.rateLimited.Load()) }
