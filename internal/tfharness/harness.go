// Package tfharness runs the real Terraform (or OpenTofu) CLI against a
// freshly built provider binary, one command at a time. The acceptance
// tests of terraform-plugin-testing run several CLI commands per step; the
// tests and benchmarks that count API calls per operation, time large
// plans or run hundreds of applies need to control each command, so they
// use this instead.
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
	"time"
)

// ProviderSource is the provider's registry address without the host, as
// configurations name it; dev_overrides match it on either registry.
const ProviderSource = "terraform-sendgrid/sendgrid"

// Harness knows where the CLI and the provider build are.
type Harness struct {
	Terraform string // path of the terraform or tofu binary
	PluginDir string // directory holding terraform-provider-sendgrid
	cliConfig string
	// ExtraEnv is added to every command, e.g. TF_LOG=TRACE.
	ExtraEnv []string
}

// FromEnv builds the provider into dir and returns a harness that uses the
// CLI named by TF_ACC_TERRAFORM_PATH (the variable terraform-plugin-testing
// uses too). It returns an error that says what to set when the CLI is
// missing.
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

// New writes a CLI configuration into dir that points Terraform at the
// provider binary in pluginDir. The user's own ~/.terraformrc is never
// read or touched.
func New(terraform, pluginDir, dir string) (*Harness, error) {
	cfg := filepath.Join(dir, "terraform.rc")
	body := fmt.Sprintf("provider_installation {\n  dev_overrides {\n    %q = %q\n  }\n  direct {}\n}\n", ProviderSource, pluginDir)
	if err := os.WriteFile(cfg, []byte(body), 0o600); err != nil {
		return nil, err
	}
	return &Harness{Terraform: terraform, PluginDir: pluginDir, cliConfig: cfg}, nil
}

// BuildProvider compiles the provider from this module into outDir.
func BuildProvider(ctx context.Context, outDir string) error {
	root, err := moduleRoot(ctx)
	if err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, "go", "build", //nolint:gosec // a test harness builds where it is told
		"-o", filepath.Join(outDir, "terraform-provider-sendgrid"), ".")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("building the provider: %w\n%s", err, out)
	}
	return nil
}

func moduleRoot(ctx context.Context) (string, error) {
	out, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == os.DevNull {
		return "", errors.New("not inside the provider's Go module")
	}
	return filepath.Dir(gomod), nil
}

// Result is what one CLI command did.
type Result struct {
	Args     []string
	Stdout   string
	Stderr   string
	ExitCode int
	Duration time.Duration
}

// Workdir is one Terraform working directory.
type Workdir struct {
	Dir string
	// Stream, when set, also receives the CLI's output as it runs (the
	// demo shows it to a person).
	Stream io.Writer
	h      *Harness
}

// Workdir creates (if needed) and returns a working directory.
func (h *Harness) Workdir(dir string) (*Workdir, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	return &Workdir{Dir: dir, h: h}, nil
}

// WriteConfig replaces the directory's configuration with one main.tf.
func (w *Workdir) WriteConfig(hcl string) error {
	return os.WriteFile(filepath.Join(w.Dir, "main.tf"), []byte(hcl), 0o600)
}

// WriteFile writes another file into the working directory.
func (w *Workdir) WriteFile(name, content string) error {
	return os.WriteFile(filepath.Join(w.Dir, name), []byte(content), 0o600)
}

// Run runs one CLI command. A non-zero exit is not an error (plan
// -detailed-exitcode exits 2 on purpose): callers read ExitCode. The error
// is only for a command that could not run at all.
func (w *Workdir) Run(ctx context.Context, args ...string) (Result, error) {
	cmd := w.Command(ctx, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if w.Stream != nil {
		cmd.Stdout, cmd.Stderr = io.MultiWriter(&stdout, w.Stream), io.MultiWriter(&stderr, w.Stream)
	}
	start := time.Now()
	err := cmd.Run()
	res := Result{Args: args, Stdout: stdout.String(), Stderr: stderr.String(), Duration: time.Since(start)}
	var exitErr *exec.ExitError
	switch {
	case errors.As(err, &exitErr):
		res.ExitCode = exitErr.ExitCode()
	case err != nil:
		return res, fmt.Errorf("running %s %s: %w", w.h.Terraform, strings.Join(args, " "), err)
	}
	return res, nil
}

// Command prepares a CLI command in this directory with the harness's
// environment, for callers that need to control the process (signals).
func (w *Workdir) Command(ctx context.Context, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, w.h.Terraform, args...) //nolint:gosec // running the CLI is the harness's job
	cmd.Dir = w.Dir
	cmd.Env = append(os.Environ(),
		"TF_CLI_CONFIG_FILE="+w.h.cliConfig,
		"TF_IN_AUTOMATION=1",
		"TF_INPUT=0",
		"CHECKPOINT_DISABLE=1",
	)
	cmd.Env = append(cmd.Env, w.h.ExtraEnv...)
	return cmd
}

// MustSucceed runs a command and turns a non-zero exit into an error that
// carries the CLI's output.
func (w *Workdir) MustSucceed(ctx context.Context, args ...string) (Result, error) {
	res, err := w.Run(ctx, args...)
	if err != nil {
		return res, err
	}
	if res.ExitCode != 0 {
		return res, fmt.Errorf("terraform %s exited %d:\n%s\n%s", strings.Join(args, " "), res.ExitCode, res.Stdout, res.Stderr)
	}
	return res, nil
}
