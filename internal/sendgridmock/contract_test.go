package sendgridmock

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/calls"
	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/contract"
)

// fakeTB records what StartTest's cleanup reports, so a test can watch it fail another test.
type fakeTB struct {
	testing.TB
	mu       sync.Mutex
	cleanups []func()
	errors   []string
}

func (f *fakeTB) Helper()               {}
func (f *fakeTB) Cleanup(fn func())     { f.cleanups = append(f.cleanups, fn) }
func (f *fakeTB) Fatalf(string, ...any) { runtime.Goexit() }
func (f *fakeTB) Errorf(format string, args ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.errors = append(f.errors, fmt.Sprintf(format, args...))
}

func (f *fakeTB) end() {
	for i := len(f.cleanups) - 1; i >= 0; i-- {
		f.cleanups[i]()
	}
}

func TestStartTestFailsOnViolations(t *testing.T) {
	f := &fakeTB{TB: t}
	s := StartTest(f, testSeed())
	v3get(t, s, "v3/ips?limit=500&offset=0")
	v3put(t, s, "alice", `["192.0.2.9"]`)
	v3get(t, s, "v3/ips?username=alice")                           // GET /v3/subusers's filter
	v3req(t, s, http.MethodPut, "v3/subusers/alice/ips", "", `[]`) // no key
	f.end()
	if len(f.errors) != 1 {
		t.Fatalf("errors = %q, want one listing both calls", f.errors)
	}
	for _, want := range []string{
		"2 v3 call(s) broke SendGrid's contract",
		"GET /v3/ips?username=alice: request, query username: ",
		"PUT /v3/subusers/alice/ips: request, header Authorization: ",
	} {
		if !strings.Contains(f.errors[0], want) {
			t.Errorf("error %q does not say %q", f.errors[0], want)
		}
	}
	// A clean test passes.
	f = &fakeTB{TB: t}
	s = StartTest(f, testSeed())
	v3get(t, s, "v3/subusers?limit=500&offset=0")
	f.end()
	if len(f.errors) != 0 {
		t.Errorf("errors = %q", f.errors)
	}
}

// strictContract is the fixture with an extra required field in GET /v3/ips's rows and in every
// error, so every such answer the mock gives breaks it: a test sees which answers are checked.
func strictContract(t *testing.T) *contract.Contract {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "contract", "fixture", "sendgrid-v3.json"))
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	at := func(m any, keys ...string) map[string]any {
		for _, k := range keys {
			m = m.(map[string]any)[k]
		}
		return m.(map[string]any)
	}
	at(doc, "paths", "/v3/ips", "get", "responses", "200", "content", "application/json", "schema", "items")["required"] = []any{"never"}
	at(doc, "components", "schemas", "ErrorResponse")["required"] = []any{"never"}
	b, _ = json.Marshal(doc)
	c, err := contract.Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// Every answer is checked, a delayed one and the rate limit's 429s included, except those an injected
// fault replaced or cut; the requests that drew them are always checked.
func TestContractChecksWhichAnswers(t *testing.T) {
	s := StartTest(t, testSeed())
	s.CheckContract(strictContract(t))
	v3get(t, s, "v3/ips")
	offContract(t, s, "answer 200", "body $[0]")
	for _, kind := range allFaultKinds {
		s.InjectFault(Fault{Kind: kind, Call: calls.V3IPs, Delay: time.Millisecond})
		_, _ = send(fresh, http.MethodGet, s.V3URL()+"v3/ips?limit=0", "", "Authorization", bearer)
		vs := s.TakeContractViolations()
		answered := slices.ContainsFunc(vs, func(v contract.Violation) bool { return v.What != "request" })
		if !slices.ContainsFunc(vs, func(v contract.Violation) bool { return v.Where == "query limit" }) {
			t.Errorf("%s: the request was not checked: %v", kind, vs)
		}
		if answered != (kind == FaultDelay) {
			t.Errorf("%s: answer checked = %v: %v", kind, answered, vs)
		}
	}
	s.SetRateLimit(1, time.Hour)
	v3get(t, s, "v3/subusers")
	if got := v3get(t, s, "v3/subusers"); got.status != http.StatusTooManyRequests {
		t.Fatalf("status %d", got.status)
	}
	offContract(t, s, "answer 429", "body")
}

// The mock as a command (New, Start) checks nothing unless asked.
func TestContractOffByDefault(t *testing.T) {
	s, err := New(testSeed())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = s.Close() }()
	if s.contract.Load() != nil {
		t.Fatal("checking is on")
	}
	v3get(t, s, "v3/ips?username=alice")
	if vs := s.TakeContractViolations(); vs != nil {
		t.Errorf("violations %v", vs)
	}
}
