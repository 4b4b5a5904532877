package provider

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/identityschema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/boolplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/objectplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/sendgrid"
)

var (
	_ resource.ResourceWithConfigure   = &reverseDNSResource{}
	_ resource.ResourceWithImportState = &reverseDNSResource{}
	_ resource.ResourceWithModifyPlan  = &reverseDNSResource{}
	_ resource.ResourceWithIdentity    = &reverseDNSResource{}
)

func newReverseDNSResource() resource.Resource { return &reverseDNSResource{} }

type reverseDNSResource struct{ data *providerData }

type reverseDNSModel struct {
	ID        types.String   `tfsdk:"id"`
	IP        types.String   `tfsdk:"ip"`
	Domain    types.String   `tfsdk:"domain"`
	Subdomain types.String   `tfsdk:"subdomain"`
	RDNS      types.String   `tfsdk:"rdns"`
	Valid     types.Bool     `tfsdk:"valid"`
	ARecord   types.Object   `tfsdk:"a_record"`
	Timeouts  timeouts.Value `tfsdk:"timeouts"`
}

var aRecordTypes = map[string]attr.Type{"type": types.StringType, "host": types.StringType, "data": types.StringType}

// reverseDNSCost is what refreshing any number of these resources costs.
const reverseDNSCost = "one scan of `GET /v3/whitelabel/ips` per run, shared by every record and paged 500 at a time " +
	"(1,000 records: 3 calls), plus one `GET /v3/whitelabel/ips/{id}` for a record the scan does not show or this run changed."

func (r *reverseDNSResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_reverse_dns"
}

