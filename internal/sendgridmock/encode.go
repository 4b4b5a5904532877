package sendgridmock

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"
)

const (
	ctypeJSON = "application/json"
	ctypeXML  = "text/xml"
	ctypeHTML = "text/html"
	xmlHeader = `<?xml version="1.0" encoding="ISO-8859-1"?>` + "\n" // true because xmlText escapes all non-ASCII
)

const (
	notFoundBody          = `{"error":"not found"}`
	methodNotAllowedBody  = `{"error":"method not allowed"}`
	tooManyRequestsBody   = `{"error":{"code":429,"message":"Too many requests"}}`
	v3TooManyRequestsBody = `{"errors":[{"field":null,"message":"` + msgV3TooMany + `"}]}`
	v3ServerErrorBody     = `{"errors":[{"field":null,"message":"` + msgV3ServerError + `"}]}`
)

// response is a whole HTTP answer the mock is about to send, built first so the request is logged before it is written and a fault can cut it.
type response struct {
	status int
	ctype  string
	body   []byte
	header http.Header // extra, may be nil
}

func jsonResponse(status int, body string) response {
	return response{status: status, ctype: ctypeJSON, body: []byte(body)}
}

// jsonOf marshals v, escaping what must be and replacing invalid UTF-8 from requests.
func jsonOf(status int, v any) response {
	b, _ := json.Marshal(v)
	return response{status: status, ctype: ctypeJSON, body: b}
}

func xmlResponse(status int, doc string) response {
	return response{status: status, ctype: ctypeXML, body: []byte(xmlHeader + doc + "\n")}
}

var xmlEntities = map[rune]string{'<': "&lt;", '>': "&gt;", '&': "&amp;", '"': "&quot;", '\'': "&apos;"}

// xmlText escapes character data: non-ASCII as numeric references, what XML 1.0 forbids as U+FFFD.
func xmlText(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch e, ok := xmlEntities[r]; {
		case ok:
			b.WriteString(e)
		case r == '\t' || r == '\n' || r == '\r' || (r >= 0x20 && r < 0x7f):
			b.WriteRune(r)
		case r == utf8.RuneError || r < 0x20 || (r >= 0xfffe && r <= 0xffff) || (r >= 0xd800 && r <= 0xdfff):
			b.WriteString("&#65533;")
		default:
			fmt.Fprintf(&b, "&#%d;", r)
		}
	}
	return b.String()
}

func xmlList(tag string, items []string) string {
	var b strings.Builder
	for _, item := range items {
		b.WriteString("<" + tag + ">" + xmlText(item) + "</" + tag + ">")
	}
	return b.String()
}

// repeat lists each item once, or twice with SetDuplicateIPs; never nil, so JSON says [].
func (s *Server) repeat(items []string) []string {
	out := make([]string, 0, 2*len(items))
	for _, item := range items {
		out = append(out, item)
		if s.duplicate.Load() {
			out = append(out, item)
		}
	}
	return out
}

type ipRow struct {
	IP string `json:"ip"`
}

func ipRows(ips []string) []ipRow {
	rows := make([]ipRow, len(ips))
	for i, ip := range ips {
		rows[i].IP = ip
	}
	return rows
}

func ipListResponse(format string, ips []string) response {
	if format == "xml" {
		return xmlResponse(http.StatusOK, "<ips>"+xmlList("ip", ips)+"</ips>")
	}
	return jsonOf(http.StatusOK, ipRows(ips))
}

// sendIPsResponse is customer.sendip task=list's answer; its key is "success", not "message", as recorded.
func sendIPsResponse(format, cluster string, ips []string) response {
	if format == "xml" {
		return xmlResponse(http.StatusOK, "<sendips><ocluster>"+xmlText(cluster)+"</ocluster><ips>"+xmlList("ip", ips)+"</ips></sendips>")
	}
	return jsonOf(http.StatusOK, struct {
		Success string  `json:"success"`
		Cluster string  `json:"outboundcluster"`
		IPs     []ipRow `json:"ips"`
	}{"success", cluster, ipRows(ips)})
}

func successResponse(format string) response {
	if format == "xml" {
		return xmlResponse(http.StatusOK, "<result><message>success</message></result>")
	}
	return jsonResponse(http.StatusOK, `{"message":"success"}`)
}

// errorsResponse is v2's usual error shape.
func errorsResponse(format string, status int, msgs ...string) response {
	if format == "xml" {
		return xmlResponse(status, "<result><message>error</message><errors>"+xmlList("error", msgs)+"</errors></result>")
	}
	return jsonOf(status, struct {
		Message string   `json:"message"`
		Errors  []string `json:"errors"`
	}{"error", msgs})
}

// userErrorResponse is the shape v2 uses about the user parameter.
func userErrorResponse(format, msg string) response {
	if format == "xml" {
		return xmlResponse(http.StatusBadRequest, "<result><message>"+xmlText(msg)+"</message></result>")
	}
	return jsonOf(http.StatusBadRequest, map[string]any{"error": map[string]any{"code": 400, "message": msg}}) // keys sort
}

type v2SubuserRow struct {
	Username string `json:"username"`
	Email    string `json:"email"`
	Active   bool   `json:"active,string"` // as the real API sends it
}

func v2SubusersResponse(format string, ps []v2SubuserRow) response {
	if format != "xml" {
		return jsonOf(http.StatusOK, ps)
	}
	var b strings.Builder
	for _, p := range ps {
		b.WriteString("<user><username>" + xmlText(p.Username) + "</username><email>" + xmlText(p.Email) +
			"</email><active>" + strconv.FormatBool(p.Active) + "</active></user>")
	}
	return xmlResponse(http.StatusOK, "<users>"+b.String()+"</users>")
}

