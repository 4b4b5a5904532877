package sendgrid

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"slices"
	"strings"
)

// errScope is the likely cause of a v3 403.
var errScope = errors.New("the API key may lack a scope this call needs")

// v3Messages reads v3's error shapes, cleaned: {"errors":[{"field":..,"message":".."}, ...]}, nil
// unless every entry has a message, and {"error":".."}, which the pool calls answer.
func v3Messages(r reply) []string {
	var env struct {
		Errors []struct {
			Message *string `json:"message"`
		} `json:"errors"`
		Error json.RawMessage `json:"error"`
	}
	if json.Unmarshal(bytes.TrimSpace(r.body), &env) != nil {
		return nil
	}
	var messages []string
	for _, e := range env.Errors {
		if e.Message == nil {
			return nil
		}
		messages = append(messages, clean(*e.Message, r.secrets))
	}
	if one := stringValue(env.Error); messages == nil && env.Errors == nil && one != "" {
		messages = []string{clean(one, r.secrets)}
	}
	return messages
}

// checkV3 judges a v3 answer by its status and error shape; it returns the body of a success.
func (r reply) checkV3() ([]byte, *APIError) {
	messages := v3Messages(r)
	switch {
	case r.status == http.StatusTooManyRequests:
		return nil, r.fail(ErrRateLimited, messages, nil)
	case r.status >= 500:
		return nil, r.fail(ErrServer, messages, nil)
	case r.status == http.StatusUnauthorized:
		return nil, r.fail(ErrBadCredentials, messages, nil)
	case r.status == http.StatusForbidden:
		return nil, r.fail(ErrBadCredentials, messages, errScope)
	case r.status == http.StatusNotFound && r.notFound != nil && messages != nil:
		return nil, r.fail(r.notFound, messages, nil)
	case r.status == http.StatusNotFound: // see DESIGN.md, "404 means no such subuser only when SendGrid says so"
		return nil, r.fail(ErrWrongEndpoint, messages, fmt.Errorf("HTTP 404 for %s with content type %q and no SendGrid error about what it names: "+
			"is the base URL SendGrid's (not a proxy's, or a path under it)?", r.path, clean(r.contentType, r.secrets)))
	case messages != nil: // 200 or 4xx in SendGrid's error shape
		return nil, r.fail(ErrRejected, messages, nil)
	case r.status < 200 || r.status > 299:
		return nil, r.fail(ErrUnreadable, nil, fmt.Errorf("HTTP %d without an error message", r.status))
	}
	return bytes.TrimSpace(r.body), nil
}

// v3List decodes a success that must be a JSON list.
func (r reply) v3List() ([]json.RawMessage, error) {
	body, apiErr := r.checkV3()
	if apiErr != nil {
		return nil, apiErr
	}
	var list []json.RawMessage
	if len(body) == 0 || body[0] != '[' {
		return nil, r.fail(ErrUnreadable, nil, errors.New("expected a JSON list"))
	}
	if err := json.Unmarshal(body, &list); err != nil {
		return nil, r.fail(ErrUnreadable, nil, err)
	}
	return list, nil
}

// ipHolders is one IP and the subusers that hold it.
type ipHolders struct {
	ip       string
	subusers []string
	pools    []string // nil: the answer has no "pools"
	warmup   bool
	start    int64 // warmup start date, Unix seconds; 0: none
}

// decodeV3IPs decodes a page of GET /v3/ips: [{"ip":"..","subusers":[..],"pools":[..], ...}, ...].
func decodeV3IPs(r reply) ([]ipHolders, error) {
	list, err := r.v3List()
	if err != nil {
		return nil, err
	}
	out := make([]ipHolders, 0, len(list))
	for _, raw := range list {
		ip, err := r.v3IP(raw, false)
		if err != nil {
			return nil, err
		}
		out = append(out, ipHolders{ip: ip.Address, subusers: ip.Subusers, pools: ip.Pools, warmup: ip.Warmup, start: ip.StartDate})
	}
	return out, nil
}

