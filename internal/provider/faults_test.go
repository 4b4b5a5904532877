package provider

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-exec/tfexec"

	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/calls"
	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/sendgrid"
	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/sendgridmock"
	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/tfharness"
)

// The fault matrix: every failure of the API or network against every operation, on both APIs, each
// row's outcome checked in SendGrid and in state (DESIGN.md, "Testing").

// matrixMaxRetries is max_retries in the matrix's provider block. A
// transient fault queued matrixMaxRetries+2 times outlasts every attempt.
const matrixMaxRetries = 2

// matrixWrongKey is the api_key of the wrong-credentials rows.
const matrixWrongKey = "SG.wrong-key-for-the-fault-matrix"

const (
	matrixAddr    = "sendgrid_subuser_ips.x"
	matrixDataSrc = "data.sendgrid_subuser_ips.x"
)

// outcome is what a row expects SendGrid and Terraform to hold afterwards
// for the subuser concerned. A nil state means the address is not in state.
type outcome struct {
	mock  []string
	state []string
}

// matrixOp is one operation: how to bring it about, and what it must
// leave behind when it succeeds, when it fails without effect, and when it
// fails after SendGrid applied the change (the answer was lost).
type matrixOp struct {
	name  string
	user  string
	write bool   // the faulted call writes (a read changes nothing)
	call  string // the call the fault hits, as the mock names it
	setup string // resources applied before the row ("" for none)
	drift []string
	body  string                           // configuration of the faulted command
	cmd   string                           // the faulted command, as the user would type it
	run   func(context.Context, cli) error // runs it
	addr  string                           // the state address checked

	ok, failed, appliedButFailed outcome
}

func ips(ip ...string) []string {
	if ip == nil {
		return []string{}
	}
	return ip
}

func subuserIPsHCL(user string, ip ...string) string {
	return tfharness.SubuserIPsResource("x", user, ip...)
}

func apply(opts ...tfexec.ApplyOption) func(context.Context, cli) error {
	return func(ctx context.Context, c cli) error { return c.apply(ctx, opts...) }
}

// matrixOps are the operations, with the calls of one API version.
func matrixOps(version string) []matrixOp {
	read, specify, none := calls.V2SubuserIPs, calls.V2SetIPs, calls.V2UnassignIPs
	if version == sendgrid.APIv3 {
		read, specify, none = calls.V3IPsOfSubuser, calls.V3SetSubuserIPs, calls.V3SetSubuserIPs
	}
	return []matrixOp{
		{
			name: "data_source_read", user: "alice", call: read,
			body: "data \"sendgrid_subuser_ips\" \"x\" {\n  user = \"alice\"\n}\n",
			cmd:  "apply", run: apply(), addr: matrixDataSrc,
			ok:     outcome{mock: ips("192.0.2.1", "192.0.2.2"), state: ips("192.0.2.1", "192.0.2.2")},
			failed: outcome{mock: ips("192.0.2.1", "192.0.2.2"), state: nil},
		},
		{
			name: "create", user: "newbie", write: true, call: specify,
			body: subuserIPsHCL("newbie", "192.0.2.6", "192.0.2.7"),
			cmd:  "apply", run: apply(), addr: matrixAddr,
			ok:     outcome{mock: ips("192.0.2.6", "192.0.2.7"), state: ips("192.0.2.6", "192.0.2.7")},
			failed: outcome{mock: ips(), state: nil},
			// A failed Create records nothing, even when SendGrid made the
			// change: the next apply assigns the same set again.
			appliedButFailed: outcome{mock: ips("192.0.2.6", "192.0.2.7"), state: nil},
		},
		{
			name: "read", user: "newbie", call: read,
			setup: subuserIPsHCL("newbie", "192.0.2.6"), drift: ips("192.0.2.6", "192.0.2.8"),
			body: subuserIPsHCL("newbie", "192.0.2.6"),
			cmd:  "apply -refresh-only", run: apply(tfexec.RefreshOnly(true)), addr: matrixAddr,
			// The refresh must pick up the change made behind Terraform's
			// back; a failed refresh leaves the state as it was.
			ok:     outcome{mock: ips("192.0.2.6", "192.0.2.8"), state: ips("192.0.2.6", "192.0.2.8")},
			failed: outcome{mock: ips("192.0.2.6", "192.0.2.8"), state: ips("192.0.2.6")},
		},
		{
			name: "update", user: "newbie", write: true, call: specify,
			setup: subuserIPsHCL("newbie", "192.0.2.6"),
			body:  subuserIPsHCL("newbie", "192.0.2.7", "192.0.2.8"),
			cmd:   "apply -refresh=false", run: apply(tfexec.Refresh(false)), addr: matrixAddr,
			ok:     outcome{mock: ips("192.0.2.7", "192.0.2.8"), state: ips("192.0.2.7", "192.0.2.8")},
			failed: outcome{mock: ips("192.0.2.6"), state: ips("192.0.2.6")},
			// Update reads back after a failed assignment and records what
			// SendGrid holds.
			appliedButFailed: outcome{mock: ips("192.0.2.7", "192.0.2.8"), state: ips("192.0.2.7", "192.0.2.8")},
		},
		{
			name: "delete", user: "newbie", write: true, call: none,
			setup: subuserIPsHCL("newbie", "192.0.2.6"),
			body:  subuserIPsHCL("newbie", "192.0.2.6"),
			cmd:   "destroy -refresh=false", addr: matrixAddr,
			run:    func(ctx context.Context, c cli) error { return c.destroy(ctx, tfexec.Refresh(false)) },
			ok:     outcome{mock: ips(), state: nil},
			failed: outcome{mock: ips("192.0.2.6"), state: ips("192.0.2.6")},
			// A destroy that fails keeps the resource in state, as Terraform
			// does for every failed delete, with what SendGrid holds: Delete
			// reads back, as Update does.
			appliedButFailed: outcome{mock: ips(), state: ips()},
		},
		{
			name: "import", user: "alice", call: read,
			body: subuserIPsHCL("alice", "192.0.2.1", "192.0.2.2"),
			cmd:  "import " + matrixAddr + " alice", addr: matrixAddr,
			run:    func(ctx context.Context, c cli) error { return c.importID(ctx, matrixAddr, "alice") },
			ok:     outcome{mock: ips("192.0.2.1", "192.0.2.2"), state: ips("192.0.2.1", "192.0.2.2")},
			failed: outcome{mock: ips("192.0.2.1", "192.0.2.2"), state: nil},
		},
	}
}

