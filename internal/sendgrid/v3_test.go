package sendgrid_test

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-log/tflogtest"

	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/calls"
	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/sendgrid"
	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/sendgridmock"
)

func TestV3Paging(t *testing.T) {
	var ips []string
	for i := range 25 {
		ips = append(ips, fmt.Sprintf("192.0.2.%d", i+1))
	}
	cases := []struct {
		name        string
		pageSize    int
		wantOffsets []string
		wantLimit   string
	}{
		// Each page begins with the last item of the one before; a list ends at a page shorter than the longest served.
		{"PageSize 10 as the server's default page", 10, []string{"0", "9", "18"}, "10"},
		{"PageSize unset, server honours limit", 0, []string{"0", "24"}, "500"},
		{"PageSize 5, 25 IPs end on a full page", 5, []string{"0", "4", "8", "12", "16", "20", "24"}, "5"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := startRecorder(t)
			if err := f.Reset(sendgridmock.Seed{APIKey: key, IPs: ips, Subusers: []sendgridmock.SeedSubuser{{Name: "alice", IPs: ips}}}); err != nil {
				t.Fatal(err)
			}
			c := newClient(t, sendgrid.APIv3, f.URL(), func(c *sendgrid.Config) { c.PageSize = tc.pageSize })
			got, err := c.ListIPs(t.Context(), sendgrid.FilterAll)
			if err != nil || !slices.Equal(got, sendgrid.SortIPs(ips)) {
				t.Fatalf("got %d IPs %v, want 25", len(got), err)
			}
			var offsets []string
			for _, r := range f.sent() {
				offsets = append(offsets, r.Query.Get("offset"))
				if r.Query.Get("limit") != tc.wantLimit {
					t.Errorf("limit %q, want %q", r.Query.Get("limit"), tc.wantLimit)
				}
			}
			if !slices.Equal(offsets, tc.wantOffsets) {
				t.Fatalf("offsets %v, want %v", offsets, tc.wantOffsets)
			}
			// Every list call pages, the subuser read too (a new session reads it directly).
			f.clear()
			held, err := newClient(t, sendgrid.APIv3, f.URL(), func(c *sendgrid.Config) { c.PageSize = tc.pageSize }).SubuserIPs(t.Context(), "alice")
			if err != nil || len(held.IPs) != 25 || len(f.sent()) != len(tc.wantOffsets) {
				t.Fatalf("alice: %d IPs %v in %d calls", len(held.IPs), err, len(f.sent()))
			}
		})
	}
}

func TestV3PagingRefusesEndlessList(t *testing.T) {
	for _, tc := range []struct {
		name, page string
		calls      int32
		kind       error
	}{
		// Read twice (2 calls each): the second page must begin with .2 and begins with .1.
		{"the same full page forever", `[{"ip":"192.0.2.1","subusers":[]},{"ip":"192.0.2.2","subusers":[]}]`, 4, sendgrid.ErrInconsistent},
		{"more than limit", `[{"ip":"192.0.2.1","subusers":[]},{"ip":"192.0.2.2","subusers":[]},{"ip":"192.0.2.3","subusers":[]}]`, 1, sendgrid.ErrUnreadable},
	} {
		base, n := cannedServer(t, respondWith(200, nil, tc.page))
		c := newClient(t, sendgrid.APIv3, base, func(c *sendgrid.Config) { c.PageSize = 2 })
		if _, err := c.ListIPs(t.Context(), sendgrid.FilterAll); !errors.Is(err, tc.kind) || n.Load() != tc.calls {
			t.Fatalf("%s: want %v after %d calls, got %v after %d", tc.name, tc.kind, tc.calls, err, n.Load())
		}
	}
}

