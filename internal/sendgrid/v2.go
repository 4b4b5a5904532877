package sendgrid

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// v2Client calls the Web API v2 (customer.ip, customer.sendip,
// customer.profile), every call a form POST.
type v2Client struct {
	t       *transport
	base    *url.URL
	apiUser string
	apiKey  string
}

var _ API = (*v2Client)(nil)

func (c *v2Client) Version() string { return APIv2 }

// post sends one call as a form POST. Credentials go in the body only,
// never in the URL, where proxies and access logs would keep them.
func (c *v2Client) post(ctx context.Context, endpoint, desc, user string, params url.Values) (answer, error) {
	form := url.Values{}
	for k, v := range params {
		form[k] = v
	}
	form.Set("api_user", c.apiUser)
	form.Set("api_key", c.apiKey)
	return c.t.do(ctx, call{
		method: http.MethodPost,
		url:    c.base.ResolveReference(&url.URL{Path: endpoint + ".json"}),
		name:   desc,
		user:   user,
		body:   []byte(form.Encode()),
		header: http.Header{"Content-Type": {"application/x-www-form-urlencoded"}},
	})
}

// ListIPs lists the reseller's IPs that match the filter (customer.ip).
func (c *v2Client) ListIPs(ctx context.Context, filter IPFilter) ([]string, error) {
	desc := "customer.ip list=" + string(filter)
	a, err := c.post(ctx, "customer.ip", desc, "", url.Values{"list": {string(filter)}})
	if err != nil {
		return nil, err
	}
	return decodeIPList(a)
}

// SubuserIPs reads one subuser's IPs and outbound cluster
// (customer.sendip task=list).
func (c *v2Client) SubuserIPs(ctx context.Context, user string) (SubuserIPs, error) {
	a, err := c.post(ctx, "customer.sendip", "customer.sendip task=list", user, url.Values{"task": {"list"}, "user": {user}})
	if err != nil {
		return SubuserIPs{}, err
	}
	return decodeSubuserIPs(a)
}

// SetSubuserIPs makes the subuser's IPs exactly ips: set=specify, or
// set=none for no IPs (SendGrid refuses specify without an ip[]). The
// answer says only "success", so it returns nil: the caller reads back.
func (c *v2Client) SetSubuserIPs(ctx context.Context, user string, ips []string) (*SubuserIPs, error) {
	if len(ips) == 0 {
		return nil, c.appendTask(ctx, user, "none", nil)
	}
	return nil, c.appendTask(ctx, user, "specify", SortIPs(ips))
}

// AssignAllIPs gives the subuser every IP the reseller has now (set=all).
func (c *v2Client) AssignAllIPs(ctx context.Context, user string) error {
	return c.appendTask(ctx, user, "all", nil)
}

func (c *v2Client) appendTask(ctx context.Context, user, set string, ips []string) error {
	params := url.Values{"task": {"append"}, "user": {user}, "set": {set}}
	if len(ips) > 0 {
		params["ip[]"] = ips
	}
	a, err := c.post(ctx, "customer.sendip", "customer.sendip task=append set="+set, user, params)
	if err != nil {
		return err
	}
	return decodeSuccess(a)
}

// Subusers lists the subusers (customer.profile task=get), then reads each
// one's IPs (customer.sendip task=list), paced like every other call.
func (c *v2Client) Subusers(ctx context.Context) ([]Subuser, error) {
	a, err := c.post(ctx, "customer.profile", "customer.profile task=get", "", url.Values{"task": {"get"}})
	if err != nil {
		return nil, err
	}
	profiles, err := decodeProfiles(a)
	if err != nil {
		return nil, err
	}
	slices.SortFunc(profiles, func(x, y profile) int { return strings.Compare(x.name, y.name) })
	profiles = slices.CompactFunc(profiles, func(x, y profile) bool { return x.name == y.name })
	out := make([]Subuser, 0, len(profiles))
	for _, p := range profiles {
		held, err := c.SubuserIPs(ctx, p.name)
		if errors.Is(err, ErrSubuserNotFound) {
			continue // deleted since the profile list: it is no longer a subuser
		}
		if err != nil {
			return nil, err
		}
		out = append(out, Subuser{Name: p.name, Active: p.active, IPs: held.IPs})
	}
	return out, nil
}
