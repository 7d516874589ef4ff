-- The listener offers the waiting list's freed seats and expires its
-- offers (waitlist.tick, granted in db/functions/waitlist.sql): it needs
-- the schema.
GRANT USAGE ON SCHEMA waitlist TO museum_listener;
