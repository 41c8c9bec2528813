/* cdr.c: call detail records as JSON lines in an append-only file, reopened on SIGUSR1. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cdr.h"
#include "cfg.h"
#include "log.h"
#include "reload.h"

static int	 cdr_fd = -1;
static char	 cdr_path[4096];
static int	 next_fd = -1;	/* opened by prepare, taken by commit */
static uint64_t	 n_written, n_failed;
static time_t	 last_complaint;

static int
open_file(const char *path)
{
	return open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0640);
}

static int
same_path(const char *p)
{
	return p != NULL && cdr_fd >= 0 && strcmp(p, cdr_path) == 0;
}

static int
cdr_prepare(struct cfg *next, struct cfg_diag *diag)
{
	const char *p = next->global.cdr_file;

	next_fd = -1;
	if (p == NULL || *p == '\0' || same_path(p))
		return 0;
	if ((next_fd = open_file(p)) < 0) {
		cfg_diag_add(diag, "%s:%d: global.cdr_file: cannot open \"%s\": %s", next->path,
		    next->global.line, p, strerror(errno));
		return -1;
	}
	return 0;
}

static void
cdr_commit(struct cfg *prev, struct cfg *next)
{
	const char *p = next != NULL ? next->global.cdr_file : NULL;

	(void)prev;
	if (next == NULL)
		return;
	if (p != NULL && *p != '\0' && same_path(p))
		return;
	if (cdr_fd >= 0)
		close(cdr_fd);
	cdr_fd = next_fd;
	next_fd = -1;
	if (cdr_fd >= 0) {
		snprintf(cdr_path, sizeof(cdr_path), "%s", p);
		log_info("CDRs go to %s", cdr_path);
	} else
		cdr_path[0] = '\0';
}

static void
cdr_abort(struct cfg *next)
{
	(void)next;
	if (next_fd >= 0)
		close(next_fd);
	next_fd = -1;
}

static const struct reload_hooks cdr_hooks = {
	.name = "cdr",
	.prepare = cdr_prepare,
	.commit = cdr_commit,
	.abort = cdr_abort,
};

void
cdr_init(void)
{
	reload_register(&cdr_hooks);
}

void
cdr_reopen(void)
{
	int fd;

	if (cdr_fd < 0)
		return;
	if ((fd = open_file(cdr_path)) < 0) {
		log_warnx("CDR file %s cannot be reopened (%s): still writing the old one",
		    cdr_path, strerror(errno));
		return;
	}
	close(cdr_fd);
	cdr_fd = fd;
	log_info("CDR file %s reopened", cdr_path);
}

void
cdr_fini(void)
{
	if (cdr_fd >= 0)
		close(cdr_fd);
	cdr_fd = -1;
	cdr_abort(NULL);
}

int
cdr_enabled(void)
{
	return cdr_fd >= 0;
}

uint64_t
cdr_written(void)
{
	return n_written;
}

uint64_t
cdr_failed(void)
{
	return n_failed;
}

/* ===== building a record ===== */

static void
put(struct cdr_rec *r, const char *s, size_t n)
{
	/* room is kept for the closing braces, the newline and the NUL */
	if (r->cut || r->len + n + (size_t)r->depth + 4 > sizeof(r->buf)) {
		r->cut = 1;
		return;
	}
	memcpy(r->buf + r->len, s, n);
	r->len += n;
}

static void
puts_(struct cdr_rec *r, const char *s)
{
	put(r, s, strlen(s));
}

/* A JSON string: quotes, backslashes and control characters escaped, other
 * bytes as they are (SIP text is UTF-8). */
static void
put_string(struct cdr_rec *r, const char *s)
{
	static const char hex[] = "0123456789abcdef";

	put(r, "\"", 1);
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\') {
			char e[2] = { '\\', (char)c };

			put(r, e, 2);
		} else if (c < 0x20 || c == 0x7f) {
			char e[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };

			put(r, e, 6);
		} else
			put(r, (const char *)&c, 1);
	}
	put(r, "\"", 1);
}

static void
member(struct cdr_rec *r, const char *key)
{
	if (!r->first)
		put(r, ",", 1);
	r->first = 0;
	put_string(r, key);
	put(r, ":", 1);
}

void
cdr_rec_begin(struct cdr_rec *r)
{
	r->len = 0;
	r->depth = 1;
	r->first = 1;
	r->cut = 0;
	r->buf[0] = '{';
	r->len = 1;
}

void
cdr_rec_str(struct cdr_rec *r, const char *key, const char *val)
{
	member(r, key);
	if (val == NULL)
		puts_(r, "null");
	else
		put_string(r, val);
}

void
cdr_rec_int(struct cdr_rec *r, const char *key, long long val)
{
	char n[24];

	member(r, key);
	snprintf(n, sizeof(n), "%lld", val);
	puts_(r, n);
}

void
cdr_rec_ms(struct cdr_rec *r, const char *key, uint64_t ms)
{
	char n[32];

	member(r, key);
	snprintf(n, sizeof(n), "%llu.%03u", (unsigned long long)(ms / 1000),
	    (unsigned)(ms % 1000));
	puts_(r, n);
}

void
cdr_rec_time(struct cdr_rec *r, const char *key, const struct timespec *ts)
{
	struct tm	tm;
	char		t[64];

	member(r, key);
	if (ts == NULL || ts->tv_sec == 0 || gmtime_r(&ts->tv_sec, &tm) == NULL) {
		puts_(r, "null");
		return;
	}
	snprintf(t, sizeof(t), "\"%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ\"", tm.tm_year + 1900,
	    tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ts->tv_nsec / 1000000);
	puts_(r, t);
}

void
cdr_rec_open(struct cdr_rec *r, const char *key)
{
	member(r, key);
	put(r, "{", 1);
	r->depth++;
	r->first = 1;
}

void
cdr_rec_close(struct cdr_rec *r)
{
	if (r->depth <= 1)
		return;
	r->depth--;
	/* the room for this brace was kept by put() */
	r->buf[r->len++] = '}';
	r->first = 0;
}

const char *
cdr_rec_end(struct cdr_rec *r)
{
	while (r->depth > 1)
		cdr_rec_close(r);
	if (r->cut)
		return NULL;
	r->buf[r->len++] = '}';
	r->buf[r->len++] = '\n';
	r->buf[r->len] = '\0';
	r->depth = 0;
	return r->buf;
}

int
cdr_rec_write(struct cdr_rec *r)
{
	const char	*line;
	ssize_t		 n;
	time_t		 now;

	if (cdr_fd < 0)
		return -1;
	if ((line = cdr_rec_end(r)) == NULL) {
		n_failed++;
		log_warnx("CDR longer than %d bytes: not written", CDR_LINE_MAX);
		return -1;
	}
	n = write(cdr_fd, line, r->len);
	if (n == (ssize_t)r->len) {
		n_written++;
		return 0;
	}
	n_failed++;
	now = time(NULL);
	if (now - last_complaint >= 60) {
		last_complaint = now;
		log_warnx("CDR not written to %s: %s (%llu lost so far)", cdr_path,
		    n < 0 ? strerror(errno) : "short write", (unsigned long long)n_failed);
	}
	return -1;
}
