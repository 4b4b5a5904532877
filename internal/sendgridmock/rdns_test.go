package sendgridmock

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/calls"
	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/contract"
)

// rdnsSeed is testSeed with .3 without reverse DNS: the default records are .1=1, .2=2, .4=3, .9=4, .10=5.
func rdnsSeed() Seed {
	seed := testSeed()
	seed.IPsWithoutRDNS = []string{"192.0.2.3"}
	return seed
}

// rdnsJSON renders one expected ReverseDns object; users are "name:id" pairs.
func rdnsJSON(id int, ip, rdns, subdomain, domain string, valid bool, users ...string) string {
	us := make([]string, len(users))
	for k, u := range users {
		name, uid, _ := strings.Cut(u, ":")
		us[k] = fmt.Sprintf(`{"username":%q,"user_id":%s}`, name, uid)
	}
	return fmt.Sprintf(`{"id":%d,"ip":%q,"rdns":%q,"users":[%s],"subdomain":%q,"domain":%q,"valid":%t,"legacy":false,`+
		`"a_record":{"valid":%t,"type":"a","host":%q,"data":%q}}`,
		id, ip, rdns, strings.Join(us, ","), subdomain, domain, valid, valid, rdns, ip)
}

// seeded renders a default record of rdnsSeed.
func seeded(id int, ip string, users ...string) string {
	return rdnsJSON(id, ip, rdnsOf(ip), "ptr", "mock.example", true, users...)
}

// recordState renders the account's records, "1=192.0.2.1 o192-0-2-1.ptr.mock.example valid;...", ascending by id.
func recordState(s *Server) string {
	var parts []string
	for _, r := range s.ReverseDNSRecords() {
		v := "invalid"
		if r.Valid {
			v = "valid"
		}
		parts = append(parts, fmt.Sprintf("%d=%s %s %s", r.ID, r.IP, r.RDNS, v))
	}
	return strings.Join(parts, ";")
}

func validateJSON(id int, valid bool, host string) string {
	reason := "null"
	if !valid {
		reason = fmt.Sprintf(`"Failed to resolve A Record at %s: lookup %s: no such host"`, host, host)
	}
	return fmt.Sprintf(`{"id":%d,"valid":%t,"validation_results":{"a_record":{"valid":%t,"reason":%s}}}`, id, valid, valid, reason)
}

