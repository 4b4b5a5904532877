package sendgridmock

import (
	"bytes"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/calls"
)

// The v3 calls, by the names Request.Call, Count and Fault.Call use.
const ()

const (
	v3DefaultLimit = 10
	v3MaxLimit     = 500
	v3MaxBody      = 1 << 20
)

// Messages of the v3 error answers.
const (
	msgV3Auth         = "authorization required"
	msgV3NoSubuser    = "subuser not found"
	msgV3NotFound     = "Resource not found"
	msgV3Method       = "method not allowed"
	msgV3TooMany      = "too many requests"
	msgV3ServerError  = "internal server error"
	msgV3Limit        = "limit must be an integer from 1 to 500"
	msgV3Offset       = "offset must be an integer of 0 or more"
	msgV3NotAnIPArray = "request body must be a JSON array of IP address strings"
)

// credentialParams are query parameters that carry a secret by their name alone.
var credentialParams = []string{"api_key", "api_user", "key", "token", "access_token", "authorization"}

func isV3(call string) bool { return strings.Contains(call, " /v3/") }

// v3Route is what an escaped path under /v3/ names: the calls on it, one per method, and its unescaped
// segments (the PUT's subuser, a pool's name, an IP, a reverse DNS record's id).
type v3Route struct {
	calls              []string
	user, pool, ip, id string
}

// routeV3 finds what an escaped path under /v3/ names; false for no call's path, or a segment empty or badly escaped.
func routeV3(escapedPath string) (rt v3Route, ok bool) {
	segs := strings.Split(strings.TrimPrefix(escapedPath, "/v3/"), "/")
	arg := func(k int) string {
		v, err := url.PathUnescape(segs[k])
		if err != nil || v == "" {
			ok = false
		}
		return v
	}
	ok = true
	ipsPools := len(segs) >= 2 && segs[0] == "ips" && segs[1] == "pools"
	warmup := len(segs) >= 2 && segs[0] == "ips" && segs[1] == "warmup"
	whitelabel := len(segs) >= 2 && segs[0] == "whitelabel" && segs[1] == "ips"
	switch {
	case len(segs) == 2 && warmup:
		rt.calls = []string{calls.V3Warmups, calls.V3StartWarmup}
	case len(segs) == 3 && warmup:
		rt.calls, rt.ip = []string{calls.V3Warmup, calls.V3StopWarmup}, arg(2)
	case len(segs) == 2 && whitelabel:
		rt.calls = []string{calls.V3ReverseDNSList, calls.V3CreateReverseDNS}
	case len(segs) == 3 && whitelabel:
		rt.calls, rt.id = []string{calls.V3ReverseDNS, calls.V3DeleteReverseDNS}, arg(2)
	case len(segs) == 4 && whitelabel && segs[3] == "validate":
		rt.calls, rt.id = []string{calls.V3ValidateReverseDNS}, arg(2)
	case len(segs) == 1 && segs[0] == "ips":
		rt.calls = []string{calls.V3IPs}
	case len(segs) == 1 && segs[0] == "subusers":
		rt.calls = []string{calls.V3Subusers}
	case len(segs) == 3 && segs[0] == "subusers" && segs[2] == "ips":
		rt.calls, rt.user = []string{calls.V3SetSubuserIPs}, arg(1)
	case len(segs) == 2 && ipsPools:
		rt.calls = []string{calls.V3Pools, calls.V3CreatePool}
	case len(segs) == 2 && segs[0] == "ips":
		rt.calls, rt.ip = []string{calls.V3IP}, arg(1)
	case len(segs) == 3 && ipsPools:
		rt.calls, rt.pool = []string{calls.V3Pool, calls.V3DeletePool}, arg(2)
	case len(segs) == 4 && ipsPools && segs[3] == "ips":
		rt.calls, rt.pool = []string{calls.V3AddPoolIP}, arg(2)
	case len(segs) == 5 && ipsPools && segs[3] == "ips":
		rt.calls, rt.pool, rt.ip = []string{calls.V3RemovePoolIP}, arg(2), arg(4)
	default:
		return v3Route{}, false
	}
	return rt, ok
}

// call is the route's call for method, else "" and the methods it allows.
func (rt v3Route) call(method string) (call, allow string) {
	methods := make([]string, len(rt.calls))
	for k, c := range rt.calls {
		methods[k], _, _ = strings.Cut(c, " ")
		if methods[k] == method {
			return c, ""
		}
	}
	return "", strings.Join(methods, ", ")
}

