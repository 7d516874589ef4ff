#include "mail.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ics.h"
#include "textbuf.h"
#include "validate.h"

struct mail_sender {
    const struct mail_config *cfg;
    char from_addr[256]; /* the bare address of SMTP_FROM */
    char domain[256];    /* its domain: the Message-IDs' right-hand side */
    CURL *curl;          /* SMTP: one handle, its connection reused */
};

/* Base64 (RFC 4648) of s[0..n), in lines of at most 76 characters ending
 * in CRLF when wrap, else on one line. Written here: neither libcurl (no
 * public encoder), json-c nor glibc offers one. */
static void put_base64(struct textbuf *b, const unsigned char *s, size_t n, int wrap)
{
    static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t col = 0;

    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned)s[i] << 16 | (i + 1 < n ? (unsigned)s[i + 1] << 8 : 0) |
                     (i + 2 < n ? s[i + 2] : 0);
        char q[4] = {abc[v >> 18 & 63], abc[v >> 12 & 63], i + 1 < n ? abc[v >> 6 & 63] : '=',
                     i + 2 < n ? abc[v & 63] : '='};
        textbuf_put(b, q, 4);
        if (wrap && (col += 4) >= 76) {
            textbuf_put(b, "\r\n", 2);
            col = 0;
        }
    }
    if (wrap && col)
        textbuf_put(b, "\r\n", 2);
}

/* Whether s is printable ASCII only (a header may carry it as is). */
static int plain_ascii(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p < 0x20 || *p > 0x7E)
            return 0;
    return 1;
}

/* A Subject header: as is when printable ASCII and the line fits in 78
 * octets, else RFC 2047 encoded words (=?UTF-8?B?...?=) on folded lines of
 * at most 76 characters: 39 octets on the first line (after "Subject: "),
 * 45 on each next one (after its space), never splitting a UTF-8
 * character. */
static void put_subject(struct textbuf *b, const char *subject)
{
    const unsigned char *s = (const unsigned char *)subject;
    size_t n = strlen(subject), at = 0;

    textbuf_puts(b, "Subject: ");
    if (plain_ascii(subject) && n <= 78 - 9) {
        textbuf_put(b, subject, n);
        textbuf_put(b, "\r\n", 2);
        return;
    }
    while (at < n) {
        size_t most = at == 0 ? 39 : 45;
        size_t take = n - at > most ? most : n - at;
        while (take > 0 && at + take < n && (s[at + take] & 0xC0) == 0x80)
            take--; /* back to a character's first octet */
        if (take == 0)
            take = n - at > most ? most : n - at;
        if (at > 0)
            textbuf_put(b, "\r\n ", 3);
        textbuf_puts(b, "=?UTF-8?B?");
        put_base64(b, s + at, take, 0);
        textbuf_puts(b, "?=");
        at += take;
    }
    textbuf_put(b, "\r\n", 2);
}

struct mail_sender *mail_init(const struct mail_config *cfg, char *err, size_t n)
{
    struct mail_sender *s = calloc(1, sizeof(*s));
    const char *lt = strchr(cfg->from, '<'), *at;
    char probe[sizeof(s->from_addr) + 2];
    size_t len;

