package provider

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/calls"
	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/sendgrid"
	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/sendgridmock"
	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/tfharness"
)

const (
	newRDNS       = "sendgrid_reverse_dns.new"
	newValidation = "sendgrid_reverse_dns_validation.new"
)

// rdnsSeed is testSeed where .11 and .12 have no reverse DNS record; every other IP has one.
func rdnsSeed() sendgridmock.Seed {
	seed := testSeed()
	seed.IPsWithoutRDNS = []string{"192.0.2.11", "192.0.2.12"}
	return seed
}

func startRDNSAPI(t *testing.T) testAPI {
	t.Helper()
	return testAPI{sendgridmock.StartTest(t, rdnsSeed()), sendgrid.APIv3}
}

func rdnsResource(label, ip, domain string) string {
	return fmt.Sprintf(`
resource "sendgrid_reverse_dns" %q {
  ip        = %q
  domain    = %q
  subdomain = "email"
}
`, label, ip, domain)
}

func validationResource(label, timeout string) string {
	return fmt.Sprintf(`
resource "sendgrid_reverse_dns_validation" %q {
  reverse_dns_id = sendgrid_reverse_dns.%s.id
  timeouts {
    create = %q
  }
}
`, label, label, timeout)
}

// validateOutside asks the mock to validate ip's record, as SendGrid's console would, and requires the
// attempt to fail (the A record is not published).
func validateOutside(t *testing.T, api testAPI, ip string) {
	t.Helper()
	rec, ok := mockRecord(api, ip)
	if !ok {
		t.Fatalf("no record for %s", ip)
	}
	req, err := http.NewRequest(http.MethodPost, fmt.Sprintf("%sv3/whitelabel/ips/%d/validate", api.V3URL(), rec.ID), nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+testAPIKey)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if rec, _ = mockRecord(api, ip); resp.StatusCode != http.StatusOK || rec.Valid {
		t.Fatalf("validation outside Terraform: HTTP %d, record valid %v; want 200 and invalid", resp.StatusCode, rec.Valid)
	}
}

// mockRecord is the mock's record for ip.
func mockRecord(api testAPI, ip string) (sendgridmock.ReverseDNSRecord, bool) {
	i := slices.IndexFunc(api.ReverseDNSRecords(), func(r sendgridmock.ReverseDNSRecord) bool { return r.IP == ip })
	if i < 0 {
		return sendgridmock.ReverseDNSRecord{}, false
	}
	return api.ReverseDNSRecords()[i], true
}

func checkMockRecordValid(api testAPI, ip string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		rec, ok := mockRecord(api, ip)
		switch {
		case !ok:
			return fmt.Errorf("mock SendGrid has no reverse DNS record for %s", ip)
		case !rec.Valid:
			return fmt.Errorf("mock record for %s is not valid", ip)
		}
		return nil
	}
}

