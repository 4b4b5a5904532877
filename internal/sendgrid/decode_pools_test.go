package sendgrid

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/calls"
)

func poolReply(status int, body string) reply {
	return reply{call: calls.V3Pool, pool: "marketing", notFound: ErrPoolNotFound, status: status, contentType: "application/json", body: []byte(body), secrets: []string{testSecret}}
}

func TestDecodePools(t *testing.T) {
	names, err := decodeV3Pools(poolReply(200, `[{"name":"transactional"},{"name":"marketing"}]`))
	if err != nil || !slices.Equal(names, []string{"marketing", "transactional"}) {
		t.Fatalf("pools: %q %v", names, err)
	}
	if names, err := decodeV3Pools(poolReply(200, `[]`)); err != nil || names == nil || len(names) != 0 {
		t.Fatalf("no pools: %#v %v", names, err)
	}
	for _, body := range []string{
		`[{"name":"a"},{"name":"a"}]`, `[{"name":1}]`, `[{"name":null}]`, `[{}]`, `[{"name":""}]`, `["a"]`, `{"name":"a"}`, `null`,
	} {
		if _, err := decodeV3Pools(poolReply(200, body)); !errors.Is(err, ErrUnreadable) {
			t.Errorf("%s: want unreadable, got %v", body, err)
		}
	}
}

func TestDecodePool(t *testing.T) {
	for body, want := range map[string][]string{
		`{"pool_name":"marketing","ips":["192.0.2.2","192.0.2.1","192.0.2.1"]}`:                  {"192.0.2.1", "192.0.2.2"},
		`{"pool_name":"marketing","ips":[{"ip":"192.0.2.2","warmup":false},{"ip":"192.0.2.1"}]}`: {"192.0.2.1", "192.0.2.2"},
		`{"pool_name":"marketing","ips":["::ffff:192.0.2.1"]}`:                                   {"192.0.2.1"},
		`{"pool_name":"marketing","ips":[]}`:                                                     {},
		`{"pool_name":"marketing","ips":null}`:                                                   {},
		`{"pool_name":"marketing"}`:                                                              {},
	} {
		p, err := decodeV3Pool(poolReply(200, body), "marketing")
		if err != nil || p.Name != "marketing" || p.IPs == nil || !slices.Equal(p.IPs, want) {
			t.Errorf("%s: %#v %v", body, p, err)
		}
	}
	for _, body := range []string{
		`{"pool_name":"Marketing","ips":[]}`, `{"ips":[]}`, `{"pool_name":"marketing","ips":"192.0.2.1"}`,
		`{"pool_name":"marketing","ips":["nope"]}`, `{"pool_name":"marketing","ips":[{"address":"192.0.2.1"}]}`,
		`{"pool_name":"marketing","ips":[1]}`, `["192.0.2.1"]`, ``,
	} {
		if _, err := decodeV3Pool(poolReply(200, body), "marketing"); !errors.Is(err, ErrUnreadable) {
			t.Errorf("%s: want unreadable, got %v", body, err)
		}
	}
}

func TestDecodeIP(t *testing.T) {
	ip, err := decodeV3IP(poolReply(200, `{"ip":"192.0.2.1","subusers":["bob","alice"],"rdns":"o1.em.example.com","pools":["b","a"],"warmup":true,"start_date":1409616000,"whitelabeled":true}`), "192.0.2.1")
	want := IP{Address: "192.0.2.1", Subusers: []string{"alice", "bob"}, Pools: []string{"a", "b"}, RDNS: "o1.em.example.com", Whitelabeled: true, Warmup: true, StartDate: 1409616000}
	if err != nil || ip.Address != want.Address || !slices.Equal(ip.Subusers, want.Subusers) || !slices.Equal(ip.Pools, want.Pools) ||
		ip.RDNS != want.RDNS || !ip.Whitelabeled || !ip.Warmup || ip.StartDate != want.StartDate {
		t.Fatalf("got %+v %v", ip, err)
	}
	ip, err = decodeV3IP(poolReply(200, `{"ip":"192.0.2.1","subusers":[],"pools":[],"warmup":false,"start_date":null,"whitelabeled":false}`), "192.0.2.1")
	if err != nil || ip.StartDate != 0 || ip.RDNS != "" || ip.Pools == nil || ip.Subusers == nil {
		t.Fatalf("bare: %+v %v", ip, err)
	}
	for _, body := range []string{
		`{"ip":"192.0.2.2","subusers":[],"pools":[]}`, `{"ip":"192.0.2.1","subusers":[]}`, `{"ip":"192.0.2.1","subusers":[],"pools":null}`,
		`{"ip":"192.0.2.1","pools":[]}`, `{"ip":"192.0.2.1","subusers":[],"pools":[],"start_date":"2014"}`,
		`{"ip":"192.0.2.1","subusers":[],"pools":[],"warmup":"no"}`, `[{"ip":"192.0.2.1","subusers":[],"pools":[]}]`,
	} {
		if _, err := decodeV3IP(poolReply(200, body), "192.0.2.1"); !errors.Is(err, ErrUnreadable) {
			t.Errorf("%s: want unreadable, got %v", body, err)
		}
	}
}

