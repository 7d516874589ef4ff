/* rowjson: a database result written as JSON text straight from the
 * PGresult, with no json-c object per value: camelCase keys, integer
 * columns as numbers, float and numeric ones as numbers (NaN and the
 * infinities as null), booleans, json and jsonb as themselves, a time
 * of day as "HH:MM" (the API's times are to the minute), NULL as null,
 * the rest as strings (escaped as json-c escapes them). */
#ifndef MUSEUM_ROWJSON_H
#define MUSEUM_ROWJSON_H

#include <stddef.h>

#include <libpq-fe.h>

/* Rows [first, first + n) of res as a JSON array (as_array), or row first
 * as an object (n 1, as_array 0). Returns a string the caller frees, its
 * length in *len (if len is not NULL), or NULL out of memory. */
char *rowjson_text(const PGresult *res, int first, int n, int as_array, size_t *len);

#endif
