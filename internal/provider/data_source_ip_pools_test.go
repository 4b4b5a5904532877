package provider

import (
	"context"
	"fmt"
	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/calls"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	tfresource "github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/querycheck"
	"github.com/hashicorp/terraform-plugin-testing/querycheck/queryfilter"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/sendgridmock"
	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/tfharness"
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

func TestAccIPDataSource_notOnAccount(t *testing.T) {
	t.Parallel()
	api := startPoolAPI(t)
	tfresource.Test(t, tfresource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories(),
		Steps: []tfresource.TestStep{{
			Config:      providerConfig(api) + `data "sendgrid_ip" "x" { ip = "198.51.100.7" }`,
			ExpectError: regexp.MustCompile(`(?s)IP\s+Address\s+Not\s+on\s+the\s+SendGrid\s+Account.*sendgrid_ips`),
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

// manyPoolsSeed is an account of n pools of per IPs each, on n*per IPs.
func manyPoolsSeed(n, per int) sendgridmock.Seed {
	seed := sendgridmock.Seed{APIUser: testAPIUser, APIKey: testAPIKey, IPs: tfharness.TestNetIPs(n * per)}
	for i := range n {
		seed.Pools = append(seed.Pools, sendgridmock.SeedPool{Name: fmt.Sprintf("pool-%03d", i), IPs: seed.IPs[i*per : i*per+per]})
	}
	return seed
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

// poolResourceType is the Terraform type of sendgrid_ip_pool's state.
func poolResourceType() tftypes.Type {
	ctx := context.Background()
	var sch resource.SchemaResponse
	newIPPoolResource().Schema(ctx, resource.SchemaRequest{}, &sch)
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

func dynamicNull(t testing.TB, typ tftypes.Type) *tfprotov6.DynamicValue {
	t.Helper()
	dv, err := tfprotov6.NewDynamicValue(typ, tftypes.NewValue(typ, nil))
	if err != nil {
		t.Fatal(err)
	}
	return &dv
}

func TestListResourceIPPool(t *testing.T) {
	t.Parallel()
	api := startPoolAPI(t)
	srv := protocolServer(t, api.Server, v3Settings(api.Server))
	ctx := context.Background()
	var sch list.ListResourceSchemaResponse
	newIPPoolListResource().ListResourceConfigSchema(ctx, list.ListResourceSchemaRequest{}, &sch)
	config := func(prefix ...string) *tfprotov6.DynamicValue {
		values := map[string]tftypes.Value{}
		for _, p := range prefix {
			values["name_prefix"] = tftypes.NewValue(tftypes.String, p)
		}
		return dynamicValue(t, sch.Schema.Type().TerraformType(ctx), values)
	}
	got := listed(t, srv, &tfprotov6.ListResourceRequest{TypeName: "sendgrid_ip_pool", Config: config(), IncludeResource: true}, "name", poolResourceType())
	var names []string
	for _, r := range got {
		names = append(names, r.identity)
		if r.display != r.identity {
			t.Errorf("display %q, identity %q", r.display, r.identity)
		}
	}
	if !slices.Equal(names, []string{"empty", "transactional"}) {
		t.Fatalf("listed %v", names)
	}
	if ips := listedSet(t, got[1].resource["ips"]); !slices.Equal(ips, []string{"192.0.2.1", "192.0.2.2"}) {
		t.Errorf("transactional lists %v", ips)
	}
	if ips := listedSet(t, got[0].resource["ips"]); len(ips) != 0 {
		t.Errorf("empty lists %v", ips)
	}
	if got := listed(t, srv, &tfprotov6.ListResourceRequest{TypeName: "sendgrid_ip_pool", Config: config("tr"), Limit: 5}, "name", poolResourceType()); len(got) != 1 || got[0].resource != nil {
		t.Errorf("prefix tr without resources: %+v", got)
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

// terraform query (1.14+) lists the pools; skipped where the CLI has no query command.
func TestAccIPPoolList_query(t *testing.T) {
	t.Parallel()
	tx := queryfilter.ByResourceIdentity(map[string]knownvalue.Check{"name": knownvalue.StringExact("transactional")})
	api := startPoolAPI(t)
	tfresource.Test(t, tfresource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories(),
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_14_0)},
		Steps: []tfresource.TestStep{
			{Config: `locals { query = true }`}, // the root module the query runs in
			{
				Query: true,
				Config: providerConfig(api) + `
list "sendgrid_ip_pool" "all" {
  provider         = sendgrid
  include_resource = true
}
`,
				QueryResultChecks: []querycheck.QueryResultCheck{
					querycheck.ExpectLength("sendgrid_ip_pool.all", 2),
					querycheck.ExpectIdentity("sendgrid_ip_pool.all", map[string]knownvalue.Check{"name": knownvalue.StringExact("empty")}),
					querycheck.ExpectResourceKnownValues("sendgrid_ip_pool.all", tx, []querycheck.KnownValueCheck{
						{Path: tfjsonpath.New("ips"), KnownValue: knownvalue.SetExact(ipValues("192.0.2.1", "192.0.2.2"))},
					}),
				},
			},
		},
	})
}
