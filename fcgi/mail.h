/* mail: the emails the listener sends (tickets, cancels, sign-in links):
 * composed as RFC 5322 messages (MIME, UTF-8 text in base64, the visit's
 * .ics attached to a ticket), in English or Korean, and delivered through
 * libcurl's SMTP (SMTP_URL) or, without one, as files of a Maildir
 * (MAIL_DIR). See docs/mail.md. */
#ifndef MUSEUM_MAIL_H
#define MUSEUM_MAIL_H

#include <stddef.h>
#include <time.h>

/* The settings, read once at start-up by the listener (etc/museum.conf). */
struct mail_config {
    const char *from;       /* SMTP_FROM: "Name <addr@domain>" or "addr@domain" */
    const char *public_url; /* PUBLIC_URL: where the pages are, no trailing '/' */
    const char *smtp_url;   /* SMTP_URL: smtp:// or smtps://; NULL: the Maildir */
    const char *smtp_user;  /* SMTP_USER, SMTP_PASSWORD: NULL: none */
    const char *smtp_password;
    long timeout_ms;               /* SMTP_TIMEOUT_MS: one delivery, all of it */
    long connect_timeout_ms;       /* SMTP_CONNECT_TIMEOUT_MS: its connection */
    const char *dir;               /* MAIL_DIR: the Maildir (tmp/, new/) */
    const char *museum[2];         /* the museum's name in en, ko (site_name) */
    const char *address[2];        /* its address in en, ko (site_address; "": none) */
    const char *const *categories; /* TICKET_CATEGORIES (site_categories) */
};

/* One message as mail.claim returns it; book fields are unset (NULL, 0)
 * for a sign-in link (kind ACCESS); a waiting list's (WAITLIST_*) has its
 * entry's in them, but no book_id, code or updated. */
struct mail_message {
    long long id;
    const char *kind; /* mail.message.kind */
    const char *to;
    const char *lang;   /* en, ko */
    const char *secret; /* the link's token, or NULL: a link without it */
    long long book_id;
    const char *code, *exhibition, *cust_nm;
    time_t slot_start, slot_end;
    int party;
    const char *tickets;       /* {"adult": 2, ...} */
    time_t updated;            /* the booking's last change (the .ics's DTSTAMP) */
    const char *cancel_reason; /* EXHIBITION_DELETED, DAY_CLOSED, or NULL */
    long long entry_id;        /* WAITLIST_*: the waiting list's entry */
    time_t offer_expires;      /* WAITLIST_OFFER: the seats are held until then */
};

struct mail_sender;

/* Checks cfg (kept by reference: it must outlive the sender) and makes a
 * sender: the SMTP handle, or the Maildir. Returns it (err, size n: "", or
 * a warning to log: a Maildir we cannot write yet), or NULL with the
 * reason in err (a setting that is wrong). mail_free frees it. */
struct mail_sender *mail_init(const struct mail_config *cfg, char *err, size_t n);

void mail_free(struct mail_sender *sender);

/* The message m as RFC 5322 text (CRLF lines), NUL-terminated, in a buffer
 * the caller frees; *len is its length. NULL if it cannot be made: err
 * (size n) says why (an address that is not one, no memory). */
char *mail_compose(struct mail_sender *sender, const struct mail_message *m, time_t now,
                   size_t *len, char *err, size_t n);

/* Delivers text (len octets, from mail_compose) for m: over SMTP, or as the
 * Maildir file named by its Message-ID (replacing an earlier delivery of
 * the same message). Returns 0, or -1 with the reason in err (size n). */
int mail_deliver(struct mail_sender *sender, const struct mail_message *m, const char *text,
                 size_t len, char *err, size_t n);

#endif
