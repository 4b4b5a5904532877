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
)

// The v3 calls, by the names Request.Call, Count and Fault.Call use.
const (
	CallV3ListIPs       = "GET /v3/ips"
	CallV3ListSubusers  = "GET /v3/subusers"
	CallV3SetSubuserIPs = "PUT /v3/subusers/{name}/ips"
)

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

// credentialParams are query parameter names that carry a secret by their name alone.
var credentialParams = []string{"api_key", "api_user", "key", "token", "access_token", "authorization"}

func isV3(call string) bool {
	return call == CallV3ListIPs || call == CallV3ListSubusers || call == CallV3SetSubuserIPs
}

// v3Call is a routed v3 request, everything execution needs.
type v3Call struct {
	call, user    string
	query         url.Values
	token         string
	ips           []string
	bodyErr       error
	limit, offset int
}

// routeV3 finds the call of an escaped path under /v3/; user is the
// unescaped {name} of the PUT path.
func routeV3(escapedPath string) (call, user string, ok bool) {
	segs := strings.Split(strings.TrimPrefix(escapedPath, "/v3/"), "/")
	switch {
	case len(segs) == 1 && segs[0] == "ips":
		return CallV3ListIPs, "", true
	case len(segs) == 1 && segs[0] == "subusers":
		return CallV3ListSubusers, "", true
	case len(segs) == 3 && segs[0] == "subusers" && segs[2] == "ips":
		name, err := url.PathUnescape(segs[1])
		return CallV3SetSubuserIPs, name, err == nil && name != ""
	}
	return "", "", false
}

// method is the HTTP method of a call, its name's first word.
func method(call string) string { return call[:strings.IndexByte(call, ' ')] }

// serveV3 is ServeHTTP for /v3/, in the same order as v2: log fields, rate
// limit, route, faults, credentials, the call itself.
func (s *Server) serveV3(w http.ResponseWriter, r *http.Request) {
	now := s.now()
	q := r.URL.Query()
	token, bearer := bearerToken(r.Header.Get("Authorization"))
	call, user, known := routeV3(r.URL.EscapedPath())
	c := v3Call{call: call, user: user, query: q, token: token}
	switch call {
	case CallV3ListIPs:
		c.user = q.Get("subuser")
	case CallV3ListSubusers:
		c.user = q.Get("username")
	}
	rec := Request{
		Method:             r.Method,
		User:               c.user,
		Time:               now,
		CredentialsInQuery: s.keyInQuery(r.URL.RawQuery, q),
		BearerAuth:         bearer,
		UserAgent:          r.UserAgent(),
	}
	rec.Limit, _ = strconv.Atoi(q.Get("limit"))
	rec.Offset, _ = strconv.Atoi(q.Get("offset"))
	if known {
		rec.Format = "json"
	}
	if known && r.Method == method(call) {
		rec.Call = call
	}

	if v := s.limiter.take(now); v.enabled {
		v.headers(w.Header(), now)
		if !v.allowed {
			s.rateLimited.Add(1)
			s.finish(w, &rec, jsonAnswer(http.StatusTooManyRequests, v3TooManyRequestsBody))
			return
		}
	}
	if !known {
		s.finish(w, &rec, v3ErrorAnswer(http.StatusNotFound, "", msgV3NotFound))
		return
	}
	if rec.Call == "" {
		w.Header().Set("Allow", method(call))
		s.finish(w, &rec, v3ErrorAnswer(http.StatusMethodNotAllowed, "", msgV3Method))
		return
	}
	if call == CallV3SetSubuserIPs {
		c.ips, c.bodyErr = readIPArray(http.MaxBytesReader(w, r.Body, v3MaxBody))
		rec.IPs = c.ips
	}

	execute := func(apply bool) answer { return s.executeV3(c, apply) }
	if f, ok := s.faults.pick(rec.Call, rec.Name(), ""); ok {
		rec.Fault = f.Kind
		s.serveFault(w, r, &rec, f, execute)
		return
	}
	s.finish(w, &rec, execute(true))
}

// bearerToken reads an Authorization header of the Bearer scheme (case
// insensitive, as RFC 9110 says of schemes).
func bearerToken(h string) (token string, ok bool) {
	const scheme = "bearer "
	if len(h) < len(scheme) || !strings.EqualFold(h[:len(scheme)], scheme) {
		return "", false
	}
	return strings.TrimSpace(h[len(scheme):]), true
}

