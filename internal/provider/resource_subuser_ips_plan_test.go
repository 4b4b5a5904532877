package provider

import (
	"context"
	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/calls"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/quirks"
	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/sendgrid"
)

// planCreate runs the resource's ModifyPlan for creating user with ips
// against the mock, as Terraform's plan would.
func planCreate(t *testing.T, r *subuserIPsResource, user string, ips ...string) diag.Diagnostics {
	t.Helper()
	ctx := context.Background()
	var sch resource.SchemaResponse
	r.Schema(ctx, resource.SchemaRequest{}, &sch)
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
	req := resource.ModifyPlanRequest{Plan: plan, State: tfsdk.State{Schema: sch.Schema, Raw: tftypes.NewValue(typ, nil)}}
	resp := resource.ModifyPlanResponse{Plan: plan}
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
