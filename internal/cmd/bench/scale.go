package main

import (
	"fmt"
	"maps"
	"os"
	"strings"
	"syscall"
	"time"

	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/sendgridmock"
)

// scalePace is requests_per_minute for the scale measure: the most the
// provider accepts, so the provider is measured rather than the pacing.
const scalePace = 100000

// sample is one timed CLI command.
type sample struct {
	wall    time.Duration
	cpu     time.Duration // Terraform and its provider processes, user + system
	provCPU time.Duration // the provider processes alone
	mockCPU time.Duration // this process, which serves the mock
	peakKiB int64         // the largest provider process's peak RSS
	procs   int           // provider processes Terraform started
}

// scaleResult is the scale measure at one N, every run.
type scaleResult struct {
	n                     int
	tfApply, sgApply      []sample
	tfPlan, sgPlan        []sample
	callsApply, callsPlan map[string]int // first run
	rateLimited           int
}

func (b *bench) measureScale() ([]scaleResult, error) {
	var out []scaleResult
	for _, n := range b.o.sizes {
		r := scaleResult{n: n}
		for run := range b.o.runs {
			if err := b.scaleOnce(&r, run); err != nil {
				return nil, fmt.Errorf("at N=%d: %w", n, err)
			}
		}
		out = append(out, r)
	}
	return out, nil
}

// scaleOnce applies N resources into an empty state, then plans (with
// refresh) against that state, for terraform_data and for the provider.
// The two alternate which goes first, so a slow spell of the shared
// machine does not always fall on the same side.
func (b *bench) scaleOnce(r *scaleResult, run int) error {
	n := r.n
	api, err := startMock(n)
	if err != nil {
		return err
	}
	defer func() { _ = api.Close() }()

	tfDir, err := b.dir(fmt.Sprintf("scale-%d-terraform_data", n))
	if err != nil {
		return err
	}
	defer func() { _ = os.RemoveAll(tfDir) }()
	sgDir, err := b.dir(fmt.Sprintf("scale-%d-sendgrid", n))
	if err != nil {
		return err
	}
	defer func() { _ = os.RemoveAll(sgDir) }()
	if err := os.WriteFile(tfDir+"/main.tf", []byte(terraformDataConfig(n)), 0o600); err != nil {
		return err
	}
	if err := os.WriteFile(sgDir+"/main.tf", []byte(sendgridConfig(api, scalePace, n)), 0o600); err != nil {
		return err
	}

	limited := api.RateLimited()
	tfApply := func() error {
		s, err := b.measure(tfDir, false, "apply", "-auto-approve")
		r.tfApply = append(r.tfApply, s)
		return err
	}
	tfPlan := func() error {
		s, err := b.measure(tfDir, false, "plan", "-detailed-exitcode")
		r.tfPlan = append(r.tfPlan, s)
		return err
	}
	sgApply := func() error {
		api.ResetRequests()
		s, err := b.measure(sgDir, true, "apply", "-auto-approve")
		if err != nil {
			return err
		}
		r.sgApply = append(r.sgApply, s)
		calls := sendgridmock.Tally(api.Requests())
		if want := map[string]int{"customer.sendip task=append set=specify": n, "customer.sendip task=list": n}; !maps.Equal(calls, want) {
			return fmt.Errorf("apply made %s, want %s", formatCalls(calls), formatCalls(want))
		}
		if r.callsApply == nil {
			r.callsApply = calls
		}
		return nil
	}
	sgPlan := func() error {
		api.ResetRequests()
		s, err := b.measure(sgDir, true, "plan", "-detailed-exitcode")
		if err != nil {
			return err
		}
		r.sgPlan = append(r.sgPlan, s)
		calls := sendgridmock.Tally(api.Requests())
		if want := map[string]int{"customer.sendip task=list": n}; !maps.Equal(calls, want) {
			return fmt.Errorf("plan made %s, want %s", formatCalls(calls), formatCalls(want))
		}
		if r.callsPlan == nil {
			r.callsPlan = calls
		}
		return nil
	}

	steps := []func() error{tfApply, sgApply, tfPlan, sgPlan}
	if run%2 == 1 {
		steps = []func() error{sgApply, tfApply, sgPlan, tfPlan}
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return err
		}
	}
	r.rateLimited += api.RateLimited() - limited
	i := len(r.sgPlan) - 1
	ta, sa, tp, sp := r.tfApply[i], r.sgApply[i], r.tfPlan[i], r.sgPlan[i]
	b.logf("scale N=%d run %d/%d: apply terraform_data %.2fs sendgrid %.2fs (%.2f×; CPU %.2fs vs %.2fs, provider %.2fs, %s); "+
		"plan terraform_data %.2fs sendgrid %.2fs (%.2f×; CPU %.2fs vs %.2fs, provider %.2fs, %s)",
		n, run+1, b.o.runs,
		ta.wall.Seconds(), sa.wall.Seconds(), sa.wall.Seconds()/ta.wall.Seconds(), ta.cpu.Seconds(), sa.cpu.Seconds(), sa.provCPU.Seconds(), mib(sa.peakKiB),
		tp.wall.Seconds(), sp.wall.Seconds(), sp.wall.Seconds()/tp.wall.Seconds(), tp.cpu.Seconds(), sp.cpu.Seconds(), sp.provCPU.Seconds(), mib(sp.peakKiB))
	return nil
}

// measure runs one CLI command in dir, which must succeed (for plan
// -detailed-exitcode: exit 0, no change), and takes its wall time, the
// CPU time of Terraform and everything it waited for, this process's CPU
// time (the mock) and, with provider set, the wrappers' records.
func (b *bench) measure(dir string, provider bool, args ...string) (sample, error) {
	var s sample
	usageDir := ""
	if provider {
		b.seq++
		usageDir = fmt.Sprintf("%s-usage-%d", dir, b.seq)
		if err := os.MkdirAll(usageDir, 0o700); err != nil {
			return s, err
		}
		defer func() { _ = os.RemoveAll(usageDir) }()
	}
	w, err := b.workdir(dir, usageDir)
	if err != nil {
		return s, err
	}
	children0, self0 := cpuTime(syscall.RUSAGE_CHILDREN), cpuTime(syscall.RUSAGE_SELF)
	res, err := w.Run(b.ctx, args...)
	if err != nil {
		return s, err
	}
	s.wall = res.Duration
	s.cpu = cpuTime(syscall.RUSAGE_CHILDREN) - children0
	s.mockCPU = cpuTime(syscall.RUSAGE_SELF) - self0
	if res.ExitCode != 0 {
		return s, fmt.Errorf("terraform %s exited %d:\n%s\n%s", strings.Join(args, " "), res.ExitCode, tail(res.Stdout, 40), res.Stderr)
	}
	if provider {
		u, err := readUsage(usageDir)
		if err != nil {
			return s, err
		}
		s.peakKiB, s.provCPU, s.procs = u.peakKiB, u.cpu, u.procs
	}
	return s, nil
}

// cpuTime is user + system time of this process or of its waited-for
// children (Terraform, and the provider processes Terraform waited for).
func cpuTime(who int) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(who, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func mib(kib int64) string { return fmt.Sprintf("%.1f MiB", float64(kib)/1024) }

func tail(s string, lines int) string {
	l := strings.Split(s, "\n")
	if len(l) > lines {
		l = l[len(l)-lines:]
	}
	return strings.Join(l, "\n")
}
