//go:build !race

package sendgridmock

// raceSlowdown scales time budgets: the race detector checks every byte a large answer copies.
const raceSlowdown = 1
