package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Goals of issue 6.
const (
	goalRatio     = 1.25 // sendgrid / terraform_data wall time at the largest N
	goalRSSMiB    = 64   // provider peak memory at the largest N
	goalRateRatio = 1.05 // refresh wall time / (N/L)
	// stressWindow: shorter mock windows compress the client's slack (a
	// sixtieth of the window) below scheduling jitter; not held to the goal.
	stressWindow = 10 * time.Second
)

// Goals of the issue "Thousands of subusers", at the largest v3 refresh N
// (the calls' goal, pages + 2 + 4 lists, is refreshResult.bound).
const (
	goalRefreshRatio  = 3.0 // plan wall time / terraform_data's
	goalRefreshRSSMiB = 128
	v2Pace            = 600 // requests a minute: the v2 floor is N/v2Pace, one task=list per subuser
)

// The generated part of BENCHMARKS.md; the text around it is written by hand.
const (
	beginMark = "<!-- make bench: begin generated part -->\n"
	endMark   = "<!-- make bench: end generated part -->\n"
)

type environment struct {
	date                                 time.Time
	cpu, memory, kernel, tf, commit, cmd string
	loadStart, loadEnd                   string
}

type report struct {
	env     environment
	runs    int
	scale   []scaleResult
	rate    []rateResult
	refresh []refreshResult
	adopt   []importResult
	pools   []poolResult
	total   time.Duration
}

func describeMachine(terraform string) environment {
	out := func(name string, args ...string) string {
		o, err := exec.CommandContext(context.Background(), name, args...).Output() //nolint:gosec // fixed commands: terraform, uname, git
		if err != nil {
			return ""
		}
		return strings.TrimSpace(strings.SplitN(string(o), "\n", 2)[0])
	}
	e := environment{date: time.Now().UTC(), cpu: procField("/proc/cpuinfo", "model name"), memory: "unknown",
		kernel: out("uname", "-sr"), tf: out(terraform, "version"), commit: out("git", "rev-parse", "--short", "HEAD"), loadStart: loadAverage()}
	if kib, err := strconv.ParseFloat(strings.TrimSuffix(procField("/proc/meminfo", "MemTotal"), " kB"), 64); err == nil {
		e.memory = fmt.Sprintf("%.1f GiB", kib/(1<<20))
	}
	if e.commit != "" && out("git", "status", "--porcelain", "--untracked-files=no") != "" {
		e.commit += " (with uncommitted changes)"
	}
	e.cmd = strings.Replace(strings.Join(os.Args[1:], " "), terraform, "$(scripts/tool.sh terraform)", 1)
	return e
}

// procField is the value of "key: value" in a /proc file.
func procField(file, key string) string {
	f, err := os.Open(file) //nolint:gosec // fixed /proc paths
	if err != nil {
		return "unknown"
	}
	defer func() { _ = f.Close() }()
	for sc := bufio.NewScanner(f); sc.Scan(); {
		if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == key {
			return strings.TrimSpace(v)
		}
	}
	return "unknown"
}

// loadAverage: the machine is shared, and the report says how busy it was.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(b)); err == nil && len(f) >= 3 {
		return strings.Join(f[:3], " ")
	}
	return "unknown"
}

// write replaces the generated part of the file, or writes it alone.
func (r *report) write(name string) error {
	doc, err := os.ReadFile(name) //nolint:gosec // the report the user names
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	before, rest, ok1 := strings.Cut(string(doc), beginMark)
	_, after, ok2 := strings.Cut(rest, endMark)
	if !ok1 || !ok2 {
		before, after = "", ""
	}
	content := before + beginMark + r.render() + endMark + after
	if err := os.WriteFile(name+".tmp", []byte(content), 0o644); err != nil { //nolint:gosec // a report for the repository
		return err
	}
	return os.Rename(name+".tmp", name)
}

