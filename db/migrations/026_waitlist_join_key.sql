-- A join of a waiting list takes an Idempotency-Key, as POST /books does,
-- and answers its token itself (a replay answers the first join's): a new
-- signature and return type, so the old one goes and
-- db/functions/waitlist.sql creates the new one.
DROP FUNCTION IF EXISTS waitlist.join(bigint, timestamptz, text, text, text, jsonb, integer, text,
                                      text);
