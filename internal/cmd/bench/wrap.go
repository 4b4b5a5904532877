package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime/pprof"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/terraform-exec/tfexec"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"

	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/provider"
	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/quirks"
	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/tfharness"
)

// Terraform starts this program as the provider (setup puts it in the
// dev_overrides directory) with wrapEnvTarget naming the real binary: it
// runs that as its child on the same stdio, so go-plugin's handshake passes
// through, forwards signals, and on exit records the child's peak RSS and
// CPU time in wrapEnvDir.
const (
	wrapEnvTarget = "SENDGRID_BENCH_WRAP_TARGET"
	wrapEnvDir    = "SENDGRID_BENCH_RSS_DIR"
)

func wrapping() bool { return os.Getenv(wrapEnvTarget) != "" || os.Getenv(profileEnv) != "" }

func runWrapper() int {
	if os.Getenv(profileEnv) != "" {
		return serveProfiled()
	}
	target, dir := os.Getenv(wrapEnvTarget), os.Getenv(wrapEnvDir)
	_ = os.Unsetenv(wrapEnvTarget)
	_ = os.Unsetenv(wrapEnvDir)
	cmd := exec.Command(target, os.Args[1:]...) //nolint:gosec // the benchmark names its own build
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	sigs := make(chan os.Signal, 4) // before Start, so none is lost
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGQUIT)
	if err := cmd.Start(); err != nil {
		fmt.Fprintln(os.Stderr, "bench wrapper:", err)
		return 1
	}
	go func() {
		for s := range sigs {
			_ = cmd.Process.Signal(s)
		}
	}()
	err := cmd.Wait()
	signal.Stop(sigs)
	code := 0
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		code = max(exit.ExitCode(), 1) // -1: killed by a signal
	case err != nil:
		fmt.Fprintln(os.Stderr, "bench wrapper:", err)
		return 1
	}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok && dir != "" {
		cpu := cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
		line := fmt.Sprintf("%d %d\n", ru.Maxrss, cpu.Microseconds())                                          // Linux gives ru_maxrss in KiB
		_ = os.WriteFile(filepath.Join(dir, strconv.Itoa(cmd.ProcessState.Pid())+".rss"), []byte(line), 0o600) //nolint:gosec // the directory the bench named
	}
	return code
}

// readUsage sums what the wrappers of one command wrote into dir: the
// largest peak RSS, the CPU time of all provider processes, their number.
func readUsage(dir string) (peakKiB int64, cpu time.Duration, procs int, err error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.rss"))
	if err != nil {
		return 0, 0, 0, err
	}
	for _, f := range files {
		b, err := os.ReadFile(f) //nolint:gosec // files the wrappers wrote
		if err != nil {
			return 0, 0, 0, err
		}
		var kib, us int64
		if _, err := fmt.Sscan(string(b), &kib, &us); err != nil {
			return 0, 0, 0, fmt.Errorf("%s: %w", f, err)
		}
		peakKiB, cpu, procs = max(peakKiB, kib), cpu+time.Duration(us)*time.Microsecond, procs+1
	}
	if procs == 0 {
		return 0, 0, 0, fmt.Errorf("no provider process recorded its usage in %s", dir)
	}
	return peakKiB, cpu, procs, nil
}

// With -cpuprofile, the bench also serves the provider itself, as main.go
// does (the same server, the SDK's logs off), in a child of its own under a
// CPU profile, and Terraform reattaches to it for one more plan: profileEnv
// names the profile, reattachEnvFile where the reattach configuration goes.
// SIGTERM ends the serving and writes the profile.
const (
	profileEnv      = "SENDGRID_BENCH_CPUPROFILE"
	reattachEnvFile = "SENDGRID_BENCH_REATTACH_FILE"
)

func serveProfiled() int {
	f, err := os.Create(os.Getenv(profileEnv)) //nolint:gosec // the bench names this path itself
	if err == nil {
		err = pprof.StartCPUProfile(f)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench profile:", err)
		return 1
	}
	quirks.QuietSDKLogs()
	err = tf6server.Serve("registry.terraform.io/"+tfharness.ProviderSource, provider.NewServer(context.Background(), "bench"),
		tf6server.WithManagedDebug(), tf6server.WithManagedDebugStopSignals([]os.Signal{syscall.SIGTERM}),
		tf6server.WithManagedDebugEnvFilePath(os.Getenv(reattachEnvFile)), tf6server.WithGoPluginLogger(hclog.NewNullLogger()))
	pprof.StopCPUProfile()
	if err = firstErr(err, f.Close()); err != nil {
		fmt.Fprintln(os.Stderr, "bench profile:", err)
		return 1
	}
	return 0
}

// profiledPlan runs `plan -detailed-exitcode` in dir against the provider
// served by serveProfiled, which writes its CPU profile to file.
func (b *bench) profiledPlan(dir, file string) error {
	self, err := os.Executable()
	if err != nil {
		return err
	}
	envFile := dir + "-reattach"
	defer func() { _ = os.Remove(envFile) }()
	cmd := exec.CommandContext(b.ctx, self) //nolint:gosec // this program
	cmd.Env = append(os.Environ(), profileEnv+"="+file, reattachEnvFile+"="+envFile)
	if err := cmd.Start(); err != nil {
		return err
	}
	defer func() { _ = cmd.Process.Signal(syscall.SIGTERM); _ = cmd.Wait() }()
	var line []byte
	for start := time.Now(); len(line) == 0; time.Sleep(50 * time.Millisecond) {
		if line, _ = os.ReadFile(envFile); time.Since(start) > 10*time.Second { //nolint:gosec // under our temporary directory
			return errors.New("the profiled provider wrote no reattach configuration within 10s")
		}
	}
	// TF_REATTACH_PROVIDERS='{...}'
	_, js, _ := strings.Cut(strings.TrimSpace(string(line)), "=")
	var info tfexec.ReattachInfo
	if err := json.Unmarshal([]byte(strings.Trim(js, "'")), &info); err != nil {
		return fmt.Errorf("reattach configuration %q: %w", line, err)
	}
	w, err := b.direct.Workdir(dir)
	if err != nil {
		return err
	}
	if changes, err := w.Plan(b.ctx, tfexec.Reattach(info)); changes || err != nil {
		return fmt.Errorf("profiled plan: changes %v, %w\n%s", changes, err, tail(w.Output(), 20))
	}
	return nil
}
