-- The handler's booking statement, all on one exhibition (-D hot=<id>).
\set cust random(1, 100000)
SELECT * FROM book.create(:hot::bigint, :cust::text);
