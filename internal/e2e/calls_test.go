package e2e

import (
	"strings"
	"testing"

	"github.com/hashicorp/terraform-exec/tfexec"

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
	ctx := t.Context()

	// Data sources: one call per read.
	writeConfig(t, w, providerBlock(api)+`data "sendgrid_ips" "free" { list = "free" }`+"\n")
	api.ResetRequests()
	_, err := w.Plan(ctx)
	must(t, w, err)
	expectCalls(t, "data source read", api, map[string]int{"customer.ip list=free": 1})
	writeConfig(t, w, providerBlock(api)+`data "sendgrid_subuser_ips" "alice" { user = "alice" }`+"\n")
	_, err = w.Plan(ctx)
	must(t, w, err)
	expectCalls(t, "subuser data source read", api, map[string]int{"customer.sendip task=list": 1})

	// Create: set=specify then one list to confirm.
	writeConfig(t, w, providerBlock(api)+tfharness.SubuserIPsResource("newbie", "newbie", "192.0.2.6"))
	must(t, w, w.Apply(ctx))
	expectCalls(t, "create", api, map[string]int{"customer.sendip task=append set=specify": 1, "customer.sendip task=list": 1})
	expectHolds(t, api, "newbie", "192.0.2.6")

	// Read: one list call per resource.
	must(t, w, w.Apply(ctx, tfexec.RefreshOnly(true)))
	expectCalls(t, "read", api, map[string]int{"customer.sendip task=list": 1})

	// Update: set=specify then one list to confirm (no refresh, to count
	// the update alone).
	writeConfig(t, w, providerBlock(api)+tfharness.SubuserIPsResource("newbie", "newbie", "192.0.2.6", "192.0.2.7"))
	must(t, w, w.Apply(ctx, tfexec.Refresh(false)))
	expectCalls(t, "update", api, map[string]int{"customer.sendip task=append set=specify": 1, "customer.sendip task=list": 1})
	expectHolds(t, api, "newbie", "192.0.2.6", "192.0.2.7")

	// Import: one list call.
	writeConfig(t, w, providerBlock(api)+tfharness.SubuserIPsResource("newbie", "newbie", "192.0.2.6", "192.0.2.7")+
		tfharness.SubuserIPsResource("alice", "alice", "192.0.2.1", "192.0.2.2"))
	must(t, w, w.Import(ctx, "sendgrid_subuser_ips.alice", "alice"))
	expectCalls(t, "import", api, map[string]int{"customer.sendip task=list": 1})

	// Delete: one set=none call (alice is retained: no call).
	writeConfig(t, w, providerBlock(api)+tfharness.SubuserIPsResource("newbie", "newbie", "192.0.2.6", "192.0.2.7")+
		strings.Replace(tfharness.SubuserIPsResource("alice", "alice", "192.0.2.1", "192.0.2.2"), "\n}", "\n  on_destroy = \"retain\"\n}", 1))
	must(t, w, w.Apply(ctx, tfexec.Refresh(false))) // records on_destroy, no API call
	expectCalls(t, "changing on_destroy only", api, map[string]int{})
	must(t, w, w.Destroy(ctx, tfexec.Refresh(false), tfexec.Target("sendgrid_subuser_ips.newbie")))
	expectCalls(t, "delete", api, map[string]int{"customer.sendip task=append set=none": 1})
	expectHolds(t, api, "newbie")
	must(t, w, w.Destroy(ctx, tfexec.Refresh(false)))
	expectCalls(t, "delete with on_destroy = retain", api, map[string]int{})
	expectHolds(t, api, "alice", "192.0.2.1", "192.0.2.2")
}
