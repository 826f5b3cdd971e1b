#pragma once
// Server-rendered pages of the Gatehouse login UI: plain HTML forms, no JavaScript build
// step, every value HTML-escaped, themeable by title, logo and colour from the config.
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/config.hpp"

namespace gatehouse::ui {

std::string esc(std::string_view s);

struct FormContext {
  std::string csrf;                              // hidden csrf field value
  std::map<std::string, std::string> hidden;     // extra hidden fields
  std::string error;                             // shown above the form
  std::string notice;                            // informational message
};

std::string login_page(const Config& cfg, const FormContext& f, const std::string& login_value);
std::string register_page(const Config& cfg, const FormContext& f, const std::string& email, const std::string& username);
std::string forgot_page(const Config& cfg, const FormContext& f);
std::string reset_page(const Config& cfg, const FormContext& f);
std::string consent_page(const Config& cfg, const FormContext& f, const std::string& client_name,
                         const std::vector<std::string>& scopes, const std::string& user_email);
std::string device_entry_page(const Config& cfg, const FormContext& f, const std::string& user_code);
std::string device_confirm_page(const Config& cfg, const FormContext& f, const std::string& client_name,
                                const std::string& user_code, const std::vector<std::string>& scopes);
std::string logout_page(const Config& cfg, const FormContext& f, const std::string& client_name);
std::string message_page(const Config& cfg, const std::string& title, const std::string& message,
                         const std::string& link = {}, const std::string& link_text = {});
std::string error_page(const Config& cfg, const std::string& error, const std::string& description);
/// An application that holds a grant of the signed-in user (shown with a revoke button).
struct GrantView {
  std::string id, client_name, scope;
};
std::string account_page(const Config& cfg, const FormContext& f, const std::string& email, const std::string& name,
                         const std::vector<GrantView>& grants);
/// RFC 6749 form_post response mode: a self-submitting form (script allowed by `nonce`).
std::string form_post_page(const std::string& action, const std::map<std::string, std::string>& fields,
                           const std::string& nonce);
/// The stylesheet, themed with the configured colour.
std::string stylesheet(const Config& cfg);

}  // namespace gatehouse::ui
