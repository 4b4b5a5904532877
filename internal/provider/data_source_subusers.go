package provider

import (
	"context"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/quirks"
	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/sendgrid"
)

var _ datasource.DataSourceWithConfigure = &subusersDataSource{}

func newSubusersDataSource() datasource.DataSource { return &subusersDataSource{} }

type subusersDataSource struct{ data *providerData }

type subusersModel struct {
	ActiveOnly types.Bool     `tfsdk:"active_only"`
	NamePrefix types.String   `tfsdk:"name_prefix"`
	Subusers   []subuserModel `tfsdk:"subusers"`
}

type subuserModel struct {
	Name   types.String     `tfsdk:"name"`
	Active types.Bool       `tfsdk:"active"`
	IPs    quirks.StringSet `tfsdk:"ips"`
}

// subusersCost is what one read of every subuser costs, shared by the data
// source's and the list resource's documentation.
const subusersCost = "v2: one `customer.profile` `task=get`, then one `customer.sendip` `task=list` per subuser, " +
	"paced by the provider's `requests_per_minute` (1,000 subusers take about 100 s at the default 600). " +
	"v3: every page of `GET /v3/subusers` and of `GET /v3/ips`, 500 items a page: two calls below 500 subusers and 500 IPs, " +
	"one more for each further 500 of either."

func (d *subusersDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_subusers"
}

func (d *subusersDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Every subuser of the reseller account with the IPs it sends from, for adopting existing subusers " +
			"into `sendgrid_subuser_ips` in bulk or looking at the whole account. Calls: " + subusersCost +
			" The filters are applied by the provider to that answer: they shorten the list, not the calls.",
		Attributes: map[string]schema.Attribute{
			"active_only": schema.BoolAttribute{
				MarkdownDescription: "When `true`, only active subusers (v2 `active`, v3 not `disabled`). Defaults to `false`: every subuser. Costs no extra call.",
				Optional:            true,
			},
			"name_prefix": schema.StringAttribute{
				MarkdownDescription: "Only subusers whose name starts with this text (case-sensitive). Costs no extra call. " +
					"Checked at plan time: the " + namePrefixValidator.Description(context.Background()) + ".",
				Optional:   true,
				Validators: []validator.String{namePrefixValidator},
			},
			"subusers": schema.ListNestedAttribute{
				MarkdownDescription: "The subusers that pass the filters, sorted by name; an empty list when none do. Read with the calls described above.",
				Computed:            true,
				NestedObject: schema.NestedAttributeObject{
					Attributes: map[string]schema.Attribute{
						"name": schema.StringAttribute{
							MarkdownDescription: "The subuser's name, which is also the import ID of `sendgrid_subuser_ips`. From `customer.profile` (v2) or `GET /v3/subusers` (v3).",
							Computed:            true,
						},
						"active": schema.BoolAttribute{
							MarkdownDescription: "Whether the subuser can send: v2 `active` from `customer.profile`, v3 not `disabled` from `GET /v3/subusers`.",
							Computed:            true,
						},
						"ips": schema.SetAttribute{
							MarkdownDescription: "The IP addresses the subuser sends from; empty when none. From one `customer.sendip` `task=list` per subuser (v2) or the subusers of each IP in `GET /v3/ips` (v3).",
							CustomType:          quirks.NewStringSetType(),
							ElementType:         types.StringType,
							Computed:            true,
						},
					},
				},
			},
		},
	}
}

func (d *subusersDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = configured(req.ProviderData, &resp.Diagnostics)
}

func (d *subusersDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var data subusersModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &data)...)
	if resp.Diagnostics.HasError() {
		return
	}
	all, err := d.data.client.Subusers(ctx)
	if err != nil {
		resp.Diagnostics.AddError("Unable to List SendGrid Subusers", apiErrorDetail(err))
		return
	}
	keep := subuserFilter{activeOnly: data.ActiveOnly.ValueBool(), prefix: data.NamePrefix.ValueString()}
	data.Subusers = make([]subuserModel, 0, len(all)) // never nil: no subuser is an empty list, not null
	for _, s := range all {
		if !keep.match(s) {
			continue
		}
		ips, diags := quirks.NewStringSet(s.IPs)
		resp.Diagnostics.Append(diags...)
		if resp.Diagnostics.HasError() {
			return
		}
		data.Subusers = append(data.Subusers, subuserModel{Name: types.StringValue(s.Name), Active: types.BoolValue(s.Active), IPs: ips})
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &data)...)
}

// subuserFilter selects subusers after the API call, which has no filter.
type subuserFilter struct {
	activeOnly bool
	prefix     string
}

func (f subuserFilter) match(s sendgrid.Subuser) bool {
	return (s.Active || !f.activeOnly) && strings.HasPrefix(s.Name, f.prefix)
}
