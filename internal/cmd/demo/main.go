// Command demo (`make demo`) shows plan, apply, drift caught by plan -detailed-exitcode, its repair,
// an import and an IP pool in the real CLI against the bundled mock, on v3 then v2; it fails if a step
// does not behave as shown.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"maps"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
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
	if err != nil && ctx.Err() != nil {
		err = fmt.Errorf("interrupted (%w); the mock and the temporary directory are gone", err)
	}
	stop()
	if err != nil {
		fmt.Fprintf(os.Stderr, "\ndemo failed: %v\n", err)
		os.Exit(1)
	}
	fmt.Println("\nDemo complete on v3 and v2: plan, apply, drift detected and repaired, import, and an IP pool on v3. Everything was cleaned up.")
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
	if _, err := api.Start("127.0.0.1:0"); err != nil {
		return err
	}
	defer func() { _ = api.Close() }()
	fmt.Printf("mock SendGrid at %s (v3) and %s (v2), seeded from %s\n", api.V3URL(), api.URL(), seedFile)
	showAccount(api)
	h, err := tfharness.New(terraform, plugins, dir)
	if err != nil {
		return err
	}

	heading("SendGrid v3: provider \"sendgrid\" {} with SENDGRID_API_KEY (and SENDGRID_BASE_URL, for the mock)")
	v3 := &story{ctx: ctx, api: api, verbose: true, pools: true}
	if v3.w, err = h.Workdir(filepath.Join(dir, "v3"), "SENDGRID_BASE_URL="+api.V3URL(), "SENDGRID_API_KEY="+seed.APIKey); err != nil {
		return err
	}
	v3.w.Stream(os.Stdout)
	if err := v3.tell(string(config)); err != nil {
		return fmt.Errorf("v3: %w", err)
	}

	heading("The same story on the deprecated Web API v2 (SENDGRID_API_USER set too), condensed")
	if err := api.Reset(seed); err != nil {
		return err
	}
	v2 := &story{ctx: ctx, api: api}
	if v2.w, err = h.Workdir(filepath.Join(dir, "v2"),
		"SENDGRID_BASE_URL="+api.URL(), "SENDGRID_API_USER="+seed.APIUser, "SENDGRID_API_KEY="+seed.APIKey); err != nil {
		return err
	}
	if err := v2.tell(string(config)); err != nil {
		return fmt.Errorf("v2: %w", err)
	}
	return nil
}

// story runs the demo's steps in one working directory. Verbose shows each
// step's heading, the CLI's output and the account; otherwise each step is
// one line.
type story struct {
	ctx     context.Context
	api     *sendgridmock.Server
	w       *tfharness.Workdir
	verbose bool
	pools   bool // tell the IP pool step too (v3 only)
}

func (s *story) tell(config string) error {
	if err := s.w.WriteConfig(config); err != nil {
		return err
	}
	steps := []struct {
		title string
		show  bool // the account, after the step (verbose only)
		run   func() (string, error)
	}{
		{"terraform plan: what the configuration would change", false, func() (string, error) {
			return "exit code 2: changes to make", s.expectPlan(2)
		}},
		{"terraform apply", true, func() (string, error) {
			if err := s.w.Apply(s.ctx); err != nil {
				return "", err
			}
			return "alice and dave assigned", errors.Join(
				expectHolds(s.api, "alice", "203.0.113.10", "203.0.113.14"),
				expectHolds(s.api, "dave", "203.0.113.15"))
		}},
		{"Someone moves dave onto 203.0.113.12 outside Terraform", true, func() (string, error) {
			return "done in SendGrid's console", s.api.SetSubuserIPs("dave", []string{"203.0.113.12"})
		}},
		{"terraform plan -detailed-exitcode: the CI drift check", false, func() (string, error) {
			return "exit code 2: drift detected (0 means none, 1 an error)", s.expectPlan(2)
		}},
		{"terraform apply restores the declared assignment", false, func() (string, error) {
			if err := s.w.Apply(s.ctx); err != nil {
				return "", err
			}
			if err := expectHolds(s.api, "dave", "203.0.113.15"); err != nil {
				return "", err
			}
			return "then plan exits 0: no drift", s.expectPlan(0)
		}},
		{"Importing bob's existing assignment with an import block", true, func() (string, error) {
			if err := s.w.WriteConfig(config + importBob); err != nil {
				return "", err
			}
			s.w.Output() // only the import's output counts below
			if err := s.w.Apply(s.ctx); err != nil {
				return "", err
			}
			if !strings.Contains(s.w.Output(), "1 imported, 0 added, 0 changed, 0 destroyed") {
				return "", errors.New("the import changed something; it should only have recorded bob's IPs")
			}
			return "1 imported, 0 changed; then plan exits 0", s.expectPlan(0)
		}},
	}
	if s.pools {
		steps = append(steps, struct {
			title string
			show  bool
			run   func() (string, error)
		}{"An IP pool for transactional mail (v3 only)", true, func() (string, error) {
			if err := s.w.WriteConfig(config + importBob + transactionalPool); err != nil {
				return "", err
			}
			if err := s.w.Apply(s.ctx); err != nil {
				return "", err
			}
			if err := expectPool(s.api, "transactional", "203.0.113.10", "203.0.113.11"); err != nil {
				return "", err
			}
			return "pool created with 2 IPs; then plan exits 0", s.expectPlan(0)
		}})
	}
	for _, step := range steps {
		if s.verbose {
			heading(step.title)
		}
		s.api.ResetRequests()
		s.w.Output()
		result, err := step.run()
		if err != nil {
			if !s.verbose {
				fmt.Print(s.w.Output())
			}
			return fmt.Errorf("%s: %w", step.title, err)
		}
		calls := calls(s.api)
		switch {
		case !s.verbose && calls != "":
			fmt.Printf("  %-57s %s (%d SendGrid calls)\n", step.title, result, len(s.api.Requests()))
		case !s.verbose:
			fmt.Printf("  %-57s %s\n", step.title, result)
		default:
			fmt.Println(result)
			if calls != "" {
				fmt.Println("SendGrid calls:", calls)
			}
			if step.show {
				showAccount(s.api)
			}
		}
	}
	return nil
}

const importBob = `
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

const transactionalPool = `
# Mail sent with ip_pool_name = "transactional" leaves from these IPs.
resource "sendgrid_ip_pool" "transactional" {
  name = "transactional"
  ips  = ["203.0.113.10", "203.0.113.11"]
}
`

func expectPool(api *sendgridmock.Server, name string, want ...string) error {
	if got, ok := api.PoolIPs(name); !ok || strings.Join(got, ",") != strings.Join(want, ",") {
		return fmt.Errorf("mock SendGrid holds %v in pool %s (exists: %t), expected %v", got, name, ok, want)
	}
	return nil
}

// expectPlan runs plan -detailed-exitcode and fails unless it exits with want.
func (s *story) expectPlan(want int) error {
	code := tfharness.PlanExitCode(s.w.Plan(s.ctx))
	if s.ctx.Err() != nil {
		return s.ctx.Err()
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

// calls describes the requests the mock received since its log was reset.
func calls(api *sendgridmock.Server) string {
	tally := sendgridmock.Tally(api.Requests())
	var parts []string
	for _, name := range slices.Sorted(maps.Keys(tally)) {
		parts = append(parts, fmt.Sprintf("%s ×%d", name, tally[name]))
	}
	return strings.Join(parts, ", ")
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
	for _, p := range snap.Pools {
		fmt.Printf("  pool %q: %s\n", p.Name, strings.Join(p.IPs, ", "))
	}
}
