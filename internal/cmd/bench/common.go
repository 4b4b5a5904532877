package main

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/sendgridmock"
	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/tfharness"
)

const (
	apiUser = "reseller@example.com"
	apiKey  = "SG.bench-key-7c1e93b2a5" //nolint:gosec // the mock's made-up key
	numIPs  = 16
)

// ipOf is the IP resource i is given (and the input of terraform_data i,
// so both configurations carry the same data).
func ipOf(i int) string { return fmt.Sprintf("192.0.2.%d", i%numIPs+1) }

func userOf(i int) string { return fmt.Sprintf("u%05d", i) }

// startMock serves an account of numIPs IPs and n subusers holding none,
// on 127.0.0.1.
func startMock(n int, extra ...sendgridmock.SeedSubuser) (*sendgridmock.Server, error) {
	seed := sendgridmock.Seed{APIUser: apiUser, APIKey: apiKey}
	for i := range numIPs {
		seed.IPs = append(seed.IPs, ipOf(i))
	}
	for i := range n {
		seed.Subusers = append(seed.Subusers, sendgridmock.SeedSubuser{Name: userOf(i)})
	}
	seed.Subusers = append(seed.Subusers, extra...)
	s, err := sendgridmock.New(seed)
	if err != nil {
		return nil, err
	}
	if _, err := s.Start("127.0.0.1:0"); err != nil {
		return nil, err
	}
	return s, nil
}

// providerHCL is the terraform and provider blocks; rpm 0 leaves
// requests_per_minute unset (the default pace).
func providerHCL(api *sendgridmock.Server, rpm int) string {
	var settings []string
	if rpm > 0 {
		settings = append(settings, fmt.Sprintf("requests_per_minute = %d", rpm))
	}
	return tfharness.ProviderConfig(api.URL(), apiUser, apiKey, settings...)
}

// sendgridConfig is n sendgrid_subuser_ips, one per subuser.
func sendgridConfig(api *sendgridmock.Server, rpm, n int) string {
	var b strings.Builder
	b.WriteString(providerHCL(api, rpm))
	for i := range n {
		b.WriteString(tfharness.SubuserIPsResource(fmt.Sprintf("r%d", i), userOf(i), ipOf(i)))
	}
	return b.String()
}

// terraformDataConfig is n built-in terraform_data resources with the
// same data: the cost of Terraform core alone.
func terraformDataConfig(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "resource \"terraform_data\" \"r%d\" { input = [%q] }\n", i, ipOf(i))
	}
	return b.String()
}

func formatCalls(m map[string]int) string {
	if len(m) == 0 {
		return "none"
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%d× `%s`", m[k], k)
	}
	return strings.Join(parts, ", ")
}

func total(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

// span is the time from the first to the last logged request.
func span(reqs []sendgridmock.Request) time.Duration {
	if len(reqs) < 2 {
		return 0
	}
	lo, hi := reqs[0].Time, reqs[0].Time
	for _, r := range reqs[1:] {
		if r.Time.Before(lo) {
			lo = r.Time
		}
		if r.Time.After(hi) {
			hi = r.Time
		}
	}
	return hi.Sub(lo)
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func minMax(xs []float64) (float64, float64) {
	if len(xs) == 0 {
		return 0, 0
	}
	return slices.Min(xs), slices.Max(xs)
}

func seconds(ds []time.Duration) []float64 {
	out := make([]float64, len(ds))
	for i, d := range ds {
		out[i] = d.Seconds()
	}
	return out
}
