// Package contract checks v3 calls against SendGrid's published OpenAPI description, trimmed into
// fixture/ with the exceptions of exceptions.go applied (see DESIGN.md, "The contract").
package contract

import (
	"bytes"
	_ "embed" // the fixture
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"
	"github.com/pb33f/libopenapi-validator/config"
	verrors "github.com/pb33f/libopenapi-validator/errors"
	v3 "github.com/pb33f/libopenapi/datamodel/high/v3"
)

//go:generate go run ./cmd/trim -in ../../../shared/reference/sendgrid-v3-openapi -out fixture/sendgrid-v3.json

// Embedded, so a checkout without the fixture does not build and every test using it fails.
//
//go:embed fixture/sendgrid-v3.json
var fixture []byte

// Contract is a loaded fixture: its operations, examples and a validator for exchanges.
type Contract struct {
	raw   map[string]any // as in the fixture, for Examples
	model *v3.Document   // amended
	// Without its cache the validator renders schemas into the shared model, a data race when
	// two checks run at once (DESIGN.md, "The contract").
	mu sync.Mutex
	v  validator.Validator
}

var options = []config.Option{
	config.WithStrictMode(),       // undeclared query parameters, headers and properties are violations
	config.WithFormatAssertions(), // ipv4, email
	// libopenapi v0.41 hashes a schema without the keywords beside its $ref, so its cache would
	// check sort_by_direction as ip's plain string (DESIGN.md, "The contract").
	config.WithSchemaCache(nil),
}

// Violation is one way a call departed from the contract.
type Violation struct {
	Call    string // "GET /v3/ips?limit=500&offset=0", as received
	What    string // "request", or "answer 200"
	Where   string // "query limit", "body $[0].subusers", "path", "header Authorization", "status"...
	Message string
}

func (v Violation) String() string {
	return fmt.Sprintf("%s: %s, %s: %s", v.Call, v.What, v.Where, v.Message)
}

var (
	defaultOnce     sync.Once
	defaultContract *Contract
	errDefault      error
)

// Default is the embedded fixture, loaded once.
func Default() (*Contract, error) {
	defaultOnce.Do(func() { defaultContract, errDefault = Parse(fixture) })
	return defaultContract, errDefault
}

// LoadFile loads a fixture from a file; a missing or unreadable one is an error.
func LoadFile(path string) (*Contract, error) {
	b, err := os.ReadFile(path) //nolint:gosec // a fixture a test names
	if err != nil {
		return nil, fmt.Errorf("contract: %w", err)
	}
	return Parse(b)
}

// Parse loads a fixture, applies the exceptions and builds its validator.
func Parse(doc []byte) (*Contract, error) { return parse(doc, exceptions) }

func parse(doc []byte, excs []exception) (*Contract, error) {
	if len(bytes.TrimSpace(doc)) == 0 {
		return nil, errors.New("contract: empty fixture")
	}
	raw, err := decode(doc)
	if err != nil {
		return nil, fmt.Errorf("contract: %w", err)
	}
	if v, _ := raw["openapi"].(string); !strings.HasPrefix(v, "3.1.") {
		return nil, fmt.Errorf("contract: openapi %q, want 3.1.x", v)
	}
	amended, err := decode(doc)
	if err != nil {
		return nil, err
	}
	for _, e := range excs {
		if err := e.amend(amended); err != nil {
			return nil, fmt.Errorf("contract: exception %q: %w", e.name, err)
		}
	}
	b, err := json.Marshal(amended)
	if err != nil {
		return nil, err
	}
	d, err := libopenapi.NewDocument(b)
	if err != nil {
		return nil, fmt.Errorf("contract: %w", err)
	}
	m, err := d.BuildV3Model()
	if err != nil {
		return nil, fmt.Errorf("contract: %w", err)
	}
	v := validator.NewValidatorFromV3Model(&m.Model, options...)
	v.SetDocument(d)
	if ok, verrs := v.ValidateDocument(); !ok {
		return nil, fmt.Errorf("contract: the amended fixture is not valid OpenAPI: %v", verrs)
	}
	c := &Contract{raw: raw, model: &m.Model, v: v}
	if len(c.Operations()) == 0 {
		return nil, errors.New("contract: the fixture has no operation")
	}
	return c, nil
}

func decode(doc []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, errors.New("trailing data after the fixture")
	}
	return m, nil
}

var methods = []string{"get", "put", "post", "patch", "delete", "head", "options", "trace"}

// Operations lists the fixture's operations as "METHOD /path", sorted.
func (c *Contract) Operations() []string {
	var ops []string
	paths, _ := c.raw["paths"].(map[string]any)
	for p, item := range paths {
		m, _ := item.(map[string]any)
		for _, method := range methods {
			if _, ok := m[method]; ok {
				ops = append(ops, strings.ToUpper(method)+" "+p)
			}
		}
	}
	slices.Sort(ops)
	return ops
}

// Check validates one exchange: the request always, the answer when status is not 0.
func (c *Contract) Check(req *http.Request, reqBody []byte, status int, header http.Header, body []byte) []Violation {
	out := c.CheckRequest(req, reqBody)
	if status != 0 {
		out = append(out, c.CheckAnswer(req, reqBody, status, header, body)...)
	}
	return out
}

