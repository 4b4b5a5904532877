package sendgrid

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/hashicorp/go-cleanhttp"
	"github.com/hashicorp/go-retryablehttp"
	"github.com/hashicorp/terraform-plugin-log/tflog"
	"golang.org/x/time/rate"
)

const (
	// maxBodyBytes bounds what is read of one answer; the largest real
	// answer (a page of 500 IPs) is tens of kilobytes.
	maxBodyBytes = 4 << 20

	// paceSlack stretches the minute over which RequestsPerMinute are
	// spread (DESIGN.md, "The minute is 61 seconds long").
	paceSlack = time.Second

	// bodyStartLen bounds how much of an unreadable body goes into an error.
	bodyStartLen = 160
)

// transport is the one HTTP layer both backends use: pacing, per-attempt
// timeouts, retries, redirect refusal, logging with the key masked.
type transport struct {
	client    *retryablehttp.Client
	userAgent string
	secret    string
	waitMax   time.Duration
	stop      context.Context // nil: never
	// messages pulls SendGrid's messages out of a 429/5xx body, in the
	// backend's error shape, for an error built from the last answer.
	messages func(answer) []string
}

func newTransport(cfg Config, messages func(answer) []string) *transport {
	t := &transport{userAgent: cfg.UserAgent, secret: cfg.APIKey, waitMax: cfg.RetryWaitMax, stop: cfg.Stop, messages: messages}
	p := &pacer{next: cleanhttp.DefaultPooledTransport(), timeout: cfg.RequestTimeout}
	if cfg.RequestsPerMinute > 0 {
		// Burst 1: requests leave evenly spaced, over a minute stretched by paceSlack.
		p.limiter = rate.NewLimiter(rate.Limit(float64(cfg.RequestsPerMinute)/(time.Minute+paceSlack).Seconds()), 1)
	}
	t.client = &retryablehttp.Client{
		HTTPClient: &http.Client{
			Transport: p, // no Client.Timeout: pacer times each attempt, after its turn
			// Never follow: the credentials must not go anywhere but base_url.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
		Logger:       nil, // we log ourselves, through tflog
		RetryWaitMin: cfg.RetryWaitMin,
		RetryWaitMax: cfg.RetryWaitMax,
		RetryMax:     cfg.MaxRetries,
		CheckRetry:   t.retryPolicy,
		Backoff:      backoff,
		// Keep the last answer when retries run out, so a final 429 or
		// 5xx is reported with its status and headers.
		ErrorHandler: retryablehttp.PassthroughErrorHandler,
		RequestLogHook: func(_ retryablehttp.Logger, req *http.Request, attempt int) {
			if attempt > 0 {
				tflog.SubsystemDebug(req.Context(), LogSubsystem, "retrying SendGrid request", map[string]any{"attempt": attempt + 1})
			}
		},
	}
	return t
}

// pacer waits for the limiter's turn, then gives the attempt its own
// timeout and reads the whole answer within it.
type pacer struct {
	next    http.RoundTripper
	limiter *rate.Limiter // nil when pacing is off
	timeout time.Duration
}

// errNoTurn: the limiter's next turn comes after the context's deadline.
var errNoTurn = fmt.Errorf("the next turn under requests_per_minute comes after the deadline: %w", context.DeadlineExceeded)

func (p *pacer) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	if p.limiter != nil {
		if err := p.limiter.Wait(ctx); err != nil {
			if req.Body != nil {
				_ = req.Body.Close() // a RoundTripper closes the body, even on error
			}
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			return nil, errNoTurn
		}
	}
	actx, cancel := context.WithTimeout(ctx, p.timeout)
	defer cancel()
	resp, err := p.next.RoundTrip(req.WithContext(actx))
	if err != nil {
		return nil, p.attemptError(ctx, actx, err)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBodyBytes))
	_ = resp.Body.Close()
	if err != nil {
		return nil, fmt.Errorf("reading the answer: %w", p.attemptError(ctx, actx, err))
	}
	resp.Body = &memBody{Reader: bytes.NewReader(body), data: body}
	return resp, nil
}

// attemptError says which context ended: the caller's, or the attempt's.
func (p *pacer) attemptError(ctx, actx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if actx.Err() != nil {
		return fmt.Errorf("request timeout (%s) exceeded", p.timeout)
	}
	return err
}

