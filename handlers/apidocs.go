package handlers

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/gofiber/fiber/v2"

	"marquee/views"
)

// openapiJSON is the API's OpenAPI 3.1 document, served as is and rendered
// by /api/docs. Edit the file by hand; tests validate responses against it.
//
//go:embed openapi.json
var openapiJSON []byte

// apiDocument is the OpenAPI document as the docs page shows it.
type apiDocument = views.APIDoc

// apiDocs is GET /api/docs: a readable page made from the OpenAPI document.
func (h *Handler) apiDocs(c *fiber.Ctx) error {
	m := h.meta(c, "API")
	m.Description = "Marquee's JSON API: movies, showtimes and seats left."
	return render(c, fiber.StatusOK, views.APIDocsPage(m, h.apiDoc))
}

// The subset of OpenAPI that the docs page shows.
type oaDoc struct {
	Info struct {
		Title       string `json:"title"`
		Version     string `json:"version"`
		Description string `json:"description"`
	} `json:"info"`
	Servers []struct {
		URL string `json:"url"`
	} `json:"servers"`
	Paths      map[string]map[string]oaOperation `json:"paths"`
	Components struct {
		Parameters map[string]oaParam    `json:"parameters"`
		Responses  map[string]oaResponse `json:"responses"`
		Schemas    map[string]oaSchema   `json:"schemas"`
	} `json:"components"`
}

type oaOperation struct {
	Summary     string                `json:"summary"`
	Description string                `json:"description"`
	OperationID string                `json:"operationId"`
	Parameters  []oaParam             `json:"parameters"`
	RequestBody *oaResponse           `json:"requestBody"`
	Responses   map[string]oaResponse `json:"responses"`
}

type oaParam struct {
	Ref         string   `json:"$ref"`
	Name        string   `json:"name"`
	In          string   `json:"in"`
	Required    bool     `json:"required"`
	Description string   `json:"description"`
	Schema      oaSchema `json:"schema"`
}

type oaResponse struct {
	Ref         string `json:"$ref"`
	Description string `json:"description"`
	Content     map[string]struct {
		Schema oaSchema `json:"schema"`
	} `json:"content"`
}

type oaSchema struct {
	Ref         string              `json:"$ref"`
	Type        any                 `json:"type"` // a string or, in 3.1, a list
	Format      string              `json:"format"`
	Description string              `json:"description"`
	Items       *oaSchema           `json:"items"`
	Required    []string            `json:"required"`
	Properties  map[string]oaSchema `json:"properties"`
	Enum        []any               `json:"enum"`
}

func refName(ref string) string { return ref[strings.LastIndex(ref, "/")+1:] }

func (s oaSchema) typeName() string {
	switch {
	case s.Ref != "":
		return refName(s.Ref)
	case s.Items != nil:
		return s.Items.typeName() + "[]"
	}
	var t string
	switch v := s.Type.(type) {
	case string:
		t = v
	case []any:
		var parts []string
		for _, p := range v {
			parts = append(parts, fmt.Sprint(p))
		}
		t = strings.Join(parts, " | ")
	}
	if s.Format != "" {
		t += " (" + s.Format + ")"
	}
	return t
}

var methodOrder = map[string]int{"get": 0, "post": 1, "put": 2, "patch": 3, "delete": 4}

// parseAPIDocument reads the OpenAPI document into the docs page's model.
func parseAPIDocument(raw []byte) (views.APIDoc, error) {
	var d oaDoc
	if err := json.Unmarshal(raw, &d); err != nil {
		return views.APIDoc{}, err
	}
	out := views.APIDoc{Title: d.Info.Title, Version: d.Info.Version, Description: d.Info.Description}
	if len(d.Servers) > 0 {
		out.BaseURL = d.Servers[0].URL
	}
	paths := make([]string, 0, len(d.Paths))
	for p := range d.Paths {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		methods := make([]string, 0, len(d.Paths[p]))
		for m := range d.Paths[p] {
			if _, ok := methodOrder[m]; ok {
				methods = append(methods, m)
			}
		}
		sort.Slice(methods, func(i, j int) bool { return methodOrder[methods[i]] < methodOrder[methods[j]] })
		for _, m := range methods {
			op := d.Paths[p][m]
			o := views.APIOperation{Method: strings.ToUpper(m), Path: out.BaseURL + p, ID: op.OperationID, Summary: op.Summary, Description: op.Description}
			for _, prm := range op.Parameters {
				if prm.Ref != "" {
					r, ok := d.Components.Parameters[refName(prm.Ref)]
					if !ok {
						return out, fmt.Errorf("%s %s: unknown parameter %s", m, p, prm.Ref)
					}
					prm = r
				}
				o.Params = append(o.Params, views.APIParam{Name: prm.Name, In: prm.In, Type: prm.Schema.typeName(), Required: prm.Required, Description: prm.Description})
			}
			if rb := op.RequestBody; rb != nil {
				for ct, c := range rb.Content {
					o.RequestBody = c.Schema.typeName() + " (" + ct + ")"
				}
			}
			codes := make([]string, 0, len(op.Responses))
			for code := range op.Responses {
				codes = append(codes, code)
			}
			sort.Strings(codes)
			for _, code := range codes {
				r := op.Responses[code]
				if r.Ref != "" {
					rr, ok := d.Components.Responses[refName(r.Ref)]
					if !ok {
						return out, fmt.Errorf("%s %s: unknown response %s", m, p, r.Ref)
					}
					r = rr
				}
				resp := views.APIResponse{Status: code, Description: r.Description}
				for ct, c := range r.Content {
					resp.Body = c.Schema.typeName() + " (" + ct + ")"
				}
				o.Responses = append(o.Responses, resp)
			}
			out.Operations = append(out.Operations, o)
		}
	}
	names := make([]string, 0, len(d.Components.Schemas))
	for n := range d.Components.Schemas {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		s := d.Components.Schemas[n]
		vs := views.APISchema{Name: n, Description: s.Description}
		req := map[string]bool{}
		for _, r := range s.Required {
			req[r] = true
		}
		fields := make([]string, 0, len(s.Properties))
		for f := range s.Properties {
			fields = append(fields, f)
		}
		sort.Slice(fields, func(i, j int) bool {
			if req[fields[i]] != req[fields[j]] {
				return req[fields[i]]
			}
			return fields[i] < fields[j]
		})
		for _, f := range fields {
			p := s.Properties[f]
			vs.Fields = append(vs.Fields, views.APIField{Name: f, Type: p.typeName(), Required: req[f], Description: p.Description})
		}
		out.Schemas = append(out.Schemas, vs)
	}
	return out, nil
}