// matrixFault is one kind of failure: a transient one gets a row it recovers from and one that
// outlasts the retries, any other one row whose first answer is final.
type matrixFault struct {
	name         string
	fault        sendgridmock.Fault // kind and parameters; call, task, count set per row
	wrongKey     bool               // not a fault: the provider block has a wrong api_key
	transient    bool
	recoverCount int
	message      string // regexp: the client's error after "sendgrid CALL for subuser "USER": ", on v2
	messageV3    string // the same on v3, when it differs
}

var matrixFaults = []matrixFault{
	{name: "429_retry_after", fault: sendgridmock.Fault{Kind: sendgridmock.FaultRateLimited, RetryAfter: "1"},
		transient: true, recoverCount: 2, message: `rate limited \(HTTP 429\): Too many requests; retry after 1s`,
		messageV3: `rate limited \(HTTP 429\): too many requests; retry after 1s`},
	{name: "429_ratelimit_reset", fault: sendgridmock.Fault{Kind: sendgridmock.FaultRateLimited, RateLimitReset: time.Second},
		transient: true, recoverCount: 2, message: `rate limited \(HTTP 429\): Too many requests; limit resets at 20\d\d-`,
		messageV3: `rate limited \(HTTP 429\): too many requests; limit resets at 20\d\d-`},
	{name: "429_no_hint", fault: sendgridmock.Fault{Kind: sendgridmock.FaultRateLimited},
		transient: true, recoverCount: 2, message: `rate limited \(HTTP 429\): Too many requests\s+(SendGrid kept answering 429)`,
		messageV3: `rate limited \(HTTP 429\): too many requests\s+(SendGrid kept answering 429)`},
	{name: "500", fault: sendgridmock.Fault{Kind: sendgridmock.FaultServerError},
		transient: true, recoverCount: 2, message: `server error \(HTTP 500\): Internal Server Error`,
		messageV3: `server error \(HTTP 500\): internal server error`},
	{name: "503", fault: sendgridmock.Fault{Kind: sendgridmock.FaultUnavailable},
		transient: true, recoverCount: 2, message: `server error \(HTTP 503\)`},
	{name: "dropped_connection", fault: sendgridmock.Fault{Kind: sendgridmock.FaultDrop},
		transient: true, recoverCount: 2, message: `no answer: (EOF|.*connection reset by peer)`},
	{name: "dropped_after_processing", fault: sendgridmock.Fault{Kind: sendgridmock.FaultDrop, AfterProcessing: true},
		transient: true, recoverCount: 2, message: `no answer: (EOF|.*connection reset by peer)`},
	{name: "slow_answer", fault: sendgridmock.Fault{Kind: sendgridmock.FaultDelay, Delay: 2 * time.Second},
		transient: true, recoverCount: 1, message: `no answer: .*request timeout \(1s\) exceeded`},
	{name: "slow_answer_after_processing", fault: sendgridmock.Fault{Kind: sendgridmock.FaultDelay, Delay: 2 * time.Second, AfterProcessing: true},
		transient: true, recoverCount: 1, message: `no answer: .*request timeout \(1s\) exceeded`},
	{name: "html", fault: sendgridmock.Fault{Kind: sendgridmock.FaultHTML},
		message: `unreadable answer \(HTTP 200\); content type "text/html", body starts "<html><head><title>SendGrid`},
	{name: "truncated_json", fault: sendgridmock.Fault{Kind: sendgridmock.FaultTruncatedJSON},
		message: `unreadable answer \(HTTP 200\); content type "application/json", body starts "[\{\[]`},
	{name: "error_200", fault: sendgridmock.Fault{Kind: sendgridmock.FaultError200},
		message: `request rejected \(HTTP 200\): Internal error, please try again`},
	{name: "wrong_credentials", wrongKey: true,
		message: `bad credentials \(HTTP 200\): Invalid username and/or password`, messageV3: `bad credentials \(HTTP 401\): authorization required`},
}

