package quirks

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"
)

// sdkLogChild names the mode of TestSDKLogChild when the test binary runs
// it as a child process: "default", or "quiet" for QuietSDKLogs first.
const sdkLogChild = "QUIRKS_SDK_LOG_CHILD"

// TestSDKLogChild serves one GetMetadata request through tf6server, as
// main.go serves the provider, writing the SDK's logs to its stderr.
func TestSDKLogChild(t *testing.T) {
	mode := os.Getenv(sdkLogChild)
	if mode == "" {
		t.Skip("run as a child process by the SDK log tests")
	}
	if mode == "quiet" {
		QuietSDKLogs()
	}
	srv := tf6server.New("registry.terraform.io/test/test", providerserver.NewProtocol6(testProvider{})())
	_, _ = srv.GetMetadata(context.Background(), nil)
}

// sdkLogLines runs TestSDKLogChild with no TF_LOG variable set, as Terraform
// starts a provider when nobody asked for logs, and returns the SDK's log
// lines it wrote.
func sdkLogLines(t *testing.T, mode string) []string {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.run=^TestSDKLogChild$", "-test.count=1") //nolint:gosec // this test binary
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "TF_LOG") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, sdkLogChild+"="+mode)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("the child failed: %v\n%s", err, out)
	}
	var lines []string
	for line := range strings.Lines(string(out)) {
		if strings.Contains(line, `"@module":"sdk.`) {
			lines = append(lines, line)
		}
	}
	return lines
}

// With no log variable set, terraform-plugin-go and the framework write
// their own logs at TRACE, which Terraform reads and discards: the cost
// QuietSDKLogs exists for.
func TestFrameworkWritesSDKLogsByDefault(t *testing.T) {
	lines := sdkLogLines(t, "default")
	if len(lines) == 0 {
		t.Error("one request served with no TF_LOG variable set wrote no SDK log line: " +
			`the framework no longer needs QuietSDKLogs: remove it (DESIGN.md, "SDK trace logs off when nobody reads them")`)
	}
	t.Logf("%d SDK log lines for one request, the first: %s", len(lines), strings.Join(lines[:min(1, len(lines))], ""))
}

func TestQuietSDKLogsSilencesTheSDK(t *testing.T) {
	if lines := sdkLogLines(t, "quiet"); len(lines) != 0 {
		t.Errorf("after QuietSDKLogs one request wrote %d SDK log lines:\n%s", len(lines), strings.Join(lines, ""))
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