// CheckRequest validates a request: method, path, query, headers and body.
func (c *Contract) CheckRequest(req *http.Request, body []byte) []Violation {
	r, call := clone(req, body)
	var out []Violation
	if len(body) > 0 && r.Header.Get("Content-Type") == "" {
		// The validator reads no body that names no media type; every body here is JSON.
		out = append(out, Violation{call, "request", "header Content-Type", "a body with no Content-Type"})
		r.Header.Set("Content-Type", "application/json")
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	_, errs := c.v.ValidateHttpRequestSync(r)
	return appendViolations(out, call, "request", errs)
}

// CheckAnswer validates the answer to req against the one the contract declares for status; an
// answer to a call the contract lacks is not judged (CheckRequest reports the call).
func (c *Contract) CheckAnswer(req *http.Request, reqBody []byte, status int, header http.Header, body []byte) []Violation {
	r, call := clone(req, reqBody)
	resp := &http.Response{StatusCode: status, Header: header.Clone(), Body: io.NopCloser(bytes.NewReader(body)), Request: r}
	c.mu.Lock()
	defer c.mu.Unlock()
	_, errs := c.v.ValidateHttpResponse(r, resp)
	if slices.ContainsFunc(errs, func(e *verrors.ValidationError) bool { return e.ValidationType == "path" }) {
		return nil
	}
	return appendViolations(nil, call, "answer "+strconv.Itoa(status), errs)
}

// clone copies req for the validator, which reads its body, and names the call.
func clone(req *http.Request, body []byte) (*http.Request, string) {
	r := req.Clone(req.Context())
	r.Body, r.ContentLength = io.NopCloser(bytes.NewReader(body)), int64(len(body))
	return r, req.Method + " " + req.URL.RequestURI()
}

func appendViolations(out []Violation, call, what string, errs []*verrors.ValidationError) []Violation {
	for _, e := range errs {
		where := e.ValidationType
		switch {
		case e.ValidationSubType == verrors.StrictSubTypeQuery:
			where = "query " + e.ParameterName
		case e.ValidationSubType == verrors.StrictSubTypeHeader:
			where = "header " + e.ParameterName
		case e.ParameterName != "" && e.ValidationType == "parameter":
			where = e.ValidationSubType + " " + e.ParameterName
		case e.ValidationType == "security":
			where = "header Authorization"
		case e.ValidationSubType == "statusCode":
			where = "status"
		case e.ValidationSubType == "contentType":
			where = "header Content-Type"
		case e.ValidationType == "requestBody", e.ValidationType == "response", e.ValidationType == "strict":
			where = "body"
		}
		if len(e.SchemaValidationErrors) == 0 {
			msg := e.Message
			if e.ValidationType != "strict" && e.Reason != "" {
				msg += ": " + e.Reason
			}
			out = append(out, Violation{call, what, where, msg})
			continue
		}
		for _, f := range e.SchemaValidationErrors {
			w := where
			if f.FieldPath != "" {
				w += " " + f.FieldPath
			}
			out = append(out, Violation{call, what, w, f.Reason})
		}
	}
	return out
}

// Examples returns the fixture's examples of op's answer with status (0: of its request body), as
// written: the media type's examples by name, its example, then its schema's. op is "GET /v3/ips".
func (c *Contract) Examples(op string, status int) [][]byte {
	method, path, _ := strings.Cut(op, " ")
	paths, _ := c.raw["paths"].(map[string]any)
	item, _ := paths[path].(map[string]any)
	o, _ := item[strings.ToLower(method)].(map[string]any)
	var holder map[string]any
	if status == 0 {
		holder, _ = o["requestBody"].(map[string]any)
	} else {
		rs, _ := o["responses"].(map[string]any)
		holder, _ = rs[strconv.Itoa(status)].(map[string]any)
	}
	content, _ := holder["content"].(map[string]any)
	media, _ := content["application/json"].(map[string]any)
	var vals []any
	if exs, ok := media["examples"].(map[string]any); ok {
		names := make([]string, 0, len(exs))
		for n := range exs {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			if ex, ok := exs[n].(map[string]any); ok {
				if v, ok := ex["value"]; ok {
					vals = append(vals, v)
				}
			}
		}
	}
	if v, ok := media["example"]; ok {
		vals = append(vals, v)
	}
	if v, ok := c.schemaExample(media["schema"]); ok {
		vals = append(vals, v)
	}
	out := make([][]byte, 0, len(vals))
	for _, v := range vals {
		b, err := json.Marshal(v)
		if err == nil {
			out = append(out, b)
		}
	}
	return out
}

// schemaExample is a schema's example, following one $ref to a component.
func (c *Contract) schemaExample(s any) (any, bool) {
	m, _ := s.(map[string]any)
	if v, ok := m["example"]; ok {
		return v, true
	}
	if ref, ok := m["$ref"].(string); ok {
		name, found := strings.CutPrefix(ref, "#/components/schemas/")
		cs, _ := c.raw["components"].(map[string]any)
		schemas, _ := cs["schemas"].(map[string]any)
		if target, _ := schemas[name].(map[string]any); found && target != nil {
			v, ok := target["example"]
			return v, ok
		}
	}
	return nil, false
}

// Examples is Default().Examples; it panics if the embedded fixture does not load, which this
// package's tests report first.
func Examples(op string, status int) [][]byte {
	c, err := Default()
	if err != nil {
		panic(err)
	}
	return c.Examples(op, status)
}
