package sendgridmock

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/calls"
)

// Messages of the reverse DNS calls; SendGrid publishes none but the 404's (DESIGN.md, "Reverse DNS and warmup in the mock").
const (
	msgRDNSNotFound    = "Reverse DNS record not found."
	msgRDNSBody        = "request body must be a JSON object with string ip and domain and an optional string subdomain"
	msgRDNSIP          = "ip is required and must be a string"
	msgRDNSDomain      = "domain is required and must be a string"
	msgRDNSSubdomain   = "subdomain must be a string"
	msgRDNSBadDomain   = "domain must be a valid domain name"
	msgRDNSRefused     = "domain cannot be resolved: SendGrid refuses a domain under .invalid"
	msgRDNSBadSub      = "subdomain must be a valid sequence of DNS labels"
	msgRDNSIPNotFound  = "ip address not found on this account"
	msgRDNSIPHasRecord = "ip address already has reverse DNS record %d"
)

// The default record every seeded IP gets unless the seed says otherwise.
const (
	defaultRDNSDomain    = "mock.example"
	defaultRDNSSubdomain = "ptr"
)

// rdnsRecord is one reverse DNS record; its A record is valid exactly when the record is.
type rdnsRecord struct {
	id                int
	ip                int // a position in state.ips
	domain, subdomain string
	rdns              string
	valid             bool
	lastAttempt       int64 // unix seconds of the last validation, 0: never
}

// ReverseDNSRecord is a reverse DNS record as a test reads it back.
type ReverseDNSRecord struct {
	ID                      int
	IP, Domain, Subdomain   string
	RDNS                    string
	Valid                   bool
	LastValidationAttemptAt time.Time // zero: never validated
}

var rdnsDashes = strings.NewReplacer(".", "-", ":", "-")

// defaultRDNS is the name of a seeded IP's default record, made from the IP so a test can tell it.
func defaultRDNS(a netip.Addr) string {
	return "o" + rdnsDashes.Replace(a.String()) + "." + defaultRDNSSubdomain + "." + defaultRDNSDomain
}

func rdnsName(id int, subdomain, domain string) string {
	if subdomain == "" {
		return "o" + strconv.Itoa(id) + "." + domain
	}
	return "o" + strconv.Itoa(id) + "." + subdomain + "." + domain
}

// validLabels reports whether s is dot-separated DNS labels of letters, digits and inner hyphens, at most 253 long.
func validLabels(s string) bool {
	if s == "" || len(s) > 253 {
		return false
	}
	for label := range strings.SplitSeq(s, ".") {
		if len(label) == 0 || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, c := range []byte(label) {
			if (c < 'a' || c > 'z') && (c < 'A' || c > 'Z') && (c < '0' || c > '9') && c != '-' {
				return false
			}
		}
	}
	return true
}

// rdnsNameRefusal says which field SendGrid refuses in a new record's names, and why; "" when none.
func rdnsNameRefusal(domain, subdomain string) (field, msg string) {
	switch {
	case !validLabels(domain) || !strings.Contains(domain, "."):
		return "domain", msgRDNSBadDomain
	case strings.HasSuffix(strings.ToLower(domain), ".invalid"):
		return "domain", msgRDNSRefused
	case subdomain != "" && !validLabels(subdomain):
		return "subdomain", msgRDNSBadSub
	}
	return "", ""
}

func (st *state) hasNoRDNS(i int) bool { return i >= len(st.records) || st.records[i] == nil }

// rdns is IP i's reverse DNS name; "" when it has none.
func (st *state) rdns(i int) string {
	if st.hasNoRDNS(i) {
		return ""
	}
	return st.records[i].rdns
}

// addRecord gives IP i a record; id 0 takes the next one.
func (st *state) addRecord(i, id int, domain, subdomain, rdns string, valid bool) *rdnsRecord {
	if id == 0 {
		id = st.lastRDNSID + 1
	}
	st.lastRDNSID = max(st.lastRDNSID, id)
	if rdns == "" {
		rdns = rdnsName(id, subdomain, domain)
	}
	r := &rdnsRecord{id: id, ip: i, domain: domain, subdomain: subdomain, rdns: rdns, valid: valid}
	st.records[i] = r
	return r
}

// recordByID finds a record by the id a path gives; nil for none or no number.
func (st *state) recordByID(id string) *rdnsRecord {
	n, err := strconv.Atoi(id)
	if err != nil || n <= 0 {
		return nil
	}
	for _, r := range st.records {
		if r != nil && r.id == n {
			return r
		}
	}
	return nil
}

// recordsByID returns the records of the IPs whose text starts with prefix, ascending by id.
func (st *state) recordsByID(prefix string) []*rdnsRecord {
	var out []*rdnsRecord
	for i, r := range st.records {
		if r != nil && strings.HasPrefix(st.ips[i].String(), prefix) {
			out = append(out, r)
		}
	}
	slices.SortFunc(out, func(a, b *rdnsRecord) int { return cmp.Compare(a.id, b.id) })
	return out
}

