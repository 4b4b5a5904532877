package sendgrid

import (
	"cmp"
	"context"
	"errors"
	"maps"
	"slices"

	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/calls"
)

// The session's reverse DNS calls (see DESIGN.md, "Reverse DNS and warmup").

// rdnsWrite is what this process last wrote or read directly of a record.
type rdnsWrite struct {
	rec  ReverseDNS
	gone bool
}

// checkIP refuses, before sending, anything but one IP address, and returns it canonical.
func checkIP(callName, ip string) (string, error) {
	addr, err := canonicalIPs(callName, "", []string{ip})
	if err != nil {
		return "", err
	}
	return addr[0], nil
}

// checkRecord refuses, before sending, an id SendGrid cannot have given.
func checkRecord(callName string, id int64) error {
	if id <= 0 {
		return &APIError{Kind: ErrRejected, Call: callName, RecordID: id, Err: errors.New("a reverse DNS record id is a positive number; not sent")}
	}
	return nil
}

func (s *session) ReverseDNSRecords(ctx context.Context) ([]ReverseDNS, error) {
	if s.scan == nil {
		return nil, &APIError{Kind: ErrNeedsV3, Call: calls.V3ReverseDNSList}
	}
	s.mu.Lock()
	ids, ips := slices.Collect(maps.Keys(s.rdnsUnsure)), keys(s.rdnsIPs)
	s.mu.Unlock()
	for _, id := range ids {
		if _, err := s.readRDNS(ctx, id); err != nil && !errors.Is(err, ErrReverseDNSNotFound) {
			return nil, err
		}
	}
	for _, ip := range ips {
		if err := s.readRDNSOfIP(ctx, ip); err != nil {
			return nil, err
		}
	}
	scan, err := s.rdnsScan(ctx)
	if err != nil {
		return nil, err
	}
	held := maps.Clone(scan)
	s.mu.Lock()
	for id, w := range s.rdnsSet {
		if w.gone {
			delete(held, id)
		} else {
			held[id] = w.rec
		}
	}
	s.mu.Unlock()
	out := slices.Collect(maps.Values(held))
	slices.SortFunc(out, func(x, y ReverseDNS) int { return cmp.Or(compareIP(x.IP, y.IP), cmp.Compare(x.ID, y.ID)) })
	return out, nil
}

func (s *session) ReverseDNS(ctx context.Context, id int64) (ReverseDNS, error) {
	if s.scan == nil {
		return ReverseDNS{}, &APIError{Kind: ErrNeedsV3, Call: calls.V3ReverseDNS, RecordID: id}
	}
	if err := checkRecord(calls.V3ReverseDNS, id); err != nil {
		return ReverseDNS{}, err
	}
	s.mu.Lock()
	w, wrote := s.rdnsSet[id]
	unsure := s.rdnsUnsure[id]
	s.mu.Unlock()
	switch {
	case unsure:
		return s.readRDNS(ctx, id)
	case wrote && w.gone:
		return ReverseDNS{}, &APIError{Kind: ErrReverseDNSNotFound, Call: calls.V3ReverseDNS, RecordID: id}
	case wrote:
		return w.rec, nil
	}
	scan, err := s.rdnsScan(ctx)
	if err != nil {
		return ReverseDNS{}, err
	}
	if r, ok := scan[id]; ok {
		return r, nil
	}
	return s.readRDNS(ctx, id) // perhaps created since the scan
}

// readRDNS reads a record directly and keeps what it shows, unless a write of this process came in between.
func (s *session) readRDNS(ctx context.Context, id int64) (ReverseDNS, error) {
	got, err := s.scan.rdns(ctx, id)
	if err == nil || errors.Is(err, ErrReverseDNSNotFound) {
		s.mu.Lock()
		if _, known := s.rdnsSet[id]; s.rdnsUnsure[id] || !known {
			delete(s.rdnsUnsure, id)
			s.rdnsSet[id] = rdnsWrite{rec: got, gone: err != nil}
		}
		s.mu.Unlock()
	}
	return got, err
}

