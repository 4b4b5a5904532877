package provider

import (
	"context"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/quirks"
)

var _ datasource.DataSourceWithConfigure = &ipPoolsDataSource{}

func newIPPoolsDataSource() datasource.DataSource { return &ipPoolsDataSource{} }

type ipPoolsDataSource struct{ data *providerData }

type ipPoolsModel struct {
	NamePrefix types.String  `tfsdk:"name_prefix"`
	Pools      []ipPoolEntry `tfsdk:"pools"`
}

type ipPoolEntry struct {
	Name types.String     `tfsdk:"name"`
	IPs  quirks.StringSet `tfsdk:"ips"`
}

// poolsCost is what reading pools costs, however many there are (DESIGN.md, "IP pools: reads, writes and settling").
const poolsCost = "every page of `GET /v3/ips` (500 IPs a page; each IP lists its pools) and one `GET /v3/ips/pools`, " +
	"shared by every pool, data source and list read of one Terraform run: refreshing 100 pools costs what refreshing one does."

func (d *ipPoolsDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_ip_pools"
}

func (d *ipPoolsDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Every IP pool of the account with its IPs (v3 only), for adopting existing pools into `sendgrid_ip_pool` " +
			"in one apply or looking at the whole account. Calls: " + poolsCost,
		Attributes: map[string]schema.Attribute{
			"name_prefix": schema.StringAttribute{
				MarkdownDescription: "Only pools whose name starts with this text (case-sensitive); applied by the provider, it costs no extra call.",
				Optional:            true,
				Validators:          []validator.String{poolPrefixValidator},
			},
			"pools": schema.ListNestedAttribute{
				MarkdownDescription: "The pools, sorted by name; an empty list when there are none.",
				Computed:            true,
				NestedObject: schema.NestedAttributeObject{
					Attributes: map[string]schema.Attribute{
						"name": schema.StringAttribute{
							MarkdownDescription: "The pool's name, which is also the import ID of `sendgrid_ip_pool`.",
							Computed:            true,
						},
						"ips": schema.SetAttribute{
							MarkdownDescription: "The IP addresses in the pool; empty when none.",
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

func (d *ipPoolsDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = configured(req.ProviderData, &resp.Diagnostics)
}

func (d *ipPoolsDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var data ipPoolsModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &data)...)
	needsV3(d.data, "data.sendgrid_ip_pools", &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	all, err := d.data.client.Pools(ctx)
	if err != nil {
		resp.Diagnostics.AddError("Unable to List SendGrid IP Pools", apiErrorDetail(err))
		return
	}
	data.Pools = make([]ipPoolEntry, 0, len(all)) // never nil: no pool is an empty list, not null
	for _, p := range all {
		if !strings.HasPrefix(p.Name, data.NamePrefix.ValueString()) {
			continue
		}
		ips, diags := quirks.NewStringSet(p.IPs)
		resp.Diagnostics.Append(diags...)
		if resp.Diagnostics.HasError() {
			return
		}
		data.Pools = append(data.Pools, ipPoolEntry{Name: types.StringValue(p.Name), IPs: ips})
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &data)...)
}
