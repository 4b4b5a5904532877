package contract

import (
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/pb33f/libopenapi-validator/schema_validation"
)

var jsonHeader = http.Header{"Content-Type": {"application/json"}}

func mustDefault(t *testing.T) *Contract {
	t.Helper()
	c, err := Default()
	if err != nil {
		t.Fatalf("the embedded fixture: %v", err)
	}
	return c
}

// request builds a request for op ("GET /v3/ips"), its path parameters filled in, with a bearer key.
func request(t testing.TB, op, query string) *http.Request {
	t.Helper()
	method, path, _ := strings.Cut(op, " ")
	path = strings.NewReplacer("{subuser_name}", "alice", "{pool_name}", "marketing", "{ip}", "192.0.2.1",
		"{ip_address}", "192.0.2.1", "{id}", "7").Replace(path)
	if query != "" {
		path += "?" + query
	}
	r, err := http.NewRequest(method, "http://127.0.0.1:1"+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	r.Header.Set("Authorization", "Bearer k")
	if method == http.MethodPut || method == http.MethodPost {
		r.Header.Set("Content-Type", "application/json")
	}
	return r
}

func TestOperations(t *testing.T) {
	want := []string{"DELETE /v3/ips/pools/{pool_name}", "DELETE /v3/ips/pools/{pool_name}/ips/{ip}",
		"DELETE /v3/ips/warmup/{ip_address}", "DELETE /v3/whitelabel/ips/{id}", "GET /v3/ips",
		"GET /v3/ips/pools", "GET /v3/ips/pools/{pool_name}", "GET /v3/ips/warmup", "GET /v3/ips/warmup/{ip_address}",
		"GET /v3/ips/{ip_address}", "GET /v3/subusers", "GET /v3/whitelabel/ips", "GET /v3/whitelabel/ips/{id}",
		"POST /v3/ips/pools", "POST /v3/ips/pools/{pool_name}/ips", "POST /v3/ips/warmup", "POST /v3/whitelabel/ips",
		"POST /v3/whitelabel/ips/{id}/validate", "PUT /v3/subusers/{subuser_name}/ips"}
	if got := mustDefault(t).Operations(); !slices.Equal(got, want) {
		t.Errorf("operations = %q, want %q", got, want)
	}
}

// A missing, empty or broken fixture is an error, never an empty contract that passes everything.
func TestMissingFixtureIsAnError(t *testing.T) {
	if _, err := LoadFile(filepath.Join(t.TempDir(), "sendgrid-v3.json")); err == nil {
		t.Error("LoadFile of a missing file: no error")
	}
	dir := t.TempDir()
	if _, err := LoadFile(dir); err == nil {
		t.Error("LoadFile of a directory: no error")
	}
	for name, doc := range map[string]string{
		"empty":         "",
		"not JSON":      "<html>",
		"cut":           string(fixture[:len(fixture)/2]),
		"trailing data": string(fixture) + "{}",
		"OpenAPI 3.0":   strings.Replace(string(fixture), `"openapi": "3.1.0"`, `"openapi": "3.0.3"`, 1),
		"no operations": `{"openapi":"3.1.0","info":{"title":"t","version":"1"},"paths":{}}`,
	} {
		if _, err := Parse([]byte(doc)); err == nil {
			t.Errorf("Parse of a fixture %s: no error", name)
		}
	}
	path := filepath.Join(dir, "f.json")
	if err := os.WriteFile(path, fixture, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadFile(path); err != nil {
		t.Errorf("LoadFile of the fixture: %v", err)
	}
}

// Every example in the contract validates against its own schema, with the exceptions applied.
func TestExamplesValidate(t *testing.T) {
	c := mustDefault(t)
	n := 0
	for _, op := range c.Operations() {
		for _, ex := range c.Examples(op, 0) {
			n++
			if vs := c.Check(request(t, op, ""), ex, 0, nil, nil); len(vs) > 0 {
				t.Errorf("%s request example %s: %v", op, ex, vs)
			}
		}
		for status := 100; status < 600; status++ {
			for _, ex := range c.Examples(op, status) {
				n++
				if vs := c.Check(request(t, op, ""), nil, status, jsonHeader, ex); len(vs) > 0 {
					t.Errorf("%s %d example %s: %v", op, status, ex, vs)
				}
			}
		}
	}
	sv := schema_validation.NewSchemaValidator(options...)
	for name, s := range c.model.Components.Schemas.FromOldest() {
		if ex := s.Schema().Example; ex != nil {
			n++
			var v any
			if err := ex.Decode(&v); err != nil {
				t.Fatal(err)
			}
			if ok, errs := sv.ValidateSchemaObject(s.Schema(), v); !ok {
				t.Errorf("component %s example: %v", name, errs)
			}
		}
	}
	t.Logf("%d examples", n)
	if n < 23 { // 17 answers, 3 request bodies, 3 components
		t.Errorf("only %d examples found", n)
	}
}

func TestExamplesAreReachable(t *testing.T) {
	for _, tt := range []struct {
		op     string
		status int
		want   []string
	}{
		{"PUT /v3/subusers/{subuser_name}/ips", 0, []string{`["127.0.0.1"]`}},
		{"PUT /v3/subusers/{subuser_name}/ips", 200, []string{`{"ips":["127.0.0.1"]}`}},
		{"GET /v3/subusers", 401, []string{`{"errors":[{"field":null,"message":"authorization required"}]}`,
			`{"errors":[{"field":"field_name","message":"error message"}]}`}},
		{"GET /v3/ips", 404, nil},
		{"GET /v3/ips/pools", 200, []string{`[{"name":"marketing"},{"name":"transactional"}]`}},
		{"POST /v3/ips/pools", 0, []string{`{"name":"marketing"}`}},
		{"DELETE /v3/ips/pools/{pool_name}", 404, []string{`{"error":"Unable to locate specified IPs Pool"}`}},
		{"POST /v3/ips/pools/{pool_name}/ips", 404, []string{`{"errors":[{"field":null,"message":"resource not found"}]}`}},
		{"GET /v3/nothing", 200, nil},
	} {
		var got []string
		for _, b := range Examples(tt.op, tt.status) {
			got = append(got, string(b))
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("Examples(%q, %d) = %q, want %q", tt.op, tt.status, got, tt.want)
		}
	}
	if got := len(Examples("GET /v3/ips", 200)); got != 1 {
		t.Errorf("GET /v3/ips 200: %d examples", got)
	}
}

// requestBodies are valid bodies of the calls that take one.
var requestBodies = map[string][]byte{
	opSetSubuserIPs: []byte(`["192.0.2.1"]`),
	opCreatePool:    []byte(`{"name":"marketing"}`),
	opAddPoolIP:     []byte(`{"ip":"192.0.2.1"}`),

	opCreateReverseDNS: []byte(`{"ip":"192.0.2.1","subdomain":"email","domain":"example.com"}`),
	opStartWarmup:      []byte(`{"ip":"192.0.2.1"}`),
}

// Each exception is needed, and allows what its name says: an exchange it lets through is a
// violation without it.
func TestEachExceptionIsNeeded(t *testing.T) {
	errBody := []byte(`{"errors":[{"field":null,"message":"m"}]}`)
	ipRow := []byte(`[{"ip":"192.0.2.1","subusers":[],"pools":[],"warmup":false,"start_date":null,"whitelabeled":false,"assigned_at":null}]`)
	type exchange struct {
		op     string
		status int
		body   []byte
	}
	samples := map[string][]exchange{
		"nullable is OpenAPI 3.0":                       {{opListIPs, 200, ipRow}, {opListSubusers, 401, errBody}},
		"GET /v3/ips 400":                               {{opListIPs, 400, errBody}},
		"GET /v3/ips 401":                               {{opListIPs, 401, errBody}},
		"GET /v3/subusers 400":                          {{opListSubusers, 400, errBody}},
		"PUT /v3/subusers/{subuser_name}/ips 400":       {{opSetSubuserIPs, 400, errBody}},
		"PUT /v3/subusers/{subuser_name}/ips 404":       {{opSetSubuserIPs, 404, errBody}},
		"429 on every call":                             {{opListIPs, 429, errBody}, {opListSubusers, 429, errBody}, {opSetSubuserIPs, 429, errBody}},
		"POST /v3/ips/pools 400":                        {{opCreatePool, 400, errBody}},
		"POST /v3/ips/pools/{pool_name}/ips 400":        {{opAddPoolIP, 400, errBody}},
		"GET /v3/ips/{ip_address} 404":                  {{opGetIP, 404, errBody}},
		"GET /v3/whitelabel/ips 400":                    {{opListReverseDNS, 400, errBody}},
		"POST /v3/whitelabel/ips 400":                   {{opCreateReverseDNS, 400, errBody}},
		"404 of GET and DELETE /v3/whitelabel/ips/{id}": {{opGetReverseDNS, 404, errBody}, {opDeleteReverseDNS, 404, errBody}},
		"POST /v3/ips/warmup 400":                       {{opStartWarmup, 400, errBody}},
	}
	for _, op := range poolAndIPOps {
		samples["429 on every call"] = append(samples["429 on every call"], exchange{op, 429, errBody})
		samples["401 on the pool and IP calls"] = append(samples["401 on the pool and IP calls"], exchange{op, 401, errBody})
	}
	for _, op := range rdnsAndWarmupOps {
		samples["429 on every call"] = append(samples["429 on every call"], exchange{op, 429, errBody})
		samples["401 on the reverse DNS and warmup calls"] = append(samples["401 on the reverse DNS and warmup calls"], exchange{op, 401, errBody})
	}
	if len(samples) != len(exceptions) {
		t.Fatalf("%d samples for %d exceptions", len(samples), len(exceptions))
	}
	full := mustDefault(t)
	for i, e := range exceptions {
		ex, ok := samples[e.name]
		if !ok {
			t.Fatalf("no sample for exception %q", e.name)
		}
		if e.reason == "" {
			t.Errorf("exception %q gives no reason", e.name)
		}
		without, err := parse(fixture, slices.Delete(slices.Clone(exceptions), i, i+1))
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range ex {
			body := requestBodies[x.op]
			if vs := full.Check(request(t, x.op, ""), body, x.status, jsonHeader, x.body); len(vs) > 0 {
				t.Errorf("%s: %s %d is still a violation: %v", e.name, x.op, x.status, vs)
			}
			if vs := without.Check(request(t, x.op, ""), body, x.status, jsonHeader, x.body); len(vs) == 0 {
				t.Errorf("%s: %s %d passes without the exception", e.name, x.op, x.status)
			}
		}
	}
}

// An exception that no longer applies (upstream fixed the contract) fails loading.
func TestStaleExceptionFails(t *testing.T) {
	fixed := strings.ReplaceAll(string(fixture), `"nullable": true,`, ``)
	if _, err := Parse([]byte(fixed)); err == nil || !strings.Contains(err.Error(), "remove the exception") {
		t.Errorf("no nullable left: err = %v", err)
	}
	doc, err := decode(fixture)
	if err != nil {
		t.Fatal(err)
	}
	if err := declareError(opListIPs, 200)(doc); err == nil {
		t.Error("declaring a declared status: no error")
	}
	if err := declareError("GET /v3/nothing", 400)(doc); err == nil {
		t.Error("declaring on a missing operation: no error")
	}
}

func TestCheckRequests(t *testing.T) {
	c := mustDefault(t)
	good := map[string]string{
		opListIPs:        "limit=500&offset=0&subuser=alice&ip=192.0.2.1&exclude_whitelabels=true&sort_by_direction=asc",
		opListSubusers:   "username=a&limit=500&offset=0&region=eu&include_region=true",
		opListReverseDNS: "limit=500&offset=0&ip=192.0.2.",
	}
	for op, q := range good {
		if vs := c.Check(request(t, op, q), nil, 0, nil, nil); len(vs) > 0 {
			t.Errorf("%s?%s: %v", op, q, vs)
		}
	}
	for _, tt := range []struct {
		op, query string
		body      string
		header    [2]string // set, "" value: delete
		where     string
	}{
		{opListIPs, "sort_by_direction=up", "", [2]string{}, "query sort_by_direction"}, // beside a $ref: the validator's cache would lose it
		{opListIPs, "limit=0", "", [2]string{}, "query limit"},
		{opListIPs, "offset=-1", "", [2]string{}, "query offset"},
		{opListIPs, "exclude_whitelabels=maybe", "", [2]string{}, "query exclude_whitelabels"},
		{opListIPs, "username=alice", "", [2]string{}, "query username"}, // the other call's filter: silently ignored by SendGrid
		{opListIPs, "api_key=k", "", [2]string{}, "query api_key"},
		{opListIPs, "", "", [2]string{"Authorization", ""}, "header Authorization"},
		{opListIPs, "", "", [2]string{"Authorization", "Basic k"}, "header Authorization"},
		{opListIPs, "", "", [2]string{"X-Api-Key", "k"}, "header X-Api-Key"},
		{opListSubusers, "region=mars", "", [2]string{}, "query region"},
		{opListSubusers, "subuser=alice", "", [2]string{}, "query subuser"},
		{opSetSubuserIPs, "", `["192.0.2.1","2001:db8::1"]`, [2]string{}, "body $[1]"},
		{opSetSubuserIPs, "", `["192.0.2.1",null]`, [2]string{}, "body $[1]"},
		{opSetSubuserIPs, "", `{"ips":["192.0.2.1"]}`, [2]string{}, "body"},
		{opSetSubuserIPs, "", `["192.0.2.1"]`, [2]string{"Content-Type", ""}, "header Content-Type"},
		{opSetSubuserIPs, "", `["192.0.2.1"]`, [2]string{"Content-Type", "text/plain"}, "header Content-Type"},
		{"DELETE /v3/subusers/{subuser_name}/ips", "", "", [2]string{}, "path"},
		{"GET /v3/subusers/{subuser_name}/ips", "", "", [2]string{}, "path"},
		{"PUT /v3/ips/pools/{pool_name}", "", `{"name":"renamed"}`, [2]string{}, "path"}, // the provider never renames
		{opCreatePool, "", `{}`, [2]string{}, "body"},
		{opCreatePool, "", `{"name":"` + strings.Repeat("n", 65) + `"}`, [2]string{}, "body $.name"},
		{opCreatePool, "", `{"name":"p","ips":[]}`, [2]string{}, "body"},
		{opAddPoolIP, "", `{"ip":1}`, [2]string{}, "body $.ip"},
		{opCreateReverseDNS, "", `{"ip":"192.0.2.1"}`, [2]string{}, "body"},
		{opCreateReverseDNS, "", `{"ip":"192.0.2.1","domain":"example.com","valid":true}`, [2]string{}, "body"},
		{opListReverseDNS, "offset=-1", "", [2]string{}, "query offset"},
		{opListWarmup, "limit=10", "", [2]string{}, "query limit"}, // the warmup list is not paged
	} {
		r := request(t, tt.op, tt.query)
		if tt.header[0] != "" {
			r.Header.Del(tt.header[0])
			if tt.header[1] != "" {
				r.Header.Set(tt.header[0], tt.header[1])
			}
		}
		vs := c.Check(r, []byte(tt.body), 200, jsonHeader, []byte(`[]`))
		if !slices.ContainsFunc(vs, func(v Violation) bool { return v.What == "request" && v.Where == tt.where }) {
			t.Errorf("%s ?%s %s %v: violations %v, want one at %q", tt.op, tt.query, tt.body, tt.header, vs, tt.where)
		}
	}
}

// rdnsRecord is a ReverseDns object as the mock answers a new record.
const rdnsRecord = `{"id":7,"ip":"192.0.2.1","rdns":"o7.email.example.com","users":[],"subdomain":"email",` +
	`"domain":"example.com","valid":false,"legacy":false,"a_record":{"valid":false,"type":"a","host":"o7.email.example.com","data":"192.168.1.1"}}`

func TestCheckAnswers(t *testing.T) {
	c := mustDefault(t)
	row := `{"ip":"192.0.2.1","subusers":["alice"],"pools":[],"warmup":false,"start_date":null,"whitelabeled":false,"assigned_at":null}`
	good := []struct {
		op     string
		status int
		body   string
	}{
		{opListIPs, 200, "[" + row + "]"},
		{opListIPs, 200, `[{"ip":"192.0.2.1","subusers":[],"pools":["p"],"warmup":true,"start_date":1409616000,"whitelabeled":true,"assigned_at":1482883200,"rdns":"o1.example.com"}]`},
		{opListIPs, 200, `[]`},
		{opListSubusers, 200, `[{"id":1,"username":"a","email":"a@example.com","disabled":true,"region":"eu"}]`},
		{opSetSubuserIPs, 200, `{"ips":[]}`},
		{opSetSubuserIPs, 404, `{"errors":[{"field":null,"message":"subuser not found"}]}`},
		{opListIPs, 429, `{"errors":[{"field":null,"message":"too many requests"}]}`},
		{opListPools, 200, `[{"name":"a"},{"name":"b c"}]`},
		{opListPools, 200, `[]`},
		{opCreatePool, 200, `{"name":"a"}`},
		{opGetPool, 200, `{"pool_name":"a","ips":["192.0.2.1"]}`},
		{opGetPool, 404, `{"errors":[{"field":"error","message":"Unable to locate specified IPs Pool"}]}`},
		{opDeletePool, 204, ``},
		{opDeletePool, 404, `{"error":"Unable to locate specified IPs Pool"}`},
		{opAddPoolIP, 201, `{"ip":"192.0.2.1","pools":["a"],"start_date":0,"warmup":false}`},
		{opAddPoolIP, 404, `{"errors":[{"field":null,"message":"resource not found"}]}`},
		{opRemovePoolIP, 204, ``},
		{opRemovePoolIP, 404, `{"error":"IP address not found in pool"}`},
		{opGetIP, 200, `{"ip":"192.0.2.1","subusers":[],"rdns":"","pools":[],"warmup":false,"start_date":null,"whitelabeled":false}`},
		{opCreateReverseDNS, 201, rdnsRecord},
		{opListReverseDNS, 200, `[` + rdnsRecord + `]`},
		{opListReverseDNS, 200, `[]`},
		{opGetReverseDNS, 200, strings.Replace(rdnsRecord, `"legacy":false`, `"legacy":false,"last_validation_attempt_at":1409616000`, 1)},
		{opDeleteReverseDNS, 204, ``},
		{opValidateReverseDNS, 200, `{"id":7,"valid":true,"validation_results":{"a_record":{"valid":true,"reason":null}}}`},
		{opValidateReverseDNS, 404, `{"errors":[{"message":"Reverse DNS record not found."}]}`},
		{opStartWarmup, 200, `[{"ip":"192.0.2.1","start_date":1409616000}]`},
		{opStartWarmup, 404, `{"errors":[{"field":null,"message":"resource not found"}]}`},
		{opListWarmup, 200, `[]`},
		{opGetWarmup, 200, `[{"ip":"192.0.2.1","start_date":1409616000}]`},
		{opStopWarmup, 204, ``},
		{opStopWarmup, 404, `{"errors":[{"field":null,"message":"resource not found"}]}`},
	}
	for _, g := range good {
		if vs := c.Check(request(t, g.op, ""), requestBodies[g.op], g.status, jsonHeader, []byte(g.body)); len(vs) > 0 {
			t.Errorf("%s %d %s: %v", g.op, g.status, g.body, vs)
		}
	}
	for _, tt := range []struct {
		op     string
		status int
		ctype  string
		body   string
		where  string
	}{
		{opListIPs, 200, "application/json", `[` + strings.Replace(row, `"warmup":false,`, ``, 1) + `]`, "body $[0]"},
		{opListIPs, 200, "application/json", `[` + strings.Replace(row, `"ip":"192.0.2.1"`, `"ip":1`, 1) + `]`, "body $[0].ip"},
		{opListIPs, 200, "application/json", `[` + strings.Replace(row, `"pools":[]`, `"pools":null`, 1) + `]`, "body $[0].pools"},
		{opListIPs, 200, "application/json", `[` + strings.Replace(row, `"warmup":false`, `"warmup":false,"extra":1`, 1) + `]`, "body"},
		{opListIPs, 200, "text/html", `<html></html>`, "header Content-Type"},
		{opListIPs, 200, "application/json", `[{"ip":`, "body"},
		{opListIPs, 500, "application/json", `{"errors":[]}`, "status"},
		{opListIPs, 400, "application/json", `{"error":"bad"}`, "body"},
		{opListSubusers, 200, "application/json", `[{"id":"1","username":"a","email":"a@example.com","disabled":false}]`, "body $[0].id"},
		{opListSubusers, 200, "application/json", `[{"id":1,"username":"a","email":"not an address","disabled":false}]`, "body $[0].email"},
		{opListSubusers, 200, "application/json", `[{"id":1,"username":"a","email":"a@example.com","disabled":false,"region":"mars"}]`, "body $[0].region"},
		{opSetSubuserIPs, 200, "application/json", `{"ips":["192.0.2.1","2001:db8::1"]}`, "body $.ips[1]"},
		{opSetSubuserIPs, 404, "application/json", `{"errors":[{"field":null,"message":"m","code":404}]}`, "body"},
		{opGetIP, 200, "application/json", `{"ip":"192.0.2.1","subusers":[],"pools":[],"warmup":false,"start_date":null,"whitelabeled":false}`, "body"},
		{opAddPoolIP, 201, "application/json", `{"ip":"192.0.2.1","pools":["a"],"start_date":null,"warmup":false}`, "body $.start_date"},
		{opDeletePool, 404, "application/json", `{"errors":[{"field":null,"message":"m"}]}`, "body"},
		{opGetPool, 200, "application/json", `{"name":"a","ips":[]}`, "body"},
		{opCreateReverseDNS, 201, "application/json", strings.Replace(rdnsRecord, `"users":[]`, `"users":null`, 1), "body $.users"},
		{opGetReverseDNS, 200, "application/json", strings.Replace(rdnsRecord, `"a_record":{"valid":false,`, `"a_record":{`, 1), "body $.a_record"},
		{opValidateReverseDNS, 404, "application/json", `{"errors":[{"field":null,"message":"Reverse DNS record not found."}]}`, "body"},
		{opValidateReverseDNS, 200, "application/json", `{"id":7,"valid":false,"validation_results":{"a_record":{"valid":false}}}`, "body $.validation_results.a_record"},
		{opStartWarmup, 200, "application/json", `[{"ip":"192.0.2.1","start_date":null}]`, "body $[0].start_date"},
		{opGetWarmup, 200, "application/json", `{"ip":"192.0.2.1","start_date":1409616000}`, "body"},
	} {
		vs := c.Check(request(t, tt.op, ""), requestBodies[tt.op], tt.status, http.Header{"Content-Type": {tt.ctype}}, []byte(tt.body))
		if !slices.ContainsFunc(vs, func(v Violation) bool {
			return v.What == "answer "+strconv.Itoa(tt.status) && v.Where == tt.where
		}) {
			t.Errorf("%s %d %s: violations %v, want one at %q", tt.op, tt.status, tt.body, vs, tt.where)
		}
	}
}

// Status 0 is no answer (a dropped connection, an injected fault): only the request is checked.
func TestCheckWithoutAnswer(t *testing.T) {
	c := mustDefault(t)
	if vs := c.Check(request(t, opListIPs, ""), nil, 0, nil, nil); len(vs) > 0 {
		t.Errorf("violations %v", vs)
	}
	if vs := c.Check(request(t, opListIPs, "limit=0"), nil, 0, nil, nil); len(vs) != 1 {
		t.Errorf("violations %v, want the request's", vs)
	}
}

// Checks run at once (the mock serves requests in parallel); -race watches the validator.
func TestCheckConcurrently(t *testing.T) {
	c := mustDefault(t)
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 5 {
				r := request(t, opListIPs, "limit=500")
				if vs := c.Check(r, nil, 200, jsonHeader, []byte(`[]`)); len(vs) > 0 {
					t.Error(vs)
				}
				r = request(t, opSetSubuserIPs, "")
				if vs := c.Check(r, []byte(`["192.0.2.1"]`), 404, jsonHeader, []byte(`{"errors":[{"field":null,"message":"m"}]}`)); len(vs) > 0 {
					t.Error(vs)
				}
			}
		})
	}
	wg.Wait()
}