    *err = '\0';
    if (!s) {
        snprintf(err, n, "out of memory");
        return NULL;
    }
    s->cfg = cfg;
    if (lt) {
        const char *gt = strchr(lt, '>');
        len = gt ? (size_t)(gt - lt - 1) : 0;
        if (!gt || gt[1] || len >= sizeof(s->from_addr) || !plain_ascii(cfg->from))
            len = 0;
        memcpy(s->from_addr, lt + 1, len);
        s->from_addr[len] = '\0';
    } else {
        snprintf(s->from_addr, sizeof(s->from_addr), "%s", cfg->from);
    }
    /* The recipients' check; but the sender's domain may be one label
     * (localhost, in development). */
    at = strchr(s->from_addr, '@');
    snprintf(probe, sizeof(probe), "%s%s", s->from_addr, at && !strchr(at, '.') ? ".x" : "");
    if (validate_email(probe, strlen(probe)) != NULL) {
        snprintf(err, n, "SMTP_FROM: not \"Name <addr@domain>\" or \"addr@domain\" (ASCII)");
        goto fail;
    }
    snprintf(s->domain, sizeof(s->domain), "%s", at + 1);
    if (cfg->smtp_url) {
        if (strncmp(cfg->smtp_url, "smtp://", 7) != 0 &&
            strncmp(cfg->smtp_url, "smtps://", 8) != 0) {
            snprintf(err, n, "SMTP_URL: not smtp://host[:port] or smtps://host[:port]");
            goto fail;
        }
        if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK || !(s->curl = curl_easy_init())) {
            snprintf(err, n, "libcurl could not start");
            goto fail;
        }
    } else {
        /* Not fatal: the events must go on; each email fails (and is
         * retried) until the Maildir is there. */
        static const char *const sub[] = {"tmp", "new", "cur"};
        for (size_t i = 0; i < 3; i++) {
            char path[4096];
            snprintf(path, sizeof(path), "%s/%s", cfg->dir, sub[i]);
            if (access(path, i < 2 ? W_OK | X_OK : F_OK) != 0) {
                snprintf(err, n, "MAIL_DIR: %s: %s (a Maildir we may write: tmp, new, cur)", path,
                         strerror(errno));
                break;
            }
        }
    }
    return s;
fail:
    mail_free(s);
    return NULL;
}

void mail_free(struct mail_sender *s)
{
    if (!s)
        return;
    if (s->curl) {
        curl_easy_cleanup(s->curl);
        curl_global_cleanup();
    }
    free(s);
}

/* --- the texts ---------------------------------------------------------- */

static const char *const weekday_en[] = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                         "Thursday", "Friday", "Saturday"};
static const char *const month_en[] = {"January",   "February", "March",    "April",
                                       "May",       "June",     "July",     "August",
                                       "September", "October",  "November", "December"};
static const char *const weekday_ko[] = {"일", "월", "화", "수", "목", "금", "토"};

/* The slot in the museum's time (the process's TZ, set from MUSEUM_TZ):
 * "Saturday 3 May 2031, 10:00–10:30" or "2031년 5월 3일 (토) 10:00–10:30". */
static void put_when(struct textbuf *b, const struct mail_message *m, int ko)
{
    struct tm s, e;

    localtime_r(&m->slot_start, &s);
    localtime_r(&m->slot_end, &e);
    if (ko)
        textbuf_printf(b, "%d년 %d월 %d일 (%s) %02d:%02d–%02d:%02d", s.tm_year + 1900, s.tm_mon + 1,
                       s.tm_mday, weekday_ko[s.tm_wday], s.tm_hour, s.tm_min, e.tm_hour, e.tm_min);
    else
        textbuf_printf(b, "%s %d %s %d, %02d:%02d–%02d:%02d", weekday_en[s.tm_wday], s.tm_mday,
                       month_en[s.tm_mon], s.tm_year + 1900, s.tm_hour, s.tm_min, e.tm_hour,
                       e.tm_min);
}

/* A moment in the museum's time: "Saturday 3 May 2031, 10:20" or
 * "2031년 5월 3일 (토) 10:20". */
static void put_moment(struct textbuf *b, time_t t, int ko)
{
    struct tm s;

    localtime_r(&t, &s);
    if (ko)
        textbuf_printf(b, "%d년 %d월 %d일 (%s) %02d:%02d", s.tm_year + 1900, s.tm_mon + 1,
                       s.tm_mday, weekday_ko[s.tm_wday], s.tm_hour, s.tm_min);
    else
        textbuf_printf(b, "%s %d %s %d, %02d:%02d", weekday_en[s.tm_wday], s.tm_mday,
                       month_en[s.tm_mon], s.tm_year + 1900, s.tm_hour, s.tm_min);
}

static int waitlist_kind(const struct mail_message *m)
{
    return strncmp(m->kind, "WAITLIST_", 9) == 0;
}

