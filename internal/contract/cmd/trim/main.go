// Command trim writes the contract fixture: the operations below, taken from local copies of SendGrid's
// OpenAPI files, with every component they reference and without prose (see DESIGN.md, "The contract").
//
//	go run ./internal/contract/cmd/trim -in DIR -out internal/contract/fixture/sendgrid-v3.json
package main

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
)

// operations are the calls the provider and the mock use; a new call is one entry.
// File is the name in shared/reference/sendgrid-v3-openapi (upstreamNames gives the upstream one).
var operations = []operation{
	{"ips.json", "GET", "/v3/ips"},
	{"ips.json", "GET", "/v3/ips/{ip_address}"},
	{"ips.json", "GET", "/v3/ips/pools"},
	{"ips.json", "POST", "/v3/ips/pools"},
	{"ips.json", "GET", "/v3/ips/pools/{pool_name}"},
	{"ips.json", "DELETE", "/v3/ips/pools/{pool_name}"},
	{"ips.json", "POST", "/v3/ips/pools/{pool_name}/ips"},
	{"ips.json", "DELETE", "/v3/ips/pools/{pool_name}/ips/{ip}"},
	{"subusers.json", "GET", "/v3/subusers"},
	{"subusers.json", "PUT", "/v3/subusers/{subuser_name}/ips"},
	{"reverse-dns.json", "GET", "/v3/whitelabel/ips"},
	{"reverse-dns.json", "POST", "/v3/whitelabel/ips"},
	{"reverse-dns.json", "GET", "/v3/whitelabel/ips/{id}"},
	{"reverse-dns.json", "DELETE", "/v3/whitelabel/ips/{id}"},
	{"reverse-dns.json", "POST", "/v3/whitelabel/ips/{id}/validate"},
	{"warmup.json", "GET", "/v3/ips/warmup"},
	{"warmup.json", "POST", "/v3/ips/warmup"},
	{"warmup.json", "GET", "/v3/ips/warmup/{ip_address}"},
	{"warmup.json", "DELETE", "/v3/ips/warmup/{ip_address}"},
}

// upstreamNames maps the reference copy's file names to twilio/sendgrid-oai's, spec/json/.
var upstreamNames = map[string]string{
	"ips.json":         "tsg_ips_v3.json",
	"subusers.json":    "tsg_subusers_v3.json",
	"ipam.json":        "tsg_ip_address_management_v3.json",
	"warmup.json":      "tsg_ip_warmup_v3.json",
	"reverse-dns.json": "tsg_reverse_dns_v3.json",
}

type operation struct{ File, Method, Path string }

func main() {
	in := flag.String("in", "", "folder holding the upstream OpenAPI files (either naming) and LICENSE")
	out := flag.String("out", "", "fixture to write; LICENSE is copied beside it")
	repo := flag.String("repo", "twilio/sendgrid-oai", "upstream repository, recorded in the fixture")
	commit := flag.String("commit", "dbe0e0d", "upstream commit, recorded in the fixture")
	flag.Parse()
	if *in == "" || *out == "" {
		flag.Usage()
		os.Exit(2)
	}
	if err := run(*in, *out, source{Repository: *repo, Path: "spec/json/", Commit: *commit}); err != nil {
		fmt.Fprintln(os.Stderr, "trim:", err)
		os.Exit(1)
	}
}

type source struct {
	Repository string   `json:"repository"`
	Path       string   `json:"path"`
	Commit     string   `json:"commit"`
	Files      []string `json:"files"`
	License    string   `json:"license"`
}

func run(in, out string, src source) error {
	doc, err := trim(os.DirFS(in), operations, src)
	if err != nil {
		return err
	}
	license, err := os.ReadFile(filepath.Join(in, "LICENSE")) //nolint:gosec // the folder the developer named
	if err != nil {
		return fmt.Errorf("the upstream LICENSE must travel with the fixture: %w", err)
	}
	if err := os.WriteFile(out, doc, 0o644); err != nil { //nolint:gosec // a source file
		return err
	}
	return os.WriteFile(filepath.Join(filepath.Dir(out), "LICENSE"), license, 0o644) //nolint:gosec // a source file
}

