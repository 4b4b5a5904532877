package sendgridmock

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"os"
)

// DefaultOutboundCluster is what customer.sendip task=list reports when the
// seed names no cluster. Recorded SendGrid answers carry this value.
const DefaultOutboundCluster = "SendGrid MTA"

// Seed is the whole state of a reseller account: its credentials, its IPs
// and its subusers. It is what New, Reset and Snapshot exchange, and what a
// seed file holds as JSON.
type Seed struct {
	APIUser         string        `json:"api_user"`
	APIKey          string        `json:"api_key"`
	OutboundCluster string        `json:"outbound_cluster,omitempty"` // default "SendGrid MTA"
	IPs             []string      `json:"ips"`
	Subusers        []SeedSubuser `json:"subusers"`
}

// SeedSubuser is one subuser of the reseller.
type SeedSubuser struct {
	Name   string   `json:"name"`
	Active *bool    `json:"active,omitempty"` // nil means active
	IPs    []string `json:"ips"`
}

// LoadSeedFile reads a JSON seed file. Unknown fields are an error, so that a
// misspelled key ("subuser", "ip") does not silently give an empty account, and
// the seed is validated as New would, so a bad file fails here with its name.
// A file must name credentials: without them no request could ever succeed.
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
	// A second JSON value after the first is almost certainly a broken file.
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

// parseIP turns an address from a seed or a request into its canonical form.
// IPv4-mapped IPv6 addresses are unmapped so "::ffff:1.2.3.4" and "1.2.3.4"
// are the same IP; zones make no sense for a sending IP and are refused.
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

// buildState validates a seed and turns it into the indexed state the server
// works on. Validation is strict because a seed is written by hand and a typo
// should fail loudly rather than give a test the wrong account.
func buildState(seed Seed) (state, error) {
	st := state{
		apiUser: seed.APIUser,
		apiKey:  seed.APIKey,
		cluster: seed.OutboundCluster,
		index:   make(map[netip.Addr]int, len(seed.IPs)),
		subs:    make(map[string]*subuser, len(seed.Subusers)),
	}
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
		st.index[a] = -1 // positions are assigned after sorting
		st.ips = append(st.ips, a)
	}
	sortAddrs(st.ips)
	for i, a := range st.ips {
		st.index[a] = i
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
		active := su.Active == nil || *su.Active
		st.addSubuser(su.Name, active, idx)
	}
	return st, nil
}