func TestV3SubuserIPs(t *testing.T) {
	f := startRecorder(t)
	c := newClient(t, sendgrid.APIv3, f.URL())
	ctx := t.Context()

	got, err := c.SubuserIPs(ctx, "alice")
	if err != nil || !slices.Equal(got.IPs, []string{"10.0.0.1", "10.0.0.2"}) || got.OutboundCluster != "" {
		t.Fatalf("alice: %+v %v", got, err)
	}
	if c := sentCalls(f.sent()); !slices.Equal(c, []string{"GET /v3/ips?subuser=alice", "GET /v3/ips?subuser=alice"}) {
		t.Fatalf("a read of a subuser holding IPs is one page and the page that shows its end: %v", c)
	}

	f.clear()
	got, err = newClient(t, sendgrid.APIv3, f.URL()).SubuserIPs(ctx, "newbie")
	if err != nil || got.IPs == nil || len(got.IPs) != 0 {
		t.Fatalf("newbie: %#v %v", got, err)
	}
	if c := sentCalls(f.sent()); !slices.Equal(c, []string{"GET /v3/ips?subuser=newbie", "GET /v3/subusers?username=newbie", "GET /v3/subusers?username=newbie"}) {
		t.Fatalf("a read of a subuser holding nothing is an empty page, then the name's list: %v", c)
	}

	// "ali" matches "alice" as a substring: not the same subuser, but named as a near match.
	for ghost, near := range map[string]string{"ghost": "", "ali": `did you mean "alice"?`, "lice": ""} {
		_, err = newClient(t, sendgrid.APIv3, f.URL()).SubuserIPs(ctx, ghost)
		if !errors.Is(err, sendgrid.ErrSubuserNotFound) || !strings.Contains(err.Error(), `sendgrid GET /v3/subusers for subuser "`+ghost+`"`) ||
			!strings.Contains(err.Error(), near) {
			t.Errorf("%s: %v", ghost, err)
		}
	}

	base, _ := cannedServer(t, respondWith(404, nil, `{"errors":[{"field":null,"message":"resource not found"}]}`))
	if _, err = newClient(t, sendgrid.APIv3, base).SubuserIPs(ctx, "alice"); !errors.Is(err, sendgrid.ErrSubuserNotFound) ||
		!strings.Contains(err.Error(), `sendgrid GET /v3/ips?subuser for subuser "alice"`) {
		t.Fatalf("404: %v", err)
	}
	base, _ = cannedServer(t, respondWith(200, nil, `[{"ip":"10.0.0.3","subusers":["bob"]}]`)) // not alice's
	if _, err = newClient(t, sendgrid.APIv3, base).SubuserIPs(ctx, "alice"); !errors.Is(err, sendgrid.ErrUnreadable) {
		t.Fatalf("an answer that contradicts its filter: %v", err)
	}

	f.clear()
	for _, bad := range []string{"", ".", ".."} {
		if _, err := c.SubuserIPs(ctx, bad); !errors.Is(err, sendgrid.ErrRejected) {
			t.Errorf("name %q: %v", bad, err)
		}
		if _, err := c.SetSubuserIPs(ctx, bad, []string{"10.0.0.6"}); !errors.Is(err, sendgrid.ErrRejected) {
			t.Errorf("name %q: %v", bad, err)
		}
	}
	if n := len(f.sent()); n != 0 {
		t.Fatalf("names that change a call's meaning must not be sent: %v", sentCalls(f.sent()))
	}
}

func TestV3SetSubuserIPs(t *testing.T) {
	f := startRecorder(t)
	c := newClient(t, sendgrid.APIv3, f.URL())
	ctx := t.Context()

	held, err := c.SetSubuserIPs(ctx, "newbie", []string{"10.0.0.10", "10.0.0.6", "10.0.0.6"})
	if err != nil || !slices.Equal(held.IPs, []string{"10.0.0.6", "10.0.0.10"}) {
		t.Fatalf("set: %+v %v", held, err)
	}
	reqs := f.sent()
	if len(reqs) != 1 || reqs[0].Method != http.MethodPut || reqs[0].EscapedPath != "/v3/subusers/newbie/ips" ||
		reqs[0].Body != `["10.0.0.6","10.0.0.10"]` {
		t.Fatalf("want one PUT of the sorted set: %+v", reqs)
	}

	f.clear()
	held, err = c.SetSubuserIPs(ctx, "newbie", nil)
	if ips, _ := f.SubuserIPs("newbie"); err != nil || held.IPs == nil || len(held.IPs) != 0 || len(ips) != 0 {
		t.Fatalf("empty set: %#v %v", held, err)
	}
	if body := f.sent()[0].Body; body != `[]` {
		t.Fatalf("an empty set is sent as [], got %s", body)
	}

	if _, err := c.AssignAllIPs(ctx, "newbie"); err != nil {
		t.Fatal(err)
	}
	if got, _ := f.SubuserIPs("newbie"); len(got) != 7 {
		t.Fatalf("assign all: %v", got)
	}

	_, err = c.SetSubuserIPs(ctx, "ghost", []string{"10.0.0.6"})
	if !errors.Is(err, sendgrid.ErrSubuserNotFound) || !strings.Contains(err.Error(), `sendgrid PUT /v3/subusers/{name}/ips for subuser "ghost"`) {
		t.Fatalf("unknown subuser: %v", err)
	}
	_, err = c.SetSubuserIPs(ctx, "bob", []string{"10.0.0.6", "198.51.100.7", "198.51.100.8"})
	var apiErr *sendgrid.APIError
	if !errors.Is(err, sendgrid.ErrRejected) || !errors.As(err, &apiErr) || apiErr.Status != 400 ||
		!slices.Equal(apiErr.Messages, []string{"IP 198.51.100.7 does not belong to your account", "IP 198.51.100.8 does not belong to your account"}) {
		t.Fatalf("IPs not owned: %v", err)
	}
	if got, _ := f.SubuserIPs("bob"); !slices.Equal(got, []string{"10.0.0.2", "10.0.0.3"}) {
		t.Fatalf("a refused PUT changed bob: %v", got)
	}

	// Names are path-escaped: one segment, whatever they hold; a slash is refused before sending.
	if err := f.AddSubuser("a?b c", true, nil); err != nil {
		t.Fatal(err)
	}
	f.clear()
	if _, err := c.SetSubuserIPs(ctx, "a?b c", []string{"10.0.0.6"}); err != nil {
		t.Fatal(err)
	}
	if p := f.sent()[0].EscapedPath; p != "/v3/subusers/a%3Fb%20c/ips" {
		t.Fatalf("path %s", p)
	}
	if _, err := c.SetSubuserIPs(ctx, "a/b", []string{"10.0.0.6"}); !errors.Is(err, sendgrid.ErrRejected) || len(f.sent()) != 1 {
		t.Fatalf("a slash: %v", err)
	}
}

