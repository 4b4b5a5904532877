package provider

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	fwprovider "github.com/hashicorp/terraform-plugin-framework/provider"
	fwresource "github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/calls"
	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/sendgrid"
	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/sendgridmock"
	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/tfharness"
)

// Test credentials. The key is made up, and long and distinctive so the
// secret-hygiene tests can look for it anywhere.
const (
	testAPIUser = "reseller@example.com"
	testAPIKey  = "SG.acceptance-test-key-7f3a9c1e5b"
)

// testSeed: .1 alice; .2 alice and bob; .3 bob; .4 deactivated carol; .5 deactivated erin and frank;
// .6-.12 free; dave and newbie hold nothing.
func testSeed() sendgridmock.Seed {
	inactive := false
	return sendgridmock.Seed{
		APIUser: testAPIUser,
		APIKey:  testAPIKey,
		IPs:     tfharness.TestNetIPs(12),
		Subusers: []sendgridmock.SeedSubuser{
			{Name: "alice", IPs: []string{"192.0.2.1", "192.0.2.2"}},
			{Name: "bob", IPs: []string{"192.0.2.2", "192.0.2.3"}},
			{Name: "carol", Active: &inactive, IPs: []string{"192.0.2.4"}},
			{Name: "dave"},
			{Name: "erin", Active: &inactive, IPs: []string{"192.0.2.5"}},
			{Name: "frank", IPs: []string{"192.0.2.5"}},
			{Name: "newbie"},
		},
	}
}

// testAPI is a mock SendGrid and the API version a test speaks to it.
type testAPI struct {
	*sendgridmock.Server
	version string
}

// bothAPIs runs test once per SendGrid API, each against its own mock
// seeded with testSeed.
func bothAPIs(t *testing.T, test func(t *testing.T, api testAPI)) {
	t.Helper()
	for _, v := range []string{sendgrid.APIv2, sendgrid.APIv3} {
		t.Run(v, func(t *testing.T) { test(t, testAPI{startAPI(t), v}) })
	}
}

// startAPI starts a mock SendGrid with the test seed for one test.
func startAPI(t *testing.T) *sendgridmock.Server {
	t.Helper()
	return sendgridmock.StartTest(t, testSeed())
}

// pick returns what the test expects on v2, or on v3.
func (a testAPI) pick(v2, v3 string) string {
	if a.version == sendgrid.APIv3 {
		return v3
	}
	return v2
}

// writeCall is the mock's name of the call that writes one subuser's IPs,
// for aiming faults.
func (a testAPI) writeCall() (call, task string) {
	if a.version == sendgrid.APIv3 {
		return calls.V3SetSubuserIPs, ""
	}
	return calls.V2SendIP, "append"
}

// providerConfig is the provider block that points at the mock.
func providerConfig(api testAPI) string { return providerWith(api) }

// providerWith is providerConfig with extra settings, one per line.
func providerWith(api testAPI, settings ...string) string {
	return "\n" + tfharness.ProviderBlock(api.version, api.pick(api.URL(), api.V3URL()), api.pick(testAPIUser, ""), testAPIKey, settings...)
}

// fastRetries keeps fault tests short: the retry logic is the same, the
// waits are milliseconds. Server-sent Retry-After still counts, capped by
// RetryWaitMax.
func fastRetries(c *sendgrid.Config) {
	c.RetryWaitMin = 5 * time.Millisecond
	c.RetryWaitMax = 3 * time.Second // above the 1-2 s a fault row asks for, so Retry-After is honoured
	c.SettlePoll = 100 * time.Millisecond
}

// protoV6Factories serves the provider in-process to the Terraform CLI
// that terraform-plugin-testing drives, through the same wrapper main.go
// serves.
func protoV6Factories() map[string]func() (tfprotov6.ProviderServer, error) {
	serve := newServer(&sendgridProvider{version: "test", tune: fastRetries})
	return map[string]func() (tfprotov6.ProviderServer, error){
		"sendgrid": func() (tfprotov6.ProviderServer, error) { return serve(), nil },
	}
}

// checkAPIIPs asserts what the mock SendGrid holds for a subuser, so every
// step checks the real effect and not only Terraform's state.
func checkAPIIPs(api testAPI, user string, want ...string) func(*terraform.State) error {
	return func(*terraform.State) error {
		got, ok := api.SubuserIPs(user)
		if !ok {
			return fmt.Errorf("mock SendGrid has no subuser %q", user)
		}
		want = sendgrid.SortIPs(want)
		if !slices.Equal(got, want) {
			return fmt.Errorf("mock SendGrid holds %v for %q, want %v", got, user, want)
		}
		return nil
	}
}

