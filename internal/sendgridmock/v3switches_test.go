package sendgridmock

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/calls"
)

// items lists the IPs or usernames of a v3 list answer, in order.
func items(t testing.TB, body string) []string {
	t.Helper()
	var rows []struct{ IP, Username string }
	decodeJSON(t, body, &rows)
	out := []string{}
	for _, r := range rows {
		out = append(out, r.IP+r.Username)
	}
	return out
}

// pIP is pagingSeed's IP n (1..25); pIPs lists IPs lo..hi, pUsers subusers lo..hi (0 is "all").
func pIP(n int) string { return fmt.Sprintf("198.51.100.%d", n) }

func pIPs(lo, hi int) []string {
	var out []string
	for n := lo; n <= hi; n++ {
		out = append(out, pIP(n))
	}
	return out
}

func pUsers(lo, hi int) []string {
	var out []string
	for n := lo; n <= hi; n++ {
		if n == 0 {
			out = append(out, "all")
		} else {
			out = append(out, fmt.Sprintf("user%02d", n))
		}
	}
	return out
}

func cat(lists ...[]string) []string { return slices.Concat(lists...) }

// step is one request of a scenario, after do: 200 and items want, else status (and body, when set).
type step struct {
	do     func(*Server)
	path   string
	noAuth bool
	status int
	want   []string
	body   string
}

// stepTable is a named sequence of steps against a fresh paging seed.
type stepTable struct {
	name  string
	steps []step
}

// runStepTables runs each table; a table named "refused..." sends off-contract requests on purpose.
func runStepTables(t *testing.T, tests []stepTable) {
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := StartTest(t, pagingSeed())
			runSteps(t, s, tt.steps)
			if strings.HasPrefix(tt.name, "refused") && len(s.TakeContractViolations()) == 0 {
				t.Error("the off-contract requests were not reported")
			}
		})
	}
}

func runSteps(t *testing.T, s *Server, steps []step) {
	t.Helper()
	for i, st := range steps {
		if st.do != nil {
			st.do(s)
		}
		if st.path == "" {
			continue
		}
		auth := bearer
		if st.noAuth {
			auth = ""
		}
		r := v3req(t, s, http.MethodGet, st.path, auth, "")
		switch {
		case r.status != max(st.status, 200):
			t.Errorf("step %d %s: status %d, want %d (%s)", i, st.path, r.status, max(st.status, 200), r.body)
		case st.body != "":
			if r.body != st.body {
				t.Errorf("step %d %s: body %s, want %s", i, st.path, r.body, st.body)
			}
		case r.status == 200:
			if got := items(t, r.body); !slices.Equal(got, append([]string{}, st.want...)) {
				t.Errorf("step %d %s: %v, want %v", i, st.path, got, st.want)
			}
		}
	}
}

func TestV3PageCap(t *testing.T) {
	// 300 IPs and 300 subusers, u000 holding every IP: offsets past a capped page.
	seed := Seed{APIKey: testKey}
	var ips, users []string
	for i := range 300 {
		ips = append(ips, fmt.Sprintf("10.2.%d.%d", i/256, i%256))
		users = append(users, fmt.Sprintf("u%03d", i))
		seed.Subusers = append(seed.Subusers, SeedSubuser{Name: users[i]})
	}
	seed.IPs, seed.Subusers[0].IPs = ips, ips
	limitErr := v3Err("limit", msgV3Limit)
	tests := []struct {
		name string
		cap  int
		path string
		want []string
		body string // a refusal's
	}{
		{"off", 0, "v3/ips?limit=500", ips, ""},
		{"negative is off", -5, "v3/ips?limit=500", ips, ""},
		{"cap under limit", 100, "v3/ips?limit=500", ips[:100], ""},
		{"offset indexes the full list", 100, "v3/ips?limit=500&offset=100", ips[100:200], ""},
		{"last page", 100, "v3/ips?limit=500&offset=250", ips[250:], ""},
		{"limit under cap", 100, "v3/ips?limit=7&offset=3", ips[3:10], ""},
		{"default limit under cap", 100, "v3/ips", ips[:10], ""},
		{"cap under default limit", 4, "v3/ips?offset=2", ips[2:6], ""},
		{"subuser filter", 100, "v3/ips?subuser=u000&limit=500&offset=100", ips[100:200], ""},
		{"subusers", 100, "v3/subusers?limit=500&offset=100", users[100:200], ""},
		{"username filter", 50, "v3/subusers?username=u1&limit=500&offset=10", users[110:160], ""},
		{"limit 501 still refused", 100, "v3/ips?limit=501", nil, limitErr},
		{"limit 0 still refused", 100, "v3/subusers?limit=0", nil, limitErr},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := StartTest(t, seed)
			s.SetPageCap(tt.cap)
			if tt.body != "" {
				wantReply(t, v3get(t, s, tt.path), 400, "application/json", tt.body)
				return
			}
			runSteps(t, s, []step{{path: tt.path, want: tt.want}})
		})
	}
}

