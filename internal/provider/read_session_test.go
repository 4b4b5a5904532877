package provider

import (
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/sendgridmock"
	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/tfharness"
)

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

// TestAccSubuserIPs_404PageIsNotADeletion: a base URL that answers every call with an HTML 404
// fails the refresh (exit 1) and keeps the state; before, the resource left the state.
func TestAccSubuserIPs_404PageIsNotADeletion(t *testing.T) {
	t.Parallel()
	bothAPIs(t, func(t *testing.T, api testAPI) {
		config := providerConfig(api) + `
resource "sendgrid_subuser_ips" "alice" {
  user = "alice"
  ips  = ["192.0.2.1", "192.0.2.2"]
}
`
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: protoV6Factories(),
			Steps: []resource.TestStep{
				{Config: config},
				{
					PreConfig: func() {
						api.InjectFault(sendgridmock.Fault{Kind: sendgridmock.FaultHTML, Status: 404, Count: 1000})
					},
					RefreshState: true,
					ExpectError:  regexp.MustCompile(api.pick(`(?s)unreadable answer.*HTTP 404`, `(?s)not SendGrid's answer.*HTTP 404.*text/html.*base_url`)),
				},
				{
					PreConfig:        api.ClearFaults,
					Config:           config,
					ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				},
			},
		})
	})
}

// TestAccSubuserIPs_moveWithARetriedDelete: the subuser moves to a new resource address without a
// moved block; the old object's unassign is answered 429 and retried after the new object's
// create started. Writes to one subuser are serialised, so the subuser ends with the new set.
func TestAccSubuserIPs_moveWithARetriedDelete(t *testing.T) {
	t.Parallel()
	bothAPIs(t, func(t *testing.T, api testAPI) {
		call, task := api.writeCall()
		moved := providerConfig(api) + `
resource "terraform_data" "later" {
  provisioner "local-exec" {
    command = "sleep 1"
  }
}
` + strings.Replace(tfharness.SubuserIPsResource("new", "newbie", "192.0.2.6", "192.0.2.7", "192.0.2.8"), "\n}", "\n  depends_on = [terraform_data.later]\n}", 1)
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: protoV6Factories(),
			Steps: []resource.TestStep{
				{Config: providerConfig(api) + tfharness.SubuserIPsResource("old", "newbie", "192.0.2.6", "192.0.2.7")},
				{
					PreConfig: func() {
						api.InjectFault(sendgridmock.Fault{Kind: sendgridmock.FaultRateLimited, Call: call, Task: task, RetryAfter: "2"})
					},
					// The create waits a second, so the delete's first write (refused) comes first.
					Config: moved,
					Check:  checkAPIIPs(api, "newbie", "192.0.2.6", "192.0.2.7", "192.0.2.8"),
				},
				{
					Config:           moved,
					ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				},
			},
		})
	})
}
