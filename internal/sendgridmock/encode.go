package sendgridmock

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Content types of the answers.
const (
	ctypeJSON = "application/json"
	ctypeXML  = "text/xml"
	ctypeHTML = "text/html"
)

// xmlHeader starts every XML answer, as in the API documentation. The
// encoding it declares is honored by escaping every non-ASCII character.
const xmlHeader = `<?xml version="1.0" encoding="ISO-8859-1"?>` + "\n"

// Fixed bodies.
const (
	notFoundBody         = `{"error":"not found"}`
	methodNotAllowedBody = `{"error":"method not allowed"}`
	tooManyRequestsBody  = `{"error":{"code":429,"message":"Too many requests"}}`
)

// answer is a complete HTTP answer, built before anything is written so the
// request can be logged first and a fault can cut the body.
type answer struct {
	status int
	ctype  string
	body   []byte
	header http.Header // extra headers, may be nil
}

// jsonAnswer wraps a JSON body.
func jsonAnswer(status int, body string) answer {
	return answer{status: status, ctype: ctypeJSON, body: []byte(body)}
}

// xmlAnswer wraps an XML document, adding the declaration.
func xmlAnswer(status int, doc string) answer {
	return answer{status: status, ctype: ctypeXML, body: []byte(xmlHeader + doc + "\n")}
}

// writeJSONString appends s as a JSON string. encoding/json escapes what
// must be escaped and replaces invalid UTF-8, which request values may hold.
func writeJSONString(b *strings.Builder, s string) {
	q, _ := json.Marshal(s) // marshaling a string cannot fail
	b.Write(q)
}

// writeXMLText appends s as XML character data. Non-ASCII characters become
// numeric references so the ISO-8859-1 declaration stays true; characters
// XML 1.0 forbids (controls, invalid UTF-8) become U+FFFD.
func writeXMLText(b *strings.Builder, s string) {
	for _, r := range s {
		switch {
		case r == '<':
			b.WriteString("&lt;")
		case r == '>':
			b.WriteString("&gt;")
		case r == '&':
			b.WriteString("&amp;")
		case r == '"':
			b.WriteString("&quot;")
		case r == '\'':
			b.WriteString("&apos;")
		case r == '\t' || r == '\n' || r == '\r' || (r >= 0x20 && r < 0x7f):
			b.WriteRune(r)
		case r == utf8.RuneError || r < 0x20 || (r >= 0xfffe && r <= 0xffff) || (r >= 0xd800 && r <= 0xdfff):
			b.WriteString("&#65533;")
		default:
			b.WriteString("&#")
			b.WriteString(strconv.Itoa(int(r)))
			b.WriteByte(';')
		}
	}
}

// repeat returns how many times each IP appears in a list answer: twice
// with SetDuplicateIPs, as the documented example shows.
func repeat(dup bool) int {
	if dup {
		return 2
	}
	return 1
}

// ipListAnswer is customer.ip's answer. IP strings need no escaping.
func ipListAnswer(format string, ips []string, dup bool) answer {
	var b strings.Builder
	n := repeat(dup)
	if format == "xml" {
		b.WriteString("<ips>")
		for _, ip := range ips {
			for range n {
				b.WriteString("<ip>")
				b.WriteString(ip)
				b.WriteString("</ip>")
			}
		}
		b.WriteString("</ips>")
		return xmlAnswer(http.StatusOK, b.String())
	}
	writeIPArray(&b, ips, n)
	return jsonAnswer(http.StatusOK, b.String())
}

// writeIPArray writes [{"ip":"..."},...], each IP n times; [] when empty.
func writeIPArray(b *strings.Builder, ips []string, n int) {
	b.Grow(len(ips) * n * 24) // {"ip":"255.255.255.255"}, is 24 bytes
	b.WriteByte('[')
	first := true
	for _, ip := range ips {
		for range n {
			if !first {
				b.WriteByte(',')
			}
			first = false
			b.WriteString(`{"ip":"`)
			b.WriteString(ip)
			b.WriteString(`"}`)
		}
	}
	b.WriteByte(']')
}

// sendIPsAnswer is customer.sendip task=list's answer. Note the key
// "success", not "message", as recorded from the real API.
func sendIPsAnswer(format, cluster string, ips []string, dup bool) answer {
	var b strings.Builder
	n := repeat(dup)
	if format == "xml" {
		b.WriteString("<sendips><ocluster>")
		writeXMLText(&b, cluster)
		b.WriteString("</ocluster><ips>")
		for _, ip := range ips {
			for range n {
				b.WriteString("<ip>")
				b.WriteString(ip)
				b.WriteString("</ip>")
			}
		}
		b.WriteString("</ips></sendips>")
		return xmlAnswer(http.StatusOK, b.String())
	}
	b.WriteString(`{"success":"success","outboundcluster":`)
	writeJSONString(&b, cluster)
	b.WriteString(`,"ips":`)
	writeIPArray(&b, ips, n)
	b.WriteByte('}')
	return jsonAnswer(http.StatusOK, b.String())
}

