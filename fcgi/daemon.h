/* daemon: what the long-running programs share: settings from the
 * environment (read once, at start-up), log lines and pid files. */
#ifndef MUSEUM_DAEMON_H
#define MUSEUM_DAEMON_H

#include <sys/types.h>

/* The unprivileged user a process started as root runs as (APP_USER). */
struct daemon_user {
    char name[64];
    uid_t uid;
    gid_t gid;
    gid_t groups[64]; /* its supplementary groups (getgrouplist) */
    int ngroups;
    int drop; /* 1: switch to it (started as root); 0: stay as we are */
};

/* The integer environment setting name, or fallback when unset or empty.
 * A value that is not a whole number in min..max is a configuration error:
 * logged, and the process exits with status 2. */
long daemon_env_long(const char *name, long fallback, long min, long max);

/* The text environment setting name, or fallback when unset or empty. */
const char *daemon_env_text(const char *name, const char *fallback);

/* The time-zone setting name ("Asia/Seoul"), or fallback when unset or
 * empty. A name that is not a zone of the system's database
 * (/usr/share/zoneinfo) is a configuration error, as for daemon_env_long. */
const char *daemon_env_zone(const char *name, const char *fallback);

/* The real-number environment setting name, as daemon_env_long. */
double daemon_env_double(const char *name, double fallback, double min, double max);

/* The first line of a (libpq) message, for a log line: in a static
 * buffer, overwritten by the next call. */
const char *daemon_first_line(const char *msg);

/* Writes this process's pid to path (nothing if path is NULL or empty).
 * Returns 0, or -1 (logged). */
int daemon_write_pidfile(const char *path);

/* The user named by the environment setting name (APP_USER), resolved
 * once, at start-up. Unset or empty: no switch (drop = 0), as when the
 * process already runs as that user (a systemd unit's User=). A user that
 * does not exist, root, or any user other than our own when we are not
 * root is a configuration error: logged, and the process exits with
 * status 2. */
void daemon_env_user(const char *name, struct daemon_user *user);

/* Makes the process undumpable (no other process of its user may read its
 * memory or environment), then switches it to user (its supplementary
 * groups, its group, then its uid) for good, if user->drop; no lookup
 * (safe right after fork). Returns 0, or -1 (logged). */
int daemon_drop_privileges(const struct daemon_user *user);

#endif
