// Package sendgrid is a client for the SendGrid Web API v2 reseller IP calls
// (customer.ip and customer.sendip). It knows nothing of Terraform: it sends
// requests, paces and retries them, and turns SendGrid's many answer shapes
// into values or typed errors.
package sendgrid

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/hashicorp/go-cleanhttp"
	"github.com/hashicorp/go-retryablehttp"
	"github.com/hashicorp/terraform-plugin-log/tflog"
	"golang.org/x/time/rate"
)

// Defaults, chosen from the API's documented limits.
const (
	DefaultBaseURL           = "https://sendgrid.com/apiv2/"
	DefaultRequestsPerMinute = 600 // SendGrid's documented v2 limit
	DefaultMaxRetries        = 5
	DefaultRequestTimeout    = 30 * time.Second
	DefaultRetryWaitMin      = 500 * time.Millisecond
	DefaultRetryWaitMax      = 30 * time.Second

	// maxBodyBytes bounds what is read of one answer; the largest real
	// answer (every IP of a reseller) is a few kilobytes.
	maxBodyBytes = 4 << 20

	// paceSlack stretches the minute over which RequestsPerMinute are
	// spread: a request and the one RequestsPerMinute places later leave
	// at least a minute and a second apart, which absorbs that much delay
	// on the way (a sixtieth of whatever window the server counts in),
	// for 1.7% more time.
	paceSlack = time.Second

	// LogSubsystem is the terraform-plugin-log subsystem of this client
	// (TF_LOG_PROVIDER_SENDGRID_API sets its level).
	LogSubsystem = "sendgrid_api"
)

// Config configures a Client. Zero values take the defaults above.
type Config struct {
	BaseURL string
	APIUser string
	APIKey  string
	// UserAgent is sent on every request, e.g.
	// "terraform-provider-sendgrid/1.2.3".
	UserAgent string
	// RequestsPerMinute paces all calls of this Client; a negative value
	// turns pacing off.
	RequestsPerMinute int
	// MaxRetries is the number of retries after the first attempt; a
	// negative value means none.
	MaxRetries int
	// RequestTimeout bounds one attempt.
	RequestTimeout time.Duration
	// RetryWaitMin and RetryWaitMax bound one backoff wait.
	RetryWaitMin, RetryWaitMax time.Duration
}

// Client calls the API. It is safe for concurrent use; one Client should
// serve every resource of a provider instance so that pacing and connection
// reuse are shared.
type Client struct {
	base      *url.URL
	apiUser   string
	apiKey    string
	userAgent string
	http      *retryablehttp.Client
	limiter   *rate.Limiter // nil when pacing is off

	attempts atomic.Int64
	retries  atomic.Int64
}

// Stats counts what a Client has sent.
type Stats struct {
	Attempts int64 // HTTP requests sent, retries included
	Retries  int64 // attempts after the first, over all calls
}

// IPFilter selects which of the reseller's IPs customer.ip lists.
type IPFilter string

// The filters of customer.ip, as api-notes.md defines them.
const (
	FilterAll       IPFilter = "all"
	FilterFree      IPFilter = "free"
	FilterTaken     IPFilter = "taken"
	FilterAvailable IPFilter = "available"
)

// IPFilters lists the valid filters, for validators and documentation.
func IPFilters() []string {
	return []string{string(FilterAll), string(FilterFree), string(FilterTaken), string(FilterAvailable)}
}

// SubuserIPs is what customer.sendip task=list says of one subuser.
type SubuserIPs struct {
	IPs             []string // sorted, no duplicates
	OutboundCluster string   // opaque
}

// ValidateBaseURL accepts an absolute http(s) URL, and plain http only on a
// loopback host (the bundled mock), so credentials never cross a network in
// clear text.
func ValidateBaseURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("base URL %q is not a URL: %w", raw, err)
	}
	if u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return nil, fmt.Errorf("base URL %q must be an absolute https:// URL", raw)
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("base URL %q must not carry credentials, a query or a fragment", raw)
	}
	if u.Scheme == "http" && !isLoopback(u.Hostname()) {
		return nil, fmt.Errorf("base URL %q uses plain http; only https is allowed, except on a loopback host such as 127.0.0.1", raw)
	}
	if !strings.HasSuffix(u.Path, "/") {
		u.Path += "/"
	}
	return u, nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// New checks the configuration and builds a Client.
