package provider

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/identityschema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/quirks"
	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/sendgrid"
)

// What happens to a subuser's IPs when the resource is destroyed.
const (
	onDestroyUnassign  = "unassign"   // set=none
	onDestroyRetain    = "retain"     // no call
	onDestroyAssignAll = "assign_all" // set=all
)

var onDestroyModes = []string{onDestroyUnassign, onDestroyRetain, onDestroyAssignAll}

// defaultTimeout bounds each operation; it leaves room for the client's retries.
const defaultTimeout = 10 * time.Minute

var (
	_ resource.ResourceWithConfigure   = &subuserIPsResource{}
	_ resource.ResourceWithImportState = &subuserIPsResource{}
	_ resource.ResourceWithModifyPlan  = &subuserIPsResource{}
	_ resource.ResourceWithIdentity    = &subuserIPsResource{}
)

func newSubuserIPsResource() resource.Resource { return &subuserIPsResource{} }

type subuserIPsResource struct{ data *providerData }

type subuserIPsModel struct {
	ID              types.String     `tfsdk:"id"`
	User            types.String     `tfsdk:"user"`
	IPs             quirks.StringSet `tfsdk:"ips"`
	OutboundCluster types.String     `tfsdk:"outbound_cluster"`
	OnDestroy       types.String     `tfsdk:"on_destroy"`
	Timeouts        timeouts.Value   `tfsdk:"timeouts"`
}

func (r *subuserIPsResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_subuser_ips"
}

func (r *subuserIPsResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "The exact set of IP addresses a subuser sends from. Terraform owns the whole set: " +
			"IPs added or removed outside Terraform show as drift in the next plan. " +
			"v3: writes are one `PUT /v3/subusers/{name}/ips` whose answer confirms the set; reads are `GET /v3/ips?subuser=NAME`. " +
			"v2: writes are `customer.sendip` `task=append&set=specify` (`set=none` for an empty set) followed by one `task=list` read.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "The subuser's name (same as `user`).",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"user": schema.StringAttribute{
				MarkdownDescription: "Name of an existing subuser of the reseller account. Changing it replaces the resource.",
				Required:            true,
				Validators:          []validator.String{userValidator},
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"ips": schema.SetAttribute{
				MarkdownDescription: "The IPv4 addresses the subuser sends from, each in canonical form " +
					"(`203.0.113.10`, not `203.0.113.010`). Every address must belong to the reseller account. " +
					"An empty set (`[]`) means the subuser holds no dedicated IP, a state SendGrid reports as such.",
				CustomType:  quirks.NewStringSetType(),
				ElementType: types.StringType,
				Required:    true,
				Validators: []validator.Set{
					setvalidator.ValueStringsAre(ipv4Validator),
				},
			},
			"outbound_cluster": schema.StringAttribute{
				MarkdownDescription: "The subuser's outbound cluster as the v2 API reports it (opaque, such as `SendGrid MTA`); null on v3, which has no such field.",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"on_destroy": schema.StringAttribute{
				MarkdownDescription: "What destroying this resource does to the subuser's IPs: " +
					"`unassign` (default) removes every IP (v2 `set=none`, v3 `PUT []`), so the subuser has no dedicated IP to send from until one is assigned again; " +
					"`retain` leaves the IPs as they are and only stops managing them; " +
					"`assign_all` gives the subuser every IP the reseller holds at that moment (v2 `set=all`, v3 a `PUT` of every IP).",
				Optional:   true,
				Computed:   true,
				Default:    stringdefault.StaticString(onDestroyUnassign),
				Validators: []validator.String{stringvalidator.OneOf(onDestroyModes...)},
			},
		},
		Blocks: map[string]schema.Block{
			"timeouts": positiveTimeouts(timeouts.Block(ctx, timeouts.Opts{Create: true, Read: true, Update: true, Delete: true})),
		},
	}
}

// IdentitySchema is { user = NAME } (DESIGN.md, "Identity").
func (r *subuserIPsResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = identityschema.Schema{
		Attributes: map[string]identityschema.Attribute{
			"user": identityschema.StringAttribute{
				Description:       "The subuser's name.",
				RequiredForImport: true,
			},
		},
	}
}

// setIdentity records user as the identity, when Terraform asked for one.
func (r *subuserIPsResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = configured(req.ProviderData, &resp.Diagnostics)
}

