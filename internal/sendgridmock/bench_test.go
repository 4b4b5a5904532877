package sendgridmock

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// benchSeed is a larger account: 256 IPs, 200 subusers of 3 IPs each.
func benchSeed() Seed {
	seed := Seed{APIUser: testUser, APIKey: testKey}
	for i := range 256 {
		seed.IPs = append(seed.IPs, fmt.Sprintf("10.0.%d.%d", i/256, i%256))
	}
	for i := range 200 {
		seed.Subusers = append(seed.Subusers, SeedSubuser{
			Name: fmt.Sprintf("user%03d", i),
			IPs:  []string{seed.IPs[i%256], seed.IPs[(i+1)%256], seed.IPs[(i+7)%256]},
		})
	}
	return seed
}

// In-process: the cost of the handler itself, in parallel.
func BenchmarkServeHTTP(b *testing.B) {
	s, err := New(benchSeed())
	if err != nil {
		b.Fatal(err)
	}
	bodies := []string{
		creds("task", "list", "user", "user042").Encode(),
		creds("list", "available").Encode(),
		creds("task", "append", "user", "user007", "set", "specify", "ip[]", "10.0.0.1", "ip[]", "10.0.0.2").Encode(),
	}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			path := "/apiv2/customer.sendip.json"
			if i%3 == 1 {
				path = "/apiv2/customer.ip.json"
			}
			r := httptest.NewRequest(http.MethodPost, path, strings.NewReader(bodies[i%3]))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			w := httptest.NewRecorder()
			s.ServeHTTP(w, r)
			if w.Code != http.StatusOK {
				b.Fatalf("%d %s", w.Code, w.Body)
			}
			i++
		}
	})
}

// Over loopback HTTP, as the provider's benchmarks use it.
func BenchmarkHTTP(b *testing.B) {
	s := StartTest(b, benchSeed())
	u := s.URL() + "customer.sendip.json"
	form := creds("task", "list", "user", "user042")
	b.RunParallel(func(pb *testing.PB) {
		c := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
		for pb.Next() {
			resp, err := c.PostForm(u, form)
			if err != nil {
				b.Fatal(err)
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			_ = resp.Body.Close()
		}
	})
}
