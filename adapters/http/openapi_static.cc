#include "adapters/http/openapi_static.h"

namespace wijkflow::http::openapi {

const char kParameters[] = R"json(
"Id": {"name": "id", "in": "path", "required": true, "description": "The instance id.",
  "schema": {"type": "string", "pattern": "^[A-Za-z0-9._:-]{1,128}$"}},
"IdempotencyKey": {"name": "Idempotency-Key", "in": "header", "description": "A retry with the same key (from the same calling system) returns the first result, with Idempotent-Replayed: true, and writes nothing. Without it the server makes one and returns it as commandId.",
  "schema": {"type": "string", "pattern": "^[A-Za-z0-9._:@-]{1,128}$"}},
"IfMatch": {"name": "If-Match", "in": "header", "description": "The instance version the caller saw, as its ETag (e.g. \"3\"). A different version gives 412 and writes nothing.",
  "schema": {"type": "string", "examples": ["\"3\""]}},
"EffectiveDate": {"name": "effectiveDate", "in": "query", "description": "When the act counts (e.g. the date of the council meeting that decided). Rules, mandates and deadlines are evaluated at it. Not in the future, not before the instance's last event. Default: now. recordedAt is always the server clock's now.",
  "schema": {"type": "string", "format": "date-time"}},
"ActorId": {"name": "X-Actor-Id", "in": "header", "description": "The person or system that acts. Default: the calling system.",
  "schema": {"type": "string", "pattern": "^[A-Za-z0-9._:@-]{1,128}$"}},
"ActorRole": {"name": "X-Actor-Role", "in": "header", "description": "The role the actor acts in; the token must grant it (an admin token may act in any role). Default: the token's role if it has exactly one.",
  "schema": {"type": "string"}},
"CorrelationId": {"name": "X-Correlation-Id", "in": "header", "description": "The business conversation the command belongs to; stored in the envelopes. Default: the command id.",
  "schema": {"type": "string", "pattern": "^[A-Za-z0-9._:@-]{1,128}$"}},
"CausationId": {"name": "X-Causation-Id", "in": "header", "description": "What caused the command; stored in the envelopes. Default: the command id.",
  "schema": {"type": "string", "pattern": "^[A-Za-z0-9._:@-]{1,128}$"}},
"RequestId": {"name": "X-Request-Id", "in": "header", "description": "Echoed in the response and in the logs; the server makes one when absent.",
  "schema": {"type": "string", "pattern": "^[A-Za-z0-9._-]{1,64}$"}},
"AsOf": {"name": "asOf", "in": "query", "description": "The state as it stood after the events recorded at or before this moment.",
  "schema": {"type": "string", "format": "date-time"}},
"IfNoneMatch": {"name": "If-None-Match", "in": "header", "description": "The ETag the caller holds; 304 if the instance is still at that version.",
  "schema": {"type": "string"}},
"FromVersion": {"name": "from", "in": "query", "description": "The first stream version to return (default 1).",
  "schema": {"type": "integer", "minimum": 1}},
"FromPosition": {"name": "from", "in": "query", "description": "The first global position to return (default 1).",
  "schema": {"type": "integer", "minimum": 1}},
"Limit": {"name": "limit", "in": "query", "description": "The most items to return.",
  "schema": {"type": "integer", "minimum": 0, "maximum": 10000}},
"After": {"name": "after", "in": "query", "description": "Continue after this id or key (the previous page's next).",
  "schema": {"type": "string"}},
"MinPosition": {"name": "minPosition", "in": "query", "description": "Wait (up to 5 s) until the read models include this global position, e.g. a command's lastPosition; 503 if they do not in time.",
  "schema": {"type": "integer", "minimum": 0}},
"LastEventId": {"name": "Last-Event-ID", "in": "header", "description": "For a reconnecting event stream: the last position received; the stream resumes after it, without gap or duplicate.",
  "schema": {"type": "string", "pattern": "^[0-9]+$"}},
"WorkflowFilter": {"name": "workflow", "in": "query", "description": "Only this workflow's events.",
  "schema": {"type": "string"}},
"WorkflowName": {"name": "name", "in": "path", "required": true, "schema": {"type": "string"}},
"ProjectionName": {"name": "name", "in": "path", "required": true, "schema": {"type": "string"}}
)json";

