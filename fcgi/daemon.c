#define _GNU_SOURCE /* getgrouplist, setgroups */
#include "daemon.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
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
    struct stat st;

    snprintf(path, sizeof(path), "/usr/share/zoneinfo/%s", v);
    if (strspn(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/_+-") !=
            strlen(v) ||
        strstr(v, "..") || v[0] == '/' || stat(path, &st) != 0 || !S_ISREG(st.st_mode)) {
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

static void user_error(const char *name, const char *value, const char *expected)
{
    fprintf(stderr, "event=config_error setting=%s value=\"%s\" expected=\"%s\"\n", name, value,
            expected);
    exit(2);
}

void daemon_env_user(const char *name, struct daemon_user *user)
{
    const char *v = getenv(name);
    struct passwd *pw;

    memset(user, 0, sizeof(*user));
    if (!v || !*v)
        return;
    if (strlen(v) >= sizeof(user->name))
        user_error(name, v, "the name of an existing user (empty: do not switch)");
    pw = getpwnam(v);
    if (!pw)
        user_error(name, v, "the name of an existing user (empty: do not switch)");
    if (pw->pw_uid == 0)
        user_error(name, v, "an unprivileged user, not root");
    snprintf(user->name, sizeof(user->name), "%s", v);
    user->uid = pw->pw_uid;
    user->gid = pw->pw_gid;
    user->ngroups = (int)(sizeof(user->groups) / sizeof(user->groups[0]));
    if (getgrouplist(v, user->gid, user->groups, &user->ngroups) < 0)
        user_error(name, v, "a user in at most 64 groups");
    if (geteuid() == user->uid && getuid() == user->uid)
        return; /* already that user */
    if (geteuid() != 0)
        user_error(name, v, "our own user, or empty: only root may switch to another user");
    user->drop = 1;
}

int daemon_drop_privileges(const struct daemon_user *user)
{
    /* Whatever user it runs as: no other process of that user may read its
     * memory or /proc/<pid>/environ (database URLs, the staff password),
     * e.g. an app worker the listener's. (A switch from root makes it so
     * too; a start as that user, under systemd's User=, does not.) */
    prctl(PR_SET_DUMPABLE, 0);
    if (!user->drop)
        return 0;
    if (setgroups((size_t)user->ngroups, user->groups) != 0 || setgid(user->gid) != 0 ||
        setuid(user->uid) != 0) {
        fprintf(stderr, "event=drop_privileges_failed user=%s error=\"%s\"\n", user->name,
                strerror(errno));
        return -1;
    }
    if (setuid(0) == 0 || getuid() != user->uid || geteuid() != user->uid ||
        getegid() != user->gid) {
        fprintf(stderr, "event=drop_privileges_failed user=%s error=\"still privileged\"\n",
                user->name);
        return -1;
    }
    return 0;
}
