/* pool: the worker scoreboard, shared between the FastCGI master and its
 * workers (anonymous shared memory, inherited across fork). Each slot has
 * one writer (its worker) besides the master's bookkeeping. */
#ifndef MUSEUM_POOL_H
#define MUSEUM_POOL_H

#include <stdint.h>
#include <sys/types.h>

#define POOL_MAX_WORKERS 256

enum pool_state { POOL_FREE = 0, POOL_STARTING, POOL_IDLE, POOL_BUSY, POOL_RETIRING };

struct pool_slot {
    pid_t pid;
    volatile int state;
    volatile int64_t since_ms; /* when the slot entered its state (monotonic) */
    volatile uint64_t served;  /* requests answered by this worker */
};

struct pool_board {
    volatile uint64_t served_by_gone; /* requests answered by workers now gone */
    volatile int high_water;          /* most workers alive at once */
    volatile int max_busy;            /* most workers busy at once */
    int min_workers, max_workers;
    struct pool_slot slots[POOL_MAX_WORKERS];
};

/* Maps a zeroed scoreboard shared with future children. NULL on failure. */
struct pool_board *pool_board_create(void);

/* Monotonic clock in milliseconds. */
int64_t pool_now_ms(void);

/* Worker side: records that slot i is waiting for, or answering, a request. */
void pool_slot_idle(struct pool_board *b, int i);
void pool_slot_busy(struct pool_board *b, int i);

/* Counts of workers by state, and requests served overall. */
struct pool_counts {
    int total, idle, busy, starting;
    uint64_t served;
};
void pool_count(const struct pool_board *b, struct pool_counts *out);

/* Current length and limit of the listen queue of socket fd (a listening
 * unix or TCP socket). Returns 0, or -1 if the kernel does not say. */
int pool_listen_queue(int fd, unsigned *queued, unsigned *limit);

#endif
