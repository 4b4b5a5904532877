package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"syscall"
	"time"
)

// The benchmark measures the provider's peak memory by putting itself, as
// terraform-provider-sendgrid, in the dev_overrides directory. Terraform
// starts it with wrapEnvTarget naming the real provider binary; it runs
// that binary as its own child with the same stdin, stdout, stderr and
// environment (go-plugin's handshake passes through untouched), forwards
// signals, and on exit writes the child's peak resident set size to a file
// in wrapEnvDir.
const (
	wrapEnvTarget = "SENDGRID_BENCH_WRAP_TARGET"
	wrapEnvDir    = "SENDGRID_BENCH_RSS_DIR"
)

// wrapping reports whether this process was started as the wrapper.
func wrapping() bool { return os.Getenv(wrapEnvTarget) != "" }

// runWrapper runs the real provider and returns its exit code.
func runWrapper() int {
	target := os.Getenv(wrapEnvTarget)
	dir := os.Getenv(wrapEnvDir)
	_ = os.Unsetenv(wrapEnvTarget)
	_ = os.Unsetenv(wrapEnvDir)

	cmd := exec.Command(target, os.Args[1:]...) //nolint:gosec // the benchmark names its own build
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.Env = os.Environ()

	// Catch signals before starting the child, so none is lost; the child
	// gets each one (it is usually in Terraform's process group and gets
	// a terminal's Ctrl-C directly too, which is harmless twice).
	sigs := make(chan os.Signal, 4)
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
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) {
		code = exitErr.ExitCode()
		if code < 0 { // killed by a signal
			code = 1
		}
	} else if err != nil {
		fmt.Fprintln(os.Stderr, "bench wrapper:", err)
		code = 1
	}
	if dir != "" && cmd.ProcessState != nil {
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
			// Linux reports ru_maxrss in KiB.
			cpu := cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
			name := filepath.Join(dir, strconv.Itoa(cmd.ProcessState.Pid())+".rss")
			line := fmt.Sprintf("%d %d\n", ru.Maxrss, cpu.Microseconds())
			_ = os.WriteFile(name, []byte(line), 0o600) //nolint:gosec // the directory the bench named
		}
	}
	return code
}

// usage is what the wrappers of one command recorded.
type usage struct {
	peakKiB int64         // the largest peak RSS of any provider process
	cpu     time.Duration // user + system time of all provider processes
	procs   int           // provider processes Terraform started
}

// readUsage sums up the files wrappers wrote into dir.
func readUsage(dir string) (usage, error) {
	var u usage
	entries, err := os.ReadDir(dir)
	if err != nil {
		return u, err
	}
	for _, e := range entries {
		if filepath.Ext(e.Name()) != ".rss" {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name())) //nolint:gosec // files the wrappers wrote
		if err != nil {
			return u, err
		}
		var kib, cpuUS int64
		if _, err := fmt.Sscan(string(b), &kib, &cpuUS); err != nil {
			return u, fmt.Errorf("%s: %w", e.Name(), err)
		}
		u.procs++
		u.peakKiB = max(u.peakKiB, kib)
		u.cpu += time.Duration(cpuUS) * time.Microsecond
	}
	if u.procs == 0 {
		return u, fmt.Errorf("no provider process recorded its usage in %s", dir)
	}
	return u, nil
}
