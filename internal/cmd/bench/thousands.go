package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/sendgridmock"
	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/tfharness"
)

// Issue "Thousands of subusers": a v3 refresh of N subusers from a state
// written directly (applying 10,000 creates would take long and measure
// nothing new), and the bulk-adoption recipe of examples/bulk-import.

// v3PageSize is the client's page size (sendgrid.DefaultPageSize).
const v3PageSize = 500

// held is what subuser i holds in these measures: one of the account's IPs;
// two for every tenth, none for every tenth other (so the read that tells
// "holds nothing" from "deleted" is exercised too).
func held(i int) []string {
	k := 1
	switch i % 10 {
	case 0:
		k = 0
	case 5:
		k = 2
	}
	ips := make([]string, k)
	for j := range ips {
		ips[j] = pool[(i+j)%numIPs]
	}
	return ips
}

// pages is the calls a v3 list of n items takes at v3PageSize a page: the
// client stops at the first short page, an empty one after a full last page.
func pages(n int) int { return n/v3PageSize + 1 }

// refreshResult is the v3 refresh (plan) at one N, every run.
type refreshResult struct {
	n int
	planRuns
}

// bound is the goal on calls: pages of GET /v3/ips and of GET /v3/subusers, plus 2, plus one for
// each of the four lists read (the first read's two and the two scans) to see where it ends.
func (x refreshResult) bound() int { return pages(numIPs) + pages(x.n) + 2 + 4 }

// refresh writes the configuration and state of N sendgrid_subuser_ips
// (v3) and of N terraform_data with the same data, then times `plan
// -detailed-exitcode` of both, alternating which goes first. One block per
// resource, as -generate-config-out writes them: Terraform 1.8's own plan of
// one for_each over 10,000 instances grows with N² (BENCHMARKS.md).
func (b *bench) refresh(n int) (refreshResult, error) {
	api, err := startMock(n, true)
	if err != nil {
		return refreshResult{n: n}, err
	}
	defer func() { _ = api.Close() }()
	runs, err := b.comparePlans(api, fmt.Sprintf("v3 refresh N=%d", n), "sendgrid_subuser_ips", n, subuserRow, func(sgDir string) error {
		if b.profile == "" {
			return nil
		}
		file := fmt.Sprintf("%s-%d.pprof", b.profile, n)
		if err := b.profiledPlan(sgDir, file); err != nil {
			return err
		}
		b.logf("v3 refresh N=%d: provider CPU profile in %s (go tool pprof -top %s)", n, file, file)
		return nil
	})
	return refreshResult{n: n, planRuns: runs}, err
}

// planRuns is every run of a plan of N resources of the provider beside N terraform_data.
type planRuns struct {
	tf, sg []sample
	calls  []map[string]int
}

// comparePlans writes the configuration and state of N resources of typ (v3, on api) and of N
// terraform_data holding what row gives, then times `plan -detailed-exitcode` of both, alternating
// which goes first; after, if set, runs on the provider's directory at the end.
func (b *bench) comparePlans(api *sendgridmock.Server, label, typ string, n int, row func(int) (string, []string), after func(string) error) (planRuns, error) {
	var r planRuns
	slug := strings.ReplaceAll(label, " ", "-")
	tfDir, err1 := b.dir(slug + "-terraform_data")
	sgDir, err2 := b.dir(slug + "-sendgrid")
	defer func() { _ = os.RemoveAll(tfDir); _ = os.RemoveAll(sgDir) }()
	if err := firstErr(err1, err2,
		writeState(tfDir, "", "terraform_data", n, row),
		writeState(sgDir, tfharness.ProviderConfig(api.V3URL(), "", apiKey), typ, n, row)); err != nil {
		return r, err
	}
	for run := range b.runs {
		sgPlan := func() error {
			api.ResetRequests()
			s, err := b.measure(sgDir, true, true)
			r.sg = append(r.sg, s)
			r.calls = append(r.calls, sendgridmock.Tally(api.Requests()))
			return err
		}
		tfPlan := func() error {
			s, err := b.measure(tfDir, false, true)
			r.tf = append(r.tf, s)
			return err
		}
		steps := []func() error{tfPlan, sgPlan}
		if run%2 == 1 {
			steps = []func() error{sgPlan, tfPlan}
		}
		for _, step := range steps {
			if err := step(); err != nil {
				return r, err
			}
		}
		b.logf("%s run %d/%d: plan %.2fs vs terraform_data %.2fs, provider peak %s, calls %v",
			label, run+1, b.runs, r.sg[run].wall.Seconds(), r.tf[run].wall.Seconds(), mib(r.sg[run].peakKiB), r.calls[run])
	}
	if after != nil {
		return r, after(sgDir)
	}
	return r, nil
}

// subuserRow is subuser i of the refresh measure and what it holds.
func subuserRow(i int) (string, []string) { return fmt.Sprintf("u%05d", i), held(i) }

