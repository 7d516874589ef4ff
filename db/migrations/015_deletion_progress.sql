-- An exhibition's deletion force-cancels its bookings a chunk at a time
-- (book.on_museum_deleted), so that one large exhibition does not hold up
-- every other visitor's confirmation: its MUSEUM_DELETED event stays
-- pending until the last chunk, and records how far it has got.
ALTER TABLE outbox.event
    ADD COLUMN progress bigint,         -- the last booking id looked at so far
    ADD COLUMN progress_at timestamptz; -- when it got there (the listener's lag counts from then)

-- Replaced by book.on_museum_deleted(bigint, bigint, integer), which takes
-- one chunk.
DROP FUNCTION IF EXISTS book.on_museum_deleted(bigint);