func New(cfg Config) (*Client, error) {
	if cfg.BaseURL == "" {
		cfg.BaseURL = DefaultBaseURL
	}
	base, err := ValidateBaseURL(cfg.BaseURL)
	if err != nil {
		return nil, err
	}
	if cfg.APIUser == "" || cfg.APIKey == "" {
		return nil, errors.New("api_user and api_key are both required")
	}
	if cfg.UserAgent == "" {
		cfg.UserAgent = "terraform-provider-sendgrid"
	}
	if cfg.RequestTimeout <= 0 {
		cfg.RequestTimeout = DefaultRequestTimeout
	}
	if cfg.RetryWaitMin <= 0 {
		cfg.RetryWaitMin = DefaultRetryWaitMin
	}
	if cfg.RetryWaitMax <= 0 {
		cfg.RetryWaitMax = DefaultRetryWaitMax
	}
	if cfg.MaxRetries == 0 {
		cfg.MaxRetries = DefaultMaxRetries
	}
	if cfg.MaxRetries < 0 {
		cfg.MaxRetries = 0
	}
	if cfg.RequestsPerMinute == 0 {
		cfg.RequestsPerMinute = DefaultRequestsPerMinute
	}

	c := &Client{base: base, apiUser: cfg.APIUser, apiKey: cfg.APIKey, userAgent: cfg.UserAgent}
	if cfg.RequestsPerMinute > 0 {
		// Burst 1: requests leave evenly spaced, so a refresh of many
		// resources never bunches up against the server's window. The
		// minute is stretched by paceSlack: at exactly the limit, the
		// request that opens a window leaves exactly one window after the
		// one that opened the previous window, and if that one was late
		// on its way (a TLS handshake, a busy machine) the new one lands
		// in the old window and is refused (BENCHMARKS.md, section 3).
		c.limiter = rate.NewLimiter(rate.Limit(float64(cfg.RequestsPerMinute)/(time.Minute+paceSlack).Seconds()), 1)
	}

	transport := cleanhttp.DefaultPooledTransport()
	c.http = &retryablehttp.Client{
		HTTPClient: &http.Client{
			Transport: transport,
			Timeout:   cfg.RequestTimeout,
		},
		Logger:       nil, // we log ourselves, through tflog
		RetryWaitMin: cfg.RetryWaitMin,
		RetryWaitMax: cfg.RetryWaitMax,
		RetryMax:     cfg.MaxRetries,
		CheckRetry:   retryPolicy,
		Backoff:      backoff,
		// Keep the last answer when retries run out, so a final 429 or
		// 5xx is reported with its status and headers.
		ErrorHandler: retryablehttp.PassthroughErrorHandler,
		// The hook runs before every attempt, retries included, and
		// outside http.Client.Timeout: waiting for our turn must not eat
		// into the time one attempt is given.
		RequestLogHook: func(_ retryablehttp.Logger, req *http.Request, attempt int) {
			c.pace(req.Context())
			c.attempts.Add(1)
			if attempt > 0 {
				c.retries.Add(1)
				tflog.SubsystemDebug(req.Context(), LogSubsystem, "retrying SendGrid request", map[string]any{"attempt": attempt + 1})
			}
		},
	}
	return c, nil
}

// Stats reports the counts of requests sent so far.
func (c *Client) Stats() Stats {
	return Stats{Attempts: c.attempts.Load(), Retries: c.retries.Load()}
}

// pace waits for this client's turn. When the turn would come after the
// context's deadline, Wait refuses at once; we then wait for the context
// to end rather than send early, and the attempt that follows fails on
// the context's own error.
func (c *Client) pace(ctx context.Context) {
	if c.limiter == nil {
		return
	}
	if err := c.limiter.Wait(ctx); err != nil {
		<-ctx.Done()
	}
}

// retryPolicy retries what a later attempt can fix: no answer, 429 and
// 5xx. Every call of this client is safe to repeat (see DESIGN.md): reads
// change nothing and set=specify|all|none replace the whole assignment.
func retryPolicy(ctx context.Context, resp *http.Response, err error) (bool, error) {
	if ctx.Err() != nil {
		return false, ctx.Err()
	}
	if err != nil {
		return retryablehttp.DefaultRetryPolicy(ctx, resp, err)
	}
	return resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500, nil
}

// backoff waits what the server asked for (Retry-After, else
// X-RateLimit-Reset) when it said, else exponential backoff with full
// jitter; either way no longer than max.
func backoff(lo, hi time.Duration, attempt int, resp *http.Response) time.Duration {
	if resp != nil && (resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable) {
		now := time.Now()
		after, reset := rateLimitHints(resp.Header, now)
		if after <= 0 && !reset.IsZero() {
			after = reset.Sub(now)
		}
		if after > 0 {
			return min(after, hi)
		}
	}
	ceiling := float64(lo) * math.Pow(2, float64(attempt))
	if ceiling > float64(hi) || math.IsInf(ceiling, 0) {
		ceiling = float64(hi)
	}
	// Full jitter between lo and the ceiling spreads out clients that
	// failed together.
	return lo + time.Duration(rand.Float64()*(ceiling-float64(lo))) //nolint:gosec // jitter needs no cryptographic randomness
}

