#include "core/error.hpp"

namespace gatehouse {

const char* oauth_error_name(OAuthErrc e) {
  switch (e) {
    case OAuthErrc::none: return "";
    case OAuthErrc::invalid_request: return "invalid_request";
    case OAuthErrc::invalid_client: return "invalid_client";
    case OAuthErrc::invalid_grant: return "invalid_grant";
    case OAuthErrc::unauthorized_client: return "unauthorized_client";
    case OAuthErrc::unsupported_grant_type: return "unsupported_grant_type";
    case OAuthErrc::invalid_scope: return "invalid_scope";
    case OAuthErrc::access_denied: return "access_denied";
    case OAuthErrc::authorization_pending: return "authorization_pending";
    case OAuthErrc::slow_down: return "slow_down";
    case OAuthErrc::expired_token: return "expired_token";
    case OAuthErrc::unsupported_token_type: return "unsupported_token_type";
    case OAuthErrc::invalid_token: return "invalid_token";
    case OAuthErrc::insufficient_scope: return "insufficient_scope";
    case OAuthErrc::unsupported_response_type: return "unsupported_response_type";
    case OAuthErrc::login_required: return "login_required";
    case OAuthErrc::consent_required: return "consent_required";
    case OAuthErrc::request_not_supported: return "request_not_supported";
    case OAuthErrc::request_uri_not_supported: return "request_uri_not_supported";
  }
  return "invalid_request";
}

}  // namespace gatehouse
