-- museum.live_exhibition answers opens and closes as times and the
-- closures as json (array_to_json) instead of to_char's text and to_jsonb:
-- the worker writes a time as HH:MM (fcgi/rowjson.c), and the formatting
-- cost GET /museums a fifth of its query (docs/PERFORMANCE.md). A view's
-- columns cannot change type in place, nor can a function's result: both
-- are dropped here and made again by db/functions/ (museum.sql: the view,
-- museum.create, get, list, list_from, patch, occupancy; report.sql:
-- report.occupancy), as every migrate re-applies them.
-- Upgrading a running system: reload the app first, then migrate. This
-- release's worker answers alike before and after this migration (a text
-- column is written as it is, json as it is); the one before, left running
-- after it, would answer opens and closes with seconds ("09:00:00").
DROP VIEW IF EXISTS museum.live_exhibition CASCADE;
DROP FUNCTION IF EXISTS museum.occupancy(date, bigint, integer);