// areDefaultRecords reports whether the records are those a seed naming none gets: Snapshot then lists none.
func (st *state) areDefaultRecords() bool {
	id := 0
	for i, r := range st.records {
		if r == nil {
			continue
		}
		id++
		if r.id != id || r.domain != defaultRDNSDomain || r.subdomain != defaultRDNSSubdomain ||
			r.rdns != defaultRDNS(st.ips[i]) || !r.valid {
			return false
		}
	}
	return st.lastRDNSID == id
}

type rdnsUser struct {
	Username string `json:"username"`
	UserID   int    `json:"user_id"`
}

type aRecordRow struct {
	Valid bool   `json:"valid"`
	Type  string `json:"type"`
	Host  string `json:"host"`
	Data  string `json:"data"`
}

// rdnsRow is a ReverseDns object, in the field order of SendGrid's examples.
type rdnsRow struct {
	ID          int        `json:"id"`
	IP          string     `json:"ip"`
	RDNS        string     `json:"rdns"`
	Users       []rdnsUser `json:"users"`
	Subdomain   string     `json:"subdomain"`
	Domain      string     `json:"domain"`
	Valid       bool       `json:"valid"`
	Legacy      bool       `json:"legacy"`
	LastAttempt int64      `json:"last_validation_attempt_at,omitempty"`
	ARecord     aRecordRow `json:"a_record"`
}

// row renders r, its users the subusers holding its IP (ghost holders are no users), by name.
func (st *state) row(r *rdnsRecord) rdnsRow {
	users := []rdnsUser{}
	for _, n := range st.holders([]int{r.ip})[0] {
		if su, ok := st.subs[n]; ok {
			users = append(users, rdnsUser{n, su.id})
		}
	}
	ip := st.ips[r.ip].String()
	return rdnsRow{ID: r.id, IP: ip, RDNS: r.rdns, Users: users, Subdomain: r.subdomain, Domain: r.domain,
		Valid: r.valid, LastAttempt: r.lastAttempt, ARecord: aRecordRow{r.valid, "a", r.rdns, ip}}
}

// rdnsBody is a POST /v3/whitelabel/ips body as read: the field it fails on, if any.
type rdnsBody struct {
	ip, domain, subdomain string
	badField, badMsg      string
}

// readRDNSBody decodes a POST /v3/whitelabel/ips body; a refusal is kept for the handler, after the credentials.
func readRDNSBody(body io.Reader) rdnsBody {
	var out rdnsBody
	b, err := io.ReadAll(body)
	var obj map[string]json.RawMessage
	if t := strings.TrimSpace(string(b)); err != nil || !strings.HasPrefix(t, "{") || json.Unmarshal(b, &obj) != nil {
		out.badMsg = msgRDNSBody
		return out
	}
	str := func(key string, dst *string) bool {
		raw, ok := obj[key]
		return ok && json.Unmarshal(raw, dst) == nil && string(raw) != "null"
	}
	switch {
	case !str("ip", &out.ip):
		out.badField, out.badMsg = "ip", msgRDNSIP
	case !str("domain", &out.domain):
		out.badField, out.badMsg = "domain", msgRDNSDomain
	case obj["subdomain"] != nil && !str("subdomain", &out.subdomain):
		out.badField, out.badMsg = "subdomain", msgRDNSSubdomain
	}
	return out
}

// v3ListReverseDNS is GET /v3/whitelabel/ips: the records of IPs starting with prefix, ascending by id, paged as GET /v3/ips.
func (s *Server) v3ListReverseDNS(prefix string, offset, limit int, apply bool) response {
	limit, empty, dup := s.v3Shape(calls.V3ReverseDNSList, offset, limit, apply)
	rows := []rdnsRow{}
	if !empty {
		s.mu.RLock()
		recs := s.st.recordsByID(prefix)
		lo, hi := page(len(recs), offset, limit)
		if dup && hi > lo {
			recs[lo] = recs[0]
		}
		for _, r := range recs[lo:hi] {
			rows = append(rows, s.st.row(r))
		}
		s.mu.RUnlock()
	}
	return jsonOf(http.StatusOK, rows)
}