// trim builds one OpenAPI document holding ops, in a stable form (sorted keys, two-space indent).
func trim(dir fs.FS, ops []operation, src source) ([]byte, error) {
	docs := map[string]map[string]any{}
	out := map[string]any{"paths": map[string]any{}}
	components := map[string]map[string]any{}
	var files []string
	for _, op := range ops {
		doc, ok := docs[op.File]
		if !ok {
			name, d, err := readDoc(dir, op.File)
			if err != nil {
				return nil, err
			}
			doc, docs[op.File] = d, d
			files = append(files, cmp.Or(upstreamNames[op.File], name))
			if err := adoptTop(out, doc); err != nil {
				return nil, fmt.Errorf("%s: %w", name, err)
			}
		}
		if err := addOperation(out, components, doc, op); err != nil {
			return nil, err
		}
	}
	if len(components) > 0 {
		cs := map[string]any{}
		for kind, m := range components {
			cs[kind] = m
		}
		out["components"] = cs
	}
	src.Files, src.License = files, "MIT (LICENSE beside this file)"
	out["info"] = map[string]any{
		"title":    "SendGrid v3 calls used by terraform-provider-sendgrid (trimmed)",
		"version":  "1.0.0",
		"license":  map[string]any{"name": "MIT", "identifier": "MIT"},
		"x-source": src,
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// readDoc reads file, or its upstream name, as JSON keeping numbers as written.
func readDoc(dir fs.FS, file string) (string, map[string]any, error) {
	name := file
	b, err := fs.ReadFile(dir, name)
	if errors.Is(err, fs.ErrNotExist) && upstreamNames[file] != "" {
		name = upstreamNames[file]
		b, err = fs.ReadFile(dir, name)
	}
	if err != nil {
		return "", nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var doc map[string]any
	if err := dec.Decode(&doc); err != nil {
		return "", nil, fmt.Errorf("%s: %w", name, err)
	}
	if v, _ := doc["openapi"].(string); !strings.HasPrefix(v, "3.1.") {
		return "", nil, fmt.Errorf("%s: openapi %q, want 3.1.x", name, v)
	}
	return name, doc, nil
}

// adoptTop takes openapi, servers and security from the first file; later files must agree.
func adoptTop(out, doc map[string]any) error {
	for _, k := range []string{"openapi", "servers", "security"} {
		v := clean(doc[k], object)
		if prev, ok := out[k]; ok && !reflect.DeepEqual(prev, v) {
			return fmt.Errorf("top-level %s differs from the first file's: give the operation its own", k)
		}
		if v != nil {
			out[k] = v
		}
	}
	return nil
}

// addOperation copies one operation (with its path item's parameters) and the components it references.
func addOperation(out map[string]any, components map[string]map[string]any, doc map[string]any, op operation) error {
	item, _ := doc["paths"].(map[string]any)[op.Path].(map[string]any)
	opDoc, ok := item[strings.ToLower(op.Method)].(map[string]any)
	if !ok {
		return fmt.Errorf("%s: no %s %s", op.File, op.Method, op.Path)
	}
	paths := out["paths"].(map[string]any)
	dst, _ := paths[op.Path].(map[string]any)
	if _, dup := dst[strings.ToLower(op.Method)]; dup {
		return fmt.Errorf("%s %s listed twice", op.Method, op.Path)
	}
	if dst == nil {
		dst = map[string]any{}
		for _, k := range []string{"parameters", "servers"} {
			if v, ok := item[k]; ok {
				dst[k] = clean(v, object)
			}
		}
		paths[op.Path] = dst
	}
	dst[strings.ToLower(op.Method)] = clean(opDoc, object)
	refs := refsIn(dst, nil)
	for _, req := range securityOf(doc, opDoc) {
		refs = append(refs, "#/components/securitySchemes/"+req)
	}
	seen := map[string]bool{}
	for len(refs) > 0 {
		ref := refs[0]
		refs = refs[1:]
		if seen[ref] {
			continue
		}
		seen[ref] = true
		kind, name, ok := componentRef(ref)
		if !ok {
			return fmt.Errorf("%s %s: reference %q is not to a local component", op.Method, op.Path, ref)
		}
		v := lookup(doc, kind, name)
		if v == nil {
			return fmt.Errorf("%s: %q not found", op.File, ref)
		}
		if prev, done := components[kind][name]; done && !reflect.DeepEqual(prev, clean(v, object)) {
			return fmt.Errorf("%s: component %s/%s differs from another file's", op.File, kind, name)
		}
		if components[kind] == nil {
			components[kind] = map[string]any{}
		}
		components[kind][name] = clean(v, object)
		refs = append(refs, refsIn(v, nil)...)
	}
	return nil
}

func lookup(doc map[string]any, kind, name string) any {
	cs, _ := doc["components"].(map[string]any)
	m, _ := cs[kind].(map[string]any)
	return m[name]
}

// componentRef splits "#/components/KIND/NAME".
func componentRef(ref string) (kind, name string, ok bool) {
	parts := strings.Split(strings.TrimPrefix(ref, "#/components/"), "/")
	if !strings.HasPrefix(ref, "#/components/") || len(parts) != 2 {
		return "", "", false
	}
	name = strings.NewReplacer("~1", "/", "~0", "~").Replace(parts[1])
	return parts[0], name, true
}

// securityOf names the security schemes the operation requires (its own list, else the document's).
func securityOf(doc, op map[string]any) []string {
	reqs, ok := op["security"].([]any)
	if !ok {
		reqs, _ = doc["security"].([]any)
	}
	var names []string
	for _, r := range reqs {
		for name := range r.(map[string]any) {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	return names
}

// refsIn lists every $ref under v.
func refsIn(v any, acc []string) []string {
	switch t := v.(type) {
	case map[string]any:
		if r, ok := t["$ref"].(string); ok {
			acc = append(acc, r)
		}
		for _, k := range sortedKeys(t) {
			acc = refsIn(t[k], acc)
		}
	case []any:
		for _, e := range t {
			acc = refsIn(e, acc)
		}
	}
	return acc
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// prose are the keywords that only explain; a Response keeps an empty description, which OpenAPI requires.
var prose = []string{"description", "summary", "title", "$comment", "externalDocs", "tags"}

// nameMaps are the keywords whose value maps names (never keywords) to objects.
var nameMaps = []string{
	"paths", "properties", "patternProperties", "$defs", "dependentSchemas", "schemas", "parameters",
	"requestBodies", "headers", "securitySchemes", "links", "callbacks", "content",
	"encoding", "variables",
}

// data are the keywords whose value is an instance, kept verbatim whatever it holds.
var data = []string{"example", "default", "enum", "const", "value"}

// role is what a JSON value is to clean: an object of keywords, a map of names, or one of responses.
type role int

const (
	object role = iota
	names
	responses
	response
)

// clean copies v without prose.
func clean(v any, r role) any {
	switch t := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, e := range t {
			switch {
			case r == names:
				out[k] = clean(e, object)
			case r == responses:
				out[k] = clean(e, response)
			case k == "description" && r == response:
				out[k] = ""
			case slices.Contains(prose, k), strings.HasPrefix(k, "x-"):
			case slices.Contains(data, k):
				out[k] = e
			case k == "examples":
				if _, isList := e.([]any); isList { // JSON Schema's examples: instances
					out[k] = e
				} else {
					out[k] = clean(e, names)
				}
			case k == "responses":
				out[k] = clean(e, responses)
			case slices.Contains(nameMaps, k):
				if _, isMap := e.(map[string]any); isMap {
					out[k] = clean(e, names)
				} else {
					out[k] = clean(e, object)
				}
			default:
				out[k] = clean(e, object)
			}
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = clean(e, object)
		}
		return out
	}
	return v
}