func TestV3ReverseDNSCalls(t *testing.T) {
	const seededState = "1=192.0.2.1 o192-0-2-1.ptr.mock.example valid;2=192.0.2.2 o192-0-2-2.ptr.mock.example valid;" +
		"3=192.0.2.4 o192-0-2-4.ptr.mock.example valid;4=192.0.2.9 o192-0-2-9.ptr.mock.example valid;" +
		"5=192.0.2.10 o192-0-2-10.ptr.mock.example valid"
	r1, r2 := seeded(1, "192.0.2.1", "alice:1"), seeded(2, "192.0.2.2", "alice:1", "bob:2")
	r5 := seeded(5, "192.0.2.10")
	created := func(rdns, sub, domain string) string {
		return rdnsJSON(6, "192.0.2.3", rdns, sub, domain, false, "carol:3")
	}
	long := strings.Repeat("a", 63)
	tests := []struct {
		name, method, path, body string
		status                   int
		want, records            string // records: recordState afterwards
	}{
		{"list", "GET", "v3/whitelabel/ips", "", 200, arr(r1, r2, seeded(3, "192.0.2.4", "dan:4", "erin:5"),
			seeded(4, "192.0.2.9"), r5), seededState},
		{"list by ip prefix", "GET", "v3/whitelabel/ips?ip=192.0.2.1", "", 200, arr(r1, r5), seededState},
		{"list by foreign prefix", "GET", "v3/whitelabel/ips?ip=198.", "", 200, `[]`, seededState},
		{"get", "GET", "v3/whitelabel/ips/2", "", 200, r2, seededState},
		{"get unknown", "GET", "v3/whitelabel/ips/99", "", 404, v3Err("", msgRDNSNotFound), seededState},
		{"get not a number", "GET", "v3/whitelabel/ips/abc", "", 404, v3Err("", msgRDNSNotFound), seededState},
		{"create", "POST", "v3/whitelabel/ips", `{"ip":"192.0.2.3","domain":"example.com","subdomain":"email"}`, 201,
			created("o6.email.example.com", "email", "example.com"), seededState + ";6=192.0.2.3 o6.email.example.com invalid"},
		{"create without subdomain", "POST", "v3/whitelabel/ips", `{"ip":"192.0.2.3","domain":"example.com"}`, 201,
			created("o6.example.com", "", "example.com"), seededState + ";6=192.0.2.3 o6.example.com invalid"},
		{"create mixed case, deep", "POST", "v3/whitelabel/ips", `{"ip":"192.0.2.3","domain":"Mail.Example.COM","subdomain":"a.b-2"}`, 201,
			created("o6.a.b-2.Mail.Example.COM", "a.b-2", "Mail.Example.COM"), seededState + ";6=192.0.2.3 o6.a.b-2.Mail.Example.COM invalid"},
		{"create 63-character label", "POST", "v3/whitelabel/ips", `{"ip":"192.0.2.3","domain":"` + long + `.com"}`, 201,
			created("o6."+long+".com", "", long+".com"), seededState + ";6=192.0.2.3 o6." + long + ".com invalid"},
		{"create one label", "POST", "v3/whitelabel/ips", `{"ip":"192.0.2.3","domain":"example"}`, 400, v3Err("domain", msgRDNSBadDomain), seededState},
		{"create 64-character label", "POST", "v3/whitelabel/ips", `{"ip":"192.0.2.3","domain":"` + long + `a.com"}`, 400, v3Err("domain", msgRDNSBadDomain), seededState},
		{"create leading hyphen", "POST", "v3/whitelabel/ips", `{"ip":"192.0.2.3","domain":"-x.com"}`, 400, v3Err("domain", msgRDNSBadDomain), seededState},
		{"create trailing hyphen", "POST", "v3/whitelabel/ips", `{"ip":"192.0.2.3","domain":"x-.com"}`, 400, v3Err("domain", msgRDNSBadDomain), seededState},
		{"create empty label", "POST", "v3/whitelabel/ips", `{"ip":"192.0.2.3","domain":"a..com"}`, 400, v3Err("domain", msgRDNSBadDomain), seededState},
		{"create underscore", "POST", "v3/whitelabel/ips", `{"ip":"192.0.2.3","domain":"ex_ample.com"}`, 400, v3Err("domain", msgRDNSBadDomain), seededState},
		{"create too long", "POST", "v3/whitelabel/ips", `{"ip":"192.0.2.3","domain":"` + strings.Repeat(long+".", 4) + `com"}`, 400, v3Err("domain", msgRDNSBadDomain), seededState},
		{"create .invalid", "POST", "v3/whitelabel/ips", `{"ip":"192.0.2.3","domain":"bounce.mail.invalid"}`, 400, v3Err("domain", msgRDNSRefused), seededState},
		{"create bad subdomain", "POST", "v3/whitelabel/ips", `{"ip":"192.0.2.3","domain":"example.com","subdomain":"e mail"}`, 400, v3Err("subdomain", msgRDNSBadSub), seededState},
		{"create subdomain dot", "POST", "v3/whitelabel/ips", `{"ip":"192.0.2.3","domain":"example.com","subdomain":"email."}`, 400, v3Err("subdomain", msgRDNSBadSub), seededState},
		{"create foreign IP", "POST", "v3/whitelabel/ips", `{"ip":"198.51.100.1","domain":"example.com"}`, 400, v3Err("ip", msgRDNSIPNotFound), seededState},
		{"create not an IP", "POST", "v3/whitelabel/ips", `{"ip":"mail","domain":"example.com"}`, 400, v3Err("ip", msgRDNSIPNotFound), seededState},
		{"create IP with a record", "POST", "v3/whitelabel/ips", `{"ip":"192.0.2.2","domain":"example.com"}`, 400,
			v3Err("ip", "ip address already has reverse DNS record 2"), seededState},
		{"create array", "POST", "v3/whitelabel/ips", `["192.0.2.3"]`, 400, v3Err("", msgRDNSBody), seededState},
		{"create without domain", "POST", "v3/whitelabel/ips", `{"ip":"192.0.2.3"}`, 400, v3Err("domain", msgRDNSDomain), seededState},
		{"create without ip", "POST", "v3/whitelabel/ips", `{"domain":"example.com"}`, 400, v3Err("ip", msgRDNSIP), seededState},
		{"create numeric ip", "POST", "v3/whitelabel/ips", `{"ip":1,"domain":"example.com"}`, 400, v3Err("ip", msgRDNSIP), seededState},
		{"create numeric subdomain", "POST", "v3/whitelabel/ips", `{"ip":"192.0.2.3","domain":"example.com","subdomain":1}`, 400,
			v3Err("subdomain", msgRDNSSubdomain), seededState},
		{"delete", "DELETE", "v3/whitelabel/ips/2", "", 204, "", strings.Replace(seededState, "2=192.0.2.2 o192-0-2-2.ptr.mock.example valid;", "", 1)},
		{"delete unknown", "DELETE", "v3/whitelabel/ips/6", "", 404, v3Err("", msgRDNSNotFound), seededState},
		{"delete not a number", "DELETE", "v3/whitelabel/ips/x1", "", 404, v3Err("", msgRDNSNotFound), seededState},
		{"validate unpublished", "POST", "v3/whitelabel/ips/1/validate", "", 200, validateJSON(1, false, rdnsOf("192.0.2.1")),
			strings.Replace(seededState, "ptr.mock.example valid;2=", "ptr.mock.example invalid;2=", 1)},
		{"validate unknown", "POST", "v3/whitelabel/ips/9/validate", "", 404, `{"errors":[{"message":"Reverse DNS record not found."}]}`, seededState},
	}
	offContractAt := map[string]string{ // requests sent off the contract on purpose
		"create array": "body", "create without domain": "body", "create without ip": "body",
		"create numeric ip": "body $.ip", "create numeric subdomain": "body $.subdomain",
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := StartTest(t, rdnsSeed())
			got := v3req(t, s, tt.method, tt.path, bearer, tt.body)
			if where, ok := offContractAt[tt.name]; ok {
				offContract(t, s, "request", where)
			}
			ctype := "application/json"
			if tt.status == 204 {
				ctype = ""
			}
			wantReply(t, got, tt.status, ctype, tt.want)
			if r := recordState(s); r != tt.records {
				t.Errorf("records\n%s\nwant\n%s", r, tt.records)
			}
		})
	}
}

