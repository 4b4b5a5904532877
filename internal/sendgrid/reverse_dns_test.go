package sendgrid_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/calls"
	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/sendgrid"
)

// dnsAccount is a small v3 account with reverse DNS records and IP warmups behind an httptest
// server (the mock has neither yet); it counts requests by call name and can fail a call.
type dnsAccount struct {
	mu      sync.Mutex
	records []map[string]any // sorted by IP, as a list SendGrid does not say the order of
	nextID  int64
	ips     []string
	warm    map[string]bool
	start   map[string]any // IP -> "start_date"; absent: the field is left out
	valid   bool           // what a validation finds
	startAt int64          // the start date POST /v3/ips/warmup gives
	pageCap int            // at most this many items a page; 0: what limit asks
	fail    map[string]http.HandlerFunc
	after   map[string]func() // run after a call of that pattern is answered
	calls   []string
	queries []string
	bodies  []string
	url     string
}

func newDNSAccount(t *testing.T, ips ...string) *dnsAccount {
	t.Helper()
	acc := &dnsAccount{ips: ips, nextID: 1, warm: map[string]bool{}, start: map[string]any{}, fail: map[string]http.HandlerFunc{}, after: map[string]func(){}}
	mux := http.NewServeMux()
	for pattern, h := range map[string]http.HandlerFunc{
		calls.V3ReverseDNSList:     acc.listRecords,
		calls.V3CreateReverseDNS:   acc.createRecord,
		calls.V3ReverseDNS:         acc.getRecord,
		calls.V3DeleteReverseDNS:   acc.deleteRecord,
		calls.V3ValidateReverseDNS: acc.validate,
		calls.V3IPs:                acc.listIPs,
		calls.V3IP:                 acc.getIP,
		calls.V3StartWarmup:        acc.startWarmup,
		calls.V3StopWarmup:         acc.stopWarmup,
	} {
		mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			r.Body = io.NopCloser(bytes.NewReader(body))
			acc.mu.Lock()
			acc.calls = append(acc.calls, pattern)
			acc.queries = append(acc.queries, r.URL.RawQuery)
			acc.bodies = append(acc.bodies, string(body))
			f := acc.fail[pattern]
			acc.mu.Unlock()
			w.Header().Set("Content-Type", "application/json")
			if f != nil {
				f(w, r)
			} else {
				acc.mu.Lock()
				h(w, r)
				acc.mu.Unlock()
			}
			acc.mu.Lock()
			then := acc.after[pattern]
			acc.mu.Unlock()
			if then != nil {
				then()
			}
		})
	}
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	acc.url = srv.URL + "/"
	return acc
}

func (acc *dnsAccount) client(t *testing.T, tweak ...func(*sendgrid.Config)) sendgrid.API {
	t.Helper()
	return newClient(t, sendgrid.APIv3, acc.url, tweak...)
}

func (acc *dnsAccount) set(f func()) {
	acc.mu.Lock()
	defer acc.mu.Unlock()
	f()
}

// count is the number of requests of call ("" for all) since the last reset.
func (acc *dnsAccount) count(call string) int {
	acc.mu.Lock()
	defer acc.mu.Unlock()
	n := 0
	for _, c := range acc.calls {
		if call == "" || c == call {
			n++
		}
	}
	return n
}

func (acc *dnsAccount) sent() []string {
	acc.mu.Lock()
	defer acc.mu.Unlock()
	return slices.Clone(acc.calls)
}

func (acc *dnsAccount) reset() {
	acc.set(func() { acc.calls, acc.queries, acc.bodies = nil, nil, nil })
}

// add adds a record for ip without a call, as another process would.
func (acc *dnsAccount) add(ip, domain, subdomain string) int64 {
	id := acc.nextID
	acc.nextID++
	rdns := "o" + strconv.FormatInt(id, 10) + "." + strings.TrimPrefix(subdomain+"."+domain, ".")
	acc.records = append(acc.records, map[string]any{
		"id": id, "ip": ip, "rdns": rdns, "users": []any{}, "subdomain": subdomain, "domain": domain, "valid": false, "legacy": false,
		"a_record": map[string]any{"valid": false, "type": "a", "host": rdns, "data": ip},
	})
	slices.SortStableFunc(acc.records, func(x, y map[string]any) int {
		return netip.MustParseAddr(x["ip"].(string)).Compare(netip.MustParseAddr(y["ip"].(string)))
	})
	return id
}

func (acc *dnsAccount) record(id string) (int, map[string]any) {
	for i, r := range acc.records {
		if strconv.FormatInt(r["id"].(int64), 10) == id {
			return i, r
		}
	}
	return -1, nil
}

