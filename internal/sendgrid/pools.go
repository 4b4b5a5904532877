package sendgrid

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/calls"
)

// The session's pool and IP calls (see DESIGN.md, "IP pools: reads, writes and settling").

// poolWrite is what this process's last write left of a pool.
type poolWrite struct {
	ips  []string
	gone bool
}

func needsV3(call, pool string) error {
	return &APIError{Kind: ErrNeedsV3, Call: call, Pool: pool}
}

// checkPool refuses, before sending, a call about a name CheckPoolName refuses.
func checkPool(callName, name string) error {
	if err := CheckPoolName(name); err != nil {
		return &APIError{Kind: ErrRejected, Call: callName, Pool: escapeControl(name), Err: fmt.Errorf("%w; not sent", err)}
	}
	return nil
}

// canonicalIPs returns the addresses unmapped and sorted, refusing anything else before sending.
func canonicalIPs(callName, pool string, ips []string) ([]string, error) {
	out := make([]string, 0, len(ips))
	for _, text := range ips {
		addr, err := netip.ParseAddr(text)
		if err != nil || addr.Zone() != "" {
			return nil, &APIError{Kind: ErrRejected, Call: callName, Pool: pool, Err: fmt.Errorf("%q is not an IP address; not sent", escapeControl(text))}
		}
		out = append(out, addr.Unmap().String())
	}
	return SortIPs(out), nil
}

func poolNotFound(name string, names []string) *APIError {
	return &APIError{Kind: ErrPoolNotFound, Call: calls.V3Pools, Pool: name, Err: noSuchName("IP pool", name, names)}
}

func (s *session) Pools(ctx context.Context) ([]Pool, error) {
	if s.scan == nil {
		return nil, needsV3(calls.V3Pools, "")
	}
	s.mu.Lock()
	pending := keys(s.poolUnsure)
	s.mu.Unlock()
	for _, name := range pending {
		if _, err := s.settlePool(ctx, name); err != nil && !errors.Is(err, ErrPoolNotFound) {
			return nil, err
		}
	}
	names, err := s.poolScan(ctx)
	if err != nil {
		return nil, err
	}
	byPool, err := s.poolIPs(ctx)
	if err != nil {
		return nil, err
	}
	held := make(map[string][]string, len(names))
	for _, n := range names {
		held[n] = byPool[n]
	}
	s.mu.Lock()
	for n, w := range s.pooled {
		if w.gone {
			delete(held, n)
		} else {
			held[n] = w.ips
		}
	}
	s.mu.Unlock()
	out := make([]Pool, 0, len(held))
	for n, ips := range held {
		out = append(out, Pool{Name: n, IPs: append([]string{}, ips...)})
	}
	slices.SortFunc(out, func(x, y Pool) int { return strings.Compare(x.Name, y.Name) })
	return out, nil
}

func (s *session) Pool(ctx context.Context, name string) (Pool, error) {
	if s.scan == nil {
		return Pool{}, needsV3(calls.V3Pool, name)
	}
	if err := checkPool(calls.V3Pool, name); err != nil {
		return Pool{}, err
	}
	s.mu.Lock()
	w, wrote := s.pooled[name]
	unsure := s.poolUnsure[name]
	s.mu.Unlock()
	switch {
	case unsure:
		return s.settlePool(ctx, name)
	case wrote && w.gone:
		return Pool{}, poolNotFound(name, nil)
	case wrote:
		return Pool{Name: name, IPs: append([]string{}, w.ips...)}, nil
	}
	names, err := s.poolScan(ctx)
	if err != nil {
		return Pool{}, err
	}
	if _, listed := slices.BinarySearch(names, name); !listed {
		return Pool{}, poolNotFound(name, names)
	}
	byPool, err := s.poolIPs(ctx)
	if err != nil {
		return Pool{}, err
	}
	return Pool{Name: name, IPs: append([]string{}, byPool[name]...)}, nil
}

// settlePool reads a pool written with an unknown outcome and keeps what it holds as written.
func (s *session) settlePool(ctx context.Context, name string) (Pool, error) {
	got, err := s.scan.pool(ctx, name)
	if err == nil || errors.Is(err, ErrPoolNotFound) {
		s.mu.Lock()
		if s.poolUnsure[name] {
			delete(s.poolUnsure, name)
			s.pooled[name] = poolWrite{ips: got.IPs, gone: err != nil}
		}
		s.mu.Unlock()
	}
	return got, err
}

// wrotePool lays a write over the scans: what it left, or "read directly" when the outcome is unknown.
func (s *session) wrotePool(name string, w poolWrite, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.pooled, name)
	delete(s.poolUnsure, name)
	if err == nil {
		w.ips = slices.Clone(w.ips)
		s.pooled[name] = w
	} else {
		s.poolUnsure[name] = true
	}
}

func (s *session) CreatePool(ctx context.Context, name string) error {
	if s.scan == nil {
		return needsV3(calls.V3CreatePool, name)
	}
	if err := checkPool(calls.V3CreatePool, name); err != nil {
		return err
	}
	err := s.scan.createPool(ctx, name)
	s.wrotePool(name, poolWrite{}, err)
	return err
}