// TestV3AnswerShapes drives each answer shape through each call: the kind, and the error names the call.
func TestV3AnswerShapes(t *testing.T) {
	type shape struct {
		name   string
		status int
		ctype  string
		body   string
		header map[string]string
	}
	shapes := []struct {
		shape
		kind     error
		messages []string
		listKind error // for calls about no subuser, when it differs
	}{
		{shape{"401", 401, "application/json", `{"errors":[{"field":null,"message":"authorization required"}]}`, nil}, sendgrid.ErrBadCredentials, []string{"authorization required"}, nil},
		{shape{"403", 403, "application/json", `{"errors":[{"message":"you dont have permission to access this resource"}]}`, nil}, sendgrid.ErrBadCredentials, []string{"you dont have permission to access this resource"}, nil},
		{shape{"404", 404, "application/json", `{"errors":[{"field":null,"message":"subuser not found"}]}`, nil}, sendgrid.ErrSubuserNotFound, []string{"subuser not found"}, sendgrid.ErrWrongEndpoint},
		{shape{"404 html", 404, "text/html", `<html>Not Found</html>`, nil}, sendgrid.ErrWrongEndpoint, nil, nil},
		{shape{"400", 400, "application/json", `{"errors":[{"field":"limit","message":"limit must be between 1 and 500"}]}`, nil}, sendgrid.ErrRejected, []string{"limit must be between 1 and 500"}, nil},
		{shape{"405", 405, "application/json", `{"errors":[{"field":null,"message":"method not allowed"}]}`, nil}, sendgrid.ErrRejected, []string{"method not allowed"}, nil},
		{shape{"429", 429, "application/json", `{"errors":[{"field":null,"message":"too many requests"}]}`, map[string]string{"Retry-After": "0"}}, sendgrid.ErrRateLimited, []string{"too many requests"}, nil},
		{shape{"500", 500, "application/json", `{"errors":[{"message":"unable to validate IPs at this time"}]}`, nil}, sendgrid.ErrServer, []string{"unable to validate IPs at this time"}, nil},
		{shape{"503 html", 503, "text/html", `<html>unavailable</html>`, nil}, sendgrid.ErrServer, nil, nil},
		{shape{"error 200", 200, "application/json", `{"errors":[{"field":null,"message":"internal error"}]}`, nil}, sendgrid.ErrRejected, []string{"internal error"}, nil},
		{shape{"html 200", 200, "text/html", `<!DOCTYPE html><html>maintenance</html>`, nil}, sendgrid.ErrUnreadable, nil, nil},
		{shape{"truncated", 200, "application/json", `[{"ip":"10.0`, nil}, sendgrid.ErrUnreadable, nil, nil},
		{shape{"empty", 200, "application/json", ``, nil}, sendgrid.ErrUnreadable, nil, nil},
		{shape{"null", 200, "application/json", `null`, nil}, sendgrid.ErrUnreadable, nil, nil},
		{shape{"418 empty", 418, "text/plain", ``, nil}, sendgrid.ErrUnreadable, nil, nil},
	}
	ops := []struct {
		call    string
		subuser bool
		run     func(c sendgrid.API) error
	}{
		{calls.V3IPs, false, func(c sendgrid.API) error { _, err := c.ListIPs(t.Context(), sendgrid.FilterAll); return err }},
		{calls.V3IPsOfSubuser, true, func(c sendgrid.API) error { _, err := c.SubuserIPs(t.Context(), "alice"); return err }},
		{calls.V3SetSubuserIPs, true, func(c sendgrid.API) error {
			_, err := c.SetSubuserIPs(t.Context(), "alice", []string{"10.0.0.1"})
			return err
		}},
		{calls.V3Subusers, false, func(c sendgrid.API) error { _, err := c.Subusers(t.Context()); return err }},
	}
	for _, s := range shapes {
		for _, op := range ops {
			t.Run(s.name+"/"+op.call, func(t *testing.T) {
				header := map[string]string{"Content-Type": s.ctype}
				for k, v := range s.header {
					header[k] = v
				}
				base, _ := cannedServer(t, respondWith(s.status, header, s.body))
				err := op.run(newClient(t, sendgrid.APIv3, base, func(c *sendgrid.Config) { c.NoRetries = true }))
				want := s.kind
				if s.listKind != nil && !op.subuser {
					want = s.listKind
				}
				var apiErr *sendgrid.APIError
				if !errors.As(err, &apiErr) || !errors.Is(err, want) {
					t.Fatalf("want %v, got %v", want, err)
				}
				prefix := "sendgrid " + op.call + ": "
				if op.subuser {
					prefix = "sendgrid " + op.call + ` for subuser "alice": `
				}
				if !strings.HasPrefix(err.Error(), prefix) {
					t.Fatalf("error must start %q: %v", prefix, err)
				}
				if s.messages != nil && !slices.Equal(apiErr.Messages, s.messages) {
					t.Fatalf("messages %q, want %q", apiErr.Messages, s.messages)
				}
				if (errors.Is(want, sendgrid.ErrUnreadable) || errors.Is(want, sendgrid.ErrWrongEndpoint)) && !strings.Contains(err.Error(), "content type") {
					t.Fatalf("unreadable must name the content type: %v", err)
				}
				if s.status == 403 && !strings.Contains(err.Error(), "scope") {
					t.Fatalf("403 must say the key may lack a scope: %v", err)
				}
				if apiErr.Status != s.status {
					t.Fatalf("status %d, want %d", apiErr.Status, s.status)
				}
			})
		}
	}
}

