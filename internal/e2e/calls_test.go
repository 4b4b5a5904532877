package e2e

import (
	"strings"
	"testing"

	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/sendgridmock"
	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/tfharness"
)

// TestAPICallsPerOperation pins the number of SendGrid calls each
// Terraform operation costs, at the floor: data source read 1, resource
// read 1, create 2 (set + confirm), update 2, delete 1 (0 for retain),
// import 1. A regression here multiplies against SendGrid's rate limit.
func TestAPICallsPerOperation(t *testing.T) {
	api := sendgridmock.StartTest(t, seed())
	w := workdir(t)

	// Data source: one customer.ip call per read.
	if err := w.WriteConfig(providerBlock(api) + `data "sendgrid_ips" "free" { list = "free" }` + "\n"); err != nil {
		t.Fatal(err)
	}
	api.ResetRequests()
	run(t, w, "plan")
	expectCalls(t, "data source read", api, map[string]int{"customer.ip list=free": 1})

	// Create: set=specify then one list to confirm.
	if err := w.WriteConfig(providerBlock(api) + tfharness.SubuserIPsResource("newbie", "newbie", "192.0.2.6")); err != nil {
		t.Fatal(err)
	}
	run(t, w, "apply", "-auto-approve")
	expectCalls(t, "create", api, map[string]int{"customer.sendip task=append set=specify": 1, "customer.sendip task=list": 1})
	expectHolds(t, api, "newbie", "192.0.2.6")

	// Read: one list call per resource.
	run(t, w, "apply", "-refresh-only", "-auto-approve")
	expectCalls(t, "read", api, map[string]int{"customer.sendip task=list": 1})

	// Update: set=specify then one list to confirm (no refresh, to count
	// the update alone).
	if err := w.WriteConfig(providerBlock(api) + tfharness.SubuserIPsResource("newbie", "newbie", "192.0.2.6", "192.0.2.7")); err != nil {
		t.Fatal(err)
	}
	run(t, w, "apply", "-refresh=false", "-auto-approve")
	expectCalls(t, "update", api, map[string]int{"customer.sendip task=append set=specify": 1, "customer.sendip task=list": 1})
	expectHolds(t, api, "newbie", "192.0.2.6", "192.0.2.7")

	// Import: one list call.
	if err := w.WriteConfig(providerBlock(api) + tfharness.SubuserIPsResource("newbie", "newbie", "192.0.2.6", "192.0.2.7") +
		tfharness.SubuserIPsResource("alice", "alice", "192.0.2.1", "192.0.2.2")); err != nil {
		t.Fatal(err)
	}
	run(t, w, "import", "sendgrid_subuser_ips.alice", "alice")
	expectCalls(t, "import", api, map[string]int{"customer.sendip task=list": 1})

	// Delete: one set=none call (alice is retained: no call).
	if err := w.WriteConfig(providerBlock(api) + tfharness.SubuserIPsResource("newbie", "newbie", "192.0.2.6", "192.0.2.7") +
		strings.Replace(tfharness.SubuserIPsResource("alice", "alice", "192.0.2.1", "192.0.2.2"), "\n}", "\n  on_destroy = \"retain\"\n}", 1)); err != nil {
		t.Fatal(err)
	}
	run(t, w, "apply", "-refresh=false", "-auto-approve") // records on_destroy, no API call
	expectCalls(t, "changing on_destroy only", api, map[string]int{})
	run(t, w, "destroy", "-refresh=false", "-auto-approve", "-target=sendgrid_subuser_ips.newbie")
	expectCalls(t, "delete", api, map[string]int{"customer.sendip task=append set=none": 1})
	expectHolds(t, api, "newbie")
	run(t, w, "destroy", "-refresh=false", "-auto-approve")
	expectCalls(t, "delete with on_destroy = retain", api, map[string]int{})
	expectHolds(t, api, "alice", "192.0.2.1", "192.0.2.2")
}
