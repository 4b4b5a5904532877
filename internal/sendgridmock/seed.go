package sendgridmock

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"slices"
	"strings"
)

// DefaultOutboundCluster is the cluster of a seed that names none, as recorded answers carry.
const DefaultOutboundCluster = "SendGrid MTA"

// Seed is a whole reseller account, as New, Reset and Snapshot exchange it and a seed file holds it.
type Seed struct {
	APIUser         string        `json:"api_user"`
	APIKey          string        `json:"api_key"`
	OutboundCluster string        `json:"outbound_cluster,omitempty"` // default DefaultOutboundCluster
	IPs             []string      `json:"ips"`
	Subusers        []SeedSubuser `json:"subusers"`
	Pools           []SeedPool    `json:"pools,omitempty"`            // in creation order
	IPsWithoutRDNS  []string      `json:"ips_without_rdns,omitempty"` // every other IP has reverse DNS
	// ReverseDNS gives the IPs listed their records; every other IP with reverse DNS gets o<ip-with-dashes>.ptr.mock.example,
	// valid, ids from 1 in numeric IP order.
	ReverseDNS []SeedReverseDNS `json:"reverse_dns,omitempty"`
	Warmups    []SeedWarmup     `json:"warmups,omitempty"` // every other IP was never warmed
}

// SeedReverseDNS is one IP's reverse DNS record; its names are checked as POST /v3/whitelabel/ips checks them.
type SeedReverseDNS struct {
	ID        int    `json:"id,omitempty"` // 0: the next free one, in numeric IP order
	IP        string `json:"ip"`
	Domain    string `json:"domain"`
	Subdomain string `json:"subdomain,omitempty"`
	RDNS      string `json:"rdns,omitempty"` // "": o<id>.<subdomain>.<domain>, as SendGrid names it
	Valid     bool   `json:"valid"`
}

// SeedWarmup is one IP's warmup; an IP whose warmup was stopped keeps its start date.
type SeedWarmup struct {
	IP        string `json:"ip"`
	StartDate int64  `json:"start_date"` // unix seconds; 0: never warmed, only for an IP not warming
	Warming   bool   `json:"warming"`
}

// SeedPool is one IP pool; each of its IPs must have reverse DNS.
type SeedPool struct {
	Name string   `json:"name"`
	IPs  []string `json:"ips"`
}

// SeedSubuser is one subuser of the reseller.
type SeedSubuser struct {
	Name   string   `json:"name"`
	Active *bool    `json:"active,omitempty"` // nil: active
	IPs    []string `json:"ips"`
}