// The whole path: a record, its validation after two failed attempts, a pool that takes the IP,
// then a record deleted outside Terraform is planned again with its validation.
func TestAccReverseDNS_lifecycle(t *testing.T) {
	t.Parallel()
	api := startRDNSAPI(t)
	api.PublishARecord("192.0.2.12", 2)
	config := providerConfig(api) + rdnsResource("new", "192.0.2.12", "example.com") + validationResource("new", "1m") +
		`
resource "sendgrid_ip_pool" "new" {
  name       = "new-ip"
  ips        = ["192.0.2.12"]
  depends_on = [sendgrid_reverse_dns_validation.new]
}
`
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories(),
		CheckDestroy: func(*terraform.State) error {
			if _, ok := mockRecord(api, "192.0.2.12"); ok {
				return fmt.Errorf("the record for 192.0.2.12 outlived destroy")
			}
			return nil
		},
		Steps: []resource.TestStep{
			{
				Config: config,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(newRDNS, tfjsonpath.New("a_record"), knownvalue.ObjectExact(map[string]knownvalue.Check{
						"type": knownvalue.StringExact("A"),
						"host": knownvalue.StringRegexp(regexp.MustCompile(`^o\d+\.email\.example\.com$`)),
						"data": knownvalue.StringExact("192.0.2.12"),
					})),
					statecheck.ExpectKnownValue(newRDNS, tfjsonpath.New("subdomain"), knownvalue.StringExact("email")),
					statecheck.CompareValuePairs(newRDNS, tfjsonpath.New("rdns"), newRDNS, tfjsonpath.New("a_record").AtMapKey("host"), compare.ValuesSame()),
					statecheck.CompareValuePairs(newRDNS, tfjsonpath.New("id"), newValidation, tfjsonpath.New("id"), compare.ValuesSame()),
				},
				Check: resource.ComposeTestCheckFunc(
					checkMockRecordValid(api, "192.0.2.12"),
					checkAPIPool(api, "new-ip", "192.0.2.12"),
					func(*terraform.State) error {
						if n := api.Count(calls.V3ValidateReverseDNS, ""); n != 3 {
							return fmt.Errorf("%d validation attempts, want 3 (two failed, one valid)", n)
						}
						return nil
					},
				),
			},
			{Config: config, ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}}},
			{ // deleted outside Terraform: the record and its validation are planned again
				PreConfig: func() {
					if err := api.DeleteReverseDNS("192.0.2.12"); err != nil {
						t.Fatal(err)
					}
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(newRDNS, plancheck.ResourceActionCreate),
					plancheck.ExpectResourceAction(newValidation, plancheck.ResourceActionCreate),
				}},
				Check: checkMockRecordValid(api, "192.0.2.12"),
			},
			{ // A record gone from DNS while valid: SendGrid keeps it valid until a validation, so nothing is planned
				PreConfig:        func() { api.UnpublishARecord("192.0.2.12") },
				Config:           config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
			{ // a validation outside Terraform fails: the record lapses, only the validation is planned again
				PreConfig: func() {
					validateOutside(t, api, "192.0.2.12")
					api.PublishARecord("192.0.2.12", 0)
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(newRDNS, plancheck.ResourceActionNoop),
					plancheck.ExpectResourceAction(newValidation, plancheck.ResourceActionCreate),
				}},
				Check: checkMockRecordValid(api, "192.0.2.12"),
			},
		},
	})
}

// A record SendGrid does not validate in time: the error names the A record and SendGrid's reason,
// and nothing is recorded; once published, the next apply validates it.
func TestAccReverseDNS_validationTimeout(t *testing.T) {
	t.Parallel()
	api := startRDNSAPI(t)
	config := providerConfig(api) + rdnsResource("new", "192.0.2.11", "example.com")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories(),
		Steps: []resource.TestStep{
			{
				Config:      config + validationResource("new", "2s"),
				ExpectError: regexp.MustCompile(`(?s)Reverse\s+DNS\s+Not\s+Validated\s+in\s+Time.*type:\s+A.*host:\s+o\d+\.email\.example\.com.*value:\s+192\.0\.2\.11.*no\s+such\s+host`),
			},
			{
				PreConfig: func() { api.PublishARecord("192.0.2.11", 0) },
				Config:    config + validationResource("new", "1m"),
				Check:     checkMockRecordValid(api, "192.0.2.11"),
			},
		},
	})
}

// Every mistake a user can make is named, and those caught before sending send nothing.
func TestAccReverseDNS_badInput(t *testing.T) {
	t.Parallel()
	api := startRDNSAPI(t)
	v2 := testAPI{api.Server, sendgrid.APIv2}
	steps := []resource.TestStep{
		{Config: providerConfig(api) + rdnsResource("x", "192.0.2.11", "localhost"), PlanOnly: true, ExpectError: regexp.MustCompile(`(?s)Invalid\s+Domain.*one\s+label`)},
		{Config: providerConfig(api) + rdnsResource("x", "192.0.2.11", "-bad.example.com"), PlanOnly: true, ExpectError: regexp.MustCompile(`(?s)Invalid\s+Domain.*not\s+a\s+DNS\s+label`)},
		{Config: providerConfig(api) + `
resource "sendgrid_reverse_dns_validation" "x" {
  reverse_dns_id = "12a"
}`, PlanOnly: true, ExpectError: regexp.MustCompile(`Invalid\s+Reverse\s+DNS\s+Record\s+ID`)},
		{Config: providerConfig(v2) + rdnsResource("x", "192.0.2.11", "example.com"), PlanOnly: true, ExpectError: regexp.MustCompile(`(?s)SendGrid\s+v3\s+API\s+Required.*sendgrid_reverse_dns`)},
		{Config: providerConfig(api) + rdnsResource("x", "198.51.100.7", "example.com"), ExpectError: regexp.MustCompile(`(?s)IP\s+Address\s+Not\s+on\s+the\s+SendGrid\s+Account.*198\.51\.100\.7`)},
		{Config: providerConfig(api) + rdnsResource("x", "192.0.2.1", "example.com"), ExpectError: regexp.MustCompile(`(?s)Already\s+Has\s+Reverse\s+DNS.*record\s+\d+\s+for\s+192\.0\.2\.1.*terraform\s+import`)},
		{Config: providerConfig(api) + rdnsResource("x", "192.0.2.11", "example.invalid"), ExpectError: regexp.MustCompile(`(?s)Unable\s+to\s+Create\s+SendGrid\s+Reverse\s+DNS\s+Record.*HTTP\s+400`)},
	}
	for _, step := range steps {
		resource.Test(t, resource.TestCase{ProtoV6ProviderFactories: protoV6Factories(), Steps: []resource.TestStep{step}})
	}
	if n := api.Count(calls.V3CreateReverseDNS, ""); n != 1 {
		t.Errorf("%d creates sent, want 1 (only the domain SendGrid refused)", n)
	}
}

