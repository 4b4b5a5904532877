package provider

import (
	"context"
	"errors"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timetypes/timetypes"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/sendgrid"
)

var _ datasource.DataSourceWithConfigure = &ipDataSource{}

func newIPDataSource() datasource.DataSource { return &ipDataSource{} }

type ipDataSource struct{ data *providerData }

type ipModel struct {
	IP           types.String      `tfsdk:"ip"`
	Subusers     types.Set         `tfsdk:"subusers"`
	Pools        types.Set         `tfsdk:"pools"`
	RDNS         types.String      `tfsdk:"rdns"`
	Whitelabeled types.Bool        `tfsdk:"whitelabeled"`
	Warmup       types.Bool        `tfsdk:"warmup"`
	StartDate    timetypes.RFC3339 `tfsdk:"warmup_start_date"`
}

func (d *ipDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_ip"
}

func (d *ipDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "One of the reseller's IP addresses as SendGrid describes it (v3 only): who sends from it, its pools, " +
			"its reverse DNS and its warmup. One `GET /v3/ips/{ip}`; writes made earlier in the same run (subuser IPs, pools) are shown.",
		Attributes: map[string]schema.Attribute{
			"ip": schema.StringAttribute{
				MarkdownDescription: "The IPv4 address, in canonical form. Reading an address that is not on the account is an error.",
				Required:            true,
				Validators:          []validator.String{ipv4Validator},
			},
			"subusers": schema.SetAttribute{
				MarkdownDescription: "The subusers that send from this IP.",
				ElementType:         types.StringType,
				Computed:            true,
			},
			"pools": schema.SetAttribute{
				MarkdownDescription: "The IP pools this IP is in.",
				ElementType:         types.StringType,
				Computed:            true,
			},
			"rdns": schema.StringAttribute{
				MarkdownDescription: "The IP's reverse DNS name; null when it has none (SendGrid then refuses to put it in a pool).",
				Computed:            true,
			},
			"whitelabeled": schema.BoolAttribute{
				MarkdownDescription: "Whether the IP has a reverse DNS record.",
				Computed:            true,
			},
			"warmup": schema.BoolAttribute{
				MarkdownDescription: "Whether the IP is warming up.",
				Computed:            true,
			},
			"warmup_start_date": schema.StringAttribute{
				MarkdownDescription: "When the warmup started (RFC 3339, UTC); null when SendGrid gives no date.",
				CustomType:          timetypes.RFC3339Type{},
				Computed:            true,
			},
		},
	}
}

func (d *ipDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = configured(req.ProviderData, &resp.Diagnostics)
}

func (d *ipDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var data ipModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &data)...)
	needsV3(d.data, "data.sendgrid_ip", &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	got, err := d.data.client.IP(ctx, data.IP.ValueString())
	if errors.Is(err, sendgrid.ErrIPNotFound) {
		resp.Diagnostics.AddAttributeError(path.Root("ip"), "IP Address Not on the SendGrid Account",
			"The reseller account has no IP "+data.IP.ValueString()+"; the sendgrid_ips data source lists those it has.\n\n"+err.Error())
		return
	}
	if err != nil {
		resp.Diagnostics.AddError("Unable to Read SendGrid IP Address", apiErrorDetail(err))
		return
	}
	var diags diag.Diagnostics
	data.Subusers, diags = types.SetValueFrom(ctx, types.StringType, got.Subusers)
	resp.Diagnostics.Append(diags...)
	data.Pools, diags = types.SetValueFrom(ctx, types.StringType, got.Pools)
	resp.Diagnostics.Append(diags...)
	data.RDNS = types.StringNull()
	if got.RDNS != "" {
		data.RDNS = types.StringValue(got.RDNS)
	}
	data.Whitelabeled = types.BoolValue(got.Whitelabeled)
	data.Warmup = types.BoolValue(got.Warmup)
	data.StartDate = timetypes.NewRFC3339Null()
	if got.StartDate != 0 {
		data.StartDate = timetypes.NewRFC3339TimeValue(time.Unix(got.StartDate, 0).UTC())
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &data)...)
}
