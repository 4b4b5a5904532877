// Command bench measures the provider against the mock SendGrid with the
// real Terraform CLI and writes BENCHMARKS.md (issue 6):
//
//  1. API calls per operation (data source read, resource read, create,
//     update, delete, import), from the mock's request log;
//  2. terraform plan and apply of N sendgrid_subuser_ips beside the same N
//     of Terraform's built-in terraform_data, and the provider's peak memory;
//  3. refresh under the mock's rate limit with the provider paced to it;
//  4. how the cost grows with N.
//
// It is what `make bench` runs (through scripts/bench.sh); it is not part
// of `make test`. With -cpuprofile it profiles the provider instead (see
// profile.go), which is how the causes of missed goals were found. All traffic goes to a mock on 127.0.0.1; every working
// directory lives under one temporary directory that is removed on exit,
// Ctrl-C included, and BENCHMARKS.md is replaced only when every measure
// ran, so a run can be repeated or interrupted at will.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/tfharness"
)

func main() {
	if wrapping() {
		os.Exit(runWrapper())
	}
	if serving() {
		os.Exit(serveProvider())
	}
	os.Exit(run())
}

type options struct {
	out       string
	terraform string
	runs      int
	sizes     []int
	rate      []rateScenario
	only      map[string]bool
	keep      bool
	quick     bool
	profile   string
}