func (r *reverseDNSResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "The reverse DNS record of one of the reseller's IPs (v3 only; SendGrid's \"IP whitelabel\"). " +
			"SendGrid checks it through an A record you publish in your own DNS: `a_record` gives that record's type, host and value, " +
			"ready for a DNS resource of any provider; `sendgrid_reverse_dns_validation` then waits until SendGrid finds it. " +
			"A record deleted outside Terraform is planned for creation. Writes: `POST /v3/whitelabel/ips`, `DELETE /v3/whitelabel/ips/{id}`. " +
			"Reads: " + reverseDNSCost,
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "SendGrid's id of the record; `sendgrid_reverse_dns_validation` takes it as `reverse_dns_id`.",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"ip": schema.StringAttribute{
				MarkdownDescription: "The IPv4 address, in canonical form; it must be on the reseller account and have no reverse DNS record yet. Changing it replaces the record.",
				Required:            true,
				Validators:          []validator.String{ipv4Validator},
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"domain": schema.StringAttribute{
				MarkdownDescription: "The sending domain the IP's name is made under, such as `example.com`. Changing it replaces the record.",
				Required:            true,
				Validators:          []validator.String{domainValidator},
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"subdomain": schema.StringAttribute{
				MarkdownDescription: "The subdomain of `domain` the IP's name is made under, such as `email` " +
					"(SendGrid advises the one of your authenticated domain). Left out, SendGrid chooses and this attribute shows its choice. Changing it replaces the record.",
				Optional:   true,
				Computed:   true,
				Validators: []validator.String{subdomainValidator},
				PlanModifiers: []planmodifier.String{
					stringplanmodifier.UseStateForUnknown(), stringplanmodifier.RequiresReplaceIfConfigured(),
				},
			},
			"rdns": schema.StringAttribute{
				MarkdownDescription: "The name the IP resolves back to, such as `o1.email.example.com`.",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"valid": schema.BoolAttribute{
				MarkdownDescription: "Whether SendGrid has validated the record, as of the last refresh. It turns true after a successful `sendgrid_reverse_dns_validation`; " +
					"a change of it alone plans nothing.",
				Computed:      true,
				PlanModifiers: []planmodifier.Bool{boolplanmodifier.UseStateForUnknown()},
			},
			"a_record": schema.SingleNestedAttribute{
				MarkdownDescription: "The A record to publish in your DNS for SendGrid's validation.",
				Computed:            true,
				PlanModifiers:       []planmodifier.Object{objectplanmodifier.UseStateForUnknown()},
				Attributes: map[string]schema.Attribute{
					"type": schema.StringAttribute{MarkdownDescription: "Always `A`, upper case, as DNS providers expect it.", Computed: true},
					"host": schema.StringAttribute{MarkdownDescription: "The record's fully qualified name, without a trailing dot (the same as `rdns`).", Computed: true},
					"data": schema.StringAttribute{MarkdownDescription: "The record's value: the IP address.", Computed: true},
				},
			},
		},
		Blocks: map[string]schema.Block{
			"timeouts": positiveTimeouts(timeouts.Block(ctx, timeouts.Opts{Create: true, Read: true, Delete: true})),
		},
	}
}

// IdentitySchema is { ip = IP }: SendGrid holds one record per IP (DESIGN.md, "Reverse DNS in the provider").
func (r *reverseDNSResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = identityschema.Schema{
		Attributes: map[string]identityschema.Attribute{
			"ip": identityschema.StringAttribute{Description: "The IP address the record is for.", RequiredForImport: true},
		},
	}
}

func (r *reverseDNSResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = configured(req.ProviderData, &resp.Diagnostics)
}

func (r *reverseDNSResource) ModifyPlan(_ context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if !req.Plan.Raw.IsNull() {
		needsV3(r.data, "sendgrid_reverse_dns", &resp.Diagnostics)
	}
}

func (r *reverseDNSResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan reverseDNSModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := operationContext(ctx, plan.Timeouts.Create, &resp.Diagnostics)
	defer cancel()
	if resp.Diagnostics.HasError() {
		return
	}
	ip := plan.IP.ValueString()
	if !r.checkCreate(ctx, ip, &resp.Diagnostics) {
		return
	}
	rec, err := r.data.client.CreateReverseDNS(ctx, ip, plan.Domain.ValueString(), plan.Subdomain.ValueString())
	if err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("domain"), "Unable to Create SendGrid Reverse DNS Record",
			fmt.Sprintf("Setting up reverse DNS for %s under %q failed.\n\n%s", ip, plan.Domain.ValueString(), apiErrorDetail(err)))
		return
	}
	resp.Diagnostics.Append(plan.record(rec)...)
	resp.Diagnostics.Append(setIdentity(ctx, resp.Identity, "ip", plan.IP)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

// checkCreate explains the two mistakes SendGrid would only answer with a bare 400, before sending.
func (r *reverseDNSResource) checkCreate(ctx context.Context, ip string, diags *diag.Diagnostics) bool {
	if _, err := r.data.client.Warmup(ctx, ip); errors.Is(err, sendgrid.ErrIPNotFound) {
		diags.AddAttributeError(path.Root("ip"), "IP Address Not on the SendGrid Account",
			fmt.Sprintf("The reseller account has no IP %s; the sendgrid_ips data source lists those it has.", ip))
		return false
	}
	all, err := r.data.client.ReverseDNSRecords(ctx)
	if err != nil {
		diags.AddError("Unable to Read SendGrid Reverse DNS Records", apiErrorDetail(err))
		return false
	}
	for _, rec := range all {
		if rec.IP == ip {
			diags.AddAttributeError(path.Root("ip"), "IP Address Already Has Reverse DNS",
				fmt.Sprintf("SendGrid already holds reverse DNS record %d for %s (%s); an IP has at most one. "+
					"Adopt it instead: an import block with id = %q (or identity { ip = %q }), or `terraform import ADDRESS %d`.",
					rec.ID, ip, rec.RDNS, strconv.FormatInt(rec.ID, 10), ip, rec.ID))
			return false
		}
	}
	return true
}

func (r *reverseDNSResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state reverseDNSModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := operationContext(ctx, state.Timeouts.Read, &resp.Diagnostics)
	defer cancel()
	if resp.Diagnostics.HasError() {
		return
	}
	if !state.IP.IsNull() {
		resp.Diagnostics.Append(setIdentity(ctx, resp.Identity, "ip", state.IP)...)
	}
	rec, err := r.find(ctx, state)
	if errors.Is(err, sendgrid.ErrReverseDNSNotFound) {
		tflog.Warn(ctx, "SendGrid reverse DNS record no longer exists; removing it from state", map[string]any{"id": state.ID.ValueString(), "ip": state.IP.ValueString()})
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		resp.Diagnostics.AddError("Unable to Read SendGrid Reverse DNS Record", apiErrorDetail(err))
		return
	}
	resp.Diagnostics.Append(state.record(rec)...)
	resp.Diagnostics.Append(setIdentity(ctx, resp.Identity, "ip", state.IP)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

// find reads the record by id, or by IP after an import by IP or identity (no id yet).
func (r *reverseDNSResource) find(ctx context.Context, state reverseDNSModel) (sendgrid.ReverseDNS, error) {
	if id, err := strconv.ParseInt(state.ID.ValueString(), 10, 64); err == nil {
		return r.data.client.ReverseDNS(ctx, id)
	}
	all, err := r.data.client.ReverseDNSRecords(ctx)
	if err != nil {
		return sendgrid.ReverseDNS{}, err
	}
	for _, rec := range all {
		if rec.IP == state.IP.ValueString() {
			return rec, nil
		}
	}
	return sendgrid.ReverseDNS{}, sendgrid.ErrReverseDNSNotFound
}

func (r *reverseDNSResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan reverseDNSModel // only timeouts can change in place
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(setIdentity(ctx, resp.Identity, "ip", plan.IP)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

func (r *reverseDNSResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state reverseDNSModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := operationContext(ctx, state.Timeouts.Delete, &resp.Diagnostics)
	defer cancel()
	if resp.Diagnostics.HasError() {
		return
	}
	id, _ := strconv.ParseInt(state.ID.ValueString(), 10, 64)
	err := r.data.client.DeleteReverseDNS(ctx, id)
	if errors.Is(err, sendgrid.ErrReverseDNSNotFound) {
		tflog.Warn(ctx, "SendGrid reverse DNS record already gone", map[string]any{"id": id})
		return
	}
	if err != nil {
		resp.Diagnostics.AddError("Unable to Delete SendGrid Reverse DNS Record", apiErrorDetail(err))
	}
}

// ImportState takes the record's id or its IP (DESIGN.md, "Reverse DNS in the provider").
func (r *reverseDNSResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	id := importID(ctx, req, "ip", &resp.Diagnostics)
	switch {
	case checkRecordID(id) == "":
		resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), id)...)
	case checkIPv4(id) == "":
		resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("ip"), id)...)
		resp.Diagnostics.Append(setIdentity(ctx, resp.Identity, "ip", types.StringValue(id))...)
	default:
		resp.Diagnostics.AddError("Invalid Import ID",
			fmt.Sprintf("The import ID must be the record's id (a positive whole number) or its IPv4 address; got %q.", id))
	}
}

// record copies SendGrid's record into the model.
func (m *reverseDNSModel) record(rec sendgrid.ReverseDNS) diag.Diagnostics {
	m.ID = types.StringValue(strconv.FormatInt(rec.ID, 10))
	m.IP = types.StringValue(rec.IP)
	m.Domain = sameName(m.Domain, rec.Domain)
	m.Subdomain = sameName(m.Subdomain, rec.Subdomain)
	m.RDNS = types.StringValue(rec.RDNS)
	m.Valid = types.BoolValue(rec.Valid)
	var diags diag.Diagnostics
	m.ARecord, diags = types.ObjectValue(aRecordTypes, map[string]attr.Value{
		"type": types.StringValue(rec.ARecord.Type), "host": types.StringValue(rec.ARecord.Host), "data": types.StringValue(rec.ARecord.Data),
	})
	return diags
}

// sameName keeps the configuration's spelling of a DNS name SendGrid may answer in another case.
func sameName(had types.String, got string) types.String {
	if strings.EqualFold(had.ValueString(), got) && !had.IsNull() && !had.IsUnknown() {
		return had
	}
	return types.StringValue(got)
}
