-- Least privilege. The application (museum-app, museum-listener) connects
-- as museum_app, which may only EXECUTE the API functions below: they are
-- SECURITY DEFINER (run as their owner, the role that runs the migrations)
-- with a fixed search_path, so museum_app owns nothing, reads no table and
-- can neither create nor change nor drop anything. psql users may log in
-- as reporting (or be granted it), which may only read the report views.
--
-- Roles are cluster-wide: created here when missing, which needs CREATEROLE
-- (the embedded cluster runs migrations as its superuser). On an external
-- server without it, have an administrator run first:
--   CREATE ROLE museum_app LOGIN PASSWORD '…'; CREATE ROLE reporting LOGIN PASSWORD '…';
-- A new API function in a later migration needs the same three steps:
-- SECURITY DEFINER, SET search_path, GRANT EXECUTE TO museum_app; they are
-- what public.grant_api() below does.

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
REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA museum, book, confirm, mypage, outbox, report FROM PUBLIC;
ALTER DEFAULT PRIVILEGES REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;
REVOKE CREATE ON SCHEMA public FROM PUBLIC; -- the default since PostgreSQL 15

GRANT USAGE ON SCHEMA museum, book, confirm, mypage, outbox TO museum_app;

-- Makes functions callable by museum_app: SECURITY DEFINER with a fixed
-- search_path, EXECUTE granted. Later migrations call it for theirs.
CREATE FUNCTION public.grant_api(p_functions regprocedure[]) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    f regprocedure;
BEGIN
    FOREACH f IN ARRAY p_functions LOOP
        EXECUTE format('ALTER FUNCTION %s SECURITY DEFINER SET search_path = pg_catalog, pg_temp', f);
        EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO museum_app', f);
    END LOOP;
END
$$;

SELECT public.grant_api(ARRAY[
    'museum.create(text, date, integer)',
    'museum.get(bigint)',
    'museum.list(bigint, integer)',
    'museum.delete(bigint)',
    'book.create(bigint, text, text, text, text)',
    'book.get(bigint, boolean, text)',
    'book.list(bigint, text, text, bigint, integer)',
    'book.set_status(bigint, text, boolean, text, text, text)',
    'confirm.get(bigint, boolean, text)',
    'confirm.list(bigint, bigint, bigint, integer, boolean, text)',
    'mypage.get(bigint, boolean, text)',
    'mypage.list(text, bigint, bigint, integer, boolean, text)',
    'outbox.process(integer, boolean, integer)'
]::regprocedure[]);

GRANT USAGE ON SCHEMA report TO reporting;
GRANT SELECT ON ALL TABLES IN SCHEMA report TO reporting;
ALTER DEFAULT PRIVILEGES IN SCHEMA report GRANT SELECT ON TABLES TO reporting;
