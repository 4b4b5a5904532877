package provider

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	fwprovider "github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/sendgrid"
	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/sendgridmock"
)

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

// resourceType is the Terraform type of sendgrid_subuser_ips' state.
func resourceType() tftypes.Type {
	ctx := context.Background()
	var sch resource.SchemaResponse
	newSubuserIPsResource().Schema(ctx, resource.SchemaRequest{}, &sch)
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

// v3Settings point protocolServer at the mock's v3 API.
func v3Settings(api *sendgridmock.Server) map[string]tftypes.Value {
	return map[string]tftypes.Value{
		"api_version": tftypes.NewValue(tftypes.String, "v3"),
		"base_url":    tftypes.NewValue(tftypes.String, api.V3URL()),
		"api_user":    tftypes.NewValue(tftypes.String, nil),
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
