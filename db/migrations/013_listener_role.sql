-- The listener gets its own role. museum-listener connects as
-- museum_listener, which may only EXECUTE the listener's four functions
-- (outbox.process, outbox.listener_beat, outbox.prune, outbox.listener_gone;
-- their grants, and the REVOKEs from museum_app that used to run them, are
-- next to them in db/functions/outbox.sql). museum_app keeps the API and
-- the probes (outbox.status, outbox.lag_seconds), so a compromised web
-- worker can neither prune the outbox nor fake listener heartbeats.
--
-- Created here when missing, like museum_app in 006_roles.sql (needs
-- CREATEROLE; on an external server without it, have an administrator run
-- first: CREATE ROLE museum_listener LOGIN PASSWORD '…';).

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'museum_listener') THEN
        CREATE ROLE museum_listener LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION
            NOBYPASSRLS CONNECTION LIMIT 50;
    END IF;
END
$$;

GRANT USAGE ON SCHEMA outbox TO museum_listener;

-- PostgreSQL's log must never hold a booking token, and a token is a bind
-- parameter: with the default log_parameter_max_length (-1) a statement
-- slower than log_min_duration_statement is logged with all its parameters.
-- These are superuser settings (PGC_SUSET): set on the roles when the
-- migration's role may (the embedded cluster's owner is its superuser; on
-- PostgreSQL 15 a role granted SET on both parameters may too); else a
-- notice says what the server's administrator should set.
DO $$
DECLARE
    may boolean := (SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user);
    r text;
BEGIN
    IF NOT may AND current_setting('server_version_num')::integer >= 150000 THEN
        EXECUTE $q$SELECT has_parameter_privilege('log_parameter_max_length', 'SET')
                      AND has_parameter_privilege('log_parameter_max_length_on_error', 'SET')$q$ INTO may;
    END IF;
    IF may THEN
        FOREACH r IN ARRAY ARRAY['museum_app', 'museum_listener'] LOOP
            EXECUTE format('ALTER ROLE %I SET log_parameter_max_length = 0', r);
            EXECUTE format('ALTER ROLE %I SET log_parameter_max_length_on_error = 0', r);
        END LOOP;
    ELSE
        RAISE WARNING 'not allowed to set log_parameter_max_length on museum_app and museum_listener: '
            'set log_parameter_max_length = 0 and log_parameter_max_length_on_error = 0 on the server '
            '(or on those roles), else slow statements are logged with their booking tokens';
    END IF;
END
$$;
