package sendgrid

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxSubuserNameLength is ours: SendGrid documents none, and a longer name is a pasted mistake.
const MaxSubuserNameLength = 128

// MaxPoolNameLength is SendGrid's (ips.json, POST /v3/ips/pools).
const MaxPoolNameLength = 64

// CheckPoolName is the one rule a pool name follows: a subuser name's rule with SendGrid's shorter limit.
func CheckPoolName(name string) error {
	if n := utf8.RuneCountInString(name); n > MaxPoolNameLength {
		return fmt.Errorf("the name is %d characters long, more than SendGrid's %d", n, MaxPoolNameLength)
	}
	return CheckSubuserName(name)
}

// CheckSubuserName is the one rule a subuser name follows, on both APIs and every path (see
// DESIGN.md, "Plan-time validation"): the client sends no call about a name it refuses.
func CheckSubuserName(name string) error {
	switch {
	case name == "":
		return errors.New("the name is empty")
	case !utf8.ValidString(name):
		return fmt.Errorf("%q is not valid UTF-8", name)
	case utf8.RuneCountInString(name) > MaxSubuserNameLength:
		return fmt.Errorf("the name is %d characters long, more than %d", utf8.RuneCountInString(name), MaxSubuserNameLength)
	case strings.ContainsFunc(name, unicode.IsControl):
		return fmt.Errorf("%q contains a control character", escapeControl(name))
	case strings.TrimSpace(name) != name:
		return fmt.Errorf("%q has leading or trailing spaces", name)
	case name == "." || name == "..":
		return fmt.Errorf("%q is a path segment, not a name: a call about it would address another resource", name)
	case strings.ContainsAny(name, `/\`):
		return fmt.Errorf("%q contains a slash, which no subuser name has and which proxies read as a path", name)
	}
	return nil
}

// checkName refuses, before sending, a call about a name CheckSubuserName refuses.
func checkName(callName, user string) error {
	if err := CheckSubuserName(user); err != nil {
		return &APIError{Kind: ErrRejected, Call: callName, User: escapeControl(user), Err: fmt.Errorf("%w; not sent", err)}
	}
	return nil
}
