package provider

import (
	"context"
	"fmt"
	"net/netip"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

// ipv4Validator accepts only an IPv4 address in canonical dotted-decimal
// form, the form SendGrid answers with. Anything else ("1.2.3",
// "1.2.3.04", "::1", " 1.2.3.4") would never compare equal to what
// SendGrid reports and would show as drift forever, so it is refused at
// plan time.
type ipv4Validator struct{}

var _ validator.String = ipv4Validator{}

func (ipv4Validator) Description(context.Context) string {
	return "value must be an IPv4 address in canonical dotted-decimal form, such as 203.0.113.10"
}

func (v ipv4Validator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (v ipv4Validator) ValidateString(ctx context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if msg := checkIPv4(req.ConfigValue.ValueString()); msg != "" {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid IPv4 Address",
			fmt.Sprintf("%s: %s; %s.", req.Path, msg, v.Description(ctx)))
	}
}

// checkIPv4 explains what is wrong with s, or returns "" when s is a
// canonical IPv4 address.
func checkIPv4(s string) string {
	addr, err := netip.ParseAddr(s)
	switch {
	case err != nil:
		return fmt.Sprintf("%q is not an IP address", s)
	case !addr.Is4():
		return fmt.Sprintf("%q is not an IPv4 address", s)
	case addr.String() != s:
		return fmt.Sprintf("%q is not in canonical form (expected %q)", s, addr.String())
	}
	return ""
}

// durationValidator accepts a positive Go duration no longer than max.
type durationValidator struct{ max time.Duration }

var _ validator.String = durationValidator{}

func (v durationValidator) Description(context.Context) string {
	return fmt.Sprintf("value must be a Go duration such as 30s or 2m, greater than zero and at most %s", v.max)
}

func (v durationValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (v durationValidator) ValidateString(ctx context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	d, err := time.ParseDuration(req.ConfigValue.ValueString())
	if err != nil || d <= 0 || d > v.max {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid Duration",
			fmt.Sprintf("%s: %q is not valid: %s.", req.Path, req.ConfigValue.ValueString(), v.Description(ctx)))
	}
}
