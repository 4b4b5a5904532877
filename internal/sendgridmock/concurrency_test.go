package sendgridmock

import (
	"math/rand/v2"
	"net/http"
	"slices"
	"sync"
	"testing"
)

// Many goroutines hit the server over HTTP and through the Go API at once.
// Run with -race; afterwards the per-IP counters must still agree with the
// definitions and the log must count every request.
func TestConcurrency(t *testing.T) {
	s := StartTest(t, testSeed())
	s.SetDuplicateIPs(false)
	ips := testSeed().IPs
	users := []string{"alice", "bob", "carol", "dan", "erin", "frank"}
	const workers, perWorker = 16, 60

	var wg sync.WaitGroup
	var httpCalls sync.Map // worker -> count
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(w), 1)) //nolint:gosec // reproducible test traffic
			n := 0
			for range perWorker {
				user := users[rng.IntN(len(users))]
				switch rng.IntN(8) {
				case 0:
					call(t, s, http.MethodPost, "customer.sendip.json", creds("task", "append", "user", user, "set", "specify",
						"ip[]", ips[rng.IntN(len(ips))], "ip[]", ips[rng.IntN(len(ips))]))
				case 1:
					call(t, s, http.MethodGet, "customer.sendip.json", creds("task", "append", "user", user, "set", []string{"all", "none"}[rng.IntN(2)]))
				case 2:
					call(t, s, http.MethodGet, "customer.disable.json", creds("user", user))
				case 3:
					call(t, s, http.MethodPost, "customer.enable.xml", creds("user", user))
				case 4:
					got := call(t, s, http.MethodGet, "customer.sendip.json", creds("task", "list", "user", user))
					if got.status != 200 {
						t.Errorf("list %s: %d %s", user, got.status, got.body)
					}
				case 5:
					// Go API, behind the API's back.
					_ = s.SetSubuserIPs(user, []string{ips[rng.IntN(len(ips))]})
					_ = s.SetSubuserActive(user, rng.IntN(2) == 0)
					_ = s.Snapshot()
					_, _ = s.SubuserIPs(user)
					_ = s.Requests()
					_ = s.Count(callSendIP, "")
					continue
				default:
					list := []string{"all", "free", "taken", "available"}[rng.IntN(4)]
					got := call(t, s, http.MethodGet, "customer.ip.json", creds("list", list))
					if got.status != 200 {
						t.Errorf("customer.ip %s: %d", list, got.status)
					}
				}
				n++
			}
			httpCalls.Store(w, n)
		}()
	}
	// Options flipped concurrently too.
	wg.Add(1)
	go func() {
		defer wg.Done()
		for range 50 {
			s.SetBadCredentialsShape(BadCredentialsErrors200)
			s.InjectFault(Fault{Kind: FaultError200, Call: "customer.none"}) // never matches
			s.SetRateLimit(0, 0)
			_ = s.FaultsInjected()
			_ = s.RateLimited()
		}
	}()
	wg.Wait()

	total := 0
	httpCalls.Range(func(_, v any) bool { total += v.(int); return true })
	if got := s.Count("", ""); got != total {
		t.Errorf("Count = %d, want %d", got, total)
	}
	snap := s.Snapshot()
	for _, list := range []string{"all", "free", "taken", "available"} {
		got := ipsJSON(t, call(t, s, http.MethodGet, "customer.ip.json", creds("list", list)).body)
		if want := referenceFilter(snap, list); !slices.Equal(got, want) {
			t.Errorf("after the storm, %s = %v, want %v", list, got, want)
		}
	}
}
