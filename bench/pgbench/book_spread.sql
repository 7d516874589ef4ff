-- The handler's booking statement (fcgi/db.c DB_BOOK_CREATE), run with
-- -M prepared so that pgbench sends exactly
-- SELECT * FROM book.create($1::bigint, $2::text, $3::text, $4::text, $5::text,
--                           $6::timestamptz, $7::jsonb, $8::integer)
-- (a token, no idempotency key).
-- -D base=<first bench exhibition id>; custNm is a number as text.
\set museum random(:base, :base + 999)
\set cust random(1, 100000)
\set token random(1000000000, 9999999999)
SELECT * FROM book.create(:museum::bigint, :cust::text, :token::text, NULL::text, NULL::text, NULL::timestamptz,
                          NULL::jsonb, 1);
