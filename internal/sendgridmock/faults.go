package sendgridmock

import (
	"cmp"
	"context"
	"math/rand/v2"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"
)

// FaultKind names a way the mock misbehaves on purpose, as a real API, network or proxy does.
type FaultKind string

const (
	FaultRateLimited   FaultKind = "rate_limited"   // 429, with Fault.RetryAfter and Fault.RateLimitReset
	FaultServerError   FaultKind = "server_error"   // 500 JSON
	FaultUnavailable   FaultKind = "unavailable"    // 503 text/html
	FaultHTML          FaultKind = "html"           // Fault.Status (default 200), a text/html maintenance page
	FaultTruncatedJSON FaultKind = "truncated_json" // the real answer cut in half, status 200
	FaultError200      FaultKind = "error_200"      // 200 with an error in the call's shape
	FaultDelay         FaultKind = "delay"          // Fault.Delay (less if the client leaves), then the real answer
	FaultDrop          FaultKind = "drop"           // the connection closed with no answer
)

var allFaultKinds = []FaultKind{
	FaultRateLimited, FaultServerError, FaultUnavailable, FaultHTML,
	FaultTruncatedJSON, FaultError200, FaultDelay, FaultDrop,
}

// Fault is one injected misbehavior.
type Fault struct {
	Kind           FaultKind
	Call           string        // calls.V2SendIP, calls.V3IPs, or a v3 Name() such as calls.V3IPsOfSubuser; "": any
	Task           string        // "": any
	Count          int           // matching requests that get it; 0 means 1
	RetryAfter     string        // FaultRateLimited: the raw Retry-After ("": none)
	RateLimitReset time.Duration // FaultRateLimited: X-RateLimit-Reset = now+this, when > 0
	Delay          time.Duration // FaultDelay
	Status         int           // FaultHTML (default 200), FaultServerError (500), FaultUnavailable (503)
	// AfterProcessing applies the request first: the client cannot tell whether its change happened.
	AfterProcessing bool
}

type faultSet struct {
	mu       sync.Mutex
	queue    []Fault // Count is the uses left
	rate     float64
	kinds    []FaultKind
	rng      *rand.Rand
	injected int
}

// pick returns the first queued fault matching call (or its Name) and task, else perhaps a random one.
func (f *faultSet) pick(call, name, task string) (Fault, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i := range f.queue {
		q := &f.queue[i]
		if (q.Call != "" && q.Call != call && q.Call != name) || (q.Task != "" && q.Task != task) {
			continue
		}
		out := *q
		if q.Count--; q.Count <= 0 {
			f.queue = slices.Delete(f.queue, i, i+1)
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
		out.RetryAfter = "0" // retry at once: random faults must not slow the soak
	case FaultDelay:
		out.Delay = 50 * time.Millisecond
	}
	switch out.Kind {
	case FaultTruncatedJSON, FaultHTML, FaultDrop, FaultDelay:
		out.AfterProcessing = f.rng.IntN(2) == 0 // the nastier case half the time, as a real network does
	}
	f.injected++
	return out, true
}

// InjectFault queues a fault; matching requests take faults in order. One of no known kind is ignored.
func (s *Server) InjectFault(f Fault) {
	if !slices.Contains(allFaultKinds, f.Kind) {
		return
	}
	f.Count = max(f.Count, 1)
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

// SetRandomFaults faults each request with probability rate (0 disables) with a kind drawn from
// kinds (default all) by a generator seeded with seed, so a run can be replayed; queued faults come first.
func (s *Server) SetRandomFaults(rate float64, kinds []FaultKind, seed int64) {
	ks := slices.DeleteFunc(slices.Clone(kinds), func(k FaultKind) bool { return !slices.Contains(allFaultKinds, k) })
	if len(ks) == 0 {
		ks = allFaultKinds
	}
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	s.faults.rate = min(max(rate, 0), 1)
	s.faults.kinds = ks
	s.faults.rng = rand.New(rand.NewPCG(uint64(seed), 0x5e4d6721)) //nolint:gosec // reproducible test faults
}

// FaultsInjected returns how many requests got a fault, queued or random.
func (s *Server) FaultsInjected() int {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	return s.faults.injected
}

const (
	serverErrorBody = `{"error":{"code":500,"message":"Internal Server Error"}}`
	unavailableBody = "<html><head><title>503 Service Temporarily Unavailable</title></head>" +
		"<body><center><h1>503 Service Temporarily Unavailable</h1></center></body></html>\n"
	maintenanceBody = "<html><head><title>SendGrid</title></head><body><h1>Down for maintenance</h1>" +
		"<p>SendGrid is undergoing scheduled maintenance. Please try again later.</p></body></html>\n"
	internalErrorMessage = "Internal error, please try again"
)

// serveFault answers a request that drew fault f; exec carries it out (apply false: without changing anything).
func (s *Server) serveFault(w http.ResponseWriter, r *http.Request, rec *Request, f Fault, exec func(apply bool) response) {
	switch f.Kind {
	case FaultDelay:
		var res response
		if f.AfterProcessing {
			res = exec(true)
		}
		if !s.sleep(r.Context(), f.Delay) { // nobody left to answer
			rec.Status = 0
			s.log.add(*rec)
			return
		}
		if !f.AfterProcessing {
			res = exec(true)
		}
		s.finish(w, rec, res)
	case FaultDrop:
		if f.AfterProcessing {
			exec(true)
		}
		rec.Status = 0
		s.log.add(*rec)
		drop(w)
	case FaultTruncatedJSON:
		res := exec(f.AfterProcessing)
		res.status = http.StatusOK
		res.body = res.body[:len(res.body)/2]
		s.finish(w, rec, res)
	default:
		if f.AfterProcessing {
			exec(true)
		}
		s.finish(w, rec, faultResponse(f, rec.Format, isV3(rec.Call), s.now()))
	}
}

// faultResponse builds the answers that replace the real one, in v3's error shape for v3 calls.
func faultResponse(f Fault, format string, v3 bool, now time.Time) response {
	switch f.Kind {
	case FaultRateLimited:
		res := jsonResponse(http.StatusTooManyRequests, tooManyRequestsBody)
		if v3 {
			res.body = []byte(v3TooManyRequestsBody)
		}
		res.header = http.Header{}
		if f.RetryAfter != "" {
			res.header.Set("Retry-After", f.RetryAfter)
		}
		if f.RateLimitReset > 0 {
			res.header.Set("X-RateLimit-Reset", strconv.FormatInt(ceilUnix(now.Add(f.RateLimitReset)), 10))
		}
		return res
	case FaultServerError:
		res := jsonResponse(cmp.Or(f.Status, http.StatusInternalServerError), serverErrorBody)
		if v3 {
			res.body = []byte(v3ServerErrorBody)
		}
		return res
	case FaultUnavailable:
		return response{status: cmp.Or(f.Status, http.StatusServiceUnavailable), ctype: ctypeHTML, body: []byte(unavailableBody)}
	case FaultHTML:
		return response{status: cmp.Or(f.Status, http.StatusOK), ctype: ctypeHTML, body: []byte(maintenanceBody)}
	default: // FaultError200
		if v3 {
			return v3ErrorResponse(http.StatusOK, "", internalErrorMessage)
		}
		return errorsResponse(format, http.StatusOK, internalErrorMessage)
	}
}

// sleep waits d, or less when ctx ends or the server closes (then false).
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

// drop closes the connection without answering; where it cannot be hijacked, http.ErrAbortHandler
// makes net/http abort the response without logging a panic.
func drop(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			_ = conn.Close()
			return
		}
	}
	panic(http.ErrAbortHandler)
}
