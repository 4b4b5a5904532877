package provider

import (
	"context"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/list"
	listschema "github.com/hashicorp/terraform-plugin-framework/list/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/sendgrid"
)

var _ list.ListResourceWithConfigure = &reverseDNSListResource{}

func newReverseDNSListResource() list.ListResource { return &reverseDNSListResource{} }

// reverseDNSListResource lists every reverse DNS record as a sendgrid_reverse_dns object for `terraform query`.
type reverseDNSListResource struct{ data *providerData }

func (r *reverseDNSListResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_reverse_dns"
}

func (r *reverseDNSListResource) ListResourceConfigSchema(_ context.Context, _ list.ListResourceSchemaRequest, resp *list.ListResourceSchemaResponse) {
	resp.Schema = listschema.Schema{
		MarkdownDescription: "Every reverse DNS record of the account as a `sendgrid_reverse_dns` object, identity `{ ip = IP }`, sorted by IP (v3 only). " +
			"Calls: one paged scan of `GET /v3/whitelabel/ips` (500 records a call); `include_resource` adds no call.",
		Attributes: map[string]listschema.Attribute{
			"domain": listschema.StringAttribute{
				MarkdownDescription: "Only records made under this domain (compared without regard to case); applied by the provider, it costs no extra call.",
				Optional:            true,
				Validators:          []validator.String{domainValidator},
			},
		},
	}
}

func (r *reverseDNSListResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = configured(req.ProviderData, &resp.Diagnostics)
}

func (r *reverseDNSListResource) List(ctx context.Context, req list.ListRequest, stream *list.ListResultsStream) {
	var domain types.String
	diags := req.Config.GetAttribute(ctx, path.Root("domain"), &domain)
	if r.data == nil {
		diags.AddError("Unconfigured SendGrid Provider",
			"The list resource has no SendGrid client because the provider was not configured. Please report this issue to the provider developers.")
	}
	needsV3(r.data, "list.sendgrid_reverse_dns", &diags)
	if diags.HasError() {
		stream.Results = list.ListResultsStreamDiagnostics(diags)
		return
	}
	stream.Results = func(push func(list.ListResult) bool) {
		all, err := r.data.client.ReverseDNSRecords(ctx)
		if err != nil {
			var d diag.Diagnostics
			d.AddError("Unable to List SendGrid Reverse DNS Records", apiErrorDetail(err))
			push(list.ListResult{Diagnostics: d})
			return
		}
		keep := func(rec sendgrid.ReverseDNS) bool {
			return domain.IsNull() || strings.EqualFold(rec.Domain, domain.ValueString())
		}
		streamList(push, all, keep, req.Limit, func(rec sendgrid.ReverseDNS) list.ListResult { return r.result(ctx, req, rec) })
	}
}

func (r *reverseDNSListResource) result(ctx context.Context, req list.ListRequest, rec sendgrid.ReverseDNS) list.ListResult {
	result := req.NewListResult(ctx)
	result.DisplayName = rec.IP + " " + rec.RDNS
	result.Diagnostics.Append(setIdentity(ctx, result.Identity, "ip", types.StringValue(rec.IP))...)
	if !req.IncludeResource || result.Diagnostics.HasError() {
		return result
	}
	var m reverseDNSModel
	result.Diagnostics.Append(m.record(rec)...)
	for attr, v := range map[string]any{"id": m.ID, "ip": m.IP, "domain": m.Domain, "subdomain": m.Subdomain, "rdns": m.RDNS, "valid": m.Valid, "a_record": m.ARecord} {
		result.Diagnostics.Append(result.Resource.SetAttribute(ctx, path.Root(attr), v)...)
	}
	return result
}