func TestV3EmptyPage(t *testing.T) {
	empty := func(call string, offset, times int) func(*Server) {
		return func(s *Server) { s.SetEmptyPage(call, offset, times) }
	}
	tests := []stepTable{
		{"once", []step{
			{do: empty(calls.V3IPs, 10, 1), path: "v3/ips?offset=10", want: nil},
			{path: "v3/ips?offset=10", want: pIPs(11, 20)},
		}},
		{"the subuser filter is the same call", []step{
			{do: empty(calls.V3IPs, 10, 2), path: "v3/ips?subuser=all&offset=10", want: nil},
			{path: "v3/ips?offset=10", want: nil},
			{path: "v3/ips?subuser=all&offset=10", want: pIPs(11, 20)},
		}},
		{"other offsets and calls untouched", []step{
			{do: empty(calls.V3IPs, 10, 1), path: "v3/ips", want: pIPs(1, 10)},
			{path: "v3/ips?offset=20", want: pIPs(21, 25)},
			{path: "v3/ips?offset=10&limit=5", want: nil},
			{path: "v3/ips?offset=10&limit=5", want: pIPs(11, 15)},
		}},
		{"subusers", []step{
			{do: empty(calls.V3Subusers, 10, 2), path: "v3/ips?offset=10", want: pIPs(11, 20)},
			{path: "v3/subusers?offset=10", want: nil},
			{path: "v3/subusers?username=user&offset=10", want: nil},
			{path: "v3/subusers?username=user&offset=10", want: pUsers(11, 20)},
		}},
		{"offset 0 is the first page", []step{
			{do: empty(calls.V3Subusers, 0, 1), path: "v3/subusers", want: nil},
			{path: "v3/subusers?offset=0", want: pUsers(0, 9)},
		}},
		{"every time until cleared", []step{
			{do: empty(calls.V3IPs, 5, 0), path: "v3/ips?offset=5", want: nil},
			{path: "v3/ips?offset=5", want: nil},
			{do: empty(calls.V3IPs, 5, -3), path: "v3/ips?offset=5", want: nil},
			{do: empty(calls.V3IPs, -1, 0), path: "v3/ips?offset=5", want: pIPs(6, 15)},
		}},
		{"a setting replaces the call's last", []step{
			{do: func(s *Server) { s.SetEmptyPage(calls.V3IPs, 5, 0); s.SetEmptyPage(calls.V3IPs, 15, 1) },
				path: "v3/ips?offset=5", want: pIPs(6, 15)},
			{path: "v3/ips?offset=15", want: nil},
			{path: "v3/ips?offset=15", want: pIPs(16, 25)},
		}},
		{"past the end", []step{
			{do: empty(calls.V3IPs, 30, 1), path: "v3/ips?offset=30", want: nil},
		}},
		{"refused and faulted requests use none", []step{
			{do: empty(calls.V3IPs, 10, 1), path: "v3/ips?offset=10&limit=0", status: 400, body: v3Err("limit", msgV3Limit)},
			{path: "v3/ips?offset=10", noAuth: true, status: 401, body: v3Err("", msgV3Auth)},
			{do: func(s *Server) { s.InjectFault(Fault{Kind: FaultServerError, Call: calls.V3IPs}) },
				path: "v3/ips?offset=10", status: 500, body: v3ServerErrorBody},
			{do: func(s *Server) { s.InjectFault(Fault{Kind: FaultTruncatedJSON, Call: calls.V3IPs}) },
				path: "v3/ips?offset=10", body: "["},
			{path: "v3/ips?offset=10", want: nil},
			{path: "v3/ips?offset=10", want: pIPs(11, 20)},
		}},
		{"other calls ignored", []step{
			{do: func(s *Server) {
				s.SetEmptyPage(calls.V3SetSubuserIPs, 0, 0)
				s.SetEmptyPage(calls.V3IPsOfSubuser, 0, 0)
			}, path: "v3/ips?subuser=all", want: pIPs(1, 10)},
		}},
		{"with a page cap", []step{
			{do: func(s *Server) { s.SetPageCap(5); s.SetEmptyPage(calls.V3IPs, 5, 1) }, path: "v3/ips?offset=5&limit=500", want: nil},
			{path: "v3/ips?offset=5&limit=500", want: pIPs(6, 10)},
		}},
	}
	runStepTables(t, tests)
}

