package main

import (
	"os"
	"path/filepath"
	"testing"
)

// TestDemo tells the demo's story as `make demo` does, so a change that
// breaks a step fails here first.
func TestDemo(t *testing.T) {
	terraform := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if os.Getenv("TF_ACC") == "" || terraform == "" {
		t.Skip("TF_ACC and TF_ACC_TERRAFORM_PATH not set (run `make test`)")
	}
	examples := filepath.Join("..", "..", "..", "examples")
	if err := run(t.Context(), terraform, filepath.Join(examples, "mock", "seed.json"), filepath.Join(examples, "demo", "main.tf")); err != nil {
		t.Fatal(err)
	}
}
