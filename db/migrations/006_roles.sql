-- Least privilege. The application (museum-app; museum-listener too until
-- 013_listener_role.sql) connects as museum_app, which may only EXECUTE the
-- API functions (SECURITY DEFINER, run as their owner, the role that runs
-- the migrations, with a fixed search_path) and read the view
-- museum.live_exhibition: it owns nothing, reads no table and can neither
-- change nor drop anything, nor create anything but temporary objects of
-- its own session. psql users may log in as reporting (or be granted it), which
-- may only read the report views. The grants on functions and views are
-- written next to their definitions in db/functions/.
--
-- Roles are cluster-wide: created here when missing, which needs CREATEROLE
-- (the embedded cluster runs migrations as its superuser). On an external
-- server without it, have an administrator run first:
--   CREATE ROLE museum_app LOGIN PASSWORD '…'; CREATE ROLE reporting LOGIN PASSWORD '…';

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'museum_app') THEN
        CREATE ROLE museum_app LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION
            NOBYPASSRLS CONNECTION LIMIT 300;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'reporting') THEN
        CREATE ROLE reporting LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
    END IF;
END
$$;

-- Functions are executable by PUBLIC by default: not ours.
ALTER DEFAULT PRIVILEGES REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;
REVOKE CREATE ON SCHEMA public FROM PUBLIC; -- the default since PostgreSQL 15

GRANT USAGE ON SCHEMA museum, book, confirm, mypage, outbox TO museum_app;

GRANT USAGE ON SCHEMA report TO reporting;
ALTER DEFAULT PRIVILEGES IN SCHEMA report GRANT SELECT ON TABLES TO reporting;
