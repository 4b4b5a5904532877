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
	st.noRDNS = make([]bool, len(st.ips))
	idx, bad := st.resolve(seed.IPsWithoutRDNS)
	if len(bad) > 0 {
		return state{}, fmt.Errorf("sendgridmock: seed ips_without_rdns: IP %s is not one of the reseller's IPs", bad[0])
	}
	for _, i := range idx {
		st.noRDNS[i] = true
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
