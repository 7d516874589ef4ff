-- The waiting list (issue 15): visitors wait for a slot that has fewer
-- seats left than their party; freed seats are offered to them in queue
-- order and held for them until the offer expires. Seats held by an offer
-- are neither left nor booked: for every slot, capacity = seats left +
-- live booked seats + seats held by offers (museum.seat_diff).
CREATE SCHEMA waitlist;
GRANT USAGE ON SCHEMA waitlist TO museum_app;

CREATE TABLE waitlist.entry (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    museum_id        bigint      NOT NULL,
    slot_id          bigint      NOT NULL,
    slot_start       timestamptz NOT NULL,
    slot_end         timestamptz NOT NULL,
    cust_nm          text        NOT NULL CHECK (char_length(cust_nm) BETWEEN 1 AND 200),
    email            text        CHECK (char_length(email) BETWEEN 3 AND 254 AND email LIKE '%_@_%'),
    lang             text        NOT NULL DEFAULT 'en' CHECK (lang IN ('en', 'ko')),
    tickets          jsonb       NOT NULL,
    party            integer     NOT NULL CHECK (party >= 1),
    token_hash       bytea       NOT NULL UNIQUE,
    -- The entry's token sealed with the server key (mail.seal) until the
    -- offer's email carries it (its accept link); erased then.
    token_sealed     bytea,
    status           text        NOT NULL DEFAULT 'WAITING'
        CHECK (status IN ('WAITING', 'OFFERED', 'ACCEPTED', 'EXPIRED', 'LEFT', 'CANCELED')),
    -- Seats this entry's offer holds (taken from the slot's seats_left when
    -- offered; they become the booking's on accept, go back on expiry or
    -- leave).
    held             integer     NOT NULL DEFAULT 0 CHECK (held >= 0),
    created_at       timestamptz NOT NULL DEFAULT now(),
    offered_at       timestamptz,
    offer_expires_at timestamptz,
    ended_at         timestamptz,
    -- Accepted: the booking, and its token sealed with the entry's own
    -- token (book.token_seal), so that accepting again answers it again.
    book_id          bigint,
    booking_sealed   bytea,
    CONSTRAINT entry_held_while_offered CHECK ((status = 'OFFERED') = (held > 0)),
    CONSTRAINT entry_offer_times CHECK ((status = 'WAITING') = (offered_at IS NULL)
                                        OR status IN ('LEFT', 'CANCELED')),
    CONSTRAINT entry_accepted_booking CHECK ((status = 'ACCEPTED') = (book_id IS NOT NULL))
);
-- The queue of a slot, in order.
CREATE INDEX entry_queue ON waitlist.entry (slot_id, id) WHERE status = 'WAITING';
-- Offers to expire, and the seats they hold per slot.
CREATE INDEX entry_offer_expiry ON waitlist.entry (offer_expires_at) WHERE status = 'OFFERED';
CREATE INDEX entry_offered_slot ON waitlist.entry (slot_id) WHERE status = 'OFFERED';
CREATE INDEX entry_museum ON waitlist.entry (museum_id, slot_start);

-- The waiting list's emails: an offer (with its accept link), its expiry,
-- and a cancel by the museum; entry_id names the entry.
ALTER TABLE mail.message
    ADD COLUMN entry_id bigint,
    DROP CONSTRAINT message_kind_check,
    DROP CONSTRAINT message_book_needed,
    ADD CONSTRAINT message_kind_check CHECK (kind IN ('TICKET', 'CANCELED', 'FORCE_CANCELED', 'ACCESS',
        'WAITLIST_OFFER', 'WAITLIST_EXPIRED', 'WAITLIST_CANCELED')),
    ADD CONSTRAINT message_book_needed CHECK ((kind IN ('TICKET', 'CANCELED', 'FORCE_CANCELED')) = (book_id IS NOT NULL)),
    ADD CONSTRAINT message_entry_needed CHECK ((kind LIKE 'WAITLIST\_%') = (entry_id IS NOT NULL));
CREATE INDEX message_entry ON mail.message (entry_id) WHERE entry_id IS NOT NULL;