// v3IP decodes one IP object of GET /v3/ips or GET /v3/ips/{ip}: "subusers" must be a list of
// names, "pools" too when needPools (else it is nil when absent); the rest is read as far as given.
func (r reply) v3IP(raw json.RawMessage, needPools bool) (IP, error) {
	var entry struct {
		IP           json.RawMessage `json:"ip"`
		Subusers     json.RawMessage `json:"subusers"`
		Pools        json.RawMessage `json:"pools"`
		RDNS         json.RawMessage `json:"rdns"`
		Whitelabeled json.RawMessage `json:"whitelabeled"`
		Warmup       json.RawMessage `json:"warmup"`
		StartDate    json.RawMessage `json:"start_date"`
	}
	if err := json.Unmarshal(raw, &entry); err != nil {
		return IP{}, r.fail(ErrUnreadable, nil, fmt.Errorf("IP entry is not an object: %w", err))
	}
	addr, err := r.ip(stringValue(entry.IP))
	if err != nil {
		return IP{}, err
	}
	out := IP{Address: addr, RDNS: clean(stringValue(entry.RDNS), r.secrets)}
	// a missing list is not "no subuser"
	if !isPresent(entry.Subusers) || json.Unmarshal(entry.Subusers, &out.Subusers) != nil {
		return IP{}, r.fail(ErrUnreadable, nil, fmt.Errorf(`IP %s has no "subusers" list of names`, addr))
	}
	if (needPools || isPresent(entry.Pools)) && (json.Unmarshal(entry.Pools, &out.Pools) != nil || out.Pools == nil) {
		return IP{}, r.fail(ErrUnreadable, nil, fmt.Errorf(`IP %s has no "pools" list of names`, addr))
	}
	for _, f := range []struct {
		name string
		raw  json.RawMessage
		into any
	}{{"whitelabeled", entry.Whitelabeled, &out.Whitelabeled}, {"warmup", entry.Warmup, &out.Warmup}, {"start_date", entry.StartDate, &out.StartDate}} {
		if isPresent(f.raw) && json.Unmarshal(f.raw, f.into) != nil {
			return IP{}, r.fail(ErrUnreadable, nil, fmt.Errorf("IP %s has a %q of the wrong type", addr, f.name))
		}
	}
	return out, nil
}

type v3Subuser struct {
	name     string
	disabled bool
}

// decodeV3Subusers decodes a page of GET /v3/subusers: [{"id":1,"username":"..","disabled":false, ...}, ...].
func decodeV3Subusers(r reply) ([]v3Subuser, error) {
	list, err := r.v3List()
	if err != nil {
		return nil, err
	}
	out := make([]v3Subuser, 0, len(list))
	for _, raw := range list {
		var entry struct {
			Username *string `json:"username"`
			Disabled *bool   `json:"disabled"`
		}
		if err := json.Unmarshal(raw, &entry); err != nil {
			return nil, r.fail(ErrUnreadable, nil, fmt.Errorf("subuser entry is not an object: %w", err))
		}
		if entry.Username == nil || *entry.Username == "" || entry.Disabled == nil {
			return nil, r.fail(ErrUnreadable, nil, errors.New(`subuser entry lacks "username" or "disabled"`))
		}
		out = append(out, v3Subuser{name: *entry.Username, disabled: *entry.Disabled})
	}
	return out, nil
}

