// Package provider is the Terraform side: configuration, data sources, resource.
package provider

import (
	"cmp"
	"context"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timetypes/timetypes"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/quirks"
	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/sendgrid"
)

// Environment variables read when an attribute is not set.
const (
	envAPIUser    = "SENDGRID_API_USER"
	envAPIKey     = "SENDGRID_API_KEY" //nolint:gosec // the name of a variable, not a credential
	envBaseURL    = "SENDGRID_BASE_URL"
	envAPIVersion = "SENDGRID_API_VERSION"
)

// Bounds of the tuning attributes, checked at plan time.
const (
	maxRequestTimeout    = 10 * time.Minute
	maxMaxRetries        = 20
	maxRequestsPerMinute = 100000
)

var (
	_ provider.Provider                   = &sendgridProvider{}
	_ provider.ProviderWithValidateConfig = &sendgridProvider{}
)

type sendgridProvider struct {
	version string
	// tune shortens retry waits in tests; nil in production.
	tune func(*sendgrid.Config)
	// interrupted is done once the user pressed Ctrl-C; nil in tests.
	interrupted context.Context
}

type providerModel struct {
	APIVersion        types.String         `tfsdk:"api_version"`
	Region            types.String         `tfsdk:"region"`
	APIUser           types.String         `tfsdk:"api_user"`
	APIKey            types.String         `tfsdk:"api_key"`
	BaseURL           types.String         `tfsdk:"base_url"`
	RequestsPerMinute types.Float64        `tfsdk:"requests_per_minute"`
	MaxRetries        types.Float64        `tfsdk:"max_retries"`
	RequestTimeout    timetypes.GoDuration `tfsdk:"request_timeout"`
}

// New returns the provider factory.
func New(version string) func() provider.Provider {
	return func() provider.Provider {
		return &sendgridProvider{version: version}
	}
}

// NewServer returns the protocol 6 server that main.go serves, through
// quirks.ReleasingServer. Once interrupted is done, calls to SendGrid stop
// (DESIGN.md, "Ctrl-C"); it may be nil.
func NewServer(interrupted context.Context, version string) func() tfprotov6.ProviderServer {
	return newServer(&sendgridProvider{version: version, interrupted: interrupted})
}

func newServer(p *sendgridProvider) func() tfprotov6.ProviderServer {
	return quirks.ReleasingServer(providerserver.NewProtocol6(p))
}

func (p *sendgridProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "sendgrid"
	resp.Version = p.version
}

