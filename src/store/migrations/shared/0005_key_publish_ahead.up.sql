-- A new signing key is published before it signs (issue 8): the time it may start.
-- NULL: from created_at (keys made before this migration, and the first key).
ALTER TABLE signing_keys ADD COLUMN signs_from BIGINT;
