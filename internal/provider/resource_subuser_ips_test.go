package provider

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	fwresource "github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
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
	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/quirks"
	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/sendgrid"
	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/sendgridmock"
	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/tfharness"
)

const (
	newbie = "sendgrid_subuser_ips.newbie"
	alice  = "sendgrid_subuser_ips.alice"
)

func newbieConfig(api testAPI, ips ...string) string {
	return providerConfig(api) + fmt.Sprintf(`
resource "sendgrid_subuser_ips" "newbie" {
  user = "newbie"
  ips  = %s
}
`, hcl(ips...))
}

// expectIPs checks the resource's state; the companion checkAPIIPs checks
// the mock, so each step proves both sides agree.
func expectIPs(addr string, ips ...string) statecheck.StateCheck {
	return statecheck.ExpectKnownValue(addr, tfjsonpath.New("ips"), knownvalue.SetExact(ipValues(ips...)))
}

func TestAccSubuserIPs_lifecycle(t *testing.T) { bothAPIs(t, testLifecycle) }

func testLifecycle(t *testing.T, api testAPI) {
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories(),
		CheckDestroy:             checkAPIIPs(api, "newbie"), // unassign is the default
		Steps: []resource.TestStep{
			{ // create
				Config: newbieConfig(api, "192.0.2.6"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(newbie, plancheck.ResourceActionCreate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					expectIPs(newbie, "192.0.2.6"),
					statecheck.ExpectKnownValue(newbie, tfjsonpath.New("id"), knownvalue.StringExact("newbie")),
					statecheck.ExpectKnownValue(newbie, tfjsonpath.New("outbound_cluster"), outboundCluster(api)),
					statecheck.ExpectKnownValue(newbie, tfjsonpath.New("on_destroy"), knownvalue.StringExact("unassign")),
				},
				Check: checkAPIIPs(api, "newbie", "192.0.2.6"),
			},
			{ // add an IP
				Config: newbieConfig(api, "192.0.2.6", "192.0.2.7"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(newbie, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{expectIPs(newbie, "192.0.2.6", "192.0.2.7")},
				Check:             checkAPIIPs(api, "newbie", "192.0.2.6", "192.0.2.7"),
			},
			{ // remove one
				Config:            newbieConfig(api, "192.0.2.7"),
				ConfigStateChecks: []statecheck.StateCheck{expectIPs(newbie, "192.0.2.7")},
				Check:             checkAPIIPs(api, "newbie", "192.0.2.7"),
			},
			{ // swap all, including an IP shared with alice
				Config:            newbieConfig(api, "192.0.2.1", "192.0.2.10"),
				ConfigStateChecks: []statecheck.StateCheck{expectIPs(newbie, "192.0.2.1", "192.0.2.10")},
				Check: resource.ComposeTestCheckFunc(
					checkAPIIPs(api, "newbie", "192.0.2.1", "192.0.2.10"),
					checkAPIIPs(api, "alice", "192.0.2.1", "192.0.2.2"), // other subusers untouched
				),
			},
			{ // same configuration, written in another order: nothing to do
				Config: newbieConfig(api, "192.0.2.10", "192.0.2.1"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectEmptyPlan(),
				}},
			},
			{ // no dedicated IP at all is a state too
				Config:            newbieConfig(api),
				ConfigStateChecks: []statecheck.StateCheck{expectIPs(newbie)},
				Check:             checkAPIIPs(api, "newbie"),
			},
			{
				Config: newbieConfig(api),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectEmptyPlan(),
				}},
			},
		},
	})
}

func TestAccSubuserIPs_import(t *testing.T) { bothAPIs(t, testImport) }

func testImport(t *testing.T, api testAPI) {
	aliceConfig := providerConfig(api) + `
resource "sendgrid_subuser_ips" "alice" {
  user = "alice"
  ips  = ["192.0.2.1", "192.0.2.2"]
}
`
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories(),
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_5_0)}, // import blocks
		Steps: []resource.TestStep{
			{ // an import block plans the subuser as SendGrid holds it, and no change
				Config: aliceConfig + `import {
  to = sendgrid_subuser_ips.alice
  id = "alice"
}
`,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(alice, plancheck.ResourceActionNoop),
					plancheck.ExpectKnownValue(alice, tfjsonpath.New("ips"), knownvalue.SetExact(ipValues("192.0.2.1", "192.0.2.2"))),
					plancheck.ExpectKnownValue(alice, tfjsonpath.New("id"), knownvalue.StringExact("alice")),
					plancheck.ExpectKnownValue(alice, tfjsonpath.New("on_destroy"), knownvalue.StringExact("unassign")),
					plancheck.ExpectKnownValue(alice, tfjsonpath.New("outbound_cluster"), outboundCluster(api)),
				}},
			},
			{ // manage it, then verify a CLI import reproduces the state
				Config:            aliceConfig,
				ConfigStateChecks: []statecheck.StateCheck{expectIPs(alice, "192.0.2.1", "192.0.2.2")},
				Check:             checkAPIIPs(api, "alice", "192.0.2.1", "192.0.2.2"),
			},
			{
				Config:                  aliceConfig,
				ResourceName:            alice,
				ImportState:             true,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"timeouts"},
			},
			{ // an import block for the same subuser plans no change
				Config:          aliceConfig,
				ResourceName:    alice,
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithID,
				ImportStateId:   "alice",
				ImportPlanChecks: resource.ImportPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(alice, plancheck.ResourceActionNoop),
				}},
			},
		},
	})
}

