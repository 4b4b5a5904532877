// Command bench measures what only a benchmark can, with the real Terraform
// CLI against the mock SendGrid on 127.0.0.1: plan and apply of N resources
// beside N of Terraform's own terraform_data (wall time, CPU, the
// provider's peak memory), refreshes under the mock's rate limit, the v3
// refresh of thousands of subusers and the bulk-adoption recipe. API
// calls per operation are asserted by internal/e2e instead. It rewrites
// the generated part of BENCHMARKS.md; `make bench` runs it.
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

	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/sendgridmock"
	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/tfharness"
)

const (
	apiUser = "reseller@example.com"
	apiKey  = "SG.bench-key-7c1e93b2a5" //nolint:gosec // the mock's made-up key
	numIPs  = 50
	// scalePace is requests_per_minute wherever pacing is not measured:
	// the most the provider accepts.
	scalePace = 100000
)

var pool = tfharness.TestNetIPs(numIPs)

func main() {
	if wrapping() {
		os.Exit(runWrapper())
	}
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// bench holds what every measure shares.
type bench struct {
	ctx      context.Context
	started  time.Time
	tmp      string
	runs     int
	provider string             // the provider binary
	wrapped  *tfharness.Harness // dev_overrides to the wrapper (wrap.go)
	direct   *tfharness.Harness // dev_overrides to the provider
	seq      int
	profile  string // -cpuprofile
}

func run() error {
	var (
		out, terraform, sizes, rates, refresh, profile string
		runs, adopt, pools                             int
		quick                                          bool
	)
	flag.StringVar(&out, "out", "BENCHMARKS.md", "report whose generated part is replaced (created if missing)")
	flag.StringVar(&terraform, "terraform", os.Getenv("TF_ACC_TERRAFORM_PATH"), "Terraform CLI to run")
	flag.IntVar(&runs, "runs", 3, "runs of each measure; the report gives medians")
	flag.StringVar(&sizes, "sizes", "100,500,1000", "resource counts N for the scale measure")
	flag.StringVar(&rates, "rate", "100@600/60s,250@100/10s,300@60/2s",
		"rate-limit scenarios, N@L/W: refresh N resources with the mock allowing L requests per window W")
	flag.StringVar(&refresh, "refresh", "1000,10000", "subuser counts N for the v3 refresh (plan) from a state written directly")
	flag.IntVar(&adopt, "import", 500, "subusers N the bulk-import recipe adopts, on v3 (-runs runs) and v2 (one run, paced)")
	flag.StringVar(&profile, "cpuprofile", "", "also profile the provider's CPU in one more v3 refresh plan at each N, into `PREFIX`-N.pprof")
	flag.IntVar(&pools, "pools", 100, "IP pools P of ten IPs each for the pool refresh (v3); 0 skips it")
	flag.BoolVar(&quick, "quick", false, "smoke test: N=10,20, one run, a short rate-limit scenario, a v3 refresh of 200, an import of 20")
	flag.Parse()
	if quick {
		sizes, rates, refresh, adopt, runs, pools = "10,20", "20@10/1s", "200", 20, 1, 10
	}
	ns, err := parseSizes(sizes)
	if err != nil {
		return err
	}
	refreshNs, err := parseSizes(refresh)
	if err != nil {
		return err
	}
	scenarios, err := parseRates(rates)
	if err != nil {
		return err
	}
	if runs < 1 || terraform == "" {
		return errors.New("need -runs of at least 1 and -terraform (or TF_ACC_TERRAFORM_PATH; scripts/bench.sh sets it)")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	b := &bench{ctx: ctx, started: time.Now(), runs: runs, profile: profile}
	if b.tmp, err = os.MkdirTemp("", "sendgrid-bench-"); err != nil {
		return err
	}
	defer func() { _ = os.RemoveAll(b.tmp) }()
	if err := b.setup(terraform); err != nil {
		return err
	}
	r := &report{env: describeMachine(terraform), runs: runs}
	for _, n := range ns {
		s, err := b.scale(n)
		if err != nil {
			return fmt.Errorf("scale at N=%d: %w", n, err)
		}
		r.scale = append(r.scale, s)
	}
	for _, sc := range scenarios {
		x, err := b.rateLimit(sc)
		if err != nil {
			return fmt.Errorf("rate limit %s: %w", sc, err)
		}
		r.rate = append(r.rate, x)
	}
	for _, n := range refreshNs {
		x, err := b.refresh(n)
		if err != nil {
			return fmt.Errorf("v3 refresh at N=%d: %w", n, err)
		}
		r.refresh = append(r.refresh, x)
	}
	if adopt > 0 {
		for _, on := range []struct {
			api  string
			runs int
		}{{"v3", b.runs}, {"v2", 1}} {
			x, err := b.bulkImport(on.api, adopt, on.runs)
			if err != nil {
				return fmt.Errorf("bulk import at N=%d: %w", adopt, err)
			}
			r.adopt = append(r.adopt, x)
		}
	}
	if pools > 0 {
		x, err := b.poolRefresh(pools)
		if err != nil {
			return fmt.Errorf("pool refresh at P=%d: %w", pools, err)
		}
		r.pools = append(r.pools, x)
	}
	r.env.loadEnd, r.total = loadAverage(), time.Since(b.started)
	if err := r.write(out); err != nil {
		return err
	}
	b.logf("wrote %s", out)
	return nil
}

// setup builds the provider and puts a copy of this program beside it as
// the wrapper that measures each provider process.
func (b *bench) setup(terraform string) error {
	b.logf("building the provider in %s", b.tmp)
	provDir := filepath.Join(b.tmp, "provider")
	if err := tfharness.BuildProvider(b.ctx, provDir); err != nil {
		return err
	}
	b.provider = filepath.Join(provDir, "terraform-provider-sendgrid")
	self, err := os.Executable()
	if err != nil {
		return err
	}
	wrapper := filepath.Join(b.tmp, "wrapper")
	if err := os.MkdirAll(wrapper, 0o700); err != nil {
		return err
	}
	if err := copyFile(self, filepath.Join(wrapper, "terraform-provider-sendgrid")); err != nil {
		return err
	}
	if b.wrapped, err = tfharness.New(terraform, wrapper, b.tmp); err != nil {
		return err
	}
	b.direct, err = tfharness.New(terraform, provDir, provDir)
	return err
}

func (b *bench) logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "bench %6.1fs: %s\n", time.Since(b.started).Seconds(), fmt.Sprintf(format, args...))
}