/* The booking of m as ics.c sees it (the party, the calendar). */
static struct ics_booking booking_of(const struct mail_sender *snd, const struct mail_message *m)
{
    const struct mail_config *cfg = snd->cfg;
    int ko = m->lang && strcmp(m->lang, "ko") == 0;

    return (struct ics_booking){
        .id = m->book_id,
        .code = m->code,
        .lang = ko ? "ko" : "en",
        .exhibition = m->exhibition,
        .museum = cfg->museum[ko],
        .address = cfg->address[ko],
        .party = m->party,
        .tickets = m->tickets,
        .categories = cfg->categories,
        .start = m->slot_start,
        .end = m->slot_end,
        .updated = m->updated,
    };
}

/* The party: "4 (adult 2, child 2)" or "4명 (성인 2, 어린이 2)" (ics_party). */
static void put_party(struct textbuf *b, const struct mail_sender *snd,
                      const struct mail_message *m)
{
    struct ics_booking bk = booking_of(snd, m);
    char *party = ics_party(&bk);

    if (!party)
        b->failed = 1;
    else
        textbuf_puts(b, party);
    free(party);
}

/* The visit's lines every booking or waiting-list email has, after its
 * "When: ": the slot, the party, the museum's address (if any), then a
 * blank line. */
static void put_visit(struct textbuf *b, const struct mail_sender *snd,
                      const struct mail_message *m, const char *address, int ko)
{
    put_when(b, m, ko);
    textbuf_puts(b, ko ? "\n인원: " : "\nParty: ");
    put_party(b, snd, m);
    textbuf_puts(b, "\n");
    if (address && *address)
        textbuf_printf(b, ko ? "장소: %s\n" : "Where: %s\n", address);
    textbuf_puts(b, "\n");
}

/* The force-cancel's reason in plain words. */
static const char *reason(const struct mail_message *m, int ko)
{
    if (m->cancel_reason && strcmp(m->cancel_reason, "DAY_CLOSED") == 0)
        return ko ? "박물관이 그날 휴관하게 되었습니다." : "the museum is closed that day.";
    return ko ? "전시가 취소(철회)되었습니다." : "the exhibition was withdrawn.";
}

static void put_subject_for(struct textbuf *b, const struct mail_message *m, int ko,
                            const char *museum)
{
    struct textbuf s = {0};

    if (strcmp(m->kind, "TICKET") == 0)
        textbuf_printf(&s, ko ? "입장권 %s — %s" : "Your ticket %s — %s", m->code, m->exhibition);
    else if (strcmp(m->kind, "CANCELED") == 0)
        textbuf_printf(&s, ko ? "예약 취소 %s — %s" : "Booking canceled %s — %s", m->code,
                       m->exhibition);
    else if (strcmp(m->kind, "FORCE_CANCELED") == 0)
        textbuf_printf(&s,
                       ko ? "죄송합니다: 예약이 취소되었습니다 %s — %s"
                          : "We are sorry: your visit is canceled %s — %s",
                       m->code, m->exhibition);
    else if (strcmp(m->kind, "WAITLIST_OFFER") == 0)
        textbuf_printf(&s, ko ? "대기하신 자리가 났습니다 — %s" : "Seats are free for you — %s",
                       m->exhibition);
    else if (strcmp(m->kind, "WAITLIST_EXPIRED") == 0)
        textbuf_printf(&s,
                       ko ? "대기 자리 제안이 만료되었습니다 — %s" : "Your held seats ran out — %s",
                       m->exhibition);
    else if (strcmp(m->kind, "WAITLIST_CANCELED") == 0)
        textbuf_printf(&s,
                       ko ? "죄송합니다: 대기가 취소되었습니다 — %s"
                          : "We are sorry: your place on the waiting list is canceled — %s",
                       m->exhibition);
    else
        textbuf_printf(&s, ko ? "예약 확인 링크 — %s" : "Your sign-in link — %s", museum);
    if (s.failed)
        b->failed = 1;
    else
        put_subject(b, s.s);
    free(s.s);
}

