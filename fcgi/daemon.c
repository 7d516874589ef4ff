#include "daemon.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *daemon_env_text(const char *name, const char *fallback)
{
    const char *v = getenv(name);

    return v && *v ? v : fallback;
}

const char *daemon_env_zone(const char *name, const char *fallback)
{
    const char *v = daemon_env_text(name, fallback);
    char path[256];

    snprintf(path, sizeof(path), "/usr/share/zoneinfo/%s", v);
    if (strspn(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/_+-") !=
            strlen(v) ||
        strstr(v, "..") || v[0] == '/' || access(path, R_OK) != 0) {
        fprintf(stderr,
                "event=config_error setting=%s value=\"%s\" expected=\"a time zone such as "
                "Asia/Seoul (a file under /usr/share/zoneinfo)\"\n",
                name, v);
        exit(2);
    }
    return v;
}

/* The setting name as a number in min..max (a whole one if whole), or
 * fallback when unset or empty; anything else stops the process. */
static double env_number(const char *name, double fallback, double min, double max, int whole)
{
    const char *v = getenv(name);
    char *end;
    double x;

    if (!v || !*v)
        return fallback;
    errno = 0;
    x = strtod(v, &end);
    if (errno || end == v || *end || !(x >= min && x <= max) ||
        (whole && v[strspn(v, "-0123456789")] != '\0')) {
        fprintf(stderr,
                "event=config_error setting=%s value=\"%s\" expected=\"a %snumber from %g to "
                "%g\"\n",
                name, v, whole ? "whole " : "", min, max);
        exit(2);
    }
    return x;
}

long daemon_env_long(const char *name, long fallback, long min, long max)
{
    return (long)env_number(name, (double)fallback, (double)min, (double)max, 1);
}

double daemon_env_double(const char *name, double fallback, double min, double max)
{
    return env_number(name, fallback, min, max, 0);
}

const char *daemon_first_line(const char *msg)
{
    static char buf[256];

    if (!msg)
        msg = "out of memory";
    snprintf(buf, sizeof(buf), "%.*s", (int)strcspn(msg, "\n"), msg);
    return buf;
}

int daemon_write_pidfile(const char *path)
{
    FILE *f;

    if (!path || !*path)
        return 0;
    f = fopen(path, "w");
    if (!f) {
        fprintf(stderr, "event=pidfile_failed path=%s error=\"%s\"\n", path, strerror(errno));
        return -1;
    }
    fprintf(f, "%ld\n", (long)getpid());
    return fclose(f);
}
