-- The handler's booking statement, all on one exhibition (-D hot=<id>).
\set cust random(1, 100000)
\set token random(1000000000, 9999999999)
SELECT * FROM book.create(:hot::bigint, :cust::text, :token::text, NULL::text, NULL::text, NULL::timestamptz,
                          NULL::jsonb, 1);
