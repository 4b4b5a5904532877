package provider

import (
	"context"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/calls"
	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/sendgrid"
	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/sendgridmock"
)

func subusersEntry(name string, active bool, ips ...string) knownvalue.Check {
	return knownvalue.ObjectExact(map[string]knownvalue.Check{
		"name":   knownvalue.StringExact(name),
		"active": knownvalue.Bool(active),
		"ips":    knownvalue.SetExact(ipValues(ips...)),
	})
}

func TestAccSubusersDataSource(t *testing.T) {
	t.Parallel()
	for _, version := range bulkAPIs {
		t.Run(version, func(t *testing.T) {
			api := startAPI(t)
			alice, bob := subusersEntry("alice", true, "192.0.2.1", "192.0.2.2"), subusersEntry("bob", true, "192.0.2.2", "192.0.2.3")
			carol, dave := subusersEntry("carol", false, "192.0.2.4"), subusersEntry("dave", true)
			erin, frank := subusersEntry("erin", false, "192.0.2.5"), subusersEntry("frank", true, "192.0.2.5")
			newbie := subusersEntry("newbie", true)
			list := func(name string, want ...knownvalue.Check) statecheck.StateCheck {
				return statecheck.ExpectKnownValue("data.sendgrid_subusers."+name, tfjsonpath.New("subusers"), knownvalue.ListExact(want))
			}
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: protoV6Factories(),
				Steps: []resource.TestStep{{
					Config: bulkProvider(api, version) + `
data "sendgrid_subusers" "all" {}
data "sendgrid_subusers" "active" { active_only = true }
data "sendgrid_subusers" "every" { active_only = false }
data "sendgrid_subusers" "e" { name_prefix = "e" }
data "sendgrid_subusers" "active_e" {
  name_prefix = "e"
  active_only = true
}
data "sendgrid_subusers" "none" { name_prefix = "zz" }
`,
					ConfigStateChecks: []statecheck.StateCheck{
						list("all", alice, bob, carol, dave, erin, frank, newbie),
						list("every", alice, bob, carol, dave, erin, frank, newbie),
						list("active", alice, bob, dave, frank, newbie),
						list("e", erin),
						list("active_e"),
						list("none"),
						statecheck.ExpectKnownValue("data.sendgrid_subusers.all", tfjsonpath.New("active_only"), knownvalue.Null()),
						statecheck.ExpectKnownValue("data.sendgrid_subusers.e", tfjsonpath.New("name_prefix"), knownvalue.StringExact("e")),
					},
				}},
			})
		})
	}
}

func TestAccSubusersDataSource_invalidPrefix(t *testing.T) {
	t.Parallel()
	api := startAPI(t)
	var steps []resource.TestStep
	for _, prefix := range []string{"", " a", `a\tb`, strings.Repeat("x", sendgrid.MaxSubuserNameLength+1)} {
		steps = append(steps, resource.TestStep{
			Config:      providerConfig(testAPI{api, sendgrid.APIv2}) + fmt.Sprintf(`data "sendgrid_subusers" "x" { name_prefix = "%s" }`, prefix),
			ExpectError: regexp.MustCompile(`Invalid Subuser Name Prefix`),
		})
	}
	resource.Test(t, resource.TestCase{ProtoV6ProviderFactories: protoV6Factories(), Steps: steps})
	if n := len(api.Requests()); n != 0 {
		t.Fatalf("a plan-time error must not call SendGrid; %d requests served", n)
	}
}

func TestAccSubusersDataSource_apiError(t *testing.T) {
	t.Parallel()
	calls := map[string]string{sendgrid.APIv2: calls.V2Profile, sendgrid.APIv3: calls.V3Subusers}
	for _, version := range bulkAPIs {
		t.Run(version, func(t *testing.T) {
			api := startAPI(t)
			api.InjectFault(sendgridmock.Fault{Kind: sendgridmock.FaultServerError, Call: calls[version], Count: 100})
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: protoV6Factories(),
				Steps: []resource.TestStep{{
					Config:      bulkProvider(api, version, "max_retries = 0") + `data "sendgrid_subusers" "all" {}`,
					ExpectError: regexp.MustCompile(`(?s)Unable to List SendGrid Subusers.*` + regexp.QuoteMeta(calls[version]) + `.*server error`),
				}},
			})
		})
	}
}

