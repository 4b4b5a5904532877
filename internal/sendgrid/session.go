package sendgrid

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/calls"
)

// backend is one API version's calls; the session is the only caller.
type backend interface {
	version() string
	// subuser reads one subuser directly, applying existing.
	subuser(ctx context.Context, user string) (Holding, error)
	// setIPs and assignAll write, then return what SendGrid holds.
	setIPs(ctx context.Context, user string, ips []string) (Holding, error)
	assignAll(ctx context.Context, user string) (Holding, error)
}

// lister is a backend without bulk reads (v2): lists are read directly each time.
type lister interface {
	listIPs(ctx context.Context, filter IPFilter) ([]string, error)
	subusers(ctx context.Context) ([]Subuser, error)
}

// scanner is a backend that reads the whole account in a few calls (v3).
type scanner interface {
	scanIPs(ctx context.Context) ([]ipHolders, error)          // every IP, sorted, each once
	scanSubusers(ctx context.Context) (map[string]bool, error) // every listed subuser: active
	scanPools(ctx context.Context) ([]string, error)           // every pool's name, sorted
	pool(ctx context.Context, name string) (Pool, error)
	createPool(ctx context.Context, name string) error
	deletePool(ctx context.Context, name string) error
	addPoolIP(ctx context.Context, name, ip string) error
	removePoolIP(ctx context.Context, name, ip string) error
	ip(ctx context.Context, ip string) (IP, error)
	scanRDNS(ctx context.Context) ([]ReverseDNS, error)
	rdnsOfIP(ctx context.Context, ip string) ([]ReverseDNS, error)
	rdns(ctx context.Context, id int64) (ReverseDNS, error)
	createRDNS(ctx context.Context, ip, domain, subdomain string) (ReverseDNS, error)
	deleteRDNS(ctx context.Context, id int64) error
	validateRDNS(ctx context.Context, id int64) (Validation, error)
	startWarmup(ctx context.Context, ip string) (int64, error)
	stopWarmup(ctx context.Context, ip string) error
	pause(ctx context.Context, d time.Duration) error
}

// session is the API of one provider process: it decides between a direct read and the shared
// scans, loads each scan once for every caller, and lays its own writes over what it read
// (see DESIGN.md, "Reading: one session per process").
type session struct {
	b    backend
	list lister  // v2
	scan scanner // v3

	reads      atomic.Int64  // direct reads so far
	settlePoll time.Duration // see DESIGN.md, "IP pools: reads, writes and settling"
	now        func() time.Time

	mu         sync.Mutex
	ips        *flight[ipScan]
	names      *flight[map[string]bool]
	pools      *flight[[]string]
	written    map[string][]string  // sets this process's writes left, newer than any scan
	unsure     map[string]bool      // written with an unknown outcome: read directly
	pooled     map[string]poolWrite // the same for pools
	poolUnsure map[string]bool
	rdnsRecs   *flight[map[int64]ReverseDNS]
	rdnsSet    map[int64]rdnsWrite // records this process wrote or read directly, newer than the scan
	rdnsUnsure map[int64]bool      // validated, or written with an unknown outcome: read directly
	rdnsIPs    map[string]bool     // created with an unknown outcome: that IP's records read directly
	warmRead   map[string]ipWarmup // IPs read directly, newer than the scan
	warmUnsure map[string]bool     // warmup written: read directly once
}

// ipScan is one scan of GET /v3/ips, also by subuser and by pool.
type ipScan struct {
	list    []ipHolders
	byUser  map[string][]string
	byPool  map[string][]string
	noPools error // an IP without a "pools" list: the scan cannot answer for pools
}

func newSession(b backend, settlePoll time.Duration) *session {
	s := &session{b: b, settlePoll: settlePoll, written: map[string][]string{}, unsure: map[string]bool{},
		pooled: map[string]poolWrite{}, poolUnsure: map[string]bool{}, now: time.Now,
		rdnsSet: map[int64]rdnsWrite{}, rdnsUnsure: map[int64]bool{}, rdnsIPs: map[string]bool{},
		warmRead: map[string]ipWarmup{}, warmUnsure: map[string]bool{}}
	s.list, _ = b.(lister)
	s.scan, _ = b.(scanner)
	return s
}

func (s *session) Version() string { return s.b.version() }

// existing is the one rule of existence (DESIGN.md, "One answer whatever the order"); near are
// names seen that may be the one meant.
func existing(user string, ips []string, listed bool, near []string) (Holding, error) {
	if len(ips) > 0 || listed {
		return Holding{IPs: append([]string{}, SortIPs(ips)...)}, nil
	}
	return Holding{}, notFound(user, near)
}

func notFound(user string, names []string) *APIError {
	return &APIError{Kind: ErrSubuserNotFound, Call: calls.V3Subusers, User: user, Err: noSuchName("subuser", user, names)}
}

