package e2e

import (
	"maps"
	"slices"
	"testing"

	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/sendgridmock"
	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/tfharness"
)

const (
	apiUser = "reseller@example.com"
	apiKey  = "SG.e2e-test-key-4d8b2a6f0c"
)

func seed() sendgridmock.Seed {
	return sendgridmock.Seed{
		APIUser: apiUser, APIKey: apiKey, IPs: tfharness.TestNetIPs(12),
		Subusers: []sendgridmock.SeedSubuser{
			{Name: "alice", IPs: []string{"192.0.2.1", "192.0.2.2"}},
			{Name: "newbie"},
		},
	}
}

// providerBlock points the provider at the mock; settings are extra
// lines for the provider block, such as "requests_per_minute = 600".
func providerBlock(api *sendgridmock.Server, settings ...string) string {
	return tfharness.ProviderConfig(api.URL(), apiUser, apiKey, settings...)
}

// workdir returns a working directory; env adds KEY=VALUE variables.
func workdir(t *testing.T, env ...string) *tfharness.Workdir {
	t.Helper()
	w, err := harness.Workdir(t.TempDir(), env...)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func writeConfig(t *testing.T, w *tfharness.Workdir, hcl string) {
	t.Helper()
	if err := w.WriteConfig(hcl); err != nil {
		t.Fatal(err)
	}
}

// must fails the test if a CLI command failed, and returns its output.
func must(t *testing.T, w *tfharness.Workdir, err error) string {
	t.Helper()
	out := w.Output()
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	return out
}

// planExit runs plan -detailed-exitcode and returns its exit code and output.
func planExit(t *testing.T, w *tfharness.Workdir) (int, string) {
	t.Helper()
	code := tfharness.PlanExitCode(w.Plan(t.Context()))
	out := w.Output()
	if code < 0 {
		t.Fatalf("terraform plan did not run:\n%s", out)
	}
	return code, out
}

func expectCalls(t *testing.T, op string, api *sendgridmock.Server, want map[string]int) {
	t.Helper()
	got := sendgridmock.Tally(api.Requests())
	if !maps.Equal(got, want) {
		t.Errorf("%s: API calls %v, want %v", op, got, want)
	}
	api.ResetRequests()
}

func expectHolds(t *testing.T, api *sendgridmock.Server, user string, want ...string) {
	t.Helper()
	got, _ := api.SubuserIPs(user)
	if !slices.Equal(got, want) {
		t.Fatalf("mock holds %v for %s, want %v", got, user, want)
	}
}
