package e2e

import (
	"context"
	"fmt"
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
	ips := make([]string, 0, 12)
	for i := 1; i <= 12; i++ {
		ips = append(ips, fmt.Sprintf("192.0.2.%d", i))
	}
	return sendgridmock.Seed{
		APIUser: apiUser, APIKey: apiKey, IPs: ips,
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

func workdir(t *testing.T) *tfharness.Workdir {
	t.Helper()
	w, err := harness.Workdir(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// run runs a CLI command that must succeed.
func run(t *testing.T, w *tfharness.Workdir, args ...string) tfharness.Result {
	t.Helper()
	res, err := w.MustSucceed(context.Background(), args...)
	if err != nil {
		t.Fatal(err)
	}
	return res
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
