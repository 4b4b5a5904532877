package sendgridmock

import (
	"slices"
	"sync"
	"time"
)

// Request is one logged request, as the server understood it.
type Request struct {
	Call                  string // "customer.ip", "customer.sendip", ..., "GET /v3/ips", ...; "" for an unknown path or a v3 method
	Format                string // "json" or "xml"
	Method                string
	Task, Set, List, User string   // v3: User is the subuser of the PUT, or the subuser/username filter
	IPs                   []string // ip[] and ip[N] values, or the v3 PUT body, as sent, in order
	Limit, Offset         int      // v3 paging parameters as sent; 0 when absent or not a number
	Time                  time.Time
	Status                int       // HTTP status answered (0 for a dropped connection)
	Fault                 FaultKind // "" if none injected
	CredentialsInQuery    bool      // v2: api_key or api_user in the query; v3: the key or a credential-named parameter there
	BearerAuth            bool      // an Authorization: Bearer header was sent
	UserAgent             string
}

// maxLogged bounds the entries kept, so a benchmark of millions of requests
// does not grow memory without end. Counts stay exact past it.
const maxLogged = 100_000

// countKey indexes the exact per-call/per-task counters.
type countKey struct{ call, task string }

// requestLog is the request log. Its zero value is empty and ready.
type requestLog struct {
	mu      sync.Mutex
	max     int // entries kept past which the oldest go; 0 means maxLogged
	entries []Request
	counts  map[countKey]int // exact, whatever the cap on entries
}

// add appends an entry. The server calls it before writing the answer, so a
// client that has its answer always finds the request in the log.
func (l *requestLog) add(r Request) {
	l.mu.Lock()
	defer l.mu.Unlock()
	keep := l.max
	if keep <= 0 {
		keep = maxLogged
	}
	if len(l.entries) >= 2*keep {
		// Drop the oldest half in one copy: amortized O(1) per request.
		n := copy(l.entries, l.entries[len(l.entries)-keep:])
		clear(l.entries[n:])
		l.entries = l.entries[:n]
	}
	l.entries = append(l.entries, r)
	if l.counts == nil {
		l.counts = make(map[countKey]int)
	}
	// Each entry counts under (call, task), under the wildcards ("" for any
	// call, any task) and, for v3, under its Name(), once per distinct key.
	var name string
	if isV3(r.Call) {
		name = r.Name()
	}
	keys := [5]countKey{{r.Call, r.Task}, {r.Call, ""}, {"", r.Task}, {"", ""}, {name, ""}}
	for i, k := range keys {
		if !slices.Contains(keys[:i], k) {
			l.counts[k]++
		}
	}
}

// Requests returns a copy of the logged requests, oldest first (at most the
// latest 100,000 to 200,000 are kept; Count is exact regardless).
func (s *Server) Requests() []Request {
	s.log.mu.Lock()
	defer s.log.mu.Unlock()
	out := make([]Request, len(s.log.entries))
	for i, r := range s.log.entries {
		r.IPs = slices.Clone(r.IPs)
		out[i] = r
	}
	return out
}

// ResetRequests empties the log and its counters.
func (s *Server) ResetRequests() {
	s.log.mu.Lock()
	defer s.log.mu.Unlock()
	s.log.entries = nil
	s.log.counts = nil
}

// Count returns how many requests were made to call with task, whatever
// their outcome (rate-limited, faulted and refused requests included).
// task "" matches any task; call "" matches any call. call may also be a v3
// Name() such as "GET /v3/ips?subuser", to count per-subuser reads apart.
func (s *Server) Count(call, task string) int {
	s.log.mu.Lock()
	defer s.log.mu.Unlock()
	return s.log.counts[countKey{call, task}]
}

// Name names a request as the provider's client names its calls, e.g.
// "customer.sendip task=append set=specify", "customer.ip list=free" or
// "GET /v3/ips?subuser": the key tests and benchmarks count calls by.
func (r Request) Name() string {
	name := r.Call
	if r.User != "" {
		switch r.Call {
		case CallV3ListIPs:
			return name + "?subuser"
		case CallV3ListSubusers:
			return name + "?username"
		}
	}
	if r.List != "" {
		name += " list=" + r.List
	}
	if r.Task != "" {
		name += " task=" + r.Task
	}
	if r.Set != "" {
		name += " set=" + r.Set
	}
	return name
}

// Tally counts requests by Name.
func Tally(reqs []Request) map[string]int {
	out := make(map[string]int)
	for _, r := range reqs {
		out[r.Name()]++
	}
	return out
}
