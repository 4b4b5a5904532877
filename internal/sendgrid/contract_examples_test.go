package sendgrid

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/calls"
	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/contract"
)

// examples are SendGrid's own examples of op's answer with status; none is a failure, so a
// fixture that lost them fails here instead of passing with nothing checked.
func examples(t *testing.T, op string, status int) []reply {
	t.Helper()
	var out []reply
	for _, body := range contract.Examples(op, status) {
		out = append(out, reply{call: op, status: status, contentType: "application/json", body: body})
	}
	if len(out) == 0 {
		t.Fatalf("the contract has no example of %s %d", op, status)
	}
	return out
}

// TestContractExamplesDecode: each call's examples decode through the client's decoder and mean
// what they say.
func TestContractExamplesDecode(t *testing.T) {
	t.Run(calls.V3IPs, func(t *testing.T) {
		for _, r := range examples(t, calls.V3IPs, 200) {
			ips, err := decodeV3IPs(r)
			if err != nil || len(ips) < 2 {
				t.Fatalf("%s: %v %v", r.body, ips, err)
			}
			// The first IP is held by tim@sendgrid.net, the second by nobody: taken and free.
			if ips[0].ip != "192.168.1.1" || !slices.Equal(ips[0].subusers, []string{"tim@sendgrid.net"}) || len(ips[1].subusers) != 0 {
				t.Fatalf("meaning: %+v", ips)
			}
		}
	})
	t.Run(calls.V3Subusers, func(t *testing.T) {
		for _, r := range examples(t, calls.V3Subusers, 200) {
			subs, err := decodeV3Subusers(r)
			if err != nil || len(subs) != 2 || subs[0].name != "example_subuser" || subs[0].disabled {
				t.Fatalf("%s: %+v %v", r.body, subs, err)
			}
		}
		for _, r := range examples(t, calls.V3Subusers, 401) {
			if _, err := decodeV3Subusers(r); !errors.Is(err, ErrBadCredentials) {
				t.Fatalf("%s: %v", r.body, err)
			}
		}
	})
	t.Run("PUT /v3/subusers/{subuser_name}/ips", func(t *testing.T) {
		for _, r := range examples(t, "PUT /v3/subusers/{subuser_name}/ips", 200) {
			held, err := decodeV3SetIPs(r)
			if err != nil || !slices.Equal(held, []string{"127.0.0.1"}) {
				t.Fatalf("%s: %v %v", r.body, held, err)
			}
		}
		for _, r := range examples(t, "PUT /v3/subusers/{subuser_name}/ips", 401) {
			r.user = "example_subuser"
			if _, err := decodeV3SetIPs(r); !errors.Is(err, ErrBadCredentials) {
				t.Fatalf("%s: %v", r.body, err)
			}
		}
	})
	t.Run("GET /v3/ips pools", func(t *testing.T) {
		for _, r := range examples(t, calls.V3IPs, 200) {
			ips, err := decodeV3IPs(r)
			if err != nil || !slices.Equal(ips[0].pools, []string{"pool1", "pool2"}) || ips[1].pools == nil || len(ips[1].pools) != 0 {
				t.Fatalf("%s: %+v %v", r.body, ips, err)
			}
		}
	})
	t.Run(calls.V3Pools, func(t *testing.T) {
		for _, r := range examples(t, calls.V3Pools, 200) {
			if names, err := decodeV3Pools(r); err != nil || !slices.Equal(names, []string{"marketing", "transactional"}) {
				t.Fatalf("%s: %v %v", r.body, names, err)
			}
		}
	})
	t.Run(calls.V3CreatePool, func(t *testing.T) {
		// The request's example creates "marketing"; an answer naming another pool (the schema's
		// placeholder example) is not the answer to that create.
		for _, r := range examples(t, calls.V3CreatePool, 200) {
			err := decodeV3Echo(r, "name", "marketing")
			if ours := strings.Contains(string(r.body), `"marketing"`); (err == nil) != ours || (!ours && !errors.Is(err, ErrUnreadable)) {
				t.Fatalf("%s: %v", r.body, err)
			}
		}
	})
	t.Run("GET /v3/ips/pools/{pool_name}", func(t *testing.T) {
		for _, r := range examples(t, "GET /v3/ips/pools/{pool_name}", 200) {
			p, err := decodeV3Pool(r, "Sample")
			if err != nil || !slices.Equal(p.IPs, []string{"192.138.2.1", "192.158.1.2", "192.168.1.1"}) {
				t.Fatalf("%s: %+v %v", r.body, p, err)
			}
		}
		for _, r := range examples(t, "GET /v3/ips/pools/{pool_name}", 404) {
			r.pool, r.notFound = "Sample", ErrPoolNotFound
			if _, err := decodeV3Pool(r, "Sample"); !errors.Is(err, ErrPoolNotFound) {
				t.Fatalf("%s: %v", r.body, err)
			}
		}
	})
	t.Run("DELETE /v3/ips/pools/{pool_name}", func(t *testing.T) {
		for _, r := range examples(t, "DELETE /v3/ips/pools/{pool_name}", 404) {
			r.pool, r.notFound = "Sample", ErrPoolNotFound
			if err := decodeV3Deleted(r); !errors.Is(err, ErrPoolNotFound) {
				t.Fatalf("%s: %v", r.body, err)
			}
		}
	})
	// The 201 and the one-IP answer show "000.00.00.0", which is no address: the decoders refuse it
	// rather than record it; the rest of each answer is checked with a real address put in its place.
	t.Run("POST /v3/ips/pools/{pool_name}/ips", func(t *testing.T) {
		for _, r := range examples(t, "POST /v3/ips/pools/{pool_name}/ips", 201) {
			if err := decodeV3Echo(r, "ip", "0.0.0.0"); !errors.Is(err, ErrUnreadable) {
				t.Fatalf("%s: %v", r.body, err)
			}
			r.body = []byte(strings.Replace(string(r.body), "000.00.00.0", "192.0.2.1", 1))
			if err := decodeV3Echo(r, "ip", "192.0.2.1"); err != nil {
				t.Fatalf("%s: %v", r.body, err)
			}
		}
	})
	t.Run("GET /v3/ips/{ip_address}", func(t *testing.T) {
		for _, r := range examples(t, "GET /v3/ips/{ip_address}", 200) {
			r.body = []byte(strings.Replace(string(r.body), "000.00.00.0", "192.0.2.1", 1))
			ip, err := decodeV3IP(r, "192.0.2.1")
			if err != nil || ip.RDNS != "o1.em.example.com" || !ip.Whitelabeled || ip.StartDate != 0 ||
				!slices.Equal(ip.Pools, []string{"test1"}) || !slices.Equal(ip.Subusers, []string{"subuser1", "subuser2"}) {
				t.Fatalf("%s: %+v %v", r.body, ip, err)
			}
		}
	})
	t.Run(calls.V3ReverseDNSList, func(t *testing.T) {
		for _, r := range examples(t, calls.V3ReverseDNSList, 200) {
			list, err := decodeV3RDNSList(r)
			want := ReverseDNS{ID: 1, IP: "192.168.1.1", RDNS: "o1.email.example.com", Subdomain: "email", Domain: "example.com", Valid: true,
				ARecord: ARecord{Type: "A", Host: "o1.email.example.com", Data: "192.168.1.1", Valid: true}}
			if err != nil || len(list) != 2 || list[0] != want || list[1].ID != 2 || list[1].IP != "192.168.1.2" {
				t.Fatalf("%s: %+v %v", r.body, list, err)
			}
		}
	})
	// The answers' examples and the schema's (record 1 of 192.168.1.1): each must decode, and
	// must be refused as the answer about another record or IP.
	t.Run(calls.V3ReverseDNS, func(t *testing.T) {
		for _, r := range examples(t, calls.V3ReverseDNS, 200) {
			rec, err := decodeV3RDNS(r, 0, "")
			if err != nil || (rec.ID != 123 && rec.ID != 1) || rec.IP != "192.168.1.1" || rec.ARecord.Type != "A" || rec.Domain != "example.com" {
				t.Fatalf("%s: %+v %v", r.body, rec, err)
			}
			if _, err := decodeV3RDNS(r, rec.ID, ""); err != nil {
				t.Fatalf("%s as record %d: %v", r.body, rec.ID, err)
			}
			if _, err := decodeV3RDNS(r, rec.ID+1, ""); !errors.Is(err, ErrUnreadable) {
				t.Fatalf("an answer about another record: %v", err)
			}
		}
	})
	t.Run(calls.V3CreateReverseDNS, func(t *testing.T) {
		// The request's example sets up 192.168.1.1; the answer's own example (record 123) is about
		// 192.168.1.2, so it is not the answer to that request.
		for _, r := range examples(t, calls.V3CreateReverseDNS, 201) {
			rec, err := decodeV3RDNS(r, 0, "")
			if err != nil || !rec.Valid || rec.Subdomain != "email" || (rec.ID == 123) != (rec.IP == "192.168.1.2") {
				t.Fatalf("%s: %+v %v", r.body, rec, err)
			}
			if _, err := decodeV3RDNS(r, 0, "192.168.1.1"); (err == nil) != (rec.ID != 123) || (err != nil && !errors.Is(err, ErrUnreadable)) {
				t.Fatalf("%s as the answer to the request's example: %v", r.body, err)
			}
		}
	})
	t.Run(calls.V3ValidateReverseDNS, func(t *testing.T) {
		for _, r := range examples(t, calls.V3ValidateReverseDNS, 200) {
			v, err := decodeV3Validation(r, 123456)
			want := Validation{Reason: "Failed to resolve A Record at o1.ptr4283.example.com: lookup o1.ptr4283.example.com on 192.168.0.10:53: no such host"}
			if err != nil || v != want {
				t.Fatalf("%s: %+v %v", r.body, v, err)
			}
		}
		for _, r := range examples(t, calls.V3ValidateReverseDNS, 404) {
			r.record, r.notFound = 123456, ErrReverseDNSNotFound
			_, err := decodeV3Validation(r, 123456)
			var apiErr *APIError
			if !errors.As(err, &apiErr) || !errors.Is(err, ErrReverseDNSNotFound) || apiErr.RecordID != 123456 || !slices.Equal(apiErr.Messages, []string{"Reverse DNS record not found."}) {
				t.Fatalf("%s: %v", r.body, err)
			}
		}
		for _, r := range examples(t, calls.V3ValidateReverseDNS, 500) {
			if _, err := decodeV3Validation(r, 123456); !errors.Is(err, ErrServer) || !strings.Contains(err.Error(), "internal error getting rDNS") {
				t.Fatalf("%s: %v", r.body, err)
			}
		}
	})
	t.Run(calls.V3StartWarmup, func(t *testing.T) {
		for _, r := range examples(t, calls.V3StartWarmup, 200) {
			if start, err := decodeV3Warmup(r, "0.0.0.0"); err != nil || start != 1409616000 {
				t.Fatalf("%s: %v %v", r.body, start, err)
			}
		}
		for _, r := range examples(t, calls.V3StartWarmup, 404) {
			r.ipAddr, r.notFound = "0.0.0.0", ErrIPNotFound
			if _, err := decodeV3Warmup(r, "0.0.0.0"); !errors.Is(err, ErrIPNotFound) || !strings.Contains(err.Error(), `for IP "0.0.0.0"`) {
				t.Fatalf("%s: %v", r.body, err)
			}
		}
	})
	t.Run("DELETE /v3/ips/warmup/{ip_address}", func(t *testing.T) {
		// The backend takes this 404 for "not warming up": StopWarmup returns nil.
		for _, r := range examples(t, "DELETE /v3/ips/warmup/{ip_address}", 404) {
			r.notFound = ErrIPNotFound
			if err := decodeV3Deleted(r); !errors.Is(err, ErrIPNotFound) {
				t.Fatalf("%s: %v", r.body, err)
			}
		}
	})
}
