package provider

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/calls"
	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/sendgrid"
)

// The provider block's mistakes are reported at plan time, each against its
// attribute, without calling SendGrid.
func TestAccProvider_badConfigAtPlanTime(t *testing.T) {
	t.Parallel()
	api := testAPI{startAPI(t), sendgrid.APIv2}
	v3 := testAPI{api.Server, sendgrid.APIv3}
	cases := []struct {
		name   string
		config string
		want   string
	}{
		{"non-https base_url", `provider "sendgrid" {
  base_url = "http://sendgrid.example.com/apiv2/"
  api_user = "u"
  api_key  = "k"
}
data "sendgrid_ips" "x" {}`, `(?s)base_url.*plain http`},
		{"bad request_timeout", providerWith(api, `request_timeout = "soon"`) + `data "sendgrid_ips" "x" {}` + "\n", `(?s)request_timeout.*not a valid.*duration`},
		{"api_user with v3", providerWith(v3, `api_user = "someone"`) + `data "sendgrid_ips" "x" {}`, `(?s)api_user Is Not Used by SendGrid v3.*Authorization: Bearer`},
		{"region with v2", providerWith(api, `region = "eu"`) + `data "sendgrid_ips" "x" {}`, `(?s)region Is Not Used by SendGrid v2`},
		{"unknown api_version", providerWith(testAPI{api.Server, "v4"}) + `data "sendgrid_ips" "x" {}`, `(?s)api_version value must be one of`},
		{"unknown region", providerWith(v3, `region = "us"`) + `data "sendgrid_ips" "x" {}`, `(?s)region value must be one of`},
		{"region with a foreign base_url", providerWith(v3, `region = "eu"`) + `data "sendgrid_ips" "x" {}`, `(?s)base_url.*region "eu" and base URL "http://127\.0\.0\.1:\d+/" are both set`},
		{"api_key with its newline", fmt.Sprintf("provider \"sendgrid\" {\n  api_key = \"SG.key\\n\"\n  base_url = %q\n}\n", api.V3URL()) + `data "sendgrid_ips" "x" {}`, `(?s)Invalid SendGrid API Key.*api_key.*whitespace.*trimspace`},
		{"fractional requests_per_minute", providerWith(api, `requests_per_minute = 1.5`) + `data "sendgrid_ips" "x" {}` + "\n", `(?s)requests_per_minute: 1\.5 is not valid: value must be a whole number`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: protoV6Factories(),
				Steps: []resource.TestStep{{
					Config:      tc.config,
					PlanOnly:    true,
					ExpectError: regexp.MustCompile(tc.want),
				}},
			})
		})
	}
	if n := len(api.Requests()); n != 0 {
		t.Fatalf("plan-time validation must not call SendGrid; %d requests served", n)
	}
}

func TestAccProvider_badSettingsAtPlanTime(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ attr, value, want string }{
		{"request_timeout", `"soon"`, `(?s)request_timeout.*not a valid Go Time Duration`},
		{"request_timeout", `"0s"`, `(?s)request_timeout.*greater than zero`},
		{"max_retries", `-1`, `(?s)max_retries: -1 is not valid: value must be a whole number between 0 and 20`},
		{"max_retries", `2.5`, `(?s)max_retries: 2\.5 is not valid: value must be a whole number`},
		{"requests_per_minute", `0`, `(?s)requests_per_minute: 0 is not valid: value must be a whole number between 1\s+and`},
	} {
		t.Run(tc.attr+"="+tc.value, func(t *testing.T) {
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: protoV6Factories(),
				Steps: []resource.TestStep{{
					Config: fmt.Sprintf(`
provider "sendgrid" {
  base_url = "http://127.0.0.1:1/apiv2/"
  api_user = "u"
  api_key  = "k"
  %s = %s
}
data "sendgrid_ips" "x" {}
`, tc.attr, tc.value),
					PlanOnly:    true,
					ExpectError: regexp.MustCompile(tc.want),
				}},
			})
		})
	}
}

func TestAccProvider_missingCredentials(t *testing.T) {
	api := startAPI(t)
	t.Setenv(envAPIUser, "")
	t.Setenv(envAPIKey, "")
	t.Setenv(envAPIVersion, "")
	for name, tc := range map[string]struct{ config, want string }{
		"v2": {fmt.Sprintf("provider \"sendgrid\" {\n  api_version = \"v2\"\n  base_url = %q\n}\n", api.URL()),
			`(?s)Missing SendGrid API User.*api_user.*` + envAPIUser + `.*Missing SendGrid API Key.*api_key.*` + envAPIKey},
		"v3 by default": {fmt.Sprintf("provider \"sendgrid\" {\n  base_url = %q\n}\n", api.V3URL()),
			`(?s)Missing SendGrid API Key.*api_key.*` + envAPIKey},
	} {
		t.Run(name, func(t *testing.T) {
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: protoV6Factories(),
				Steps: []resource.TestStep{{
					Config:      tc.config + `data "sendgrid_ips" "x" {}`,
					ExpectError: regexp.MustCompile(tc.want),
				}},
			})
		})
	}
	if n := len(api.Requests()); n != 0 {
		t.Fatalf("a provider without credentials called SendGrid %d times", n)
	}
}

// The environment alone configures either API; with no api_version, an
// api_user picks v2 and its absence v3 (the documented rule).
func TestAccProvider_credentialsFromEnvironment(t *testing.T) {
	bothAPIs(t, func(t *testing.T, api testAPI) {
		t.Setenv(envAPIKey, testAPIKey)
		t.Setenv(envAPIVersion, "")
		t.Setenv(envAPIUser, api.pick(testAPIUser, ""))
		t.Setenv(envBaseURL, api.pick(api.URL(), api.V3URL()))
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: protoV6Factories(),
			Steps: []resource.TestStep{{
				Config: `data "sendgrid_ips" "free" { list = "free" }`,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.sendgrid_ips.free", tfjsonpath.New("ips"), knownvalue.ListSizeExact(7)),
				},
			}},
		})
		if v3 := api.Count(calls.V3IPs, ""); (v3 > 0) != (api.version == sendgrid.APIv3) {
			t.Errorf("%s: %d v3 calls", api.version, v3)
		}
	})
}

// TestAccProvider_unknownConfiguration: a key only known after apply is
// reported as such, naming the attribute, rather than used as empty.
func TestAccProvider_unknownConfiguration(t *testing.T) {
	t.Parallel()
	api := startAPI(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories(),
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf(`
resource "terraform_data" "key" {
  input = "not known until apply"
}

provider "sendgrid" {
  base_url = %q
  api_user = %q
  api_key  = terraform_data.key.output
}

data "sendgrid_ips" "all" {}
`, api.URL(), testAPIUser),
			ExpectError: regexp.MustCompile(`(?s)Unknown SendGrid Provider Configuration.*api_key.*only\s+known\s+after\s+apply`),
		}},
	})
	if n := len(api.Requests()); n != 0 {
		t.Fatalf("an unconfigured provider called SendGrid %d times", n)
	}
}
