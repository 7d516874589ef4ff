-- GET /myPages?custNm=cust-<n> as staff: fcgi/db.c DB_MYPAGE_LIST (custNm set,
-- bookId and after NULL, limit 100 + 1). pgbench's \set is numeric only,
-- so the name is built in SQL: one concatenation more than the handler.
\set c random(1, 1000)
\set lim 101
SELECT * FROM mypage.list('cust-' || :c, NULL::bigint, NULL::bigint, :lim::integer, true, NULL::text);
