package e2e

import (
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/sendgridmock"
	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/tfharness"
)

// TestExamplesConverge applies every example twice, configured from the environment, on each API it
// allows; a plan must then find nothing to change.
func TestExamplesConverge(t *testing.T) {
	t.Parallel()
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
	seed.Pools = append(seed.Pools, sendgridmock.SeedPool{Name: "transactional", IPs: []string{"203.0.113.10", "203.0.113.11"}})
	// The new IPs the reverse DNS and warmup examples name: .16 and .17 with the records they import,
	// .15 and .18 with none yet (their A records are published below), .13 warming up for three days.
	seed.IPs = append(seed.IPs, "203.0.113.16", "203.0.113.17", "203.0.113.18")
	seed.IPsWithoutRDNS = append(seed.IPsWithoutRDNS, "203.0.113.15", "203.0.113.18")
	seed.ReverseDNS = append(seed.ReverseDNS, sendgridmock.SeedReverseDNS{IP: "203.0.113.16", Domain: "example.com", Subdomain: "email", Valid: true})
	seed.Warmups = append(seed.Warmups, sendgridmock.SeedWarmup{IP: "203.0.113.13", Warming: true, StartDate: time.Now().Add(-72 * time.Hour).Unix()})
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
	for _, want := range []string{"provider", "resources/sendgrid_subuser_ips", "data-sources/sendgrid_ips", "demo", "bulk-import"} {
		if _, ok := files[filepath.Join(root, want)]; !ok {
			t.Fatalf("no .tf files in examples/%s", want)
		}
	}
	cli, _, err := workdir(t).Version(t.Context(), false)
	if err != nil {
		t.Fatal(err)
	}
	seg := cli.Segments()
	identityImport := seg[0] > 1 || seg[0] == 1 && seg[1] >= 12
	if identityImport { // what the identity examples import; without them, the examples create it
		seed.Pools = append(seed.Pools, sendgridmock.SeedPool{Name: "marketing", IPs: []string{"203.0.113.11"}})
		seed.ReverseDNS = append(seed.ReverseDNS, sendgridmock.SeedReverseDNS{IP: "203.0.113.17", Domain: "example.com", Subdomain: "email", Valid: true})
	} else {
		seed.IPsWithoutRDNS = append(seed.IPsWithoutRDNS, "203.0.113.17")
	}
	identity := false // some example imports by identity
	for _, dir := range slices.Sorted(maps.Keys(files)) {
		name, _ := filepath.Rel(root, dir)
		var config strings.Builder
		for _, f := range files[dir] {
			b, err := os.ReadFile(f) //nolint:gosec // the repository's own examples
			if err != nil {
				t.Fatal(err)
			}
			if importsByIdentity.Match(b) {
				identity = true
				if !identityImport {
					t.Logf("%s: left out, %s cannot import by identity", f, cli)
					continue
				}
			}
			config.Write(b)
			config.WriteString("\n")
		}
		// The documentation snippets leave out required_providers.
		if !strings.Contains(config.String(), tfharness.ProviderSource) {
			config.WriteString("terraform {\n  required_providers {\n    sendgrid = { source = \"" + tfharness.ProviderSource + "\" }\n  }\n}\n")
		}
		for _, v := range []sendgridAPI{apiV2, apiV3} {
			if m := pinnedVersion.FindStringSubmatch(config.String()); m != nil && m[1] != v.name {
				continue // the example names the other API
			}
			if !v.v3 && usesPools.MatchString(config.String()) {
				continue // pools are v3's
			}
			t.Run(name+"/"+v.name, func(t *testing.T) {
				t.Parallel()
				api := sendgridmock.StartTest(t, seed)
				api.PublishARecord("203.0.113.15", 1) // the guide's validation succeeds at its second attempt
				api.PublishARecord("203.0.113.18", 0)
				w := workdir(t, v.env(api, seed)...)
				writeConfig(t, w, config.String())
				out := must(t, w, w.Apply(t.Context()))
				// Each import block (for_each aside) imports what it names.
				if n := len(importBlock.FindAllString(config.String(), -1)); n > 0 && !importForEach.MatchString(config.String()) {
					if want := fmt.Sprintf("%d imported", n); !strings.Contains(out, want) {
						t.Errorf("examples/%s: the first apply did not say %q:\n%s", name, want, out)
					}
				}
				must(t, w, w.Apply(t.Context()))
				if code, out := planExit(t, w); code != 0 {
					t.Fatalf("examples/%s does not converge on %s: after two applies plan -detailed-exitcode exits %d:\n%s", name, v.name, code, out)
				}
			})
		}
	}
	if !identity {
		t.Error("no example imports by identity")
	}
}

var (
	// pinnedVersion finds an api_version the provider block names.
	pinnedVersion = regexp.MustCompile(`(?m)^\s*api_version\s*=\s*"(v[23])"`)
	// importBlock finds an import block.
	importBlock   = regexp.MustCompile(`(?m)^import \{`)
	importForEach = regexp.MustCompile(`(?m)^import \{[^}]*for_each`)
	// usesPools finds a type only v3 has.
	usesPools = regexp.MustCompile(`"sendgrid_(ip(_pools?|_warmup)?|reverse_dns(_validation)?)"`)
	// importsByIdentity finds an import block's identity argument.
	importsByIdentity = regexp.MustCompile(`(?m)^\s*identity\s*=`)
)
