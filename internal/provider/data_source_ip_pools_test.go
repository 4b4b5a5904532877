package provider

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	tfresource "github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/calls"
	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/sendgridmock"
)

func poolEntry(name string, ips ...string) knownvalue.Check {
	return knownvalue.ObjectExact(map[string]knownvalue.Check{"name": knownvalue.StringExact(name), "ips": knownvalue.SetExact(ipValues(ips...))})
}

func TestAccIPPoolsDataSource(t *testing.T) {
	t.Parallel()
	api := startPoolAPI(t)
	tfresource.Test(t, tfresource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories(),
		Steps: []tfresource.TestStep{{
			Config: providerConfig(api) + `
data "sendgrid_ip_pools" "all" {}
data "sendgrid_ip_pools" "t" {
  name_prefix = "t"
}
data "sendgrid_ip" "shared" {
  ip = "192.0.2.2"
}
data "sendgrid_ip" "bare" {
  ip = "192.0.2.12"
}
`,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.sendgrid_ip_pools.all", tfjsonpath.New("pools"),
					knownvalue.ListExact([]knownvalue.Check{poolEntry("empty"), poolEntry("transactional", "192.0.2.1", "192.0.2.2")})),
				statecheck.ExpectKnownValue("data.sendgrid_ip_pools.t", tfjsonpath.New("pools"),
					knownvalue.ListExact([]knownvalue.Check{poolEntry("transactional", "192.0.2.1", "192.0.2.2")})),
				statecheck.ExpectKnownValue("data.sendgrid_ip.shared", tfjsonpath.New("subusers"),
					knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact("alice"), knownvalue.StringExact("bob")})),
				statecheck.ExpectKnownValue("data.sendgrid_ip.shared", tfjsonpath.New("pools"),
					knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact("transactional")})),
				statecheck.ExpectKnownValue("data.sendgrid_ip.shared", tfjsonpath.New("whitelabeled"), knownvalue.Bool(true)),
				statecheck.ExpectKnownValue("data.sendgrid_ip.shared", tfjsonpath.New("rdns"), knownvalue.NotNull()),
				statecheck.ExpectKnownValue("data.sendgrid_ip.bare", tfjsonpath.New("whitelabeled"), knownvalue.Bool(false)),
				statecheck.ExpectKnownValue("data.sendgrid_ip.bare", tfjsonpath.New("rdns"), knownvalue.Null()),
				statecheck.ExpectKnownValue("data.sendgrid_ip.bare", tfjsonpath.New("pools"), knownvalue.SetSizeExact(0)),
			},
		}},
	})
}

// A pool data source read after pool writes in the same run sees them.
func TestAccIPPoolsDataSource_afterWrites(t *testing.T) {
	t.Parallel()
	api := startPoolAPI(t)
	config := poolConfig(api, "marketing", "marketing", "192.0.2.6") + `
data "sendgrid_ip_pools" "all" {
  depends_on = [sendgrid_ip_pool.marketing]
}
data "sendgrid_ip" "six" {
  ip         = "192.0.2.6"
  depends_on = [sendgrid_ip_pool.marketing]
}
`
	tfresource.Test(t, tfresource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories(),
		Steps: []tfresource.TestStep{{
			Config: config,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.sendgrid_ip_pools.all", tfjsonpath.New("pools"), knownvalue.ListExact([]knownvalue.Check{
					poolEntry("empty"), poolEntry("marketing", "192.0.2.6"), poolEntry("transactional", "192.0.2.1", "192.0.2.2"),
				})),
				statecheck.ExpectKnownValue("data.sendgrid_ip.six", tfjsonpath.New("pools"),
					knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact("marketing")})),
			},
		}},
	})
}

// poolsRecipe is examples/pools-import/main.tf from its data source on, so the documented recipe is the one tested.
func poolsRecipe(t *testing.T) string {
	t.Helper()
	example, err := os.ReadFile(filepath.Join("..", "..", "examples", "pools-import", "main.tf"))
	if err != nil {
		t.Fatal(err)
	}
	_, recipe, found := strings.Cut(string(example), "\ndata \"sendgrid_ip_pools\"")
	if !found {
		t.Fatal("examples/pools-import/main.tf has no sendgrid_ip_pools data source")
	}
	return "\ndata \"sendgrid_ip_pools\"" + recipe
}

// One apply adopts 100 pools and writes nothing; the next plan is empty. On an account whose IPs
// fit one page (here 400), that is 3 calls: a page of GET /v3/ips, the page that shows its end, and
// GET /v3/ips/pools; each further 500 IPs adds a page.
func TestAccIPPoolsBulkImport(t *testing.T) {
	t.Parallel()
	const n = 100
	api := sendgridmock.StartTest(t, manyPoolsSeed(n, 4))
	config := bulkProvider(api, "v3") + poolsRecipe(t)
	cost := bulkStateCheck{func() error {
		tally := sendgridmock.Tally(api.Requests())
		if got := len(api.Requests()); got > 3 {
			return fmt.Errorf("adopting %d pools cost %d calls, want at most 3: %v", n, got, tally)
		}
		t.Logf("adopting %d pools: %v", n, tally)
		return nil
	}}
	tfresource.Test(t, tfresource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories(),
		Steps: []tfresource.TestStep{
			{
				Config:            config,
				ConfigPlanChecks:  tfresource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{expectImports{n}}},
				ConfigStateChecks: []statecheck.StateCheck{cost},
			},
			{Config: config, ConfigPlanChecks: tfresource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}}},
			{ // letting go of them all deletes nothing
				Config: bulkProvider(api, "v3") + "removed {\n  from = sendgrid_ip_pool.adopted\n  lifecycle {\n    destroy = false\n  }\n}\n",
				ConfigStateChecks: []statecheck.StateCheck{bulkStateCheck{func() error {
					if n := api.Count(calls.V3DeletePool, ""); n != 0 {
						return fmt.Errorf("%d pools deleted", n)
					}
					return nil
				}}},
			},
		},
	})
}
