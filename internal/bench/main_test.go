// Package bench holds the benchmarks of BENCHMARKS.md: the real Terraform CLI
// running the provider built from this tree against the mock SendGrid on
// 127.0.0.1, beside Terraform's own terraform_data. `make bench` runs them;
// without TF_ACC_TERRAFORM_PATH they skip.
package bench

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/tfharness"
)

// Terraform starts this test binary as the provider (the wrapped harness's
// dev_overrides name it) with wrapTarget set: it runs the real provider as
// its child on the same stdio and records the child's peak RSS and CPU in
// wrapDir.
const (
	wrapTarget = "SENDGRID_BENCH_WRAP_TARGET"
	wrapDir    = "SENDGRID_BENCH_USAGE_DIR"
)

func TestMain(m *testing.M) {
	if target := os.Getenv(wrapTarget); target != "" {
		os.Exit(wrap(target, os.Getenv(wrapDir)))
	}
	code := m.Run()
	if env.tmp != "" {
		fmt.Println("load-end:", loadAverage())
		_ = os.RemoveAll(env.tmp)
	}
	os.Exit(code)
}

func wrap(target, dir string) int {
	cmd := exec.Command(target, os.Args[1:]...) //nolint:gosec // the bench names its own build
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
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
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		fmt.Fprintln(os.Stderr, "bench wrapper:", err)
		return 1
	}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok && dir != "" {
		cpu := cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
		line := fmt.Sprintf("%d %d\n", ru.Maxrss, cpu.Microseconds())                                   // ru_maxrss is in KiB on Linux
		_ = os.WriteFile(filepath.Join(dir, strconv.Itoa(cmd.ProcessState.Pid())), []byte(line), 0o600) //nolint:gosec // the directory the bench named
	}
	if err != nil {
		return max(exit.ExitCode(), 1)
	}
	return 0
}

// env is what every benchmark shares, made once per test binary.
var env struct {
	once            sync.Once
	err             error
	tmp, provider   string
	wrapped, direct *tfharness.Harness
}

// setup skips without TF_ACC_TERRAFORM_PATH, builds the provider once and
// prints the run's configuration lines (benchstat keeps them).
func setup(b *testing.B) {
	tf := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if tf == "" {
		b.Skip("TF_ACC_TERRAFORM_PATH is not set: run `make bench`")
	}
	env.once.Do(func() {
		env.err = func() error {
			var err error
			if env.tmp, err = os.MkdirTemp("", "sendgrid-bench-"); err != nil {
				return err
			}
			provDir, wrapper := filepath.Join(env.tmp, "provider"), filepath.Join(env.tmp, "wrapper")
			if err := tfharness.BuildProvider(context.Background(), provDir); err != nil {
				return err
			}
			env.provider = filepath.Join(provDir, "terraform-provider-sendgrid")
			self, err := os.Executable()
			if err == nil {
				err = os.MkdirAll(wrapper, 0o700)
			}
			if err == nil {
				err = os.Symlink(self, filepath.Join(wrapper, "terraform-provider-sendgrid"))
			}
			if err == nil {
				env.wrapped, err = tfharness.New(tf, wrapper, env.tmp)
			}
			if err == nil {
				env.direct, err = tfharness.New(tf, provDir, provDir)
			}
			return err
		}()
		fmt.Printf("go: %s\nterraform: %s\ncommit: %s\nload-start: %s\n", runtime.Version(),
			firstLine(tf, "version"), firstLine("git", "describe", "--always", "--dirty"), loadAverage())
	})
	if env.err != nil {
		b.Fatal(env.err)
	}
}

func firstLine(name string, args ...string) string {
	out, _ := exec.Command(name, args...).Output() //nolint:gosec // terraform version, git describe
	line, _, _ := strings.Cut(strings.TrimSpace(string(out)), "\n")
	return line
}

func loadAverage() string {
	raw, _ := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(raw)); len(f) >= 3 {
		return strings.Join(f[:3], " ")
	}
	return "unknown"
}

// sample is one timed CLI command, in seconds and MiB.
type sample struct {
	wall, cpu, provCPU, mockCPU float64 // cpu: Terraform and every process it waited for; mockCPU: this process
	rssMiB                      float64 // the largest provider process's peak RSS
	procs                       int
}

// run times do in dir with the wrapped harness; with provider, it also
// sums what the wrappers of the provider processes recorded.
func run(dir string, provider bool, do func(*tfharness.Workdir) error, vars ...string) (sample, error) {
	var s sample
	usage := dir + "-usage"
	if provider {
		if err := os.MkdirAll(usage, 0o700); err != nil {
			return s, err
		}
		defer func() { _ = os.RemoveAll(usage) }()
		vars = append(vars, wrapTarget+"="+env.provider, wrapDir+"="+usage)
	}
	w, err := env.wrapped.Workdir(dir, vars...)
	if err != nil {
		return s, err
	}
	children, self := cpuTime(syscall.RUSAGE_CHILDREN), cpuTime(syscall.RUSAGE_SELF)
	start := time.Now()
	err = do(w)
	s.wall = time.Since(start).Seconds()
	s.cpu, s.mockCPU = cpuTime(syscall.RUSAGE_CHILDREN)-children, cpuTime(syscall.RUSAGE_SELF)-self
	if err != nil {
		return s, fmt.Errorf("%w\n%s", err, w.Output())
	}
	if !provider {
		return s, nil
	}
	files, _ := filepath.Glob(filepath.Join(usage, "*"))
	for _, f := range files {
		raw, err := os.ReadFile(f) //nolint:gosec // written by the wrappers
		var kib, us int64
		if _, err2 := fmt.Sscan(string(raw), &kib, &us); err != nil || err2 != nil {
			return s, fmt.Errorf("%s: %w", f, errors.Join(err, err2))
		}
		s.rssMiB, s.provCPU, s.procs = max(s.rssMiB, float64(kib)/1024), s.provCPU+float64(us)/1e6, s.procs+1
	}
	if s.procs == 0 {
		return s, errors.New("no provider process recorded its usage")
	}
	return s, nil
}

func cpuTime(who int) float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(who, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}
