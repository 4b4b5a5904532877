package sendgrid_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/calls"
	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/sendgrid"
	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/sendgridmock"
)

func TestListIPsFilters(t *testing.T) {
	for _, v := range apis {
		t.Run(v, func(t *testing.T) {
			api, c := startMock(t, v)
			for _, tc := range []struct {
				filter sendgrid.IPFilter
				want   []string
				v3     int // calls of a new v3 session: a page and the one that shows the end, of the subusers too for "available"
			}{
				{sendgrid.FilterAll, []string{"10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4", "10.0.0.5", "10.0.0.6", "10.0.0.10"}, 2},
				{sendgrid.FilterFree, []string{"10.0.0.6", "10.0.0.10"}, 2},
				{sendgrid.FilterTaken, []string{"10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4", "10.0.0.5"}, 2},
				{sendgrid.FilterAvailable, []string{"10.0.0.4", "10.0.0.6", "10.0.0.10"}, 4},
			} {
				api.ResetRequests()
				if v == sendgrid.APIv3 {
					c = newClient(t, v, api.V3URL())
				}
				got, err := c.ListIPs(t.Context(), tc.filter)
				if err != nil || !slices.Equal(got, tc.want) {
					t.Errorf("%s: got %v %v, want %v", tc.filter, got, err, tc.want)
				}
				if n := api.Count("", ""); v == sendgrid.APIv3 && n != tc.v3 {
					t.Errorf("%s: %d calls, want %d: %v", tc.filter, n, tc.v3, sendgridmock.Tally(api.Requests()))
				}
			}
			api.SetDuplicateIPs(true)
			got, err := c.ListIPs(t.Context(), sendgrid.FilterFree)
			if err != nil || !slices.Equal(got, []string{"10.0.0.6", "10.0.0.10"}) {
				t.Errorf("duplicates must be removed: %v %v", got, err)
			}
			if _, err := c.ListIPs(t.Context(), "some"); !errors.Is(err, sendgrid.ErrRejected) {
				t.Fatalf("unknown filter: %v", err)
			}
		})
	}
	// No IP has a subuser: "available" needs no subuser list.
	api, c := startMock(t, sendgrid.APIv3)
	for _, su := range seed().Subusers {
		if err := api.SetSubuserIPs(su.Name, nil); err != nil {
			t.Fatal(err)
		}
	}
	got, err := c.ListIPs(t.Context(), sendgrid.FilterAvailable)
	if err != nil || len(got) != 7 || api.Count("", "") != 2 {
		t.Fatalf("available with no subusers: %v %v, calls %v", got, err, sendgridmock.Tally(api.Requests()))
	}
}

func TestSubuserIPsAndSetModes(t *testing.T) {
	api, c := startMock(t, sendgrid.APIv2)
	ctx := t.Context()

	got, err := c.SubuserIPs(ctx, "alice")
	if err != nil || !slices.Equal(got.IPs, []string{"10.0.0.1", "10.0.0.2"}) || got.OutboundCluster != "SendGrid MTA" {
		t.Fatalf("alice: %+v %v", got, err)
	}
	got, err = c.SubuserIPs(ctx, "newbie")
	if err != nil || len(got.IPs) != 0 {
		t.Fatalf("newbie: %+v %v", got, err)
	}
	api.SetDuplicateIPs(true)
	if got, _ := c.SubuserIPs(ctx, "bob"); !slices.Equal(got.IPs, []string{"10.0.0.2", "10.0.0.3"}) {
		t.Fatalf("duplicates must be removed: %v", got.IPs)
	}
	api.SetDuplicateIPs(false)

	if held, err := c.SetSubuserIPs(ctx, "newbie", []string{"10.0.0.10", "10.0.0.6", "10.0.0.6"}); err != nil || !slices.Equal(held.IPs, []string{"10.0.0.6", "10.0.0.10"}) {
		t.Fatal(held, err) // v2's answer says only "success": the backend reads back
	}
	expectHolds(t, api, "newbie", "10.0.0.6", "10.0.0.10")
	if _, err := c.SetSubuserIPs(ctx, "newbie", []string{"10.0.0.3"}); err != nil { // a replace, not an add
		t.Fatal(err)
	}
	expectHolds(t, api, "newbie", "10.0.0.3")
	if held, err := c.AssignAllIPs(ctx, "newbie"); err != nil || len(held.IPs) != len(seed().IPs) {
		t.Fatal(held, err)
	}
	expectHolds(t, api, "newbie", seed().IPs...)
	api.ResetRequests()
	if _, err := c.SetSubuserIPs(ctx, "newbie", nil); err != nil {
		t.Fatal(err)
	}
	expectHolds(t, api, "newbie")
	if reqs := api.Requests(); len(reqs) != 2 || reqs[0].Set != "none" || reqs[1].Task != "list" {
		t.Fatalf("no IPs must be set=none, never specify without ip[]: %+v", reqs)
	}
}

