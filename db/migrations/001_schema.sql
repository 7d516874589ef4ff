-- One schema per bounded context, plus the event outbox.
-- No foreign keys cross a context: contexts meet only through events.

CREATE SCHEMA museum;
CREATE SCHEMA book;
CREATE SCHEMA confirm;
CREATE SCHEMA mypage;
CREATE SCHEMA outbox;

-- museum: exhibitions and seats left. A deleted exhibition keeps its row
-- (deleted_at set) so that history and reports stay whole.
CREATE TABLE museum.exhibition (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name       text        NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
    chk_date   date        NOT NULL,
    capacity   integer     NOT NULL CHECK (capacity BETWEEN 1 AND 1000000),
    pcnt       integer     NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    deleted_at timestamptz,
    CONSTRAINT exhibition_pcnt_range CHECK (pcnt >= 0 AND pcnt <= capacity)
);

-- The booking statuses of the original system.
CREATE DOMAIN book.status AS text
    CHECK (VALUE IN ('REQUESTED', 'REQUEST_COMPLETED', 'CANCELED', 'FORCE_CANCELED'));

-- book: one row per booking. name/chk_date are copied from the exhibition
-- at booking time (the booking context's own view of what was booked).
CREATE TABLE book.booking (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    museum_id  bigint      NOT NULL,
    cust_nm    text        NOT NULL CHECK (char_length(cust_nm) BETWEEN 1 AND 200),
    name       text        NOT NULL,
    chk_date   date        NOT NULL,
    status     book.status NOT NULL DEFAULT 'REQUESTED',
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    canceled_at timestamptz,
    CONSTRAINT booking_canceled_at CHECK ((canceled_at IS NOT NULL) = (status IN ('CANCELED', 'FORCE_CANCELED')))
);
CREATE INDEX booking_museum_id ON book.booking (museum_id, id);
CREATE INDEX booking_cust_nm ON book.booking (cust_nm, id);

CREATE DOMAIN confirm.status AS text
    CHECK (VALUE IN ('REQUEST_COMPLETED', 'CANCELED', 'FORCE_CANCELED'));

-- confirm: the entry confirmation issued for a booking (at most one each).
CREATE TABLE confirm.confirmation (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    book_id    bigint         NOT NULL UNIQUE,
    museum_id  bigint         NOT NULL,
    cust_nm    text           NOT NULL,
    name       text           NOT NULL,
    chk_date   date           NOT NULL,
    status     confirm.status NOT NULL,
    created_at timestamptz    NOT NULL DEFAULT now(),
    updated_at timestamptz    NOT NULL DEFAULT now()
);
CREATE INDEX confirmation_museum_id ON confirm.confirmation (museum_id, id);

-- mypage: CQRS read model, written only by the listener.
CREATE TABLE mypage.entry (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    book_id        bigint      NOT NULL UNIQUE,
    cust_nm        text        NOT NULL,
    museum_id      bigint      NOT NULL,
    name           text        NOT NULL,
    chk_date       date        NOT NULL,
    status         book.status NOT NULL,
    confirm_status confirm.status,
    updated_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX entry_cust_nm ON mypage.entry (cust_nm, id);

-- outbox: every state change that has effects elsewhere, written in the
-- same transaction as the change. done_at marks an applied event; an event
-- that keeps failing is parked (dead) with its last error.
CREATE TABLE outbox.event (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind         text        NOT NULL CHECK (kind IN ('BOOKED', 'CANCELED', 'MUSEUM_DELETED')),
    museum_id    bigint      NOT NULL,
    book_id      bigint,
    created_at   timestamptz NOT NULL DEFAULT now(),
    available_at timestamptz NOT NULL DEFAULT now(),
    attempts     integer     NOT NULL DEFAULT 0,
    last_error   text,
    dead         boolean     NOT NULL DEFAULT false,
    done_at      timestamptz,
    CONSTRAINT event_book_id_needed CHECK ((kind = 'MUSEUM_DELETED') = (book_id IS NULL))
);
-- Pending events, in order: the listener's work queue.
CREATE INDEX event_pending ON outbox.event (id) WHERE done_at IS NULL;
CREATE INDEX event_pending_book ON outbox.event (book_id, id) WHERE done_at IS NULL;
CREATE INDEX event_pending_museum ON outbox.event (museum_id, id) WHERE done_at IS NULL;
CREATE INDEX event_pending_delete ON outbox.event (museum_id, id)
    WHERE done_at IS NULL AND kind = 'MUSEUM_DELETED';
CREATE INDEX event_done_at ON outbox.event (done_at) WHERE done_at IS NOT NULL;

-- The trigger that wakes the listener on every new event (outbox.wake,
-- event_wake) is in db/functions/outbox.sql.
