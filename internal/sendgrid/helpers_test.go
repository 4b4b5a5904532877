package sendgrid_test

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/sendgrid"
	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/sendgridmock"
)

const (
	user = "reseller@example.com"
	key  = "SG.client-test-key-9e1f3b7d"
)

var apis = []string{sendgrid.APIv2, sendgrid.APIv3}

// seed: .1 alice; .2 alice+bob; .3 bob; .4 disabled carol; .5 disabled erin + frank; .6 .10 free; newbie holds nothing.
func seed() sendgridmock.Seed {
	return sendgridmock.Seed{
		APIUser: user, APIKey: key,
		IPs: []string{"10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4", "10.0.0.5", "10.0.0.6", "10.0.0.10"},
		Subusers: []sendgridmock.SeedSubuser{
			{Name: "alice", IPs: []string{"10.0.0.1", "10.0.0.2"}},
			{Name: "bob", IPs: []string{"10.0.0.2", "10.0.0.3"}},
			{Name: "carol", Active: new(false), IPs: []string{"10.0.0.4"}},
			{Name: "erin", Active: new(false), IPs: []string{"10.0.0.5"}},
			{Name: "frank", IPs: []string{"10.0.0.5"}},
			{Name: "newbie"},
		},
	}
}

// newClient builds a client of version against baseURL, with fast retries and no pacing.
func newClient(t *testing.T, version, baseURL string, tweak ...func(*sendgrid.Config)) sendgrid.API {
	t.Helper()
	cfg := sendgrid.Config{
		APIVersion: version, BaseURL: baseURL, APIKey: key, UserAgent: "terraform-provider-sendgrid/test",
		NoPacing: true, RetryWaitMin: time.Millisecond, RetryWaitMax: 20 * time.Millisecond, RequestTimeout: 2 * time.Second,
	}
	if version == sendgrid.APIv2 {
		cfg.APIUser = user
	}
	for _, f := range tweak {
		f(&cfg)
	}
	c, err := sendgrid.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if c.Version() != version {
		t.Fatalf("version %q, want %q", c.Version(), version)
	}
	return c
}

// startMock serves seed() and returns a client of version against it.
func startMock(t *testing.T, version string, tweak ...func(*sendgrid.Config)) (*sendgridmock.Server, sendgrid.API) {
	t.Helper()
	api := sendgridmock.StartTest(t, seed())
	base := api.URL()
	if version == sendgrid.APIv3 {
		base = api.V3URL()
	}
	return api, newClient(t, version, base, tweak...)
}

// backends builds a client of each API version against baseURL.
func backends(t *testing.T, baseURL string, tweak ...func(*sendgrid.Config)) map[string]sendgrid.API {
	t.Helper()
	return map[string]sendgrid.API{
		sendgrid.APIv2: newClient(t, sendgrid.APIv2, baseURL, tweak...),
		sendgrid.APIv3: newClient(t, sendgrid.APIv3, baseURL, tweak...),
	}
}

// cannedServer answers every request with handler and counts requests.
func cannedServer(t *testing.T, handler http.HandlerFunc) (string, *atomic.Int32) {
	t.Helper()
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		handler(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/", &n
}

func respondWith(status int, header map[string]string, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		for k, v := range header {
			w.Header().Set(k, v)
		}
		if w.Header().Get("Content-Type") == "" {
			w.Header().Set("Content-Type", "application/json")
		}
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	}
}

// recorder serves seed() over v3 and keeps each request as sent, which the mock's own log does not.
type recorder struct {
	*sendgridmock.Server
	url  string
	mu   sync.Mutex
	reqs []sentReq
	next http.Handler // answers instead of the mock when set
}

type sentReq struct {
	Method, EscapedPath string
	Query               url.Values
	Auth, UserAgent     string
	URL, Body           string
}

func startRecorder(t *testing.T) *recorder {
	t.Helper()
	api := sendgridmock.NewTest(t, seed()) // checked against SendGrid's contract
	f := &recorder{Server: api}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		f.mu.Lock()
		f.reqs = append(f.reqs, sentReq{
			Method: r.Method, EscapedPath: r.URL.EscapedPath(), Query: r.URL.Query(),
			Auth: r.Header.Get("Authorization"), UserAgent: r.Header.Get("User-Agent"), URL: r.URL.String(), Body: string(body),
		})
		next := f.next
		f.mu.Unlock()
		if next == nil {
			next = api
		}
		next.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	f.url = srv.URL + "/"
	return f
}

func (f *recorder) URL() string { return f.url }

func (f *recorder) sent() []sentReq {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.reqs)
}

func (f *recorder) clear() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.reqs = nil
}

// sentCalls names each request as the contract names calls, with the filter's value.
func sentCalls(reqs []sentReq) []string {
	var out []string
	for _, r := range reqs {
		name := r.Method + " " + r.EscapedPath
		for _, k := range []string{"subuser", "username"} {
			if v, ok := r.Query[k]; ok {
				name += "?" + k + "=" + v[0]
			}
		}
		out = append(out, name)
	}
	return out
}

func expectHolds(t *testing.T, api *sendgridmock.Server, name string, want ...string) {
	t.Helper()
	got, ok := api.SubuserIPs(name)
	if !ok {
		t.Fatalf("no subuser %s", name)
	}
	if !slices.Equal(got, sendgrid.SortIPs(want)) {
		t.Fatalf("%s holds %v, want %v", name, got, want)
	}
}

// sameSubusers compares two lists of subusers, IPs non-nil.
func sameSubusers(got, want []sendgrid.Subuser) bool {
	return slices.EqualFunc(got, want, func(a, b sendgrid.Subuser) bool {
		return a.Name == b.Name && a.Active == b.Active && slices.Equal(a.IPs, b.IPs) && a.IPs != nil
	})
}
