package contract

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// exception is one place where the published contract is wrong, silent or looser than SendGrid's real
// answers. Each amends the fixture before it is loaded, and fails when it no longer applies, so the
// list stays short and true (DESIGN.md, "The contract").
type exception struct {
	name   string
	reason string
	amend  func(doc map[string]any) error
}

const (
	opListIPs       = "GET /v3/ips"
	opListSubusers  = "GET /v3/subusers"
	opSetSubuserIPs = "PUT /v3/subusers/{subuser_name}/ips"
	opGetIP         = "GET /v3/ips/{ip_address}"
	opListPools     = "GET /v3/ips/pools"
	opCreatePool    = "POST /v3/ips/pools"
	opGetPool       = "GET /v3/ips/pools/{pool_name}"
	opDeletePool    = "DELETE /v3/ips/pools/{pool_name}"
	opAddPoolIP     = "POST /v3/ips/pools/{pool_name}/ips"
	opRemovePoolIP  = "DELETE /v3/ips/pools/{pool_name}/ips/{ip}"

	opListReverseDNS     = "GET /v3/whitelabel/ips"
	opCreateReverseDNS   = "POST /v3/whitelabel/ips"
	opGetReverseDNS      = "GET /v3/whitelabel/ips/{id}"
	opDeleteReverseDNS   = "DELETE /v3/whitelabel/ips/{id}"
	opValidateReverseDNS = "POST /v3/whitelabel/ips/{id}/validate"
	opListWarmup         = "GET /v3/ips/warmup"
	opStartWarmup        = "POST /v3/ips/warmup"
	opGetWarmup          = "GET /v3/ips/warmup/{ip_address}"
	opStopWarmup         = "DELETE /v3/ips/warmup/{ip_address}"
)

// poolAndIPOps are the calls on IP pools and one IP, none of which declares 401 or 429.
var poolAndIPOps = []string{opGetIP, opListPools, opCreatePool, opGetPool, opDeletePool, opAddPoolIP, opRemovePoolIP}

// rdnsAndWarmupOps are the reverse DNS and warmup calls, none of which declares 401 or 429.
var rdnsAndWarmupOps = []string{opListReverseDNS, opCreateReverseDNS, opGetReverseDNS, opDeleteReverseDNS,
	opValidateReverseDNS, opListWarmup, opStartWarmup, opGetWarmup, opStopWarmup}

