package main

import (
	"fmt"

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
	n int
	planRuns
}

// bound is the pool issue's: the pages GET /v3/ips took (the one that shows the end included), the
// pools list and 2; only the pages may grow with P.
func (x poolResult) bound() int { return x.calls[0]["GET /v3/ips"] + 1 + 2 }

// poolRefresh times the plan of P sendgrid_ip_pool of ten IPs each beside P terraform_data.
func (b *bench) poolRefresh(n int) (poolResult, error) {
	seed := sendgridmock.Seed{APIUser: apiUser, APIKey: apiKey, IPs: tfharness.TestNetIPs(n * poolIPs)}
	for i := range n {
		name, ips := poolRow(i)
		seed.Pools = append(seed.Pools, sendgridmock.SeedPool{Name: name, IPs: ips})
	}
	api, err := sendgridmock.New(seed)
	if err == nil {
		_, err = api.Start("127.0.0.1:0")
	}
	if err != nil {
		return poolResult{n: n}, err
	}
	defer func() { _ = api.Close() }()
	runs, err := b.comparePlans(api, fmt.Sprintf("pool refresh P=%d", n), "sendgrid_ip_pool", n, poolRow, nil)
	return poolResult{n: n, planRuns: runs}, err
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