func TestErrorShapesOverHTTP(t *testing.T) {
	api, c := startMock(t, sendgrid.APIv2)
	ctx := t.Context()

	_, err := c.SubuserIPs(ctx, "ghost")
	if !errors.Is(err, sendgrid.ErrSubuserNotFound) || !strings.Contains(err.Error(), `"ghost"`) {
		t.Errorf("unknown subuser (list): %v", err)
	}
	_, err = c.SetSubuserIPs(ctx, "ghost", []string{"10.0.0.6"})
	if !errors.Is(err, sendgrid.ErrSubuserNotFound) {
		t.Errorf("unknown subuser (append): %v", err)
	}

	_, err = c.SetSubuserIPs(ctx, "newbie", []string{"10.0.0.6", "198.51.100.7"})
	var apiErr *sendgrid.APIError
	if !errors.Is(err, sendgrid.ErrRejected) || !errors.As(err, &apiErr) {
		t.Fatalf("IP not owned: %v", err)
	}
	if !strings.Contains(strings.Join(apiErr.Messages, " "), "198.51.100.7") || apiErr.Status != 400 {
		t.Errorf("IP not owned: SendGrid's message must name the IP: %+v", apiErr)
	}
	expectHolds(t, api, "newbie") // nothing changed
	expectHolds(t, api, "alice", "10.0.0.1", "10.0.0.2")

	for _, shape := range []sendgridmock.BadCredentialsShape{
		sendgridmock.BadCredentialsErrors200, sendgridmock.BadCredentialsCode401In200, sendgridmock.BadCredentialsPlain403HTML,
	} {
		api.SetBadCredentialsShape(shape)
		bad := newClient(t, sendgrid.APIv2, api.URL(), func(c *sendgrid.Config) { c.APIKey = "SG.wrong" })
		_, err := bad.ListIPs(ctx, sendgrid.FilterAll)
		if !errors.Is(err, sendgrid.ErrBadCredentials) {
			t.Errorf("bad credentials shape %d: %v", shape, err)
		}
		if err != nil && strings.Contains(err.Error(), "SG.wrong") {
			t.Errorf("error carries the key: %v", err)
		}
	}
}