// BadCredentialsShape selects which recorded answer to wrong credentials the server gives.
type BadCredentialsShape int

const (
	// BadCredentialsErrors200, the default: HTTP 200, {"message":"error","errors":["Invalid username and/or password"]}.
	BadCredentialsErrors200 BadCredentialsShape = iota
	// BadCredentialsCode401In200: HTTP 200, {"error":{"code":401,"message":"Permission denied, not authorized"}}.
	BadCredentialsCode401In200
	// BadCredentialsPlain403HTML: HTTP 403, text/html, {"error": "Bad username / password"}.
	BadCredentialsPlain403HTML
)

func badCredentialsResponse(shape BadCredentialsShape, format string) response {
	switch shape {
	case BadCredentialsCode401In200:
		if format == "xml" {
			return xmlResponse(http.StatusOK, "<result><error><code>401</code><message>Permission denied, not authorized</message></error></result>")
		}
		return jsonResponse(http.StatusOK, `{"error":{"code":401,"message":"Permission denied, not authorized"}}`)
	case BadCredentialsPlain403HTML: // recorded as is, whatever the format
		return response{status: http.StatusForbidden, ctype: ctypeHTML, body: []byte(`{"error": "Bad username / password"}`)}
	default:
		return errorsResponse(format, http.StatusOK, "Invalid username and/or password")
	}
}

// v3ErrorResponse is v3's error shape, one entry per message, all about field ("" for null).
func v3ErrorResponse(status int, field string, msgs ...string) response {
	type entry struct {
		Field   *string `json:"field"`
		Message string  `json:"message"`
	}
	var f *string
	if field != "" {
		f = &field
	}
	entries := make([]entry, len(msgs))
	for i, m := range msgs {
		entries[i] = entry{f, m}
	}
	return jsonOf(status, map[string]any{"errors": entries})
}

// v3IPsResponse is GET /v3/ips's answer (subusers twice when twice), built as json.Marshal would but escaping
// each distinct string once: a page can hold 200,000 names. pools, rdns and warm may be nil: none.
func v3IPsResponse(ips []string, holders, pools [][]string, rdns []string, warm []warmState, twice bool) response {
	quoted := make(map[string][]byte)
	quote := func(s string) []byte {
		q, ok := quoted[s]
		if !ok {
			q, _ = json.Marshal(s)
			quoted[s] = q
		}
		return q
	}
	list := func(b []byte, names []string, reps int) []byte {
		for j, n := range names {
			for r := range reps {
				if j > 0 || r > 0 {
					b = append(b, ',')
				}
				b = append(b, quote(n)...)
			}
		}
		return b
	}
	reps, size := 1, 2
	if twice {
		reps = 2
	}
	for i, ip := range ips {
		size += len(v3IPHead) + len(quote(ip)) + len(v3IPSubusers) + len(v3IPPools) + len(v3IPWarmup) +
			len(v3IPStartDate) + len(v3IPTail) + 60
		for _, n := range holders[i] {
			size += reps * (len(quote(n)) + 1)
		}
	}
	b := make([]byte, 0, size)
	b = append(b, '[')
	for i, ip := range ips {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(append(b, v3IPHead...), quote(ip)...)
		b = list(append(b, v3IPSubusers...), holders[i], reps)
		b = append(b, v3IPPools...)
		if i < len(pools) {
			b = list(b, pools[i], 1)
		}
		name := ""
		if i < len(rdns) {
			name = rdns[i]
		}
		var w warmState
		if i < len(warm) {
			w = warm[i]
		}
		b = strconv.AppendBool(append(b, v3IPWarmup...), w.warming)
		if b = append(b, v3IPStartDate...); w.start != 0 {
			b = strconv.AppendInt(b, w.start, 10)
		} else {
			b = append(b, "null"...)
		}
		b = append(b, v3IPTail...)
		b = strconv.AppendBool(b, name != "")
		b = append(b, v3IPAssigned...)
		if name != "" {
			b = append(append(b, v3IPRDNS...), quote(name)...)
		}
		b = append(b, '}')
	}
	return response{status: http.StatusOK, ctype: ctypeJSON, body: append(b, ']')}
}

// The fixed parts of a GET /v3/ips item, in encoding/json's field order; rdns comes only with a name.
const (
	v3IPHead      = `{"ip":`
	v3IPSubusers  = `,"subusers":[`
	v3IPPools     = `],"pools":[`
	v3IPWarmup    = `],"warmup":`
	v3IPStartDate = `,"start_date":`
	v3IPTail      = `,"whitelabeled":`
	v3IPAssigned  = `,"assigned_at":null` //nolint:gosec // an answer fragment, not a credential
	v3IPRDNS      = `,"rdns":`
)

// v3IPRow is GET /v3/ips/{ip}'s answer, every field the contract requires.
type v3IPRow struct {
	IP           string   `json:"ip"`
	Subusers     []string `json:"subusers"`
	RDNS         string   `json:"rdns"`
	Pools        []string `json:"pools"`
	Warmup       bool     `json:"warmup"`
	StartDate    *int64   `json:"start_date"`
	Whitelabeled bool     `json:"whitelabeled"`
}

// poolIPRow is the answer to an IP's addition to a pool; start_date is an integer there (ips.json), 0 for no warmup.
type poolIPRow struct {
	IP        string   `json:"ip"`
	Pools     []string `json:"pools"`
	StartDate int64    `json:"start_date"`
	Warmup    bool     `json:"warmup"`
}

type poolRow struct {
	Name string `json:"name"`
}

type v3SubuserRow struct {
	ID       int    `json:"id"`
	Username string `json:"username"`
	Email    string `json:"email"`
	Disabled bool   `json:"disabled"`
}
