package sendgrid

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/hashicorp/go-cleanhttp"
	"github.com/hashicorp/go-retryablehttp"
	"github.com/hashicorp/terraform-plugin-log/tflog"
	"golang.org/x/time/rate"
)

const (
	maxBodyBytes = 4 << 20     // see DESIGN.md, Reading answers defensively
	paceSlack    = time.Second // see DESIGN.md, The minute is 61 seconds long
	bodyStartLen = 160         // of an unreadable body, in its error
	// budgetHorizon: a reset further away than a rate-limit window and a half is not believed.
	budgetHorizon = 90 * time.Second
	maxSpenders   = 64
	probeWait     = time.Second // for the answer of the request that learns a new window
)

// transport is the HTTP layer both backends share (see DESIGN.md, Two APIs behind one interface).
type transport struct {
	client    *retryablehttp.Client
	userAgent string
	secret    string
	waitMax   time.Duration
	stop      context.Context      // nil: never
	messages  func(reply) []string // SendGrid's messages in a 429 or 5xx body
}

func newTransport(cfg Config, messages func(reply) []string) *transport {
	t := &transport{userAgent: cfg.UserAgent, secret: cfg.APIKey, waitMax: cfg.RetryWaitMax, stop: cfg.Stop, messages: messages}
	p := &pacer{next: cleanhttp.DefaultPooledTransport(), timeout: cfg.RequestTimeout}
	if !cfg.NoPacing { // burst 1: requests leave evenly spaced
		p.limiter = rate.NewLimiter(rate.Limit(float64(cfg.RequestsPerMinute)/(time.Minute+paceSlack).Seconds()), 1)
	}
	t.client = &retryablehttp.Client{
		HTTPClient: &http.Client{
			Transport:     p, // no Client.Timeout: the pacer times each attempt after its turn
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
		RetryWaitMin: cfg.RetryWaitMin,
		RetryWaitMax: cfg.RetryWaitMax,
		RetryMax:     cfg.MaxRetries,
		CheckRetry:   t.retryPolicy,
		Backoff:      backoff,
		ErrorHandler: retryablehttp.PassthroughErrorHandler, // the last answer, for its status and headers
		RequestLogHook: func(_ retryablehttp.Logger, req *http.Request, attempt int) {
			if attempt > 0 {
				tflog.SubsystemDebug(req.Context(), LogSubsystem, "retrying SendGrid request", map[string]any{"attempt": attempt + 1})
			}
		},
	}
	return t
}

// pacer waits for the limiter's turn, then gives the attempt its own timeout
// and reads the whole answer within it (see DESIGN.md, Pacing before retrying).
type pacer struct {
	next    http.RoundTripper
	limiter *rate.Limiter // nil: no pacing
	budgets sync.Map      // call name -> *budget: SendGrid limits each endpoint apart
	timeout time.Duration
}

// callNameKey holds the call's name in a request's context, for its budget.
type callNameKey struct{}

func (p *pacer) budget(req *http.Request) *budget {
	name, _ := req.Context().Value(callNameKey{}).(string)
	if b, ok := p.budgets.Load(name); ok {
		return b.(*budget)
	}
	b, _ := p.budgets.LoadOrStore(name, &budget{})
	return b.(*budget)
}

var errNoTurn = fmt.Errorf("the next turn under the configured pace or the account's rate limit comes after the deadline: %w", context.DeadlineExceeded)

func (p *pacer) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	b := p.budget(req)
	if err := p.turn(ctx, b); err != nil {
		if req.Body != nil {
			_ = req.Body.Close() // a RoundTripper closes the body, even on error
		}
		return nil, err
	}
	actx, cancel := context.WithTimeout(ctx, p.timeout)
	defer cancel()
	resp, err := p.next.RoundTrip(req.WithContext(actx))
	if err != nil {
		return nil, p.attemptError(ctx, actx, err)
	}
	b.observe(resp.Header, time.Now())
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBodyBytes+1))
	_ = resp.Body.Close()
	if err != nil {
		return nil, fmt.Errorf("reading the answer: %w", p.attemptError(ctx, actx, err))
	}
	over := len(body) > maxBodyBytes
	if over {
		body = body[:maxBodyBytes]
	}
	resp.Body = &memBody{Reader: bytes.NewReader(body), data: body, tooLarge: over}
	return resp, nil
}

