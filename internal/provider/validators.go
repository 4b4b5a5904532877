package provider

import (
	"context"
	"fmt"
	"math"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/sendgrid"
)

// stringCheck is a plan-time validator made of a check that says what is
// wrong with a value ("" when nothing is).
type stringCheck struct {
	summary, description string
	check                func(string) string
}

var _ validator.String = stringCheck{}

func (v stringCheck) Description(context.Context) string { return v.description }

func (v stringCheck) MarkdownDescription(context.Context) string { return v.description }

func (v stringCheck) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if msg := v.check(req.ConfigValue.ValueString()); msg != "" {
		resp.Diagnostics.AddAttributeError(req.Path, v.summary, fmt.Sprintf("%s: %s; %s.", req.Path, msg, v.description))
	}
}

// The string checks of the schemas (DESIGN.md, "Plan-time validation").
var (
	ipv4Validator = stringCheck{"Invalid IPv4 Address",
		"value must be an IPv4 address in canonical dotted-decimal form, such as 203.0.113.10", checkIPv4}
	userValidator = stringCheck{"Invalid Subuser Name", fmt.Sprintf(
		"value must be a subuser name: 1 to %d characters, no control characters, slashes or leading or trailing spaces, not . or ..", sendgrid.MaxSubuserNameLength), checkUser}
	namePrefixValidator = stringCheck{"Invalid Subuser Name Prefix", fmt.Sprintf(
		"value must be the start of a subuser name: 1 to %d characters, no control characters or slashes, no leading space", sendgrid.MaxSubuserNameLength),
		func(s string) string { return checkNamePrefix(s, checkUser) }}
)

// checkIPv4 explains what is wrong with s, or returns "" when s is a
// canonical IPv4 address.
func checkIPv4(s string) string {
	addr, err := netip.ParseAddr(s)
	switch {
	case err != nil:
		if canonical, ok := leadingZeroIPv4(s); ok {
			return fmt.Sprintf("%q is not in canonical form (expected %q)", s, canonical)
		}
		return fmt.Sprintf("%q is not an IP address", s)
	case !addr.Is4():
		return fmt.Sprintf("%q is not an IPv4 address", s)
	}
	return ""
}

// leadingZeroIPv4 recognises a dotted quad that netip refuses only for its
// leading zeros ("203.0.113.010") and returns its canonical form.
func leadingZeroIPv4(s string) (string, bool) {
	parts := strings.Split(s, ".")
	if len(parts) != 4 {
		return "", false
	}
	var octets [4]byte
	for i, p := range parts {
		n, err := strconv.ParseUint(p, 10, 8)
		if err != nil || p == "" || p[0] == '+' {
			return "", false
		}
		octets[i] = byte(n)
	}
	return netip.AddrFrom4(octets).String(), true
}

// checkUser explains what is wrong with a subuser name, or returns "": the client's one rule.
func checkUser(s string) string {
	if err := sendgrid.CheckSubuserName(s); err != nil {
		return err.Error()
	}
	return ""
}

// durationValidator accepts a Go duration greater than zero and, when max
// is set, at most max.
type durationValidator struct{ max time.Duration }

var _ validator.String = durationValidator{}

func (v durationValidator) Description(context.Context) string {
	if v.max == 0 {
		return "value must be a Go duration such as 30s or 2m, greater than zero"
	}
	return fmt.Sprintf("value must be a Go duration such as 30s or 2m, greater than zero and at most %s", v.max)
}

func (v durationValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (v durationValidator) ValidateString(ctx context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	d, err := time.ParseDuration(req.ConfigValue.ValueString())
	if err != nil {
		return // the attribute's type or the timeouts library reports the syntax
	}
	if d <= 0 || (v.max > 0 && d > v.max) {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid Duration",
			fmt.Sprintf("%s: %q is not valid: %s.", req.Path, req.ConfigValue.ValueString(), v.Description(ctx)))
	}
}

// wholeNumberValidator accepts a whole number in [min, max]. The attribute
// is a float so that 1.5 gets this message instead of the framework's
// conversion error, which reads as a provider bug.
type wholeNumberValidator struct{ min, max float64 }

var _ validator.Float64 = wholeNumberValidator{}

func (v wholeNumberValidator) Description(context.Context) string {
	return fmt.Sprintf("value must be a whole number between %v and %v", v.min, v.max)
}

func (v wholeNumberValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (v wholeNumberValidator) ValidateFloat64(ctx context.Context, req validator.Float64Request, resp *validator.Float64Response) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if f := req.ConfigValue.ValueFloat64(); f != math.Trunc(f) || f < v.min || f > v.max {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid Number",
			fmt.Sprintf("%s: %v is not valid: %s.", req.Path, f, v.Description(ctx)))
	}
}

var poolNameValidator = stringCheck{"Invalid IP Pool Name", fmt.Sprintf(
	"value must be an IP pool name: 1 to %d characters, no control characters, slashes or leading or trailing spaces, not . or ..", sendgrid.MaxPoolNameLength), checkPoolName}

// checkPoolName explains what is wrong with a pool name, or returns "": the client's one rule.
func checkPoolName(s string) string {
	if err := sendgrid.CheckPoolName(s); err != nil {
		return err.Error()
	}
	return ""
}

var poolPrefixValidator = stringCheck{"Invalid IP Pool Name Prefix", fmt.Sprintf(
	"value must be the start of a pool name: 1 to %d characters, no control characters or slashes, no leading space", sendgrid.MaxPoolNameLength),
	func(s string) string { return checkNamePrefix(s, checkPoolName) }}

// checkNamePrefix applies a name's check to the start of a name, which may end in a space.
func checkNamePrefix(s string, check func(string) string) string {
	switch {
	case s == "":
		return "the prefix is empty (leave name_prefix out to keep every one)"
	case strings.HasPrefix(s, " "):
		return fmt.Sprintf("%q starts with a space", s)
	}
	return check(strings.TrimRight(s, " "))
}

var (
	domainValidator = stringCheck{"Invalid Domain",
		"value must be a DNS name of at least two labels, such as example.com: letters, digits and hyphens, no trailing dot", checkDomain}
	subdomainValidator = stringCheck{"Invalid Subdomain",
		"value must be one or more DNS labels, such as email: letters, digits and hyphens, no leading or trailing dot", checkSubdomain}
	recordIDValidator = stringCheck{"Invalid Reverse DNS Record ID",
		"value must be a reverse DNS record's id, a positive whole number such as sendgrid_reverse_dns.NAME.id", checkRecordID}
)

func checkDomain(s string) string {
	if msg := checkSubdomain(s); msg != "" {
		return msg
	}
	if !strings.Contains(s, ".") {
		return fmt.Sprintf("%q has one label; a domain has at least two", s)
	}
	return ""
}

// checkSubdomain checks a sequence of DNS labels (RFC 1123 host names).
func checkSubdomain(s string) string {
	if len(s) > 253 {
		return fmt.Sprintf("%d characters is more than DNS's 253", len(s))
	}
	for _, label := range strings.Split(s, ".") {
		ok := len(label) >= 1 && len(label) <= 63 && label[0] != '-' && label[len(label)-1] != '-'
		for _, c := range label {
			ok = ok && (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-')
		}
		if !ok {
			return fmt.Sprintf("%q is not a DNS label in %q", label, s)
		}
	}
	return ""
}

func checkRecordID(s string) string {
	if n, err := strconv.ParseInt(s, 10, 64); err != nil || n <= 0 || strconv.FormatInt(n, 10) != s {
		return fmt.Sprintf("%q is not a positive whole number", s)
	}
	return ""
}
