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

// poolSeed is seed with the pool "transactional" holding .1 and .2, and the empty pool "spare".
func poolSeed() sendgridmock.Seed {
	s := seed()
	s.Pools = []sendgridmock.SeedPool{{Name: "transactional", IPs: []string{"192.0.2.1", "192.0.2.2"}}, {Name: "spare"}}
	return s
}

// setPoolOutside replaces a pool's IPs as someone in SendGrid's console would; nil deletes the pool.
func setPoolOutside(t *testing.T, api *sendgridmock.Server, name string, ips []string) {
	t.Helper()
	err := api.SetPoolIPs(name, ips)
	if ips == nil {
		err = api.DeletePool(name)
	}
	if err != nil {
		t.Fatal(err)
	}
}

// TestPoolDetailedExitCode is the CI drift recipe for pools: 0 when SendGrid matches, 2 when an IP
// moved or the pool is gone, 1 when SendGrid cannot be asked.
func TestPoolDetailedExitCode(t *testing.T) {
	t.Parallel()
	api := sendgridmock.StartTest(t, poolSeed())
	w := workdir(t)
	writeConfig(t, w, apiV3.block(api, "max_retries = 1")+`
resource "sendgrid_ip_pool" "marketing" {
  name = "marketing"
  ips  = ["192.0.2.6", "192.0.2.7"]
}
`)
	must(t, w, w.Apply(t.Context()))
	if code, out := planExit(t, w); code != 0 {
		t.Fatalf("no drift: exit %d, want 0\n%s", code, out)
	}
	setPoolOutside(t, api, "marketing", []string{"192.0.2.7", "192.0.2.9"})
	code, out := planExit(t, w)
	if code != 2 {
		t.Fatalf("drift: exit %d, want 2\n%s", code, out)
	}
	for _, want := range []string{"sendgrid_ip_pool.marketing will be updated in-place", `+ "192.0.2.6"`, `- "192.0.2.9"`} {
		if !strings.Contains(out, want) {
			t.Errorf("drift plan lacks %q:\n%s", want, out)
		}
	}
	must(t, w, w.Apply(t.Context()))
	if code, out := planExit(t, w); code != 0 {
		t.Fatalf("after restoring: exit %d, want 0\n%s", code, out)
	}
	setPoolOutside(t, api, "marketing", nil)
	if code, out := planExit(t, w); code != 2 || !strings.Contains(out, "sendgrid_ip_pool.marketing will be created") {
		t.Fatalf("deleted pool: exit %d, want 2 and a create\n%s", code, out)
	}
	api.InjectFault(sendgridmock.Fault{Kind: sendgridmock.FaultServerError, Count: 100})
	if code, out := planExit(t, w); code != 1 {
		t.Fatalf("API down: exit %d, want 1\n%s", code, out)
	}
}

// TestPoolGenerateConfigOut imports a pool and an empty pool with import blocks and
// -generate-config-out; the generated configuration plans clean.
func TestPoolGenerateConfigOut(t *testing.T) {
	t.Parallel()
	api := sendgridmock.StartTest(t, poolSeed())
	w := workdir(t)
	writeConfig(t, w, apiV3.block(api)+
		"import {\n  to = sendgrid_ip_pool.transactional\n  id = \"transactional\"\n}\n"+
		"import {\n  to = sendgrid_ip_pool.spare\n  id = \"spare\"\n}\n")
	_, err := w.Plan(t.Context(), tfexec.GenerateConfigOut("generated.tf"))
	must(t, w, err)
	b, err := os.ReadFile(filepath.Join(w.WorkingDir(), "generated.tf"))
	if err != nil {
		t.Fatal(err)
	}
	generated := tfharness.Flatten(string(b))
	for _, want := range []string{`name = "transactional"`, `"192.0.2.1"`, `"192.0.2.2"`, `name = "spare"`, `ips = []`} {
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
}