func TestAccSubuserIPs_importSubuserWithoutIPs(t *testing.T) {
	t.Parallel()
	bothAPIs(t, testImportSubuserWithoutIPs)
}

func testImportSubuserWithoutIPs(t *testing.T, api testAPI) {
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories(),
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_5_0)}, // import blocks
		Steps: []resource.TestStep{
			{ // a subuser with no IPs imports with an empty set: ips = [] plans clean
				Config: newbieConfig(api) + `import {
  to = sendgrid_subuser_ips.newbie
  id = "newbie"
}
`,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(newbie, plancheck.ResourceActionNoop),
					plancheck.ExpectKnownValue(newbie, tfjsonpath.New("ips"), knownvalue.SetSizeExact(0)),
				}},
			},
			{Config: newbieConfig(api, "192.0.2.8"), Check: checkAPIIPs(api, "newbie", "192.0.2.8")},
			{ // its IPs are removed outside Terraform; an import block then plans the update to the configured set
				PreConfig: func() {
					if err := api.SetSubuserIPs("newbie", nil); err != nil {
						t.Fatal(err)
					}
				},
				Config:          newbieConfig(api, "192.0.2.8"),
				ResourceName:    newbie,
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithID,
				ImportStateId:   "newbie",
				ImportPlanChecks: resource.ImportPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(newbie, plancheck.ResourceActionUpdate),
				}},
				ExpectNonEmptyPlan: true,
			},
		},
	})
}

func TestAccSubuserIPs_drift(t *testing.T) { bothAPIs(t, testDrift) }

func testDrift(t *testing.T, api testAPI) {
	config := newbieConfig(api, "192.0.2.6", "192.0.2.7")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories(),
		Steps: []resource.TestStep{
			{Config: config, Check: checkAPIIPs(api, "newbie", "192.0.2.6", "192.0.2.7")},
			{ // someone changes the assignment behind Terraform's back
				PreConfig: func() {
					if err := api.SetSubuserIPs("newbie", []string{"192.0.2.7", "192.0.2.9"}); err != nil {
						t.Fatal(err)
					}
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(newbie, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(newbie, tfjsonpath.New("ips"), knownvalue.SetExact(ipValues("192.0.2.6", "192.0.2.7"))),
				}},
				ConfigStateChecks: []statecheck.StateCheck{expectIPs(newbie, "192.0.2.6", "192.0.2.7")},
				Check:             checkAPIIPs(api, "newbie", "192.0.2.6", "192.0.2.7"),
			},
			{ // duplicates in SendGrid's answer are not drift
				PreConfig: func() { api.SetDuplicateIPs(true) },
				Config:    config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectEmptyPlan(),
				}},
			},
			{ // the subuser is deleted: a refresh drops it from state, without error
				PreConfig: func() {
					api.SetDuplicateIPs(false)
					if err := api.DeleteSubuser("newbie"); err != nil {
						t.Fatal(err)
					}
				},
				RefreshState:       true,
				ExpectNonEmptyPlan: true,
				RefreshPlanChecks: resource.RefreshPlanChecks{PostRefresh: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(newbie, plancheck.ResourceActionCreate),
				}},
			},
			{ // the subuser comes back: the resource is planned for creation
				PreConfig: func() {
					if err := api.AddSubuser("newbie", true, nil); err != nil {
						t.Fatal(err)
					}
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(newbie, plancheck.ResourceActionCreate),
				}},
				Check: checkAPIIPs(api, "newbie", "192.0.2.6", "192.0.2.7"),
			},
		},
	})
}

func TestAccSubuserIPs_onDestroy(t *testing.T) {
	t.Parallel()
	allIPs := testSeed().IPs
	for _, tc := range []struct {
		mode string
		want []string // what the mock holds for newbie after destroy
	}{
		{"unassign", nil},
		{"retain", []string{"192.0.2.6", "192.0.2.7"}},
		{"assign_all", allIPs},
	} {
		t.Run(tc.mode, func(t *testing.T) {
			bothAPIs(t, func(t *testing.T, api testAPI) {
				resource.Test(t, resource.TestCase{
					ProtoV6ProviderFactories: protoV6Factories(),
					CheckDestroy:             checkAPIIPs(api, "newbie", tc.want...),
					Steps: []resource.TestStep{{
						Config: providerConfig(api) + fmt.Sprintf(`
resource "sendgrid_subuser_ips" "newbie" {
  user       = "newbie"
  ips        = ["192.0.2.6", "192.0.2.7"]
  on_destroy = %q
}
`, tc.mode),
						Check: checkAPIIPs(api, "newbie", "192.0.2.6", "192.0.2.7"),
					}},
				})
			})
		})
	}
}

