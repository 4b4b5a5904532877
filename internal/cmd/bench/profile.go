package main

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"runtime/pprof"
	"strconv"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"

	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/provider"
)

// serveEnvProfile makes this program serve the provider itself, as
// main.go does, under a CPU profile written to the named prefix plus the
// process id. The wrapper starts it so (see profile).
const serveEnvProfile = "SENDGRID_BENCH_SERVE_CPUPROFILE"

func serving() bool { return os.Getenv(serveEnvProfile) != "" }

// serveProvider is main.go's main (without -debug) with a CPU profile
// around it. Serve
// returns once Terraform has shut the provider down gracefully.
func serveProvider() int {
	prefix := os.Getenv(serveEnvProfile)
	f, err := os.Create(prefix + "-" + strconv.Itoa(os.Getpid()) + ".pprof") //nolint:gosec // the path the bench chose
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench provider:", err)
		return 1
	}
	defer func() { _ = f.Close() }()
	if err := pprof.StartCPUProfile(f); err != nil {
		fmt.Fprintln(os.Stderr, "bench provider:", err)
		return 1
	}
	stopMem := watchHeap(prefix + "-" + strconv.Itoa(os.Getpid()))
	defer stopMem()
	provider.QuietSDKLogs()
	err = tf6server.Serve("registry.terraform.io/terraform-sendgrid/sendgrid", provider.NewServer("bench", nil))
	pprof.StopCPUProfile()
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench provider:", err)
		return 1
	}
	return 0
}

// watchHeap samples the heap until stopped, writes a heap profile each
// time the live heap grows past its previous peak by a tenth, and at the
// end a summary of the peaks beside it.
func watchHeap(prefix string) (stop func()) {
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		var peak runtime.MemStats
		var lastProfiled, peakLive, peakGoal uint64
		var peakG int
		samples := []metrics.Sample{{Name: "/gc/heap/live:bytes"}, {Name: "/gc/heap/goal:bytes"}}
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
			metrics.Read(samples)
			peakLive = max(peakLive, samples[0].Value.Uint64())
			peakG = max(peakG, runtime.NumGoroutine())
			peakGoal = max(peakGoal, samples[1].Value.Uint64())
			if m.HeapAlloc > peak.HeapAlloc {
				peak.HeapAlloc = m.HeapAlloc
			}
			peak.HeapSys = max(peak.HeapSys, m.HeapSys)
			peak.Sys = max(peak.Sys, m.Sys)
			peak.StackInuse = max(peak.StackInuse, m.StackInuse)
			if m.HeapAlloc > lastProfiled+lastProfiled/10 && m.HeapAlloc > 4<<20 {
				lastProfiled = m.HeapAlloc
				if f, err := os.Create(prefix + ".heap"); err == nil { //nolint:gosec // the path the bench chose
					_ = pprof.Lookup("heap").WriteTo(f, 0)
					_ = f.Close()
				}
			}
			select {
			case <-done:
				runtime.GC()
				if f, err := os.Create(prefix + "-end.heap"); err == nil { //nolint:gosec // the path the bench chose
					_ = pprof.Lookup("heap").WriteTo(f, 0)
					_ = f.Close()
				}
				metrics.Read(samples)
				m.HeapAlloc = samples[0].Value.Uint64() // live at the end, for the summary
				summary := fmt.Sprintf("peak live heap after GC %d MiB, peak GC goal %d MiB, peak HeapAlloc %d MiB, HeapSys %d MiB, Sys %d MiB, StackInuse %d MiB, goroutines now %d (peak %d), GCs %d, live at the end %d MiB\n",
					peakLive>>20, peakGoal>>20, peak.HeapAlloc>>20, peak.HeapSys>>20, peak.Sys>>20, peak.StackInuse>>20, runtime.NumGoroutine(), peakG, m.NumGC, m.HeapAlloc>>20)
				_ = os.WriteFile(prefix+".mem.txt", []byte(summary), 0o600) //nolint:gosec // the path the bench chose
				return
			case <-tick.C:
			}
		}
	}()
	return func() { close(done); <-finished }
}

// profile applies, then plans, the largest N of the scale measure with the
// provider served by this program under a CPU profile, and says how to
// read the profiles.
func (b *bench) profile(prefix string) error {
	prefix, err := filepath.Abs(prefix)
	if err != nil {
		return err
	}
	n := b.o.sizes[len(b.o.sizes)-1]
	api, err := startMock(n)
	if err != nil {
		return err
	}
	defer func() { _ = api.Close() }()
	dir, err := b.dir(fmt.Sprintf("profile-%d", n))
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(sendgridConfig(api, scalePace, n)), 0o600); err != nil {
		return err
	}
	self := filepath.Join(b.harness.PluginDir, "terraform-provider-sendgrid")
	for _, cmd := range [][]string{{"apply", "-auto-approve"}, {"plan", "-detailed-exitcode"}} {
		h := *b.harness
		h.ExtraEnv = []string{wrapEnvTarget + "=" + self, serveEnvProfile + "=" + prefix + "-" + cmd[0]}
		w, err := h.Workdir(dir)
		if err != nil {
			return err
		}
		res, err := w.MustSucceed(b.ctx, cmd...)
		if err != nil {
			return err
		}
		b.logf("profiled terraform %s of N=%d: %.2fs; read with: go tool pprof -top %s-%s-*.pprof", cmd[0], n, res.Duration.Seconds(), prefix, cmd[0])
	}
	return nil
}
