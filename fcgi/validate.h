/* validate: strict parsing of client-supplied values. Pure functions. */
#ifndef MUSEUM_VALIDATE_H
#define MUSEUM_VALIDATE_H

#include <stddef.h>
#include <stdint.h>

#define VALIDATE_ID_MAX INT64_C(9007199254740991) /* 2^53 - 1: exact in every JSON client */
#define VALIDATE_NAME_MAX 200                     /* characters (code points) */
#define VALIDATE_CAPACITY_MAX 1000000
#define VALIDATE_LIMIT_DEFAULT 100
#define VALIDATE_LIMIT_MAX 1000
#define VALIDATE_IDEMPOTENCY_KEY_MAX 255 /* bytes */
#define VALIDATE_DESCRIPTION_MAX 2000    /* characters, of an exhibition's description */
#define VALIDATE_SLOT_MINUTES_MIN 5
#define VALIDATE_SLOT_MINUTES_MAX 1440
#define VALIDATE_PARTY_MAX 100      /* the most MAX_PARTY may be set to */
#define VALIDATE_SLOT_DAYS_MAX 92   /* days one GET /museums/{id}/slots may cover */
#define VALIDATE_DATES_MAX 400      /* closed dates of one exhibition */
#define VALIDATE_EMAIL_MAX 254      /* characters (ASCII) of an email address */
#define VALIDATE_EMAIL_LOCAL_MAX 64 /* bytes of its part before the @ */

/* The limits and statuses here are also in the SQL's constraints
 * (db/migrations/001_schema.sql) and www/js/rules.js:
 * tests/e2e/rules.test.mjs checks that the three agree. */
#define VALIDATE_BOOK_STATUSES "REQUESTED", "REQUEST_COMPLETED", "CANCELED", "FORCE_CANCELED"

/* Parses a decimal id "1".."2^53-1" (no sign, no leading zero, nothing
 * else). Returns 0 and sets *out, or -1. */
int validate_id_text(const char *s, int64_t *out);

/* Checks an id taken from JSON (already known to be an integer). Returns 0
 * if 1 <= v <= VALIDATE_ID_MAX, else -1. */
int validate_id_value(int64_t v);

/* Parses a calendar date "YYYY-MM-DD" or "YYYYMMDD" (years 1000-9999) into
 * out as "YYYY-MM-DD". Returns 0, or -1 if malformed or not a real date. */
int validate_date(const char *s, char out[11]);

/* Checks a visitor or hall name of len bytes: valid UTF-8, 1..200
 * characters, not blank, no control characters. Returns NULL if fine, else
 * a static message saying what is wrong. */
const char *validate_name(const char *s, size_t len);

/* The same for any text of at most max_chars characters; multiline allows
 * line breaks and tabs. The message may be a static buffer's. */
const char *validate_text(const char *s, size_t len, size_t max_chars, int multiline);

/* Parses a time of day "HH:MM" (00:00 to 23:59) into out. Returns 0 or -1. */
int validate_time(const char *s, char out[6]);

/* Checks a slot's start as a client names it: "YYYY-MM-DDTHH:MM", with
 * optional ":SS" and an optional offset "Z" or "+HH:MM" (without one, the
 * museum's local time). Copies it into out. Returns 0 or -1. */
int validate_slot(const char *s, char out[32]);

/* Returns 0 if s[0..len) is valid UTF-8 (no overlong forms, surrogates or
 * code points beyond U+10FFFF), else -1. */
int validate_utf8(const char *s, size_t len);

/* Checks an Idempotency-Key header value: 1..255 printable ASCII
 * characters (space to tilde). Returns 0 or -1. */
int validate_idempotency_key(const char *s);

/* The booking status s (any of VALIDATE_BOOK_STATUSES) as a static
 * string, or NULL if s is none of them. */
const char *validate_book_status(const char *s);

/* Parses a list limit "1".."1000". Returns 0 and sets *out, or -1. */
int validate_limit(const char *s, int *out);

/* Checks an email address of len bytes (already trimmed): ASCII, at most
 * 254 characters; before the one '@' an RFC 5322 dot-atom of 1..64 (atoms
 * of letters, digits and !#$%&'*+/=?^_`{|}~-, single dots between them);
 * after it two or more dot-separated labels of 1..63 letters, digits and
 * inner hyphens. The one check of the API and of fcgi/mail.c (what passes
 * can be sent). Returns NULL if fine, else a static message saying why. */
const char *validate_email(const char *s, size_t len);

/* The language ("en" or "ko", static) an Accept-Language header value
 * (NULL: none) prefers: the one of the two with the highest q (the first
 * on a tie; q=0 refuses it), else "en". */
const char *validate_accept_lang(const char *header);

/* Writes the camelCase form of a snake_case name into out (size n),
 * truncating if needed: "chk_date" -> "chkDate". */
void validate_camel_case(const char *snake, char *out, size_t n);

#endif
