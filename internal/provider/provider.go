// Package provider is the Terraform side of the project: the provider
// configuration, the data sources and the resource. It is the only package
// that speaks both Terraform and SendGrid; the API itself lives in
// internal/sendgrid.
package provider

import (
	"context"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timetypes/timetypes"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/sendgrid"
)

// Environment variables read when an attribute is not set.
const (
	envAPIUser = "SENDGRID_API_USER"
	envAPIKey  = "SENDGRID_API_KEY" //nolint:gosec // the name of a variable, not a credential
	envBaseURL = "SENDGRID_BASE_URL"
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
	// tune adjusts the client configuration; tests use it to shorten
	// retry waits. Nil in production.
	tune func(*sendgrid.Config)
}

type providerModel struct {
	APIUser           types.String         `tfsdk:"api_user"`
	APIKey            types.String         `tfsdk:"api_key"`
	BaseURL           types.String         `tfsdk:"base_url"`
	RequestsPerMinute types.Float64        `tfsdk:"requests_per_minute"`
	MaxRetries        types.Float64        `tfsdk:"max_retries"`
	RequestTimeout    timetypes.GoDuration `tfsdk:"request_timeout"`
}

// New returns the provider factory that main.go serves.
func New(version string) func() provider.Provider {
	return func() provider.Provider {
		return &sendgridProvider{version: version}
	}
}

func (p *sendgridProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "sendgrid"
	resp.Version = p.version
}

