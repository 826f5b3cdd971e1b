DROP TABLE audit_log;
DROP TABLE mail_outbox;
DROP TABLE signing_keys;
DROP TABLE email_tokens;
DROP TABLE refresh_tokens;
DROP TABLE sessions;
DROP TABLE users;
