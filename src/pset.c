/* pset.c: proxy sets at run time: in-loop DNS, OPTIONS keep-alive, health, selection. */
#define NTA_OUTGOING_MAGIC_T	struct pset_dst
#define SRES_CONTEXT_T		struct pset_rq

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <event2/event.h>
#include <sofia-sip/nta.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_status.h>
#include <sofia-sip/sresolv.h>

#include "auth.h"
#include "cfg.h"
#include "cfg_int.h"	/* cfg_split_hostport: the validator's own parser */
#include "log.h"
#include "loop.h"
#include "obj.h"
#include "pset.h"
#include "reload.h"
#include "sipif.h"
#include "tls.h"

/*
 * Object graph (see docs/architecture.md, "Proxy sets"):
 *
 *   struct pset (refcounted, one per proxy_sets row of one snapshot)
 *    ├── snap: a reference to that snapshot, so cfg rows stay valid
 *    ├── ent[]: one struct pset_entry per configured address
 *    │    ├── rq[]: DNS queries of the current round (name, SRV targets)
 *    │    └── dst[]: the destinations it resolved to (owned)
 *    └── dst[]: every entry's destinations in order (weak); the index
 *        into it is the destination index of pset_dest and the cursor.
 *
 * A set is live from commit until the next commit retires it: only a
 * live set resolves, probes and arms timers.  A retired set keeps its last
 * health for the calls that still hold it.
 */

#define PSET_MAX_DEST		64	/* per set: one cursor bit each */
#define PSET_MAX_TARGETS	16	/* SRV targets per address */
#define DNS_RETRY_MS		5000	/* after a failed lookup */
#define TTL_MIN_S		1	/* TTL 0 must not make us spin */
#define TTL_MAX_S		86400

enum res_state {
	RES_NONE = 0,	/* IP literal, or not resolved yet */
	RES_PENDING,	/* first lookup in flight */
	RES_DONE,	/* has an answer (possibly being refreshed) */
	RES_FAILED,	/* the last lookup failed and nothing is known */
};

/* One DNS query: the name itself, or one SRV target. */
struct pset_rq {
	struct pset_entry	*ent;	/* weak */
	sres_query_t		*q;	/* in flight, or NULL */
	char			 name[272];	/* 253 + "_sips._tcp." */
	int			 port;
	unsigned		 srv_prio, weight;
};

/* One address found by a lookup round, before it becomes a destination. */
struct pset_res {
	struct sockaddr_storage	 addr;
	socklen_t		 addrlen;
	unsigned		 srv_prio, weight;
};

struct pset_dst {
	struct pset_entry	*ent;	/* weak: where it came from */
	struct sockaddr_storage	 addr;	/* port included */
	socklen_t		 addrlen;
	char			 ip[64];	/* numeric */
	char			 name[96];	/* "ip:port (tp)" for logs */
	char			 uri[320];	/* next hop for nta */
	int			 port;
	uint32_t		 prio;	/* configured priority << 16 | SRV priority */
	unsigned		 weight;
	unsigned		 index;	/* in ps->dst[] */
	enum pset_health	 health;
	int			 last_code;
	unsigned		 rtt_ms;
	uint64_t		 retry_at;	/* no keep-alive: down until then (ms) */
	int			 tls_peer;	/* tls_peer_set() done, clear owed */
	int			 fresh;	/* seen in the current lookup round */
	/* keep-alive in flight */
	nta_outgoing_t		*orq;
	struct sipif		*sif;	/* keeps the agent of orq alive */
	struct event		*timeout;
	uint64_t		 sent_us;
	uint32_t		 cseq;
	int			 in_create, create_done;
	struct auth_client	 auth;	/* digest state of the keep-alives */
};

struct pset_entry {
	struct pset			*ps;	/* weak: owner */
	const struct cfg_proxy_addr	*ca;	/* RO, into ps->snap */
	char				 host[256];
	int				 port;	/* configured, 0 when none */
	int				 literal;	/* IP literal: no DNS */
	int				 srv;	/* resolved by SRV */
	enum res_state			 state;
	struct event			*refresh;	/* next lookup */
	uint64_t			 expires;	/* monotonic ms of that */
	struct pset_rq			 rq[1 + PSET_MAX_TARGETS];
	size_t				 ntargets;
	unsigned			 pending;	/* queries in flight */
	struct pset_res			 res[PSET_MAX_DEST];
	size_t				 nres;
	uint32_t			 ttl;	/* smallest TTL of this round */
	int				 transient;	/* a query failed in a way that may pass */
	struct pset_dst			*dst[PSET_MAX_DEST];	/* owned */
	size_t				 ndst;
};

struct pset {
	struct cfg		*snap;	/* one reference */
	const struct cfg_pset	*cfg;	/* RO, into snap */
	int			 family;	/* of the SIP interface */
	struct pset_entry	*ent;
	size_t			 nent;
	struct pset_dst		*dst[PSET_MAX_DEST];	/* weak, in selection order */
	size_t			 ndst;
	int			 live;
	struct event		*ka_tick, *ka_kick;
	int			 park;	/* parking: index last used, -1: none */
	int			 rr;	/* round robin: index last used, -1: none */
};

static struct pset	**current;	/* one reference each */
static size_t		  ncurrent;
static struct pset	**pending;	/* built by prepare, one reference each */
static size_t		  npending;
static sres_resolver_t	 *resolver;

static void	entry_resolve(struct pset_entry *e);
static void	ka_send(struct pset *ps, struct pset_dst *d);

/* ===================================================================== */

static uint64_t
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static uint64_t
now_ms(void)
{
	return now_us() / 1000u;
}

static void
timer_ms(struct event *ev, uint64_t ms)
{
	struct timeval tv;

	tv.tv_sec = (time_t)(ms / 1000);
	tv.tv_usec = (suseconds_t)(ms % 1000) * 1000;
	evtimer_add(ev, &tv);
}

const char *
pset_health_str(enum pset_health h)
{
	switch (h) {
	case PSET_UNKNOWN:	return "unknown";
	case PSET_UP:		return "up";
	case PSET_DOWN:		return "down";
	}
	return "?";
}

static int
default_port(int transport)
{
	return transport == CFG_TP_TLS ? 5061 : 5060;
}

static const char *
srv_prefix(int transport)
{
	switch (transport) {
	case CFG_TP_TCP:	return "_sip._tcp";
	case CFG_TP_TLS:	return "_sips._tcp";
	default:		return "_sip._udp";
	}
}

