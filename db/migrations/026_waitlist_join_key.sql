-- A join of a waiting list takes an Idempotency-Key, as POST /books does,
-- and answers its token itself (a replay answers the first join's): a new
-- signature and return type, so the old one goes and
-- db/functions/waitlist.sql creates the new one.
DROP FUNCTION IF EXISTS waitlist.join(bigint, timestamptz, text, text, text, jsonb, integer, text,
                                      text);
-- Accepting an offer seals the new booking's token with the server key
-- (for its ticket email's manage link): one parameter more.
DROP FUNCTION IF EXISTS waitlist.accept(bigint, text, text);
