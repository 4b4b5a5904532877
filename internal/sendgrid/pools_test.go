package sendgrid_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/calls"
	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/sendgrid"
)

// poolAccount is a small v3 account with IP pools behind an httptest server (the mock has no pools
// yet); it counts requests by call name and can lag, fail or drop a field.
type poolAccount struct {
	mu       sync.Mutex
	ips      []string
	pools    map[string][]string
	holders  map[string][]string // IP -> subusers
	lag      map[string]int      // "pool ip" -> reads of the pool before an addition shows; -1: never
	stuck    map[string]bool     // "pool ip" -> a removal never happens
	fail     map[string]http.HandlerFunc
	noPools  bool // GET /v3/ips without "pools"
	staleIPs bool // GET /v3/ips/{ip} shows no pool and no subuser
	calls    []string
	paths    []string
	url      string
}

func newPoolAccount(t *testing.T, pools map[string][]string, ips ...string) *poolAccount {
	t.Helper()
	acc := &poolAccount{ips: ips, pools: pools, holders: map[string][]string{}, lag: map[string]int{}, stuck: map[string]bool{}, fail: map[string]http.HandlerFunc{}}
	mux := http.NewServeMux()
	for pattern, h := range map[string]http.HandlerFunc{
		calls.V3IPs:           acc.listIPs,
		calls.V3IP:            acc.getIP,
		calls.V3Pools:         acc.listPools,
		calls.V3CreatePool:    acc.createPool,
		calls.V3Pool:          acc.getPool,
		calls.V3DeletePool:    acc.deletePool,
		calls.V3AddPoolIP:     acc.addIP,
		calls.V3RemovePoolIP:  acc.removeIP,
		calls.V3SetSubuserIPs: acc.setSubuserIPs,
	} {
		mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
			acc.mu.Lock()
			acc.calls = append(acc.calls, pattern)
			acc.paths = append(acc.paths, r.URL.EscapedPath())
			f := acc.fail[pattern]
			acc.mu.Unlock()
			w.Header().Set("Content-Type", "application/json")
			if f != nil {
				f(w, r)
				return
			}
			acc.mu.Lock()
			defer acc.mu.Unlock()
			h(w, r)
		})
	}
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	acc.url = srv.URL + "/"
	return acc
}

func (acc *poolAccount) client(t *testing.T, tweak ...func(*sendgrid.Config)) sendgrid.API {
	t.Helper()
	return newClient(t, sendgrid.APIv3, acc.url, append([]func(*sendgrid.Config){func(c *sendgrid.Config) { c.SettlePoll = 10 * time.Millisecond }}, tweak...)...)
}

// count is the number of requests of call ("" for all) since the last reset.
func (acc *poolAccount) count(call string) int {
	acc.mu.Lock()
	defer acc.mu.Unlock()
	if call == "" {
		return len(acc.calls)
	}
	n := 0
	for _, c := range acc.calls {
		if c == call {
			n++
		}
	}
	return n
}

func (acc *poolAccount) reset() {
	acc.mu.Lock()
	defer acc.mu.Unlock()
	acc.calls, acc.paths = nil, nil
}

func (acc *poolAccount) set(f func()) {
	acc.mu.Lock()
	defer acc.mu.Unlock()
	f()
}

func respond(w http.ResponseWriter, status int, v any) {
	w.WriteHeader(status)
	if v != nil {
		_ = json.NewEncoder(w).Encode(v)
	}
}

func sgError(message string) map[string]any {
	return map[string]any{"errors": []map[string]any{{"field": nil, "message": message}}}
}

// shown is what a read of the pool shows, lagging additions counting down.
func (acc *poolAccount) shown(name string, countDown bool) []string {
	out := []string{}
	for _, ip := range acc.pools[name] {
		n := acc.lag[name+" "+ip]
		if n > 0 && countDown {
			acc.lag[name+" "+ip] = n - 1
		}
		if n == 0 {
			out = append(out, ip)
		}
	}
	return out
}