func (p *sendgridProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Manages which of a SendGrid reseller's IP addresses each subuser sends from, " +
			"through SendGrid's v3 API (`/v3/ips`, `/v3/subusers`) or the deprecated Web API v2 (`customer.ip`, `customer.sendip`).",
		Attributes: map[string]schema.Attribute{
			"api_version": schema.StringAttribute{
				MarkdownDescription: "`v3` or `v2`; falls back to the `" + envAPIVersion + "` environment variable. " +
					"When neither is set: `v2` if `api_user` (or `" + envAPIUser + "`) is set, otherwise `v3`.",
				Optional:   true,
				Validators: []validator.String{stringvalidator.OneOf(sendgrid.APIv3, sendgrid.APIv2)},
			},
			"region": schema.StringAttribute{
				MarkdownDescription: "v3 only: `" + sendgrid.RegionGlobal + "` (default, `" + sendgrid.DefaultBaseURL(sendgrid.APIv3, sendgrid.RegionGlobal) +
					"`) or `" + sendgrid.RegionEU + "` (`" + sendgrid.DefaultBaseURL(sendgrid.APIv3, sendgrid.RegionEU) + "`).",
				Optional:   true,
				Validators: []validator.String{stringvalidator.OneOf(sendgrid.RegionGlobal, sendgrid.RegionEU)},
			},
			"api_user": schema.StringAttribute{
				MarkdownDescription: "v2 only: reseller account user name, or the literal `apikey` when `api_key` is an API key. " +
					"Falls back to the `" + envAPIUser + "` environment variable. Setting it selects v2 unless `api_version` says otherwise; with `v3` it is an error.",
				Optional: true,
			},
			"api_key": schema.StringAttribute{
				MarkdownDescription: "API key (v3, sent as `Authorization: Bearer`), or the reseller password or API key (v2, sent only in the body of POST requests). " +
					"Never in a URL or a log. Falls back to the `" + envAPIKey + "` environment variable.",
				Optional:  true,
				Sensitive: true,
			},
			"base_url": schema.StringAttribute{
				MarkdownDescription: "Where the API is served: for v3 the host root (calls go to `<base_url>v3/...`), for v2 the `apiv2/` prefix. " +
					"Defaults to the address of the chosen version and region, or the `" + envBaseURL +
					"` environment variable. Must be `https://`, except on a loopback host (`127.0.0.1`, `localhost`) such as the bundled mock server.",
				Optional: true,
			},
			"requests_per_minute": schema.Float64Attribute{
				MarkdownDescription: fmt.Sprintf("Client-side pace shared by every resource and data source of this provider, "+
					"so a large refresh stays under SendGrid's rate limit instead of bouncing off it. Defaults to %d, SendGrid's documented v2 limit (v3 limits are per endpoint and unpublished).",
					sendgrid.DefaultRequestsPerMinute),
				Optional:   true,
				Validators: []validator.Float64{wholeNumberValidator{min: 1, max: maxRequestsPerMinute}},
			},
			"max_retries": schema.Float64Attribute{
				MarkdownDescription: fmt.Sprintf("How many times a call is retried after a rate limit answer (429), a server error (5xx), "+
					"a dropped connection or a timeout, with exponential backoff that honours `Retry-After` and `X-RateLimit-Reset`. "+
					"Defaults to %d; `0` disables retries.", sendgrid.DefaultMaxRetries),
				Optional:   true,
				Validators: []validator.Float64{wholeNumberValidator{min: 0, max: maxMaxRetries}},
			},
			"request_timeout": schema.StringAttribute{
				MarkdownDescription: fmt.Sprintf("Time one HTTP attempt may take, as a Go duration such as `30s` or `1m`. Defaults to `%s`; at most `%s`.",
					sendgrid.DefaultRequestTimeout, maxRequestTimeout),
				Optional:   true,
				CustomType: timetypes.GoDurationType{},
				Validators: []validator.String{durationValidator{max: maxRequestTimeout}},
			},
		},
	}
}

// ValidateConfig reports at validate time what the configuration alone gets wrong; Configure
// reports the rest, with the environment, through the same clientConfig.
func (p *sendgridProvider) ValidateConfig(ctx context.Context, req provider.ValidateConfigRequest, resp *provider.ValidateConfigResponse) {
	var cfg providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() || cfg.APIVersion.IsUnknown() || cfg.APIUser.IsUnknown() || cfg.Region.IsUnknown() ||
		cfg.BaseURL.IsUnknown() || cfg.APIKey.IsUnknown() {
		return
	}
	_, diags := p.clientConfig(cfg, false)
	resp.Diagnostics.Append(diags...)
}

// apiVersion: api_version, else SENDGRID_API_VERSION, else v2 with an api_user, else v3.
func apiVersion(cfg providerModel) string {
	if v := valueOrEnv(cfg.APIVersion, envAPIVersion); v != "" {
		return v
	}
	if valueOrEnv(cfg.APIUser, envAPIUser) != "" {
		return sendgrid.APIv2
	}
	return sendgrid.APIv3
}

// settingAttrs names the attribute and the environment variable of each client setting.
var settingAttrs = map[sendgrid.Setting][2]string{
	sendgrid.SettingAPIVersion: {"api_version", envAPIVersion},
	sendgrid.SettingRegion:     {"region", ""},
	sendgrid.SettingBaseURL:    {"base_url", envBaseURL},
	sendgrid.SettingAPIUser:    {"api_user", envAPIUser},
	sendgrid.SettingAPIKey:     {"api_key", envAPIKey},
}

