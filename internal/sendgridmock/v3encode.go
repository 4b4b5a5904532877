package sendgridmock

import (
	"net/http"
	"strconv"
	"strings"
)

// Fixed v3 bodies.
const (
	v3TooManyRequestsBody = `{"errors":[{"field":null,"message":"` + msgV3TooMany + `"}]}`
	v3ServerErrorBody     = `{"errors":[{"field":null,"message":"` + msgV3ServerError + `"}]}`
)

// v3ErrorAnswer is v3's error shape, one entry per message, all about field
// ("" for null).
func v3ErrorAnswer(status int, field string, msgs ...string) answer {
	var b strings.Builder
	b.WriteString(`{"errors":[`)
	for i, m := range msgs {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`{"field":`)
		if field == "" {
			b.WriteString("null")
		} else {
			writeJSONString(&b, field)
		}
		b.WriteString(`,"message":`)
		writeJSONString(&b, m)
		b.WriteByte('}')
	}
	b.WriteString("]}")
	return jsonAnswer(status, b.String())
}

// writeNames writes a JSON array of strings, each n times.
func writeNames(b *strings.Builder, names []string, n int) {
	b.WriteByte('[')
	first := true
	for _, s := range names {
		for range n {
			if !first {
				b.WriteByte(',')
			}
			first = false
			writeJSONString(b, s)
		}
	}
	b.WriteByte(']')
}

// v3IPsAnswer is GET /v3/ips's answer; holders[i] are the subusers of
// ips[i], each repeated n times.
func v3IPsAnswer(ips []string, holders [][]string, n int) answer {
	var b strings.Builder
	b.WriteByte('[')
	for i, ip := range ips {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`{"ip":"` + ip + `","subusers":`)
		writeNames(&b, holders[i], n)
		b.WriteString(`,"pools":[],"warmup":false,"start_date":null,"whitelabeled":false,"assigned_at":null}`)
	}
	b.WriteByte(']')
	return jsonAnswer(http.StatusOK, b.String())
}

// v3Subuser is one entry of GET /v3/subusers's answer.
type v3Subuser struct {
	id       int
	username string
	disabled bool
}

// v3SubusersAnswer is GET /v3/subusers's answer.
func v3SubusersAnswer(rows []v3Subuser) answer {
	var b strings.Builder
	b.WriteByte('[')
	for i, r := range rows {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`{"id":` + strconv.Itoa(r.id) + `,"username":`)
		writeJSONString(&b, r.username)
		b.WriteString(`,"email":`)
		writeJSONString(&b, emailOf(r.username))
		b.WriteString(`,"disabled":` + strconv.FormatBool(r.disabled) + "}")
	}
	b.WriteByte(']')
	return jsonAnswer(http.StatusOK, b.String())
}

// v3HeldAnswer is the PUT's answer: the IPs now held, each n times.
func v3HeldAnswer(ips []string, n int) answer {
	var b strings.Builder
	b.WriteString(`{"ips":`)
	writeNames(&b, ips, n)
	b.WriteByte('}')
	return jsonAnswer(http.StatusOK, b.String())
}
