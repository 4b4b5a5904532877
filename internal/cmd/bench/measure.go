package main

import (
	"fmt"
	"maps"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/hashicorp/terraform-exec/tfexec"

	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/sendgridmock"
	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/tfharness"
)

// sample is one timed CLI command.
type sample struct {
	wall    time.Duration
	cpu     time.Duration // Terraform and the provider processes it waited for
	provCPU time.Duration // the provider processes alone
	mockCPU time.Duration // this process, which serves the mock
	peakKiB int64         // the largest provider process's peak RSS
	procs   int           // provider processes Terraform started
}

// scaleResult is the scale measure at one N, every run.
type scaleResult struct {
	n                int
	tfApply, sgApply []sample
	tfPlan, sgPlan   []sample
	rateLimited      int
}

// scale applies N resources into an empty state, then plans against that
// state, for terraform_data and for the provider, alternating which goes
// first so a slow spell of the shared machine falls on both.
func (b *bench) scale(n int) (scaleResult, error) {
	r := scaleResult{n: n}
	for run := range b.runs {
		api, err := startMock(n, false)
		if err != nil {
			return r, err
		}
		tfDir, err1 := b.dir(fmt.Sprintf("scale-%d-terraform_data", n))
		sgDir, err2 := b.dir(fmt.Sprintf("scale-%d-sendgrid", n))
		if err := firstErr(err1, err2,
			os.WriteFile(tfDir+"/main.tf", []byte(terraformDataConfig(n)), 0o600),
			os.WriteFile(sgDir+"/main.tf", []byte(sendgridConfig(api, scalePace, n)), 0o600)); err != nil {
			return r, err
		}
		// Each sendgrid command must make exactly its calls, or it measured something else.
		step := func(dir string, plan bool, into *[]sample, want map[string]int) func() error {
			return func() error {
				api.ResetRequests()
				s, err := b.measure(dir, want != nil, plan)
				*into = append(*into, s)
				if got := sendgridmock.Tally(api.Requests()); err == nil && want != nil && !maps.Equal(got, want) {
					err = fmt.Errorf("made %v, want %v", got, want)
				}
				return err
			}
		}
		// A create is one write and one confirming read, plus the read of
		// ModifyPlan's warning in each of the two plans an apply makes.
		applyCalls := map[string]int{"customer.sendip task=append set=specify": n, "customer.sendip task=list": 3 * n}
		planCalls := map[string]int{"customer.sendip task=list": n}
		tfApply, sgApply := step(tfDir, false, &r.tfApply, nil), step(sgDir, false, &r.sgApply, applyCalls)
		tfPlan, sgPlan := step(tfDir, true, &r.tfPlan, nil), step(sgDir, true, &r.sgPlan, planCalls)
		steps := []func() error{tfApply, sgApply, tfPlan, sgPlan}
		if run%2 == 1 {
			steps = []func() error{sgApply, tfApply, sgPlan, tfPlan}
		}
		for _, s := range steps {
			if err = s(); err != nil {
				break
			}
		}
		r.rateLimited += api.RateLimited()
		_ = api.Close()
		_ = os.RemoveAll(tfDir)
		_ = os.RemoveAll(sgDir)
		if err != nil {
			return r, err
		}
		sa, sp := r.sgApply[run], r.sgPlan[run]
		b.logf("scale N=%d run %d/%d: apply %.2fs vs terraform_data %.2fs, plan %.2fs vs %.2fs, provider peak %s",
			n, run+1, b.runs, sa.wall.Seconds(), r.tfApply[run].wall.Seconds(), sp.wall.Seconds(), r.tfPlan[run].wall.Seconds(), mib(max(sa.peakKiB, sp.peakKiB)))
	}
	return r, nil
}

// measure runs apply or plan (which must find no change) in dir and takes
// its wall time, CPU times from getrusage and, for the provider, what the
// wrappers recorded; env adds variables for Terraform and the provider.
func (b *bench) measure(dir string, provider, plan bool, env ...string) (sample, error) {
	var s sample
	b.seq++
	usage := dir + "-usage-" + strconv.Itoa(b.seq)
	if provider {
		if err := os.MkdirAll(usage, 0o700); err != nil {
			return s, err
		}
		defer func() { _ = os.RemoveAll(usage) }()
		env = append(env, wrapEnvTarget+"="+b.provider, wrapEnvDir+"="+usage)
	}
	w, err := b.wrapped.Workdir(dir, env...)
	if err != nil {
		return s, err
	}
	children, self := cpuTime(syscall.RUSAGE_CHILDREN), cpuTime(syscall.RUSAGE_SELF)
	start := time.Now()
	if plan {
		var changes bool
		if changes, err = w.Plan(b.ctx); changes {
			err = fmt.Errorf("plan found changes:\n%s", w.Output())
		}
	} else {
		err = w.Apply(b.ctx)
	}
	s.wall = time.Since(start)
	s.cpu = cpuTime(syscall.RUSAGE_CHILDREN) - children
	s.mockCPU = cpuTime(syscall.RUSAGE_SELF) - self
	if err != nil || !provider {
		return s, err
	}
	s.peakKiB, s.provCPU, s.procs, err = readUsage(usage)
	return s, err
}

