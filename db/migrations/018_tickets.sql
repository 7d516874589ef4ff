-- Tickets and the door (issue 14): what the parts share. Each part adds
-- its own tables in its own migration (019 visitor access, 020 mail, 021
-- staff accounts and the door).
--
-- pgcrypto (a trusted extension: the schema owner may create it) in a
-- schema of its own that no API role may use: the SECURITY DEFINER
-- functions call it as crypto.<function>.
CREATE SCHEMA crypto;
CREATE EXTENSION IF NOT EXISTS pgcrypto SCHEMA crypto;

-- visitor: sign-in links by email (GET /myBookings). mail: the messages
-- the listener sends. staff: staff accounts. door: scans at the door.
CREATE SCHEMA visitor;
CREATE SCHEMA mail;
CREATE SCHEMA staff;
CREATE SCHEMA door;
GRANT USAGE ON SCHEMA visitor, staff, door TO museum_app;
GRANT USAGE ON SCHEMA mail TO museum_listener;

-- Every booking's ticket code: 10 characters of Crockford's base32
-- alphabet (0-9 and the letters but I, L, O, U), random (50 bits from the
-- kernel's generator, through pgcrypto) and unique; what the QR code
-- carries and what a visitor reads out at the desk. Made by the column's
-- default, so every insert (and every booking of before, here) gets one.
-- A collision (one in 10^9 with a million bookings) fails the insert on
-- the unique constraint; nothing is booked and the client may retry.
ALTER TABLE book.booking
    ADD COLUMN code  text NOT NULL DEFAULT (
        substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', get_byte(crypto.gen_random_bytes(1), 0) % 32 + 1, 1) ||
        substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', get_byte(crypto.gen_random_bytes(1), 0) % 32 + 1, 1) ||
        substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', get_byte(crypto.gen_random_bytes(1), 0) % 32 + 1, 1) ||
        substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', get_byte(crypto.gen_random_bytes(1), 0) % 32 + 1, 1) ||
        substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', get_byte(crypto.gen_random_bytes(1), 0) % 32 + 1, 1) ||
        substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', get_byte(crypto.gen_random_bytes(1), 0) % 32 + 1, 1) ||
        substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', get_byte(crypto.gen_random_bytes(1), 0) % 32 + 1, 1) ||
        substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', get_byte(crypto.gen_random_bytes(1), 0) % 32 + 1, 1) ||
        substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', get_byte(crypto.gen_random_bytes(1), 0) % 32 + 1, 1) ||
        substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', get_byte(crypto.gen_random_bytes(1), 0) % 32 + 1, 1)),
    ADD COLUMN email text CHECK (char_length(email) BETWEEN 3 AND 254 AND email LIKE '%_@_%'),
    ADD COLUMN lang  text NOT NULL DEFAULT 'en' CHECK (lang IN ('en', 'ko'));
ALTER TABLE book.booking
    ADD CONSTRAINT booking_code_format CHECK (code ~ '^[0-9A-HJKMNP-TV-Z]{10}$'),
    ADD CONSTRAINT booking_code_key UNIQUE (code);
-- "My bookings" by email (lower-cased, as the sign-in link's).
CREATE INDEX booking_email ON book.booking (lower(email), slot_start) WHERE email IS NOT NULL;

-- The booking's token sealed with the server key (TICKET_SEAL_KEY; see
-- mail.seal) while it waits for its ticket email: the email's "manage your
-- booking" link needs it, and it is kept nowhere in the clear. Moved onto
-- the ticket's message when that is queued, and erased once it is sent.
ALTER TABLE book.booking ADD COLUMN token_sealed bytea;

-- Every email, queued in the transaction of what it tells (a booking
-- confirmed or canceled, a sign-in link asked for) and sent by the
-- listener, which records it as sent (sent_at) in the transaction that
-- claims it: a crash before that commit sends it again under the same
-- Message-ID (made from id), never loses it. secret_sealed is the token
-- the message's link carries (a booking's or a sign-in link's), sealed
-- with the server key, erased when sent. A failing send is retried with
-- backoff (available_at, attempts) and parked dead after the last try.
CREATE TABLE mail.message (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind          text        NOT NULL
        CHECK (kind IN ('TICKET', 'CANCELED', 'FORCE_CANCELED', 'ACCESS')),
    book_id       bigint,
    to_addr       text        NOT NULL CHECK (char_length(to_addr) BETWEEN 3 AND 254),
    lang          text        NOT NULL CHECK (lang IN ('en', 'ko')),
    secret_sealed bytea,
    created_at    timestamptz NOT NULL DEFAULT now(),
    available_at  timestamptz NOT NULL DEFAULT now(),
    attempts      integer     NOT NULL DEFAULT 0,
    last_error    text,
    dead          boolean     NOT NULL DEFAULT false,
    sent_at       timestamptz,
    CONSTRAINT message_book_needed CHECK ((kind = 'ACCESS') = (book_id IS NULL))
);
CREATE INDEX message_due ON mail.message (available_at, id) WHERE sent_at IS NULL AND NOT dead;
CREATE INDEX message_book ON mail.message (book_id) WHERE book_id IS NOT NULL;