func run() int {
	var (
		o          options
		sizes      string
		rates      string
		only       string
		defaultTF  = os.Getenv("TF_ACC_TERRAFORM_PATH")
		defaultOut = "BENCHMARKS.md"
	)
	flag.StringVar(&o.out, "out", defaultOut, "Markdown report to write (replaced only when every measure ran)")
	flag.StringVar(&o.terraform, "terraform", defaultTF, "Terraform CLI to run (default $TF_ACC_TERRAFORM_PATH)")
	flag.IntVar(&o.runs, "runs", 3, "runs of each timed measure; the report gives medians")
	flag.StringVar(&sizes, "sizes", "100,500,1000", "resource counts N for the scale measure")
	flag.StringVar(&rates, "rate", "100@600/60s,250@100/10s,300@60/2s",
		"rate-limit scenarios, N@L/W: refresh N resources with the mock allowing L requests per window W")
	flag.StringVar(&only, "only", "", "comma-separated subset of calls,scale,ratelimit (default all)")
	flag.BoolVar(&o.keep, "keep", false, "keep the temporary directory (for debugging)")
	flag.BoolVar(&o.quick, "quick", false, "smoke test: N=10,20, one run, a short rate-limit scenario")
	flag.StringVar(&o.profile, "cpuprofile", "", "instead of benchmarking, serve the provider from this program under a CPU profile during apply and plan of the largest N, "+
		"writing PREFIX-{apply,plan}-PID.pprof, heap profiles (.heap, -end.heap) and a memory summary (.mem.txt) per provider process")
	flag.Parse()

	if o.quick {
		sizes, rates, o.runs = "10,20", "20@10/1s", 1
	}
	var err error
	if o.sizes, err = parseSizes(sizes); err != nil {
		return fail(err)
	}
	if o.rate, err = parseRates(rates); err != nil {
		return fail(err)
	}
	if o.runs < 1 {
		return fail(errors.New("-runs must be at least 1"))
	}
	o.only = map[string]bool{}
	for _, m := range strings.Split(only, ",") {
		if m = strings.TrimSpace(m); m != "" {
			if m != "calls" && m != "scale" && m != "ratelimit" {
				return fail(fmt.Errorf("-only: unknown measure %q", m))
			}
			o.only[m] = true
		}
	}
	if o.terraform == "" {
		return fail(errors.New("no Terraform CLI: pass -terraform or set TF_ACC_TERRAFORM_PATH (scripts/bench.sh does)"))
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	b, err := setup(ctx, o)
	if b != nil {
		defer b.cleanup()
	}
	if err != nil {
		return fail(err)
	}
	if o.profile != "" {
		if err := b.profile(o.profile); err != nil {
			return fail(err)
		}
		return 0
	}
	rep, err := b.all()
	if err != nil {
		return fail(err)
	}
	if err := writeAtomic(o.out, rep); err != nil {
		return fail(err)
	}
	b.logf("wrote %s in %s", o.out, time.Since(b.started).Round(time.Second))
	return 0
}

func fail(err error) int {
	fmt.Fprintln(os.Stderr, "bench:", err)
	return 1
}

// bench holds what every measure shares.
type bench struct {
	ctx       context.Context
	o         options
	started   time.Time
	tmp       string
	provider  string // the real provider binary
	terraform string
	tfVersion string
	harness   *tfharness.Harness // dev_overrides to the wrapper, which records usage
	direct    *tfharness.Harness // dev_overrides to the provider itself
	seq       int
	log       io.Writer
}

// setup builds the provider into a fresh temporary directory and puts a
// copy of this program beside it as the wrapper Terraform runs.
func setup(ctx context.Context, o options) (*bench, error) {
	tf, err := filepath.Abs(o.terraform)
	if err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp("", "sendgrid-bench-")
	if err != nil {
		return nil, err
	}
	b := &bench{ctx: ctx, o: o, started: time.Now(), tmp: tmp, terraform: tf, log: os.Stderr}
	b.logf("working in %s", tmp)

	out, err := runOutput(ctx, tf, "version")
	if err != nil {
		return b, fmt.Errorf("%s version: %w", tf, err)
	}
	b.tfVersion = strings.SplitN(strings.TrimSpace(out), "\n", 2)[0]

	b.logf("building the provider")
	realDir := filepath.Join(tmp, "provider")
	if err := tfharness.BuildProvider(ctx, realDir); err != nil {
		return b, err
	}
	b.provider = filepath.Join(realDir, "terraform-provider-sendgrid")

	self, err := os.Executable()
	if err != nil {
		return b, err
	}
	pluginDir := filepath.Join(tmp, "plugins")
	if err := os.MkdirAll(pluginDir, 0o700); err != nil {
		return b, err
	}
	if err := copyFile(self, filepath.Join(pluginDir, "terraform-provider-sendgrid"), 0o700); err != nil {
		return b, fmt.Errorf("installing the wrapper: %w", err)
	}
	h, err := tfharness.New(tf, pluginDir, tmp)
	if err != nil {
		return b, err
	}
	b.harness = h
	directDir := filepath.Join(tmp, "direct")
	if err := os.MkdirAll(directDir, 0o700); err != nil {
		return b, err
	}
	if b.direct, err = tfharness.New(tf, realDir, directDir); err != nil {
		return b, err
	}
	return b, nil
}

func (b *bench) cleanup() {
	if b.o.keep {
		b.logf("kept %s", b.tmp)
		return
	}
	if err := os.RemoveAll(b.tmp); err != nil {
		b.logf("removing %s: %v", b.tmp, err)
	}
}

func (b *bench) logf(format string, args ...any) {
	_, _ = fmt.Fprintf(b.log, "bench %6.1fs: %s\n", time.Since(b.started).Seconds(), fmt.Sprintf(format, args...))
}

// dir returns a new, empty directory under the temporary directory.
func (b *bench) dir(name string) (string, error) {
	b.seq++
	d := filepath.Join(b.tmp, fmt.Sprintf("%03d-%s", b.seq, name))
	return d, os.MkdirAll(d, 0o700)
}

// workdir returns a Terraform working directory whose provider processes
// run under the wrapper and record their usage into usageDir.
func (b *bench) workdir(dir, usageDir string) (*tfharness.Workdir, error) {
	h := *b.harness
	h.ExtraEnv = []string{wrapEnvTarget + "=" + b.provider, wrapEnvDir + "=" + usageDir}
	return h.Workdir(dir)
}

// directWorkdir returns a Terraform working directory that runs the
// provider binary itself, without the wrapper.
func (b *bench) directWorkdir(dir string) (*tfharness.Workdir, error) {
	return b.direct.Workdir(dir)
}

// all runs the selected measures and renders the report.
func (b *bench) all() (string, error) {
	want := func(m string) bool { return len(b.o.only) == 0 || b.o.only[m] }
	r := &report{env: b.environment(), opts: b.o}
	var err error
	if want("calls") {
		if r.calls, err = b.measureCalls(); err != nil {
			return "", fmt.Errorf("calls: %w", err)
		}
	}
	if want("scale") {
		if r.scale, err = b.measureScale(); err != nil {
			return "", fmt.Errorf("scale: %w", err)
		}
	}
	if want("ratelimit") {
		if r.rate, err = b.measureRateLimit(); err != nil {
			return "", fmt.Errorf("rate limit: %w", err)
		}
	}
	r.env.loadEnd = loadAverage()
	r.total = time.Since(b.started)
	return r.render(), nil
}

func parseSizes(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("-sizes: %q is not a positive count", f)
		}
		out = append(out, n)
	}
	return out, nil
}

func writeAtomic(name string, content string) error {
	tmp := name + ".tmp"
	if err := os.WriteFile(tmp, []byte(content), 0o644); err != nil { //nolint:gosec // a report for the repository
		return err
	}
	return os.Rename(tmp, name)
}

func copyFile(src, dst string, mode os.FileMode) error {
	in, err := os.Open(src) //nolint:gosec // this program's own binary
	if err != nil {
		return err
	}
	defer func() { _ = in.Close() }()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, mode) //nolint:gosec // under our temporary directory
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		_ = out.Close()
		return err
	}
	return out.Close()
}