func cpuTime(who int) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(who, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// rateScenario is one refresh of n resources under the mock's limit of
// limit requests per window, the provider paced at the same rate.
type rateScenario struct {
	n, limit int
	window   time.Duration
}

func (s rateScenario) String() string { return fmt.Sprintf("N=%d, %d/%s", s.n, s.limit, s.window) }

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
		ns, rest, ok1 := strings.Cut(strings.TrimSpace(f), "@")
		ls, ws, ok2 := strings.Cut(rest, "/")
		n, err1 := strconv.Atoi(ns)
		l, err2 := strconv.Atoi(ls)
		w, err3 := time.ParseDuration(ws)
		s := rateScenario{n: n, limit: l, window: w}
		if !ok1 || !ok2 || firstErr(err1, err2, err3) != nil || n < 1 || l < 1 || w <= 0 {
			return nil, fmt.Errorf("-rate: %q is not N@L/W (e.g. 100@600/60s)", f)
		}
		if pm := s.perMinute(); float64(pm) != float64(l)*float64(time.Minute)/float64(w) || pm > 100000 {
			return nil, fmt.Errorf("-rate: %q is not a whole number of requests per minute up to 100000", f)
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
	slack   []time.Duration // see minSlack; only when N > L
	failed  int
	lastErr string
}

// rateLimit creates the scenario's state without a limit, then times
// refreshes of it with the limit on and the provider paced to it.
func (b *bench) rateLimit(s rateScenario) (rateResult, error) {
	r := rateResult{s: s}
	api, err := startMock(s.n, false)
	if err != nil {
		return r, err
	}
	defer func() { _ = api.Close() }()
	dir, err := b.dir(fmt.Sprintf("ratelimit-%d", s.n))
	if err != nil {
		return r, err
	}
	defer func() { _ = os.RemoveAll(dir) }()
	w, err := b.direct.Workdir(dir)
	if err == nil {
		err = w.WriteConfig(sendgridConfig(api, scalePace, s.n))
	}
	if err == nil {
		err = w.Apply(b.ctx)
	}
	if err == nil {
		err = w.WriteConfig(sendgridConfig(api, s.perMinute(), s.n))
	}
	if err == nil { // terraform-exec asks before -refresh-only; not timed
		_, _, err = w.Version(b.ctx, false)
	}
	if err != nil {
		return r, fmt.Errorf("%w\n%s", err, w.Output())
	}
	for run := range b.runs {
		api.SetRateLimit(s.limit, s.window) // a fresh window for each run
		api.ResetRequests()
		limited := api.RateLimited()
		w.Output()
		start := time.Now()
		err := w.Apply(b.ctx, tfexec.RefreshOnly(true))
		r.wall = append(r.wall, time.Since(start))
		api.SetRateLimit(0, 0)
		if code := tfharness.ExitCode(err); code < 0 {
			return r, err
		} else if code != 0 {
			r.failed++
			r.lastErr = tail(w.Output(), 20)
		}
		reqs := api.Requests()
		r.span = append(r.span, span(reqs))
		r.limited = append(r.limited, api.RateLimited()-limited)
		r.calls = append(r.calls, len(reqs))
		if sl, ok := minSlack(reqs, s.limit, s.window); ok {
			r.slack = append(r.slack, sl)
		}
		b.logf("rate limit %s run %d/%d: %.2fs (N/L %.2fs), API span %.2fs, requests %d, 429s %d",
			s, run+1, b.runs, r.wall[run].Seconds(), s.ideal().Seconds(), r.span[run].Seconds(), len(reqs), r.limited[run])
	}
	return r, nil
}

// span is the time from the first to the last logged request.
func span(reqs []sendgridmock.Request) time.Duration {
	if len(reqs) < 2 {
		return 0
	}
	times := arrivals(reqs)
	return times[len(times)-1].Sub(times[0])
}

func arrivals(reqs []sendgridmock.Request) []time.Time {
	times := make([]time.Time, len(reqs))
	for i, r := range reqs {
		times[i] = r.Time
	}
	slices.SortFunc(times, time.Time.Compare)
	return times
}

// minSlack is the least time by which a request arrived more than a window
// after the request L places before it: the margin the pacing kept against
// a fixed window of L requests. At or below zero the later could be refused.
func minSlack(reqs []sendgridmock.Request, limit int, window time.Duration) (time.Duration, bool) {
	if len(reqs) <= limit {
		return 0, false
	}
	times := arrivals(reqs)
	least := time.Duration(math.MaxInt64)
	for k := 0; k+limit < len(times); k++ {
		least = min(least, times[k+limit].Sub(times[k])-window)
	}
	return least, true
}

func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

func tail(s string, lines int) string {
	l := strings.Split(s, "\n")
	return strings.Join(l[max(0, len(l)-lines):], "\n")
}
