#include "rowjson.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "textbuf.h"
#include "validate.h"

/* Type OIDs from catalog/pg_type.h (stable across PostgreSQL versions). */
#define OID_BOOL 16
#define OID_INT8 20
#define OID_INT2 21
#define OID_INT4 23
#define OID_FLOAT4 700
#define OID_FLOAT8 701
#define OID_NUMERIC 1700
#define OID_JSON 114
#define OID_JSONB 3802
#define OID_TIME 1083

/* s[0..n) as a JSON string, escaped as json-c escapes it with
 * JSON_C_TO_STRING_NOSLASHESCAPE (tests/unit/test_rows.c checks both
 * agree): '"' and '\\', the control characters, nothing else. */
static void text_string(struct textbuf *t, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    size_t run = 0;

    textbuf_put(t, "\"", 1);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        char esc[6] = {'\\', 0, 0, 0, 0, 0};
        size_t len = 2;

        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        textbuf_put(t, s + run, i - run);
        run = i + 1;
        switch (c) {
        case '"': esc[1] = '"'; break;
        case '\\': esc[1] = '\\'; break;
        case '\b': esc[1] = 'b'; break;
        case '\f': esc[1] = 'f'; break;
        case '\n': esc[1] = 'n'; break;
        case '\r': esc[1] = 'r'; break;
        case '\t': esc[1] = 't'; break;
        default:
            memcpy(esc + 1, "u00", 3);
            esc[4] = hex[c >> 4];
            esc[5] = hex[c & 15];
            len = 6;
        }
        textbuf_put(t, esc, len);
    }
    textbuf_put(t, s + run, n - run);
    textbuf_put(t, "\"", 1);
}

/* How a column is written: its value as a JSON number, true/false, JSON
 * already (json, jsonb: made by PostgreSQL), a time of day as "HH:MM", or
 * a string. */
enum column_kind { KIND_STRING, KIND_INTEGER, KIND_DECIMAL, KIND_BOOL, KIND_JSON, KIND_MINUTES };

/* A result's columns: each one's key ("\"camelCase\":", made once per
 * result rather than once per field) and kind. */
struct columns {
    int n;
    struct {
        char key[68];
        size_t key_len;
        enum column_kind kind;
    } * col;
};

/* Fills cols from res. Returns 0, or -1 out of memory (cols_free anyway). */
static int columns_of(const PGresult *res, struct columns *cols)
{
    cols->n = PQnfields(res);
    cols->col = calloc((size_t)(cols->n > 0 ? cols->n : 1), sizeof(*cols->col));
    if (!cols->col)
        return -1;
    for (int c = 0; c < cols->n; c++) {
        char key[64];

        validate_camel_case(PQfname(res, c), key, sizeof(key));
        cols->col[c].key_len =
            (size_t)snprintf(cols->col[c].key, sizeof(cols->col[c].key), "\"%s\":", key);
        switch (PQftype(res, c)) {
        case OID_INT2:
        case OID_INT4:
        case OID_INT8: cols->col[c].kind = KIND_INTEGER; break;
        case OID_FLOAT4:
        case OID_FLOAT8:
        case OID_NUMERIC: cols->col[c].kind = KIND_DECIMAL; break;
        case OID_BOOL: cols->col[c].kind = KIND_BOOL; break;
        case OID_JSON:
        case OID_JSONB: cols->col[c].kind = KIND_JSON; break;
        case OID_TIME: cols->col[c].kind = KIND_MINUTES; break;
        default: cols->col[c].kind = KIND_STRING;
        }
    }
    return 0;
}

/* 1 if PostgreSQL's text v of a float or numeric is a JSON number: all
 * but NaN and the infinities, which are written as null. */
static int decimal_is_number(const char *v)
{
    return (v[0] >= '0' && v[0] <= '9') || (v[0] == '-' && v[1] >= '0' && v[1] <= '9');
}

/* Row i of res as a JSON object, appended to t. */
static void row_text(struct textbuf *t, const PGresult *res, int i, const struct columns *cols)
{
    textbuf_put(t, "{", 1);
    for (int c = 0; c < cols->n; c++) {
        const char *v = PQgetvalue(res, i, c);
        size_t len = (size_t)PQgetlength(res, i, c);

        if (c > 0)
            textbuf_put(t, ",", 1);
        textbuf_put(t, cols->col[c].key, cols->col[c].key_len);
        if (PQgetisnull(res, i, c)) {
            textbuf_put(t, "null", 4);
            continue;
        }
        switch (cols->col[c].kind) {
        case KIND_INTEGER:
        case KIND_JSON: textbuf_put(t, v, len); break;
        case KIND_DECIMAL:
            if (decimal_is_number(v))
                textbuf_put(t, v, len);
            else
                textbuf_put(t, "null", 4);
            break;
        case KIND_BOOL:
            if (v[0] == 't')
                textbuf_put(t, "true", 4);
            else
                textbuf_put(t, "false", 5);
            break;
        case KIND_MINUTES: text_string(t, v, len < 5 ? len : 5); break;
        case KIND_STRING: text_string(t, v, len); break;
        }
    }
    textbuf_put(t, "}", 1);
}

char *rowjson_text(const PGresult *res, int first, int n, int as_array, size_t *len)
{
    struct textbuf t = {0};
    struct columns cols;

    if (columns_of(res, &cols) != 0) {
        free(cols.col);
        return NULL;
    }
    if (as_array)
        textbuf_put(&t, "[", 1);
    for (int i = first; i < first + n; i++) {
        if (i > first)
            textbuf_put(&t, ",", 1);
        row_text(&t, res, i, &cols);
    }
    if (as_array)
        textbuf_put(&t, "]", 1);
    free(cols.col);
    if (t.failed) {
        free(t.s);
        return NULL;
    }
    if (len)
        *len = t.len;
    return t.s;
}
