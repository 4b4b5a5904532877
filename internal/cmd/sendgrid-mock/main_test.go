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
	"syscall"
	"testing"
	"time"

	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/sendgridmock"
	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/tfharness"
)

// TestMain lets the test binary play the command, so a test can run it as a process and signal it.
func TestMain(m *testing.M) {
	if os.Getenv("SENDGRID_MOCK_BE_MAIN") == "1" {
		os.Args = append([]string{"sendgrid-mock"}, strings.Fields(os.Getenv("SENDGRID_MOCK_ARGS"))...)
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// demoCall asks the mock at base for the free IPs with the demo credentials.
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

// served is run serving in the background.
type served struct {
	line   string        // the first line on stdout
	out    *bufio.Reader // the rest of stdout
	stderr *tfharness.SyncBuffer
	stop   func() error // cancels run and returns its error
}

func start(t *testing.T, args ...string) *served {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	outR, outW := io.Pipe()
	s := &served{out: bufio.NewReader(outR), stderr: &tfharness.SyncBuffer{}}
	errc := make(chan error, 1)
	go func() {
		errc <- run(ctx, args, outW, s.stderr)
		_ = outW.Close()
	}()
	line, err := s.out.ReadString('\n')
	if err != nil {
		t.Fatalf("reading the URL: %v (stderr: %s)", err, s.stderr.String())
	}
	s.line = line
	s.stop = func() error {
		cancel()
		select {
		case err := <-errc:
			return err
		case <-time.After(10 * time.Second):
			t.Fatal("run did not return after cancel")
			return nil
		}
	}
	return s
}

func TestRun(t *testing.T) {
	urlFile := filepath.Join(t.TempDir(), "url")
	s := start(t, "-url-file", urlFile, "-rate-limit", "100")
	base := strings.TrimSuffix(s.line, "\n")
	if !strings.HasPrefix(base, "http://127.0.0.1:") || !strings.HasSuffix(base, "/apiv2/") {
		t.Fatalf("printed %q", s.line)
	}
	if got := demoCall(t, base); got != `[{"ip":"203.0.113.14"},{"ip":"203.0.113.15"}]` {
		t.Errorf("free IPs of the demo seed: %s", got)
	}
	b, err := os.ReadFile(urlFile) //nolint:gosec // a temp file of this test
	if err != nil || string(b) != s.line {
		t.Errorf("url file = %q, %v", b, err)
	}
	if err := s.stop(); err != nil {
		t.Fatalf("run: %v", err)
	}
	if rest, _ := io.ReadAll(s.out); len(rest) != 0 {
		t.Errorf("more than one line on stdout: %q", rest)
	}
	if _, err := os.Stat(urlFile); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("url file left behind: %v", err)
	}
	if strings.Contains(s.stderr.String(), "demo-not-a-real-key") {
		t.Errorf("the API key was logged: %s", s.stderr.String())
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
	s := start(t, "-seed", seed)
	resp, err := http.PostForm(strings.TrimSpace(s.line)+"customer.ip.json", url.Values{"api_user": {"u"}, "api_key": {"secret-k"}, "list": {"all"}})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if string(b) != `[{"ip":"192.0.2.1"}]` {
		t.Errorf("got %s", b)
	}
	if err := s.stop(); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(s.stderr.String(), "secret-k") {
		t.Errorf("the API key was logged: %s", s.stderr.String())
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
	var stderr tfharness.SyncBuffer
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

// TestRunV3: the v3 URL in -v3-url-file and on stderr, the same account as v2, bearer auth with the seed's key.
func TestRunV3(t *testing.T) {
	v3File := filepath.Join(t.TempDir(), "v3url")
	s := start(t, "-v3-url-file", v3File, "-rate-limit", "100")
	v2 := strings.TrimSpace(s.line)
	b, err := os.ReadFile(v3File) //nolint:gosec // a temp file of this test
	if err != nil {
		t.Fatal(err)
	}
	v3 := strings.TrimSuffix(string(b), "\n")
	if v3+"apiv2/" != v2 || !strings.HasPrefix(v3, "http://127.0.0.1:") {
		t.Fatalf("v2 %q, v3 %q", v2, v3)
	}

	do := func(method, path, auth, body string) (int, string, http.Header) {
		t.Helper()
		req, err := http.NewRequest(method, v3+path, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		if auth != "" {
			req.Header.Set("Authorization", "Bearer "+auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = resp.Body.Close() }()
		out, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(out), resp.Header
	}
	const key = "demo-not-a-real-key"
	status, body, h := do(http.MethodGet, "v3/ips?subuser=bob", key, "")
	if status != 200 || !strings.Contains(body, `{"ip":"203.0.113.11","subusers":["alice","bob"],`) || h.Get("X-RateLimit-Limit") != "100" {
		t.Errorf("GET: %d %s %v", status, body, h)
	}
	if status, body, _ = do(http.MethodGet, "v3/subusers?username=carol", key, ""); body != `[{"id":3,"username":"carol","email":"carol@example.com","disabled":true}]` {
		t.Errorf("subusers: %d %s", status, body)
	}
	if status, body, _ = do(http.MethodPut, "v3/subusers/dave/ips", key, `["203.0.113.15"]`); status != 200 || body != `{"ips":["203.0.113.15"]}` {
		t.Errorf("PUT: %d %s", status, body)
	}
	if status, _, _ = do(http.MethodGet, "v3/ips", "wrong", ""); status != http.StatusUnauthorized {
		t.Errorf("wrong key: %d", status)
	}
	resp, err := http.PostForm(v2+"customer.sendip.json", url.Values{
		"api_user": {"reseller@example.com"}, "api_key": {key}, "task": {"list"}, "user": {"dave"},
	})
	if err != nil {
		t.Fatal(err)
	}
	b, _ = io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if !strings.HasSuffix(string(b), `"ips":[{"ip":"203.0.113.15"}]}`) {
		t.Errorf("v2 sees dave as %s", b)
	}

	if err := s.stop(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(v3File); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("v3 url file left behind: %v", err)
	}
	if want := "v2 base URL " + v2 + " (the line on stdout), v3 base URL " + v3 + "\n"; !strings.Contains(s.stderr.String(), want) {
		t.Errorf("stderr %q lacks %q", s.stderr.String(), want)
	}
	if strings.Contains(s.stderr.String(), key) {
		t.Errorf("the API key was logged: %s", s.stderr.String())
	}
}

// An unwritable -v3-url-file stops the command before it prints anything, leaving no -url-file behind.
func TestRunV3URLFileUnwritable(t *testing.T) {
	dir := t.TempDir()
	urlFile := filepath.Join(dir, "url")
	var stdout, stderr bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := run(ctx, []string{"-url-file", urlFile, "-v3-url-file", filepath.Join(dir, "missing", "v3url")}, &stdout, &stderr); err == nil {
		t.Fatal("accepted")
	}
	if stdout.Len() != 0 {
		t.Errorf("printed %q", stdout.String())
	}
	if _, err := os.Stat(urlFile); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("url file left behind: %v", err)
	}
}

// -publish-a-records 1: a record's validation fails once, then succeeds; without the flag it never does.
func TestRunPublishARecords(t *testing.T) {
	for _, tc := range []struct {
		args  []string
		valid []bool
	}{{nil, []bool{false, false}}, {[]string{"-publish-a-records", "1"}, []bool{false, true}}} {
		v3File := filepath.Join(t.TempDir(), "v3url")
		s := start(t, append([]string{"-v3-url-file", v3File}, tc.args...)...)
		b, err := os.ReadFile(v3File) //nolint:gosec // a temp file of this test
		if err != nil {
			t.Fatal(err)
		}
		post := func(path, body string) string {
			req, _ := http.NewRequest(http.MethodPost, strings.TrimSpace(string(b))+path, strings.NewReader(body))
			req.Header.Set("Authorization", "Bearer demo-not-a-real-key")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer func() { _ = resp.Body.Close() }()
			out, _ := io.ReadAll(resp.Body)
			return string(out)
		}
		// record 6 is the demo seed's record of 203.0.113.15, the sixth IP
		for k, want := range tc.valid {
			got := strings.Contains(post("v3/whitelabel/ips/6/validate", ""), `"valid":true`)
			if got != want {
				t.Errorf("%v: validation %d valid=%v, want %v", tc.args, k+1, got, want)
			}
		}
		if err := s.stop(); err != nil {
			t.Fatal(err)
		}
	}
}
