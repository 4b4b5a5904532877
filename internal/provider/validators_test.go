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
	for value, wantErr := range map[string]string{
		"192.0.2.1":       "",
		"255.255.255.255": "",
		"1.2.3":           `"1.2.3" is not an IP address`,
		"1.2.3.04":        `"1.2.3.04" is not an IP address`,
		"::1":             `"::1" is not an IPv4 address`,
		"::ffff:1.2.3.4":  `is not an IPv4 address`,
		" 1.2.3.4":        `" 1.2.3.4" is not an IP address`,
		"1.2.3.4 ":        `"1.2.3.4 " is not an IP address`,
		"":                `"" is not an IP address`,
		"1.2.3.4/32":      `is not an IP address`,
	} {
		req := validator.StringRequest{Path: path.Root("ips"), ConfigValue: types.StringValue(value)}
		var resp validator.StringResponse
		ipv4Validator{}.ValidateString(context.Background(), req, &resp)
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
		ipv4Validator{}.ValidateString(context.Background(), validator.StringRequest{Path: path.Root("ips"), ConfigValue: v}, &resp)
		if resp.Diagnostics.HasError() {
			t.Errorf("%v: %v", v, resp.Diagnostics)
		}
	}
}

func TestDurationValidator(t *testing.T) {
	v := durationValidator{max: 10 * time.Minute}
	for value, ok := range map[string]bool{"30s": true, "10m": true, "1m30s": true, "0s": false, "-5s": false, "11m": false, "soon": false, "30": false} {
		var resp validator.StringResponse
		v.ValidateString(context.Background(), validator.StringRequest{Path: path.Root("request_timeout"), ConfigValue: types.StringValue(value)}, &resp)
		if resp.Diagnostics.HasError() == ok {
			t.Errorf("%q: ok=%v, diagnostics %v", value, ok, resp.Diagnostics)
		}
	}
}

func TestSetDifference(t *testing.T) {
	missing, extra := setDifference([]string{"10.0.0.10", "10.0.0.9", "10.0.0.1"}, []string{"10.0.0.1", "10.0.0.2"})
	if strings.Join(missing, ",") != "10.0.0.9,10.0.0.10" || strings.Join(extra, ",") != "10.0.0.2" {
		t.Fatalf("missing %v extra %v", missing, extra)
	}
}
