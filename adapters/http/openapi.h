// The OpenAPI 3.1 document of the HTTP contract, generated from the workflow registry: every
// workflow's commands appear as paths with request schemas derived from the protobuf descriptors
// of their messages, so the document cannot drift from what the server accepts.
#pragma once

#include <string>

#include "engine/registry.h"

namespace wijkflow::http {

std::string BuildOpenApi(const engine::WorkflowRegistry& registry);

}  // namespace wijkflow::http
