package sendgridmock

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"testing"
)

// pagingSeed: 25 IPs listed backwards, so numeric order must be computed, and 25 subusers; "all" holds every IP.
func pagingSeed() Seed {
	seed := Seed{APIKey: testKey}
	for i := 25; i >= 1; i-- {
		seed.IPs = append(seed.IPs, fmt.Sprintf("198.51.100.%d", i))
	}
	seed.Subusers = append(seed.Subusers, SeedSubuser{Name: "all", IPs: seed.IPs})
	for i := 1; i < 25; i++ {
		seed.Subusers = append(seed.Subusers, SeedSubuser{Name: fmt.Sprintf("user%02d", i)})
	}
	return seed
}

func TestV3Paging(t *testing.T) {
	s := StartTest(t, pagingSeed())
	var want []string
	for i := 1; i <= 25; i++ {
		want = append(want, fmt.Sprintf("198.51.100.%d", i))
	}
	ipsOf := func(path string) []string {
		t.Helper()
		r := v3get(t, s, path)
		if r.status != 200 {
			t.Fatalf("%s: %d %s", path, r.status, r.body)
		}
		var out []string
		for _, row := range v3Rows(t, r.body) {
			out = append(out, row.IP)
		}
		return out
	}
	for _, base := range []string{"v3/ips?", "v3/ips?subuser=all&"} {
		if got := ipsOf(base); !slices.Equal(got, want[:10]) {
			t.Errorf("%s default page = %v", base, got)
		}
		for _, limit := range []string{"", "7", "25", "500"} {
			var walked []string
			pages := 0
			for off := 0; ; pages++ {
				q := base + "offset=" + strconv.Itoa(off)
				if limit != "" {
					q += "&limit=" + limit
				}
				page := ipsOf(q)
				walked = append(walked, page...)
				off += len(page)
				size := 10
				if limit != "" {
					size, _ = strconv.Atoi(limit)
				}
				if len(page) < size || pages > 30 {
					break
				}
			}
			if !slices.Equal(walked, want) {
				t.Errorf("%s limit %q walked %v", base, limit, walked)
			}
		}
		if got := ipsOf(base + "limit=500"); !slices.Equal(got, want) {
			t.Errorf("%s limit=500 = %v", base, got)
		}
		wantReply(t, v3get(t, s, base+"limit=501"), 400, "application/json", v3Err("limit", msgV3Limit))
	}

	var users []string
	for off := 0; off < 30; off += 10 {
		var rows []struct{ Username string }
		decodeJSON(t, v3get(t, s, "v3/subusers?offset="+strconv.Itoa(off)).body, &rows)
		if off < 20 && len(rows) != 10 {
			t.Errorf("subusers page at %d has %d", off, len(rows))
		}
		for _, r := range rows {
			users = append(users, r.Username)
		}
	}
	if len(users) != 25 || users[0] != "all" || users[24] != "user24" || !slices.IsSorted(users) {
		t.Errorf("subusers walked %v", users)
	}
}

// The mock's username filter matches substrings: more than the exact name.
func TestV3UsernameSubstring(t *testing.T) {
	s := StartTest(t, Seed{APIKey: testKey, Subusers: []SeedSubuser{{Name: "alice"}, {Name: "alice2"}, {Name: "bob"}, {Name: "malice"}}})
	wantReply(t, v3get(t, s, "v3/subusers?username=alice"), 200, "application/json",
		arr(v3Sub(1, "alice", false), v3Sub(2, "alice2", false), v3Sub(4, "malice", false)))
}

