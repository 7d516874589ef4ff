-- The slots whose seats came back while someone waits (issue 16): the
-- listener's waitlist.tick visits these instead of every waiting entry
-- (a sequential scan of 200,000 entries took 56 ms per tick). A trigger on
-- museum.slot (db/functions/waitlist.sql) adds a slot when its seats_left
-- grows and a waiting entry fits; the tick removes it once visited.
CREATE TABLE waitlist.due_slot (
    slot_id bigint PRIMARY KEY REFERENCES museum.slot (id) ON DELETE CASCADE
);
-- Slots already in that state when this runs.
INSERT INTO waitlist.due_slot (slot_id)
SELECT DISTINCT w.slot_id FROM waitlist.entry w JOIN museum.slot s ON s.id = w.slot_id
WHERE w.status = 'WAITING' AND w.party <= s.seats_left;
