package sendgrid

import (
	"errors"
	"slices"
	"testing"

	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/contract"
)

// examples are SendGrid's own examples of op's answer with status; none is a failure, so a
// fixture that lost them fails here instead of passing with nothing checked.
func examples(t *testing.T, op string, status int) []answer {
	t.Helper()
	var out []answer
	for _, body := range contract.Examples(op, status) {
		out = append(out, answer{call: op, status: status, contentType: "application/json", body: body})
	}
	if len(out) == 0 {
		t.Fatalf("the contract has no example of %s %d", op, status)
	}
	return out
}

// TestContractExamplesDecode: each call's examples decode through the client's decoder and mean
// what they say.
func TestContractExamplesDecode(t *testing.T) {
	t.Run("GET /v3/ips", func(t *testing.T) {
		for _, a := range examples(t, "GET /v3/ips", 200) {
			ips, err := decodeV3IPs(a)
			if err != nil || len(ips) < 2 {
				t.Fatalf("%s: %v %v", a.body, ips, err)
			}
			// The first IP is held by tim@sendgrid.net, the second by nobody: taken and free.
			if ips[0].ip != "192.168.1.1" || !slices.Equal(ips[0].subusers, []string{"tim@sendgrid.net"}) || len(ips[1].subusers) != 0 {
				t.Fatalf("meaning: %+v", ips)
			}
		}
	})
	t.Run("GET /v3/subusers", func(t *testing.T) {
		for _, a := range examples(t, "GET /v3/subusers", 200) {
			subs, err := decodeV3Subusers(a)
			if err != nil || len(subs) != 2 || subs[0].name != "example_subuser" || subs[0].disabled {
				t.Fatalf("%s: %+v %v", a.body, subs, err)
			}
		}
		for _, a := range examples(t, "GET /v3/subusers", 401) {
			if _, err := decodeV3Subusers(a); !errors.Is(err, ErrBadCredentials) {
				t.Fatalf("%s: %v", a.body, err)
			}
		}
	})
	t.Run("PUT /v3/subusers/{subuser_name}/ips", func(t *testing.T) {
		for _, a := range examples(t, "PUT /v3/subusers/{subuser_name}/ips", 200) {
			held, err := decodeV3SetIPs(a)
			if err != nil || !slices.Equal(held, []string{"127.0.0.1"}) {
				t.Fatalf("%s: %v %v", a.body, held, err)
			}
		}
		for _, a := range examples(t, "PUT /v3/subusers/{subuser_name}/ips", 401) {
			a.user = "example_subuser"
			if _, err := decodeV3SetIPs(a); !errors.Is(err, ErrBadCredentials) {
				t.Fatalf("%s: %v", a.body, err)
			}
		}
	})
}
