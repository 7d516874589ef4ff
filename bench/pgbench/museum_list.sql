-- GET /museums: fcgi/db.c DB_MUSEUM_LIST with the handler's defaults
-- (no after, limit 100 + 1 to detect a next page).
\set lim 101
SELECT * FROM museum.list(NULL::bigint, :lim::integer);
