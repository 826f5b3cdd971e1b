#pragma once
#include <boost/json/object.hpp>

#include "http/router.hpp"

namespace gatehouse::ops {

/// OpenAPI 3.1 document built from the live router, so it cannot drift from the code:
/// every route with its methods, path parameters, summary, request schema and the
/// standard envelope responses.
boost::json::object openapi_document(const http::Router& router, const std::string& server_url);

}  // namespace gatehouse::ops