// serveV3 answers one v3 request and returns it as logged.
func (s *Server) serveV3(w http.ResponseWriter, r *http.Request) Request {
	now := s.now()
	q := r.URL.Query()
	token, bearer := bearerToken(r.Header.Get("Authorization"))
	rt, known := routeV3(r.URL.EscapedPath())
	call, allow := rt.call(r.Method)
	user := rt.user
	switch call {
	case calls.V3IPs:
		user = q.Get("subuser")
	case calls.V3Subusers:
		user = q.Get("username")
	}
	rec := Request{Method: r.Method, User: user, Pool: rt.pool, Time: now, BearerAuth: bearer, UserAgent: r.UserAgent(),
		CredentialsInQuery: s.keyInQuery(r.URL.RawQuery, q)}
	rec.Limit, _ = strconv.Atoi(q.Get("limit"))
	rec.Offset, _ = strconv.Atoi(q.Get("offset"))
	if rt.ip != "" {
		rec.IPs = []string{rt.ip}
	}
	if known {
		rec.Format, rec.Call = "json", call
	}
	var ips []string
	var field string // the pool's name or the IP a POST's body gives
	var bodyErr error
	var rdnsReq rdnsBody
	s.serve(w, r, &rec, func() (response, bool) {
		body := http.MaxBytesReader(w, r.Body, v3MaxBody)
		switch {
		case !known:
			return v3ErrorResponse(http.StatusNotFound, "", msgV3NotFound), true
		case rec.Call == "":
			w.Header().Set("Allow", allow)
			return v3ErrorResponse(http.StatusMethodNotAllowed, "", msgV3Method), true
		case call == calls.V3SetSubuserIPs:
			ips, bodyErr = readIPArray(body)
			rec.IPs = ips
		case call == calls.V3CreatePool:
			field, bodyErr = readStringField(body, "name")
			rec.Pool = field
		case call == calls.V3AddPoolIP, call == calls.V3StartWarmup:
			field, bodyErr = readStringField(body, "ip")
			rec.IPs = []string{field}
		case call == calls.V3CreateReverseDNS:
			rdnsReq = readRDNSBody(body)
			rec.IPs = []string{rdnsReq.ip}
		case call == calls.V3ReverseDNSList && q.Has("ip"):
			rec.IPs = []string{q.Get("ip")}
		}
		return response{}, false
	}, func(apply bool) response {
		if !s.authorizedV3(token) {
			return v3ErrorResponse(http.StatusUnauthorized, "", msgV3Auth)
		}
		switch call {
		case calls.V3SetSubuserIPs:
			return s.v3SetIPs(user, ips, bodyErr, apply)
		case calls.V3IP:
			return s.v3GetIP(rt.ip)
		case calls.V3Pools:
			return s.v3ListPools()
		case calls.V3CreatePool:
			return s.v3CreatePool(field, bodyErr, apply)
		case calls.V3Pool:
			return s.v3GetPool(rt.pool)
		case calls.V3DeletePool:
			return s.v3DeletePool(rt.pool, apply)
		case calls.V3AddPoolIP:
			return s.v3AddPoolIP(rt.pool, field, bodyErr, apply)
		case calls.V3RemovePoolIP:
			return s.v3RemovePoolIP(rt.pool, rt.ip, apply)
		case calls.V3CreateReverseDNS:
			return s.v3CreateReverseDNS(rdnsReq, apply)
		case calls.V3ReverseDNS:
			return s.v3GetReverseDNS(rt.id)
		case calls.V3DeleteReverseDNS:
			return s.v3DeleteReverseDNS(rt.id, apply)
		case calls.V3ValidateReverseDNS:
			return s.v3ValidateReverseDNS(rt.id, apply)
		case calls.V3StartWarmup:
			return s.v3StartWarmup(field, bodyErr, apply)
		case calls.V3Warmups:
			return s.v3ListWarmup()
		case calls.V3Warmup:
			return s.v3GetWarmup(rt.ip)
		case calls.V3StopWarmup:
			return s.v3StopWarmup(rt.ip, apply)
		}
		limit, ok := pageParam(q, "limit", v3DefaultLimit, 1, v3MaxLimit)
		if !ok {
			return v3ErrorResponse(http.StatusBadRequest, "limit", msgV3Limit)
		}
		offset, ok := pageParam(q, "offset", 0, 0, -1)
		if !ok {
			return v3ErrorResponse(http.StatusBadRequest, "offset", msgV3Offset)
		}
		switch call {
		case calls.V3IPs:
			return s.v3ListIPs(user, offset, limit, apply)
		case calls.V3ReverseDNSList:
			return s.v3ListReverseDNS(q.Get("ip"), offset, limit, apply)
		}
		return s.v3ListSubusers(user, offset, limit, apply)
	})
	return rec
}