func TestFaults(t *testing.T) {
	cases := []struct {
		fault   sendgridmock.Fault
		kind    error         // nil: the retries succeed
		waitMax time.Duration // 0: 20ms, so any wait SendGrid names ends the call at once
	}{
		{sendgridmock.Fault{Kind: sendgridmock.FaultRateLimited, Count: 2, RetryAfter: "0"}, nil, 0},
		{sendgridmock.Fault{Kind: sendgridmock.FaultRateLimited, Count: 1, RateLimitReset: time.Second}, sendgrid.ErrRateLimited, 0},
		{sendgridmock.Fault{Kind: sendgridmock.FaultRateLimited, Count: 1, RateLimitReset: time.Second}, nil, 3 * time.Second},
		{sendgridmock.Fault{Kind: sendgridmock.FaultRateLimited, Count: 10, RetryAfter: "1"}, sendgrid.ErrRateLimited, 0},
		{sendgridmock.Fault{Kind: sendgridmock.FaultServerError, Count: 2}, nil, 0},
		{sendgridmock.Fault{Kind: sendgridmock.FaultServerError, Count: 10}, sendgrid.ErrServer, 0},
		{sendgridmock.Fault{Kind: sendgridmock.FaultUnavailable, Count: 1}, nil, 0},
		{sendgridmock.Fault{Kind: sendgridmock.FaultDrop, Count: 2}, nil, 0},
		{sendgridmock.Fault{Kind: sendgridmock.FaultDrop, Count: 10}, sendgrid.ErrTransport, 0},
		{sendgridmock.Fault{Kind: sendgridmock.FaultDelay, Count: 1, Delay: 3 * time.Second}, nil, 0}, // first attempt times out
		{sendgridmock.Fault{Kind: sendgridmock.FaultHTML, Count: 1}, sendgrid.ErrUnreadable, 0},
		{sendgridmock.Fault{Kind: sendgridmock.FaultTruncatedJSON, Count: 1}, sendgrid.ErrUnreadable, 0},
		{sendgridmock.Fault{Kind: sendgridmock.FaultError200, Count: 1}, sendgrid.ErrRejected, 0},
	}
	for _, tc := range cases {
		t.Run(fmt.Sprintf("%s x%d wait max %s", tc.fault.Kind, tc.fault.Count, tc.waitMax), func(t *testing.T) {
			api, c := startMock(t, sendgrid.APIv2, func(c *sendgrid.Config) {
				c.MaxRetries = 3
				c.RequestTimeout = time.Second
				if tc.waitMax > 0 {
					c.RetryWaitMax = tc.waitMax
				}
			})
			api.InjectFault(tc.fault)
			got, err := c.SubuserIPs(t.Context(), "alice")
			if tc.kind == nil {
				if err != nil || !slices.Equal(got.IPs, []string{"10.0.0.1", "10.0.0.2"}) {
					t.Fatalf("want success after retries, got %v %v", got, err)
				}
				return
			}
			if !errors.Is(err, tc.kind) {
				t.Fatalf("want %v, got %v", tc.kind, err)
			}
			if !strings.Contains(err.Error(), calls.V2SubuserIPs) {
				t.Fatalf("error must name the call: %v", err)
			}
			if errors.Is(tc.kind, sendgrid.ErrRateLimited) {
				var apiErr *sendgrid.APIError
				if !errors.As(err, &apiErr) || (apiErr.RetryAfter != time.Second && apiErr.RateLimitReset.IsZero()) {
					t.Fatalf("rate limit error must carry Retry-After or X-RateLimit-Reset: %+v", apiErr)
				}
			}
			if errors.Is(tc.kind, sendgrid.ErrUnreadable) && !strings.Contains(err.Error(), "content type") {
				t.Fatalf("unreadable answer must name its content type: %v", err)
			}
		})
	}
}

func TestCredentialsNeverInURL(t *testing.T) {
	api, c := startMock(t, sendgrid.APIv2)
	ctx := t.Context()
	_, _ = c.ListIPs(ctx, sendgrid.FilterFree)
	_, _ = c.SubuserIPs(ctx, "alice")
	_, _ = c.SetSubuserIPs(ctx, "newbie", []string{"10.0.0.6"})
	_, _ = c.AssignAllIPs(ctx, "newbie")
	_, _ = c.SetSubuserIPs(ctx, "newbie", nil)
	_, _ = c.SubuserIPs(ctx, "ghost")
	reqs := api.Requests()
	if len(reqs) != 9 { // each write is read back
		t.Fatalf("want 9 requests, got %d", len(reqs))
	}
	for _, r := range reqs {
		if r.CredentialsInQuery {
			t.Errorf("%s %s carried credentials in the URL", r.Method, r.Call)
		}
		if r.Method != http.MethodPost || r.Format != "json" {
			t.Errorf("%s: method %s format %s, want POST json", r.Call, r.Method, r.Format)
		}
		if r.UserAgent != "terraform-provider-sendgrid/test" {
			t.Errorf("User-Agent %q", r.UserAgent)
		}
	}
}

