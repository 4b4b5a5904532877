package e2e

import (
	"context"
	"errors"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/sendgridmock"
	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/tfharness"
)

// TestInterruptStopsPromptly: Ctrl-C during an apply that waits on a
// stalled SendGrid ends the run within seconds (not after the 30 s request
// timeout and its retries), and what is left is correct: the stalled
// create is not in state and SendGrid was not changed.
func TestInterruptStopsPromptly(t *testing.T) {
	api := sendgridmock.StartTest(t, seed())
	w := workdir(t)
	writeConfig(t, w, providerBlock(api)+tfharness.SubuserIPsResource("newbie", "newbie", "192.0.2.6"))
	api.InjectFault(sendgridmock.Fault{Kind: sendgridmock.FaultDelay, Call: "customer.sendip", Task: "append", Count: 10, Delay: time.Minute})

	// terraform-exec sends SIGINT (Ctrl-C) when the context ends.
	ctx, interrupt := context.WithCancel(t.Context())
	defer interrupt()
	done := make(chan error, 1)
	go func() { done <- w.Apply(ctx) }()
	// The mock logs a request when it answers, so wait for Terraform to
	// say the create started, then give the request time to arrive.
	var out strings.Builder
	for deadline := time.Now().Add(30 * time.Second); !strings.Contains(out.String(), "Creating...") && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
		out.WriteString(w.Output())
	}
	if !strings.Contains(out.String(), "Creating...") {
		t.Fatalf("the apply never started the create:\n%s", out.String())
	}
	time.Sleep(500 * time.Millisecond)
	start := time.Now()
	interrupt()
	err := <-done
	stopped := time.Since(start)
	out.WriteString(w.Output())
	var exit *exec.ExitError
	if !errors.As(err, &exit) {
		t.Fatalf("an interrupted apply exited 0 (%v):\n%s", err, out.String())
	}
	if ws, ok := exit.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		t.Fatalf("terraform was killed by a signal rather than stopping cleanly:\n%s", out.String())
	}
	if stopped > 10*time.Second {
		t.Fatalf("took %s to stop after Ctrl-C:\n%s", stopped, out.String())
	}
	if !strings.Contains(out.String(), "Interrupt received") {
		t.Errorf("Terraform did not report the interrupt:\n%s", out.String())
	}
	t.Logf("stopped %s after the interrupt", stopped.Round(time.Millisecond))

	expectHolds(t, api, "newbie")
	if api.Count("customer.sendip", "append") == 0 {
		t.Errorf("the stalled request was never logged by the mock")
	}
	state, err := w.Show(t.Context())
	must(t, w, err)
	if state.Values != nil && state.Values.RootModule != nil {
		for _, r := range state.Values.RootModule.Resources {
			if r.Address == "sendgrid_subuser_ips.newbie" {
				t.Fatalf("an interrupted create is in state: %v", r.AttributeValues)
			}
		}
	}
}
