// Package quirks works around terraform-plugin-framework where it is slow or leaks at scale
// (DESIGN.md, "Performance"); each workaround has a test that fails once it is no longer needed.
package quirks

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
)

// ReleasingServer wraps the framework's protocol 6 server so that each
// request's memory is released once it is answered (DESIGN.md, "Releasing
// each request's memory").
func ReleasingServer(fw func() tfprotov6.ProviderServer) func() tfprotov6.ProviderServer {
	return func() tfprotov6.ProviderServer {
		served := fw()
		inner, ok := served.(fullServer)
		if !ok {
			panic(fmt.Sprintf("terraform-plugin-framework's server %T lacks an optional protocol interface", served))
		}
		return releasingServer{inner}
	}
}

// QuietSDKLogs turns the SDK's own logging off when neither TF_LOG nor
// TF_LOG_PROVIDER asks for logs (DESIGN.md, "SDK trace logs off"). Call it
// before serving, and not in debug mode.
func QuietSDKLogs() {
	for _, name := range []string{"TF_LOG", "TF_LOG_PROVIDER"} {
		if v := strings.TrimSpace(os.Getenv(name)); v != "" && !strings.EqualFold(v, "off") {
			return
		}
	}
	for _, name := range []string{"TF_LOG_SDK", "TF_LOG_SDK_PROTO", "TF_LOG_SDK_FRAMEWORK", "TF_LOG_PROVIDER"} {
		if _, set := os.LookupEnv(name); !set {
			_ = os.Setenv(name, "off")
		}
	}
}

// fullServer is every interface the framework's protocol 6 server serves;
// the wrapper must forward them all or Terraform sees them as unimplemented
// (terraform query fails with "ValidateListResourceConfig Not Implemented").
type fullServer interface {
	tfprotov6.ProviderServer
	tfprotov6.ListResourceServer
	tfprotov6.ActionServer
	tfprotov6.StateStoreServer
}

var _ fullServer = releasingServer{}

// releasingServer detaches the context of each request whose count grows
// with the number of resources; the framework keeps the cancel function of
// every request in internal/proto6server (registerContext) until
// StopProvider.
type releasingServer struct{ fullServer }

func (s releasingServer) ValidateResourceConfig(ctx context.Context, req *tfprotov6.ValidateResourceConfigRequest) (*tfprotov6.ValidateResourceConfigResponse, error) {
	return released(ctx, req, s.fullServer.ValidateResourceConfig)
}

func (s releasingServer) UpgradeResourceState(ctx context.Context, req *tfprotov6.UpgradeResourceStateRequest) (*tfprotov6.UpgradeResourceStateResponse, error) {
	return released(ctx, req, s.fullServer.UpgradeResourceState)
}

func (s releasingServer) UpgradeResourceIdentity(ctx context.Context, req *tfprotov6.UpgradeResourceIdentityRequest) (*tfprotov6.UpgradeResourceIdentityResponse, error) {
	return released(ctx, req, s.fullServer.UpgradeResourceIdentity)
}

func (s releasingServer) ReadResource(ctx context.Context, req *tfprotov6.ReadResourceRequest) (*tfprotov6.ReadResourceResponse, error) {
	return released(ctx, req, s.fullServer.ReadResource)
}

func (s releasingServer) PlanResourceChange(ctx context.Context, req *tfprotov6.PlanResourceChangeRequest) (*tfprotov6.PlanResourceChangeResponse, error) {
	return released(ctx, req, s.fullServer.PlanResourceChange)
}

func (s releasingServer) ApplyResourceChange(ctx context.Context, req *tfprotov6.ApplyResourceChangeRequest) (*tfprotov6.ApplyResourceChangeResponse, error) {
	return released(ctx, req, s.fullServer.ApplyResourceChange)
}

func (s releasingServer) ImportResourceState(ctx context.Context, req *tfprotov6.ImportResourceStateRequest) (*tfprotov6.ImportResourceStateResponse, error) {
	return released(ctx, req, s.fullServer.ImportResourceState)
}

func (s releasingServer) ValidateDataResourceConfig(ctx context.Context, req *tfprotov6.ValidateDataResourceConfigRequest) (*tfprotov6.ValidateDataResourceConfigResponse, error) {
	return released(ctx, req, s.fullServer.ValidateDataResourceConfig)
}

func (s releasingServer) ReadDataSource(ctx context.Context, req *tfprotov6.ReadDataSourceRequest) (*tfprotov6.ReadDataSourceResponse, error) {
	return released(ctx, req, s.fullServer.ReadDataSource)
}

func released[Req, Resp any](ctx context.Context, req Req, call func(context.Context, Req) (Resp, error)) (Resp, error) {
	d := &detachedContext{parent: ctx, done: ctx.Done()}
	d.deadline, d.hasDeadline = ctx.Deadline()
	defer d.release()
	return call(d, req)
}

// detachedContext is its parent until released; then it keeps only the
// parent's Done channel and deadline, and no values.
type detachedContext struct {
	mu          sync.RWMutex
	parent      context.Context // nil once released
	done        <-chan struct{}
	deadline    time.Time
	hasDeadline bool
}

func (d *detachedContext) get() context.Context {
	d.mu.RLock()
	defer d.mu.RUnlock()
	return d.parent
}

func (d *detachedContext) release() {
	d.mu.Lock()
	d.parent = nil
	d.mu.Unlock()
}

func (d *detachedContext) Deadline() (time.Time, bool) { return d.deadline, d.hasDeadline }

func (d *detachedContext) Done() <-chan struct{} { return d.done }

// Err is nil until Done is closed, as the context rules require.
func (d *detachedContext) Err() error {
	if p := d.get(); p != nil {
		return p.Err()
	}
	select {
	case <-d.done:
		return context.Canceled
	default:
		return nil
	}
}

func (d *detachedContext) Value(key any) any {
	if p := d.get(); p != nil {
		return p.Value(key)
	}
	return nil
}
