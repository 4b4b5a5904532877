package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
)

// upstream is a small file in SendGrid's style: prose everywhere, a property named like a keyword,
// examples holding keyword-like fields, a component referenced through another, one unused.
const upstream = `{
  "openapi": "3.1.0",
  "info": {"title": "T", "summary": "S", "version": "1", "x-sendgrid": {}},
  "servers": [{"url": "https://api.sendgrid.com", "description": "global"}],
  "security": [{"BearerAuth": []}],
  "tags": [{"name": "t", "description": "d"}],
  "paths": {
    "/v3/things/{name}": {
      "parameters": [{"$ref": "#/components/parameters/Name"}],
      "summary": "S",
      "get": {
        "operationId": "GetThing", "summary": "S", "description": "D", "tags": ["t"],
        "responses": {
          "200": {
            "description": "ok",
            "content": {"application/json": {
              "schema": {"$ref": "#/components/schemas/Thing"},
              "examples": {"response": {"summary": "S", "value": {"description": "kept", "title": "kept"}}}
            }}
          }
        }
      },
      "post": {"responses": {"204": {"description": "gone", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}}}}}
    }
  },
  "components": {
    "schemas": {
      "Thing": {"title": "Thing", "type": "object", "properties": {
        "description": {"type": "string", "description": "a field named description"},
        "title": {"$ref": "#/components/schemas/Title"}
      }},
      "Title": {"type": "string", "description": "D", "default": "description"},
      "Unused": {"type": "string"}
    },
    "parameters": {"Name": {"name": "name", "in": "path", "required": true, "description": "D", "schema": {"type": "string"}}},
    "securitySchemes": {"BearerAuth": {"type": "http", "scheme": "bearer", "description": "D"}}
  }
}`

func TestTrim(t *testing.T) {
	dir := fstest.MapFS{"tsg_things_v3.json": {Data: []byte(upstream)}}
	upstreamNames["things.json"] = "tsg_things_v3.json"
	defer delete(upstreamNames, "things.json")
	out, err := trim(dir, []operation{{"things.json", "GET", "/v3/things/{name}"}}, source{Repository: "r", Commit: "c"})
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(out, &doc); err != nil {
		t.Fatal(err)
	}
	want := `{"components":{"parameters":{"Name":{"in":"path","name":"name","required":true,"schema":{"type":"string"}}},` +
		`"schemas":{"Thing":{"properties":{"description":{"type":"string"},"title":{"$ref":"#/components/schemas/Title"}},"type":"object"},` +
		`"Title":{"default":"description","type":"string"}},"securitySchemes":{"BearerAuth":{"scheme":"bearer","type":"http"}}},` +
		`"info":{"license":{"identifier":"MIT","name":"MIT"},"title":"SendGrid v3 calls used by terraform-provider-sendgrid (trimmed)",` +
		`"version":"1.0.0","x-source":{"commit":"c","files":["tsg_things_v3.json"],"license":"MIT (LICENSE beside this file)","path":"","repository":"r"}},` +
		`"openapi":"3.1.0","paths":{"/v3/things/{name}":{"get":{"operationId":"GetThing","responses":{"200":{"content":{"application/json":` +
		`{"examples":{"response":{"value":{"description":"kept","title":"kept"}}},"schema":{"$ref":"#/components/schemas/Thing"}}},` +
		`"description":""}}},"parameters":[{"$ref":"#/components/parameters/Name"}]}},"security":[{"BearerAuth":[]}],` +
		`"servers":[{"url":"https://api.sendgrid.com"}]}`
	got, _ := json.Marshal(doc)
	if string(got) != want {
		t.Errorf("trimmed =\n%s\nwant\n%s", got, want)
	}
	if again, _ := trim(dir, []operation{{"things.json", "GET", "/v3/things/{name}"}}, source{Repository: "r", Commit: "c"}); !bytes.Equal(again, out) {
		t.Error("trim is not deterministic")
	}
}

func TestTrimRefuses(t *testing.T) {
	dir := fstest.MapFS{
		"a.json":   {Data: []byte(upstream)},
		"b.json":   {Data: []byte(strings.Replace(upstream, `"default": "description"`, `"default": "other"`, 1))},
		"v30.json": {Data: []byte(strings.Replace(upstream, `"3.1.0"`, `"3.0.3"`, 1))},
	}
	for _, tt := range []struct {
		ops  []operation
		want string
	}{
		{[]operation{{"nope.json", "GET", "/v3/things/{name}"}}, "nope.json"},
		{[]operation{{"a.json", "DELETE", "/v3/things/{name}"}}, "no DELETE"},
		{[]operation{{"v30.json", "GET", "/v3/things/{name}"}}, "want 3.1.x"},
		{[]operation{{"a.json", "GET", "/v3/things/{name}"}, {"b.json", "POST", "/v3/things/{name}"}}, "schemas/Title differs"},
		{[]operation{{"a.json", "GET", "/v3/things/{name}"}, {"a.json", "GET", "/v3/things/{name}"}}, "listed twice"},
	} {
		if _, err := trim(dir, tt.ops, source{}); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%v: error %v, want one saying %q", tt.ops, err, tt.want)
		}
	}
}

// The committed fixture is what the command makes of the reference copy, when the checkout has one.
func TestFixtureUpToDate(t *testing.T) {
	in := filepath.Join("..", "..", "..", "..", "..", "shared", "reference", "sendgrid-v3-openapi")
	if _, err := os.Stat(in); err != nil {
		t.Skipf("no reference copy at %s: the embedded fixture is still tested by package contract", in)
	}
	want, err := os.ReadFile(filepath.Join("..", "..", "fixture", "sendgrid-v3.json"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := trim(os.DirFS(in), operations, source{Repository: "twilio/sendgrid-oai", Path: "spec/json/", Commit: "dbe0e0d"})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Error("fixture/sendgrid-v3.json is stale: go generate ./internal/contract")
	}
}
