-- The pages list live exhibitions by date (GET /museums?from=): an index in
-- that order, of the live ones only (museum.live_exhibition's predicate), so
-- that a page of them costs as much with 50,000 exhibitions as with 50.
CREATE INDEX exhibition_live_date ON museum.exhibition (chk_date, id) WHERE deleted_at IS NULL;
