package sendgrid_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
	"unicode"

	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/sendgrid"
)

// TestRedirectsRefused: neither the form body (v2) nor the bearer header (v3) reaches another server.
func TestRedirectsRefused(t *testing.T) {
	for _, status := range []int{301, 302, 303, 307, 308} {
		for _, v := range []string{sendgrid.APIv2, sendgrid.APIv3} {
			t.Run(strconv.Itoa(status)+"/"+v, func(t *testing.T) {
				elsewhere, received := cannedServer(t, respondWith(200, nil, `[]`))
				target, _ := url.Parse(elsewhere)
				base, asked := cannedServer(t, respondWith(status, map[string]string{"Location": elsewhere + "steal/path?api_key=x"}, ""))
				c := backends(t, base)[v]
				_, err := c.SubuserIPs(t.Context(), "alice")
				if received.Load() != 0 {
					t.Fatalf("the redirect was followed: the other server got %d requests", received.Load())
				}
				var apiErr *sendgrid.APIError
				if !errors.Is(err, sendgrid.ErrRedirected) || !errors.As(err, &apiErr) || apiErr.Status != status {
					t.Fatalf("want ErrRedirected with HTTP %d, got %v", status, err)
				}
				if !strings.Contains(err.Error(), strconv.Quote(target.Host)) || strings.Contains(err.Error(), "steal") || strings.Contains(err.Error(), "api_key") {
					t.Fatalf("error must name the host %s and nothing of the path or query: %v", target.Host, err)
				}
				if asked.Load() != 1 {
					t.Fatalf("a redirect is not retried: %d requests", asked.Load())
				}
			})
		}
	}
}

// hostile are answers' texts meant to drive a terminal.
var hostile = []string{"\x1b[2J", "\x1b]0;title\x07", "\r\x1b[K Apply complete!", "\x00nul", "\u009b31m", "\u202eevil"}

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func noRawControl(t *testing.T, what, s string) {
	t.Helper()
	if i := strings.IndexFunc(s, func(r rune) bool { return unicode.IsControl(r) || r == '\u202e' }); i >= 0 {
		t.Fatalf("%s holds a raw control character at %d: %q", what, i, s)
	}
}

// TestControlCharactersEscaped: text from an answer reaches errors and state escaped, never raw.
func TestControlCharactersEscaped(t *testing.T) {
	msgs := make([]string, len(hostile))
	for i, h := range hostile {
		msgs[i] = jsonString(h)
	}
	v2Errors := `{"message":"error","errors":[` + strings.Join(msgs, ",") + `]}`
	var v3Entries []string
	for _, m := range msgs {
		v3Entries = append(v3Entries, `{"field":null,"message":`+m+`}`)
	}
	v3Errors := `{"errors":[` + strings.Join(v3Entries, ",") + `]}`
	rawHTML := "<html>" + strings.Join(hostile, "") + "</html>"

	cases := []struct {
		name, api, body string
		status          int
		ctype           string
	}{
		{"v2 messages", sendgrid.APIv2, v2Errors, 400, "application/json"},
		{"v2 body excerpt", sendgrid.APIv2, rawHTML, 200, "text/html"},
		{"v3 messages", sendgrid.APIv3, v3Errors, 400, "application/json"},
		{"v3 body excerpt", sendgrid.APIv3, rawHTML, 200, "text/html"},
		{"v3 429 messages", sendgrid.APIv3, v3Errors, 429, "application/json"},
		{"content type", sendgrid.APIv3, "<html>", 200, "text/html\x1b[2J"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			base, _ := cannedServer(t, respondWith(tc.status, map[string]string{"Content-Type": tc.ctype}, tc.body))
			c := backends(t, base, func(c *sendgrid.Config) { c.NoRetries = true })[tc.api]
			_, err := c.SubuserIPs(t.Context(), "alice")
			var apiErr *sendgrid.APIError
			if !errors.As(err, &apiErr) {
				t.Fatalf("got %v", err)
			}
			noRawControl(t, "error", err.Error())
			for _, m := range apiErr.Messages {
				noRawControl(t, "message", m)
			}
			noRawControl(t, "body excerpt", apiErr.BodyStart)
			noRawControl(t, "content type", apiErr.ContentType)
			if tc.ctype == "text/html" || tc.status != 200 {
				for _, want := range []string{`\x1b[2J`, `\x1b]0;title\x07`, `\x0d\x1b[K Apply complete!`, `\x00nul`, `\u009b31m`, `\u202eevil`} {
					if !strings.Contains(strings.Join(apiErr.Messages, "|")+apiErr.BodyStart, want) {
						t.Errorf("want %s escaped as %q in %q / %q", tc.name, want, apiErr.Messages, apiErr.BodyStart)
					}
				}
			}
		})
	}

	t.Run("v2 outbound cluster", func(t *testing.T) {
		base, _ := cannedServer(t, respondWith(200, nil, `{"success":"success","outboundcluster":`+jsonString("\x1b]0;pwned\x07MTA")+`,"ips":[]}`))
		got, err := backends(t, base)[sendgrid.APIv2].SubuserIPs(t.Context(), "alice")
		if err != nil || got.OutboundCluster != `\x1b]0;pwned\x07MTA` {
			t.Fatalf("got %q %v", got.OutboundCluster, err)
		}
	})

	t.Run("redirect host", func(t *testing.T) {
		base, _ := cannedServer(t, respondWith(302, map[string]string{"Location": "https://evil\u009b2J.example/x"}, ""))
		_, err := backends(t, base)[sendgrid.APIv3].SubuserIPs(t.Context(), "alice")
		if !errors.Is(err, sendgrid.ErrRedirected) || !strings.Contains(err.Error(), `evil\\u009b2J.example`) {
			t.Fatalf("got %v", err)
		}
		noRawControl(t, "error", err.Error())
	})
}

