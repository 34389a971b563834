package views

// APIDoc is the OpenAPI document as the docs page shows it.
type APIDoc struct {
	Title       string
	Version     string
	Description string
	BaseURL     string
	Operations  []APIOperation
	Schemas     []APISchema
}

// APIOperation is one method on one path.
type APIOperation struct {
	Method, Path, ID, Summary, Description string
	Params                                 []APIParam
	RequestBody                            string
	Responses                              []APIResponse
}

// APIParam is one parameter of an operation.
type APIParam struct {
	Name, In, Type, Description string
	Required                    bool
}

// APIResponse is one response of an operation.
type APIResponse struct {
	Status, Description, Body string
}

// APISchema is a named schema with its fields.
type APISchema struct {
	Name, Description string
	Fields            []APIField
}

// APIField is a property of a schema.
type APIField struct {
	Name, Type, Description string
	Required                bool
}
