package sendgridmock

import (
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"time"
)

// state is the account, guarded by Server.mu; its zero value is empty. The IPs change only on Reset, so
// subusers refer to them by position, and per-IP counts of holders make the v2 filters O(IPs).
type state struct {
	apiUser, apiKey string
	cluster         string

	ips         []netip.Addr // sorted numerically
	index       map[netip.Addr]int
	users       []int // per IP: subusers holding it
	activeUsers []int // per IP: active subusers holding it
	subs        map[string]*subuser
	lastID      int                // v3 ids, in creation order, never reused
	ghosts      map[string][]int   // names GET /v3/ips lists on IPs (ascending positions) that are no subuser's
	records     []*rdnsRecord      // per IP: its reverse DNS record, nil for none
	lastRDNSID  int                // reverse DNS ids, never reused
	warm        []warmState        // per IP
	published   map[netip.Addr]int // IPs whose A record is in DNS: validations still to fail
	pools       []*pool            // in creation order
}

type subuser struct {
	id     int
	active bool
	ips    []int // positions in state.ips, ascending
}

// resolve maps IP strings to positions, ascending and unique; the rest come back in bad, once each, in order.
func (st *state) resolve(ips []string) (idx []int, bad []string) {
	for _, s := range ips {
		a, _ := parseIP(s) // the zero Addr is never in index
		if i, ok := st.index[a]; ok {
			idx = append(idx, i)
		} else if !slices.Contains(bad, s) {
			bad = append(bad, s)
		}
	}
	slices.Sort(idx)
	return slices.Compact(idx), bad
}

func (st *state) addSubuser(name string, active bool, idx []int) {
	if st.subs == nil {
		st.subs = make(map[string]*subuser)
	}
	st.lastID++
	su := &subuser{id: st.lastID, active: active}
	st.subs[name] = su
	st.setIPs(su, idx)
}

func (st *state) deleteSubuser(name string) {
	if su, ok := st.subs[name]; ok {
		st.setIPs(su, nil)
		delete(st.subs, name)
	}
}

func (st *state) setIPs(su *subuser, idx []int) {
	st.count(su, -1)
	su.ips = idx
	st.count(su, +1)
}

func (st *state) setActive(su *subuser, active bool) {
	st.count(su, -1)
	su.active = active
	st.count(su, +1)
}

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
		if f == listAll || (f == listFree && st.users[i] == 0) || (f == listTaken && st.users[i] > 0) ||
			(f == listAvailable && st.activeUsers[i] == 0) { // nobody active sends from it
			out = append(out, a.String())
		}
	}
	return out
}

func (st *state) strs(idx []int) []string {
	out := make([]string, len(idx))
	for k, i := range idx {
		out[k] = st.ips[i].String()
	}
	return out
}

func (st *state) ipsOf(name string) ([]string, bool) {
	su, ok := st.subs[name]
	if !ok {
		return nil, false
	}
	return st.strs(su.ips), true
}

// v3Page returns the positions on the page [offset, offset+limit) of every IP, or of those user is listed
// on, the list's first in place of the page's when dup.
func (st *state) v3Page(user string, offset, limit int, dup bool) []int {
	all, n := st.listedOn(user), len(st.ips)
	if user != "" {
		n = len(all)
	}
	lo, hi := page(n, offset, limit)
	idx := make([]int, 0, hi-lo)
	for k := lo; k < hi; k++ {
		if user == "" {
			idx = append(idx, k)
		} else {
			idx = append(idx, all[k])
		}
	}
	if dup && len(idx) > 0 {
		idx[0] = 0
		if user != "" {
			idx[0] = all[0]
		}
	}
	return idx
}

// listedOn returns the positions of the IPs that list user as a holder, ghost or not, ascending.
func (st *state) listedOn(user string) []int {
	var held []int
	if su, ok := st.subs[user]; ok {
		held = su.ips
	}
	if g := st.ghosts[user]; len(g) > 0 {
		held = slices.Concat(held, g)
		slices.Sort(held)
		held = slices.Compact(held)
	}
	return held
}

// holders returns, for each position in idx (ascending), the names of the subusers holding that IP, by
// name; each subuser's IPs are walked from idx[0] alongside idx, so a page costs its own names.
func (st *state) holders(idx []int) [][]string {
	out := make([][]string, len(idx))
	if len(idx) == 0 {
		return out
	}
	for k, i := range idx {
		out[k] = make([]string, 0, st.users[i])
	}
	for _, n := range st.matching("") {
		ips := st.subs[n].ips
		j, _ := slices.BinarySearch(ips, idx[0])
		for k := 0; j < len(ips) && k < len(idx); {
			switch {
			case ips[j] == idx[k]:
				out[k] = append(out[k], n)
				j, k = j+1, k+1
			case ips[j] < idx[k]:
				j++
			default:
				k++
			}
		}
	}
	for n, g := range st.ghosts {
		for k, i := range idx {
			if _, ok := slices.BinarySearch(g, i); ok {
				if at, found := slices.BinarySearch(out[k], n); !found {
					out[k] = slices.Insert(out[k], at, n)
				}
			}
		}
	}
	return out
}