func page[T any](r *http.Request, list []T, pageCap int) []T {
	limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
	if pageCap > 0 {
		limit = min(limit, pageCap)
	}
	offset, _ := strconv.Atoi(r.URL.Query().Get("offset"))
	return append([]T{}, list[min(offset, len(list)):min(offset+limit, len(list))]...)
}

func (acc *dnsAccount) listRecords(w http.ResponseWriter, r *http.Request) {
	list := acc.records
	if prefix := r.URL.Query().Get("ip"); prefix != "" {
		list = slices.DeleteFunc(slices.Clone(list), func(rec map[string]any) bool { return !strings.HasPrefix(rec["ip"].(string), prefix) })
	}
	respond(w, 200, page(r, list, acc.pageCap))
}

func (acc *dnsAccount) createRecord(w http.ResponseWriter, r *http.Request) {
	var body struct{ IP, Domain, Subdomain string }
	_ = json.NewDecoder(r.Body).Decode(&body)
	if !slices.Contains(acc.ips, body.IP) {
		respond(w, 400, map[string]any{"errors": []map[string]any{{"field": "ip", "message": "ip is not on your account"}}})
		return
	}
	id := acc.add(body.IP, body.Domain, body.Subdomain)
	_, rec := acc.record(strconv.FormatInt(id, 10))
	respond(w, 201, rec)
}

func (acc *dnsAccount) getRecord(w http.ResponseWriter, r *http.Request) {
	if _, rec := acc.record(r.PathValue("id")); rec != nil {
		respond(w, 200, rec)
		return
	}
	respond(w, 404, sgError("Reverse DNS record not found."))
}

func (acc *dnsAccount) deleteRecord(w http.ResponseWriter, r *http.Request) {
	i, _ := acc.record(r.PathValue("id"))
	if i < 0 {
		respond(w, 404, sgError("Reverse DNS record not found."))
		return
	}
	acc.records = slices.Delete(acc.records, i, i+1)
	respond(w, 204, nil)
}

func (acc *dnsAccount) validate(w http.ResponseWriter, r *http.Request) {
	_, rec := acc.record(r.PathValue("id"))
	if rec == nil {
		respond(w, 404, sgError("Reverse DNS record not found."))
		return
	}
	rec["valid"] = acc.valid
	rec["a_record"].(map[string]any)["valid"] = acc.valid
	var reason any
	if !acc.valid {
		reason = "Failed to resolve A Record at " + rec["rdns"].(string)
	}
	respond(w, 200, map[string]any{"id": rec["id"], "valid": acc.valid, "validation_results": map[string]any{"a_record": map[string]any{"valid": acc.valid, "reason": reason}}})
}

func (acc *dnsAccount) ipObject(ip string) map[string]any {
	o := map[string]any{"ip": ip, "subusers": []string{}, "pools": []string{}, "warmup": acc.warm[ip], "whitelabeled": false}
	if start, ok := acc.start[ip]; ok {
		o["start_date"] = start
	}
	return o
}

func (acc *dnsAccount) listIPs(w http.ResponseWriter, r *http.Request) {
	var list []map[string]any
	for _, ip := range acc.ips {
		list = append(list, acc.ipObject(ip))
	}
	respond(w, 200, page(r, list, acc.pageCap))
}

func (acc *dnsAccount) getIP(w http.ResponseWriter, r *http.Request) {
	if ip := r.PathValue("ip"); slices.Contains(acc.ips, ip) {
		respond(w, 200, acc.ipObject(ip))
		return
	}
	respond(w, 404, sgError("resource not found"))
}

func (acc *dnsAccount) startWarmup(w http.ResponseWriter, r *http.Request) {
	var body struct{ IP string }
	_ = json.NewDecoder(r.Body).Decode(&body)
	if !slices.Contains(acc.ips, body.IP) {
		respond(w, 404, sgError("resource not found"))
		return
	}
	acc.warm[body.IP], acc.start[body.IP] = true, acc.startAt
	respond(w, 200, []map[string]any{{"ip": body.IP, "start_date": acc.startAt}})
}

func (acc *dnsAccount) stopWarmup(w http.ResponseWriter, r *http.Request) {
	ip := r.PathValue("ip")
	if !acc.warm[ip] {
		respond(w, 404, sgError("resource not found"))
		return
	}
	acc.warm[ip] = false
	respond(w, 204, nil)
}

func rdnsIDs(list []sendgrid.ReverseDNS) []string {
	var out []string
	for _, r := range list {
		out = append(out, fmt.Sprintf("%d=%s", r.ID, r.IP))
	}
	return out
}

