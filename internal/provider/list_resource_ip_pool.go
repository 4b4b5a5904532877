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

var _ list.ListResourceWithConfigure = &ipPoolListResource{}

func newIPPoolListResource() list.ListResource { return &ipPoolListResource{} }

// ipPoolListResource lists every pool as a sendgrid_ip_pool object for `terraform query` (Terraform 1.14+).
type ipPoolListResource struct{ data *providerData }

func (r *ipPoolListResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_ip_pool"
}

func (r *ipPoolListResource) ListResourceConfigSchema(_ context.Context, _ list.ListResourceSchemaRequest, resp *list.ListResourceSchemaResponse) {
	resp.Schema = listschema.Schema{
		MarkdownDescription: "Every IP pool of the account as a `sendgrid_ip_pool` object, identity `{ name = POOL }`, sorted by name (v3 only). Calls: " +
			poolsCost + " `include_resource` adds no call.",
		Attributes: map[string]listschema.Attribute{
			"name_prefix": listschema.StringAttribute{
				MarkdownDescription: "Only pools whose name starts with this text (case-sensitive); applied by the provider, it costs no extra call.",
				Optional:            true,
				Validators:          []validator.String{poolPrefixValidator},
			},
		},
	}
}

func (r *ipPoolListResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = configured(req.ProviderData, &resp.Diagnostics)
}

func (r *ipPoolListResource) List(ctx context.Context, req list.ListRequest, stream *list.ListResultsStream) {
	var prefix types.String
	diags := req.Config.GetAttribute(ctx, path.Root("name_prefix"), &prefix)
	needsV3(r.data, "list.sendgrid_ip_pool", &diags)
	listResults(stream, diags, r.data, "Unable to List SendGrid IP Pools", func() ([]sendgrid.Pool, error) { return r.data.client.Pools(ctx) },
		func(p sendgrid.Pool) bool { return strings.HasPrefix(p.Name, prefix.ValueString()) }, req.Limit, func(p sendgrid.Pool) list.ListResult { return r.result(ctx, req, p) })
}

func (r *ipPoolListResource) result(ctx context.Context, req list.ListRequest, p sendgrid.Pool) list.ListResult {
	result := req.NewListResult(ctx)
	result.DisplayName = p.Name
	name := types.StringValue(p.Name)
	result.Diagnostics.Append(setIdentity(ctx, result.Identity, "name", name)...)
	if !req.IncludeResource || result.Diagnostics.HasError() {
		return result
	}
	m := ipPoolModel{ID: name, Name: name}
	result.Diagnostics.Append(m.record(p.IPs)...)
	for attr, v := range map[string]any{"id": m.ID, "name": m.Name, "ips": m.IPs} {
		result.Diagnostics.Append(result.Resource.SetAttribute(ctx, path.Root(attr), v)...)
	}
	return result
}
