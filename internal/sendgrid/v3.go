package sendgrid

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/calls"
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

// send sends one call whose url is relative to the host root.
func (c *v3Backend) send(ctx context.Context, cl call) (reply, error) {
	cl.header = http.Header{"Authorization": {"Bearer " + c.t.secret}}
	if cl.body != nil {
		cl.header.Set("Content-Type", "application/json")
	}
	cl.url = c.base.ResolveReference(cl.url)
	return c.t.do(ctx, cl)
}

// path joins segments, each path-escaped, so a name is one segment whatever it holds.
func path(segments ...string) *url.URL {
	raw := make([]string, len(segments))
	for i, s := range segments {
		raw[i] = url.PathEscape(s)
	}
	return &url.URL{Path: strings.Join(segments, "/"), RawPath: strings.Join(raw, "/")}
}

func ipKey(ip ipHolders) string  { return ip.ip }
func nameKey(s v3Subuser) string { return s.name }
func sortByIP(list []ipHolders) {
	slices.SortFunc(list, func(x, y ipHolders) int { return compareIP(x.ip, y.ip) })
}

// scanIPs reads every IP of the account with the subusers holding it, sorted by IP.
func (c *v3Backend) scanIPs(ctx context.Context) ([]ipHolders, error) {
	list, err := readList(ctx, c, listCall{path: "v3/ips", name: calls.V3IPs}, decodeV3IPs, ipKey)
	if err != nil {
		return nil, err
	}
	sortByIP(list)
	return list, nil
}

