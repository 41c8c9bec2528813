/* limit.c: what a new request must pass before sbcd handles it: per-source rate with bans, size and shape. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <netinet/in.h>

#include <sofia-sip/nta.h>
#include <sofia-sip/nta_stateless.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_status.h>
#include <sofia-sip/sip_tag.h>

#include "cfg.h"
#include "limit.h"
#include "log.h"
#include "sipif.h"

#define PROBE	16	/* slots looked at for one source */

struct limit_slot {
	int		 used;
	int		 family;
	unsigned char	 addr[16];
	uint64_t	 last_ms;	/* last request seen */
	uint64_t	 ban_until;	/* 0: not banned */
	uint64_t	 mtokens;	/* thousandths of a token */
};

struct limit_table {
	size_t			 mask;	/* nslots - 1 */
	struct limit_slot	 slot[];
};

static struct limit_table	*table;	/* the daemon's */

/* ===== rate limit table ===== */

int
limit_table_new(struct limit_table **tp, size_t nslots)
{
	struct limit_table	*t;
	size_t			 n = PROBE;

	while (n < nslots && n < ((size_t)1 << 24))
		n <<= 1;
	t = calloc(1, sizeof(*t) + n * sizeof(t->slot[0]));
	if (t == NULL)
		return ENOMEM;
	t->mask = n - 1;
	*tp = t;
	return 0;
}

void
limit_table_free(struct limit_table *t)
{
	free(t);
}

/* The address bytes of sa (4 or 16) and their count, 0 for another family. */
static size_t
addr_of(const struct sockaddr *sa, const unsigned char **a)
{
	if (sa->sa_family == AF_INET) {
		*a = (const unsigned char *)&((const struct sockaddr_in *)sa)->sin_addr;
		return 4;
	}
	if (sa->sa_family == AF_INET6) {
		*a = (const unsigned char *)&((const struct sockaddr_in6 *)sa)->sin6_addr;
		return 16;
	}
	return 0;
}

/* The slot of sa: found, or taken (empty, else the least recently seen
 * unbanned one of the probed slots, else the least recently seen). */
static struct limit_slot *
slot_for(struct limit_table *t, const struct sockaddr *sa, const unsigned char *a, size_t n,
    const struct limit_rate *r, uint64_t now)
{
	struct limit_slot	*victim = NULL, *s;
	uint32_t		 h = 2166136261u;	/* FNV-1a */

	h = (h ^ (uint32_t)sa->sa_family) * 16777619u;
	for (size_t i = 0; i < n; i++)
		h = (h ^ a[i]) * 16777619u;
	for (size_t i = 0; i < PROBE; i++) {
		s = &t->slot[(h + i) & t->mask];
		if (!s->used) {
			victim = s;
			break;
		}
		if (s->family == sa->sa_family && memcmp(s->addr, a, n) == 0)
			return s;
		if (victim == NULL ||
		    ((s->ban_until <= now) && (victim->ban_until > now || s->last_ms < victim->last_ms)) ||
		    (s->ban_until > now && victim->ban_until > now && s->last_ms < victim->last_ms))
			victim = s;
	}
	memset(victim, 0, sizeof(*victim));
	victim->used = 1;
	victim->family = sa->sa_family;
	memcpy(victim->addr, a, n);
	victim->last_ms = now;
	victim->mtokens = (uint64_t)r->burst * 1000;
	return victim;
}

enum limit_rate_result
limit_rate_check(struct limit_table *t, const struct sockaddr *sa, const struct limit_rate *r,
    uint64_t now)
{
	const unsigned char	*a = NULL;
	struct limit_slot	*s;
	uint64_t		 cap = (uint64_t)r->burst * 1000, elapsed;
	size_t			 n;

	if (t == NULL || r->rate == 0 || (n = addr_of(sa, &a)) == 0)
		return LIMIT_PASS;
	s = slot_for(t, sa, a, n, r, now);
	if (s->ban_until > now) {
		s->last_ms = now;
		return LIMIT_BANNED;
	}
	if (s->ban_until != 0) {	/* the ban is over: a full bucket again */
		s->ban_until = 0;
		s->mtokens = cap;
		s->last_ms = now;
	}
	elapsed = now > s->last_ms ? now - s->last_ms : 0;
	/* rate tokens per second are rate thousandths per millisecond */
	if (s->mtokens >= cap || elapsed >= (cap - s->mtokens) / r->rate + 1)
		s->mtokens = cap;
	else
		s->mtokens += elapsed * r->rate;
	s->last_ms = now;
	if (s->mtokens >= 1000) {
		s->mtokens -= 1000;
		return LIMIT_PASS;
	}
	if (r->ban_ms > 0)
		s->ban_until = now + r->ban_ms;
	return LIMIT_OVER;
}

size_t
limit_banned(const struct limit_table *t, uint64_t now)
{
	size_t n = 0;

	for (size_t i = 0; t != NULL && i <= t->mask; i++)
		n += t->slot[i].used && t->slot[i].ban_until > now;
	return n;
}

const char *
limit_rate_result_str(enum limit_rate_result r)
{
	switch (r) {
	case LIMIT_PASS:	return "pass";
	case LIMIT_OVER:	return "over";
	case LIMIT_BANNED:	return "banned";
	}
	return "?";
}

/* ===== screening ===== */

/* Option tags sbcd can honour in Require: what it puts in Supported. */
static const char *const known_options[] = { "100rel", "timer", "replaces", NULL };

