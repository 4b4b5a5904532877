package provider

import (
	"context"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	fwresource "github.com/hashicorp/terraform-plugin-framework/resource"
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

const marketing = "sendgrid_ip_pool.marketing"

// poolSeed is testSeed with two pools: "transactional" holds .1 and .2, "empty" holds nothing;
// .12 has no reverse DNS.
func poolSeed() sendgridmock.Seed {
	seed := testSeed()
	seed.Pools = []sendgridmock.SeedPool{{Name: "transactional", IPs: []string{"192.0.2.1", "192.0.2.2"}}, {Name: "empty"}}
	seed.IPsWithoutRDNS = []string{"192.0.2.12"}
	return seed
}

func startPoolAPI(t *testing.T) testAPI {
	t.Helper()
	return testAPI{sendgridmock.StartTest(t, poolSeed()), sendgrid.APIv3}
}

func poolConfig(api testAPI, label, name string, ips ...string) string {
	return providerConfig(api) + poolResource(label, name, ips...)
}

func poolResource(label, name string, ips ...string) string {
	return fmt.Sprintf(`
resource "sendgrid_ip_pool" %q {
  name = %q
  ips  = %s
}
`, label, name, hcl(ips...))
}

// checkAPIPool asserts what the mock holds for a pool.
func checkAPIPool(api testAPI, name string, want ...string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		got, ok := api.PoolIPs(name)
		if !ok {
			return fmt.Errorf("mock SendGrid has no pool %q", name)
		}
		if want = sendgrid.SortIPs(want); !slices.Equal(got, want) {
			return fmt.Errorf("mock SendGrid holds %v in pool %q, want %v", got, name, want)
		}
		return nil
	}
}

func checkNoAPIPool(api testAPI, name string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		if _, ok := api.PoolIPs(name); ok {
			return fmt.Errorf("mock SendGrid still has pool %q", name)
		}
		return nil
	}
}

// changePoolOutside changes a pool as someone outside Terraform would: ips nil deletes it.
func changePoolOutside(t *testing.T, api testAPI, name string, ips []string) {
	t.Helper()
	err := api.SetPoolIPs(name, ips)
	if ips == nil {
		err = api.DeletePool(name)
	}
	if err != nil {
		t.Fatal(err)
	}
}

func TestAccIPPool_lifecycle(t *testing.T) {
	t.Parallel()
	api := startPoolAPI(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories(),
		CheckDestroy:             checkNoAPIPool(api, "marketing"),
		Steps: []resource.TestStep{
			{
				Config: poolConfig(api, "marketing", "marketing", "192.0.2.6", "192.0.2.7"),
				ConfigStateChecks: []statecheck.StateCheck{
					expectIPs(marketing, "192.0.2.6", "192.0.2.7"),
					statecheck.ExpectKnownValue(marketing, tfjsonpath.New("id"), knownvalue.StringExact("marketing")),
				},
				Check: checkAPIPool(api, "marketing", "192.0.2.6", "192.0.2.7"),
			},
			{ // one added, one removed, one shared with another pool
				Config:            poolConfig(api, "marketing", "marketing", "192.0.2.7", "192.0.2.8", "192.0.2.1"),
				ConfigStateChecks: []statecheck.StateCheck{expectIPs(marketing, "192.0.2.1", "192.0.2.7", "192.0.2.8")},
				Check: resource.ComposeTestCheckFunc(
					checkAPIPool(api, "marketing", "192.0.2.1", "192.0.2.7", "192.0.2.8"),
					checkAPIPool(api, "transactional", "192.0.2.1", "192.0.2.2"),
				),
			},
			{ // the same set in another order: nothing to do
				Config:           poolConfig(api, "marketing", "marketing", "192.0.2.8", "192.0.2.1", "192.0.2.7"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
			{ // an empty pool is a state too
				Config:            poolConfig(api, "marketing", "marketing"),
				ConfigStateChecks: []statecheck.StateCheck{expectIPs(marketing)},
				Check:             checkAPIPool(api, "marketing"),
			},
			{ // a new name is a new pool: the old one is deleted
				Config: poolConfig(api, "marketing", "marketing-eu", "192.0.2.9"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(marketing, plancheck.ResourceActionDestroyBeforeCreate),
				}},
				Check: resource.ComposeTestCheckFunc(checkAPIPool(api, "marketing-eu", "192.0.2.9"), checkNoAPIPool(api, "marketing")),
			},
		},
	})
}

