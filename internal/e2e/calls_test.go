package e2e

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-exec/tfexec"

	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/calls"
	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/sendgridmock"
	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/tfharness"
)

// TestAPICallsPerOperation pins the SendGrid calls each operation costs on each API, a create's
// plan-time reads counted apart.
func TestAPICallsPerOperation(t *testing.T) {
	t.Parallel()
	forEachAPI(t, func(t *testing.T, v sendgridAPI) {
		s := seed()
		s.Subusers = append(s.Subusers, sendgridmock.SeedSubuser{Name: "idle"})
		api := sendgridmock.StartTest(t, s)
		w := workdir(t)
		ctx := t.Context()
		block := v.block(api)
		// expect checks the calls since the last check, split at the first
		// write: the reads before it are plan-time reads.
		expect := func(op string, planTime, operation map[string]int) {
			t.Helper()
			before, from := splitAtWrite(api.Requests())
			api.ResetRequests()
			gotPlan, gotOp := sendgridmock.Tally(before), sendgridmock.Tally(from)
			t.Logf("%s %-38s plan-time %-56s operation %v", v.name, op, fmt.Sprint(gotPlan), gotOp)
			if !maps.Equal(gotPlan, planTime) || !maps.Equal(gotOp, operation) {
				t.Errorf("%s: plan-time calls %v then %v, want %v then %v", op, gotPlan, gotOp, planTime, operation)
			}
		}
		none := map[string]int{}

		// Data sources: one call per read; on v3 one more shows where a list ends (12 IPs are one page).
		writeConfig(t, w, block+`data "sendgrid_ips" "free" { list = "free" }`+"\n")
		api.ResetRequests()
		_, err := w.Plan(ctx)
		must(t, w, err)
		expect("data source sendgrid_ips read", none, pick(v, map[string]int{"customer.ip list=free": 1}, map[string]int{calls.V3IPs: 2}))
		writeConfig(t, w, block+`data "sendgrid_subuser_ips" "alice" { user = "alice" }`+"\n")
		_, err = w.Plan(ctx)
		must(t, w, err)
		expect("data source sendgrid_subuser_ips read", none, pick(v, map[string]int{calls.V2SubuserIPs: 1}, map[string]int{calls.V3IPsOfSubuser: 2}))

		// Create, as `terraform apply` does it: newbie holds nothing yet,
		// which costs v3 an empty page and the name's list per plan-time read.
		writeConfig(t, w, block+tfharness.SubuserIPsResource("newbie", "newbie", "192.0.2.6"))
		must(t, w, w.Apply(ctx))
		expect("create (terraform apply)",
			pick(v, map[string]int{calls.V2SubuserIPs: 2}, map[string]int{calls.V3IPsOfSubuser: 2, calls.V3SubuserByName: 4}),
			pick(v, map[string]int{calls.V2SetIPs: 1, calls.V2SubuserIPs: 1}, map[string]int{calls.V3SetSubuserIPs: 1}))
		expectHolds(t, api, "newbie", "192.0.2.6")

		// Read: refresh of one resource.
		must(t, w, w.Apply(ctx, tfexec.RefreshOnly(true)))
		expect("read (refresh)", none, pick(v, map[string]int{calls.V2SubuserIPs: 1}, map[string]int{calls.V3IPsOfSubuser: 2}))

		// Update, without a refresh to count the update alone: no
		// plan-time read, since only a create warns.
		writeConfig(t, w, block+tfharness.SubuserIPsResource("newbie", "newbie", "192.0.2.6", "192.0.2.7"))
		must(t, w, w.Apply(ctx, tfexec.Refresh(false)))
		expect("update", none, pick(v, map[string]int{calls.V2SetIPs: 1, calls.V2SubuserIPs: 1}, map[string]int{calls.V3SetSubuserIPs: 1}))
		expectHolds(t, api, "newbie", "192.0.2.6", "192.0.2.7")

		// Import: one read; on v3 a page and the one that shows the end, and for a
		// subuser holding nothing an empty page, then whether it exists.
		newbie := tfharness.SubuserIPsResource("newbie", "newbie", "192.0.2.6", "192.0.2.7")
		alice := tfharness.SubuserIPsResource("alice", "alice", "192.0.2.1", "192.0.2.2")
		idle := "resource \"sendgrid_subuser_ips\" \"idle\" {\n  user = \"idle\"\n  ips  = []\n}\n"
		writeConfig(t, w, block+newbie+alice+idle)
		must(t, w, w.Import(ctx, "sendgrid_subuser_ips.alice", "alice"))
		expect("import", none, pick(v, map[string]int{calls.V2SubuserIPs: 1}, map[string]int{calls.V3IPsOfSubuser: 2}))
		must(t, w, w.Import(ctx, "sendgrid_subuser_ips.idle", "idle"))
		expect("import (subuser with no IPs)", none, pick(v, map[string]int{calls.V2SubuserIPs: 1}, map[string]int{calls.V3IPsOfSubuser: 1, calls.V3SubuserByName: 2}))

		// Changing on_destroy alone is recorded without a call.
		retain := func(r string) string { return strings.Replace(r, "\n}", "\n  on_destroy = \"retain\"\n}", 1) }
		writeConfig(t, w, block+newbie+retain(alice)+retain(idle))
		must(t, w, w.Apply(ctx, tfexec.Refresh(false)))
		expect("on_destroy change only", none, none)

		// Delete unassigns: one write (v2 reads it back). retain: no call.
		must(t, w, w.Destroy(ctx, tfexec.Refresh(false), tfexec.Target("sendgrid_subuser_ips.newbie")))
		expect("delete (unassign)", none, pick(v, map[string]int{calls.V2UnassignIPs: 1, calls.V2SubuserIPs: 1}, map[string]int{calls.V3SetSubuserIPs: 1}))
		expectHolds(t, api, "newbie")
		must(t, w, w.Destroy(ctx, tfexec.Refresh(false)))
		expect("delete (retain)", none, none)
		expectHolds(t, api, "alice", "192.0.2.1", "192.0.2.2")
	})
}

// splitAtWrite splits a command's requests at its first write; a command
// that writes nothing is all operation.
func splitAtWrite(reqs []sendgridmock.Request) (before, from []sendgridmock.Request) {
	i := slices.IndexFunc(reqs, func(r sendgridmock.Request) bool {
		return r.Task == "append" || r.Call == calls.V3SetSubuserIPs
	})
	return reqs[:max(i, 0)], reqs[max(i, 0):]
}
