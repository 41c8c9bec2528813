/* cdr.h: call detail records, one JSON object per line per call attempt, appended to a file. */
#ifndef SBCD_CDR_H
#define SBCD_CDR_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

/*
 * The file is global.cdr_file; none when it is unset.  It is opened with
 * O_APPEND and every record is one write(2) of one line, so a reader (or a
 * second writer) never sees half a record.  A reload that names another
 * file opens it in prepare (a file that cannot be opened fails the reload,
 * naming the setting) and switches at commit; cdr_reopen() (SIGUSR1)
 * closes and opens the same path again, for logrotate's "move, then
 * signal".  Records that cannot be written are counted and logged once
 * per minute, never retried: a full disk must not hold calls back.
 */

#define CDR_LINE_MAX	4096	/* longest record; longer values are cut */

void cdr_init(void);	/* registers the reload hooks */
void cdr_reopen(void);
void cdr_fini(void);
int cdr_enabled(void);
uint64_t cdr_written(void);
uint64_t cdr_failed(void);

/* One record under construction: a flat JSON object with nested objects. */
struct cdr_rec {
	char	 buf[CDR_LINE_MAX];
	size_t	 len;
	int	 depth;
	int	 first;	/* no member yet at this depth */
	int	 cut;	/* something did not fit */
};

void cdr_rec_begin(struct cdr_rec *r);
/* Members: a string (NULL: null), an integer, milliseconds as seconds with
 * three decimals, a wall-clock time as RFC 3339 UTC with milliseconds
 * (tv_sec 0: null), and a nested object until cdr_rec_close(). */
void cdr_rec_str(struct cdr_rec *r, const char *key, const char *val);
void cdr_rec_int(struct cdr_rec *r, const char *key, long long val);
void cdr_rec_ms(struct cdr_rec *r, const char *key, uint64_t ms);
void cdr_rec_time(struct cdr_rec *r, const char *key, const struct timespec *ts);
void cdr_rec_open(struct cdr_rec *r, const char *key);
void cdr_rec_close(struct cdr_rec *r);
/* The line, NUL-terminated, with its newline; NULL when it was cut. */
const char *cdr_rec_end(struct cdr_rec *r);
/* End r and append it to the file: 0, or -1 (not enabled, cut or not written). */
int cdr_rec_write(struct cdr_rec *r);

#endif
