package sendgridmock

import (
	"context"
	"math/rand/v2"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// FaultKind names a way the mock misbehaves on purpose.
type FaultKind string

// The fault kinds. Each imitates something a client of the real API has to
// survive: throttling, outages, proxies answering HTML, cut connections.
const (
	FaultRateLimited   FaultKind = "rate_limited"   // 429; headers per Fault.RetryAfter / Fault.RateLimitReset
	FaultServerError   FaultKind = "server_error"   // 500 JSON-ish body
	FaultUnavailable   FaultKind = "unavailable"    // 503 text/html
	FaultHTML          FaultKind = "html"           // status Fault.Status (default 200), text/html "<html>...maintenance...</html>"
	FaultTruncatedJSON FaultKind = "truncated_json" // the real answer cut in half, status 200
	FaultError200      FaultKind = "error_200"      // 200 {"message":"error","errors":["Internal error, please try again"]}
	FaultDelay         FaultKind = "delay"          // sleep Fault.Delay (return early if the request context ends), then answer normally
	FaultDrop          FaultKind = "drop"           // hijack the connection and close it with no answer
)

// allFaultKinds is what SetRandomFaults draws from when given no kinds.
var allFaultKinds = []FaultKind{
	FaultRateLimited, FaultServerError, FaultUnavailable, FaultHTML,
	FaultTruncatedJSON, FaultError200, FaultDelay, FaultDrop,
}

// validKind reports whether k is one of the kinds above.
func validKind(k FaultKind) bool {
	for _, v := range allFaultKinds {
		if k == v {
			return true
		}
	}
	return false
}

// Fault is one injected misbehavior.
type Fault struct {
	Kind           FaultKind
	Call           string        // "customer.sendip", "GET /v3/ips", or a v3 Name() such as "GET /v3/ips?subuser"; "" = any call
	Task           string        // "" = any task
	Count          int           // how many matching requests get it (≥1; 0 means 1)
	RetryAfter     string        // raw Retry-After header value for FaultRateLimited ("" = none)
	RateLimitReset time.Duration // if >0, X-RateLimit-Reset = now+this (unix seconds) for FaultRateLimited
	Delay          time.Duration // for FaultDelay
	Status         int           // for FaultHTML (default 200); also overrides 500/503 of FaultServerError/FaultUnavailable
	// AfterProcessing applies the request to the state first, then serves
	// the faulty answer: the client cannot tell whether its change happened.
	AfterProcessing bool
}

// Random faults have no caller-given parameters; these stand in.
const (
	randomRetryAfter = "0"
	randomDelay      = 50 * time.Millisecond
)

// faultSet holds the queued faults and the random-fault setting. Its lock is
// held only to choose a fault, never while one is served.
type faultSet struct {
	mu       sync.Mutex
	queue    []Fault // Count is the number of uses left
	rate     float64
	kinds    []FaultKind
	rng      *rand.Rand
	injected int
}

// pick returns the fault for a request to call/task, if any: the first
// matching queued fault, else possibly a random one. name is the request's
// Name(), which a fault may target instead of call.
func (f *faultSet) pick(call, name, task string) (Fault, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i := range f.queue {
		q := &f.queue[i]
		if (q.Call != "" && q.Call != call && q.Call != name) || (q.Task != "" && q.Task != task) {
			continue
		}
		out := *q
		q.Count--
		if q.Count <= 0 {
			f.queue = append(f.queue[:i], f.queue[i+1:]...)
		}
		f.injected++
		return out, true
	}
	if f.rate <= 0 || f.rng == nil || f.rng.Float64() >= f.rate {
		return Fault{}, false
	}
	out := Fault{Kind: f.kinds[f.rng.IntN(len(f.kinds))]}
	switch out.Kind {
	case FaultRateLimited:
		out.RetryAfter = randomRetryAfter
	case FaultDelay:
		out.Delay = randomDelay
	}
	switch out.Kind {
	case FaultTruncatedJSON, FaultHTML, FaultDrop, FaultDelay:
		// Half of these happen after the change was made: the nastier case
		// for a client, and the one a real network produces too.
		out.AfterProcessing = f.rng.IntN(2) == 0
	}
	f.injected++
	return out, true
}

// InjectFault queues a fault. Matching requests take faults in FIFO order;
// a fault is used Count times (at least once). A fault of no known kind is
// ignored, so a zero Fault is harmless.
func (s *Server) InjectFault(f Fault) {
	if !validKind(f.Kind) {
		return
	}
	if f.Count < 1 {
		f.Count = 1
	}
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	s.faults.queue = append(s.faults.queue, f)
}

// ClearFaults drops every queued fault and turns random faults off.
func (s *Server) ClearFaults() {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	s.faults.queue = nil
	s.faults.rate = 0
}

// SetRandomFaults faults each request with probability rate (clamped to
// [0,1]; 0 disables), with a kind drawn from kinds (all kinds if empty) by a
// generator seeded with seed, so a failing run can be replayed (exactly so
// only when requests arrive in the same order). Queued faults come first.
func (s *Server) SetRandomFaults(rate float64, kinds []FaultKind, seed int64) {
	var ks []FaultKind
	for _, k := range kinds {
		if validKind(k) {
			ks = append(ks, k)
		}
	}
	if len(ks) == 0 {
		ks = allFaultKinds
	}
	rate = min(max(rate, 0), 1)
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	s.faults.rate = rate
	s.faults.kinds = ks
	//nolint:gosec // reproducible test faults, not security
	s.faults.rng = rand.New(rand.NewPCG(uint64(seed), 0x5e4d6721))
}

// FaultsInjected returns how many requests got a fault, queued or random.
func (s *Server) FaultsInjected() int {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	return s.faults.injected
}

// Bodies of the fault answers.
const (
	serverErrorBody = `{"error":{"code":500,"message":"Internal Server Error"}}`
	unavailableBody = "<html><head><title>503 Service Temporarily Unavailable</title></head>" +
		"<body><center><h1>503 Service Temporarily Unavailable</h1></center></body></html>\n"
	maintenanceBody = "<html><head><title>SendGrid</title></head><body><h1>Down for maintenance</h1>" +
		"<p>SendGrid is undergoing scheduled maintenance. Please try again later.</p></body></html>\n"
	internalErrorMessage = "Internal error, please try again"
)

// serveFault answers a request that drew fault f. ex carries out the request
// (apply=false computes the answer without changing anything).
func (s *Server) serveFault(w http.ResponseWriter, r *http.Request, rec *Request, f Fault, ex func(apply bool) answer) {
	switch f.Kind {
	case FaultDelay:
		var a answer
		if f.AfterProcessing {
			a = ex(true)
		}
		if !s.sleep(r.Context(), f.Delay) {
			// The client gave up (or the server is closing): nobody to answer.
			rec.Status = 0
			s.log.add(*rec)
			return
		}
		if !f.AfterProcessing {
			a = ex(true)
		}
		s.finish(w, rec, a)
	case FaultDrop:
		if f.AfterProcessing {
			ex(true)
		}
		rec.Status = 0
		s.log.add(*rec)
		drop(w)
	case FaultTruncatedJSON:
		a := ex(f.AfterProcessing)
		a.status = http.StatusOK
		a.body = a.body[:len(a.body)/2]
		s.finish(w, rec, a)
	default:
		if f.AfterProcessing {
			ex(true)
		}
		s.finish(w, rec, faultAnswer(f, rec.Format, isV3(rec.Call), s.now()))
	}
}

// faultAnswer builds the answer of the faults that replace the real one; v3
// calls get v3's error shape where the body is JSON.
func faultAnswer(f Fault, format string, v3 bool, now time.Time) answer {
	switch f.Kind {
	case FaultRateLimited:
		a := answer{status: http.StatusTooManyRequests, ctype: ctypeJSON, body: []byte(tooManyRequestsBody)}
		if v3 {
			a.body = []byte(v3TooManyRequestsBody)
		}
		a.header = http.Header{}
		if f.RetryAfter != "" {
			a.header.Set("Retry-After", f.RetryAfter)
		}
		if f.RateLimitReset > 0 {
			a.header.Set("X-RateLimit-Reset", strconv.FormatInt(ceilUnix(now.Add(f.RateLimitReset)), 10))
		}
		return a
	case FaultServerError:
		body := serverErrorBody
		if v3 {
			body = v3ServerErrorBody
		}
		return answer{status: orDefault(f.Status, http.StatusInternalServerError), ctype: ctypeJSON, body: []byte(body)}
	case FaultUnavailable:
		return answer{status: orDefault(f.Status, http.StatusServiceUnavailable), ctype: ctypeHTML, body: []byte(unavailableBody)}
	case FaultHTML:
		return answer{status: orDefault(f.Status, http.StatusOK), ctype: ctypeHTML, body: []byte(maintenanceBody)}
	default: // FaultError200: an in-band error on a 200, in the call's format
		if v3 {
			return v3ErrorAnswer(http.StatusOK, "", internalErrorMessage)
		}
		return errorsAnswer(format, http.StatusOK, internalErrorMessage)
	}
}

// orDefault returns v, or def when v is unset.
func orDefault(v, def int) int {
	if v == 0 {
		return def
	}
	return v
}

// sleep waits d, returning false early if ctx ends or the server closes. No
// lock is held, so other requests proceed meanwhile.
func (s *Server) sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	case <-s.closing():
		return false
	}
}

// drop closes the connection without answering. Where the connection cannot
// be hijacked (HTTP/2, or a ResponseRecorder), http.ErrAbortHandler makes
// net/http abort the response instead, without logging a panic.
func drop(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			_ = conn.Close()
			return
		}
	}
	panic(http.ErrAbortHandler)
}
