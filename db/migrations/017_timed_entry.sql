-- Timed entry: an exhibition runs from start_date to end_date, open from
-- opens to closes each day except closed weekdays and dates, and is
-- visited in slots (museum.slot), each with its own capacity and seats
-- left. A booking is for one slot and a party of visitors (party seats,
-- counted by category in tickets). The seat rule becomes a conditional
-- UPDATE of the slot's row by the party size.
--
-- Times: a slot's start and end are instants (timestamptz) made from the
-- museum's local dates and times in its time zone (MUSEUM_TZ: db/migrate.sh
-- sets the session's TimeZone to it, so the data move below makes the
-- existing exhibitions' slots in the museum's time).

-- What the new layout replaces or re-shapes (their files create them anew).
DROP FUNCTION IF EXISTS museum.create(text, date, integer);
DROP FUNCTION IF EXISTS museum.get(bigint);
DROP FUNCTION IF EXISTS museum.list(bigint, integer);
DROP FUNCTION IF EXISTS museum.list_from(date, bigint, integer);
DROP FUNCTION IF EXISTS museum.occupancy(date, bigint, integer);
DROP FUNCTION IF EXISTS museum.chk_date_of(bigint);
DROP FUNCTION IF EXISTS museum.on_canceled(bigint[], bigint[]);
DROP VIEW IF EXISTS museum.live_exhibition;
DROP FUNCTION IF EXISTS book.create(bigint, text, text, text, text);
DROP FUNCTION IF EXISTS book.get(bigint, boolean, text);
DROP FUNCTION IF EXISTS book.list(bigint, text, text, bigint, integer);
DROP FUNCTION IF EXISTS book.set_status(bigint, text, boolean, text, text, text);
DROP FUNCTION IF EXISTS book.on_museum_deleted(bigint, bigint, integer);
DROP VIEW IF EXISTS book.answer;
DROP FUNCTION IF EXISTS confirm.get(bigint, boolean, text);
DROP FUNCTION IF EXISTS confirm.list(bigint, bigint, bigint, integer, boolean, text);
DROP VIEW IF EXISTS confirm.answer;
DROP FUNCTION IF EXISTS mypage.get(bigint, boolean, text);
DROP FUNCTION IF EXISTS mypage.list(text, bigint, bigint, integer, boolean, text);
DROP FUNCTION IF EXISTS mypage.diff();
DROP VIEW IF EXISTS mypage.answer;
DROP VIEW IF EXISTS mypage.expected;
DROP FUNCTION IF EXISTS outbox.status();
DROP VIEW IF EXISTS report.occupancy;

-- museum: the exhibition's run, hours and closures. chk_date becomes
-- start_date (the answers still call it chkDate too). capacity is now
-- per slot; seats left are the slots' (pcnt is their sum).
ALTER TABLE museum.exhibition RENAME COLUMN chk_date TO start_date;
ALTER TABLE museum.exhibition
    ADD COLUMN end_date        date,
    ADD COLUMN opens           time(0),
    ADD COLUMN closes          time(0),
    ADD COLUMN slot_minutes    integer,
    ADD COLUMN closed_weekdays smallint[] NOT NULL DEFAULT '{}',
    ADD COLUMN closed_dates    date[]     NOT NULL DEFAULT '{}',
    ADD COLUMN description     text;
-- The exhibitions of before were one day, open at the default hours.
UPDATE museum.exhibition SET end_date = start_date, opens = '09:00', closes = '18:00';
ALTER TABLE museum.exhibition
    ALTER COLUMN end_date SET NOT NULL,
    ALTER COLUMN opens SET NOT NULL,
    ALTER COLUMN closes SET NOT NULL,
    ADD CONSTRAINT exhibition_run CHECK (end_date >= start_date AND end_date <= start_date + 365),
    ADD CONSTRAINT exhibition_hours CHECK (closes > opens),
    ADD CONSTRAINT exhibition_slot_minutes CHECK (
        slot_minutes BETWEEN 5 AND 1440
        AND extract(epoch FROM closes - opens)::integer % (slot_minutes * 60) = 0),
    ADD CONSTRAINT exhibition_closed_weekdays CHECK (closed_weekdays <@ '{1,2,3,4,5,6,7}'),
    ADD CONSTRAINT exhibition_description CHECK (char_length(description) BETWEEN 1 AND 2000);

