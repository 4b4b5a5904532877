package sendgrid

import "context"

// Placeholder until the pool calls land: every pool call refuses as on v2.

func needsV3(call, pool string) error {
	return &APIError{Kind: ErrNeedsV3, Call: call, Pool: pool}
}

func (s *session) Pools(context.Context) ([]Pool, error) { return nil, needsV3("GET /v3/ips/pools", "") }
func (s *session) Pool(_ context.Context, name string) (Pool, error) {
	return Pool{}, needsV3("GET /v3/ips/pools/{name}", name)
}
func (s *session) CreatePool(_ context.Context, name string) error {
	return needsV3("POST /v3/ips/pools", name)
}
func (s *session) ChangePoolIPs(_ context.Context, name string, _, _ []string) (Pool, error) {
	return Pool{}, needsV3("POST /v3/ips/pools/{name}/ips", name)
}
func (s *session) DeletePool(_ context.Context, name string) error {
	return needsV3("DELETE /v3/ips/pools/{name}", name)
}
func (s *session) IP(context.Context, string) (IP, error) { return IP{}, needsV3("GET /v3/ips/{ip}", "") }
