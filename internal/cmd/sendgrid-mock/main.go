// Command sendgrid-mock serves the SendGrid mock (package sendgridmock), v2 and v3 from one account, on a
// loopback address. It prints the v2 base URL on stdout, both URLs on stderr, and serves until SIGINT or SIGTERM.
//
//	sendgrid-mock [-addr 127.0.0.1:0] [-seed seed.json] [-rate-limit N] [-publish-a-records N] [-url-file PATH] [-v3-url-file PATH]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/netip"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/sendgridmock"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
	case errors.Is(err, errUsage):
		os.Exit(2)
	default:
		fmt.Fprintln(os.Stderr, "sendgrid-mock:", err)
		os.Exit(1)
	}
}

// errUsage is a command-line error the flag package has already reported.
var errUsage = errors.New("usage error")

// builtinSeed is examples/mock/seed.json (a test keeps them equal); its key is a published placeholder.
func builtinSeed() sendgridmock.Seed {
	return sendgridmock.Seed{ //nolint:gosec // a published placeholder, not a credential
		APIUser:         "reseller@example.com",
		APIKey:          "demo-not-a-real-key",
		OutboundCluster: sendgridmock.DefaultOutboundCluster,
		IPs: []string{
			"203.0.113.10", "203.0.113.11", "203.0.113.12",
			"203.0.113.13", "203.0.113.14", "203.0.113.15",
		},
		Subusers: []sendgridmock.SeedSubuser{
			{Name: "alice", IPs: []string{"203.0.113.10", "203.0.113.11"}},
			{Name: "bob", IPs: []string{"203.0.113.11", "203.0.113.12"}},
			{Name: "carol", Active: new(false), IPs: []string{"203.0.113.13"}},
			{Name: "dave", IPs: []string{}},
		},
	}
}

// run is the command without the process: it serves until ctx ends.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("sendgrid-mock", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:0", "loopback `host:port` to listen on (port 0 picks a free one)")
	seedPath := fs.String("seed", "", "JSON seed `file` with the account (default: the built-in demo account)")
	rateLimit := fs.Int("rate-limit", 0, "requests per minute before answering 429 (0 = no limit)")
	urlFile := fs.String("url-file", "", "also write the v2 base URL to this `file` (removed on exit)")
	v3URLFile := fs.String("v3-url-file", "", "write the v3 base URL to this `file` (removed on exit)")
	publish := fs.Int("publish-a-records", -1, "the A records of reverse DNS are in DNS: validations fail `N` times per IP, then succeed (-1: never published)")
	logf := func(format string, args ...any) { _, _ = fmt.Fprintf(stderr, format, args...) } // a closed stderr must not stop the mock
	fs.Usage = func() {
		_, _ = fmt.Fprintln(fs.Output(), "Usage: sendgrid-mock [flags]\n\nServes a mock of the SendGrid v2 and v3 IP-management calls and prints the v2 base URL.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return errUsage
	}
	if fs.NArg() > 0 {
		logf("sendgrid-mock: unexpected arguments: %q\n", fs.Args())
		fs.Usage()
		return errUsage
	}
	if *rateLimit < 0 {
		return errors.New("-rate-limit must be 0 or more")
	}
	if err := checkLoopback(*addr); err != nil { // anyone who knows the often-published seed credentials gets in
		return err
	}
	seed := builtinSeed()
	if *seedPath != "" {
		var err error
		if seed, err = sendgridmock.LoadSeedFile(*seedPath); err != nil {
			return err
		}
	}
	srv, err := sendgridmock.New(seed)
	if err != nil {
		return err
	}
	srv.SetRateLimit(*rateLimit, time.Minute)
	if *publish >= 0 {
		for _, ip := range seed.IPs {
			srv.PublishARecord(ip, *publish)
		}
	}
	baseURL, err := srv.Start(*addr)
	if err != nil {
		return err
	}
	defer srv.Close()                                                             //nolint:errcheck // nothing left to report to at exit
	if u, err := url.Parse(baseURL); err != nil || checkLoopback(u.Host) != nil { // what "localhost" resolved to
		return fmt.Errorf("refusing to serve on %s: not a loopback address", baseURL)
	}
	v3URL := srv.V3URL()
	for _, f := range []struct{ path, url string }{{*urlFile, baseURL}, {*v3URLFile, v3URL}} {
		if f.path == "" {
			continue
		}
		if err := writeFileAtomic(f.path, f.url+"\n"); err != nil {
			return err
		}
		defer os.Remove(f.path) //nolint:errcheck // best effort: a stale file is only a nuisance
	}
	if _, err := fmt.Fprintln(stdout, baseURL); err != nil {
		return err
	}
	limit := "off"
	if *rateLimit > 0 {
		limit = fmt.Sprintf("%d requests/minute", *rateLimit)
	}
	logf("sendgrid-mock: v2 base URL %s (the line on stdout), v3 base URL %s\n", baseURL, v3URL)
	logf("sendgrid-mock: serving api_user %q (%d IPs, %d subusers, %d IP pools), rate limit %s; stop with Ctrl-C\n", // never the key
		seed.APIUser, len(seed.IPs), len(seed.Subusers), len(seed.Pools), limit)
	<-ctx.Done()
	logf("sendgrid-mock: stopping\n")
	return nil
}

// checkLoopback accepts host:port where host is "localhost" or a loopback IP.
func checkLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("bad -addr %q: %w", addr, err)
	}
	if ip, err := netip.ParseAddr(host); host != "localhost" && (err != nil || !ip.IsLoopback()) {
		return fmt.Errorf("refusing to listen on %q: only loopback addresses (127.0.0.1, [::1], localhost) are allowed", addr)
	}
	return nil
}

// writeFileAtomic writes through a temporary file and a rename, so a script polling for the file never reads half a URL.
func writeFileAtomic(path, data string) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".sendgrid-mock-url-*")
	if err != nil {
		return err
	}
	_, werr := tmp.WriteString(data)
	if err := errors.Join(werr, tmp.Close()); err != nil {
		_ = os.Remove(tmp.Name())
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		_ = os.Remove(tmp.Name())
		return err
	}
	return nil
}