// LoadSeedFile reads a JSON seed file strictly (unknown fields, trailing data, no credentials and
// what New refuses are errors), so a typo fails loudly with the file's name.
func LoadSeedFile(path string) (Seed, error) {
	data, err := os.ReadFile(path) //nolint:gosec // reading the file the caller names is the point
	if err != nil {
		return Seed{}, fmt.Errorf("sendgridmock: reading seed: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var seed Seed
	if err := dec.Decode(&seed); err != nil {
		return Seed{}, fmt.Errorf("sendgridmock: seed %s: %w", path, err)
	}
	if dec.More() {
		return Seed{}, fmt.Errorf("sendgridmock: seed %s: unexpected data after the JSON object", path)
	}
	if seed.APIUser == "" || seed.APIKey == "" {
		return Seed{}, fmt.Errorf("sendgridmock: seed %s: api_user and api_key are required", path)
	}
	if _, err := buildState(seed); err != nil {
		return Seed{}, fmt.Errorf("%w (in %s)", err, path)
	}
	return seed, nil
}

// parseIP reads an address of a seed or a request, unmapped; a zone makes no sending IP.
func parseIP(s string) (netip.Addr, error) {
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Addr{}, err
	}
	if a.Zone() != "" {
		return netip.Addr{}, errors.New("an IP with a zone is not a sending IP")
	}
	return a.Unmap(), nil
}

// buildState validates a seed strictly, since it is written by hand, and indexes it.
func buildState(seed Seed) (state, error) {
	st := state{apiUser: seed.APIUser, apiKey: seed.APIKey, cluster: seed.OutboundCluster,
		index: make(map[netip.Addr]int, len(seed.IPs)), subs: make(map[string]*subuser, len(seed.Subusers))}
	if st.cluster == "" {
		st.cluster = DefaultOutboundCluster
	}
	for _, s := range seed.IPs {
		a, err := parseIP(s)
		if err != nil {
			return state{}, fmt.Errorf("sendgridmock: seed IP %q is not a valid IP address: %w", s, err)
		}
		if _, dup := st.index[a]; dup {
			return state{}, fmt.Errorf("sendgridmock: seed IP %s is listed twice", a)
		}
		st.index[a] = -1 // positions come after sorting
		st.ips = append(st.ips, a)
	}
	slices.SortFunc(st.ips, netip.Addr.Compare)
	for i, a := range st.ips {
		st.index[a] = i
	}
	if err := st.seedRecords(seed); err != nil {
		return state{}, err
	}
	if err := st.seedWarmups(seed.Warmups); err != nil {
		return state{}, err
	}
	st.users = make([]int, len(st.ips))
	st.activeUsers = make([]int, len(st.ips))
	for i, su := range seed.Subusers {
		if su.Name == "" {
			return state{}, fmt.Errorf("sendgridmock: seed subuser #%d has no name", i+1)
		}
		if _, dup := st.subs[su.Name]; dup {
			return state{}, fmt.Errorf("sendgridmock: seed subuser %q is listed twice", su.Name)
		}
		idx, bad := st.resolve(su.IPs)
		if len(bad) > 0 {
			return state{}, fmt.Errorf("sendgridmock: seed subuser %q: IP %s is not one of the reseller's IPs", su.Name, bad[0])
		}
		st.addSubuser(su.Name, su.Active == nil || *su.Active, idx)
	}
	for i, sp := range seed.Pools {
		if msg := st.newPoolRefusal(sp.Name); msg != "" {
			return state{}, fmt.Errorf("sendgridmock: seed pool #%d %q: %s", i+1, sp.Name, msg)
		}
		idx, err := st.poolIPs(sp.IPs)
		if err != nil {
			return state{}, fmt.Errorf("sendgridmock: seed pool %q: %s", sp.Name, strings.TrimPrefix(err.Error(), "sendgridmock: "))
		}
		p := &pool{name: sp.Name}
		p.set(idx)
		st.pools = append(st.pools, p)
	}
	return st, nil
}

// seedRecords gives every IP its record: the seed's own, none, or the default, ids assigned in numeric IP order.
func (st *state) seedRecords(seed Seed) error {
	st.records = make([]*rdnsRecord, len(st.ips))
	idx, bad := st.resolve(seed.IPsWithoutRDNS)
	if len(bad) > 0 {
		return fmt.Errorf("sendgridmock: seed ips_without_rdns: IP %s is not one of the reseller's IPs", bad[0])
	}
	none := make([]bool, len(st.ips))
	for _, i := range idx {
		none[i] = true
	}
	given := make(map[int]SeedReverseDNS, len(seed.ReverseDNS))
	ids := make(map[int]bool, len(seed.ReverseDNS))
	for _, r := range seed.ReverseDNS {
		a, _ := parseIP(r.IP)
		i, ok := st.index[a]
		_, dup := given[i]
		field, msg := rdnsNameRefusal(r.Domain, r.Subdomain)
		switch {
		case !ok:
			return fmt.Errorf("sendgridmock: seed reverse_dns: IP %s is not one of the reseller's IPs", r.IP)
		case dup:
			return fmt.Errorf("sendgridmock: seed reverse_dns: IP %s is listed twice", a)
		case none[i]:
			return fmt.Errorf("sendgridmock: seed reverse_dns: IP %s is also in ips_without_rdns", a)
		case r.ID < 0 || ids[r.ID]:
			return fmt.Errorf("sendgridmock: seed reverse_dns: IP %s: id %d is negative or taken", a, r.ID)
		case msg != "":
			return fmt.Errorf("sendgridmock: seed reverse_dns: IP %s: %s: %s", a, field, msg)
		case r.RDNS != "" && !validLabels(r.RDNS):
			return fmt.Errorf("sendgridmock: seed reverse_dns: IP %s: rdns %q is not a domain name", a, r.RDNS)
		}
		given[i] = r
		if r.ID > 0 {
			ids[r.ID] = true
			st.addRecord(i, r.ID, r.Domain, r.Subdomain, r.RDNS, r.Valid)
		}
	}
	next := 1
	for i, a := range st.ips {
		r, explicit := given[i]
		if none[i] || (explicit && r.ID > 0) {
			continue
		}
		for ids[next] {
			next++
		}
		ids[next] = true
		if explicit {
			st.addRecord(i, next, r.Domain, r.Subdomain, r.RDNS, r.Valid)
		} else {
			st.addRecord(i, next, defaultRDNSDomain, defaultRDNSSubdomain, defaultRDNS(a), true)
		}
	}
	return nil
}

func (st *state) seedWarmups(ws []SeedWarmup) error {
	st.warm = make([]warmState, len(st.ips))
	seen := make([]bool, len(st.ips))
	for _, w := range ws {
		a, _ := parseIP(w.IP)
		i, ok := st.index[a]
		if !ok {
			return fmt.Errorf("sendgridmock: seed warmups: IP %s is not one of the reseller's IPs", w.IP)
		}
		if seen[i] {
			return fmt.Errorf("sendgridmock: seed warmups: IP %s is listed twice", a)
		}
		seen[i] = true
		ws, err := newWarmState(w.Warming, w.StartDate)
		if err != nil {
			return fmt.Errorf("sendgridmock: seed warmups: IP %s: %w", a, err)
		}
		st.warm[i] = ws
	}
	return nil
}
