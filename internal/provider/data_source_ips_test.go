package provider

import (
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

func TestAccIPsDataSource_filters(t *testing.T) { bothAPIs(t, testIPsDataSourceFilters) }

func testIPsDataSourceFilters(t *testing.T, api testAPI) {
	all := []string{"192.0.2.1", "192.0.2.2", "192.0.2.3", "192.0.2.4", "192.0.2.5", "192.0.2.6",
		"192.0.2.7", "192.0.2.8", "192.0.2.9", "192.0.2.10", "192.0.2.11", "192.0.2.12"}
	free := all[5:]
	taken := all[:5]
	// .4 is held only by deactivated carol; .5 is shared with active frank.
	available := append([]string{"192.0.2.4"}, free...)

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories(),
		Steps: []resource.TestStep{{
			Config: providerConfig(api) + `
data "sendgrid_ips" "default" {}
data "sendgrid_ips" "all" { list = "all" }
data "sendgrid_ips" "free" { list = "free" }
data "sendgrid_ips" "taken" { list = "taken" }
data "sendgrid_ips" "available" { list = "available" }
`,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.sendgrid_ips.default", tfjsonpath.New("ips"), knownvalue.ListExact(ipValues(all...))),
				statecheck.ExpectKnownValue("data.sendgrid_ips.default", tfjsonpath.New("list"), knownvalue.StringExact("all")),
				statecheck.ExpectKnownValue("data.sendgrid_ips.default", tfjsonpath.New("id"), knownvalue.StringExact("all")),
				statecheck.ExpectKnownValue("data.sendgrid_ips.all", tfjsonpath.New("ips"), knownvalue.ListExact(ipValues(all...))),
				statecheck.ExpectKnownValue("data.sendgrid_ips.free", tfjsonpath.New("ips"), knownvalue.ListExact(ipValues(free...))),
				statecheck.ExpectKnownValue("data.sendgrid_ips.free", tfjsonpath.New("id"), knownvalue.StringExact("free")),
				statecheck.ExpectKnownValue("data.sendgrid_ips.taken", tfjsonpath.New("ips"), knownvalue.ListExact(ipValues(taken...))),
				statecheck.ExpectKnownValue("data.sendgrid_ips.available", tfjsonpath.New("ips"), knownvalue.ListExact(ipValues(available...))),
			},
		}},
	})
}

func TestAccIPsDataSource_duplicatesInAnswer(t *testing.T) { bothAPIs(t, testIPsDuplicates) }

func testIPsDuplicates(t *testing.T, api testAPI) {
	api.SetDuplicateIPs(true)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories(),
		Steps: []resource.TestStep{{
			Config: providerConfig(api) + `data "sendgrid_ips" "taken" { list = "taken" }`,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.sendgrid_ips.taken", tfjsonpath.New("ips"),
					knownvalue.ListExact(ipValues("192.0.2.1", "192.0.2.2", "192.0.2.3", "192.0.2.4", "192.0.2.5"))),
			},
		}},
	})
}

func TestAccIPsDataSource_badFilter(t *testing.T) {
	t.Parallel()
	api := testAPI{startAPI(t), "v3"}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories(),
		Steps: []resource.TestStep{{
			Config:      providerConfig(api) + `data "sendgrid_ips" "x" { list = "unused" }`,
			ExpectError: regexp.MustCompile(`(?s)Attribute list value must be one of:.*"all".*"free".*"taken".*"available"`),
		}},
	})
	if n := len(api.Requests()); n != 0 {
		t.Fatalf("a plan-time error must not call SendGrid; %d requests served", n)
	}
}