func TestV3DuplicateAcrossPages(t *testing.T) {
	dup := func(call string, offset, times int) func(*Server) {
		return func(s *Server) { s.SetDuplicateAcrossPages(call, offset, times) }
	}
	tests := []stepTable{
		{"once", []step{
			{do: dup(calls.V3IPs, 10, 1), path: "v3/ips?offset=10", want: cat(pIPs(1, 1), pIPs(12, 20))},
			{path: "v3/ips?offset=10", want: pIPs(11, 20)},
		}},
		{"item 0 keeps its holders", []step{
			{do: dup(calls.V3IPs, 24, 1), path: "v3/ips?offset=24", body: arr(v3IP(pIP(1), "all"))},
		}},
		{"the subuser filter is the same call, its item 0", []step{
			{do: func(s *Server) {
				_ = s.SetSubuserIPs("user01", pIPs(3, 9))
				s.SetDuplicateAcrossPages(calls.V3IPs, 2, 2)
			}, path: "v3/ips?subuser=user01&offset=2&limit=3", want: cat(pIPs(3, 3), pIPs(6, 7))},
			{path: "v3/ips?offset=2&limit=3", want: cat(pIPs(1, 1), pIPs(4, 5))},
			{path: "v3/ips?subuser=user01&offset=2&limit=3", want: pIPs(5, 7)},
		}},
		{"other offsets and calls untouched", []step{
			{do: dup(calls.V3IPs, 10, 0), path: "v3/ips", want: pIPs(1, 10)},
			{path: "v3/ips?offset=11", want: pIPs(12, 21)},
			{path: "v3/subusers?offset=10", want: pUsers(10, 19)},
		}},
		{"subusers", []step{
			{do: dup(calls.V3Subusers, 5, 2), path: "v3/subusers?offset=5&limit=5", want: cat(pUsers(0, 0), pUsers(6, 9))},
			{path: "v3/subusers?username=user&offset=5&limit=5", want: cat(pUsers(1, 1), pUsers(7, 10))},
			{path: "v3/subusers?offset=5&limit=5", want: pUsers(5, 9)},
		}},
		{"every time until cleared", []step{
			{do: dup(calls.V3IPs, 20, -1), path: "v3/ips?offset=20", want: cat(pIPs(1, 1), pIPs(22, 25))},
			{path: "v3/ips?offset=20", want: cat(pIPs(1, 1), pIPs(22, 25))},
			{do: dup(calls.V3IPs, -1, 0), path: "v3/ips?offset=20", want: pIPs(21, 25)},
		}},
		{"offset 0 is off", []step{
			{do: func(s *Server) {
				s.SetDuplicateAcrossPages(calls.V3IPs, 10, 0)
				s.SetDuplicateAcrossPages(calls.V3IPs, 0, 0)
			},
				path: "v3/ips?offset=10", want: pIPs(11, 20)},
		}},
		{"past the end", []step{
			{do: dup(calls.V3IPs, 30, 1), path: "v3/ips?offset=30", want: nil},
		}},
		{"with a page cap", []step{
			{do: func(s *Server) { s.SetPageCap(5); s.SetDuplicateAcrossPages(calls.V3IPs, 5, 1) },
				path: "v3/ips?offset=5&limit=500", want: cat(pIPs(1, 1), pIPs(7, 10))},
		}},
		{"an empty page comes first, and keeps the duplicate's times", []step{
			{do: func(s *Server) { s.SetEmptyPage(calls.V3IPs, 10, 1); s.SetDuplicateAcrossPages(calls.V3IPs, 10, 1) },
				path: "v3/ips?offset=10", want: nil},
			{path: "v3/ips?offset=10", want: cat(pIPs(1, 1), pIPs(12, 20))},
			{path: "v3/ips?offset=10", want: pIPs(11, 20)},
		}},
		{"refused and faulted requests use none", []step{
			{do: dup(calls.V3Subusers, 10, 1), path: "v3/subusers?offset=10&limit=501", status: 400, body: v3Err("limit", msgV3Limit)},
			{path: "v3/subusers?offset=10", noAuth: true, status: 401, body: v3Err("", msgV3Auth)},
			{do: func(s *Server) { s.InjectFault(Fault{Kind: FaultUnavailable, Call: calls.V3SubuserByName}) },
				path: "v3/subusers?username=u&offset=10", status: 503, body: unavailableBody},
			{path: "v3/subusers?offset=10", want: cat(pUsers(0, 0), pUsers(11, 19))},
			{path: "v3/subusers?offset=10", want: pUsers(10, 19)},
		}},
	}
	runStepTables(t, tests)
}

