-- Authorization: organizations, global roles, services with roles and permissions,
-- application tokens, webhooks. Timestamps are Unix seconds; flags are 0/1.
ALTER TABLE users ADD COLUMN locked INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN active_org_id TEXT;

CREATE TABLE organizations (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  description TEXT,
  created_by TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  deleted INTEGER NOT NULL DEFAULT 0,
  deleted_at BIGINT
);

CREATE TABLE org_roles (                      -- custom roles; owner/admin/member are built in
  id TEXT PRIMARY KEY,
  org_id TEXT NOT NULL REFERENCES organizations(id),
  name TEXT NOT NULL,
  description TEXT,
  permissions TEXT NOT NULL,                  -- JSON array of "resource:action"
  created_at BIGINT NOT NULL,
  UNIQUE (org_id, name)
);

CREATE TABLE org_members (
  org_id TEXT NOT NULL REFERENCES organizations(id),
  user_id TEXT NOT NULL REFERENCES users(id),
  role TEXT NOT NULL,                         -- owner | admin | member | custom role id
  created_at BIGINT NOT NULL,
  PRIMARY KEY (org_id, user_id)
);
CREATE INDEX org_members_user ON org_members(user_id);

CREATE TABLE org_invitations (
  id TEXT PRIMARY KEY,
  token_hash TEXT NOT NULL UNIQUE,
  org_id TEXT NOT NULL REFERENCES organizations(id),
  email TEXT NOT NULL,
  role TEXT NOT NULL,
  invited_by TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  accepted_at BIGINT,
  accepted_by TEXT
);

CREATE TABLE roles (                          -- global roles; lower level = more powerful
  name TEXT PRIMARY KEY,
  description TEXT,
  level INTEGER NOT NULL,
  created_at BIGINT NOT NULL
);
INSERT INTO roles (name, description, level, created_at) VALUES
  ('admin', 'Full administration', 0, 0),
  ('user', 'Registered user', 10, 0),
  ('guest', 'Limited access', 99, 0);

CREATE TABLE user_roles (
  user_id TEXT NOT NULL REFERENCES users(id),
  role_name TEXT NOT NULL REFERENCES roles(name),
  assigned_at BIGINT NOT NULL,
  assigned_by TEXT,
  PRIMARY KEY (user_id, role_name)
);
INSERT INTO user_roles (user_id, role_name, assigned_at) SELECT id, 'admin', created_at FROM users WHERE is_admin = 1;

CREATE TABLE services (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  name_normalized TEXT NOT NULL UNIQUE,
  description TEXT,
  owner_id TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  deleted INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE permissions (
  id TEXT PRIMARY KEY,
  service_id TEXT NOT NULL REFERENCES services(id),
  name TEXT NOT NULL,                         -- resource:action
  description TEXT,
  UNIQUE (service_id, name)
);

CREATE TABLE service_roles (
  id TEXT PRIMARY KEY,
  service_id TEXT NOT NULL REFERENCES services(id),
  name TEXT NOT NULL,
  description TEXT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  UNIQUE (service_id, name)
);

CREATE TABLE service_role_permissions (
  role_id TEXT NOT NULL REFERENCES service_roles(id),
  permission_id TEXT NOT NULL REFERENCES permissions(id),
  PRIMARY KEY (role_id, permission_id)
);

CREATE TABLE user_service_roles (
  user_id TEXT NOT NULL REFERENCES users(id),
  service_id TEXT NOT NULL REFERENCES services(id),
  role_id TEXT NOT NULL REFERENCES service_roles(id),
  org_id TEXT NOT NULL DEFAULT '',            -- '' = not scoped to an organization
  assigned_at BIGINT NOT NULL,
  assigned_by TEXT,
  PRIMARY KEY (user_id, role_id, org_id)
);
CREATE INDEX user_service_roles_lookup ON user_service_roles(user_id, service_id);

CREATE TABLE app_tokens (
  id TEXT PRIMARY KEY,
  service_id TEXT NOT NULL REFERENCES services(id),
  name TEXT NOT NULL,
  token_prefix TEXT NOT NULL,                 -- first characters, for recognition in lists
  token_hash TEXT NOT NULL UNIQUE,            -- hex HMAC-SHA-256 under a key derived from the master key
  scopes TEXT NOT NULL,                       -- JSON array
  created_by TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  expires_at BIGINT,
  revoked_at BIGINT,
  last_used_at BIGINT,
  use_count BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE app_token_usage (
  token_id TEXT NOT NULL REFERENCES app_tokens(id),
  day TEXT NOT NULL,                          -- YYYY-MM-DD (UTC)
  count BIGINT NOT NULL,
  PRIMARY KEY (token_id, day)
);

CREATE TABLE webhooks (
  id TEXT PRIMARY KEY,
  url TEXT NOT NULL,
  secret_sealed TEXT NOT NULL,                -- AES-256-GCM under the master key, aad = id
  event_types TEXT NOT NULL,                  -- JSON array; ["*"] = all
  description TEXT,
  created_by TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  active INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE webhook_deliveries (
  id TEXT PRIMARY KEY,
  webhook_id TEXT NOT NULL REFERENCES webhooks(id),
  event_type TEXT NOT NULL,
  payload TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at BIGINT NOT NULL,
  status TEXT NOT NULL DEFAULT 'pending',     -- pending | delivered | failed
  last_status_code INTEGER,
  last_error TEXT,
  delivered_at BIGINT
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries(status, next_attempt_at);
CREATE INDEX webhook_deliveries_hook ON webhook_deliveries(webhook_id, created_at);
INSERT INTO user_roles (user_id, role_name, assigned_at) SELECT id, 'user', created_at FROM users;
