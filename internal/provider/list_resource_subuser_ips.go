package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/list"
	listschema "github.com/hashicorp/terraform-plugin-framework/list/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/sendgrid"
)

var (
	_ list.ListResourceWithConfigure     = &subuserIPsListResource{}
	_ provider.ProviderWithListResources = &sendgridProvider{}
)

func newSubuserIPsListResource() list.ListResource { return &subuserIPsListResource{} }

// subuserIPsListResource lists every subuser as a sendgrid_subuser_ips
// object for `terraform query` (Terraform 1.14+).
type subuserIPsListResource struct{ data *providerData }

type subuserIPsListModel struct {
	NamePrefix types.String `tfsdk:"name_prefix"`
}

func (r *subuserIPsListResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_subuser_ips"
}

func (r *subuserIPsListResource) ListResourceConfigSchema(_ context.Context, _ list.ListResourceSchemaRequest, resp *list.ListResourceSchemaResponse) {
	resp.Schema = listschema.Schema{
		MarkdownDescription: "Every subuser of the reseller account as a `sendgrid_subuser_ips` object, identity `{ user = NAME }`, sorted by name. Calls: " + subusersCost +
			" `include_resource` adds no call.",
		Attributes: map[string]listschema.Attribute{
			"name_prefix": listschema.StringAttribute{
				MarkdownDescription: "Only subusers whose name starts with this text (case-sensitive); applied by the provider, it costs no extra call. " +
					"Checked when the query is validated: the " + namePrefixValidator.Description(context.Background()) + ".",
				Optional:   true,
				Validators: []validator.String{namePrefixValidator},
			},
		},
	}
}

func (r *subuserIPsListResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = configured(req.ProviderData, &resp.Diagnostics)
}

func (r *subuserIPsListResource) List(ctx context.Context, req list.ListRequest, stream *list.ListResultsStream) {
	var cfg subuserIPsListModel
	diags := req.Config.Get(ctx, &cfg)
	keep := subuserFilter{prefix: cfg.NamePrefix.ValueString()}
	listResults(stream, diags, r.data, "Unable to List SendGrid Subusers", func() ([]sendgrid.Subuser, error) { return r.data.client.Subusers(ctx) },
		keep.match, req.Limit, func(s sendgrid.Subuser) list.ListResult { return r.result(ctx, req, s) })
}

// listResults streams what read returns, filtered by keep, or diags when the list cannot run; the
// calls run when Terraform reads the stream, not before.
func listResults[T any](stream *list.ListResultsStream, diags diag.Diagnostics, data *providerData, failure string,
	read func() ([]T, error), keep func(T) bool, limit int64, result func(T) list.ListResult) {
	if data == nil {
		diags.AddError("Unconfigured SendGrid Provider",
			"The list resource has no SendGrid client because the provider was not configured. Please report this issue to the provider developers.")
	}
	if diags.HasError() {
		stream.Results = list.ListResultsStreamDiagnostics(diags)
		return
	}
	stream.Results = func(push func(list.ListResult) bool) {
		all, err := read()
		if err != nil {
			var d diag.Diagnostics
			d.AddError(failure, apiErrorDetail(err))
			push(list.ListResult{Diagnostics: d})
			return
		}
		streamList(push, all, keep, limit, result)
	}
}

// streamList pushes a result for each item keep accepts, up to limit (0: no limit), until Terraform
// stops reading or a result fails.
func streamList[T any](push func(list.ListResult) bool, items []T, keep func(T) bool, limit int64, result func(T) list.ListResult) {
	var sent int64
	for _, item := range items {
		if !keep(item) {
			continue
		}
		if limit > 0 && sent >= limit {
			return
		}
		res := result(item)
		sent++
		if !push(res) || res.Diagnostics.HasError() {
			return
		}
	}
}

// result is one subuser as a list result.
func (r *subuserIPsListResource) result(ctx context.Context, req list.ListRequest, s sendgrid.Subuser) list.ListResult {
	result := req.NewListResult(ctx)
	result.DisplayName = s.Name
	name := types.StringValue(s.Name)
	result.Diagnostics.Append(setIdentity(ctx, result.Identity, "user", name)...)
	if !req.IncludeResource || result.Diagnostics.HasError() {
		return result
	}
	held := sendgrid.Holding{IPs: s.IPs, OutboundCluster: s.OutboundCluster}
	m := subuserIPsModel{ID: name, User: name, OnDestroy: types.StringValue(onDestroyUnassign)}
	result.Diagnostics.Append(m.record(&held)...)
	result.Diagnostics.Append(setResource(ctx, result.Resource, m)...)
	return result
}

// setResource writes every attribute but timeouts, which stays null as
// after an import.
func setResource(ctx context.Context, res *tfsdk.Resource, m subuserIPsModel) diag.Diagnostics {
	var diags diag.Diagnostics
	for name, v := range map[string]any{"id": m.ID, "user": m.User, "ips": m.IPs, "outbound_cluster": m.OutboundCluster, "on_destroy": m.OnDestroy} {
		diags.Append(res.SetAttribute(ctx, path.Root(name), v)...)
	}
	return diags
}