// TestV3BearerKeyNeverInURLOrLog: the key travels in the Authorization header only, and no log line carries it.
func TestV3BearerKeyNeverInURLOrLog(t *testing.T) {
	f := startRecorder(t)
	var logs bytes.Buffer
	ctx := tflogtest.RootLogger(t.Context(), &logs)
	c := newClient(t, sendgrid.APIv3, f.URL())
	_, _ = c.ListIPs(ctx, sendgrid.FilterAvailable)
	_, _ = c.SubuserIPs(ctx, "alice")
	_, _ = c.SubuserIPs(ctx, "ghost")
	_, _ = c.SetSubuserIPs(ctx, "newbie", []string{"10.0.0.6"})
	_, _ = c.AssignAllIPs(ctx, "newbie")
	_, _ = c.Subusers(ctx)
	f.mu.Lock()
	f.next = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { // echoes the key back
		w.Header().Set("Content-Type", "text/html")
		_, _ = w.Write([]byte("<html>" + r.Header.Get("Authorization") + "</html>")) //nolint:gosec // the test echoes the key on purpose
	})
	f.mu.Unlock()
	_, err := newClient(t, sendgrid.APIv3, f.URL()).ListIPs(ctx, sendgrid.FilterAll) // a new session: no scan to answer from
	if !errors.Is(err, sendgrid.ErrUnreadable) || strings.Contains(err.Error(), key) || !strings.Contains(err.Error(), "Bearer [redacted]") {
		t.Fatalf("an echoed key must be redacted: %v", err)
	}
	reqs := f.sent()
	if len(reqs) < 8 {
		t.Fatalf("only %d requests", len(reqs))
	}
	for _, r := range reqs {
		if strings.Contains(r.URL, key) || strings.Contains(r.Body, key) {
			t.Errorf("%s %s carries the key outside the header", r.Method, r.URL)
		}
		if r.Auth != "Bearer "+key {
			t.Errorf("%s %s: Authorization %q", r.Method, r.URL, r.Auth)
		}
		if r.UserAgent != "terraform-provider-sendgrid/test" {
			t.Errorf("User-Agent %q", r.UserAgent)
		}
	}
	if !strings.Contains(logs.String(), "SendGrid answer") {
		t.Fatalf("no log captured: %s", logs.String())
	}
	if strings.Contains(logs.String(), key) {
		t.Fatalf("the key is in the log:\n%s", logs.String())
	}
}

