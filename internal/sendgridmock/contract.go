package sendgridmock

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"net"
	"net/http"
	"slices"
	"sync"

	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/contract"
)

// contractCheck validates every v3 exchange against SendGrid's OpenAPI contract; off unless
// CheckContract turned it on (DESIGN.md, "The contract").
type contractCheck struct {
	c          *contract.Contract
	mu         sync.Mutex
	violations []contract.Violation
}

// CheckContract validates every later request under /v3/ and every answer the mock gives to one
// (except the answers of injected faults) against c; nil turns checking off. StartTest turns it on.
func (s *Server) CheckContract(c *contract.Contract) {
	if c == nil {
		s.contract.Store(nil)
		return
	}
	s.contract.Store(&contractCheck{c: c})
}

// TakeContractViolations returns the violations found since the last call, and forgets them.
func (s *Server) TakeContractViolations() []contract.Violation {
	cc := s.contract.Load()
	if cc == nil {
		return nil
	}
	cc.mu.Lock()
	defer cc.mu.Unlock()
	out := cc.violations
	cc.violations = nil
	return out
}

// serveV3Checked serves r while holding its answer back until the exchange is checked, so a client
// holding an answer finds its violations recorded, as it finds its request logged.
func (s *Server) serveV3Checked(w http.ResponseWriter, r *http.Request, cc *contractCheck) {
	body, err := io.ReadAll(io.LimitReader(r.Body, v3MaxBody+1))
	if err != nil {
		drop(w)
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	cc.record(cc.c.CheckRequest(r, body)) // before a dropped connection tells the client
	hw := &heldWriter{w: w, header: http.Header{}}
	rec := s.serveV3(hw, r)
	// An answer that a fault replaced or cut on purpose, or none, is not the mock's to answer for.
	if rec.Status != 0 && (rec.Fault == "" || rec.Fault == FaultDelay) && !hw.hijacked {
		cc.record(cc.c.CheckAnswer(r, body, rec.Status, hw.header, hw.body.Bytes()))
	}
	hw.release()
}

func (cc *contractCheck) record(vs []contract.Violation) {
	if len(vs) == 0 {
		return
	}
	cc.mu.Lock()
	defer cc.mu.Unlock()
	cc.violations = append(cc.violations, vs...)
}

// heldWriter keeps an answer until release; a hijack (a dropped connection) goes through at once.
type heldWriter struct {
	w        http.ResponseWriter
	header   http.Header
	status   int
	body     bytes.Buffer
	hijacked bool
}

func (h *heldWriter) Header() http.Header { return h.header }

func (h *heldWriter) WriteHeader(status int) {
	if h.status == 0 {
		h.status = status
	}
}

func (h *heldWriter) Write(b []byte) (int, error) {
	if h.status == 0 {
		h.status = http.StatusOK
	}
	return h.body.Write(b)
}

func (h *heldWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	hj, ok := h.w.(http.Hijacker)
	if !ok {
		return nil, nil, errors.New("sendgridmock: cannot hijack")
	}
	h.hijacked = true
	return hj.Hijack()
}

func (h *heldWriter) release() {
	if h.hijacked || h.status == 0 {
		return
	}
	dst := h.w.Header()
	for k, v := range h.header {
		dst[k] = slices.Clone(v)
	}
	h.w.WriteHeader(h.status)
	_, _ = h.w.Write(h.body.Bytes())
}