-- One row per slot of every day of the run, closed days included (open
-- false: "closed days have no slots" for everyone reading them), so that
-- closing or reopening a day is a flag. A deleted exhibition's slots are
-- all closed. seats_left is the seat rule's row: a booking takes its party
-- from it with one row-locked conditional UPDATE.
CREATE TABLE museum.slot (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    museum_id  bigint      NOT NULL REFERENCES museum.exhibition (id),
    day        date        NOT NULL, -- start_at's date in the museum's time zone
    start_at   timestamptz NOT NULL,
    end_at     timestamptz NOT NULL,
    capacity   integer     NOT NULL CHECK (capacity BETWEEN 1 AND 1000000),
    seats_left integer     NOT NULL,
    open       boolean     NOT NULL,
    CONSTRAINT slot_seats_left_range CHECK (seats_left >= 0 AND seats_left <= capacity),
    CONSTRAINT slot_times CHECK (end_at > start_at),
    CONSTRAINT slot_start UNIQUE (museum_id, start_at)
);
-- pcnt sums the seats left of the slots that have not ended.
CREATE INDEX slot_museum_end ON museum.slot (museum_id, end_at);

INSERT INTO museum.slot (museum_id, day, start_at, end_at, capacity, seats_left, open)
SELECT id, start_date, start_date + opens, start_date + closes, capacity, pcnt,
       deleted_at IS NULL
FROM museum.exhibition
ORDER BY id;
ALTER TABLE museum.exhibition DROP COLUMN pcnt;

-- The home page lists exhibitions that have not ended, closing soonest
-- first (museum.list_from).
DROP INDEX museum.exhibition_live_date;
CREATE INDEX exhibition_live_end ON museum.exhibition (end_date, id) WHERE deleted_at IS NULL;

-- book: the slot and party of each booking (the booking context's own copy
-- of the slot's times, as name and chk_date — now the visit's day — are).
-- cancel_reason says why the museum force-canceled one.
ALTER TABLE book.booking
    ADD COLUMN slot_id       bigint,
    ADD COLUMN slot_start    timestamptz,
    ADD COLUMN slot_end      timestamptz,
    ADD COLUMN party         integer NOT NULL DEFAULT 1 CHECK (party >= 1),
    ADD COLUMN tickets       jsonb   NOT NULL DEFAULT '{"adult": 1}',
    ADD COLUMN cancel_reason text CHECK (cancel_reason IN ('EXHIBITION_DELETED', 'DAY_CLOSED'));
UPDATE book.booking b SET slot_id = s.id, slot_start = s.start_at, slot_end = s.end_at,
    cancel_reason = CASE WHEN b.status = 'FORCE_CANCELED' THEN 'EXHIBITION_DELETED' END
FROM museum.slot s WHERE s.museum_id = b.museum_id;
ALTER TABLE book.booking
    ALTER COLUMN slot_id SET NOT NULL,
    ALTER COLUMN slot_start SET NOT NULL,
    ALTER COLUMN slot_end SET NOT NULL,
    ALTER COLUMN party DROP DEFAULT,
    ALTER COLUMN tickets DROP DEFAULT;

ALTER TABLE confirm.confirmation
    ADD COLUMN slot_start timestamptz,
    ADD COLUMN party      integer;
UPDATE confirm.confirmation c SET slot_start = b.slot_start, party = b.party
FROM book.booking b WHERE b.id = c.book_id;
ALTER TABLE confirm.confirmation
    ALTER COLUMN slot_start SET NOT NULL,
    ALTER COLUMN party SET NOT NULL;

ALTER TABLE mypage.entry
    ADD COLUMN slot_start    timestamptz,
    ADD COLUMN slot_end      timestamptz,
    ADD COLUMN party         integer,
    ADD COLUMN tickets       jsonb,
    ADD COLUMN cancel_reason text;
UPDATE mypage.entry m SET slot_start = b.slot_start, slot_end = b.slot_end, party = b.party,
    tickets = b.tickets, cancel_reason = b.cancel_reason
FROM book.booking b WHERE b.id = m.book_id;
ALTER TABLE mypage.entry
    ALTER COLUMN slot_start SET NOT NULL,
    ALTER COLUMN slot_end SET NOT NULL,
    ALTER COLUMN party SET NOT NULL,
    ALTER COLUMN tickets SET NOT NULL;

-- outbox: MOVED (a booking changed slot or party: its confirmation and
-- MyPage row follow) and DAY_CLOSED (the museum closed a day that had
-- bookings and asked for them to be force-canceled; day says which).
ALTER TABLE outbox.event DROP CONSTRAINT event_kind_check;
ALTER TABLE outbox.event DROP CONSTRAINT event_book_id_needed;
ALTER TABLE outbox.event
    ADD COLUMN day date,
    ADD CONSTRAINT event_kind_check
        CHECK (kind IN ('BOOKED', 'CANCELED', 'MOVED', 'MUSEUM_DELETED', 'DAY_CLOSED')),
    ADD CONSTRAINT event_book_id_needed
        CHECK ((kind IN ('MUSEUM_DELETED', 'DAY_CLOSED')) = (book_id IS NULL)),
    ADD CONSTRAINT event_day_needed CHECK ((kind = 'DAY_CLOSED') = (day IS NOT NULL));
