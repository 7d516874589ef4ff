-- report: read-only views for psql users (see docs/reporting.md), which the
-- role reporting may read, and nothing else. outbox.status() reads two of
-- them, so this file comes before outbox.sql.
--
-- Re-applied by db/migrate.sh on every run (see db/README.md). A view's
-- columns cannot change with CREATE OR REPLACE (only new ones at the end):
-- a migration drops the view first.

-- One row per live exhibition: capacity is per slot, pcnt the seats left
-- in its open slots that have not ended; booked counts its live bookings
-- and seats the visitors they bring (their parties), past visits
-- included. The seat invariant holds per slot: report.slot_occupancy.
CREATE OR REPLACE VIEW report.occupancy AS
SELECT e.id AS museum_id, e.name, e.chk_date, e.capacity, e.pcnt,
       count(b.id) FILTER (WHERE b.status IN ('REQUESTED', 'REQUEST_COMPLETED')) AS booked,
       count(b.id) FILTER (WHERE b.status = 'CANCELED') AS canceled,
       count(b.id) FILTER (WHERE b.status = 'FORCE_CANCELED') AS force_canceled,
       coalesce(sum(b.party) FILTER (WHERE b.status IN ('REQUESTED', 'REQUEST_COMPLETED')), 0)
           AS seats
FROM museum.live_exhibition e
LEFT JOIN book.booking b ON b.museum_id = e.id
GROUP BY e.id, e.name, e.chk_date, e.capacity, e.pcnt
ORDER BY e.id;
GRANT SELECT ON report.occupancy TO reporting;

-- One row per open slot of a live exhibition: booked is the seats its live
-- bookings hold, left its seats left, held the seats its waiting list's
-- offers hold (capacity = booked + left + held once the listener has
-- caught up with cancels). slot_start in the museum's time
-- zone, as the session shows it.
CREATE OR REPLACE VIEW report.slot_occupancy AS
SELECT s.museum_id, e.name, s.start_at AS slot_start, s.capacity,
       coalesce(b.seats, 0) AS booked, s.seats_left AS "left", coalesce(h.seats, 0) AS held
FROM museum.slot s
JOIN museum.exhibition e ON e.id = s.museum_id AND e.deleted_at IS NULL
LEFT JOIN (SELECT slot_id, sum(party) AS seats FROM book.booking
           WHERE status IN ('REQUESTED', 'REQUEST_COMPLETED') GROUP BY slot_id) b
    ON b.slot_id = s.id
LEFT JOIN (SELECT slot_id, sum(held) AS seats FROM waitlist.entry
           WHERE status = 'OFFERED' GROUP BY slot_id) h
    ON h.slot_id = s.id
WHERE s.open
ORDER BY s.museum_id, s.start_at;
GRANT SELECT ON report.slot_occupancy TO reporting;

-- The waiting list per slot (docs/waitlist.md): how many entries are
-- waiting, offered (holding seats), and how many were accepted, expired or
-- left. slot_start in the museum's time zone.
CREATE OR REPLACE VIEW report.waitlist AS
SELECT w.museum_id, w.slot_start,
       count(*) FILTER (WHERE w.status = 'WAITING') AS waiting,
       count(*) FILTER (WHERE w.status = 'OFFERED') AS offered,
       count(*) FILTER (WHERE w.status = 'ACCEPTED') AS accepted,
       count(*) FILTER (WHERE w.status = 'EXPIRED') AS expired,
       count(*) FILTER (WHERE w.status = 'LEFT') AS "left"
FROM waitlist.entry w
GROUP BY w.museum_id, w.slot_start
ORDER BY w.museum_id, w.slot_start;
GRANT SELECT ON report.waitlist TO reporting;

