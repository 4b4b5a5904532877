package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// environment describes the machine and the tools, for the report.
type environment struct {
	date      time.Time
	nproc     int
	cpu       string
	memory    string
	kernel    string
	goVersion string
	terraform string
	commit    string
	loadStart string
	loadEnd   string
	args      []string
}

func (b *bench) environment() environment {
	e := environment{
		date:      time.Now().UTC(),
		nproc:     runtime.NumCPU(),
		cpu:       cpuModel(),
		memory:    memTotal(),
		goVersion: runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH,
		terraform: b.tfVersion,
		loadStart: loadAverage(),
	}
	if out, err := runOutput(b.ctx, "nproc"); err == nil {
		if n, err := strconv.Atoi(strings.TrimSpace(out)); err == nil {
			e.nproc = n
		}
	}
	if out, err := runOutput(b.ctx, "uname", "-sr"); err == nil {
		e.kernel = strings.TrimSpace(out)
	}
	if out, err := runOutput(b.ctx, "git", "rev-parse", "--short", "HEAD"); err == nil {
		e.commit = strings.TrimSpace(out)
		if st, err := runOutput(b.ctx, "git", "status", "--porcelain", "--untracked-files=no"); err == nil && strings.TrimSpace(st) != "" {
			e.commit += " (with uncommitted changes)"
		}
	}
	// The command line as typed, without the temporary build path.
	e.args = append([]string{"bench"}, os.Args[1:]...)
	for i, a := range e.args[1:] {
		if a == b.terraform || strings.HasSuffix(a, "="+b.terraform) {
			e.args[i+1] = strings.Replace(a, b.terraform, "$(scripts/tool.sh terraform)", 1)
		}
	}
	return e
}

func runOutput(ctx context.Context, name string, args ...string) (string, error) {
	out, err := exec.CommandContext(ctx, name, args...).Output() //nolint:gosec // fixed commands: terraform, nproc, uname, git
	return string(out), err
}

func cpuModel() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return "unknown"
	}
	defer func() { _ = f.Close() }()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown"
}

func memTotal() string {
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return "unknown"
	}
	defer func() { _ = f.Close() }()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) >= 2 && fields[0] == "MemTotal:" {
			if kib, err := strconv.ParseFloat(fields[1], 64); err == nil {
				return fmt.Sprintf("%.1f GiB", kib/(1<<20))
			}
		}
	}
	return "unknown"
}

// loadAverage is the 1, 5 and 15 minute load average: the machine is
// shared, and the report says how busy it was.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}
