// Package sendgrid is a client for SendGrid's reseller IP calls, on the Web
// API v2 (customer.ip, customer.sendip, customer.profile) or v3 (/v3/ips,
// /v3/subusers). It knows nothing of Terraform: it sends requests, paces
// and retries them, and turns SendGrid's many answer shapes into values or
// typed errors. Both APIs sit behind one interface, API, and share one
// transport.
package sendgrid

import (
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

// Defaults, chosen from the API's documented limits.
const (
	DefaultRequestsPerMinute = 600 // SendGrid's documented v2 limit; v3 limits are per endpoint and unpublished
	DefaultMaxRetries        = 5
	DefaultRequestTimeout    = 30 * time.Second
	DefaultRetryWaitMin      = 500 * time.Millisecond
	DefaultRetryWaitMax      = 2 * time.Minute // a per-minute rate window, with room; longer asked waits end the call (DESIGN.md)
	// DefaultPageSize is the v3 page size; 500 is a common ceiling on v3
	// list calls, and the largest the client asks for.
	DefaultPageSize = 500

	// LogSubsystem is the terraform-plugin-log subsystem of this client
	// (TF_LOG_PROVIDER_SENDGRID_API sets its level).
	LogSubsystem = "sendgrid_api"
)

// DefaultBaseURL is the base URL of an API version and, for v3, a region;
// "" for an unknown version or region.
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

// Config configures a client. Zero values take the defaults above.
type Config struct {
	// APIVersion is APIv2 or APIv3 ("" = APIv2).
	APIVersion string
	// Region is for v3 only: RegionGlobal ("") or RegionEU; it picks the
	// default base URL.
	Region string
	// BaseURL defaults to DefaultBaseURL(APIVersion, Region). v2: the
	// apiv2/ prefix; v3: the host root.
	BaseURL string
	// APIUser is for v2 only; it must be empty for v3.
	APIUser string
	APIKey  string
	// UserAgent is sent on every request, e.g.
	// "terraform-provider-sendgrid/1.2.3".
	UserAgent string
	// RequestsPerMinute paces all calls of this client; a negative value
	// turns pacing off.
	RequestsPerMinute int
	// MaxRetries is the number of retries after the first attempt; a
	// negative value means none.
	MaxRetries int
	// RequestTimeout bounds one attempt; waiting for a turn is not part of it.
	RequestTimeout time.Duration
	// RetryWaitMin and RetryWaitMax bound one backoff wait. A server that
	// asks for a longer wait gets no retry: the call ends at once.
	RetryWaitMin, RetryWaitMax time.Duration
	// PageSize is the v3 page size (limit); 0 = DefaultPageSize.
	PageSize int
	// Stop, when done, ends every call in flight and refuses new ones: the
	// user pressed Ctrl-C (DESIGN.md, "Ctrl-C"). Nil: never.
	Stop context.Context
}

// API is what the provider needs of SendGrid. Both backends are safe for
// concurrent use; one should serve every resource of a provider instance so
// that pacing and connection reuse are shared.
type API interface {
	// Version is APIv2 or APIv3.
	Version() string
	// ListIPs lists the reseller's IPs that match the filter, sorted
	// numerically, without duplicates.
	ListIPs(ctx context.Context, filter IPFilter) ([]string, error)
	// SubuserIPs reads one subuser's IPs; ErrSubuserNotFound when there is
	// no such subuser.
	SubuserIPs(ctx context.Context, user string) (SubuserIPs, error)
	// SetSubuserIPs makes the subuser's IPs exactly ips; ips may be empty
	// (v2: set=none, v3: PUT []). It returns what SendGrid says it now
	// holds when the answer says so (v3: the PUT answer), else nil (v2:
	// the caller reads back).
	SetSubuserIPs(ctx context.Context, user string, ips []string) (*SubuserIPs, error)
	// AssignAllIPs gives the subuser every IP the reseller has now (v2:
	// set=all; v3: ListIPs(all) then PUT).
	AssignAllIPs(ctx context.Context, user string) error
	// Subusers lists every subuser, sorted by name, with its IPs.
	Subusers(ctx context.Context) ([]Subuser, error)
}

// IPFilter selects which of the reseller's IPs ListIPs lists.
type IPFilter string

// The filters of customer.ip, as api-notes.md defines them; v3 computes
// the same from each IP's subusers.
const (
	FilterAll       IPFilter = "all"
	FilterFree      IPFilter = "free"
	FilterTaken     IPFilter = "taken"
	FilterAvailable IPFilter = "available"
)

// IPFilters lists the valid filters, for validators and documentation.
func IPFilters() []string {
	return []string{string(FilterAll), string(FilterFree), string(FilterTaken), string(FilterAvailable)}
}

// SubuserIPs is what SendGrid says of one subuser's IPs.
type SubuserIPs struct {
	IPs             []string // sorted, no duplicates
	OutboundCluster string   // opaque, control characters escaped; always "" on v3
}

// Subuser is one subuser of the reseller.
type Subuser struct {
	Name   string
	Active bool     // v2 active, v3 !disabled
	IPs    []string // sorted, no duplicates
}

// ValidateBaseURL accepts an absolute http(s) URL, and plain http only on a
// loopback host (the bundled mock), so credentials never cross a network in
// clear text.
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
	if u.Scheme == "http" && !isLoopback(u.Hostname()) {
		return nil, fmt.Errorf("base URL %q uses plain http; only https is allowed, except on a loopback host such as 127.0.0.1", raw)
	}
	if !strings.HasSuffix(u.Path, "/") {
		u.Path += "/"
	}
	return u, nil
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
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
	if cfg.BaseURL == "" {
		cfg.BaseURL = DefaultBaseURL(cfg.APIVersion, cfg.Region)
	}
	base, err := ValidateBaseURL(cfg.BaseURL)
	if err != nil {
		return nil, err
	}
	if cfg.APIVersion == APIv3 && strings.HasSuffix(base.Path, "/v3/") {
		return nil, fmt.Errorf("base URL %q: for v3 give the host root; calls add v3/ themselves", cfg.BaseURL)
	}
	if cfg.APIKey == "" || (cfg.APIVersion == APIv2 && cfg.APIUser == "") {
		if cfg.APIVersion == APIv2 {
			return nil, errors.New("api_user and api_key are both required")
		}
		return nil, errors.New("api_key is required")
	}
	if cfg.PageSize == 0 {
		cfg.PageSize = DefaultPageSize
	}
	if cfg.PageSize < 1 || cfg.PageSize > DefaultPageSize {
		return nil, fmt.Errorf("page size %d is not between 1 and %d", cfg.PageSize, DefaultPageSize)
	}
	if cfg.UserAgent == "" {
		cfg.UserAgent = "terraform-provider-sendgrid"
	}
	if cfg.RequestTimeout <= 0 {
		cfg.RequestTimeout = DefaultRequestTimeout
	}
	if cfg.RetryWaitMin <= 0 {
		cfg.RetryWaitMin = DefaultRetryWaitMin
	}
	if cfg.RetryWaitMax <= 0 {
		cfg.RetryWaitMax = DefaultRetryWaitMax
	}
	if cfg.MaxRetries == 0 {
		cfg.MaxRetries = DefaultMaxRetries
	}
	if cfg.MaxRetries < 0 {
		cfg.MaxRetries = 0
	}
	if cfg.RequestsPerMinute == 0 {
		cfg.RequestsPerMinute = DefaultRequestsPerMinute
	}

	if cfg.APIVersion == APIv3 {
		return &v3Client{t: newTransport(cfg, v3Messages), base: base, pageSize: cfg.PageSize}, nil
	}
	return &v2Client{t: newTransport(cfg, v2Messages), base: base, apiUser: cfg.APIUser, apiKey: cfg.APIKey}, nil
}
