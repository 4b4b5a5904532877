package sendgrid_test

import (
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/calls"
	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/sendgrid"
)

// TestWarmupReads: each IP's status from one scan of GET /v3/ips; an IP the scan lacks is read directly.
// (The boundaries of the rule, with a fixed clock, are in warmup_rule_test.go.)
func TestWarmupReads(t *testing.T) {
	now := time.Now()
	recent, old := now.Add(-48*time.Hour).Unix(), now.Add(-40*24*time.Hour).Unix()
	acc := newDNSAccount(t, "192.0.2.1", "192.0.2.2", "192.0.2.3", "192.0.2.4", "192.0.2.5", "192.0.2.10")
	acc.warm["192.0.2.1"], acc.start["192.0.2.1"] = true, recent
	acc.start["192.0.2.2"] = old
	acc.start["192.0.2.3"] = recent
	acc.start["192.0.2.4"] = nil // "start_date": null; .5 has none at all
	acc.warm["192.0.2.10"] = true
	c := acc.client(t)
	ctx := t.Context()
	want := []sendgrid.Warmup{
		{IP: "192.0.2.1", Status: sendgrid.WarmupWarming, StartDate: time.Unix(recent, 0).UTC()},
		{IP: "192.0.2.2", Status: sendgrid.WarmupComplete, StartDate: time.Unix(old, 0).UTC()},
		{IP: "192.0.2.3", Status: sendgrid.WarmupStopped, StartDate: time.Unix(recent, 0).UTC()},
		{IP: "192.0.2.4", Status: sendgrid.WarmupNone},
		{IP: "192.0.2.5", Status: sendgrid.WarmupNone},
		{IP: "192.0.2.10", Status: sendgrid.WarmupWarming},
	}
	got, err := c.Warmups(ctx)
	if err != nil || !slices.Equal(got, want) {
		t.Fatalf("Warmups:\n%+v %v\nwant\n%+v", got, err, want)
	}
	for _, w := range want {
		if one, err := c.Warmup(ctx, w.IP); err != nil || one != w {
			t.Fatalf("Warmup(%s): %+v %v, want %+v", w.IP, one, err, w)
		}
	}
	if one, err := c.Warmup(ctx, "::ffff:192.0.2.2"); err != nil || one != want[1] {
		t.Fatalf("a mapped address: %+v %v", one, err)
	}
	if want := []string{calls.V3IPs, calls.V3IPs}; !slices.Equal(acc.sent(), want) {
		t.Fatalf("calls %v, want one scan %v", acc.sent(), want)
	}

	// Not in the scan: added since (read directly, then trusted), or not on the account.
	acc.reset()
	acc.set(func() { acc.ips = append(acc.ips, "192.0.2.7") })
	for range 2 {
		if one, err := c.Warmup(ctx, "192.0.2.7"); err != nil || one != (sendgrid.Warmup{IP: "192.0.2.7", Status: sendgrid.WarmupNone}) {
			t.Fatalf("added since the scan: %+v %v", one, err)
		}
	}
	_, err = c.Warmup(ctx, "192.0.2.9")
	if !errors.Is(err, sendgrid.ErrIPNotFound) || err.Error() != `sendgrid GET /v3/ips/{ip} for IP "192.0.2.9": IP address is not on the account (HTTP 404): resource not found` {
		t.Fatalf("not on the account: %v", err)
	}
	if want := []string{calls.V3IP, calls.V3IP}; !slices.Equal(acc.sent(), want) {
		t.Fatalf("calls %v, want %v", acc.sent(), want)
	}
}

// TestStartAndStopWarmup: what the writes send and return, and that the next read of the IP is
// a direct one, once.
func TestStartAndStopWarmup(t *testing.T) {
	acc := newDNSAccount(t, "192.0.2.1", "192.0.2.2")
	acc.startAt = time.Now().Add(-time.Hour).Unix()
	c := acc.client(t)
	ctx := t.Context()
	if _, err := c.Warmups(ctx); err != nil { // loads the scan
		t.Fatal(err)
	}
	acc.reset()
	started := sendgrid.Warmup{IP: "192.0.2.1", Status: sendgrid.WarmupWarming, StartDate: time.Unix(acc.startAt, 0).UTC()}
	if got, err := c.StartWarmup(ctx, "::ffff:192.0.2.1"); err != nil || got != started {
		t.Fatalf("started %+v %v, want %+v", got, err, started)
	}
	if !slices.Equal(acc.bodies, []string{`{"ip":"192.0.2.1"}`}) {
		t.Fatalf("body %q", acc.bodies)
	}
	for range 2 {
		if got, err := c.Warmup(ctx, "192.0.2.1"); err != nil || got != started {
			t.Fatalf("after start: %+v %v", got, err)
		}
	}
	if want := []string{calls.V3StartWarmup, calls.V3IP}; !slices.Equal(acc.sent(), want) {
		t.Fatalf("calls %v, want %v", acc.sent(), want)
	}

	// Stopped an hour after it started: stopped, read directly by the next Warmups, once.
	acc.reset()
	if err := c.StopWarmup(ctx, "192.0.2.1"); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		got, err := c.Warmups(ctx)
		if want := []sendgrid.Warmup{{IP: "192.0.2.1", Status: sendgrid.WarmupStopped, StartDate: started.StartDate}, {IP: "192.0.2.2", Status: sendgrid.WarmupNone}}; err != nil || !slices.Equal(got, want) {
			t.Fatalf("after stop: %+v %v, want %+v", got, err, want)
		}
	}
	if want := []string{calls.V3StopWarmup, calls.V3IP}; !slices.Equal(acc.sent(), want) {
		t.Fatalf("calls %v, want %v", acc.sent(), want)
	}

	// Stopping an IP not warming up: SendGrid's 404 is nothing to stop.
	if err := c.StopWarmup(ctx, "192.0.2.2"); err != nil {
		t.Fatalf("not warming: %v", err)
	}

	// An answer that does not list the IP started is unreadable.
	acc.set(func() {
		acc.fail[calls.V3StartWarmup] = respondWith(200, nil, `[{"ip":"192.0.2.99","start_date":1409616000}]`)
	})
	_, err := c.StartWarmup(ctx, "192.0.2.2")
	if !errors.Is(err, sendgrid.ErrUnreadable) || !strings.HasPrefix(err.Error(), `sendgrid POST /v3/ips/warmup for IP "192.0.2.2": unreadable answer (HTTP 200)`) ||
		!strings.HasSuffix(err.Error(), ": answer does not list 192.0.2.2") {
		t.Fatalf("answer without the IP: %v", err)
	}
	// An answer whose start date is null: warming, no date.
	acc.set(func() {
		acc.fail[calls.V3StartWarmup] = respondWith(200, nil, `[{"ip":"192.0.2.2","start_date":null}]`)
	})
	if got, err := c.StartWarmup(ctx, "192.0.2.2"); err != nil || got != (sendgrid.Warmup{IP: "192.0.2.2", Status: sendgrid.WarmupWarming}) {
		t.Fatalf("null start date: %+v %v", got, err)
	}
	acc.set(func() {
		acc.fail[calls.V3StartWarmup] = respondWith(http.StatusNotFound, nil, `{"errors":[{"field":null,"message":"resource not found"}]}`)
	})
	if _, err := c.StartWarmup(ctx, "192.0.2.8"); !errors.Is(err, sendgrid.ErrIPNotFound) {
		t.Fatalf("not on the account: %v", err)
	}
}
