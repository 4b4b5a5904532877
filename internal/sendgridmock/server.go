// Package sendgridmock is an in-memory SendGrid serving the v2 and v3 reseller IP calls from one
// account, with the real API's oddities, faults on demand and a log of every request (see DESIGN.md).
package sendgridmock

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/contract"
)

// Server is the mock; its zero value is an empty account that refuses every request.
// Each part has its own lock, held for a few map and slice operations, never while answering or sleeping.
type Server struct {
	mu sync.RWMutex // guards st
	st state

	duplicate   atomic.Bool
	refuseEmpty atomic.Bool
	pageCap     atomic.Int64
	putDrops    atomic.Int64
	poolSettle  atomic.Int64 // a time.Duration
	pageShapes  pageShapes
	badCreds    atomic.Int32 // a BadCredentialsShape
	limiter     limiter
	rateLimited atomic.Int64
	faults      faultSet
	log         requestLog
	clock       func() time.Time // nil: time.Now
	contract    atomic.Pointer[contractCheck]

	srvMu   sync.Mutex // guards the fields below
	httpSrv *http.Server
	url     string
	v3url   string
	done    chan struct{} // closed by Close, so delayed answers stop waiting
	served  chan struct{} // closed when Serve returns
}

// New returns a server holding seed's account, once validated.
func New(seed Seed) (*Server, error) {
	st, err := buildState(seed)
	if err != nil {
		return nil, err
	}
	return &Server{st: st}, nil
}

func (s *Server) now() time.Time {
	if s.clock != nil {
		return s.clock()
	}
	return time.Now()
}

// Start serves on addr (e.g. "127.0.0.1:0") in the background and returns the v2 base URL,
// "http://HOST:PORT/apiv2/". A server can be started again after Close.
func (s *Server) Start(addr string) (baseURL string, err error) {
	s.srvMu.Lock()
	defer s.srvMu.Unlock()
	if s.httpSrv != nil {
		return "", errors.New("sendgridmock: server already started")
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", fmt.Errorf("sendgridmock: %w", err)
	}
	srv := &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	served := make(chan struct{})
	go func() {
		defer close(served)
		_ = srv.Serve(ln) // http.ErrServerClosed on Close
	}()
	s.httpSrv, s.served, s.done = srv, served, make(chan struct{})
	s.v3url = "http://" + ln.Addr().String() + "/"
	s.url = s.v3url + "apiv2/"
	return s.url, nil
}

// URL is the v2 base URL Start returned, "" when not serving.
func (s *Server) URL() string {
	s.srvMu.Lock()
	defer s.srvMu.Unlock()
	return s.url
}

// V3URL is the v3 base URL, "http://HOST:PORT/", "" when not serving.
func (s *Server) V3URL() string {
	s.srvMu.Lock()
	defer s.srvMu.Unlock()
	return s.v3url
}

// Close stops serving and ends delayed answers; safe on a server never started, and twice.
func (s *Server) Close() error {
	s.srvMu.Lock()
	srv, done, served := s.httpSrv, s.done, s.served
	s.httpSrv, s.done, s.served, s.url, s.v3url = nil, nil, nil, "", ""
	s.srvMu.Unlock()
	if srv == nil {
		return nil
	}
	close(done)
	err := srv.Close()
	<-served
	return err
}

// closing is the channel Close closes; nil, which never fires, when not serving.
func (s *Server) closing() <-chan struct{} {
	s.srvMu.Lock()
	defer s.srvMu.Unlock()
	return s.done
}

// StartTest starts a NewTest server on 127.0.0.1:0 for the test and closes it when the test ends.
func StartTest(t testing.TB, seed Seed) *Server {
	t.Helper()
	s := NewTest(t, seed)
	if _, err := s.Start("127.0.0.1:0"); err != nil {
		t.Fatalf("sendgridmock: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// NewTest returns a server holding seed's account that checks every v3 exchange against SendGrid's
// contract, for a test that serves it itself; when the test ends, each violation not taken with
// TakeContractViolations fails it.
func NewTest(t testing.TB, seed Seed) *Server {
	t.Helper()
	s, err := New(seed)
	if err != nil {
		t.Fatalf("sendgridmock: %v", err)
	}
	c, err := contract.Default()
	if err != nil {
		t.Fatalf("sendgridmock: %v", err)
	}
	s.CheckContract(c)
	t.Cleanup(func() {
		if vs := s.TakeContractViolations(); len(vs) > 0 {
			t.Errorf("sendgridmock: %d v3 call(s) broke SendGrid's contract:\n%s", len(vs), violationLines(vs))
		}
	})
	return s
}

func violationLines(vs []contract.Violation) string {
	lines := make([]string, len(vs))
	for i, v := range vs {
		lines[i] = "  " + v.String()
	}
	return strings.Join(lines, "\n")
}

// SetDuplicateIPs makes list answers repeat every IP (v3: every subuser) twice, as the documented example does.
func (s *Server) SetDuplicateIPs(on bool) { s.duplicate.Store(on) }

// SetRefuseEmptyIPs makes the v3 PUT refuse an empty array with 400, as v2's set=specify does.
func (s *Server) SetRefuseEmptyIPs(on bool) { s.refuseEmpty.Store(on) }

// SetBadCredentialsShape chooses the answer to wrong or missing credentials.
func (s *Server) SetBadCredentialsShape(shape BadCredentialsShape) {
	s.badCreds.Store(int32(shape)) //nolint:gosec // a small enum
}

// ServeHTTP answers one request: v3 under /v3/, v2 anywhere else.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/v3/") {
		if cc := s.contract.Load(); cc != nil {
			s.serveV3Checked(w, r, cc)
			return
		}
		s.serveV3(w, r)
		return
	}
	s.serveV2(w, r)
}

// serve takes a request both APIs have read into rec through the rate limit (a refused request is
// never processed), then check, then faults (which imitate the network, so come before the
// credentials), then exec; with apply false, exec computes the answer without changing the account.
func (s *Server) serve(w http.ResponseWriter, r *http.Request, rec *Request, check func() (response, bool), exec func(apply bool) response) {
	if v := s.limiter.take(rec.Time); v.enabled {
		v.headers(w.Header(), rec.Time)
		if !v.allowed {
			s.rateLimited.Add(1)
			body := tooManyRequestsBody
			if strings.HasPrefix(r.URL.Path, "/v3/") {
				body = v3TooManyRequestsBody
			}
			s.finish(w, rec, jsonResponse(http.StatusTooManyRequests, body))
			return
		}
	}
	if res, refused := check(); refused {
		s.finish(w, rec, res)
		return
	}
	name := rec.Call
	if isV3(name) {
		name = rec.Name() // a fault may target calls.V3IPsOfSubuser
	}
	if f, ok := s.faults.pick(rec.Call, name, rec.Task); ok {
		rec.Fault = f.Kind
		s.serveFault(w, r, rec, f, exec)
		return
	}
	s.finish(w, rec, exec(true))
}

// finish logs the request, then writes the answer: a client holding an answer finds its request logged.
func (s *Server) finish(w http.ResponseWriter, rec *Request, res response) {
	rec.Status = res.status
	s.log.add(*rec)
	h := w.Header()
	for k, v := range res.header {
		h[k] = v
	}
	if res.ctype != "" { // none on a 204
		h.Set("Content-Type", res.ctype)
	}
	h.Set("Content-Length", strconv.Itoa(len(res.body)))
	w.WriteHeader(res.status)
	_, _ = w.Write(res.body)
}
