-- The database's own minimum for GET /museums (issue 16): a plain SELECT
-- of the same rows (the first 101 live exhibitions) and columns (seats
-- left summed over the open slots not ended), raw types, no formatting.
SELECT e.id, e.name, e.start_date, e.capacity,
       (SELECT sum(s.seats_left) FROM museum.slot s
        WHERE s.museum_id = e.id AND s.end_at > now() AND s.open) AS pcnt,
       e.end_date, e.opens, e.closes, e.slot_minutes, e.closed_weekdays, e.closed_dates,
       e.description
FROM museum.exhibition e
WHERE e.deleted_at IS NULL
ORDER BY e.id
LIMIT 101;
