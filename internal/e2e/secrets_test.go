package e2e

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/calls"
	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/sendgridmock"
	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/tfharness"
)

// TestSecretsNeverLeak runs a whole life cycle on each API with TF_LOG=TRACE, a wrong key included, and
// looks for both keys in every log, output, URL, state file and `terraform show -json`; the mock checks
// how the key travelled (DESIGN.md, "Security").
func TestSecretsNeverLeak(t *testing.T) {
	t.Parallel()
	forEachAPI(t, testSecretsNeverLeak)
}

func testSecretsNeverLeak(t *testing.T, v sendgridAPI) {
	const wrongKey = "SG.wrong-secret-key-8e1c5d09b7"
	api := sendgridmock.StartTest(t, seed())

	logPath := filepath.Join(t.TempDir(), "trace.log")
	w := workdir(t)
	if err := w.SetLogPath(logPath); err != nil { // TF_LOG=TRACE
		t.Fatal(err)
	}
	ctx := t.Context()
	var outputs []string
	step := func(wantExit int, config, name string, cmd func() int) string {
		t.Helper()
		writeConfig(t, w, config)
		code := cmd()
		out := w.Output()
		outputs = append(outputs, "terraform "+name+":\n"+out)
		if code != wantExit {
			t.Fatalf("terraform %s exited %d, want %d:\n%s", name, code, wantExit, out)
		}
		return out
	}
	apply := func() int { return tfharness.ExitCode(w.Apply(ctx)) }

	block := v.block(api)
	newbie := tfharness.SubuserIPsResource("newbie", "newbie", "192.0.2.6")
	alice := tfharness.SubuserIPsResource("alice", "alice", "192.0.2.1", "192.0.2.2")

	// Create, through a 500 and a retry, so the retry path logs too.
	api.InjectFault(v.writeFault(sendgridmock.Fault{Kind: sendgridmock.FaultServerError}))
	step(0, block+newbie, "apply", apply)
	expectHolds(t, api, "newbie", "192.0.2.6")
	step(0, block+newbie, "plan -detailed-exitcode", func() int { return tfharness.PlanExitCode(w.Plan(ctx)) })
	step(0, block+newbie+alice, "import", func() int { return tfharness.ExitCode(w.Import(ctx, "sendgrid_subuser_ips.alice", "alice")) })
	// An IP the reseller does not own: SendGrid's error, quoted.
	out := step(1, block+tfharness.SubuserIPsResource("newbie", "newbie", "192.0.2.6", "198.51.100.7")+alice, "apply", apply)
	if !strings.Contains(tfharness.Flatten(out), "SendGrid Refused the IP Assignment") {
		t.Errorf("the rejected apply did not fail as expected:\n%s", out)
	}
	// A wrong key: refused, and that key is a secret too.
	out = step(1, strings.Replace(block, apiKey, wrongKey, 1)+newbie+alice, "apply", apply)
	if want := pick(v, "Invalid username and/or password", "authorization required"); !strings.Contains(tfharness.Flatten(out), want) {
		t.Errorf("the wrong key was not refused as expected (%q):\n%s", want, out)
	}
	show := step(0, block+newbie+alice, "show -json", func() int {
		_, err := w.Show(ctx)
		return tfharness.ExitCode(err)
	})
	step(0, block+newbie+alice, "destroy", func() int { return tfharness.ExitCode(w.Destroy(ctx)) })
	expectHolds(t, api, "newbie")
	expectHolds(t, api, "alice")

	logData, err := os.ReadFile(logPath) //nolint:gosec // the test's own temporary file
	if err != nil {
		t.Fatal(err)
	}
	log := string(logData)
	// The log must hold what it is searched for, or the search proves
	// nothing: the provider's own request logs (with each URL), the retry
	// among them.
	for _, want := range []string{"SendGrid request", pick(v, calls.V2SetIPs, calls.V3SetSubuserIPs), pick(v, "/apiv2/customer.sendip.json", "/v3/ips?"), "retrying SendGrid request", "ConfigureProvider"} {
		if !strings.Contains(log, want) {
			t.Errorf("the TRACE log lacks %q: it does not capture the provider's logs", want)
		}
	}

	state, err := os.ReadFile(filepath.Join(w.WorkingDir(), "terraform.tfstate"))
	if err != nil {
		t.Fatal(err)
	}
	backup, err := os.ReadFile(filepath.Join(w.WorkingDir(), "terraform.tfstate.backup"))
	if err != nil {
		t.Fatal(err)
	}
	// What the mock parsed of each request's URL and body; the query
	// itself is checked by the mock (CredentialsInQuery, below).
	requests := api.Requests()
	var sent strings.Builder
	for _, r := range requests {
		fmt.Fprintln(&sent, r.Method, r.Call, r.User, r.IPs, r.UserAgent)
	}
	places := map[string]string{
		"the TRACE log":            log,
		"the CLI output":           strings.Join(outputs, "\n"),
		"terraform.tfstate":        string(state),
		"terraform.tfstate.backup": string(backup),
		"terraform show -json":     show,
		"the mock's request log":   sent.String(),
	}
	for _, secret := range []string{apiKey, wrongKey} {
		// The distinctive part alone, in case a prefix were cut or the
		// value escaped.
		core := strings.TrimPrefix(secret, "SG.")
		for where, text := range places {
			if strings.Contains(text, core) {
				t.Errorf("the key %q appears in %s", secret, where)
			}
		}
	}
	// Provider configuration is not state: neither the attribute nor the
	// block appear (the backup holds the state with both resources).
	for _, text := range []string{string(state), string(backup)} {
		for _, word := range []string{"api_key", "api_user", "provider_config", apiUser} {
			if strings.Contains(text, word) {
				t.Errorf("the state file mentions %q:\n%s", word, text)
			}
		}
	}
	if !strings.Contains(string(backup), `"alice"`) || !strings.Contains(string(backup), `"192.0.2.6"`) {
		t.Errorf("the backup does not hold the state before destroy, so it checks nothing:\n%s", backup)
	}

	if len(requests) < 8 {
		t.Fatalf("only %d requests logged", len(requests))
	}
	for _, r := range requests {
		if r.Call == "" {
			t.Errorf("%s for %s: a URL the mock does not know", r.Method, r.User)
		}
		if r.CredentialsInQuery {
			t.Errorf("%s %s for %s carried credentials in the URL", r.Method, r.Call, r.User)
		}
		switch {
		case v.v3 && !r.BearerAuth:
			t.Errorf("%s %s for %s: no bearer header", r.Method, r.Call, r.User)
		case !v.v3 && r.Method != http.MethodPost:
			t.Errorf("%s %s for %s: credentials go in a POST body, not a %s", r.Method, r.Call, r.User, r.Method)
		}
	}
}
