#pragma once
// The pieces ops/openapi.cpp assembles the document from (internal to ops/): schema helpers,
// the request tables (openapi_requests.cpp), what each operation answers and the component
// schemas (openapi_answers.cpp).
#include <boost/json.hpp>
#include <initializer_list>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace gatehouse::ops::openapi {
namespace json = boost::json;

// Schema helpers
json::object str_prop(const char* desc, int max = 0, const char* format = nullptr);
json::object nullable_str(const char* desc, int max = 0);
json::object str_array(const char* desc);
json::object ref(const std::string& name);
json::object schema(std::initializer_list<std::pair<const char*, json::object>> props,
                    std::initializer_list<const char*> required);
/// A form (application/x-www-form-urlencoded) of string fields.
json::object form(std::initializer_list<const char*> fields, std::initializer_list<const char*> required = {});
json::object json_content(const json::object& schema);
json::object any_of(std::initializer_list<const char*> names);

// Requests, by "METHOD /path"
const std::map<std::string, json::object>& json_bodies();
/// The admin client API's body: every field required when `creating`.
json::object client_spec(bool creating);
const std::map<std::string, json::object>& form_bodies();
const std::map<std::string, std::vector<std::pair<const char*, json::object>>>& query_params();

// Answers
// How an operation answers.
enum class Kind {
  envelope,   // product API: Envelope / ErrorEnvelope
  oauth,      // RFC 6749 §5.2 JSON errors (token, introspect, revoke, device_authorization)
  userinfo,   // RFC 6750 §3 bearer errors
  html,       // login UI pages and the authorization / logout endpoints
  compat,     // the seed service's JSON shapes (no envelope)
  plain,      // a fixed JSON or text document
};

struct Answers {
  Kind kind;
  std::vector<int> codes;  // besides the ones every operation has (see the top of the file)
  const char* success_schema = nullptr;  // component schema of the 2xx answer, when more precise
};

bool is_product_api(const std::string& path);
const std::map<std::string, Answers>& answers();
json::object components_schemas();

}  // namespace gatehouse::ops::openapi
