package sendgrid_test

import (
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/calls"
	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/sendgrid"
	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/sendgridmock"
)

// bigSeed has n IPs and n subusers, subuser i holding IP i.
func bigSeed(n int) sendgridmock.Seed {
	s := sendgridmock.Seed{APIUser: user, APIKey: key}
	for i := range n {
		ip := fmt.Sprintf("10.1.%d.%d", i/250, i%250+1)
		s.IPs = append(s.IPs, ip)
		s.Subusers = append(s.Subusers, sendgridmock.SeedSubuser{Name: fmt.Sprintf("user%04d", i), IPs: []string{ip}})
	}
	return s
}

func v3Client(t *testing.T, api *sendgridmock.Server, tweak ...func(*sendgrid.Config)) sendgrid.API {
	t.Helper()
	return newClient(t, sendgrid.APIv3, api.V3URL(), tweak...)
}

// TestServerPageCapNeverShortensALongList: a server serving at most 100 a page, whatever limit asks,
// gives every subuser and IP (the old client stopped at the first page shorter than 500).
func TestServerPageCapNeverShortensALongList(t *testing.T) {
	api := sendgridmock.StartTest(t, bigSeed(150))
	api.SetPageCap(100)
	c := v3Client(t, api)
	subs, err := c.Subusers(t.Context())
	if err != nil || len(subs) != 150 {
		t.Fatalf("%d subusers, %v; want 150", len(subs), err)
	}
	ips, err := c.ListIPs(t.Context(), sendgrid.FilterTaken)
	if err != nil || len(ips) != 150 {
		t.Fatalf("%d IPs, %v; want 150", len(ips), err)
	}
	// 150 items in pages of 100 overlapping by one: 2 calls a list.
	if n := api.Count("", ""); n != 4 {
		t.Fatalf("%d calls, want 4: %v", n, sendgridmock.Tally(api.Requests()))
	}
}

// TestAnomalousPagesAreReadAgainOnceThenFail: an empty page before the end, a duplicate that
// displaces an item, seen once, costs one more read of the list; seen every time, an error naming the call.
func TestAnomalousPagesAreReadAgainOnceThenFail(t *testing.T) {
	for _, tc := range []struct {
		name string
		set  func(api *sendgridmock.Server, offset, times int)
	}{
		{"empty page", func(api *sendgridmock.Server, offset, times int) {
			api.SetEmptyPage(calls.V3IPs, offset, times)
		}},
		{"duplicate across pages", func(api *sendgridmock.Server, offset, times int) {
			api.SetDuplicateAcrossPages(calls.V3IPs, offset, times)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			api := sendgridmock.StartTest(t, bigSeed(25))
			pages := func(c *sendgrid.Config) { c.PageSize = 10 } // offsets 0, 9, 18
			tc.set(api, 9, 1)
			ips, err := v3Client(t, api, pages).ListIPs(t.Context(), sendgrid.FilterAll)
			if err != nil || len(ips) != 25 {
				t.Fatalf("once: %d IPs, %v", len(ips), err)
			}
			tc.set(api, 9, 0)
			ips, err = v3Client(t, api, pages).ListIPs(t.Context(), sendgrid.FilterAll)
			if !errors.Is(err, sendgrid.ErrInconsistent) || !strings.Contains(err.Error(), "sendgrid GET /v3/ips: ") || ips != nil {
				t.Fatalf("always: want an inconsistent list named GET /v3/ips, got %d IPs, %v", len(ips), err)
			}
			_, err = v3Client(t, api, pages).SubuserIPs(t.Context(), "user0001")
			if err != nil { // a direct read of one subuser pages its own, short list
				t.Fatalf("direct read: %v", err)
			}
		})
	}
}

// TestA404IsNotADeletedSubuser: a wrong base URL or a proxy answers every call 404 text/html; no
// call may take that for "no such subuser".
func TestA404IsNotADeletedSubuser(t *testing.T) {
	for _, v := range apis {
		t.Run(v, func(t *testing.T) {
			api, c := startMock(t, v)
			api.InjectFault(sendgridmock.Fault{Kind: sendgridmock.FaultHTML, Status: 404, Count: 1000})
			ctx := t.Context()
			_, err1 := c.SubuserIPs(ctx, "alice")
			_, err2 := c.SubuserIPs(ctx, "bob") // v3: from the scan
			_, err3 := c.Subusers(ctx)
			_, err4 := c.SetSubuserIPs(ctx, "alice", []string{"10.0.0.1"})
			for i, err := range []error{err1, err2, err3, err4} {
				if err == nil || errors.Is(err, sendgrid.ErrSubuserNotFound) {
					t.Errorf("call %d: a 404 page must be an error, never a missing subuser: %v", i+1, err)
				}
				if v == sendgrid.APIv3 && (!errors.Is(err, sendgrid.ErrWrongEndpoint) || !strings.Contains(err.Error(), `"text/html"`)) {
					t.Errorf("call %d: want the path and content type named: %v", i+1, err)
				}
			}
		})
	}
}

