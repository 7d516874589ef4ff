-- Functions, views and triggers now live in db/functions/, one file per
-- schema, and db/migrate.sh re-applies them all after the migrations on
-- every run. This drops what that layout no longer has from databases
-- built by the earlier migrations (on a fresh install nothing here exists
-- yet, and every statement does nothing):
-- the unchecked overloads the access-checked API functions called, now
-- folded into them;
DROP FUNCTION IF EXISTS book.create(bigint, text);
DROP FUNCTION IF EXISTS book.get(bigint);
DROP FUNCTION IF EXISTS book.set_status(bigint, text);
DROP FUNCTION IF EXISTS confirm.get(bigint);
DROP FUNCTION IF EXISTS confirm.list(bigint, bigint, bigint, integer);
DROP FUNCTION IF EXISTS mypage.get(bigint);
DROP FUNCTION IF EXISTS mypage.list(text, bigint, bigint, integer);
-- the per-event effects of the isolated path, which now applies each event
-- with the batch effects (taking arrays) of outbox.apply_batch;
DROP FUNCTION IF EXISTS outbox.apply(outbox.event);
DROP FUNCTION IF EXISTS confirm.on_booked(bigint);
DROP FUNCTION IF EXISTS museum.on_canceled(bigint, bigint);
-- and the helper that made a function SECURITY DEFINER after the fact:
-- that is now written in each API function's CREATE statement.
DROP FUNCTION IF EXISTS public.grant_api(regprocedure[]);