// An addition that SendGrid shows only after a while is waited for, not reported as drift.
func TestAccIPPool_settling(t *testing.T) {
	t.Parallel()
	api := startPoolAPI(t)
	api.SetPoolSettle(2 * time.Second)
	config := poolConfig(api, "marketing", "marketing", "192.0.2.6", "192.0.2.7")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories(),
		Steps: []resource.TestStep{
			{Config: config, ConfigStateChecks: []statecheck.StateCheck{expectIPs(marketing, "192.0.2.6", "192.0.2.7")}},
			{Config: config, ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}}},
			{ // too short a timeout: the error says so, and state keeps what SendGrid showed
				Config: providerConfig(api) + `
resource "sendgrid_ip_pool" "marketing" {
  name = "marketing"
  ips  = ["192.0.2.6", "192.0.2.7", "192.0.2.8"]
  timeouts {
    update = "1s"
  }
}
`,
				ExpectError: regexp.MustCompile(`(?s)Change\s+Not\s+Shown\s+in\s+Time.*192\.0\.2\.6,\s+192\.0\.2\.7`),
			},
		},
	})
}

func TestAccIPPool_drift(t *testing.T) {
	t.Parallel()
	api := startPoolAPI(t)
	config := poolConfig(api, "marketing", "marketing", "192.0.2.6")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories(),
		Steps: []resource.TestStep{
			{Config: config},
			{ // an IP added outside Terraform is drift, and the apply removes it
				PreConfig: func() { changePoolOutside(t, api, "marketing", []string{"192.0.2.6", "192.0.2.9"}) },
				Config:    config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(marketing, plancheck.ResourceActionUpdate),
				}},
				Check: checkAPIPool(api, "marketing", "192.0.2.6"),
			},
			{ // a pool deleted outside Terraform leaves state and is created again
				PreConfig: func() { changePoolOutside(t, api, "marketing", nil) },
				Config:    config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(marketing, plancheck.ResourceActionCreate),
				}},
				Check: checkAPIPool(api, "marketing", "192.0.2.6"),
			},
		},
	})
}

func TestAccIPPool_import(t *testing.T) {
	t.Parallel()
	api := startPoolAPI(t)
	const transactional = "sendgrid_ip_pool.transactional"
	config := poolConfig(api, "transactional", "transactional", "192.0.2.1", "192.0.2.2")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories(),
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_5_0)},
		Steps: []resource.TestStep{
			{ // an import block plans the pool as SendGrid holds it, and no change
				Config: config + `import {
  to = sendgrid_ip_pool.transactional
  id = "transactional"
}
`,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(transactional, plancheck.ResourceActionNoop),
					plancheck.ExpectKnownValue(transactional, tfjsonpath.New("ips"), knownvalue.SetExact(ipValues("192.0.2.1", "192.0.2.2"))),
				}},
			},
			{Config: config, ResourceName: transactional, ImportState: true, ImportStateVerify: true, ImportStateVerifyIgnore: []string{"timeouts"}},
			{ // an empty pool imports with ips = []
				Config: config + poolResource("empty", "empty") + `import {
  to = sendgrid_ip_pool.empty
  id = "empty"
}
`,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("sendgrid_ip_pool.empty", plancheck.ResourceActionNoop),
				}},
			},
			{ // an import block for a pool already managed plans no change
				Config:          config + poolResource("empty", "empty"),
				ResourceName:    transactional,
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithID,
				ImportStateId:   "transactional",
				ImportPlanChecks: resource.ImportPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(transactional, plancheck.ResourceActionNoop),
				}},
			},
			{ // a name with no pool: the error says so and names the near match
				Config:        config + poolResource("other", "Transactional"),
				ResourceName:  "sendgrid_ip_pool.other",
				ImportState:   true,
				ImportStateId: "Transactional",
				ExpectError:   regexp.MustCompile(`(?s)Cannot\s+import\s+non-existent\s+remote\s+object`),
			},
		},
	})
}

func TestAccIPPool_identity(t *testing.T) {
	t.Parallel()
	api := startPoolAPI(t)
	config := poolConfig(api, "marketing", "marketing", "192.0.2.6")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories(),
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_12_0)},
		Steps: []resource.TestStep{
			{
				Config: config,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectIdentity(marketing, map[string]knownvalue.Check{"name": knownvalue.StringExact("marketing")}),
					statecheck.ExpectIdentityValueMatchesState(marketing, tfjsonpath.New("name")),
				},
			},
			{
				Config:          config,
				ResourceName:    marketing,
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithResourceIdentity,
				ImportPlanChecks: resource.ImportPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(marketing, plancheck.ResourceActionNoop),
				}},
			},
		},
	})
}

