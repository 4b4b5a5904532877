package sendgrid_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/sendgrid"
)

// fakeV3 is a small v3 server written to the wire contract (briefs/v3-wire.md),
// for testing the v3 backend while the real mock is being written.
type fakeV3 struct {
	key         string
	defaultPage int  // page size when limit is absent
	ignoreLimit bool // always answer defaultPage items, whatever limit says

	mu       sync.Mutex
	ips      []string
	subs     map[string]*fakeSub
	reqs     []fakeReq
	override func(w http.ResponseWriter, r *http.Request) bool // answers instead when it returns true

	srv *httptest.Server
}

type fakeSub struct {
	disabled bool
	ips      []string
}

type fakeReq struct {
	Method, EscapedPath string
	Query               url.Values
	Auth, UserAgent     string
	URL                 string // as received, for secret checks
	Body                string
}

func newFakeV3(t *testing.T) *fakeV3 {
	t.Helper()
	f := &fakeV3{key: key3, defaultPage: 10, subs: map[string]*fakeSub{}}
	// Same layout as the v2 seed: .1 alice; .2 alice+bob; .3 bob; .4 disabled carol;
	// .5 disabled erin + frank; .6 .10 free; newbie holds nothing.
	f.ips = []string{"10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4", "10.0.0.5", "10.0.0.6", "10.0.0.10"}
	f.subs["alice"] = &fakeSub{ips: []string{"10.0.0.1", "10.0.0.2"}}
	f.subs["bob"] = &fakeSub{ips: []string{"10.0.0.2", "10.0.0.3"}}
	f.subs["carol"] = &fakeSub{disabled: true, ips: []string{"10.0.0.4"}}
	f.subs["erin"] = &fakeSub{disabled: true, ips: []string{"10.0.0.5"}}
	f.subs["frank"] = &fakeSub{ips: []string{"10.0.0.5"}}
	f.subs["newbie"] = &fakeSub{}
	f.srv = httptest.NewServer(f)
	t.Cleanup(f.srv.Close)
	return f
}

const key3 = "SG.v3-client-test-key-5c2a91"

func (f *fakeV3) URL() string { return f.srv.URL + "/" }

func (f *fakeV3) requests() []fakeReq {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.reqs)
}

func (f *fakeV3) reset() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.reqs = nil
}

func (f *fakeV3) setOverride(o func(w http.ResponseWriter, r *http.Request) bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.override = o
}

func (f *fakeV3) holds(name string) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.subs[name].ips)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func v3Errors(w http.ResponseWriter, status int, field any, messages ...string) {
	var errs []map[string]any
	for _, m := range messages {
		errs = append(errs, map[string]any{"field": field, "message": m})
	}
	writeJSON(w, status, map[string]any{"errors": errs})
}

// page cuts items by limit and offset as the contract says.
func (f *fakeV3) page(w http.ResponseWriter, r *http.Request, n int) (lo, hi int, ok bool) {
	limit, offset := f.defaultPage, 0
	if v := r.URL.Query().Get("limit"); v != "" && !f.ignoreLimit {
		l, err := strconv.Atoi(v)
		if err != nil || l < 1 || l > 500 {
			v3Errors(w, 400, "limit", "limit must be between 1 and 500")
			return 0, 0, false
		}
		limit = l
	}
	if v := r.URL.Query().Get("offset"); v != "" {
		o, err := strconv.Atoi(v)
		if err != nil || o < 0 {
			v3Errors(w, 400, "offset", "offset must be a number")
			return 0, 0, false
		}
		offset = o
	}
	lo, hi = min(offset, n), min(offset+limit, n)
	return lo, hi, true
}

func (f *fakeV3) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.reqs = append(f.reqs, fakeReq{
		Method: r.Method, EscapedPath: r.URL.EscapedPath(), Query: r.URL.Query(),
		Auth: r.Header.Get("Authorization"), UserAgent: r.Header.Get("User-Agent"), URL: r.URL.String(), Body: string(body),
	})
	if f.override != nil && f.override(w, r) {
		return
	}
	if r.Header.Get("Authorization") != "Bearer "+f.key {
		v3Errors(w, 401, nil, "authorization required")
		return
	}
	w.Header().Set("X-RateLimit-Limit", "600")
	w.Header().Set("X-RateLimit-Remaining", "599")
	w.Header().Set("X-RateLimit-Reset", strconv.FormatInt(time.Now().Add(time.Minute).Unix(), 10))
	path := r.URL.EscapedPath()
	switch {
	case path == "/v3/ips" && r.Method == http.MethodGet:
		filter, only := r.URL.Query()["subuser"]
		type item struct {
			IP       string   `json:"ip"`
			Subusers []string `json:"subusers"`
			Pools    []string `json:"pools"`
			Warmup   bool     `json:"warmup"`
			Start    *int     `json:"start_date"`
			White    bool     `json:"whitelabeled"`
			Assigned *int     `json:"assigned_at"`
		}
		items := []item{}
		for _, ip := range sendgrid.SortIPs(f.ips) {
			it := item{IP: ip, Subusers: []string{}, Pools: []string{}}
			for name, s := range f.subs {
				if slices.Contains(s.ips, ip) {
					it.Subusers = append(it.Subusers, name)
				}
			}
			slices.Sort(it.Subusers)
			if only && !slices.Contains(it.Subusers, filter[0]) {
				continue
			}
			items = append(items, it)
		}
		if lo, hi, ok := f.page(w, r, len(items)); ok {
			writeJSON(w, 200, items[lo:hi])
		}
	case path == "/v3/subusers" && r.Method == http.MethodGet:
		type item struct {
			ID       int    `json:"id"`
			Username string `json:"username"`
			Email    string `json:"email"`
			Disabled bool   `json:"disabled"`
		}
		items := []item{}
		var names []string
		for name := range f.subs {
			names = append(names, name)
		}
		slices.Sort(names)
		for i, name := range names {
			if strings.Contains(name, r.URL.Query().Get("username")) { // substrings, as the contract warns
				items = append(items, item{ID: i + 1, Username: name, Email: name + "@example.com", Disabled: f.subs[name].disabled})
			}
		}
		if lo, hi, ok := f.page(w, r, len(items)); ok {
			writeJSON(w, 200, items[lo:hi])
		}
	case strings.HasPrefix(path, "/v3/subusers/") && strings.HasSuffix(path, "/ips") && strings.Count(path, "/") == 4:
		if r.Method != http.MethodPut {
			v3Errors(w, 405, nil, "method not allowed")
			return
		}
		name, _ := url.PathUnescape(strings.TrimSuffix(strings.TrimPrefix(path, "/v3/subusers/"), "/ips"))
		s, ok := f.subs[name]
		if !ok {
			v3Errors(w, 404, nil, "subuser not found")
			return
		}
		var ips []string
		if json.Unmarshal(body, &ips) != nil || ips == nil {
			v3Errors(w, 400, "ips", "body must be an array of IPs")
			return
		}
		var bad []string
		for _, ip := range ips {
			if !slices.Contains(f.ips, ip) {
				bad = append(bad, "IP "+ip+" does not belong to your account")
			}
		}
		if bad != nil {
			v3Errors(w, 400, "ips", bad...)
			return
		}
		s.ips = sendgrid.SortIPs(ips)
		writeJSON(w, 200, map[string]any{"ips": append([]string{}, s.ips...)})
	default:
		v3Errors(w, 404, nil, "resource not found")
	}
}
