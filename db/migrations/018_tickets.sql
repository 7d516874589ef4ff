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
