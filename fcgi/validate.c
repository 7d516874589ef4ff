#include "validate.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int validate_id_text(const char *s, int64_t *out)
{
    int64_t v = 0;

    if (!s || s[0] < '1' || s[0] > '9')
        return -1;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return -1;
        if (v > (VALIDATE_ID_MAX - (*s - '0')) / 10)
            return -1;
        v = v * 10 + (*s - '0');
    }
    *out = v;
    return 0;
}

const char *validate_book_status(const char *s)
{
    static const char *const statuses[] = {VALIDATE_BOOK_STATUSES};

    for (size_t i = 0; s && i < sizeof(statuses) / sizeof(statuses[0]); i++)
        if (strcmp(s, statuses[i]) == 0)
            return statuses[i];
    return NULL;
}

int validate_id_value(int64_t v)
{
    return v >= 1 && v <= VALIDATE_ID_MAX ? 0 : -1;
}

static int digits(const char *s, int n, int *out)
{
    int v = 0;

    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}

int validate_date(const char *s, char out[11])
{
    static const int month_days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int y, m, d, max;
    size_t len = s ? strlen(s) : 0;

    if (len == 10 && s[4] == '-' && s[7] == '-') {
        if (digits(s, 4, &y) || digits(s + 5, 2, &m) || digits(s + 8, 2, &d))
            return -1;
    } else if (len == 8) {
        if (digits(s, 4, &y) || digits(s + 4, 2, &m) || digits(s + 6, 2, &d))
            return -1;
    } else {
        return -1;
    }
    if (y < 1000 || m < 1 || m > 12 || d < 1)
        return -1;
    max = month_days[m - 1];
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        max = 29;
    if (d > max)
        return -1;
    out[0] = (char)('0' + y / 1000);
    out[1] = (char)('0' + y / 100 % 10);
    out[2] = (char)('0' + y / 10 % 10);
    out[3] = (char)('0' + y % 10);
    out[4] = '-';
    out[5] = (char)('0' + m / 10);
    out[6] = (char)('0' + m % 10);
    out[7] = '-';
    out[8] = (char)('0' + d / 10);
    out[9] = (char)('0' + d % 10);
    out[10] = '\0';
    return 0;
}

/* Length of the UTF-8 sequence at s (n bytes left) and its code point, or 0
 * if invalid (overlong, surrogate, beyond U+10FFFF, truncated). */
static size_t utf8_next(const unsigned char *s, size_t n, unsigned *cp)
{
    unsigned c = s[0];
    size_t len;
    unsigned min;

    if (c < 0x80) {
        *cp = c;
        return 1;
    } else if ((c & 0xE0) == 0xC0) {
        len = 2, min = 0x80, c &= 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
        len = 3, min = 0x800, c &= 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
        len = 4, min = 0x10000, c &= 0x07;
    } else {
        return 0;
    }
    if (len > n)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        c = (c << 6) | (s[i] & 0x3F);
    }
    if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
        return 0;
    *cp = c;
    return len;
}

const char *validate_text(const char *s, size_t len, size_t max_chars, int multiline)
{
    static char too_long[48];
    const unsigned char *p = (const unsigned char *)s;
    size_t chars = 0;
    int blank = 1;

    if (len == 0)
        return "must not be empty";
    while (len > 0) {
        unsigned cp;
        size_t n = utf8_next(p, len, &cp);
        if (n == 0)
            return "must be valid UTF-8";
        if ((cp < 0x20 && !(multiline && (cp == '\n' || cp == '\r' || cp == '\t'))) ||
            (cp >= 0x7F && cp < 0xA0))
            return multiline ? "must not contain control characters other than line breaks and tabs"
                             : "must not contain control characters";
        if (cp != ' ' && cp != 0x3000 && cp != '\n' && cp != '\r' && cp != '\t')
            blank = 0;
        p += n;
        len -= n;
        if (++chars > max_chars) {
            snprintf(too_long, sizeof(too_long), "must be at most %zu characters", max_chars);
            return too_long;
        }
    }
    return blank ? "must not be blank" : NULL;
}

const char *validate_name(const char *s, size_t len)
{
    return validate_text(s, len, VALIDATE_NAME_MAX, 0);
}

int validate_time(const char *s, char out[6])
{
    int h, m;

    if (!s || strlen(s) != 5 || s[2] != ':' || digits(s, 2, &h) || digits(s + 3, 2, &m) || h > 23 ||
        m > 59)
        return -1;
    memcpy(out, s, 6);
    return 0;
}

