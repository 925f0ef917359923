-- The event store's own database and role, beside Temporal's (created by auto-setup).
-- The password is set out of band: ALTER ROLE safeguard PASSWORD '...';
CREATE ROLE safeguard LOGIN;
CREATE DATABASE safeguard OWNER safeguard;
