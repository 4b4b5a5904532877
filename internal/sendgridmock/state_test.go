package sendgridmock

import (
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

func TestNewValidates(t *testing.T) {
	tests := []struct {
		name string
		seed Seed
		want string // substring of the error
	}{
		{"bad IP", Seed{IPs: []string{"1.2.3"}}, `"1.2.3" is not a valid IP`},
		{"zone", Seed{IPs: []string{"fe80::1%eth0"}}, "zone"},
		{"duplicate IP", Seed{IPs: []string{"192.0.2.1", "192.0.2.1"}}, "listed twice"},
		{"duplicate via mapping", Seed{IPs: []string{"192.0.2.1", "::ffff:192.0.2.1"}}, "listed twice"},
		{"no name", Seed{Subusers: []SeedSubuser{{}}}, "#1 has no name"},
		{"duplicate name", Seed{Subusers: []SeedSubuser{{Name: "a"}, {Name: "a"}}}, `"a" is listed twice`},
		{"foreign IP", Seed{IPs: []string{"192.0.2.1"}, Subusers: []SeedSubuser{{Name: "a", IPs: []string{"192.0.2.2"}}}}, "not one of the reseller's IPs"},
		{"invalid subuser IP", Seed{IPs: []string{"192.0.2.1"}, Subusers: []SeedSubuser{{Name: "a", IPs: []string{"x"}}}}, "not one of the reseller's IPs"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(tt.seed)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("New: err = %v, want one containing %q", err, tt.want)
			}
		})
	}
	if _, err := New(testSeed()); err != nil {
		t.Fatalf("valid seed refused: %v", err)
	}
	if _, err := New(Seed{}); err != nil {
		t.Fatalf("zero seed refused: %v", err)
	}
}

func TestSnapshot(t *testing.T) {
	s, err := New(testSeed())
	if err != nil {
		t.Fatal(err)
	}
	want := Seed{
		APIUser:         testUser,
		APIKey:          testKey,
		OutboundCluster: "SendGrid MTA",
		IPs:             []string{"192.0.2.1", "192.0.2.2", "192.0.2.3", "192.0.2.4", "192.0.2.9", "192.0.2.10"},
		Subusers: []SeedSubuser{
			{Name: "alice", Active: new(true), IPs: []string{"192.0.2.1", "192.0.2.2"}},
			{Name: "bob", Active: new(true), IPs: []string{"192.0.2.2"}},
			{Name: "carol", Active: new(false), IPs: []string{"192.0.2.3"}},
			{Name: "dan", Active: new(false), IPs: []string{"192.0.2.4"}},
			{Name: "erin", Active: new(true), IPs: []string{"192.0.2.4"}},
			{Name: "frank", Active: new(true), IPs: []string{}},
		},
	}
	got := s.Snapshot()
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Snapshot =\n%+v\nwant\n%+v", got, want)
	}
	got.IPs[0] = "x"
	got.Subusers[0].IPs[0] = "x"
	*got.Subusers[0].Active = false
	if again := s.Snapshot(); !reflect.DeepEqual(again, want) {
		t.Fatal("Snapshot shares memory with the server")
	}
	s2, err := New(want)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(s2.Snapshot(), want) {
		t.Fatal("snapshot does not round-trip")
	}
}

