package provider

import (
	"context"
	"maps"
	"slices"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/querycheck"
	"github.com/hashicorp/terraform-plugin-testing/querycheck/queryfilter"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/calls"
	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/sendgrid"
	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/sendgridmock"
)

// subuserIPsListConfig encodes a list block's config for the protocol, name_prefix
// null unless given.
func subuserIPsListConfig(t *testing.T, prefix ...string) *tfprotov6.DynamicValue {
	t.Helper()
	ctx := context.Background()
	var sch list.ListResourceSchemaResponse
	newSubuserIPsListResource().ListResourceConfigSchema(ctx, list.ListResourceSchemaRequest{}, &sch)
	values := map[string]tftypes.Value{}
	for _, p := range prefix {
		values["name_prefix"] = tftypes.NewValue(tftypes.String, p)
	}
	return dynamicValue(t, sch.Schema.Type().TerraformType(ctx), values)
}

func listSubuserIPs(t *testing.T, srv tfprotov6.ProviderServer, include bool, limit int64, prefix ...string) []listedResult {
	t.Helper()
	return listed(t, srv, &tfprotov6.ListResourceRequest{
		TypeName: "sendgrid_subuser_ips", Config: subuserIPsListConfig(t, prefix...), IncludeResource: include, Limit: limit,
	}, "user", resourceType())
}

// The list resource through the served provider (the wrapper in server.go
// included), on the CLI-less path every Terraform version can run.
func TestListResourceSubuserIPs(t *testing.T) {
	t.Parallel()
	held := testSeed().Subusers
	names := make([]string, len(held))
	for i, s := range held {
		names[i] = s.Name
	}
	cluster := map[string]*string{sendgrid.APIv2: new(sendgridmock.DefaultOutboundCluster), sendgrid.APIv3: nil}
	// Reading the list is all: the resource objects need no further call.
	want := map[string]map[string]int{
		sendgrid.APIv2: {calls.V2ListSubusers: 1, calls.V2SubuserIPs: len(held)},
		sendgrid.APIv3: {calls.V3Subusers: 2, calls.V3IPs: 2},
	}
	for _, version := range bulkAPIs {
		t.Run(version, func(t *testing.T) {
			api := startAPI(t)
			srv := protocolServer(t, api, bulkSettings(api, version))
			all := listSubuserIPs(t, srv, true, 100)
			if got := sendgridmock.Tally(api.Requests()); !maps.Equal(got, want[version]) {
				t.Errorf("calls %v, want %v", got, want[version])
			}
			if len(all) != len(held) {
				t.Fatalf("%d results, want %d", len(all), len(held))
			}
			for i, s := range held {
				r := all[i]
				if r.display != s.Name || r.identity != s.Name {
					t.Errorf("result %d: display %q identity %q, want %q", i, r.display, r.identity, s.Name)
				}
				if got := listedSet(t, r.resource["ips"]); !slices.Equal(got, sendgrid.SortIPs(append([]string{}, s.IPs...))) {
					t.Errorf("%s: ips %v, want %v", s.Name, got, s.IPs)
				}
				for attr, want := range map[string]*string{"id": &s.Name, "user": &s.Name, "on_destroy": new(onDestroyUnassign), "outbound_cluster": cluster[version]} {
					if got := listedString(t, r.resource[attr]); (got == nil) != (want == nil) || (got != nil && *got != *want) {
						t.Errorf("%s: %s = %s, want %s", s.Name, attr, listedOrNull(got), listedOrNull(want))
					}
				}
				if !r.resource["timeouts"].IsNull() {
					t.Errorf("%s: timeouts %v, want null", s.Name, r.resource["timeouts"])
				}
			}

			// A prefix, without resource objects, costs only the list.
			api.ResetRequests()
			if got := listSubuserIPs(t, srv, false, 100, "e"); len(got) != 1 || got[0].identity != "erin" || got[0].resource != nil {
				t.Errorf("name_prefix e: %+v, want erin alone without a resource", got)
			}
			if n := api.Count(calls.V2SendIP, "list"); version == sendgrid.APIv2 && n != len(held) {
				t.Errorf("without include_resource v2 made %d task=list calls, want %d (the list's own)", n, len(held))
			}
			// Terraform's limit ends the stream.
			if got := listSubuserIPs(t, srv, false, 2); len(got) != 2 || got[0].identity != names[0] || got[1].identity != names[1] {
				t.Errorf("limit 2: %+v", got)
			}
		})
	}
}

