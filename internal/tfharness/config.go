package tfharness

import (
	"fmt"
	"strings"
)

// ProviderConfig is the terraform block naming the provider's source and ProviderBlock, for the CLI
// run through dev_overrides: v2 with an apiUser, v3 without.
func ProviderConfig(baseURL, apiUser, apiKey string, settings ...string) string {
	version := ""
	if apiUser == "" {
		version = "v3"
	}
	return fmt.Sprintf("terraform {\n  required_providers {\n    sendgrid = { source = %q }\n  }\n}\n\n", ProviderSource) +
		ProviderBlock(version, baseURL, apiUser, apiKey, settings...)
}

// ProviderBlock is the one provider block of the tests and benchmarks: api_version when version is
// not "", base_url, api_key, api_user when not "", then settings such as "max_retries = 2".
func ProviderBlock(version, baseURL, apiUser, apiKey string, settings ...string) string {
	var b strings.Builder
	b.WriteString("provider \"sendgrid\" {\n")
	if version != "" {
		fmt.Fprintf(&b, "  api_version = %q\n", version)
	}
	fmt.Fprintf(&b, "  base_url = %q\n  api_key  = %q\n", baseURL, apiKey)
	if apiUser != "" {
		fmt.Fprintf(&b, "  api_user = %q\n", apiUser)
	}
	for _, line := range settings {
		b.WriteString("  " + line + "\n")
	}
	b.WriteString("}\n\n")
	return b.String()
}

// SubuserIPsResource is one sendgrid_subuser_ips resource block.
func SubuserIPsResource(name, user string, ips ...string) string {
	return fmt.Sprintf("resource \"sendgrid_subuser_ips\" %q {\n  user = %q\n  ips  = [\"%s\"]\n}\n", name, user, strings.Join(ips, `", "`))
}

// TestNetIPs is n addresses from 192.0.2.1 (TEST-NET-1, RFC 5737; past .254, 198.18.0.0/15), the pool
// the mock accounts of the tests and the benchmark hold.
func TestNetIPs(n int) []string {
	ips := make([]string, n)
	for i := range ips {
		if i < 254 {
			ips[i] = fmt.Sprintf("192.0.2.%d", i+1)
		} else { // beyond TEST-NET-1: the benchmarking range 198.18.0.0/15
			j := i - 254
			ips[i] = fmt.Sprintf("198.%d.%d.%d", 18+j>>16, j>>8&255, j&255)
		}
	}
	return ips
}

// Flatten undoes the CLI's line wrapping and diagnostic boxes, so a test
// can match a message whatever the terminal width.
func Flatten(s string) string {
	s = strings.NewReplacer("│", " ", "╷", " ", "╵", " ").Replace(s)
	return strings.Join(strings.Fields(s), " ")
}