func TestNewConfig(t *testing.T) {
	for _, tc := range []struct {
		cfg  sendgrid.Config
		ok   bool
		base string
	}{
		{sendgrid.Config{APIVersion: sendgrid.APIv2, APIUser: "u", APIKey: "k"}, true, "https://sendgrid.com/apiv2/"},
		{sendgrid.Config{APIKey: "k"}, true, "https://api.sendgrid.com/"}, // v3 unless told otherwise
		{sendgrid.Config{APIVersion: sendgrid.APIv3, APIKey: "k"}, true, "https://api.sendgrid.com/"},
		{sendgrid.Config{APIVersion: sendgrid.APIv3, Region: sendgrid.RegionEU, APIKey: "k"}, true, "https://api.eu.sendgrid.com/"},
		{sendgrid.Config{APIVersion: sendgrid.APIv3, APIUser: "u", APIKey: "k"}, false, ""},
		{sendgrid.Config{APIVersion: sendgrid.APIv3}, false, ""},
		{sendgrid.Config{APIUser: "u", APIKey: "k"}, false, ""},
		{sendgrid.Config{APIVersion: sendgrid.APIv2, APIKey: "k"}, false, ""},
		{sendgrid.Config{APIVersion: "v4", APIKey: "k"}, false, ""},
		{sendgrid.Config{APIKey: "k\n"}, false, ""},
		{sendgrid.Config{APIKey: " k"}, false, ""},
		{sendgrid.Config{APIKey: "k\x00k"}, false, ""},
		{sendgrid.Config{Region: sendgrid.RegionEU, APIKey: "k", BaseURL: "https://api.sendgrid.com/"}, false, ""},
		{sendgrid.Config{Region: sendgrid.RegionGlobal, APIKey: "k", BaseURL: "http://127.0.0.1:1/"}, false, ""},
		{sendgrid.Config{Region: sendgrid.RegionEU, APIKey: "k", BaseURL: "https://api.eu.sendgrid.com"}, true, "https://api.eu.sendgrid.com/"},
		{sendgrid.Config{APIVersion: sendgrid.APIv3, Region: "us", APIKey: "k"}, false, ""},
		{sendgrid.Config{APIVersion: sendgrid.APIv2, APIUser: "u", APIKey: "k", Region: sendgrid.RegionEU}, false, ""},
		{sendgrid.Config{APIVersion: sendgrid.APIv3, APIKey: "k", PageSize: 501}, false, ""},
		{sendgrid.Config{APIVersion: sendgrid.APIv3, APIKey: "k", PageSize: -1}, false, ""},
		{sendgrid.Config{APIVersion: sendgrid.APIv3, APIKey: "k", BaseURL: "https://api.sendgrid.com/v3"}, false, ""},
		{sendgrid.Config{APIVersion: sendgrid.APIv3, APIKey: "k", BaseURL: "http://LOCALHOST:8080/"}, true, "https://api.sendgrid.com/"},
	} {
		c, err := sendgrid.New(tc.cfg)
		if (err == nil) != tc.ok {
			t.Errorf("%+v: err=%v, want ok=%v", tc.cfg, err, tc.ok)
			continue
		}
		if tc.ok {
			if got := sendgrid.DefaultBaseURL(tc.cfg.APIVersion, tc.cfg.Region); got != tc.base {
				t.Errorf("%+v: default base %q, want %q", tc.cfg, got, tc.base)
			}
			if want := map[bool]string{true: sendgrid.APIv2, false: sendgrid.APIv3}[tc.cfg.APIVersion == sendgrid.APIv2]; c.Version() != want {
				t.Errorf("version %q, want %q", c.Version(), want)
			}
		}
	}
}