// TestLargeAnswersShrinkThePage: 100 IPs each held by 2,000 subusers make a page of 100 IPs larger
// than the 4 MiB the client reads; it asks for smaller pages and reads the account exactly.
func TestLargeAnswersShrinkThePage(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a 5.6 MB answer")
	}
	s := sendgridmock.Seed{APIUser: user, APIKey: key}
	for i := range 100 {
		s.IPs = append(s.IPs, fmt.Sprintf("10.2.0.%d", i+1))
	}
	for i := range 2000 {
		s.Subusers = append(s.Subusers, sendgridmock.SeedSubuser{Name: fmt.Sprintf("subuser-with-a-longish-name-%04d", i), IPs: s.IPs})
	}
	// Unchecked: validating 5.6 MB answers against the contract takes seconds under -race, and the
	// contract's checks run one at a time; the same shapes are checked in every other test.
	api, err := sendgridmock.New(s)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := api.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = api.Close() })
	c := v3Client(t, api, func(c *sendgrid.Config) { c.RequestTimeout = 30 * time.Second })
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	subs, err := c.Subusers(t.Context())
	if err != nil || len(subs) != 2000 || len(subs[1999].IPs) != 100 {
		t.Fatalf("%d subusers, %v", len(subs), err)
	}
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	t.Logf("calls %v; allocated %.1f MiB while reading", sendgridmock.Tally(api.Requests()), float64(after.TotalAlloc-before.TotalAlloc)/(1<<20))
}

// TestFailedScanIsSharedByEveryWaiter: 20 reads wait for one scan that fails after its retries;
// each gets that failure, and nobody loads it again (the old client retried it per resource).
func TestFailedScanIsSharedByEveryWaiter(t *testing.T) {
	api := sendgridmock.StartTest(t, seed())
	c := v3Client(t, api, func(c *sendgrid.Config) { c.MaxRetries = 2 })
	if _, err := c.SubuserIPs(t.Context(), "alice"); err != nil { // the first read goes direct
		t.Fatal(err)
	}
	api.InjectFault(sendgridmock.Fault{Kind: sendgridmock.FaultServerError, Call: calls.V3IPs, Count: 1000})
	api.ResetRequests()
	var wg sync.WaitGroup
	errs := make([]error, 20)
	for i := range errs {
		wg.Go(func() { _, errs[i] = c.SubuserIPs(t.Context(), "bob") })
	}
	wg.Wait()
	_, late := c.SubuserIPs(t.Context(), "carol")
	for i, err := range append(errs, late) {
		if !errors.Is(err, sendgrid.ErrServer) {
			t.Fatalf("read %d: %v", i, err)
		}
	}
	if n := api.Count(calls.V3IPs, ""); n != 3 {
		t.Fatalf("GET /v3/ips sent %d times, want 3 (one scan, two retries)", n)
	}
}