// post sends one call as a form POST. Credentials go in the body only,
// never in the URL, where proxies and access logs would keep them.
func (c *Client) post(ctx context.Context, call, desc, user string, params url.Values) (answer, error) {
	endpoint := c.base.ResolveReference(&url.URL{Path: call + ".json"})
	form := url.Values{}
	for k, v := range params {
		form[k] = v
	}
	form.Set("api_user", c.apiUser)
	form.Set("api_key", c.apiKey)

	ctx = tflog.NewSubsystem(ctx, LogSubsystem)
	ctx = tflog.SubsystemMaskFieldValuesWithFieldKeys(ctx, LogSubsystem, "api_key")
	ctx = tflog.SubsystemMaskAllFieldValuesStrings(ctx, LogSubsystem, c.apiKey)
	ctx = tflog.SubsystemMaskMessageStrings(ctx, LogSubsystem, c.apiKey)

	a := answer{call: desc, user: user, secrets: []string{c.apiKey}}
	req, err := retryablehttp.NewRequestWithContext(ctx, http.MethodPost, endpoint.String(), []byte(form.Encode()))
	if err != nil {
		return a, &APIError{Kind: ErrTransport, Call: desc, User: user, Err: err}
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", c.userAgent)

	start := time.Now()
	tflog.SubsystemDebug(ctx, LogSubsystem, "SendGrid request", map[string]any{"call": desc, "user": user, "url": endpoint.String()})
	resp, err := c.http.Do(req)
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			err = ctxErr
		}
		tflog.SubsystemDebug(ctx, LogSubsystem, "SendGrid request failed", map[string]any{"call": desc, "error": err.Error()})
		return a, &APIError{Kind: ErrTransport, Call: desc, User: user, Err: scrubURLError(err)}
	}
	defer func() { _ = resp.Body.Close() }() // the body is read whole below
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBodyBytes))
	a.status = resp.StatusCode
	a.contentType = resp.Header.Get("Content-Type")
	a.header = resp.Header
	a.body = body
	tflog.SubsystemDebug(ctx, LogSubsystem, "SendGrid answer", map[string]any{
		"call": desc, "status": resp.StatusCode, "bytes": len(body), "duration_ms": time.Since(start).Milliseconds(),
	})
	if err != nil {
		return a, &APIError{Kind: ErrTransport, Call: desc, User: user, Status: resp.StatusCode, Err: fmt.Errorf("reading the answer: %w", err)}
	}
	return a, nil
}

// scrubURLError keeps the cause of a transport error but drops the URL
// wrapper's repetition of the endpoint (which holds no secret, but adds
// noise to every message).
func scrubURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// ListIPs lists the reseller's IPs that match the filter (customer.ip).
func (c *Client) ListIPs(ctx context.Context, filter IPFilter) ([]string, error) {
	desc := "customer.ip list=" + string(filter)
	a, err := c.post(ctx, "customer.ip", desc, "", url.Values{"list": {string(filter)}})
	if err != nil {
		return nil, err
	}
	return decodeIPList(a)
}

// SubuserIPs reads one subuser's IPs and outbound cluster
// (customer.sendip task=list).
func (c *Client) SubuserIPs(ctx context.Context, user string) (SubuserIPs, error) {
	a, err := c.post(ctx, "customer.sendip", "customer.sendip task=list", user, url.Values{"task": {"list"}, "user": {user}})
	if err != nil {
		return SubuserIPs{}, err
	}
	return decodeSubuserIPs(a)
}

// SetSubuserIPs makes the subuser's IPs exactly ips
// (customer.sendip task=append set=specify). ips must not be empty:
// SendGrid refuses that; use RemoveAllIPs.
func (c *Client) SetSubuserIPs(ctx context.Context, user string, ips []string) error {
	if len(ips) == 0 {
		return &APIError{Kind: ErrRejected, Call: "customer.sendip task=append set=specify", User: user,
			Messages: []string{"at least one IP is required; use set=none to remove every IP"}}
	}
	return c.appendTask(ctx, user, "specify", SortIPs(ips))
}

// AssignAllIPs gives the subuser every IP the reseller has now (set=all).
func (c *Client) AssignAllIPs(ctx context.Context, user string) error {
	return c.appendTask(ctx, user, "all", nil)
}

// RemoveAllIPs removes every IP from the subuser (set=none).
func (c *Client) RemoveAllIPs(ctx context.Context, user string) error {
	return c.appendTask(ctx, user, "none", nil)
}

func (c *Client) appendTask(ctx context.Context, user, set string, ips []string) error {
	params := url.Values{"task": {"append"}, "user": {user}, "set": {set}}
	if len(ips) > 0 {
		params["ip[]"] = ips
	}
	a, err := c.post(ctx, "customer.sendip", "customer.sendip task=append set="+set, user, params)
	if err != nil {
		return err
	}
	return decodeSuccess(a)
}