// Every mistake a user can make gets an error that names it and says what to do.
func TestAccIPPool_badInput(t *testing.T) {
	t.Parallel()
	api := startPoolAPI(t)
	v2 := testAPI{api.Server, sendgrid.APIv2}
	long := strings.Repeat("p", sendgrid.MaxPoolNameLength+1)
	steps := []resource.TestStep{
		{Config: poolConfig(api, "x", long), PlanOnly: true, ExpectError: regexp.MustCompile(`(?s)Invalid\s+IP\s+Pool\s+Name.*65\s+characters\s+long,\s+more\s+than\s+SendGrid's\s+64`)},
		{Config: poolConfig(api, "x", ".."), PlanOnly: true, ExpectError: regexp.MustCompile(`(?s)Invalid\s+IP\s+Pool\s+Name.*path\s+segment`)},
		{Config: poolConfig(api, "x", "ok", "192.0.2.010"), PlanOnly: true, ExpectError: regexp.MustCompile(`not\s+in\s+canonical\s+form\s+\(expected\s+"192\.0\.2\.10"\)`)},
		{Config: poolConfig(v2, "x", "ok"), PlanOnly: true, ExpectError: regexp.MustCompile(`(?s)SendGrid\s+v3\s+API\s+Required.*api_version\s+=\s+"v3"`)},
		{Config: providerConfig(v2) + `data "sendgrid_ip_pools" "all" {}`, PlanOnly: true, ExpectError: regexp.MustCompile(`SendGrid\s+v3\s+API\s+Required`)},
		{Config: providerConfig(v2) + `data "sendgrid_ip" "one" { ip = "192.0.2.1" }`, PlanOnly: true, ExpectError: regexp.MustCompile(`(?s)SendGrid\s+v3\s+API\s+Required.*data\.sendgrid_ip\s`)},
		{Config: poolConfig(api, "x", "transactional"), ExpectError: regexp.MustCompile(`(?s)Unable\s+to\s+Create\s+SendGrid\s+IP\s+Pool.*adopt\s+it\s+instead:\s+an\s+import\s+block\s+with\s+id\s+=\s+"transactional"`)},
		{Config: poolConfig(api, "x", "new", "198.51.100.7"), ExpectError: regexp.MustCompile(`(?s)Unable\s+to\s+Change\s+SendGrid\s+IP\s+Pool.*198\.51\.100\.7.*on\s+the\s+reseller\s+account`)},
		{Config: poolConfig(api, "x", "new2", "192.0.2.12"), ExpectError: regexp.MustCompile(`(?s)Unable\s+to\s+Change\s+SendGrid\s+IP\s+Pool.*reverse\s+DNS`)},
	}
	for _, step := range steps {
		resource.Test(t, resource.TestCase{ProtoV6ProviderFactories: protoV6Factories(), Steps: []resource.TestStep{step}})
	}
	if n := api.Count(calls.V3AddPoolIP, ""); n != 2 {
		t.Errorf("%d pool additions sent, want 2 (only the two SendGrid refused)", n)
	}
}

// The 101st pool is refused with SendGrid's reason and the account's limit.
func TestAccIPPool_limit(t *testing.T) {
	t.Parallel()
	seed := poolSeed()
	for i := len(seed.Pools); i < 100; i++ {
		seed.Pools = append(seed.Pools, sendgridmock.SeedPool{Name: fmt.Sprintf("pool-%03d", i)})
	}
	api := testAPI{sendgridmock.StartTest(t, seed), sendgrid.APIv3}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories(),
		Steps: []resource.TestStep{{
			Config:      poolConfig(api, "x", "one-too-many"),
			ExpectError: regexp.MustCompile(`(?s)Unable\s+to\s+Create\s+SendGrid\s+IP\s+Pool.*at\s+most\s+100\s+pools`),
		}},
	})
}

