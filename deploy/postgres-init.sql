-- The event store's own database and role, beside Temporal's (created by auto-setup).
-- The password is set out of band: ALTER ROLE safeguard PASSWORD '...';
CREATE ROLE safeguard LOGIN;
CREATE DATABASE safeguard OWNER safeguard;

-- The key store (eventstore/keys_postgres.py): a schema of its own, owned by a role of its own that
-- only Safeguard's worker and web processes hold (SAFEGUARD_POSTGRES_KEYS_USER and _PASSWORD).
-- The event store's role (safeguard), Temporal's and anyone given read access to the events cannot
-- read the keys, and a pg_dump of the event store leaves them out.
-- The password is set out of band: ALTER ROLE safeguard_keys PASSWORD '...';
CREATE ROLE safeguard_keys LOGIN;
\connect safeguard
CREATE SCHEMA safeguard_keys AUTHORIZATION safeguard_keys;
REVOKE ALL ON SCHEMA safeguard_keys FROM PUBLIC;
