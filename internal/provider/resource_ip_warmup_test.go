package provider

import (
	"context"
	"fmt"
	"regexp"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/calls"
	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/sendgrid"
	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/sendgridmock"
	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/tfharness"
)

const warmup6 = "sendgrid_ip_warmup.six"

// warmupSeed is testSeed where .7 has been warming up for three days.
func warmupSeed() sendgridmock.Seed {
	seed := testSeed()
	seed.Warmups = []sendgridmock.SeedWarmup{{IP: "192.0.2.7", Warming: true, StartDate: time.Now().Add(-72 * time.Hour).Unix()}}
	return seed
}

func startWarmupAPI(t *testing.T) testAPI {
	t.Helper()
	return testAPI{sendgridmock.StartTest(t, warmupSeed()), sendgrid.APIv3}
}

func warmupConfig(api testAPI, label, ip string) string {
	return providerConfig(api) + fmt.Sprintf("\nresource \"sendgrid_ip_warmup\" %q {\n  ip = %q\n}\n", label, ip)
}

// setWarmupOutside changes a warmup as SendGrid or a person outside Terraform would.
func setWarmupOutside(t *testing.T, api testAPI, ip string, warming bool, start time.Time) func() {
	return func() {
		if err := api.SetWarmup(ip, warming, start); err != nil {
			t.Fatal(err)
		}
	}
}

func expectStatus(status string) statecheck.StateCheck {
	return statecheck.ExpectKnownValue(warmup6, tfjsonpath.New("status"), knownvalue.StringExact(status))
}

// A warmup stopped by hand is drift and starts again; one SendGrid completed stays, and is never
// started or stopped again (DESIGN.md, "Warmup: complete or stopped").
func TestAccIPWarmup_lifecycle(t *testing.T) {
	t.Parallel()
	api := startWarmupAPI(t)
	config := warmupConfig(api, "six", "192.0.2.6")
	started := func(want int) resource.TestCheckFunc {
		return func(*terraform.State) error {
			if n := api.Count(calls.V3StartWarmup, ""); n != want {
				return fmt.Errorf("%d warmups started, want %d", n, want)
			}
			return nil
		}
	}
	recreate := resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(warmup6, plancheck.ResourceActionCreate)}}
	empty := resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories(),
		CheckDestroy: func(*terraform.State) error {
			if n := api.Count(calls.V3StopWarmup, ""); n != 0 {
				return fmt.Errorf("%d stops sent for a completed warmup, want 0", n)
			}
			return nil
		},
		Steps: []resource.TestStep{
			{
				Config: config,
				ConfigStateChecks: []statecheck.StateCheck{
					expectStatus("warming"),
					statecheck.ExpectKnownValue(warmup6, tfjsonpath.New("start_date"), knownvalue.StringRegexp(regexp.MustCompile(`^\d{4}-\d\d-\d\dT`))),
				},
				Check: started(1),
			},
			{Config: config, ConfigPlanChecks: empty},
			{ // stopped by hand on day 3, start date kept: drift, started again
				PreConfig:        setWarmupOutside(t, api, "192.0.2.6", false, time.Now().Add(-72*time.Hour)),
				Config:           config,
				ConfigPlanChecks: recreate,
				Check:            started(2),
			},
			{ // stopped by hand, start date cleared: drift too
				PreConfig:        setWarmupOutside(t, api, "192.0.2.6", false, time.Time{}),
				Config:           config,
				ConfigPlanChecks: recreate,
				Check:            started(3),
			},
			{ // ran its course: kept, complete, nothing planned
				PreConfig:         setWarmupOutside(t, api, "192.0.2.6", false, time.Now().Add(-sendgrid.WarmupLength-time.Hour)),
				Config:            config,
				ConfigPlanChecks:  empty,
				ConfigStateChecks: []statecheck.StateCheck{expectStatus("complete")},
				Check:             started(3),
			},
		},
	})
}

// Destroying a running warmup stops it, once.
func TestAccIPWarmup_destroyStops(t *testing.T) {
	t.Parallel()
	api := startWarmupAPI(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories(),
		CheckDestroy: func(*terraform.State) error {
			warming, start, err := api.Warmup("192.0.2.6")
			if err != nil || warming || start.IsZero() || api.Count(calls.V3StopWarmup, "") != 1 {
				return fmt.Errorf("after destroy: warming %v, start %v, %w, %d stops; want one stop and the start date kept",
					warming, start, err, api.Count(calls.V3StopWarmup, ""))
			}
			return nil
		},
		Steps: []resource.TestStep{{Config: warmupConfig(api, "six", "192.0.2.6")}},
	})
}

