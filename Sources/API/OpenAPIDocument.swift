// The OpenAPI 3.1 document of every endpoint, served at GET /openapi.json: Resources/openapi.json, compiled into
// the binary. Tests validate it with openapi-spec-validator and run schemathesis against a live daemon with it;
// keep it in step with the payloads.

enum OpenAPIDocument {
    static let json: [UInt8] = PackageResources.openapi_json
}
