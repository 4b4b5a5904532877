// Package sendgrid is the client of SendGrid's reseller IP calls: v2 and v3
// behind one API, one transport, no Terraform types (see DESIGN.md).
package sendgrid

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"
)

// API versions and v3 regions.
const (
	APIv2        = "v2"
	APIv3        = "v3"
	RegionGlobal = "global"
	RegionEU     = "eu"
)

// Defaults of Config.
const (
	DefaultRequestsPerMinute = 600 // SendGrid's documented v2 limit
	DefaultMaxRetries        = 5
	DefaultRequestTimeout    = 30 * time.Second
	DefaultRetryWaitMin      = 500 * time.Millisecond
	DefaultRetryWaitMax      = 2 * time.Minute // see DESIGN.md, Retry-After
	DefaultPageSize          = 500             // v3; also the largest allowed

	// LogSubsystem is the terraform-plugin-log subsystem (TF_LOG_PROVIDER_SENDGRID_API).
	LogSubsystem = "sendgrid_api"
)

// DefaultBaseURL is the base URL of an API version and v3 region; "" when unknown.
func DefaultBaseURL(version, region string) string {
	switch version {
	case "", APIv2:
		return "https://sendgrid.com/apiv2/"
	case APIv3:
		switch region {
		case "", RegionGlobal:
			return "https://api.sendgrid.com/"
		case RegionEU:
			return "https://api.eu.sendgrid.com/"
		}
	}
	return ""
}

// Config configures New; zero values take the defaults.
type Config struct {
	APIVersion        string // APIv2 ("") or APIv3
	Region            string // v3 only: RegionGlobal ("") or RegionEU
	BaseURL           string // v2: the apiv2/ prefix; v3: the host root
	APIUser           string // v2 only
	APIKey            string
	UserAgent         string
	RequestsPerMinute int // paces every call of the client; negative: no pacing
	MaxRetries        int // after the first attempt; negative: none
	// RequestTimeout bounds one attempt, not its wait for a turn.
	RequestTimeout time.Duration
	// RetryWaitMin and RetryWaitMax bound one backoff; a longer asked wait ends the call.
	RetryWaitMin, RetryWaitMax time.Duration
	PageSize                   int             // v3, 1 to DefaultPageSize
	Stop                       context.Context // when done, ends every call (see DESIGN.md, Ctrl-C); nil: never
}

// API is what the provider needs of SendGrid; safe for concurrent use.
type API interface {
	Version() string
	// ListIPs lists the reseller's IPs that match filter, sorted, without duplicates.
	ListIPs(ctx context.Context, filter IPFilter) ([]string, error)
	// SubuserIPs reads one subuser's IPs; ErrSubuserNotFound when it does not exist.
	SubuserIPs(ctx context.Context, user string) (SubuserIPs, error)
	// SetSubuserIPs makes the subuser's IPs exactly ips; it returns the set held when the answer says it (v3), else nil.
	SetSubuserIPs(ctx context.Context, user string, ips []string) (*SubuserIPs, error)
	// AssignAllIPs gives the subuser every IP the reseller has now.
	AssignAllIPs(ctx context.Context, user string) error
	// Subusers lists every subuser, by name, with its IPs.
	Subusers(ctx context.Context) ([]Subuser, error)
}

// IPFilter selects the IPs ListIPs lists, with v2's meaning on both APIs.
type IPFilter string

// The filters of customer.ip.
const (
	FilterAll       IPFilter = "all"
	FilterFree      IPFilter = "free"
	FilterTaken     IPFilter = "taken"
	FilterAvailable IPFilter = "available"
)

// IPFilters lists the valid filters.
func IPFilters() []string {
	return []string{string(FilterAll), string(FilterFree), string(FilterTaken), string(FilterAvailable)}
}

// SubuserIPs is what SendGrid says of one subuser's IPs.
type SubuserIPs struct {
	IPs             []string // sorted, no duplicates
	OutboundCluster string   // control characters escaped; "" on v3
}

