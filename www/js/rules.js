// The limits and statuses the pages check before sending, the same as the
// database's constraints (db/migrations/001_schema.sql) and the C checks
// (fcgi/validate.h): tests/e2e/rules.test.mjs checks that the three agree.
export const NAME_MAX = 200; // characters, for exhibition and visitor names
export const CAPACITY_MAX = 1000000; // seats of one slot
export const DESCRIPTION_MAX = 2000; // characters, of an exhibition's description
export const SLOT_MINUTES_MIN = 5; // the shortest and longest slot
export const SLOT_MINUTES_MAX = 1440;
export const BOOK_STATUSES = ['REQUESTED', 'REQUEST_COMPLETED', 'CANCELED', 'FORCE_CANCELED'];
// A live booking holds its seat; the others have given it back.
export const LIVE_STATUSES = new Set(['REQUESTED', 'REQUEST_COMPLETED']);
