package tfharness

import (
	"os"
	"strconv"
	"testing"
)

// EnvInt reads a positive integer that sizes a long test (SOAK_APPLIES, BUDGET_CREATES), def when unset.
func EnvInt(t testing.TB, name string, def int) int {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		t.Fatalf("%s=%q: want a positive integer", name, v)
	}
	return n
}
