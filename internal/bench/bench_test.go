package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-exec/tfexec"

	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/calls"
	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/sendgridmock"
	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/tfharness"
)

const (
	apiUser    = "reseller@example.com"
	apiKey     = "SG.bench-key-7c1e93b2a5" //nolint:gosec // the mock's made-up key
	numIPs     = 50
	scalePace  = 100000 // requests_per_minute where pacing is not measured
	v3PageSize = 500    // sendgrid.DefaultPageSize
	poolIPs    = 10
)

var ips = tfharness.TestNetIPs(numIPs)

// quick: BENCH_QUICK=1 or -short, small N for a smoke test.
func quick[T any](full, small T) T {
	if testing.Short() || os.Getenv("BENCH_QUICK") != "" {
		return small
	}
	return full
}

// metrics sums per iteration and reports means.
type metrics map[string]float64

func (m metrics) report(b *testing.B) {
	for unit, v := range m {
		b.ReportMetric(v/float64(b.N), unit)
	}
}

// compare adds a sendgrid sample and a terraform_data sample of the same command.
func (m metrics) compare(prefix string, tf, sg sample) {
	m[prefix+"s"] += sg.wall
	m[prefix+"tfdata-s"] += tf.wall
	m[prefix+"ratio"] += sg.wall / tf.wall
	m[prefix+"cpu-s"] += sg.cpu
	m[prefix+"tfdata-cpu-s"] += tf.cpu
	m[prefix+"cpu-ratio"] += sg.cpu / tf.cpu
	m[prefix+"prov-cpu-s"] += sg.provCPU
	m[prefix+"mock-cpu-s"] += sg.mockCPU
	m[prefix+"tf-itself-ratio"] += (sg.cpu - sg.provCPU) / tf.cpu // Terraform's side of the plugin protocol
	m[prefix+"rss-MiB"] += sg.rssMiB
	m[prefix+"procs"] += float64(sg.procs)
}

// runs counts iterations so that the kinds alternate which goes first from
// one run to the next: a slow spell of the shared machine falls on both.
var runs int

func alternate(run int, tf, sg func()) {
	if run%2 == 1 {
		tf, sg = sg, tf
	}
	tf()
	sg()
}

func apply(w *tfharness.Workdir) error { return w.Apply(context.Background()) }

// plan must find no change: state, configuration and the mock agree.
func plan(w *tfharness.Workdir) error {
	changes, err := w.Plan(context.Background())
	if changes {
		return fmt.Errorf("plan found changes:\n%s", w.Output())
	}
	return err
}

func must(b *testing.B, dir string, provider bool, do func(*tfharness.Workdir) error, vars ...string) sample {
	b.Helper()
	s, err := run(dir, provider, do, vars...)
	if err != nil {
		b.Fatal(err)
	}
	return s
}

func startMock(b *testing.B, seed sendgridmock.Seed) *sendgridmock.Server {
	b.Helper()
	seed.APIUser, seed.APIKey = apiUser, apiKey
	if seed.IPs == nil {
		seed.IPs = ips
	}
	api, err := sendgridmock.New(seed)
	if err == nil {
		_, err = api.Start("127.0.0.1:0")
	}
	if err != nil {
		b.Fatal(err)
	}
	return api
}

// subusers is an account of n subusers; with holding, subuser i holds held(i).
func subusers(n int, holding bool) sendgridmock.Seed {
	var seed sendgridmock.Seed
	for i := range n {
		su := sendgridmock.SeedSubuser{Name: fmt.Sprintf("u%05d", i)}
		if holding {
			su.IPs = held(i)
		}
		seed.Subusers = append(seed.Subusers, su)
	}
	return seed
}

// held is one IP; two for every tenth, none for every tenth other, so the
// read that tells "holds nothing" from "deleted" is part of the cost.
func held(i int) []string {
	k := 1
	switch i % 10 {
	case 0:
		k = 0
	case 5:
		k = 2
	}
	out := make([]string, k)
	for j := range out {
		out[j] = ips[(i+j)%numIPs]
	}
	return out
}

func sendgridConfig(api *sendgridmock.Server, rpm, n int) string {
	var b strings.Builder
	b.WriteString(tfharness.ProviderConfig(api.URL(), apiUser, apiKey, fmt.Sprintf("requests_per_minute = %d", rpm)))
	for i := range n {
		b.WriteString(tfharness.SubuserIPsResource(fmt.Sprintf("r%d", i), fmt.Sprintf("u%05d", i), ips[i%numIPs]))
	}
	return b.String()
}