// TestMappedIPv6Unmapped: ::ffff:203.0.113.1 is 203.0.113.1 on both APIs; other IPv6 stays.
func TestMappedIPv6Unmapped(t *testing.T) {
	want := []string{"203.0.113.1", "2001:db8::1"}
	base, _ := cannedServer(t, respondWith(200, nil, `[{"ip":"::ffff:203.0.113.1"},{"ip":"203.0.113.1"},{"ip":"2001:db8::1"}]`))
	got, err := backends(t, base)[sendgrid.APIv2].ListIPs(t.Context(), sendgrid.FilterAll)
	if err != nil || !slices.Equal(got, want) {
		t.Fatalf("v2: %v %v", got, err)
	}
	base, _ = cannedServer(t, respondWith(200, nil, `[{"ip":"::ffff:203.0.113.1","subusers":["alice"]},{"ip":"2001:db8::1","subusers":["alice"]}]`))
	held, err := backends(t, base)[sendgrid.APIv3].SubuserIPs(t.Context(), "alice")
	if err != nil || !slices.Equal(held.IPs, want) {
		t.Fatalf("v3 GET: %v %v", held, err)
	}
	base, _ = cannedServer(t, respondWith(200, nil, `{"ips":["::ffff:203.0.113.1","203.0.113.1"]}`))
	set, err := backends(t, base)[sendgrid.APIv3].SetSubuserIPs(t.Context(), "alice", []string{"203.0.113.1"})
	if err != nil || !slices.Equal(set.IPs, want[:1]) {
		t.Fatalf("v3 PUT: %v %v", set, err)
	}
}

// TestLongRetryAfterEndsAtOnce: a wait longer than RetryWaitMax, or past the deadline, ends the call at once, naming the wait.
func TestLongRetryAfterEndsAtOnce(t *testing.T) {
	cases := []struct {
		name   string
		header map[string]string
		want   string // a regexp: dates and unix times are whole seconds
	}{
		{"Retry-After seconds", map[string]string{"Retry-After": "86400"}, `asked to wait 24h0m0s, longer than the longest retry wait \(2m0s\)`},
		{"Retry-After date", map[string]string{"Retry-After": time.Now().Add(2 * time.Hour).UTC().Format(http.TimeFormat)}, "asked to wait (1h59m59s|2h0m0s)"},
		{"X-RateLimit-Reset", map[string]string{"X-RateLimit-Reset": strconv.FormatInt(time.Now().Add(time.Hour).Unix(), 10)}, "asked to wait (59m59s|1h0m0s)"},
	}
	for _, tc := range cases {
		for _, v := range []string{sendgrid.APIv2, sendgrid.APIv3} {
			t.Run(tc.name+"/"+v, func(t *testing.T) {
				base, n := cannedServer(t, respondWith(429, tc.header, `{"errors":[{"field":null,"message":"too many requests"}]}`))
				c := backends(t, base, func(c *sendgrid.Config) { c.RetryWaitMax = sendgrid.DefaultRetryWaitMax })[v]
				ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second) // a regression fails here, not at the test timeout
				defer cancel()
				start := time.Now()
				_, err := c.ListIPs(ctx, sendgrid.FilterAll)
				if elapsed := time.Since(start); elapsed > time.Second {
					t.Fatalf("took %s", elapsed)
				}
				if !errors.Is(err, sendgrid.ErrRateLimited) || !regexp.MustCompile(tc.want).MatchString(err.Error()) || !strings.Contains(err.Error(), "(HTTP 429)") {
					t.Fatalf("want ErrRateLimited naming %q, got %v", tc.want, err)
				}
				if n.Load() != 1 {
					t.Fatalf("%d requests, want 1", n.Load())
				}
			})
		}
	}
	base, n := cannedServer(t, respondWith(429, map[string]string{"Retry-After": "5"}, `{"errors":[{"field":null,"message":"too many requests"}]}`))
	c := backends(t, base, func(c *sendgrid.Config) { c.RetryWaitMax = sendgrid.DefaultRetryWaitMax })[sendgrid.APIv3]
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Second)
	defer cancel()
	start := time.Now()
	_, err := c.ListIPs(ctx, sendgrid.FilterAll)
	if time.Since(start) > time.Second || n.Load() != 1 || !errors.Is(err, sendgrid.ErrRateLimited) ||
		!strings.Contains(err.Error(), "asked to wait 5s, past the operation's deadline") {
		t.Fatalf("after %s and %d requests: %v", time.Since(start), n.Load(), err)
	}
}

