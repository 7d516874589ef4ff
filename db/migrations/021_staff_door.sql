-- Staff accounts and the door (issue 14): named staff accounts with a role
-- (admin or door) beside the bootstrap admin (ADMIN_PASSWORD), and every
-- scan at the door. Functions, views and the cancel guard: db/functions/
-- staff.sql, door.sql, report.sql.

-- GET /books gains a day filter (book.list takes p_day): the old signature
-- goes, db/functions/book.sql creates the new one.
DROP FUNCTION IF EXISTS book.list(bigint, text, text, bigint, integer);

-- One row per staff account (make staff-add). The name admin is the
-- bootstrap account's (ADMIN_PASSWORD, never stored here). password_hash is
-- libcrypt's (yescrypt, "$y$..."), made by museum-app --hash-password.
-- Accounts are disabled, never deleted, so a name is never reused for
-- someone else while scans still name it.
CREATE TABLE staff.account (
    name          text PRIMARY KEY
        CONSTRAINT account_name CHECK (name ~ '^[a-z0-9._-]{1,64}$' AND name <> 'admin'),
    role          text        NOT NULL CHECK (role IN ('admin', 'door')),
    password_hash text        NOT NULL CHECK (password_hash LIKE '$%' AND char_length(password_hash) <= 512),
    created_at    timestamptz NOT NULL DEFAULT now(),
    changed_at    timestamptz NOT NULL DEFAULT now(),
    disabled_at   timestamptz
);

-- Every scan at the door (POST /checkins), admitted or refused, and the
-- answer it was given: a scan sent again with its nonce is answered that
-- again, byte for byte, and recorded no second time. book_id and museum_id
-- are NULL for a code that names no booking; day is the scan's date in the
-- museum's time zone (the app's sessions'), for "inside" and the reports.
CREATE TABLE door.scan (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    nonce       text        NOT NULL CONSTRAINT scan_nonce_key UNIQUE
        CONSTRAINT scan_nonce CHECK (nonce ~ '^[A-Za-z0-9_-]{1,64}$'),
    code        text        NOT NULL,
    book_id     bigint,
    museum_id   bigint,
    type        text        NOT NULL CHECK (type IN ('entry', 'exit')),
    gate        text        CHECK (char_length(gate) BETWEEN 1 AND 40),
    party       integer,    -- the booking's party when scanned
    device_user text        NOT NULL,
    at          timestamptz NOT NULL DEFAULT now(),
    day         date        NOT NULL,
    result      text        NOT NULL CHECK (result IN ('admitted', 'exited', 'refused', 'unknown')),
    reason      text,
    status      integer     NOT NULL,
    answer      text        NOT NULL,
    CONSTRAINT scan_reason CHECK ((result = 'refused') = (reason IS NOT NULL))
);
-- A booking is admitted once and exits once, whatever the code above says.
CREATE UNIQUE INDEX scan_admitted_once ON door.scan (book_id) WHERE result = 'admitted';
CREATE UNIQUE INDEX scan_exited_once ON door.scan (book_id) WHERE result = 'exited';
CREATE INDEX scan_museum_day ON door.scan (museum_id, day);