func writeFile(b *testing.B, dir, name, content string) {
	b.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil { //nolint:gosec // our temporary directories
		b.Fatal(err)
	}
}

// BenchmarkScale applies N sendgrid_subuser_ips (v2) from an empty state,
// then plans on the state it left, beside N terraform_data holding the same
// data; the provider must make exactly a create's and a refresh's calls.
func BenchmarkScale(b *testing.B) {
	setup(b)
	for _, n := range quick([]int{100, 500, 1000}, []int{10, 20}) {
		b.Run(fmt.Sprintf("N=%d", n), func(b *testing.B) {
			// A create: one write, one confirming read, and ModifyPlan's read in each of the apply's two plans.
			want := map[string]map[string]int{
				"apply-": {calls.V2SetIPs: n, calls.V2SubuserIPs: 3 * n},
				"plan-":  {calls.V2SubuserIPs: n},
			}
			m := metrics{}
			for range b.N {
				runs++
				api := startMock(b, subusers(n, false))
				tfDir, sgDir := b.TempDir(), b.TempDir()
				var tfConfig strings.Builder
				for i := range n {
					fmt.Fprintf(&tfConfig, "resource \"terraform_data\" \"r%d\" { input = [%q] }\n", i, ips[i%numIPs])
				}
				writeFile(b, tfDir, "main.tf", tfConfig.String())
				writeFile(b, sgDir, "main.tf", sendgridConfig(api, scalePace, n))
				for _, cmd := range []string{"apply-", "plan-"} {
					do := map[string]func(*tfharness.Workdir) error{"apply-": apply, "plan-": plan}[cmd]
					var tf, sg sample
					alternate(runs, func() { tf = must(b, tfDir, false, do) }, func() {
						api.ResetRequests()
						sg = must(b, sgDir, true, do)
						if got := sendgridmock.Tally(api.Requests()); !maps.Equal(got, want[cmd]) {
							b.Fatalf("%smade %v, want %v", cmd, got, want[cmd])
						}
					})
					m.compare(cmd, tf, sg)
					for _, c := range want[cmd] {
						m[cmd+"calls"] += float64(c)
					}
				}
				_ = api.Close()
			}
			m.report(b)
		})
	}
}

// BenchmarkRateLimit refreshes (apply -refresh-only) N resources with the
// mock allowing L requests per window W and the provider paced at the same
// rate; ratio is wall / (N/L), slack the least t(k+L) − t(k) − W (N > L).
func BenchmarkRateLimit(b *testing.B) {
	setup(b)
	type scenario struct {
		n, limit int
		window   time.Duration
	}
	for _, s := range quick([]scenario{{100, 600, time.Minute}, {250, 100, 10 * time.Second}, {300, 60, 2 * time.Second}},
		[]scenario{{20, 10, time.Second}}) {
		rpm := int(math.Round(float64(s.limit) * float64(time.Minute) / float64(s.window)))
		ideal := float64(s.n) / float64(s.limit) * s.window.Seconds()
		api := startMock(b, subusers(s.n, false))
		w, err := env.direct.Workdir(b.TempDir())
		if err != nil {
			b.Fatal(err)
		}
		err = w.WriteConfig(sendgridConfig(api, scalePace, s.n))
		if err == nil {
			err = apply(w)
		}
		if err == nil {
			err = w.WriteConfig(sendgridConfig(api, rpm, s.n))
		}
		if err == nil { // terraform-exec asks before -refresh-only; not timed
			_, _, err = w.Version(context.Background(), false)
		}
		if err != nil {
			b.Fatalf("%v\n%s", err, w.Output())
		}
		b.Run(fmt.Sprintf("N=%d/L=%d/W=%s", s.n, s.limit, s.window), func(b *testing.B) {
			m := metrics{"errors": 0, "429s": 0}
			for range b.N {
				api.SetRateLimit(s.limit, s.window) // a fresh window for each run
				api.ResetRequests()
				limited := api.RateLimited()
				_ = w.Output()
				start := time.Now()
				err := w.Apply(context.Background(), tfexec.RefreshOnly(true))
				wall := time.Since(start).Seconds()
				api.SetRateLimit(0, 0)
				if code := tfharness.ExitCode(err); code < 0 {
					b.Fatal(err)
				} else if code != 0 {
					m["errors"]++
					b.Logf("refresh failed:\n%s", w.Output())
				}
				var times []time.Time
				for _, r := range api.Requests() {
					times = append(times, r.Time)
				}
				slices.SortFunc(times, time.Time.Compare)
				if len(times) > 1 {
					span := times[len(times)-1].Sub(times[0]).Seconds()
					m["span-s"] += span
					m["span-ratio"] += span / ideal
				}
				if len(times) > s.limit {
					least := time.Duration(math.MaxInt64)
					for k := 0; k+s.limit < len(times); k++ {
						least = min(least, times[k+s.limit].Sub(times[k])-s.window)
					}
					m["slack-ms"] += float64(least.Microseconds()) / 1000
				}
				m["s"] += wall
				m["ratio"] += wall / ideal
				m["requests"] += float64(len(times))
				m["429s"] += float64(api.RateLimited() - limited)
			}
			m.report(b)
		})
		_ = api.Close()
	}
}

