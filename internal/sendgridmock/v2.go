package sendgridmock

import (
	"cmp"
	"crypto/subtle"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/calls"
)

// The v2 calls, by the last path segment without its extension.
const ()

// Messages of the real API.
const (
	msgNoUser     = "User does not exist"
	msgAtLeastOne = "You need to assign at least ONE IP to your subuser"
	msgUserTaken  = "Username already exists"
)

func missing(name string) string        { return "Missing required parameter: " + name }
func invalid(name, value string) string { return "Invalid value for parameter " + name + ": " + value }

func notYours(ips []string) []string {
	msgs := make([]string, len(ips))
	for i, ip := range ips {
		msgs[i] = "IP " + ip + " does not belong to your account"
	}
	return msgs
}

var v2Calls = []string{calls.V2IP, calls.V2SendIP, calls.V2Disable, calls.V2Enable, calls.V2Add, calls.V2Delete, calls.V2Profile}

// route reads the call and format from the last path segment, so any prefix works, as with the real hosts.
func route(path string) (call, format string, ok bool) {
	seg := path[strings.LastIndexByte(path, '/')+1:]
	dot := strings.LastIndexByte(seg, '.')
	call, format = seg[:max(dot, 0)], seg[dot+1:]
	if dot < 0 || (format != "json" && format != "xml") || !slices.Contains(v2Calls, call) {
		return "", "", false
	}
	return call, format, true
}

// params are a request's parameters, body and query merged; where one value is expected the body's first wins.
type params struct {
	apiUser, apiKey, task, set, list, user, username, active string

	ips []string // ip[] values, then ip[N] values by N
}

func readParams(form url.Values) params {
	p := params{apiUser: form.Get("api_user"), apiKey: form.Get("api_key"), task: form.Get("task"), set: form.Get("set"),
		list: form.Get("list"), user: form.Get("user"), username: form.Get("username"), active: form.Get("active"),
		ips: slices.Clone(form["ip[]"])}
	byIndex := map[int][]string{} // PHP-style ip[0]=A&ip[1]=B, in index order
	for k, vs := range form {
		if len(k) > 4 && strings.HasPrefix(k, "ip[") && k[len(k)-1] == ']' {
			if n, err := strconv.Atoi(k[3 : len(k)-1]); err == nil && n >= 0 {
				byIndex[n] = append(byIndex[n], vs...)
			}
		}
	}
	for _, n := range slices.Sorted(maps.Keys(byIndex)) {
		p.ips = append(p.ips, byIndex[n]...)
	}
	return p
}

// inQuery reports whether key came in the query string: r.Form holds body and query values, r.PostForm the body's.
func inQuery(r *http.Request, key string) bool {
	return len(r.Form[key]) > len(r.PostForm[key])
}

func (s *Server) serveV2(w http.ResponseWriter, r *http.Request) {
	now := s.now()
	formErr := r.ParseForm()
	p := readParams(r.Form)
	call, format, known := route(r.URL.Path)
	rec := Request{Call: call, Format: format, Method: r.Method, Task: p.task, Set: p.set, List: p.list,
		User: cmp.Or(p.user, p.username), // customer.add names the new subuser so
		IPs:  p.ips, Time: now, UserAgent: r.UserAgent(), CredentialsInQuery: inQuery(r, "api_key") || inQuery(r, "api_user")}
	s.serve(w, r, &rec, func() (response, bool) {
		switch {
		case !known:
			return jsonResponse(http.StatusNotFound, notFoundBody), true
		case r.Method != http.MethodGet && r.Method != http.MethodPost:
			w.Header().Set("Allow", "GET, POST")
			return jsonResponse(http.StatusMethodNotAllowed, methodNotAllowedBody), true
		case formErr != nil:
			return errorsResponse(format, http.StatusBadRequest, "Malformed request: "+formErr.Error()), true
		}
		return response{}, false
	}, func(apply bool) response { return s.execute(call, format, p, apply) })
}

// authorized checks the credentials in constant time; empty ones never match.
func (s *Server) authorized(p params) bool {
	user, key := s.credentials()
	u := subtle.ConstantTimeCompare([]byte(p.apiUser), []byte(user))
	k := subtle.ConstantTimeCompare([]byte(p.apiKey), []byte(key))
	return user != "" && key != "" && u&k == 1
}

func (s *Server) execute(call, format string, p params, apply bool) response {
	if !s.authorized(p) {
		return badCredentialsResponse(BadCredentialsShape(s.badCreds.Load()), format)
	}
	switch call {
	case calls.V2IP:
		return s.customerIP(format, p)
	case calls.V2SendIP:
		return s.customerSendIP(format, p, apply)
	case calls.V2Disable, calls.V2Enable:
		return s.withUser(format, p, func(su *subuser) response {
			if apply {
				s.st.setActive(su, call == calls.V2Enable)
			}
			return successResponse(format)
		})
	case calls.V2Add:
		return s.customerAdd(format, p, apply)
	case calls.V2Delete:
		return s.withUser(format, p, func(*subuser) response {
			if apply {
				s.st.deleteSubuser(p.user)
			}
			return successResponse(format)
		})
	default:
		return s.customerProfile(format, p)
	}
}

func (s *Server) customerIP(format string, p params) response {
	switch f := listFilter(p.list); f {
	case listAll, listFree, listTaken, listAvailable:
		s.mu.RLock()
		ips := s.st.filter(f)
		s.mu.RUnlock()
		return ipListResponse(format, s.repeat(ips))
	case "":
		return errorsResponse(format, http.StatusBadRequest, missing("list"))
	default:
		return errorsResponse(format, http.StatusBadRequest, invalid("list", p.list))
	}
}

