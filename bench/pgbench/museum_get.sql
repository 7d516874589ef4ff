-- GET /museums/{id}: fcgi/db.c DB_MUSEUM_GET.
\set id random(:base, :base + 999)
SELECT * FROM museum.get(:id::bigint);