/* The text of a waiting list's message: the offer (its accept link), its
 * expiry, the museum's cancel. */
static void put_waitlist_body(struct textbuf *b, const struct mail_sender *snd,
                              const struct mail_message *m, int ko)
{
    const struct mail_config *cfg = snd->cfg;
    const char *address = cfg->address[ko];
    const char *url = cfg->public_url;

    textbuf_printf(b, ko ? "%s님, 안녕하세요.\n\n" : "Hello %s,\n\n", m->cust_nm);
    if (strcmp(m->kind, "WAITLIST_OFFER") == 0)
        textbuf_puts(b, ko ? "대기 중이던 관람에 자리가 났습니다:\n\n"
                           : "Seats have become free for the visit you are waiting for:\n\n");
    else if (strcmp(m->kind, "WAITLIST_EXPIRED") == 0)
        textbuf_puts(b,
                     ko ? "안내해 드린 자리를 기한 안에 수락하지 않으셔서, 자리는 다음 대기자에게 "
                          "넘어갔습니다. 이 대기는 끝났습니다:\n\n"
                        : "The seats held for you were not accepted in time, so they went to the "
                          "next person waiting. Your place on the waiting list has ended:\n\n");
    else
        textbuf_printf(b,
                       ko ? "죄송합니다. 박물관 사정으로 이 대기가 취소되었습니다. 사유: %s\n\n"
                          : "We are sorry: the museum has canceled your place on the waiting list, "
                            "because %s\n\n",
                       reason(m, ko));
    textbuf_printf(b, ko ? "전시: %s\n일시: " : "Exhibition: %s\nWhen: ", m->exhibition);
    put_visit(b, snd, m, address, ko);
    if (strcmp(m->kind, "WAITLIST_OFFER") == 0) {
        textbuf_puts(b, ko ? "자리는 " : "The seats are held for you until ");
        put_moment(b, m->offer_expires, ko);
        textbuf_puts(b, ko ? "까지 회원님을 위해 잡아 둡니다. 수락하면 예약이 확정됩니다:\n"
                           : ". Accept them to book your visit:\n");
        if (m->secret) {
            textbuf_printf(b, "%s/waitlist.html#id=%lld&token=%s\n", url, m->entry_id, m->secret);
            textbuf_puts(b, ko ? "(이 링크로 대기를 열 수 있으니 다른 사람과 공유하지 마세요.)\n\n"
                               : "(This link opens your place on the waiting list: keep it to "
                                 "yourself.)\n\n");
        } else {
            textbuf_puts(b, ko ? "대기 신청 때 받은 링크를 열어 수락하세요.\n\n"
                               : "Open the link you got when you joined the waiting list to accept "
                                 "them.\n\n");
        }
        textbuf_puts(b, ko ? "그때까지 수락하지 않으면 자리는 다음 대기자에게 넘어갑니다.\n"
                           : "If you do not accept them by then, they go to the next person "
                             "waiting.\n");
    } else if (strcmp(m->kind, "WAITLIST_EXPIRED") == 0) {
        textbuf_printf(b, ko ? "다른 관람 예약하기: %s/\n" : "Book another visit: %s/\n", url);
    } else {
        textbuf_puts(b, ko ? "불편을 드려 대단히 죄송합니다. 다른 날짜로 예약해 주세요.\n"
                           : "We apologise for the inconvenience. You are welcome to book another "
                             "visit.\n");
        textbuf_printf(b, "%s/\n", url);
    }
    textbuf_printf(b, "\n%s\n", cfg->museum[ko]);
}