func TestReverseDNSAndWarmupNeedV3(t *testing.T) {
	base, n := cannedServer(t, respondWith(200, nil, `[]`))
	c := newClient(t, sendgrid.APIv2, base)
	ctx := t.Context()
	_, err1 := c.ReverseDNSRecords(ctx)
	_, err2 := c.ReverseDNS(ctx, 12)
	_, err3 := c.CreateReverseDNS(ctx, "192.0.2.1", "example.com", "")
	err4 := c.DeleteReverseDNS(ctx, 12)
	_, err5 := c.ValidateReverseDNS(ctx, 12)
	_, err6 := c.Warmups(ctx)
	_, err7 := c.Warmup(ctx, "192.0.2.1")
	_, err8 := c.StartWarmup(ctx, "192.0.2.1")
	err9 := c.StopWarmup(ctx, "192.0.2.1")
	for i, tc := range []struct {
		err  error
		want string
	}{
		{err1, `sendgrid GET /v3/whitelabel/ips: needs api_version = "v3"; not sent`},
		{err2, `sendgrid GET /v3/whitelabel/ips/{id} for reverse DNS record 12: needs api_version = "v3"; not sent`},
		{err3, `sendgrid POST /v3/whitelabel/ips for IP "192.0.2.1": needs api_version = "v3"; not sent`},
		{err4, `sendgrid DELETE /v3/whitelabel/ips/{id} for reverse DNS record 12: needs api_version = "v3"; not sent`},
		{err5, `sendgrid POST /v3/whitelabel/ips/{id}/validate for reverse DNS record 12: needs api_version = "v3"; not sent`},
		{err6, `sendgrid GET /v3/ips: needs api_version = "v3"; not sent`},
		{err7, `sendgrid GET /v3/ips/{ip} for IP "192.0.2.1": needs api_version = "v3"; not sent`},
		{err8, `sendgrid POST /v3/ips/warmup for IP "192.0.2.1": needs api_version = "v3"; not sent`},
		{err9, `sendgrid DELETE /v3/ips/warmup/{ip} for IP "192.0.2.1": needs api_version = "v3"; not sent`},
	} {
		if !errors.Is(tc.err, sendgrid.ErrNeedsV3) || tc.err.Error() != tc.want {
			t.Errorf("call %d: got %v, want %s", i+1, tc.err, tc.want)
		}
	}
	if n.Load() != 0 {
		t.Fatalf("%d requests sent on v2", n.Load())
	}
}

// TestReverseDNSDecode: what each call sends and what its answer is read as.
func TestReverseDNSDecode(t *testing.T) {
	acc := newDNSAccount(t, "192.0.2.1", "192.0.2.3", "192.0.2.4", "192.0.2.20")
	acc.add("192.0.2.20", "example.com", "email")
	acc.add("192.0.2.3", "example.com", "")
	c := acc.client(t)
	ctx := t.Context()

	got, err := c.CreateReverseDNS(ctx, "::ffff:192.0.2.1", "example.com", "mail")
	want := sendgrid.ReverseDNS{ID: 3, IP: "192.0.2.1", Domain: "example.com", Subdomain: "mail", RDNS: "o3.mail.example.com",
		ARecord: sendgrid.ARecord{Type: "A", Host: "o3.mail.example.com", Data: "192.0.2.1"}}
	if err != nil || got != want {
		t.Fatalf("created %+v %v, want %+v", got, err, want)
	}
	if _, err := c.CreateReverseDNS(ctx, "192.0.2.4", "example.org", ""); err != nil {
		t.Fatal(err)
	}
	if want := []string{`{"ip":"192.0.2.1","domain":"example.com","subdomain":"mail"}`, `{"ip":"192.0.2.4","domain":"example.org"}`}; !slices.Equal(acc.bodies, want) {
		t.Fatalf("bodies %q, want %q", acc.bodies, want)
	}
	all, err := c.ReverseDNSRecords(ctx)
	if want := []string{"3=192.0.2.1", "2=192.0.2.3", "4=192.0.2.4", "1=192.0.2.20"}; err != nil || !slices.Equal(rdnsIDs(all), want) {
		t.Fatalf("records %v %v, want %v (sorted by IP)", rdnsIDs(all), err, want)
	}
	one, err := c.ReverseDNS(ctx, 1)
	want = sendgrid.ReverseDNS{ID: 1, IP: "192.0.2.20", Domain: "example.com", Subdomain: "email", RDNS: "o1.email.example.com",
		ARecord: sendgrid.ARecord{Type: "A", Host: "o1.email.example.com", Data: "192.0.2.20"}}
	if err != nil || one != want {
		t.Fatalf("record 1: %+v %v, want %+v", one, err, want)
	}

	// Every field SendGrid gives, legacy and valid set, text escaped.
	base, _ := cannedServer(t, respondWith(200, nil, `[{"id":7,"ip":"::ffff:198.51.100.7","rdns":"o7.x.example.com\u001b[31m","users":[],"subdomain":null,
		"domain":"example.com","valid":true,"legacy":true,"a_record":{"valid":true,"type":"a","host":"o7.x.example.com","data":"198.51.100.7"}}]`))
	list, err := newClient(t, sendgrid.APIv3, base).ReverseDNSRecords(ctx)
	want = sendgrid.ReverseDNS{ID: 7, IP: "198.51.100.7", Domain: "example.com", RDNS: `o7.x.example.com\x1b[31m`, Valid: true, Legacy: true,
		ARecord: sendgrid.ARecord{Type: "A", Host: "o7.x.example.com", Data: "198.51.100.7", Valid: true}}
	if err != nil || len(list) != 1 || list[0] != want {
		t.Fatalf("%+v %v, want %+v", list, err, want)
	}
}

