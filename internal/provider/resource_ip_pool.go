package provider

import (
	"context"
	"errors"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/identityschema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/quirks"
	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/sendgrid"
)

var (
	_ resource.ResourceWithConfigure   = &ipPoolResource{}
	_ resource.ResourceWithImportState = &ipPoolResource{}
	_ resource.ResourceWithModifyPlan  = &ipPoolResource{}
	_ resource.ResourceWithIdentity    = &ipPoolResource{}
)

func newIPPoolResource() resource.Resource { return &ipPoolResource{} }

type ipPoolResource struct{ data *providerData }

type ipPoolModel struct {
	ID       types.String     `tfsdk:"id"`
	Name     types.String     `tfsdk:"name"`
	IPs      quirks.StringSet `tfsdk:"ips"`
	Timeouts timeouts.Value   `tfsdk:"timeouts"`
}

func (r *ipPoolResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_ip_pool"
}

func (r *ipPoolResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "An IP pool and the exact set of the reseller's IPs in it (v3 only). Terraform owns the whole set: " +
			"IPs added or removed outside Terraform show as drift in the next plan, and a pool deleted outside Terraform is planned for creation. " +
			"Writes: `POST /v3/ips/pools`, then one `POST /v3/ips/pools/{name}/ips` per added IP and one `DELETE /v3/ips/pools/{name}/ips/{ip}` per removed IP, " +
			"then `GET /v3/ips/pools/{name}` until every change shows (SendGrid says an addition can take up to 60 seconds). " +
			"Reads: " + poolsCost,
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "The pool's name (same as `name`).",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"name": schema.StringAttribute{
				MarkdownDescription: "The pool's name, as mail sent with `ip_pool_name` names it. Changing it replaces the pool " +
					"(a new pool, then the old one deleted with `create_before_destroy`); SendGrid's rename call is not used, see the page's Renaming section.",
				Required:      true,
				Validators:    []validator.String{poolNameValidator},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"ips": schema.SetAttribute{
				MarkdownDescription: "The IPv4 addresses in the pool, each in canonical form; `[]` for an empty pool. " +
					"Every address must be on the reseller account and have reverse DNS, or SendGrid refuses it at apply.",
				CustomType:  quirks.NewStringSetType(),
				ElementType: types.StringType,
				Required:    true,
				Validators:  []validator.Set{setvalidator.ValueStringsAre(ipv4Validator)},
			},
		},
		Blocks: map[string]schema.Block{
			"timeouts": positiveTimeouts(timeouts.Block(ctx, timeouts.Opts{Create: true, Read: true, Update: true, Delete: true})),
		},
	}
}

// IdentitySchema is { name = POOL } (DESIGN.md, "IP pools in the provider").
func (r *ipPoolResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = identityschema.Schema{
		Attributes: map[string]identityschema.Attribute{
			"name": identityschema.StringAttribute{Description: "The pool's name.", RequiredForImport: true},
		},
	}
}

func (r *ipPoolResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = configured(req.ProviderData, &resp.Diagnostics)
}

// ModifyPlan refuses pools on v2 at plan time; it reads nothing (DESIGN.md, "IP pools in the provider").
func (r *ipPoolResource) ModifyPlan(_ context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if !req.Plan.Raw.IsNull() {
		needsV3(r.data, "sendgrid_ip_pool", &resp.Diagnostics)
	}
}

// needsV3 adds the error every pool type gives on api_version = "v2".
func needsV3(data *providerData, typeName string, diags *diag.Diagnostics) {
	if data != nil && data.client.Version() == sendgrid.APIv2 {
		diags.AddError("SendGrid v3 API Required",
			fmt.Sprintf("%s uses SendGrid v3 calls (IP pools, one IP's details) that Web API v2 does not have. Set api_version = \"v3\" "+
				"(or %s) with a v3 API key in the provider block; see the guide \"Moving From the Web API v2 to v3\".", typeName, envAPIVersion))
	}
}

