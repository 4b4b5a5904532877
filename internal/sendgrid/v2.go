package sendgrid

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/calls"
)

// v2Backend calls the deprecated Web API v2: customer.ip, customer.sendip and customer.profile, each a form POST.
type v2Backend struct {
	t       *transport
	base    *url.URL
	apiUser string
	apiKey  string
}

func (c *v2Backend) version() string { return APIv2 }

// post sends the credentials in the body, never the URL (see DESIGN.md, Security).
func (c *v2Backend) post(ctx context.Context, endpoint, name, user string, form url.Values) (reply, error) {
	form.Set("api_user", c.apiUser)
	form.Set("api_key", c.apiKey)
	return c.t.do(ctx, call{
		method: http.MethodPost,
		url:    c.base.ResolveReference(&url.URL{Path: endpoint + ".json"}),
		name:   name,
		user:   user,
		body:   []byte(form.Encode()),
		header: http.Header{"Content-Type": {"application/x-www-form-urlencoded"}},
	})
}

func (c *v2Backend) listIPs(ctx context.Context, filter IPFilter) ([]string, error) {
	r, err := c.post(ctx, calls.V2IP, calls.V2ListIPsPrefix+string(filter), "", url.Values{"list": {string(filter)}})
	if err != nil {
		return nil, err
	}
	return decodeV2IPList(r)
}

func (c *v2Backend) subuser(ctx context.Context, user string) (Holding, error) {
	r, err := c.post(ctx, calls.V2SendIP, calls.V2SubuserIPs, user, url.Values{"task": {"list"}, "user": {user}})
	if err != nil {
		return Holding{}, err
	}
	return decodeV2Holding(r)
}

// setIPs sends set=specify, or set=none for no IPs (SendGrid refuses specify without ip[]), then reads back.
func (c *v2Backend) setIPs(ctx context.Context, user string, ips []string) (Holding, error) {
	if len(ips) == 0 {
		return c.appendTask(ctx, user, "none", nil)
	}
	return c.appendTask(ctx, user, "specify", SortIPs(ips))
}

func (c *v2Backend) assignAll(ctx context.Context, user string) (Holding, error) {
	return c.appendTask(ctx, user, "all", nil)
}

// appendTask writes, then reads what the subuser holds: v2's write answers only "success".
func (c *v2Backend) appendTask(ctx context.Context, user, set string, ips []string) (Holding, error) {
	form := url.Values{"task": {"append"}, "user": {user}, "set": {set}}
	if len(ips) > 0 {
		form["ip[]"] = ips
	}
	r, err := c.post(ctx, calls.V2SendIP, calls.V2SendIP+" task=append set="+set, user, form)
	if err == nil {
		err = decodeV2Success(r)
	}
	if err != nil {
		return Holding{}, err
	}
	held, err := c.subuser(ctx, user)
	if err != nil {
		return Holding{}, fmt.Errorf("SendGrid accepted the write; reading it back failed: %w", err)
	}
	return held, nil
}

// subusers reads customer.profile, then each subuser's IPs.
func (c *v2Backend) subusers(ctx context.Context) ([]Subuser, error) {
	r, err := c.post(ctx, calls.V2Profile, calls.V2ListSubusers, "", url.Values{"task": {"get"}})
	if err != nil {
		return nil, err
	}
	listed, err := decodeV2Subusers(r)
	if err != nil {
		return nil, err
	}
	slices.SortFunc(listed, func(x, y v2Subuser) int { return strings.Compare(x.name, y.name) })
	listed = slices.CompactFunc(listed, func(x, y v2Subuser) bool { return x.name == y.name })
	out := make([]Subuser, 0, len(listed))
	for _, sub := range listed {
		held, err := c.subuser(ctx, sub.name)
		if errors.Is(err, ErrSubuserNotFound) {
			continue // deleted since customer.profile listed it
		}
		if err != nil {
			return nil, err
		}
		out = append(out, Subuser{Name: sub.name, Active: sub.active, IPs: held.IPs, OutboundCluster: held.OutboundCluster})
	}
	return out, nil
}
