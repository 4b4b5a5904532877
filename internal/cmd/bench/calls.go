package main

import (
	"fmt"
	"maps"
	"strings"

	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/sendgridmock"
	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/tfharness"
)

// opCalls is what one operation cost in API calls.
type opCalls struct {
	op      string
	command string
	goal    int
	calls   map[string]int // of the first run
	same    bool           // every run made exactly these calls
	runs    int
}

// measureCalls runs each operation against a fresh mock and counts the
// requests the mock logged for it, as internal/e2e/calls_test.go does.
func (b *bench) measureCalls() ([]opCalls, error) {
	var out []opCalls
	for run := range b.o.runs {
		b.logf("calls: run %d/%d", run+1, b.o.runs)
		got, err := b.callsOnce()
		if err != nil {
			return nil, err
		}
		if run == 0 {
			out = got
			for i := range out {
				out[i].same, out[i].runs = true, 1
			}
			continue
		}
		for i := range out {
			out[i].runs++
			if !maps.Equal(out[i].calls, got[i].calls) {
				out[i].same = false
			}
		}
	}
	return out, nil
}

func (b *bench) callsOnce() ([]opCalls, error) {
	api, err := startMock(0,
		sendgridmock.SeedSubuser{Name: "alice", IPs: []string{ipOf(0), ipOf(1)}},
		sendgridmock.SeedSubuser{Name: "newbie"})
	if err != nil {
		return nil, err
	}
	defer func() { _ = api.Close() }()
	dir, err := b.dir("calls")
	if err != nil {
		return nil, err
	}
	w, err := b.directWorkdir(dir)
	if err != nil {
		return nil, err
	}
	prov := providerHCL(api, 100000)
	newbie := func(ips ...string) string { return tfharness.SubuserIPsResource("newbie", "newbie", ips...) }
	alice := tfharness.SubuserIPsResource("alice", "alice", ipOf(0), ipOf(1))

	steps := []struct {
		op, config string
		args       []string
		goal       int
	}{
		{"data source read (`sendgrid_ips`)", prov + "data \"sendgrid_ips\" \"free\" { list = \"free\" }\n",
			[]string{"plan"}, 1},
		{"data source read (`sendgrid_subuser_ips`)", prov + "data \"sendgrid_subuser_ips\" \"alice\" { user = \"alice\" }\n",
			[]string{"plan"}, 1},
		{"create", prov + newbie(ipOf(5)), []string{"apply", "-auto-approve"}, 2},
		{"resource read (refresh)", "", []string{"apply", "-refresh-only", "-auto-approve"}, 1},
		{"update", prov + newbie(ipOf(5), ipOf(6)), []string{"apply", "-refresh=false", "-auto-approve"}, 2},
		{"import", prov + newbie(ipOf(5), ipOf(6)) + alice, []string{"import", "sendgrid_subuser_ips.alice", "alice"}, 1},
		{"delete", "", []string{"destroy", "-refresh=false", "-auto-approve", "-target=sendgrid_subuser_ips.newbie"}, 1},
	}
	var out []opCalls
	for _, s := range steps {
		if s.config != "" {
			if err := w.WriteConfig(s.config); err != nil {
				return nil, err
			}
		}
		api.ResetRequests()
		if _, err := w.MustSucceed(b.ctx, s.args...); err != nil {
			return nil, fmt.Errorf("%s: %w", s.op, err)
		}
		out = append(out, opCalls{op: s.op, command: "terraform " + strings.Join(s.args, " "), goal: s.goal, calls: sendgridmock.Tally(api.Requests())})
	}
	// The delete really unassigned: the mock holds nothing for newbie.
	if ips, _ := api.SubuserIPs("newbie"); len(ips) != 0 {
		return nil, fmt.Errorf("after destroy the mock still holds %v for newbie", ips)
	}
	return out, nil
}
