-- outbox: the event queue between a state change and its asynchronous
-- effects, and what the listener daemon (museum-listener) and the probes
-- call. Every write that has effects elsewhere records an event in
-- outbox.event in its own transaction; the listener claims ready events
-- and applies them with outbox.process().
--
-- Each effect and its event's done mark commit in the same transaction, so
-- an event is applied exactly once however often the listener dies.
-- Effects read the current state of the source rows rather than trusting
-- the order they arrive in, so a late event never resurrects a canceled
-- booking.
--
-- To add an asynchronous effect: an event kind (outbox.event's CHECK, in a
-- migration), one effect function taking the batch's ids in its context's
-- file, and one line in outbox.apply_batch below.
--
-- Re-applied by db/migrate.sh on every run (see db/README.md); it comes
-- last, as outbox.status() reads the report views.

-- NOTIFY is only a wake-up, with a constant payload. It takes a
-- cluster-wide lock at commit and holds it through the WAL flush,
-- serialising the commits of every writer, so a writing session notifies
-- at most once per 200 ms (measurements in docs/PERFORMANCE.md). The
-- listener keeps polling every 5 ms for 250 ms after it last found work,
-- so a wake-up a session skips lands while some listener is still looking;
-- an idle listener is woken by the first write of any session that has not
-- notified lately, and polls every second anyway.
CREATE OR REPLACE FUNCTION outbox.wake() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    now_ms double precision := extract(epoch FROM clock_timestamp()) * 1000;
    last_ms double precision := nullif(current_setting('museum.wake_ms', true), '')::double precision;
BEGIN
    IF last_ms IS NULL OR now_ms - last_ms >= 200 OR now_ms < last_ms THEN
        PERFORM pg_notify('museum_outbox', '');
        PERFORM set_config('museum.wake_ms', now_ms::text, false);
    END IF;
    RETURN NULL;
END
$$;

CREATE OR REPLACE TRIGGER event_wake AFTER INSERT ON outbox.event
    FOR EACH STATEMENT EXECUTE FUNCTION outbox.wake();
-- A new email wakes the listeners too (a sign-in link, or an email added
-- to a booking, comes without an event): they send mail after each drain.
CREATE OR REPLACE TRIGGER message_wake AFTER INSERT ON mail.message
    FOR EACH STATEMENT EXECUTE FUNCTION outbox.wake();