// successAnswer is the answer of a change that worked.
func successAnswer(format string) answer {
	if format == "xml" {
		return xmlAnswer(http.StatusOK, "<result><message>success</message></result>")
	}
	return jsonAnswer(http.StatusOK, `{"message":"success"}`)
}

// errorsAnswer is the API's usual error shape:
// {"message":"error","errors":[...]} or its XML form.
func errorsAnswer(format string, status int, msgs ...string) answer {
	var b strings.Builder
	if format == "xml" {
		b.WriteString("<result><message>error</message><errors>")
		for _, m := range msgs {
			b.WriteString("<error>")
			writeXMLText(&b, m)
			b.WriteString("</error>")
		}
		b.WriteString("</errors></result>")
		return xmlAnswer(status, b.String())
	}
	b.WriteString(`{"message":"error","errors":[`)
	for i, m := range msgs {
		if i > 0 {
			b.WriteByte(',')
		}
		writeJSONString(&b, m)
	}
	b.WriteString("]}")
	return jsonAnswer(status, b.String())
}

// userErrorAnswer is the other error shape, which the API uses about the
// user parameter: {"error":{"code":400,"message":...}}, or in XML
// <result><message>...</message></result>.
func userErrorAnswer(format, msg string) answer {
	var b strings.Builder
	if format == "xml" {
		b.WriteString("<result><message>")
		writeXMLText(&b, msg)
		b.WriteString("</message></result>")
		return xmlAnswer(http.StatusBadRequest, b.String())
	}
	b.WriteString(`{"error":{"code":400,"message":`)
	writeJSONString(&b, msg)
	b.WriteString("}}")
	return jsonAnswer(http.StatusBadRequest, b.String())
}

// profile is one entry of customer.profile's answer.
type profile struct {
	username, email string
	active          bool
}

// profileAnswer is customer.profile task=get's answer; booleans are strings,
// as the real API sends them.
func profileAnswer(format string, ps []profile) answer {
	var b strings.Builder
	if format == "xml" {
		b.WriteString("<users>")
		for _, p := range ps {
			b.WriteString("<user><username>")
			writeXMLText(&b, p.username)
			b.WriteString("</username><email>")
			writeXMLText(&b, p.email)
			b.WriteString("</email><active>" + strconv.FormatBool(p.active) + "</active></user>")
		}
		b.WriteString("</users>")
		return xmlAnswer(http.StatusOK, b.String())
	}
	b.WriteByte('[')
	for i, p := range ps {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`{"username":`)
		writeJSONString(&b, p.username)
		b.WriteString(`,"email":`)
		writeJSONString(&b, p.email)
		b.WriteString(`,"active":"` + strconv.FormatBool(p.active) + `"}`)
	}
	b.WriteByte(']')
	return jsonAnswer(http.StatusOK, b.String())
}

// BadCredentialsShape selects which of the recorded answers to wrong
// credentials the server gives.
type BadCredentialsShape int

const (
	// BadCredentialsErrors200 (the default): HTTP 200,
	// {"message":"error","errors":["Invalid username and/or password"]}.
	BadCredentialsErrors200 BadCredentialsShape = iota
	// BadCredentialsCode401In200: HTTP 200,
	// {"error":{"code":401,"message":"Permission denied, not authorized"}}.
	BadCredentialsCode401In200
	// BadCredentialsPlain403HTML: HTTP 403, Content-Type text/html,
	// {"error": "Bad username / password"}.
	BadCredentialsPlain403HTML
)

// badCredentialsAnswer builds the answer to wrong or missing credentials.
func badCredentialsAnswer(shape BadCredentialsShape, format string) answer {
	switch shape {
	case BadCredentialsCode401In200:
		if format == "xml" {
			return xmlAnswer(http.StatusOK, "<result><error><code>401</code><message>Permission denied, not authorized</message></error></result>")
		}
		return jsonAnswer(http.StatusOK, `{"error":{"code":401,"message":"Permission denied, not authorized"}}`)
	case BadCredentialsPlain403HTML:
		// Recorded as is: a JSON body served as HTML, whatever the format.
		return answer{status: http.StatusForbidden, ctype: ctypeHTML, body: []byte(`{"error": "Bad username / password"}`)}
	default:
		return errorsAnswer(format, http.StatusOK, "Invalid username and/or password")
	}
}