func TestAccSubuserIPs_changingUserReplaces(t *testing.T) {
	t.Parallel()
	bothAPIs(t, testChangingUserReplaces)
}

func testChangingUserReplaces(t *testing.T, api testAPI) {
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories(),
		Steps: []resource.TestStep{
			{Config: newbieConfig(api, "192.0.2.6")},
			{
				Config: providerConfig(api) + `
resource "sendgrid_subuser_ips" "newbie" {
  user = "dave"
  ips  = ["192.0.2.6"]
}
`,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(newbie, plancheck.ResourceActionDestroyBeforeCreate),
				}},
				Check: resource.ComposeTestCheckFunc(checkAPIIPs(api, "dave", "192.0.2.6"), checkAPIIPs(api, "newbie")),
			},
		},
	})
}

func TestAccSubuserIPs_badInputAtPlanTime(t *testing.T) {
	t.Parallel()
	api := testAPI{startAPI(t), sendgrid.APIv2}
	resourceWith := func(body string) string {
		return providerConfig(api) + "resource \"sendgrid_subuser_ips\" \"x\" {\n" + body + "\n}\n"
	}
	cases := []struct {
		name   string
		config string
		want   string
	}{
		{"short address", resourceWith(`user = "newbie"` + "\n" + `ips = ["1.2.3"]`), `(?s)ips.*"1\.2\.3" is not an IP address`},
		{"leading zero", resourceWith(`user = "newbie"` + "\n" + `ips = ["203.0.113.010"]`), `(?s)ips.*"203\.0\.113\.010" is not in canonical\s+form\s+\(expected\s+"203\.0\.113\.10"\)`},
		{"ipv6", resourceWith(`user = "newbie"` + "\n" + `ips = ["::1"]`), `(?s)ips.*"::1" is not an IPv4 address`},
		{"spaces", resourceWith(`user = "newbie"` + "\n" + `ips = [" 192.0.2.6"]`), `(?s)ips.*" 192\.0\.2\.6" is not`},
		{"empty user", resourceWith(`user = ""` + "\n" + `ips = ["192.0.2.6"]`), `(?s)user: the name is empty`},
		{"user with spaces", resourceWith(`user = " alice"` + "\n" + `ips = ["192.0.2.6"]`), `(?s)user: " alice" has leading or trailing spaces`},
		{"user with escape", resourceWith(`user = "al\u001b[2Jice"` + "\n" + `ips = ["192.0.2.6"]`), `(?s)user:.*contains a control character`},
		{"user with NUL", resourceWith(`user = "al\u0000ice"` + "\n" + `ips = ["192.0.2.6"]`), `(?s)user:.*contains a control character`},
		{"long user", resourceWith(`user = "` + strings.Repeat("a", 129) + `"` + "\n" + `ips = ["192.0.2.6"]`), `(?s)user: the name is 129 characters long`},
		{"data source empty user", providerConfig(api) + `data "sendgrid_subuser_ips" "x" { user = "" }`, `(?s)user: the name is empty`},
		{"zero create timeout", resourceWith(`user = "newbie"` + "\n" + `ips = ["192.0.2.6"]` + "\n" + `timeouts { create = "0s" }`), `(?s)timeouts\.create: "0s" is not valid.*greater than zero`},
		{"negative delete timeout", resourceWith(`user = "newbie"` + "\n" + `ips = ["192.0.2.6"]` + "\n" + `timeouts { delete = "-1s" }`), `(?s)timeouts\.delete: "-1s" is not valid`},
		{"bad on_destroy", resourceWith(`user = "newbie"` + "\n" + `ips = ["192.0.2.6"]` + "\n" + `on_destroy = "keep"`), `(?s)Attribute on_destroy value must be one of:.*"unassign".*"retain".*"assign_all"`},
		{"user dot-dot", resourceWith(`user = ".."` + "\n" + `ips = ["192.0.2.6"]`), `(?s)user:.*path segment`},
		{"data source user with a slash", providerConfig(api) + `data "sendgrid_subuser_ips" "x" { user = "a/b" }`, `(?s)user:.*slash`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: protoV6Factories(),
				Steps: []resource.TestStep{{
					Config:      tc.config,
					PlanOnly:    true,
					ExpectError: regexp.MustCompile(tc.want),
				}},
			})
		})
	}
	if n := len(api.Requests()); n != 0 {
		t.Fatalf("plan-time validation must not call SendGrid; %d requests served", n)
	}
}

func TestAccSubuserIPs_apiErrorsAtApply(t *testing.T) { bothAPIs(t, testApiErrorsAtApply) }

