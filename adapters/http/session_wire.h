// A connection's wire format apart from its socket: a parser set up with the server's limits, a
// parsed message turned into the handler's Request, and a Response turned into bytes. Apart from
// session*.cc so that the fuzz target (tests/fuzz/http_request_fuzzer.cc) takes request bytes to
// response bytes through exactly what a connection does.
#pragma once

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <string>

#include "adapters/http/server.h"
#include "adapters/http/types.h"

namespace wijkflow::http {

using BeastRequest = boost::beast::http::request<boost::beast::http::string_body>;
using RequestParser = boost::beast::http::request_parser<boost::beast::http::string_body>;

// Sets up a fresh parser: the body read as soon as it arrives, within the options' limits.
void ConfigureParser(const ServerOptions& options, RequestParser* parser);

// Moves a complete message into `*out` (header names lower-case; `out->remote` is left alone).
// False if its target is not origin-form or its percent-encoding is broken.
bool ToRequest(BeastRequest&& message, Request* out);

// The response as bytes: status line, headers, Content-Length, Connection, body. A header that
// could split the message (CR or LF in it, ':' in its name) is left out.
void SerializeResponse(const Response& r, unsigned version, bool keep_alive, std::string* out);

}  // namespace wijkflow::http
