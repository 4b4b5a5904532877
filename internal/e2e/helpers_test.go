package e2e

import (
	"slices"
	"testing"

	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/calls"
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

// sendgridAPI is one of the two SendGrid APIs the provider speaks; every
// test about the API runs once on each (forEachAPI).
type sendgridAPI struct {
	name string // "v2" or "v3"
	v3   bool
}

var (
	apiV2 = sendgridAPI{"v2", false}
	apiV3 = sendgridAPI{"v3", true}
)

// forEachAPI runs test as a subtest per API, v2 first.
func forEachAPI(t *testing.T, test func(t *testing.T, v sendgridAPI)) {
	t.Helper()
	for _, v := range []sendgridAPI{apiV2, apiV3} {
		t.Run(v.name, func(t *testing.T) { test(t, v) })
	}
}

// pick returns what the test expects on v2, or on v3.
func pick[T any](v sendgridAPI, v2, v3 T) T {
	if v.v3 {
		return v3
	}
	return v2
}

// url is the mock's base URL for this API.
func (v sendgridAPI) url(api *sendgridmock.Server) string { return pick(v, api.URL(), api.V3URL()) }

// block points the provider at the mock on this API; settings are extra
// lines for the provider block, such as "requests_per_minute = 600".
func (v sendgridAPI) block(api *sendgridmock.Server, settings ...string) string {
	return tfharness.ProviderConfig(v.url(api), pick(v, apiUser, ""), apiKey, settings...)
}

// env is the environment that configures an empty provider block for this
// API, as users are told to.
func (v sendgridAPI) env(api *sendgridmock.Server, s sendgridmock.Seed) []string {
	env := []string{"SENDGRID_BASE_URL=" + v.url(api), "SENDGRID_API_KEY=" + s.APIKey}
	if !v.v3 {
		env = append(env, "SENDGRID_API_USER="+s.APIUser)
	}
	return env
}

// writeFault aims a fault at the call that writes a subuser's IPs.
func (v sendgridAPI) writeFault(f sendgridmock.Fault) sendgridmock.Fault {
	f.Call, f.Task = pick(v, calls.V2SendIP, calls.V3SetSubuserIPs), pick(v, "append", "")
	return f
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

func expectHolds(t *testing.T, api *sendgridmock.Server, user string, want ...string) {
	t.Helper()
	got, _ := api.SubuserIPs(user)
	if !slices.Equal(got, want) {
		t.Fatalf("mock holds %v for %s, want %v", got, user, want)
	}
}