// turn waits for the process's own pace, then for the account's budget, so the budget decides
// right before sending.
func (p *pacer) turn(ctx context.Context, b *budget) error {
	if p.limiter != nil {
		if err := p.limiter.Wait(ctx); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return errNoTurn
		}
	}
	for {
		at := b.reserve(time.Now())
		if at.IsZero() {
			return nil
		}
		if dl, ok := ctx.Deadline(); ok && at.After(dl) {
			return errNoTurn
		}
		t := time.NewTimer(time.Until(at))
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}

// budget follows the account's X-RateLimit-* headers (DESIGN.md, "The account's budget is shared").
type budget struct {
	mu        sync.Mutex
	remaining int       // after this process's requests since the last answer
	reset     time.Time // of the current window
	next      time.Time
	seen      int       // remaining in the last answer
	sent      int       // requests since the last answer
	spenders  int       // processes seen spending this budget in this window, this one included
	before    int       // the same in the window before: an estimate lasts two windows
	probe     time.Time // when the one request that learns a new window left; zero: none
}

func (b *budget) observe(h http.Header, now time.Time) {
	remaining, err := strconv.Atoi(strings.TrimSpace(h.Get("X-RateLimit-Remaining")))
	reset := rateLimitReset(h)
	if err != nil || remaining < 0 || !reset.After(now) || reset.Sub(now) > budgetHorizon {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	switch {
	case reset.After(b.reset):
		b.remaining, b.reset = remaining, reset
		b.before, b.spenders = b.spenders, 1
	case reset.Equal(b.reset) && remaining > b.seen:
		return // overtaken by a later answer
	case reset.Equal(b.reset):
		if b.sent > 0 && b.seen > remaining { // what was spent since the last answer, per own request
			b.spenders = min(max(b.spenders, (b.seen-remaining+b.sent-1)/b.sent), maxSpenders)
		}
		b.remaining = min(b.remaining, remaining)
	default:
		return // an answer from an older window
	}
	b.seen, b.sent, b.probe = remaining, 0, time.Time{}
}

// reserve takes the turn now and returns zero, or returns when to ask again.
func (b *budget) reserve(now time.Time) time.Time {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !now.Before(b.reset) { // a window this process knows nothing of: one request learns it
		if b.reset.IsZero() || !b.probe.IsZero() && now.Sub(b.probe) < probeWait {
			if b.reset.IsZero() {
				return time.Time{}
			}
			return now.Add(probeWait / 10)
		}
		b.probe = now
		return time.Time{}
	}
	spenders := max(b.spenders, b.before)
	shared := spenders > 1 // alone, the own pace is enough until nothing remains
	usable := b.remaining
	if shared {
		usable -= spenders
	}
	switch {
	case usable <= 0:
		return b.reset
	case shared && b.next.After(now):
		return b.next
	case shared:
		b.next = now.Add(b.reset.Sub(now) / time.Duration(usable))
	}
	b.remaining--
	b.sent++
	return time.Time{}
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

// CloseIdleConnections lets retryablehttp's calls reach the pool.
func (p *pacer) CloseIdleConnections() {
	if c, ok := p.next.(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}

// memBody is an answer read whole, so the retry policy can keep it.
type memBody struct {
	*bytes.Reader
	data     []byte
	tooLarge bool // cut at maxBodyBytes
}

func (*memBody) Close() error { return nil }

// lastReplyKey holds a **http.Response that the retry policy sets to each answer.
type lastReplyKey struct{}

// waitError: SendGrid asked for a wait the client will not sit out.
type waitError struct {
	wait, limit time.Duration
	deadline    bool
}

func (e *waitError) Error() string {
	if e.deadline {
		return fmt.Sprintf("SendGrid asked to wait %s, past the operation's deadline; not retried", e.wait)
	}
	return fmt.Sprintf("SendGrid asked to wait %s, longer than the longest retry wait (%s); not retried", e.wait, e.limit)
}

// retryPolicy retries no answer, 429 and 5xx (see DESIGN.md, Retries and pacing).
func (t *transport) retryPolicy(ctx context.Context, resp *http.Response, err error) (bool, error) {
	if last, ok := ctx.Value(lastReplyKey{}).(**http.Response); ok && resp != nil {
		*last = resp
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
		return false, nil // read even if ctx just ended
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

// askedWait is the wait a 429 or 503 asks for, 0 when it names none.
func askedWait(resp *http.Response, now time.Time) time.Duration {
	if resp == nil || (resp.StatusCode != http.StatusTooManyRequests && resp.StatusCode != http.StatusServiceUnavailable) {
		return 0
	}
	if wait, ok := retryAfter(resp.Header, now); ok {
		return wait // "Retry-After: 0" means now, whatever the reset says
	}
	if reset := rateLimitReset(resp.Header); reset.After(now) {
		return reset.Sub(now).Round(time.Second)
	}
	return 0
}

// retryAfter reads Retry-After in seconds or as an HTTP date; ok when it names a wait, even 0 s.
func retryAfter(h http.Header, now time.Time) (wait time.Duration, ok bool) {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if secs, err := strconv.ParseUint(v, 10, 64); err == nil || errors.Is(err, strconv.ErrRange) {
		const most = uint64(math.MaxInt64 / int64(time.Second)) // ParseUint gives MaxUint64 on overflow
		return time.Duration(min(secs, most)) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		wait = t.Sub(now).Round(time.Second)
	}
	return wait, wait > 0
}

// rateLimitReset reads X-RateLimit-Reset, in unix seconds.
func rateLimitReset(h http.Header) time.Time {
	if secs, err := strconv.ParseInt(strings.TrimSpace(h.Get("X-RateLimit-Reset")), 10, 64); err == nil && secs > 0 && secs < 1<<40 {
		return time.Unix(secs, 0)
	}
	return time.Time{}
}

// backoff waits what the server asked for, else exponential backoff with full jitter.
func backoff(lo, hi time.Duration, attempt int, resp *http.Response) time.Duration {
	if after := askedWait(resp, time.Now()); after > 0 {
		return min(after, hi)
	}
	ceiling := float64(lo) * math.Pow(2, float64(attempt))
	if ceiling > float64(hi) || math.IsInf(ceiling, 0) {
		ceiling = float64(hi)
	}
	return lo + time.Duration(rand.Float64()*(ceiling-float64(lo))) //nolint:gosec // jitter needs no cryptographic randomness
}

// call is one request as a backend describes it.
type call struct {
	method string
	url    *url.URL
	name   string // in errors, e.g. calls.V3IPsOfSubuser
	user   string
	pool   string
	ip     string
	record int64 // a reverse DNS record's id
	// notFound is what a 404 in SendGrid's error shape means for this call; nil: ErrWrongEndpoint.
	notFound error
	body     []byte // nil: none
	header   http.Header
}

// do sends one call with retries and returns its answer; a 3xx is ErrRedirected, other statuses are the decoder's.
func (t *transport) do(ctx context.Context, c call) (reply, error) {
	ctx = tflog.NewSubsystem(ctx, LogSubsystem)
	ctx = tflog.SubsystemMaskFieldValuesWithFieldKeys(ctx, LogSubsystem, "api_key", "Authorization", "authorization")
	ctx = tflog.SubsystemMaskAllFieldValuesStrings(ctx, LogSubsystem, t.secret)
	ctx = tflog.SubsystemMaskMessageStrings(ctx, LogSubsystem, t.secret)
	var last *http.Response
	ctx = context.WithValue(ctx, lastReplyKey{}, &last)
	ctx = context.WithValue(ctx, callNameKey{}, c.name)

	r := reply{call: c.name, user: c.user, pool: c.pool, ipAddr: c.ip, record: c.record, notFound: c.notFound, path: c.url.Path, secrets: []string{t.secret}}
	if t.stop != nil {
		if t.stop.Err() != nil {
			return r, r.fail(ErrTransport, nil, ErrInterrupted)
		}
		var cancel context.CancelCauseFunc
		ctx, cancel = context.WithCancelCause(ctx)
		defer cancel(nil)
		defer context.AfterFunc(t.stop, func() { cancel(ErrInterrupted) })()
	}
	var body any // a nil []byte would still be a body
	if c.body != nil {
		body = c.body
	}
	req, err := retryablehttp.NewRequestWithContext(ctx, c.method, c.url.String(), body)
	if err != nil {
		return r, r.fail(ErrTransport, nil, err)
	}
	maps.Copy(req.Header, c.header)
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
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // the endpoint it repeats is noise
		}
		tflog.SubsystemDebug(ctx, LogSubsystem, "SendGrid request failed", map[string]any{"call": c.name, "error": err.Error()})
		if last == nil {
			return r, r.fail(ErrTransport, nil, err)
		}
		r.fill(last) // see DESIGN.md, Say what was last received
		kind := ErrTransport
		switch { // only 429 and 5xx are retried, so only they end here
		case r.status == http.StatusTooManyRequests:
			kind = ErrRateLimited
		case r.status >= 500:
			kind = ErrServer
		}
		return r, r.fail(kind, t.messages(r), err)
	}
	defer func() { _ = resp.Body.Close() }()
	r.fill(resp)
	tflog.SubsystemDebug(ctx, LogSubsystem, "SendGrid answer", map[string]any{
		"call": c.name, "status": resp.StatusCode, "bytes": len(r.body), "duration_ms": time.Since(start).Milliseconds(),
	})
	if r.status >= 300 && r.status <= 399 {
		return r, r.redirected(c.url)
	}
	if r.tooLarge {
		return r, r.fail(ErrTooLarge, nil, fmt.Errorf("the answer is larger than %d MiB; nothing of it was used", maxBodyBytes>>20))
	}
	return r, nil
}

// reply is one HTTP answer the client received, read whole: a plain value, so decoders can be fuzzed.
type reply struct {
	call        string
	user        string
	pool        string
	ipAddr      string // the IP the call is about
	record      int64
	notFound    error  // see call
	path        string // of the URL, for errors about the wrong host
	status      int
	tooLarge    bool
	contentType string
	header      http.Header
	body        []byte
	secrets     []string // to scrub from any excerpt
}

func (r *reply) fill(resp *http.Response) {
	r.status, r.contentType, r.header = resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header
	if b, ok := resp.Body.(*memBody); ok {
		r.body, r.tooLarge = b.data, b.tooLarge
	}
}

func (r reply) fail(kind error, messages []string, err error) *APIError {
	e := &APIError{Kind: kind, Call: r.call, User: r.user, Pool: r.pool, IP: r.ipAddr, RecordID: r.record, Status: r.status, Messages: messages, Err: err}
	if errors.Is(kind, ErrUnreadable) {
		e.ContentType = clean(r.contentType, r.secrets)
		e.BodyStart = r.excerpt()
	}
	if errors.Is(kind, ErrRateLimited) {
		e.RetryAfter, _ = retryAfter(r.header, time.Now())
		e.RateLimitReset = rateLimitReset(r.header)
	}
	return e
}

// excerpt is the start of the body, secrets replaced before cutting so no part of one is left.
func (r reply) excerpt() string {
	s := redact(strings.ToValidUTF8(string(r.body), string(utf8.RuneError)), r.secrets)
	if len(s) > bodyStartLen {
		s = strings.ToValidUTF8(s[:bodyStartLen], "")
	}
	return escapeControl(s)
}

// redirected names the host a 3xx points to, never its path or query.
func (r reply) redirected(from *url.URL) *APIError {
	where := "no Location"
	if loc := r.header.Get("Location"); loc != "" {
		where = "an unreadable Location"
		if u, err := from.Parse(loc); err == nil && u.Host != "" {
			where = "host " + strconv.Quote(clean(u.Host, r.secrets))
		}
	}
	return r.fail(ErrRedirected, nil, fmt.Errorf("answer points to %s; redirects are never followed, so the credentials went nowhere else", where))
}