// decodeV3SetIPs decodes the PUT's answer, {"ips":[".."]}: the set now held, sorted, without duplicates.
func decodeV3SetIPs(r reply) ([]string, error) {
	body, apiErr := r.checkV3()
	if apiErr != nil {
		return nil, apiErr
	}
	var env struct {
		IPs json.RawMessage `json:"ips"`
	}
	if len(body) == 0 || body[0] != '{' || json.Unmarshal(body, &env) != nil {
		return nil, r.fail(ErrUnreadable, nil, errors.New(`expected {"ips":[...]}`))
	}
	var list []json.RawMessage
	if !isPresent(env.IPs) || json.Unmarshal(env.IPs, &list) != nil {
		return nil, r.fail(ErrUnreadable, nil, errors.New(`answer has no "ips" list`))
	}
	out := make([]string, 0, len(list))
	for _, raw := range list {
		var text string
		if json.Unmarshal(raw, &text) != nil {
			return nil, r.fail(ErrUnreadable, nil, errors.New(`"ips" holds something that is not text`))
		}
		ip, err := r.ip(text)
		if err != nil {
			return nil, err
		}
		out = append(out, ip)
	}
	return SortIPs(out), nil
}

// decodeV3IP decodes GET /v3/ips/{ip}: one IP object, which must be the IP asked for.
func decodeV3IP(r reply, want string) (IP, error) {
	body, apiErr := r.checkV3()
	if apiErr != nil {
		return IP{}, apiErr
	}
	if len(body) == 0 || body[0] != '{' {
		return IP{}, r.fail(ErrUnreadable, nil, errors.New("expected a JSON object"))
	}
	ip, err := r.v3IP(body, true)
	if err != nil {
		return IP{}, err
	}
	if ip.Address != want {
		return IP{}, r.fail(ErrUnreadable, nil, fmt.Errorf("answer is about %s, not %s", ip.Address, want))
	}
	slices.Sort(ip.Subusers)
	slices.Sort(ip.Pools)
	ip.Subusers, ip.Pools = slices.Compact(ip.Subusers), slices.Compact(ip.Pools)
	return ip, nil
}

// decodeV3Pools decodes GET /v3/ips/pools, [{"name":".."}, ...]: the names, sorted.
func decodeV3Pools(r reply) ([]string, error) {
	list, err := r.v3List()
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(list))
	for _, raw := range list {
		var entry struct {
			Name json.RawMessage `json:"name"`
		}
		var name string
		if json.Unmarshal(raw, &entry) != nil || json.Unmarshal(entry.Name, &name) != nil || name == "" {
			return nil, r.fail(ErrUnreadable, nil, errors.New(`pool entry has no "name" text`))
		}
		out = append(out, name)
	}
	slices.Sort(out)
	for i := 1; i < len(out); i++ {
		if out[i] == out[i-1] {
			return nil, r.fail(ErrUnreadable, nil, fmt.Errorf("pool %q is listed twice", clean(out[i], r.secrets)))
		}
	}
	return out, nil
}

// decodeV3Pool decodes GET /v3/ips/pools/{name}, {"pool_name":"..","ips":[..]}, whose items are
// addresses (the contract) or objects with an "ip" (what SendGrid has been seen to send).
func decodeV3Pool(r reply, name string) (Pool, error) {
	body, apiErr := r.checkV3()
	if apiErr != nil {
		return Pool{}, apiErr
	}
	var env struct {
		PoolName json.RawMessage   `json:"pool_name"`
		IPs      []json.RawMessage `json:"ips"`
	}
	if len(body) == 0 || body[0] != '{' || json.Unmarshal(body, &env) != nil {
		return Pool{}, r.fail(ErrUnreadable, nil, errors.New(`expected {"pool_name":..,"ips":[...]}`))
	}
	if got := stringValue(env.PoolName); got != name {
		return Pool{}, r.fail(ErrUnreadable, nil, fmt.Errorf("answer is about pool %q", clean(got, r.secrets)))
	}
	ips := make([]string, 0, len(env.IPs))
	for _, raw := range env.IPs {
		var item struct {
			IP json.RawMessage `json:"ip"`
		}
		text := stringValue(raw)
		if text == "" && json.Unmarshal(raw, &item) == nil {
			text = stringValue(item.IP)
		}
		ip, err := r.ip(text)
		if err != nil {
			return Pool{}, err
		}
		ips = append(ips, ip)
	}
	return Pool{Name: name, IPs: SortIPs(ips)}, nil
}

