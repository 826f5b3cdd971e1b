-- Authorization requests waiting for the user (sign-in, consent): kept server-side, so
-- prompt, max_age and every other parameter survive the detour through the login page.
CREATE TABLE oauth_pending_requests (
  handle_hash TEXT PRIMARY KEY,               -- SHA-256 of the random handle in the URL
  params TEXT NOT NULL,                       -- the authorization request, JSON object
  created_at BIGINT NOT NULL,
  signed_in_session TEXT,                     -- the session of a sign-in made for this request
  expires_at BIGINT NOT NULL
);
CREATE INDEX oauth_pending_expiry ON oauth_pending_requests(expires_at);
