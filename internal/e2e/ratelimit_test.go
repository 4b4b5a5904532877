package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-exec/tfexec"

	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/sendgridmock"
	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/tfharness"
)

// TestRateLimitPacing refreshes 100 resources against a mock that enforces
// a rate limit, with the provider's requests_per_minute set to that rate:
// the refresh must get no 429 at all and take the time the pace implies.
//
// The numbers. The provider is set to rlPerMinute = 720 a minute (12/s,
// one request every 83ms, burst 1; the client may stretch its minute a
// little, see paceSlack in internal/sendgrid, which only slows it). The
// mock allows rlLimit = 40 requests per fixed window. At exactly the same
// rate the window would be 40/12 = 3.33s, but a paced client only controls
// when it sends, not when requests arrive: the mock opens a window at the
// arrival of the first request after the previous window ended, so a first
// request that arrives a little late shifts the window, and the 41st
// request, sent on time 3.33s after the first, lands inside it. (Measured
// before paceSlack existed, with 30 per 2.5s, exactly the client's rate:
// two 429s in each of two runs of this refresh.) A token bucket with burst 1
// sends at most 1 + r*T requests in any T seconds, so a window W sees at
// most rlLimit requests as long as W + jitter < rlLimit/r: the mock's
// window is 3.1s, which absorbs arrival jitter up to 233ms and leaves the
// mock's rate 40/3.1s = 12.9/s, 7.5% above the configured pace.
//
// The test can fail: 40 < 100, so a client that did not pace would be
// refused within the first window (measured with 30 per 2.4s: pacing at
// 900 a minute got twenty 429s); one that paced too slowly would miss the
// time bound.
func TestRateLimitPacing(t *testing.T) {
	const (
		resources   = 100
		rlPerMinute = 720
		rlLimit     = 40
		rlWindow    = 3100 * time.Millisecond
	)
	s := seed()
	var config strings.Builder
	for i := range resources {
		name := fmt.Sprintf("rl%03d", i)
		s.Subusers = append(s.Subusers, sendgridmock.SeedSubuser{Name: name})
		config.WriteString(tfharness.SubuserIPsResource(name, name, s.IPs[i%len(s.IPs)]))
	}
	api := sendgridmock.StartTest(t, s)
	w := workdir(t)

	// Create the 100 without a limit on either side.
	writeConfig(t, w, providerBlock(api, "requests_per_minute = 100000")+config.String())
	must(t, w, w.Apply(t.Context()))
	for i := range resources {
		name := fmt.Sprintf("rl%03d", i)
		expectHolds(t, api, name, s.IPs[i%len(s.IPs)])
	}

	// Refresh them under the limit, paced at the same rate.
	writeConfig(t, w, providerBlock(api, fmt.Sprintf("requests_per_minute = %d", rlPerMinute))+config.String())
	if _, _, err := w.Version(t.Context(), false); err != nil { // terraform-exec asks before -refresh-only; not timed
		t.Fatal(err)
	}
	api.SetRateLimit(rlLimit, rlWindow)
	api.ResetRequests()
	refused := api.RateLimited()
	start := time.Now()
	err := w.Apply(t.Context(), tfexec.RefreshOnly(true))
	took := time.Since(start)
	out := must(t, w, err)

	log := api.Requests()
	got429 := api.RateLimited() - refused
	rate := float64(rlPerMinute) / 60
	expected := time.Duration(float64(resources-1) / rate * float64(time.Second)) // the first request goes at once
	var span time.Duration
	if len(log) > 0 {
		span = log[len(log)-1].Time.Sub(log[0].Time)
	}
	t.Logf("rate limit: resources=%d limit=%d per %s (requests_per_minute=%d, %.0f/s) expected=%.2fs (99 intervals at that rate) measured=%.2fs (first to last request %.2fs) requests=%d 429s=%d",
		resources, rlLimit, rlWindow, rlPerMinute, rate, expected.Seconds(), took.Seconds(), span.Seconds(), len(log), got429)

	if got429 != 0 {
		t.Errorf("the mock answered 429 %d times; a paced client must never be refused", got429)
	}
	if c := sendgridmock.Tally(log); len(log) != resources || c["customer.sendip task=list"] != resources {
		t.Errorf("the refresh made %d requests (%v), want %d reads", len(log), c, resources)
	}
	for _, r := range log {
		if r.Status != 200 {
			t.Errorf("request for %s answered %d", r.User, r.Status)
		}
	}
	// Paced: the requests cannot have been sent faster than the pace...
	if span < expected*97/100 {
		t.Errorf("100 requests in %s; at %d a minute they take at least %s", span, rlPerMinute, expected)
	}
	// ...and pacing is all that slowed the refresh down.
	if limit := expected*3/2 + 3*time.Second; took > limit {
		t.Errorf("the refresh took %s; pacing explains %s (bound %s)", took, expected, limit)
	}
	if !strings.Contains(out, "Apply complete!") {
		t.Errorf("unexpected output:\n%s", out)
	}
}
