package sendgrid

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
)

// ip reads one address from an answer. IPv4-mapped IPv6 becomes the IPv4
// address it maps, so it compares equal to the configured one. Anything
// that is not an address makes the whole answer unreadable: state must
// never record something SendGrid did not say.
func (a answer) ip(text string) (string, error) {
	addr, err := netip.ParseAddr(text)
	if err != nil || addr.Zone() != "" {
		return "", a.fail(ErrUnreadable, nil, fmt.Errorf("answer lists %q, which is not an IP address", redact(text, a.secrets)))
	}
	return addr.Unmap().String(), nil
}

// SortIPs returns the addresses sorted in numeric order (1.2.3.9 before
// 1.2.3.10) without duplicates. Strings that are not addresses sort last,
// in text order, so the function is total.
func SortIPs(ips []string) []string {
	out := slices.Clone(ips)
	slices.SortFunc(out, compareIP)
	return slices.Compact(out)
}

func compareIP(a, b string) int {
	x, errX := netip.ParseAddr(a)
	y, errY := netip.ParseAddr(b)
	switch {
	case errX == nil && errY == nil:
		if c := x.Compare(y); c != 0 {
			return c
		}
		return strings.Compare(a, b)
	case errX == nil:
		return -1
	case errY == nil:
		return 1
	default:
		return strings.Compare(a, b)
	}
}
