#include "http/router.hpp"

#include <algorithm>
#include <boost/url/pct_string_view.hpp>

namespace gatehouse::http {
namespace {

std::vector<std::string> split(std::string_view path) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < path.size()) {
    if (path[i] == '/') { ++i; continue; }
    auto j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    out.emplace_back(path.substr(i, j - i));
    i = j;
  }
  return out;
}

// RFC 3986 §2.1 percent-decoding of a path segment (Boost.URL); malformed escapes stay as
// they are.
std::string percent_decode(const std::string& s) {
  auto pct = boost::urls::make_pct_string_view(s);
  return pct ? pct->decode() : s;
}

// "/a/b" or "/": how the literal patterns are keyed (split() ignores empty segments).
bool is_canonical(std::string_view path) {
  return !path.empty() && path.front() == '/' && path.find("//") == std::string_view::npos &&
         (path.size() == 1 || path.back() != '/');
}

bool is_param(const std::string& seg) { return seg.size() > 2 && seg.front() == '{' && seg.back() == '}'; }

// Score: literal matches count more, so /sessions/stats beats /sessions/{id}.
int match_score(const Route& r, const std::vector<std::string>& segs,
                std::map<std::string, std::string>* params) {
  if (r.segments.size() != segs.size()) return -1;
  int score = 0;
  for (std::size_t i = 0; i < segs.size(); ++i) {
    if (is_param(r.segments[i])) {
      if (segs[i].empty()) return -1;
      if (params) (*params)[r.segments[i].substr(1, r.segments[i].size() - 2)] = segs[i];
    } else if (r.segments[i] == segs[i]) {
      score += 1 << (segs.size() - i);
    } else {
      return -1;
    }
  }
  return score;
}

}  // namespace

Route& Router::add(std::string method, std::string pattern, Pool pool, Handler h,
                   std::string summary) {
  Route r;
  r.method = std::move(method);
  r.pattern = std::move(pattern);
  r.pool = pool;
  r.handler = std::move(h);
  r.summary = std::move(summary);
  r.segments = split(r.pattern);
  if (std::none_of(r.segments.begin(), r.segments.end(), is_param)) {
    std::string path;
    for (auto& seg : r.segments) path += "/" + seg;
    literal_[path.empty() ? "/" : path].push_back(routes_.size());
  }
  routes_.push_back(std::move(r));
  return routes_.back();
}

Route& Router::add_staged(std::string method, std::string pattern, Pool pool, StagedHandler h,
                          std::string summary) {
  Route& r = add(std::move(method), std::move(pattern), pool, nullptr, std::move(summary));
  r.staged = std::move(h);
  return r;
}

Match Router::match(std::string_view method, std::string_view path) const {
  Match m;
  if (is_canonical(path))
    if (auto it = literal_.find(path); it != literal_.end())
      for (std::size_t i : it->second)
        if (routes_[i].method == method) {
          m.route = &routes_[i];
          return m;
        }
  auto segs = split(path);
  int best = -1;
  for (const auto& r : routes_) {
    int s = match_score(r, segs, nullptr);
    if (s < 0) continue;
    if (r.method == method) {
      if (s > best) { best = s; m.route = &r; }
    }
  }
  if (m.route) {
    match_score(*m.route, segs, &m.params);
    for (auto& [_, v] : m.params) v = percent_decode(v);
    return m;
  }
  for (const auto& r : routes_)
    if (match_score(r, segs, nullptr) >= 0 &&
        std::find(m.allowed.begin(), m.allowed.end(), r.method) == m.allowed.end())
      m.allowed.push_back(r.method);
  return m;
}

}  // namespace gatehouse::http
