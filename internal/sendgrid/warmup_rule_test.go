package sendgrid

import (
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"
)

// TestWarmupRule is the table of warmupOf (DESIGN.md, "Warmup: complete or stopped").
func TestWarmupRule(t *testing.T) {
	now := time.Date(2025, 6, 1, 12, 0, 0, 0, time.FixedZone("CEST", 2*3600))
	start := func(ago time.Duration) int64 { return now.Add(-ago).Unix() }
	for _, tc := range []struct {
		name    string
		warming bool
		start   int64
		want    WarmupStatus
	}{
		{"warming", true, start(time.Hour), WarmupWarming},
		{"warming longer than the schedule", true, start(90 * 24 * time.Hour), WarmupWarming},
		{"warming without a start date", true, 0, WarmupWarming},
		{"complete at exactly WarmupLength", false, start(WarmupLength), WarmupComplete},
		{"stopped at WarmupLength-1s", false, start(WarmupLength - time.Second), WarmupStopped},
		{"stopped an hour in", false, start(time.Hour), WarmupStopped},
		{"none", false, 0, WarmupNone},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want := Warmup{IP: "192.0.2.1", Status: tc.want}
			if tc.start != 0 {
				want.StartDate = time.Unix(tc.start, 0).In(time.UTC)
			}
			got := warmupOf("192.0.2.1", tc.warming, tc.start, now)
			if got != want || got.StartDate.Location() != time.UTC {
				t.Fatalf("got %+v, want %+v", got, want)
			}
		})
	}
}

// TestWarmupsUseTheSessionClock: the status is decided when read, by the session's clock.
func TestWarmupsUseTheSessionClock(t *testing.T) {
	const start = 1_700_000_000
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path != "/v3/ips" || r.URL.Query().Get("offset") != "0" {
			_, _ = w.Write([]byte(`[]`))
			return
		}
		_, _ = w.Write([]byte(`[{"ip":"192.0.2.1","subusers":[],"pools":[],"warmup":false,"start_date":1700000000}]`))
	}))
	t.Cleanup(srv.Close)
	api, err := New(Config{BaseURL: srv.URL + "/", APIKey: "k", NoPacing: true})
	if err != nil {
		t.Fatal(err)
	}
	s := api.(*session)
	for _, tc := range []struct {
		now  time.Time
		want WarmupStatus
	}{
		{time.Unix(start, 0).Add(WarmupLength), WarmupComplete},
		{time.Unix(start, 0).Add(WarmupLength - time.Second), WarmupStopped},
	} {
		s.now = func() time.Time { return tc.now }
		got, err := api.Warmups(t.Context())
		if err != nil || len(got) != 1 || got[0] != (Warmup{IP: "192.0.2.1", Status: tc.want, StartDate: time.Unix(start, 0).UTC()}) {
			t.Fatalf("at %s: %+v %v, want %s", tc.now, got, err, tc.want)
		}
		if w, err := api.Warmup(t.Context(), "192.0.2.1"); err != nil || w.Status != tc.want {
			t.Fatalf("Warmup at %s: %+v %v, want %s", tc.now, w, err, tc.want)
		}
	}
	if calls.Load() != 2 { // one scan: the page and the empty page that ends it
		t.Fatalf("%d calls, want 2", calls.Load())
	}
}
