-- The event pipeline, hardened: listener heartbeats (the table below),
-- configurable retry backoff, pruning of done events, seats released by
-- force-cancel, and the MyPage read model's rebuild and check (the
-- functions, in db/functions/outbox.sql, book.sql and mypage.sql).

-- Listener instances report here; status output and readiness read it.
CREATE TABLE outbox.listener (
    name       text PRIMARY KEY,
    pid        integer     NOT NULL,
    started_at timestamptz NOT NULL DEFAULT now(),
    last_seen  timestamptz NOT NULL DEFAULT now(),
    events     bigint      NOT NULL DEFAULT 0
);