// TestRetryAfterIsWaitedFor: a 429 asking for a second, twice, makes the call wait two seconds,
// not the client's own milliseconds of backoff; X-RateLimit-Reset likewise.
func TestRetryAfterIsWaitedFor(t *testing.T) {
	for _, tc := range []struct {
		name    string
		header  func() map[string]string
		atLeast time.Duration // the reset is in whole seconds: 0.5 s to 1.5 s each
	}{
		{"Retry-After", func() map[string]string { return map[string]string{"Retry-After": "1"} }, 1900 * time.Millisecond},
		{"X-RateLimit-Reset", func() map[string]string {
			return map[string]string{"X-RateLimit-Reset": strconv.FormatInt(time.Now().Add(1500*time.Millisecond).Unix(), 10)}
		}, 900 * time.Millisecond},
	} {
		name, header := tc.name, tc.header
		t.Run(name, func(t *testing.T) {
			var calls atomic.Int32
			base, _ := cannedServer(t, func(w http.ResponseWriter, r *http.Request) {
				if calls.Add(1) <= 2 {
					respondWith(429, header(), `{"errors":[{"field":null,"message":"too many requests"}]}`)(w, r)
					return
				}
				respondWith(200, nil, `{"ips":["10.0.0.1"]}`)(w, r)
			})
			c := backends(t, base, func(c *sendgrid.Config) { c.RetryWaitMax = 3 * time.Second })[sendgrid.APIv3]
			start := time.Now()
			if _, err := c.SetSubuserIPs(t.Context(), "alice", []string{"10.0.0.1"}); err != nil {
				t.Fatal(err)
			}
			if d := time.Since(start); d < tc.atLeast || calls.Load() != 3 {
				t.Fatalf("%d calls in %s: the asked wait was not honoured", calls.Load(), d)
			}
		})
	}
}

// TestDeadlineDuring429BackoffNamesThe429: the error says what SendGrid last answered.
func TestDeadlineDuring429BackoffNamesThe429(t *testing.T) {
	for _, v := range []string{sendgrid.APIv2, sendgrid.APIv3} {
		t.Run(v, func(t *testing.T) {
			base, _ := cannedServer(t, respondWith(429, nil, `{"errors":[{"field":null,"message":"too many requests"}]}`))
			c := backends(t, base, func(c *sendgrid.Config) { c.RetryWaitMin, c.RetryWaitMax = 10*time.Second, 10*time.Second })[v]
			ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
			defer cancel()
			start := time.Now()
			_, err := c.SubuserIPs(ctx, "alice")
			if time.Since(start) > 2*time.Second {
				t.Fatalf("took %s", time.Since(start))
			}
			var apiErr *sendgrid.APIError
			if !errors.Is(err, sendgrid.ErrRateLimited) || !errors.Is(err, context.DeadlineExceeded) || !errors.As(err, &apiErr) ||
				apiErr.Status != 429 || !strings.Contains(err.Error(), "rate limited (HTTP 429)") {
				t.Fatalf("want the 429 named and the deadline, got %v", err)
			}
			if v == sendgrid.APIv3 && !slices.Equal(apiErr.Messages, []string{"too many requests"}) {
				t.Fatalf("messages %q", apiErr.Messages)
			}
		})
	}
}