// An IP is whitelabeled exactly while it has a record, and pools take it then; ids are never reused.
func TestV3ReverseDNSShowsInIPs(t *testing.T) {
	s := StartTest(t, rdnsSeed())
	ipRow := func(ip string) v3IPRow {
		var row v3IPRow
		decodeJSON(t, v3get(t, s, "v3/ips/"+ip).body, &row)
		return row
	}
	if row := ipRow("192.0.2.3"); row.Whitelabeled || row.RDNS != "" {
		t.Fatalf("before: %+v", row)
	}
	if r := v3req(t, s, "POST", "v3/ips/pools", bearer, `{"name":"p"}`); r.status != 200 {
		t.Fatal(r)
	}
	wantReply(t, v3req(t, s, "POST", "v3/ips/pools/p/ips", bearer, `{"ip":"192.0.2.3"}`), 400, "application/json",
		v3Err("ip", fmt.Sprintf(msgNoRDNS, "192.0.2.3")))
	v3req(t, s, "POST", "v3/whitelabel/ips", bearer, `{"ip":"192.0.2.3","domain":"example.com","subdomain":"em"}`)
	if row := ipRow("192.0.2.3"); !row.Whitelabeled || row.RDNS != "o6.em.example.com" {
		t.Errorf("after create: %+v", row)
	}
	wantReply(t, v3get(t, s, "v3/ips?limit=1&offset=2"), 200, "application/json",
		`[{"ip":"192.0.2.3","subusers":["carol"],"pools":[],"warmup":false,"start_date":null,"whitelabeled":true,"assigned_at":null,"rdns":"o6.em.example.com"}]`)
	wantReply(t, v3req(t, s, "POST", "v3/ips/pools/p/ips", bearer, `{"ip":"192.0.2.3"}`), 201, "application/json",
		`{"ip":"192.0.2.3","pools":["p"],"start_date":0,"warmup":false}`) // an invalid record is enough
	wantReply(t, v3req(t, s, "DELETE", "v3/whitelabel/ips/6", bearer, ""), 204, "", "")
	if row := ipRow("192.0.2.3"); row.Whitelabeled || row.RDNS != "" || !slices.Equal(row.Pools, []string{"p"}) {
		t.Errorf("after delete: %+v", row)
	}
	v3req(t, s, "POST", "v3/whitelabel/ips", bearer, `{"ip":"192.0.2.3","domain":"example.com"}`)
	if err := s.DeleteReverseDNS("192.0.2.1"); err != nil {
		t.Fatal(err)
	}
	if row := ipRow("192.0.2.1"); row.Whitelabeled || row.RDNS != "" {
		t.Errorf("after DeleteReverseDNS: %+v", row)
	}
	for _, ip := range []string{"192.0.2.1", "198.51.100.1", "x"} {
		if err := s.DeleteReverseDNS(ip); err == nil {
			t.Errorf("DeleteReverseDNS(%s): no error", ip)
		}
	}
	want := "2=192.0.2.2 o192-0-2-2.ptr.mock.example valid;3=192.0.2.4 o192-0-2-4.ptr.mock.example valid;" +
		"4=192.0.2.9 o192-0-2-9.ptr.mock.example valid;5=192.0.2.10 o192-0-2-10.ptr.mock.example valid;" +
		"7=192.0.2.3 o7.example.com invalid"
	if r := recordState(s); r != want {
		t.Errorf("records\n%s\nwant\n%s", r, want)
	}
}

