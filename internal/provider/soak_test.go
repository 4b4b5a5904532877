package provider

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/sendgrid"
	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/sendgridmock"
	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/tfharness"
)

// TestSoak: applies of random IP sets under random transient faults (and every 40th apply a final one)
// leave state agreeing with SendGrid (DESIGN.md, "Testing"). SOAK_APPLIES, SOAK_APPLIES_V3, SOAK_SEED
// and SOAK_REPORT tune it; make test-long runs 500 and 200 applies.
func TestSoak(t *testing.T) {
	terraformCLI(t)
	v2, v3 := 40, 20 // make test; make test-long runs the full soak
	if long() {
		v2, v3 = 500, 200
	}
	t.Run(sendgrid.APIv2, func(t *testing.T) { soak(t, sendgrid.APIv2, tfharness.EnvInt(t, "SOAK_APPLIES", v2)) })
	t.Run(sendgrid.APIv3, func(t *testing.T) { soak(t, sendgrid.APIv3, tfharness.EnvInt(t, "SOAK_APPLIES_V3", v3)) })
}

func soak(t *testing.T, version string, applies int) {
	seed := tfharness.EnvInt(t, "SOAK_SEED", 1)
	const subusers = 5

	accountSeed := testSeed()
	users := make([]string, subusers)
	for i := range users {
		users[i] = fmt.Sprintf("soak%d", i)
		accountSeed.Subusers = append(accountSeed.Subusers, sendgridmock.SeedSubuser{Name: users[i]})
	}
	api := testAPI{sendgridmock.StartTest(t, accountSeed), version}
	c := inProcessCLI(t)
	rate := 0.10
	if version == sendgrid.APIv3 {
		rate = 0.20 // v3 sends about half the requests per apply (no read-back, shared reads)
	}
	api.SetRandomFaults(rate, []sendgridmock.FaultKind{
		sendgridmock.FaultRateLimited, sendgridmock.FaultServerError, sendgridmock.FaultUnavailable,
		sendgridmock.FaultDrop, sendgridmock.FaultDelay,
	}, int64(seed))
	//nolint:gosec // reproducible test data, not security
	rng := rand.New(rand.NewPCG(uint64(seed), 0x50a6))

	// Queued on top of the random faults, every forcedEvery applies, to make
	// applies fail for real: each is final (no retry) and lands on the next
	// write, before or after SendGrid applies it.
	const forcedEvery = 40
	forced := []sendgridmock.Fault{
		{Kind: sendgridmock.FaultTruncatedJSON, AfterProcessing: true},
		{Kind: sendgridmock.FaultHTML},
		{Kind: sendgridmock.FaultError200, AfterProcessing: true},
	}

	var (
		start                                = time.Now()
		failed, forcedCount, panics          int
		divergences, notConverged, unretried int
		requests, failedAttempts, retries    int
		abandoned, checked                   int
		desired                              map[string][]string
		retryConfig                          bool // the previous apply failed: apply the same configuration again
	)
	ctx := t.Context()
	for i := range applies {
		if !retryConfig {
			desired = randomAssignment(rng, users, accountSeed.IPs)
		}
		if i%forcedEvery == forcedEvery-1 && i < applies-1 { // the last apply must converge
			f := forced[(i/forcedEvery)%len(forced)]
			f.Call, f.Task = api.writeCall()
			api.InjectFault(f)
			forcedCount++
		}
		if err := c.w.WriteConfig(soakConfig(api, desired)); err != nil {
			t.Fatal(err)
		}
		exit := tfharness.ExitCode(c.apply(ctx))
		out := c.w.Output()
		if exit < 0 {
			t.Fatalf("apply %d did not run:\n%s", i, out)
		}
		if lower := strings.ToLower(out); strings.Contains(lower, "panic") || strings.Contains(lower, "crash") ||
			strings.Contains(lower, "plugin did not respond") {
			panics++
			t.Errorf("apply %d: the provider crashed:\n%s", i, out)
		}

		// Retries, from the mock's log (see countRetries).
		log := api.Requests()
		api.ResetRequests()
		r, u, a := countRetries(log)
		requests += len(log)
		for _, r := range log {
			if r.Status == 0 || r.Status == 429 || r.Status >= 500 {
				failedAttempts++
			}
		}
		retries += r
		abandoned += a
		if exit == 0 {
			// In a successful apply every failed request was retried.
			unretried += u
		}

		// Terraform's state against SendGrid's, for every resource in it.
		state := map[string][]string{} // by subuser: each resource is named after its subuser
		for addr, ips := range c.stateIPs(t) {
			state[strings.TrimPrefix(addr, "sendgrid_subuser_ips.")] = ips
		}
		for user, got := range state {
			checked++
			held, ok := api.SubuserIPs(user)
			if !ok || !slices.Equal(got, held) {
				divergences++
				t.Errorf("apply %d (exit %d): state holds %v for %s, SendGrid holds %v", i, exit, got, user, held)
			}
		}

		if exit != 0 {
			failed++
			if retryConfig {
				notConverged++
				t.Errorf("apply %d failed again after a failed apply:\n%s", i, tfharness.Flatten(out))
			}
			retryConfig = true
			continue
		}
		retryConfig = false
		// A successful apply converged: state and SendGrid hold the
		// desired sets, and an unmanaged subuser holds nothing.
		for _, user := range users {
			want, managed := desired[user]
			got, inState := state[user]
			held, _ := api.SubuserIPs(user)
			if managed != inState || (managed && !slices.Equal(got, want)) || !slices.Equal(held, want) {
				notConverged++
				t.Errorf("apply %d succeeded but %s: desired %v (managed %t), state %v (present %t), SendGrid %v",
					i, user, want, managed, got, inState, held)
			}
		}
	}
	if retryConfig {
		t.Errorf("the last apply failed; the soak ended before it converged")
	}

	summary := fmt.Sprintf("soak %s: applies=%d failed=%d (forced faults %d) resources_checked=%d requests=%d "+
		"faults_injected=%d failed_attempts=%d retries=%d (after an abandoned slow answer %d) unretried_failures=%d divergences=%d not_converged=%d panics=%d seed=%d duration=%s",
		version, applies, failed, forcedCount, checked, requests, api.FaultsInjected(), failedAttempts, retries, abandoned, unretried,
		divergences, notConverged, panics, seed, time.Since(start).Round(time.Second))
	t.Log(summary)
	if path := os.Getenv("SOAK_REPORT"); path != "" {
		//nolint:gosec // SOAK_REPORT is the path the person running the test chose
		f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
		if err == nil {
			_, err = f.WriteString(summary + "\n")
			err = errors.Join(err, f.Close())
		}
		if err != nil {
			t.Errorf("SOAK_REPORT: %v", err)
		}
	}
	if divergences != 0 || panics != 0 || notConverged != 0 || unretried != 0 {
		t.Fatalf("the soak found problems (details above): %s", summary)
	}
	// The soak must have done what it claims, or it proves nothing.
	if applies >= 100 && (api.FaultsInjected() < applies || retries < applies/2 || failed == 0) {
		t.Fatalf("too few faults, retries or failed applies for a meaningful soak: %s", summary)
	}
}

