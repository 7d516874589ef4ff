-- The public exhibition reads, made cheap (docs/PERFORMANCE.md): a
-- SECURITY DEFINER plpgsql function costs every GET /museums a function
-- call, a search_path switch and a tuplestore; pgbench at 16 clients runs
-- museum.get at 30,400 calls/s and the bare SELECT at 44,600/s.
--
-- museum_app now reads exhibitions through one view of the live ones and
-- their public columns, and museum.get/museum.list become plain SQL
-- functions over it: PostgreSQL inlines them into the worker's prepared
-- statement, which is planned once per connection. The view runs with its
-- owner's rights; museum_app may SELECT from it and from nothing else, and
-- what it shows is exactly what GET /museums shows anyone.
-- Not a security_barrier view: that keeps "id > coalesce(...)" above the
-- view (coalesce is not leakproof), and museum.list becomes a sequential
-- scan and a sort. Without it, a query of museum_app's own could at most
-- reveal the public columns of deleted exhibitions.
-- museum.get now answers no row for a missing or deleted exhibition (the
-- worker answers 404), since an inlinable function cannot raise.

CREATE VIEW museum.live_exhibition AS
SELECT id, name, chk_date, capacity, pcnt
FROM museum.exhibition
WHERE deleted_at IS NULL;

COMMENT ON VIEW museum.live_exhibition IS
    'Exhibitions not deleted, public columns only: what GET /museums shows. museum_app reads exhibitions only through this view.';

GRANT SELECT ON museum.live_exhibition TO museum_app;

-- CREATE OR REPLACE also drops SECURITY DEFINER and the SET clause
-- (006's grant_api), which would stop the inlining; EXECUTE stays granted.
CREATE OR REPLACE FUNCTION museum.get(p_id bigint)
RETURNS TABLE (id bigint, name text, chk_date date, capacity integer, pcnt integer)
LANGUAGE sql STABLE AS $$
    SELECT e.id, e.name, e.chk_date, e.capacity, e.pcnt
    FROM museum.live_exhibition e
    WHERE e.id = p_id
$$;

CREATE OR REPLACE FUNCTION museum.list(p_after bigint, p_limit integer)
RETURNS TABLE (id bigint, name text, chk_date date, capacity integer, pcnt integer)
LANGUAGE sql STABLE AS $$
    SELECT e.id, e.name, e.chk_date, e.capacity, e.pcnt
    FROM museum.live_exhibition e
    WHERE e.id > coalesce(p_after, 0)
    ORDER BY e.id
    LIMIT p_limit
$$;
