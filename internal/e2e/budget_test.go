package e2e

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/sendgridmock"
	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/tfharness"
)

// TestSharedAccountBudget: four applies at once, each paced at the account's whole limit, stay under 1%
// of 429s by reading X-RateLimit headers (DESIGN.md, "The account's budget is shared").
func TestSharedAccountBudget(t *testing.T) {
	creates := tfharness.EnvInt(t, "BUDGET_CREATES", 25)
	window := time.Duration(tfharness.EnvInt(t, "BUDGET_WINDOW_SECONDS", 10)) * time.Second
	const processes, perMinute = 4, 600
	limit := int(perMinute * window / time.Minute)
	forEachAPI(t, func(t *testing.T, v sendgridAPI) {
		n := pick(v, creates/5, creates) // v2 costs four calls a create
		s := seed()
		configs := make([]string, processes)
		for p := range processes {
			var config strings.Builder
			for i := range n {
				name := fmt.Sprintf("p%d-%03d", p, i)
				s.Subusers = append(s.Subusers, sendgridmock.SeedSubuser{Name: name})
				config.WriteString(tfharness.SubuserIPsResource(strings.ReplaceAll(name, "-", "_"), name, s.IPs[i%len(s.IPs)]))
			}
			configs[p] = config.String()
		}
		api := sendgridmock.StartTest(t, s)
		dirs := make([]*tfharness.Workdir, processes)
		for p := range processes {
			dirs[p] = workdir(t)
			writeConfig(t, dirs[p], v.block(api, fmt.Sprintf("requests_per_minute = %d", perMinute))+configs[p])
			if _, _, err := dirs[p].Version(t.Context(), false); err != nil { // not timed
				t.Fatal(err)
			}
		}
		api.SetRateLimit(limit, window)
		api.ResetRequests()
		start := time.Now()
		var wg sync.WaitGroup
		errs := make([]error, processes)
		for p := range processes {
			wg.Go(func() { errs[p] = dirs[p].Apply(t.Context()) })
		}
		wg.Wait()
		took := time.Since(start)
		for p, err := range errs {
			if err != nil {
				t.Errorf("apply %d: %v\n%s", p, err, dirs[p].Output())
			}
		}
		log := api.Requests()
		refused := api.RateLimited()
		ideal := time.Duration(float64(len(log)) / perMinute * float64(time.Minute))
		span := log[len(log)-1].Time.Sub(log[0].Time)
		t.Logf("shared budget %s: %d applies x %d creates, limit %d per %s: %d calls (%v), %d answered 429 (%.2f%%); "+
			"first to last call %.1fs, calls/limit %.1fs (ratio %.2f), command %.1fs",
			v.name, processes, n, limit, window, len(log), sendgridmock.Tally(log), refused, 100*float64(refused)/float64(len(log)),
			span.Seconds(), ideal.Seconds(), span.Seconds()/ideal.Seconds(), took.Seconds())
		if v.v3 && refused*100 > len(log) {
			t.Errorf("%d of %d calls were answered 429; at most 1%%", refused, len(log))
		}
		// X-RateLimit-Reset is in whole seconds: up to one second of each window is lost.
		if bound := ideal*115/100 + window; v.v3 && span > bound {
			t.Errorf("the calls took %s; the budget explains %s (bound %s)", span, ideal, bound)
		}
		for p := range processes {
			for i := range n {
				expectHolds(t, api, fmt.Sprintf("p%d-%03d", p, i), s.IPs[i%len(s.IPs)])
			}
		}
	})
}
