package sendgridmock

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

const (
	testUser = "reseller@example.com"
	testKey  = "test-key"
)

func boolp(b bool) *bool { return &b }

// testSeed is the account most tests use. Its IPs are chosen so every list
// filter differs and numeric order differs from string order (.9 < .10):
//
//	.1   alice                      taken, not available
//	.2   alice, bob (both active)   taken, not available
//	.3   carol (deactivated)        taken, available
//	.4   dan (deactivated), erin    taken, not available
//	.9   nobody                     free, available
//	.10  nobody                     free, available
func testSeed() Seed {
	return Seed{
		APIUser: testUser,
		APIKey:  testKey,
		IPs:     []string{"192.0.2.10", "192.0.2.9", "192.0.2.4", "192.0.2.3", "192.0.2.2", "192.0.2.1"},
		Subusers: []SeedSubuser{
			{Name: "alice", IPs: []string{"192.0.2.2", "192.0.2.1"}},
			{Name: "bob", Active: boolp(true), IPs: []string{"192.0.2.2"}},
			{Name: "carol", Active: boolp(false), IPs: []string{"192.0.2.3"}},
			{Name: "dan", Active: boolp(false), IPs: []string{"192.0.2.4"}},
			{Name: "erin", IPs: []string{"192.0.2.4"}},
			{Name: "frank"},
		},
	}
}

// creds returns parameters with the test credentials plus kv pairs.
func creds(kv ...string) url.Values {
	v := url.Values{"api_user": {testUser}, "api_key": {testKey}}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Add(kv[i], kv[i+1])
	}
	return v
}

// reply is an HTTP answer read in full.
type reply struct {
	status int
	header http.Header
	body   string
}

// call sends params to path on s: in the query for GET, as a form body for
// POST.
func call(t testing.TB, s *Server, method, path string, params url.Values) reply {
	t.Helper()
	return callRaw(t, s.URL()+path, method, params)
}

func callRaw(t testing.TB, u, method string, params url.Values) reply {
	t.Helper()
	var req *http.Request
	var err error
	if method == http.MethodGet {
		req, err = http.NewRequest(method, u+"?"+params.Encode(), nil)
	} else {
		req, err = http.NewRequest(method, u, strings.NewReader(params.Encode()))
		if err == nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
	}
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("User-Agent", "sendgridmock-test/1")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, u, err)
	}
	defer func() { _ = resp.Body.Close() }()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("reading %s: %v", u, err)
	}
	return reply{status: resp.StatusCode, header: resp.Header, body: string(b)}
}

// wantReply checks status, content type (prefix) and exact body.
func wantReply(t testing.TB, got reply, status int, ctype, body string) {
	t.Helper()
	if got.status != status {
		t.Errorf("status = %d, want %d (body %q)", got.status, status, got.body)
	}
	if ct := got.header.Get("Content-Type"); !strings.HasPrefix(ct, ctype) {
		t.Errorf("Content-Type = %q, want %q", ct, ctype)
	}
	if got.body != body {
		t.Errorf("body =\n%s\nwant\n%s", got.body, body)
	}
}

// ipsJSON decodes [{"ip":..}] into a list.
func ipsJSON(t testing.TB, body string) []string {
	t.Helper()
	var rows []struct{ IP string }
	if err := json.Unmarshal([]byte(body), &rows); err != nil {
		t.Fatalf("decoding %q: %v", body, err)
	}
	out := []string{}
	for _, r := range rows {
		out = append(out, r.IP)
	}
	return out
}

// jsonIPList renders the expected customer.ip JSON.
func jsonIPList(ips ...string) string {
	parts := make([]string, len(ips))
	for i, ip := range ips {
		parts[i] = `{"ip":"` + ip + `"}`
	}
	return "[" + strings.Join(parts, ",") + "]"
}

// xmlDoc adds the XML declaration the mock puts on every XML answer.
func xmlDoc(s string) string { return xmlHeader + s + "\n" }

// referenceFilter computes a customer.ip filter from a snapshot by the
// definitions, independently of the server's counters.
func referenceFilter(seed Seed, list string) []string {
	holders := map[string][]bool{} // ip -> active flags of its holders
	for _, su := range seed.Subusers {
		for _, ip := range su.IPs {
			holders[ip] = append(holders[ip], su.Active == nil || *su.Active)
		}
	}
	out := []string{}
	for _, ip := range seed.IPs {
		h := holders[ip]
		var keep bool
		switch list {
		case "all":
			keep = true
		case "free":
			keep = len(h) == 0
		case "taken":
			keep = len(h) > 0
		case "available":
			keep = !slices.Contains(h, true)
		}
		if keep {
			out = append(out, ip)
		}
	}
	return out
}

// sortedCopy returns a sorted copy.
func sortedCopy(s []string) []string {
	c := slices.Clone(s)
	sort.Strings(c)
	return c
}

// fakeClock is a settable clock safe for concurrent use.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// startWithClock starts a server whose clock is c.
func startWithClock(t *testing.T, seed Seed, c *fakeClock) *Server {
	t.Helper()
	s, err := New(seed)
	if err != nil {
		t.Fatal(err)
	}
	s.clock = c.Now // before Start: no request can read it yet
	if _, err := s.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}
