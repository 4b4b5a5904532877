package sendgridmock

import (
	"cmp"
	"fmt"
	"net/http"
	"slices"
	"time"
	"unicode/utf8"
)

// SendGrid's limits on pools (ips.json; its pool guide): a name of 64 characters, 100 pools an account.
const (
	maxPoolName = 64
	maxPools    = 100
)

// Messages of the pool and IP calls; where ips.json gives one, it is SendGrid's (DESIGN.md, "IP pools in the mock").
const (
	msgPoolNotFound  = "Unable to locate specified IPs Pool"
	msgNotInPool     = "IP address not found in pool"
	msgIPNotFound    = "resource not found"
	msgPoolNoName    = "name is required: an IP pool needs a name"
	msgPoolNameLong  = "name must be at most 64 characters"
	msgPoolNameTaken = "an IP pool with this name already exists"
	msgPoolTooMany   = "the account already has 100 IP pools, the most SendGrid allows"
	msgPoolBody      = "request body must be a JSON object with a string name"
	msgPoolIPBody    = "request body must be a JSON object with a string ip"
	msgNoRDNS        = "IP %s has no reverse DNS record: an IP needs reverse DNS before it can join a pool"
)

// pool is one IP pool; its members are ascending by IP.
type pool struct {
	name    string
	members []member
}

// member is one IP of a pool (a position in state.ips), shown by reads from its time on (zero: always).
type member struct {
	ip   int
	from time.Time
}

func (p *pool) find(i int) (int, bool) {
	return slices.BinarySearchFunc(p.members, i, func(m member, i int) int { return cmp.Compare(m.ip, i) })
}

// add puts IP i in the pool, shown from from; an IP already in keeps its own time.
func (p *pool) add(i int, from time.Time) {
	if at, found := p.find(i); !found {
		p.members = slices.Insert(p.members, at, member{i, from})
	}
}

func (p *pool) set(idx []int) {
	p.members = make([]member, len(idx))
	for k, i := range idx {
		p.members[k] = member{ip: i}
	}
}

// ips returns the positions the pool holds, every one or only those shown at now.
func (p *pool) ips(all bool, now time.Time) []int {
	out := make([]int, 0, len(p.members))
	for _, m := range p.members {
		if all || !now.Before(m.from) {
			out = append(out, m.ip)
		}
	}
	return out
}

func (p *pool) shows(i int, now time.Time) bool {
	at, found := p.find(i)
	return found && !now.Before(p.members[at].from)
}

func (st *state) pool(name string) (int, *pool) {
	k := slices.IndexFunc(st.pools, func(p *pool) bool { return p.name == name })
	if k < 0 {
		return k, nil
	}
	return k, st.pools[k]
}

// newPoolRefusal says why no new pool can be named name; "" when one can.
func (st *state) newPoolRefusal(name string) string {
	switch _, taken := st.pool(name); {
	case name == "":
		return msgPoolNoName
	case utf8.RuneCountInString(name) > maxPoolName:
		return msgPoolNameLong
	case taken != nil:
		return msgPoolNameTaken
	case len(st.pools) >= maxPools:
		return msgPoolTooMany
	}
	return ""
}

// poolIPs resolves the IPs of a pool written outside the API; each must be the reseller's and have reverse DNS.
func (st *state) poolIPs(ips []string) ([]int, error) {
	idx, err := st.resolveAll(ips)
	if err != nil {
		return nil, err
	}
	if k := slices.IndexFunc(idx, st.hasNoRDNS); k >= 0 {
		return nil, fmt.Errorf("sendgridmock: "+msgNoRDNS, st.ips[idx[k]])
	}
	return idx, nil
}

// poolsOf returns, for each position in idx, the names of the pools showing it at now, sorted, never nil.
func (st *state) poolsOf(idx []int, now time.Time) [][]string {
	out := make([][]string, len(idx))
	for k := range out {
		out[k] = []string{}
	}
	for _, p := range st.pools {
		for k, i := range idx {
			if p.shows(i, now) {
				out[k] = append(out[k], p.name)
			}
		}
	}
	for _, names := range out {
		slices.Sort(names)
	}
	return out
}

// v3ListPools is GET /v3/ips/pools: every pool, in creation order.
func (s *Server) v3ListPools() response {
	s.mu.RLock()
	defer s.mu.RUnlock()
	rows := make([]poolRow, len(s.st.pools))
	for k, p := range s.st.pools {
		rows[k].Name = p.name
	}
	return jsonOf(http.StatusOK, rows)
}