// readRDNSOfIP reads the records of an IP whose create has an unknown outcome, and keeps them.
func (s *session) readRDNSOfIP(ctx context.Context, ip string) error {
	got, err := s.scan.rdnsOfIP(ctx, ip)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.rdnsIPs[ip] {
		return nil
	}
	delete(s.rdnsIPs, ip)
	for _, r := range got {
		if _, known := s.rdnsSet[r.ID]; !known && !s.rdnsUnsure[r.ID] {
			s.rdnsSet[r.ID] = rdnsWrite{rec: r}
		}
	}
	return nil
}

// wroteRDNS lays a write over the scan: what it left, or, when nil, "read the record directly".
func (s *session) wroteRDNS(id int64, w *rdnsWrite) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.rdnsSet, id)
	delete(s.rdnsUnsure, id)
	if w != nil {
		s.rdnsSet[id] = *w
	} else {
		s.rdnsUnsure[id] = true
	}
}

func (s *session) CreateReverseDNS(ctx context.Context, ip, domain, subdomain string) (ReverseDNS, error) {
	if s.scan == nil {
		return ReverseDNS{}, &APIError{Kind: ErrNeedsV3, Call: calls.V3CreateReverseDNS, IP: escapeControl(ip)}
	}
	addr, err := checkIP(calls.V3CreateReverseDNS, ip)
	if err != nil {
		return ReverseDNS{}, err
	}
	if domain == "" {
		return ReverseDNS{}, &APIError{Kind: ErrRejected, Call: calls.V3CreateReverseDNS, IP: addr, Err: errors.New("the domain is empty; not sent")}
	}
	got, err := s.scan.createRDNS(ctx, addr, domain, subdomain)
	if err != nil {
		s.mu.Lock()
		s.rdnsIPs[addr] = true
		s.mu.Unlock()
		return ReverseDNS{}, err
	}
	s.wroteRDNS(got.ID, &rdnsWrite{rec: got})
	return got, nil
}

func (s *session) DeleteReverseDNS(ctx context.Context, id int64) error {
	if s.scan == nil {
		return &APIError{Kind: ErrNeedsV3, Call: calls.V3DeleteReverseDNS, RecordID: id}
	}
	if err := checkRecord(calls.V3DeleteReverseDNS, id); err != nil {
		return err
	}
	err := s.scan.deleteRDNS(ctx, id)
	if err == nil || errors.Is(err, ErrReverseDNSNotFound) {
		s.wroteRDNS(id, &rdnsWrite{gone: true}) // gone either way
	} else {
		s.wroteRDNS(id, nil)
	}
	return err
}

func (s *session) ValidateReverseDNS(ctx context.Context, id int64) (Validation, error) {
	if s.scan == nil {
		return Validation{}, &APIError{Kind: ErrNeedsV3, Call: calls.V3ValidateReverseDNS, RecordID: id}
	}
	if err := checkRecord(calls.V3ValidateReverseDNS, id); err != nil {
		return Validation{}, err
	}
	v, err := s.scan.validateRDNS(ctx, id)
	s.wroteRDNS(id, nil) // its "valid" may have changed
	if err != nil {
		return Validation{}, err
	}
	return v, nil
}

func (s *session) rdnsScan(ctx context.Context) (map[int64]ReverseDNS, error) {
	return share(ctx, &s.mu, &s.rdnsRecs, calls.V3ReverseDNSList, func(ctx context.Context) (map[int64]ReverseDNS, error) {
		list, err := s.scan.scanRDNS(ctx)
		if err != nil {
			return nil, err
		}
		byID := make(map[int64]ReverseDNS, len(list))
		for _, r := range list {
			byID[r.ID] = r
		}
		return byID, nil
	})
}