/* The text part, UTF-8, LF lines (made CRLF by base64's reader). */
static void put_body(struct textbuf *b, const struct mail_sender *snd, const struct mail_message *m,
                     int ko)
{
    const struct mail_config *cfg = snd->cfg;
    const char *museum = cfg->museum[ko];
    const char *address = cfg->address[ko];
    const char *url = cfg->public_url;

    if (waitlist_kind(m)) {
        put_waitlist_body(b, snd, m, ko);
        return;
    }
    if (strcmp(m->kind, "ACCESS") == 0) {
        if (m->secret) {
            textbuf_puts(
                b, ko ? "아래 링크로 이 이메일 주소의 예약을 볼 수 있습니다 (30분 동안 유효):\n\n"
                      : "Open your bookings with this link (valid for 30 minutes):\n\n");
            textbuf_printf(b, "%s/my.html#access=%s\n\n", url, m->secret);
            textbuf_puts(b, ko ? "요청하지 않으셨다면 이 이메일을 무시하세요.\n"
                               : "If you did not ask for it, ignore this email.\n");
        } else {
            textbuf_puts(b,
                         ko ? "이 링크는 더 이상 쓸 수 없습니다. 새 링크를 요청하세요:\n\n"
                            : "This sign-in link can no longer be used. Ask for a new one at:\n\n");
            textbuf_printf(b, "%s/my.html\n\n", url);
        }
        textbuf_printf(b, "\n%s\n", museum);
        return;
    }
    textbuf_printf(b, ko ? "%s님, 안녕하세요.\n\n" : "Hello %s,\n\n", m->cust_nm);
    if (strcmp(m->kind, "TICKET") == 0) {
        textbuf_puts(b, ko ? "관람 예약이 확정되었습니다. 입구에서 이 코드를 보여 주세요:\n\n"
                           : "Your visit is booked. Show this code at the entrance:\n\n");
        textbuf_printf(b, "    %s\n\n", m->code);
    } else if (strcmp(m->kind, "CANCELED") == 0) {
        textbuf_puts(b, ko ? "요청하신 대로 이 예약이 취소되었습니다:\n\n"
                           : "This booking is canceled, as asked:\n\n");
    } else {
        textbuf_printf(b,
                       ko ? "죄송합니다. 이 예약은 박물관 사정으로 취소되었습니다. 사유: %s\n\n"
                          : "We are sorry: the museum has canceled this booking, because %s\n\n",
                       reason(m, ko));
    }
    textbuf_printf(b, ko ? "예약 번호: %s\n전시: %s\n일시: " : "Code: %s\nExhibition: %s\nWhen: ",
                   m->code, m->exhibition);
    put_visit(b, snd, m, address, ko);
    if (strcmp(m->kind, "TICKET") == 0) {
        if (m->secret) {
            textbuf_puts(b,
                         ko ? "예약 확인·변경·취소:\n" : "See, change or cancel your booking:\n");
            textbuf_printf(b, "%s/my.html#id=%lld&token=%s\n", url, m->book_id, m->secret);
            textbuf_puts(b, ko ? "(이 링크로 예약을 열 수 있으니 다른 사람과 공유하지 마세요.)\n\n"
                               : "(This link opens your booking: keep it to yourself.)\n\n");
        } else {
            textbuf_printf(
                b,
                ko ? "예약 확인: %s/my.html — 이 이메일 주소로 예약을 열어 보세요.\n\n"
                   : "Your bookings: %s/my.html — open them there with this email address.\n\n",
                url);
        }
        textbuf_printf(b,
                       ko ? "첨부된 visit-%s.ics 파일로 일정에 추가할 수 있습니다.\n"
                          : "The attached visit-%s.ics adds the visit to your calendar.\n",
                       m->code);
    } else if (strcmp(m->kind, "FORCE_CANCELED") == 0) {
        textbuf_puts(b, ko ? "불편을 드려 대단히 죄송합니다. 다른 날짜로 다시 예약해 주세요.\n"
                           : "We apologise for the inconvenience. You are welcome to book another "
                             "visit.\n");
        textbuf_printf(b, "%s/\n", url);
    } else {
        textbuf_printf(b, ko ? "다시 예약하기: %s/\n" : "Book again: %s/\n", url);
    }
    textbuf_printf(b, "\n%s\n", museum);
}

