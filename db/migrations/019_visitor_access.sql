-- Tickets (issue 14), the visitor's part: sign-in links by email and the
-- bookings they open from any device; the booking's answer gains its
-- ticket code, email and language.
--
-- The answer of a booking gains code, email and lang (at its end), and
-- book.create and book.change take the email, the language and the seal
-- key: dropped here, made again by db/functions/book.sql.
DROP FUNCTION IF EXISTS book.create(bigint, text, text, text, text, timestamptz, jsonb, integer);
DROP FUNCTION IF EXISTS book.get(bigint, boolean, text);
DROP FUNCTION IF EXISTS book.list(bigint, text, text, bigint, integer);
DROP FUNCTION IF EXISTS book.change(bigint, text, timestamptz, jsonb, integer, boolean, text, text,
                                    text);
DROP VIEW IF EXISTS book.answer;

-- A sign-in link (POST /visitors/access): its token (made by the app,
-- 256 random bits, stored only as sha256) opens, until expires_at, the
-- bookings made with email (kept lower-cased) from any device. The token
-- itself travels only sealed on its ACCESS message (mail.message).
CREATE TABLE visitor.access (
    token_hash bytea       PRIMARY KEY,
    email      text        NOT NULL CHECK (char_length(email) BETWEEN 3 AND 254 AND email = lower(email)),
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL
);
-- The per-email rate (links in the last hour) and the pruning of old links.
CREATE INDEX access_email ON visitor.access (email, created_at);
CREATE INDEX access_created ON visitor.access (created_at);
