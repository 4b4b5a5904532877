package sendgrid

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"net/netip"
	"slices"
	"strings"
)

// Helpers both decoders use.

func isPresent(raw json.RawMessage) bool {
	return len(raw) > 0 && !bytes.Equal(raw, []byte("null"))
}

func stringValue(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return ""
	}
	return s
}

// ip reads one address of an answer, unmapped; anything else makes the
// whole answer unreadable (see DESIGN.md, Answers and errors).
func (r reply) ip(text string) (string, error) {
	addr, err := netip.ParseAddr(text)
	if err != nil || addr.Zone() != "" {
		return "", r.fail(ErrUnreadable, nil, fmt.Errorf("answer lists %q, which is not an IP address", redact(text, r.secrets)))
	}
	return addr.Unmap().String(), nil
}

// SortIPs returns the addresses in numeric order without duplicates; non-addresses sort last, as text.
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
		return cmp.Or(x.Compare(y), strings.Compare(a, b))
	case errX == nil:
		return -1
	case errY == nil:
		return 1
	default:
		return strings.Compare(a, b)
	}
}