// keyInQuery reports whether a query string carries the API key, or a
// parameter whose name says it is a credential.
func (s *Server) keyInQuery(raw string, q url.Values) bool {
	s.mu.RLock()
	key := s.st.apiKey
	s.mu.RUnlock()
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

// authorizedV3 checks the bearer token in constant time; an account
// without a key refuses everything.
func (s *Server) authorizedV3(token string) bool {
	s.mu.RLock()
	key := s.st.apiKey
	s.mu.RUnlock()
	return key != "" && subtle.ConstantTimeCompare([]byte(token), []byte(key)) == 1
}

// readIPArray decodes a PUT body; JSON null is neither an array nor a string.
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

// executeV3 carries out a routed v3 call; apply false computes the answer
// without changing the account.
func (s *Server) executeV3(c v3Call, apply bool) answer {
	if !s.authorizedV3(c.token) {
		return v3ErrorAnswer(http.StatusUnauthorized, "", msgV3Auth)
	}
	if c.call == CallV3SetSubuserIPs {
		return s.v3SetIPs(c, apply)
	}
	var ok bool
	if c.limit, ok = pageParam(c.query, "limit", v3DefaultLimit, 1, v3MaxLimit); !ok {
		return v3ErrorAnswer(http.StatusBadRequest, "limit", msgV3Limit)
	}
	if c.offset, ok = pageParam(c.query, "offset", 0, 0, -1); !ok {
		return v3ErrorAnswer(http.StatusBadRequest, "offset", msgV3Offset)
	}
	if c.call == CallV3ListIPs {
		return s.v3ListIPs(c)
	}
	return s.v3ListSubusers(c)
}

// pageParam reads a paging parameter: def when absent, else an integer in
// [lo, hi] (hi < 0: no upper bound).
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

// page returns the bounds of the page [offset, offset+limit) of n items.
func page(n, offset, limit int) (lo, hi int) {
	lo = min(offset, n)
	return lo, lo + min(limit, n-lo)
}

// v3ListIPs is GET /v3/ips: every IP, or with a subuser filter only the IPs
// that subuser holds (none for an unknown subuser).
func (s *Server) v3ListIPs(c v3Call) answer {
	s.mu.RLock()
	var idx []int
	if c.user == "" {
		lo, hi := page(len(s.st.ips), c.offset, c.limit)
		for i := lo; i < hi; i++ {
			idx = append(idx, i)
		}
	} else if su, ok := s.st.subs[c.user]; ok {
		lo, hi := page(len(su.ips), c.offset, c.limit)
		idx = su.ips[lo:hi]
	}
	ips := make([]string, len(idx))
	for k, i := range idx {
		ips[k] = s.st.ips[i].String()
	}
	holders := s.st.holders(idx)
	s.mu.RUnlock()
	return v3IPsAnswer(ips, holders, repeat(s.duplicate.Load()))
}

// v3ListSubusers is GET /v3/subusers: subusers whose name contains the
// username filter, by name.
func (s *Server) v3ListSubusers(c v3Call) answer {
	var rows []v3Subuser
	s.mu.RLock()
	for _, n := range s.st.names() {
		if strings.Contains(n, c.user) {
			su := s.st.subs[n]
			rows = append(rows, v3Subuser{id: su.id, username: n, disabled: !su.active})
		}
	}
	s.mu.RUnlock()
	lo, hi := page(len(rows), c.offset, c.limit)
	return v3SubusersAnswer(rows[lo:hi])
}

// v3SetIPs is PUT /v3/subusers/{name}/ips: the subuser then holds exactly
// the given IPs. Nothing changes on any error.
func (s *Server) v3SetIPs(c v3Call, apply bool) answer {
	if c.bodyErr != nil {
		return v3ErrorAnswer(http.StatusBadRequest, "", msgV3NotAnIPArray)
	}
	if len(c.ips) == 0 && s.refuseEmpty.Load() {
		return v3ErrorAnswer(http.StatusBadRequest, "ips", msgAtLeastOne)
	}
	s.mu.Lock()
	su, ok := s.st.subs[c.user]
	if !ok {
		s.mu.Unlock()
		return v3ErrorAnswer(http.StatusNotFound, "", msgV3NoSubuser)
	}
	idx, bad := s.st.resolve(c.ips)
	if len(bad) > 0 {
		s.mu.Unlock()
		msgs := make([]string, len(bad))
		for i, b := range bad {
			msgs[i] = notYours(b)
		}
		return v3ErrorAnswer(http.StatusBadRequest, "ips", msgs...)
	}
	if apply {
		s.st.setIPs(su, idx)
	}
	ips := make([]string, len(idx))
	for k, i := range idx {
		ips[k] = s.st.ips[i].String()
	}
	s.mu.Unlock()
	return v3HeldAnswer(ips, repeat(s.duplicate.Load()))
}