func testApiErrorsAtApply(t *testing.T, api testAPI) {
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories(),
		Steps: []resource.TestStep{
			{ // an IP the reseller does not own: SendGrid's message, the call, the IP and the user
				Config:      newbieConfig(api, "192.0.2.6", "198.51.100.7"),
				ExpectError: regexp.MustCompile(`(?s)SendGrid Refused the IP Assignment.*` + api.pick(`customer\.sendip task=append set=specify`, `PUT /v3/subusers/\{name\}/ips`) + `.*"newbie".*198\.51\.100\.7`),
				Check:       checkAPIIPs(api, "newbie"),
			},
			{ // a subuser that does not exist
				Config: providerConfig(api) + `
resource "sendgrid_subuser_ips" "ghost" {
  user = "ghost"
  ips  = ["192.0.2.6"]
}
`,
				ExpectError: regexp.MustCompile(`(?s)SendGrid Subuser Not Found.*"ghost".*` + api.pick("User does not exist", "subuser not found")),
			},
			{ // bad credentials
				Config:      strings.Replace(newbieConfig(api, "192.0.2.6"), testAPIKey, "SG.wrong-key", 1),
				ExpectError: regexp.MustCompile(`(?s)bad\s+credentials.*` + api.pick(`Invalid\s+username\s+and/or\s+password`, `authorization\s+required`) + `.*Check\s+api_key`),
			},
		},
	})
	if got, _ := api.SubuserIPs("newbie"); len(got) != 0 {
		t.Fatalf("failed applies changed the mock: newbie holds %v", got)
	}
}

func TestAccSubuserIPs_fiftyInParallel(t *testing.T) {
	t.Parallel()
	for _, v := range []string{sendgrid.APIv2, sendgrid.APIv3} {
		t.Run(v, func(t *testing.T) { testFiftyInParallel(t, v) })
	}
}

func testFiftyInParallel(t *testing.T, version string) {
	const n = 50
	seed := testSeed()
	var config strings.Builder
	want := map[string]string{}
	for i := range n {
		name := fmt.Sprintf("bulk%02d", i)
		ip := seed.IPs[i%len(seed.IPs)]
		seed.Subusers = append(seed.Subusers, sendgridmock.SeedSubuser{Name: name})
		want[name] = ip
		fmt.Fprintf(&config, "resource \"sendgrid_subuser_ips\" %q {\n  user = %q\n  ips  = [%q]\n}\n", name, name, ip)
	}
	api := testAPI{sendgridmock.StartTest(t, seed), version}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories(),
		Steps: []resource.TestStep{{
			Config: providerConfig(api) + config.String(),
			Check: func(*terraform.State) error {
				for name, ip := range want {
					got, _ := api.SubuserIPs(name)
					if !slices.Equal(got, []string{ip}) {
						return fmt.Errorf("%s holds %v, want [%s]", name, got, ip)
					}
				}
				return nil
			},
		}},
	})
}

// TestAccSubuserIPs_timeouts: a create that SendGrid stalls ends at the
// timeouts block's limit with an error that says so, and records nothing.
func TestAccSubuserIPs_timeouts(t *testing.T) { bothAPIs(t, testTimeouts) }

func testTimeouts(t *testing.T, api testAPI) {
	call, task := api.writeCall()
	api.InjectFault(sendgridmock.Fault{Kind: sendgridmock.FaultDelay, Call: call, Task: task, Count: 10, Delay: time.Minute})
	start := time.Now()
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories(),
		Steps: []resource.TestStep{{
			Config: providerConfig(api) + `
resource "sendgrid_subuser_ips" "newbie" {
  user = "newbie"
  ips  = ["192.0.2.6"]
  timeouts {
    create = "2s"
  }
}
`,
			ExpectError: regexp.MustCompile(`(?s)Unable to Assign SendGrid IPs.*context deadline exceeded.*did\s+not\s+finish\s+in\s+time`),
		}},
	})
	if elapsed := time.Since(start); elapsed > 20*time.Second {
		t.Fatalf("a 2s create timeout took %s", elapsed)
	}
	if got, _ := api.SubuserIPs("newbie"); len(got) != 0 {
		t.Fatalf("a timed-out create changed SendGrid: %v", got)
	}
}

// A create_before_destroy replacement creates the new object before the old
// one's on_destroy runs on the same subuser: the subuser must keep the new
// set, not end up with none.
func TestAccSubuserIPs_createBeforeDestroyReplacement(t *testing.T) {
	t.Parallel()
	bothAPIs(t, testCreateBeforeDestroyReplacement)
}

func testCreateBeforeDestroyReplacement(t *testing.T, api testAPI) {
	config := providerConfig(api) + `
resource "sendgrid_subuser_ips" "newbie" {
  user = "newbie"
  ips  = ["192.0.2.6", "192.0.2.7"]
  lifecycle {
    create_before_destroy = true
  }
}
`
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories(),
		Steps: []resource.TestStep{
			{Config: config, Check: checkAPIIPs(api, "newbie", "192.0.2.6", "192.0.2.7")},
			{
				Config: config,
				Taint:  []string{newbie},
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(newbie, plancheck.ResourceActionCreateBeforeDestroy),
				}},
				Check: checkAPIIPs(api, "newbie", "192.0.2.6", "192.0.2.7"),
			},
			{
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectEmptyPlan(),
				}},
			},
		},
	})
}