// TestReverseDNSUnreadable: an entry without a required field, or with one of the wrong type,
// makes the answer unreadable, naming the field.
func TestReverseDNSUnreadable(t *testing.T) {
	full := map[string]any{"id": 7, "ip": "192.0.2.7", "rdns": "o7.example.com", "users": []any{}, "subdomain": "", "domain": "example.com",
		"valid": false, "legacy": false, "a_record": map[string]any{"valid": false, "type": "a", "host": "o7.example.com", "data": "192.0.2.7"}}
	for _, tc := range []struct {
		field string
		value any // nil: left out
		says  string
	}{
		{"id", nil, `reverse DNS entry has no "id"`},
		{"id", 0, `reverse DNS entry has no "id"`},
		{"id", "7", "cannot unmarshal string"},
		{"id", 7.5, "cannot unmarshal number 7.5"},
		{"ip", nil, `reverse DNS entry has no "ip"`},
		{"ip", "o7.example.com", `answer lists "o7.example.com", which is not an IP address`},
		{"rdns", nil, `reverse DNS entry has no "rdns"`},
		{"domain", nil, `reverse DNS entry has no "domain"`},
		{"a_record", nil, `reverse DNS entry has no "a_record"`},
		{"valid", "yes", "cannot unmarshal string"},
	} {
		t.Run(fmt.Sprintf("%s=%v", tc.field, tc.value), func(t *testing.T) {
			entry := map[string]any{}
			for k, v := range full {
				entry[k] = v
			}
			if delete(entry, tc.field); tc.value != nil {
				entry[tc.field] = tc.value
			}
			body, _ := json.Marshal([]any{entry})
			base, n := cannedServer(t, respondWith(200, nil, string(body)))
			_, err := newClient(t, sendgrid.APIv3, base).ReverseDNSRecords(t.Context())
			if !errors.Is(err, sendgrid.ErrUnreadable) || !strings.HasPrefix(err.Error(), "sendgrid GET /v3/whitelabel/ips: unreadable answer") ||
				!strings.Contains(err.Error(), tc.says) {
				t.Fatalf("want unreadable saying %q, got %v", tc.says, err)
			}
			if n.Load() != 1 {
				t.Fatalf("%d calls, want 1", n.Load())
			}
		})
	}
}

// TestReverseDNSErrorsNameTheirSubject: a 400 gives SendGrid's message, naming the IP or the record.
func TestReverseDNSErrorsNameTheirSubject(t *testing.T) {
	acc := newDNSAccount(t, "192.0.2.1")
	c := acc.client(t)
	ctx := t.Context()
	_, err := c.CreateReverseDNS(ctx, "192.0.2.9", "example.com", "")
	var apiErr *sendgrid.APIError
	if !errors.As(err, &apiErr) || !errors.Is(err, sendgrid.ErrRejected) || apiErr.IP != "192.0.2.9" || !slices.Equal(apiErr.Messages, []string{"ip is not on your account"}) ||
		err.Error() != `sendgrid POST /v3/whitelabel/ips for IP "192.0.2.9": request rejected (HTTP 400): ip is not on your account` {
		t.Fatalf("create: %v", err)
	}
	acc.set(func() {
		acc.fail[calls.V3ValidateReverseDNS] = respondWith(400, nil, `{"errors":[{"field":"id","message":"legacy records cannot be validated"}]}`)
		acc.fail[calls.V3StartWarmup] = respondWith(400, nil, `{"errors":[{"field":"ip","message":"IP is already warming up"}]}`)
	})
	_, err = c.ValidateReverseDNS(ctx, 12)
	if !errors.As(err, &apiErr) || apiErr.RecordID != 12 ||
		err.Error() != `sendgrid POST /v3/whitelabel/ips/{id}/validate for reverse DNS record 12: request rejected (HTTP 400): legacy records cannot be validated` {
		t.Fatalf("validate: %v", err)
	}
	_, err = c.StartWarmup(ctx, "192.0.2.1")
	if !errors.Is(err, sendgrid.ErrRejected) || err.Error() != `sendgrid POST /v3/ips/warmup for IP "192.0.2.1": request rejected (HTTP 400): IP is already warming up` {
		t.Fatalf("start warmup: %v", err)
	}
	if n := acc.count(""); n != 3 {
		t.Fatalf("%d calls %v, want 3 (a 400 is not retried)", n, acc.sent())
	}
}

