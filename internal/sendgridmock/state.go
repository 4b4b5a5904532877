package sendgridmock

import (
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"sort"
	"strings"
)

// state is the reseller account. It is guarded by Server.mu. The zero value
// is an empty account (no credentials, no IPs, no subusers): reads of its nil
// maps are safe and every writer goes through addSubuser, which allocates.
//
// The reseller's IPs only change on Reset, so they are kept as a sorted slice
// and subusers refer to them by position. Per-IP counters of holders make the
// customer.ip filters O(number of IPs) whatever the number of subusers.
type state struct {
	apiUser, apiKey string
	cluster         string

	ips         []netip.Addr       // sorted numerically
	index       map[netip.Addr]int // IP -> position in ips
	users       []int              // per position: subusers holding the IP
	activeUsers []int              // per position: active subusers holding it
	subs        map[string]*subuser
	lastID      int // v3 subuser ids are given in creation order, never reused
}

// subuser is one subuser; ips are positions in state.ips, ascending and
// unique, so they are already in numeric order for answers.
type subuser struct {
	id     int
	active bool
	ips    []int
}

// sortAddrs sorts IPs numerically (IPv4 before IPv6), the stable order every
// answer uses.
func sortAddrs(a []netip.Addr) { slices.SortFunc(a, netip.Addr.Compare) }

// resolve maps IP strings to positions, deduplicated and ascending. Strings
// that are not IPs of this account are returned in bad, deduplicated, in the
// order given, so an error answer names each one once.
func (st *state) resolve(ips []string) (idx []int, bad []string) {
	seen := make(map[int]bool, len(ips))
	var badSeen map[string]bool
	for _, s := range ips {
		i := -1
		if a, err := parseIP(s); err == nil {
			if p, ok := st.index[a]; ok {
				i = p
			}
		}
		if i < 0 {
			if !badSeen[s] {
				if badSeen == nil {
					badSeen = make(map[string]bool)
				}
				badSeen[s] = true
				bad = append(bad, s)
			}
			continue
		}
		if !seen[i] {
			seen[i] = true
			idx = append(idx, i)
		}
	}
	sort.Ints(idx)
	return idx, bad
}

// addSubuser creates a subuser; the caller has checked the name is free.
func (st *state) addSubuser(name string, active bool, idx []int) {
	if st.subs == nil {
		st.subs = make(map[string]*subuser)
	}
	st.lastID++
	su := &subuser{id: st.lastID, active: active}
	st.subs[name] = su
	st.setIPs(su, idx)
}

// deleteSubuser removes a subuser, releasing its IPs.
func (st *state) deleteSubuser(name string) {
	if su, ok := st.subs[name]; ok {
		st.setIPs(su, nil)
		delete(st.subs, name)
	}
}

// setIPs replaces a subuser's IPs, keeping the per-IP counters exact.
func (st *state) setIPs(su *subuser, idx []int) {
	st.count(su, -1)
	su.ips = idx
	st.count(su, +1)
}

// setActive flips a subuser's active flag, keeping the counters exact.
func (st *state) setActive(su *subuser, active bool) {
	st.count(su, -1)
	su.active = active
	st.count(su, +1)
}

// count adds delta to the counters of every IP the subuser holds.
func (st *state) count(su *subuser, delta int) {
	for _, i := range su.ips {
		st.users[i] += delta
		if su.active {
			st.activeUsers[i] += delta
		}
	}
}

// listFilter is a value of customer.ip's list parameter.
type listFilter string

const (
	listAll       listFilter = "all"
	listFree      listFilter = "free"
	listTaken     listFilter = "taken"
	listAvailable listFilter = "available"
)

// filter returns the reseller's IPs of one kind, in numeric order.
func (st *state) filter(f listFilter) []string {
	out := make([]string, 0, len(st.ips))
	for i, a := range st.ips {
		var keep bool
		switch f {
		case listAll:
			keep = true
		case listFree:
			keep = st.users[i] == 0
		case listTaken:
			keep = st.users[i] > 0
		case listAvailable:
			// Free IPs, plus IPs whose every holder is deactivated: nobody
			// sends from those.
			keep = st.activeUsers[i] == 0
		}
		if keep {
			out = append(out, a.String())
		}
	}
	return out
}

// subuserIPs returns a subuser's IPs as strings, in numeric order.
func (st *state) subuserIPs(su *subuser) []string {
	out := make([]string, len(su.ips))
	for k, i := range su.ips {
		out[k] = st.ips[i].String()
	}
	return out
}

