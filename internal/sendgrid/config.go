package sendgrid

import (
	"fmt"
	"net"
	"net/url"
	"strings"
	"unicode"
)

// Setting names the Config field a ConfigError is about, so a caller can name its own setting.
type Setting string

// The settings Config.Check can fault.
const (
	SettingAPIVersion Setting = "APIVersion"
	SettingRegion     Setting = "Region"
	SettingBaseURL    Setting = "BaseURL"
	SettingAPIUser    Setting = "APIUser"
	SettingAPIKey     Setting = "APIKey"
	SettingPageSize   Setting = "PageSize"
)

// ConfigError is one problem with a Config; its text never holds the key.
type ConfigError struct {
	Setting Setting
	Err     error
}

func (e *ConfigError) Error() string { return e.Err.Error() }
func (e *ConfigError) Unwrap() error { return e.Err }

// Check reports every problem with the configuration: the one place where the version, region,
// base URL and credential rules live (see DESIGN.md, "Two APIs behind one interface").
func (c Config) Check() []*ConfigError {
	var out []*ConfigError
	add := func(s Setting, format string, args ...any) {
		out = append(out, &ConfigError{Setting: s, Err: fmt.Errorf(format, args...)})
	}
	v3 := c.APIVersion == "" || c.APIVersion == APIv3
	switch {
	case c.APIVersion != "" && c.APIVersion != APIv2 && c.APIVersion != APIv3:
		add(SettingAPIVersion, "API version %q is not one of %s, %s", c.APIVersion, APIv3, APIv2)
		return out
	case !v3 && c.Region != "":
		add(SettingRegion, "a region chooses between SendGrid v3's global and EU hosts; the Web API v2 has one host")
	case v3 && c.Region != "" && c.Region != RegionGlobal && c.Region != RegionEU:
		add(SettingRegion, "region %q is not one of %s, %s", c.Region, RegionGlobal, RegionEU)
	case v3 && c.APIUser != "":
		add(SettingAPIUser, "an API user is for the Web API v2 only; v3 authenticates with the API key alone")
	}
	if c.BaseURL != "" {
		base, err := ValidateBaseURL(c.BaseURL)
		switch {
		case err != nil:
			add(SettingBaseURL, "%v", err)
		case v3 && strings.HasSuffix(base.Path, "/v3/"):
			add(SettingBaseURL, "base URL %q: for v3 give the host root; calls add v3/ themselves", c.BaseURL)
		case v3 && c.Region != "" && base.String() != DefaultBaseURL(APIv3, c.Region):
			add(SettingBaseURL, "region %q and base URL %q are both set, and the base URL is not that region's (%s): "+
				"remove one of them", c.Region, c.BaseURL, DefaultBaseURL(APIv3, c.Region))
		}
	}
	if !v3 && c.APIUser == "" {
		add(SettingAPIUser, "the Web API v2 needs an API user as well as the key")
	}
	switch {
	case c.APIKey == "":
		add(SettingAPIKey, "the API key is required")
	case strings.TrimSpace(c.APIKey) != c.APIKey:
		add(SettingAPIKey, "the API key starts or ends with whitespace (a file read with its newline?); trim it")
	case strings.ContainsFunc(c.APIKey, unicode.IsControl):
		add(SettingAPIKey, "the API key holds a control character; an HTTP header cannot carry it")
	}
	if c.PageSize < 0 || c.PageSize > DefaultPageSize {
		add(SettingPageSize, "page size %d is not between 1 and %d", c.PageSize, DefaultPageSize)
	}
	return out
}

// check returns the first problem of Check, or the base URL the calls resolve against.
func (c Config) check() (*url.URL, error) {
	if problems := c.Check(); len(problems) > 0 {
		return nil, problems[0]
	}
	version := c.APIVersion
	if version == "" {
		version = APIv3
	}
	raw := c.BaseURL
	if raw == "" {
		raw = DefaultBaseURL(version, c.Region)
	}
	return ValidateBaseURL(raw)
}

// DefaultBaseURL is the base URL of an API version and v3 region; "" when unknown.
func DefaultBaseURL(version, region string) string {
	switch version {
	case APIv2:
		return "https://sendgrid.com/apiv2/"
	case "", APIv3:
		switch region {
		case "", RegionGlobal:
			return "https://api.sendgrid.com/"
		case RegionEU:
			return "https://api.eu.sendgrid.com/"
		}
	}
	return ""
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
