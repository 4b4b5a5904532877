package sendgrid

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// Call names of the v3 backend, as in its errors and the mock's request log.
const (
	callIPs           = "GET /v3/ips"
	callIPsOfSubuser  = "GET /v3/ips?subuser"
	callSubusers      = "GET /v3/subusers"
	callSubuserByName = "GET /v3/subusers?username"
	callSetIPs        = "PUT /v3/subusers/{name}/ips"

	maxPages = 2000 // see DESIGN.md, Paging
)

// v3Client calls the v3 API with a bearer key and JSON, paging every list.
type v3Client struct {
	t        *transport
	base     *url.URL
	pageSize int
}

func (c *v3Client) Version() string { return APIv3 }

// send sends one call; ref is relative to the host root.
func (c *v3Client) send(ctx context.Context, method string, ref *url.URL, body []byte, name, user string) (answer, error) {
	h := http.Header{"Authorization": {"Bearer " + c.t.secret}}
	if body != nil {
		h.Set("Content-Type", "application/json")
	}
	return c.t.do(ctx, call{method: method, url: c.base.ResolveReference(ref), name: name, user: user, body: body, header: h})
}

// pages reads every page of a list until a short one (see DESIGN.md, Paging).
func pages[T any](ctx context.Context, c *v3Client, path string, filter url.Values, name, user string, decode func(answer) ([]T, error)) ([]T, error) {
	var all []T
	var previous []byte
	for n, offset := 1, 0; ; n++ {
		q := url.Values{"limit": {strconv.Itoa(c.pageSize)}, "offset": {strconv.Itoa(offset)}}
		for k, v := range filter {
			q[k] = v
		}
		a, err := c.send(ctx, http.MethodGet, &url.URL{Path: path, RawQuery: q.Encode()}, nil, name, user)
		if err != nil {
			return nil, err
		}
		page, err := decode(a)
		if err != nil {
			return nil, err
		}
		switch {
		case len(page) > c.pageSize:
			return nil, a.fail(ErrUnreadable, nil, fmt.Errorf("a page of %d items, more than the limit of %d asked for", len(page), c.pageSize))
		case len(page) < c.pageSize:
			return append(all, page...), nil
		case n >= maxPages || bytes.Equal(a.body, previous):
			return nil, a.fail(ErrUnreadable, nil, fmt.Errorf("page %d is full again at offset %d: the list does not end", n, offset))
		}
		all = append(all, page...)
		previous = a.body
		offset += len(page)
	}
}

// allIPs reads every IP; one listed twice (the list moved between pages) gets the union of its subusers.
func (c *v3Client) allIPs(ctx context.Context) ([]v3IP, error) {
	list, err := pages(ctx, c, "v3/ips", nil, callIPs, "", decodeV3IPs)
	if err != nil {
		return nil, err
	}
	slices.SortStableFunc(list, func(x, y v3IP) int { return compareIP(x.ip, y.ip) })
	out := list[:0]
	for _, ip := range list {
		if n := len(out); n > 0 && out[n-1].ip == ip.ip {
			out[n-1].subusers = append(out[n-1].subusers, ip.subusers...)
			continue
		}
		out = append(out, ip)
	}
	return out, nil
}

// disabledSubusers maps every subuser to whether it is disabled; one listed twice is disabled only if every entry says so.
func (c *v3Client) disabledSubusers(ctx context.Context) (map[string]bool, error) {
	list, err := pages(ctx, c, "v3/subusers", nil, callSubusers, "", decodeV3Subusers)
	if err != nil {
		return nil, err
	}
	out := make(map[string]bool, len(list))
	for _, s := range list {
		d, seen := out[s.name]
		out[s.name] = s.disabled && (d || !seen)
	}
	return out, nil
}

// ListIPs derives v2's filters from each IP's subusers (see DESIGN.md, v3 filters).
func (c *v3Client) ListIPs(ctx context.Context, filter IPFilter) ([]string, error) {
	if !slices.Contains(IPFilters(), string(filter)) {
		return nil, &APIError{Kind: ErrRejected, Call: callIPs,
			Err: fmt.Errorf("filter %q is not one of %s; not sent", filter, strings.Join(IPFilters(), ", "))}
	}
	ips, err := c.allIPs(ctx)
	if err != nil {
		return nil, err
	}
	var disabled map[string]bool // read only when the answer depends on it
	if filter == FilterAvailable && slices.ContainsFunc(ips, func(ip v3IP) bool { return len(ip.subusers) > 0 }) {
		if disabled, err = c.disabledSubusers(ctx); err != nil {
			return nil, err
		}
	}
	out := make([]string, 0, len(ips))
	for _, ip := range ips {
		var keep bool
		switch filter {
		case FilterAll:
			keep = true
		case FilterTaken:
			keep = len(ip.subusers) > 0
		case FilterFree:
			keep = len(ip.subusers) == 0
		case FilterAvailable: // a subuser missing from the list counts as active: safe to hand out
			keep = !slices.ContainsFunc(ip.subusers, func(s string) bool { return !disabled[s] })
		}
		if keep {
			out = append(out, ip.ip)
		}
	}
	return SortIPs(out), nil
}

