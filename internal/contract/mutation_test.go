package contract_test

import (
	"bytes"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/contract"
	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/sendgridmock"
)

// exchange is one real call to the mock (started without checking) and its answer.
type exchange struct {
	req    *http.Request
	body   []byte
	status int
	header http.Header
	answer []byte
}

func do(t *testing.T, s *sendgridmock.Server, method, path, body string) exchange {
	t.Helper()
	req, err := http.NewRequest(method, s.V3URL()+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer k")
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	answer, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return exchange{req, []byte(body), resp.StatusCode, resp.Header, answer}
}

func (x exchange) check(t *testing.T, c *contract.Contract) []contract.Violation {
	t.Helper()
	return c.Check(x.req, x.body, x.status, x.header, x.answer)
}

func hasViolation(vs []contract.Violation, what, where string) bool {
	return slices.ContainsFunc(vs, func(v contract.Violation) bool { return v.What == what && strings.HasPrefix(v.Where, where) })
}

// A field renamed in a real answer or request body is a violation; the unchanged exchange is not.
func TestMutationsAreViolations(t *testing.T) {
	c, err := contract.Default()
	if err != nil {
		t.Fatal(err)
	}
	s, err := sendgridmock.New(sendgridmock.Seed{APIKey: "k", IPs: []string{"192.0.2.1", "192.0.2.2"},
		Subusers: []sendgridmock.SeedSubuser{{Name: "alice", IPs: []string{"192.0.2.1"}}},
		Pools:    []sendgridmock.SeedPool{{Name: "mkt", IPs: []string{"192.0.2.1"}}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })

	for _, tt := range []struct {
		name                   string
		method, path           string
		body                   string
		query, inBody, inReply [2]string // old, new
		what, where            string
	}{
		{"subusers renamed in GET /v3/ips's answer", "GET", "v3/ips?limit=500", "",
			[2]string{}, [2]string{}, [2]string{`"subusers"`, `"subuser"`}, "answer 200", "body $[0]"},
		{"username renamed in GET /v3/subusers's answer", "GET", "v3/subusers?limit=500", "",
			[2]string{}, [2]string{}, [2]string{`"username"`, `"name"`}, "answer 200", "body $[0]"},
		{"ips renamed in the PUT's answer", "PUT", "v3/subusers/alice/ips", `["192.0.2.2"]`,
			[2]string{}, [2]string{}, [2]string{`"ips"`, `"ip"`}, "answer 200", "body"},
		// The PUT's body is an array, with no field to rename: it is sent as its answer's object.
		{"the PUT's body sent as an object", "PUT", "v3/subusers/alice/ips", `["192.0.2.2"]`,
			[2]string{}, [2]string{`["192.0.2.2"]`, `{"ips":["192.0.2.2"]}`}, [2]string{}, "request", "body"},
		{"pool_name renamed in GET /v3/ips/pools/{pool_name}'s answer", "GET", "v3/ips/pools/mkt", "",
			[2]string{}, [2]string{}, [2]string{`"pool_name"`, `"name"`}, "answer 200", "body"},
		{"rdns dropped from GET /v3/ips/{ip_address}'s answer", "GET", "v3/ips/192.0.2.1", "",
			[2]string{}, [2]string{}, [2]string{`"rdns"`, `"rdns_name"`}, "answer 200", "body"},
		{"name renamed in POST /v3/ips/pools's body", "POST", "v3/ips/pools", `{"name":"new"}`,
			[2]string{}, [2]string{`"name"`, `"pool_name"`}, [2]string{}, "request", "body"},
		{"GET /v3/ips's subuser filter renamed username", "GET", "v3/ips?subuser=alice", "",
			[2]string{"subuser=", "username="}, [2]string{}, [2]string{}, "request", "query username"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			x := do(t, s, tt.method, tt.path, tt.body)
			if vs := x.check(t, c); len(vs) > 0 {
				t.Fatalf("the mock's own exchange: %v", vs)
			}
			if tt.query[0] != "" {
				x.req.URL.RawQuery = strings.Replace(x.req.URL.RawQuery, tt.query[0], tt.query[1], 1)
			}
			if tt.inReply[0] != "" {
				if !bytes.Contains(x.answer, []byte(tt.inReply[0])) {
					t.Fatalf("answer %s has no %s", x.answer, tt.inReply[0])
				}
				x.answer = bytes.ReplaceAll(x.answer, []byte(tt.inReply[0]), []byte(tt.inReply[1]))
			}
			if tt.inBody[0] != "" {
				x.body = bytes.ReplaceAll(x.body, []byte(tt.inBody[0]), []byte(tt.inBody[1]))
			}
			if vs := x.check(t, c); !hasViolation(vs, tt.what, tt.where) {
				t.Errorf("violations %v, want one in the %s at %s", vs, tt.what, tt.where)
			}
		})
	}
}
