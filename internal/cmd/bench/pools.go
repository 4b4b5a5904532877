package main

import (
	"fmt"
	"os"

	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/sendgridmock"
	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/tfharness"
)

// poolIPs is the IPs each pool of the pool measure holds.
const poolIPs = 10

// poolRow is pool i of the pool measure and its IPs: ten of the account's, none shared.
func poolRow(i int) (string, []string) {
	return fmt.Sprintf("pool-%03d", i), tfharness.TestNetIPs((i + 1) * poolIPs)[i*poolIPs:]
}

// poolResult is the refresh (plan) of P pools, every run.
type poolResult struct {
	n      int
	tf, sg []sample
	calls  []map[string]int
}

// bound is the pool issue's: the pages GET /v3/ips took (the one that shows the end included), the
// pools list and 2; only the pages may grow with P.
func (x poolResult) bound() int { return x.calls[0]["GET /v3/ips"] + 1 + 2 }

// poolRefresh times `plan -detailed-exitcode` of P sendgrid_ip_pool of ten IPs each beside P
// terraform_data with the same data, on states written directly, alternating which goes first.
func (b *bench) poolRefresh(n int) (poolResult, error) {
	r := poolResult{n: n}
	seed := sendgridmock.Seed{APIUser: apiUser, APIKey: apiKey, IPs: tfharness.TestNetIPs(n * poolIPs)}
	for i := range n {
		name, ips := poolRow(i)
		seed.Pools = append(seed.Pools, sendgridmock.SeedPool{Name: name, IPs: ips})
	}
	api, err := sendgridmock.New(seed)
	if err != nil {
		return r, err
	}
	if _, err := api.Start("127.0.0.1:0"); err != nil {
		return r, err
	}
	defer func() { _ = api.Close() }()
	tfDir, err1 := b.dir(fmt.Sprintf("pools-%d-terraform_data", n))
	sgDir, err2 := b.dir(fmt.Sprintf("pools-%d-sendgrid", n))
	defer func() { _ = os.RemoveAll(tfDir); _ = os.RemoveAll(sgDir) }()
	if err := firstErr(err1, err2,
		writeState(tfDir, "", "terraform_data", n, poolRow),
		writeState(sgDir, tfharness.ProviderConfig(api.V3URL(), "", apiKey), "sendgrid_ip_pool", n, poolRow)); err != nil {
		return r, err
	}
	for run := range b.runs {
		sgPlan := func() error {
			api.ResetRequests()
			s, err := b.measure(sgDir, true, true)
			r.sg = append(r.sg, s)
			r.calls = append(r.calls, sendgridmock.Tally(api.Requests()))
			return err
		}
		tfPlan := func() error {
			s, err := b.measure(tfDir, false, true)
			r.tf = append(r.tf, s)
			return err
		}
		steps := []func() error{tfPlan, sgPlan}
		if run%2 == 1 {
			steps = []func() error{sgPlan, tfPlan}
		}
		for _, step := range steps {
			if err := step(); err != nil {
				return r, err
			}
		}
		b.logf("pool refresh P=%d run %d/%d: plan %.2fs vs terraform_data %.2fs, calls %v",
			n, run+1, b.runs, r.sg[run].wall.Seconds(), r.tf[run].wall.Seconds(), r.calls[run])
	}
	return r, nil
}

func (r *report) renderPools(p func(string, ...any)) {
	if len(r.pools) == 0 {
		return
	}
	p("\n## 7. IP pools: refresh\n\n")
	p("`terraform plan -detailed-exitcode` (exit 0) of P `sendgrid_ip_pool` of %d IPs each on v3 beside P `terraform_data` "+
		"with the same data, one block each, on states written directly. Bound: the pages GET /v3/ips took (%d a page, with the page "+
		"that shows where the list ends) + the pools list + 2.\n\n", poolIPs, v3PageSize)
	p("| P | API calls by name | Calls | Bound | terraform_data wall | sendgrid wall | Wall ratio | CPU ratio | Provider peak RSS |\n")
	p("|---:|---|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, x := range r.pools {
		p("| %d | %s | %s | %d | %s | %s | %.2f | %.2f | %s |\n", x.n, tallyStat(x.calls), intStat(totals(x.calls)), x.bound(),
			stat(x.tf, wall), stat(x.sg, wall), ratio(x.sg, x.tf, wall), ratio(x.sg, x.tf, cpu), rssStat(x.sg))
	}
}
