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
	names lazy[map[string]bool]     // every subuser
}

// lazy is a value loaded once; a failed load is retried by the next caller,
// with that caller's context.
type lazy[T any] struct {
	mu     sync.Mutex
	loaded bool
	v      T
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
	if !ok || d.assignedHere(user) || d.cache.reads.Add(1) == 1 {
		return d.client.SubuserIPs(ctx, user)
	}
	held, err := d.cache.held.get(ctx, scan.HeldIPs)
	if err != nil {
		return sendgrid.SubuserIPs{}, err
	}
	if ips, ok := held[user]; ok {
		return sendgrid.SubuserIPs{IPs: ips}, nil
	}
	names, err := d.cache.names.get(ctx, scan.SubuserNames)
	if err != nil {
		return sendgrid.SubuserIPs{}, err
	}
	if !names[user] {
		return sendgrid.SubuserIPs{}, &sendgrid.APIError{Kind: sendgrid.ErrSubuserNotFound, Call: "GET /v3/subusers", User: user}
	}
	return sendgrid.SubuserIPs{IPs: []string{}}, nil
}