// holders returns, for each position in idx, the names of the subusers
// holding that IP, by name.
func (st *state) holders(idx []int) [][]string {
	at := make(map[int]int, len(idx))
	for k, i := range idx {
		at[i] = k
	}
	out := make([][]string, len(idx))
	for _, n := range st.names() {
		for _, i := range st.subs[n].ips {
			if k, ok := at[i]; ok {
				out[k] = append(out[k], n)
			}
		}
	}
	return out
}

// names returns the subuser names in order.
func (st *state) names() []string {
	out := make([]string, 0, len(st.subs))
	for n := range st.subs {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// snapshot copies the state out as a Seed.
func (st *state) snapshot() Seed {
	seed := Seed{
		APIUser:         st.apiUser,
		APIKey:          st.apiKey,
		OutboundCluster: st.cluster,
		IPs:             make([]string, len(st.ips)),
		Subusers:        make([]SeedSubuser, 0, len(st.subs)),
	}
	if seed.OutboundCluster == "" {
		seed.OutboundCluster = DefaultOutboundCluster
	}
	for i, a := range st.ips {
		seed.IPs[i] = a.String()
	}
	for _, n := range st.names() {
		su := st.subs[n]
		active := su.active
		seed.Subusers = append(seed.Subusers, SeedSubuser{Name: n, Active: &active, IPs: st.subuserIPs(su)})
	}
	return seed
}

// errNoSubuser is wrapped by the state methods when a name is unknown, so a
// test can tell that case apart with errors.Is.
var errNoSubuser = errors.New("no such subuser")

// lookup finds a subuser or returns an error naming it.
func (st *state) lookup(name string) (*subuser, error) {
	su, ok := st.subs[name]
	if !ok {
		return nil, fmt.Errorf("sendgridmock: subuser %q: %w", name, errNoSubuser)
	}
	return su, nil
}

// resolveAll is resolve for the Go API: any bad IP is an error.
func (st *state) resolveAll(ips []string) ([]int, error) {
	idx, bad := st.resolve(ips)
	if len(bad) > 0 {
		return nil, fmt.Errorf("sendgridmock: not IPs of the reseller: %s", strings.Join(bad, ", "))
	}
	return idx, nil
}

// Reset replaces the whole account with seed. The request log, queued faults
// and options (rate limit, duplicates, credential shape) are kept: they
// belong to the test, not to the account.
func (s *Server) Reset(seed Seed) error {
	st, err := buildState(seed)
	if err != nil {
		return err
	}
	s.mu.Lock()
	s.st = st
	s.mu.Unlock()
	return nil
}

// Snapshot returns a copy of the account: IPs in numeric order, subusers by
// name, each with Active set and IPs in numeric order.
func (s *Server) Snapshot() Seed {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.st.snapshot()
}

// SubuserIPs returns a subuser's IPs in numeric order, and false if there is
// no such subuser.
func (s *Server) SubuserIPs(name string) ([]string, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	su, ok := s.st.subs[name]
	if !ok {
		return nil, false
	}
	return s.st.subuserIPs(su), true
}

// SetSubuserIPs replaces a subuser's IPs directly, as a change made outside
// Terraform would. Unlike the API it accepts an empty list, so tests can
// build states the API refuses to create. Every IP must be the reseller's.
func (s *Server) SetSubuserIPs(name string, ips []string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	su, err := s.st.lookup(name)
	if err != nil {
		return err
	}
	idx, err := s.st.resolveAll(ips)
	if err != nil {
		return err
	}
	s.st.setIPs(su, idx)
	return nil
}

// AddSubuser creates a subuser holding ips (which must be the reseller's).
func (s *Server) AddSubuser(name string, active bool, ips []string) error {
	if name == "" {
		return errors.New("sendgridmock: a subuser needs a name")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, exists := s.st.subs[name]; exists {
		return fmt.Errorf("sendgridmock: subuser %q already exists", name)
	}
	idx, err := s.st.resolveAll(ips)
	if err != nil {
		return err
	}
	s.st.addSubuser(name, active, idx)
	return nil
}

// DeleteSubuser removes a subuser and releases its IPs.
func (s *Server) DeleteSubuser(name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.st.lookup(name); err != nil {
		return err
	}
	s.st.deleteSubuser(name)
	return nil
}

// SetSubuserActive activates or deactivates a subuser, as customer.enable
// and customer.disable do.
func (s *Server) SetSubuserActive(name string, active bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	su, err := s.st.lookup(name)
	if err != nil {
		return err
	}
	s.st.setActive(su, active)
	return nil
}