// noSuchName names up to three names that differ from name only in case or by a prefix.
func noSuchName(noun, name string, names []string) error {
	var near []string
	for _, n := range names {
		l, u := strings.ToLower(n), strings.ToLower(name)
		if n != name && (l == u || strings.HasPrefix(l, u) || strings.HasPrefix(u, l)) {
			near = append(near, n)
		}
	}
	slices.Sort(near)
	if len(near) == 0 {
		return fmt.Errorf("no %s has this exact name", noun)
	}
	quoted := make([]string, 0, 3)
	for _, n := range near[:min(len(near), 3)] {
		quoted = append(quoted, fmt.Sprintf("%q", escapeControl(n)))
	}
	return fmt.Errorf("no %s has this exact name; did you mean %s?", noun, strings.Join(quoted, ", "))
}

func (s *session) SubuserIPs(ctx context.Context, user string) (Holding, error) {
	if err := checkName("read subuser", user); err != nil {
		return Holding{}, err
	}
	if s.scan == nil {
		return s.b.subuser(ctx, user)
	}
	s.mu.Lock()
	ips, wrote := s.written[user]
	unsure, scanned := s.unsure[user], s.ips != nil
	s.mu.Unlock()
	switch {
	case wrote:
		return Holding{IPs: slices.Clone(ips)}, nil
	case unsure:
		return s.settle(ctx, user)
	case !scanned && s.reads.Add(1) == 1: // one resource costs what a direct read does
		return s.b.subuser(ctx, user)
	}
	scan, err := s.ipScan(ctx)
	if err != nil {
		return Holding{}, err
	}
	if held := scan.byUser[user]; len(held) > 0 {
		return existing(user, held, false, nil)
	}
	names, err := s.nameScan(ctx)
	if err != nil {
		return Holding{}, err
	}
	_, listed := names[user]
	return existing(user, nil, listed, keys(names))
}

// settle reads a subuser written with an unknown outcome and keeps what it holds as written.
func (s *session) settle(ctx context.Context, user string) (Holding, error) {
	got, err := s.b.subuser(ctx, user)
	if err == nil {
		s.mu.Lock()
		if s.unsure[user] {
			delete(s.unsure, user)
			s.written[user] = got.IPs
		}
		s.mu.Unlock()
	}
	return got, err
}

func (s *session) SetSubuserIPs(ctx context.Context, user string, ips []string) (Holding, error) {
	if err := checkName("set subuser IPs", user); err != nil {
		return Holding{}, err
	}
	got, err := s.b.setIPs(ctx, user, ips)
	s.wrote(user, got, err)
	return got, err
}

func (s *session) AssignAllIPs(ctx context.Context, user string) (Holding, error) {
	if err := checkName("assign all IPs", user); err != nil {
		return Holding{}, err
	}
	got, err := s.b.assignAll(ctx, user)
	s.wrote(user, got, err)
	return got, err
}

// wrote lays a write over the scans: its confirmed set, or "read directly" when the outcome is unknown.
func (s *session) wrote(user string, got Holding, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.written, user)
	delete(s.unsure, user)
	if err == nil {
		s.written[user] = slices.Clone(got.IPs)
	} else {
		s.unsure[user] = true
	}
}

func (s *session) ListIPs(ctx context.Context, filter IPFilter) ([]string, error) {
	if !slices.Contains(IPFilters(), string(filter)) {
		return nil, &APIError{Kind: ErrRejected, Call: "list IPs",
			Err: fmt.Errorf("filter %q is not one of %s; not sent", filter, strings.Join(IPFilters(), ", "))}
	}
	if s.scan == nil {
		return s.list.listIPs(ctx, filter)
	}
	holders, err := s.holders(ctx)
	if err != nil {
		return nil, err
	}
	var active map[string]bool // read only when the answer depends on it
	if filter == FilterAvailable && slices.ContainsFunc(holders, func(ip ipHolders) bool { return len(ip.subusers) > 0 }) {
		if active, err = s.nameScan(ctx); err != nil {
			return nil, err
		}
	}
	out := []string{}
	for _, ip := range holders {
		var keep bool
		switch filter {
		case FilterAll:
			keep = true
		case FilterTaken:
			keep = len(ip.subusers) > 0
		case FilterFree:
			keep = len(ip.subusers) == 0
		case FilterAvailable: // a subuser missing from the list counts as active: safe to hand out
			keep = !slices.ContainsFunc(ip.subusers, func(u string) bool { on, listed := active[u]; return on || !listed })
		}
		if keep {
			out = append(out, ip.ip)
		}
	}
	return out, nil
}

