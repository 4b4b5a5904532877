package tfharness

import (
	"fmt"
	"strings"
)

// ProviderConfig is the terraform and provider blocks that point the
// provider at baseURL (the mock) with the given credentials. settings are
// extra lines for the provider block, such as "max_retries = 2".
func ProviderConfig(baseURL, apiUser, apiKey string, settings ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "terraform {\n  required_providers {\n    sendgrid = { source = %q }\n  }\n}\n\n", ProviderSource)
	fmt.Fprintf(&b, "provider \"sendgrid\" {\n  base_url = %q\n  api_user = %q\n  api_key  = %q\n", baseURL, apiUser, apiKey)
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
