package provider

import (
	"regexp"
	"testing"

	tfresource "github.com/hashicorp/terraform-plugin-testing/helper/resource"
)

func TestAccIPDataSource_notOnAccount(t *testing.T) {
	t.Parallel()
	api := startPoolAPI(t)
	tfresource.Test(t, tfresource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories(),
		Steps: []tfresource.TestStep{{
			Config:      providerConfig(api) + `data "sendgrid_ip" "x" { ip = "198.51.100.7" }`,
			ExpectError: regexp.MustCompile(`(?s)IP\s+Address\s+Not\s+on\s+the\s+SendGrid\s+Account.*sendgrid_ips`),
		}},
	})
}
