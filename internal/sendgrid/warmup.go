package sendgrid

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/calls"
)

// The session's warmup calls (see DESIGN.md, "Reverse DNS and warmup").

// ipWarmup is one IP's warmup as a direct read showed it.
type ipWarmup struct {
	warming bool
	start   int64
	gone    bool // not on the account
}

// warmupOf is the one rule of status (see DESIGN.md, "Warmup: complete or stopped"): SendGrid's
// answers say only whether an IP is warming and when its warmup started.
func warmupOf(ip string, warming bool, start int64, now time.Time) Warmup {
	w := Warmup{IP: ip, Status: WarmupNone}
	if start != 0 {
		w.StartDate = time.Unix(start, 0).UTC()
	}
	switch {
	case warming:
		w.Status = WarmupWarming
	case start == 0:
	case now.Sub(w.StartDate) >= WarmupLength:
		w.Status = WarmupComplete
	default:
		w.Status = WarmupStopped
	}
	return w
}

func (s *session) Warmups(ctx context.Context) ([]Warmup, error) {
	if s.scan == nil {
		return nil, &APIError{Kind: ErrNeedsV3, Call: calls.V3IPs}
	}
	s.mu.Lock()
	pending := keys(s.warmUnsure)
	s.mu.Unlock()
	for _, ip := range pending {
		if _, err := s.readWarmup(ctx, ip); err != nil && !errors.Is(err, ErrIPNotFound) {
			return nil, err
		}
	}
	scan, err := s.ipScan(ctx)
	if err != nil {
		return nil, err
	}
	held := make(map[string]ipWarmup, len(scan.list))
	for _, ip := range scan.list {
		held[ip.ip] = ipWarmup{warming: ip.warmup, start: ip.start}
	}
	s.mu.Lock()
	for ip, w := range s.warmRead {
		if w.gone {
			delete(held, ip)
		} else {
			held[ip] = w
		}
	}
	s.mu.Unlock()
	now := s.now()
	out := make([]Warmup, 0, len(held))
	for ip, w := range held {
		out = append(out, warmupOf(ip, w.warming, w.start, now))
	}
	slices.SortFunc(out, func(x, y Warmup) int { return compareIP(x.IP, y.IP) })
	return out, nil
}

func (s *session) Warmup(ctx context.Context, ip string) (Warmup, error) {
	if s.scan == nil {
		return Warmup{}, &APIError{Kind: ErrNeedsV3, Call: calls.V3IP, IP: escapeControl(ip)}
	}
	addr, err := checkIP(calls.V3IP, ip)
	if err != nil {
		return Warmup{}, err
	}
	s.mu.Lock()
	w, read := s.warmRead[addr]
	unsure := s.warmUnsure[addr]
	s.mu.Unlock()
	switch {
	case unsure:
		return s.readWarmup(ctx, addr)
	case read && w.gone:
		return Warmup{}, &APIError{Kind: ErrIPNotFound, Call: calls.V3IP, IP: addr}
	case read:
		return warmupOf(addr, w.warming, w.start, s.now()), nil
	}
	scan, err := s.ipScan(ctx)
	if err != nil {
		return Warmup{}, err
	}
	if i, ok := slices.BinarySearchFunc(scan.list, addr, func(h ipHolders, ip string) int { return compareIP(h.ip, ip) }); ok {
		return warmupOf(addr, scan.list[i].warmup, scan.list[i].start, s.now()), nil
	}
	return s.readWarmup(ctx, addr) // perhaps added since the scan
}

// readWarmup reads ip directly and keeps what it shows, unless a write of this process came in between.
func (s *session) readWarmup(ctx context.Context, ip string) (Warmup, error) {
	got, err := s.scan.ip(ctx, ip)
	if err != nil && !errors.Is(err, ErrIPNotFound) {
		return Warmup{}, err
	}
	s.mu.Lock()
	if _, known := s.warmRead[ip]; s.warmUnsure[ip] || !known {
		delete(s.warmUnsure, ip)
		s.warmRead[ip] = ipWarmup{warming: got.Warmup, start: got.StartDate, gone: err != nil}
	}
	s.mu.Unlock()
	if err != nil {
		return Warmup{}, err
	}
	return warmupOf(ip, got.Warmup, got.StartDate, s.now()), nil
}

// wroteWarmup makes the next read of ip a direct one, whatever the write's outcome.
func (s *session) wroteWarmup(ip string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.warmRead, ip)
	s.warmUnsure[ip] = true
}

func (s *session) StartWarmup(ctx context.Context, ip string) (Warmup, error) {
	if s.scan == nil {
		return Warmup{}, &APIError{Kind: ErrNeedsV3, Call: calls.V3StartWarmup, IP: escapeControl(ip)}
	}
	addr, err := checkIP(calls.V3StartWarmup, ip)
	if err != nil {
		return Warmup{}, err
	}
	start, err := s.scan.startWarmup(ctx, addr)
	s.wroteWarmup(addr)
	if err != nil {
		return Warmup{}, err
	}
	return warmupOf(addr, true, start, s.now()), nil
}

func (s *session) StopWarmup(ctx context.Context, ip string) error {
	if s.scan == nil {
		return &APIError{Kind: ErrNeedsV3, Call: calls.V3StopWarmup, IP: escapeControl(ip)}
	}
	addr, err := checkIP(calls.V3StopWarmup, ip)
	if err != nil {
		return err
	}
	err = s.scan.stopWarmup(ctx, addr)
	s.wroteWarmup(addr)
	return err
}
