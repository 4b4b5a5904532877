package provider

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/sendgrid"
)

var (
	_ resource.ResourceWithConfigure  = &reverseDNSValidationResource{}
	_ resource.ResourceWithModifyPlan = &reverseDNSValidationResource{}
)

// validationTimeout is the default wait for a new A record to be found; DNS changes often take minutes.
const validationTimeout = 45 * time.Minute

func newReverseDNSValidationResource() resource.Resource { return &reverseDNSValidationResource{} }

type reverseDNSValidationResource struct{ data *providerData }

type reverseDNSValidationModel struct {
	ID           types.String   `tfsdk:"id"`
	ReverseDNSID types.String   `tfsdk:"reverse_dns_id"`
	RDNS         types.String   `tfsdk:"rdns"`
	Timeouts     timeouts.Value `tfsdk:"timeouts"`
}

func (r *reverseDNSValidationResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_reverse_dns_validation"
}

func (r *reverseDNSValidationResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Waits until SendGrid validates a reverse DNS record (v3 only): create asks SendGrid to check the record's A record, " +
			"with `POST /v3/whitelabel/ips/{id}/validate`, again and again until it is valid or the create timeout (default 45 minutes) ends. " +
			"Make it depend on the DNS resource that publishes the A record. It holds nothing in SendGrid: destroying it sends nothing. " +
			"A record that is no longer valid, or no longer exists, at a refresh is planned for validation again. Reads: " + reverseDNSCost,
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "The same as `reverse_dns_id`.",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"reverse_dns_id": schema.StringAttribute{
				MarkdownDescription: "The id of the record to validate: `sendgrid_reverse_dns.NAME.id`. Changing it validates the new record.",
				Required:            true,
				Validators:          []validator.String{recordIDValidator},
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"rdns": schema.StringAttribute{
				MarkdownDescription: "The validated record's name, such as `o1.email.example.com`.",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
		},
		Blocks: map[string]schema.Block{
			"timeouts": positiveTimeouts(timeouts.Block(ctx, timeouts.Opts{Create: true})),
		},
	}
}

func (r *reverseDNSValidationResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = configured(req.ProviderData, &resp.Diagnostics)
}

func (r *reverseDNSValidationResource) ModifyPlan(_ context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if !req.Plan.Raw.IsNull() {
		needsV3(r.data, "sendgrid_reverse_dns_validation", &resp.Diagnostics)
	}
}

func (r *reverseDNSValidationResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan reverseDNSValidationModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	wait, diags := plan.Timeouts.Create(ctx, validationTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	id, _ := strconv.ParseInt(plan.ReverseDNSID.ValueString(), 10, 64)
	rec, err := r.data.client.ReverseDNS(ctx, id)
	if err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("reverse_dns_id"), "Unable to Read SendGrid Reverse DNS Record",
			fmt.Sprintf("Reading reverse DNS record %d before validating it failed.\n\n%s", id, apiErrorDetail(err)))
		return
	}
	if !rec.Valid && !r.validate(ctx, rec, wait, &resp.Diagnostics) {
		return
	}
	plan.ID = plan.ReverseDNSID
	plan.RDNS = types.StringValue(rec.RDNS)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

// validate asks SendGrid to validate until it says valid, waiting poll, then twice as long, up to 15 times poll.
func (r *reverseDNSValidationResource) validate(ctx context.Context, rec sendgrid.ReverseDNS, limit time.Duration, diags *diag.Diagnostics) bool {
	wait, attempts := r.data.poll, 0
	for {
		attempts++
		got, err := r.data.client.ValidateReverseDNS(ctx, rec.ID)
		switch {
		case err == nil && got.Valid:
			return true
		case err != nil && ctx.Err() == nil:
			diags.AddAttributeError(path.Root("reverse_dns_id"), "Unable to Validate SendGrid Reverse DNS Record",
				fmt.Sprintf("Asking SendGrid to validate reverse DNS record %d (%s) failed.\n\n%s", rec.ID, rec.RDNS, apiErrorDetail(err)))
			return false
		}
		reason := got.Reason
		if err != nil {
			reason = err.Error()
		}
		tflog.Debug(ctx, "reverse DNS record not valid yet", map[string]any{"id": rec.ID, "attempt": attempts, "reason": reason, "wait_ms": wait.Milliseconds()})
		if dl, _ := ctx.Deadline(); err != nil || time.Now().Add(wait).After(dl) {
			diags.AddAttributeError(path.Root("reverse_dns_id"), "SendGrid Reverse DNS Not Validated in Time",
				fmt.Sprintf("SendGrid did not validate reverse DNS record %d within %s (%d attempts).\n\n"+
					"It expects this record in your DNS:\n  type: %s\n  host: %s\n  value: %s\n\n"+
					"SendGrid's last reason: %s\n\nPublish the record (or wait for DNS to carry it), then apply again; "+
					"the timeouts block's create sets how long to wait.",
					rec.ID, limit, attempts, rec.ARecord.Type, rec.ARecord.Host, rec.ARecord.Data, reasonOrNone(reason)))
			return false
		}
		timer := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			timer.Stop()
		case <-timer.C:
		}
		wait = min(2*wait, 15*r.data.poll)
	}
}

func reasonOrNone(s string) string {
	if s == "" {
		return "(none given)"
	}
	return s
}

// Read keeps the validation only while SendGrid still shows the record valid (DESIGN.md, "Reverse DNS in the provider").
func (r *reverseDNSValidationResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state reverseDNSValidationModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	id, _ := strconv.ParseInt(state.ReverseDNSID.ValueString(), 10, 64)
	rec, err := r.data.client.ReverseDNS(ctx, id)
	switch {
	case errors.Is(err, sendgrid.ErrReverseDNSNotFound):
		tflog.Warn(ctx, "reverse DNS record of a validation no longer exists; removing the validation from state", map[string]any{"id": id})
		resp.State.RemoveResource(ctx)
		return
	case err != nil:
		resp.Diagnostics.AddError("Unable to Read SendGrid Reverse DNS Record", apiErrorDetail(err))
		return
	case !rec.Valid:
		tflog.Warn(ctx, "reverse DNS record is no longer valid; removing its validation from state", map[string]any{"id": id})
		resp.State.RemoveResource(ctx)
		return
	}
	state.RDNS = types.StringValue(rec.RDNS)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

func (r *reverseDNSValidationResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan reverseDNSValidationModel // only timeouts can change in place
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

// Delete sends nothing: a validation holds nothing in SendGrid.
func (r *reverseDNSValidationResource) Delete(context.Context, resource.DeleteRequest, *resource.DeleteResponse) {
}
