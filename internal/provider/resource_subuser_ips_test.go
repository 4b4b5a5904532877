package provider

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

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
