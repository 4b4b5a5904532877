package e2e

import (
	"bytes"
	"os"
	"strings"
	"sync"
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
	if err := w.WriteConfig(providerBlock(api) + tfharness.SubuserIPsResource("newbie", "newbie", "192.0.2.6")); err != nil {
		t.Fatal(err)
	}
	api.InjectFault(sendgridmock.Fault{Kind: sendgridmock.FaultDelay, Call: "customer.sendip", Task: "append", Count: 10, Delay: time.Minute})

	cmd := w.Command(t.Context(), "apply", "-auto-approve", "-no-color")
	var out syncBuffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// The mock logs a request when it answers, so wait for Terraform to
	// say the create started, then give the request time to arrive.
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(out.String(), "Creating...") && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if !strings.Contains(out.String(), "Creating...") {
		_ = cmd.Process.Kill()
		t.Fatalf("the apply never started the create:\n%s", out.String())
	}
	time.Sleep(500 * time.Millisecond)
	start := time.Now()
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	stopped := time.Since(start)
	if err == nil {
		t.Fatalf("an interrupted apply exited 0:\n%s", out.String())
	}
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
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
	show := run(t, w, "state", "list")
	if strings.Contains(show.Stdout, "sendgrid_subuser_ips.newbie") {
		t.Fatalf("an interrupted create is in state:\n%s", show.Stdout)
	}
}

// syncBuffer is a bytes.Buffer safe to read while the CLI writes to it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