// TestReverseDNSAnswerShapes: what a 404 means on each call, in SendGrid's shape and from a wrong host.
func TestReverseDNSAnswerShapes(t *testing.T) {
	ops := []struct {
		name, call string
		sg         error // for a 404 in SendGrid's shape; nil: success
		run        func(c sendgrid.API) error
	}{
		{"ReverseDNSRecords", calls.V3ReverseDNSList, sendgrid.ErrWrongEndpoint, func(c sendgrid.API) error { _, err := c.ReverseDNSRecords(t.Context()); return err }},
		{"ReverseDNS", calls.V3ReverseDNS, sendgrid.ErrReverseDNSNotFound, func(c sendgrid.API) error { _, err := c.ReverseDNS(t.Context(), 12); return err }},
		{"CreateReverseDNS", calls.V3CreateReverseDNS, sendgrid.ErrWrongEndpoint, func(c sendgrid.API) error {
			_, err := c.CreateReverseDNS(t.Context(), "192.0.2.1", "example.com", "")
			return err
		}},
		{"DeleteReverseDNS", calls.V3DeleteReverseDNS, sendgrid.ErrReverseDNSNotFound, func(c sendgrid.API) error { return c.DeleteReverseDNS(t.Context(), 12) }},
		{"ValidateReverseDNS", calls.V3ValidateReverseDNS, sendgrid.ErrReverseDNSNotFound, func(c sendgrid.API) error {
			_, err := c.ValidateReverseDNS(t.Context(), 12)
			return err
		}},
		{"Warmup", calls.V3IP, sendgrid.ErrIPNotFound, func(c sendgrid.API) error { _, err := c.Warmup(t.Context(), "192.0.2.1"); return err }},
		{"StartWarmup", calls.V3StartWarmup, sendgrid.ErrIPNotFound, func(c sendgrid.API) error { _, err := c.StartWarmup(t.Context(), "192.0.2.1"); return err }},
		{"StopWarmup", calls.V3StopWarmup, nil, func(c sendgrid.API) error { return c.StopWarmup(t.Context(), "192.0.2.1") }},
	}
	for _, op := range ops {
		for _, shape := range []struct{ name, ctype, body string }{
			{"sendgrid", "application/json", `{"errors":[{"field":null,"message":"resource not found"}]}`},
			{"html", "text/html", `<html>Not Found</html>`},
		} {
			t.Run(op.name+"/"+shape.name, func(t *testing.T) {
				base, n := cannedServer(t, func(w http.ResponseWriter, r *http.Request) {
					if r.Method == http.MethodGet && (r.URL.Path == "/v3/ips" || r.URL.Path == "/v3/whitelabel/ips") && op.name != "ReverseDNSRecords" {
						respondWith(200, nil, `[]`)(w, r) // the scans list nothing
						return
					}
					respondWith(404, map[string]string{"Content-Type": shape.ctype}, shape.body)(w, r)
				})
				err := op.run(newClient(t, sendgrid.APIv3, base, func(c *sendgrid.Config) { c.NoRetries = true }))
				want := op.sg
				if shape.name == "html" {
					want = sendgrid.ErrWrongEndpoint
				}
				var apiErr *sendgrid.APIError
				switch {
				case want == nil && err != nil:
					t.Fatalf("want nil, got %v", err)
				case want != nil && (!errors.As(err, &apiErr) || !errors.Is(err, want) || apiErr.Call != op.call || apiErr.Status != 404):
					t.Fatalf("want %v from %s, got %v", want, op.call, err)
				case errors.Is(want, sendgrid.ErrWrongEndpoint) && !strings.Contains(err.Error(), `content type "`+shape.ctype+`"`):
					t.Fatalf("want the content type named: %v", err)
				}
				scans := map[string]int32{"ReverseDNS": 1, "Warmup": 1} // the scan's one empty page
				if got := n.Load(); got != 1+scans[op.name] {
					t.Fatalf("%d calls, want %d", got, 1+scans[op.name])
				}
			})
		}
	}
}

