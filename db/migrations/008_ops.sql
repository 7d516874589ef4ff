-- Operations: what the status output and the readiness probe read.

-- One row: the outbox backlog and the listeners' heartbeats.
CREATE FUNCTION outbox.status()
RETURNS TABLE (pending bigint, oldest_pending_seconds double precision, dead bigint,
               processed_last_minute bigint, listeners json)
LANGUAGE sql STABLE AS $$
    SELECT o.pending, extract(epoch FROM o.oldest_pending_age)::double precision, o.dead,
           o.processed_last_minute,
           (SELECT coalesce(json_agg(json_build_object(
                       'name', l.name, 'pid', l.pid, 'events', l.events,
                       'lastSeenSeconds', round(extract(epoch FROM l.silent_for)::numeric, 1))
                       ORDER BY l.name), '[]')
            FROM report.listeners l)
    FROM report.outbox o;
$$;

-- Seconds the oldest pending (not dead) event has waited: the listener lag.
CREATE FUNCTION outbox.lag_seconds() RETURNS double precision
LANGUAGE sql STABLE AS $$
    SELECT coalesce((SELECT extract(epoch FROM now() - created_at)::double precision
                     FROM outbox.event WHERE done_at IS NULL AND NOT dead
                     ORDER BY id LIMIT 1), 0);
$$;

-- A listener that stops cleanly leaves the heartbeat table.
CREATE FUNCTION outbox.listener_gone(p_name text, p_pid integer) RETURNS void
LANGUAGE sql AS $$
    DELETE FROM outbox.listener WHERE name = p_name AND pid = p_pid;
$$;

-- What the app (probes) and the listener call, as museum_app.
SELECT public.grant_api(ARRAY[
    'outbox.status()',
    'outbox.lag_seconds()',
    'outbox.listener_gone(text, integer)'
]::regprocedure[]);