func (s *session) DeletePool(ctx context.Context, name string) error {
	if s.scan == nil {
		return needsV3(calls.V3DeletePool, name)
	}
	if err := checkPool(calls.V3DeletePool, name); err != nil {
		return err
	}
	err := s.scan.deletePool(ctx, name)
	outcome := err
	if errors.Is(err, ErrPoolNotFound) {
		outcome = nil // gone either way
	}
	s.wrotePool(name, poolWrite{gone: true}, outcome)
	return err
}

func (s *session) ChangePoolIPs(ctx context.Context, name string, add, remove []string) (Pool, error) {
	if s.scan == nil {
		return Pool{}, needsV3(calls.V3AddPoolIP, name)
	}
	if err := checkPool(calls.V3AddPoolIP, name); err != nil {
		return Pool{}, err
	}
	add, err := canonicalIPs(calls.V3AddPoolIP, name, add)
	if err != nil {
		return Pool{}, err
	}
	if remove, err = canonicalIPs(calls.V3RemovePoolIP, name, remove); err != nil {
		return Pool{}, err
	}
	if both := slices.DeleteFunc(slices.Clone(add), func(ip string) bool { return !slices.Contains(remove, ip) }); len(both) > 0 {
		return Pool{}, &APIError{Kind: ErrRejected, Call: calls.V3AddPoolIP, Pool: name, Err: fmt.Errorf("%s both added and removed; not sent", strings.Join(both, ", "))}
	}
	for _, ip := range add {
		if err := s.scan.addPoolIP(ctx, name, ip); err != nil {
			s.wrotePool(name, poolWrite{}, err)
			return Pool{}, err
		}
	}
	for _, ip := range remove {
		if err := s.scan.removePoolIP(ctx, name, ip); err != nil {
			s.wrotePool(name, poolWrite{}, err)
			return Pool{}, err
		}
	}
	return s.confirmPool(ctx, name, add, remove)
}

// confirmPool reads the pool until the change shows (see DESIGN.md, "IP pools: reads, writes and settling").
func (s *session) confirmPool(ctx context.Context, name string, add, remove []string) (Pool, error) {
	wait := s.settlePoll
	for {
		start := time.Now()
		got, err := s.scan.pool(ctx, name)
		if err != nil {
			s.wrotePool(name, poolWrite{}, err)
			return Pool{}, err
		}
		s.wrotePool(name, poolWrite{ips: got.IPs}, nil)
		missing := slices.DeleteFunc(slices.Clone(add), func(ip string) bool { return slices.Contains(got.IPs, ip) })
		extra := slices.DeleteFunc(slices.Clone(remove), func(ip string) bool { return !slices.Contains(got.IPs, ip) })
		if len(missing)+len(extra) == 0 {
			return got, nil
		}
		var why []string
		if len(missing) > 0 {
			why = append(why, "not yet shown: "+strings.Join(missing, ", "))
		}
		if len(extra) > 0 {
			why = append(why, "still shown: "+strings.Join(extra, ", "))
		}
		notSettled := &APIError{Kind: ErrNotSettled, Call: calls.V3Pool, Pool: name, Err: errors.New(strings.Join(why, "; "))}
		margin := max(2*time.Since(start), s.settlePoll)
		if dl, ok := ctx.Deadline(); ok && time.Now().Add(wait+margin).After(dl) {
			return got, notSettled
		}
		tflog.SubsystemDebug(ctx, LogSubsystem, "pool change not shown yet; reading the pool again", map[string]any{
			"pool": name, "wait_ms": wait.Milliseconds(), "not_yet_shown": missing, "still_shown": extra})
		if err := s.scan.pause(ctx, wait); err != nil {
			notSettled.Err = fmt.Errorf("%w; stopped waiting: %w", notSettled.Err, err)
			return got, notSettled
		}
		wait = min(2*wait, 5*s.settlePoll)
	}
}

func (s *session) IP(ctx context.Context, ip string) (IP, error) {
	if s.scan == nil {
		return IP{}, needsV3(calls.V3IP, "")
	}
	addr, err := canonicalIPs(calls.V3IP, "", []string{ip})
	if err != nil {
		return IP{}, err
	}
	got, err := s.scan.ip(ctx, addr[0])
	if err != nil {
		return IP{}, err
	}
	s.mu.Lock()
	for u, ips := range s.written {
		got.Subusers = slices.DeleteFunc(got.Subusers, func(n string) bool { return n == u })
		if slices.Contains(ips, got.Address) {
			got.Subusers = append(got.Subusers, u)
		}
	}
	for p, w := range s.pooled {
		got.Pools = slices.DeleteFunc(got.Pools, func(n string) bool { return n == p })
		if !w.gone && slices.Contains(w.ips, got.Address) {
			got.Pools = append(got.Pools, p)
		}
	}
	s.mu.Unlock()
	slices.Sort(got.Subusers)
	slices.Sort(got.Pools)
	return got, nil
}

// poolIPs is the scan of GET /v3/ips by pool, refused when an IP has no "pools" list.
func (s *session) poolIPs(ctx context.Context) (map[string][]string, error) {
	scan, err := s.ipScan(ctx)
	if err != nil {
		return nil, err
	}
	if scan.noPools != nil {
		return nil, scan.noPools
	}
	return scan.byPool, nil
}

func (s *session) poolScan(ctx context.Context) ([]string, error) {
	return share(ctx, &s.mu, &s.pools, calls.V3Pools, s.scan.scanPools)
}
