package e2e

import (
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/sendgridmock"
	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/tfharness"
)

// TestExamplesConverge applies every example directory twice against the
// mock, with the provider configured from the environment as users are
// told to; a plan must then find nothing to change. An example whose apply
// moves its own inputs (such as an IP taken from the free list) would flip
// on every run.
func TestExamplesConverge(t *testing.T) {
	const root = "../../examples"
	// The demo account, plus the subusers the documentation examples name.
	seed, err := sendgridmock.LoadSeedFile(filepath.Join(root, "mock", "seed.json"))
	if err != nil {
		t.Fatal(err)
	}
	seed.Subusers = append(seed.Subusers,
		sendgridmock.SeedSubuser{Name: "marketing", IPs: []string{"203.0.113.10"}},
		sendgridmock.SeedSubuser{Name: "transactional"},
		sendgridmock.SeedSubuser{Name: "legacy-newsletter", IPs: []string{"203.0.113.12"}})
	files := map[string][]string{} // example directory -> its .tf files
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(path, ".tf") {
			files[filepath.Dir(path)] = append(files[filepath.Dir(path)], path)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"provider", "resources/sendgrid_subuser_ips", "data-sources/sendgrid_ips", "demo"} {
		if _, ok := files[filepath.Join(root, want)]; !ok {
			t.Fatalf("no .tf files in examples/%s", want)
		}
	}
	for _, dir := range slices.Sorted(maps.Keys(files)) {
		name, _ := filepath.Rel(root, dir)
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			api := sendgridmock.StartTest(t, seed)
			w := workdir(t, "SENDGRID_BASE_URL="+api.URL(), "SENDGRID_API_USER="+seed.APIUser, "SENDGRID_API_KEY="+seed.APIKey)
			var config strings.Builder
			for _, f := range files[dir] {
				b, err := os.ReadFile(f) //nolint:gosec // the repository's own examples
				if err != nil {
					t.Fatal(err)
				}
				config.Write(b)
				config.WriteString("\n")
			}
			// The documentation snippets leave out required_providers.
			if !strings.Contains(config.String(), tfharness.ProviderSource) {
				config.WriteString("terraform {\n  required_providers {\n    sendgrid = { source = \"" + tfharness.ProviderSource + "\" }\n  }\n}\n")
			}
			writeConfig(t, w, config.String())
			for range 2 {
				must(t, w, w.Apply(t.Context()))
			}
			if code, out := planExit(t, w); code != 0 {
				t.Fatalf("examples/%s does not converge: after two applies plan -detailed-exitcode exits %d:\n%s", name, code, out)
			}
		})
	}
}