// BenchmarkThousands plans (-detailed-exitcode, exit 0) N sendgrid_subuser_ips
// on v3 at the default pace beside N terraform_data, one block each, on
// states written directly; bound is the pages of GET /v3/ips and of
// GET /v3/subusers + 2 + one per list read to see where it ends.
func BenchmarkThousands(b *testing.B) {
	setup(b)
	for _, n := range quick([]int{1000, 10000}, []int{200}) {
		api := startMock(b, subusers(n, true))
		row := func(i int) (string, []string) { return fmt.Sprintf("u%05d", i), held(i) }
		comparePlans(b, fmt.Sprintf("N=%d", n), api, "sendgrid_subuser_ips", n, row, func(map[string]int) int {
			return numIPs/v3PageSize + 1 + n/v3PageSize + 1 + 2 + 4
		})
		_ = api.Close()
	}
}

// BenchmarkPools plans P sendgrid_ip_pool of ten IPs each beside P
// terraform_data holding the same lists; bound is the pages GET /v3/ips
// took + the pools list + 2.
func BenchmarkPools(b *testing.B) {
	setup(b)
	for _, n := range quick([]int{100}, []int{10}) {
		row := func(i int) (string, []string) {
			return fmt.Sprintf("pool-%03d", i), tfharness.TestNetIPs((i + 1) * poolIPs)[i*poolIPs:]
		}
		seed := sendgridmock.Seed{IPs: tfharness.TestNetIPs(n * poolIPs)}
		for i := range n {
			name, ips := row(i)
			seed.Pools = append(seed.Pools, sendgridmock.SeedPool{Name: name, IPs: ips})
		}
		api := startMock(b, seed)
		comparePlans(b, fmt.Sprintf("P=%d", n), api, "sendgrid_ip_pool", n, row, func(tally map[string]int) int {
			return tally[calls.V3IPs] + 1 + 2
		})
		_ = api.Close()
	}
}

// comparePlans writes the states of N resources of typ (v3, on api) and of N terraform_data holding
// what row gives, then runs a sub-benchmark that times both plans.
func comparePlans(b *testing.B, name string, api *sendgridmock.Server, typ string, n int,
	row func(int) (string, []string), bound func(map[string]int) int) {
	tfDir, sgDir := b.TempDir(), b.TempDir()
	writeState(b, tfDir, "", "terraform_data", n, row)
	writeState(b, sgDir, tfharness.ProviderConfig(api.V3URL(), "", apiKey), typ, n, row)
	b.Run(name, func(b *testing.B) {
		m := metrics{}
		for range b.N {
			runs++
			var tf, sg sample
			var calls map[string]int
			alternate(runs, func() { tf = must(b, tfDir, false, plan) }, func() {
				api.ResetRequests()
				sg = must(b, sgDir, true, plan)
				calls = sendgridmock.Tally(api.Requests())
			})
			b.Logf("calls %v", calls)
			m.compare("", tf, sg)
			for _, c := range calls {
				m["calls"] += float64(c)
			}
			m["calls-bound"] += float64(bound(calls))
		}
		m.report(b)
	})
}