// bearerToken reads an Authorization header of the Bearer scheme, in any case (RFC 9110).
func bearerToken(h string) (token string, ok bool) {
	const scheme = "bearer "
	if len(h) < len(scheme) || !strings.EqualFold(h[:len(scheme)], scheme) {
		return "", false
	}
	return strings.TrimSpace(h[len(scheme):]), true
}

// keyInQuery reports whether a query carries the API key, or a parameter named as a credential.
func (s *Server) keyInQuery(raw string, q url.Values) bool {
	_, key := s.credentials()
	if key != "" && strings.Contains(raw, key) {
		return true
	}
	for name, vs := range q {
		if slices.Contains(credentialParams, strings.ToLower(name)) {
			return true
		}
		if key != "" && (strings.Contains(name, key) || slices.ContainsFunc(vs, func(v string) bool { return strings.Contains(v, key) })) {
			return true
		}
	}
	return false
}

// authorizedV3 checks the bearer token in constant time; an account without a key refuses everything.
func (s *Server) authorizedV3(token string) bool {
	_, key := s.credentials()
	return key != "" && subtle.ConstantTimeCompare([]byte(token), []byte(key)) == 1
}

// readIPArray decodes a PUT body: an array of strings, not null.
func readIPArray(body io.Reader) ([]string, error) {
	b, err := io.ReadAll(body)
	if err != nil {
		return nil, err
	}
	if t := bytes.TrimSpace(b); len(t) == 0 || t[0] != '[' {
		return nil, errors.New(msgV3NotAnIPArray)
	}
	var raw []*string
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, err
	}
	ips := make([]string, len(raw))
	for i, p := range raw {
		if p == nil {
			return nil, errors.New(msgV3NotAnIPArray)
		}
		ips[i] = *p
	}
	return ips, nil
}

// readStringField decodes a POST body, a JSON object, and returns its field key: "" when absent or null,
// an error when it is not a string.
func readStringField(body io.Reader, key string) (string, error) {
	b, err := io.ReadAll(body)
	if err != nil {
		return "", err
	}
	if t := bytes.TrimSpace(b); len(t) == 0 || t[0] != '{' {
		return "", errors.New("not a JSON object")
	}
	var obj map[string]*string
	err = json.Unmarshal(b, &obj)
	if v := obj[key]; err == nil && v != nil {
		return *v, nil
	}
	return "", err
}

// pageParam reads a paging parameter: def when absent, else an integer in [lo, hi] (hi < 0: unbounded).
func pageParam(q url.Values, name string, def, lo, hi int) (int, bool) {
	if _, sent := q[name]; !sent {
		return def, true
	}
	n, err := strconv.Atoi(q.Get(name))
	if err != nil || n < lo || (hi >= 0 && n > hi) {
		return 0, false
	}
	return n, true
}

// page bounds the page [offset, offset+limit) of n items.
func page(n, offset, limit int) (lo, hi int) {
	lo = min(offset, n)
	return lo, lo + min(limit, n-lo)
}

// v3ListIPs is GET /v3/ips: every IP, or those listing user, ghost or subuser (none for an unknown name).
func (s *Server) v3ListIPs(user string, offset, limit int, apply bool) response {
	limit, empty, dup := s.v3Shape(calls.V3IPs, offset, limit, apply)
	if empty {
		return jsonResponse(http.StatusOK, "[]")
	}
	s.mu.RLock()
	idx := s.st.v3Page(user, offset, limit, dup)
	ips, holders, pools := s.st.strs(idx), s.st.holders(idx), s.st.poolsOf(idx, s.now())
	rdns, warm := make([]string, len(idx)), make([]warmState, len(idx))
	for k, i := range idx {
		rdns[k], warm[k] = s.st.rdns(i), s.st.warm[i]
	}
	s.mu.RUnlock()
	return v3IPsResponse(ips, holders, pools, rdns, warm, s.duplicate.Load())
}

// v3ListSubusers is GET /v3/subusers: those whose name contains the username filter.
func (s *Server) v3ListSubusers(filter string, offset, limit int, apply bool) response {
	limit, empty, dup := s.v3Shape(calls.V3Subusers, offset, limit, apply)
	rows := []v3SubuserRow{}
	if !empty {
		s.mu.RLock()
		names := s.st.matching(filter)
		lo, hi := page(len(names), offset, limit)
		if dup && hi > lo {
			names[lo] = names[0]
		}
		for _, n := range names[lo:hi] {
			su := s.st.subs[n]
			rows = append(rows, v3SubuserRow{ID: su.id, Username: n, Email: emailOf(n, su.id), Disabled: !su.active})
		}
		s.mu.RUnlock()
	}
	return jsonOf(http.StatusOK, rows)
}