#define WIJKFLOW_PROBLEM(desc)                                               \
  "{\"description\": \"" desc                                                \
  "\", \"content\": {\"application/problem+json\": {\"schema\": {\"$ref\": " \
  "\"#/components/schemas/Problem\"}}}}"

const char kResponses[] =
    "\"BadRequest\": " WIJKFLOW_PROBLEM(
        "Malformed request: bad JSON, an unknown or malformed field (named in 'field'), a bad header or query parameter, an effective date in the future or before the instance's last event.") ",\n"
    "\"Unauthorized\": " WIJKFLOW_PROBLEM("No bearer token, or an unknown one.") ",\n"
    "\"Forbidden\": " WIJKFLOW_PROBLEM(
        "The token does not grant the role or district, the role may not issue this command, or a district manager has no mandate in force on the effective date (rule 'mandate-in-force').") ",\n"
    "\"NotFound\": " WIJKFLOW_PROBLEM("No such workflow, command, instance, projection or key.") ",\n"
    "\"MethodNotAllowed\": " WIJKFLOW_PROBLEM("The resource exists but not for this method; see Allow.") ",\n"
    "\"RequestTimeout\": " WIJKFLOW_PROBLEM("The request did not arrive within the read timeout.") ",\n"
    "\"Conflict\": " WIJKFLOW_PROBLEM(
        "invalid-transition: the instance's state ('state') has no such transition; conflict: the instance kept changing; idempotency-key-reused: the key was used for another instance.") ",\n"
    "\"PreconditionFailed\": " WIJKFLOW_PROBLEM("If-Match names another version than the instance's.") ",\n"
    "\"PayloadTooLarge\": " WIJKFLOW_PROBLEM("The body is larger than the server's limit.") ",\n"
    "\"UnsupportedMediaType\": " WIJKFLOW_PROBLEM("A command body must be application/json.") ",\n"
    "\"RuleViolated\": " WIJKFLOW_PROBLEM("A business rule refused the command; 'rule' names it.") ",\n"
    "\"HeaderTooLarge\": " WIJKFLOW_PROBLEM("The request headers are too large.") ",\n"
    "\"Unavailable\": " WIJKFLOW_PROBLEM(
        "Storage failed (nothing was written), the server is shutting down, or the read models are behind minPosition. Retry later.") "\n";

#undef WIJKFLOW_PROBLEM

const char kSchemas[] = R"json(
"Problem": {"type": "object", "description": "RFC 9457 problem details.",
  "required": ["type", "title", "status"],
  "properties": {
    "type": {"type": "string", "description": "urn:wijkflow:problem:<kind>: invalid-argument, malformed-request, unauthenticated, forbidden, not-found, method-not-allowed, request-timeout, invalid-transition, conflict, idempotency-key-reused, precondition-failed, payload-too-large, unsupported-media-type, rule-violated, header-too-large, unavailable."},
    "title": {"type": "string"}, "status": {"type": "integer"}, "detail": {"type": "string"},
    "instance": {"type": "string"}, "requestId": {"type": "string"},
    "rule": {"type": "string", "description": "For rule-violated and some forbidden: the rule's stable name."},
    "field": {"type": "string", "description": "For invalid-argument: the field, header or parameter at fault."},
    "state": {"type": "string", "description": "For invalid-transition: the instance's state."}}},
"CommandResult": {"type": "object",
  "required": ["workflow", "id", "command", "commandId", "version", "state", "created", "duplicate", "firstPosition", "lastPosition"],
  "properties": {
    "workflow": {"type": "string"}, "id": {"type": "string"}, "command": {"type": "string"},
    "commandId": {"type": "string", "description": "The Idempotency-Key (given or made)."},
    "version": {"type": "integer", "description": "The instance's version after the command; also the ETag."},
    "state": {"type": "string", "description": "The instance's state after the command."},
    "created": {"type": "boolean", "description": "The command started the instance (status 201)."},
    "duplicate": {"type": "boolean", "description": "A retry: the first result, nothing written."},
    "firstPosition": {"type": "integer"}, "lastPosition": {"type": "integer", "description": "Pass as minPosition to read your own write from the read models."},
    "recordedAt": {"type": "string", "format": "date-time"}}},
"InstanceSummary": {"type": "object", "properties": {
  "id": {"type": "string"}, "state": {"type": "string"}, "version": {"type": "integer"},
  "lastEffective": {"type": "string", "format": "date-time"}}},