// positiveTimeouts adds the check the library lacks: "0s" fails at plan time.
func positiveTimeouts(b schema.Block) schema.Block {
	block, ok := b.(schema.SingleNestedBlock)
	if !ok {
		return b
	}
	for name, a := range block.Attributes {
		if sa, ok := a.(schema.StringAttribute); ok {
			sa.Validators = append(sa.Validators, durationValidator{})
			block.Attributes[name] = sa
		}
	}
	return block
}

// ModifyPlan warns before a create that removes IPs (DESIGN.md, "A create warns"), and leaves
// outbound_cluster unknown when a write may change it (DESIGN.md, "outbound_cluster").
func (r *subuserIPsResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if !req.State.Raw.IsNull() && !req.Plan.Raw.IsNull() {
		var plan, state subuserIPsModel
		resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
		resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
		if !resp.Diagnostics.HasError() && !plan.IPs.Equal(state.IPs) {
			resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("outbound_cluster"), types.StringUnknown())...)
		}
		return
	}
	if req.Plan.Raw.IsNull() || r.data == nil {
		return
	}
	var plan subuserIPsModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() || plan.User.IsUnknown() || plan.IPs.IsUnknown() {
		return
	}
	var want []string
	resp.Diagnostics.Append(plan.IPs.ElementsAs(ctx, &want, false)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := operationContext(ctx, plan.Timeouts.Read, &resp.Diagnostics)
	defer cancel()
	if resp.Diagnostics.HasError() {
		return
	}
	user := plan.User.ValueString()
	held, err := r.data.client.SubuserIPs(ctx, user)
	switch {
	case errors.Is(err, sendgrid.ErrSubuserNotFound):
		resp.Diagnostics.AddAttributeWarning(path.Root("user"), "SendGrid Subuser Not Found",
			fmt.Sprintf("SendGrid has no subuser named %q today; applying this plan fails unless it exists by then.\n\n%s", user, apiErrorDetail(err)))
	case err != nil:
		resp.Diagnostics.AddWarning("Unable to Check the Subuser's Current IPs",
			fmt.Sprintf("Could not read what subuser %q holds before creating this resource, so the plan cannot say which IPs it would remove.\n\n%s", user, apiErrorDetail(err)))
	default:
		if _, removed := setDifference(want, held.IPs); len(removed) > 0 {
			resp.Diagnostics.AddAttributeWarning(path.Root("ips"), "Creating This Resource Removes IPs the Subuser Holds",
				fmt.Sprintf("Subuser %q holds %s today. Creating this resource makes its IPs exactly the configured set, so these will be removed: %s.\n"+
					"To keep them, add them to ips; to see this as an update instead, import the subuser first.",
					user, listOrNone(held.IPs), listOrNone(removed)))
		}
	}
}