// Validation fails until the A record is published and its announced failures are spent; each attempt is dated.
func TestV3ReverseDNSValidation(t *testing.T) {
	clock := &fakeClock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	s := startWithClock(t, rdnsSeed(), clock)
	c, err := contract.Default()
	if err != nil {
		t.Fatal(err)
	}
	s.CheckContract(c)
	v3req(t, s, "POST", "v3/whitelabel/ips", bearer, `{"ip":"192.0.2.3","domain":"example.com","subdomain":"em"}`)
	const host = "o6.em.example.com"
	validate := func(valid bool) {
		t.Helper()
		wantReply(t, v3req(t, s, "POST", "v3/whitelabel/ips/6/validate", bearer, ""), 200, "application/json", validateJSON(6, valid, host))
		rec := s.ReverseDNSRecords()[5]
		if rec.Valid != valid || !rec.LastValidationAttemptAt.Equal(clock.Now()) {
			t.Errorf("record %+v, want valid %v validated at %v", rec, valid, clock.Now())
		}
		wantReply(t, v3get(t, s, "v3/whitelabel/ips/6"), 200, "application/json", strings.Replace(
			rdnsJSON(6, "192.0.2.3", host, "em", "example.com", valid, "carol:3"),
			`"legacy":false,`, fmt.Sprintf(`"legacy":false,"last_validation_attempt_at":%d,`, clock.Now().Unix()), 1))
		clock.Add(time.Minute)
	}
	validate(false)
	s.PublishARecord("192.0.2.3", 2)
	validate(false)
	validate(false)
	validate(true)
	validate(true)
	s.UnpublishARecord("192.0.2.3")
	validate(false)
	s.PublishARecord("192.0.2.3", 0)
	validate(true)
	if vs := s.TakeContractViolations(); len(vs) > 0 {
		t.Errorf("violations: %v", vs)
	}
}