// CloseIdleConnections lets http.Client.CloseIdleConnections reach the pool.
func (p *pacer) CloseIdleConnections() {
	if c, ok := p.next.(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}

// memBody is an answer already read whole, so the retry policy can keep it.
type memBody struct {
	*bytes.Reader
	data []byte
}

func (*memBody) Close() error { return nil }

// lastAnswer is the last answer of one call, filled by the retry policy, so
// an error after retries can say what SendGrid last said.
type lastAnswer struct {
	ok          bool
	status      int
	contentType string
	header      http.Header
	body        []byte
}

type lastAnswerKey struct{}

func (l *lastAnswer) keep(resp *http.Response) {
	l.ok, l.status, l.contentType, l.header = true, resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header
	l.body = nil
	if b, ok := resp.Body.(*memBody); ok {
		l.body = b.data
	}
}

// waitError: SendGrid asked for a wait the client will not sit out.
type waitError struct {
	wait, limit time.Duration
	deadline    bool // the wait ends after the context's deadline
}

func (e *waitError) Error() string {
	if e.deadline {
		return fmt.Sprintf("SendGrid asked to wait %s, past the operation's deadline; not retried", e.wait)
	}
	return fmt.Sprintf("SendGrid asked to wait %s, longer than the longest retry wait (%s); not retried", e.wait, e.limit)
}

// retryPolicy retries what a later attempt can fix: no answer, 429 and
// 5xx. Every call of both backends is safe to repeat (see DESIGN.md).
func (t *transport) retryPolicy(ctx context.Context, resp *http.Response, err error) (bool, error) {
	if rec, ok := ctx.Value(lastAnswerKey{}).(*lastAnswer); ok && resp != nil {
		rec.keep(resp)
	}
	if err != nil {
		if ctx.Err() != nil {
			return false, ctx.Err()
		}
		if errors.Is(err, errNoTurn) {
			return false, err
		}
		return retryablehttp.DefaultRetryPolicy(ctx, resp, err)
	}
	if resp.StatusCode != http.StatusTooManyRequests && resp.StatusCode < 500 {
		return false, nil // an answer that will not change by asking again, read even if ctx just ended
	}
	if ctx.Err() != nil {
		return false, ctx.Err()
	}
	now := time.Now()
	if wait := askedWait(resp, now); wait > 0 {
		if wait > t.waitMax {
			return false, &waitError{wait: wait, limit: t.waitMax}
		}
		if dl, ok := ctx.Deadline(); ok && now.Add(wait).After(dl) {
			return false, &waitError{wait: wait, deadline: true}
		}
	}
	return true, nil
}

// askedWait is the wait a 429 or 503 asks for (Retry-After, else
// X-RateLimit-Reset), 0 when it names none.
func askedWait(resp *http.Response, now time.Time) time.Duration {
	if resp == nil || (resp.StatusCode != http.StatusTooManyRequests && resp.StatusCode != http.StatusServiceUnavailable) {
		return 0
	}
	after, reset := rateLimitHints(resp.Header, now)
	if after > 0 || isDigits(strings.TrimSpace(resp.Header.Get("Retry-After"))) {
		return after // "Retry-After: 0" means now, whatever the window's reset says
	}
	if reset.After(now) {
		return reset.Sub(now).Round(time.Second)
	}
	return 0
}

func isDigits(s string) bool {
	return s != "" && strings.Trim(s, "0123456789") == ""
}

// backoff waits what the server asked for when it said (retryPolicy has
// already refused waits longer than hi), else exponential backoff with
// full jitter, no longer than hi.
func backoff(lo, hi time.Duration, attempt int, resp *http.Response) time.Duration {
	if after := askedWait(resp, time.Now()); after > 0 {
		return min(after, hi)
	}
	ceiling := float64(lo) * math.Pow(2, float64(attempt))
	if ceiling > float64(hi) || math.IsInf(ceiling, 0) {
		ceiling = float64(hi)
	}
	// Full jitter between lo and the ceiling spreads out clients that
	// failed together.
	return lo + time.Duration(rand.Float64()*(ceiling-float64(lo))) //nolint:gosec // jitter needs no cryptographic randomness
}

// rateLimitHints reads Retry-After (seconds or HTTP date) and
// X-RateLimit-Reset (unix seconds) from a 429 answer.
func rateLimitHints(h http.Header, now time.Time) (retryAfter time.Duration, reset time.Time) {
	if h == nil {
		return 0, time.Time{}
	}
	if v := strings.TrimSpace(h.Get("Retry-After")); v != "" {
		if secs, err := strconv.ParseUint(v, 10, 64); err == nil || errors.Is(err, strconv.ErrRange) {
			const most = uint64(math.MaxInt64 / int64(time.Second)) // ParseUint gives MaxUint64 on overflow
			retryAfter = time.Duration(min(secs, most)) * time.Second
		} else if t, err := http.ParseTime(v); err == nil && t.After(now) {
			retryAfter = t.Sub(now).Round(time.Second)
		}
	}
	if v := strings.TrimSpace(h.Get("X-RateLimit-Reset")); v != "" {
		if secs, err := strconv.ParseInt(v, 10, 64); err == nil && secs > 0 && secs < 1<<40 {
			reset = time.Unix(secs, 0)
		}
	}
	return retryAfter, reset
}

// call is one request as a backend describes it.
type call struct {
	method string
	url    *url.URL
	name   string // the call's name in errors, e.g. "GET /v3/ips?subuser"
	user   string
	body   []byte      // nil: none
	header http.Header // Content-Type, Authorization
}

// do sends one call with retries and returns its answer read whole. A 3xx
// answer is an ErrRedirected error; other statuses are the decoder's to judge.
func (t *transport) do(ctx context.Context, c call) (answer, error) {
	ctx = tflog.NewSubsystem(ctx, LogSubsystem)
	ctx = tflog.SubsystemMaskFieldValuesWithFieldKeys(ctx, LogSubsystem, "api_key", "Authorization", "authorization")
	ctx = tflog.SubsystemMaskAllFieldValuesStrings(ctx, LogSubsystem, t.secret)
	ctx = tflog.SubsystemMaskMessageStrings(ctx, LogSubsystem, t.secret)
	rec := &lastAnswer{}
	ctx = context.WithValue(ctx, lastAnswerKey{}, rec)

	a := answer{call: c.name, user: c.user, secrets: []string{t.secret}}
	if t.stop != nil {
		if t.stop.Err() != nil {
			return a, &APIError{Kind: ErrTransport, Call: c.name, User: c.user, Err: ErrInterrupted}
		}
		var cancel context.CancelCauseFunc
		ctx, cancel = context.WithCancelCause(ctx)
		defer cancel(nil)
		defer context.AfterFunc(t.stop, func() { cancel(ErrInterrupted) })()
	}
	var body any
	if c.body != nil {
		body = c.body
	}
	req, err := retryablehttp.NewRequestWithContext(ctx, c.method, c.url.String(), body)
	if err != nil {
		return a, &APIError{Kind: ErrTransport, Call: c.name, User: c.user, Err: err}
	}
	for k, v := range c.header {
		req.Header[k] = v
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", t.userAgent)

	start := time.Now()
	tflog.SubsystemDebug(ctx, LogSubsystem, "SendGrid request", map[string]any{"call": c.name, "user": c.user, "url": c.url.String()})
	resp, err := t.client.Do(req)
	if err != nil {
		if resp != nil {
			_ = resp.Body.Close()
		}
		var we *waitError
		if ctxErr := context.Cause(ctx); ctxErr != nil && !errors.As(err, &we) {
			err = fmt.Errorf("gave up: %w", ctxErr)
		}
		err = scrubURLError(err)
		tflog.SubsystemDebug(ctx, LogSubsystem, "SendGrid request failed", map[string]any{"call": c.name, "error": err.Error()})
		if !rec.ok {
			return a, &APIError{Kind: ErrTransport, Call: c.name, User: c.user, Err: err}
		}
		// Say what SendGrid last answered, not only that we stopped.
		a.status, a.contentType, a.header, a.body = rec.status, rec.contentType, rec.header, rec.body
		kind := ErrTransport // only 429 and 5xx are retried, so only they end here
		switch {
		case a.status == http.StatusTooManyRequests:
			kind = ErrRateLimited
		case a.status >= 500:
			kind = ErrServer
		}
		return a, a.fail(kind, t.messages(a), err)
	}
	defer func() { _ = resp.Body.Close() }()
	a.body, _ = io.ReadAll(resp.Body) // in memory: pacer read it whole
	a.status = resp.StatusCode
	a.contentType = resp.Header.Get("Content-Type")
	a.header = resp.Header
	tflog.SubsystemDebug(ctx, LogSubsystem, "SendGrid answer", map[string]any{
		"call": c.name, "status": resp.StatusCode, "bytes": len(a.body), "duration_ms": time.Since(start).Milliseconds(),
	})
	if a.status >= 300 && a.status <= 399 {
		return a, a.redirected(c.url)
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

// answer is one HTTP answer, read whole, with what is needed to describe it
// in an error. Decoding works on this plain value so that it can be fuzzed
// without a network.
type answer struct {
	call        string
	user        string
	status      int
	contentType string
	header      http.Header
	body        []byte
	secrets     []string // values to scrub from any excerpt of the body
}

func (a answer) fail(kind error, messages []string, err error) *APIError {
	e := &APIError{Kind: kind, Call: a.call, User: a.user, Status: a.status, Messages: messages, Err: err}
	if errors.Is(kind, ErrUnreadable) {
		e.ContentType = clean(a.contentType, a.secrets)
		e.BodyStart = a.excerpt()
	}
	if errors.Is(kind, ErrRateLimited) {
		e.RetryAfter, e.RateLimitReset = rateLimitHints(a.header, time.Now())
	}
	return e
}

// excerpt is the start of the body, valid UTF-8, secrets replaced (before
// cutting, so no part of one is left), control characters escaped.
func (a answer) excerpt() string {
	s := redact(strings.ToValidUTF8(string(a.body), string(utf8.RuneError)), a.secrets)
	if len(s) > bodyStartLen {
		s = strings.ToValidUTF8(s[:bodyStartLen], "")
	}
	return escapeControl(s)
}

// redirected describes a 3xx answer by the host it points to, never its
// path or query, which may carry anything.
func (a answer) redirected(from *url.URL) *APIError {
	where := "no Location"
	if loc := a.header.Get("Location"); loc != "" {
		where = "an unreadable Location"
		if u, err := from.Parse(loc); err == nil && u.Host != "" {
			where = "host " + strconv.Quote(clean(u.Host, a.secrets))
		}
	}
	return a.fail(ErrRedirected, nil, fmt.Errorf("answer points to %s; redirects are never followed, so the credentials went nowhere else", where))
}
