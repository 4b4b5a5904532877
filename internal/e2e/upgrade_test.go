package e2e

import (
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-exec/tfexec"

	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/sendgridmock"
)

// upgradeDir holds the state earlier releases wrote; scripts/upgrade-fixtures.sh regenerates it.
const upgradeDir = "testdata/upgrade"

// upgradeFixture is a state of upgradeDir and the configuration it was applied with.
type upgradeFixture struct {
	state, config string
	api           sendgridAPI
	tofu          bool // written by OpenTofu: identity in state, and an address only OpenTofu reads
}

var upgradeFixtures = []upgradeFixture{
	{"0.1.0-v2", "0.1.0-v2", apiV2, false},
	// 0.1.0 already had on_destroy: derived from its state without it, for a state from before the attribute.
	{"0.1.0-v2-no-on-destroy", "0.1.0-v2-no-on-destroy", apiV2, false},
	{"0.2.0-v2", "0.2.0-v2", apiV2, false},
	{"0.2.0-v3", "0.2.0-v3", apiV3, false},
	{"0.2.0-v2-tofu", "0.2.0-v2", apiV2, true},
	{"0.2.0-v3-tofu", "0.2.0-v3", apiV3, true},
}

// fixtureResource is one resource of a fixture's state, as the release wrote it.
type fixtureResource struct {
	Type, Name string
	Instances  []struct {
		Attributes map[string]any
		Identity   map[string]any
	}
}

// TestUpgradeFromEarlierVersions: state written by each earlier release plans clean with this
// provider on the API it was written on, and a refresh keeps every attribute the release wrote
// and fills what it lacked (on_destroy's default; identity where the CLI records one).
func TestUpgradeFromEarlierVersions(t *testing.T) {
	t.Parallel()
	seed, err := sendgridmock.LoadSeedFile(filepath.Join(upgradeDir, "seed.json"))
	if err != nil {
		t.Fatal(err)
	}
	if seed.APIUser != apiUser || seed.APIKey != apiKey {
		t.Fatalf("%s/seed.json must hold the credentials the provider block is given (%s)", upgradeDir, apiUser)
	}
	states, err := filepath.Glob(filepath.Join(upgradeDir, "*.tfstate"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range states { // a regenerated fixture nobody lists here would test nothing
		name := strings.TrimSuffix(filepath.Base(f), ".tfstate")
		if !slices.ContainsFunc(upgradeFixtures, func(u upgradeFixture) bool { return u.state == name }) {
			t.Errorf("%s is not in upgradeFixtures", f)
		}
	}
	tofu, identity := cliKind(t)
	for _, fx := range upgradeFixtures {
		t.Run(fx.state, func(t *testing.T) {
			if fx.tofu && !tofu {
				t.Skip("written by OpenTofu (registry.opentofu.org in state); runs under OpenTofu only")
			}
			state, err := os.ReadFile(filepath.Join(upgradeDir, fx.state+".tfstate"))
			if err != nil {
				t.Fatal(err)
			}
			config, err := os.ReadFile(filepath.Join(upgradeDir, fx.config+".tf"))
			if err != nil {
				t.Fatal(err)
			}
			var old struct{ Resources []fixtureResource }
			if err := json.Unmarshal(state, &old); err != nil {
				t.Fatal(err)
			}
			// The seed is the account the fixture's apply left: the sets it wrote are the seed's.
			api := sendgridmock.StartTest(t, seed)
			want := map[string]map[string]any{} // address -> attributes expected after a refresh
			for _, r := range old.Resources {
				attrs := r.Instances[0].Attributes
				if fx.tofu && r.Instances[0].Identity == nil { // the point of an OpenTofu fixture
					t.Fatalf("%s.%s: the fixture holds no identity", r.Type, r.Name)
				}
				ips := []string{}
				for _, ip := range attrs["ips"].([]any) {
					ips = append(ips, ip.(string))
				}
				expectHolds(t, api, attrs["user"].(string), ips...)
				attrs = maps.Clone(attrs)
				if _, ok := attrs["on_destroy"]; !ok {
					attrs["on_destroy"] = "unassign" // the default, what Read records for a state from before the attribute
				}
				want[r.Type+"."+r.Name] = attrs
			}
			if len(want) == 0 {
				t.Fatal("the fixture holds no resource")
			}

			w := workdir(t)
			writeConfig(t, w, fx.api.block(api)+string(config))
			statePath := filepath.Join(w.WorkingDir(), "terraform.tfstate")
			if err := os.WriteFile(statePath, state, 0o600); err != nil { //nolint:gosec // the test's own directory
				t.Fatal(err)
			}
			if code, out := planExit(t, w); code != 0 {
				t.Fatalf("state written by %s plans with exit %d, want 0:\n%s", fx.state, code, out)
			}
			must(t, w, w.Apply(t.Context(), tfexec.RefreshOnly(true)))
			st, err := w.Show(t.Context())
			if err != nil {
				t.Fatalf("%v\n%s", err, w.Output())
			}
			if st.Values == nil || st.Values.RootModule == nil || len(st.Values.RootModule.Resources) != len(want) {
				t.Fatalf("after the refresh the state does not hold the fixture's %d resources:\n%s", len(want), w.Output())
			}
			for _, r := range st.Values.RootModule.Resources {
				if got := r.AttributeValues; !reflect.DeepEqual(got, want[r.Address]) {
					t.Errorf("%s after the refresh:\n got %v\nwant %v", r.Address, got, want[r.Address])
				}
				if !identity {
					continue
				}
				if got := r.IdentityValues; !reflect.DeepEqual(got, map[string]any{"user": want[r.Address]["user"]}) {
					t.Errorf("%s identity after the refresh: %v, want { user = %v }", r.Address, got, want[r.Address]["user"])
				}
			}
		})
	}
}

// cliKind says whether the CLI under test is OpenTofu, and whether it records resource identity
// (Terraform and OpenTofu 1.12+).
func cliKind(t *testing.T) (tofu, identity bool) {
	t.Helper()
	w := workdir(t)
	cmd := w.Command(t.Context(), "version")
	cmd.Stdout, cmd.Stderr = nil, nil
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s version: %v", harness.Terraform, err)
	}
	cli, _, err := w.Version(t.Context(), false)
	if err != nil {
		t.Fatal(err)
	}
	seg := cli.Segments()
	return strings.HasPrefix(string(out), "OpenTofu"), seg[0] > 1 || seg[0] == 1 && seg[1] >= 12
}