// TestReadsAfterAWriteSeeIt: a scan loaded before a write never answers for the written subuser,
// through any read; a write whose outcome is unknown is read directly.
func TestReadsAfterAWriteSeeIt(t *testing.T) {
	api := sendgridmock.StartTest(t, seed())
	c := v3Client(t, api)
	ctx := t.Context()
	for _, u := range []string{"alice", "bob"} { // the second read loads the scans
		if _, err := c.SubuserIPs(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.SetSubuserIPs(ctx, "alice", []string{"10.0.0.6"}); err != nil {
		t.Fatal(err)
	}
	if got, err := c.SubuserIPs(ctx, "alice"); err != nil || !slices.Equal(got.IPs, []string{"10.0.0.6"}) {
		t.Fatalf("alice after the write: %v %v", got, err)
	}
	subs, err := c.Subusers(ctx)
	if i := slices.IndexFunc(subs, func(s sendgrid.Subuser) bool { return s.Name == "alice" }); err != nil || !slices.Equal(subs[i].IPs, []string{"10.0.0.6"}) {
		t.Fatalf("Subusers after the write: %+v %v", subs, err)
	}
	if free, err := c.ListIPs(ctx, sendgrid.FilterFree); err != nil || !slices.Equal(free, []string{"10.0.0.1", "10.0.0.10"}) {
		t.Fatalf("free after the write: %v %v", free, err)
	}

	// The answer of the next write is lost after SendGrid applied it.
	api.InjectFault(sendgridmock.Fault{Kind: sendgridmock.FaultDrop, Call: calls.V3SetSubuserIPs, Count: 10, AfterProcessing: true})
	if _, err := c.SetSubuserIPs(ctx, "bob", []string{"10.0.0.10"}); err == nil {
		t.Fatal("a dropped answer must be an error")
	}
	api.ClearFaults()
	api.ResetRequests()
	if got, err := c.SubuserIPs(ctx, "bob"); err != nil || !slices.Equal(got.IPs, []string{"10.0.0.10"}) {
		t.Fatalf("bob after a lost answer: %v %v", got, err)
	}
	if n := api.Count(calls.V3IPs, ""); n == 0 {
		t.Fatal("a subuser written with an unknown outcome must be read, not taken from the scan")
	}
}

// TestOneAnswerWhateverTheOrder: a name an IP lists but GET /v3/subusers does not gets the same
// answer through a direct read, the scan and the subuser list.
func TestOneAnswerWhateverTheOrder(t *testing.T) {
	api := sendgridmock.StartTest(t, seed())
	if err := api.AddGhostHolder("10.0.0.6", "ghost"); err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	direct, err1 := v3Client(t, api).SubuserIPs(ctx, "ghost")
	scanned := v3Client(t, api)
	_, _ = scanned.SubuserIPs(ctx, "alice")
	viaScan, err2 := scanned.SubuserIPs(ctx, "ghost")
	subs, err3 := scanned.Subusers(ctx)
	i := slices.IndexFunc(subs, func(s sendgrid.Subuser) bool { return s.Name == "ghost" })
	if err1 != nil || err2 != nil || err3 != nil || i < 0 ||
		!slices.Equal(direct.IPs, []string{"10.0.0.6"}) || !slices.Equal(viaScan.IPs, direct.IPs) || !slices.Equal(subs[i].IPs, direct.IPs) {
		t.Fatalf("direct %v %v, scan %v %v, list %+v %v", direct, err1, viaScan, err2, subs, err3)
	}
	_, err1 = v3Client(t, api).SubuserIPs(ctx, "nobody")
	_, err2 = scanned.SubuserIPs(ctx, "nobody")
	if !errors.Is(err1, sendgrid.ErrSubuserNotFound) || err1.Error() != err2.Error() {
		t.Fatalf("not found must read the same on both paths:\n%v\n%v", err1, err2)
	}
}

// TestAccountBudgetSlowsBeforeItRunsOut: another process has spent most of the window; the
// X-RateLimit headers make the client wait for the reset instead of drawing 429s.
func TestAccountBudgetSlowsBeforeItRunsOut(t *testing.T) {
	api, c := startMock(t, sendgrid.APIv3)
	api.SetRateLimit(6, 2*time.Second)
	start := time.Now()
	for i := range 10 {
		if _, err := c.SetSubuserIPs(t.Context(), "newbie", []string{"10.0.0.6"}); err != nil {
			t.Fatalf("write %d: %v", i, err)
		}
	}
	if n := api.RateLimited(); n != 0 {
		t.Fatalf("%d answers were 429: the client must wait for the reset", n)
	}
	if d := time.Since(start); d < 1500*time.Millisecond {
		t.Fatalf("10 calls against 6 per 2 s took %s", d)
	}
}

// TestAccountBudgetSharedByFourClients: four clients (four provider processes) on one account,
// each paced at the account's whole limit, write at once; the budget headers keep 429s under 1%
// of calls and the calls no slower than 1.15 times what the limit allows, plus the one-second
// rounding of X-RateLimit-Reset per window.
func TestAccountBudgetSharedByFourClients(t *testing.T) {
	const clients, writes, limit, window = 4, 30, 40, 3 * time.Second
	api := sendgridmock.StartTest(t, seed())
	api.SetRateLimit(limit, window)
	perMinute := int(limit * time.Minute / window)
	start := time.Now()
	var wg sync.WaitGroup
	for range clients {
		c := v3Client(t, api, func(c *sendgrid.Config) {
			c.NoPacing, c.RequestsPerMinute, c.RetryWaitMax = false, perMinute, 10*time.Second
		})
		for range 10 { // Terraform's parallelism
			wg.Go(func() {
				for i := range writes / 10 {
					if _, err := c.SetSubuserIPs(t.Context(), "newbie", []string{"10.0.0.6"}); err != nil {
						t.Errorf("write %d: %v", i, err)
						return
					}
				}
			})
		}
	}
	wg.Wait()
	took := time.Since(start)
	sent, refused := len(api.Requests()), api.RateLimited()
	ideal := time.Duration(float64(clients*writes) / float64(limit) * float64(window))
	windows := (clients*writes + limit - 1) / limit
	t.Logf("%d calls (%d writes), %d answered 429 (%.1f%%), %s; the limit allows %s", sent, clients*writes, refused, 100*float64(refused)/float64(sent), took, ideal)
	if refused*100 > sent {
		t.Errorf("%d of %d calls answered 429; at most 1%%", refused, sent)
	}
	if bound := ideal*115/100 + time.Duration(windows)*time.Second; took > bound {
		t.Errorf("took %s, bound %s", took, bound)
	}
}