// Resource identity { user = NAME } is recorded on create and imports the
// subuser with an identity import block (Terraform and OpenTofu 1.12+).
func TestAccSubuserIPs_identity(t *testing.T) { bothAPIs(t, testIdentity) }

func testIdentity(t *testing.T, api testAPI) {
	config := newbieConfig(api, "192.0.2.6")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories(),
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_12_0)},
		Steps: []resource.TestStep{
			{
				Config: config,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectIdentity(newbie, map[string]knownvalue.Check{"user": knownvalue.StringExact("newbie")}),
					statecheck.ExpectIdentityValueMatchesState(newbie, tfjsonpath.New("user")),
				},
			},
			{
				Config:          config,
				ResourceName:    newbie,
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithResourceIdentity,
				ImportPlanChecks: resource.ImportPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(newbie, plancheck.ResourceActionNoop),
				}},
			},
		},
	})
}

// TestAccSubuserIPs_writeAnswerShorterThanSent: a v3 PUT whose answer lists fewer IPs than were
// sent fails the create with the missing IP named; the requested set is never recorded as held.
func TestAccSubuserIPs_writeAnswerShorterThanSent(t *testing.T) {
	t.Parallel()
	api := testAPI{startAPI(t), sendgrid.APIv3}
	api.SetPutAnswerDrops(1)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories(),
		Steps: []resource.TestStep{{
			Config:      providerConfig(api) + tfharness.SubuserIPsResource("newbie", "newbie", "192.0.2.6", "192.0.2.7"),
			ExpectError: regexp.MustCompile(`(?s)SendGrid Holds Different IPs Than Assigned.*Missing \(asked for, not held\): 192\.0\.2\.7`),
		}},
	})
}

// TestAccSubuserIPs_setOrderIsNumeric: .9 and .10 sort differently as text and as numbers; the
// confirming read compares them as a set, so the plan after the create is empty.
func TestAccSubuserIPs_setOrderIsNumeric(t *testing.T) {
	t.Parallel()
	bothAPIs(t, func(t *testing.T, api testAPI) {
		config := providerConfig(api) + tfharness.SubuserIPsResource("newbie", "newbie", "192.0.2.10", "192.0.2.9")
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: protoV6Factories(),
			Steps: []resource.TestStep{
				{Config: config, Check: checkAPIIPs(api, "newbie", "192.0.2.9", "192.0.2.10")},
				{Config: config, ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}}},
			},
		})
	})
}

// TestAccSubuserIPs_failedCreateSaysWhatIsHeld: a create SendGrid refuses (an IP not on the
// account) says what the subuser holds now, as after a replacement's on_destroy emptied it.
func TestAccSubuserIPs_failedCreateSaysWhatIsHeld(t *testing.T) {
	t.Parallel()
	bothAPIs(t, func(t *testing.T, api testAPI) {
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: protoV6Factories(),
			Steps: []resource.TestStep{{
				Config:      providerConfig(api) + tfharness.SubuserIPsResource("bob", "bob", "192.0.2.3", "198.51.100.7"),
				ExpectError: regexp.MustCompile(`(?s)What SendGrid Holds Now.*Subuser "bob" now holds\s+192\.0\.2\.2, 192\.0\.2\.3`),
			}},
		})
	})
}

// resourceType is the Terraform type of sendgrid_subuser_ips' state.
func resourceType() tftypes.Type {
	ctx := context.Background()
	var sch fwresource.SchemaResponse
	newSubuserIPsResource().Schema(ctx, fwresource.SchemaRequest{}, &sch)
	return sch.Schema.Type().TerraformType(ctx)
}

// subuserIPsState is a sendgrid_subuser_ips state holding ips for user.
func subuserIPsState(t testing.TB, user string, ips []string) tftypes.Value {
	t.Helper()
	typ := resourceType().(tftypes.Object)
	elems := make([]tftypes.Value, len(ips))
	for i, ip := range ips {
		elems[i] = tftypes.NewValue(tftypes.String, ip)
	}
	values := map[string]tftypes.Value{
		"id":         tftypes.NewValue(tftypes.String, user),
		"user":       tftypes.NewValue(tftypes.String, user),
		"ips":        tftypes.NewValue(tftypes.Set{ElementType: tftypes.String}, elems),
		"on_destroy": tftypes.NewValue(tftypes.String, onDestroyUnassign),
	}
	for name, at := range typ.AttributeTypes {
		if _, ok := values[name]; !ok {
			values[name] = tftypes.NewValue(at, nil)
		}
	}
	return tftypes.NewValue(typ, values)
}

