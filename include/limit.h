/* limit.h: what a new request must pass before sbcd handles it: per-source rate with bans, size and shape. */
#ifndef SBCD_LIMIT_H
#define SBCD_LIMIT_H

#include <stdint.h>
#include <sys/socket.h>
#include <sofia-sip/nta.h>
#include <sofia-sip/sip.h>

struct cfg;
struct cfg_global;
struct sipif_src;

/*
 * Every request that matches no transaction or dialog (a new request)
 * passes these checks, so that a flood or a malformed request costs as
 * little as possible:
 *
 *  1. before classification, the source address's token bucket
 *     (global.rate_limit requests per second, global.rate_limit_burst at
 *     once).  A source that runs out is banned for global.rate_limit_ban
 *     seconds: everything it sends is dropped unanswered (an answer would
 *     feed a reflection attack).
 *  2. once its source is classified, limit_screen(): header and Via
 *     counts, body size, the Request-URI scheme, Require and Accept.
 *
 * The message size limit (global.max_message_size) is sofia's: the
 * transport refuses to buffer a bigger message (sipif.c sets
 * NTATAG_MAXSIZE): a datagram gets 413 from what was read of it, a TCP or
 * TLS connection that sends one is closed.  Requests sofia cannot parse
 * never get here: nta answers 400 (or 505, 413) itself, or drops them when
 * it cannot answer (no usable Via).
 */

/* ---- rate limit table: pure, the clock is the caller's --------------- */

struct limit_rate {
	unsigned	 rate;	/* tokens per second; 0: no limit */
	unsigned	 burst;	/* bucket size */
	unsigned	 ban_ms;	/* ban after running out; 0: none */
};

enum limit_rate_result {
	LIMIT_PASS = 0,
	LIMIT_OVER,	/* ran out now: dropped, and banned when ban_ms > 0 */
	LIMIT_BANNED,	/* banned earlier: dropped */
};

struct limit_table;

/* A table remembering at most nslots sources (rounded up to a power of
 * two); when it is full the least recently seen unbanned source makes
 * room.  0 or ENOMEM. */
int limit_table_new(struct limit_table **tp, size_t nslots);
void limit_table_free(struct limit_table *t);
/* One request from sa at now_ms (any monotonic milliseconds). */
enum limit_rate_result limit_rate_check(struct limit_table *t, const struct sockaddr *sa,
    const struct limit_rate *r, uint64_t now_ms);
/* Sources banned at now_ms. */
size_t limit_banned(const struct limit_table *t, uint64_t now_ms);
const char *limit_rate_result_str(enum limit_rate_result r);

/* ---- screening a parsed request: pure -------------------------------- */

struct limit_verdict {
	int		 status;	/* 0: passes; else the answer */
	const char	*phrase;
	char		 unsupported[256];	/* for a 420: the Unsupported value */
};

/* Check sip (a parsed request) against g's limits: 0 when it passes, else
 * v->status and v->phrase say how to answer (v->unsupported for a 420). */
int limit_screen(const struct cfg_global *g, const sip_t *sip, struct limit_verdict *v);

/* ---- the entry ------------------------------------------------------- */

/* Set up the global table (0 or ENOMEM) and free it. */
int limit_init(void);
void limit_fini(void);

/* A new request, before classification: 0 to go on with it, 1 when its
 * source is over its rate or banned (msg was discarded). */
int limit_request_rate(nta_agent_t *agent, msg_t *msg, const struct sipif_src *src,
    const struct cfg *cfg);
/* A new request from a classified source: 0 to go on with it, 1 when
 * limit_screen() refused it (msg was answered through agent). */
int limit_request_screen(nta_agent_t *agent, msg_t *msg, sip_t *sip,
    const struct sipif_src *src, const struct cfg *cfg);

#endif
