// Package sendgrid is the client of SendGrid's reseller IP calls: v3 and the deprecated v2 behind one
// API, one read session and one transport, with no Terraform types (DESIGN.md, "Layers"; adding a call:
// "Reading: one session per process").
package sendgrid

import (
	"cmp"
	"context"
	"time"
)

// API versions and v3 regions.
const (
	APIv2        = "v2"
	APIv3        = "v3"
	RegionGlobal = "global"
	RegionEU     = "eu"
)

// Defaults of Config.
const (
	DefaultRequestsPerMinute = 600 // SendGrid's documented v2 limit
	DefaultMaxRetries        = 5
	DefaultRequestTimeout    = 30 * time.Second
	DefaultRetryWaitMin      = 500 * time.Millisecond
	DefaultRetryWaitMax      = 2 * time.Minute // see DESIGN.md, Retry-After
	DefaultPageSize          = 500             // v3: what a list asks for; the server may serve fewer
	DefaultSettlePoll        = 2 * time.Second // doubles up to 5× itself; SendGrid says a pool addition can take 60 s

	// LogSubsystem is the terraform-plugin-log subsystem (TF_LOG_PROVIDER_SENDGRID_API).
	LogSubsystem = "sendgrid_api"
)

// Config configures New; zero values take the defaults.
type Config struct {
	APIVersion        string // APIv3 ("") or APIv2
	Region            string // v3 only: RegionGlobal ("") or RegionEU
	BaseURL           string // v2: the apiv2/ prefix; v3: the host root; "": the version's and region's own
	APIUser           string // v2 only
	APIKey            string
	UserAgent         string
	RequestsPerMinute int  // paces every call of the client; 0: DefaultRequestsPerMinute
	NoPacing          bool // send without pacing (tests); X-RateLimit headers are still obeyed
	MaxRetries        int  // after the first attempt; 0: DefaultMaxRetries
	NoRetries         bool // one attempt per call, whatever MaxRetries says
	// RequestTimeout bounds one attempt, not its wait for a turn.
	RequestTimeout time.Duration
	// RetryWaitMin and RetryWaitMax bound one backoff; a longer asked wait ends the call.
	RetryWaitMin, RetryWaitMax time.Duration
	PageSize                   int             // v3, 1 to DefaultPageSize
	SettlePoll                 time.Duration   // first wait between reads of a pool change not yet shown; 0: DefaultSettlePoll
	Stop                       context.Context // when done, ends every call (see DESIGN.md, Ctrl-C); nil: never
}

// API is what the provider needs of SendGrid; safe for concurrent use. Every read after a write of
// the same API value sees that write.
type API interface {
	Version() string
	// ListIPs lists the reseller's IPs that match filter, sorted, without duplicates.
	ListIPs(ctx context.Context, filter IPFilter) ([]string, error)
	// SubuserIPs reads one subuser's IPs; ErrSubuserNotFound when it does not exist.
	SubuserIPs(ctx context.Context, user string) (Holding, error)
	// SetSubuserIPs makes the subuser's IPs exactly ips and returns what SendGrid then holds.
	SetSubuserIPs(ctx context.Context, user string, ips []string) (Holding, error)
	// AssignAllIPs gives the subuser every IP the reseller has now and returns what it then holds.
	AssignAllIPs(ctx context.Context, user string) (Holding, error)
	// Subusers lists every subuser, by name, with its IPs.
	Subusers(ctx context.Context) ([]Subuser, error)

	// The IP pool calls are v3's: on v2 each returns ErrNeedsV3 and sends nothing.

	// Pools lists every IP pool with its IPs, sorted by name.
	Pools(ctx context.Context) ([]Pool, error)
	// Pool reads one pool; ErrPoolNotFound, naming near matches, when no pool has this exact name.
	Pool(ctx context.Context, name string) (Pool, error)
	// CreatePool creates an empty pool.
	CreatePool(ctx context.Context, name string) error
	// ChangePoolIPs adds and removes IPs, one call each, then reads the pool until every change
	// shows or ctx is about to end (ErrNotSettled); it returns the pool as last read.
	ChangePoolIPs(ctx context.Context, name string, add, remove []string) (Pool, error)
	// DeletePool deletes a pool; ErrPoolNotFound when there was none.
	DeletePool(ctx context.Context, name string) error
	// IP reads one of the account's IPs; ErrIPNotFound when the account has no such IP.
	IP(ctx context.Context, ip string) (IP, error)

	// Reverse DNS and warmup are v3's too (see DESIGN.md, "Reverse DNS and warmup").

	// ReverseDNSRecords lists every reverse DNS record, sorted by IP: one shared paged scan.
	ReverseDNSRecords(ctx context.Context) ([]ReverseDNS, error)
	// ReverseDNS reads one record; ErrReverseDNSNotFound when there is none with this id.
	ReverseDNS(ctx context.Context, id int64) (ReverseDNS, error)
	// CreateReverseDNS sets up reverse DNS for ip; subdomain "" leaves it to SendGrid.
	CreateReverseDNS(ctx context.Context, ip, domain, subdomain string) (ReverseDNS, error)
	// DeleteReverseDNS deletes a record; ErrReverseDNSNotFound when there was none.
	DeleteReverseDNS(ctx context.Context, id int64) error
	// ValidateReverseDNS asks SendGrid once to check the record's A record and returns its verdict.
	ValidateReverseDNS(ctx context.Context, id int64) (Validation, error)

	// Warmups reads the warmup of every IP of the account, sorted by IP: the shared scan of GET /v3/ips.
	Warmups(ctx context.Context) ([]Warmup, error)
	// Warmup reads one IP's warmup; ErrIPNotFound when the account has no such IP.
	Warmup(ctx context.Context, ip string) (Warmup, error)
	// StartWarmup puts ip in warmup and returns its warmup as SendGrid's answer shows it.
	StartWarmup(ctx context.Context, ip string) (Warmup, error)
	// StopWarmup takes ip out of warmup; nil when it was not warming up.
	StopWarmup(ctx context.Context, ip string) error
}