func (r *subuserIPsResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan subuserIPsModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := operationContext(ctx, plan.Timeouts.Create, &resp.Diagnostics)
	defer cancel()
	if resp.Diagnostics.HasError() {
		return
	}

	// A failed Create records nothing (DESIGN.md, "Create and update").
	defer r.data.lockSubuser(plan.User.ValueString())()
	r.data.markAssigned(plan.User.ValueString())
	held, ok := r.assign(ctx, &plan, &resp.Diagnostics)
	if !ok {
		if held != nil { // after a replacement's on_destroy, this is what the subuser is left with
			resp.Diagnostics.AddError("What SendGrid Holds Now",
				fmt.Sprintf("Subuser %q now holds %s; nothing was recorded in state.", plan.User.ValueString(), listOrNone(held.IPs)))
		}
		return
	}
	plan.ID = plan.User
	resp.Diagnostics.Append(plan.record(held)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	resp.Diagnostics.Append(setIdentity(ctx, resp.Identity, "user", plan.User)...)
}

func (r *subuserIPsResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state subuserIPsModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := operationContext(ctx, state.Timeouts.Read, &resp.Diagnostics)
	defer cancel()
	if resp.Diagnostics.HasError() {
		return
	}

	user := state.User.ValueString()
	resp.Diagnostics.Append(setIdentity(ctx, resp.Identity, "user", state.User)...)
	held, err := r.data.client.SubuserIPs(ctx, user)
	if errors.Is(err, sendgrid.ErrSubuserNotFound) {
		tflog.Warn(ctx, "SendGrid subuser no longer exists; removing it from state", map[string]any{"user": user})
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		resp.Diagnostics.AddError("Unable to Read SendGrid Subuser IPs", apiErrorDetail(err))
		return
	}
	state.ID = state.User
	if state.OnDestroy.IsNull() {
		state.OnDestroy = types.StringValue(onDestroyUnassign)
	}
	resp.Diagnostics.Append(state.record(&held)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

func (r *subuserIPsResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state subuserIPsModel
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

	plan.ID = plan.User
	resp.Diagnostics.Append(setIdentity(ctx, resp.Identity, "user", plan.User)...)
	if plan.IPs.Equal(state.IPs) {
		// Only on_destroy or timeouts changed: nothing to tell SendGrid.
		plan.OutboundCluster = state.OutboundCluster
		resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
		return
	}
	defer r.data.lockSubuser(plan.User.ValueString())()
	r.data.markAssigned(plan.User.ValueString())
	held, _ := r.assign(ctx, &plan, &resp.Diagnostics) // failures are in the diagnostics
	if held == nil {
		// Nothing known: the prior state stays and the next refresh reads the truth.
		return
	}
	// Even after a failed write, record what SendGrid holds.
	resp.Diagnostics.Append(plan.record(held)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

func (r *subuserIPsResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state subuserIPsModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := operationContext(ctx, state.Timeouts.Delete, &resp.Diagnostics)
	defer cancel()
	if resp.Diagnostics.HasError() {
		return
	}

	user := state.User.ValueString()
	if state.OnDestroy.ValueString() != onDestroyRetain {
		defer r.data.lockSubuser(user)() // a Create of the same subuser waits for this Delete's retries
	}
	if state.OnDestroy.ValueString() != onDestroyRetain && r.data.assignedHere(user) {
		resp.Diagnostics.AddWarning("Subuser IPs Left to Their Replacement",
			fmt.Sprintf("Another sendgrid_subuser_ips object assigned subuser %q's IPs earlier in this run (a create_before_destroy replacement, "+
				"or the subuser moved between resources), so on_destroy = %q is not applied to it: the subuser keeps the new set.",
				user, state.OnDestroy.ValueString()))
		return
	}
	var err error
	switch state.OnDestroy.ValueString() {
	case onDestroyRetain:
		tflog.Info(ctx, "on_destroy = retain: leaving the subuser's IPs as they are", map[string]any{"user": user})
		return
	case onDestroyAssignAll:
		_, err = r.data.client.AssignAllIPs(ctx, user)
	default: // unassign, also for state written before on_destroy existed
		_, err = r.data.client.SetSubuserIPs(ctx, user, nil)
	}
	if errors.Is(err, sendgrid.ErrSubuserNotFound) {
		tflog.Warn(ctx, "SendGrid subuser already gone; nothing to unassign", map[string]any{"user": user})
		return
	}
	if err == nil {
		return
	}
	detail := apiErrorDetail(err)
	if errors.Is(err, sendgrid.ErrRejected) && state.OnDestroy.ValueString() != onDestroyAssignAll {
		detail += "\n\nSendGrid refused to leave the subuser with no IP. Set on_destroy = \"retain\" to stop managing the subuser " +
			"and leave its IPs as they are (or \"assign_all\"), apply that change, then destroy."
	}
	resp.Diagnostics.AddError("Unable to Release SendGrid Subuser IPs", detail)
	// SendGrid may have made the change before its answer was lost: record what it holds.
	if ctx.Err() != nil || errors.Is(err, sendgrid.ErrBadCredentials) {
		return // a read now would fail the same way
	}
	if held, readErr := r.data.client.SubuserIPs(ctx, user); readErr == nil {
		resp.Diagnostics.Append(state.record(&held)...)
		resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
	}
}

func (r *subuserIPsResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	user := importID(ctx, req, "user", &resp.Diagnostics)
	if msg := checkUser(user); msg != "" {
		resp.Diagnostics.AddError("Invalid Import ID",
			fmt.Sprintf("The import ID (or the identity's user) must be the subuser's name: %s.", msg))
		return
	}
	resp.Diagnostics.Append(setIdentity(ctx, resp.Identity, "user", types.StringValue(user))...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), user)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("user"), user)...)
	// The default, so an import plans clean without on_destroy in the configuration.
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("on_destroy"), onDestroyUnassign)...)
}