func TestListResourceSubuserIPs_validate(t *testing.T) {
	t.Parallel()
	api := startAPI(t)
	srv := protocolServer(t, api, nil).(tfprotov6.ListResourceServer)
	valid := map[string]bool{"team-": true, "a ": true, "": false, " a": false, "a\tb": false}
	for prefix, ok := range valid {
		resp, err := srv.ValidateListResourceConfig(context.Background(), &tfprotov6.ValidateListResourceConfigRequest{TypeName: "sendgrid_subuser_ips", Config: subuserIPsListConfig(t, prefix)})
		if err != nil {
			t.Fatal(err)
		}
		if diagnosticsFailed(resp.Diagnostics) == ok {
			t.Errorf("name_prefix %q: diagnostics %v, want ok=%v", prefix, resp.Diagnostics, ok)
		}
	}
	resp, err := srv.ValidateListResourceConfig(context.Background(), &tfprotov6.ValidateListResourceConfigRequest{TypeName: "sendgrid_subuser_ips", Config: subuserIPsListConfig(t)})
	if err != nil || diagnosticsFailed(resp.Diagnostics) {
		t.Errorf("no name_prefix: %v %v", err, resp.Diagnostics)
	}
	if n := len(api.Requests()); n != 0 {
		t.Errorf("validation called SendGrid %d times", n)
	}
}

// Before ConfigureProvider the list resource has no client and says so.
func TestListResourceSubuserIPs_unconfigured(t *testing.T) {
	t.Parallel()
	srv := newServer(&sendgridProvider{version: "test"})().(tfprotov6.ListResourceServer)
	stream, err := srv.ListResource(context.Background(), &tfprotov6.ListResourceRequest{TypeName: "sendgrid_subuser_ips", Config: subuserIPsListConfig(t)})
	if err != nil {
		t.Fatal(err)
	}
	var failed bool
	for r := range stream.Results {
		failed = failed || diagnosticsFailed(r.Diagnostics)
	}
	if !failed {
		t.Error("an unconfigured list resource streamed no error")
	}
}

// terraform query (1.14+; skipped on older CLIs, so in CI today).
func TestAccSubuserIPsList_query(t *testing.T) {
	t.Parallel()
	alice := queryfilter.ByResourceIdentity(map[string]knownvalue.Check{"user": knownvalue.StringExact("alice")})
	for _, version := range bulkAPIs {
		t.Run(version, func(t *testing.T) {
			api := startAPI(t)
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: protoV6Factories(),
				TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_14_0)},
				Steps: []resource.TestStep{
					{Config: `locals { query = true }`}, // the root module the query runs in
					{
						Query: true,
						Config: bulkProvider(api, version) + `
list "sendgrid_subuser_ips" "all" {
  provider         = sendgrid
  include_resource = true
}

list "sendgrid_subuser_ips" "e" {
  provider = sendgrid
  config {
    name_prefix = "e"
  }
}
`,
						QueryResultChecks: []querycheck.QueryResultCheck{
							querycheck.ExpectLength("sendgrid_subuser_ips.all", len(testSeed().Subusers)),
							querycheck.ExpectIdentity("sendgrid_subuser_ips.all", map[string]knownvalue.Check{"user": knownvalue.StringExact("newbie")}),
							querycheck.ExpectResourceDisplayName("sendgrid_subuser_ips.all", alice, knownvalue.StringExact("alice")),
							querycheck.ExpectResourceKnownValues("sendgrid_subuser_ips.all", alice, []querycheck.KnownValueCheck{
								{Path: tfjsonpath.New("ips"), KnownValue: knownvalue.SetExact(ipValues("192.0.2.1", "192.0.2.2"))},
								{Path: tfjsonpath.New("on_destroy"), KnownValue: knownvalue.StringExact(onDestroyUnassign)},
							}),
							querycheck.ExpectLength("sendgrid_subuser_ips.e", 1),
							querycheck.ExpectIdentity("sendgrid_subuser_ips.e", map[string]knownvalue.Check{"user": knownvalue.StringExact("erin")}),
						},
					},
				},
			})
		})
	}
}
