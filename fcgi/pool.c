#define _GNU_SOURCE
#include "pool.h"

#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct pool_board *pool_board_create(void)
{
    void *p = mmap(NULL, sizeof(struct pool_board), PROT_READ | PROT_WRITE,
                   MAP_SHARED | MAP_ANONYMOUS, -1, 0);

    return p == MAP_FAILED ? NULL : p;
}

int64_t pool_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* since_ms first, then state with release order: a master that reads the
 * new state (acquire) sees the new time too. */
void pool_slot_idle(struct pool_board *b, int i)
{
    b->slots[i].since_ms = pool_now_ms();
    __atomic_store_n(&b->slots[i].state, POOL_IDLE, __ATOMIC_RELEASE);
}

void pool_slot_busy(struct pool_board *b, int i)
{
    b->slots[i].since_ms = pool_now_ms();
    __atomic_store_n(&b->slots[i].state, POOL_BUSY, __ATOMIC_RELEASE);
}

void pool_count(const struct pool_board *b, struct pool_counts *out)
{
    memset(out, 0, sizeof(*out));
    out->served = b->served_by_gone;
    for (int i = 0; i < POOL_MAX_WORKERS; i++) {
        const struct pool_slot *s = &b->slots[i];
        if (s->state == POOL_FREE)
            continue;
        out->total++;
        out->served += s->served;
        if (s->state == POOL_IDLE)
            out->idle++;
        else if (s->state == POOL_BUSY)
            out->busy++;
        else if (s->state == POOL_STARTING)
            out->starting++;
    }
}

/* Unix sockets: ask sock_diag for the listener's queue (UNIX_DIAG_RQLEN). */
static int unix_listen_queue(ino_t ino, unsigned *queued, unsigned *limit)
{
    struct {
        struct nlmsghdr nlh;
        struct unix_diag_req req;
    } msg;
    char buf[4096];
    int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
    int rc = -1;
    ssize_t n;

    if (fd < 0)
        return -1;
    memset(&msg, 0, sizeof(msg));
    msg.nlh.nlmsg_len = sizeof(msg);
    msg.nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
    msg.nlh.nlmsg_flags = NLM_F_REQUEST;
    msg.req.sdiag_family = AF_UNIX;
    msg.req.udiag_states = ~0U;
    msg.req.udiag_ino = (unsigned)ino;
    msg.req.udiag_show = UDIAG_SHOW_RQLEN;
    msg.req.udiag_cookie[0] = msg.req.udiag_cookie[1] = ~0U;
    if (send(fd, &msg, sizeof(msg), 0) < 0)
        goto out;
    n = recv(fd, buf, sizeof(buf), 0);
    if (n < (ssize_t)sizeof(struct nlmsghdr))
        goto out;
    for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, (unsigned)n);
         h = NLMSG_NEXT(h, n)) {
        struct unix_diag_msg *m = NLMSG_DATA(h);
        struct rtattr *a;
        unsigned len;
        if (h->nlmsg_type != SOCK_DIAG_BY_FAMILY)
            break;
        len = h->nlmsg_len - NLMSG_LENGTH(sizeof(*m));
        for (a = (struct rtattr *)(m + 1); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
            if (a->rta_type == UNIX_DIAG_RQLEN) {
                struct unix_diag_rqlen *q = RTA_DATA(a);
                *queued = q->udiag_rqueue;
                *limit = q->udiag_wqueue;
                rc = 0;
            }
        }
    }
out:
    close(fd);
    return rc;
}

int pool_listen_queue(int fd, unsigned *queued, unsigned *limit)
{
    struct stat st;
    struct sockaddr_storage addr;
    socklen_t alen = sizeof(addr);

    if (getsockname(fd, (struct sockaddr *)&addr, &alen) != 0)
        return -1;
    if (addr.ss_family == AF_UNIX) {
        if (fstat(fd, &st) != 0)
            return -1;
        return unix_listen_queue(st.st_ino, queued, limit);
    }
    {
        struct tcp_info ti;
        socklen_t tlen = sizeof(ti);
        if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &tlen) != 0)
            return -1;
        *queued = ti.tcpi_unacked; /* on a listener: connections waiting for accept */
        *limit = ti.tcpi_sacked;   /* on a listener: its backlog */
        return 0;
    }
}