-- Claims (locks, skipping what other listeners hold) up to p_limit ready
-- events in id order that may run now: none with an earlier pending event
-- of its booking, and none on either side of a pending exhibition deletion
-- (an exhibition's events wait for its pending deletion and vice versa), so
-- order holds across listeners.
-- The deletion ordering is checked only when a deletion is pending (almost
-- never): checked always, it made the planner scan every pending event per
-- candidate. So "is any deletion pending?" is asked first, once per query
-- (an InitPlan), and guards the two deletion subplans, which are never run
-- when it is false. Asked in the query rather than as a plpgsql variable,
-- it leaves the query without a parameter that would make PostgreSQL plan
-- it afresh on every call.
CREATE OR REPLACE FUNCTION outbox.claim(p_limit integer) RETURNS SETOF outbox.event
LANGUAGE plpgsql AS $$
BEGIN
    RETURN QUERY
    SELECT * FROM outbox.event e
    WHERE e.done_at IS NULL AND NOT e.dead AND e.available_at <= now()
      AND (e.book_id IS NULL OR NOT EXISTS (
            SELECT 1 FROM outbox.event p
            WHERE p.done_at IS NULL AND p.book_id = e.book_id AND p.id < e.id))
      AND (NOT (SELECT EXISTS (SELECT 1 FROM outbox.event d
                               WHERE d.done_at IS NULL AND d.kind = 'MUSEUM_DELETED'))
           OR (NOT EXISTS (
                SELECT 1 FROM outbox.event p
                WHERE p.done_at IS NULL AND p.kind = 'MUSEUM_DELETED'
                  AND p.museum_id = e.museum_id AND p.id < e.id)
               AND (e.kind <> 'MUSEUM_DELETED' OR NOT EXISTS (
                SELECT 1 FROM outbox.event p
                WHERE p.done_at IS NULL AND p.museum_id = e.museum_id AND p.id < e.id))))
    ORDER BY e.id
    LIMIT p_limit
    FOR UPDATE SKIP LOCKED;
END
$$;

-- Applies claimed events, one statement per kind of effect, and marks them
-- done. Returns the number of events. The claim never puts two events of
-- one booking in one batch, nor a deletion together with its exhibition's
-- events; and every effect reads the rows' current state, so the outcome
-- is that of applying the events one by one.
-- The one place that maps an event kind to its effects: BOOKED ->
-- confirm.on_booked, CANCELED -> museum.on_canceled, MOVED ->
-- confirm.on_moved, MUSEUM_DELETED and DAY_CLOSED -> waitlist.cancel_for
-- (with the first chunk) and book.force_cancel (one chunk of bookings per
-- batch: the event stays pending, with its progress, until the last); then
-- mypage.refresh of every booking touched.
CREATE OR REPLACE FUNCTION outbox.apply_batch(p_events outbox.event[]) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    -- Bookings one deletion force-cancels per batch (a setting only tests
    -- change, to see several chunks on a small exhibition; anything but a
    -- whole number from 1 is ignored).
    delete_chunk constant integer :=
        CASE WHEN current_setting('museum.delete_chunk', true) ~ '^[1-9][0-9]{0,6}$'
             THEN current_setting('museum.delete_chunk', true)::integer ELSE 2000 END;
    booked   bigint[];
    canceled bigint[];
    moved    bigint[];
    unfinished bigint[] := '{}';
    chunk    record;
    ev       outbox.event;
BEGIN
    IF cardinality(p_events) = 0 THEN
        RETURN 0;
    END IF;
    SELECT coalesce(array_agg(e.book_id ORDER BY e.book_id) FILTER (WHERE e.kind = 'BOOKED'), '{}'),
           coalesce(array_agg(e.book_id ORDER BY e.book_id) FILTER (WHERE e.kind = 'CANCELED'), '{}'),
           coalesce(array_agg(e.book_id ORDER BY e.book_id) FILTER (WHERE e.kind = 'MOVED'), '{}')
    INTO booked, canceled, moved
    FROM unnest(p_events) e;
    IF cardinality(booked) > 0 THEN
        PERFORM confirm.on_booked(booked);
    END IF;
    IF cardinality(canceled) > 0 THEN
        PERFORM museum.on_canceled(canceled);
    END IF;
    IF cardinality(moved) > 0 THEN
        PERFORM confirm.on_moved(moved);
    END IF;
    FOREACH ev IN ARRAY p_events LOOP
        IF ev.kind IN ('MUSEUM_DELETED', 'DAY_CLOSED') THEN
            IF ev.progress IS NULL THEN -- the first chunk: its waiting list too
                PERFORM waitlist.cancel_for(ev.museum_id, ev.day, ev.created_at);
            END IF;
            chunk := book.force_cancel(ev.museum_id, ev.day, ev.created_at, ev.progress, delete_chunk);
            PERFORM mypage.refresh(chunk.changed);
            IF chunk.next_after IS NOT NULL THEN -- stays pending: the next batch goes on
                UPDATE outbox.event SET progress = chunk.next_after, progress_at = clock_timestamp()
                WHERE id = ev.id;
                unfinished := unfinished || ev.id;
            END IF;
        END IF;
    END LOOP;
    PERFORM mypage.refresh(booked || canceled || moved);
    UPDATE outbox.event SET done_at = clock_timestamp(), attempts = attempts + 1
    WHERE id = ANY (SELECT e.id FROM unnest(p_events) e) AND id <> ALL (unfinished);
    RETURN cardinality(p_events);
END
$$;

-- The listener's one call: claims up to p_limit events (outbox.claim) and
-- applies them (outbox.apply_batch). Returns the number of events claimed.
-- p_isolate = false: one transaction for the batch; any failure aborts it
-- all (the caller then retries with p_isolate = true).
-- p_isolate = true: each event applied alone, in its own subtransaction; a
-- failing event is retried later, after p_backoff_ms * 2^attempts (capped
-- at 5 minutes) times a jitter factor in [0.5, 1.5), and parked dead after
-- p_max_attempts.
CREATE OR REPLACE FUNCTION outbox.process(p_limit integer, p_isolate boolean DEFAULT false,
                                          p_max_attempts integer DEFAULT 10,
                                          p_backoff_ms integer DEFAULT 100)
RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    ev outbox.event;
    n  integer := 0;
BEGIN
    IF NOT p_isolate THEN
        RETURN outbox.apply_batch(ARRAY(SELECT c FROM outbox.claim(p_limit) c));
    END IF;
    FOR ev IN SELECT * FROM outbox.claim(p_limit) LOOP
        n := n + 1;
        BEGIN
            PERFORM outbox.apply_batch(ARRAY[ev]);
        EXCEPTION WHEN OTHERS THEN
            UPDATE outbox.event
            SET attempts = attempts + 1,
                last_error = SQLSTATE || ': ' || SQLERRM,
                dead = attempts + 1 >= p_max_attempts,
                available_at = now() + least(interval '5 minutes',
                    make_interval(secs => p_backoff_ms / 1000.0 * power(2, attempts)
                                          * (0.5 + random())))
            WHERE id = ev.id;
        END;
    END LOOP;
    RETURN n;
END
$$;
-- The listener's only (013); the REVOKE upgrades a database from before it.
REVOKE EXECUTE ON FUNCTION outbox.process(integer, boolean, integer, integer) FROM museum_app;
GRANT EXECUTE ON FUNCTION outbox.process(integer, boolean, integer, integer) TO museum_listener;

-- Puts parked (dead) events back in the queue (make retry-dead). Returns
-- how many.
CREATE OR REPLACE FUNCTION outbox.retry_dead() RETURNS integer
LANGUAGE sql AS $$
    WITH r AS (
        UPDATE outbox.event SET dead = false, attempts = 0, available_at = now()
        WHERE dead AND done_at IS NULL RETURNING 1
    )
    SELECT count(*)::integer FROM r;
$$;

-- Deletes up to p_batch events done more than p_retention ago, and up to
-- p_batch emails sent (or passed over as obsolete) more than p_retention
-- ago. Returns the larger of the two counts; the caller repeats while it
-- gets a full batch.
CREATE OR REPLACE FUNCTION outbox.prune(p_retention interval, p_batch integer) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    cutoff timestamptz := now() - p_retention;
    events integer;
    emails integer;
BEGIN
    -- Each found through its done-time index (event_done_at,
    -- message_done), then deleted by id from an array: a join there let the
    -- planner hash it against a sequential scan of the whole table.
    DELETE FROM outbox.event e WHERE e.id = ANY (ARRAY(
        SELECT id FROM outbox.event
        WHERE done_at IS NOT NULL AND done_at < cutoff
        ORDER BY done_at
        LIMIT p_batch));
    GET DIAGNOSTICS events = ROW_COUNT;
    DELETE FROM mail.message m WHERE m.id = ANY (ARRAY(
        SELECT id FROM mail.message
        WHERE (sent_at IS NOT NULL OR obsolete_at IS NOT NULL)
          AND coalesce(sent_at, obsolete_at) < cutoff
        ORDER BY coalesce(sent_at, obsolete_at)
        LIMIT p_batch));
    GET DIAGNOSTICS emails = ROW_COUNT;
    RETURN greatest(events, emails);
END
$$;
-- The listener's only (013); the REVOKE upgrades a database from before it.
REVOKE EXECUTE ON FUNCTION outbox.prune(interval, integer) FROM museum_app;
GRANT EXECUTE ON FUNCTION outbox.prune(interval, integer) TO museum_listener;

-- Records that listener p_name (process p_pid) is alive and has applied
-- p_events events since it started.
CREATE OR REPLACE FUNCTION outbox.listener_beat(p_name text, p_pid integer, p_events bigint)
RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    INSERT INTO outbox.listener AS l (name, pid, events) VALUES (p_name, p_pid, p_events)
    ON CONFLICT (name) DO UPDATE
    SET last_seen = now(), events = excluded.events,
        pid = excluded.pid,
        started_at = CASE WHEN l.pid = excluded.pid THEN l.started_at ELSE now() END;
$$;
-- The listener's only (013); the REVOKE upgrades a database from before it.
REVOKE EXECUTE ON FUNCTION outbox.listener_beat(text, integer, bigint) FROM museum_app;
GRANT EXECUTE ON FUNCTION outbox.listener_beat(text, integer, bigint) TO museum_listener;

-- A listener that stops cleanly leaves the heartbeat table.
CREATE OR REPLACE FUNCTION outbox.listener_gone(p_name text, p_pid integer) RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    DELETE FROM outbox.listener WHERE name = p_name AND pid = p_pid;
$$;
-- The listener's only (013); the REVOKE upgrades a database from before it.
REVOKE EXECUTE ON FUNCTION outbox.listener_gone(text, integer) FROM museum_app;
GRANT EXECUTE ON FUNCTION outbox.listener_gone(text, integer) TO museum_listener;

-- GET /readyz: the listener lag, in seconds: how long the oldest work it
-- could be doing has waited (0 when there is none). That is the oldest
-- pending (not dead) event, leaving out a deletion that is going on (a
-- chunk per batch) and the events waiting behind it, and such a deletion
-- since its last chunk. Two index scans, whatever the backlog.
CREATE OR REPLACE FUNCTION outbox.lag_seconds() RETURNS double precision
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT greatest(
        (SELECT extract(epoch FROM now() - e.created_at)
         FROM outbox.event e
         WHERE e.done_at IS NULL AND NOT e.dead AND e.progress_at IS NULL
           AND NOT EXISTS (SELECT 1 FROM outbox.event d
                           WHERE d.done_at IS NULL AND d.kind = 'MUSEUM_DELETED'
                             AND d.museum_id = e.museum_id AND d.id < e.id
                             AND d.progress_at IS NOT NULL)
         ORDER BY e.id LIMIT 1),
        (SELECT extract(epoch FROM max(now() - d.progress_at))
         FROM outbox.event d
         WHERE d.done_at IS NULL AND d.kind IN ('MUSEUM_DELETED', 'DAY_CLOSED') AND NOT d.dead),
        0)::double precision;
$$;
GRANT EXECUTE ON FUNCTION outbox.lag_seconds() TO museum_app;

-- GET /status: one row, the outbox backlog (the oldest pending event's
-- age, and the lag /readyz judges by), the listeners' heartbeats and the
-- email queue (mail.queue_status).
CREATE OR REPLACE FUNCTION outbox.status()
RETURNS TABLE (pending bigint, oldest_pending_seconds double precision, dead bigint,
               processed_last_minute bigint, listeners json, lag_seconds double precision,
               mail json)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT o.pending, extract(epoch FROM o.oldest_pending_age)::double precision, o.dead,
           o.processed_last_minute,
           (SELECT coalesce(json_agg(json_build_object(
                       'name', l.name, 'pid', l.pid, 'events', l.events,
                       'lastSeenSeconds', round(extract(epoch FROM l.silent_for)::numeric, 1))
                       ORDER BY l.name), '[]')
            FROM report.listeners l),
           outbox.lag_seconds(),
           (SELECT json_build_object('due', q.due, 'waiting', q.waiting, 'dead', q.dead,
                                     'sentLastHour', q.sent_last_hour,
                                     'notSentLastHour', q.not_sent_last_hour,
                                     'oldestUnsentSeconds', round(q.oldest_due_seconds::numeric, 1))
            FROM mail.queue_status() q)
    FROM report.outbox o;
$$;
GRANT EXECUTE ON FUNCTION outbox.status() TO museum_app;