static enum tls_verify
tls_mode(const struct pset *ps)
{
	const struct cfg_tls *t = ps->cfg->tls_context ? ps->cfg->tls_context :
	    ps->cfg->sip_interface->tls_context;

	if (t == NULL)
		return TLS_VERIFY_NAME;	/* the validator prevents this; fail closed */
	switch (t->verify) {
	case CFG_TLSV_NONE:	return TLS_VERIFY_NONE;
	case CFG_TLSV_CHAIN:	return TLS_VERIFY_CHAIN;
	default:		return TLS_VERIFY_NAME;
	}
}

static const char *
verify_name(const struct pset_entry *e)
{
	return e->ca->tls_verify_name ? e->ca->tls_verify_name : e->host;
}

/* "host" or "[v6]" for a URI. */
static void
uri_host(char *buf, size_t len, const char *host)
{
	if (strchr(host, ':') != NULL)
		snprintf(buf, len, "[%s]", host);
	else
		snprintf(buf, len, "%s", host);
}

/* ===================================================================== */
/* Destinations */

static void
ka_abort(struct pset_dst *d)
{
	if (d->timeout != NULL)
		evtimer_del(d->timeout);
	if (d->orq != NULL)
		nta_outgoing_destroy(d->orq);
	d->orq = NULL;
	d->sif = sipif_unref(d->sif);
}

static void
dst_free(struct pset_dst *d)
{
	ka_abort(d);
	if (d->tls_peer)
		tls_peer_clear((const struct sockaddr *)&d->addr, d->addrlen);
	if (d->timeout != NULL)
		event_free(d->timeout);
	free(d);
}

static void ka_timeout_cb(evutil_socket_t fd, short what, void *arg);

/* A destination for address r of entry e, health unknown.  NULL: ENOMEM. */
static struct pset_dst *
dst_new(struct pset_entry *e, const struct pset_res *r)
{
	struct pset_dst	*d;
	char		 h[80];
	const void	*a;

	if ((d = calloc(1, sizeof(*d))) == NULL)
		return NULL;
	d->timeout = evtimer_new(loop_base(), ka_timeout_cb, d);
	if (d->timeout == NULL) {
		free(d);
		return NULL;
	}
	d->ent = e;
	memcpy(&d->addr, &r->addr, r->addrlen);
	d->addrlen = r->addrlen;
	if (d->addr.ss_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)&d->addr;

		a = &in6->sin6_addr;
		d->port = ntohs(in6->sin6_port);
	} else {
		const struct sockaddr_in *in = (const struct sockaddr_in *)&d->addr;

		a = &in->sin_addr;
		d->port = ntohs(in->sin_port);
	}
	inet_ntop(d->addr.ss_family, a, d->ip, sizeof(d->ip));
	uri_host(h, sizeof(h), d->ip);
	snprintf(d->name, sizeof(d->name), "%s:%d (%s)", h, d->port,
	    cfg_transport_str(e->ca->transport));
	snprintf(d->uri, sizeof(d->uri), "sip:%s:%d;transport=%s", h, d->port,
	    cfg_transport_str(e->ca->transport));
	d->prio = ((uint32_t)e->ca->priority << 16) | (r->srv_prio & 0xffff);
	d->weight = r->weight;
	d->health = PSET_UNKNOWN;
	d->cseq = 1;
	return d;
}

static int
same_addr(const struct sockaddr_storage *a, socklen_t alen, const struct sockaddr_storage *b,
    socklen_t blen)
{
	return alen == blen && a->ss_family == b->ss_family &&
	    (a->ss_family == AF_INET ?
	    ((const struct sockaddr_in *)a)->sin_port == ((const struct sockaddr_in *)b)->sin_port &&
	    memcmp(&((const struct sockaddr_in *)a)->sin_addr,
	    &((const struct sockaddr_in *)b)->sin_addr, 4) == 0 :
	    ((const struct sockaddr_in6 *)a)->sin6_port == ((const struct sockaddr_in6 *)b)->sin6_port &&
	    memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr,
	    &((const struct sockaddr_in6 *)b)->sin6_addr, 16) == 0);
}

/* Rebuild the set's ordered destination list from its entries. */
static void
pset_rebuild(struct pset *ps)
{
	static int warned;

	ps->ndst = 0;
	for (size_t i = 0; i < ps->nent; i++)
		for (size_t j = 0; j < ps->ent[i].ndst; j++) {
			struct pset_dst *d = ps->ent[i].dst[j];

			if (ps->ndst == PSET_MAX_DEST) {
				if (!warned++)
					log_warnx("pset %s: more than %d destinations, "
					    "the rest are ignored", ps->cfg->name, PSET_MAX_DEST);
				d->index = PSET_MAX_DEST;
				continue;
			}
			d->index = (unsigned)ps->ndst;
			ps->dst[ps->ndst++] = d;
		}
	if (ps->park >= (int)ps->ndst)
		ps->park = -1;
	if (ps->rr >= (int)ps->ndst)
		ps->rr = -1;
}

