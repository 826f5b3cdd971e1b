DROP TABLE oauth_revoked_tokens;
DROP TABLE browser_sessions;
DROP TABLE oauth_device_codes;
DROP TABLE oauth_consents;
DROP TABLE oauth_refresh_tokens;
DROP TABLE oauth_codes;
DROP TABLE oauth_grants;
DROP TABLE oauth_clients;