func TestPacing(t *testing.T) {
	_, c := startMock(t, sendgrid.APIv2, func(c *sendgrid.Config) { c.RequestsPerMinute, c.NoPacing = 600, false }) // one every 100ms
	start := time.Now()
	for range 6 {
		if _, err := c.ListIPs(t.Context(), sendgrid.FilterAll); err != nil {
			t.Fatal(err)
		}
	}
	if elapsed := time.Since(start); elapsed < 450*time.Millisecond {
		t.Fatalf("6 calls at 600/min took %s, want at least 500ms", elapsed)
	}
}

func TestCancelStopsPromptly(t *testing.T) {
	api, c := startMock(t, sendgrid.APIv2, func(c *sendgrid.Config) { c.RequestTimeout = time.Minute })
	api.InjectFault(sendgridmock.Fault{Kind: sendgridmock.FaultDelay, Count: 1, Delay: 30 * time.Second})
	ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := c.SubuserIPs(ctx, "alice")
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("want the context's error, got %v", err)
	}
	if time.Since(start) > 2*time.Second {
		t.Fatalf("took %s to give up", time.Since(start))
	}
}

func TestValidateBaseURL(t *testing.T) {
	for raw, ok := range map[string]bool{
		"https://sendgrid.com/apiv2/":         true,
		"https://api.sendgrid.com/apiv2":      true,
		"http://127.0.0.1:8080/apiv2/":        true,
		"http://localhost:8080/":              true,
		"http://LOCALHOST:8080/":              true,
		"http://LocalHost/apiv2/":             true,
		"http://localhost.evil.example/":      false,
		"http://[::1]:8080/":                  true,
		"http://sendgrid.com/apiv2/":          false,
		"http://10.0.0.1/apiv2/":              false,
		"ftp://sendgrid.com/":                 false,
		"sendgrid.com/apiv2":                  false,
		"https://user:pw@sendgrid.com/apiv2/": false,
	} {
		if _, err := sendgrid.ValidateBaseURL(raw); (err == nil) != ok {
			t.Errorf("%s: err=%v, want ok=%v", raw, err, ok)
		}
	}
}

func TestSubusers(t *testing.T) {
	want := []sendgrid.Subuser{
		{Name: "alice", Active: true, IPs: []string{"10.0.0.1", "10.0.0.2"}},
		{Name: "bob", Active: true, IPs: []string{"10.0.0.2", "10.0.0.3"}},
		{Name: "carol", Active: false, IPs: []string{"10.0.0.4"}},
		{Name: "erin", Active: false, IPs: []string{"10.0.0.5"}},
		{Name: "frank", Active: true, IPs: []string{"10.0.0.5"}},
		{Name: "newbie", Active: true, IPs: []string{}},
	}
	for _, v := range apis {
		t.Run(v, func(t *testing.T) {
			api, c := startMock(t, v, func(c *sendgrid.Config) { c.PageSize = 2 })
			got, err := c.Subusers(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			if !sameSubusers(got, want) {
				t.Fatalf("got %+v\nwant %+v", got, want)
			}
			// v2: one customer.profile, one read per subuser; v3: 6 subusers and 7 IPs in pages of 2 that overlap by one (6 + 7 calls).
			if v == sendgrid.APIv2 && (api.Count(calls.V2Profile, "get") != 1 || api.Count(calls.V2SendIP, "list") != 6) ||
				v == sendgrid.APIv3 && api.Count("", "") != 13 {
				t.Fatalf("calls: %v", sendgridmock.Tally(api.Requests()))
			}
		})
	}
}