"InstanceList": {"type": "object", "properties": {
  "workflow": {"type": "string"},
  "items": {"type": "array", "items": {"$ref": "#/components/schemas/InstanceSummary"}},
  "next": {"type": ["string", "null"], "description": "Pass as after for the next page."},
  "position": {"type": "integer", "description": "The global position the list includes."}}},
"Envelope": {"type": "object", "description": "One recorded event.", "properties": {
  "position": {"type": "integer"}, "streamId": {"type": "string"}, "streamVersion": {"type": "integer"},
  "workflow": {"type": "string"}, "definitionVersion": {"type": "integer"},
  "eventType": {"type": "string"}, "schemaVersion": {"type": "integer"},
  "recordedAt": {"type": "string", "format": "date-time"}, "effectiveDate": {"type": "string", "format": "date-time"},
  "actor": {"$ref": "#/components/schemas/wijkflow.Actor"},
  "commandId": {"type": "string"}, "correlationId": {"type": "string"}, "causationId": {"type": "string"},
  "payload": {"$ref": "#/components/schemas/EventPayload"},
  "prevHash": {"type": "string"}, "hash": {"type": "string"},
  "prevGlobalHash": {"type": "string"}, "globalHash": {"type": "string"}}},
"History": {"type": "object", "properties": {
  "streamId": {"type": "string"}, "version": {"type": "integer"},
  "events": {"type": "array", "items": {"$ref": "#/components/schemas/Envelope"}},
  "next": {"type": ["integer", "null"], "description": "Pass as from for the next page."}}},
"LogPage": {"type": "object", "properties": {
  "events": {"type": "array", "items": {"$ref": "#/components/schemas/Envelope"}},
  "next": {"type": "integer", "description": "Pass as from to continue."},
  "lastPosition": {"type": "integer"}}},
"ProjectionList": {"type": "object", "properties": {
  "projections": {"type": "array", "items": {"type": "object", "properties": {
    "name": {"type": "string"}, "checkpoint": {"type": "integer"}, "lag": {"type": "integer"},
    "valueType": {"type": "string"}}}},
  "lastPosition": {"type": "integer"}}},
"ProjectionEntry": {"type": "object", "properties": {
  "key": {"type": "string"},
  "value": {"description": "The value by the protobuf JSON mapping of the projection's valueType, or text."},
  "valueHex": {"type": "string", "description": "A value that is neither, in hex."}}},
"ProjectionPage": {"type": "object", "properties": {
  "projection": {"type": "string"}, "key": {"type": "string"}, "value": {},
  "items": {"type": "array", "items": {"$ref": "#/components/schemas/ProjectionEntry"}},
  "next": {"type": ["string", "null"]}, "checkpoint": {"type": "integer"}}},
"Workflow": {"type": "object", "properties": {
  "name": {"type": "string"}, "definitionVersion": {"type": "integer"},
  "initialState": {"type": "string"}, "dataType": {"type": "string"},
  "states": {"type": "array", "items": {"type": "string"}},
  "events": {"type": "array", "items": {"type": "string"}},
  "transitions": {"type": "array", "items": {"type": "object", "properties": {
    "from": {"type": "string"}, "event": {"type": "string"}, "to": {"type": "string"}}}},
  "commands": {"type": "array", "items": {"type": "object", "properties": {
    "name": {"type": "string"}, "path": {"type": "string"}, "bodyType": {"type": "string"},
    "decision": {"type": "boolean"}, "roles": {"type": "array", "items": {"type": "string"}}}}},
  "diagram": {"type": "string"}}},
"WorkflowList": {"type": "object", "properties": {
  "workflows": {"type": "array", "items": {"$ref": "#/components/schemas/Workflow"}}}},
"ClockAdvance": {"type": "object", "required": ["advanceTo"], "additionalProperties": false,
  "properties": {"advanceTo": {"type": "string", "format": "date-time"}}},
"ClockResult": {"type": "object", "properties": {
  "now": {"type": "string", "format": "date-time"}, "timersFired": {"type": "integer"}}},
"Health": {"type": "object", "properties": {"status": {"const": "ok"}}},
"Ready": {"type": "object", "properties": {
  "status": {"const": "ready"}, "lastPosition": {"type": "integer"},
  "projectionLag": {"type": "object", "additionalProperties": {"type": "integer"}}}}
)json";

}  // namespace wijkflow::http::openapi
