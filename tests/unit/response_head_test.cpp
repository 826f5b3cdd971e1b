// response_head(): the status line, the fixed fields, the response's own fields in order,
// Content-Length by status, Connection by version, and no way to split the response.
#include <gtest/gtest.h>

#include "http/response_head.hpp"

namespace gatehouse::http {
namespace {

Response json_ok(std::string body) {
  Response r;
  r.body = std::move(body);
  return r;
}

TEST(ResponseHead, WritesStatusFixedFieldsOwnFieldsAndLength) {
  Response r = json_ok("{}");
  r.set_header("Cache-Control", "no-store");
  r.set_header("Set-Cookie", "a=1");
  r.set_header("Set-Cookie", "b=2");
  EXPECT_EQ(response_head(r, {.version = 11, .keep_alive = true, .request_id = "rid"}),
            "HTTP/1.1 200 OK\r\nServer: gatehouse\r\nContent-Type: application/json\r\n"
            "X-Request-ID: rid\r\nCache-Control: no-store\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\n"
            "Content-Length: 2\r\n\r\n");
}

TEST(ResponseHead, ConnectionFieldOnlyWhereTheVersionDefaultDiffers) {
  Response r = json_ok("");
  r.status = 404;
  auto close11 = response_head(r, {.version = 11, .keep_alive = false, .request_id = "x"});
  EXPECT_EQ(close11.rfind("HTTP/1.1 404 Not Found\r\n", 0), 0u);
  EXPECT_NE(close11.find("Connection: close\r\n"), std::string::npos);
  EXPECT_NE(close11.find("Content-Length: 0\r\n"), std::string::npos);
  auto keep10 = response_head(r, {.version = 10, .keep_alive = true, .request_id = "x"});
  EXPECT_EQ(keep10.rfind("HTTP/1.0 404", 0), 0u);
  EXPECT_NE(keep10.find("Connection: keep-alive\r\n"), std::string::npos);
  EXPECT_EQ(response_head(r, {.version = 11, .keep_alive = true, .request_id = "x"}).find("Connection"),
            std::string::npos);
}

TEST(ResponseHead, NoContentLengthForStatusesWithoutBody) {
  for (int status : {101, 204, 304}) {
    Response r = json_ok("");
    r.status = status;
    r.content_type.clear();
    auto head = response_head(r, {.request_id = "x"});
    EXPECT_EQ(head.find("Content-Length"), std::string::npos) << status;
    EXPECT_EQ(head.find("Content-Type"), std::string::npos) << status;
    EXPECT_TRUE(status_has_no_body(status));
  }
  EXPECT_FALSE(status_has_no_body(200));
  EXPECT_FALSE(status_has_no_body(302));
}

TEST(ResponseHead, DropsFieldsThatWouldSplitTheResponse) {
  Response r = json_ok("x");
  r.set_header("Location", "https://a.example/\r\nSet-Cookie: evil=1");
  r.set_header("X-Evil\n", "v");
  r.set_header(std::string("X-Nul"), std::string("a\0b", 3));
  r.set_header("", "empty name");
  r.set_header("X-Fine", "ok");
  auto head = response_head(r, {.request_id = "x"});
  EXPECT_EQ(head.find("evil"), std::string::npos);
  EXPECT_EQ(head.find("X-Evil"), std::string::npos);
  EXPECT_EQ(head.find("X-Nul"), std::string::npos);
  EXPECT_EQ(head.find("empty name"), std::string::npos);
  EXPECT_NE(head.find("X-Fine: ok\r\n"), std::string::npos);
  EXPECT_EQ(head.find("\r\n\r\n"), head.size() - 4);  // one blank line, at the end
}

TEST(ResponseHead, ARequestIdThatCouldSplitIsDropped) {
  auto head = response_head(json_ok(""), {.request_id = "a\r\nb"});
  EXPECT_EQ(head.find("X-Request-ID"), std::string::npos);
}

}  // namespace
}  // namespace gatehouse::http
