package provider

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timetypes/timetypes"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/identityschema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/sendgrid"
)

var (
	_ resource.ResourceWithConfigure   = &ipWarmupResource{}
	_ resource.ResourceWithImportState = &ipWarmupResource{}
	_ resource.ResourceWithModifyPlan  = &ipWarmupResource{}
	_ resource.ResourceWithIdentity    = &ipWarmupResource{}
)

func newIPWarmupResource() resource.Resource { return &ipWarmupResource{} }

type ipWarmupResource struct{ data *providerData }

type ipWarmupModel struct {
	ID        types.String      `tfsdk:"id"`
	IP        types.String      `tfsdk:"ip"`
	StartDate timetypes.RFC3339 `tfsdk:"start_date"`
	Status    types.String      `tfsdk:"status"`
}

func (r *ipWarmupResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_ip_warmup"
}

func (r *ipWarmupResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: fmt.Sprintf("SendGrid's automated warmup of one dedicated IP (v3 only): SendGrid limits the IP's hourly volume on its schedule "+
			"and lifts the limits when the schedule ends. Create starts it (`POST /v3/ips/warmup`), destroy stops it (`DELETE /v3/ips/warmup/{ip}`). "+
			"A warmup SendGrid ran to completion stays in state, `status = \"complete\"`, and is never started again; "+
			"a warmup stopped outside Terraform before %d days shows as drift and is planned to start again (see the page's Completion section). "+
			"Reads: one scan of `GET /v3/ips` per run, shared with every warmup, pool and subuser read (500 IPs a call).", int(sendgrid.WarmupLength.Hours()/24)),
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "The IP address (same as `ip`).",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"ip": schema.StringAttribute{
				MarkdownDescription: "The IPv4 address to warm up, in canonical form; it must be on the reseller account and not warming up already. Changing it replaces the warmup.",
				Required:            true,
				Validators:          []validator.String{ipv4Validator},
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"start_date": schema.StringAttribute{
				MarkdownDescription: "When SendGrid started the warmup (RFC 3339, UTC).",
				CustomType:          timetypes.RFC3339Type{},
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"status": schema.StringAttribute{
				MarkdownDescription: "`warming` while SendGrid limits the IP, `complete` once the warmup ran its course.",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
		},
	}
}

func (r *ipWarmupResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = identityschema.Schema{
		Attributes: map[string]identityschema.Attribute{
			"ip": identityschema.StringAttribute{Description: "The IP address warming up.", RequiredForImport: true},
		},
	}
}

func (r *ipWarmupResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = configured(req.ProviderData, &resp.Diagnostics)
}

func (r *ipWarmupResource) ModifyPlan(_ context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if !req.Plan.Raw.IsNull() {
		needsV3(r.data, "sendgrid_ip_warmup", &resp.Diagnostics)
	}
}

func (r *ipWarmupResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan ipWarmupModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ip := plan.IP.ValueString()
	had, err := r.data.client.Warmup(ctx, ip)
	switch {
	case errors.Is(err, sendgrid.ErrIPNotFound):
		resp.Diagnostics.AddAttributeError(path.Root("ip"), "IP Address Not on the SendGrid Account",
			fmt.Sprintf("The reseller account has no IP %s; the sendgrid_ips data source lists those it has.", ip))
		return
	case err != nil:
		resp.Diagnostics.AddError("Unable to Read SendGrid IP Warmup", apiErrorDetail(err))
		return
	case had.Status == sendgrid.WarmupWarming:
		resp.Diagnostics.AddAttributeError(path.Root("ip"), "IP Address Already Warming Up",
			fmt.Sprintf("SendGrid has been warming up %s since %s; starting again is refused. Adopt the running warmup instead: "+
				"an import block with id = %q (or identity { ip = %q }), or `terraform import ADDRESS %s`.",
				ip, had.StartDate.Format(time.RFC3339), ip, ip, ip))
		return
	}
	got, err := r.data.client.StartWarmup(ctx, ip)
	if err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("ip"), "Unable to Start SendGrid IP Warmup",
			fmt.Sprintf("Starting the warmup of %s failed.\n\n%s", ip, apiErrorDetail(err)))
		return
	}
	plan.record(got)
	resp.Diagnostics.Append(setIdentity(ctx, resp.Identity, "ip", plan.IP)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

// Read keeps a warmup that is running or ran to completion (DESIGN.md, "Warmup: complete or stopped").
func (r *ipWarmupResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state ipWarmupModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ip := state.IP.ValueString()
	resp.Diagnostics.Append(setIdentity(ctx, resp.Identity, "ip", state.IP)...)
	got, err := r.data.client.Warmup(ctx, ip)
	switch {
	case errors.Is(err, sendgrid.ErrIPNotFound):
		resp.Diagnostics.AddWarning("IP Address Left the SendGrid Account",
			fmt.Sprintf("%s is no longer on the reseller account, so its warmup is removed from state.", ip))
		resp.State.RemoveResource(ctx)
		return
	case err != nil:
		resp.Diagnostics.AddError("Unable to Read SendGrid IP Warmup", apiErrorDetail(err))
		return
	case got.Status == sendgrid.WarmupStopped, got.Status == sendgrid.WarmupNone:
		resp.Diagnostics.AddWarning("SendGrid IP Warmup Stopped Outside Terraform",
			fmt.Sprintf("%s is not warming up, and %s; the schedule cannot have run its course, so the warmup was stopped outside Terraform. "+
				"It is removed from state, and the next apply starts it again.", ip, stoppedWhen(got)))
		resp.State.RemoveResource(ctx)
		return
	}
	state.record(got)
	resp.Diagnostics.Append(setIdentity(ctx, resp.Identity, "ip", state.IP)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

func stoppedWhen(w sendgrid.Warmup) string {
	if w.StartDate.IsZero() {
		return "SendGrid shows no warmup start date"
	}
	return fmt.Sprintf("its warmup started %s, less than %d days ago", w.StartDate.Format(time.RFC3339), int(sendgrid.WarmupLength.Hours()/24))
}

func (r *ipWarmupResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan ipWarmupModel // nothing changes in place; kept for completeness of the protocol
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

// Delete stops a running warmup; one that completed has nothing to stop.
func (r *ipWarmupResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state ipWarmupModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() || state.Status.ValueString() == string(sendgrid.WarmupComplete) {
		return
	}
	if err := r.data.client.StopWarmup(ctx, state.IP.ValueString()); err != nil {
		resp.Diagnostics.AddError("Unable to Stop SendGrid IP Warmup", apiErrorDetail(err))
	}
}

func (r *ipWarmupResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	ip := importID(ctx, req, "ip", &resp.Diagnostics)
	if msg := checkIPv4(ip); msg != "" {
		resp.Diagnostics.AddError("Invalid Import ID", fmt.Sprintf("The import ID (or the identity's ip) must be the IP address: %s.", msg))
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("ip"), ip)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), ip)...)
	resp.Diagnostics.Append(setIdentity(ctx, resp.Identity, "ip", types.StringValue(ip))...)
}

func (m *ipWarmupModel) record(w sendgrid.Warmup) {
	m.ID = types.StringValue(w.IP)
	m.IP = types.StringValue(w.IP)
	m.Status = types.StringValue(string(w.Status))
	m.StartDate = timetypes.NewRFC3339Null()
	if !w.StartDate.IsZero() {
		m.StartDate = timetypes.NewRFC3339TimeValue(w.StartDate)
	}
}