// Changes through v2 and the Go API show in v3, and v3's PUT in v2.
func TestV3SharesStateWithV2(t *testing.T) {
	s := StartTest(t, testSeed())
	ok := `{"message":"success"}`
	wantReply(t, call(t, s, http.MethodPost, "customer.sendip.json",
		creds("task", "append", "user", "frank", "set", "specify", "ip[]", "192.0.2.9", "ip[]", "192.0.2.2")), 200, "application/json", ok)
	wantReply(t, call(t, s, http.MethodPost, "customer.disable.json", creds("user", "frank")), 200, "application/json", ok)
	wantReply(t, call(t, s, http.MethodPost, "customer.add.json", creds("username", "gina", "active", "0")), 200, "application/json", ok)
	wantReply(t, call(t, s, http.MethodPost, "customer.delete.json", creds("user", "alice")), 200, "application/json", ok)
	wantReply(t, v3get(t, s, "v3/ips?subuser=frank"), 200, "application/json", arr(v3IP("192.0.2.2", "bob", "frank"), v3IP("192.0.2.9", "frank")))
	wantReply(t, v3get(t, s, "v3/ips?limit=2"), 200, "application/json", arr(v3IP("192.0.2.1"), v3IP("192.0.2.2", "bob", "frank")))
	wantReply(t, v3get(t, s, "v3/subusers?offset=4"), 200, "application/json", arr(v3Sub(6, "frank", true), v3Sub(7, "gina", true)))

	for _, err := range []error{
		s.AddSubuser("hank", true, []string{"192.0.2.10"}),
		s.SetSubuserIPs("bob", []string{"192.0.2.3"}),
		s.SetSubuserActive("frank", true),
		s.DeleteSubuser("dan"),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	wantReply(t, v3get(t, s, "v3/ips"), 200, "application/json", arr(v3IP("192.0.2.1"), v3IP("192.0.2.2", "frank"),
		v3IP("192.0.2.3", "bob", "carol"), v3IP("192.0.2.4", "erin"), v3IP("192.0.2.9", "frank"), v3IP("192.0.2.10", "hank")))
	wantReply(t, v3get(t, s, "v3/subusers?username=an"), 200, "application/json", arr(v3Sub(6, "frank", false), v3Sub(8, "hank", false)))

	wantReply(t, v3put(t, s, "carol", `["192.0.2.10","192.0.2.1"]`), 200, "application/json", `{"ips":["192.0.2.1","192.0.2.10"]}`)
	wantReply(t, call(t, s, http.MethodGet, "customer.sendip.json", creds("task", "list", "user", "carol")), 200, "application/json",
		`{"success":"success","outboundcluster":"SendGrid MTA","ips":[{"ip":"192.0.2.1"},{"ip":"192.0.2.10"}]}`)
	wantReply(t, call(t, s, http.MethodGet, "customer.ip.json", creds("list", "free")), 200, "application/json", `[]`)
	wantReply(t, v3put(t, s, "carol", `[]`), 200, "application/json", `{"ips":[]}`)
	wantReply(t, call(t, s, http.MethodGet, "customer.sendip.json", creds("task", "list", "user", "carol")), 200, "application/json",
		`{"success":"success","outboundcluster":"SendGrid MTA","ips":[]}`)
	wantReply(t, call(t, s, http.MethodGet, "customer.ip.json", creds("list", "free")), 200, "application/json", jsonIPList("192.0.2.1"))
}

// TestV3AvailableData: v2's filters computed from v3's data (see DESIGN.md, v3 filters) equal v2's, as the account changes.
func TestV3AvailableData(t *testing.T) {
	s := StartTest(t, testSeed())
	check := func(step string) {
		t.Helper()
		var subs []struct {
			Username string
			Disabled bool
		}
		decodeJSON(t, v3get(t, s, "v3/subusers?limit=500").body, &subs)
		disabled := map[string]bool{}
		for _, su := range subs {
			disabled[su.Username] = su.Disabled
		}
		got := map[string][]string{}
		for _, row := range v3Rows(t, v3get(t, s, "v3/ips?limit=500").body) {
			got["all"] = append(got["all"], row.IP)
			if len(row.Subusers) == 0 {
				got["free"] = append(got["free"], row.IP)
			} else {
				got["taken"] = append(got["taken"], row.IP)
			}
			if !slices.ContainsFunc(row.Subusers, func(n string) bool { return !disabled[n] }) {
				got["available"] = append(got["available"], row.IP)
			}
		}
		for _, list := range []string{"all", "free", "taken", "available"} {
			v2 := ipsJSON(t, call(t, s, http.MethodGet, "customer.ip.json", creds("list", list)).body)
			if !slices.Equal(got[list], v2) {
				t.Errorf("%s: %s from v3 = %v, v2 = %v", step, list, got[list], v2)
			}
		}
		if step == "seed" && !slices.Equal(got["available"], []string{"192.0.2.3", "192.0.2.9", "192.0.2.10"}) {
			t.Errorf("seed: available = %v", got["available"])
		}
	}
	check("seed")
	call(t, s, http.MethodPost, "customer.enable.json", creds("user", "carol"))
	check("carol enabled")
	call(t, s, http.MethodPost, "customer.disable.json", creds("user", "erin"))
	check("erin disabled")
	v3put(t, s, "dan", `["192.0.2.9"]`)
	check("dan moved")
	_ = s.SetSubuserActive("alice", false)
	_ = s.SetSubuserActive("bob", false)
	check("alice and bob disabled")
}

func TestV3DuplicateIPs(t *testing.T) {
	s := StartTest(t, testSeed())
	s.SetDuplicateIPs(true)
	wantReply(t, v3get(t, s, "v3/ips?limit=2"), 200, "application/json",
		arr(v3IP("192.0.2.1", "alice", "alice"), v3IP("192.0.2.2", "alice", "alice", "bob", "bob")))
	wantReply(t, v3get(t, s, "v3/ips?subuser=carol"), 200, "application/json", arr(v3IP("192.0.2.3", "carol", "carol")))
	wantReply(t, v3put(t, s, "frank", `["192.0.2.10","192.0.2.9"]`), 200, "application/json",
		`{"ips":["192.0.2.9","192.0.2.9","192.0.2.10","192.0.2.10"]}`)
	wantReply(t, v3get(t, s, "v3/subusers?username=bob"), 200, "application/json", arr(v3Sub(2, "bob", false)))
	s.SetDuplicateIPs(false)
	wantReply(t, v3get(t, s, "v3/ips?subuser=carol"), 200, "application/json", arr(v3IP("192.0.2.3", "carol")))
}