// ReverseDNS is one reverse DNS record (SendGrid's "IP whitelabel").
type ReverseDNS struct {
	ID        int64
	IP        string
	Domain    string
	Subdomain string
	RDNS      string // the name the IP resolves back to, e.g. o1.email.example.com
	Valid     bool
	Legacy    bool
	ARecord   ARecord
}

// ARecord is the DNS record the reseller publishes so that SendGrid can validate reverse DNS.
type ARecord struct {
	Type  string // "A", upper case whatever SendGrid sends
	Host  string
	Data  string // the IP address
	Valid bool
}

// Validation is SendGrid's verdict on one validation attempt.
type Validation struct {
	Valid  bool
	Reason string // SendGrid's reason when the A record could not be validated
}

// WarmupStatus is what SendGrid's answers say of an IP's warmup (see DESIGN.md, "Warmup: complete or stopped").
type WarmupStatus string

// The warmup statuses.
const (
	WarmupNone     WarmupStatus = "none"     // no warmup start date
	WarmupWarming  WarmupStatus = "warming"  // in warmup now
	WarmupComplete WarmupStatus = "complete" // out of warmup, at least WarmupLength after its start
	WarmupStopped  WarmupStatus = "stopped"  // out of warmup sooner than the schedule could have ended
)

// WarmupLength is the shortest time after which a warmup that ended is taken as run to completion.
const WarmupLength = 30 * 24 * time.Hour

// Warmup is one IP's warmup.
type Warmup struct {
	IP        string
	Status    WarmupStatus
	StartDate time.Time // UTC; zero when SendGrid gives none
}

// Pool is one IP pool.
type Pool struct {
	Name string
	IPs  []string // sorted, no duplicates
}

// IP is what SendGrid says of one of the reseller's IPs.
type IP struct {
	Address      string
	Subusers     []string // sorted
	Pools        []string // sorted
	RDNS         string   // the reverse DNS name; "" when none
	Whitelabeled bool     // has a reverse DNS record
	Warmup       bool
	StartDate    int64 // Unix seconds the warmup started; 0 when SendGrid gives none
}

// IPFilter selects the IPs ListIPs lists, with v2's meaning on both APIs.
type IPFilter string

// The filters of customer.ip.
const (
	FilterAll       IPFilter = "all"
	FilterFree      IPFilter = "free"
	FilterTaken     IPFilter = "taken"
	FilterAvailable IPFilter = "available"
)

// IPFilters lists the valid filters.
func IPFilters() []string {
	return []string{string(FilterAll), string(FilterFree), string(FilterTaken), string(FilterAvailable)}
}

// Holding is what SendGrid holds for one subuser: its IPs and, on v2, its outbound cluster.
type Holding struct {
	IPs             []string // sorted, no duplicates
	OutboundCluster string   // v2 only; control characters escaped
}

// Subuser is one subuser of the reseller.
type Subuser struct {
	Name            string
	Active          bool     // v2 active, v3 !disabled
	IPs             []string // sorted, no duplicates
	OutboundCluster string   // v2 only
}

// New checks the configuration and returns the read session over the v3 or v2 backend.
func New(cfg Config) (API, error) {
	base, err := cfg.check()
	if err != nil {
		return nil, err
	}
	cfg.APIVersion = cmp.Or(cfg.APIVersion, APIv3)
	cfg.PageSize = cmp.Or(cfg.PageSize, DefaultPageSize)
	cfg.UserAgent = cmp.Or(cfg.UserAgent, "terraform-provider-sendgrid")
	// max(d, 0) turns a negative duration into 0, which takes the default.
	cfg.RequestTimeout = cmp.Or(max(cfg.RequestTimeout, 0), DefaultRequestTimeout)
	cfg.RetryWaitMin = cmp.Or(max(cfg.RetryWaitMin, 0), DefaultRetryWaitMin)
	cfg.RetryWaitMax = cmp.Or(max(cfg.RetryWaitMax, 0), DefaultRetryWaitMax)
	cfg.MaxRetries = cmp.Or(max(cfg.MaxRetries, 0), DefaultMaxRetries)
	if cfg.NoRetries {
		cfg.MaxRetries = 0
	}
	cfg.RequestsPerMinute = cmp.Or(max(cfg.RequestsPerMinute, 0), DefaultRequestsPerMinute)
	cfg.SettlePoll = cmp.Or(max(cfg.SettlePoll, 0), DefaultSettlePoll)

	if cfg.APIVersion == APIv2 {
		return newSession(&v2Backend{t: newTransport(cfg, v2Messages), base: base, apiUser: cfg.APIUser, apiKey: cfg.APIKey}, cfg.SettlePoll), nil
	}
	return newSession(newV3Backend(newTransport(cfg, v3Messages), base, cfg.PageSize), cfg.SettlePoll), nil
}
