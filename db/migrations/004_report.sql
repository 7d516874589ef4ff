-- report: read-only views for psql users (see docs/reporting.md).

CREATE SCHEMA report;

-- One row per live exhibition. booked counts live bookings, so that
-- pcnt = capacity - booked once the listener has caught up.
CREATE VIEW report.occupancy AS
SELECT e.id AS museum_id, e.name, e.chk_date, e.capacity, e.pcnt,
       count(b.id) FILTER (WHERE b.status IN ('REQUESTED', 'REQUEST_COMPLETED')) AS booked,
       count(b.id) FILTER (WHERE b.status = 'CANCELED') AS canceled,
       count(b.id) FILTER (WHERE b.status = 'FORCE_CANCELED') AS force_canceled
FROM museum.exhibition e
LEFT JOIN book.booking b ON b.museum_id = e.id
WHERE e.deleted_at IS NULL
GROUP BY e.id
ORDER BY e.id;

-- Bookings made and cancellations per calendar day (server time zone).
CREATE VIEW report.daily_bookings AS
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

-- The listener's backlog and health.
CREATE VIEW report.outbox AS
SELECT count(*) FILTER (WHERE done_at IS NULL AND NOT dead) AS pending,
       coalesce(max(now() - created_at) FILTER (WHERE done_at IS NULL AND NOT dead),
                interval '0') AS oldest_pending_age,
       count(*) FILTER (WHERE dead AND done_at IS NULL) AS dead,
       count(*) FILTER (WHERE done_at > now() - interval '1 minute') AS processed_last_minute
FROM outbox.event
WHERE done_at IS NULL OR done_at > now() - interval '1 minute';

-- Parked events with their last error, for psql users.
CREATE VIEW report.dead_events AS
SELECT id, kind, museum_id, book_id, created_at, attempts, last_error
FROM outbox.event
WHERE dead AND done_at IS NULL
ORDER BY id;