func TestReverseDNSInputRefusedBeforeSending(t *testing.T) {
	acc := newDNSAccount(t, "192.0.2.1")
	c := acc.client(t)
	ctx := t.Context()
	for _, ip := range []string{"", "not-an-ip", "192.0.2.010", "fe80::1%eth0", "192.0.2.1/24"} {
		_, err1 := c.CreateReverseDNS(ctx, ip, "example.com", "")
		_, err2 := c.Warmup(ctx, ip)
		_, err3 := c.StartWarmup(ctx, ip)
		err4 := c.StopWarmup(ctx, ip)
		for i, err := range []error{err1, err2, err3, err4} {
			if !errors.Is(err, sendgrid.ErrRejected) || !strings.HasSuffix(err.Error(), "is not an IP address; not sent") {
				t.Errorf("IP %q, call %d: %v", ip, i+1, err)
			}
		}
	}
	for _, id := range []int64{0, -1} {
		_, err1 := c.ReverseDNS(ctx, id)
		err2 := c.DeleteReverseDNS(ctx, id)
		_, err3 := c.ValidateReverseDNS(ctx, id)
		for i, err := range []error{err1, err2, err3} {
			if !errors.Is(err, sendgrid.ErrRejected) || !strings.HasSuffix(err.Error(), "a reverse DNS record id is a positive number; not sent") {
				t.Errorf("id %d, call %d: %v", id, i+1, err)
			}
		}
	}
	if _, err := c.CreateReverseDNS(ctx, "192.0.2.1", "", "mail"); err == nil ||
		err.Error() != `sendgrid POST /v3/whitelabel/ips for IP "192.0.2.1": request rejected: the domain is empty; not sent` {
		t.Errorf("empty domain: %v", err)
	}
	if n := acc.count(""); n != 0 {
		t.Fatalf("refused calls were sent: %v", acc.sent())
	}
}

func TestReverseDNSPaging(t *testing.T) {
	t.Run("a page smaller than asked", func(t *testing.T) {
		acc := newDNSAccount(t)
		for i := range 250 {
			acc.add(fmt.Sprintf("10.5.0.%d", i+1), "example.com", "")
		}
		acc.pageCap = 100
		all, err := acc.client(t).ReverseDNSRecords(t.Context())
		if err != nil || len(all) != 250 || all[249].IP != "10.5.0.250" {
			t.Fatalf("%d records %v, want 250", len(all), err)
		}
		// Pages of 100 overlapping by one: offsets 0, 99, 198; the last, shorter, ends the list.
		if want := []string{"limit=500&offset=0", "limit=500&offset=99", "limit=500&offset=198"}; !slices.Equal(acc.queries, want) {
			t.Fatalf("queries %v, want %v", acc.queries, want)
		}
	})
	t.Run("a record created between two pages", func(t *testing.T) {
		acc := newDNSAccount(t)
		for _, ip := range []string{"192.0.2.10", "192.0.2.20", "192.0.2.30", "192.0.2.40", "192.0.2.50"} {
			acc.add(ip, "example.com", "")
		}
		acc.after[calls.V3ReverseDNSList] = func() {
			acc.set(func() {
				acc.add("192.0.2.15", "example.com", "") // sorts into the first page: the second begins elsewhere
				delete(acc.after, calls.V3ReverseDNSList)
			})
		}
		all, err := acc.client(t, func(c *sendgrid.Config) { c.PageSize = 2 }).ReverseDNSRecords(t.Context())
		if want := []string{"1=192.0.2.10", "6=192.0.2.15", "2=192.0.2.20", "3=192.0.2.30", "4=192.0.2.40", "5=192.0.2.50"}; err != nil || !slices.Equal(rdnsIDs(all), want) {
			t.Fatalf("%v %v, want %v", rdnsIDs(all), err, want)
		}
		// Two pages until the change shows, then the whole list again: 6 pages of 2 overlapping by one.
		if n := acc.count(""); n != 8 {
			t.Fatalf("%d calls %v, want 8", n, acc.queries)
		}
	})
	t.Run("a huge answer refused", func(t *testing.T) {
		huge := "[" + strings.Repeat(" ", 4<<20) + "]"
		base, n := cannedServer(t, respondWith(200, nil, huge))
		_, err := newClient(t, sendgrid.APIv3, base).ReverseDNSRecords(t.Context())
		if !errors.Is(err, sendgrid.ErrTooLarge) || !strings.HasPrefix(err.Error(), "sendgrid GET /v3/whitelabel/ips: answer too large") {
			t.Fatalf("want ErrTooLarge, got %v", err)
		}
		if n.Load() != 9 { // limit 500 halved down to 1: 500, 250, 125, 62, 31, 15, 7, 3, 1
			t.Fatalf("%d calls, want 9", n.Load())
		}
	})
}