/* The base64 of text with its LF lines made CRLF. */
static void put_text_base64(struct textbuf *b, const char *text)
{
    struct textbuf crlf = {0};

    for (const char *p = text; *p; p++) {
        if (*p == '\n')
            textbuf_put(&crlf, "\r", 1);
        textbuf_put(&crlf, p, 1);
    }
    if (crlf.failed)
        b->failed = 1;
    else
        put_base64(b, (const unsigned char *)crlf.s, crlf.len, 1);
    free(crlf.s);
}

char *mail_compose(struct mail_sender *snd, const struct mail_message *m, time_t now, size_t *len,
                   char *err, size_t n)
{
    const struct mail_config *cfg = snd->cfg;
    int ko = m->lang && strcmp(m->lang, "ko") == 0;
    int waitlist = waitlist_kind(m);
    int booking = !waitlist && strcmp(m->kind, "ACCESS") != 0;
    struct textbuf b = {0}, body = {0};
    char date[64], *ics = NULL;
    size_t ics_len = 0;
    struct tm tm;

    /* The API's check (validate_email): what it took can be sent; one that
     * fails it (set by SQL) is never written into a header. */
    if (validate_email(m->to, strlen(m->to)) != NULL) {
        snprintf(err, n, "not an address we can send to");
        return NULL;
    }
    if (booking && !(m->code && m->exhibition && m->cust_nm)) {
        snprintf(err, n, "its booking is gone");
        return NULL;
    }
    if (waitlist && !(m->entry_id && m->exhibition && m->cust_nm)) {
        snprintf(err, n, "its waiting list entry is gone");
        return NULL;
    }
    gmtime_r(&now, &tm);
    strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm);
    put_body(&body, snd, m, ko);
    if (strcmp(m->kind, "TICKET") == 0) {
        struct ics_booking bk = booking_of(snd, m);
        if (!(ics = ics_booking(&bk, &ics_len)))
            body.failed = 1;
    }
    textbuf_printf(&b, "Date: %s\r\nFrom: %s\r\nTo: %s\r\n", date, cfg->from, m->to);
    put_subject_for(&b, m, ko, cfg->museum[ko]);
    textbuf_printf(&b, "Message-ID: <mail-%lld@%s>\r\n", m->id, snd->domain);
    textbuf_printf(&b, "MIME-Version: 1.0\r\nContent-Language: %s\r\n", ko ? "ko" : "en");
    textbuf_printf(&b, "Content-Type: multipart/mixed; boundary=\"=_sk-museum-%lld\"\r\n\r\n",
                   m->id);
    textbuf_printf(&b, "--=_sk-museum-%lld\r\n", m->id);
    textbuf_puts(
        &b, "Content-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\n");
    if (!body.failed)
        put_text_base64(&b, body.s);
    if (ics) {
        textbuf_printf(&b, "--=_sk-museum-%lld\r\n", m->id);
        textbuf_printf(
            &b,
            "Content-Type: text/calendar; method=PUBLISH; charset=UTF-8; name=\"visit-%s.ics\"\r\n"
            "Content-Disposition: attachment; filename=\"visit-%s.ics\"\r\n"
            "Content-Transfer-Encoding: base64\r\n\r\n",
            m->code, m->code);
        put_base64(&b, (const unsigned char *)ics, ics_len, 1);
    }
    textbuf_printf(&b, "--=_sk-museum-%lld--\r\n", m->id);
    free(ics);
    if (body.failed || b.failed) {
        free(body.s);
        free(b.s);
        snprintf(err, n, "out of memory");
        return NULL;
    }
    free(body.s);
    *len = b.len;
    return b.s;
}

/* --- delivery ----------------------------------------------------------- */

/* The Maildir: the file written into tmp/, flushed, renamed into new/
 * under the Message-ID's name (replacing an earlier delivery of it), and
 * the directory flushed, so it is there before the COMMIT that marks it
 * sent. */