// writeState writes main.tf, header and N resources rI of typ (terraform_data, sendgrid_subuser_ips
// or sendgrid_ip_pool) holding what row gives, and terraform.tfstate (format 4) with the attributes
// a real apply of them records.
func writeState(dir, header, typ string, n int, row func(int) (string, []string)) error {
	config := []byte(header)
	resources := make([]any, n)
	provider := `provider["registry.terraform.io/` + tfharness.ProviderSource + `"]`
	for i := range n {
		name, ips := row(i)
		list, err := json.Marshal(ips) // a JSON list of strings is HCL too
		if err != nil {
			return err
		}
		var attrs map[string]any
		switch typ {
		case "terraform_data": // input and output: dynamic values, tuples of strings
			provider = `provider["terraform.io/builtin/terraform"]`
			v := map[string]any{"value": ips, "type": []any{"tuple", slices.Repeat([]string{"string"}, len(ips))}}
			attrs = map[string]any{"id": fmt.Sprintf("00000000-0000-4000-8000-%012d", i), "input": v, "output": v, "triggers_replace": nil}
			config = fmt.Appendf(config, "resource \"terraform_data\" \"r%d\" { input = %s }\n", i, list)
		case "sendgrid_ip_pool":
			attrs = map[string]any{"id": name, "name": name, "ips": ips, "timeouts": nil}
			config = fmt.Appendf(config, "resource %q \"r%d\" {\n  name = %q\n  ips  = %s\n}\n", typ, i, name, list)
		default:
			attrs = map[string]any{"id": name, "user": name, "ips": ips, "on_destroy": "unassign", "outbound_cluster": nil, "timeouts": nil}
			config = fmt.Appendf(config, "resource %q \"r%d\" {\n  user = %q\n  ips  = %s\n}\n", typ, i, name, list)
		}
		resources[i] = map[string]any{"mode": "managed", "type": typ, "name": fmt.Sprintf("r%d", i), "provider": provider,
			"instances": []any{map[string]any{"schema_version": 0, "attributes": attrs, "sensitive_attributes": []string{}}}}
	}
	state, err := json.Marshal(map[string]any{"version": 4, "terraform_version": "1.7.0", "serial": 1,
		"lineage": "0badbe9c-7e57-4b3a-9c1e-000000000001", "outputs": map[string]any{}, "resources": resources})
	return firstErr(err,
		os.WriteFile(filepath.Join(dir, "main.tf"), config, 0o600),
		os.WriteFile(filepath.Join(dir, "terraform.tfstate"), state, 0o600))
}

// importResult is the bulk-adoption recipe on one API, every run.
type importResult struct {
	api   string
	n     int
	runs  []sample
	calls []map[string]int
}

// bulkImport applies examples/bulk-import/main.tf, unchanged, to an
// account of N subusers holding IPs: one apply that reads the
// sendgrid_subusers data source and imports every subuser, at the default
// pace (600 requests a minute). The provider is configured through its
// environment variables, as that example expects.
func (b *bench) bulkImport(api string, n, runs int) (importResult, error) {
	r := importResult{api: api, n: n}
	example, err := os.ReadFile(filepath.Join("examples", "bulk-import", "main.tf"))
	if err != nil {
		return r, fmt.Errorf("run from the repository's root: %w", err)
	}
	for run := range runs {
		mock, err := startMock(n, true)
		if err != nil {
			return r, err
		}
		env := []string{"SENDGRID_API_KEY=" + apiKey, "SENDGRID_BASE_URL=" + mock.V3URL()}
		if api == "v2" {
			env = []string{"SENDGRID_API_KEY=" + apiKey, "SENDGRID_BASE_URL=" + mock.URL(), "SENDGRID_API_USER=" + apiUser}
		}
		dir, err := b.dir("import-" + api)
		if err == nil {
			err = os.WriteFile(filepath.Join(dir, "main.tf"), example, 0o600) //nolint:gosec // a directory the bench made
		}
		var s sample
		if err == nil {
			s, err = b.measure(dir, true, false, env...)
		}
		r.runs = append(r.runs, s)
		r.calls = append(r.calls, sendgridmock.Tally(mock.Requests()))
		if err == nil {
			err = checkAdopted(dir, n)
		}
		_ = mock.Close()
		_ = os.RemoveAll(dir)
		if err != nil {
			return r, fmt.Errorf("%s: %w", api, err)
		}
		b.logf("bulk import %s N=%d run %d/%d: %.2fs, calls %v", api, n, run+1, runs, s.wall.Seconds(), r.calls[run])
	}
	return r, nil
}

// checkAdopted: the apply must have recorded all n subusers, the state's
// only instances with an index key.
func checkAdopted(dir string, n int) error {
	raw, err := os.ReadFile(filepath.Join(dir, "terraform.tfstate")) //nolint:gosec // under our temporary directory
	if got := strings.Count(string(raw), `"index_key"`); err == nil && got != n {
		err = fmt.Errorf("state holds %d sendgrid_subuser_ips after the adopting apply, want %d", got, n)
	}
	return err
}
