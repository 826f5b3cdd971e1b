-- Core identity schema: users, sessions, refresh tokens, one-time email tokens,
-- signing keys, mail outbox and audit log. Timestamps are Unix seconds; flags are 0/1.
CREATE TABLE users (
  id TEXT PRIMARY KEY,                      -- public id (UUID v4)
  email TEXT NOT NULL,
  email_normalized TEXT NOT NULL UNIQUE,    -- lower-cased; kept after soft delete
  username TEXT,
  username_normalized TEXT UNIQUE,
  name TEXT,
  password_hash TEXT,
  email_verified INTEGER NOT NULL DEFAULT 0,
  email_verified_at BIGINT,
  is_admin INTEGER NOT NULL DEFAULT 0,
  deleted INTEGER NOT NULL DEFAULT 0,
  deleted_at BIGINT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  last_login_at BIGINT,
  password_changed_at BIGINT
);

CREATE TABLE sessions (
  id TEXT PRIMARY KEY,                      -- also the refresh-token family id
  user_id TEXT NOT NULL REFERENCES users(id),
  created_at BIGINT NOT NULL,
  last_used_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  ip TEXT,
  user_agent TEXT,
  revoked_at BIGINT,
  revoke_reason TEXT
);
CREATE INDEX sessions_user ON sessions(user_id, revoked_at);

CREATE TABLE refresh_tokens (
  token_hash TEXT PRIMARY KEY,              -- hex SHA-256 of the opaque token
  session_id TEXT NOT NULL REFERENCES sessions(id),
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  rotated_at BIGINT,                        -- set when exchanged for a successor
  successor_hash TEXT
);
CREATE INDEX refresh_tokens_session ON refresh_tokens(session_id);

CREATE TABLE email_tokens (
  token_hash TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users(id),
  purpose TEXT NOT NULL,                    -- verify_email | reset_password
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  used_at BIGINT
);
CREATE INDEX email_tokens_user ON email_tokens(user_id, purpose);

CREATE TABLE signing_keys (
  kid TEXT PRIMARY KEY,
  alg TEXT NOT NULL,
  public_pem TEXT NOT NULL,
  private_sealed TEXT NOT NULL,             -- base64(AES-256-GCM(nonce||ct||tag)), aad = kid
  created_at BIGINT NOT NULL,
  retired_at BIGINT,                        -- no longer signs
  expires_at BIGINT                         -- dropped from JWKS after this
);

CREATE TABLE mail_outbox (
  id TEXT PRIMARY KEY,
  recipient TEXT NOT NULL,
  subject TEXT NOT NULL,
  body TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at BIGINT NOT NULL,
  sent_at BIGINT,
  failed_at BIGINT,
  last_error TEXT
);
CREATE INDEX mail_outbox_pending ON mail_outbox(sent_at, next_attempt_at);

CREATE TABLE audit_log (
  id BIGSERIAL PRIMARY KEY,
  at BIGINT NOT NULL,
  actor_id TEXT,
  action TEXT NOT NULL,
  subject_id TEXT,
  ip TEXT,
  user_agent TEXT,
  request_id TEXT,
  outcome TEXT NOT NULL DEFAULT 'success',
  details TEXT
);
CREATE INDEX audit_log_actor ON audit_log(actor_id, at);
CREATE INDEX audit_log_action ON audit_log(action, at);