// dir returns a new directory under the temporary directory.
func (b *bench) dir(name string) (string, error) {
	b.seq++
	d := filepath.Join(b.tmp, fmt.Sprintf("%03d-%s", b.seq, name))
	return d, os.MkdirAll(d, 0o700)
}

// startMock serves numIPs IPs and n subusers on 127.0.0.1, holding none
// or, with holding, what held gives.
func startMock(n int, holding bool) (*sendgridmock.Server, error) {
	seed := sendgridmock.Seed{APIUser: apiUser, APIKey: apiKey, IPs: pool}
	for i := range n {
		su := sendgridmock.SeedSubuser{Name: fmt.Sprintf("u%05d", i)}
		if holding {
			su.IPs = held(i)
		}
		seed.Subusers = append(seed.Subusers, su)
	}
	s, err := sendgridmock.New(seed)
	if err != nil {
		return nil, err
	}
	_, err = s.Start("127.0.0.1:0")
	return s, err
}

// sendgridConfig is n sendgrid_subuser_ips, one per subuser, paced at rpm.
func sendgridConfig(api *sendgridmock.Server, rpm, n int) string {
	var b strings.Builder
	b.WriteString(tfharness.ProviderConfig(api.URL(), apiUser, apiKey, fmt.Sprintf("requests_per_minute = %d", rpm)))
	for i := range n {
		b.WriteString(tfharness.SubuserIPsResource(fmt.Sprintf("r%d", i), fmt.Sprintf("u%05d", i), pool[i%numIPs]))
	}
	return b.String()
}

// terraformDataConfig is n terraform_data with the same data: Terraform
// core's cost alone.
func terraformDataConfig(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "resource \"terraform_data\" \"r%d\" { input = [%q] }\n", i, pool[i%numIPs])
	}
	return b.String()
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

func copyFile(src, dst string) error {
	in, err := os.Open(src) //nolint:gosec // this program's own binary
	if err != nil {
		return err
	}
	defer func() { _ = in.Close() }()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o700) //nolint:gosec // under our temporary directory
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		_ = out.Close()
		return err
	}
	return out.Close()
}