static int maildir_deliver(const struct mail_sender *snd, const struct mail_message *m,
                           const char *text, size_t len, char *err, size_t n)
{
    char tmp[4096], dst[4096];
    int fd = -1, dir = -1, rc = -1;
    size_t done = 0;

    snprintf(tmp, sizeof(tmp), "%s/tmp/mail-%lld@%s.%ld", snd->cfg->dir, m->id, snd->domain,
             (long)getpid());
    snprintf(dst, sizeof(dst), "%s/new/mail-%lld@%s", snd->cfg->dir, m->id, snd->domain);
    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
    if (fd < 0)
        goto out;
    while (done < len) {
        ssize_t w = write(fd, text + done, len - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            goto out;
        done += (size_t)w;
    }
    if (fsync(fd) != 0 || close(fd) != 0) {
        fd = -1;
        goto out;
    }
    fd = -1;
    if (rename(tmp, dst) != 0)
        goto out;
    snprintf(tmp, sizeof(tmp), "%s/new", snd->cfg->dir);
    if ((dir = open(tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0 || fsync(dir) != 0)
        goto out;
    rc = 0;
out:
    if (rc != 0)
        snprintf(err, n, "maildir: %s: %s", dst, strerror(errno));
    if (fd >= 0) {
        close(fd);
        unlink(tmp);
    }
    if (dir >= 0)
        close(dir);
    return rc;
}

struct upload {
    const char *text;
    size_t len, at;
};

static size_t upload_read(char *dst, size_t size, size_t nitems, void *arg)
{
    struct upload *u = arg;
    size_t n = size * nitems;

    if (n > u->len - u->at)
        n = u->len - u->at;
    memcpy(dst, u->text + u->at, n);
    u->at += n;
    return n;
}

/* SMTP through libcurl: MAIL FROM, RCPT TO, DATA over the handle's
 * connection (kept between messages); STARTTLS when the server offers it
 * (smtp://), TLS from the start (smtps://). */
static int smtp_deliver(struct mail_sender *snd, const struct mail_message *m, const char *text,
                        size_t len, char *err, size_t n)
{
    const struct mail_config *cfg = snd->cfg;
    struct upload u = {text, len, 0};
    struct curl_slist *rcpt = NULL;
    char from[300], to[300], errbuf[CURL_ERROR_SIZE] = "";
    CURL *c = snd->curl;
    CURLcode rc;
    long code = 0;

    snprintf(from, sizeof(from), "<%s>", snd->from_addr);
    snprintf(to, sizeof(to), "<%s>", m->to);
    if (!(rcpt = curl_slist_append(NULL, to))) {
        snprintf(err, n, "out of memory");
        return -1;
    }
    curl_easy_reset(c);
    curl_easy_setopt(c, CURLOPT_URL, cfg->smtp_url);
    curl_easy_setopt(c, CURLOPT_MAIL_FROM, from);
    curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
    curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(c, CURLOPT_READFUNCTION, upload_read);
    curl_easy_setopt(c, CURLOPT_READDATA, &u);
    curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, (curl_off_t)len);
    curl_easy_setopt(c, CURLOPT_USE_SSL,
                     strncmp(cfg->smtp_url, "smtps://", 8) == 0 ? (long)CURLUSESSL_ALL
                                                                : (long)CURLUSESSL_TRY);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, cfg->timeout_ms);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, cfg->connect_timeout_ms);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
    if (cfg->smtp_user)
        curl_easy_setopt(c, CURLOPT_USERNAME, cfg->smtp_user);
    if (cfg->smtp_password)
        curl_easy_setopt(c, CURLOPT_PASSWORD, cfg->smtp_password);
    rc = curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
    curl_slist_free_all(rcpt);
    if (rc != CURLE_OK) {
        snprintf(err, n, "smtp: %s (%ld): %s", curl_easy_strerror(rc), code,
                 *errbuf ? errbuf : "-");
        return -1;
    }
    return 0;
}

int mail_deliver(struct mail_sender *snd, const struct mail_message *m, const char *text,
                 size_t len, char *err, size_t n)
{
    if (snd->curl)
        return smtp_deliver(snd, m, text, len, err, n);
    return maildir_deliver(snd, m, text, len, err, n);
}
