DROP TABLE oauth_pending_requests;
