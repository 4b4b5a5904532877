package provider

import (
	"context"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
)

// NewServer returns the protocol 6 server that main.go serves: the
// framework's, wrapped so that the memory of a request is released once
// the request is answered.
//
// The framework (up to v1.19 at least) keeps the cancel function of every
// request's context until StopProvider, which Terraform only sends on an
// interrupt. Each one holds its context and everything hanging off it,
// above all the loggers terraform-plugin-go attaches (tens of kilobytes per
// request), so a plan of 1,000 resources (four requests each) grew the
// provider past 120 MiB. The wrapper hands the framework, for each
// per-resource request, a context that forwards to the real one while the
// request runs and lets go of it when the request returns; what the
// framework keeps is then a few hundred bytes.
func NewServer(version string) func() tfprotov6.ProviderServer {
	fw := providerserver.NewProtocol6(New(version)())
	return func() tfprotov6.ProviderServer { return releasingServer{fw()} }
}

// QuietSDKLogs turns off the SDK's own logging when nobody will read it.
// terraform-plugin-go and the framework log every request at TRACE unless
// told otherwise, as JSON on stderr, which Terraform parses line by line
// and, with neither TF_LOG nor TF_LOG_PROVIDER set, throws away: about
// half the CPU time of a plan, in the provider and in Terraform. With
// either variable set nothing changes. Call it before serving, and not in
// debug mode, where the provider's stderr is a terminal.
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

// releasingServer detaches the context of every request whose number grows
// with the number of resources; the others (schema, configure, ...) come a
// few times per process and are passed through. It implements only
// tfprotov6.ProviderServer: the provider has no list resources, actions or
// state stores, whose optional interfaces the wrapper would have to
// forward too.
type releasingServer struct{ tfprotov6.ProviderServer }

func (s releasingServer) ValidateResourceConfig(ctx context.Context, req *tfprotov6.ValidateResourceConfigRequest) (*tfprotov6.ValidateResourceConfigResponse, error) {
	return released(ctx, req, s.ProviderServer.ValidateResourceConfig)
}

func (s releasingServer) UpgradeResourceState(ctx context.Context, req *tfprotov6.UpgradeResourceStateRequest) (*tfprotov6.UpgradeResourceStateResponse, error) {
	return released(ctx, req, s.ProviderServer.UpgradeResourceState)
}

func (s releasingServer) ReadResource(ctx context.Context, req *tfprotov6.ReadResourceRequest) (*tfprotov6.ReadResourceResponse, error) {
	return released(ctx, req, s.ProviderServer.ReadResource)
}

func (s releasingServer) PlanResourceChange(ctx context.Context, req *tfprotov6.PlanResourceChangeRequest) (*tfprotov6.PlanResourceChangeResponse, error) {
	return released(ctx, req, s.ProviderServer.PlanResourceChange)
}

func (s releasingServer) ApplyResourceChange(ctx context.Context, req *tfprotov6.ApplyResourceChangeRequest) (*tfprotov6.ApplyResourceChangeResponse, error) {
	return released(ctx, req, s.ProviderServer.ApplyResourceChange)
}

func (s releasingServer) ImportResourceState(ctx context.Context, req *tfprotov6.ImportResourceStateRequest) (*tfprotov6.ImportResourceStateResponse, error) {
	return released(ctx, req, s.ProviderServer.ImportResourceState)
}

func (s releasingServer) ValidateDataResourceConfig(ctx context.Context, req *tfprotov6.ValidateDataResourceConfigRequest) (*tfprotov6.ValidateDataResourceConfigResponse, error) {
	return released(ctx, req, s.ProviderServer.ValidateDataResourceConfig)
}

func (s releasingServer) ReadDataSource(ctx context.Context, req *tfprotov6.ReadDataSourceRequest) (*tfprotov6.ReadDataSourceResponse, error) {
	return released(ctx, req, s.ProviderServer.ReadDataSource)
}

func released[Req, Resp any](ctx context.Context, req Req, call func(context.Context, Req) (Resp, error)) (Resp, error) {
	d := &detachedContext{parent: ctx, done: ctx.Done()}
	defer d.release()
	return call(d, req)
}

// detachedContext is its parent until released, then an ended context
// with no values that holds nothing of the parent but its Done channel.
type detachedContext struct {
	mu     sync.RWMutex
	parent context.Context // nil once released
	done   <-chan struct{}
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

func (d *detachedContext) Deadline() (deadline time.Time, ok bool) {
	if p := d.get(); p != nil {
		return p.Deadline()
	}
	return time.Time{}, false
}

func (d *detachedContext) Done() <-chan struct{} { return d.done }

// Err is the parent's while the request runs. Once released it is
// Canceled: the request is over, and a context derived from this one (the
// framework derives one) may ask after the parent's Done closes.
func (d *detachedContext) Err() error {
	if p := d.get(); p != nil {
		return p.Err()
	}
	return context.Canceled
}

func (d *detachedContext) Value(key any) any {
	if p := d.get(); p != nil {
		return p.Value(key)
	}
	return nil
}