// clientConfig builds the client's whole configuration from the provider block and the
// environment, and reports what sendgrid.Config.Check finds, each against its attribute. Without
// credentials (a validate run), missing credentials are not reported.
func (p *sendgridProvider) clientConfig(cfg providerModel, credentials bool) (sendgrid.Config, diag.Diagnostics) {
	conf := sendgrid.Config{
		APIVersion: apiVersion(cfg),
		Region:     cfg.Region.ValueString(),
		APIUser:    valueOrEnv(cfg.APIUser, envAPIUser),
		APIKey:     valueOrEnv(cfg.APIKey, envAPIKey),
		BaseURL:    valueOrEnv(cfg.BaseURL, envBaseURL),
		UserAgent:  "terraform-provider-sendgrid/" + p.version,
		Stop:       p.interrupted,
	}
	if known(cfg.RequestsPerMinute) {
		conf.RequestsPerMinute = int(cfg.RequestsPerMinute.ValueFloat64())
	}
	if known(cfg.MaxRetries) {
		conf.MaxRetries = int(cfg.MaxRetries.ValueFloat64())
		conf.NoRetries = conf.MaxRetries == 0
	}
	if known(cfg.RequestTimeout) {
		// Unparsable, it is left out: its type reports it at validate time, which precedes Configure.
		if d, err := time.ParseDuration(cfg.RequestTimeout.ValueString()); err == nil {
			conf.RequestTimeout = d
		}
	}
	var diags diag.Diagnostics
	for _, problem := range conf.Check() {
		names := settingAttrs[problem.Setting]
		attr, env := names[0], names[1]
		missing := (problem.Setting == sendgrid.SettingAPIKey && conf.APIKey == "") || (problem.Setting == sendgrid.SettingAPIUser && conf.APIUser == "")
		if missing && !credentials {
			continue
		}
		summary, detail := configProblem(problem, attr, env, missing)
		if problem.Setting == sendgrid.SettingAPIUser && cfg.APIUser.IsNull() && !missing {
			attr = "api_version" // the user came from the environment: the version is what to change
		}
		diags.AddAttributeError(path.Root(attr), summary, detail)
	}
	return conf, diags
}

func known(v attr.Value) bool { return !v.IsNull() && !v.IsUnknown() }

// configProblem words a client configuration problem for Terraform users.
func configProblem(problem *sendgrid.ConfigError, attr, env string, missing bool) (summary, detail string) {
	from := attr
	if env != "" {
		from = attr + " (or the " + env + " environment variable)"
	}
	switch {
	case missing && problem.Setting == sendgrid.SettingAPIUser:
		return "Missing SendGrid API User", "api_version is v2, which needs a user name: set api_user in the provider block or the " +
			envAPIUser + " environment variable, or use v3 with an API key alone."
	case missing:
		return "Missing SendGrid API Key", "Set api_key in the provider block or the " + envAPIKey + " environment variable."
	case problem.Setting == sendgrid.SettingAPIUser:
		return "api_user Is Not Used by SendGrid v3", "SendGrid v3 authenticates with the API key alone (Authorization: Bearer), so " + from +
			" would be ignored. Remove it, or set api_version = \"v2\" to use the deprecated Web API v2."
	case problem.Setting == sendgrid.SettingRegion:
		return "region Is Not Used by SendGrid v2", problem.Error() + ". Remove region, or use api_version = \"v3\"."
	case problem.Setting == sendgrid.SettingAPIKey:
		return "Invalid SendGrid API Key", "The value of " + from + " is not usable: " + problem.Error() +
			". If it comes from a file, use trimspace(file(...)); the key itself is never shown."
	case problem.Setting == sendgrid.SettingBaseURL:
		return "Invalid SendGrid Base URL", problem.Error() + " (from " + from + ")."
	}
	return "Invalid SendGrid Provider Configuration", problem.Error() + " (" + from + ")."
}