func (s *Server) customerSendIP(format string, p params, apply bool) response {
	switch p.task {
	case "list":
		if p.user == "" {
			return userErrorResponse(format, missing("user"))
		}
		s.mu.RLock()
		ips, ok := s.st.ipsOf(p.user)
		cluster := cmp.Or(s.st.cluster, DefaultOutboundCluster) // a zero Server has none
		s.mu.RUnlock()
		if !ok {
			return userErrorResponse(format, msgNoUser)
		}
		return sendIPsResponse(format, cluster, s.repeat(ips))
	case "append":
		return s.appendIPs(format, p, apply)
	case "":
		return errorsResponse(format, http.StatusBadRequest, missing("task"))
	default:
		return errorsResponse(format, http.StatusBadRequest, invalid("task", p.task))
	}
}

// appendIPs is task=append, which despite its name sets the subuser's IPs; nothing changes on any error.
func (s *Server) appendIPs(format string, p params, apply bool) response {
	if p.user == "" {
		return userErrorResponse(format, missing("user"))
	}
	switch p.set {
	case "specify", "all", "none":
	case "":
		return errorsResponse(format, http.StatusBadRequest, missing("set"))
	default:
		return errorsResponse(format, http.StatusBadRequest, invalid("set", p.set))
	}
	// An empty ip[] comes from a client joining an empty list: ignored, not a bad IP.
	given := slices.DeleteFunc(slices.Clone(p.ips), func(ip string) bool { return ip == "" })
	if p.set == "specify" && len(given) == 0 {
		return errorsResponse(format, http.StatusBadRequest, msgAtLeastOne)
	}
	return s.withUser(format, p, func(su *subuser) response {
		var idx []int
		switch p.set {
		case "specify":
			var bad []string
			if idx, bad = s.st.resolve(given); len(bad) > 0 {
				return errorsResponse(format, http.StatusBadRequest, notYours(bad)...)
			}
		case "all":
			for i := range s.st.ips {
				idx = append(idx, i)
			}
		}
		if apply {
			s.st.setIPs(su, idx)
		}
		return successResponse(format)
	})
}

// withUser runs f on the subuser the user parameter names, under the lock.
func (s *Server) withUser(format string, p params, f func(*subuser) response) response {
	if p.user == "" {
		return userErrorResponse(format, missing("user"))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	su, ok := s.st.subs[p.user]
	if !ok {
		return userErrorResponse(format, msgNoUser)
	}
	return f(su)
}

// customerAdd creates a subuser with no IPs; the real call needs more than a name, the mock does not.
func (s *Server) customerAdd(format string, p params, apply bool) response {
	if p.username == "" {
		return errorsResponse(format, http.StatusBadRequest, missing("username"))
	}
	var active bool
	switch strings.ToLower(p.active) {
	case "", "1", "true", "yes", "on":
		active = true
	case "0", "false", "no", "off":
	default:
		return errorsResponse(format, http.StatusBadRequest, invalid("active", p.active))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, exists := s.st.subs[p.username]; exists {
		return errorsResponse(format, http.StatusBadRequest, msgUserTaken)
	}
	if apply {
		s.st.addSubuser(p.username, active, nil)
	}
	return successResponse(format)
}

// customerProfile is task=get: the subusers whose name contains the username filter.
func (s *Server) customerProfile(format string, p params) response {
	switch p.task {
	case "get":
	case "":
		return errorsResponse(format, http.StatusBadRequest, missing("task"))
	default:
		return errorsResponse(format, http.StatusBadRequest, invalid("task", p.task))
	}
	ps := []v2SubuserRow{}
	s.mu.RLock()
	for _, n := range s.st.matching(p.username) {
		ps = append(ps, v2SubuserRow{Username: n, Email: emailOf(n, s.st.subs[n].id), Active: s.st.subs[n].active})
	}
	s.mu.RUnlock()
	return v2SubusersResponse(format, ps)
}

// emailOf is a subuser's address in answers: its name when that is one, else NAME@example.com when
// that is one, else subuser-ID@example.com. SendGrid holds an address for every subuser, and v3's
// contract says so (format email), whatever the name.
func emailOf(name string, id int) string {
	addr := name
	if !strings.Contains(name, "@") {
		addr = name + "@example.com"
	}
	if plainAddress(addr) {
		return addr
	}
	return "subuser-" + strconv.Itoa(id) + "@example.com"
}

// plainAddress reports whether s is an ASCII address in RFC 5322's dot-atom form.
func plainAddress(s string) bool {
	local, domain, ok := strings.Cut(s, "@")
	if !ok || len(local) > 64 || !dotAtom(local, "!#$%&'*+/=?^_`{|}~-") || !dotAtom(domain, "-") {
		return false
	}
	for label := range strings.SplitSeq(domain, ".") {
		if len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
	}
	return true
}

// dotAtom reports whether s is non-empty ASCII words of letters, digits and specials joined by single dots.
func dotAtom(s, specials string) bool {
	for word := range strings.SplitSeq(s, ".") {
		if word == "" {
			return false
		}
		for _, r := range word {
			alnum := 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9'
			if !alnum && !strings.ContainsRune(specials, r) {
				return false
			}
		}
	}
	return true
}