// GET /v3/whitelabel/ips pages as GET /v3/ips does: limit and offset, the page cap and the page switches.
func TestV3ReverseDNSPaging(t *testing.T) {
	s := StartTest(t, pagingSeed())
	ids := func(path string) []int {
		t.Helper()
		r := v3get(t, s, path)
		if r.status != 200 {
			t.Fatalf("%s: %d %s", path, r.status, r.body)
		}
		var rows []struct{ ID int }
		decodeJSON(t, r.body, &rows)
		out := []int{}
		for _, row := range rows {
			out = append(out, row.ID)
		}
		return out
	}
	var all []int
	for off := 0; ; off++ {
		page := ids(fmt.Sprintf("v3/whitelabel/ips?limit=1&offset=%d", off))
		if len(page) == 0 {
			break
		}
		all = append(all, page...)
	}
	want := make([]int, 25)
	for k := range want {
		want[k] = k + 1
	}
	if !slices.Equal(all, want) || s.Count(calls.V3ReverseDNSList, "") != 26 {
		t.Errorf("limit 1: ids %v in %d requests", all, s.Count(calls.V3ReverseDNSList, ""))
	}
	for _, tt := range []struct {
		do   func()
		path string
		want []int
	}{
		{nil, "v3/whitelabel/ips", want[:10]},
		{nil, "v3/whitelabel/ips?limit=500&offset=20", want[20:]},
		{nil, "v3/whitelabel/ips?ip=198.51.100.1&limit=5", []int{1, 10, 11, 12, 13}},
		{nil, "v3/whitelabel/ips?ip=198.51.100.1&limit=5&offset=10", []int{19}},
		{nil, "v3/whitelabel/ips?ip=198.51.100.25", []int{25}},
		{func() { s.SetPageCap(3) }, "v3/whitelabel/ips?limit=5&offset=4", []int{5, 6, 7}},
		{func() { s.SetPageCap(0); s.SetEmptyPage(calls.V3ReverseDNSList, 5, 1) }, "v3/whitelabel/ips?limit=5&offset=5", []int{}},
		{nil, "v3/whitelabel/ips?limit=5&offset=5", want[5:10]},
		{func() { s.SetDuplicateAcrossPages(calls.V3ReverseDNSList, 5, 1) }, "v3/whitelabel/ips?limit=5&offset=5", []int{1, 7, 8, 9, 10}},
		{nil, "v3/whitelabel/ips?limit=5&offset=5", want[5:10]},
	} {
		if tt.do != nil {
			tt.do()
		}
		if got := ids(tt.path); !slices.Equal(got, tt.want) {
			t.Errorf("%s: ids %v, want %v", tt.path, got, tt.want)
		}
	}
	wantReply(t, v3get(t, s, "v3/whitelabel/ips?limit=0"), 400, "application/json", v3Err("limit", msgV3Limit))
	wantReply(t, v3get(t, s, "v3/whitelabel/ips?limit=501"), 400, "application/json", v3Err("limit", msgV3Limit))
	wantReply(t, v3get(t, s, "v3/whitelabel/ips?offset=x"), 400, "application/json", v3Err("offset", msgV3Offset))
	offContract(t, s, "request", "query offset")
}

// Faults reach the reverse DNS calls; a write's fault applies it first exactly when AfterProcessing, and a
// validation cut short spends none of the failures to come.
func TestV3ReverseDNSFaults(t *testing.T) {
	for _, after := range []bool{false, true} {
		s := StartTest(t, rdnsSeed())
		s.PublishARecord("192.0.2.1", 1)
		s.InjectFault(Fault{Kind: FaultServerError, Call: calls.V3CreateReverseDNS, AfterProcessing: after})
		s.InjectFault(Fault{Kind: FaultTruncatedJSON, Call: calls.V3ValidateReverseDNS, AfterProcessing: after})
		s.InjectFault(Fault{Kind: FaultUnavailable, Call: calls.V3ReverseDNSList})
		wantReply(t, v3req(t, s, "POST", "v3/whitelabel/ips", bearer, `{"ip":"192.0.2.3","domain":"example.com"}`),
			500, "application/json", v3ServerErrorBody)
		full := validateJSON(1, false, rdnsOf("192.0.2.1"))
		wantReply(t, v3req(t, s, "POST", "v3/whitelabel/ips/1/validate", bearer, ""), 200, "application/json", full[:len(full)/2])
		wantReply(t, v3get(t, s, "v3/whitelabel/ips?ip=192.0.2.3"), 503, "text/html", unavailableBody)
		if n := len(s.ReverseDNSRecords()); n != map[bool]int{false: 5, true: 6}[after] {
			t.Errorf("after=%v: %d records", after, n)
		}
		// The first failure is spent only when the cut validation was processed.
		wantReply(t, v3req(t, s, "POST", "v3/whitelabel/ips/1/validate", bearer, ""), 200, "application/json",
			validateJSON(1, after, rdnsOf("192.0.2.1")))
		if s.FaultsInjected() != 3 {
			t.Errorf("FaultsInjected = %d", s.FaultsInjected())
		}
	}
}