func (s *session) Subusers(ctx context.Context) ([]Subuser, error) {
	if s.scan == nil {
		return s.list.subusers(ctx)
	}
	names, err := s.nameScan(ctx)
	if err != nil {
		return nil, err
	}
	holders, err := s.holders(ctx)
	if err != nil {
		return nil, err
	}
	byUser := map[string][]string{}
	for _, ip := range holders {
		for _, u := range ip.subusers {
			byUser[u] = append(byUser[u], ip.ip)
		}
	}
	for u := range names {
		if _, ok := byUser[u]; !ok {
			byUser[u] = []string{}
		}
	}
	out := make([]Subuser, 0, len(byUser))
	for u, ips := range byUser {
		on, listed := names[u]
		out = append(out, Subuser{Name: u, Active: on || !listed, IPs: ips})
	}
	slices.SortFunc(out, func(x, y Subuser) int { return strings.Compare(x.Name, y.Name) })
	return out, nil
}

// holders is the IP scan with this process's writes laid over it, sorted by IP.
func (s *session) holders(ctx context.Context) ([]ipHolders, error) {
	s.mu.Lock()
	pending := keys(s.unsure)
	s.mu.Unlock()
	for _, u := range pending {
		if _, err := s.settle(ctx, u); err != nil && !errors.Is(err, ErrSubuserNotFound) {
			return nil, err
		}
	}
	scan, err := s.ipScan(ctx)
	if err != nil {
		return nil, err
	}
	written, writers := map[string]bool{}, map[string][]string{} // writers: IP -> written subusers holding it
	s.mu.Lock()
	for u, ips := range s.written {
		written[u] = true
		for _, ip := range ips {
			writers[ip] = append(writers[ip], u)
		}
	}
	s.mu.Unlock()
	out := make([]ipHolders, len(scan.list))
	for i, ip := range scan.list {
		subs := slices.DeleteFunc(slices.Clone(ip.subusers), func(u string) bool { return written[u] })
		subs = append(subs, writers[ip.ip]...)
		slices.Sort(subs)
		out[i] = ipHolders{ip: ip.ip, subusers: slices.Compact(subs)}
	}
	return out, nil
}

func (s *session) ipScan(ctx context.Context) (ipScan, error) {
	return share(ctx, &s.mu, &s.ips, calls.V3IPs, func(ctx context.Context) (ipScan, error) {
		list, err := s.scan.scanIPs(ctx)
		if err != nil {
			return ipScan{}, err
		}
		scan := ipScan{list: list, byUser: map[string][]string{}, byPool: map[string][]string{}}
		for _, ip := range list {
			for _, u := range slices.Compact(slices.Sorted(slices.Values(ip.subusers))) {
				scan.byUser[u] = append(scan.byUser[u], ip.ip)
			}
			for _, p := range slices.Compact(slices.Sorted(slices.Values(ip.pools))) {
				scan.byPool[p] = append(scan.byPool[p], ip.ip)
			}
			if ip.pools == nil && scan.noPools == nil {
				scan.noPools = &APIError{Kind: ErrUnreadable, Call: calls.V3IPs, Err: fmt.Errorf(`IP %s has no "pools" list, so the pools' IPs are unknown`, ip.ip)}
			}
		}
		return scan, nil
	})
}

func (s *session) nameScan(ctx context.Context) (map[string]bool, error) {
	return share(ctx, &s.mu, &s.names, calls.V3Subusers, s.scan.scanSubusers)
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// flight is one load that every caller shares, its error included.
type flight[T any] struct {
	done chan struct{}
	v    T
	err  error
}

// share returns the value of *slot, loaded once for all callers (DESIGN.md, "Reading: one session per process").
func share[T any](ctx context.Context, mu *sync.Mutex, slot **flight[T], name string, load func(context.Context) (T, error)) (T, error) {
	for {
		mu.Lock()
		f := *slot
		if f == nil || f.endedByContext() {
			f = &flight[T]{done: make(chan struct{})}
			*slot = f
			lctx, cancel := detach(ctx)
			go func() {
				defer cancel()
				f.v, f.err = load(lctx)
				close(f.done)
			}()
		}
		mu.Unlock()
		select {
		case <-ctx.Done():
			var zero T
			return zero, &APIError{Kind: ErrTransport, Call: name, Err: fmt.Errorf("gave up waiting for the shared read: %w", context.Cause(ctx))}
		case <-f.done:
		}
		if f.err != nil && contextEnded(f.err) && ctx.Err() == nil {
			continue // the load's context ended, not this caller's: load again with this one
		}
		return f.v, f.err
	}
}

func (f *flight[T]) endedByContext() bool {
	select {
	case <-f.done:
		return f.err != nil && contextEnded(f.err)
	default:
		return false
	}
}

func contextEnded(err error) bool {
	return errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled)
}

// detach keeps ctx's values and deadline but not its cancellation: one caller leaving does not end a shared load.
func detach(ctx context.Context) (context.Context, context.CancelFunc) {
	d := context.WithoutCancel(ctx)
	if dl, ok := ctx.Deadline(); ok {
		return context.WithDeadline(d, dl)
	}
	return context.WithCancel(d)
}