func TestAddGhostHolder(t *testing.T) {
	tests := []struct {
		name, ip, holder string
		ok               bool
	}{
		{"an IP of the account", "192.0.2.9", "zed", true},
		{"twice", "192.0.2.9", "zed", true},
		{"IPv4-mapped form", "::ffff:192.0.2.10", "zed", true},
		{"unknown IP", "198.51.100.1", "zed", false},
		{"not an IP", "x", "zed", false},
		{"no name", "192.0.2.9", "", false},
		{"a subuser's name", "192.0.2.9", "alice", false},
	}
	s := StartTest(t, testSeed())
	for _, tt := range tests {
		if err := s.AddGhostHolder(tt.ip, tt.holder); (err == nil) != tt.ok {
			t.Errorf("%s: AddGhostHolder(%q, %q) = %v", tt.name, tt.ip, tt.holder, err)
		}
	}
	wantReply(t, v3get(t, s, "v3/ips?subuser=zed"), 200, "application/json", arr(v3IP("192.0.2.9", "zed"), v3IP("192.0.2.10", "zed")))
}

func TestV3GhostHolder(t *testing.T) {
	ghosts := func(s *Server) {
		for _, g := range [][2]string{{"192.0.2.2", "zed"}, {"192.0.2.9", "zed"}, {"192.0.2.2", "aaron"}, {"192.0.2.1", "ali"}} {
			if err := s.AddGhostHolder(g[0], g[1]); err != nil {
				t.Fatal(err)
			}
		}
	}
	var (
		ip1, ip2 = v3IP("192.0.2.1", "ali", "alice"), v3IP("192.0.2.2", "aaron", "alice", "bob", "zed")
		ip9      = v3IP("192.0.2.9", "zed")
		all      = arr(ip1, ip2, v3IP("192.0.2.3", "carol"), v3IP("192.0.2.4", "dan", "erin"), ip9, v3IP("192.0.2.10"))
		subs     = arr(v3Sub(1, "alice", false), v3Sub(2, "bob", false), v3Sub(3, "carol", true),
			v3Sub(4, "dan", true), v3Sub(5, "erin", false), v3Sub(6, "frank", false))
		noUser = `{"error":{"code":400,"message":"User does not exist"}}`
	)
	tests := []struct {
		name, method, path, body string
		status                   int
		want                     string
	}{
		{"listed on its IPs, in name order", "GET", "v3/ips", "", 200, all},
		{"the subuser filter lists its IPs", "GET", "v3/ips?subuser=zed", "", 200, arr(ip2, ip9)},
		{"filtered pages", "GET", "v3/ips?subuser=zed&limit=1&offset=1", "", 200, arr(ip9)},
		{"a ghost whose name a subuser's contains", "GET", "v3/ips?subuser=ali", "", 200, arr(ip1)},
		{"real subusers see ghosts beside them", "GET", "v3/ips?subuser=alice", "", 200, arr(ip1, ip2)},
		{"not a subuser", "GET", "v3/subusers", "", 200, subs},
		{"not found by username", "GET", "v3/subusers?username=zed", "", 200, `[]`},
		{"PUT answers 404", "PUT", "v3/subusers/zed/ips", `["192.0.2.9"]`, 404, v3Err("", msgV3NoSubuser)},
		{"unknown to v2", "GET", "apiv2/customer.sendip.json?" + creds("task", "list", "user", "zed").Encode(), "", 400, noUser},
		{"v2 counts no ghost", "GET", "apiv2/customer.ip.json?" + creds("list", "free").Encode(), "", 200, jsonIPList("192.0.2.9", "192.0.2.10")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := StartTest(t, testSeed())
			ghosts(s)
			wantReply(t, v3req(t, s, tt.method, tt.path, bearer, tt.body), tt.status, "application/json", tt.want)
		})
	}

	t.Run("a subuser created with a ghost's name is listed once", func(t *testing.T) {
		s := StartTest(t, testSeed())
		ghosts(s)
		if err := s.AddSubuser("zed", true, []string{"192.0.2.9", "192.0.2.10"}); err != nil {
			t.Fatal(err)
		}
		wantReply(t, v3get(t, s, "v3/ips?subuser=zed"), 200, "application/json", arr(ip2, ip9, v3IP("192.0.2.10", "zed")))
	})
	t.Run("Reset drops ghosts", func(t *testing.T) {
		s := StartTest(t, testSeed())
		ghosts(s)
		if err := s.Reset(testSeed()); err != nil {
			t.Fatal(err)
		}
		wantReply(t, v3get(t, s, "v3/ips?subuser=zed"), 200, "application/json", `[]`)
		wantReply(t, v3get(t, s, "v3/ips?limit=2"), 200, "application/json", arr(v3IP("192.0.2.1", "alice"), v3IP("192.0.2.2", "alice", "bob")))
	})
}

