-- report: read-only views for psql users (see docs/reporting.md). The views
-- are in db/functions/report.sql.

CREATE SCHEMA report;
