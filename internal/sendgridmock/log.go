package sendgridmock

import (
	"slices"
	"sync"
	"time"

	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/calls"
)

// Request is one logged request, as the server understood it.
type Request struct {
	Call                  string // calls.V2IP, ..., calls.V3IPs, ...; "" for an unknown path or a wrong v3 method
	Format                string // "json" or "xml"
	Method                string
	Task, Set, List, User string   // v3: User is the PUT's subuser, or the subuser or username filter
	Pool                  string   // v3: the pool a pool call names (the body's name for a POST /v3/ips/pools)
	IPs                   []string // ip[] and ip[N] values, the v3 PUT body, or the one IP (or ip filter) a v3 call names, as sent
	Limit, Offset         int      // v3 paging as sent; 0 when absent or not a number
	Time                  time.Time
	Status                int       // 0 for a dropped connection
	Fault                 FaultKind // "" if none
	CredentialsInQuery    bool      // v2: api_key or api_user in the query; v3: the key or a credential-named parameter
	BearerAuth            bool
	UserAgent             string
}

// maxLogged bounds the entries kept, so a benchmark does not grow without end; counts stay exact.
const maxLogged = 100_000

type countKey struct{ call, task string }

type requestLog struct {
	mu      sync.Mutex
	max     int // 0: maxLogged
	entries []Request
	counts  map[countKey]int
}

func (l *requestLog) add(r Request) {
	l.mu.Lock()
	defer l.mu.Unlock()
	keep := l.max
	if keep <= 0 {
		keep = maxLogged
	}
	if len(l.entries) >= 2*keep { // drop the oldest half in one copy: amortized O(1)
		n := copy(l.entries, l.entries[len(l.entries)-keep:])
		clear(l.entries[n:])
		l.entries = l.entries[:n]
	}
	l.entries = append(l.entries, r)
	if l.counts == nil {
		l.counts = make(map[countKey]int)
	}
	// Under (call, task), the wildcards and, for v3, its Name(), once per distinct key.
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

// Requests returns a copy of the log, oldest first (the latest 100,000 to 200,000; Count is exact).
func (s *Server) Requests() []Request {
	s.log.mu.Lock()
	defer s.log.mu.Unlock()
	out := append(make([]Request, 0, len(s.log.entries)), s.log.entries...)
	for i := range out {
		out[i].IPs = slices.Clone(out[i].IPs)
	}
	return out
}

// ResetRequests empties the log and its counts.
func (s *Server) ResetRequests() {
	s.log.mu.Lock()
	defer s.log.mu.Unlock()
	s.log.entries = nil
	s.log.counts = nil
}

// Count returns how many requests were made to call with task, whatever their outcome; "" matches
// any, and call may be a v3 Name() such as calls.V3IPsOfSubuser.
func (s *Server) Count(call, task string) int {
	s.log.mu.Lock()
	defer s.log.mu.Unlock()
	return s.log.counts[countKey{call, task}]
}

// Name names a request as the provider's client names its calls, e.g. "customer.ip list=free" or
// calls.V3IPsOfSubuser: the key tests and benchmarks count calls by.
func (r Request) Name() string {
	name := r.Call
	if r.User != "" {
		switch r.Call {
		case calls.V3IPs:
			return name + "?subuser"
		case calls.V3Subusers:
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
