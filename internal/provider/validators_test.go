package provider

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

func TestIPv4Validator(t *testing.T) {
	t.Parallel()
	for value, wantErr := range map[string]string{
		"192.0.2.1":       "",
		"255.255.255.255": "",
		"1.2.3":           `"1.2.3" is not an IP address`,
		"1.2.3.04":        `"1.2.3.04" is not in canonical form (expected "1.2.3.4")`,
		"203.0.113.010":   `"203.0.113.010" is not in canonical form (expected "203.0.113.10")`,
		"1.2.3.256":       `"1.2.3.256" is not an IP address`,
		"1.2.3.+4":        `"1.2.3.+4" is not an IP address`,
		"::1":             `"::1" is not an IPv4 address`,
		"::ffff:1.2.3.4":  `is not an IPv4 address`,
		" 1.2.3.4":        `" 1.2.3.4" is not an IP address`,
		"1.2.3.4 ":        `"1.2.3.4 " is not an IP address`,
		"":                `"" is not an IP address`,
		"1.2.3.4/32":      `is not an IP address`,
	} {
		req := validator.StringRequest{Path: path.Root("ips"), ConfigValue: types.StringValue(value)}
		var resp validator.StringResponse
		ipv4Validator.ValidateString(context.Background(), req, &resp)
		if wantErr == "" {
			if resp.Diagnostics.HasError() {
				t.Errorf("%q: unexpected error %v", value, resp.Diagnostics)
			}
			continue
		}
		if !resp.Diagnostics.HasError() {
			t.Errorf("%q: accepted, want an error", value)
			continue
		}
		detail := resp.Diagnostics[0].Detail()
		if !strings.Contains(detail, wantErr) || !strings.Contains(detail, "ips") {
			t.Errorf("%q: detail %q lacks %q or the attribute", value, detail, wantErr)
		}
	}
	// Unknown and null values wait for a later phase.
	for _, v := range []types.String{types.StringUnknown(), types.StringNull()} {
		var resp validator.StringResponse
		ipv4Validator.ValidateString(context.Background(), validator.StringRequest{Path: path.Root("ips"), ConfigValue: v}, &resp)
		if resp.Diagnostics.HasError() {
			t.Errorf("%v: %v", v, resp.Diagnostics)
		}
	}
}

func TestDurationValidator(t *testing.T) {
	t.Parallel()
	capped, uncapped := durationValidator{max: 10 * time.Minute}, durationValidator{}
	for value, ok := range map[string][2]bool{
		"30s": {true, true}, "10m": {true, true}, "11m": {false, true}, "0s": {false, false}, "-5s": {false, false},
		"soon": {true, true}, // a syntax error is the type's (or the timeouts library's) to report
	} {
		for i, v := range []durationValidator{capped, uncapped} {
			var resp validator.StringResponse
			v.ValidateString(context.Background(), validator.StringRequest{Path: path.Root("request_timeout"), ConfigValue: types.StringValue(value)}, &resp)
			if resp.Diagnostics.HasError() == ok[i] {
				t.Errorf("%q with max %s: ok=%v, diagnostics %v", value, v.max, ok[i], resp.Diagnostics)
			}
		}
	}
}

func TestUserValidator(t *testing.T) {
	t.Parallel()
	for value, wantErr := range map[string]string{
		"alice":                  "",
		"john@example.com":       "",
		"":                       "the name is empty",
		" alice":                 "leading or trailing spaces",
		"alice\t":                "control character",
		"al\x00ice":              "control character",
		"al\x1b[2Jice":           "control character",
		"\xff":                   "not valid UTF-8",
		strings.Repeat("a", 128): "",
		strings.Repeat("é", 129): "129 characters long",
		".":                      "path segment",
		"..":                     "path segment",
		"a/b":                    "slash",
		`a\b`:                    "slash",
	} {
		var resp validator.StringResponse
		userValidator.ValidateString(context.Background(), validator.StringRequest{Path: path.Root("user"), ConfigValue: types.StringValue(value)}, &resp)
		if wantErr == "" {
			if resp.Diagnostics.HasError() {
				t.Errorf("%q: unexpected error %v", value, resp.Diagnostics)
			}
			continue
		}
		if !resp.Diagnostics.HasError() || !strings.Contains(resp.Diagnostics[0].Detail(), wantErr) {
			t.Errorf("%q: diagnostics %v, want %q", value, resp.Diagnostics, wantErr)
		}
	}
}

func TestWholeNumberValidator(t *testing.T) {
	t.Parallel()
	v := wholeNumberValidator{min: 1, max: 600}
	for value, ok := range map[float64]bool{1: true, 600: true, 1.5: false, 0: false, 601: false, -1: false} {
		var resp validator.Float64Response
		v.ValidateFloat64(context.Background(), validator.Float64Request{Path: path.Root("requests_per_minute"), ConfigValue: types.Float64Value(value)}, &resp)
		if resp.Diagnostics.HasError() == ok {
			t.Errorf("%v: ok=%v, diagnostics %v", value, ok, resp.Diagnostics)
		}
	}
}
