// Package e2e runs the provider binary in the real CLI, one command at a time, against the mock: what
// terraform-plugin-testing cannot express (DESIGN.md, "Where this differs from the model providers").
package e2e

import (
	"context"
	"fmt"
	"os"
	"testing"

	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/tfharness"
)

// harness is built once per test binary.
var harness *tfharness.Harness

func TestMain(m *testing.M) {
	if os.Getenv("TF_ACC") == "" {
		fmt.Println("e2e: TF_ACC not set, skipping (run `make test`)")
		os.Exit(0)
	}
	dir, err := os.MkdirTemp("", "sendgrid-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	harness, err = tfharness.FromEnv(context.Background(), dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		os.Exit(1)
	}
	code := m.Run()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}