func (s *Server) v3CreatePool(name string, bodyErr error, apply bool) response {
	if bodyErr != nil {
		return v3ErrorResponse(http.StatusBadRequest, "", msgPoolBody)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if msg := s.st.newPoolRefusal(name); msg != "" {
		return v3ErrorResponse(http.StatusBadRequest, "name", msg)
	}
	if apply {
		s.st.pools = append(s.st.pools, &pool{name: name})
	}
	return jsonOf(http.StatusOK, poolRow{name})
}

// v3GetPool is GET /v3/ips/pools/{name}: the IPs shown, in numeric order.
func (s *Server) v3GetPool(name string) response {
	now := s.now()
	s.mu.RLock()
	defer s.mu.RUnlock()
	_, p := s.st.pool(name)
	if p == nil {
		return v3ErrorResponse(http.StatusNotFound, "error", msgPoolNotFound)
	}
	return jsonOf(http.StatusOK, struct {
		PoolName string   `json:"pool_name"`
		IPs      []string `json:"ips"`
	}{name, s.st.strs(p.ips(false, now))})
}

// v3DeletePool is DELETE /v3/ips/pools/{name}; its 404 is a plain error string, as ips.json shows.
func (s *Server) v3DeletePool(name string, apply bool) response {
	s.mu.Lock()
	defer s.mu.Unlock()
	k, p := s.st.pool(name)
	if p == nil {
		return jsonOf(http.StatusNotFound, map[string]string{"error": msgPoolNotFound})
	}
	if apply {
		s.st.pools = slices.Delete(s.st.pools, k, k+1)
	}
	return response{status: http.StatusNoContent}
}

// v3AddPoolIP is POST /v3/ips/pools/{name}/ips: an IP already in the pool is added again, a 201 as the first time.
func (s *Server) v3AddPoolIP(name, ip string, bodyErr error, apply bool) response {
	if bodyErr != nil {
		return v3ErrorResponse(http.StatusBadRequest, "ip", msgPoolIPBody)
	}
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	_, p := s.st.pool(name)
	if p == nil {
		return v3ErrorResponse(http.StatusNotFound, "error", msgPoolNotFound)
	}
	a, _ := parseIP(ip) // the zero Addr is never in index
	i, ok := s.st.index[a]
	switch {
	case !ok:
		return v3ErrorResponse(http.StatusNotFound, "", msgIPNotFound)
	case s.st.hasNoRDNS(i):
		return v3ErrorResponse(http.StatusBadRequest, "ip", fmt.Sprintf(msgNoRDNS, a))
	}
	if apply {
		var from time.Time
		if d := time.Duration(s.poolSettle.Load()); d > 0 {
			from = now.Add(d)
		}
		p.add(i, from)
	}
	pools := s.st.poolsOf([]int{i}, now)[0]
	if at, found := slices.BinarySearch(pools, name); !found { // the answer names the pool it was added to
		pools = slices.Insert(pools, at, name)
	}
	w := s.st.warm[i]
	return jsonOf(http.StatusCreated, poolIPRow{IP: a.String(), Pools: pools, StartDate: w.start, Warmup: w.warming})
}

// v3RemovePoolIP is DELETE /v3/ips/pools/{name}/ips/{ip}; an addition not yet shown is removed too.
func (s *Server) v3RemovePoolIP(name, ip string, apply bool) response {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, p := s.st.pool(name)
	if p == nil {
		return jsonOf(http.StatusNotFound, map[string]string{"error": msgPoolNotFound})
	}
	a, _ := parseIP(ip)
	i, ok := s.st.index[a]
	at, found := p.find(i)
	if !ok || !found {
		return jsonOf(http.StatusNotFound, map[string]string{"error": msgNotInPool})
	}
	if apply {
		p.members = slices.Delete(p.members, at, at+1)
	}
	return response{status: http.StatusNoContent}
}

// v3GetIP is GET /v3/ips/{ip}.
func (s *Server) v3GetIP(ip string) response {
	now := s.now()
	s.mu.RLock()
	defer s.mu.RUnlock()
	a, _ := parseIP(ip)
	i, ok := s.st.index[a]
	if !ok {
		return v3ErrorResponse(http.StatusNotFound, "", msgIPNotFound)
	}
	idx := []int{i}
	return jsonOf(http.StatusOK, v3IPRow{IP: a.String(), Subusers: s.st.holders(idx)[0], RDNS: s.st.rdns(i),
		Pools: s.st.poolsOf(idx, now)[0], Warmup: s.st.warm[i].warming, StartDate: s.st.warm[i].startDate(),
		Whitelabeled: !s.st.hasNoRDNS(i)})
}

// SetPoolSettle makes each IP added to a pool through the API show in reads only d after its request
// (0, the default: at once), as SendGrid warns an addition can take 60 s; kept by Reset.
func (s *Server) SetPoolSettle(d time.Duration) { s.poolSettle.Store(int64(max(d, 0))) }

// PoolIPs returns the IPs a pool holds, shown yet or not, in numeric order; false when there is no such pool.
func (s *Server) PoolIPs(name string) ([]string, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	_, p := s.st.pool(name)
	if p == nil {
		return nil, false
	}
	return s.st.strs(p.ips(true, time.Time{})), true
}

// SetPoolIPs replaces a pool's IPs, shown at once, as a change outside Terraform would.
func (s *Server) SetPoolIPs(name string, ips []string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, p := s.st.pool(name)
	if p == nil {
		return fmt.Errorf("sendgridmock: no IP pool %q", name)
	}
	idx, err := s.st.poolIPs(ips)
	if err == nil {
		p.set(idx)
	}
	return err
}

// AddPool creates a pool holding ips, shown at once, as a change outside Terraform would; the API's refusals apply.
func (s *Server) AddPool(name string, ips []string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if msg := s.st.newPoolRefusal(name); msg != "" {
		return fmt.Errorf("sendgridmock: IP pool %q: %s", name, msg)
	}
	idx, err := s.st.poolIPs(ips)
	if err != nil {
		return err
	}
	p := &pool{name: name}
	p.set(idx)
	s.st.pools = append(s.st.pools, p)
	return nil
}

// DeletePool deletes a pool, as a change outside Terraform would.
func (s *Server) DeletePool(name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	k, p := s.st.pool(name)
	if p == nil {
		return fmt.Errorf("sendgridmock: no IP pool %q", name)
	}
	s.st.pools = slices.Delete(s.st.pools, k, k+1)
	return nil
}