// TestReverseDNSReadCost: 1,200 records read by 1,200 concurrent ReverseDNS calls cost one scan:
// pages of 500 overlapping by one (offsets 0, 499, 998), the last shorter; no direct read.
func TestReverseDNSReadCost(t *testing.T) {
	acc := newDNSAccount(t)
	ids := make(map[int64]string, 1200)
	for i := range 1200 {
		ip := fmt.Sprintf("10.6.%d.%d", i/250, i%250+1)
		ids[acc.add(ip, "example.com", "")] = ip
	}
	c := acc.client(t)
	var wg sync.WaitGroup
	for id, ip := range ids {
		wg.Go(func() {
			if r, err := c.ReverseDNS(t.Context(), id); err != nil || r.ID != id || r.IP != ip {
				t.Errorf("record %d: %+v %v", id, r, err)
			}
		})
	}
	wg.Wait()
	if want := []string{"limit=500&offset=0", "limit=500&offset=499", "limit=500&offset=998"}; acc.count("") != 3 || !slices.Equal(acc.queries, want) {
		t.Fatalf("calls %v %v, want 3 list pages %v", acc.sent(), acc.queries, want)
	}
	if all, err := c.ReverseDNSRecords(t.Context()); err != nil || len(all) != 1200 || acc.count("") != 3 {
		t.Fatalf("records after: %d %v, %d calls", len(all), err, acc.count(""))
	}
}

// TestReverseDNSCreateRetriedAfter429: a 429 is retried, and the retry makes one record.
func TestReverseDNSCreateRetriedAfter429(t *testing.T) {
	acc := newDNSAccount(t, "192.0.2.1")
	acc.fail[calls.V3CreateReverseDNS] = func(w http.ResponseWriter, r *http.Request) {
		acc.set(func() { delete(acc.fail, calls.V3CreateReverseDNS) })
		respondWith(429, map[string]string{"Retry-After": "0"}, `{"errors":[{"field":null,"message":"too many requests"}]}`)(w, r)
	}
	c := acc.client(t)
	got, err := c.CreateReverseDNS(t.Context(), "192.0.2.1", "example.com", "")
	if err != nil || got.ID != 1 || got.IP != "192.0.2.1" {
		t.Fatalf("%+v %v", got, err)
	}
	all, err := c.ReverseDNSRecords(t.Context())
	if err != nil || !slices.Equal(rdnsIDs(all), []string{"1=192.0.2.1"}) || len(acc.records) != 1 {
		t.Fatalf("records %v %v; the account holds %d", rdnsIDs(all), err, len(acc.records))
	}
	if want := []string{calls.V3CreateReverseDNS, calls.V3CreateReverseDNS, calls.V3ReverseDNSList, calls.V3ReverseDNSList}; !slices.Equal(acc.sent(), want) {
		t.Fatalf("calls %v, want %v", acc.sent(), want)
	}
}