// randomAssignment picks, for each subuser, whether Terraform manages it
// (four times in five) and then one to four of the reseller's IPs.
func randomAssignment(rng *rand.Rand, users, pool []string) map[string][]string {
	out := map[string][]string{}
	for _, user := range users {
		if rng.IntN(5) == 0 {
			continue
		}
		n := 1 + rng.IntN(4)
		perm := rng.Perm(len(pool))[:n]
		ips := make([]string, n)
		for i, p := range perm {
			ips[i] = pool[p]
		}
		out[user] = sendgrid.SortIPs(ips)
	}
	return out
}

// soakConfig: no pacing (the mock does not limit here), ten retries, and
// a request_timeout below the mock's 50ms random delay, so slow answers
// time out and are retried, yet far above a normal answer's few ms.
func soakConfig(api testAPI, desired map[string][]string) string {
	var b strings.Builder
	b.WriteString(tfharness.ProviderConfig(api.pick(api.URL(), api.V3URL()), api.pick(testAPIUser, ""), testAPIKey,
		"max_retries = 10", `request_timeout = "40ms"`, "requests_per_minute = 100000"))
	users := make([]string, 0, len(desired))
	for user := range desired {
		users = append(users, user)
	}
	sort.Strings(users)
	for _, user := range users {
		b.WriteString(tfharness.SubuserIPsResource(user, user, desired[user]...))
	}
	return b.String()
}

// countRetries counts retries, failed requests not retried, and retries of an answered but too slow
// request, per subuser in arrival order: a resource never repeats a call back to back on its own.
func countRetries(log []sendgridmock.Request) (retries, unretried, abandoned int) {
	byUser := map[string][]sendgridmock.Request{}
	for _, r := range log {
		byUser[r.User] = append(byUser[r.User], r)
	}
	for _, reqs := range byUser {
		// Arrival order: an abandoned request is logged when the mock
		// notices, which can be after the client's retry arrived.
		sort.SliceStable(reqs, func(i, j int) bool { return reqs[i].Time.Before(reqs[j].Time) })
		for i, r := range reqs {
			if i > 0 && r.Name() == reqs[i-1].Name() {
				retries++
				if reqs[i-1].Status == 200 {
					abandoned++
				}
			}
			failedAttempt := r.Status == 0 || r.Status == 429 || r.Status >= 500
			if failedAttempt && (i == len(reqs)-1 || reqs[i+1].Name() != r.Name()) {
				unretried++
			}
		}
	}
	return retries, unretried, abandoned
}
