-- The database's own minimum for GET /myPages?custNm= (staff; issue 16): a
-- plain SELECT of the same rows and columns of the read model.
\set c random(1, 1000)
SELECT m.id, m.book_id, m.cust_nm, m.museum_id, m.name, m.chk_date, m.status, m.confirm_status,
       m.slot_start, m.slot_end, m.tickets, m.party, m.cancel_reason
FROM mypage.entry m
WHERE m.cust_nm = 'cust-' || :c
ORDER BY m.id
LIMIT 101;