// readSubuserIPs refreshes a sendgrid_subuser_ips state holding ips for
// user through the protocol, as terraform plan does, and returns how long
// the provider took.
func readSubuserIPs(t testing.TB, srv tfprotov6.ProviderServer, user string, ips []string) time.Duration {
	t.Helper()
	state, err := tfprotov6.NewDynamicValue(resourceType(), subuserIPsState(t, user, ips))
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	resp, err := srv.ReadResource(context.Background(), &tfprotov6.ReadResourceRequest{TypeName: "sendgrid_subuser_ips", CurrentState: &state})
	took := time.Since(start)
	if err != nil || diagnosticsFailed(resp.Diagnostics) {
		t.Fatalf("ReadResource: %v %v", err, resp.Diagnostics)
	}
	return took
}

// largeSetAPI is a mock whose subuser "big" holds n IPs.
func largeSetAPI(t testing.TB, n int) (*sendgridmock.Server, []string) {
	t.Helper()
	seed := testSeed()
	var ips []string
	for i := range n {
		ips = append(ips, fmt.Sprintf("10.%d.%d.%d", i>>16&255, i>>8&255, i&255))
	}
	seed.IPs = append(seed.IPs, ips...)
	seed.Subusers = append(seed.Subusers, sendgridmock.SeedSubuser{Name: "big", IPs: ips})
	return sendgridmock.StartTest(t, seed), ips
}

// A refresh of thousands of IPs costs what the framework's own state comparison does, not the minute
// its set type took (DESIGN.md, "Large sets").
func TestReadLargeSet(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("timing test")
	}
	const n = 3000
	api, ips := largeSetAPI(t, n)
	srv := protocolServer(t, api, nil)
	a, b := subuserIPsState(t, "big", ips), subuserIPsState(t, "big", ips)
	floor, read := time.Duration(1<<62), time.Duration(1<<62)
	for range 3 {
		start := time.Now()
		if !a.Equal(b) {
			t.Fatal("equal states compare unequal")
		}
		floor = min(floor, time.Since(start))
		read = min(read, readSubuserIPs(t, srv, "big", ips))
	}
	t.Logf("refresh of %d IPs: %s; the framework's state comparison alone: %s (%.1fx)", n, read, floor, float64(read)/float64(floor))
	if read > 3*floor {
		t.Errorf("refresh of %d IPs took %s, more than 3x the framework's own %s", n, read, floor)
	}
}

// Import by identity through the protocol, so the code runs whatever CLI
// make test has (identity import blocks need 1.12).
func TestImportByIdentity(t *testing.T) {
	t.Parallel()
	api := startAPI(t)
	srv := protocolServer(t, api, nil)
	ctx := context.Background()
	schemas, err := srv.GetResourceIdentitySchemas(ctx, &tfprotov6.GetResourceIdentitySchemasRequest{})
	if err != nil {
		t.Fatal(err)
	}
	sch := schemas.IdentitySchemas["sendgrid_subuser_ips"]
	if sch == nil || len(sch.IdentityAttributes) != 1 || sch.IdentityAttributes[0].Name != "user" || !sch.IdentityAttributes[0].RequiredForImport {
		t.Fatalf("identity schema: %+v", sch)
	}
	typ := tftypes.Object{AttributeTypes: map[string]tftypes.Type{"user": tftypes.String}}
	identity := func(user string) *tfprotov6.ResourceIdentityData {
		dv, err := tfprotov6.NewDynamicValue(typ, tftypes.NewValue(typ, map[string]tftypes.Value{"user": tftypes.NewValue(tftypes.String, user)}))
		if err != nil {
			t.Fatal(err)
		}
		return &tfprotov6.ResourceIdentityData{IdentityData: &dv}
	}
	resp, err := srv.ImportResourceState(ctx, &tfprotov6.ImportResourceStateRequest{TypeName: "sendgrid_subuser_ips", Identity: identity("alice")})
	if err != nil || diagnosticsFailed(resp.Diagnostics) || len(resp.ImportedResources) != 1 {
		t.Fatalf("import: %v %v", err, resp)
	}
	got, err := resp.ImportedResources[0].State.Unmarshal(resourceType())
	if err != nil {
		t.Fatal(err)
	}
	var attrs map[string]tftypes.Value
	var user string
	if err := got.As(&attrs); err != nil || attrs["user"].As(&user) != nil || user != "alice" {
		t.Errorf("imported state %v, want user alice", got)
	}
	// The identity of a bad name is refused like a bad import ID.
	resp, err = srv.ImportResourceState(ctx, &tfprotov6.ImportResourceStateRequest{TypeName: "sendgrid_subuser_ips", Identity: identity(" alice")})
	if err != nil || !diagnosticsFailed(resp.Diagnostics) {
		t.Errorf("import of %q: %v %v, want an error", " alice", err, resp.Diagnostics)
	}
}