func TestV3PutAnswerDrops(t *testing.T) {
	put := `["192.0.2.10","192.0.2.9","192.0.2.1"]`
	held := []string{"192.0.2.1", "192.0.2.9", "192.0.2.10"}
	tests := []struct {
		name       string
		drops      int
		twice      bool
		user, body string
		status     int
		want       string
		alice      []string
	}{
		{"off", 0, false, "alice", put, 200, `{"ips":["192.0.2.1","192.0.2.9","192.0.2.10"]}`, held},
		{"negative is off", -2, false, "alice", put, 200, `{"ips":["192.0.2.1","192.0.2.9","192.0.2.10"]}`, held},
		{"one", 1, false, "alice", put, 200, `{"ips":["192.0.2.1","192.0.2.9"]}`, held},
		{"two", 2, false, "alice", put, 200, `{"ips":["192.0.2.1"]}`, held},
		{"all", 3, false, "alice", put, 200, `{"ips":[]}`, held},
		{"more than held", 5, false, "alice", put, 200, `{"ips":[]}`, held},
		{"an empty PUT", 1, false, "alice", `[]`, 200, `{"ips":[]}`, []string{}},
		{"IPs, not entries, with SetDuplicateIPs", 1, true, "alice", put, 200,
			`{"ips":["192.0.2.1","192.0.2.1","192.0.2.9","192.0.2.9"]}`, held},
		{"errors untouched", 1, false, "nobody", put, 404, v3Err("", msgV3NoSubuser), []string{"192.0.2.1", "192.0.2.2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := StartTest(t, testSeed())
			s.SetPutAnswerDrops(tt.drops)
			s.SetDuplicateIPs(tt.twice)
			wantReply(t, v3put(t, s, tt.user, tt.body), tt.status, "application/json", tt.want)
			if ips, _ := s.SubuserIPs("alice"); !slices.Equal(ips, tt.alice) {
				t.Errorf("alice holds %v, want %v", ips, tt.alice)
			}
		})
	}
}

