#!/usr/bin/python3
"""Samples both PostgreSQL nodes' pg_is_in_recovery() every ~100 ms and
prints one JSON line per sample {t, pg1, pg2} ('t' in recovery, 'f' accepts
writes, null no answer), until SIGTERM. A process of its own, with a
connection kept to each node (psycopg2, which Debian's Patroni depends on:
hence /usr/bin/python3), so that a sample costs a query, not a psql
process.

    sampler.py PORT1 PORT2 PASSWORD_FILE
"""
import json
import signal
import sys
import time

import psycopg2

ports = sys.argv[1:3]
password = open(sys.argv[3]).read().strip()
conns = [None, None]
running = True


def stop(*_):
    global running
    running = False


signal.signal(signal.SIGTERM, stop)


def sample(i):
    """'t' or 'f' from node i, or None; reconnects after any error."""
    try:
        if conns[i] is None or conns[i].closed:
            conns[i] = psycopg2.connect(host="127.0.0.1", port=ports[i], user="postgres", password=password,
                                        dbname="postgres", connect_timeout=1,
                                        options="-c statement_timeout=500")
            conns[i].autocommit = True
        with conns[i].cursor() as cur:
            cur.execute("SELECT pg_is_in_recovery()")
            return "t" if cur.fetchone()[0] else "f"
    except Exception:
        try:
            conns[i].close()
        except Exception:
            pass
        conns[i] = None
        return None


while running:
    t = time.time()
    print(json.dumps({"t": int(t * 1000), "pg1": sample(0), "pg2": sample(1)}), flush=True)
    time.sleep(max(0.0, 0.1 - (time.time() - t)))
