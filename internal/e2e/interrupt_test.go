package e2e

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/calls"
	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/sendgridmock"
	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/tfharness"
)

// TestInterruptStopsPromptly: Ctrl-C during an apply stalled on SendGrid ends it within seconds, with
// the stalled create not in state and SendGrid unchanged.
func TestInterruptStopsPromptly(t *testing.T) {
	forEachAPI(t, testInterruptStopsPromptly)
}

func testInterruptStopsPromptly(t *testing.T, v sendgridAPI) {
	api := sendgridmock.StartTest(t, seed())
	w := workdir(t)
	writeConfig(t, w, v.block(api)+tfharness.SubuserIPsResource("newbie", "newbie", "192.0.2.6"))
	api.InjectFault(v.writeFault(sendgridmock.Fault{Kind: sendgridmock.FaultDelay, Count: 10, Delay: time.Minute}))

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
	if call, task := pick(v, calls.V2SendIP, calls.V3SetSubuserIPs), pick(v, "append", ""); api.Count(call, task) == 0 {
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

// TestInterruptDestroyRefresh: Ctrl-C to the process group during destroy's refresh lets at most 2
// requests reach SendGrid, exits within 10 s and destroys nothing (DESIGN.md, "Ctrl-C").
func TestInterruptDestroyRefresh(t *testing.T) {
	t.Parallel() // overlaps the examples: it mostly waits on the pace
	for _, v := range []sendgridAPI{apiV2, apiV3} {
		for _, target := range []string{"process group", "terraform only"} {
			t.Run(v.name+"/"+target, func(t *testing.T) {
				t.Parallel() // mostly waiting on the pace
				interruptDestroy(t, v, target == "process group")
			})
		}
	}
}

func interruptDestroy(t *testing.T, v sendgridAPI, group bool) {
	const (
		resources = 40
		pace      = 60 // requests a minute: one read a second
	)
	s := seed()
	var config strings.Builder
	for i := range resources {
		name := fmt.Sprintf("int%02d", i)
		s.Subusers = append(s.Subusers, sendgridmock.SeedSubuser{Name: name})
		config.WriteString(tfharness.SubuserIPsResource(name, name, s.IPs[i%len(s.IPs)]))
	}
	api := sendgridmock.StartTest(t, s)
	w := workdir(t)
	writeConfig(t, w, v.block(api, "requests_per_minute = 100000")+config.String())
	must(t, w, w.Apply(t.Context()))
	writeConfig(t, w, v.block(api, fmt.Sprintf("requests_per_minute = %d", pace))+config.String())
	w.Output()
	api.ResetRequests()

	// Its own process group, as a terminal's foreground job is, so that
	// the provider Terraform starts is in it.
	cmd := w.Command(t.Context(), "destroy", "-auto-approve", "-input=false", "-no-color")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	pid := cmd.Process.Pid
	var err error
	done := make(chan struct{})
	go func() { err = cmd.Wait(); close(done) }()
	exited := false
	t.Cleanup(func() {
		if !exited {
			_ = syscall.Kill(-pid, syscall.SIGKILL)
			<-done
		}
	})

	// A v3 refresh is one read and one shared scan: signal before the scan.
	for deadline := time.Now().Add(60 * time.Second); api.Count("", "") < pick(v, 2, 1); {
		if time.Now().After(deadline) {
			t.Fatalf("the destroy's refresh never reached the mock:\n%s", w.Output())
		}
		time.Sleep(10 * time.Millisecond)
	}
	signalled := time.Now()
	target, to := pid, "terraform only"
	if group {
		target, to = -pid, "the process group"
	}
	if err := syscall.Kill(target, syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	select {
	case <-done:
	case <-time.After(3 * time.Minute):
		t.Fatalf("terraform destroy still running 3 minutes after SIGINT:\n%s", w.Output())
	}
	exited = true
	took := time.Since(signalled)
	out := w.Output()

	log := api.Requests()
	var before, after []sendgridmock.Request
	for _, r := range log {
		if r.Time.After(signalled) {
			after = append(after, r)
		} else {
			before = append(before, r)
		}
	}
	held := 0
	for i := range resources {
		if ips, _ := api.SubuserIPs(fmt.Sprintf("int%02d", i)); len(ips) > 0 {
			held++
		}
	}
	t.Logf("%s, SIGINT to %s: %d requests before the signal, %d after %v; exited %s after the signal (exit code %d); %d of %d subusers still hold their IPs",
		v.name, to, len(before), len(after), sendgridmock.Tally(after), took.Round(10*time.Millisecond), tfharness.ExitCode(err), held, resources)

	if !group {
		return // measured, not asserted: this relies on Terraform's own stop
	}
	if len(after) > 2 {
		t.Errorf("%d requests reached SendGrid after Ctrl-C (%v), want at most 2", len(after), sendgridmock.Tally(after))
	}
	if took > 10*time.Second {
		t.Errorf("terraform destroy took %s to exit after Ctrl-C", took)
	}
	if code := tfharness.ExitCode(err); code <= 0 {
		t.Errorf("an interrupted destroy exited %d (%v), want an error exit:\n%s", code, err, out)
	}
	if held != resources {
		t.Errorf("an interrupted destroy unassigned %d subusers", resources-held)
	}
	state, err := w.Show(t.Context())
	must(t, w, err)
	if n := len(state.Values.RootModule.Resources); n != resources {
		t.Errorf("state holds %d resources after the interrupted destroy, want %d", n, resources)
	}
}
