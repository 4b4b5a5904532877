package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/sendgridmock"
)

// TestMain lets the test binary play the command, so a test can run it as
// a real process and signal it.
func TestMain(m *testing.M) {
	if os.Getenv("SENDGRID_MOCK_BE_MAIN") == "1" {
		os.Args = append([]string{"sendgrid-mock"}, strings.Fields(os.Getenv("SENDGRID_MOCK_ARGS"))...)
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// syncBuffer is a bytes.Buffer safe to write and read from two goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// demoCall asks the mock at base for all IPs with the demo credentials.
func demoCall(t *testing.T, base string) string {
	t.Helper()
	resp, err := http.PostForm(base+"customer.ip.json", url.Values{
		"api_user": {"reseller@example.com"}, "api_key": {"demo-not-a-real-key"}, "list": {"free"},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %s", resp.StatusCode, b)
	}
	return string(b)
}

func TestRun(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	outR, outW := io.Pipe()
	var stderr syncBuffer
	urlFile := filepath.Join(t.TempDir(), "url")
	errc := make(chan error, 1)
	go func() {
		errc <- run(ctx, []string{"-url-file", urlFile, "-rate-limit", "100"}, outW, &stderr)
		_ = outW.Close()
	}()

	out := bufio.NewReader(outR)
	line, err := out.ReadString('\n')
	if err != nil {
		t.Fatalf("reading the URL: %v (stderr: %s)", err, stderr.String())
	}
	base := strings.TrimSuffix(line, "\n")
	if !strings.HasPrefix(base, "http://127.0.0.1:") || !strings.HasSuffix(base, "/apiv2/") {
		t.Fatalf("printed %q", line)
	}
	if got := demoCall(t, base); got != `[{"ip":"203.0.113.14"},{"ip":"203.0.113.15"}]` {
		t.Errorf("free IPs of the demo seed: %s", got)
	}
	b, err := os.ReadFile(urlFile) //nolint:gosec // a temp file of this test
	if err != nil || string(b) != line {
		t.Errorf("url file = %q, %v", b, err)
	}

	cancel()
	select {
	case err := <-errc:
		if err != nil {
			t.Fatalf("run: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("run did not return after cancel")
	}
	if rest, _ := io.ReadAll(out); len(rest) != 0 {
		t.Errorf("more than one line on stdout: %q", rest)
	}
	if _, err := os.Stat(urlFile); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("url file left behind: %v", err)
	}
	if strings.Contains(stderr.String(), "demo-not-a-real-key") {
		t.Errorf("the API key was logged: %s", stderr.String())
	}
	if resp, err := http.Get(base + "customer.ip.json"); err == nil {
		_ = resp.Body.Close()
		t.Error("still serving after run returned")
	}
}

func TestRunSeedFile(t *testing.T) {
	seed := filepath.Join(t.TempDir(), "seed.json")
	if err := os.WriteFile(seed, []byte(`{"api_user":"u","api_key":"secret-k","ips":["192.0.2.1"],"subusers":[]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	outR, outW := io.Pipe()
	var stderr syncBuffer
	errc := make(chan error, 1)
	go func() { errc <- run(ctx, []string{"-seed", seed}, outW, &stderr); _ = outW.Close() }()
	line, err := bufio.NewReader(outR).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.PostForm(strings.TrimSpace(line)+"customer.ip.json", url.Values{"api_user": {"u"}, "api_key": {"secret-k"}, "list": {"all"}})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if string(b) != `[{"ip":"192.0.2.1"}]` {
		t.Errorf("got %s", b)
	}
	cancel()
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	if strings.Contains(stderr.String(), "secret-k") {
		t.Errorf("the API key was logged: %s", stderr.String())
	}
}

func TestRunRefuses(t *testing.T) {
	dir := t.TempDir()
	badSeed := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(badSeed, []byte(`{"api_user":"u","api_key":"k","ips":["nope"]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"-addr", "0.0.0.0:0"},
		{"-addr", ":0"},
		{"-addr", "192.0.2.1:0"},
		{"-addr", "example.com:0"},
		{"-addr", "[::]:0"},
		{"-addr", "no-port"},
		{"-seed", badSeed},
		{"-seed", filepath.Join(dir, "missing.json")},
		{"-rate-limit", "-1"},
		{"-no-such-flag"},
		{"extra"},
	} {
		// Should one be wrongly accepted, the deadline ends the serving.
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		var stdout, stderr bytes.Buffer
		err := run(ctx, args, &stdout, &stderr)
		cancel()
		if err == nil {
			t.Errorf("%v: accepted", args)
		}
		if stdout.Len() != 0 {
			t.Errorf("%v: printed %q", args, stdout.String())
		}
	}
}

// The built-in seed is the published demo seed.
func TestBuiltinSeedIsExample(t *testing.T) {
	file, err := sendgridmock.LoadSeedFile(filepath.Join("..", "..", "..", "examples", "mock", "seed.json"))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(file, builtinSeed()) {
		t.Errorf("examples/mock/seed.json =\n%+v\nbuilt-in =\n%+v", file, builtinSeed())
	}
}

// The real process: one line on stdout, serves, stops on SIGTERM with 0.
func TestProcess(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Skip(err)
	}
	cmd := exec.Command(exe, "-test.run=^$") //nolint:gosec // the test binary itself
	cmd.Env = append(os.Environ(), "SENDGRID_MOCK_BE_MAIN=1", "SENDGRID_MOCK_ARGS=-addr 127.0.0.1:0")
	var stderr syncBuffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill() }()
	out := bufio.NewReader(stdout)
	line, err := out.ReadString('\n')
	if err != nil {
		t.Fatalf("reading the URL: %v (stderr: %s)", err, stderr.String())
	}
	demoCall(t, strings.TrimSpace(line))
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	rest, _ := io.ReadAll(out)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("exit: %v (stderr: %s)", err, stderr.String())
	}
	if len(rest) != 0 {
		t.Errorf("more than one line on stdout: %q", rest)
	}
	if !strings.Contains(stderr.String(), "stopping") {
		t.Errorf("stderr: %s", stderr.String())
	}
}
