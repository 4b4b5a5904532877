package provider

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"
	"github.com/hashicorp/terraform-exec/tfexec"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"

	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/sendgrid"
	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/tfharness"
)

// cli runs the CLI one command at a time against the provider served in this test process, so retries
// wait milliseconds and make test-long's -race covers the provider (DESIGN.md, "Testing").
type cli struct {
	w        *tfharness.Workdir
	reattach *tfexec.ReattachOption
}

// inProcessCLI returns a cli with its own provider server: a framework
// provider server keeps the last Configure's client, so two Terraform
// processes sharing one server at once could swap clients.
func inProcessCLI(t *testing.T) cli {
	t.Helper()
	tf := terraformCLI(t)
	dir := t.TempDir()
	h, err := tfharness.New(tf, "", dir)
	if err != nil {
		t.Fatal(err)
	}
	w, err := h.Workdir(filepath.Join(dir, "work"))
	if err != nil {
		t.Fatal(err)
	}
	return cli{w: w, reattach: tfexec.Reattach(serveProvider(t))}
}

func (c cli) apply(ctx context.Context, opts ...tfexec.ApplyOption) error {
	return c.w.Apply(ctx, append(opts, c.reattach)...)
}

func (c cli) destroy(ctx context.Context, opts ...tfexec.DestroyOption) error {
	return c.w.Destroy(ctx, append(opts, c.reattach)...)
}

func (c cli) importID(ctx context.Context, addr, id string) error {
	return c.w.Import(ctx, addr, id, c.reattach)
}

// stateIPs is the ips of every resource and data source in state, by
// address, from terraform show -json.
func (c cli) stateIPs(t *testing.T) map[string][]string {
	t.Helper()
	st, err := c.w.Show(t.Context(), c.reattach)
	if out := c.w.Output(); err != nil {
		t.Fatalf("terraform show: %v\n%s", err, out)
	}
	out := map[string][]string{}
	if st.Values == nil || st.Values.RootModule == nil {
		return out
	}
	for _, r := range st.Values.RootModule.Resources {
		raw, _ := r.AttributeValues["ips"].([]any)
		ips := make([]string, 0, len(raw))
		for _, ip := range raw {
			s, _ := ip.(string)
			ips = append(ips, s)
		}
		out[r.Address] = sendgrid.SortIPs(ips)
	}
	return out
}

// terraformCLI returns the CLI that acceptance tests use, or skips the
// test as resource.Test does when TF_ACC is not set.
func terraformCLI(t *testing.T) string {
	t.Helper()
	tf := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if os.Getenv("TF_ACC") == "" || tf == "" {
		t.Skip("TF_ACC and TF_ACC_TERRAFORM_PATH must be set (make test sets both)")
	}
	return tf
}

// testServer is the served provider with the fastRetries tune, wrapper included.
func testServer() tfprotov6.ProviderServer {
	return newServer(&sendgridProvider{version: "test", tune: fastRetries})()
}

// serveProvider serves the provider in-process until the test ends and
// returns what Terraform needs to reattach to it.
func serveProvider(t *testing.T) tfexec.ReattachInfo {
	t.Helper()
	// TF_ACC_PROVIDER_HOST names OpenTofu's registry where that is the CLI.
	host := os.Getenv("TF_ACC_PROVIDER_HOST")
	if host == "" {
		host = "registry.terraform.io"
	}
	addr := host + "/" + tfharness.ProviderSource
	ctx, cancel := context.WithCancel(context.Background())
	reattach := make(chan *plugin.ReattachConfig, 1)
	closed := make(chan struct{})
	served := make(chan error, 1)
	go func() {
		served <- tf6server.Serve(addr, testServer,
			tf6server.WithDebug(ctx, reattach, closed),
			tf6server.WithGoPluginLogger(hclog.NewNullLogger()),
			// Provider logs go nowhere unless TF_LOG is set, as in resource.Test.
			tf6server.WithLoggingSink(t),
		)
	}()
	var cfg *plugin.ReattachConfig
	select {
	case cfg = <-reattach:
	case err := <-served:
		cancel()
		t.Fatalf("serving the provider: %v", err)
	case <-time.After(10 * time.Second):
		cancel()
		t.Fatal("the provider server did not start within 10s")
	}
	t.Cleanup(func() {
		cancel()
		<-closed
	})
	return tfexec.ReattachInfo{addr: {
		Protocol: string(cfg.Protocol), ProtocolVersion: cfg.ProtocolVersion, Pid: cfg.Pid, Test: cfg.Test,
		Addr: tfexec.ReattachConfigAddr{Network: cfg.Addr.Network(), String: cfg.Addr.String()},
	}}
}