// Each call refuses a missing or wrong key with 401, changing nothing; the log names and counts each call.
func TestV3ReverseDNSAuthAndLog(t *testing.T) {
	s := StartTest(t, rdnsSeed())
	cases := []struct{ call, method, path, body string }{
		{calls.V3ReverseDNSList, "GET", "v3/whitelabel/ips?ip=192.0.2.1", ""},
		{calls.V3CreateReverseDNS, "POST", "v3/whitelabel/ips", `{"ip":"192.0.2.3","domain":"example.com"}`},
		{calls.V3ReverseDNS, "GET", "v3/whitelabel/ips/1", ""},
		{calls.V3ValidateReverseDNS, "POST", "v3/whitelabel/ips/1/validate", ""},
		{calls.V3DeleteReverseDNS, "DELETE", "v3/whitelabel/ips/1", ""},
	}
	for _, c := range cases {
		wantReply(t, v3req(t, s, c.method, c.path, "Bearer nope", c.body), 401, "application/json", v3Err("", msgV3Auth))
		wantReply(t, v3req(t, s, c.method, c.path, "", c.body), 401, "application/json", v3Err("", msgV3Auth))
		offContract(t, s, "request", "header Authorization")
	}
	if r := recordState(s); !strings.HasPrefix(r, "1=192.0.2.1 o192-0-2-1.ptr.mock.example valid;") || strings.Contains(r, "6=") {
		t.Errorf("records %s", r)
	}
	s.ResetRequests()
	for _, c := range cases {
		v3req(t, s, c.method, c.path, bearer, c.body)
	}
	wantReply(t, v3req(t, s, "PUT", "v3/whitelabel/ips/1", bearer, ""), 405, "application/json", v3Err("", msgV3Method))
	offContract(t, s, "request", "")
	type entry struct {
		call   string
		ips    []string
		status int
	}
	want := []entry{
		{calls.V3ReverseDNSList, []string{"192.0.2.1"}, 200}, {calls.V3CreateReverseDNS, []string{"192.0.2.3"}, 201},
		{calls.V3ReverseDNS, nil, 200}, {calls.V3ValidateReverseDNS, nil, 200}, {calls.V3DeleteReverseDNS, nil, 204}, {"", nil, 405},
	}
	var got []entry
	for _, r := range s.Requests() {
		got = append(got, entry{r.Call, r.IPs, r.Status})
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("log =\n%+v\nwant\n%+v", got, want)
	}
	for _, c := range cases {
		if n := s.Count(c.call, ""); n != 1 {
			t.Errorf("Count(%s) = %d", c.call, n)
		}
	}
}

