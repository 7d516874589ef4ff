-- Booking tokens and idempotency keys: what they are and how they are
-- checked is told in db/functions/book.sql; here, where they are stored.
--
-- A visitor's booking token (256 random bits made by the application) is
-- kept only as its sha256.

ALTER TABLE book.booking ADD COLUMN token_hash bytea;
CREATE UNIQUE INDEX booking_token_hash ON book.booking (token_hash);

-- One row per Idempotency-Key that answered a successful request, kept 24
-- hours: the answer to replay when the same request comes again.
CREATE TABLE book.idempotency (
    key_hash     bytea PRIMARY KEY,              -- sha256 of the Idempotency-Key
    request_hash bytea       NOT NULL,           -- sha256 of method, path and body
    response     jsonb       NOT NULL,           -- the row first answered, without token
    token_sealed bytea,                          -- its token XOR sha256(key): see book.token_seal
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX idempotency_created_at ON book.idempotency (created_at);
