// Command demo shows the provider doing its job in the real Terraform CLI
// against the bundled mock SendGrid: a plan, an apply, drift made behind
// Terraform's back and caught by plan -detailed-exitcode, and an import.
// `make demo` runs it. It exits non-zero if any step does not behave as
// shown, and cleans up (mock, temp dir) on exit, failure or Ctrl-C.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/sendgridmock"
	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/tfharness"
)

func main() {
	terraform := flag.String("terraform", os.Getenv("TF_ACC_TERRAFORM_PATH"), "path of the terraform binary")
	seedFile := flag.String("seed", "examples/mock/seed.json", "mock SendGrid seed file")
	config := flag.String("config", "examples/demo/main.tf", "Terraform configuration to run")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, *terraform, *seedFile, *config)
	stop()
	if err != nil {
		fmt.Fprintf(os.Stderr, "\ndemo failed: %v\n", err)
		os.Exit(1)
	}
	fmt.Println("\nDemo complete: plan, apply, drift detected and repaired, import. Everything was cleaned up.")
}

func heading(title string) {
	fmt.Printf("\n\033[1m== %s\033[0m\n\n", title)
}

func run(ctx context.Context, terraform, seedFile, configFile string) error {
	if terraform == "" {
		return errors.New("no Terraform CLI: pass -terraform or set TF_ACC_TERRAFORM_PATH (make demo does)")
	}
	seed, err := sendgridmock.LoadSeedFile(seedFile)
	if err != nil {
		return err
	}
	config, err := os.ReadFile(configFile) //nolint:gosec // reading the file the user names is the point
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "sendgrid-demo-")
	if err != nil {
		return err
	}
	defer func() { _ = os.RemoveAll(dir) }() // best effort: it is a temp dir

	heading("Building the provider and starting a mock SendGrid")
	plugins := filepath.Join(dir, "plugins")
	if err := tfharness.BuildProvider(ctx, plugins); err != nil {
		return err
	}
	api, err := sendgridmock.New(seed)
	if err != nil {
		return err
	}
	url, err := api.Start("127.0.0.1:0")
	if err != nil {
		return err
	}
	defer func() { _ = api.Close() }()
	fmt.Printf("mock SendGrid at %s, seeded from %s\n", url, seedFile)
	showAccount(api)

	h, err := tfharness.New(terraform, plugins, dir)
	if err != nil {
		return err
	}
	w, err := h.Workdir(filepath.Join(dir, "work"),
		"SENDGRID_BASE_URL="+url, "SENDGRID_API_USER="+seed.APIUser, "SENDGRID_API_KEY="+seed.APIKey)
	if err != nil {
		return err
	}
	w.Stream(os.Stdout)
	if err := w.WriteConfig(string(config)); err != nil {
		return err
	}

	heading("terraform plan: what the configuration would change")
	if err := expectPlan(ctx, w, 2); err != nil {
		return err
	}

	heading("terraform apply")
	if err := w.Apply(ctx); err != nil {
		return err
	}
	if err := expectHolds(api, "alice", "203.0.113.10", "203.0.113.14"); err != nil {
		return err
	}
	if err := expectHolds(api, "dave", "203.0.113.15"); err != nil {
		return err
	}
	showAccount(api)

	heading("Someone moves dave onto 203.0.113.12 outside Terraform")
	if err := api.SetSubuserIPs("dave", []string{"203.0.113.12"}); err != nil {
		return err
	}
	showAccount(api)

	heading("terraform plan -detailed-exitcode: the CI drift check")
	if err := expectPlan(ctx, w, 2); err != nil {
		return err
	}
	fmt.Println("exit code 2: drift detected (0 would mean SendGrid matches the code, 1 an error)")

	heading("terraform apply restores the declared assignment")
	if err := w.Apply(ctx); err != nil {
		return err
	}
	if err := expectHolds(api, "dave", "203.0.113.15"); err != nil {
		return err
	}
	if err := expectPlan(ctx, w, 0); err != nil {
		return err
	}
	fmt.Println("exit code 0: no drift")

	heading("Importing bob's existing assignment with an import block")
	imported := string(config) + `
# bob's IPs were assigned by hand long ago; bring them under management.
import {
  to = sendgrid_subuser_ips.bob
  id = "bob"
}

resource "sendgrid_subuser_ips" "bob" {
  user = "bob"
  ips  = ["203.0.113.11", "203.0.113.12"]
}
`
	if err := w.WriteConfig(imported); err != nil {
		return err
	}
	w.Output() // only the import's output counts below
	if err := w.Apply(ctx); err != nil {
		return err
	}
	if !strings.Contains(w.Output(), "1 imported, 0 added, 0 changed, 0 destroyed") {
		return errors.New("the import changed something; it should only have recorded bob's IPs")
	}
	if err := expectPlan(ctx, w, 0); err != nil {
		return err
	}
	showAccount(api)
	return nil
}

// expectPlan runs plan -detailed-exitcode and fails unless it exits with want.
func expectPlan(ctx context.Context, w *tfharness.Workdir, want int) error {
	code := tfharness.PlanExitCode(w.Plan(ctx))
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if code != want {
		return fmt.Errorf("terraform plan -detailed-exitcode exited %d, expected %d", code, want)
	}
	return nil
}

func expectHolds(api *sendgridmock.Server, user string, want ...string) error {
	got, _ := api.SubuserIPs(user)
	if strings.Join(got, ",") != strings.Join(want, ",") {
		return fmt.Errorf("mock SendGrid holds %v for %s, expected %v", got, user, want)
	}
	return nil
}

// showAccount prints what the mock SendGrid holds, as a person would see
// it in SendGrid's console.
func showAccount(api *sendgridmock.Server) {
	snap := api.Snapshot()
	fmt.Println("SendGrid now holds:")
	for _, su := range snap.Subusers {
		state := ""
		if su.Active != nil && !*su.Active {
			state = " (deactivated)"
		}
		ips := strings.Join(su.IPs, ", ")
		if ips == "" {
			ips = "no IPs"
		}
		fmt.Printf("  %-6s %s%s\n", su.Name, ips, state)
	}
}
