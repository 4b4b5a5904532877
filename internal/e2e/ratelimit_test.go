package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-exec/tfexec"

	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/calls"
	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/sendgridmock"
	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/tfharness"
)

// TestRateLimitPacing: 100 resources' calls against 40 requests per 3.1 s window, paced at 720 a minute,
// meet no 429 and take the time the pace implies (DESIGN.md, "The minute is 61 seconds long").
func TestRateLimitPacing(t *testing.T) {
	const (
		resources   = 100
		rlPerMinute = 720
		rlLimit     = 40
		rlWindow    = 3100 * time.Millisecond
	)
	forEachAPI(t, func(t *testing.T, v sendgridAPI) {
		s := seed()
		var config strings.Builder
		for i := range resources {
			name := fmt.Sprintf("rl%03d", i)
			s.Subusers = append(s.Subusers, sendgridmock.SeedSubuser{Name: name})
			config.WriteString(tfharness.SubuserIPsResource(name, name, s.IPs[i%len(s.IPs)]))
		}
		api := sendgridmock.StartTest(t, s)
		w := workdir(t)
		ctx := t.Context()

		// v2 creates the 100 unpaced; v3 plans them (a saved plan keeps
		// its provider block, so the pace is set already). The mock has no
		// limit yet.
		paced := v.block(api, fmt.Sprintf("requests_per_minute = %d", rlPerMinute)) + config.String()
		if v.v3 {
			writeConfig(t, w, paced)
			_, err := w.Plan(ctx, tfexec.Out("tfplan"))
			must(t, w, err)
		} else {
			writeConfig(t, w, v.block(api, "requests_per_minute = 100000")+config.String())
			must(t, w, w.Apply(ctx))
			writeConfig(t, w, paced)
		}

		// The measured command, under the limit.
		if _, _, err := w.Version(ctx, false); err != nil { // terraform-exec asks before -refresh-only; not timed
			t.Fatal(err)
		}
		api.SetRateLimit(rlLimit, rlWindow)
		api.ResetRequests()
		refused := api.RateLimited()
		start := time.Now()
		var err error
		if v.v3 {
			err = w.Apply(ctx, tfexec.DirOrPlan("tfplan"))
		} else {
			err = w.Apply(ctx, tfexec.RefreshOnly(true))
		}
		took := time.Since(start)
		out := must(t, w, err)

		log := api.Requests()
		got429 := api.RateLimited() - refused
		rate := float64(rlPerMinute) / 60
		expected := time.Duration(float64(len(log)-1) / rate * float64(time.Second)) // the first request goes at once
		var span time.Duration
		if len(log) > 0 {
			span = log[len(log)-1].Time.Sub(log[0].Time)
		}
		tally := sendgridmock.Tally(log)
		t.Logf("rate limit %s: resources=%d limit=%d per %s (requests_per_minute=%d, %.0f/s) requests=%d %v expected=%.2fs (intervals at that rate) measured=%.2fs (first to last request %.2fs) 429s=%d",
			v.name, resources, rlLimit, rlWindow, rlPerMinute, rate, len(log), tally, expected.Seconds(), took.Seconds(), span.Seconds(), got429)

		if got429 != 0 {
			t.Errorf("the mock answered 429 %d times; a paced client must never be refused", got429)
		}
		if v.v3 {
			// The apply plans each create again: a direct read, then the shared scans.
			if tally[calls.V3SetSubuserIPs] != resources || len(log) > resources+8 {
				t.Errorf("the apply made %d requests (%v), want %d PUTs and at most 8 reads", len(log), tally, resources)
			}
			for i := range resources {
				expectHolds(t, api, fmt.Sprintf("rl%03d", i), s.IPs[i%len(s.IPs)])
			}
		} else if len(log) != resources || tally[calls.V2SubuserIPs] != resources {
			t.Errorf("the refresh made %d requests (%v), want %d reads", len(log), tally, resources)
		}
		for _, r := range log {
			if r.Status != 200 {
				t.Errorf("%s for %s answered %d", r.Name(), r.User, r.Status)
			}
		}
		// Paced: the requests cannot have been sent faster than the pace...
		if span < expected*97/100 {
			t.Errorf("%d requests in %s; at %d a minute they take at least %s", len(log), span, rlPerMinute, expected)
		}
		// ...and pacing is all that slowed the command down.
		if limit := expected*3/2 + 3*time.Second; took > limit {
			t.Errorf("the command took %s; pacing explains %s (bound %s)", took, expected, limit)
		}
		if !strings.Contains(out, "Apply complete!") {
			t.Errorf("unexpected output:\n%s", out)
		}
	})
}