// A 429 in the middle of the writes is retried; a write SendGrid refuses, or one that keeps failing,
// leaves state holding what SendGrid holds, so the next plan shows exactly what is left to do.
func TestAccIPPool_faults(t *testing.T) {
	t.Parallel()
	api := startPoolAPI(t)
	ips := []string{"192.0.2.6", "192.0.2.7", "192.0.2.8"}
	withNinth := append(slices.Clone(ips), "192.0.2.9")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories(),
		Steps: []resource.TestStep{
			{
				PreConfig: func() {
					api.InjectFault(sendgridmock.Fault{Call: calls.V3AddPoolIP, Kind: sendgridmock.FaultRateLimited, RetryAfter: "1"})
				},
				Config: poolConfig(api, "marketing", "marketing", ips...),
				Check:  checkAPIPool(api, "marketing", ips...),
			},
			{ // .9 is added, then the IP not on the account is refused
				Config:      poolConfig(api, "marketing", "marketing", append(slices.Clone(withNinth), "198.51.100.7")...),
				ExpectError: regexp.MustCompile(`Unable\s+to\s+Change\s+SendGrid\s+IP\s+Pool`),
			},
			{ // state holds what SendGrid holds: the set with .9 plans clean
				Config:           poolConfig(api, "marketing", "marketing", withNinth...),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				Check:            checkAPIPool(api, "marketing", withNinth...),
			},
			{
				PreConfig: func() {
					api.InjectFault(sendgridmock.Fault{Call: calls.V3AddPoolIP, Kind: sendgridmock.FaultServerError, Count: 100})
				},
				Config:      poolConfig(api, "marketing", "marketing", append(slices.Clone(withNinth), "192.0.2.10")...),
				ExpectError: regexp.MustCompile(`(?s)Unable\s+to\s+Change\s+SendGrid\s+IP\s+Pool.*server\s+error`),
			},
			{ // nothing was added: SendGrid and state still hold the set with .9
				PreConfig:        api.ClearFaults,
				Config:           poolConfig(api, "marketing", "marketing", withNinth...),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				Check:            checkAPIPool(api, "marketing", withNinth...),
			},
		},
	})
}

// manyPoolsSeed is an account of n pools of per IPs each, on n*per IPs.
func manyPoolsSeed(n, per int) sendgridmock.Seed {
	seed := sendgridmock.Seed{APIUser: testAPIUser, APIKey: testAPIKey, IPs: tfharness.TestNetIPs(n * per)}
	for i := range n {
		seed.Pools = append(seed.Pools, sendgridmock.SeedPool{Name: fmt.Sprintf("pool-%03d", i), IPs: seed.IPs[i*per : i*per+per]})
	}
	return seed
}

// poolResourceType is the Terraform type of sendgrid_ip_pool's state.
func poolResourceType() tftypes.Type {
	ctx := context.Background()
	var sch fwresource.SchemaResponse
	newIPPoolResource().Schema(ctx, fwresource.SchemaRequest{}, &sch)
	return sch.Schema.Type().TerraformType(ctx)
}

func poolState(t testing.TB, name string, ips []string) *tfprotov6.DynamicValue {
	t.Helper()
	typ := poolResourceType().(tftypes.Object)
	elems := make([]tftypes.Value, len(ips))
	for i, ip := range ips {
		elems[i] = tftypes.NewValue(tftypes.String, ip)
	}
	return dynamicValue(t, typ, map[string]tftypes.Value{
		"id": tftypes.NewValue(tftypes.String, name), "name": tftypes.NewValue(tftypes.String, name),
		"ips": tftypes.NewValue(tftypes.Set{ElementType: tftypes.String}, elems),
	})
}

// Refreshing P pools costs pages(GET /v3/ips) + 1 + at most 2, however large P.
func TestPoolRefreshCost(t *testing.T) {
	t.Parallel()
	for _, n := range []int{1, 10, 100} {
		seed := manyPoolsSeed(n, 10)
		api := sendgridmock.StartTest(t, seed)
		srv := protocolServer(t, api, bulkSettings(api, "v3"))
		for _, p := range seed.Pools {
			resp, err := srv.ReadResource(context.Background(), &tfprotov6.ReadResourceRequest{TypeName: "sendgrid_ip_pool", CurrentState: poolState(t, p.Name, p.IPs)})
			if err != nil || diagnosticsFailed(resp.Diagnostics) {
				t.Fatalf("ReadResource %s: %v %v", p.Name, err, resp.Diagnostics)
			}
		}
		tally := sendgridmock.Tally(api.Requests())
		ipPages := api.Count(calls.V3IPs, "")
		bound := ipPages + 1 + 2
		t.Logf("refresh of %d pools (%d IPs): %d calls %v, bound %d", n, n*10, len(api.Requests()), tally, bound)
		if got := len(api.Requests()); got > bound || ipPages > (n*10)/500+2 {
			t.Errorf("refresh of %d pools cost %d calls (%v), bound %d", n, got, tally, bound)
		}
	}
}