// bulkSeed is a reseller whose n subusers each hold their own IP and one
// of five shared ones; every seventh is deactivated.
func bulkSeed(n int) sendgridmock.Seed {
	seed := sendgridmock.Seed{APIUser: testAPIUser, APIKey: testAPIKey}
	for i := 1; i <= 5; i++ {
		seed.IPs = append(seed.IPs, fmt.Sprintf("203.0.113.%d", i))
	}
	inactive := false
	for i := range n {
		own := fmt.Sprintf("198.51.%d.%d", 100+i/250, i%250+1)
		seed.IPs = append(seed.IPs, own)
		su := sendgridmock.SeedSubuser{Name: fmt.Sprintf("team-%02d", i), IPs: []string{own, fmt.Sprintf("203.0.113.%d", i%5+1)}}
		if i%7 == 6 {
			su.Active = &inactive
		}
		seed.Subusers = append(seed.Subusers, su)
	}
	return seed
}

// One read of the data source costs, per API, the calls its documentation
// states: v2 one customer.profile call and one list per subuser, v3 one page of each list.
func TestSubusersDataSourceCalls(t *testing.T) {
	t.Parallel()
	const n = 50
	want := map[string]map[string]int{
		sendgrid.APIv2: {calls.V2ListSubusers: 1, calls.V2SubuserIPs: n},
		sendgrid.APIv3: {calls.V3Subusers: 2, calls.V3IPs: 2},
	}
	ctx := context.Background()
	var sch datasource.SchemaResponse
	newSubusersDataSource().Schema(ctx, datasource.SchemaRequest{}, &sch)
	typ := sch.Schema.Type().TerraformType(ctx)
	for _, version := range bulkAPIs {
		t.Run(version, func(t *testing.T) {
			api := sendgridmock.StartTest(t, bulkSeed(n))
			srv := protocolServer(t, api, bulkSettings(api, version))
			resp, err := srv.ReadDataSource(ctx, &tfprotov6.ReadDataSourceRequest{TypeName: "sendgrid_subusers", Config: dynamicValue(t, typ, nil)})
			if err != nil || diagnosticsFailed(resp.Diagnostics) {
				t.Fatalf("ReadDataSource: %v %v", err, resp.Diagnostics)
			}
			got := sendgridmock.Tally(api.Requests())
			t.Logf("%s, %d subusers: %v", version, n, got)
			if !maps.Equal(got, want[version]) {
				t.Errorf("calls %v, want %v", got, want[version])
			}
			state, err := resp.State.Unmarshal(typ)
			if err != nil {
				t.Fatal(err)
			}
			var attrs map[string]tftypes.Value
			var subusers []tftypes.Value
			if err := state.As(&attrs); err != nil || attrs["subusers"].As(&subusers) != nil || len(subusers) != n {
				t.Errorf("state %v, want %d subusers", state, n)
			}
		})
	}
}

// adoptConfig is the bulk-import recipe of the sendgrid_subusers page,
// examples/bulk-import/main.tf from its data source on, so the documented
// configuration is the one tested.
func adoptConfig(t *testing.T) string {
	t.Helper()
	example, err := os.ReadFile(filepath.Join("..", "..", "examples", "bulk-import", "main.tf"))
	if err != nil {
		t.Fatal(err)
	}
	_, recipe, found := strings.Cut(string(example), "\ndata \"sendgrid_subusers\"")
	if !found {
		t.Fatal("examples/bulk-import/main.tf has no sendgrid_subusers data source")
	}
	return "\ndata \"sendgrid_subusers\"" + recipe
}

// frozenConfig is the second half of the recipe: the adopted IPs written
// into the configuration, so that Terraform enforces them again.
func frozenConfig(seed sendgridmock.Seed) string {
	var b strings.Builder
	b.WriteString("locals {\n  adopted = {\n")
	for _, s := range seed.Subusers {
		fmt.Fprintf(&b, "    %q = %s\n", s.Name, hcl(s.IPs...))
	}
	b.WriteString(`  }
}

resource "sendgrid_subuser_ips" "adopted" {
  for_each = local.adopted
  user     = each.key
  ips      = each.value
}

output "adopted_ips" {
  value = { for name, r in sendgrid_subuser_ips.adopted : name => sort(r.ips) }
}
`)
	return b.String()
}

// holdsBulkSeed passes when the mock holds for every subuser the IPs of seed.
func holdsBulkSeed(api *sendgridmock.Server, seed sendgridmock.Seed) bulkAPICheck {
	return func() error {
		for _, s := range seed.Subusers {
			if err := checkAPIIPs(testAPI{Server: api}, s.Name, s.IPs...)(nil); err != nil {
				return err
			}
		}
		return nil
	}
}

