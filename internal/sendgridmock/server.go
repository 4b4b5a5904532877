// Package sendgridmock is an in-memory imitation of the SendGrid Web API v2
// IP-management calls (customer.ip, customer.sendip) and the reseller calls
// around them (customer.add/delete/enable/disable/profile), and of their v3
// successors (GET /v3/ips, GET /v3/subusers, PUT /v3/subusers/{name}/ips),
// both served from one account. Acceptance tests,
// fault-injection tests and benchmarks run the provider against it, and
// users run it as the sendgrid-mock command.
//
// It answers like the real API as the project's spec describes it, including its
// oddities (errors on HTTP 200, several error shapes, duplicated IPs), and
// can misbehave on purpose: rate limits, injected faults, dropped
// connections. Every request is logged for tests to inspect.
//
// Locks: the account, the log, the faults and the rate limiter each have
// their own lock, held only for a few map and slice operations, never while
// writing an answer or sleeping.
package sendgridmock

import (
	"crypto/subtle"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Server is the mock. Create it with New; its zero value is an empty
// account that refuses every request for want of credentials.
type Server struct {
	mu sync.RWMutex // guards st
	st state

	duplicate   atomic.Bool
	refuseEmpty atomic.Bool
	badCreds    atomic.Int32 // a BadCredentialsShape
	limiter     limiter
	rateLimited atomic.Int64
	faults      faultSet
	log         requestLog

	// clock is time.Now unless a test in this package stubs it.
	clock func() time.Time

	srvMu   sync.Mutex // guards the fields below
	httpSrv *http.Server
	url     string
	v3url   string
	done    chan struct{} // closed by Close, so delayed answers stop waiting
	served  chan struct{} // closed when the Serve goroutine returns
}

// New returns a server holding seed's account, after validating it: IPs must
// be valid and distinct, subuser names non-empty and distinct, and subusers
// may only hold the reseller's IPs.
func New(seed Seed) (*Server, error) {
	st, err := buildState(seed)
	if err != nil {
		return nil, err
	}
	return &Server{st: st}, nil
}

// now is the current time, stubbable in tests.
func (s *Server) now() time.Time {
	if s.clock != nil {
		return s.clock()
	}
	return time.Now()
}

// Start listens on addr (e.g. "127.0.0.1:0"), serves in the background and
// returns the base URL, "http://HOST:PORT/apiv2/". A server can be started
// again after Close.
func (s *Server) Start(addr string) (baseURL string, err error) {
	s.srvMu.Lock()
	defer s.srvMu.Unlock()
	if s.httpSrv != nil {
		return "", errors.New("sendgridmock: server already started")
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", fmt.Errorf("sendgridmock: %w", err)
	}
	srv := &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	served := make(chan struct{})
	go func() {
		defer close(served)
		_ = srv.Serve(ln) // returns http.ErrServerClosed on Close
	}()
	s.httpSrv, s.served, s.done = srv, served, make(chan struct{})
	s.v3url = "http://" + ln.Addr().String() + "/"
	s.url = s.v3url + "apiv2/"
	return s.url, nil
}

// URL returns the base URL Start returned, or "" when not serving.
func (s *Server) URL() string {
	s.srvMu.Lock()
	defer s.srvMu.Unlock()
	return s.url
}

// V3URL returns the v3 base URL, "http://HOST:PORT/", or "" when not
// serving.
func (s *Server) V3URL() string {
	s.srvMu.Lock()
	defer s.srvMu.Unlock()
	return s.v3url
}

// Close stops serving and closes open connections; delayed answers in
// flight give up. It is safe to call on a server never started, and twice.
func (s *Server) Close() error {
	s.srvMu.Lock()
	srv, done, served := s.httpSrv, s.done, s.served
	s.httpSrv, s.done, s.served, s.url, s.v3url = nil, nil, nil, "", ""
	s.srvMu.Unlock()
	if srv == nil {
		return nil
	}
	close(done)
	err := srv.Close()
	<-served
	return err
}

// closing returns the channel Close closes (nil when not serving, which
// never fires in a select).
func (s *Server) closing() <-chan struct{} {
	s.srvMu.Lock()
	defer s.srvMu.Unlock()
	return s.done
}

// StartTest starts a server for a test on 127.0.0.1:0 and closes it when the
// test ends. A bad seed or a failure to listen fails the test.
func StartTest(t testing.TB, seed Seed) *Server {
	t.Helper()
	s, err := New(seed)
	if err != nil {
		t.Fatalf("sendgridmock: %v", err)
	}
	if _, err := s.Start("127.0.0.1:0"); err != nil {
		t.Fatalf("sendgridmock: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// SetDuplicateIPs makes list answers (customer.ip and customer.sendip
// task=list) repeat every IP twice, as the documented example does, so
// clients are tested to compare IPs as sets.
func (s *Server) SetDuplicateIPs(on bool) { s.duplicate.Store(on) }

// SetRefuseEmptyIPs makes PUT /v3/subusers/{name}/ips refuse an empty
// array with 400, as v2's set=specify does.
func (s *Server) SetRefuseEmptyIPs(on bool) { s.refuseEmpty.Store(on) }

// SetBadCredentialsShape chooses the answer to wrong or missing credentials.
func (s *Server) SetBadCredentialsShape(shape BadCredentialsShape) {
	s.badCreds.Store(int32(shape)) //nolint:gosec // a small enum
}

// The calls the mock knows, by the last path segment without its extension.
const (
	callIP      = "customer.ip"
	callSendIP  = "customer.sendip"
	callDisable = "customer.disable"
	callEnable  = "customer.enable"
	callAdd     = "customer.add"
	callDelete  = "customer.delete"
	callProfile = "customer.profile"
)

// route finds the call and format from the last path segment, so any prefix
// (/apiv2/, /api/v2/, /) works as with the real host names.
func route(path string) (call, format string, ok bool) {
	seg := path[strings.LastIndexByte(path, '/')+1:]
	dot := strings.LastIndexByte(seg, '.')
	if dot < 0 {
		return "", "", false
	}
	call, format = seg[:dot], seg[dot+1:]
	if format != "json" && format != "xml" {
		return "", "", false
	}
	switch call {
	case callIP, callSendIP, callDisable, callEnable, callAdd, callDelete, callProfile:
		return call, format, true
	}
	return "", "", false
}

// params are a request's parameters, from the query and the body merged.
type params struct {
	apiUser, apiKey string
	task, set, list string
	user, username  string
	active          string
	ips             []string // ip[] values, then ip[N] values by N
}

// readParams extracts the parameters. Where a single value is expected and
// several are sent, the first wins; r.Form lists body values before query
// values, so the body takes precedence.
func readParams(form url.Values) params {
	p := params{
		apiUser:  form.Get("api_user"),
		apiKey:   form.Get("api_key"),
		task:     form.Get("task"),
		set:      form.Get("set"),
		list:     form.Get("list"),
		user:     form.Get("user"),
		username: form.Get("username"),
		active:   form.Get("active"),
	}
	p.ips = append(p.ips, form["ip[]"]...)
	// PHP-style indexed arrays, ip[0]=A&ip[1]=B, were accepted too; collect
	// them in index order (map order is random).
	type indexed struct {
		n    int
		vals []string
	}
	var idx []indexed
	for k, vs := range form {
		if len(k) > 4 && strings.HasPrefix(k, "ip[") && k[len(k)-1] == ']' {
			if n, err := strconv.Atoi(k[3 : len(k)-1]); err == nil && n >= 0 {
				idx = append(idx, indexed{n, vs})
			}
		}
	}
	sort.Slice(idx, func(i, j int) bool { return idx[i].n < idx[j].n })
	for _, e := range idx {
		p.ips = append(p.ips, e.vals...)
	}
	return p
}

// inQuery reports whether key came in the URL's query string: r.Form holds
// body values and query values, r.PostForm only the body's.
func inQuery(r *http.Request, key string) bool {
	return len(r.Form[key]) > len(r.PostForm[key])
}

// ServeHTTP answers one API request. Order: log fields, rate limit, route,
// faults, credentials, the call itself. A rate-limited request is refused
// before anything else and never processed; faults come before the
// credential check because they imitate the network and proxies in front.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/v3/") {
		s.serveV3(w, r)
		return
	}
	now := s.now()
	formErr := r.ParseForm()
	p := readParams(r.Form)
	call, format, known := route(r.URL.Path)
	rec := Request{
		Call:               call,
		Format:             format,
		Method:             r.Method,
		Task:               p.task,
		Set:                p.set,
		List:               p.list,
		User:               p.user,
		IPs:                p.ips,
		Time:               now,
		CredentialsInQuery: inQuery(r, "api_key") || inQuery(r, "api_user"),
		UserAgent:          r.UserAgent(),
	}
	if rec.User == "" {
		rec.User = p.username // customer.add names the new subuser so
	}

	if v := s.limiter.take(now); v.enabled {
		v.headers(w.Header(), now)
		if !v.allowed {
			s.rateLimited.Add(1)
			s.finish(w, &rec, jsonAnswer(http.StatusTooManyRequests, tooManyRequestsBody))
			return
		}
	}
	if !known {
		s.finish(w, &rec, jsonAnswer(http.StatusNotFound, notFoundBody))
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodPost {
		w.Header().Set("Allow", "GET, POST")
		s.finish(w, &rec, jsonAnswer(http.StatusMethodNotAllowed, methodNotAllowedBody))
		return
	}
	if formErr != nil {
		s.finish(w, &rec, errorsAnswer(format, http.StatusBadRequest, "Malformed request: "+formErr.Error()))
		return
	}

	execute := func(apply bool) answer { return s.execute(call, format, p, apply) }
	if f, ok := s.faults.pick(call, call, p.task); ok {
		rec.Fault = f.Kind
		s.serveFault(w, r, &rec, f, execute)
		return
	}
	s.finish(w, &rec, execute(true))
}

// finish logs the request with its status, then writes the answer. Logging
// first means a client holding the answer always finds its request logged.
func (s *Server) finish(w http.ResponseWriter, rec *Request, a answer) {
	rec.Status = a.status
	s.log.add(*rec)
	h := w.Header()
	for k, v := range a.header {
		h[k] = v
	}
	h.Set("Content-Type", a.ctype)
	h.Set("Content-Length", strconv.Itoa(len(a.body)))
	w.WriteHeader(a.status)
	_, _ = w.Write(a.body) // a client gone away is not the server's error
}

// authorized checks the credentials in constant time. Empty credentials
// never match, so an account without credentials refuses everything.
func (s *Server) authorized(p params) bool {
	s.mu.RLock()
	user, key := s.st.apiUser, s.st.apiKey
	s.mu.RUnlock()
	if user == "" || key == "" {
		return false
	}
	u := subtle.ConstantTimeCompare([]byte(p.apiUser), []byte(user))
	k := subtle.ConstantTimeCompare([]byte(p.apiKey), []byte(key))
	return u&k == 1
}

// execute carries out a routed call. With apply false it computes the answer
// without changing the account (a truncated answer that must not commit).
func (s *Server) execute(call, format string, p params, apply bool) answer {
	if !s.authorized(p) {
		return badCredentialsAnswer(BadCredentialsShape(s.badCreds.Load()), format)
	}
	switch call {
	case callIP:
		return s.customerIP(format, p)
	case callSendIP:
		return s.customerSendIP(format, p, apply)
	case callDisable, callEnable:
		return s.customerEnable(format, p, call == callEnable, apply)
	case callAdd:
		return s.customerAdd(format, p, apply)
	case callDelete:
		return s.customerDelete(format, p, apply)
	default: // callProfile; route admits nothing else
		return s.customerProfile(format, p)
	}
}

// Parameter error messages.
func missing(name string) string { return "Missing required parameter: " + name }
func invalid(name, value string) string {
	return "Invalid value for parameter " + name + ": " + value
}

// Messages of the real API.
const (
	msgNoUser     = "User does not exist"
	msgAtLeastOne = "You need to assign at least ONE IP to your subuser"
	msgUserTaken  = "Username already exists"
)

func notYours(ip string) string { return "IP " + ip + " does not belong to your account" }

// customerIP lists the reseller's IPs of one kind.
func (s *Server) customerIP(format string, p params) answer {
	f := listFilter(p.list)
	switch f {
	case listAll, listFree, listTaken, listAvailable:
	case "":
		return errorsAnswer(format, http.StatusBadRequest, missing("list"))
	default:
		return errorsAnswer(format, http.StatusBadRequest, invalid("list", p.list))
	}
	s.mu.RLock()
	ips := s.st.filter(f)
	s.mu.RUnlock()
	return ipListAnswer(format, ips, s.duplicate.Load())
}

// customerSendIP lists or sets one subuser's sending IPs.
func (s *Server) customerSendIP(format string, p params, apply bool) answer {
	switch p.task {
	case "list":
		if p.user == "" {
			return userErrorAnswer(format, missing("user"))
		}
		s.mu.RLock()
		su, ok := s.st.subs[p.user]
		var ips []string
		if ok {
			ips = s.st.subuserIPs(su)
		}
		cluster := s.st.cluster
		s.mu.RUnlock()
		if !ok {
			return userErrorAnswer(format, msgNoUser)
		}
		if cluster == "" {
			cluster = DefaultOutboundCluster // zero-value server
		}
		return sendIPsAnswer(format, cluster, ips, s.duplicate.Load())
	case "append":
		return s.appendIPs(format, p, apply)
	case "":
		return errorsAnswer(format, http.StatusBadRequest, missing("task"))
	default:
		return errorsAnswer(format, http.StatusBadRequest, invalid("task", p.task))
	}
}

// appendIPs is customer.sendip task=append: despite the name, it sets the
// subuser's IPs to exactly the given set. Nothing changes on any error.
func (s *Server) appendIPs(format string, p params, apply bool) answer {
	if p.user == "" {
		return userErrorAnswer(format, missing("user"))
	}
	switch p.set {
	case "specify", "all", "none":
	case "":
		return errorsAnswer(format, http.StatusBadRequest, missing("set"))
	default:
		return errorsAnswer(format, http.StatusBadRequest, invalid("set", p.set))
	}
	// Empty ip[] values are ignored rather than reported as bad IPs: they
	// come from a client joining an empty list, not from a wrong address.
	var given []string
	for _, ip := range p.ips {
		if ip != "" {
			given = append(given, ip)
		}
	}
	if p.set == "specify" && len(given) == 0 {
		return errorsAnswer(format, http.StatusBadRequest, msgAtLeastOne)
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	su, ok := s.st.subs[p.user]
	if !ok {
		return userErrorAnswer(format, msgNoUser)
	}
	var idx []int
	switch p.set {
	case "specify":
		var bad []string
		idx, bad = s.st.resolve(given)
		if len(bad) > 0 {
			msgs := make([]string, len(bad))
			for i, b := range bad {
				msgs[i] = notYours(b)
			}
			return errorsAnswer(format, http.StatusBadRequest, msgs...)
		}
	case "all":
		idx = make([]int, len(s.st.ips))
		for i := range idx {
			idx[i] = i
		}
	}
	if apply {
		s.st.setIPs(su, idx)
	}
	return successAnswer(format)
}

// customerEnable is customer.enable (on true) and customer.disable.
func (s *Server) customerEnable(format string, p params, on, apply bool) answer {
	if p.user == "" {
		return userErrorAnswer(format, missing("user"))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	su, ok := s.st.subs[p.user]
	if !ok {
		return userErrorAnswer(format, msgNoUser)
	}
	if apply {
		s.st.setActive(su, on)
	}
	return successAnswer(format)
}

// parseActive reads customer.add's optional active flag (default active).
func parseActive(v string) (active, ok bool) {
	switch strings.ToLower(v) {
	case "", "1", "true", "yes", "on":
		return true, true
	case "0", "false", "no", "off":
		return false, true
	}
	return false, false
}

// customerAdd creates a subuser with no IPs. The real call needs more
// (password, e-mail, address); the mock needs only the name.
func (s *Server) customerAdd(format string, p params, apply bool) answer {
	if p.username == "" {
		return errorsAnswer(format, http.StatusBadRequest, missing("username"))
	}
	active, ok := parseActive(p.active)
	if !ok {
		return errorsAnswer(format, http.StatusBadRequest, invalid("active", p.active))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, exists := s.st.subs[p.username]; exists {
		return errorsAnswer(format, http.StatusBadRequest, msgUserTaken)
	}
	if apply {
		s.st.addSubuser(p.username, active, nil)
	}
	return successAnswer(format)
}

// customerDelete deletes a subuser, freeing its IPs.
func (s *Server) customerDelete(format string, p params, apply bool) answer {
	if p.user == "" {
		return userErrorAnswer(format, missing("user"))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.st.subs[p.user]; !ok {
		return userErrorAnswer(format, msgNoUser)
	}
	if apply {
		s.st.deleteSubuser(p.user)
	}
	return successAnswer(format)
}

// customerProfile is customer.profile task=get: the subusers whose name
// contains the username filter (all without one), by name.
func (s *Server) customerProfile(format string, p params) answer {
	switch p.task {
	case "get":
	case "":
		return errorsAnswer(format, http.StatusBadRequest, missing("task"))
	default:
		return errorsAnswer(format, http.StatusBadRequest, invalid("task", p.task))
	}
	s.mu.RLock()
	var ps []profile
	for _, n := range s.st.names() {
		if strings.Contains(n, p.username) {
			ps = append(ps, profile{username: n, email: emailOf(n), active: s.st.subs[n].active})
		}
	}
	s.mu.RUnlock()
	return profileAnswer(format, ps)
}

// emailOf gives a subuser an e-mail address: the mock stores none, but the
// field belongs in the answer. Names that are addresses are their own.
func emailOf(name string) string {
	if strings.Contains(name, "@") {
		return name
	}
	return name + "@example.com"
}