static int
known_option(const char *o)
{
	for (size_t i = 0; known_options[i] != NULL; i++)
		if (strcasecmp(o, known_options[i]) == 0)
			return 1;
	return 0;
}

/* Whether an Accept list lets sbcd answer with SDP: absent, or naming
 * application/sdp, application/ * or * / *. */
static int
accepts_sdp(const sip_accept_t *ac)
{
	if (ac == NULL)
		return 1;
	for (; ac != NULL; ac = ac->ac_next) {
		if (ac->ac_type == NULL)
			continue;
		if (strcasecmp(ac->ac_type, "application/sdp") == 0 ||
		    strcasecmp(ac->ac_type, "application/*") == 0 ||
		    strcasecmp(ac->ac_type, "*/*") == 0)
			return 1;
	}
	return 0;
}

static int
verdict(struct limit_verdict *v, int status, const char *phrase)
{
	v->status = status;
	v->phrase = phrase;
	return status;
}

int
limit_screen(const struct cfg_global *g, const sip_t *sip, struct limit_verdict *v)
{
	const msg_header_t	*h;
	const sip_via_t		*via;
	const sip_require_t	*rq;
	sip_method_t		 m;
	size_t			 n = 0, len = 0;

	memset(v, 0, sizeof(*v));
	if (sip == NULL || sip->sip_request == NULL)
		return verdict(v, 400, "Bad Request");
	m = sip->sip_request->rq_method;

	/* counts first: they bound the work of everything after */
	for (h = (const msg_header_t *)sip->sip_request; h != NULL; h = h->sh_succ)
		if (h->sh_class != sip_request_class && h->sh_class != sip_separator_class &&
		    h->sh_class != sip_payload_class)
			n++;
	if (n > (size_t)g->max_headers)
		return verdict(v, 400, "Too Many Headers");
	for (n = 0, via = sip->sip_via; via != NULL; via = via->v_next)
		n++;
	if (n > (size_t)g->max_via)
		return verdict(v, 483, "Too Many Hops");
	if (sip->sip_payload != NULL && sip->sip_payload->pl_len > (size_t)g->max_body_size)
		return verdict(v, 413, "Request Entity Too Large");

	/* a B2BUA routes by its own rules, but only SIP URIs make sense to it
	 * (RFC 3261 8.2.2.1; RFC 4475 3.3.2) */
	if (sip->sip_request->rq_url->url_type != url_sip &&
	    sip->sip_request->rq_url->url_type != url_sips)
		return verdict(v, 416, "Unsupported URI Scheme");

	/* Require: sbcd is the UAS of this request (RFC 3261 8.2.2.3); not for
	 * ACK and CANCEL */
	if (m != sip_method_ack && m != sip_method_cancel) {
		for (rq = sip->sip_require; rq != NULL; rq = rq->k_next) {
			for (size_t i = 0; rq->k_items != NULL && rq->k_items[i] != NULL; i++) {
				const char *o = rq->k_items[i];

				if (known_option(o) || len + strlen(o) + 3 >= sizeof(v->unsupported))
					continue;
				len += (size_t)snprintf(v->unsupported + len,
				    sizeof(v->unsupported) - len, "%s%s", len ? ", " : "", o);
			}
		}
		if (len > 0)
			return verdict(v, 420, "Bad Extension");
	}

	/* sbcd answers INVITEs with SDP: a caller that cannot take it */
	if (m == sip_method_invite && !accepts_sdp(sip->sip_accept))
		return verdict(v, 406, "Not Acceptable");
	return 0;
}

/* ===== the entry ===== */

int
limit_init(void)
{
	if (table != NULL)
		return 0;
	return limit_table_new(&table, 65536);
}

void
limit_fini(void)
{
	limit_table_free(table);
	table = NULL;
}

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

int
limit_request_rate(nta_agent_t *agent, msg_t *msg, const struct sipif_src *src,
    const struct cfg *cfg)
{
	const struct cfg_global	*g = &cfg->global;
	struct limit_rate	 r = { (unsigned)g->rate_limit, (unsigned)g->rate_limit_burst,
	    (unsigned)g->rate_limit_ban * 1000u };

	switch (limit_rate_check(table, (const struct sockaddr *)&src->addr, &r, now_ms())) {
	case LIMIT_PASS:
		return 0;
	case LIMIT_OVER:
		/* once per ban: the requests of a banned source are not logged */
		if (r.ban_ms > 0)
			log_warnx("source %s: over %u requests/s (burst %u): banned for %d s",
			    src->ip, r.rate, r.burst, g->rate_limit_ban);
		break;
	case LIMIT_BANNED:
		break;
	}
	nta_msg_discard(agent, msg);
	return 1;
}

int
limit_request_screen(nta_agent_t *agent, msg_t *msg, sip_t *sip, const struct sipif_src *src,
    const struct cfg *cfg)
{
	const struct cfg_global	*g = &cfg->global;
	struct limit_verdict	 v;

	if (limit_screen(g, sip, &v) == 0)
		return 0;
	log_info("%s %s from %s:%d: refused: %d %s%s%s", sip->sip_request->rq_method_name,
	    sip->sip_call_id ? sip->sip_call_id->i_id : "-", src->ip, src->port,
	    v.status, v.phrase, v.status == 420 ? ", Unsupported " : "",
	    v.status == 420 ? v.unsupported : "");
	nta_msg_treply(agent, msg, v.status, v.phrase,
	    TAG_IF(v.status == 420, SIPTAG_UNSUPPORTED_STR(v.unsupported)),
	    SIPTAG_SERVER_STR(g->user_agent), TAG_END());
	return 1;
}