// One apply adopts every existing subuser without a write and the next plan
// is empty; frozen into the configuration the IPs are enforced again; a
// removed block lets go of them all without a call.
func TestAccSubusersBulkImport(t *testing.T) {
	t.Parallel()
	const n = 50
	seed := bulkSeed(n)
	writes := map[string]string{sendgrid.APIv2: "customer.sendip task=append", sendgrid.APIv3: calls.V3SetSubuserIPs}
	for _, version := range bulkAPIs {
		t.Run(version, func(t *testing.T) {
			api := sendgridmock.StartTest(t, seed)
			provider, adopt := bulkProvider(api, version), adoptConfig(t)
			noWrites := bulkStateCheck{func() error {
				tally := sendgridmock.Tally(api.Requests())
				t.Logf("%s calls so far: %v", version, tally)
				for name := range tally {
					if strings.HasPrefix(name, writes[version]) {
						return fmt.Errorf("adoption wrote to SendGrid: %v", tally)
					}
				}
				return holdsBulkSeed(api, seed)()
			}}
			// One apply adopts all n: v3 from one scan of each list (a page and the page that shows its end), shared by the imports; v2 one read per subuser for the data source and one per import.
			adoptCalls := bulkStateCheck{func() error {
				got := len(api.Requests())
				if want := map[string]int{sendgrid.APIv2: 1 + 2*n, sendgrid.APIv3: 4}[version]; got != want {
					return fmt.Errorf("adopting %d subusers cost %d calls, want %d: %v", n, got, want, sendgridmock.Tally(api.Requests()))
				}
				return nil
			}}
			team03 := `sendgrid_subuser_ips.adopted["team-03"]`
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: protoV6Factories(),
				Steps: []resource.TestStep{
					{
						Config:           provider + adopt,
						ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{expectImports{n}}},
						ConfigStateChecks: []statecheck.StateCheck{
							statecheck.ExpectKnownValue(`sendgrid_subuser_ips.adopted["team-06"]`, tfjsonpath.New("ips"),
								knownvalue.SetExact(ipValues("198.51.100.7", "203.0.113.2"))),
							statecheck.ExpectKnownValue(`sendgrid_subuser_ips.adopted["team-49"]`, tfjsonpath.New("on_destroy"),
								knownvalue.StringExact(onDestroyUnassign)),
							noWrites,
							adoptCalls,
						},
					},
					{
						Config:            provider + adopt,
						ConfigPlanChecks:  resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
						ConfigStateChecks: []statecheck.StateCheck{noWrites},
					},
					{
						Config:            provider + frozenConfig(seed),
						ConfigPlanChecks:  resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
						ConfigStateChecks: []statecheck.StateCheck{noWrites},
					},
					{
						PreConfig: func() {
							if err := api.SetSubuserIPs("team-03", []string{"198.51.100.4"}); err != nil {
								t.Fatal(err)
							}
						},
						Config: provider + frozenConfig(seed),
						ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
							plancheck.ExpectResourceAction(team03, plancheck.ResourceActionUpdate),
						}},
						ConfigStateChecks: []statecheck.StateCheck{bulkStateCheck{holdsBulkSeed(api, seed)}},
					},
					{
						Config: provider + `
removed {
  from = sendgrid_subuser_ips.adopted
  lifecycle {
    destroy = false
  }
}
`,
						ConfigStateChecks: []statecheck.StateCheck{bulkStateCheck{holdsBulkSeed(api, seed)}},
					},
				},
			})
		})
	}
}

// TestAccSubusers_readAfterWrites: a data source read after two creates in the same apply shows
// what they wrote, so the next plan is empty (on v3 it showed the scan loaded before the writes).
func TestAccSubusers_readAfterWrites(t *testing.T) {
	t.Parallel()
	bothAPIs(t, func(t *testing.T, api testAPI) {
		config := providerConfig(api) + `
resource "sendgrid_subuser_ips" "dave" {
  user = "dave"
  ips  = ["192.0.2.7"]
}
resource "sendgrid_subuser_ips" "newbie" {
  user = "newbie"
  ips  = ["192.0.2.6"]
}
data "sendgrid_subusers" "all" {
  depends_on = [sendgrid_subuser_ips.dave, sendgrid_subuser_ips.newbie]
}
output "newbie" {
  value = data.sendgrid_subusers.all.subusers[6].ips
}
`
		subuser := func(i int) tfjsonpath.Path { return tfjsonpath.New("subusers").AtSliceIndex(i).AtMapKey("ips") }
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: protoV6Factories(),
			Steps: []resource.TestStep{
				{
					Config: config,
					ConfigStateChecks: []statecheck.StateCheck{ // sorted by name: dave is 4th, newbie 7th
						statecheck.ExpectKnownValue("data.sendgrid_subusers.all", subuser(3), knownvalue.SetExact(ipValues("192.0.2.7"))),
						statecheck.ExpectKnownValue("data.sendgrid_subusers.all", subuser(6), knownvalue.SetExact(ipValues("192.0.2.6"))),
						statecheck.ExpectKnownOutputValue("newbie", knownvalue.SetExact(ipValues("192.0.2.6"))),
					},
				},
				{
					Config:           config,
					ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				},
			},
		})
	})
}
