package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-exec/tfexec"

	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/sendgridmock"
	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/tfharness"
)

// TestDetailedExitCode is the CI drift recipe: plan -detailed-exitcode
// exits 0 when SendGrid matches the code, 2 when it does not (the plan names
// the resource and the IPs), and 1 when SendGrid cannot be asked.
func TestDetailedExitCode(t *testing.T) {
	t.Parallel()
	forEachAPI(t, func(t *testing.T, v sendgridAPI) {
		api := sendgridmock.StartTest(t, seed())
		w := workdir(t)
		// One retry keeps the outage case below short; retries have their
		// own tests.
		writeConfig(t, w, v.block(api, "max_retries = 1")+tfharness.SubuserIPsResource("newbie", "newbie", "192.0.2.6", "192.0.2.7"))
		must(t, w, w.Apply(t.Context()))

		if code, out := planExit(t, w); code != 0 {
			t.Fatalf("no drift: exit %d, want 0\n%s", code, out)
		}

		api.SetDuplicateIPs(true)
		if code, out := planExit(t, w); code != 0 {
			t.Fatalf("duplicates in the answer are not drift: exit %d\n%s", code, out)
		}
		api.SetDuplicateIPs(false)

		if err := api.SetSubuserIPs("newbie", []string{"192.0.2.7", "192.0.2.9"}); err != nil {
			t.Fatal(err)
		}
		code, out := planExit(t, w)
		if code != 2 {
			t.Fatalf("drift: exit %d, want 2\n%s", code, out)
		}
		for _, want := range []string{"sendgrid_subuser_ips.newbie will be updated in-place", `+ "192.0.2.6"`, `- "192.0.2.9"`, "1 to change"} {
			if !strings.Contains(out, want) {
				t.Errorf("drift plan lacks %q:\n%s", want, out)
			}
		}

		must(t, w, w.Apply(t.Context()))
		expectHolds(t, api, "newbie", "192.0.2.6", "192.0.2.7")
		if code, out := planExit(t, w); code != 0 {
			t.Fatalf("after restoring: exit %d, want 0\n%s", code, out)
		}

		// A CI gate must not go green on an outage.
		api.InjectFault(sendgridmock.Fault{Kind: sendgridmock.FaultServerError, Count: 100})
		if code, out := planExit(t, w); code != 1 {
			t.Fatalf("API down: exit %d, want 1\n%s", code, out)
		}
	})
}

// TestGenerateConfigOut imports existing subusers with import blocks and
// -generate-config-out, one of them holding no IP; the generated
// configuration then plans clean.
func TestGenerateConfigOut(t *testing.T) {
	t.Parallel()
	forEachAPI(t, func(t *testing.T, v sendgridAPI) {
		api := sendgridmock.StartTest(t, seed())
		w := workdir(t)
		writeConfig(t, w, v.block(api)+
			"import {\n  to = sendgrid_subuser_ips.alice\n  id = \"alice\"\n}\n"+
			"import {\n  to = sendgrid_subuser_ips.newbie\n  id = \"newbie\"\n}\n")
		_, err := w.Plan(t.Context(), tfexec.GenerateConfigOut("generated.tf"))
		must(t, w, err)
		b, err := os.ReadFile(filepath.Join(w.WorkingDir(), "generated.tf"))
		if err != nil {
			t.Fatal(err)
		}
		generated := tfharness.Flatten(string(b))
		for _, want := range []string{`user = "alice"`, `"192.0.2.1"`, `"192.0.2.2"`, `user = "newbie"`, `ips = []`} {
			if !strings.Contains(generated, want) {
				t.Fatalf("generated configuration lacks %s:\n%s", want, b)
			}
		}
		if out := must(t, w, w.Apply(t.Context())); !strings.Contains(out, "2 imported, 0 added, 0 changed, 0 destroyed") {
			t.Fatalf("import apply changed something:\n%s", out)
		}
		if code, out := planExit(t, w); code != 0 {
			t.Fatalf("generated configuration does not plan clean (exit %d):\n%s\n%s", code, b, out)
		}
		expectHolds(t, api, "alice", "192.0.2.1", "192.0.2.2")
		expectHolds(t, api, "newbie")
	})
}
