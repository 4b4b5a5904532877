package provider

import (
	"context"
	"slices"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	tfresource "github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/querycheck"
	"github.com/hashicorp/terraform-plugin-testing/querycheck/queryfilter"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"
)

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