func (r *report) render() string {
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	e := r.env
	p("## Environment\n\n| | |\n|---|---|\n| Date | %s |\n| CPUs (`nproc`) | %d |\n| CPU model | %s |\n| Memory | %s |\n",
		e.date.Format("2006-01-02 15:04 MST"), runtime.NumCPU(), e.cpu, e.memory)
	p("| OS | %s |\n| Go | %s %s/%s |\n| Terraform | %s |\n| Commit | %s |\n", e.kernel, runtime.Version(), runtime.GOOS, runtime.GOARCH, e.tf, e.commit)
	p("| Load average (1, 5, 15 min) at start / end | %s / %s |\n| Total bench run time | %s |\n\n", e.loadStart, e.loadEnd, r.total.Round(time.Second))
	run := "make bench"
	if flags := strings.TrimSpace(strings.Replace(e.cmd, "-terraform $(scripts/tool.sh terraform)", "", 1)); flags != "" {
		run = "scripts/bench.sh " + flags // what make bench runs, with flags
	}
	p("## Commands\n\n```sh\n%s\n# which runs:\ngo build -o \"$tmp/bench\" ./internal/cmd/bench\n\"$tmp/bench\" %s\n```\n\n", run, e.cmd)
	p("Medians of %d runs, min–max beside them.\n\n", r.runs)

	big := slices.MaxFunc(r.scale, func(a, b scaleResult) int { return a.n - b.n })
	p("## 2. Scale against Terraform core\n\n")
	for _, cmd := range []string{"plan", "apply"} {
		p("### terraform %s\n\n| N | terraform_data wall | sendgrid wall | Wall ratio | terraform_data CPU | sendgrid CPU (provider; mock) | CPU ratio | Goal: wall ratio ≤ %.2f at N=%d |\n", cmd, goalRatio, big.n)
		p("|---:|---:|---:|---:|---:|---:|---:|---|\n")
		for _, s := range r.scale {
			tf, sg := s.of(cmd)
			verdict := ""
			if s.n == big.n {
				verdict = metMissed(ratio(sg, tf, wall) <= goalRatio)
			}
			p("| %d | %s | %s | %.2f | %s | %s (%.2f s; %.2f s) | %.2f | %s |\n", s.n, stat(tf, wall), stat(sg, wall), ratio(sg, tf, wall),
				stat(tf, cpu), stat(sg, cpu), med(sg, provCPU), med(sg, mockCPU), ratio(sg, tf, cpu), verdict)
		}
		tf, sg := big.of(cmd)
		core := med(sg, cpu) - med(sg, provCPU)
		p("\nAt N=%d Terraform itself used %.2f s of CPU beside the provider's %.2f s, %.2f× what it used for terraform_data.\n\n",
			big.n, core, med(sg, provCPU), core/med(tf, cpu))
	}
	p("### Provider peak memory\n\n| N | apply | plan | Provider processes per apply / plan | Goal ≤ %d MiB at N=%d |\n|---:|---:|---:|---|---|\n", goalRSSMiB, big.n)
	limited := 0
	for _, s := range r.scale {
		verdict := ""
		if s.n == big.n {
			verdict = metMissed(s.peak() <= goalRSSMiB*1024)
		}
		p("| %d | %s | %s | %d / %d | %s |\n", s.n, rssStat(s.sgApply), rssStat(s.sgPlan), s.sgApply[0].procs, s.sgPlan[0].procs, verdict)
		limited += s.rateLimited
	}
	p("\n429 answers during the scale measure: %d (the mock's limit is off here).\n\n", limited)

	p("## 3. Refresh under the rate limit\n\n")
	p("| N | Mock limit | Provider `requests_per_minute` | N/L | Wall time | Ratio | API span (first → last request) | Span / (N/L) | Least slack | Requests | 429 answers | Errors | |\n")
	p("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n")
	for _, x := range r.rate {
		calls := fmt.Sprint(slices.Min(x.calls))
		if slices.Min(x.calls) != slices.Max(x.calls) {
			calls += fmt.Sprintf("–%d", slices.Max(x.calls))
		}
		verdict := metMissed(x.ok())
		if x.s.window < stressWindow {
			verdict = "stress, not a goal (" + strings.Trim(verdict, "*") + ")"
		}
		p("| %d | %d per %s | %d | %.2f s | %s | %.3f | %s | %.3f | %s | %s | %d | %d | %s |\n", x.s.n, x.s.limit, x.s.window, x.s.perMinute(),
			x.s.ideal().Seconds(), statD(x.wall), x.ratio(), statD(x.span), median(x.span).Seconds()/x.s.ideal().Seconds(), msStat(x.slack),
			calls, sum(x.limited), x.failed, verdict)
	}
	p("\n")
	for _, x := range r.rate {
		if x.failed > 0 {
			p("Last error at %s:\n\n```\n%s\n```\n\n", x.s, x.lastErr)
		}
	}

	p("## 4. How the cost grows\n\n| N | Command | terraform_data | sendgrid | Provider's addition | Provider CPU |\n|---:|---|---:|---:|---:|---:|\n")
	perRes := func(sec float64, n int) string { return fmt.Sprintf("%.2f ms", sec/float64(n)*1000) }
	for _, cmd := range []string{"plan", "apply"} {
		for _, s := range r.scale {
			tf, sg := s.of(cmd)
			p("| %d | %s | %s | %s | %s | %s |\n", s.n, cmd, perRes(med(tf, wall), s.n), perRes(med(sg, wall), s.n),
				perRes(med(sg, wall)-med(tf, wall), s.n), perRes(med(sg, provCPU), s.n))
		}
	}
	if lo := r.scale[0]; len(r.scale) > 1 {
		growth := func(cmd string, sendgrid bool) float64 {
			per := func(s scaleResult) float64 {
				tf, sg := s.of(cmd)
				if sendgrid {
					return med(sg, wall) / float64(s.n)
				}
				return med(tf, wall) / float64(s.n)
			}
			return per(big) / per(lo)
		}
		p("\nFrom N=%d to N=%d (%.0f× the resources) the wall time per resource changes by %.2f× for plan (terraform_data: %.2f×) and %.2f× for apply (terraform_data: %.2f×).\n",
			lo.n, big.n, float64(big.n)/float64(lo.n), growth("plan", true), growth("plan", false), growth("apply", true), growth("apply", false))
	}

	r.renderThousands(p)
	r.renderPools(p)

	p("\n## Goals\n\n| Goal | Result | |\n|---|---|---|\n")
	for _, cmd := range []string{"plan", "apply"} {
		tf, sg := big.of(cmd)
		p("| %s at N=%d: sendgrid / terraform_data wall time ≤ %.2f | %.2f (%.2f s / %.2f s; CPU ratio %.2f) | %s |\n", cmd, big.n, goalRatio,
			ratio(sg, tf, wall), med(sg, wall), med(tf, wall), ratio(sg, tf, cpu), metMissed(ratio(sg, tf, wall) <= goalRatio))
	}
	p("| provider peak memory at N=%d ≤ %d MiB | %.1f MiB | %s |\n", big.n, goalRSSMiB, big.peak()/1024, metMissed(big.peak() <= goalRSSMiB*1024))
	for _, x := range r.rate {
		if x.s.window >= stressWindow {
			p("| refresh %s: wall ≤ %.2f × N/L, no 429, no error | %.3f × (%.2f s / %.2f s; API span %.3f ×), %d 429s, %d errors | %s |\n",
				x.s, goalRateRatio, x.ratio(), median(x.wall).Seconds(), x.s.ideal().Seconds(), median(x.span).Seconds()/x.s.ideal().Seconds(),
				sum(x.limited), x.failed, metMissed(x.ok()))
		}
	}

	if len(r.refresh) > 0 {
		x := slices.MaxFunc(r.refresh, func(a, b refreshResult) int { return a.n - b.n })
		p("| v3 plan of N=%d subusers: API calls ≤ pages + 2, + 1 per list = %d | %s | %s |\n", x.n, x.bound(), intStat(x.totals()), metMissed(slices.Max(x.totals()) <= int64(x.bound())))
		p("| v3 plan of N=%d: provider peak memory ≤ %d MiB | %s | %s |\n", x.n, goalRefreshRSSMiB, mib(median(pick(x.sg, kib))),
			metMissed(median(pick(x.sg, kib)) <= goalRefreshRSSMiB*1024))
		p("| v3 plan of N=%d: wall time ≤ %.0f × terraform_data | %.2f (%.2f s / %.2f s) | %s |\n", x.n, goalRefreshRatio,
			ratio(x.sg, x.tf, wall), med(x.sg, wall), med(x.tf, wall), metMissed(ratio(x.sg, x.tf, wall) <= goalRefreshRatio))
	}

	p("\n## Raw runs\n\n| N | apply terraform_data (s) | apply sendgrid (s) | plan terraform_data (s) | plan sendgrid (s) |\n|---:|---|---|---|---|\n")
	for _, s := range r.scale {
		p("| %d | %s | %s | %s | %s |\n", s.n, raw(s.tfApply, wall), raw(s.sgApply, wall), raw(s.tfPlan, wall), raw(s.sgPlan, wall))
	}
	for _, x := range r.refresh {
		p("| %d (v3 refresh) | | | %s | %s |\n", x.n, raw(x.tf, wall), raw(x.sg, wall))
	}
	p("\n| Rate-limit scenario | wall (s) | API span (s) | 429s |\n|---|---|---|---|\n")
	for _, x := range r.rate {
		p("| %s | %s | %s | %s |\n", x.s, rawD(x.wall), rawD(x.span), strings.ReplaceAll(strings.Trim(fmt.Sprint(x.limited), "[]"), " ", ", "))
	}
	p("\n")
	return b.String()
}

