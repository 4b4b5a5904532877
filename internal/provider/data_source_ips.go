package provider

import (
	"context"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/sendgrid"
)

var _ datasource.DataSourceWithConfigure = &ipsDataSource{}

func newIPsDataSource() datasource.DataSource { return &ipsDataSource{} }

type ipsDataSource struct{ data *providerData }

type ipsModel struct {
	ID   types.String `tfsdk:"id"`
	List types.String `tfsdk:"list"`
	IPs  types.List   `tfsdk:"ips"`
}

func (d *ipsDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_ips"
}

func (d *ipsDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "The reseller's IP addresses, filtered as the v2 `customer.ip` call filters them. " +
			"v2: one `customer.ip` call. v3: every page of `GET /v3/ips`, plus every page of `GET /v3/subusers` for `available`; " +
			"v3 has no filter of its own, so the provider applies the same meaning to each IP's subusers.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "The filter used, so the ID is stable for a given filter.",
				Computed:            true,
			},
			"list": schema.StringAttribute{
				MarkdownDescription: "Which IPs to list: " + filterDocs() + " Defaults to `all`.",
				Optional:            true,
				Computed:            true, // so the default can be recorded
				Validators:          []validator.String{stringvalidator.OneOf(sendgrid.IPFilters()...)},
			},
			"ips": schema.ListAttribute{
				MarkdownDescription: "The IP addresses, without duplicates, in numeric order (`1.2.3.9` before `1.2.3.10`).",
				ElementType:         types.StringType,
				Computed:            true,
			},
		},
	}
}

// filterDocs describes each filter from the same constants the validator
// uses, so the documentation cannot drift from the code.
func filterDocs() string {
	meaning := map[string]string{
		string(sendgrid.FilterAll):       "every IP of the reseller account",
		string(sendgrid.FilterFree):      "IPs no subuser uses",
		string(sendgrid.FilterTaken):     "IPs used by at least one subuser (an IP may be shared)",
		string(sendgrid.FilterAvailable): "the free IPs plus IPs whose every user is a deactivated subuser",
	}
	parts := make([]string, 0, len(meaning))
	for _, f := range sendgrid.IPFilters() {
		parts = append(parts, "`"+f+"` ("+meaning[f]+")")
	}
	return strings.Join(parts, ", ") + "."
}

func (d *ipsDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = configured(req.ProviderData, &resp.Diagnostics)
}

func (d *ipsDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var data ipsModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &data)...)
	if resp.Diagnostics.HasError() {
		return
	}
	filter := sendgrid.FilterAll
	if !data.List.IsNull() {
		filter = sendgrid.IPFilter(data.List.ValueString())
	}
	ips, err := d.data.client.ListIPs(ctx, filter)
	if err != nil {
		resp.Diagnostics.AddError("Unable to List SendGrid IPs", apiErrorDetail(err))
		return
	}
	list, diags := types.ListValueFrom(ctx, types.StringType, ips)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	data.ID = types.StringValue(string(filter))
	data.List = types.StringValue(string(filter))
	data.IPs = list
	resp.Diagnostics.Append(resp.State.Set(ctx, &data)...)
}
