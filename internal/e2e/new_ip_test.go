package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/calls"
	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/sendgrid"
	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/sendgridmock"
)

// TestNewIPDetailedExitCode is the CI drift recipe for reverse DNS, its validation and warmup: 0 when
// SendGrid matches (a completed warmup included), 2 when a record is gone, a validation lapsed or a
// warmup was stopped by hand, 1 when SendGrid cannot be asked or answers with a stranger's page.
func TestNewIPDetailedExitCode(t *testing.T) {
	t.Parallel()
	s := seed()
	s.IPsWithoutRDNS = []string{"192.0.2.9"}
	api := sendgridmock.StartTest(t, s)
	api.PublishARecord("192.0.2.9", 1)
	w := workdir(t)
	writeConfig(t, w, apiV3.block(api, "max_retries = 1")+`
resource "sendgrid_reverse_dns" "new" {
  ip        = "192.0.2.9"
  domain    = "example.com"
  subdomain = "email"
}

resource "sendgrid_reverse_dns_validation" "new" {
  reverse_dns_id = sendgrid_reverse_dns.new.id
}

resource "sendgrid_ip_warmup" "new" {
  ip         = "192.0.2.9"
  depends_on = [sendgrid_reverse_dns_validation.new]
}
`)
	must(t, w, w.Apply(t.Context()))
	exits := func(want int, why string, says ...string) {
		t.Helper()
		code, out := planExit(t, w)
		if code != want {
			t.Fatalf("%s: exit %d, want %d\n%s", why, code, want, out)
		}
		for _, s := range says {
			if !strings.Contains(out, s) {
				t.Errorf("%s: plan lacks %q:\n%s", why, s, out)
			}
		}
	}
	exits(0, "no drift")

	if err := api.SetWarmup("192.0.2.9", false, time.Now().Add(-48*time.Hour)); err != nil {
		t.Fatal(err)
	}
	exits(2, "warmup stopped by hand", "sendgrid_ip_warmup.new will be created", "Stopped Outside Terraform")
	must(t, w, w.Apply(t.Context()))
	exits(0, "warmup started again")

	if err := api.SetWarmup("192.0.2.9", false, time.Now().Add(-sendgrid.WarmupLength-time.Hour)); err != nil {
		t.Fatal(err)
	}
	exits(0, "warmup complete")
	starts := api.Count(calls.V3StartWarmup, "")

	api.UnpublishARecord("192.0.2.9")
	must(t, w, w.Apply(t.Context())) // a refresh that sees the record still valid changes nothing
	if err := api.DeleteReverseDNS("192.0.2.9"); err != nil {
		t.Fatal(err)
	}
	exits(2, "record deleted", "sendgrid_reverse_dns.new will be created", "sendgrid_reverse_dns_validation.new will be created")

	api.InjectFault(sendgridmock.Fault{Call: calls.V3ReverseDNSList, Kind: sendgridmock.FaultHTML, Status: 404, Count: 100})
	exits(1, "a proxy's HTML 404 on the record list")
	api.ClearFaults()
	api.InjectFault(sendgridmock.Fault{Kind: sendgridmock.FaultServerError, Count: 100})
	exits(1, "API down")
	api.ClearFaults()
	if n := api.Count(calls.V3StartWarmup, ""); n != starts {
		t.Errorf("%d warmups started after the warmup completed, want none", n-starts)
	}
}