// A refresh of N subusers on v3 costs at most min(2N, pages + 2) calls in
// one provider process, whatever the parallelism; one resource costs what a
// direct read does.
func TestRefreshAtScaleV3(t *testing.T) {
	t.Parallel()
	pages := func(n int) int { return (n + sendgrid.DefaultPageSize - 1) / sendgrid.DefaultPageSize }
	for _, tc := range []struct {
		n, empty int // subusers read, and how many of them hold no IP
	}{{1, 0}, {1, 1}, {2, 0}, {2, 2}, {600, 0}, {600, 5}, {600, 600}} {
		t.Run(fmt.Sprintf("n=%d,empty=%d", tc.n, tc.empty), func(t *testing.T) {
			seed := testSeed()
			seed.Subusers = nil
			names := make([]string, tc.n)
			held := map[string][]string{}
			for i := range tc.n {
				names[i] = fmt.Sprintf("sub%04d", i)
				ip := fmt.Sprintf("10.0.%d.%d", i/256, i%256)
				seed.IPs = append(seed.IPs, ip)
				if i >= tc.empty {
					held[names[i]] = []string{ip}
				}
				seed.Subusers = append(seed.Subusers, sendgridmock.SeedSubuser{Name: names[i], IPs: held[names[i]]})
			}
			api := sendgridmock.StartTest(t, seed)
			srv := protocolServer(t, api, v3Settings(api))
			var wg sync.WaitGroup
			sem := make(chan struct{}, 10) // terraform's default parallelism
			for _, name := range names {
				wg.Add(1)
				sem <- struct{}{}
				go func() {
					defer func() { <-sem; wg.Done() }()
					got := readState(t, srv, name)
					if want := held[name]; !slices.Equal(got, want) && len(got)+len(want) > 0 {
						t.Errorf("%s: read %v, want %v", name, got, want)
					}
				}()
			}
			wg.Wait()
			calls := len(api.Requests())
			t.Logf("%d reads: %d calls %v", tc.n, calls, sendgridmock.Tally(api.Requests()))
			// Plus one call per list read, for the page that shows where it ends (DESIGN.md, "Paging").
			bound := min(2*tc.n, pages(len(seed.IPs))+pages(tc.n)+2) + len(sendgridmock.Tally(api.Requests()))
			if calls > bound {
				t.Errorf("%d reads cost %d calls, want at most %d", tc.n, calls, bound)
			}
		})
	}
}

// readState refreshes user's sendgrid_subuser_ips through the protocol and
// returns the IPs of the new state.
func readState(t *testing.T, srv tfprotov6.ProviderServer, user string) []string {
	typ := resourceType()
	state, err := tfprotov6.NewDynamicValue(typ, subuserIPsState(t, user, []string{"192.0.2.1"}))
	if err != nil {
		t.Error(err)
		return nil
	}
	resp, err := srv.ReadResource(context.Background(), &tfprotov6.ReadResourceRequest{TypeName: "sendgrid_subuser_ips", CurrentState: &state})
	if err != nil || diagnosticsFailed(resp.Diagnostics) {
		t.Errorf("ReadResource %s: %v %v", user, err, resp.Diagnostics)
		return nil
	}
	v, err := resp.NewState.Unmarshal(typ)
	if err != nil {
		t.Error(err)
		return nil
	}
	var attrs map[string]tftypes.Value
	var elems []tftypes.Value
	if err := v.As(&attrs); err != nil || attrs["ips"].As(&elems) != nil {
		t.Errorf("state of %s: %v", user, v)
		return nil
	}
	out := make([]string, len(elems))
	for i, e := range elems {
		_ = e.As(&out[i])
	}
	return out
}

