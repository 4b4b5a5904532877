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

// TestRateLimitPacing refreshes 100 resources against a mock that allows
// 40 requests per 3.1 s window, with the provider paced at 720 a minute
// (40 per 3.33 s): no 429 at all, and the time the pace implies. The window
// is shorter than 40/rate by the arrival jitter it absorbs (233 ms; see
// DESIGN.md, "The minute is 61 seconds long"). An unpaced client is refused
// within the first window; one too slow misses the time bound.
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
