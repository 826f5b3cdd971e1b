#include "ui/pages.hpp"

namespace gatehouse::ui {

std::string esc(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 16);
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

namespace {

std::string layout(const Config& cfg, const std::string& title, const std::string& body) {
  std::string logo = cfg.ui_logo_url.empty() ? "" : "<img class=\"logo\" src=\"" + esc(cfg.ui_logo_url) + "\" alt=\"\">";
  return "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
         "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
         "<title>" + esc(title) + " · " + esc(cfg.ui_title) + "</title>"
         "<link rel=\"stylesheet\" href=\"/ui/static/style.css\"></head><body>"
         "<main class=\"card\" aria-labelledby=\"page-title\"><header>" + logo +
         "<p class=\"brand\">" + esc(cfg.ui_title) + "</p><h1 id=\"page-title\">" + esc(title) + "</h1></header>" +
         body + "</main></body></html>\n";
}

std::string alerts(const FormContext& f) {
  std::string out;
  if (!f.error.empty()) out += "<p class=\"error\" role=\"alert\">" + esc(f.error) + "</p>";
  if (!f.notice.empty()) out += "<p class=\"notice\" role=\"status\">" + esc(f.notice) + "</p>";
  return out;
}

std::string form_open(const std::string& action, const FormContext& f) {
  std::string out = "<form method=\"post\" action=\"" + esc(action) + "\">"
                    "<input type=\"hidden\" name=\"csrf\" value=\"" + esc(f.csrf) + "\">";
  for (auto& [k, v] : f.hidden) out += "<input type=\"hidden\" name=\"" + esc(k) + "\" value=\"" + esc(v) + "\">";
  return out;
}

std::string field(const char* id, const char* label, const char* type, const std::string& value,
                  const char* autocomplete, bool required = true, bool autofocus = false) {
  return std::string("<label for=\"") + id + "\">" + label + "</label><input id=\"" + id + "\" name=\"" + id +
         "\" type=\"" + type + "\" value=\"" + esc(value) + "\" autocomplete=\"" + autocomplete + "\"" +
         (required ? " required" : "") + (autofocus ? " autofocus" : "") + ">";
}

std::string scope_list(const std::vector<std::string>& scopes) {
  static const std::map<std::string, std::string> text = {
      {"openid", "Confirm who you are"},
      {"profile", "See your name and username"},
      {"email", "See your email address"},
      {"offline_access", "Stay signed in when you are away (refresh tokens)"},
      {"org", "See your organizations and your role in them"},
      {"roles", "See your roles"}};
  std::string out = "<ul class=\"scopes\">";
  for (auto& s : scopes) {
    auto it = text.find(s);
    out += "<li>" + esc(it == text.end() ? s : it->second) + " <code>" + esc(s) + "</code></li>";
  }
  return out + "</ul>";
}

}  // namespace

std::string login_page(const Config& cfg, const FormContext& f, const std::string& login_value) {
  std::string keep;
  if (auto it = f.hidden.find("return_to"); it != f.hidden.end()) keep = "?return_to=" + esc(it->second);
  return layout(cfg, "Sign in",
                alerts(f) + form_open("/ui/login", f) +
                    field("login", "Email or username", "text", login_value, "username", true, true) +
                    field("password", "Password", "password", "", "current-password") +
                    "<button type=\"submit\">Sign in</button></form>"
                    "<nav><a href=\"/ui/forgot\">Forgot your password?</a> · <a href=\"/ui/register" + keep +
                    "\">Create an account</a></nav>");
}

std::string register_page(const Config& cfg, const FormContext& f, const std::string& email, const std::string& username) {
  return layout(cfg, "Create an account",
                alerts(f) + form_open("/ui/register", f) + field("email", "Email", "email", email, "email", true, true) +
                    field("username", "Username (optional)", "text", username, "username", false) +
                    field("password", "Password (at least 8 characters)", "password", "", "new-password") +
                    field("confirm_password", "Repeat the password", "password", "", "new-password") +
                    "<button type=\"submit\">Create account</button></form>"
                    "<nav><a href=\"/ui/login\">I already have an account</a></nav>");
}

std::string forgot_page(const Config& cfg, const FormContext& f) {
  return layout(cfg, "Reset your password",
                alerts(f) + form_open("/ui/forgot", f) + field("email", "Email", "email", "", "email", true, true) +
                    "<button type=\"submit\">Send reset mail</button></form><nav><a href=\"/ui/login\">Back to sign in</a></nav>");
}

std::string reset_page(const Config& cfg, const FormContext& f) {
  return layout(cfg, "Choose a new password",
                alerts(f) + form_open("/ui/reset", f) +
                    field("password", "New password", "password", "", "new-password", true, true) +
                    field("confirm_password", "Repeat the password", "password", "", "new-password") +
                    "<button type=\"submit\">Set password</button></form>");
}

std::string consent_page(const Config& cfg, const FormContext& f, const std::string& client_name,
                         const std::vector<std::string>& scopes, const std::string& user_email) {
  return layout(cfg, "Allow access?",
                alerts(f) + "<p><strong>" + esc(client_name) + "</strong> would like to:</p>" + scope_list(scopes) +
                    "<p class=\"muted\">Signed in as " + esc(user_email) + "</p>" + form_open("/ui/consent", f) +
                    "<label class=\"check\"><input type=\"checkbox\" name=\"remember\" value=\"1\" checked> "
                    "Remember my decision</label>"
                    "<div class=\"actions\"><button type=\"submit\" name=\"decision\" value=\"allow\">Allow</button>"
                    "<button type=\"submit\" name=\"decision\" value=\"deny\" class=\"secondary\">Deny</button></div></form>");
}

std::string device_entry_page(const Config& cfg, const FormContext& f, const std::string& user_code) {
  return layout(cfg, "Connect a device",
                alerts(f) + "<p>Enter the code shown on your device.</p>" + form_open("/ui/device", f) +
                    field("user_code", "Code", "text", user_code, "one-time-code", true, true) +
                    "<button type=\"submit\">Continue</button></form>");
}

std::string device_confirm_page(const Config& cfg, const FormContext& f, const std::string& client_name,
                                const std::string& user_code, const std::vector<std::string>& scopes) {
  return layout(cfg, "Connect this device?",
                alerts(f) + "<p>The device showing <strong>" + esc(user_code) + "</strong> wants to act as <strong>" +
                    esc(client_name) + "</strong> and:</p>" + scope_list(scopes) + form_open("/ui/device", f) +
                    "<div class=\"actions\"><button type=\"submit\" name=\"decision\" value=\"allow\">Allow</button>"
                    "<button type=\"submit\" name=\"decision\" value=\"deny\" class=\"secondary\">Deny</button></div></form>");
}

std::string logout_page(const Config& cfg, const FormContext& f, const std::string& client_name) {
  std::string who = client_name.empty() ? "" : "<p>" + esc(client_name) + " asks you to sign out.</p>";
  return layout(cfg, "Sign out?",
                alerts(f) + who + form_open("/oauth2/logout", f) +
                    "<div class=\"actions\"><button type=\"submit\" name=\"decision\" value=\"logout\">Sign out</button>"
                    "<button type=\"submit\" name=\"decision\" value=\"stay\" class=\"secondary\">Stay signed in</button></div></form>");
}

std::string message_page(const Config& cfg, const std::string& title, const std::string& message,
                         const std::string& link, const std::string& link_text) {
  std::string nav = link.empty() ? "" : "<nav><a href=\"" + esc(link) + "\">" + esc(link_text) + "</a></nav>";
  return layout(cfg, title, "<p role=\"status\">" + esc(message) + "</p>" + nav);
}

std::string error_page(const Config& cfg, const std::string& error, const std::string& description) {
  return layout(cfg, "Something went wrong",
                "<p class=\"error\" role=\"alert\">" + esc(description) + "</p><p class=\"muted\">Error code: <code>" +
                    esc(error) + "</code></p><nav><a href=\"/ui/login\">Go to sign in</a></nav>");
}

std::string account_page(const Config& cfg, const FormContext& f, const std::string& email, const std::string& name,
                         const std::vector<GrantView>& grants) {
  std::string apps = "<h2>Applications with access</h2>";
  if (grants.empty()) apps += "<p>No application can act for you.</p>";
  for (auto& g : grants)
    apps += "<div class=\"grant\"><p><strong>" + esc(g.client_name) + "</strong> <span>" + esc(g.scope) + "</span></p>" +
            form_open("/ui/account/grants/revoke", f) + "<input type=\"hidden\" name=\"grant_id\" value=\"" +
            esc(g.id) + "\"><button type=\"submit\" class=\"secondary\">Revoke access</button></form></div>";
  return layout(cfg, "You are signed in",
                alerts(f) + "<p>Signed in as <strong>" + esc(email) + "</strong>" + (name.empty() ? "" : " (" + esc(name) + ")") +
                    "</p>" + apps + form_open("/oauth2/logout", f) +
                    "<button type=\"submit\" name=\"decision\" value=\"logout\">Sign out</button></form>");
}

std::string form_post_page(const std::string& action, const std::map<std::string, std::string>& fields,
                           const std::string& nonce) {
  std::string inputs;
  for (auto& [k, v] : fields) inputs += "<input type=\"hidden\" name=\"" + esc(k) + "\" value=\"" + esc(v) + "\">";
  return "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Continuing…</title></head><body>"
         "<form method=\"post\" action=\"" + esc(action) + "\">" + inputs +
         "<noscript><button type=\"submit\">Continue</button></noscript></form>"
         "<script nonce=\"" + esc(nonce) + "\">document.forms[0].submit();</script></body></html>\n";
}

std::string stylesheet(const Config& cfg) {
  return ":root{--primary:" + cfg.ui_primary_color + ";--text:#1d2330;--muted:#5b6475;--bg:#f3f5f9;--error:#a61b1b}"
         "*{box-sizing:border-box}body{margin:0;min-height:100vh;display:flex;align-items:center;justify-content:center;"
         "background:var(--bg);color:var(--text);font:16px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif}"
         ".card{background:#fff;width:100%;max-width:26rem;margin:1rem;padding:2rem;border-radius:12px;"
         "box-shadow:0 4px 24px rgba(0,0,0,.08)}header{margin-bottom:1rem}.logo{max-height:40px}"
         ".brand{margin:0;color:var(--muted);font-weight:600;letter-spacing:.02em}h1{margin:.25rem 0 0;font-size:1.5rem}"
         "label{display:block;margin:1rem 0 .25rem;font-weight:600}input[type=text],input[type=email],input[type=password]"
         "{width:100%;padding:.65rem .75rem;border:1px solid #b8bfcc;border-radius:8px;font:inherit}"
         "input:focus,button:focus,a:focus{outline:3px solid var(--primary);outline-offset:2px}"
         "button{margin-top:1.25rem;width:100%;padding:.7rem;border:0;border-radius:8px;background:var(--primary);"
         "color:#fff;font:inherit;font-weight:600;cursor:pointer}button.secondary{background:#e4e7ee;color:var(--text)}"
         ".actions{display:flex;gap:.75rem}.actions button{flex:1}.check{display:flex;gap:.5rem;align-items:center;font-weight:400}"
         ".error{color:var(--error);background:#fdecec;padding:.6rem .75rem;border-radius:8px}"
         ".notice{background:#eaf3ea;padding:.6rem .75rem;border-radius:8px}.muted{color:var(--muted);font-size:.9rem}"
         "nav{margin-top:1.25rem;font-size:.95rem}a{color:var(--primary)}ul.scopes{padding-left:1.2rem}"
         "code{font-size:.85em;color:var(--muted)}\n";
}

}  // namespace gatehouse::ui
