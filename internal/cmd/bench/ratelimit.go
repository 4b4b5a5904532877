package main

import (
	"fmt"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/sendgridmock"
)

// rateScenario is one refresh under the mock's rate limit: n resources,
// the mock allowing limit requests per window (fixed windows), the
// provider paced at the same rate per minute.
type rateScenario struct {
	n      int
	limit  int
	window time.Duration
}

func (s rateScenario) String() string {
	return fmt.Sprintf("N=%d, %d/%s", s.n, s.limit, s.window)
}

// perMinute is the provider's requests_per_minute equal to the mock's limit.
func (s rateScenario) perMinute() int {
	return int(math.Round(float64(s.limit) * float64(time.Minute) / float64(s.window)))
}

// ideal is N/L: the time N requests take at exactly the limit.
func (s rateScenario) ideal() time.Duration {
	return time.Duration(float64(s.n) / float64(s.limit) * float64(s.window))
}

// parseRates reads "N@L/W,...", e.g. "100@600/60s".
func parseRates(spec string) ([]rateScenario, error) {
	var out []rateScenario
	for _, f := range strings.Split(spec, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		ns, rest, ok1 := strings.Cut(f, "@")
		ls, ws, ok2 := strings.Cut(rest, "/")
		n, err1 := strconv.Atoi(ns)
		l, err2 := strconv.Atoi(ls)
		w, err3 := time.ParseDuration(ws)
		if !ok1 || !ok2 || err1 != nil || err2 != nil || err3 != nil || n < 1 || l < 1 || w <= 0 {
			return nil, fmt.Errorf("-rate: %q is not N@L/W (e.g. 100@600/60s)", f)
		}
		s := rateScenario{n: n, limit: l, window: w}
		exact := float64(l) * float64(time.Minute) / float64(w)
		if pm := s.perMinute(); float64(pm) != exact || pm < 1 || pm > 100000 {
			return nil, fmt.Errorf("-rate: %q gives %g requests per minute; the provider takes a whole number from 1 to 100000", f, exact)
		}
		out = append(out, s)
	}
	return out, nil
}

// rateResult is one scenario, every run.
type rateResult struct {
	s       rateScenario
	wall    []time.Duration // the terraform command
	span    []time.Duration // first to last request the mock saw
	limited []int           // 429 answers
	calls   []int           // requests, 429s included
	slack   []time.Duration // min over k of t(k+L) − t(k) − W; only when N > L
	failed  int             // runs that exited non-zero
	lastErr string
}

// measureRateLimit builds each scenario's state without a limit, then
// times refreshes of it with the limit on and the provider paced to it.
func (b *bench) measureRateLimit() ([]rateResult, error) {
	var out []rateResult
	for _, s := range b.o.rate {
		r, err := b.rateScenario(s)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", s, err)
		}
		out = append(out, r)
	}
	return out, nil
}

func (b *bench) rateScenario(s rateScenario) (rateResult, error) {
	r := rateResult{s: s}
	api, err := startMock(s.n)
	if err != nil {
		return r, err
	}
	defer func() { _ = api.Close() }()
	dir, err := b.dir(fmt.Sprintf("ratelimit-%d", s.n))
	if err != nil {
		return r, err
	}
	defer func() { _ = os.RemoveAll(dir) }()
	w, err := b.directWorkdir(dir)
	if err != nil {
		return r, err
	}
	b.logf("rate limit %s: creating the state", s)
	if err := w.WriteConfig(sendgridConfig(api, scalePace, s.n)); err != nil {
		return r, err
	}
	if _, err := w.MustSucceed(b.ctx, "apply", "-auto-approve"); err != nil {
		return r, err
	}
	if err := w.WriteConfig(sendgridConfig(api, s.perMinute(), s.n)); err != nil {
		return r, err
	}
	for run := range b.o.runs {
		api.SetRateLimit(s.limit, s.window) // a fresh window for each run
		api.ResetRequests()
		limited := api.RateLimited()
		res, err := w.Run(b.ctx, "apply", "-refresh-only", "-auto-approve")
		if err != nil {
			return r, err
		}
		api.SetRateLimit(0, 0)
		reqs := api.Requests()
		r.wall = append(r.wall, res.Duration)
		r.span = append(r.span, span(reqs))
		r.limited = append(r.limited, api.RateLimited()-limited)
		r.calls = append(r.calls, len(reqs))
		if sl, ok := minSlack(reqs, s.limit, s.window); ok {
			r.slack = append(r.slack, sl)
		}
		if res.ExitCode != 0 {
			r.failed++
			r.lastErr = tail(res.Stdout+res.Stderr, 20)
		}
		sl := "–"
		if len(r.slack) > 0 && len(reqs) > s.limit {
			sl = fmt.Sprintf("%.1fms", float64(r.slack[len(r.slack)-1])/float64(time.Millisecond))
		}
		b.logf("rate limit %s run %d/%d: %.2fs (N/L %.2fs, %.3f×), API span %.2fs, requests %d, 429s %d, least slack %s, exit %d",
			s, run+1, b.o.runs, res.Duration.Seconds(), s.ideal().Seconds(), res.Duration.Seconds()/s.ideal().Seconds(),
			r.span[run].Seconds(), len(reqs), r.limited[run], sl, res.ExitCode)
	}
	return r, nil
}

// minSlack is the least time by which a request arrived more than a window
// after the request L places before it: the margin the pacing kept against
// a fixed window of L requests. Negative, the two could fall in one window,
// and the later one be refused.
func minSlack(reqs []sendgridmock.Request, limit int, window time.Duration) (time.Duration, bool) {
	if len(reqs) <= limit {
		return 0, false
	}
	times := make([]time.Time, len(reqs))
	for i, r := range reqs {
		times[i] = r.Time
	}
	slices.SortFunc(times, func(a, b time.Time) int { return a.Compare(b) })
	least := time.Duration(math.MaxInt64)
	for k := 0; k+limit < len(times); k++ {
		least = min(least, times[k+limit].Sub(times[k])-window)
	}
	return least, true
}
