/* daemon: what the long-running programs share: settings from the
 * environment (read once, at start-up), log lines and pid files. */
#ifndef MUSEUM_DAEMON_H
#define MUSEUM_DAEMON_H

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

#endif
