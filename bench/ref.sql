-- The fixed physical reference of a booking (issue 16): the minimal
-- transactional work one needs — take a seat with one conditional UPDATE,
-- insert the booking, insert its event — on scratch tables of its own with
-- nothing but primary keys, so that it never moves with the project's
-- schema or functions. bench/pgbench/ref_spread.sql and ref_hot.sql run it
-- as one statement. Slots 0..999: the spread (1,000 exhibitions); 1000:
-- the hot one. Idempotent; bench/run.sh empties the bookings and events
-- before a run.
\set ON_ERROR_STOP 1
CREATE SCHEMA IF NOT EXISTS bench_ref;
CREATE TABLE IF NOT EXISTS bench_ref.slot (
    id         bigint PRIMARY KEY,
    seats_left integer NOT NULL
);
CREATE TABLE IF NOT EXISTS bench_ref.booking (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    slot_id    bigint      NOT NULL,
    cust_nm    text        NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS bench_ref.event (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind       text        NOT NULL,
    booking_id bigint      NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO bench_ref.slot SELECT g, 1000000000 FROM generate_series(0, 1000) g ON CONFLICT DO NOTHING;