// A create with k IPs costs 1 + k writes + 1 read; an update one write per changed IP + 1 read.
func TestPoolWriteCost(t *testing.T) {
	t.Parallel()
	api := startPoolAPI(t)
	srv := protocolServer(t, api.Server, v3Settings(api.Server))
	apply := func(prior, planned *tfprotov6.DynamicValue) {
		t.Helper()
		resp, err := srv.ApplyResourceChange(context.Background(), &tfprotov6.ApplyResourceChangeRequest{
			TypeName: "sendgrid_ip_pool", PriorState: prior, PlannedState: planned, Config: planned,
		})
		if err != nil || diagnosticsFailed(resp.Diagnostics) {
			t.Fatalf("ApplyResourceChange: %v %v", err, resp.Diagnostics)
		}
	}
	null := dynamicNull(t, poolResourceType())
	three := []string{"192.0.2.6", "192.0.2.7", "192.0.2.8"}
	apply(null, poolState(t, "marketing", three))
	if got, want := sendgridmock.Tally(api.Requests()), map[string]int{
		calls.V3CreatePool: 1, calls.V3AddPoolIP: 3, calls.V3Pool: 1,
	}; !maps.Equal(got, want) {
		t.Errorf("create with 3 IPs: %v, want %v", got, want)
	}
	api.ResetRequests()
	apply(poolState(t, "marketing", three), poolState(t, "marketing", []string{"192.0.2.7", "192.0.2.8", "192.0.2.9"}))
	if got, want := sendgridmock.Tally(api.Requests()), map[string]int{
		calls.V3AddPoolIP: 1, calls.V3RemovePoolIP: 1, calls.V3Pool: 1,
	}; !maps.Equal(got, want) {
		t.Errorf("update of 2 IPs: %v, want %v", got, want)
	}
}

// Import by identity through the protocol, whatever CLI make test has.
func TestPoolImportByIdentity(t *testing.T) {
	t.Parallel()
	api := startPoolAPI(t)
	srv := protocolServer(t, api.Server, v3Settings(api.Server))
	typ := tftypes.Object{AttributeTypes: map[string]tftypes.Type{"name": tftypes.String}}
	identity := func(name string) *tfprotov6.ResourceIdentityData {
		dv, err := tfprotov6.NewDynamicValue(typ, tftypes.NewValue(typ, map[string]tftypes.Value{"name": tftypes.NewValue(tftypes.String, name)}))
		if err != nil {
			t.Fatal(err)
		}
		return &tfprotov6.ResourceIdentityData{IdentityData: &dv}
	}
	ctx := context.Background()
	resp, err := srv.ImportResourceState(ctx, &tfprotov6.ImportResourceStateRequest{TypeName: "sendgrid_ip_pool", Identity: identity("transactional")})
	if err != nil || diagnosticsFailed(resp.Diagnostics) || len(resp.ImportedResources) != 1 {
		t.Fatalf("import: %v %v", err, resp)
	}
	read, err := srv.ReadResource(ctx, &tfprotov6.ReadResourceRequest{TypeName: "sendgrid_ip_pool", CurrentState: resp.ImportedResources[0].State,
		CurrentIdentity: resp.ImportedResources[0].Identity})
	if err != nil || diagnosticsFailed(read.Diagnostics) {
		t.Fatalf("read: %v %v", err, read.Diagnostics)
	}
	got, err := read.NewState.Unmarshal(poolResourceType())
	if err != nil {
		t.Fatal(err)
	}
	var attrs map[string]tftypes.Value
	if err := got.As(&attrs); err != nil {
		t.Fatal(err)
	}
	if ips := listedSet(t, attrs["ips"]); !slices.Equal(ips, []string{"192.0.2.1", "192.0.2.2"}) {
		t.Errorf("imported ips %v", ips)
	}
	resp, err = srv.ImportResourceState(ctx, &tfprotov6.ImportResourceStateRequest{TypeName: "sendgrid_ip_pool", Identity: identity("a/b")})
	if err != nil || !diagnosticsFailed(resp.Diagnostics) {
		t.Errorf("import of a/b: %v %v, want an error", err, resp.Diagnostics)
	}
}
