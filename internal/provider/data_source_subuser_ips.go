package provider

import (
	"context"
	"errors"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/quirks"
	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/sendgrid"
)

var _ datasource.DataSourceWithConfigure = &subuserIPsDataSource{}

func newSubuserIPsDataSource() datasource.DataSource { return &subuserIPsDataSource{} }

type subuserIPsDataSource struct{ data *providerData }

type subuserIPsDataModel struct {
	ID              types.String     `tfsdk:"id"`
	User            types.String     `tfsdk:"user"`
	IPs             quirks.StringSet `tfsdk:"ips"`
	OutboundCluster types.String     `tfsdk:"outbound_cluster"`
}

func (d *subuserIPsDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_subuser_ips"
}

func (d *subuserIPsDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "The IP addresses one subuser sends from, read with `customer.sendip task=list` (v2) or `GET /v3/ips?subuser=NAME` (v3). " +
			"Use it to look at a subuser that Terraform does not manage.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "The subuser's name.",
				Computed:            true,
			},
			"user": schema.StringAttribute{
				MarkdownDescription: "Name of the subuser. Reading a subuser that does not exist is an error.",
				Required:            true,
				Validators:          []validator.String{userValidator},
			},
			"ips": schema.SetAttribute{
				MarkdownDescription: "IP addresses assigned to the subuser; empty when none are.",
				CustomType:          quirks.NewStringSetType(),
				ElementType:         types.StringType,
				Computed:            true,
			},
			"outbound_cluster": schema.StringAttribute{
				MarkdownDescription: "The subuser's outbound cluster as the v2 API reports it (an opaque name such as `SendGrid MTA`); null on v3, which has no such field.",
				Computed:            true,
			},
		},
	}
}

func (d *subuserIPsDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = configured(req.ProviderData, &resp.Diagnostics)
}

func (d *subuserIPsDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var data subuserIPsDataModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &data)...)
	if resp.Diagnostics.HasError() {
		return
	}
	user := data.User.ValueString()
	got, err := d.data.client.SubuserIPs(ctx, user)
	if errors.Is(err, sendgrid.ErrSubuserNotFound) {
		resp.Diagnostics.AddAttributeError(path.Root("user"), "SendGrid Subuser Not Found",
			"SendGrid has no subuser named \""+user+"\": "+err.Error())
		return
	}
	if err != nil {
		resp.Diagnostics.AddError("Unable to Read SendGrid Subuser IPs", apiErrorDetail(err))
		return
	}
	ips, diags := quirks.NewStringSet(got.IPs)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	data.ID = types.StringValue(user)
	data.IPs = ips
	data.OutboundCluster = types.StringNull() // v3 has no outbound cluster
	if got.OutboundCluster != "" {
		data.OutboundCluster = types.StringValue(got.OutboundCluster)
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &data)...)
}