// renderThousands is the issue "Thousands of subusers": sections 5 and 6.
func (r *report) renderThousands(p func(string, ...any)) {
	if len(r.refresh) > 0 {
		p("\n## 5. Thousands of subusers: v3 refresh\n\n")
		p("`terraform plan -detailed-exitcode` (exit 0) of N `sendgrid_subuser_ips` on v3 at the default pace (%d requests a minute) "+
			"beside N `terraform_data` with the same data, one block each, on states written directly. "+
			"Pages are calls at %d a page: GET /v3/ips %d (%d IPs), GET /v3/subusers ⌊N/%d⌋ + 1. "+
			"v2 has no bulk read: its floor is N/L, one `task=list` per subuser at L = %d a minute.\n\n", v2Pace, v3PageSize, pages(numIPs), numIPs, v3PageSize, v2Pace)
		p("| N | API calls by name | Calls | Bound | terraform_data wall | sendgrid wall | Wall ratio | CPU ratio | Provider CPU | Provider peak RSS | v2 floor N/L | v3 / v2 floor |\n")
		p("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
		for _, x := range r.refresh {
			floor := float64(x.n) / v2Pace * 60
			p("| %d | %s | %s | %d | %s | %s | %.2f | %.2f | %.2f s | %s | %.0f s | %.3f |\n", x.n, tallyStat(x.calls), intStat(x.totals()), x.bound(),
				stat(x.tf, wall), stat(x.sg, wall), ratio(x.sg, x.tf, wall), ratio(x.sg, x.tf, cpu), med(x.sg, provCPU), rssStat(x.sg), floor, med(x.sg, wall)/floor)
		}
	}
	if len(r.adopt) > 0 {
		p("\n## 6. Bulk adoption (`examples/bulk-import`)\n\n")
		p("One `terraform apply -auto-approve` of `examples/bulk-import/main.tf` as it is (the provider configured by environment "+
			"variables, default pace of %d requests a minute) on an account of N subusers holding IPs: the `sendgrid_subusers` data source "+
			"and one import block per subuser. The apply is checked to leave N objects in state. v2 ran once: its time is the pace's.\n\n", v2Pace)
		p("| API | N | Runs | Wall | API calls by name | Calls | Paced floor (calls / %d per min) | Provider CPU | Provider peak RSS |\n|---|---:|---:|---:|---|---:|---:|---:|---:|\n", v2Pace)
		for _, x := range r.adopt {
			calls := 0
			for _, c := range x.calls[0] {
				calls += c
			}
			p("| %s | %d | %d | %s | %s | %s | %.1f s | %.2f s | %s |\n", x.api, x.n, len(x.runs), stat(x.runs, wall), tallyStat(x.calls), intStat(x.totals()),
				float64(calls)/v2Pace*60, med(x.runs, provCPU), rssStat(x.runs))
		}
	}
}

func (x refreshResult) totals() []int64 { return totals(x.calls) }
func (x importResult) totals() []int64  { return totals(x.calls) }

func totals(calls []map[string]int) []int64 {
	out := make([]int64, len(calls))
	for i, c := range calls {
		for _, k := range c {
			out[i] += int64(k)
		}
	}
	return out
}

// tallyStat is each call's count by name, a range where runs differ.
func tallyStat(calls []map[string]int) string {
	names := map[string]bool{}
	for _, c := range calls {
		for k := range c {
			names[k] = true
		}
	}
	var parts []string
	for _, name := range slices.Sorted(maps.Keys(names)) {
		counts := make([]int64, len(calls))
		for i, c := range calls {
			counts[i] = int64(c[name])
		}
		parts = append(parts, intStat(counts)+"× `"+name+"`")
	}
	return strings.Join(parts, ", ")
}

// intStat is a count, or its range over runs.
func intStat(xs []int64) string {
	lo, hi := slices.Min(xs), slices.Max(xs)
	if lo == hi {
		return fmt.Sprint(lo)
	}
	return fmt.Sprintf("%d–%d", lo, hi)
}

func (s scaleResult) of(cmd string) (tf, sg []sample) {
	if cmd == "apply" {
		return s.tfApply, s.sgApply
	}
	return s.tfPlan, s.sgPlan
}

// peak is the larger median peak RSS of apply and plan, in KiB.
func (s scaleResult) peak() float64 {
	return float64(max(median(pick(s.sgApply, kib)), median(pick(s.sgPlan, kib))))
}

func (x rateResult) ratio() float64 { return median(x.wall).Seconds() / x.s.ideal().Seconds() }

func (x rateResult) ok() bool {
	return x.ratio() <= goalRateRatio && slices.Max(x.limited) == 0 && x.failed == 0
}

func wall(s sample) time.Duration    { return s.wall }
func cpu(s sample) time.Duration     { return s.cpu }
func provCPU(s sample) time.Duration { return s.provCPU }
func mockCPU(s sample) time.Duration { return s.mockCPU }
func kib(s sample) int64             { return s.peakKiB }

func pick[T any](ss []sample, f func(sample) T) []T {
	out := make([]T, len(ss))
	for i, s := range ss {
		out[i] = f(s)
	}
	return out
}

func median[T ~int64](xs []T) T {
	s := slices.Sorted(slices.Values(xs))
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func med(ss []sample, f func(sample) time.Duration) float64 { return median(pick(ss, f)).Seconds() }

func ratio(a, b []sample, f func(sample) time.Duration) float64 { return med(a, f) / med(b, f) }

func stat(ss []sample, f func(sample) time.Duration) string { return statD(pick(ss, f)) }

// statD is a median with its range, in seconds.
func statD(ds []time.Duration) string {
	if len(ds) == 1 {
		return fmt.Sprintf("%.2f s", ds[0].Seconds())
	}
	return fmt.Sprintf("%.2f s (%.2f–%.2f)", median(ds).Seconds(), slices.Min(ds).Seconds(), slices.Max(ds).Seconds())
}

func msStat(ds []time.Duration) string {
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	switch len(ds) {
	case 0:
		return "–"
	case 1:
		return fmt.Sprintf("%.1f ms", ms(ds[0]))
	}
	return fmt.Sprintf("%.1f ms (%.1f to %.1f)", ms(median(ds)), ms(slices.Min(ds)), ms(slices.Max(ds)))
}

func rssStat(ss []sample) string {
	ks := pick(ss, kib)
	if len(ks) == 1 {
		return mib(ks[0])
	}
	return fmt.Sprintf("%s (%.1f–%.1f)", mib(median(ks)), float64(slices.Min(ks))/1024, float64(slices.Max(ks))/1024)
}

func mib(kib int64) string { return fmt.Sprintf("%.1f MiB", float64(kib)/1024) }

func raw(ss []sample, f func(sample) time.Duration) string { return rawD(pick(ss, f)) }

func rawD(ds []time.Duration) string {
	s := make([]string, len(ds))
	for i, d := range ds {
		s[i] = fmt.Sprintf("%.2f", d.Seconds())
	}
	return strings.Join(s, ", ")
}

func sum(xs []int) int {
	n := 0
	for _, x := range xs {
		n += x
	}
	return n
}

func metMissed(ok bool) string {
	if ok {
		return "met"
	}
	return "**missed**"
}