// Seeds with records are checked as strictly as the API checks a new one, and round-trip through Snapshot and a file.
func TestReverseDNSSeeds(t *testing.T) {
	for name, tt := range map[string]struct {
		records []SeedReverseDNS
		noRDNS  []string
		want    string
	}{
		"foreign IP":          {[]SeedReverseDNS{{IP: "198.51.100.1", Domain: "example.com"}}, nil, "198.51.100.1 is not one of"},
		"not an IP":           {[]SeedReverseDNS{{IP: "x", Domain: "example.com"}}, nil, "IP x is not one of"},
		"IP twice":            {[]SeedReverseDNS{{IP: "192.0.2.1", Domain: "a.com"}, {IP: "::ffff:192.0.2.1", Domain: "b.com"}}, nil, "listed twice"},
		"also without rdns":   {[]SeedReverseDNS{{IP: "192.0.2.3", Domain: "a.com"}}, []string{"192.0.2.3"}, "also in ips_without_rdns"},
		"id twice":            {[]SeedReverseDNS{{ID: 4, IP: "192.0.2.1", Domain: "a.com"}, {ID: 4, IP: "192.0.2.2", Domain: "a.com"}}, nil, "id 4"},
		"negative id":         {[]SeedReverseDNS{{ID: -1, IP: "192.0.2.1", Domain: "a.com"}}, nil, "id -1"},
		"no domain":           {[]SeedReverseDNS{{IP: "192.0.2.1"}}, nil, msgRDNSBadDomain},
		".invalid":            {[]SeedReverseDNS{{IP: "192.0.2.1", Domain: "x.invalid"}}, nil, msgRDNSRefused},
		"bad subdomain":       {[]SeedReverseDNS{{IP: "192.0.2.1", Domain: "a.com", Subdomain: "-"}}, nil, msgRDNSBadSub},
		"bad rdns":            {[]SeedReverseDNS{{IP: "192.0.2.1", Domain: "a.com", RDNS: "o 1.a.com"}}, nil, "rdns"},
		"foreign IP no rdns:": {nil, []string{"198.51.100.1"}, "ips_without_rdns"},
	} {
		seed := testSeed()
		seed.ReverseDNS, seed.IPsWithoutRDNS = tt.records, tt.noRDNS
		if _, err := New(seed); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err = %v, want one saying %q", name, err, tt.want)
		}
	}
	// Explicit ids are kept; the other records take the free ids in numeric IP order.
	seed := testSeed()
	seed.IPsWithoutRDNS = []string{"192.0.2.9"}
	seed.ReverseDNS = []SeedReverseDNS{{ID: 2, IP: "192.0.2.10", Domain: "example.com", Subdomain: "em"},
		{IP: "192.0.2.3", Domain: "example.org", RDNS: "mail.example.org", Valid: true}}
	s := StartTest(t, seed)
	want := "1=192.0.2.1 o192-0-2-1.ptr.mock.example valid;2=192.0.2.10 o2.em.example.com invalid;" +
		"3=192.0.2.2 o192-0-2-2.ptr.mock.example valid;4=192.0.2.3 mail.example.org valid;5=192.0.2.4 o192-0-2-4.ptr.mock.example valid"
	if r := recordState(s); r != want {
		t.Fatalf("records\n%s\nwant\n%s", r, want)
	}
	wantReply(t, v3req(t, s, "POST", "v3/whitelabel/ips", bearer, `{"ip":"192.0.2.9","domain":"example.net"}`), 201, "application/json",
		rdnsJSON(6, "192.0.2.9", "o6.example.net", "", "example.net", false))
	s.PublishARecord("192.0.2.9", 0)
	v3req(t, s, "POST", "v3/whitelabel/ips/6/validate", bearer, "")
	snap := s.Snapshot()
	wantRecords := []SeedReverseDNS{
		{1, "192.0.2.1", "mock.example", "ptr", rdnsOf("192.0.2.1"), true}, {3, "192.0.2.2", "mock.example", "ptr", rdnsOf("192.0.2.2"), true},
		{4, "192.0.2.3", "example.org", "", "mail.example.org", true}, {5, "192.0.2.4", "mock.example", "ptr", rdnsOf("192.0.2.4"), true},
		{6, "192.0.2.9", "example.net", "", "o6.example.net", true}, {2, "192.0.2.10", "example.com", "em", "o2.em.example.com", false},
	}
	if !reflect.DeepEqual(snap.ReverseDNS, wantRecords) || snap.IPsWithoutRDNS != nil {
		t.Fatalf("snapshot records %+v, without %v", snap.ReverseDNS, snap.IPsWithoutRDNS)
	}
	b, _ := json.Marshal(snap) //nolint:gosec // the test seed's made-up key, written to a temporary file
	path := filepath.Join(t.TempDir(), "seed.json")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	loaded, err := LoadSeedFile(path)
	if err != nil || !reflect.DeepEqual(loaded, snap) {
		t.Fatalf("LoadSeedFile = %+v, %v; want %+v", loaded, err, snap)
	}
	records := s.ReverseDNSRecords()
	if err := s.Reset(loaded); err != nil || !reflect.DeepEqual(s.Snapshot(), snap) {
		t.Errorf("Reset(Snapshot()) = %v, snapshot %+v", err, s.Snapshot())
	}
	for k := range records {
		records[k].LastValidationAttemptAt = time.Time{} // not part of a seed
	}
	if got := s.ReverseDNSRecords(); !reflect.DeepEqual(got, records) {
		t.Errorf("records after Reset\n%+v\nwant\n%+v", got, records)
	}
	// Default records round-trip as none listed; one deleted lists every other.
	s = StartTest(t, rdnsSeed())
	if snap := s.Snapshot(); snap.ReverseDNS != nil {
		t.Errorf("default records listed: %+v", snap.ReverseDNS)
	}
	if err := s.DeleteReverseDNS("192.0.2.10"); err != nil {
		t.Fatal(err)
	}
	if snap := s.Snapshot(); len(snap.ReverseDNS) != 4 || !slices.Equal(snap.IPsWithoutRDNS, []string{"192.0.2.3", "192.0.2.10"}) {
		t.Errorf("after a deletion: %+v", snap)
	}
}