// checkName refuses a name that would change what a call means: "" (no filter) or a dot segment.
func checkName(callName, user string) error {
	if user == "" || user == "." || user == ".." {
		return &APIError{Kind: ErrRejected, Call: callName, User: user, Err: fmt.Errorf("%q is not a subuser name; not sent", user)}
	}
	return nil
}

// SubuserIPs reads GET /v3/ips?subuser=NAME; when that lists nothing, GET /v3/subusers?username=NAME,
// whose filter may match more than the exact name, tells "holds nothing" from "no such subuser".
func (c *v3Client) SubuserIPs(ctx context.Context, user string) (SubuserIPs, error) {
	if err := checkName(callIPsOfSubuser, user); err != nil {
		return SubuserIPs{}, err
	}
	held, err := pages(ctx, c, "v3/ips", url.Values{"subuser": {user}}, callIPsOfSubuser, user, func(a answer) ([]v3IP, error) {
		page, err := decodeV3IPs(a)
		for _, ip := range page {
			if !slices.Contains(ip.subusers, user) {
				return nil, a.fail(ErrUnreadable, nil, fmt.Errorf("answer lists %s, whose subusers do not include %q", ip.ip, user))
			}
		}
		return page, err
	})
	if err != nil {
		return SubuserIPs{}, err
	}
	if len(held) > 0 {
		ips := make([]string, 0, len(held))
		for _, ip := range held {
			ips = append(ips, ip.ip)
		}
		return SubuserIPs{IPs: SortIPs(ips)}, nil
	}
	found, err := pages(ctx, c, "v3/subusers", url.Values{"username": {user}}, callSubuserByName, user, decodeV3Subusers)
	if err != nil {
		return SubuserIPs{}, err
	}
	if !slices.ContainsFunc(found, func(s v3Subuser) bool { return s.name == user }) {
		return SubuserIPs{}, &APIError{Kind: ErrSubuserNotFound, Call: callSubuserByName, User: user,
			Err: fmt.Errorf("no subuser has this exact name (%d partial matches)", len(found))}
	}
	return SubuserIPs{IPs: []string{}}, nil
}

// SetSubuserIPs PUTs the sorted set ([] for none) and returns the set the answer says is held.
func (c *v3Client) SetSubuserIPs(ctx context.Context, user string, ips []string) (*SubuserIPs, error) {
	if err := checkName(callSetIPs, user); err != nil {
		return nil, err
	}
	body, _ := json.Marshal(append([]string{}, SortIPs(ips)...)) // `[]`, never `null`
	ref := &url.URL{Path: "v3/subusers/" + user + "/ips", RawPath: "v3/subusers/" + url.PathEscape(user) + "/ips"}
	a, err := c.send(ctx, http.MethodPut, ref, body, callSetIPs, user)
	if err != nil {
		return nil, err
	}
	held, err := decodeV3SetIPs(a)
	if err != nil {
		return nil, err
	}
	return &SubuserIPs{IPs: held}, nil
}

func (c *v3Client) AssignAllIPs(ctx context.Context, user string) error {
	if err := checkName(callSetIPs, user); err != nil {
		return err
	}
	ips, err := c.ListIPs(ctx, FilterAll)
	if err != nil {
		return err
	}
	_, err = c.SetSubuserIPs(ctx, user, ips)
	return err
}

// Subusers combines GET /v3/subusers (names, disabled) with GET /v3/ips (each IP's subusers).
func (c *v3Client) Subusers(ctx context.Context) ([]Subuser, error) {
	active, err := c.ActiveSubusers(ctx)
	if err != nil {
		return nil, err
	}
	held, err := c.HeldIPs(ctx)
	if err != nil {
		return nil, err
	}
	return SubusersOf(active, held), nil
}

// SubusersOf joins a Scanner's two scans into the subusers, sorted by name.
func SubusersOf(active map[string]bool, held map[string][]string) []Subuser {
	out := make([]Subuser, 0, len(active))
	for name, on := range active {
		out = append(out, Subuser{Name: name, Active: on, IPs: append([]string{}, held[name]...)})
	}
	slices.SortFunc(out, func(x, y Subuser) int { return strings.Compare(x.Name, y.Name) })
	return out
}

// Scanner is offered by a backend that reads the whole assignment in a few calls (see DESIGN.md, Refresh at scale).
type Scanner interface {
	// HeldIPs maps each subuser that holds an IP to its IPs, sorted.
	HeldIPs(ctx context.Context) (map[string][]string, error)
	// ActiveSubusers maps every subuser to whether it is active.
	ActiveSubusers(ctx context.Context) (map[string]bool, error)
}

var _ Scanner = (*v3Client)(nil)

func (c *v3Client) HeldIPs(ctx context.Context) (map[string][]string, error) {
	ips, err := c.allIPs(ctx)
	if err != nil {
		return nil, err
	}
	held := make(map[string][]string)
	for _, ip := range ips {
		for _, s := range ip.subusers {
			held[s] = append(held[s], ip.ip)
		}
	}
	for s, list := range held {
		held[s] = SortIPs(list)
	}
	return held, nil
}

func (c *v3Client) ActiveSubusers(ctx context.Context) (map[string]bool, error) {
	disabled, err := c.disabledSubusers(ctx)
	if err != nil {
		return nil, err
	}
	active := make(map[string]bool, len(disabled))
	for n, off := range disabled {
		active[n] = !off
	}
	return active, nil
}
