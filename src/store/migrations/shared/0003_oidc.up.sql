-- OAuth 2.0 / OpenID Connect provider: clients, grants, codes, refresh tokens, consents,
-- device codes, and browser (SSO) sessions.
CREATE TABLE oauth_clients (
  id TEXT PRIMARY KEY,                        -- client_id
  name TEXT NOT NULL,
  secret_hash TEXT,                           -- hex HMAC-SHA-256; NULL for public clients
  public INTEGER NOT NULL DEFAULT 0,
  redirect_uris TEXT NOT NULL,                -- JSON arrays below
  post_logout_redirect_uris TEXT NOT NULL,
  grant_types TEXT NOT NULL,
  scopes TEXT NOT NULL,
  auth_method TEXT NOT NULL,                  -- client_secret_basic | client_secret_post | private_key_jwt | none
  jwks TEXT,                                  -- for private_key_jwt
  first_party INTEGER NOT NULL DEFAULT 0,     -- skip consent
  access_token_ttl INTEGER,
  refresh_token_ttl INTEGER,
  id_token_ttl INTEGER,
  id_token_alg TEXT NOT NULL DEFAULT 'RS256',
  created_by TEXT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  deleted INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE oauth_grants (                   -- one authorization: code + the tokens it produced
  id TEXT PRIMARY KEY,
  client_id TEXT NOT NULL REFERENCES oauth_clients(id),
  user_id TEXT,                               -- NULL for client_credentials
  session_id TEXT,                            -- the browser session it came from
  scope TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  revoked_at BIGINT
);
CREATE INDEX oauth_grants_user ON oauth_grants(user_id, client_id);

CREATE TABLE oauth_codes (
  code_hash TEXT PRIMARY KEY,
  grant_id TEXT NOT NULL REFERENCES oauth_grants(id),
  client_id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  redirect_uri TEXT NOT NULL,
  scope TEXT NOT NULL,
  nonce TEXT,
  code_challenge TEXT,
  code_challenge_method TEXT,
  auth_time BIGINT NOT NULL,
  amr TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  used_at BIGINT
);

CREATE TABLE oauth_refresh_tokens (
  token_hash TEXT PRIMARY KEY,
  grant_id TEXT NOT NULL REFERENCES oauth_grants(id),
  client_id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  scope TEXT NOT NULL,
  auth_time BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  rotated_at BIGINT,
  successor_hash TEXT
);
CREATE INDEX oauth_refresh_grant ON oauth_refresh_tokens(grant_id);

CREATE TABLE oauth_consents (
  user_id TEXT NOT NULL REFERENCES users(id),
  client_id TEXT NOT NULL REFERENCES oauth_clients(id),
  scope TEXT NOT NULL,                        -- JSON array of granted scopes
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (user_id, client_id)
);

CREATE TABLE oauth_device_codes (
  device_code_hash TEXT PRIMARY KEY,
  user_code TEXT NOT NULL UNIQUE,
  client_id TEXT NOT NULL REFERENCES oauth_clients(id),
  scope TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  interval_seconds INTEGER NOT NULL,
  last_poll_at BIGINT,
  status TEXT NOT NULL DEFAULT 'pending',     -- pending | approved | denied | used
  user_id TEXT,
  session_id TEXT,
  auth_time BIGINT
);

CREATE TABLE browser_sessions (               -- the SSO cookie; tied to an identity session
  token_hash TEXT PRIMARY KEY,
  session_id TEXT NOT NULL REFERENCES sessions(id),
  user_id TEXT NOT NULL REFERENCES users(id),
  auth_time BIGINT NOT NULL,
  csrf_secret TEXT NOT NULL,
  created_at BIGINT NOT NULL
);

CREATE TABLE oauth_revoked_tokens (           -- access tokens revoked one by one (RFC 7009)
  jti TEXT PRIMARY KEY,
  expires_at BIGINT NOT NULL
);