func TestStateMethods(t *testing.T) {
	s, err := New(testSeed())
	if err != nil {
		t.Fatal(err)
	}
	if ips, ok := s.SubuserIPs("alice"); !ok || !slices.Equal(ips, []string{"192.0.2.1", "192.0.2.2"}) {
		t.Errorf("SubuserIPs(alice) = %v, %v", ips, ok)
	}
	if ips, ok := s.SubuserIPs("nobody"); ok || ips != nil {
		t.Errorf("SubuserIPs(nobody) = %v, %v", ips, ok)
	}
	if err := s.SetSubuserIPs("alice", []string{"192.0.2.10", "192.0.2.9", "192.0.2.10"}); err != nil {
		t.Fatal(err)
	}
	if ips, _ := s.SubuserIPs("alice"); !slices.Equal(ips, []string{"192.0.2.9", "192.0.2.10"}) {
		t.Errorf("after SetSubuserIPs: %v", ips)
	}
	if err := s.SetSubuserIPs("alice", nil); err != nil {
		t.Fatal(err)
	}
	if err := s.SetSubuserIPs("alice", []string{"198.51.100.1"}); err == nil {
		t.Error("SetSubuserIPs accepted a foreign IP")
	}
	if err := s.SetSubuserIPs("nobody", nil); !errors.Is(err, errNoSubuser) {
		t.Errorf("SetSubuserIPs(nobody) = %v", err)
	}
	if err := s.AddSubuser("zoe", false, []string{"192.0.2.9"}); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []struct {
		name string
		ips  []string
	}{{"zoe", nil}, {"", nil}, {"yan", []string{"nope"}}} {
		if err := s.AddSubuser(bad.name, true, bad.ips); err == nil {
			t.Errorf("AddSubuser(%q, %v) succeeded", bad.name, bad.ips)
		}
	}
	if err := s.SetSubuserActive("carol", true); err != nil {
		t.Fatal(err)
	}
	if err := s.SetSubuserActive("nobody", true); err == nil {
		t.Error("SetSubuserActive(nobody) succeeded")
	}
	if err := s.DeleteSubuser("bob"); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteSubuser("bob"); err == nil {
		t.Error("deleting bob twice succeeded")
	}
	// The counters behind customer.ip still match the definitions.
	snap := s.Snapshot()
	s.mu.RLock()
	for _, list := range []listFilter{listAll, listFree, listTaken, listAvailable} {
		if got, want := s.st.filter(list), referenceFilter(snap, string(list)); !slices.Equal(got, want) {
			t.Errorf("%s = %v, want %v", list, got, want)
		}
	}
	s.mu.RUnlock()
	if err := s.Reset(testSeed()); err != nil {
		t.Fatal(err)
	}
	if ips, _ := s.SubuserIPs("bob"); !slices.Equal(ips, []string{"192.0.2.2"}) {
		t.Errorf("after Reset bob = %v", ips)
	}
	if err := s.Reset(Seed{IPs: []string{"bad"}}); err == nil {
		t.Error("Reset accepted a bad seed")
	}
	if _, ok := s.SubuserIPs("bob"); !ok {
		t.Error("a failed Reset changed the state")
	}
}

func TestZeroValues(t *testing.T) {
	var s Server
	// An empty account refuses every request, and its methods work.
	if got := s.Snapshot(); len(got.IPs) != 0 || len(got.Subusers) != 0 || got.OutboundCluster != DefaultOutboundCluster {
		t.Errorf("zero Snapshot = %+v", got)
	}
	if err := s.AddSubuser("a", true, nil); err != nil {
		t.Fatal(err)
	}
	if err := s.SetSubuserIPs("a", nil); err != nil {
		t.Fatal(err)
	}
	if err := s.SetSubuserActive("a", false); err != nil {
		t.Fatal(err)
	}
	s.InjectFault(Fault{})
	s.SetRandomFaults(0, nil, 0)
	s.SetRateLimit(0, 0)
	if s.FaultsInjected() != 0 || s.RateLimited() != 0 || len(s.Requests()) != 0 || s.Count("", "") != 0 {
		t.Error("zero server has counts")
	}
	if err := s.Close(); err != nil {
		t.Errorf("Close of a server never started: %v", err)
	}
	if s.URL() != "" {
		t.Error("URL of a server never started")
	}
	url, err := s.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = s.Close() }()
	got := callRaw(t, url+"customer.ip.json", http.MethodGet, creds("list", "all"))
	if got.status != 200 || !strings.Contains(got.body, "Invalid username") {
		t.Errorf("zero server answered %d %s", got.status, got.body)
	}
	got = callRaw(t, url+"customer.ip.json", http.MethodGet, nil)
	if !strings.Contains(got.body, "Invalid username") {
		t.Errorf("empty credentials accepted: %s", got.body)
	}
}