// Each answer has the fields of SendGrid's own example of it (the contract's), no more, no fewer.
func TestV3ReverseDNSAnswersMatchExamples(t *testing.T) {
	s := StartTest(t, rdnsSeed())
	s.PublishARecord("192.0.2.9", 0)
	keys := func(body []byte) []string {
		var v any
		if err := json.Unmarshal(body, &v); err != nil {
			t.Fatalf("%s: %v", body, err)
		}
		if a, ok := v.([]any); ok && len(a) > 0 {
			v = a[0]
		}
		var out []string
		for k := range v.(map[string]any) {
			out = append(out, k)
		}
		slices.Sort(out)
		return out
	}
	for _, tt := range []struct{ op, method, path, body string }{
		{calls.V3CreateReverseDNS, "POST", "v3/whitelabel/ips", `{"ip":"192.0.2.3","domain":"example.com","subdomain":"em"}`},
		{calls.V3ReverseDNSList, "GET", "v3/whitelabel/ips", ""},
		{calls.V3ReverseDNS, "GET", "v3/whitelabel/ips/6", ""},
		{calls.V3ValidateReverseDNS, "POST", "v3/whitelabel/ips/4/validate", ""},
		{calls.V3ValidateReverseDNS, "POST", "v3/whitelabel/ips/99/validate", ""},
		{calls.V3StartWarmup, "POST", "v3/ips/warmup", `{"ip":"192.0.2.1"}`},
		{calls.V3StartWarmup, "POST", "v3/ips/warmup", `{"ip":"198.51.100.1"}`},
		{calls.V3Warmups, "GET", "v3/ips/warmup", ""},
		{"GET /v3/ips/warmup/{ip_address}", "GET", "v3/ips/warmup/192.0.2.1", ""},
		{"GET /v3/ips/warmup/{ip_address}", "GET", "v3/ips/warmup/192.0.2.2", ""},
		{"DELETE /v3/ips/warmup/{ip_address}", "DELETE", "v3/ips/warmup/192.0.2.2", ""},
	} {
		got := v3req(t, s, tt.method, tt.path, bearer, tt.body)
		examples := contract.Examples(tt.op, got.status)
		if len(examples) == 0 {
			t.Errorf("%s %d: the contract has no example", tt.op, got.status)
		}
		for _, ex := range examples {
			if k, want := keys([]byte(got.body)), keys(ex); !slices.Equal(k, want) {
				t.Errorf("%s %d: fields %q, SendGrid's example has %q", tt.op, got.status, k, want)
			}
		}
	}
}