func TestAccReverseDNS_import(t *testing.T) {
	t.Parallel()
	api := startRDNSAPI(t)
	rec, ok := mockRecord(api, "192.0.2.3")
	if !ok {
		t.Fatal("the seed has no record for 192.0.2.3")
	}
	const adopted = "sendgrid_reverse_dns.adopted"
	config := providerConfig(api) + fmt.Sprintf(`
resource "sendgrid_reverse_dns" "adopted" {
  ip        = "192.0.2.3"
  domain    = %q
  subdomain = %q
}
`, rec.Domain, rec.Subdomain)
	importBlock := func(id string) string { return fmt.Sprintf("import {\n  to = %s\n  id = %q\n}\n", adopted, id) }
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Factories(),
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_5_0)},
		Steps: []resource.TestStep{
			{ // by IP
				Config: config + importBlock("192.0.2.3"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(adopted, plancheck.ResourceActionNoop),
					plancheck.ExpectKnownValue(adopted, tfjsonpath.New("id"), knownvalue.StringExact(fmt.Sprint(rec.ID))),
				}},
			},
			{ // by id
				Config: config, ResourceName: adopted, ImportState: true, ImportStateId: fmt.Sprint(rec.ID),
				ImportStateVerify: true, ImportStateVerifyIgnore: []string{"timeouts"},
			},
			{
				Config: config, ResourceName: adopted, ImportState: true, ImportStateId: "192.0.2.11",
				ExpectError: regexp.MustCompile(`Cannot\s+import\s+non-existent\s+remote\s+object`),
			},
			{
				Config: config, ResourceName: adopted, ImportState: true, ImportStateId: "o1.example.com",
				ExpectError: regexp.MustCompile(`(?s)Invalid\s+Import\s+ID.*id\s+\(a\s+positive\s+whole\s+number\)\s+or\s+its\s+IPv4\s+address`),
			},
		},
	})
}

// Import by identity, and the list resource, through the protocol, whatever CLI make test has.
func TestReverseDNSIdentityAndList(t *testing.T) {
	t.Parallel()
	api := startRDNSAPI(t)
	srv := protocolServer(t, api.Server, v3Settings(api.Server))
	ctx := context.Background()
	typ := tftypes.Object{AttributeTypes: map[string]tftypes.Type{"ip": tftypes.String}}
	dv, err := tfprotov6.NewDynamicValue(typ, tftypes.NewValue(typ, map[string]tftypes.Value{"ip": tftypes.NewValue(tftypes.String, "192.0.2.3")}))
	if err != nil {
		t.Fatal(err)
	}
	imp, err := srv.ImportResourceState(ctx, &tfprotov6.ImportResourceStateRequest{TypeName: "sendgrid_reverse_dns", Identity: &tfprotov6.ResourceIdentityData{IdentityData: &dv}})
	if err != nil || diagnosticsFailed(imp.Diagnostics) || len(imp.ImportedResources) != 1 {
		t.Fatalf("import: %v %v", err, imp)
	}
	read, err := srv.ReadResource(ctx, &tfprotov6.ReadResourceRequest{TypeName: "sendgrid_reverse_dns", CurrentState: imp.ImportedResources[0].State,
		CurrentIdentity: imp.ImportedResources[0].Identity})
	if err != nil || diagnosticsFailed(read.Diagnostics) || read.NewState == nil {
		t.Fatalf("read: %v %v", err, read)
	}
	rec, _ := mockRecord(api, "192.0.2.3")
	if attrs := stateAttrs(t, read.NewState, reverseDNSResourceType()); attrs["id"] != fmt.Sprint(rec.ID) || attrs["rdns"] != rec.RDNS {
		t.Errorf("imported %v, want id %d and rdns %s", attrs, rec.ID, rec.RDNS)
	}

	scan := api.Count(calls.V3ReverseDNSList, "")
	got := listed(t, srv, &tfprotov6.ListResourceRequest{TypeName: "sendgrid_reverse_dns", Config: listConfig(t, newReverseDNSListResource(), nil), IncludeResource: true},
		"ip", reverseDNSResourceType())
	var ips []string
	for _, r := range got {
		ips = append(ips, r.identity)
	}
	if want := []string{"192.0.2.1", "192.0.2.2", "192.0.2.3", "192.0.2.4", "192.0.2.5", "192.0.2.6", "192.0.2.7", "192.0.2.8", "192.0.2.9", "192.0.2.10"}; !slices.Equal(ips, want) {
		t.Errorf("listed %v, want %v", ips, want)
	}
	if n := api.Count(calls.V3ReverseDNSList, ""); n != scan || scan > 2 {
		t.Errorf("import and read cost %d list calls, the list %d more; want at most 2, then none (one scan per process)", scan, n-scan)
	}
	other := listed(t, srv, &tfprotov6.ListResourceRequest{TypeName: "sendgrid_reverse_dns",
		Config: listConfig(t, newReverseDNSListResource(), map[string]string{"domain": "other.example"})}, "ip", reverseDNSResourceType())
	if len(other) != 0 {
		t.Errorf("domain other.example lists %d records, want 0", len(other))
	}
}

