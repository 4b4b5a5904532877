package provider

import (
	"fmt"
	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/calls"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/sendgrid"
	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/sendgridmock"
	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/tfharness"
)

// Test credentials. The key is made up, and long and distinctive so the
// secret-hygiene tests can look for it anywhere.
const (
	testAPIUser = "reseller@example.com"
	testAPIKey  = "SG.acceptance-test-key-7f3a9c1e5b"
)

// testSeed: .1 alice; .2 alice and bob; .3 bob; .4 deactivated carol; .5 deactivated erin and frank;
// .6-.12 free; dave and newbie hold nothing.
func testSeed() sendgridmock.Seed {
	inactive := false
	return sendgridmock.Seed{
		APIUser: testAPIUser,
		APIKey:  testAPIKey,
		IPs:     tfharness.TestNetIPs(12),
		Subusers: []sendgridmock.SeedSubuser{
			{Name: "alice", IPs: []string{"192.0.2.1", "192.0.2.2"}},
			{Name: "bob", IPs: []string{"192.0.2.2", "192.0.2.3"}},
			{Name: "carol", Active: &inactive, IPs: []string{"192.0.2.4"}},
			{Name: "dave"},
			{Name: "erin", Active: &inactive, IPs: []string{"192.0.2.5"}},
			{Name: "frank", IPs: []string{"192.0.2.5"}},
			{Name: "newbie"},
		},
	}
}

// testAPI is a mock SendGrid and the API version a test speaks to it.
type testAPI struct {
	*sendgridmock.Server
	version string
}

// bothAPIs runs test once per SendGrid API, each against its own mock
// seeded with testSeed.
func bothAPIs(t *testing.T, test func(t *testing.T, api testAPI)) {
	t.Helper()
	for _, v := range []string{sendgrid.APIv2, sendgrid.APIv3} {
		t.Run(v, func(t *testing.T) { test(t, testAPI{startAPI(t), v}) })
	}
}

// startAPI starts a mock SendGrid with the test seed for one test.
func startAPI(t *testing.T) *sendgridmock.Server {
	t.Helper()
	return sendgridmock.StartTest(t, testSeed())
}

// pick returns what the test expects on v2, or on v3.
func (a testAPI) pick(v2, v3 string) string {
	if a.version == sendgrid.APIv3 {
		return v3
	}
	return v2
}

// writeCall is the mock's name of the call that writes one subuser's IPs,
// for aiming faults.
func (a testAPI) writeCall() (call, task string) {
	if a.version == sendgrid.APIv3 {
		return calls.V3SetSubuserIPs, ""
	}
	return calls.V2SendIP, "append"
}

// providerConfig is the provider block that points at the mock.
func providerConfig(api testAPI) string { return providerWith(api) }

// providerWith is providerConfig with extra settings, one per line.
func providerWith(api testAPI, settings ...string) string {
	return "\n" + tfharness.ProviderBlock(api.version, api.pick(api.URL(), api.V3URL()), api.pick(testAPIUser, ""), testAPIKey, settings...)
}

// fastRetries keeps fault tests short: the retry logic is the same, the
// waits are milliseconds. Server-sent Retry-After still counts, capped by
// RetryWaitMax.
func fastRetries(c *sendgrid.Config) {
	c.RetryWaitMin = 5 * time.Millisecond
	c.RetryWaitMax = 3 * time.Second // above the 1-2 s a fault row asks for, so Retry-After is honoured
	c.SettlePoll = 100 * time.Millisecond
}

// protoV6Factories serves the provider in-process to the Terraform CLI
// that terraform-plugin-testing drives, through the same wrapper main.go
// serves.
func protoV6Factories() map[string]func() (tfprotov6.ProviderServer, error) {
	serve := newServer(&sendgridProvider{version: "test", tune: fastRetries})
	return map[string]func() (tfprotov6.ProviderServer, error){
		"sendgrid": func() (tfprotov6.ProviderServer, error) { return serve(), nil },
	}
}

// checkAPIIPs asserts what the mock SendGrid holds for a subuser, so every
// step checks the real effect and not only Terraform's state.
func checkAPIIPs(api testAPI, user string, want ...string) func(*terraform.State) error {
	return func(*terraform.State) error {
		got, ok := api.SubuserIPs(user)
		if !ok {
			return fmt.Errorf("mock SendGrid has no subuser %q", user)
		}
		want = sendgrid.SortIPs(want)
		if !slices.Equal(got, want) {
			return fmt.Errorf("mock SendGrid holds %v for %q, want %v", got, user, want)
		}
		return nil
	}
}

// hcl quotes a list of strings as an HCL list.
func hcl(items ...string) string {
	quoted := make([]string, len(items))
	for i, s := range items {
		quoted[i] = fmt.Sprintf("%q", s)
	}
	return "[" + strings.Join(quoted, ", ") + "]"
}

// long says whether this is make test-long (SENDGRID_TEST_LONG=1): the full soak and fault matrix.
func long() bool { return os.Getenv("SENDGRID_TEST_LONG") == "1" }