func (r *ipPoolResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan ipPoolModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := operationContext(ctx, plan.Timeouts.Create, &resp.Diagnostics)
	defer cancel()
	if resp.Diagnostics.HasError() {
		return
	}
	name := plan.Name.ValueString()
	if err := r.data.client.CreatePool(ctx, name); err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("name"), "Unable to Create SendGrid IP Pool",
			fmt.Sprintf("Creating IP pool %q failed.\n\n%s%s", name, apiErrorDetail(err), createPoolHint(err, name)))
		return
	}
	plan.ID = plan.Name
	resp.Diagnostics.Append(setIdentity(ctx, resp.Identity, "name", plan.Name)...)
	// From here the pool exists: a failure records it, so Terraform keeps it (tainted) instead of losing it.
	if !r.change(ctx, &plan, nil, &resp.Diagnostics) {
		plan.IPs = quirks.StringSetNull() // unknown after a failed write; the next refresh reads it
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

func createPoolHint(err error, name string) string {
	if !errors.Is(err, sendgrid.ErrRejected) {
		return ""
	}
	return fmt.Sprintf("\n\nIf a pool named %q already exists, adopt it instead: an import block with id = %q, or "+
		"`terraform import ADDRESS %s`. An account holds at most 100 pools; names are 1 to %d characters.",
		name, name, name, sendgrid.MaxPoolNameLength)
}

func (r *ipPoolResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state ipPoolModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := operationContext(ctx, state.Timeouts.Read, &resp.Diagnostics)
	defer cancel()
	if resp.Diagnostics.HasError() {
		return
	}
	name := state.Name.ValueString()
	resp.Diagnostics.Append(setIdentity(ctx, resp.Identity, "name", state.Name)...)
	pool, err := r.data.client.Pool(ctx, name)
	if errors.Is(err, sendgrid.ErrPoolNotFound) {
		tflog.Warn(ctx, "SendGrid IP pool no longer exists; removing it from state", map[string]any{"pool": name})
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		resp.Diagnostics.AddError("Unable to Read SendGrid IP Pool", apiErrorDetail(err))
		return
	}
	state.ID = state.Name
	resp.Diagnostics.Append(state.record(pool.IPs)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

func (r *ipPoolResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state ipPoolModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := operationContext(ctx, plan.Timeouts.Update, &resp.Diagnostics)
	defer cancel()
	if resp.Diagnostics.HasError() {
		return
	}
	plan.ID = plan.Name
	resp.Diagnostics.Append(setIdentity(ctx, resp.Identity, "name", plan.Name)...)
	if plan.IPs.Equal(state.IPs) { // only timeouts changed
		resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
		return
	}
	var had []string
	resp.Diagnostics.Append(state.IPs.ElementsAs(ctx, &had, false)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if !r.change(ctx, &plan, had, &resp.Diagnostics) {
		return // nothing known: the prior state stays and the next refresh reads the truth
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

// change sends the difference between had and the planned set, then records in plan what SendGrid
// holds; it reports whether plan now holds a known set (DESIGN.md, "IP pools in the provider").
func (r *ipPoolResource) change(ctx context.Context, plan *ipPoolModel, had []string, diags *diag.Diagnostics) bool {
	var want []string
	diags.Append(plan.IPs.ElementsAs(ctx, &want, false)...)
	if diags.HasError() {
		return false
	}
	name := plan.Name.ValueString()
	add, remove := setDifference(want, had)
	pool, err := r.data.client.ChangePoolIPs(ctx, name, add, remove)
	switch {
	case errors.Is(err, sendgrid.ErrNotSettled):
		diags.AddAttributeError(path.Root("ips"), "SendGrid IP Pool Change Not Shown in Time",
			fmt.Sprintf("SendGrid accepted the change to pool %q but did not show all of it before the operation's time ran out "+
				"(SendGrid says an addition can take up to 60 seconds). State records what it showed last: %s.\n"+
				"Run apply again, or raise the timeouts block's value.\n\n%s", name, listOrNone(pool.IPs), apiErrorDetail(err)))
	case err != nil:
		diags.AddAttributeError(path.Root("ips"), "Unable to Change SendGrid IP Pool",
			fmt.Sprintf("Adding %s to and removing %s from pool %q failed.\n\n%s%s",
				listOrNone(add), listOrNone(remove), name, apiErrorDetail(err), poolIPHint(err)))
		if ctx.Err() != nil || errors.Is(err, sendgrid.ErrBadCredentials) {
			return false // a read now would fail the same way
		}
		// Some writes may have happened: record what SendGrid holds.
		if pool, err = r.data.client.Pool(ctx, name); err != nil {
			return false
		}
	default:
		if missing, extra := setDifference(want, pool.IPs); len(missing) > 0 || len(extra) > 0 {
			diags.AddAttributeError(path.Root("ips"), "SendGrid IP Pool Holds Different IPs Than Asked",
				fmt.Sprintf("SendGrid accepted the change to pool %q, but reading it back shows a different set.\n"+
					"Missing (asked for, not held): %s\nExtra (held, not asked for): %s\nAnother process may be changing this pool.",
					name, listOrNone(missing), listOrNone(extra)))
		}
	}
	diags.Append(plan.record(pool.IPs)...)
	return true
}

func poolIPHint(err error) string {
	if !errors.Is(err, sendgrid.ErrRejected) {
		return ""
	}
	return "\n\nEvery IP must be on the reseller account (see the sendgrid_ips data source) and have reverse DNS " +
		"(see the sendgrid_ip data source's rdns) before SendGrid lets it join a pool."
}

func (r *ipPoolResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state ipPoolModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := operationContext(ctx, state.Timeouts.Delete, &resp.Diagnostics)
	defer cancel()
	if resp.Diagnostics.HasError() {
		return
	}
	name := state.Name.ValueString()
	err := r.data.client.DeletePool(ctx, name)
	if errors.Is(err, sendgrid.ErrPoolNotFound) {
		tflog.Warn(ctx, "SendGrid IP pool already gone", map[string]any{"pool": name})
		return
	}
	if err != nil {
		resp.Diagnostics.AddError("Unable to Delete SendGrid IP Pool", apiErrorDetail(err))
	}
}

func (r *ipPoolResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	name := importID(ctx, req, "name", &resp.Diagnostics)
	if msg := checkPoolName(name); msg != "" {
		resp.Diagnostics.AddError("Invalid Import ID",
			fmt.Sprintf("The import ID (or the identity's name) must be the pool's name: %s.", msg))
		return
	}
	resp.Diagnostics.Append(setIdentity(ctx, resp.Identity, "name", types.StringValue(name))...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), name)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("name"), name)...)
}

// record copies the pool's IPs into the model.
func (m *ipPoolModel) record(ips []string) diag.Diagnostics {
	set, diags := quirks.NewStringSet(ips)
	if !diags.HasError() {
		m.IPs = set
	}
	return diags
}