static void
dst_set_health(struct pset *ps, struct pset_dst *d, enum pset_health h, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Change d's health, logging the change once. */
static void
dst_set_health(struct pset *ps, struct pset_dst *d, enum pset_health h, const char *fmt, ...)
{
	char	 why[160];
	va_list	 ap;

	if (d->health == h)
		return;
	d->health = h;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	if (h == PSET_UP)
		log_info("pset %s: %s is up (%s)", ps->cfg->name, d->name, why);
	else if (h == PSET_DOWN)
		log_info("pset %s: %s is down: %s", ps->cfg->name, d->name, why);
}

/*
 * Replace e's destinations with the addresses res[] of a lookup, keeping
 * the health of those that stay.  Returns how many are new.
 */
static size_t
entry_merge(struct pset_entry *e, const struct pset_res *res, size_t nres)
{
	struct pset	*ps = e->ps;
	struct pset_dst	*keep[PSET_MAX_DEST];
	size_t		 n = 0, added = 0;

	for (size_t j = 0; j < e->ndst; j++)
		e->dst[j]->fresh = 0;
	for (size_t i = 0; i < nres && n < PSET_MAX_DEST; i++) {
		struct pset_dst *d = NULL;

		for (size_t j = 0; j < e->ndst; j++)
			if (!e->dst[j]->fresh && same_addr(&e->dst[j]->addr, e->dst[j]->addrlen,
			    &res[i].addr, res[i].addrlen)) {
				d = e->dst[j];
				break;
			}
		if (d == NULL) {
			/* a duplicate answer (two SRV targets, one address) */
			for (size_t k = 0; k < n; k++)
				if (same_addr(&keep[k]->addr, keep[k]->addrlen, &res[i].addr,
				    res[i].addrlen))
					goto next;
			if ((d = dst_new(e, &res[i])) == NULL) {
				log_warnx("pset %s: %s: out of memory", ps->cfg->name, e->ca->address);
				continue;
			}
			added++;
			if (!e->literal)
				log_info("pset %s: %s resolves to %s", ps->cfg->name,
				    e->ca->address, d->name);
			if (ps->live && e->ca->transport == CFG_TP_TLS) {
				if (tls_peer_set((const struct sockaddr *)&d->addr, d->addrlen,
				    verify_name(e), tls_mode(ps)) == 0)
					d->tls_peer = 1;
				else
					log_warnx("pset %s: %s: cannot add a TLS peer entry",
					    ps->cfg->name, d->name);
			}
		} else {
			d->prio = ((uint32_t)e->ca->priority << 16) | (res[i].srv_prio & 0xffff);
			d->weight = res[i].weight;
		}
		d->fresh = 1;
		keep[n++] = d;
 next:		;
	}
	for (size_t j = 0; j < e->ndst; j++)
		if (!e->dst[j]->fresh) {
			log_info("pset %s: %s no longer resolves to %s", ps->cfg->name,
			    e->ca->address, e->dst[j]->name);
			dst_free(e->dst[j]);
		}
	memcpy(e->dst, keep, n * sizeof(*keep));
	e->ndst = n;
	pset_rebuild(ps);
	return added;
}

/* ===================================================================== */
/* DNS, inside the loop through sofia's resolver */

static int
resolver_need(const struct cfg *cfg)
{
	if (resolver != NULL)
		return 0;
	resolver = sres_resolver_create(loop_root(), cfg->global.resolv_conf, TAG_END());
	if (resolver == NULL)
		return errno ? errno : ENOMEM;
	log_debug("pset: DNS resolver on %s", cfg->global.resolv_conf);
	return 0;
}

static int
status_transient(int st)
{
	return st != SRES_NAME_ERR && st != SRES_RECORD_ERR;
}

/* Gather the addresses of answers into e->res for query rq. */
static void
add_answers(struct pset_entry *e, const struct pset_rq *rq, sres_record_t **answers)
{
	int family = e->ps->family;

	if (answers == NULL) {
		e->transient = 1;
		return;
	}
	for (size_t i = 0; answers[i] != NULL; i++) {
		const sres_common_t	*r = answers[i]->sr_record;
		struct pset_res		*out;

		if (r->r_status != 0) {
			if (status_transient(r->r_status))
				e->transient = 1;
			continue;
		}
		if (e->nres == PSET_MAX_DEST)
			break;
		out = &e->res[e->nres];
		memset(out, 0, sizeof(*out));
		if (r->r_type == sres_type_a && family == AF_INET) {
			struct sockaddr_in *in = (struct sockaddr_in *)&out->addr;

			in->sin_family = AF_INET;
			in->sin_port = htons((uint16_t)rq->port);
			in->sin_addr = answers[i]->sr_a->a_addr;
			out->addrlen = sizeof(*in);
		} else if (r->r_type == sres_type_aaaa && family == AF_INET6) {
			struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&out->addr;

			in6->sin6_family = AF_INET6;
			in6->sin6_port = htons((uint16_t)rq->port);
			memcpy(&in6->sin6_addr, &answers[i]->sr_aaaa->aaaa_addr, 16);
			out->addrlen = sizeof(*in6);
		} else
			continue;
		out->srv_prio = rq->srv_prio;
		out->weight = rq->weight;
		if (r->r_ttl < e->ttl)
			e->ttl = r->r_ttl;
		e->nres++;
	}
}

/* The lookup round of e is over: install its outcome, schedule the next. */
static void
entry_resolved(struct pset_entry *e)
{
	struct pset	*ps = e->ps;
	uint64_t	 delay;

	if (e->nres > 0) {
		uint32_t ttl = e->ttl < TTL_MIN_S ? TTL_MIN_S :
		    e->ttl > TTL_MAX_S ? TTL_MAX_S : e->ttl;

		if (entry_merge(e, e->res, e->nres) > 0 && ps->live &&
		    ps->cfg->keepalive == CFG_KA_OPTIONS)
			timer_ms(ps->ka_kick, 0);
		e->state = RES_DONE;
		delay = (uint64_t)ttl * 1000;
		log_debug("pset %s: %s: %zu address(es), again in %u s", ps->cfg->name,
		    e->ca->address, e->nres, (unsigned)ttl);
	} else if (!e->transient) {
		if (e->state != RES_FAILED)
			log_warnx("pset %s: %s does not resolve to any address",
			    ps->cfg->name, e->ca->address);
		entry_merge(e, NULL, 0);
		e->state = RES_FAILED;
		delay = DNS_RETRY_MS;
	} else {
		/* a DNS outage must not take the proxies away: keep what we had */
		if (e->state != RES_DONE) {
			log_warnx("pset %s: %s: DNS lookup failed, retrying every %d s",
			    ps->cfg->name, e->ca->address, DNS_RETRY_MS / 1000);
			e->state = RES_FAILED;
		} else
			log_debug("pset %s: %s: refresh failed, keeping %zu address(es)",
			    ps->cfg->name, e->ca->address, e->ndst);
		delay = DNS_RETRY_MS;
	}
	e->expires = now_ms() + delay;
	if (ps->live)
		timer_ms(e->refresh, delay);
}

static void dns_addr_answer(struct pset_rq *rq, sres_query_t *q, sres_record_t **answers);

/* Query A or AAAA for rq->name.  0, or -1 when it could not be sent. */
static int
query_addr(struct pset_entry *e, struct pset_rq *rq)
{
	uint16_t type = e->ps->family == AF_INET6 ? sres_type_aaaa : sres_type_a;

	rq->ent = e;
	rq->q = sres_query(resolver, dns_addr_answer, rq, type, rq->name);
	if (rq->q == NULL) {
		e->transient = 1;
		return -1;
	}
	e->pending++;
	return 0;
}

static void
dns_addr_answer(struct pset_rq *rq, sres_query_t *q, sres_record_t **answers)
{
	struct pset_entry *e = rq->ent;

	(void)q;
	rq->q = NULL;
	add_answers(e, rq, answers);
	if (answers != NULL)
		sres_free_answers(resolver, answers);
	if (--e->pending == 0)
		entry_resolved(e);
}

static int
srv_cmp(const void *a, const void *b)
{
	const struct pset_rq *x = a, *y = b;

	if (x->srv_prio != y->srv_prio)
		return x->srv_prio < y->srv_prio ? -1 : 1;
	return x->weight > y->weight ? -1 : x->weight < y->weight;
}

static void
dns_srv_answer(struct pset_rq *rq, sres_query_t *q, sres_record_t **answers)
{
	struct pset_entry	*e = rq->ent;
	uint16_t		 type = e->ps->family == AF_INET6 ? sres_type_aaaa : sres_type_a;

	(void)q;
	rq->q = NULL;
	e->pending--;
	e->ntargets = 0;
	for (size_t i = 0; answers != NULL && answers[i] != NULL; i++) {
		const sres_common_t	*r = answers[i]->sr_record;
		const sres_srv_record_t	*srv = answers[i]->sr_srv;
		struct pset_rq		*t;

		if (r->r_status != 0) {
			if (status_transient(r->r_status))
				e->transient = 1;
			continue;
		}
		if (r->r_type != sres_type_srv || srv->srv_target == NULL ||
		    strcmp(srv->srv_target, ".") == 0 || e->ntargets == PSET_MAX_TARGETS)
			continue;
		t = &e->rq[1 + e->ntargets++];
		memset(t, 0, sizeof(*t));
		t->ent = e;
		snprintf(t->name, sizeof(t->name), "%s", srv->srv_target);
		t->port = srv->srv_port;
		t->srv_prio = srv->srv_priority;
		t->weight = srv->srv_weight;
		if (r->r_ttl < e->ttl)
			e->ttl = r->r_ttl;
	}
	if (answers == NULL)
		e->transient = 1;
	else
		sres_free_answers(resolver, answers);

	if (e->ntargets == 0) {
		if (e->transient) {
			entry_resolved(e);
			return;
		}
		/* no SRV records: the name's own address on the default port (RFC 3263) */
		log_debug("pset %s: %s: no SRV records, trying A/AAAA", e->ps->cfg->name,
		    e->host);
		snprintf(rq->name, sizeof(rq->name), "%s", e->host);
		rq->port = default_port(e->ca->transport);
		rq->srv_prio = 0;
		rq->weight = (unsigned)e->ca->weight;
		if (query_addr(e, rq) != 0)
			entry_resolved(e);
		return;
	}
	qsort(&e->rq[1], e->ntargets, sizeof(e->rq[1]), srv_cmp);
	for (size_t k = 0; k < e->ntargets; k++) {
		struct pset_rq	*t = &e->rq[1 + k];
		sres_record_t	**cached;

		/* the additional section often carried the targets' addresses */
		cached = sres_cached_answers(resolver, type, t->name);
		if (cached != NULL) {
			add_answers(e, t, cached);
			sres_free_answers(resolver, cached);
			continue;
		}
		query_addr(e, t);
	}
	if (e->pending == 0)
		entry_resolved(e);
}

/* Start a lookup round for e. */
static void
entry_resolve(struct pset_entry *e)
{
	struct pset_rq *rq = &e->rq[0];

	if (e->pending > 0)
		return;
	e->nres = 0;
	e->ntargets = 0;
	e->ttl = UINT32_MAX;
	e->transient = 0;
	if (e->state != RES_DONE)
		e->state = RES_PENDING;
	memset(rq, 0, sizeof(*rq));
	rq->ent = e;
	if (resolver == NULL) {
		e->transient = 1;
		entry_resolved(e);
		return;
	}
	if (e->srv) {
		snprintf(rq->name, sizeof(rq->name), "%s.%s", srv_prefix(e->ca->transport),
		    e->host);
		rq->q = sres_query(resolver, dns_srv_answer, rq, sres_type_srv, rq->name);
		if (rq->q != NULL)
			e->pending++;
		else
			e->transient = 1;
	} else {
		snprintf(rq->name, sizeof(rq->name), "%s", e->host);
		rq->port = e->port ? e->port : default_port(e->ca->transport);
		rq->weight = (unsigned)e->ca->weight;
		query_addr(e, rq);
	}
	if (e->pending == 0)
		entry_resolved(e);
}

static void
refresh_cb(evutil_socket_t fd, short what, void *arg)
{
	struct pset_entry *e = arg;

	(void)fd; (void)what;
	if (e->ps->live)
		entry_resolve(e);
}

static void
entry_stop(struct pset_entry *e)
{
	if (e->refresh != NULL)
		evtimer_del(e->refresh);
	for (size_t i = 0; i < 1 + PSET_MAX_TARGETS; i++)
		if (e->rq[i].q != NULL) {
			/* sofia completes it later; nobody is told */
			sres_query_bind(e->rq[i].q, NULL, NULL);
			e->rq[i].q = NULL;
		}
	e->pending = 0;
	if (e->state == RES_PENDING)
		e->state = RES_NONE;
}

/* ===================================================================== */
/* Keep-alive */

static int
is_failure_code(const struct cfg_pset *c, int code)
{
	for (size_t i = 0; i < c->keepalive_failure_responses.n; i++)
		if (c->keepalive_failure_responses.v[i] == code)
			return 1;
	return 0;
}

/* The keep-alive of d ended with a final response (status >= 200). */
static void
ka_done(struct pset_dst *d, nta_outgoing_t *orq, int status, const char *phrase, int internal)
{
	struct pset	*ps = d->ent->ps;
	uint64_t	 rtt = (now_us() - d->sent_us + 500) / 1000;

	if (d->in_create)
		d->create_done = 1;	/* nta answered from inside mcreate */
	else {
		nta_outgoing_destroy(orq);
		d->orq = NULL;
		evtimer_del(d->timeout);
		d->sif = sipif_unref(d->sif);
	}
	d->last_code = status;
	d->rtt_ms = (unsigned)rtt;
	if (internal)
		dst_set_health(ps, d, PSET_DOWN, "OPTIONS not delivered (local %d %s)",
		    status, phrase ? phrase : "");
	else if (is_failure_code(ps->cfg, status))
		dst_set_health(ps, d, PSET_DOWN, "%d to OPTIONS is a keep-alive failure response",
		    status);
	else
		dst_set_health(ps, d, PSET_UP, "%d in %u ms", status, d->rtt_ms);
}

static int ka_response(struct pset_dst *d, nta_outgoing_t *orq, const sip_t *sip);

/*
 * The credentials for keep-alives of ps: those of the first IP group that
 * sends through it and has a username and a password.
 */
static const struct cfg_ipgroup *
ka_credentials(const struct pset *ps)
{
	for (size_t i = 0; i < ps->snap->n_ip_groups; i++) {
		const struct cfg_ipgroup *g = &ps->snap->ip_groups[i];

		if (g->proxy_set == ps->cfg && g->username != NULL && g->password != NULL)
			return g;
	}
	return NULL;
}

/* A 401/407 to a keep-alive: the OPTIONS again, next CSeq, answered.  NULL: not. */
static nta_outgoing_t *
ka_auth_resend(struct pset_dst *d, nta_outgoing_t *orq, const sip_t *resp)
{
	struct pset			*ps = d->ent->ps;
	const struct cfg_ipgroup	*g = ka_credentials(ps);
	msg_t				*req, *msg;
	sip_t				*rsip, *sip;
	nta_outgoing_t			*n;
	char				 hdr[AUTH_HDR_MAX], ru[400];
	int				 err;

	if (g == NULL || d->sif == NULL || (req = nta_outgoing_getrequest(orq)) == NULL)
		return NULL;
	rsip = sip_object(req);
	if (url_e(ru, sizeof(ru), rsip->sip_request->rq_url) < 0) {
		msg_unref(req);
		return NULL;
	}
	ru[sizeof(ru) - 1] = '\0';
	{
		struct auth_req rq = { "OPTIONS", ru, g->username, g->password,
		    rsip->sip_authorization != NULL || rsip->sip_proxy_authorization != NULL };

		err = auth_answer(&d->auth, resp, &rq, hdr, sizeof(hdr));
	}
	if (err != 0) {
		log_info("pset %s: %s: %d to OPTIONS not answered: %s", ps->cfg->name, d->name,
		    resp->sip_status->st_status,
		    err == EACCES ? "the credentials were refused" : strerror(err));
		msg_unref(req);
		return NULL;
	}
	msg = auth_request_copy(req, &d->auth, hdr, sizeof(hdr));
	msg_unref(req);
	if (msg == NULL)
		return NULL;
	sip = sip_object(msg);
	if (sip_add_tl(msg, sip, SIPTAG_CSEQ(sip_cseq_create(msg_home(msg),
	    d->cseq++, SIP_METHOD_OPTIONS)), TAG_END()) < 0) {
		msg_destroy(msg);
		return NULL;
	}
	/* a synchronous answer (not sent) is only recorded, as in ka_send() */
	d->in_create = 1;
	d->create_done = 0;
	n = nta_outgoing_mcreate(sipif_agent(d->sif), ka_response, d, URL_STRING_MAKE(d->uri),
	    msg, TAG_END());
	d->in_create = 0;
	if (n == NULL) {
		msg_destroy(msg);
		return NULL;
	}
	if (d->create_done) {
		nta_outgoing_destroy(n);
		return NULL;	/* the 401 itself ends this keep-alive */
	}
	log_debug("pset %s: %s: answering a %d challenge to OPTIONS as %s", ps->cfg->name,
	    d->name, resp->sip_status->st_status, g->username);
	return n;
}

static int
ka_response(struct pset_dst *d, nta_outgoing_t *orq, const sip_t *sip)
{
	int status = sip != NULL && sip->sip_status != NULL ?
	    sip->sip_status->st_status : nta_outgoing_status(orq);

	if (status < 200)
		return 0;
	if ((status == 401 || status == 407) && !d->in_create && orq == d->orq) {
		nta_outgoing_t *n = ka_auth_resend(d, orq, sip);

		if (n != NULL) {
			nta_outgoing_destroy(orq);
			d->orq = n;
			return 0;
		}
	}
	ka_done(d, orq, status, sip != NULL && sip->sip_status != NULL ?
	    sip->sip_status->st_phrase : NULL, nta_sip_is_internal(sip));
	return 0;
}

static void
ka_timeout_cb(evutil_socket_t fd, short what, void *arg)
{
	struct pset_dst	*d = arg;
	struct pset	*ps = d->ent->ps;

	(void)fd; (void)what;
	if (d->orq == NULL)
		return;
	/* nta would wait 32 s: we do not */
	ka_abort(d);
	d->last_code = 0;
	dst_set_health(ps, d, PSET_DOWN, "no answer to OPTIONS in %d ms",
	    ps->cfg->invite_timeout);
}

static pset_request_h *request_hook;

void
pset_set_request_hook(pset_request_h *h)
{
	request_hook = h;
}

/* Send one OPTIONS to d unless one is in flight. */
static void
ka_send(struct pset *ps, struct pset_dst *d)
{
	const struct pset_entry	*e = d->ent;
	struct sipif		*sif;
	nta_agent_t		*agent;
	nta_outgoing_t		*orq;
	msg_t			*msg;
	sip_t			*sip;
	su_home_t		*home;
	const char		*tag, *tp = cfg_transport_str(e->ca->transport);
	char			 h[260], ruri[320], from[400], to[330];

	if (d->orq != NULL || !ps->live)
		return;
	sif = sipif_get(ps->cfg->sip_interface->name);
	if (sif == NULL) {
		log_debug("pset %s: no SIP interface %s to probe from", ps->cfg->name,
		    ps->cfg->sip_interface->name);
		return;
	}
	agent = sipif_agent(sif);
	uri_host(h, sizeof(h), e->host);
	snprintf(ruri, sizeof(ruri), "sip:%s:%d;transport=%s", h, d->port, tp);
	if ((msg = nta_msg_create(agent, 0)) == NULL)
		return;
	sip = sip_object(msg);
	home = msg_home(msg);
	tag = nta_agent_newtag(home, "tag=%s", agent);
	snprintf(from, sizeof(from), "<%s>;%s", ruri, tag ? tag : "tag=sbcd");
	snprintf(to, sizeof(to), "<%s>", ruri);
	if (sip_add_tl(msg, sip,
	    SIPTAG_REQUEST(sip_request_create(home, SIP_METHOD_OPTIONS,
	    URL_STRING_MAKE(ruri), NULL)),
	    SIPTAG_FROM_STR(from),
	    SIPTAG_TO_STR(to),
	    SIPTAG_CALL_ID(sip_call_id_create(home, NULL)),
	    SIPTAG_CSEQ(sip_cseq_create(home, d->cseq++, SIP_METHOD_OPTIONS)),
	    SIPTAG_MAX_FORWARDS_STR("70"),
	    SIPTAG_USER_AGENT_STR(ps->snap->global.user_agent),
	    TAG_END()) < 0) {
		msg_destroy(msg);
		return;
	}
	if (request_hook != NULL) {
		struct pset_dest pd;

		memset(&pd, 0, sizeof(pd));
		memcpy(&pd.addr, &d->addr, d->addrlen);
		pd.addrlen = d->addrlen;
		pd.transport = e->ca->transport;
		pd.port = d->port;
		snprintf(pd.host, sizeof(pd.host), "%s", e->host);
		request_hook(ps->snap, ps->cfg, &pd, msg, sip);
	}
	d->sent_us = now_us();
	d->in_create = 1;
	d->create_done = 0;
	orq = nta_outgoing_mcreate(agent, ka_response, d, URL_STRING_MAKE(d->uri), msg,
	    TAG_END());
	d->in_create = 0;
	if (orq == NULL) {
		msg_destroy(msg);
		log_debug("pset %s: %s: cannot send OPTIONS", ps->cfg->name, d->name);
		d->last_code = 0;
		dst_set_health(ps, d, PSET_DOWN, "OPTIONS could not be sent");
		return;
	}
	if (d->create_done) {
		nta_outgoing_destroy(orq);
		return;
	}
	d->orq = orq;
	d->sif = sipif_ref(sif);
	timer_ms(d->timeout, (uint64_t)ps->cfg->invite_timeout);
}

static void
ka_cb(evutil_socket_t fd, short what, void *arg)
{
	struct pset *ps = arg;

	(void)fd; (void)what;
	for (size_t i = 0; i < ps->ndst && ps->live; i++)
		ka_send(ps, ps->dst[i]);
}

/* ===================================================================== */
/* Life cycle */

/* Stop everything a live set does; its health stays as it was. */
static void
pset_retire(struct pset *ps)
{
	ps->live = 0;
	if (ps->ka_tick != NULL)
		event_del(ps->ka_tick);
	if (ps->ka_kick != NULL)
		event_del(ps->ka_kick);
	for (size_t i = 0; i < ps->nent; i++) {
		entry_stop(&ps->ent[i]);
		for (size_t j = 0; j < ps->ent[i].ndst; j++)
			ka_abort(ps->ent[i].dst[j]);
	}
}

static void
pset_destructor(void *arg)
{
	struct pset *ps = arg;

	pset_retire(ps);
	for (size_t i = 0; i < ps->nent; i++) {
		struct pset_entry *e = &ps->ent[i];

		for (size_t j = 0; j < e->ndst; j++)
			dst_free(e->dst[j]);
		if (e->refresh != NULL)
			event_free(e->refresh);
	}
	free(ps->ent);
	if (ps->ka_tick != NULL)
		event_free(ps->ka_tick);
	if (ps->ka_kick != NULL)
		event_free(ps->ka_kick);
	cfg_unref(ps->snap);
}

struct pset *
pset_ref(struct pset *ps)
{
	return obj_ref(ps);
}

struct pset *
pset_unref(struct pset *ps)
{
	return obj_unref(ps);
}

/* The entry of old with the same address string and transport, or NULL. */
static const struct pset_entry *
old_entry(const struct pset *old, const struct cfg_proxy_addr *ca)
{
	if (old == NULL)
		return NULL;
	for (size_t i = 0; i < old->nent; i++)
		if (strcmp(old->ent[i].ca->address, ca->address) == 0 &&
		    old->ent[i].ca->transport == ca->transport)
			return &old->ent[i];
	return NULL;
}

/* Copy the destinations of o, with their health, into e (not live). */
static int
entry_carry(struct pset_entry *e, const struct pset_entry *o)
{
	for (size_t j = 0; j < o->ndst; j++) {
		const struct pset_dst	*od = o->dst[j];
		struct pset_res		 r;
		struct pset_dst		*d;

		memset(&r, 0, sizeof(r));
		memcpy(&r.addr, &od->addr, od->addrlen);
		r.addrlen = od->addrlen;
		r.srv_prio = od->prio & 0xffff;
		r.weight = e->srv ? od->weight : (unsigned)e->ca->weight;
		if ((d = dst_new(e, &r)) == NULL)
			return ENOMEM;
		d->health = od->health;
		d->last_code = od->last_code;
		d->rtt_ms = od->rtt_ms;
		d->retry_at = od->retry_at;
		d->cseq = od->cseq;
		e->dst[e->ndst++] = d;
	}
	if (o->state == RES_DONE) {
		e->state = RES_DONE;
		e->expires = o->expires;
	}
	return 0;
}

/* Build the run-time set for row c of snapshot next; health from old. */
static int
pset_create(struct cfg *next, const struct cfg_pset *c, const struct pset *old,
    struct pset **out, struct cfg_diag *diag)
{
	struct pset	*ps;
	int		 err = 0;

	if ((ps = obj_alloc(sizeof(*ps), pset_destructor)) == NULL)
		return ENOMEM;
	ps->snap = cfg_ref(next);
	ps->cfg = c;
	ps->family = c->sip_interface->interface->address.family;
	ps->park = ps->rr = -1;
	ps->ka_tick = event_new(loop_base(), -1, EV_PERSIST, ka_cb, ps);
	ps->ka_kick = evtimer_new(loop_base(), ka_cb, ps);
	ps->ent = calloc(c->n_addresses ? c->n_addresses : 1, sizeof(*ps->ent));
	if (ps->ka_tick == NULL || ps->ka_kick == NULL || ps->ent == NULL) {
		err = ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < c->n_addresses; i++) {
		struct pset_entry		*e = &ps->ent[i];
		const struct pset_entry		*o = old_entry(old, &c->addresses[i]);
		struct in6_addr			 a6;

		ps->nent++;
		e->ps = ps;
		e->ca = &c->addresses[i];
		if (cfg_split_hostport(e->ca->address, e->host, sizeof(e->host), &e->port) != 0) {
			cfg_diag_add(diag, "%s:%d: proxy_sets \"%s\": address \"%s\" cannot be used",
			    next->path, e->ca->line, c->name, e->ca->address);
			err = EINVAL;
			goto out;
		}
		e->literal = inet_pton(AF_INET, e->host, &a6) == 1 ||
		    inet_pton(AF_INET6, e->host, &a6) == 1;
		e->srv = !e->literal && e->port == 0 && c->dns_resolve == CFG_DNS_SRV;
		if (o != NULL && (err = entry_carry(e, o)) != 0)
			goto out;
		if (e->literal) {
			struct pset_res r;

			memset(&r, 0, sizeof(r));
			if (inet_pton(AF_INET, e->host, &a6) == 1) {
				struct sockaddr_in *in = (struct sockaddr_in *)&r.addr;

				in->sin_family = AF_INET;
				memcpy(&in->sin_addr, &a6, 4);
				in->sin_port = htons((uint16_t)(e->port ? e->port :
				    default_port(e->ca->transport)));
				r.addrlen = sizeof(*in);
			} else {
				struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&r.addr;

				in6->sin6_family = AF_INET6;
				memcpy(&in6->sin6_addr, &a6, 16);
				in6->sin6_port = htons((uint16_t)(e->port ? e->port :
				    default_port(e->ca->transport)));
				r.addrlen = sizeof(*in6);
			}
			r.weight = (unsigned)e->ca->weight;
			entry_merge(e, &r, 1);
			if (e->ndst == 0) {
				err = ENOMEM;
				goto out;
			}
		} else {
			if ((e->refresh = evtimer_new(loop_base(), refresh_cb, e)) == NULL) {
				err = ENOMEM;
				goto out;
			}
			if ((err = resolver_need(next)) != 0) {
				cfg_diag_add(diag, "%s:%d: proxy_sets \"%s\": cannot start a DNS "
				    "resolver on %s: %s", next->path, c->line, c->name,
				    next->global.resolv_conf, strerror(err));
				goto out;
			}
		}
	}
	pset_rebuild(ps);
 out:
	if (err)
		pset_unref(ps);
	else
		*out = ps;
	return err;
}

/* Make a prepared set live: TLS peers, lookups, keep-alive. */
static void
pset_start(struct pset *ps)
{
	uint64_t now = now_ms();

	ps->live = 1;
	for (size_t i = 0; i < ps->nent; i++) {
		struct pset_entry *e = &ps->ent[i];

		if (e->ca->transport == CFG_TP_TLS)
			for (size_t j = 0; j < e->ndst; j++) {
				struct pset_dst *d = e->dst[j];

				if (tls_peer_set((const struct sockaddr *)&d->addr, d->addrlen,
				    verify_name(e), tls_mode(ps)) == 0)
					d->tls_peer = 1;
				else
					log_warnx("pset %s: %s: cannot add a TLS peer entry",
					    ps->cfg->name, d->name);
			}
		if (e->literal)
			continue;
		if (e->state == RES_DONE && e->expires > now)
			timer_ms(e->refresh, e->expires - now);
		else
			timer_ms(e->refresh, 0);
	}
	if (ps->cfg->keepalive == CFG_KA_OPTIONS) {
		struct timeval tv = { ps->cfg->keepalive_interval, 0 };

		event_add(ps->ka_tick, &tv);
		timer_ms(ps->ka_kick, 0);	/* once the SIP interfaces are committed too */
	}
}

static void
drop_pending(void)
{
	while (npending > 0) {
		npending--;
		pending[npending] = pset_unref(pending[npending]);
	}
}

static int
pset_prepare(struct cfg *next, struct cfg_diag *diag)
{
	struct pset **p;

	drop_pending();
	p = realloc(pending, (next->n_proxy_sets ? next->n_proxy_sets : 1) * sizeof(*p));
	if (p == NULL)
		return ENOMEM;
	pending = p;
	for (size_t i = 0; i < next->n_proxy_sets; i++) {
		const struct cfg_pset	*c = &next->proxy_sets[i];
		int			 err;

		err = pset_create(next, c, pset_get(c->name), &pending[npending], diag);
		if (err) {
			drop_pending();
			return err;
		}
		npending++;
	}
	return 0;
}

static void
pset_commit(struct cfg *prev, struct cfg *next)
{
	(void)prev;
	if (next == NULL)
		drop_pending();
	for (size_t i = 0; i < npending; i++)
		pset_start(pending[i]);
	for (size_t i = 0; i < ncurrent; i++) {
		/* calls still holding it keep its last health */
		pset_retire(current[i]);
		current[i] = pset_unref(current[i]);
	}
	free(current);
	current = pending;
	ncurrent = npending;
	pending = NULL;
	npending = 0;
	if (next == NULL && resolver != NULL) {
		sres_resolver_destroy(resolver);
		resolver = NULL;
	}
}

static void
pset_abort(struct cfg *next)
{
	(void)next;
	drop_pending();
}

static const struct reload_hooks pset_hooks = {
	.name = "pset",
	.prepare = pset_prepare,
	.commit = pset_commit,
	.abort = pset_abort,
};

void
pset_init(void)
{
	reload_register(&pset_hooks);
}

struct pset *
pset_get(const char *name)
{
	for (size_t i = 0; i < ncurrent; i++)
		if (strcmp(current[i]->cfg->name, name) == 0)
			return current[i];
	return NULL;
}

/* ===================================================================== */
/* Selection */

void
pset_cursor_init(struct pset_cursor *cur)
{
	cur->tried = 0;
	cur->attempts = 0;
}

/* Whether d may be chosen now; lifts an expired down mark without keep-alive. */
static int
usable(struct pset *ps, struct pset_dst *d, uint64_t *now)
{
	if (d->health != PSET_DOWN)
		return 1;
	if (ps->cfg->keepalive == CFG_KA_OPTIONS)
		return 0;
	if (*now == 0)
		*now = now_ms();
	if (*now < d->retry_at)
		return 0;
	d->health = PSET_UNKNOWN;
	log_info("pset %s: %s is tried again", ps->cfg->name, d->name);
	return 1;
}

static uint32_t
random_below(uint32_t n)
{
	return arc4random_uniform(n);
}

int
pset_next(struct pset *ps, struct pset_cursor *cur, struct pset_dest *out)
{
	unsigned long long	 cand = 0;
	uint64_t		 now = 0;
	uint32_t		 level = UINT32_MAX;
	struct pset_dst		*d = NULL;
	int			 pick = -1;

	for (size_t i = 0; i < ps->ndst; i++)
		if (!(cur->tried & (1ULL << i)) && usable(ps, ps->dst[i], &now)) {
			cand |= 1ULL << i;
			if (ps->dst[i]->prio < level)
				level = ps->dst[i]->prio;
		}
	if (cand == 0) {
		/*
		 * Last resort: every destination not yet tried is down.  A
		 * keep-alive verdict can be stale (the peer came back between
		 * probes), so try them in order rather than refuse the call;
		 * each costs at most invite_timeout.
		 */
		for (size_t i = 0; i < ps->ndst; i++)
			if (!(cur->tried & (1ULL << i))) {
				cand |= 1ULL << i;
				if (ps->dst[i]->prio < level)
					level = ps->dst[i]->prio;
			}
	}
	if (cand == 0) {
		for (size_t i = 0; i < ps->nent; i++)
			if (ps->ent[i].state == RES_PENDING ||
			    (ps->ent[i].state == RES_NONE && !ps->ent[i].literal))
				return EAGAIN;
		return ENOENT;
	}
	/* parking: stay where the last request went while it is usable */
	if (ps->cfg->redundancy_mode == CFG_RED_PARKING && ps->park >= 0 &&
	    (cand & (1ULL << ps->park))) {
		if (ps->cfg->load_balancing == CFG_LB_NONE)
			pick = ps->park;
		else
			level = ps->dst[ps->park]->prio;
	}
	if (pick < 0) {
		switch (ps->cfg->load_balancing) {
		case CFG_LB_ROUND_ROBIN:
			/* the next one after the last used, wrapping */
			for (size_t n = 1; n <= ps->ndst && pick < 0; n++) {
				size_t i = (size_t)(ps->rr + (int)n + (int)ps->ndst) % ps->ndst;

				if ((cand & (1ULL << i)) && ps->dst[i]->prio == level)
					pick = (int)i;
			}
			break;
		case CFG_LB_RANDOM_WEIGHTS: {
			uint32_t total = 0, r;

			for (size_t i = 0; i < ps->ndst; i++)
				if ((cand & (1ULL << i)) && ps->dst[i]->prio == level)
					total += ps->dst[i]->weight;
			if (total == 0) {
				/* all weights 0 (SRV): equal chances */
				for (size_t i = 0; i < ps->ndst; i++)
					if ((cand & (1ULL << i)) && ps->dst[i]->prio == level)
						total++;
				r = random_below(total);
				for (size_t i = 0; i < ps->ndst && pick < 0; i++)
					if ((cand & (1ULL << i)) && ps->dst[i]->prio == level &&
					    r-- == 0)
						pick = (int)i;
				break;
			}
			r = random_below(total);
			for (size_t i = 0; i < ps->ndst && pick < 0; i++) {
				if (!(cand & (1ULL << i)) || ps->dst[i]->prio != level)
					continue;
				if (r < ps->dst[i]->weight)
					pick = (int)i;
				else
					r -= ps->dst[i]->weight;
			}
			break;
		}
		default:
			/* configuration order; homing comes back to the best at once */
			for (size_t i = 0; i < ps->ndst && pick < 0; i++)
				if ((cand & (1ULL << i)) && ps->dst[i]->prio == level)
					pick = (int)i;
			break;
		}
	}
	if (pick < 0)
		return ENOENT;	/* not reached: level came from a candidate */
	d = ps->dst[pick];
	cur->tried |= 1ULL << pick;
	cur->attempts++;
	ps->park = ps->rr = pick;

	memcpy(&out->addr, &d->addr, d->addrlen);
	out->addrlen = d->addrlen;
	out->transport = d->ent->ca->transport;
	snprintf(out->host, sizeof(out->host), "%s", d->ent->host);
	out->port = d->port;
	snprintf(out->uri, sizeof(out->uri), "%s", d->uri);
	out->tls_verify_name = out->transport == CFG_TP_TLS ? verify_name(d->ent) : NULL;
	out->index = d->index;
	return 0;
}

/* The destination d was chosen as, or NULL when it is gone. */
static struct pset_dst *
find_dst(const struct pset *ps, const struct pset_dest *d)
{
	if (d->index < ps->ndst) {
		struct pset_dst *x = ps->dst[d->index];

		if (x->ent->ca->transport == d->transport &&
		    same_addr(&x->addr, x->addrlen, &d->addr, d->addrlen))
			return x;
	}
	for (size_t i = 0; i < ps->ndst; i++)
		if (ps->dst[i]->ent->ca->transport == d->transport &&
		    same_addr(&ps->dst[i]->addr, ps->dst[i]->addrlen, &d->addr, d->addrlen))
			return ps->dst[i];
	return NULL;
}

void
pset_report(struct pset *ps, const struct pset_dest *dest, int ok)
{
	struct pset_dst *d = find_dst(ps, dest);

	if (d == NULL)
		return;
	if (ok) {
		dst_set_health(ps, d, PSET_UP, "a request was answered");
		return;
	}
	if (ps->cfg->keepalive != CFG_KA_OPTIONS)
		d->retry_at = now_ms() + (uint64_t)ps->cfg->keepalive_interval * 1000;
	dst_set_health(ps, d, PSET_DOWN, "a request to it failed");
}

int
pset_has_address(const struct pset *ps, const struct sockaddr *sa)
{
	for (size_t i = 0; i < ps->ndst; i++) {
		const struct pset_dst *d = ps->dst[i];

		if (d->addr.ss_family != sa->sa_family)
			continue;
		if (sa->sa_family == AF_INET &&
		    memcmp(&((const struct sockaddr_in *)&d->addr)->sin_addr,
		    &((const struct sockaddr_in *)sa)->sin_addr, 4) == 0)
			return 1;
		if (sa->sa_family == AF_INET6 &&
		    memcmp(&((const struct sockaddr_in6 *)&d->addr)->sin6_addr,
		    &((const struct sockaddr_in6 *)sa)->sin6_addr, 16) == 0)
			return 1;
	}
	return 0;
}

size_t
pset_count(const struct pset *ps)
{
	return ps->ndst;
}

int
pset_status(const struct pset *ps, size_t i, struct pset_status *st)
{
	const struct pset_dst *d;

	if (i >= ps->ndst)
		return ENOENT;
	d = ps->dst[i];
	memset(st, 0, sizeof(*st));
	snprintf(st->address, sizeof(st->address), "%s", d->ent->ca->address);
	snprintf(st->resolved, sizeof(st->resolved), "%s", d->ip);
	st->port = d->port;
	st->transport = d->ent->ca->transport;
	st->health = d->health;
	st->last_code = d->last_code;
	st->rtt_ms = d->rtt_ms;
	return 0;
}
