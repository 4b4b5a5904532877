// Package tfharness runs the real Terraform or OpenTofu CLI through terraform-exec against the provider
// built from this module, adding what terraform-exec leaves to its caller (DESIGN.md, "Testing").
package tfharness

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"

	"github.com/hashicorp/terraform-exec/tfexec"
)

// ProviderSource is the provider's registry address without the host, as
// configurations name it; dev_overrides match it on either registry.
const ProviderSource = "terraform-sendgrid/sendgrid"

// Harness is a CLI and the CLI configuration its commands use.
type Harness struct {
	Terraform string // path of the terraform or tofu binary
	CLIConfig string // TF_CLI_CONFIG_FILE of every command
}

// FromEnv builds the provider into dir and returns a harness for the CLI
// named by TF_ACC_TERRAFORM_PATH, as terraform-plugin-testing reads it.
func FromEnv(ctx context.Context, dir string) (*Harness, error) {
	tf := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if tf == "" {
		return nil, errors.New("TF_ACC_TERRAFORM_PATH is not set; run through `make test`, which installs Terraform")
	}
	plugins := filepath.Join(dir, "plugins")
	if err := BuildProvider(ctx, plugins); err != nil {
		return nil, err
	}
	return New(tf, plugins, dir)
}

// New writes into dir a CLI configuration whose dev_overrides point at the
// provider in pluginDir, or an empty one when pluginDir is "" (a reattached
// provider needs none). The user's ~/.terraformrc is never read.
func New(terraform, pluginDir, dir string) (*Harness, error) {
	body := ""
	if pluginDir != "" {
		body = fmt.Sprintf("provider_installation {\n  dev_overrides {\n    %q = %q\n  }\n  direct {}\n}\n", ProviderSource, pluginDir)
	}
	cfg := filepath.Join(dir, "terraform.rc")
	if err := os.WriteFile(cfg, []byte(body), 0o600); err != nil {
		return nil, err
	}
	return &Harness{Terraform: terraform, CLIConfig: cfg}, nil
}

// BuildProvider compiles the provider from this module into outDir.
func BuildProvider(ctx context.Context, outDir string) error {
	out, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	if err != nil {
		return fmt.Errorf("go env GOMOD: %w", err)
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == os.DevNull {
		return errors.New("not inside the provider's Go module")
	}
	cmd := exec.CommandContext(ctx, "go", "build", //nolint:gosec // a test harness builds where it is told
		"-o", filepath.Join(outDir, "terraform-provider-sendgrid"), ".")
	cmd.Dir = filepath.Dir(gomod)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("building the provider: %w\n%s", err, out)
	}
	return nil
}

// Workdir is terraform-exec's Terraform in one working directory, keeping
// what its commands print (stdout and stderr, as the CLI's user sees them).
type Workdir struct {
	*tfexec.Terraform
	out    SyncBuffer
	output io.Writer // where Stream sends the CLI's output
	env    map[string]string
}

// Workdir creates dir and returns a Terraform that works in it with this
// harness's CLI configuration; env adds KEY=VALUE variables.
func (h *Harness) Workdir(dir string, env ...string) (*Workdir, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	tf, err := tfexec.NewTerraform(dir, h.Terraform)
	if err != nil {
		return nil, err
	}
	vars := map[string]string{}
	for _, kv := range append(os.Environ(), env...) {
		k, v, _ := strings.Cut(kv, "=")
		vars[k] = v
	}
	vars["TF_CLI_CONFIG_FILE"] = h.CLIConfig
	vars["CHECKPOINT_DISABLE"] = "1"
	if err := tf.SetEnv(tfexec.CleanEnv(vars)); err != nil {
		return nil, err
	}
	w := &Workdir{Terraform: tf, env: vars}
	w.Stream(nil)
	return w, nil
}

// Stream also copies the CLI's output to dst as it comes (the demo shows it).
func (w *Workdir) Stream(dst io.Writer) {
	var out io.Writer = &w.out
	if dst != nil {
		out = io.MultiWriter(out, dst)
	}
	w.output = out
	w.SetStdout(out)
	w.SetStderr(out)
}

// Command is the CLI as a plain os/exec command with terraform-exec's environment, for what
// terraform-exec does not expose, such as the process to signal.
func (w *Workdir) Command(ctx context.Context, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, w.ExecPath(), args...) //nolint:gosec // the harness's own CLI
	cmd.Dir = w.WorkingDir()
	cmd.Env = []string{"TF_IN_AUTOMATION=1"}
	for k, v := range w.env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	cmd.Stdout, cmd.Stderr = w.output, w.output
	return cmd
}

// Output returns what the CLI printed since the last call.
func (w *Workdir) Output() string { return w.out.Take() }

// WriteConfig replaces the directory's configuration with one main.tf.
func (w *Workdir) WriteConfig(hcl string) error {
	return os.WriteFile(filepath.Join(w.WorkingDir(), "main.tf"), []byte(hcl), 0o600)
}

// ExitCode is the CLI's exit code behind an error from terraform-exec: 0 for
// nil, -1 when the CLI did not exit by itself (it did not start, or a
// signal ended it).
func ExitCode(err error) int {
	var exit *exec.ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &exit):
		return exit.ExitCode()
	}
	return -1
}

// PlanExitCode is what `plan -detailed-exitcode` exited with, from
// tfexec's Plan: 2 for changes, else as ExitCode.
func PlanExitCode(changes bool, err error) int {
	if changes {
		return 2
	}
	return ExitCode(err)
}

// SyncBuffer is a bytes.Buffer that may be read while the CLI writes to it.
type SyncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *SyncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *SyncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// Take returns the contents and empties the buffer.
func (b *SyncBuffer) Take() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	s := b.buf.String()
	b.buf.Reset()
	return s
}
