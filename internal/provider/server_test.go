package provider

import (
	"context"
	"errors"
	"os"
	"runtime"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
)

type ctxKey struct{}

// The framework keeps every request's context; what it keeps must not
// reach the request's values once the request is answered.
func TestReleasedContextLetsGo(t *testing.T) {
	t.Parallel()
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
	t.Parallel()
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

// Requests through the wrapped framework server leave the heap where it
// was, however much their contexts carry (terraform-plugin-go attaches
// tens of kilobytes of loggers; unwrapped, the framework kept them all).
// Should the unwrapped case stop keeping them, the framework has fixed
// the leak and NewServer's wrapper can go.
func TestNewServerDoesNotKeepRequestContexts(t *testing.T) {
	t.Parallel()
	for name, srv := range map[string]tfprotov6.ProviderServer{
		"wrapped":   NewServer(context.Background(), "test")(),
		"unwrapped": providerserver.NewProtocol6(New("test")())(),
	} {
		t.Run(name, func(t *testing.T) {
			// An unknown type: the framework registers the context, then
			// answers with an error diagnostic.
			req := &tfprotov6.ReadDataSourceRequest{TypeName: "sendgrid_nope"}
			heap := func() float64 {
				runtime.GC()
				var m runtime.MemStats
				runtime.ReadMemStats(&m)
				return float64(m.HeapAlloc)
			}
			before := heap()
			const n, carried = 500, 32 << 10
			for range n {
				ctx := context.WithValue(t.Context(), ctxKey{}, make([]byte, carried))
				_, _ = srv.ReadDataSource(ctx, req)
			}
			perRequest := (heap() - before) / n
			t.Logf("%s: the heap grew %.0f bytes per request", name, perRequest)
			if leaks := perRequest > carried/2; leaks != (name == "unwrapped") {
				t.Errorf("%s: the heap grew %.0f bytes per request", name, perRequest)
			}
		})
	}
}

// After the request, what the framework kept behaves as a context must:
// Err stays nil until Done is closed and the deadline does not change.
func TestReleasedContextKeepsContextRules(t *testing.T) {
	t.Parallel()
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
func TestNewServerExposesEveryFrameworkInterface(t *testing.T) {
	t.Parallel()
	fw := providerserver.NewProtocol6(New("test")())()
	served := NewServer(context.Background(), "test")()
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
	resp, err := lister.ValidateListResourceConfig(t.Context(), &tfprotov6.ValidateListResourceConfigRequest{TypeName: "sendgrid_nope"})
	if err != nil || resp == nil {
		t.Fatalf("ValidateListResourceConfig through the wrapper: %v, %v", resp, err)
	}
}

func TestQuietSDKLogs(t *testing.T) {
	vars := []string{"TF_LOG", "TF_LOG_PROVIDER", "TF_LOG_SDK", "TF_LOG_SDK_PROTO", "TF_LOG_SDK_FRAMEWORK"}
	unset := func() {
		for _, v := range vars {
			t.Setenv(v, "") // restored after the test
			_ = os.Unsetenv(v)
		}
	}

	unset()
	QuietSDKLogs()
	for _, v := range []string{"TF_LOG_SDK", "TF_LOG_SDK_PROTO", "TF_LOG_SDK_FRAMEWORK", "TF_LOG_PROVIDER"} {
		if got := os.Getenv(v); got != "off" {
			t.Errorf("without TF_LOG: %s=%q, want off", v, got)
		}
	}

	unset()
	t.Setenv("TF_LOG", "debug")
	QuietSDKLogs()
	if got := os.Getenv("TF_LOG_SDK"); got != "" {
		t.Errorf("with TF_LOG=debug: TF_LOG_SDK=%q, want it left unset", got)
	}

	unset()
	t.Setenv("TF_LOG_PROVIDER", "trace")
	QuietSDKLogs()
	if got := os.Getenv("TF_LOG_SDK"); got != "" {
		t.Errorf("with TF_LOG_PROVIDER=trace: TF_LOG_SDK=%q, want it left unset", got)
	}

	unset()
	t.Setenv("TF_LOG_SDK_PROTO", "trace")
	QuietSDKLogs()
	if got := os.Getenv("TF_LOG_SDK_PROTO"); got != "trace" {
		t.Errorf("an explicit TF_LOG_SDK_PROTO was overridden: %q", got)
	}
}