// Subuser is one subuser of the reseller.
type Subuser struct {
	Name            string
	Active          bool     // v2 active, v3 !disabled
	IPs             []string // sorted, no duplicates
	OutboundCluster string   // v2 only
}

// ValidateBaseURL accepts an absolute https URL, or http on a loopback host (see DESIGN.md, Security).
func ValidateBaseURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("base URL %q is not a URL: %w", raw, err)
	}
	if u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return nil, fmt.Errorf("base URL %q must be an absolute https:// URL", raw)
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("base URL %q must not carry credentials, a query or a fragment", raw)
	}
	host := u.Hostname()
	if u.Scheme == "http" && !strings.EqualFold(host, "localhost") && !net.ParseIP(host).IsLoopback() {
		return nil, fmt.Errorf("base URL %q uses plain http; only https is allowed, except on a loopback host such as 127.0.0.1", raw)
	}
	if !strings.HasSuffix(u.Path, "/") {
		u.Path += "/"
	}
	return u, nil
}

// New checks the configuration and returns the v2 or v3 backend.
func New(cfg Config) (API, error) {
	switch cfg.APIVersion {
	case "", APIv2:
		cfg.APIVersion = APIv2
		if cfg.Region != "" && cfg.Region != RegionGlobal {
			return nil, fmt.Errorf("region %q needs API version %s", cfg.Region, APIv3)
		}
	case APIv3:
		if cfg.Region != "" && cfg.Region != RegionGlobal && cfg.Region != RegionEU {
			return nil, fmt.Errorf("region %q is not one of %s, %s", cfg.Region, RegionGlobal, RegionEU)
		}
		if cfg.APIUser != "" {
			return nil, errors.New("api_user is for v2 only; v3 authenticates with api_key alone")
		}
	default:
		return nil, fmt.Errorf("API version %q is not one of %s, %s", cfg.APIVersion, APIv2, APIv3)
	}
	base, err := ValidateBaseURL(cmp.Or(cfg.BaseURL, DefaultBaseURL(cfg.APIVersion, cfg.Region)))
	if err != nil {
		return nil, err
	}
	if cfg.APIVersion == APIv3 && strings.HasSuffix(base.Path, "/v3/") {
		return nil, fmt.Errorf("base URL %q: for v3 give the host root; calls add v3/ themselves", cfg.BaseURL)
	}
	switch {
	case cfg.APIVersion == APIv2 && (cfg.APIUser == "" || cfg.APIKey == ""):
		return nil, errors.New("api_user and api_key are both required")
	case cfg.APIKey == "":
		return nil, errors.New("api_key is required")
	}
	cfg.PageSize = cmp.Or(cfg.PageSize, DefaultPageSize)
	if cfg.PageSize < 1 || cfg.PageSize > DefaultPageSize {
		return nil, fmt.Errorf("page size %d is not between 1 and %d", cfg.PageSize, DefaultPageSize)
	}
	cfg.UserAgent = cmp.Or(cfg.UserAgent, "terraform-provider-sendgrid")
	// max(d, 0) turns a negative duration into 0, which takes the default.
	cfg.RequestTimeout = cmp.Or(max(cfg.RequestTimeout, 0), DefaultRequestTimeout)
	cfg.RetryWaitMin = cmp.Or(max(cfg.RetryWaitMin, 0), DefaultRetryWaitMin)
	cfg.RetryWaitMax = cmp.Or(max(cfg.RetryWaitMax, 0), DefaultRetryWaitMax)
	cfg.MaxRetries = max(cmp.Or(cfg.MaxRetries, DefaultMaxRetries), 0)
	cfg.RequestsPerMinute = cmp.Or(cfg.RequestsPerMinute, DefaultRequestsPerMinute)

	if cfg.APIVersion == APIv3 {
		return &v3Client{t: newTransport(cfg, v3Messages), base: base, pageSize: cfg.PageSize}, nil
	}
	return &v2Client{t: newTransport(cfg, v2Messages), base: base, apiUser: cfg.APIUser, apiKey: cfg.APIKey}, nil
}
