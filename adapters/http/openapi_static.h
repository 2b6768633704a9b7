// The parts of the OpenAPI document that do not depend on the registry: shared parameters, the
// problem responses and the adapter's own response schemas. Each is a JSON object's members
// (without the braces). Private to openapi.cc.
#pragma once

namespace wijkflow::http::openapi {

extern const char kParameters[];
extern const char kResponses[];
extern const char kSchemas[];

}  // namespace wijkflow::http::openapi