// decodeV3Echo checks the answer of a create or an addition: an object whose field is what was written.
func decodeV3Echo(r reply, field, want string) error {
	body, apiErr := r.checkV3()
	if apiErr != nil {
		return apiErr
	}
	var obj map[string]json.RawMessage
	if len(body) == 0 || body[0] != '{' || json.Unmarshal(body, &obj) != nil {
		return r.fail(ErrUnreadable, nil, errors.New("expected a JSON object"))
	}
	got := stringValue(obj[field])
	if addr, err := netip.ParseAddr(got); err == nil && field == "ip" {
		got = addr.Unmap().String()
	}
	if got != want {
		return r.fail(ErrUnreadable, nil, fmt.Errorf("answer's %q is %q, not %q", field, clean(got, r.secrets), want))
	}
	return nil
}

// decodeV3Deleted checks a DELETE's answer: 204, or any JSON success.
func decodeV3Deleted(r reply) error {
	body, apiErr := r.checkV3()
	if apiErr != nil {
		return apiErr
	}
	if len(body) > 0 && !json.Valid(body) {
		return r.fail(ErrUnreadable, nil, errors.New("expected no body or JSON"))
	}
	return nil
}

// decodeV3RDNSList decodes a page of GET /v3/whitelabel/ips: a list of reverse DNS objects.
func decodeV3RDNSList(r reply) ([]ReverseDNS, error) {
	list, err := r.v3List()
	if err != nil {
		return nil, err
	}
	out := make([]ReverseDNS, 0, len(list))
	for _, raw := range list {
		rec, err := r.v3RDNS(raw)
		if err != nil {
			return nil, err
		}
		out = append(out, rec)
	}
	return out, nil
}

// decodeV3RDNS decodes one reverse DNS object, which must be record id (0: any) of ip ("": any).
func decodeV3RDNS(r reply, id int64, ip string) (ReverseDNS, error) {
	body, apiErr := r.checkV3()
	if apiErr != nil {
		return ReverseDNS{}, apiErr
	}
	if len(body) == 0 || body[0] != '{' {
		return ReverseDNS{}, r.fail(ErrUnreadable, nil, errors.New("expected a JSON object"))
	}
	rec, err := r.v3RDNS(body)
	switch {
	case err != nil:
		return ReverseDNS{}, err
	case id != 0 && rec.ID != id:
		return ReverseDNS{}, r.fail(ErrUnreadable, nil, fmt.Errorf("answer is about reverse DNS record %d, not %d", rec.ID, id))
	case ip != "" && rec.IP != ip:
		return ReverseDNS{}, r.fail(ErrUnreadable, nil, fmt.Errorf("answer is about IP %s, not %s", rec.IP, ip))
	}
	return rec, nil
}