// TestPacingEndsPromptly: a turn after the deadline fails at once, and a cancel ends the wait.
func TestPacingEndsPromptly(t *testing.T) {
	base, n := cannedServer(t, respondWith(200, nil, `[]`))
	c := backends(t, base, func(c *sendgrid.Config) { c.RequestsPerMinute, c.NoPacing = 1, false })[sendgrid.APIv2] // next turn in 61s
	if _, err := c.ListIPs(t.Context(), sendgrid.FilterAll); err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	start := time.Now()
	_, err := c.ListIPs(ctx, sendgrid.FilterAll)
	if elapsed := time.Since(start); elapsed > 500*time.Millisecond {
		t.Fatalf("a turn past the deadline took %s to refuse", elapsed)
	}
	if !errors.Is(err, sendgrid.ErrTransport) || !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "configured pace") {
		t.Fatalf("got %v", err)
	}

	ctx, cancel = context.WithCancel(t.Context())
	time.AfterFunc(100*time.Millisecond, cancel)
	start = time.Now()
	_, err = c.ListIPs(ctx, sendgrid.FilterAll)
	if elapsed := time.Since(start); elapsed > 600*time.Millisecond || !errors.Is(err, context.Canceled) {
		t.Fatalf("cancel while waiting for a turn: %v after %s", err, elapsed)
	}
	if n.Load() != 1 {
		t.Fatalf("%d requests, want 1", n.Load())
	}
}

// TestPacingWaitIsNotPartOfRequestTimeout: a turn's wait (~1.4s) plus the answer (150ms) exceed the 1s timeout.
func TestPacingWaitIsNotPartOfRequestTimeout(t *testing.T) {
	base, _ := cannedServer(t, func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(150 * time.Millisecond)
		respondWith(200, nil, `[]`)(w, r)
	})
	c := backends(t, base, func(c *sendgrid.Config) {
		c.RequestsPerMinute, c.NoPacing, c.RequestTimeout, c.NoRetries = 40, false, time.Second, true // a turn every 1.5s
	})[sendgrid.APIv3]
	for i := range 2 {
		if _, err := c.ListIPs(t.Context(), sendgrid.FilterAll); err != nil {
			t.Fatalf("call %d: %v", i+1, err)
		}
	}
}

// TestRetryAfterZeroWinsOverReset: "Retry-After: 0" means now, whatever X-RateLimit-Reset says.
func TestRetryAfterZeroWinsOverReset(t *testing.T) {
	var first atomic.Bool
	base, n := cannedServer(t, func(w http.ResponseWriter, r *http.Request) {
		if first.CompareAndSwap(false, true) {
			respondWith(429, map[string]string{"Retry-After": "0", "X-RateLimit-Reset": strconv.FormatInt(time.Now().Add(time.Hour).Unix(), 10)}, `{}`)(w, r)
			return
		}
		respondWith(200, nil, `[]`)(w, r)
	})
	c := backends(t, base)[sendgrid.APIv3]
	if _, err := c.ListIPs(t.Context(), sendgrid.FilterAll); err != nil || n.Load() != 2 {
		t.Fatalf("%v after %d requests", err, n.Load())
	}
}

// TestStopEndsCallsAtOnce: after Ctrl-C a call waiting for its turn ends, and later calls send nothing.
func TestStopEndsCallsAtOnce(t *testing.T) {
	base, n := cannedServer(t, respondWith(200, nil, `[]`))
	stop, interrupt := context.WithCancel(t.Context())
	c := backends(t, base, func(c *sendgrid.Config) { c.RequestsPerMinute, c.NoPacing, c.Stop = 1, false, stop })[sendgrid.APIv2] // next turn in 61s
	if _, err := c.ListIPs(t.Context(), sendgrid.FilterAll); err != nil {
		t.Fatal(err)
	}
	time.AfterFunc(100*time.Millisecond, interrupt)
	start := time.Now()
	_, err := c.ListIPs(t.Context(), sendgrid.FilterAll)
	if elapsed := time.Since(start); elapsed > time.Second || !errors.Is(err, sendgrid.ErrInterrupted) {
		t.Fatalf("Ctrl-C while waiting for a turn: %v after %s", err, elapsed)
	}
	if _, err := c.ListIPs(t.Context(), sendgrid.FilterAll); !errors.Is(err, sendgrid.ErrInterrupted) || !strings.Contains(err.Error(), "not sent") {
		t.Fatalf("a call after Ctrl-C: %v", err)
	}
	if n.Load() != 1 {
		t.Fatalf("%d requests, want 1", n.Load())
	}
}