// Refreshing R records and their validations costs one scan, paged 500 at a time, whatever R.
func TestReverseDNSRefreshCost(t *testing.T) {
	t.Parallel()
	for _, n := range []int{1, 40, 600} {
		seed := testSeed()
		seed.IPs = tfharness.TestNetIPs(n)
		seed.Subusers = nil
		api := sendgridmock.StartTest(t, seed)
		srv := protocolServer(t, api, v3Settings(api))
		records := testAPI{api, sendgrid.APIv3}.ReverseDNSRecords()
		api.ResetRequests()
		for _, rec := range records {
			for _, typeName := range []string{"sendgrid_reverse_dns", "sendgrid_reverse_dns_validation"} {
				state := rdnsState(t, typeName, rec)
				resp, err := srv.ReadResource(context.Background(), &tfprotov6.ReadResourceRequest{TypeName: typeName, CurrentState: state})
				if err != nil || diagnosticsFailed(resp.Diagnostics) || resp.NewState == nil {
					t.Fatalf("ReadResource %s %d: %v %v", typeName, rec.ID, err, resp.Diagnostics)
				}
			}
		}
		tally := sendgridmock.Tally(api.Requests())
		bound := (n+499)/500 + 1
		t.Logf("refresh of %d records and %d validations: %d calls %v, bound %d", n, n, len(api.Requests()), tally, bound)
		if got := len(api.Requests()); got > bound || tally[calls.V3ReverseDNS] != 0 {
			t.Errorf("refresh of %d records cost %d calls (%v), bound %d", n, got, tally, bound)
		}
	}
}

func reverseDNSResourceType() tftypes.Type { return stateType(newReverseDNSResource()) }

// rdnsState is the state of a sendgrid_reverse_dns or sendgrid_reverse_dns_validation for rec.
func rdnsState(t testing.TB, typeName string, rec sendgridmock.ReverseDNSRecord) *tfprotov6.DynamicValue {
	t.Helper()
	id := tftypes.NewValue(tftypes.String, fmt.Sprint(rec.ID))
	if typeName == "sendgrid_reverse_dns_validation" {
		return dynamicValue(t, stateType(newReverseDNSValidationResource()), map[string]tftypes.Value{"id": id, "reverse_dns_id": id})
	}
	return dynamicValue(t, reverseDNSResourceType(), map[string]tftypes.Value{
		"id": id, "ip": tftypes.NewValue(tftypes.String, rec.IP), "domain": tftypes.NewValue(tftypes.String, rec.Domain),
	})
}

// listConfig is a list resource's configuration with the given string attributes set.
func listConfig(t testing.TB, r list.ListResource, values map[string]string) *tfprotov6.DynamicValue {
	t.Helper()
	ctx := context.Background()
	var sch list.ListResourceSchemaResponse
	r.ListResourceConfigSchema(ctx, list.ListResourceSchemaRequest{}, &sch)
	vals := map[string]tftypes.Value{}
	for k, v := range values {
		vals[k] = tftypes.NewValue(tftypes.String, v)
	}
	return dynamicValue(t, sch.Schema.Type().TerraformType(ctx), vals)
}
