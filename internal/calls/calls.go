// Package calls names SendGrid's calls once: the client's errors, the mock's request log and the
// tests all use these names. A v3 name is its method and path template, with a query parameter
// that changes what the call answers after "?"; a v2 name is the method, with its task.
package calls

// The v3 calls.
const (
	V3IPs                = "GET /v3/ips"
	V3IPsOfSubuser       = "GET /v3/ips?subuser"
	V3IP                 = "GET /v3/ips/{ip}"
	V3Subusers           = "GET /v3/subusers"
	V3SubuserByName      = "GET /v3/subusers?username"
	V3SetSubuserIPs      = "PUT /v3/subusers/{name}/ips"
	V3Pools              = "GET /v3/ips/pools"
	V3Pool               = "GET /v3/ips/pools/{name}"
	V3CreatePool         = "POST /v3/ips/pools"
	V3DeletePool         = "DELETE /v3/ips/pools/{name}"
	V3AddPoolIP          = "POST /v3/ips/pools/{name}/ips"
	V3RemovePoolIP       = "DELETE /v3/ips/pools/{name}/ips/{ip}"
	V3ReverseDNSList     = "GET /v3/whitelabel/ips"
	V3ReverseDNSOfIP     = "GET /v3/whitelabel/ips?ip"
	V3ReverseDNS         = "GET /v3/whitelabel/ips/{id}"
	V3CreateReverseDNS   = "POST /v3/whitelabel/ips"
	V3DeleteReverseDNS   = "DELETE /v3/whitelabel/ips/{id}"
	V3ValidateReverseDNS = "POST /v3/whitelabel/ips/{id}/validate"
	V3Warmups            = "GET /v3/ips/warmup"
	V3Warmup             = "GET /v3/ips/warmup/{ip}"
	V3StartWarmup        = "POST /v3/ips/warmup"
	V3StopWarmup         = "DELETE /v3/ips/warmup/{ip}"
)

// The v2 methods, and the tasks of them the provider sends.
const (
	V2IP      = "customer.ip"
	V2SendIP  = "customer.sendip"
	V2Profile = "customer.profile"
	V2Add     = "customer.add"
	V2Delete  = "customer.delete"
	V2Enable  = "customer.enable"
	V2Disable = "customer.disable"

	V2SubuserIPs    = V2SendIP + " task=list"
	V2SetIPs        = V2SendIP + " task=append set=specify" // set=all and set=none name themselves alike
	V2UnassignIPs   = V2SendIP + " task=append set=none"
	V2ListSubusers  = V2Profile + " task=get"
	V2ListIPsPrefix = V2IP + " list=" // and the filter
)