// The switches are options of the test and stay across Reset, as SetDuplicateIPs does; ghosts belong to the account.
func TestV3SwitchesAcrossReset(t *testing.T) {
	s := StartTest(t, pagingSeed())
	s.SetPageCap(5)
	s.SetEmptyPage(calls.V3IPs, 5, 0)
	s.SetDuplicateAcrossPages(calls.V3Subusers, 5, 0)
	s.SetPutAnswerDrops(1)
	if err := s.AddGhostHolder(pIP(1), "ghost"); err != nil {
		t.Fatal(err)
	}
	if err := s.Reset(pagingSeed()); err != nil {
		t.Fatal(err)
	}
	runSteps(t, s, []step{
		{path: "v3/ips?limit=500", want: pIPs(1, 5)},
		{path: "v3/ips?offset=5", want: nil},
		{path: "v3/subusers?offset=5", want: cat(pUsers(0, 0), pUsers(6, 9))},
		{path: "v3/ips?subuser=ghost", want: nil},
	})
	wantReply(t, v3put(t, s, "user01", `["198.51.100.1","198.51.100.2"]`), 200, "application/json", `{"ips":["198.51.100.1"]}`)
}

// The switches change while requests are answered: go test -race checks the locks.
func TestV3SwitchesConcurrency(t *testing.T) {
	s := StartTest(t, pagingSeed())
	const workers, perWorker = 8, 30
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range perWorker {
				off := strconv.Itoa(5 * (i % 6))
				switch (w + i) % 7 {
				case 0:
					s.SetPageCap(i % 12)
				case 1:
					s.SetEmptyPage(calls.V3IPs, 5*(i%4)-5, i%3)
				case 2:
					s.SetDuplicateAcrossPages(calls.V3Subusers, 5*(i%4), i%3)
				case 3:
					s.SetPutAnswerDrops(i % 3)
					_ = s.AddGhostHolder(pIP(1+i%25), "ghost"+strconv.Itoa(w))
				case 4:
					if r := v3put(t, s, "user01", `["198.51.100.1","198.51.100.2"]`); r.status != 200 {
						t.Errorf("PUT: %d %s", r.status, r.body)
					}
				case 5:
					if w == 0 && i%10 == 5 {
						_ = s.Reset(pagingSeed())
					}
					for _, p := range []string{"v3/ips?offset=" + off, "v3/ips?subuser=ghost1&offset=" + off} {
						if r := v3get(t, s, p); r.status != 200 {
							t.Errorf("%s: %d %s", p, r.status, r.body)
						}
					}
				default:
					if r := v3get(t, s, "v3/subusers?limit=7&offset="+off); r.status != 200 || len(items(t, r.body)) > 7 {
						t.Errorf("subusers: %d %s", r.status, r.body)
					}
				}
			}
		})
	}
	wg.Wait()
}
