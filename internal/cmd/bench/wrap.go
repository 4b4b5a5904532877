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

// Terraform starts this program as the provider (setup puts it in the
// dev_overrides directory) with wrapEnvTarget naming the real binary: it
// runs that as its child on the same stdio, so go-plugin's handshake passes
// through, forwards signals, and on exit records the child's peak RSS and
// CPU time in wrapEnvDir.
const (
	wrapEnvTarget = "SENDGRID_BENCH_WRAP_TARGET"
	wrapEnvDir    = "SENDGRID_BENCH_RSS_DIR"
)

func wrapping() bool { return os.Getenv(wrapEnvTarget) != "" }

func runWrapper() int {
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
