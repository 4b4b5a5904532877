package sendgridmock

import (
	"net/http"
	"strconv"
	"sync"
	"time"
)

// limiter is a fixed-window request counter. A window opens with the first
// request after the previous one ended (rather than on wall-clock boundaries)
// so a test using a long window never straddles a boundary by bad luck. Its
// lock is held only to count, never while answering.
type limiter struct {
	mu     sync.Mutex
	limit  int
	window time.Duration
	start  time.Time // start of the current window; zero before the first request
	count  int       // requests admitted in the current window
}

// verdict is the limiter's answer for one request.
type verdict struct {
	enabled   bool
	allowed   bool
	limit     int
	remaining int
	reset     time.Time // end of the current window
}

// set changes the limit and starts afresh, so a test gets a full window.
func (l *limiter) set(limit int, window time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.limit, l.window = limit, window
	l.start, l.count = time.Time{}, 0
}

// take counts one request made at now.
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
		return v // refused: not counted, remaining 0
	}
	l.count++
	v.allowed = true
	v.remaining = l.limit - l.count
	return v
}

// headers writes the X-RateLimit-* headers every answer carries while the
// limit is on, and Retry-After on a refusal.
func (v verdict) headers(h http.Header, now time.Time) {
	h.Set("X-RateLimit-Limit", strconv.Itoa(v.limit))
	h.Set("X-RateLimit-Remaining", strconv.Itoa(v.remaining))
	h.Set("X-RateLimit-Reset", strconv.FormatInt(ceilUnix(v.reset), 10))
	if !v.allowed {
		h.Set("Retry-After", strconv.FormatInt(ceilSeconds(v.reset.Sub(now)), 10))
	}
}

// ceilUnix is t in unix seconds, rounded up: a client that waits until then
// is past the end of the window.
func ceilUnix(t time.Time) int64 {
	sec := t.Unix()
	if t.Nanosecond() > 0 {
		sec++
	}
	return sec
}

// ceilSeconds is d in whole seconds, rounded up and at least 1, since
// "Retry-After: 0" would invite an immediate, refused retry.
func ceilSeconds(d time.Duration) int64 {
	sec := int64((d + time.Second - 1) / time.Second)
	if sec < 1 {
		sec = 1
	}
	return sec
}

// SetRateLimit limits the server to limit requests per window (fixed
// windows); limit 0 (or a window of 0) turns the limit off. Requests over the
// limit get 429 and are not processed.
func (s *Server) SetRateLimit(limit int, window time.Duration) {
	s.limiter.set(limit, window)
}

// RateLimited returns how many 429 answers the rate limit has given (faults
// of kind FaultRateLimited are not counted here but in FaultsInjected).
func (s *Server) RateLimited() int { return int(s.rateLimited.Load()) }
