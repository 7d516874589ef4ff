-- The handler's booking statement (fcgi/db.c DB_BOOK_CREATE), run with
-- -M prepared so that pgbench sends exactly
-- SELECT * FROM book.create($1::bigint, $2::text).
-- -D base=<first bench exhibition id>; custNm is a number as text.
\set museum random(:base, :base + 999)
\set cust random(1, 100000)
SELECT * FROM book.create(:museum::bigint, :cust::text);
