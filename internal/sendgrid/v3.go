package sendgrid

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
)

// Call names of the v3 backend, as in its errors and the mock's request log.
const (
	callIPs           = "GET /v3/ips"
	callIPsOfSubuser  = "GET /v3/ips?subuser"
	callSubusers      = "GET /v3/subusers"
	callSubuserByName = "GET /v3/subusers?username"
	callSetIPs        = "PUT /v3/subusers/{name}/ips"
)

// v3Backend calls the v3 API with a bearer key and JSON, paging every list.
type v3Backend struct {
	t      *transport
	base   *url.URL
	limits pageLimits
}

func newV3Backend(t *transport, base *url.URL, pageSize int) *v3Backend {
	return &v3Backend{t: t, base: base, limits: pageLimits{max: pageSize}}
}

func (c *v3Backend) version() string { return APIv3 }

// send sends one call; ref is relative to the host root.
func (c *v3Backend) send(ctx context.Context, method string, ref *url.URL, body []byte, name, user string) (answer, error) {
	h := http.Header{"Authorization": {"Bearer " + c.t.secret}}
	if body != nil {
		h.Set("Content-Type", "application/json")
	}
	return c.t.do(ctx, call{method: method, url: c.base.ResolveReference(ref), name: name, user: user, body: body, header: h})
}

func ipKey(ip ipHolders) string  { return ip.ip }
func nameKey(s v3Subuser) string { return s.name }
func sortByIP(list []ipHolders) {
	slices.SortFunc(list, func(x, y ipHolders) int { return compareIP(x.ip, y.ip) })
}

// scanIPs reads every IP of the account with the subusers holding it, sorted by IP.
func (c *v3Backend) scanIPs(ctx context.Context) ([]ipHolders, error) {
	list, err := readList(ctx, c, listCall{path: "v3/ips", name: callIPs}, decodeV3IPs, ipKey)
	if err != nil {
		return nil, err
	}
	sortByIP(list)
	return list, nil
}

// scanSubusers maps every subuser GET /v3/subusers lists to whether it is active.
func (c *v3Backend) scanSubusers(ctx context.Context) (map[string]bool, error) {
	list, err := readList(ctx, c, listCall{path: "v3/subusers", name: callSubusers}, decodeV3Subusers, nameKey)
	if err != nil {
		return nil, err
	}
	out := make(map[string]bool, len(list))
	for _, s := range list {
		out[s.name] = !s.disabled
	}
	return out, nil
}

// subuser reads GET /v3/ips?subuser=NAME and, when that lists nothing, GET /v3/subusers?username=NAME
// (whose filter matches more than the exact name), then applies the rule of existence.
func (c *v3Backend) subuser(ctx context.Context, user string) (SubuserIPs, error) {
	held, err := readList(ctx, c, listCall{path: "v3/ips", filter: url.Values{"subuser": {user}}, name: callIPsOfSubuser, user: user},
		func(a answer) ([]ipHolders, error) {
			page, err := decodeV3IPs(a)
			for _, ip := range page {
				if !slices.Contains(ip.subusers, user) {
					return nil, a.fail(ErrUnreadable, nil, fmt.Errorf("answer lists %s, whose subusers do not include %q", ip.ip, user))
				}
			}
			return page, err
		}, ipKey)
	if err != nil {
		return SubuserIPs{}, err
	}
	ips := make([]string, 0, len(held))
	for _, ip := range held {
		ips = append(ips, ip.ip)
	}
	if len(ips) > 0 {
		return existing(user, ips, false, nil)
	}
	found, err := readList(ctx, c, listCall{path: "v3/subusers", filter: url.Values{"username": {user}}, name: callSubuserByName, user: user},
		decodeV3Subusers, nameKey)
	if err != nil {
		return SubuserIPs{}, err
	}
	names := make([]string, 0, len(found))
	for _, s := range found {
		names = append(names, s.name)
	}
	return existing(user, nil, slices.Contains(names, user), names)
}

// setIPs PUTs the sorted set ([] for none) and returns the set the answer says is held.
func (c *v3Backend) setIPs(ctx context.Context, user string, ips []string) (SubuserIPs, error) {
	body, _ := json.Marshal(append([]string{}, SortIPs(ips)...)) // `[]`, never `null`
	ref := &url.URL{Path: "v3/subusers/" + user + "/ips", RawPath: "v3/subusers/" + url.PathEscape(user) + "/ips"}
	a, err := c.send(ctx, http.MethodPut, ref, body, callSetIPs, user)
	if err != nil {
		return SubuserIPs{}, err
	}
	held, err := decodeV3SetIPs(a)
	if err != nil {
		return SubuserIPs{}, err
	}
	return SubuserIPs{IPs: held}, nil
}

// assignAll reads every IP the account has now and PUTs them all.
func (c *v3Backend) assignAll(ctx context.Context, user string) (SubuserIPs, error) {
	list, err := c.scanIPs(ctx)
	if err != nil {
		return SubuserIPs{}, err
	}
	ips := make([]string, 0, len(list))
	for _, ip := range list {
		ips = append(ips, ip.ip)
	}
	return c.setIPs(ctx, user, ips)
}
