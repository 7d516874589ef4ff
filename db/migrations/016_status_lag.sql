-- outbox.status() answers the listener lag too (the one /readyz judges by):
-- a new result column, which CREATE OR REPLACE cannot add.
DROP FUNCTION IF EXISTS outbox.status();