var exceptions = []exception{
	{
		name: "nullable is OpenAPI 3.0",
		reason: "the files say openapi 3.1.0 but allow null with 3.0's `nullable: true` (an IP's start_date and " +
			"assigned_at, an error's field), a keyword 3.1 dropped; SendGrid's own examples answer \"field\": null",
		amend: nullableAsTypeNull,
	},
	{
		name: "GET /v3/ips 400",
		reason: "a limit or offset SendGrid refuses, such as a limit above 500 (a page cap SendGrid does not " +
			"publish, api-notes.md), gets v3's error shape; only 200 is declared",
		amend: declareError(opListIPs, 400),
	},
	{
		name: "GET /v3/ips 401",
		reason: "a wrong or missing key gets 401 on every v3 call (api-notes.md); declared for the subuser " +
			"calls, not for this one",
		amend: declareError(opListIPs, 401),
	},
	{
		name:   "GET /v3/subusers 400",
		reason: "as for GET /v3/ips: paging values SendGrid refuses (above the unpublished cap of 500)",
		amend:  declareError(opListSubusers, 400),
	},
	{
		name: "PUT /v3/subusers/{subuser_name}/ips 400",
		reason: "a body that is not an array of the account's IPs is refused with v3's error shape " +
			"(sendgrid-python#813 saw a 400 on this call); only 200 and 401 are declared",
		amend: declareError(opSetSubuserIPs, 400),
	},
	{
		name:   "PUT /v3/subusers/{subuser_name}/ips 404",
		reason: "an unknown subuser is an unknown resource, 404 with v3's error shape (api-notes.md); undeclared",
		amend:  declareError(opSetSubuserIPs, 404),
	},
	{
		name: "429 on every call",
		reason: "SendGrid rate-limits every v3 call with 429 and v3's error shape (api-notes.md); no call " +
			"declares it",
		amend: declareErrorOn(slices.Concat([]string{opListIPs, opListSubusers, opSetSubuserIPs}, poolAndIPOps, rdnsAndWarmupOps), 429),
	},
	{
		name: "401 on the pool and IP calls",
		reason: "a wrong or missing key gets 401 on every v3 call (api-notes.md); none of the pool calls " +
			"nor GET /v3/ips/{ip_address} declares it",
		amend: declareErrorOn(poolAndIPOps, 401),
	},
	{
		name: "POST /v3/ips/pools 400",
		reason: "a name SendGrid refuses (empty, taken, or one pool too many) is a bad value, 400 with v3's " +
			"error shape (api-notes.md); only 200 is declared",
		amend: declareError(opCreatePool, 400),
	},
	{
		name: "POST /v3/ips/pools/{pool_name}/ips 400",
		reason: "an IP without reverse DNS cannot join a pool (SendGrid's pool guide), a bad value, 400 " +
			"with v3's error shape; only 201 and 404 are declared",
		amend: declareError(opAddPoolIP, 400),
	},
	{
		name: "GET /v3/ips/{ip_address} 404",
		reason: "an IP not on the account is an unknown resource, 404 with v3's error shape as on the " +
			"other calls of ips.json; only 200 is declared",
		amend: declareError(opGetIP, 404),
	},
	{
		name: "401 on the reverse DNS and warmup calls",
		reason: "a wrong or missing key gets 401 on every v3 call (api-notes.md); neither reverse-dns.json " +
			"nor warmup.json declares it",
		amend: declareErrorOn(rdnsAndWarmupOps, 401),
	},
	{
		name: "GET /v3/whitelabel/ips 400",
		reason: "as for GET /v3/ips: paging values SendGrid refuses (a limit outside 1 to 500, the unpublished " +
			"cap of api-notes.md) get v3's error shape; only 200 is declared",
		amend: declareError(opListReverseDNS, 400),
	},
	{
		name: "POST /v3/whitelabel/ips 400",
		reason: "a body without ip or domain, a name that is no domain, an IP not on the account or one that " +
			"already has a record is a bad value, 400 with v3's error shape (api-notes.md); only 201 is declared",
		amend: declareError(opCreateReverseDNS, 400),
	},
	{
		name: "404 of GET and DELETE /v3/whitelabel/ips/{id}",
		reason: "an unknown record is an unknown resource, 404 with v3's error shape (api-notes.md), as the " +
			"validate call of the same file declares; only 200 and 204 are declared",
		amend: declareErrorOn([]string{opGetReverseDNS, opDeleteReverseDNS}, 404),
	},
	{
		name: "POST /v3/ips/warmup 400",
		reason: "warming an IP that is already warming is refused with v3's error shape; what SendGrid answers " +
			"is not published, the mock's 400 is an assumption (DESIGN.md); only 200 and 404 are declared",
		amend: declareError(opStartWarmup, 400),
	},
}

// declareErrorOn declares status on each of ops.
func declareErrorOn(ops []string, status int) func(map[string]any) error {
	return func(doc map[string]any) error {
		var errs []error
		for _, op := range ops {
			errs = append(errs, declareError(op, status)(doc))
		}
		return errors.Join(errs...)
	}
}

// declareError declares status on op, with the contract's own ErrorResponse as its body.
func declareError(op string, status int) func(map[string]any) error {
	return func(doc map[string]any) error {
		method, path, _ := strings.Cut(op, " ")
		paths, _ := doc["paths"].(map[string]any)
		item, _ := paths[path].(map[string]any)
		o, ok := item[strings.ToLower(method)].(map[string]any)
		if !ok {
			return fmt.Errorf("no operation %s in the fixture", op)
		}
		rs, _ := o["responses"].(map[string]any)
		code := strconv.Itoa(status)
		if _, declared := rs[code]; declared {
			return fmt.Errorf("%s now declares %d: remove the exception", op, status)
		}
		rs[code] = map[string]any{
			"description": "",
			"content": map[string]any{"application/json": map[string]any{
				"schema": map[string]any{"$ref": "#/components/schemas/ErrorResponse"},
			}},
		}
		return nil
	}
}

// nullableAsTypeNull rewrites {type: T, nullable: true} as {type: [T, "null"]}, 3.1's spelling.
func nullableAsTypeNull(doc map[string]any) error {
	n := 0
	var walk func(v any)
	walk = func(v any) {
		switch t := v.(type) {
		case map[string]any:
			if nb, ok := t["nullable"].(bool); ok {
				delete(t, "nullable")
				if ty, isString := t["type"].(string); nb && isString {
					t["type"] = []any{ty, "null"}
					n++
				}
			}
			for k, e := range t {
				switch k {
				case "example", "examples", "default", "enum", "const": // instances, not schemas
				default:
					walk(e)
				}
			}
		case []any:
			for _, e := range t {
				walk(e)
			}
		}
	}
	walk(doc)
	if n == 0 {
		return errors.New("no `nullable` left: remove the exception")
	}
	return nil
}