-- Visitors booked (live bookings) per day of visit, exhibition and
-- category (the counts of the bookings' tickets).
CREATE OR REPLACE VIEW report.visitors AS
SELECT b.chk_date AS day, b.museum_id, t.key AS category, sum(t.value::integer) AS tickets
FROM book.booking b
CROSS JOIN LATERAL jsonb_each_text(b.tickets) t
WHERE b.status IN ('REQUESTED', 'REQUEST_COMPLETED')
GROUP BY b.chk_date, b.museum_id, t.key
ORDER BY b.chk_date, b.museum_id, t.key;
GRANT SELECT ON report.visitors TO reporting;

-- Bookings made and cancellations per calendar day (server time zone).
CREATE OR REPLACE VIEW report.daily_bookings AS
WITH made AS (
    SELECT created_at::date AS day, count(*) AS n FROM book.booking GROUP BY 1
), canceled AS (
    SELECT canceled_at::date AS day,
           count(*) FILTER (WHERE status = 'CANCELED') AS canceled,
           count(*) FILTER (WHERE status = 'FORCE_CANCELED') AS force_canceled
    FROM book.booking WHERE canceled_at IS NOT NULL GROUP BY 1
)
SELECT day,
       coalesce(made.n, 0) AS bookings,
       coalesce(canceled.canceled, 0) AS cancellations,
       coalesce(canceled.force_canceled, 0) AS force_cancellations
FROM made FULL JOIN canceled USING (day)
ORDER BY day;
GRANT SELECT ON report.daily_bookings TO reporting;

-- The listener's backlog and health.
CREATE OR REPLACE VIEW report.outbox AS
SELECT count(*) FILTER (WHERE done_at IS NULL AND NOT dead) AS pending,
       coalesce(max(now() - created_at) FILTER (WHERE done_at IS NULL AND NOT dead),
                interval '0') AS oldest_pending_age,
       count(*) FILTER (WHERE dead AND done_at IS NULL) AS dead,
       count(*) FILTER (WHERE done_at > now() - interval '1 minute') AS processed_last_minute
FROM outbox.event
WHERE done_at IS NULL OR done_at > now() - interval '1 minute';
GRANT SELECT ON report.outbox TO reporting;

-- Parked events with their last error, for psql users.
CREATE OR REPLACE VIEW report.dead_events AS
SELECT id, kind, museum_id, book_id, created_at, attempts, last_error
FROM outbox.event
WHERE dead AND done_at IS NULL
ORDER BY id;
GRANT SELECT ON report.dead_events TO reporting;

-- Listener instances and how long since each was last seen.
CREATE OR REPLACE VIEW report.listeners AS
SELECT name, pid, started_at, last_seen, now() - last_seen AS silent_for, events
FROM outbox.listener
ORDER BY name;
GRANT SELECT ON report.listeners TO reporting;

-- The door (docs/door.md). One row per exhibition, day (the museum's) and
-- gate: scans, the parties and people admitted, exits, and refusals by
-- reason. museum_id is NULL for codes that named no booking (unknown).
CREATE OR REPLACE VIEW report.checkins AS
SELECT s.museum_id, s.day, s.gate, count(*) AS scans,
       count(*) FILTER (WHERE s.result = 'admitted') AS admitted_parties,
       coalesce(sum(s.party) FILTER (WHERE s.result = 'admitted'), 0) AS admitted_people,
       count(*) FILTER (WHERE s.result = 'exited') AS exits,
       count(*) FILTER (WHERE s.reason = 'already_admitted') AS already_admitted,
       count(*) FILTER (WHERE s.reason = 'canceled') AS canceled,
       count(*) FILTER (WHERE s.reason = 'too_early') AS too_early,
       count(*) FILTER (WHERE s.reason = 'too_late') AS too_late,
       count(*) FILTER (WHERE s.reason = 'not_admitted') AS not_admitted,
       count(*) FILTER (WHERE s.reason = 'already_exited') AS already_exited,
       count(*) FILTER (WHERE s.result = 'unknown') AS unknown_code
FROM door.scan s
GROUP BY s.museum_id, s.day, s.gate
ORDER BY s.day, s.museum_id, s.gate;
GRANT SELECT ON report.checkins TO reporting;

-- Live bookings (REQUESTED, REQUEST_COMPLETED) never admitted whose slot
-- ended more than CHECKIN_LATE_MIN minutes ago: their door has closed. The
-- minutes are the database setting museum.checkin_late_min, which
-- scripts/stack.sh's migrate step sets from CHECKIN_LATE_MIN (the app's
-- setting: one source); 60 when unset.
CREATE OR REPLACE VIEW report.no_shows AS
SELECT b.id AS book_id, b.museum_id, b.name, b.chk_date AS day, b.cust_nm, b.party,
       b.slot_start, b.slot_end, b.status::text AS status
FROM book.booking b
WHERE b.status IN ('REQUESTED', 'REQUEST_COMPLETED')
  AND b.slot_end < now() - make_interval(mins => coalesce(
          nullif(current_setting('museum.checkin_late_min', true), '')::integer, 60))
  AND NOT EXISTS (SELECT 1 FROM door.scan s WHERE s.book_id = b.id AND s.result = 'admitted')
ORDER BY b.slot_end, b.id;
GRANT SELECT ON report.no_shows TO reporting;