// operationContext bounds one operation by its timeouts entry.
func operationContext(ctx context.Context, timeout func(context.Context, time.Duration) (time.Duration, diag.Diagnostics), diags *diag.Diagnostics) (context.Context, context.CancelFunc) {
	d, problems := timeout(ctx, defaultTimeout)
	diags.Append(problems...)
	return context.WithTimeout(ctx, d)
}

// assign writes the planned set and returns what SendGrid then holds (nil if
// unknown) and whether it matches (DESIGN.md, "Create and update").
func (r *subuserIPsResource) assign(ctx context.Context, plan *subuserIPsModel, diags *diag.Diagnostics) (*sendgrid.Holding, bool) {
	var want []string
	diags.Append(plan.IPs.ElementsAs(ctx, &want, false)...)
	if diags.HasError() {
		return nil, false
	}
	user := plan.User.ValueString()

	confirmed, setErr := r.data.client.SetSubuserIPs(ctx, user, want)
	switch {
	case errors.Is(setErr, sendgrid.ErrSubuserNotFound):
		diags.AddAttributeError(path.Root("user"), "SendGrid Subuser Not Found",
			fmt.Sprintf("SendGrid has no subuser named %q.\n\n%s", user, setErr))
		return nil, false
	case errors.Is(setErr, sendgrid.ErrRejected):
		diags.AddAttributeError(path.Root("ips"), "SendGrid Refused the IP Assignment",
			fmt.Sprintf("Assigning %s to subuser %q failed.\n\n%s", listOrNone(want), user, apiErrorDetail(setErr)))
	case setErr != nil:
		diags.AddError("Unable to Assign SendGrid IPs",
			fmt.Sprintf("Assigning %s to subuser %q failed.\n\n%s", listOrNone(want), user, apiErrorDetail(setErr)))
	}
	// Only the operation's own end makes a read pointless; a timed-out attempt does not.
	if ctx.Err() != nil || errors.Is(setErr, sendgrid.ErrBadCredentials) {
		return nil, false // a read now would fail the same way
	}

	if setErr == nil {
		return compareHeld(user, want, confirmed, diags)
	}
	// The write may have happened before its answer was lost: read what SendGrid holds.
	held, err := r.data.client.SubuserIPs(ctx, user)
	if err != nil {
		return nil, false
	}
	return &held, false
}

// compareHeld reports whether SendGrid holds what was asked, naming any difference.
func compareHeld(user string, want []string, held sendgrid.Holding, diags *diag.Diagnostics) (*sendgrid.Holding, bool) {
	missing, extra := setDifference(want, held.IPs)
	if len(missing) > 0 || len(extra) > 0 {
		diags.AddAttributeError(path.Root("ips"), "SendGrid Holds Different IPs Than Assigned",
			fmt.Sprintf("SendGrid accepted the assignment to subuser %q, but reading it back shows a different set.\n"+
				"Missing (asked for, not held): %s\nExtra (held, not asked for): %s\n"+
				"Another process may be changing this subuser's IPs.",
				user, listOrNone(missing), listOrNone(extra)))
		return &held, false
	}
	return &held, true
}

// record copies what SendGrid holds into the model.
func (m *subuserIPsModel) record(held *sendgrid.Holding) diag.Diagnostics {
	ips, diags := quirks.NewStringSet(held.IPs)
	if diags.HasError() {
		return diags
	}
	m.IPs = ips
	m.OutboundCluster = types.StringNull() // v3 has no outbound cluster
	if held.OutboundCluster != "" {
		m.OutboundCluster = types.StringValue(held.OutboundCluster)
	}
	return diags
}

// setDifference returns want minus have and have minus want, sorted.
func setDifference(want, have []string) (missing, extra []string) {
	for _, ip := range want {
		if !slices.Contains(have, ip) {
			missing = append(missing, ip)
		}
	}
	for _, ip := range have {
		if !slices.Contains(want, ip) {
			extra = append(extra, ip)
		}
	}
	return sendgrid.SortIPs(missing), sendgrid.SortIPs(extra)
}

func listOrNone(ips []string) string {
	if len(ips) == 0 {
		return "none"
	}
	return strings.Join(ips, ", ")
}