func TestAccIPWarmup_badInput(t *testing.T) {
	t.Parallel()
	api := startWarmupAPI(t)
	v2 := testAPI{api.Server, sendgrid.APIv2}
	steps := []resource.TestStep{
		{Config: warmupConfig(api, "x", "192.0.2.07"), PlanOnly: true, ExpectError: regexp.MustCompile(`Invalid\s+IPv4\s+Address`)},
		{Config: warmupConfig(v2, "x", "192.0.2.6"), PlanOnly: true, ExpectError: regexp.MustCompile(`(?s)SendGrid\s+v3\s+API\s+Required.*sendgrid_ip_warmup`)},
		{Config: warmupConfig(api, "x", "198.51.100.7"), ExpectError: regexp.MustCompile(`(?s)IP\s+Address\s+Not\s+on\s+the\s+SendGrid\s+Account.*198\.51\.100\.7`)},
		{Config: warmupConfig(api, "x", "192.0.2.7"), ExpectError: regexp.MustCompile(`(?s)IP\s+Address\s+Already\s+Warming\s+Up.*since\s+\d{4}-.*terraform\s+import\s+ADDRESS\s+192\.0\.2\.7`)},
	}
	for _, step := range steps {
		resource.Test(t, resource.TestCase{ProtoV6ProviderFactories: protoV6Factories(), Steps: []resource.TestStep{step}})
	}
	if n := api.Count(calls.V3StartWarmup, ""); n != 0 {
		t.Errorf("%d warmups started, want 0: every mistake is caught before sending", n)
	}
}

func TestAccIPWarmup_import(t *testing.T) {
	t.Parallel()
	api := startWarmupAPI(t)
	const seven = "sendgrid_ip_warmup.seven"
	config := warmupConfig(api, "seven", "192.0.2.7")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories(),
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_5_0)},
		Steps: []resource.TestStep{
			{
				Config: config + "import {\n  to = sendgrid_ip_warmup.seven\n  id = \"192.0.2.7\"\n}\n",
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(seven, plancheck.ResourceActionNoop),
					plancheck.ExpectKnownValue(seven, tfjsonpath.New("status"), knownvalue.StringExact("warming")),
				}},
			},
			{Config: config, ResourceName: seven, ImportState: true, ImportStateId: "192.0.2.7", ImportStateVerify: true},
			{ // an IP that is not warming up has nothing to import
				Config: config, ResourceName: seven, ImportState: true, ImportStateId: "192.0.2.8",
				ExpectError: regexp.MustCompile(`Cannot\s+import\s+non-existent\s+remote\s+object`),
			},
		},
	})
	if n := api.Count(calls.V3StartWarmup, ""); n != 0 {
		t.Errorf("%d warmups started by an import, want 0", n)
	}
}

// Import by identity through the protocol, and the cost of refreshing W warmups: the scan of
// GET /v3/ips, whatever W.
func TestIPWarmupIdentityAndRefreshCost(t *testing.T) {
	t.Parallel()
	for _, n := range []int{1, 30, 700} {
		seed := testSeed()
		seed.IPs = tfharness.TestNetIPs(n)
		seed.Subusers = nil
		for _, ip := range seed.IPs {
			seed.Warmups = append(seed.Warmups, sendgridmock.SeedWarmup{IP: ip, Warming: true, StartDate: time.Now().Add(-time.Hour).Unix()})
		}
		api := sendgridmock.StartTest(t, seed)
		srv := protocolServer(t, api, v3Settings(api))
		typ := tftypes.Object{AttributeTypes: map[string]tftypes.Type{"ip": tftypes.String}}
		for _, ip := range seed.IPs {
			dv, err := tfprotov6.NewDynamicValue(typ, tftypes.NewValue(typ, map[string]tftypes.Value{"ip": tftypes.NewValue(tftypes.String, ip)}))
			if err != nil {
				t.Fatal(err)
			}
			imp, err := srv.ImportResourceState(context.Background(), &tfprotov6.ImportResourceStateRequest{TypeName: "sendgrid_ip_warmup",
				Identity: &tfprotov6.ResourceIdentityData{IdentityData: &dv}})
			if err != nil || diagnosticsFailed(imp.Diagnostics) || len(imp.ImportedResources) != 1 {
				t.Fatalf("import %s: %v %v", ip, err, imp)
			}
			read, err := srv.ReadResource(context.Background(), &tfprotov6.ReadResourceRequest{TypeName: "sendgrid_ip_warmup",
				CurrentState: imp.ImportedResources[0].State, CurrentIdentity: imp.ImportedResources[0].Identity})
			if err != nil || diagnosticsFailed(read.Diagnostics) || read.NewState == nil {
				t.Fatalf("read %s: %v %v", ip, err, read)
			}
			if got := stateAttrs(t, read.NewState, stateType(newIPWarmupResource()))["status"]; got != "warming" {
				t.Fatalf("%s imported with status %q", ip, got)
			}
		}
		tally := sendgridmock.Tally(api.Requests())
		bound := (n+499)/500 + 1
		t.Logf("import and refresh of %d warmups: %d calls %v, bound %d", n, len(api.Requests()), tally, bound)
		if got := len(api.Requests()); got > bound || tally[calls.V3IP] != 0 {
			t.Errorf("refresh of %d warmups cost %d calls (%v), bound %d", n, got, tally, bound)
		}
	}
}