// scanSubusers maps every subuser GET /v3/subusers lists to whether it is active.
func (c *v3Backend) scanSubusers(ctx context.Context) (map[string]bool, error) {
	list, err := readList(ctx, c, listCall{path: "v3/subusers", name: calls.V3Subusers}, decodeV3Subusers, nameKey)
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
func (c *v3Backend) subuser(ctx context.Context, user string) (Holding, error) {
	held, err := readList(ctx, c, listCall{path: "v3/ips", filter: url.Values{"subuser": {user}}, name: calls.V3IPsOfSubuser, user: user, notFound: ErrSubuserNotFound},
		func(r reply) ([]ipHolders, error) {
			page, err := decodeV3IPs(r)
			for _, ip := range page {
				if !slices.Contains(ip.subusers, user) {
					return nil, r.fail(ErrUnreadable, nil, fmt.Errorf("answer lists %s, whose subusers do not include %q", ip.ip, user))
				}
			}
			return page, err
		}, ipKey)
	if err != nil {
		return Holding{}, err
	}
	ips := make([]string, 0, len(held))
	for _, ip := range held {
		ips = append(ips, ip.ip)
	}
	if len(ips) > 0 {
		return existing(user, ips, false, nil)
	}
	found, err := readList(ctx, c, listCall{path: "v3/subusers", filter: url.Values{"username": {user}}, name: calls.V3SubuserByName, user: user, notFound: ErrSubuserNotFound},
		decodeV3Subusers, nameKey)
	if err != nil {
		return Holding{}, err
	}
	names := make([]string, 0, len(found))
	for _, s := range found {
		names = append(names, s.name)
	}
	return existing(user, nil, slices.Contains(names, user), names)
}

// setIPs PUTs the sorted set ([] for none) and returns the set the answer says is held.
func (c *v3Backend) setIPs(ctx context.Context, user string, ips []string) (Holding, error) {
	body, _ := json.Marshal(append([]string{}, SortIPs(ips)...)) // `[]`, never `null`
	r, err := c.send(ctx, call{method: http.MethodPut, url: path("v3", "subusers", user, "ips"), body: body, name: calls.V3SetSubuserIPs, user: user, notFound: ErrSubuserNotFound})
	if err != nil {
		return Holding{}, err
	}
	held, err := decodeV3SetIPs(r)
	if err != nil {
		return Holding{}, err
	}
	return Holding{IPs: held}, nil
}

// assignAll reads every IP the account has now and PUTs them all.
func (c *v3Backend) assignAll(ctx context.Context, user string) (Holding, error) {
	list, err := c.scanIPs(ctx)
	if err != nil {
		return Holding{}, err
	}
	ips := make([]string, 0, len(list))
	for _, ip := range list {
		ips = append(ips, ip.ip)
	}
	return c.setIPs(ctx, user, ips)
}

// The pool calls (see DESIGN.md, "IP pools: reads, writes and settling").

// scanPools reads every pool's name, sorted: one unpaged call (the contract declares no paging).
func (c *v3Backend) scanPools(ctx context.Context) ([]string, error) {
	r, err := c.send(ctx, call{method: http.MethodGet, url: path("v3", "ips", "pools"), name: calls.V3Pools})
	if err != nil {
		return nil, err
	}
	return decodeV3Pools(r)
}

// pool reads one pool directly.
func (c *v3Backend) pool(ctx context.Context, name string) (Pool, error) {
	r, err := c.send(ctx, call{method: http.MethodGet, url: path("v3", "ips", "pools", name), name: calls.V3Pool, pool: name, notFound: ErrPoolNotFound})
	if err != nil {
		return Pool{}, err
	}
	return decodeV3Pool(r, name)
}

func (c *v3Backend) createPool(ctx context.Context, name string) error {
	body, _ := json.Marshal(map[string]string{"name": name})
	r, err := c.send(ctx, call{method: http.MethodPost, url: path("v3", "ips", "pools"), body: body, name: calls.V3CreatePool, pool: name})
	if err != nil {
		return err
	}
	return decodeV3Echo(r, "name", name)
}

func (c *v3Backend) deletePool(ctx context.Context, name string) error {
	r, err := c.send(ctx, call{method: http.MethodDelete, url: path("v3", "ips", "pools", name), name: calls.V3DeletePool, pool: name, notFound: ErrPoolNotFound})
	if err != nil {
		return err
	}
	return decodeV3Deleted(r)
}

// errPoolOrIP explains a 404 in SendGrid's shape to an addition.
var errPoolOrIP = errors.New("the pool does not exist or the IP is not on the account")

func (c *v3Backend) addPoolIP(ctx context.Context, name, ip string) error {
	body, _ := json.Marshal(map[string]string{"ip": ip})
	r, err := c.send(ctx, call{method: http.MethodPost, url: path("v3", "ips", "pools", name, "ips"), body: body, name: calls.V3AddPoolIP, pool: name, notFound: ErrRejected})
	if err == nil {
		err = decodeV3Echo(r, "ip", ip)
	}
	if apiErr := (*APIError)(nil); errors.As(err, &apiErr) && apiErr.Status == http.StatusNotFound && errors.Is(apiErr.Kind, ErrRejected) {
		apiErr.Err = errPoolOrIP
	}
	return err
}

// removePoolIP takes SendGrid's 404 for done (see DESIGN.md, "IP pools: reads, writes and settling").
func (c *v3Backend) removePoolIP(ctx context.Context, name, ip string) error {
	r, err := c.send(ctx, call{method: http.MethodDelete, url: path("v3", "ips", "pools", name, "ips", ip), name: calls.V3RemovePoolIP, pool: name, notFound: ErrPoolNotFound})
	if err == nil {
		err = decodeV3Deleted(r)
	}
	if errors.Is(err, ErrPoolNotFound) {
		return nil
	}
	return err
}

func (c *v3Backend) ip(ctx context.Context, ip string) (IP, error) {
	r, err := c.send(ctx, call{method: http.MethodGet, url: path("v3", "ips", ip), name: calls.V3IP, ip: ip, notFound: ErrIPNotFound})
	if err != nil {
		return IP{}, err
	}
	return decodeV3IP(r, ip)
}

// The reverse DNS and warmup calls (see DESIGN.md, "Reverse DNS and warmup").

func rdnsKey(r ReverseDNS) string { return "record " + strconv.FormatInt(r.ID, 10) }

func rdnsPath(id int64, rest ...string) *url.URL {
	return path(append([]string{"v3", "whitelabel", "ips", strconv.FormatInt(id, 10)}, rest...)...)
}

// scanRDNS reads every reverse DNS record, paged like GET /v3/ips.
func (c *v3Backend) scanRDNS(ctx context.Context) ([]ReverseDNS, error) {
	return readList(ctx, c, listCall{path: "v3/whitelabel/ips", name: calls.V3ReverseDNSList}, decodeV3RDNSList, rdnsKey)
}

// rdnsOfIP reads the records of one IP; SendGrid's "ip" filter matches a prefix, so the rest are dropped.
func (c *v3Backend) rdnsOfIP(ctx context.Context, ip string) ([]ReverseDNS, error) {
	list, err := readList(ctx, c, listCall{path: "v3/whitelabel/ips", filter: url.Values{"ip": {ip}}, name: calls.V3ReverseDNSOfIP, ip: ip}, decodeV3RDNSList, rdnsKey)
	return slices.DeleteFunc(list, func(r ReverseDNS) bool { return r.IP != ip }), err
}

func (c *v3Backend) rdns(ctx context.Context, id int64) (ReverseDNS, error) {
	r, err := c.send(ctx, call{method: http.MethodGet, url: rdnsPath(id), name: calls.V3ReverseDNS, record: id, notFound: ErrReverseDNSNotFound})
	if err != nil {
		return ReverseDNS{}, err
	}
	return decodeV3RDNS(r, id, "")
}

func (c *v3Backend) createRDNS(ctx context.Context, ip, domain, subdomain string) (ReverseDNS, error) {
	body, _ := json.Marshal(struct {
		IP        string `json:"ip"`
		Domain    string `json:"domain"`
		Subdomain string `json:"subdomain,omitempty"`
	}{ip, domain, subdomain})
	r, err := c.send(ctx, call{method: http.MethodPost, url: path("v3", "whitelabel", "ips"), body: body, name: calls.V3CreateReverseDNS, ip: ip})
	if err != nil {
		return ReverseDNS{}, err
	}
	return decodeV3RDNS(r, 0, ip)
}

func (c *v3Backend) deleteRDNS(ctx context.Context, id int64) error {
	r, err := c.send(ctx, call{method: http.MethodDelete, url: rdnsPath(id), name: calls.V3DeleteReverseDNS, record: id, notFound: ErrReverseDNSNotFound})
	if err != nil {
		return err
	}
	return decodeV3Deleted(r)
}

func (c *v3Backend) validateRDNS(ctx context.Context, id int64) (Validation, error) {
	r, err := c.send(ctx, call{method: http.MethodPost, url: rdnsPath(id, "validate"), name: calls.V3ValidateReverseDNS, record: id, notFound: ErrReverseDNSNotFound})
	if err != nil {
		return Validation{}, err
	}
	return decodeV3Validation(r, id)
}

// startWarmup returns the start date the answer gives ip, 0 when none.
func (c *v3Backend) startWarmup(ctx context.Context, ip string) (int64, error) {
	body, _ := json.Marshal(map[string]string{"ip": ip})
	r, err := c.send(ctx, call{method: http.MethodPost, url: path("v3", "ips", "warmup"), body: body, name: calls.V3StartWarmup, ip: ip, notFound: ErrIPNotFound})
	if err != nil {
		return 0, err
	}
	return decodeV3Warmup(r, ip)
}

// stopWarmup takes SendGrid's 404 for "not warming up": nothing to stop.
func (c *v3Backend) stopWarmup(ctx context.Context, ip string) error {
	r, err := c.send(ctx, call{method: http.MethodDelete, url: path("v3", "ips", "warmup", ip), name: calls.V3StopWarmup, ip: ip, notFound: ErrIPNotFound})
	if err == nil {
		err = decodeV3Deleted(r)
	}
	if errors.Is(err, ErrIPNotFound) {
		return nil
	}
	return err
}

// pause waits d, or until ctx ends or Ctrl-C stops the client.
func (c *v3Backend) pause(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	var stop <-chan struct{}
	if c.t.stop != nil {
		stop = c.t.stop.Done()
	}
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return context.Cause(ctx)
	case <-stop:
		return ErrInterrupted
	}
}