// v3SetIPs is the PUT: the subuser then holds exactly ips; nothing changes on any error.
func (s *Server) v3SetIPs(user string, ips []string, bodyErr error, apply bool) response {
	if bodyErr != nil {
		return v3ErrorResponse(http.StatusBadRequest, "", msgV3NotAnIPArray)
	}
	if len(ips) == 0 && s.refuseEmpty.Load() {
		return v3ErrorResponse(http.StatusBadRequest, "ips", msgAtLeastOne)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	su, ok := s.st.subs[user]
	if !ok {
		return v3ErrorResponse(http.StatusNotFound, "", msgV3NoSubuser)
	}
	idx, bad := s.st.resolve(ips)
	if len(bad) > 0 {
		return v3ErrorResponse(http.StatusBadRequest, "ips", notYours(bad)...)
	}
	if apply {
		s.st.setIPs(su, idx)
	}
	held := idx[:max(len(idx)-int(s.putDrops.Load()), 0)]
	return jsonOf(http.StatusOK, map[string][]string{"ips": s.repeat(s.st.strs(held))})
}

// SetPageCap makes every v3 list serve at most n items a page whatever limit asks (n <= 0: off); kept by Reset, as every option.
func (s *Server) SetPageCap(n int) { s.pageCap.Store(int64(max(n, 0))) }

// SetPutAnswerDrops makes a successful v3 PUT answer without the last n IPs the subuser now holds, the account written in full (n <= 0: off); kept by Reset.
func (s *Server) SetPutAnswerDrops(n int) { s.putDrops.Store(int64(max(n, 0))) }

// SetEmptyPage makes the v3 list call answer [] at offset the next times requests (times <= 0: always; offset < 0: off); kept by Reset.
func (s *Server) SetEmptyPage(call string, offset, times int) {
	s.pageShapes.set(shapeEmpty, call, offset, times)
}

// SetDuplicateAcrossPages makes the v3 list call's page at offset open with item 0 in place of its own first, the next times requests (times <= 0: always; offset <= 0: off); kept by Reset.
func (s *Server) SetDuplicateAcrossPages(call string, offset, times int) {
	s.pageShapes.set(shapeDuplicate, call, offset, times)
}

// v3Shape applies the page switches to a list request at offset: the page's size, and whether it comes empty or with item 0 first.
func (s *Server) v3Shape(call string, offset, limit int, apply bool) (size int, empty, dup bool) {
	if c := int(s.pageCap.Load()); c > 0 {
		limit = min(limit, c)
	}
	if s.pageShapes.take(shapeEmpty, call, offset, apply) {
		return limit, true, false
	}
	return limit, false, offset > 0 && s.pageShapes.take(shapeDuplicate, call, offset, apply)
}

type shapeKind int

const (
	shapeEmpty shapeKind = iota
	shapeDuplicate
)

type shapeKey struct {
	kind shapeKind
	call string
}

// pageShape is one page switch: the offset it applies at and the requests left (0: every one).
type pageShape struct{ offset, left int }

// pageShapes holds one setting per switch and paged list call; the ?subuser and ?username forms share their call's.
type pageShapes struct {
	mu sync.Mutex
	on map[shapeKey]*pageShape
}

func (p *pageShapes) set(kind shapeKind, call string, offset, times int) {
	if call != calls.V3IPs && call != calls.V3Subusers && call != calls.V3ReverseDNSList {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	k := shapeKey{kind, call}
	if offset < 0 || (kind == shapeDuplicate && offset == 0) {
		delete(p.on, k)
		return
	}
	if p.on == nil {
		p.on = make(map[shapeKey]*pageShape)
	}
	p.on[k] = &pageShape{offset: offset, left: max(times, 0)}
}

// take reports whether a switch applies to a request at offset; only an applied request uses one of its times.
func (p *pageShapes) take(kind shapeKind, call string, offset int, apply bool) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	k := shapeKey{kind, call}
	sh, ok := p.on[k]
	if !ok || sh.offset != offset {
		return false
	}
	if apply && sh.left > 0 {
		if sh.left--; sh.left == 0 {
			delete(p.on, k)
		}
	}
	return true
}