func (p *sendgridProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Manages which of a SendGrid reseller's IP addresses each subuser sends from, " +
			"through the SendGrid Web API v2 (`customer.ip` and `customer.sendip`).",
		Attributes: map[string]schema.Attribute{
			"api_user": schema.StringAttribute{
				MarkdownDescription: "Reseller account user name, or the literal `apikey` when `api_key` is an API key. " +
					"Falls back to the `" + envAPIUser + "` environment variable.",
				Optional: true,
			},
			"api_key": schema.StringAttribute{
				MarkdownDescription: "Reseller password or API key. Sent only in the body of POST requests, never in a URL or a log. " +
					"Falls back to the `" + envAPIKey + "` environment variable.",
				Optional:  true,
				Sensitive: true,
			},
			"base_url": schema.StringAttribute{
				MarkdownDescription: "Base URL of the v2 API. Defaults to `" + sendgrid.DefaultBaseURL + "`, or the `" + envBaseURL +
					"` environment variable. Must be `https://`, except on a loopback host (`127.0.0.1`, `localhost`) such as the bundled mock server.",
				Optional: true,
			},
			"requests_per_minute": schema.Float64Attribute{
				MarkdownDescription: fmt.Sprintf("Client-side pace shared by every resource and data source of this provider, "+
					"so a large refresh stays under SendGrid's rate limit instead of bouncing off it. Defaults to %d, SendGrid's documented v2 limit.",
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

// ValidateConfig checks what can be checked before any API call, so a bad
// base_url fails at plan time.
func (p *sendgridProvider) ValidateConfig(ctx context.Context, req provider.ValidateConfigRequest, resp *provider.ValidateConfigResponse) {
	var cfg providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if !cfg.BaseURL.IsNull() && !cfg.BaseURL.IsUnknown() {
		if _, err := sendgrid.ValidateBaseURL(cfg.BaseURL.ValueString()); err != nil {
			resp.Diagnostics.AddAttributeError(path.Root("base_url"), "Invalid SendGrid Base URL", err.Error())
		}
	}
}

func (p *sendgridProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var cfg providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}

	// A value only known after apply (say, a secret read from another
	// resource) cannot configure a client now. Terraform that supports
	// deferred actions is asked to wait; older versions get an error
	// rather than a client silently built from an empty value.
	unknown := map[string]bool{
		"api_user": cfg.APIUser.IsUnknown(), "api_key": cfg.APIKey.IsUnknown(), "base_url": cfg.BaseURL.IsUnknown(),
		"requests_per_minute": cfg.RequestsPerMinute.IsUnknown(), "max_retries": cfg.MaxRetries.IsUnknown(),
		"request_timeout": cfg.RequestTimeout.IsUnknown(),
	}
	for _, name := range []string{"api_user", "api_key", "base_url", "requests_per_minute", "max_retries", "request_timeout"} {
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

	conf := sendgrid.Config{
		APIUser:   valueOrEnv(cfg.APIUser, envAPIUser),
		APIKey:    valueOrEnv(cfg.APIKey, envAPIKey),
		BaseURL:   valueOrEnv(cfg.BaseURL, envBaseURL),
		UserAgent: "terraform-provider-sendgrid/" + p.version,
	}
	if conf.APIUser == "" {
		resp.Diagnostics.AddAttributeError(path.Root("api_user"), "Missing SendGrid API User",
			"Set api_user in the provider block or the "+envAPIUser+" environment variable.")
	}
	if conf.APIKey == "" {
		resp.Diagnostics.AddAttributeError(path.Root("api_key"), "Missing SendGrid API Key",
			"Set api_key in the provider block or the "+envAPIKey+" environment variable.")
	}
	if conf.BaseURL != "" {
		if _, err := sendgrid.ValidateBaseURL(conf.BaseURL); err != nil {
			resp.Diagnostics.AddAttributeError(path.Root("base_url"), "Invalid SendGrid Base URL",
				err.Error()+" (from base_url or "+envBaseURL+")")
		}
	}
	if !cfg.RequestsPerMinute.IsNull() {
		conf.RequestsPerMinute = int(cfg.RequestsPerMinute.ValueFloat64())
	}
	if !cfg.MaxRetries.IsNull() {
		conf.MaxRetries = int(cfg.MaxRetries.ValueFloat64())
		if conf.MaxRetries == 0 {
			conf.MaxRetries = -1 // the client reads 0 as "default"
		}
	}
	if !cfg.RequestTimeout.IsNull() {
		d, diags := cfg.RequestTimeout.ValueGoDuration()
		resp.Diagnostics.Append(diags...)
		conf.RequestTimeout = d
	}
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
		"base_url": conf.BaseURL, "api_user": conf.APIUser, "requests_per_minute": conf.RequestsPerMinute,
	})
	data := &providerData{client: client}
	resp.DataSourceData = data
	resp.ResourceData = data
}

func valueOrEnv(v types.String, env string) string {
	if !v.IsNull() {
		return v.ValueString()
	}
	return os.Getenv(env)
}

func (p *sendgridProvider) Resources(_ context.Context) []func() resource.Resource {
	return []func() resource.Resource{newSubuserIPsResource}
}

func (p *sendgridProvider) DataSources(_ context.Context) []func() datasource.DataSource {
	return []func() datasource.DataSource{newIPsDataSource, newSubuserIPsDataSource}
}

// providerData is what Configure hands to every resource and data source of
// one provider instance.
type providerData struct {
	client *sendgrid.Client
	// assigned names the subusers this process has written IPs to, so the
	// Delete of a replaced object does not undo its replacement's Create
	// (DESIGN.md, "Replacement never empties a subuser").
	assigned sync.Map
}

func (d *providerData) markAssigned(user string)      { d.assigned.Store(user, struct{}{}) }
func (d *providerData) assignedHere(user string) bool { _, ok := d.assigned.Load(user); return ok }

// dataFrom is the shared body of every Configure method of a resource or
// data source: nil data means the provider is not configured yet (early
// validation), anything but *providerData is a bug worth reporting.
func dataFrom(data any) (*providerData, string) {
	if data == nil {
		return nil, ""
	}
	d, ok := data.(*providerData)
	if !ok {
		return nil, fmt.Sprintf("Expected *providerData, got %T. Please report this issue to the provider developers.", data)
	}
	return d, ""
}
