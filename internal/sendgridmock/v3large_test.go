package sendgridmock

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"
)

// v3IPsResponse writes what json.Marshal writes, escapes included.
func TestV3IPsResponseIsJSONMarshal(t *testing.T) {
	type row struct {
		IP           string   `json:"ip"`
		Subusers     []string `json:"subusers"`
		Pools        []string `json:"pools"`
		Warmup       bool     `json:"warmup"`
		StartDate    *int64   `json:"start_date"`
		Whitelabeled bool     `json:"whitelabeled"`
		AssignedAt   *int     `json:"assigned_at"`
		RDNS         string   `json:"rdns,omitempty"`
	}
	odd := []string{"a\"b\\c", "<&>", "\u2028\u2029", "bad\xffutf8", "tab\tnl\n\x01", "ünï", ""}
	tests := []struct {
		name    string
		ips     []string
		holders [][]string
		twice   bool
		pools   [][]string
		rdns    []string
		warm    []warmState
	}{
		{"none", nil, nil, false, nil, nil, nil},
		{"no holders", []string{"192.0.2.1", "192.0.2.2"}, [][]string{nil, {}}, false, nil, nil, nil},
		{"names", []string{"192.0.2.1", "192.0.2.2"}, [][]string{{"alice"}, {"alice", "bob"}}, false, nil, nil, nil},
		{"twice", []string{"192.0.2.1", "192.0.2.2"}, [][]string{{"alice"}, {"alice", "bob"}}, true, nil, nil, nil},
		{"escapes", []string{"192.0.2.1", "<ip>"}, [][]string{odd, odd[2:]}, false, nil, nil, nil},
		{"escapes twice", []string{"192.0.2.1"}, [][]string{odd}, true, nil, nil, nil},
		{"pools and rdns", []string{"192.0.2.1", "192.0.2.2"}, [][]string{{"alice"}, nil}, true,
			[][]string{{"a", "b c"}, odd}, []string{"o1.example", ""}, nil},
		{"warmup", []string{"192.0.2.1", "192.0.2.2", "192.0.2.3"}, [][]string{nil, nil, nil}, false, nil, nil,
			[]warmState{{true, 1409616000}, {false, 1409616001}, {}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows := make([]row, len(tt.ips))
			for i, ip := range tt.ips {
				subs := []string{}
				for _, n := range tt.holders[i] {
					subs = append(subs, n)
					if tt.twice {
						subs = append(subs, n)
					}
				}
				rows[i] = row{IP: ip, Subusers: subs, Pools: []string{}}
				if tt.pools != nil {
					rows[i].Pools = append(rows[i].Pools, tt.pools[i]...)
				}
				if tt.rdns != nil {
					rows[i].RDNS, rows[i].Whitelabeled = tt.rdns[i], tt.rdns[i] != ""
				}
				if tt.warm != nil {
					rows[i].Warmup, rows[i].StartDate = tt.warm[i].warming, tt.warm[i].startDate()
				}
			}
			want, _ := json.Marshal(rows)
			if got := v3IPsResponse(tt.ips, tt.holders, tt.pools, tt.rdns, tt.warm, tt.twice); string(got.body) != string(want) || got.status != 200 || got.ctype != ctypeJSON {
				t.Errorf("got %d %s\n%s\nwant\n%s", got.status, got.ctype, got.body, want)
			}
		})
	}
}

// A large account loads, and a page of 100 IPs held by 2,000 subusers each (about 5.6 MB) costs its size.
func TestV3LargePage(t *testing.T) {
	const nIPs, nSubs = 100, 2000
	seed := Seed{APIKey: testKey}
	for i := range nIPs {
		seed.IPs = append(seed.IPs, fmt.Sprintf("10.1.0.%d", i))
	}
	for i := range nSubs {
		seed.Subusers = append(seed.Subusers, SeedSubuser{Name: fmt.Sprintf("subuser-%04d-example-corp", i), IPs: seed.IPs})
	}
	s, err := New(seed) // unchecked: this measures the mock, not the contract check
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	start := time.Now()
	r := v3get(t, s, "v3/ips?limit=100")
	took := time.Since(start)
	t.Logf("GET /v3/ips?limit=100: %d bytes in %v", len(r.body), took)
	if r.status != 200 || len(r.body) <= 4<<20 || strings.Count(r.body, `"subuser-`) != nIPs*nSubs ||
		!strings.HasPrefix(r.body, `[{"ip":"10.1.0.0","subusers":["subuser-0000-example-corp",`) {
		t.Fatalf("status %d, %d bytes, %.100s", r.status, len(r.body), r.body)
	}
	if budget := raceSlowdown * time.Second; took > budget {
		t.Errorf("the page took %v, over %v", took, budget)
	}
}