func (s *Server) v3CreateReverseDNS(b rdnsBody, apply bool) response {
	if b.badMsg != "" {
		return v3ErrorResponse(http.StatusBadRequest, b.badField, b.badMsg)
	}
	if field, msg := rdnsNameRefusal(b.domain, b.subdomain); msg != "" {
		return v3ErrorResponse(http.StatusBadRequest, field, msg)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a, _ := parseIP(b.ip)
	i, ok := s.st.index[a]
	switch {
	case !ok:
		return v3ErrorResponse(http.StatusBadRequest, "ip", msgRDNSIPNotFound)
	case !s.st.hasNoRDNS(i):
		return v3ErrorResponse(http.StatusBadRequest, "ip", fmt.Sprintf(msgRDNSIPHasRecord, s.st.records[i].id))
	}
	r := &rdnsRecord{id: s.st.lastRDNSID + 1, ip: i, domain: b.domain, subdomain: b.subdomain}
	r.rdns = rdnsName(r.id, r.subdomain, r.domain)
	if apply {
		r = s.st.addRecord(i, 0, b.domain, b.subdomain, "", false)
	}
	return jsonOf(http.StatusCreated, s.st.row(r))
}

func (s *Server) v3GetReverseDNS(id string) response {
	s.mu.RLock()
	defer s.mu.RUnlock()
	r := s.st.recordByID(id)
	if r == nil {
		return v3ErrorResponse(http.StatusNotFound, "", msgRDNSNotFound)
	}
	return jsonOf(http.StatusOK, s.st.row(r))
}

func (s *Server) v3DeleteReverseDNS(id string, apply bool) response {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.st.recordByID(id)
	if r == nil {
		return v3ErrorResponse(http.StatusNotFound, "", msgRDNSNotFound)
	}
	if apply {
		s.st.records[r.ip] = nil
	}
	return response{status: http.StatusNoContent}
}

// v3ValidateReverseDNS is POST /v3/whitelabel/ips/{id}/validate: it succeeds once the A record is published
// and its failures to come are spent; its 404 has no field, as reverse-dns.json declares.
func (s *Server) v3ValidateReverseDNS(id string, apply bool) response {
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.st.recordByID(id)
	if r == nil {
		return jsonOf(http.StatusNotFound, map[string][]map[string]string{"errors": {{"message": msgRDNSNotFound}}})
	}
	a := s.st.ips[r.ip]
	failsLeft, published := s.st.published[a]
	valid := published && failsLeft == 0
	if apply {
		if published && failsLeft > 0 {
			s.st.published[a] = failsLeft - 1
		}
		r.valid, r.lastAttempt = valid, now.Unix()
	}
	var reason *string
	if !valid {
		msg := fmt.Sprintf("Failed to resolve A Record at %s: lookup %s: no such host", r.rdns, r.rdns)
		reason = &msg
	}
	type aResult struct {
		Valid  bool    `json:"valid"`
		Reason *string `json:"reason"`
	}
	return jsonOf(http.StatusOK, struct {
		ID      int                `json:"id"`
		Valid   bool               `json:"valid"`
		Results map[string]aResult `json:"validation_results"`
	}{r.id, valid, map[string]aResult{"a_record": {valid, reason}}})
}

// PublishARecord publishes the A record of ip's reverse DNS record, as its owner would in DNS: from now on
// validations of it fail failFirst times, then succeed. Reset forgets it.
func (s *Server) PublishARecord(ip string, failFirst int) {
	a, err := parseIP(ip)
	if err != nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.st.published == nil {
		s.st.published = make(map[netip.Addr]int)
	}
	s.st.published[a] = max(failFirst, 0)
}

// UnpublishARecord takes ip's A record out of DNS: validations fail from now on.
func (s *Server) UnpublishARecord(ip string) {
	a, _ := parseIP(ip)
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.st.published, a)
}

// ReverseDNSRecords returns the account's reverse DNS records, ascending by id.
func (s *Server) ReverseDNSRecords() []ReverseDNSRecord {
	s.mu.RLock()
	defer s.mu.RUnlock()
	recs := s.st.recordsByID("")
	out := make([]ReverseDNSRecord, len(recs))
	for k, r := range recs {
		out[k] = ReverseDNSRecord{ID: r.id, IP: s.st.ips[r.ip].String(), Domain: r.domain, Subdomain: r.subdomain,
			RDNS: r.rdns, Valid: r.valid}
		if r.lastAttempt != 0 {
			out[k].LastValidationAttemptAt = time.Unix(r.lastAttempt, 0).UTC()
		}
	}
	return out
}

var errNoRecord = errors.New("no reverse DNS record")

// DeleteReverseDNS deletes ip's reverse DNS record, as a change outside Terraform would; the IP stays in its pools.
func (s *Server) DeleteReverseDNS(ip string) error {
	a, _ := parseIP(ip)
	s.mu.Lock()
	defer s.mu.Unlock()
	i, ok := s.st.index[a]
	switch {
	case !ok:
		return fmt.Errorf("sendgridmock: %s is not an IP of the reseller", ip)
	case s.st.hasNoRDNS(i):
		return fmt.Errorf("sendgridmock: IP %s: %w", a, errNoRecord)
	}
	s.st.records[i] = nil
	return nil
}