int validate_slot(const char *s, char out[32])
{
    char date[11];
    const char *t;
    int h, m, sec = 0, oh, om;
    size_t len = s ? strlen(s) : 0;

    if (len < 16 || len > 25 || s[10] != 'T')
        return -1;
    memcpy(date, s, 10);
    date[10] = '\0';
    if (strchr(date, '-') != date + 4 || validate_date(date, date) != 0)
        return -1;
    t = s + 11;
    if (t[2] != ':' || digits(t, 2, &h) || digits(t + 3, 2, &m) || h > 23 || m > 59)
        return -1;
    t += 5;
    if (t[0] == ':') {
        if (digits(t + 1, 2, &sec) || sec > 59)
            return -1;
        t += 3;
    }
    if (t[0] == 'Z') {
        t++;
    } else if (t[0] == '+' || t[0] == '-') {
        if (strlen(t) != 6 || t[3] != ':' || digits(t + 1, 2, &oh) || digits(t + 4, 2, &om) ||
            oh > 15 || om > 59)
            return -1;
        t += 6;
    }
    if (*t != '\0')
        return -1;
    memcpy(out, s, len + 1);
    return 0;
}

int validate_utf8(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;

    while (len > 0) {
        unsigned cp;
        size_t n = utf8_next(p, len, &cp);
        if (n == 0)
            return -1;
        p += n;
        len -= n;
    }
    return 0;
}

int validate_idempotency_key(const char *s)
{
    size_t len = 0;

    if (!s)
        return -1;
    for (; s[len]; len++)
        if (s[len] < 0x20 || s[len] > 0x7E || len >= VALIDATE_IDEMPOTENCY_KEY_MAX)
            return -1;
    return len > 0 ? 0 : -1;
}

int validate_limit(const char *s, int *out)
{
    int64_t v;

    if (validate_id_text(s, &v) || v > VALIDATE_LIMIT_MAX)
        return -1;
    *out = (int)v;
    return 0;
}

void validate_camel_case(const char *snake, char *out, size_t n)
{
    size_t o = 0;
    int upper = 0;

    if (n == 0)
        return;
    for (; *snake && o + 1 < n; snake++) {
        if (*snake == '_') {
            upper = 1;
            continue;
        }
        out[o++] = upper ? (char)toupper((unsigned char)*snake) : *snake;
        upper = 0;
    }
    out[o] = '\0';
}

/* 1 if c may be in a dot-atom's atom (RFC 5322 atext): letters, digits and
 * !#$%&'*+/=?^_`{|}~- . */
static int atext(unsigned char c)
{
    return isalnum(c) || (c && strchr("!#$%&'*+/=?^_`{|}~-", c));
}

const char *validate_email(const char *s, size_t len)
{
    static const char shape[] = "must be an email address like name@example.org";
    const char *at = len ? memchr(s, '@', len) : NULL;
    size_t local = at ? (size_t)(at - s) : 0, label = 0, dots = 0;

    if (len == 0)
        return "must not be empty";
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7F)
            return "must be ASCII, without spaces or control characters";
    if (len > VALIDATE_EMAIL_MAX)
        return "must be at most 254 characters";
    if (!at || memchr(at + 1, '@', len - local - 1) || local == 0 || local + 1 == len)
        return shape;
    if (local > VALIDATE_EMAIL_LOCAL_MAX)
        return "must have at most 64 characters before the @";
    for (size_t i = 0; i < local; i++) /* atoms joined by single dots */
        if (s[i] == '.' ? i == 0 || i + 1 == local || s[i + 1] == '.' : !atext((unsigned char)s[i]))
            return "must have only letters, digits, single inner dots and "
                   "!#$%&'*+/=?^_`{|}~- before the @";
    for (size_t i = local + 1; i <= len; i++) { /* LDH labels of 1..63 */
        char c = i < len ? s[i] : '.';
        if (c == '.') {
            if (label == 0 || s[i - 1] == '-')
                return shape;
            dots += i < len;
            label = 0;
        } else if (!(isalnum((unsigned char)c) || (c == '-' && label > 0)) || ++label > 63) {
            return shape;
        }
    }
    return dots ? NULL : shape;
}

const char *validate_accept_lang(const char *header)
{
    const char *best = "en";
    double best_q = 0;

    for (const char *s = header; s && *s;) {
        size_t item = strcspn(s, ","), tag;
        const char *lang = NULL, *q;
        double weight = 1;

        while (item > 0 && (*s == ' ' || *s == '\t'))
            s++, item--;
        tag = strcspn(s, ",; \t");
        if (tag > item)
            tag = item;
        if ((tag == 2 || (tag > 2 && s[2] == '-')) && strncasecmp(s, "ko", 2) == 0)
            lang = "ko";
        else if ((tag == 2 || (tag > 2 && s[2] == '-')) && strncasecmp(s, "en", 2) == 0)
            lang = "en";
        q = memchr(s, ';', item);
        if (q) {
            q++;
            while (q < s + item && (*q == ' ' || *q == '\t'))
                q++;
            if (q + 2 <= s + item && (q[0] == 'q' || q[0] == 'Q') && q[1] == '=') {
                char num[8] = "";
                size_t k = 0;

                for (q += 2; q < s + item && k < sizeof(num) - 1 && strchr("0123456789.", *q);)
                    num[k++] = *q++;
                weight = k ? atof(num) : 0;
            }
        }
        if (lang && weight > best_q)
            best = lang, best_q = weight;
        s += item;
        if (*s == ',')
            s++;
    }
    return best;
}