// TestReverseDNSReadsAfterWrites: reads after a write see it without a call; a record validated,
// or written with an unknown outcome, is read directly once; an id the scan lacks is confirmed.
func TestReverseDNSReadsAfterWrites(t *testing.T) {
	acc := newDNSAccount(t, "192.0.2.1", "192.0.2.2", "192.0.2.3", "192.0.2.4")
	acc.add("192.0.2.1", "example.com", "")
	acc.add("192.0.2.2", "example.com", "")
	c := acc.client(t)
	ctx := t.Context()
	if all, err := c.ReverseDNSRecords(ctx); err != nil || !slices.Equal(rdnsIDs(all), []string{"1=192.0.2.1", "2=192.0.2.2"}) || acc.count("") != 2 {
		t.Fatalf("%v %v in %d calls", rdnsIDs(all), err, acc.count(""))
	}
	acc.reset()
	created, err := c.CreateReverseDNS(ctx, "192.0.2.3", "example.com", "")
	if err != nil {
		t.Fatal(err)
	}
	if r, err := c.ReverseDNS(ctx, created.ID); err != nil || r != created {
		t.Fatalf("created: %+v %v", r, err)
	}
	if err := c.DeleteReverseDNS(ctx, 1); err != nil {
		t.Fatal(err)
	}
	if _, err := c.ReverseDNS(ctx, 1); !errors.Is(err, sendgrid.ErrReverseDNSNotFound) {
		t.Fatalf("deleted: %v", err)
	}
	if all, err := c.ReverseDNSRecords(ctx); err != nil || !slices.Equal(rdnsIDs(all), []string{"2=192.0.2.2", "3=192.0.2.3"}) {
		t.Fatalf("after create and delete: %v %v", rdnsIDs(all), err)
	}
	if want := []string{calls.V3CreateReverseDNS, calls.V3DeleteReverseDNS}; !slices.Equal(acc.sent(), want) {
		t.Fatalf("calls %v, want only the writes %v", acc.sent(), want)
	}
	if err := c.DeleteReverseDNS(ctx, 1); !errors.Is(err, sendgrid.ErrReverseDNSNotFound) {
		t.Fatalf("deleted twice: %v", err)
	}

	// A validation changes "valid": the next read is a direct one, then trusted.
	acc.reset()
	acc.set(func() { acc.valid = true })
	if v, err := c.ValidateReverseDNS(ctx, 2); err != nil || v != (sendgrid.Validation{Valid: true}) {
		t.Fatalf("validation %+v %v", v, err)
	}
	for range 2 {
		if r, err := c.ReverseDNS(ctx, 2); err != nil || !r.Valid || !r.ARecord.Valid {
			t.Fatalf("after validation: %+v %v", r, err)
		}
	}
	acc.set(func() { acc.valid = false })
	if v, err := c.ValidateReverseDNS(ctx, 3); err != nil || v != (sendgrid.Validation{Reason: "Failed to resolve A Record at o3.example.com"}) {
		t.Fatalf("failed validation %+v %v", v, err)
	}
	if want := []string{calls.V3ValidateReverseDNS, calls.V3ReverseDNS, calls.V3ValidateReverseDNS}; !slices.Equal(acc.sent(), want) {
		t.Fatalf("calls %v, want %v", acc.sent(), want)
	}

	// Records the scan lacks: created by someone else since (found), and none (not found); each read once.
	acc.reset()
	acc.set(func() { acc.add("192.0.2.4", "example.net", "") })
	for range 2 {
		if r, err := c.ReverseDNS(ctx, 4); err != nil || r.IP != "192.0.2.4" || r.Domain != "example.net" {
			t.Fatalf("added since the scan: %+v %v", r, err)
		}
		if _, err := c.ReverseDNS(ctx, 99); !errors.Is(err, sendgrid.ErrReverseDNSNotFound) || !strings.Contains(err.Error(), "for reverse DNS record 99") {
			t.Fatalf("none: %v", err)
		}
	}
	if n := acc.count(calls.V3ReverseDNS); n != 2 || acc.count("") != 2 {
		t.Fatalf("calls %v, want one direct read of each", acc.sent())
	}

	// A create whose answer is lost: the next list reads that IP's records directly, once.
	acc.reset()
	acc.set(func() {
		acc.fail[calls.V3CreateReverseDNS] = func(http.ResponseWriter, *http.Request) {
			acc.set(func() {
				if !slices.ContainsFunc(acc.records, func(r map[string]any) bool { return r["ip"] == "192.0.2.4" && r["domain"] == "example.org" }) {
					acc.add("192.0.2.4", "example.org", "")
				}
			})
			panic(http.ErrAbortHandler)
		}
	})
	if _, err := c.CreateReverseDNS(ctx, "192.0.2.4", "example.org", ""); !errors.Is(err, sendgrid.ErrTransport) || !strings.Contains(err.Error(), `for IP "192.0.2.4"`) {
		t.Fatalf("a lost answer: %v", err)
	}
	acc.reset()
	for range 2 {
		all, err := c.ReverseDNSRecords(ctx)
		if want := []string{"2=192.0.2.2", "3=192.0.2.3", "4=192.0.2.4", "5=192.0.2.4"}; err != nil || !slices.Equal(rdnsIDs(all), want) {
			t.Fatalf("after a lost answer: %v %v, want %v", rdnsIDs(all), err, want)
		}
	}
	// Record 3, validated and not read since, is read directly too.
	if want := []string{calls.V3ReverseDNS, calls.V3ReverseDNSList, calls.V3ReverseDNSList}; !slices.Equal(acc.sent(), want) {
		t.Fatalf("calls %v, want %v", acc.sent(), want)
	}
	if want := []string{"", "ip=192.0.2.4&limit=500&offset=0", "ip=192.0.2.4&limit=500&offset=1"}; !slices.Equal(acc.queries, want) {
		t.Fatalf("queries %v, want %v", acc.queries, want)
	}

	// A delete whose answer is lost: the next read of that record is a direct one.
	acc.reset()
	acc.set(func() {
		acc.fail[calls.V3DeleteReverseDNS] = func(http.ResponseWriter, *http.Request) {
			acc.set(func() {
				if i, _ := acc.record("2"); i >= 0 {
					acc.records = slices.Delete(acc.records, i, i+1)
				}
			})
			panic(http.ErrAbortHandler)
		}
	})
	if err := c.DeleteReverseDNS(ctx, 2); !errors.Is(err, sendgrid.ErrTransport) {
		t.Fatalf("a lost answer: %v", err)
	}
	acc.reset()
	if _, err := c.ReverseDNS(ctx, 2); !errors.Is(err, sendgrid.ErrReverseDNSNotFound) || !slices.Equal(acc.sent(), []string{calls.V3ReverseDNS}) {
		t.Fatalf("after a lost delete: %v, calls %v", err, acc.sent())
	}
}
