#include "textbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void textbuf_put(struct textbuf *t, const char *s, size_t n)
{
    if (t->failed)
        return;
    if (t->len + n + 1 > t->cap) {
        size_t cap = t->cap ? t->cap : 2048;
        char *grown;

        while (cap < t->len + n + 1)
            cap *= 2;
        if (!(grown = realloc(t->s, cap))) {
            t->failed = 1;
            return;
        }
        t->s = grown;
        t->cap = cap;
    }
    memcpy(t->s + t->len, s, n);
    t->len += n;
    t->s[t->len] = '\0';
}

void textbuf_puts(struct textbuf *t, const char *s)
{
    textbuf_put(t, s, strlen(s));
}

void textbuf_printf(struct textbuf *t, const char *fmt, ...)
{
    char small[512];
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(small, sizeof(small), fmt, ap);
    va_end(ap);
    if (n < 0) {
        t->failed = 1;
    } else if ((size_t)n < sizeof(small)) {
        textbuf_put(t, small, (size_t)n);
    } else {
        char *big = malloc((size_t)n + 1);

        if (!big) {
            t->failed = 1;
            return;
        }
        va_start(ap, fmt);
        vsnprintf(big, (size_t)n + 1, fmt, ap);
        va_end(ap);
        textbuf_put(t, big, (size_t)n);
        free(big);
    }
}
