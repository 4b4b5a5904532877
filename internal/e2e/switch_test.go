package e2e

import (
	"testing"

	"github.com/hashicorp/terraform-exec/tfexec"

	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/sendgridmock"
	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/tfharness"
)

// TestSwitchV2ToV3WithoutRefresh: state written on v2 holds an outbound cluster; the same
// configuration moved to v3 with one more IP, applied with -refresh=false, must not end in
// "Provider produced inconsistent result" (v3 has no cluster), and then plans clean.
func TestSwitchV2ToV3WithoutRefresh(t *testing.T) {
	t.Parallel()
	api := sendgridmock.StartTest(t, seed())
	w := workdir(t)
	ctx := t.Context()
	writeConfig(t, w, apiV2.block(api)+tfharness.SubuserIPsResource("newbie", "newbie", "192.0.2.6"))
	must(t, w, w.Apply(ctx))
	writeConfig(t, w, apiV3.block(api)+tfharness.SubuserIPsResource("newbie", "newbie", "192.0.2.6", "192.0.2.7"))
	must(t, w, w.Apply(ctx, tfexec.Refresh(false)))
	expectHolds(t, api, "newbie", "192.0.2.6", "192.0.2.7")
	if code, out := planExit(t, w); code != 0 {
		t.Fatalf("plan after the switch exited %d:\n%s", code, out)
	}
}
