package sendgridmock

import (
	"fmt"
	"net/http"
	"time"
)

// msgAlreadyWarming is assumed: SendGrid publishes no answer to warming an IP twice (DESIGN.md, "Reverse DNS and warmup in the mock").
const msgAlreadyWarming = "IP is already in warmup"

// warmState is one IP's warmup; start outlives a stop, as GET /v3/ips's example shows warmup false with a start_date.
type warmState struct {
	warming bool
	start   int64 // unix seconds, 0: never warmed (start_date null)
}

// startDate is start_date as GET /v3/ips gives it, nil for null.
func (w warmState) startDate() *int64 {
	if w.start == 0 {
		return nil
	}
	return &w.start
}

type warmupRow struct {
	IP        string `json:"ip"`
	StartDate int64  `json:"start_date"`
}

func (st *state) warmupRows(idx []int) []warmupRow {
	rows := make([]warmupRow, len(idx))
	for k, i := range idx {
		rows[k] = warmupRow{st.ips[i].String(), st.warm[i].start}
	}
	return rows
}

// warmingIP returns the position of ip when it is the reseller's and warming.
func (st *state) warmingIP(ip string) (int, bool) {
	a, _ := parseIP(ip) // the zero Addr is never in index
	i, ok := st.index[a]
	return i, ok && st.warm[i].warming
}

func (s *Server) v3StartWarmup(ip string, bodyErr error, apply bool) response {
	if bodyErr != nil {
		return v3ErrorResponse(http.StatusBadRequest, "ip", msgPoolIPBody)
	}
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	a, _ := parseIP(ip)
	i, ok := s.st.index[a]
	switch {
	case !ok:
		return v3ErrorResponse(http.StatusNotFound, "", msgIPNotFound)
	case s.st.warm[i].warming:
		return v3ErrorResponse(http.StatusBadRequest, "ip", msgAlreadyWarming)
	}
	row := warmupRow{a.String(), now.Unix()}
	if apply {
		s.st.warm[i] = warmState{warming: true, start: row.StartDate}
	}
	return jsonOf(http.StatusOK, []warmupRow{row})
}

// v3ListWarmup is GET /v3/ips/warmup: the warming IPs in numeric order, unpaged as warmup.json declares.
func (s *Server) v3ListWarmup() response {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var idx []int
	for i, w := range s.st.warm {
		if w.warming {
			idx = append(idx, i)
		}
	}
	return jsonOf(http.StatusOK, s.st.warmupRows(idx))
}

func (s *Server) v3GetWarmup(ip string) response {
	s.mu.RLock()
	defer s.mu.RUnlock()
	i, warming := s.st.warmingIP(ip)
	if !warming {
		return v3ErrorResponse(http.StatusNotFound, "", msgIPNotFound)
	}
	return jsonOf(http.StatusOK, s.st.warmupRows([]int{i}))
}

// v3StopWarmup is DELETE /v3/ips/warmup/{ip}: the IP keeps its start_date.
func (s *Server) v3StopWarmup(ip string, apply bool) response {
	s.mu.Lock()
	defer s.mu.Unlock()
	i, warming := s.st.warmingIP(ip)
	if !warming {
		return v3ErrorResponse(http.StatusNotFound, "", msgIPNotFound)
	}
	if apply {
		s.st.warm[i].warming = false
	}
	return response{status: http.StatusNoContent}
}

// SetWarmup sets ip's warmup as a change outside Terraform would; start zero means start_date null,
// which a warming IP cannot have.
func (s *Server) SetWarmup(ip string, warming bool, start time.Time) error {
	a, _ := parseIP(ip)
	s.mu.Lock()
	defer s.mu.Unlock()
	i, ok := s.st.index[a]
	if !ok {
		return fmt.Errorf("sendgridmock: %s is not an IP of the reseller", ip)
	}
	w, err := newWarmState(warming, unixOrZero(start))
	if err != nil {
		return fmt.Errorf("sendgridmock: IP %s: %w", a, err)
	}
	s.st.warm[i] = w
	return nil
}

// Warmup returns ip's warmup: whether it is warming and since when (zero: never warmed).
func (s *Server) Warmup(ip string) (warming bool, start time.Time, err error) {
	a, _ := parseIP(ip)
	s.mu.RLock()
	defer s.mu.RUnlock()
	i, ok := s.st.index[a]
	if !ok {
		return false, time.Time{}, fmt.Errorf("sendgridmock: %s is not an IP of the reseller", ip)
	}
	w := s.st.warm[i]
	if w.start != 0 {
		start = time.Unix(w.start, 0).UTC()
	}
	return w.warming, start, nil
}

func unixOrZero(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.Unix()
}

// newWarmState checks a warmup set outside the API: a start date after 1970, and one for a warming IP.
func newWarmState(warming bool, start int64) (warmState, error) {
	switch {
	case start < 0:
		return warmState{}, fmt.Errorf("start_date %d is before 1970", start)
	case warming && start == 0:
		return warmState{}, fmt.Errorf("a warming IP needs a start_date")
	}
	return warmState{warming, start}, nil
}