// TestCreateRecordsIdentity: a create records { user } as its identity, checked at the protocol
// level, so `make test` catches a wrong identity that only CLIs from 1.12 on would see.
func TestCreateRecordsIdentity(t *testing.T) {
	t.Parallel()
	bothAPIs(t, func(t *testing.T, api testAPI) {
		settings := v3Settings(api.Server)
		if api.version == sendgrid.APIv2 {
			settings = nil
		}
		srv := protocolServer(t, api.Server, settings)
		planned, err := tfprotov6.NewDynamicValue(resourceType(), subuserIPsState(t, "newbie", []string{"192.0.2.6"}))
		if err != nil {
			t.Fatal(err)
		}
		idType := tftypes.Object{AttributeTypes: map[string]tftypes.Type{"user": tftypes.String}}
		plannedID, err := tfprotov6.NewDynamicValue(idType, tftypes.NewValue(idType, map[string]tftypes.Value{"user": tftypes.NewValue(tftypes.String, tftypes.UnknownValue)}))
		if err != nil {
			t.Fatal(err)
		}
		prior, err := tfprotov6.NewDynamicValue(resourceType(), tftypes.NewValue(resourceType(), nil))
		if err != nil {
			t.Fatal(err)
		}
		resp, err := srv.ApplyResourceChange(context.Background(), &tfprotov6.ApplyResourceChangeRequest{
			TypeName: "sendgrid_subuser_ips", PriorState: &prior, PlannedState: &planned, Config: &planned,
			PlannedIdentity: &tfprotov6.ResourceIdentityData{IdentityData: &plannedID},
		})
		if err != nil || diagnosticsFailed(resp.Diagnostics) {
			t.Fatalf("create: %v %v", err, resp.Diagnostics)
		}
		if resp.NewIdentity == nil {
			t.Fatal("a create must record an identity")
		}
		got, err := resp.NewIdentity.IdentityData.Unmarshal(idType)
		var attrs map[string]tftypes.Value
		var user string
		if err != nil || got.As(&attrs) != nil || attrs["user"].As(&user) != nil || user != "newbie" {
			t.Fatalf("identity %v (%v), want user newbie", got, err)
		}
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

// planCreate runs the resource's ModifyPlan for creating user with ips
// against the mock, as Terraform's plan would.
func planCreate(t *testing.T, r *subuserIPsResource, user string, ips ...string) diag.Diagnostics {
	t.Helper()
	ctx := context.Background()
	var sch fwresource.SchemaResponse
	r.Schema(ctx, fwresource.SchemaRequest{}, &sch)
	typ := sch.Schema.Type().TerraformType(ctx)
	plan := tfsdk.Plan{Schema: sch.Schema, Raw: tftypes.NewValue(typ, nil)}
	set, diags := quirks.NewStringSet(ips)
	if diags.HasError() {
		t.Fatal(diags)
	}
	model := subuserIPsModel{
		ID: types.StringUnknown(), User: types.StringValue(user), IPs: set,
		OutboundCluster: types.StringUnknown(), OnDestroy: types.StringValue(onDestroyUnassign),
		Timeouts: timeouts.Value{Object: types.ObjectNull(map[string]attr.Type{
			"create": types.StringType, "read": types.StringType, "update": types.StringType, "delete": types.StringType,
		})},
	}
	if diags := plan.Set(ctx, &model); diags.HasError() {
		t.Fatal(diags)
	}
	req := fwresource.ModifyPlanRequest{Plan: plan, State: tfsdk.State{Schema: sch.Schema, Raw: tftypes.NewValue(typ, nil)}}
	resp := fwresource.ModifyPlanResponse{Plan: plan}
	r.ModifyPlan(ctx, req, &resp)
	return resp.Diagnostics
}

func TestModifyPlanWarnsBeforeRemovingHeldIPs(t *testing.T) {
	t.Parallel()
	api := startAPI(t)
	client, err := sendgrid.New(sendgrid.Config{APIVersion: sendgrid.APIv2, BaseURL: api.URL(), APIUser: testAPIUser, APIKey: testAPIKey})
	if err != nil {
		t.Fatal(err)
	}
	r := &subuserIPsResource{data: &providerData{client: client}}

	// alice holds .1 and .2: a create with .2 and .6 removes .1.
	diags := planCreate(t, r, "alice", "192.0.2.2", "192.0.2.6")
	if diags.HasError() || diags.WarningsCount() != 1 {
		t.Fatalf("want one warning, got %v", diags)
	}
	w := diags.Warnings()[0]
	if !strings.Contains(w.Detail(), "holds 192.0.2.1, 192.0.2.2 today") || !strings.Contains(w.Detail(), "removed: 192.0.2.1.") {
		t.Errorf("warning does not name what is held and what goes: %s", w.Detail())
	}

	// Nothing removed (dave holds nothing; alice keeps both): no warning.
	for user, ips := range map[string][]string{"dave": {"192.0.2.6"}, "alice": {"192.0.2.1", "192.0.2.2", "192.0.2.9"}} {
		if diags := planCreate(t, r, user, ips...); len(diags) != 0 {
			t.Errorf("%s: want no diagnostics, got %v", user, diags)
		}
	}

	// An unknown subuser is named at plan time, as a warning: the plan of a
	// subuser deleted outside Terraform must still show it (exit code 2).
	diags = planCreate(t, r, "nobody", "192.0.2.6")
	if diags.HasError() || diags.WarningsCount() != 1 || !strings.Contains(diags.Warnings()[0].Detail(), `no subuser named "nobody"`) {
		t.Errorf("want a not-found warning, got %v", diags)
	}

	// One read per planned create, nothing else.
	if n := api.Count(calls.V2SendIP, "list"); n != 4 || len(api.Requests()) != 4 {
		t.Errorf("ModifyPlan made %d requests (%d reads), want 4 reads", len(api.Requests()), n)
	}
}

func TestSetDifference(t *testing.T) {
	t.Parallel()
	missing, extra := setDifference([]string{"10.0.0.10", "10.0.0.9", "10.0.0.1"}, []string{"10.0.0.1", "10.0.0.2"})
	if strings.Join(missing, ",") != "10.0.0.9,10.0.0.10" || strings.Join(extra, ",") != "10.0.0.2" {
		t.Fatalf("missing %v extra %v", missing, extra)
	}
}
