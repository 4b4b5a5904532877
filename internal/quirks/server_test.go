package quirks

import (
	"context"
	"errors"
	"runtime"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
)

type ctxKey struct{}

// The framework keeps every request's context; what it keeps must not
// reach the request's values once the request is answered.
func TestReleasedContextLetsGo(t *testing.T) {
	parent, cancel := context.WithCancel(context.WithValue(t.Context(), ctxKey{}, "value"))
	var kept context.Context
	var keptCancel context.CancelFunc
	defer func() { keptCancel() }()
	_, err := released(parent, 0, func(ctx context.Context, _ int) (int, error) {
		if ctx.Value(ctxKey{}) != "value" {
			t.Error("the request's values are not visible during the request")
		}
		if ctx.Err() != nil {
			t.Errorf("Err during the request: %v", ctx.Err())
		}
		// What the framework does: derive a cancelable context and keep it.
		kept, keptCancel = context.WithCancel(ctx) //nolint:gosec // called by the deferred func above
		return 0, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if kept.Value(ctxKey{}) != nil {
		t.Error("a context kept past the request still reaches its values")
	}
	cancel() // gRPC ends the request's context after answering
	select {
	case <-kept.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("a context derived during the request is not canceled with it")
	}
	if !errors.Is(kept.Err(), context.Canceled) {
		t.Errorf("Err after the request: %v", kept.Err())
	}
}

// A deadline and a cancellation during the request reach the provider.
func TestReleasedContextForwardsCancellation(t *testing.T) {
	deadline := time.Now().Add(time.Hour)
	parent, cancel := context.WithDeadline(t.Context(), deadline)
	_, _ = released(parent, 0, func(ctx context.Context, _ int) (int, error) {
		if d, ok := ctx.Deadline(); !ok || !d.Equal(deadline) {
			t.Errorf("deadline %v %v, want %v", d, ok, deadline)
		}
		cancel()
		select {
		case <-ctx.Done():
		case <-time.After(5 * time.Second):
			t.Fatal("cancellation does not reach the request")
		}
		if !errors.Is(ctx.Err(), context.Canceled) {
			t.Errorf("Err %v", ctx.Err())
		}
		return 0, nil
	})
}

// heapPerRequest is how much the heap grows per ReadDataSource served by
// srv, each request's context carrying a 32 KiB value (as terraform-plugin-go
// attaches tens of kilobytes of loggers).
func heapPerRequest(t *testing.T, srv tfprotov6.ProviderServer) (perRequest, carried float64) {
	t.Helper()
	// An unknown type: the framework registers the context, then answers
	// with an error diagnostic.
	req := &tfprotov6.ReadDataSourceRequest{TypeName: "test_nope"}
	heap := func() float64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return float64(m.HeapAlloc)
	}
	before := heap()
	const n, size = 500, 32 << 10
	for range n {
		ctx := context.WithValue(t.Context(), ctxKey{}, make([]byte, size))
		_, _ = srv.ReadDataSource(ctx, req)
	}
	return (heap() - before) / n, size
}

// Requests through the wrapped framework server leave the heap where it was.
func TestReleasingServerDoesNotKeepRequestContexts(t *testing.T) {
	grew, carried := heapPerRequest(t, ReleasingServer(providerserver.NewProtocol6(testProvider{}))())
	t.Logf("wrapped: the heap grew %.0f bytes per request", grew)
	if grew > carried/2 {
		t.Errorf("through ReleasingServer the heap grew %.0f bytes per request", grew)
	}
}

// The framework's own server keeps every request's context until
// StopProvider: the leak ReleasingServer exists for.
func TestFrameworkKeepsRequestContexts(t *testing.T) {
	grew, carried := heapPerRequest(t, providerserver.NewProtocol6(testProvider{})())
	t.Logf("unwrapped: the heap grew %.0f bytes per request", grew)
	if grew < carried/2 {
		t.Errorf("the framework's server no longer keeps each request's context (the heap grew %.0f bytes per request, not ~%.0f): "+
			"the framework no longer needs ReleasingServer: remove it (DESIGN.md, \"Releasing each request's memory\")", grew, carried)
	}
}

// After the request, what the framework kept behaves as a context must:
// Err stays nil until Done is closed and the deadline does not change.
func TestReleasedContextKeepsContextRules(t *testing.T) {
	deadline := time.Now().Add(time.Hour)
	parent, cancel := context.WithDeadline(t.Context(), deadline)
	defer cancel()
	var kept context.Context
	_, _ = released(parent, 0, func(ctx context.Context, _ int) (int, error) {
		kept = ctx
		return 0, nil
	})
	if err := kept.Err(); err != nil {
		t.Errorf("Err after release, before Done: %v, want nil", err)
	}
	if d, ok := kept.Deadline(); !ok || !d.Equal(deadline) {
		t.Errorf("Deadline after release: %v %v, want %v true", d, ok, deadline)
	}
	cancel()
	<-kept.Done()
	if !errors.Is(kept.Err(), context.Canceled) {
		t.Errorf("Err after Done: %v", kept.Err())
	}
}

// The served provider exposes every optional protocol interface the
// framework's server has; a wrapper that hid one would make Terraform
// report it as not implemented.
func TestReleasingServerExposesEveryFrameworkInterface(t *testing.T) {
	fw := providerserver.NewProtocol6(testProvider{})()
	served := ReleasingServer(providerserver.NewProtocol6(testProvider{}))()
	checks := map[string]func(tfprotov6.ProviderServer) bool{
		"ListResourceServer": func(s tfprotov6.ProviderServer) bool {
			_, ok := s.(tfprotov6.ListResourceServer)
			return ok
		},
		"ActionServer": func(s tfprotov6.ProviderServer) bool {
			_, ok := s.(tfprotov6.ActionServer)
			return ok
		},
		"StateStoreServer": func(s tfprotov6.ProviderServer) bool {
			_, ok := s.(tfprotov6.StateStoreServer)
			return ok
		},
	}
	for name, has := range checks {
		if has(fw) && !has(served) {
			t.Errorf("the framework's server implements %s, the served one does not", name)
		}
	}
	lister, ok := served.(tfprotov6.ListResourceServer)
	if !ok {
		t.Fatal("no list resource server")
	}
	resp, err := lister.ValidateListResourceConfig(t.Context(), &tfprotov6.ValidateListResourceConfigRequest{TypeName: "test_nope"})
	if err != nil || resp == nil {
		t.Fatalf("ValidateListResourceConfig through the wrapper: %v, %v", resp, err)
	}
}

// testProvider is a framework provider with only the given resources.
type testProvider struct{ resources []func() resource.Resource }

func (testProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "test"
}

func (testProvider) Schema(context.Context, provider.SchemaRequest, *provider.SchemaResponse) {}

func (testProvider) Configure(context.Context, provider.ConfigureRequest, *provider.ConfigureResponse) {
}

func (testProvider) DataSources(context.Context) []func() datasource.DataSource { return nil }

func (p testProvider) Resources(context.Context) []func() resource.Resource { return p.resources }

func (testProvider) ListResources(context.Context) []func() list.ListResource { return nil }
