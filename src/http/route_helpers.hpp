#pragma once
// What every API route handler does: read a JSON body, read a query integer, answer a
// service's Result. Built on the envelope (ok_response / error_response / Fields), so the
// status codes and bodies are the envelope's.
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/string.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "core/error.hpp"
#include "http/envelope.hpp"
#include "http/request.hpp"

namespace gatehouse::http {

namespace detail {
template <class T>
struct is_vector : std::false_type {};
template <class T, class A>
struct is_vector<std::vector<T, A>> : std::true_type {};
}  // namespace detail

/// The `data` of a record: JSON values as they are, strings as JSON strings, a vector as
/// the array of its elements, anything else through the to_json() its own namespace
/// declares (found by ADL).
template <class T>
boost::json::value json_of(T&& v) {
  using V = std::remove_cvref_t<T>;
  if constexpr (std::is_convertible_v<T&&, boost::json::value>) {
    return boost::json::value(std::forward<T>(v));
  } else if constexpr (std::is_convertible_v<const V&, std::string_view>) {
    return boost::json::string(std::string_view(v));
  } else if constexpr (detail::is_vector<V>::value) {
    boost::json::array a;
    a.reserve(v.size());
    for (auto& x : v) a.push_back(json_of(x));
    return a;
  } else {
    return to_json(v);
  }
}

/// The error envelope of a failed `r`, else `ok_response(req, status, to_json(*r), message)`.
template <class T, class ToJson>
  requires std::is_invocable_v<ToJson&, T&>
Response respond(const Request& req, Result<T> r, int status, ToJson to_json, std::string message = "OK") {
  if (!r) return error_response(req, r.error());
  return ok_response(req, status, to_json(*r), std::move(message));
}

/// As above, the data being `json_of(*r)`.
template <class T>
Response respond(const Request& req, Result<T> r, int status = 200, std::string message = "OK") {
  static_assert(!std::is_same_v<T, Ok>, "a Status has no value: give respond() the data to answer");
  if (!r) return error_response(req, r.error());
  return ok_response(req, status, json_of(std::move(*r)), std::move(message));
}

/// The error envelope of a failed `s`, else `ok_response(req, status, data, message)`.
Response respond(const Request& req, const Status& s, int status, boost::json::value data,
                 std::string message = "OK");

/// The query parameter `name` as a decimal integer (an optional '-', then digits; no sign
/// '+', spaces or trailing characters). nullopt when absent or empty. A VALIDATION_ERROR on
/// `name` when it is not an integer, or not in [lo, hi] (also when beyond 64 bits).
Result<std::optional<int64_t>> query_int(const Request& req, std::string_view name, int64_t lo, int64_t hi);

/// Parses the body as a JSON object (`parse_json_object`) and returns `h(fields)` over it;
/// `fields.body()` is the object. When parsing fails, `h` is not called and the answer is
/// the parse error (415 / 400): its error envelope when `h` returns a Response (or a Step),
/// the Error itself when `h` returns a Result. `h` checks `fields.ok()` before it acts, so
/// every field problem is reported in one VALIDATION_ERROR.
template <class H>
auto with_json_body(const Request& req, H&& h) -> std::invoke_result_t<H&, Fields&> {
  using R = std::invoke_result_t<H&, Fields&>;
  auto body = parse_json_object(req);
  if (!body) {
    if constexpr (std::is_constructible_v<R, Error>) return R(std::move(body.error()));
    else return R(error_response(req, body.error()));
  }
  Fields f(*body);
  return h(f);
}

}  // namespace gatehouse::http