func TestStartClose(t *testing.T) {
	s, err := New(testSeed())
	if err != nil {
		t.Fatal(err)
	}
	u, err := s.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(u, "http://127.0.0.1:") || !strings.HasSuffix(u, "/apiv2/") || s.URL() != u {
		t.Fatalf("Start URL = %q, URL() = %q", u, s.URL())
	}
	if _, err := s.Start("127.0.0.1:0"); err == nil {
		t.Error("second Start succeeded")
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if resp, err := http.Get(u + "customer.ip.json"); err == nil {
		_ = resp.Body.Close()
		t.Error("server still answers after Close")
	}
	// Restartable, with the state kept.
	u2, err := s.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = s.Close() }()
	got := callRaw(t, u2+"customer.ip.json", http.MethodGet, creds("list", "free"))
	wantReply(t, got, 200, "application/json", jsonIPList("192.0.2.9", "192.0.2.10"))
}

func TestLoadSeedFile(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := write("good.json", `{"api_user":"u","api_key":"k","ips":["192.0.2.1"],"subusers":[{"name":"a","active":false,"ips":["192.0.2.1"]}]}`)
	seed, err := LoadSeedFile(good)
	if err != nil {
		t.Fatal(err)
	}
	if seed.APIUser != "u" || len(seed.Subusers) != 1 || *seed.Subusers[0].Active {
		t.Errorf("loaded %+v", seed)
	}
	for name, body := range map[string]string{
		"unknown field": `{"api_user":"u","api_key":"k","subuser":[]}`,
		"no key":        `{"api_user":"u","ips":[]}`,
		"bad ip":        `{"api_user":"u","api_key":"k","ips":["300.1.1.1"]}`,
		"trailing":      `{"api_user":"u","api_key":"k"} {}`,
		"not json":      `api_user: u`,
	} {
		if _, err := LoadSeedFile(write(name+".json", body)); err == nil {
			t.Errorf("%s: loaded", name)
		}
	}
	if _, err := LoadSeedFile(filepath.Join(dir, "missing.json")); err == nil {
		t.Error("missing file loaded")
	}
}

// The demo seed matches what the brief describes.
func TestExampleSeed(t *testing.T) {
	seed, err := LoadSeedFile(filepath.Join("..", "..", "examples", "mock", "seed.json"))
	if err != nil {
		t.Fatal(err)
	}
	if seed.APIUser != "reseller@example.com" || seed.APIKey != "demo-not-a-real-key" || len(seed.IPs) != 6 {
		t.Fatalf("demo seed: %+v", seed)
	}
	for _, ip := range seed.IPs {
		if !strings.HasPrefix(ip, "203.0.113.") {
			t.Errorf("%s is not in 203.0.113.0/24", ip)
		}
	}
	s, err := New(seed)
	if err != nil {
		t.Fatal(err)
	}
	snap := s.Snapshot()
	by := map[string]SeedSubuser{}
	for _, su := range snap.Subusers {
		by[su.Name] = su
	}
	if len(by["alice"].IPs) != 2 || !*by["alice"].Active {
		t.Errorf("alice: %+v", by["alice"])
	}
	shared := 0
	for _, ip := range by["bob"].IPs {
		if slices.Contains(by["alice"].IPs, ip) {
			shared++
		}
	}
	if shared != 1 {
		t.Errorf("bob shares %d IPs with alice, want 1", shared)
	}
	if *by["carol"].Active || len(by["carol"].IPs) != 1 {
		t.Errorf("carol: %+v", by["carol"])
	}
	if d, ok := by["dave"]; !ok || len(d.IPs) != 0 {
		t.Errorf("dave: %+v", d)
	}
	if free := referenceFilter(snap, "free"); len(free) != 2 {
		t.Errorf("free = %v, want 2 IPs", free)
	}
}