// matrixRow is one cell of the matrix with its declared outcome.
type matrixRow struct {
	version  string
	op       matrixOp
	kind     matrixFault
	count    int  // times the fault is queued (0: none)
	succeeds bool // the command must succeed
	want     outcome
	attempts int // requests the faulted call must get
	faults   int // faults the mock must serve
}

func matrixRows() []matrixRow {
	var rows []matrixRow
	for _, v := range []string{sendgrid.APIv2, sendgrid.APIv3} {
		rows = append(rows, matrixRowsOf(v)...)
	}
	return rows
}

func matrixRowsOf(version string) []matrixRow {
	var rows []matrixRow
	for _, op := range matrixOps(version) {
		for _, k := range matrixFaults {
			if version == sendgrid.APIv3 && k.messageV3 != "" {
				k.message = k.messageV3
			}
			switch {
			case k.fault.AfterProcessing && !op.write:
				// A read changes nothing: "after processing" is the same row.
			case k.transient:
				endPage := 0 // a v3 read that succeeds asks for the page that shows where its list ends (DESIGN.md, "Paging")
				if version == sendgrid.APIv3 && !op.write {
					endPage = 1
				}
				rows = append(rows, matrixRow{version: version, op: op, kind: k, count: k.recoverCount, succeeds: true, want: op.ok,
					attempts: k.recoverCount + 1 + endPage, faults: k.recoverCount})
				failed := op.failed
				if k.fault.AfterProcessing {
					failed = op.appliedButFailed
				}
				rows = append(rows, matrixRow{version: version, op: op, kind: k, count: matrixMaxRetries + 2, want: failed,
					attempts: matrixMaxRetries + 1, faults: matrixMaxRetries + 1})
			case k.wrongKey:
				rows = append(rows, matrixRow{version: version, op: op, kind: k, want: op.failed, attempts: 1})
			default:
				rows = append(rows, matrixRow{version: version, op: op, kind: k, count: 1, want: op.failed, attempts: 1, faults: 1})
			}
		}
	}
	return rows
}

func (r matrixRow) name() string {
	switch {
	case r.succeeds:
		return fmt.Sprintf("%s/%s/%s/x%d_recovers", r.version, r.op.name, r.kind.name, r.count)
	case r.kind.transient:
		return fmt.Sprintf("%s/%s/%s/x%d_outlasts_retries", r.version, r.op.name, r.kind.name, r.count)
	default:
		return r.version + "/" + r.op.name + "/" + r.kind.name
	}
}

func TestFaultMatrix(t *testing.T) {
	terraformCLI(t)
	rows := matrixRows()
	if len(rows) != 240 {
		t.Fatalf("the matrix has %d rows, want 240 (120 per API): update this count with the table", len(rows))
	}
	if !long() {
		rows = coveringRows(rows)
	}
	for _, row := range rows {
		t.Run(row.name(), func(t *testing.T) {
			t.Parallel()
			runMatrixRow(t, row)
		})
	}
}

// coveringRows keeps, per API, the first row of each operation and of each fault kind not yet kept:
// every operation and every kind still runs in make test; make test-long runs all 240 rows.
func coveringRows(rows []matrixRow) []matrixRow {
	seen := map[string]bool{}
	var out []matrixRow
	for _, r := range rows {
		op, kind := r.version+" op "+r.op.name, r.version+" kind "+r.kind.name
		if !seen[op] || !seen[kind] {
			seen[op], seen[kind] = true, true
			out = append(out, r)
		}
	}
	return out
}

