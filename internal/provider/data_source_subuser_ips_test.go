package provider

import (
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

func TestAccSubuserIPsDataSource(t *testing.T) { bothAPIs(t, testSubuserIPsDataSource) }

func testSubuserIPsDataSource(t *testing.T, api testAPI) {
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories(),
		Steps: []resource.TestStep{
			{
				Config: providerConfig(api) + `
data "sendgrid_subuser_ips" "alice" { user = "alice" }
data "sendgrid_subuser_ips" "dave" { user = "dave" }
`,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.sendgrid_subuser_ips.alice", tfjsonpath.New("ips"),
						knownvalue.SetExact(ipValues("192.0.2.1", "192.0.2.2"))),
					statecheck.ExpectKnownValue("data.sendgrid_subuser_ips.alice", tfjsonpath.New("outbound_cluster"), outboundCluster(api)),
					statecheck.ExpectKnownValue("data.sendgrid_subuser_ips.alice", tfjsonpath.New("id"), knownvalue.StringExact("alice")),
					statecheck.ExpectKnownValue("data.sendgrid_subuser_ips.dave", tfjsonpath.New("ips"), knownvalue.SetSizeExact(0)),
				},
			},
			{
				Config:      providerConfig(api) + `data "sendgrid_subuser_ips" "ghost" { user = "ghost" }`,
				ExpectError: regexp.MustCompile(`(?s)SendGrid has no subuser named "ghost"`),
			},
		},
	})
}
