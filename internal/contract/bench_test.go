package contract

import (
	"fmt"
	"strings"
	"testing"
)

func BenchmarkParse(b *testing.B) {
	for b.Loop() {
		if _, err := Parse(fixture); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCheck measures one checked exchange: what the mock pays per v3 call under StartTest.
func BenchmarkCheck(b *testing.B) {
	c, err := Default()
	if err != nil {
		b.Fatal(err)
	}
	rows := func(n int) []byte {
		r := make([]string, n)
		for i := range r {
			r[i] = fmt.Sprintf(`{"ip":"10.0.%d.%d","subusers":["user%d"],"pools":[],"warmup":false,"start_date":null,"whitelabeled":false,"assigned_at":null}`, i/256, i%256, i)
		}
		return []byte("[" + strings.Join(r, ",") + "]")
	}
	for _, tt := range []struct {
		name, op, query string
		reqBody, body   []byte
	}{
		{"GET /v3/ips 6 rows", opListIPs, "limit=500&offset=0", nil, rows(6)},
		{"GET /v3/ips 500 rows", opListIPs, "limit=500&offset=0", nil, rows(500)},
		{"GET /v3/subusers 6 rows", opListSubusers, "limit=500&offset=0", nil, []byte("[" +
			strings.Repeat(`{"id":1,"username":"alice","email":"alice@example.com","disabled":false},`, 5) +
			`{"id":1,"username":"alice","email":"alice@example.com","disabled":false}]`)},
		{"PUT 2 IPs", opSetSubuserIPs, "", []byte(`["192.0.2.1","192.0.2.2"]`), []byte(`{"ips":["192.0.2.1","192.0.2.2"]}`)},
	} {
		b.Run(tt.name, func(b *testing.B) {
			r := request(b, tt.op, tt.query)
			if vs := c.Check(r, tt.reqBody, 200, jsonHeader, tt.body); len(vs) > 0 {
				b.Fatal(vs)
			}
			for b.Loop() {
				c.Check(r, tt.reqBody, 200, jsonHeader, tt.body)
			}
		})
	}
}