// writeState writes main.tf, header and N resources rI of typ holding what row gives, and
// terraform.tfstate (format 4) with the attributes a real apply of them records.
func writeState(b *testing.B, dir, header, typ string, n int, row func(int) (string, []string)) {
	config := []byte(header)
	resources := make([]any, n)
	provider := `provider["registry.terraform.io/` + tfharness.ProviderSource + `"]`
	for i := range n {
		name, ips := row(i)
		list, _ := json.Marshal(ips) // a JSON list of strings is HCL too
		var attrs map[string]any
		switch typ {
		case "terraform_data": // input and output: dynamic values, tuples of strings
			provider = `provider["terraform.io/builtin/terraform"]`
			v := map[string]any{"value": ips, "type": []any{"tuple", slices.Repeat([]string{"string"}, len(ips))}}
			attrs = map[string]any{"id": fmt.Sprintf("00000000-0000-4000-8000-%012d", i), "input": v, "output": v, "triggers_replace": nil}
			config = fmt.Appendf(config, "resource \"terraform_data\" \"r%d\" { input = %s }\n", i, list)
		case "sendgrid_ip_pool":
			attrs = map[string]any{"id": name, "name": name, "ips": ips, "timeouts": nil}
			config = fmt.Appendf(config, "resource %q \"r%d\" {\n  name = %q\n  ips  = %s\n}\n", typ, i, name, list)
		default:
			attrs = map[string]any{"id": name, "user": name, "ips": ips, "on_destroy": "unassign", "outbound_cluster": nil, "timeouts": nil}
			config = fmt.Appendf(config, "resource %q \"r%d\" {\n  user = %q\n  ips  = %s\n}\n", typ, i, name, list)
		}
		resources[i] = map[string]any{"mode": "managed", "type": typ, "name": fmt.Sprintf("r%d", i), "provider": provider,
			"instances": []any{map[string]any{"schema_version": 0, "attributes": attrs, "sensitive_attributes": []string{}}}}
	}
	state, err := json.Marshal(map[string]any{"version": 4, "terraform_version": "1.7.0", "serial": 1,
		"lineage": "0badbe9c-7e57-4b3a-9c1e-000000000001", "outputs": map[string]any{}, "resources": resources})
	if err != nil {
		b.Fatal(err)
	}
	writeFile(b, dir, "main.tf", string(config))
	writeFile(b, dir, "terraform.tfstate", string(state))
}

// BenchmarkBulkImport applies examples/bulk-import/main.tf as shipped (the provider configured by
// environment variables, default pace) to an account of N subusers holding IPs, and checks that the
// state then holds N objects. floor-s is the calls at 600 a minute. v2 is paced (2N + 1 calls), so
// it runs at a smaller N.
func BenchmarkBulkImport(b *testing.B) {
	setup(b)
	example, err := os.ReadFile("../../examples/bulk-import/main.tf")
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		api string
		n   int
	}{{"v3", quick(500, 20)}, {"v2", quick(100, 20)}} {
		b.Run(fmt.Sprintf("api=%s/N=%d", c.api, c.n), func(b *testing.B) {
			m := metrics{}
			for range b.N {
				api := startMock(b, subusers(c.n, true))
				vars := []string{"SENDGRID_API_KEY=" + apiKey, "SENDGRID_BASE_URL=" + api.V3URL()}
				if c.api == "v2" {
					vars = []string{"SENDGRID_API_KEY=" + apiKey, "SENDGRID_BASE_URL=" + api.URL(), "SENDGRID_API_USER=" + apiUser}
				}
				dir := b.TempDir()
				writeFile(b, dir, "main.tf", string(example))
				s := must(b, dir, true, apply, vars...)
				calls := sendgridmock.Tally(api.Requests())
				_ = api.Close()
				raw, err := os.ReadFile(filepath.Join(dir, "terraform.tfstate")) //nolint:gosec // our temporary directory
				if got := strings.Count(string(raw), `"index_key"`); err != nil || got != c.n {
					b.Fatalf("state holds %d sendgrid_subuser_ips after the adopting apply, want %d (%v)", got, c.n, err)
				}
				b.Logf("calls %v", calls)
				m["s"] += s.wall
				m["prov-cpu-s"] += s.provCPU
				m["rss-MiB"] += s.rssMiB
				for _, n := range calls {
					m["calls"] += float64(n)
					m["floor-s"] += float64(n) / 10
				}
			}
			m.report(b)
		})
	}
}