func (p *sendgridProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var cfg providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}

	// DESIGN.md, "Unknown provider configuration".
	unknown := map[string]bool{
		"api_version": cfg.APIVersion.IsUnknown(), "region": cfg.Region.IsUnknown(), "api_user": cfg.APIUser.IsUnknown(), "api_key": cfg.APIKey.IsUnknown(), "base_url": cfg.BaseURL.IsUnknown(),
		"requests_per_minute": cfg.RequestsPerMinute.IsUnknown(), "max_retries": cfg.MaxRetries.IsUnknown(),
		"request_timeout": cfg.RequestTimeout.IsUnknown(),
	}
	for _, name := range []string{"api_version", "region", "api_user", "api_key", "base_url", "requests_per_minute", "max_retries", "request_timeout"} {
		if !unknown[name] {
			continue
		}
		if req.ClientCapabilities.DeferralAllowed {
			resp.Deferred = &provider.Deferred{Reason: provider.DeferredReasonProviderConfigUnknown}
			return
		}
		resp.Diagnostics.AddAttributeError(path.Root(name), "Unknown SendGrid Provider Configuration",
			fmt.Sprintf("The provider cannot call SendGrid because %s is only known after apply. "+
				"Set it to a value known at plan time, or apply the resource it comes from first with -target.", name))
	}
	if resp.Diagnostics.HasError() {
		return
	}

	conf, diags := p.clientConfig(cfg, true)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	if p.tune != nil {
		p.tune(&conf)
	}

	client, err := sendgrid.New(conf)
	if err != nil {
		resp.Diagnostics.AddError("Unable to Create SendGrid Client", err.Error())
		return
	}
	tflog.Debug(ctx, "configured SendGrid client", map[string]any{
		"api_version": conf.APIVersion, "region": conf.Region, "base_url": conf.BaseURL, "api_user": conf.APIUser, "requests_per_minute": conf.RequestsPerMinute,
	})
	data := &providerData{client: client, poll: cmp.Or(conf.SettlePoll, sendgrid.DefaultSettlePoll)}
	resp.DataSourceData = data
	resp.ResourceData = data
	resp.ListResourceData = data
}

func valueOrEnv(v types.String, env string) string {
	if !v.IsNull() {
		return v.ValueString()
	}
	return os.Getenv(env)
}

func (p *sendgridProvider) Resources(_ context.Context) []func() resource.Resource {
	return []func() resource.Resource{newSubuserIPsResource, newIPPoolResource, newReverseDNSResource, newReverseDNSValidationResource, newIPWarmupResource}
}

func (p *sendgridProvider) DataSources(_ context.Context) []func() datasource.DataSource {
	return []func() datasource.DataSource{newIPsDataSource, newSubuserIPsDataSource, newSubusersDataSource, newIPPoolsDataSource, newIPDataSource}
}

func (p *sendgridProvider) ListResources(_ context.Context) []func() list.ListResource {
	return []func() list.ListResource{newSubuserIPsListResource, newIPPoolListResource, newReverseDNSListResource}
}

// providerData is what Configure hands to every resource and data source.
type providerData struct {
	client sendgrid.API
	poll   time.Duration // first wait between validation attempts (DESIGN.md, "Reverse DNS in the provider")
	// assigned: subusers written by this process; writes: one lock per subuser
	// (DESIGN.md, "Replacement never empties a subuser").
	assigned sync.Map
	writes   sync.Map // user -> *sync.Mutex
}

func (d *providerData) markAssigned(user string)      { d.assigned.Store(user, struct{}{}) }
func (d *providerData) assignedHere(user string) bool { _, ok := d.assigned.Load(user); return ok }

// lockSubuser serialises this process's writes to one subuser, retries included; it returns the unlock.
func (d *providerData) lockSubuser(user string) func() {
	m, _ := d.writes.LoadOrStore(user, &sync.Mutex{})
	mu := m.(*sync.Mutex)
	mu.Lock()
	return mu.Unlock
}

// configured is the body of every Configure: the provider's data, nil before
// the provider is configured; any other type is a bug worth reporting.
func configured(data any, diags *diag.Diagnostics) *providerData {
	d, ok := data.(*providerData)
	if !ok && data != nil {
		diags.AddError("Unexpected Configure Type",
			fmt.Sprintf("Expected *providerData, got %T. Please report this issue to the provider developers.", data))
	}
	return d
}
