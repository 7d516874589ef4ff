/* daemon: what the long-running programs share: settings from the
 * environment and pid files. */
#ifndef MUSEUM_DAEMON_H
#define MUSEUM_DAEMON_H

/* The integer environment setting name, or fallback when unset or empty.
 * A value that is not a whole number in min..max is a configuration error:
 * logged, and the process exits with status 2. */
long daemon_env_long(const char *name, long fallback, long min, long max);

/* Writes this process's pid to path (nothing if path is NULL or empty).
 * Returns 0, or -1 (logged). */
int daemon_write_pidfile(const char *path);

#endif