// hcl quotes a list of strings as an HCL list.
func hcl(items ...string) string {
	quoted := make([]string, len(items))
	for i, s := range items {
		quoted[i] = fmt.Sprintf("%q", s)
	}
	return "[" + strings.Join(quoted, ", ") + "]"
}

// long says whether this is make test-long (SENDGRID_TEST_LONG=1): the full soak and fault matrix.
func long() bool { return os.Getenv("SENDGRID_TEST_LONG") == "1" }

// protocolServer is the served provider, configured against the mock the
// way Terraform would configure it, for tests that speak the plugin
// protocol directly (no CLI in between).
func protocolServer(t testing.TB, api *sendgridmock.Server, settings map[string]tftypes.Value) tfprotov6.ProviderServer {
	t.Helper()
	ctx := context.Background()
	p := &sendgridProvider{version: "test", tune: fastRetries}
	var sch fwprovider.SchemaResponse
	p.Schema(ctx, fwprovider.SchemaRequest{}, &sch)
	values := map[string]tftypes.Value{
		"base_url": tftypes.NewValue(tftypes.String, api.URL()),
		"api_user": tftypes.NewValue(tftypes.String, testAPIUser),
		"api_key":  tftypes.NewValue(tftypes.String, testAPIKey),
	}
	for k, v := range settings {
		values[k] = v
	}
	srv := newServer(p)()
	resp, err := srv.ConfigureProvider(ctx, &tfprotov6.ConfigureProviderRequest{
		TerraformVersion: "1.8.5",
		Config:           dynamicValue(t, sch.Schema.Type().TerraformType(ctx), values),
	})
	if err != nil || diagnosticsFailed(resp.Diagnostics) {
		t.Fatalf("ConfigureProvider: %v %v", err, resp.Diagnostics)
	}
	return srv
}

// dynamicValue encodes an object of typ, with every attribute not in
// values null.
func dynamicValue(t testing.TB, typ tftypes.Type, values map[string]tftypes.Value) *tfprotov6.DynamicValue {
	t.Helper()
	obj, ok := typ.(tftypes.Object)
	if !ok {
		t.Fatalf("%s is not an object type", typ)
	}
	all := make(map[string]tftypes.Value, len(obj.AttributeTypes))
	for name, at := range obj.AttributeTypes {
		if v, ok := values[name]; ok {
			all[name] = v
		} else {
			all[name] = tftypes.NewValue(at, nil)
		}
	}
	dv, err := tfprotov6.NewDynamicValue(typ, tftypes.NewValue(typ, all))
	if err != nil {
		t.Fatal(err)
	}
	return &dv
}

func diagnosticsFailed(diags []*tfprotov6.Diagnostic) bool {
	for _, d := range diags {
		if d.Severity == tfprotov6.DiagnosticSeverityError {
			return true
		}
	}
	return false
}

// v3Settings point protocolServer at the mock's v3 API.
func v3Settings(api *sendgridmock.Server) map[string]tftypes.Value {
	return map[string]tftypes.Value{
		"api_version": tftypes.NewValue(tftypes.String, "v3"),
		"base_url":    tftypes.NewValue(tftypes.String, api.V3URL()),
		"api_user":    tftypes.NewValue(tftypes.String, nil),
	}
}

func ipValues(ips ...string) []knownvalue.Check {
	out := make([]knownvalue.Check, len(ips))
	for i, ip := range ips {
		out[i] = knownvalue.StringExact(ip)
	}
	return out
}

// outboundCluster is what state records as the outbound cluster: v2 reports
// one, v3 has no such field.
func outboundCluster(api testAPI) knownvalue.Check {
	if api.version == "v3" {
		return knownvalue.Null()
	}
	return knownvalue.StringExact("SendGrid MTA")
}

func dynamicNull(t testing.TB, typ tftypes.Type) *tfprotov6.DynamicValue {
	t.Helper()
	dv, err := tfprotov6.NewDynamicValue(typ, tftypes.NewValue(typ, nil))
	if err != nil {
		t.Fatal(err)
	}
	return &dv
}

var bulkAPIs = []string{sendgrid.APIv2, sendgrid.APIv3}

// bulkProvider is the provider block for one API version of the mock,
// unpaced so that reading many subusers takes milliseconds.
func bulkProvider(api *sendgridmock.Server, version string, settings ...string) string {
	return providerWith(testAPI{api, version}, append(settings, "requests_per_minute = 100000")...)
}