// TestDecodeScanPools: GET /v3/ips keeps each IP's pools, nil when the answer has none.
func TestDecodeScanPools(t *testing.T) {
	ips, err := decodeV3IPs(poolReply(200, `[{"ip":"192.0.2.1","subusers":[],"pools":["a"]},{"ip":"192.0.2.2","subusers":[],"pools":[]},{"ip":"192.0.2.3","subusers":[]}]`))
	if err != nil || !slices.Equal(ips[0].pools, []string{"a"}) || ips[1].pools == nil || len(ips[1].pools) != 0 || ips[2].pools != nil {
		t.Fatalf("%+v %v", ips, err)
	}
	if _, err := decodeV3IPs(poolReply(200, `[{"ip":"192.0.2.1","subusers":[],"pools":"a"}]`)); !errors.Is(err, ErrUnreadable) {
		t.Fatalf("pools not a list: %v", err)
	}
}

// TestDecodePoolErrors: both of SendGrid's error shapes, and what a 404 means for each call.
func TestDecodePoolErrors(t *testing.T) {
	for _, tc := range []struct {
		status   int
		notFound error
		body     string
		kind     error
		messages []string
	}{
		{404, ErrPoolNotFound, `{"errors":[{"field":"error","message":"Unable to locate specified IPs Pool"}]}`, ErrPoolNotFound, []string{"Unable to locate specified IPs Pool"}},
		{404, ErrPoolNotFound, `{"error":"Unable to locate specified IPs Pool"}`, ErrPoolNotFound, []string{"Unable to locate specified IPs Pool"}},
		{404, ErrIPNotFound, `{"errors":[{"field":null,"message":"resource not found"}]}`, ErrIPNotFound, []string{"resource not found"}},
		{404, nil, `{"error":"Unable to locate specified IPs Pool"}`, ErrWrongEndpoint, nil},
		{404, ErrPoolNotFound, `<html>Not Found</html>`, ErrWrongEndpoint, nil},
		{404, ErrPoolNotFound, `{"error":""}`, ErrWrongEndpoint, nil},
		{404, ErrPoolNotFound, `{"error":{"code":404}}`, ErrWrongEndpoint, nil},
		{400, nil, `{"error":"name too long"}`, ErrRejected, []string{"name too long"}},
		{400, nil, `{"errors":[{"field":"name","message":"This pool name is already in use"}]}`, ErrRejected, []string{"This pool name is already in use"}},
		{401, nil, `{"error":"\u001b[2J` + testSecret + `"}`, ErrBadCredentials, []string{`\x1b[2J[redacted]`}},
	} {
		r := poolReply(tc.status, tc.body)
		r.notFound = tc.notFound
		_, err := decodeV3Pool(r, "marketing")
		var apiErr *APIError
		if !errors.As(err, &apiErr) || !errors.Is(err, tc.kind) || (tc.messages != nil && !slices.Equal(apiErr.Messages, tc.messages)) {
			t.Errorf("%d %s: want %v %q, got %v", tc.status, tc.body, tc.kind, tc.messages, err)
			continue
		}
		if !strings.HasPrefix(err.Error(), `sendgrid GET /v3/ips/pools/{name} for pool "marketing": `) {
			t.Errorf("the error names the call and the pool: %v", err)
		}
	}
	if err := decodeV3Deleted(poolReply(204, ``)); err != nil {
		t.Fatalf("204: %v", err)
	}
	if err := decodeV3Deleted(poolReply(200, `<html>ok</html>`)); !errors.Is(err, ErrUnreadable) {
		t.Fatalf("a page is not a deletion: %v", err)
	}
	if err := decodeV3Echo(poolReply(201, `{"ip":"::ffff:192.0.2.1","pools":["marketing"],"start_date":1,"warmup":true}`), "ip", "192.0.2.1"); err != nil {
		t.Fatalf("added: %v", err)
	}
	for _, body := range []string{`{"name":"other"}`, `{}`, `[]`, `<html>ok</html>`} {
		if err := decodeV3Echo(poolReply(200, body), "name", "marketing"); !errors.Is(err, ErrUnreadable) {
			t.Errorf("created %s: %v", body, err)
		}
	}
}