func runMatrixRow(t *testing.T, row matrixRow) {
	api := testAPI{startAPI(t), row.version}
	c := inProcessCLI(t)
	op := row.op
	ctx := t.Context()

	if op.setup != "" {
		if err := c.w.WriteConfig(matrixProvider(api, testAPIKey) + op.setup); err != nil {
			t.Fatal(err)
		}
		if err := c.apply(ctx); err != nil {
			t.Fatalf("setup: %v\n%s", err, c.w.Output())
		}
	}
	if op.drift != nil {
		if err := api.SetSubuserIPs(op.user, op.drift); err != nil {
			t.Fatal(err)
		}
	}
	before := api.Snapshot()
	api.ResetRequests()
	faultsBefore := api.FaultsInjected()

	key := testAPIKey
	if row.kind.wrongKey {
		key = matrixWrongKey
	}
	if row.count > 0 {
		f := row.kind.fault
		f.Call, f.Count = op.call, row.count
		if row.version == sendgrid.APIv2 { // the mock matches v2 faults by call and task
			f.Call, f.Task = calls.V2SendIP, map[bool]string{true: "append", false: "list"}[op.write]
		}
		api.InjectFault(f)
	}
	if err := c.w.WriteConfig(matrixProvider(api, key) + op.body); err != nil {
		t.Fatal(err)
	}
	c.w.Output() // the setup's
	code := tfharness.ExitCode(op.run(ctx, c))
	out := tfharness.Flatten(c.w.Output())
	if lower := strings.ToLower(out); strings.Contains(lower, "panic") || strings.Contains(lower, "crash") ||
		strings.Contains(lower, "plugin did not respond") {
		t.Fatalf("the provider crashed:\n%s", out)
	}

	// The outcome the row declares.
	if row.succeeds {
		if code != 0 {
			t.Fatalf("terraform %s exited %d, want success after retries:\n%s", op.cmd, code, out)
		}
	} else {
		if code != 1 {
			t.Fatalf("terraform %s exited %d, want 1:\n%s", op.cmd, code, out)
		}
		want := regexp.MustCompile(`sendgrid ` + regexp.QuoteMeta(op.call) + ` for subuser "` + op.user + `": ` + row.kind.message)
		if !want.MatchString(out) {
			t.Fatalf("the error does not match %q:\n%s", want, out)
		}
	}

	// Retries: exactly the attempts the row declares, and each queued
	// fault served once.
	if got := awaitAttempts(api, op.user, op.call, row.attempts); got != row.attempts {
		t.Errorf("%s got %d requests, want %d (%v)", op.call, got, row.attempts, describeRequests(api))
	}
	if got := api.FaultsInjected() - faultsBefore; got != row.faults {
		t.Errorf("the mock served %d faults, want %d", got, row.faults)
	}

	// SendGrid's side: the subuser concerned holds what the row declares,
	// every other subuser what it held before.
	after := api.Snapshot()
	if len(after.Subusers) != len(before.Subusers) {
		t.Fatalf("subusers changed: %v -> %v", before.Subusers, after.Subusers)
	}
	for i, su := range after.Subusers {
		want := before.Subusers[i].IPs
		if su.Name == op.user {
			want = row.want.mock
		}
		if su.Name != before.Subusers[i].Name || !slices.Equal(su.IPs, want) {
			t.Errorf("mock SendGrid holds %v for %s, want %v", su.IPs, su.Name, want)
		}
	}

	// Terraform's side.
	got, inState := c.stateIPs(t)[op.addr]
	switch {
	case row.want.state == nil && inState:
		t.Errorf("%s is in state with %v, want it absent", op.addr, got)
	case row.want.state != nil && !inState:
		t.Errorf("%s is not in state, want %v", op.addr, row.want.state)
	case row.want.state != nil && !slices.Equal(got, row.want.state):
		t.Errorf("state holds %v for %s, want %v", got, op.addr, row.want.state)
	}
}

// matrixProvider is the matrix's provider block: no pacing (the mock does
// not limit here), two retries, and a one-second attempt timeout that the
// slow answers (two seconds) exceed.
func matrixProvider(api testAPI, key string) string {
	return tfharness.ProviderConfig(api.pick(api.URL(), api.V3URL()), api.pick(testAPIUser, ""), key,
		fmt.Sprintf("max_retries = %d", matrixMaxRetries), `request_timeout = "1s"`, "requests_per_minute = 100000")
}

// awaitAttempts waits up to 3 s for want requests about user: an abandoned request is logged when
// the mock notices, possibly after Terraform exits.
func awaitAttempts(api testAPI, user, call string, want int) int {
	count := func() int {
		n := 0
		for _, r := range api.Requests() {
			if r.User == user && r.Name() == call {
				n++
			}
		}
		return n
	}
	deadline := time.Now().Add(3 * time.Second)
	n := count()
	for n < want && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
		n = count()
	}
	return n
}

func describeRequests(api testAPI) []string {
	var out []string
	for _, r := range api.Requests() {
		out = append(out, fmt.Sprintf("%s user=%s status=%d fault=%s", r.Name(), r.User, r.Status, r.Fault))
	}
	return out
}