// v3RDNS decodes one reverse DNS object; id, ip, rdns, domain and a_record are required.
func (r reply) v3RDNS(raw json.RawMessage) (ReverseDNS, error) {
	var e struct {
		ID        *int64  `json:"id"`
		IP        *string `json:"ip"`
		RDNS      *string `json:"rdns"`
		Domain    *string `json:"domain"`
		Subdomain *string `json:"subdomain"`
		Valid     *bool   `json:"valid"`
		Legacy    *bool   `json:"legacy"`
		ARecord   *struct {
			Valid *bool   `json:"valid"`
			Type  *string `json:"type"`
			Host  *string `json:"host"`
			Data  *string `json:"data"`
		} `json:"a_record"`
	}
	if err := json.Unmarshal(raw, &e); err != nil {
		return ReverseDNS{}, r.fail(ErrUnreadable, nil, fmt.Errorf("reverse DNS entry is not the expected object: %w", err))
	}
	for _, f := range []struct {
		name    string
		missing bool
	}{{"id", e.ID == nil || *e.ID <= 0}, {"ip", e.IP == nil}, {"rdns", e.RDNS == nil}, {"domain", e.Domain == nil}, {"a_record", e.ARecord == nil}} {
		if f.missing {
			return ReverseDNS{}, r.fail(ErrUnreadable, nil, fmt.Errorf("reverse DNS entry has no %q", f.name))
		}
	}
	addr, err := r.ip(*e.IP)
	if err != nil {
		return ReverseDNS{}, err
	}
	text := func(s *string) string {
		if s == nil {
			return ""
		}
		return clean(*s, r.secrets)
	}
	return ReverseDNS{
		ID: *e.ID, IP: addr, RDNS: text(e.RDNS), Domain: text(e.Domain), Subdomain: text(e.Subdomain),
		Valid: e.Valid != nil && *e.Valid, Legacy: e.Legacy != nil && *e.Legacy,
		ARecord: ARecord{Type: strings.ToUpper(text(e.ARecord.Type)), Host: text(e.ARecord.Host), Data: text(e.ARecord.Data),
			Valid: e.ARecord.Valid != nil && *e.ARecord.Valid},
	}, nil
}

// decodeV3Validation decodes POST /v3/whitelabel/ips/{id}/validate:
// {"id":..,"valid":..,"validation_results":{"a_record":{"valid":..,"reason":".."|null}}}.
func decodeV3Validation(r reply, id int64) (Validation, error) {
	body, apiErr := r.checkV3()
	if apiErr != nil {
		return Validation{}, apiErr
	}
	var e struct {
		ID      *int64 `json:"id"`
		Valid   *bool  `json:"valid"`
		Results *struct {
			ARecord *struct {
				Valid  *bool   `json:"valid"`
				Reason *string `json:"reason"`
			} `json:"a_record"`
		} `json:"validation_results"`
	}
	if len(body) == 0 || body[0] != '{' {
		return Validation{}, r.fail(ErrUnreadable, nil, errors.New("expected a JSON object"))
	}
	if err := json.Unmarshal(body, &e); err != nil {
		return Validation{}, r.fail(ErrUnreadable, nil, fmt.Errorf("validation is not the expected object: %w", err))
	}
	switch {
	case e.ID == nil || *e.ID != id:
		return Validation{}, r.fail(ErrUnreadable, nil, fmt.Errorf(`answer's "id" is not %d`, id))
	case e.Valid == nil:
		return Validation{}, r.fail(ErrUnreadable, nil, errors.New(`answer has no "valid"`))
	case e.Results == nil || e.Results.ARecord == nil || e.Results.ARecord.Valid == nil:
		return Validation{}, r.fail(ErrUnreadable, nil, errors.New(`answer has no "validation_results.a_record.valid"`))
	}
	v := Validation{Valid: *e.Valid && *e.Results.ARecord.Valid}
	if e.Results.ARecord.Reason != nil {
		v.Reason = clean(*e.Results.ARecord.Reason, r.secrets)
	}
	return v, nil
}

// decodeV3Warmup decodes POST /v3/ips/warmup, [{"ip":"..","start_date":..}]: ip's start date, 0 when null.
func decodeV3Warmup(r reply, ip string) (int64, error) {
	list, err := r.v3List()
	if err != nil {
		return 0, err
	}
	for _, raw := range list {
		var e struct {
			IP        json.RawMessage `json:"ip"`
			StartDate *int64          `json:"start_date"`
		}
		if err := json.Unmarshal(raw, &e); err != nil {
			return 0, r.fail(ErrUnreadable, nil, fmt.Errorf("warmup entry is not the expected object: %w", err))
		}
		addr, err := r.ip(stringValue(e.IP))
		if err != nil {
			return 0, err
		}
		if addr == ip {
			if e.StartDate == nil {
				return 0, nil
			}
			return *e.StartDate, nil
		}
	}
	return 0, r.fail(ErrUnreadable, nil, fmt.Errorf("answer does not list %s", ip))
}
