package provider

import (
	"context"
	"sync"
	"sync/atomic"

	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/sendgrid"
)

// readCache answers one provider process's reads of subusers (one
// Terraform command) from a single scan of the account, from the second
// read on; the first goes straight to SendGrid, so one resource costs what
// it always did (DESIGN.md, "Refresh at scale").
type readCache struct {
	reads atomic.Int64
	held  lazy[map[string][]string] // subuser -> IPs, for subusers holding any
	names lazy[map[string]bool]     // every subuser: whether it is active
}

// lazy is a value loaded once; a failed load is retried by the next caller,
// with that caller's context.
type lazy[T any] struct {
	mu     sync.Mutex
	loaded bool
	v      T
}

func (l *lazy[T]) isLoaded() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.loaded
}

func (l *lazy[T]) get(ctx context.Context, load func(context.Context) (T, error)) (T, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.loaded {
		v, err := load(ctx)
		if err != nil {
			return v, err
		}
		l.v, l.loaded = v, true
	}
	return l.v, nil
}

// subuserIPs reads one subuser's IPs: from the process's scan when the
// backend can scan and this process has not written to the subuser, else
// with one direct read.
func (d *providerData) subuserIPs(ctx context.Context, user string) (sendgrid.SubuserIPs, error) {
	scan, ok := d.client.(sendgrid.Scanner)
	if !ok || d.assignedHere(user) || (!d.cache.held.isLoaded() && d.cache.reads.Add(1) == 1) {
		return d.client.SubuserIPs(ctx, user)
	}
	held, err := d.cache.held.get(ctx, scan.HeldIPs)
	if err != nil {
		return sendgrid.SubuserIPs{}, err
	}
	if ips, ok := held[user]; ok {
		return sendgrid.SubuserIPs{IPs: ips}, nil
	}
	names, err := d.cache.names.get(ctx, scan.ActiveSubusers)
	if err != nil {
		return sendgrid.SubuserIPs{}, err
	}
	if _, ok := names[user]; !ok {
		return sendgrid.SubuserIPs{}, &sendgrid.APIError{Kind: sendgrid.ErrSubuserNotFound, Call: "GET /v3/subusers", User: user}
	}
	return sendgrid.SubuserIPs{IPs: []string{}}, nil
}

// subusers lists every subuser: from the process's scans when the backend
// can scan, so the reads that follow (an adoption's imports) cost nothing.
func (d *providerData) subusers(ctx context.Context) ([]sendgrid.Subuser, error) {
	scan, ok := d.client.(sendgrid.Scanner)
	if !ok {
		return d.client.Subusers(ctx)
	}
	active, err := d.cache.names.get(ctx, scan.ActiveSubusers)
	if err != nil {
		return nil, err
	}
	held, err := d.cache.held.get(ctx, scan.HeldIPs)
	if err != nil {
		return nil, err
	}
	return sendgrid.SubusersOf(active, held), nil
}
