package sendgridmock

import (
	"math/rand/v2"
	"net/http"
	"net/netip"
	"slices"
	"strconv"
	"sync"
	"testing"

	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/calls"
)

// TestConcurrency: after a storm over HTTP and the Go API, the counters match the definitions and the log counts every request.
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
					_ = s.SetSubuserIPs(user, []string{ips[rng.IntN(len(ips))]})
					_ = s.SetSubuserActive(user, rng.IntN(2) == 0)
					_ = s.Snapshot()
					_, _ = s.SubuserIPs(user)
					_ = s.Requests()
					_ = s.Count(calls.V2SendIP, "")
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

// TestV3Concurrency: each parallel PUT answers its set, and v3's view of every IP's subusers is the account's.
func TestV3Concurrency(t *testing.T) {
	s := StartTest(t, testSeed())
	ips := testSeed().IPs
	users := []string{"alice", "bob", "carol", "dan", "erin", "frank"}
	const workers, perWorker = 16, 40
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(w), 3)) //nolint:gosec // reproducible test traffic
			for range perWorker {
				user := users[rng.IntN(len(users))]
				switch rng.IntN(6) {
				case 0, 1:
					a, b := ips[rng.IntN(len(ips))], ips[rng.IntN(len(ips))]
					got := v3put(t, s, user, `["`+a+`","`+b+`"]`)
					want := []string{a, b}
					slices.SortFunc(want, func(x, y string) int { return mustAddr(x).Compare(mustAddr(y)) })
					var body struct{ IPs []string }
					decodeJSON(t, got.body, &body)
					if got.status != 200 || !slices.Equal(body.IPs, slices.Compact(want)) {
						t.Errorf("PUT %s %v: %d %s", user, want, got.status, got.body)
					}
				case 2:
					if got := v3get(t, s, "v3/ips?subuser="+user); got.status != 200 {
						t.Errorf("GET ips of %s: %d", user, got.status)
					}
				case 3:
					for _, row := range v3Rows(t, v3get(t, s, "v3/ips?limit=3&offset="+strconv.Itoa(rng.IntN(6))).body) {
						if !slices.IsSorted(row.Subusers) {
							t.Errorf("%s: subusers %v", row.IP, row.Subusers)
						}
					}
				case 4:
					v3get(t, s, "v3/subusers?username="+user[:1])
					call(t, s, http.MethodPost, "customer.sendip.json", creds("task", "append", "user", user, "set", "all"))
				default:
					_ = s.SetSubuserActive(user, rng.IntN(2) == 0)
					_ = s.SetSubuserIPs(user, []string{ips[rng.IntN(len(ips))]})
					s.SetDuplicateIPs(false)
					s.SetRefuseEmptyIPs(false)
					_ = s.Count(calls.V3IPsOfSubuser, "")
				}
			}
		}()
	}
	wg.Wait()

	holders := map[string][]string{}
	for _, su := range s.Snapshot().Subusers {
		for _, ip := range su.IPs {
			holders[ip] = append(holders[ip], su.Name)
		}
	}
	for _, row := range v3Rows(t, v3get(t, s, "v3/ips").body) {
		if !slices.Equal(row.Subusers, holders[row.IP]) {
			t.Errorf("%s: v3 lists %v, the account %v", row.IP, row.Subusers, holders[row.IP])
		}
	}
}

func mustAddr(s string) netip.Addr { return netip.MustParseAddr(s) }
