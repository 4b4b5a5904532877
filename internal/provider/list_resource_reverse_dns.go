package provider

import (
	"context"
	"strings"

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
	needsV3(r.data, "list.sendgrid_reverse_dns", &diags)
	listResults(stream, diags, r.data, "Unable to List SendGrid Reverse DNS Records", func() ([]sendgrid.ReverseDNS, error) { return r.data.client.ReverseDNSRecords(ctx) },
		func(rec sendgrid.ReverseDNS) bool {
			return domain.IsNull() || strings.EqualFold(rec.Domain, domain.ValueString())
		}, req.Limit, func(rec sendgrid.ReverseDNS) list.ListResult { return r.result(ctx, req, rec) })
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