// bulkSettings is bulkProvider for protocolServer.
func bulkSettings(api *sendgridmock.Server, version string) map[string]tftypes.Value {
	s := map[string]tftypes.Value{}
	if version == sendgrid.APIv3 {
		s = v3Settings(api)
	}
	s["requests_per_minute"] = tftypes.NewValue(tftypes.Number, 100000)
	return s
}

// expectImports passes when the plan imports exactly n sendgrid_subuser_ips
// objects and changes nothing.
type expectImports struct{ n int }

func (e expectImports) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	imports := 0
	for _, rc := range req.Plan.ResourceChanges {
		if rc.Change.Importing != nil {
			imports++
		}
		if !rc.Change.Actions.NoOp() {
			resp.Error = fmt.Errorf("%s: planned %v, want only imports without changes", rc.Address, rc.Change.Actions)
			return
		}
	}
	if imports != e.n {
		resp.Error = fmt.Errorf("plan imports %d objects, want %d", imports, e.n)
	}
}

// bulkAPICheck is a check of what the mock holds.
type bulkAPICheck func() error

// bulkStateCheck runs an bulkAPICheck as a state check: legacy Check functions
// cannot read a state with for_each keys (terraform-plugin-sdk#536).
type bulkStateCheck struct{ f bulkAPICheck }

func (c bulkStateCheck) CheckState(_ context.Context, _ statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	resp.Error = c.f()
}

// listedResult is one streamed result, decoded.
type listedResult struct {
	display, identity string
	resource          map[string]tftypes.Value // nil without include_resource
}

// listed streams a list request and decodes each result; idAttr is the identity's one attribute.
func listed(t *testing.T, srv tfprotov6.ProviderServer, req *tfprotov6.ListResourceRequest, idAttr string, resType tftypes.Type) []listedResult {
	t.Helper()
	ls, ok := srv.(tfprotov6.ListResourceServer)
	if !ok {
		t.Fatalf("%T does not serve list resources", srv)
	}
	stream, err := ls.ListResource(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	idType := tftypes.Object{AttributeTypes: map[string]tftypes.Type{idAttr: tftypes.String}}
	var out []listedResult
	for r := range stream.Results {
		if diagnosticsFailed(r.Diagnostics) || r.Identity == nil {
			t.Fatalf("result %q: identity %v, diagnostics %v", r.DisplayName, r.Identity, r.Diagnostics)
		}
		id, err := r.Identity.IdentityData.Unmarshal(idType)
		if err != nil {
			t.Fatal(err)
		}
		var ida map[string]tftypes.Value
		var name string
		if err := id.As(&ida); err != nil || ida[idAttr].As(&name) != nil {
			t.Fatalf("identity %v", id)
		}
		l := listedResult{display: r.DisplayName, identity: name}
		if r.Resource != nil {
			obj, err := r.Resource.Unmarshal(resType)
			if err != nil || obj.As(&l.resource) != nil {
				t.Fatalf("resource %v: %v", obj, err)
			}
		}
		out = append(out, l)
	}
	return out
}

func listedString(t *testing.T, v tftypes.Value) *string {
	t.Helper()
	if v.IsNull() {
		return nil
	}
	var s string
	if err := v.As(&s); err != nil {
		t.Fatal(err)
	}
	return &s
}

func listedOrNull(s *string) string {
	if s == nil {
		return "null"
	}
	return *s
}

func listedSet(t *testing.T, v tftypes.Value) []string {
	t.Helper()
	var elems []tftypes.Value
	if err := v.As(&elems); err != nil {
		t.Fatal(err)
	}
	out := []string{}
	for _, e := range elems {
		out = append(out, *listedString(t, e))
	}
	return sendgrid.SortIPs(out)
}

// stateType is the Terraform type of a resource's state.
func stateType(r fwresource.Resource) tftypes.Type {
	ctx := context.Background()
	var sch fwresource.SchemaResponse
	r.Schema(ctx, fwresource.SchemaRequest{}, &sch)
	return sch.Schema.Type().TerraformType(ctx)
}

// stateAttrs is a state's string attributes.
func stateAttrs(t testing.TB, state *tfprotov6.DynamicValue, typ tftypes.Type) map[string]string {
	t.Helper()
	v, err := state.Unmarshal(typ)
	if err != nil {
		t.Fatal(err)
	}
	var attrs map[string]tftypes.Value
	if err := v.As(&attrs); err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for name, a := range attrs {
		var s string
		if a.Type().Is(tftypes.String) && a.IsKnown() && !a.IsNull() && a.As(&s) == nil {
			out[name] = s
		}
	}
	return out
}