func (acc *poolAccount) poolsOf(ip string) []string {
	out := []string{}
	for name := range acc.pools {
		if slices.Contains(acc.shown(name, false), ip) {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out
}

func (acc *poolAccount) ipObject(ip string) map[string]any {
	o := map[string]any{"ip": ip, "subusers": append([]string{}, acc.holders[ip]...), "pools": acc.poolsOf(ip),
		"warmup": false, "start_date": nil, "whitelabeled": false}
	if acc.noPools {
		delete(o, "pools")
	}
	return o
}

func (acc *poolAccount) listIPs(w http.ResponseWriter, r *http.Request) {
	limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
	offset, _ := strconv.Atoi(r.URL.Query().Get("offset"))
	page := []map[string]any{}
	for _, ip := range acc.ips[min(offset, len(acc.ips)):min(offset+limit, len(acc.ips))] {
		page = append(page, acc.ipObject(ip))
	}
	respond(w, 200, page)
}

func (acc *poolAccount) getIP(w http.ResponseWriter, r *http.Request) {
	ip := r.PathValue("ip")
	if !slices.Contains(acc.ips, ip) {
		respond(w, 404, sgError("resource not found"))
		return
	}
	o := acc.ipObject(ip)
	if acc.staleIPs {
		o["pools"], o["subusers"] = []string{}, []string{}
	}
	respond(w, 200, o)
}

func (acc *poolAccount) listPools(w http.ResponseWriter, _ *http.Request) {
	out := []map[string]string{}
	for name := range acc.pools {
		out = append(out, map[string]string{"name": name})
	}
	respond(w, 200, out)
}

func (acc *poolAccount) createPool(w http.ResponseWriter, r *http.Request) {
	var body struct{ Name string }
	_ = json.NewDecoder(r.Body).Decode(&body)
	if _, ok := acc.pools[body.Name]; ok {
		respond(w, 400, sgError("This pool name is already in use"))
		return
	}
	acc.pools[body.Name] = nil
	respond(w, 200, map[string]string{"name": body.Name})
}

func (acc *poolAccount) getPool(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	if _, ok := acc.pools[name]; !ok {
		respond(w, 404, map[string]any{"errors": []map[string]any{{"field": "error", "message": "Unable to locate specified IPs Pool"}}})
		return
	}
	respond(w, 200, map[string]any{"pool_name": name, "ips": acc.shown(name, true)})
}

func (acc *poolAccount) deletePool(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	if _, ok := acc.pools[name]; !ok {
		respond(w, 404, map[string]string{"error": "Unable to locate specified IPs Pool"})
		return
	}
	delete(acc.pools, name)
	respond(w, 204, nil)
}

func (acc *poolAccount) addIP(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	var body struct{ IP string }
	_ = json.NewDecoder(r.Body).Decode(&body)
	if _, ok := acc.pools[name]; !ok || !slices.Contains(acc.ips, body.IP) {
		respond(w, 404, sgError("resource not found"))
		return
	}
	if !slices.Contains(acc.pools[name], body.IP) {
		acc.pools[name] = append(acc.pools[name], body.IP)
	}
	respond(w, 201, map[string]any{"ip": body.IP, "pools": []string{name}, "start_date": 1409616000, "warmup": false})
}

func (acc *poolAccount) removeIP(w http.ResponseWriter, r *http.Request) {
	name, ip := r.PathValue("name"), r.PathValue("ip")
	if !slices.Contains(acc.pools[name], ip) {
		respond(w, 404, map[string]string{"error": "Unable to locate specified IPs Pool"})
		return
	}
	if acc.stuck[name+" "+ip] {
		respond(w, 204, nil)
		return
	}
	acc.pools[name] = slices.DeleteFunc(acc.pools[name], func(s string) bool { return s == ip })
	respond(w, 204, nil)
}

func (acc *poolAccount) setSubuserIPs(w http.ResponseWriter, r *http.Request) {
	var ips []string
	_ = json.NewDecoder(r.Body).Decode(&ips)
	for _, ip := range ips {
		acc.holders[ip] = append(acc.holders[ip], r.PathValue("name"))
	}
	respond(w, 200, map[string]any{"ips": ips})
}

func poolNames(pools []sendgrid.Pool) []string {
	var out []string
	for _, p := range pools {
		out = append(out, p.Name+"="+strings.Join(p.IPs, ","))
	}
	return out
}

func TestPoolCallsNeedV3(t *testing.T) {
	base, n := cannedServer(t, respondWith(200, nil, `[]`))
	c := newClient(t, sendgrid.APIv2, base)
	ctx := t.Context()
	_, err1 := c.Pools(ctx)
	_, err2 := c.Pool(ctx, "marketing")
	err3 := c.CreatePool(ctx, "marketing")
	_, err4 := c.ChangePoolIPs(ctx, "marketing", []string{"192.0.2.1"}, nil)
	err5 := c.DeletePool(ctx, "marketing")
	_, err6 := c.IP(ctx, "192.0.2.1")
	for i, tc := range []struct {
		err  error
		call string
	}{
		{err1, calls.V3Pools}, {err2, calls.V3Pool}, {err3, calls.V3CreatePool},
		{err4, calls.V3AddPoolIP}, {err5, calls.V3DeletePool}, {err6, calls.V3IP},
	} {
		var apiErr *sendgrid.APIError
		if !errors.As(tc.err, &apiErr) || !errors.Is(tc.err, sendgrid.ErrNeedsV3) || apiErr.Call != tc.call {
			t.Errorf("call %d: want ErrNeedsV3 naming %s, got %v", i+1, tc.call, tc.err)
		}
	}
	if n.Load() != 0 {
		t.Fatalf("%d requests sent on v2", n.Load())
	}
}

// TestPoolAnswerShapes: what a 404 means on each call, in SendGrid's two error shapes and from a proxy.
func TestPoolAnswerShapes(t *testing.T) {
	const errorsShape, errorShape = `{"errors":[{"field":null,"message":"resource not found"}]}`, `{"error":"Unable to locate specified IPs Pool"}`
	ops := []struct {
		name, call string // call: the one the error names
		sg         error  // for a 404 in SendGrid's shape
		run        func(c sendgrid.API) error
	}{
		{"Pools", calls.V3Pools, sendgrid.ErrWrongEndpoint, func(c sendgrid.API) error { _, err := c.Pools(t.Context()); return err }},
		// Pool reads the shared list, which is about no one pool.
		{"Pool", calls.V3Pools, sendgrid.ErrWrongEndpoint, func(c sendgrid.API) error { _, err := c.Pool(t.Context(), "p"); return err }},
		{"CreatePool", calls.V3CreatePool, sendgrid.ErrWrongEndpoint, func(c sendgrid.API) error { return c.CreatePool(t.Context(), "p") }},
		{"add", calls.V3AddPoolIP, sendgrid.ErrRejected, func(c sendgrid.API) error {
			_, err := c.ChangePoolIPs(t.Context(), "p", []string{"192.0.2.1"}, nil)
			return err
		}},
		// The DELETE's 404 is "already not in the pool"; the confirming read's 404 is the answer.
		{"remove", calls.V3Pool, sendgrid.ErrPoolNotFound, func(c sendgrid.API) error {
			_, err := c.ChangePoolIPs(t.Context(), "p", nil, []string{"192.0.2.1"})
			return err
		}},
		{"DeletePool", calls.V3DeletePool, sendgrid.ErrPoolNotFound, func(c sendgrid.API) error { return c.DeletePool(t.Context(), "p") }},
		{"IP", calls.V3IP, sendgrid.ErrIPNotFound, func(c sendgrid.API) error { _, err := c.IP(t.Context(), "192.0.2.1"); return err }},
	}
	for _, op := range ops {
		for _, shape := range []struct {
			name, ctype, body string
		}{{"errors", "application/json", errorsShape}, {"error", "application/json", errorShape}, {"html", "text/html", `<html>Not Found</html>`}} {
			t.Run(op.name+"/"+shape.name, func(t *testing.T) {
				base, _ := cannedServer(t, respondWith(404, map[string]string{"Content-Type": shape.ctype}, shape.body))
				err := op.run(newClient(t, sendgrid.APIv3, base, func(c *sendgrid.Config) { c.NoRetries = true }))
				want := op.sg
				if shape.name == "html" {
					want = sendgrid.ErrWrongEndpoint
					if op.name == "remove" { // the DELETE is the one that fails
						op.call = calls.V3RemovePoolIP
					}
				}
				var apiErr *sendgrid.APIError
				if !errors.As(err, &apiErr) || !errors.Is(err, want) || apiErr.Call != op.call || apiErr.Status != 404 {
					t.Fatalf("want %v from %s, got %v", want, op.call, err)
				}
				if op.name != "Pools" && op.name != "Pool" && op.name != "IP" && !strings.Contains(err.Error(), ` for pool "p": `) {
					t.Fatalf("the error names the pool: %v", err)
				}
				if op.name == "add" && shape.name != "html" && !strings.Contains(err.Error(), "the pool does not exist or the IP is not on the account") {
					t.Fatalf("an addition's 404 says what it means: %v", err)
				}
				if errors.Is(want, sendgrid.ErrWrongEndpoint) && !strings.Contains(err.Error(), "content type") {
					t.Fatalf("want the content type named: %v", err)
				}
			})
		}
	}
}

func TestPoolRejections(t *testing.T) {
	acc := newPoolAccount(t, map[string][]string{"marketing": nil}, "192.0.2.1")
	c := acc.client(t)
	ctx := t.Context()
	err := c.CreatePool(ctx, "marketing")
	var apiErr *sendgrid.APIError
	if !errors.As(err, &apiErr) || !errors.Is(err, sendgrid.ErrRejected) || !slices.Equal(apiErr.Messages, []string{"This pool name is already in use"}) {
		t.Fatalf("name in use: %v", err)
	}
	acc.set(func() {
		acc.fail[calls.V3AddPoolIP] = respondWith(400, nil, `{"errors":[{"field":"ip","message":"IP has no reverse DNS"}]}`)
	})
	if _, err := c.ChangePoolIPs(ctx, "marketing", []string{"192.0.2.1"}, nil); !errors.As(err, &apiErr) || !errors.Is(err, sendgrid.ErrRejected) ||
		!slices.Equal(apiErr.Messages, []string{"IP has no reverse DNS"}) || apiErr.Pool != "marketing" {
		t.Fatalf("400 on an addition: %v", err)
	}

	acc.reset()
	long := strings.Repeat("p", sendgrid.MaxPoolNameLength+1)
	for _, name := range []string{"", ".", "..", "a/b", " pad", "tab\tname", long} {
		_, err1 := c.Pool(ctx, name)
		err2 := c.CreatePool(ctx, name)
		_, err3 := c.ChangePoolIPs(ctx, name, []string{"192.0.2.1"}, nil)
		err4 := c.DeletePool(ctx, name)
		for i, err := range []error{err1, err2, err3, err4} {
			if !errors.Is(err, sendgrid.ErrRejected) || !strings.Contains(err.Error(), "not sent") {
				t.Errorf("name %q, call %d: %v", name, i+1, err)
			}
		}
	}
	for _, ip := range []string{"", "not-an-ip", "192.0.2.010", "fe80::1%eth0", "192.0.2.1/24"} {
		_, err1 := c.IP(ctx, ip)
		_, err2 := c.ChangePoolIPs(ctx, "marketing", []string{ip}, nil)
		_, err3 := c.ChangePoolIPs(ctx, "marketing", nil, []string{ip})
		for i, err := range []error{err1, err2, err3} {
			if !errors.Is(err, sendgrid.ErrRejected) || !strings.Contains(err.Error(), "not sent") {
				t.Errorf("IP %q, call %d: %v", ip, i+1, err)
			}
		}
	}
	if _, err := c.ChangePoolIPs(ctx, "marketing", []string{"192.0.2.1"}, []string{"192.0.2.1"}); !errors.Is(err, sendgrid.ErrRejected) {
		t.Errorf("added and removed at once: %v", err)
	}
	if n := acc.count(""); n != 0 {
		t.Fatalf("refused calls were sent: %v", acc.calls)
	}

	// Names are one path segment whatever they hold.
	acc.set(func() { acc.pools["a?b c%"] = nil; delete(acc.fail, calls.V3AddPoolIP) })
	if _, err := c.ChangePoolIPs(ctx, "a?b c%", []string{"192.0.2.1"}, nil); err != nil {
		t.Fatal(err)
	}
	if acc.paths[0] != "/v3/ips/pools/a%3Fb%20c%25/ips" {
		t.Fatalf("path %s", acc.paths[0])
	}
}

// TestPoolCosts asserts the calls each pool operation costs (DESIGN.md, "IP pools: reads, writes and settling").
func TestPoolCosts(t *testing.T) {
	ctx := t.Context()
	pools, ips := map[string][]string{}, []string{}
	for i := range 100 {
		ip := fmt.Sprintf("10.3.0.%d", i+1)
		ips = append(ips, ip)
		pools[fmt.Sprintf("pool%03d", i)] = []string{ip}
	}
	acc := newPoolAccount(t, pools, ips...)
	c := acc.client(t)
	all, err := c.Pools(ctx)
	if err != nil || len(all) != 100 || all[7].Name != "pool007" || !slices.Equal(all[7].IPs, []string{"10.3.0.8"}) {
		t.Fatalf("%d pools %v", len(all), err)
	}
	// One page of IPs costs two calls (the second shows where it ends), plus the pool list.
	if n := acc.count(""); n != 3 {
		t.Fatalf("Pools: %d calls %v, want 3", n, acc.calls)
	}
	for name, held := range pools {
		if p, err := c.Pool(ctx, name); err != nil || !slices.Equal(p.IPs, held) {
			t.Fatalf("%s: %+v %v", name, p, err)
		}
	}
	if n := acc.count(""); n != 3 {
		t.Fatalf("Pools and 100 Pool reads: %d calls, want 3", n)
	}
	acc.reset()
	fresh := acc.client(t) // 100 imports at once, no Pools first
	var wg sync.WaitGroup
	for name := range pools {
		wg.Go(func() {
			if _, err := fresh.Pool(ctx, name); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if n := acc.count(""); n != 3 {
		t.Fatalf("100 concurrent Pool reads: %d calls, want 3", n)
	}

	acc.reset()
	if err := c.CreatePool(ctx, "new"); err != nil {
		t.Fatal(err)
	}
	got, err := c.ChangePoolIPs(ctx, "new", []string{"10.3.0.3", "10.3.0.1", "10.3.0.2"}, nil)
	if err != nil || !slices.Equal(got.IPs, []string{"10.3.0.1", "10.3.0.2", "10.3.0.3"}) {
		t.Fatalf("new: %+v %v", got, err)
	}
	if want := []string{calls.V3CreatePool, calls.V3AddPoolIP, calls.V3AddPoolIP, calls.V3AddPoolIP,
		calls.V3Pool}; !slices.Equal(acc.calls, want) {
		t.Fatalf("create with 3 IPs: %v, want %v", acc.calls, want)
	}
	if acc.paths[1] != "/v3/ips/pools/new/ips" {
		t.Fatalf("added in sorted order? %v", acc.paths)
	}

	acc.reset()
	if got, err := c.ChangePoolIPs(ctx, "new", []string{"10.3.0.4"}, []string{"10.3.0.1"}); err != nil ||
		!slices.Equal(got.IPs, []string{"10.3.0.2", "10.3.0.3", "10.3.0.4"}) {
		t.Fatalf("update: %+v %v", got, err)
	}
	if n := acc.count(""); n != 3 {
		t.Fatalf("an update of 2 IPs: %d calls %v, want 3", n, acc.calls)
	}
	if acc.paths[1] != "/v3/ips/pools/new/ips/10.3.0.1" {
		t.Fatalf("removal path %v", acc.paths)
	}
}

// TestFailedPoolScanIsSharedByEveryWaiter: 20 Pool reads behind one failing pool list cost one
// request and its retries.
func TestFailedPoolScanIsSharedByEveryWaiter(t *testing.T) {
	acc := newPoolAccount(t, map[string][]string{"marketing": nil}, "192.0.2.1")
	acc.fail[calls.V3Pools] = respondWith(500, nil, `{"errors":[{"message":"try later"}]}`)
	c := acc.client(t, func(c *sendgrid.Config) { c.MaxRetries = 2 })
	var wg sync.WaitGroup
	errs := make([]error, 20)
	for i := range errs {
		wg.Go(func() { _, errs[i] = c.Pool(t.Context(), "marketing") })
	}
	wg.Wait()
	_, late := c.Pools(t.Context())
	for i, err := range append(errs, late) {
		if !errors.Is(err, sendgrid.ErrServer) {
			t.Fatalf("read %d: %v", i, err)
		}
	}
	if n := acc.count(""); n != 3 {
		t.Fatalf("%d requests %v, want 3 (one, two retries)", n, acc.calls)
	}
}

func TestPoolSettles(t *testing.T) {
	acc := newPoolAccount(t, map[string][]string{"marketing": {"192.0.2.1"}}, "192.0.2.1", "192.0.2.2", "192.0.2.3")
	c := acc.client(t)
	acc.set(func() { acc.lag["marketing 192.0.2.2"] = 2 }) // shows on the third read
	start := time.Now()
	got, err := c.ChangePoolIPs(t.Context(), "marketing", []string{"192.0.2.2"}, nil)
	if err != nil || !slices.Equal(got.IPs, []string{"192.0.2.1", "192.0.2.2"}) {
		t.Fatalf("%+v %v", got, err)
	}
	if n := acc.count(calls.V3Pool); n != 3 {
		t.Fatalf("%d reads, want 3", n)
	}
	if d := time.Since(start); d < 30*time.Millisecond { // waits of 10 and 20 ms
		t.Fatalf("took %s: the reads did not wait", d)
	}

	// An addition and a removal that never show: the last read, before the deadline.
	acc.set(func() { acc.lag["marketing 192.0.2.3"], acc.stuck["marketing 192.0.2.1"] = -1, true })
	acc.reset()
	ctx, cancel := context.WithTimeout(t.Context(), 400*time.Millisecond)
	defer cancel()
	deadline, _ := ctx.Deadline()
	got, err = c.ChangePoolIPs(ctx, "marketing", []string{"192.0.2.3"}, []string{"192.0.2.1"})
	var apiErr *sendgrid.APIError
	if !errors.As(err, &apiErr) || !errors.Is(err, sendgrid.ErrNotSettled) || apiErr.Pool != "marketing" || apiErr.Call != calls.V3Pool ||
		!strings.Contains(err.Error(), "not yet shown: 192.0.2.3; still shown: 192.0.2.1") {
		t.Fatalf("want ErrNotSettled naming both IPs, got %v", err)
	}
	if !slices.Equal(got.IPs, []string{"192.0.2.1", "192.0.2.2"}) {
		t.Fatalf("want the last read pool, got %+v", got)
	}
	if time.Now().After(deadline) || ctx.Err() != nil {
		t.Fatal("returned after the deadline")
	}
	if n := acc.count(calls.V3Pool); n < 4 {
		t.Fatalf("only %d reads before giving up", n)
	}
	// What was last read is what later reads see, without a call.
	acc.reset()
	if p, err := c.Pool(t.Context(), "marketing"); err != nil || !slices.Equal(p.IPs, got.IPs) || acc.count("") != 0 {
		t.Fatalf("after not settled: %+v %v, %d calls", p, err, acc.count(""))
	}
}

// TestPoolWritesSeenByLaterReads: reads after a write see it, whatever scan came before; a write
// with an unknown outcome makes the next read of that pool a direct one.
func TestPoolWritesSeenByLaterReads(t *testing.T) {
	acc := newPoolAccount(t, map[string][]string{"marketing": {"192.0.2.1"}, "old": nil}, "192.0.2.1", "192.0.2.2")
	c := acc.client(t)
	ctx := t.Context()
	if _, err := c.Pools(ctx); err != nil { // loads the scans
		t.Fatal(err)
	}
	if err := c.CreatePool(ctx, "new"); err != nil {
		t.Fatal(err)
	}
	if p, err := c.Pool(ctx, "new"); err != nil || p.IPs == nil || len(p.IPs) != 0 {
		t.Fatalf("created: %#v %v", p, err)
	}
	if _, err := c.ChangePoolIPs(ctx, "marketing", []string{"192.0.2.2"}, []string{"192.0.2.1"}); err != nil {
		t.Fatal(err)
	}
	if err := c.DeletePool(ctx, "old"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Pool(ctx, "old"); !errors.Is(err, sendgrid.ErrPoolNotFound) {
		t.Fatalf("deleted: %v", err)
	}
	if err := c.DeletePool(ctx, "old"); !errors.Is(err, sendgrid.ErrPoolNotFound) {
		t.Fatalf("deleted twice: %v", err)
	}
	all, err := c.Pools(ctx)
	if want := []string{"marketing=192.0.2.2", "new="}; err != nil || !slices.Equal(poolNames(all), want) {
		t.Fatalf("Pools after the writes: %v %v, want %v", poolNames(all), err, want)
	}
	if n := acc.count(calls.V3IPs) + acc.count(calls.V3Pools); n != 3 {
		t.Fatalf("the scans were read %d times, want once (3 calls)", n)
	}

	// IP() lays this process's pool and subuser writes over a read that lags them.
	acc.set(func() { acc.staleIPs = true })
	if _, err := c.SetSubuserIPs(ctx, "alice", []string{"192.0.2.2"}); err != nil {
		t.Fatal(err)
	}
	if ip, err := c.IP(ctx, "192.0.2.2"); err != nil || !slices.Equal(ip.Pools, []string{"marketing"}) || !slices.Equal(ip.Subusers, []string{"alice"}) {
		t.Fatalf("IP: %+v %v", ip, err)
	}

	// The answer to an addition is lost: the next read of the pool goes to SendGrid, once.
	acc.set(func() {
		acc.fail[calls.V3AddPoolIP] = func(w http.ResponseWriter, r *http.Request) {
			acc.set(func() { acc.pools["new"] = append(acc.pools["new"], "192.0.2.1") })
			panic(http.ErrAbortHandler)
		}
	})
	if _, err := c.ChangePoolIPs(ctx, "new", []string{"192.0.2.1"}, nil); !errors.Is(err, sendgrid.ErrTransport) {
		t.Fatalf("a dropped answer: %v", err)
	}
	acc.reset()
	all, err = c.Pools(ctx)
	if want := []string{"marketing=192.0.2.2", "new=192.0.2.1"}; err != nil || !slices.Equal(poolNames(all), want) {
		t.Fatalf("Pools after a lost answer: %v %v, want %v", poolNames(all), err, want)
	}
	if p, err := c.Pool(ctx, "new"); err != nil || !slices.Equal(p.IPs, []string{"192.0.2.1"}) {
		t.Fatalf("Pool after a lost answer: %+v %v", p, err)
	}
	if sent := acc.calls; !slices.Equal(sent, []string{calls.V3Pool}) {
		t.Fatalf("want one direct read of the pool written, got %v", sent)
	}
}

func TestPoolNotFoundNamesNearMatches(t *testing.T) {
	acc := newPoolAccount(t, map[string][]string{"Marketing": nil, "marketing-eu": nil, "marketing-us": nil, "marketing-zz": nil, "transactional": nil})
	_, err := acc.client(t).Pool(t.Context(), "marketing")
	var apiErr *sendgrid.APIError
	if !errors.As(err, &apiErr) || !errors.Is(err, sendgrid.ErrPoolNotFound) || apiErr.Pool != "marketing" ||
		!strings.HasPrefix(err.Error(), `sendgrid GET /v3/ips/pools for pool "marketing": IP pool does not exist: no IP pool has this exact name; did you mean "Marketing", "marketing-eu", "marketing-us"?`) {
		t.Fatalf("%v", err)
	}
	if n := acc.count(calls.V3IPs); n != 0 {
		t.Fatalf("a name the pool list lacks needs no IP scan: %d", n)
	}
}

// TestScanWithoutPoolsIsUnreadable: IPs without a "pools" list cannot say what a pool holds.
func TestScanWithoutPoolsIsUnreadable(t *testing.T) {
	acc := newPoolAccount(t, map[string][]string{"marketing": {"192.0.2.1"}}, "192.0.2.1")
	acc.noPools = true
	c := acc.client(t)
	_, err1 := c.Pools(t.Context())
	_, err2 := c.Pool(t.Context(), "marketing")
	for _, err := range []error{err1, err2} {
		if !errors.Is(err, sendgrid.ErrUnreadable) || !strings.HasPrefix(err.Error(), "sendgrid GET /v3/ips: ") {
			t.Fatalf("want unreadable naming GET /v3/ips: %v", err)
		}
	}
	if _, err := c.ListIPs(t.Context(), sendgrid.FilterAll); err != nil { // subusers need no pools
		t.Fatal(err)
	}
}