// matching returns the subuser names that contain filter, sorted.
func (st *state) matching(filter string) []string {
	var out []string
	for n := range st.subs {
		if strings.Contains(n, filter) {
			out = append(out, n)
		}
	}
	slices.Sort(out)
	return out
}

var errNoSubuser = errors.New("no such subuser")

// update runs f on the named subuser under the lock.
func (s *Server) update(name string, f func(*subuser) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	su, ok := s.st.subs[name]
	if !ok {
		return fmt.Errorf("sendgridmock: subuser %q: %w", name, errNoSubuser)
	}
	return f(su)
}

// resolveAll is resolve for the Go API, where any bad IP is an error.
func (st *state) resolveAll(ips []string) ([]int, error) {
	idx, bad := st.resolve(ips)
	if len(bad) > 0 {
		return nil, fmt.Errorf("sendgridmock: not IPs of the reseller: %s", strings.Join(bad, ", "))
	}
	return idx, nil
}

func (s *Server) credentials() (user, key string) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.st.apiUser, s.st.apiKey
}

// Reset replaces the account with seed, ghost holders dropped; the log, faults and options belong to the test and stay.
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

// Snapshot returns a copy of the account, in numeric and name order (pools in creation order, additions
// not yet shown included), Active always set; ReverseDNS lists every record unless all are the default
// ones. Published A records and validation times are not part of it.
func (s *Server) Snapshot() Seed {
	s.mu.RLock()
	defer s.mu.RUnlock()
	seed := Seed{APIUser: s.st.apiUser, APIKey: s.st.apiKey, OutboundCluster: s.st.cluster,
		IPs: make([]string, len(s.st.ips)), Subusers: make([]SeedSubuser, 0, len(s.st.subs))}
	if seed.OutboundCluster == "" {
		seed.OutboundCluster = DefaultOutboundCluster
	}
	allDefault := s.st.areDefaultRecords()
	for i, a := range s.st.ips {
		seed.IPs[i] = a.String()
		if r := s.st.records[i]; r == nil {
			seed.IPsWithoutRDNS = append(seed.IPsWithoutRDNS, a.String())
		} else if !allDefault {
			seed.ReverseDNS = append(seed.ReverseDNS, SeedReverseDNS{ID: r.id, IP: a.String(), Domain: r.domain,
				Subdomain: r.subdomain, RDNS: r.rdns, Valid: r.valid})
		}
		if w := s.st.warm[i]; w != (warmState{}) {
			seed.Warmups = append(seed.Warmups, SeedWarmup{IP: a.String(), StartDate: w.start, Warming: w.warming})
		}
	}
	for _, p := range s.st.pools {
		seed.Pools = append(seed.Pools, SeedPool{Name: p.name, IPs: s.st.strs(p.ips(true, time.Time{}))})
	}
	for _, n := range s.st.matching("") {
		su := s.st.subs[n]
		seed.Subusers = append(seed.Subusers, SeedSubuser{Name: n, Active: new(su.active), IPs: s.st.strs(su.ips)})
	}
	return seed
}

// SubuserIPs returns a subuser's IPs in numeric order; false when there is no such subuser.
func (s *Server) SubuserIPs(name string) ([]string, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.st.ipsOf(name)
}

// SetSubuserIPs replaces a subuser's IPs as a change outside Terraform would; unlike the API it takes none.
func (s *Server) SetSubuserIPs(name string, ips []string) error {
	return s.update(name, func(su *subuser) error {
		idx, err := s.st.resolveAll(ips)
		if err == nil {
			s.st.setIPs(su, idx)
		}
		return err
	})
}

// AddSubuser creates a subuser holding ips, which must be the reseller's.
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

// AddGhostHolder lists name, which no subuser has, among ip's subusers in GET /v3/ips and ?subuser=name only; Reset clears it.
func (s *Server) AddGhostHolder(ip, name string) error {
	if name == "" {
		return errors.New("sendgridmock: a ghost holder needs a name")
	}
	a, _ := parseIP(ip) // the zero Addr is never in index
	s.mu.Lock()
	defer s.mu.Unlock()
	i, ok := s.st.index[a]
	if !ok {
		return fmt.Errorf("sendgridmock: %s is not an IP of the reseller", ip)
	}
	if _, exists := s.st.subs[name]; exists {
		return fmt.Errorf("sendgridmock: subuser %q exists: a ghost holder is a name no subuser has", name)
	}
	if s.st.ghosts == nil {
		s.st.ghosts = make(map[string][]int)
	}
	if at, found := slices.BinarySearch(s.st.ghosts[name], i); !found {
		s.st.ghosts[name] = slices.Insert(s.st.ghosts[name], at, i)
	}
	return nil
}

// DeleteSubuser removes a subuser and releases its IPs.
func (s *Server) DeleteSubuser(name string) error {
	return s.update(name, func(*subuser) error {
		s.st.deleteSubuser(name)
		return nil
	})
}

// SetSubuserActive activates or deactivates a subuser, as customer.enable and customer.disable do.
func (s *Server) SetSubuserActive(name string, active bool) error {
	return s.update(name, func(su *subuser) error {
		s.st.setActive(su, active)
		return nil
	})
}
