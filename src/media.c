/* media.c: the media anchor of a call: ports, SDP offer/answer through both sides, RTP/SRTP relay. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <event2/event.h>

#include "cfg.h"
#include "log.h"
#include "loop.h"
#include "media.h"
#include "msec.h"
#include "sdp.h"

#define PKT_MAX		(2048 + MSEC_MAX_TRAILER)
#define BATCH		16	/* packets read per wake-up and socket */

/* ===== port pools: one bitmap of ports in use per local address ===== */

struct portmap {
	LIST_ENTRY(portmap)	 link;
	int			 family;
	unsigned char		 addr[16];
	uint64_t		 used[65536 / 64];
	unsigned		 next;	/* where the next search starts */
};

static LIST_HEAD(, portmap)	portmaps = LIST_HEAD_INITIALIZER(portmaps);
static size_t			ports_in_use;

static struct portmap *
portmap_get(const struct cfg_ip *ip)
{
	struct portmap	*pm;
	size_t		 alen = ip->family == AF_INET ? 4 : 16;

	LIST_FOREACH(pm, &portmaps, link)
		if (pm->family == ip->family && memcmp(pm->addr, &ip->u, alen) == 0)
			return pm;
	pm = calloc(1, sizeof(*pm));
	if (pm == NULL)
		return NULL;
	pm->family = ip->family;
	memcpy(pm->addr, &ip->u, alen);
	LIST_INSERT_HEAD(&portmaps, pm, link);
	return pm;
}

static int
port_used(const struct portmap *pm, unsigned p)
{
	return (pm->used[p / 64] >> (p % 64)) & 1;
}

static void
port_mark(struct portmap *pm, unsigned p, int on)
{
	if (on)
		pm->used[p / 64] |= 1ULL << (p % 64);
	else
		pm->used[p / 64] &= ~(1ULL << (p % 64));
}

size_t
media_ports_in_use(void)
{
	return ports_in_use;
}

/* ===== the anchor ===== */

struct side {
	const struct cfg_realm		*realm;	/* RO, in the call's snapshot */
	const struct cfg_profile	*profile;	/* RO */
	struct portmap			*pm;	/* weak */
	unsigned			 port;	/* RTP; RTCP is port + 1; 0: none */
	int				 fd[2];	/* RTP, RTCP */
	struct event			*ev[2];
	struct sockaddr_storage		 peer[2];	/* where to send RTP, RTCP */
	socklen_t			 peerlen[2];
	int				 have_peer;
	int				 secure;	/* this side speaks SRTP */
	int				 optional;	/* SRTP offered best effort ("both"): */
							/* the answer decides */
	enum msec_suite			 suite;
	struct msec_key			 ours;	/* what we protect toward the peer with */
	struct msec_key			 theirs;	/* what the peer protects with */
	unsigned			 tag;	/* crypto tag in force */
	struct msec_ctx			*tx, *rx;	/* protect toward / unprotect from the peer */
	/* keys offered to this side, one per suite, kept for re-offers */
	struct {
		enum msec_suite	 suite;
		struct msec_key	 key;
		char		 inline_[96];
	} offered[SDP_MAX_CRYPTO];
	size_t				 noffered;
	unsigned long long		 o_version;
	int				 hold;	/* the last SDP put the stream on hold */
	struct media_stats		 st;
	struct sockaddr_storage		 sig;	/* where its SIP comes from (media_nat) */
	int				 nat_latched[2];
	uint16_t			 last_seq;
	int				 seq_valid;
	int				 timed_out;
	char				*last_sdp;	/* what sbcd last sent this side */
};

struct media {
	unsigned		 call_id;
	LIST_ENTRY(media)	 link;
	struct side		 s[2];
	media_timeout_h		*timeout_h;
	void			*arg;
	int			 offer_pending;
	enum media_side		 offer_from;
	int			 answered;	/* an answer went through: relay on */
	enum media_side		 answer_from;
	size_t			 audio;	/* index of the relayed m= line */
	char			 codec[32];
	int			 pts[SDP_MAX_FMT];	/* payload types offered on */
	size_t			 npts;
	double			 started;	/* monotonic, when the relay started */
};

static LIST_HEAD(, media)	medias = LIST_HEAD_INITIALIZER(medias);
static struct media_stats	retired;	/* counters of anchors already freed */
static struct event		*sweep_ev;

/*
 * The coarse clock (the last tick, a few ms): enough for inactivity in
 * seconds and call durations, and it reads no time-stamp counter, which
 * showed as 3 % of the relay's CPU per packet (docs/performance.md).
 */
static double
now_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const struct cfg_ipif *
side_ipif(const struct side *sd)
{
	return sd->realm->interface;
}

/* The address written into SDP: the public one when the interface has it. */
static const struct cfg_ip *
side_sdp_ip(const struct side *sd)
{
	const struct cfg_ipif *i = side_ipif(sd);

	return i->public_address.family ? &i->public_address : &i->address;
}

static void on_packet(evutil_socket_t fd, short what, void *arg);

static void
side_close(struct side *sd)
{
	for (int k = 0; k < 2; k++) {
		if (sd->ev[k] != NULL)
			event_free(sd->ev[k]);
		sd->ev[k] = NULL;
		if (sd->fd[k] >= 0)
			close(sd->fd[k]);
		sd->fd[k] = -1;
	}
	if (sd->port != 0 && sd->pm != NULL) {
		port_mark(sd->pm, sd->port, 0);
		port_mark(sd->pm, sd->port + 1, 0);
		ports_in_use -= 2;
	}
	sd->port = 0;
}

static void
side_keys_clear(struct side *sd)
{
	if (sd->tx != NULL)
		msec_ctx_free(sd->tx);
	sd->tx = NULL;
	if (sd->rx != NULL)
		msec_ctx_free(sd->rx);
	sd->rx = NULL;
	msec_key_clear(&sd->ours);
	msec_key_clear(&sd->theirs);
	for (size_t i = 0; i < sd->noffered; i++) {
		msec_key_clear(&sd->offered[i].key);
		memset(sd->offered[i].inline_, 0, sizeof(sd->offered[i].inline_));
	}
	sd->noffered = 0;
}

static int
bind_udp(const struct cfg_ip *ip, unsigned port)
{
	struct sockaddr_storage	 ss;
	socklen_t		 len;
	int			 fd;

	memset(&ss, 0, sizeof(ss));
	if (ip->family == AF_INET) {
		struct sockaddr_in *in = (struct sockaddr_in *)&ss;

		in->sin_family = AF_INET;
		in->sin_addr = ip->u.v4;
		in->sin_port = htons((uint16_t)port);
		len = sizeof(*in);
	} else {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;

		in6->sin6_family = AF_INET6;
		in6->sin6_addr = ip->u.v6;
		in6->sin6_port = htons((uint16_t)port);
		len = sizeof(*in6);
	}
	fd = socket(ip->family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return -1;
	if (bind(fd, (struct sockaddr *)&ss, len) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Take the next free pair of the realm: RTP even, RTCP + 1. */
static enum media_err
side_alloc(struct media *m, struct side *sd)
{
	const struct cfg_realm	*r = sd->realm;
	const struct cfg_ip	*ip = &r->interface->address;
	struct portmap		*pm = portmap_get(ip);
	unsigned		 legs = (unsigned)r->session_legs;

	if (pm == NULL)
		return MEDIA_INTERNAL;
	for (unsigned n = 0; n < legs; n++) {
		unsigned slot = (pm->next + n) % legs;
		unsigned port = (unsigned)r->port_start + slot * (unsigned)r->port_spacing;
		int	 fd0, fd1;

		if (port + 1 > 65535 || port_used(pm, port) || port_used(pm, port + 1))
			continue;
		if ((fd0 = bind_udp(ip, port)) == -1)
			continue;	/* taken by someone else: the next */
		if ((fd1 = bind_udp(ip, port + 1)) == -1) {
			close(fd0);
			continue;
		}
		sd->fd[0] = fd0;
		sd->fd[1] = fd1;
		sd->port = port;
		sd->pm = pm;
		port_mark(pm, port, 1);
		port_mark(pm, port + 1, 1);
		ports_in_use += 2;
		pm->next = (slot + 1) % legs;
		for (int k = 0; k < 2; k++) {
			sd->ev[k] = event_new(loop_base(), sd->fd[k], EV_READ | EV_PERSIST,
			    on_packet, m);
			if (sd->ev[k] == NULL || event_add(sd->ev[k], NULL) != 0)
				return MEDIA_INTERNAL;
		}
		return MEDIA_OK;
	}
	log_warnx("call=%u media realm %s is exhausted: no free port pair in %d-%d on %s",
	    m->call_id, r->name, r->port_start, r->port_end, ip->str);
	return MEDIA_NO_PORTS;
}

int
media_new(struct media **out, unsigned call_id, media_timeout_h *timeout_h, void *arg)
{
	struct media *m = calloc(1, sizeof(*m));

	if (m == NULL)
		return ENOMEM;
	m->call_id = call_id;
	m->timeout_h = timeout_h;
	m->arg = arg;
	for (int i = 0; i < 2; i++)
		m->s[i].fd[0] = m->s[i].fd[1] = -1;
	LIST_INSERT_HEAD(&medias, m, link);
	*out = m;
	return 0;
}

static void
stats_add(struct media_stats *to, const struct media_stats *st)
{
	to->pkts_in += st->pkts_in;
	to->bytes_in += st->bytes_in;
	to->pkts_out += st->pkts_out;
	to->bytes_out += st->bytes_out;
	to->dropped += st->dropped;
	to->auth_failures += st->auth_failures;
	to->lost += st->lost;
	to->late += st->late;
}

struct media *
media_free(struct media *m)
{
	if (m == NULL)
		return NULL;
	LIST_REMOVE(m, link);
	for (int i = 0; i < 2; i++) {
		stats_add(&retired, &m->s[i].st);
		side_close(&m->s[i]);
		side_keys_clear(&m->s[i]);
		free(m->s[i].last_sdp);
	}
	free(m);
	return NULL;
}

enum media_err
media_side_set(struct media *m, enum media_side s, const struct cfg_realm *realm,
    const struct cfg_profile *profile)
{
	struct side *sd = &m->s[s];

	sd->profile = profile;
	if (sd->realm != NULL && sd->port != 0 &&
	    strcmp(sd->realm->name, realm->name) == 0 &&
	    sd->realm->interface->address.family == realm->interface->address.family &&
	    strcmp(sd->realm->interface->address.str, realm->interface->address.str) == 0) {
		sd->realm = realm;
		return MEDIA_OK;	/* same realm: keep the ports */
	}
	side_close(sd);
	side_keys_clear(sd);
	sd->have_peer = 0;
	sd->realm = realm;
	return side_alloc(m, sd);
}

/* ===== SDP ===== */

static int
suite_allowed(const struct cfg_profile *p, enum msec_suite s)
{
	const char *name = msec_suite_name(s);

	for (size_t i = 0; i < p->srtp_suites.n; i++)
		if (strcmp(p->srtp_suites.v[i], name) == 0)
			return 1;
	return 0;
}

/* What the coder group calls a codec, and how SDP writes it. */
static const struct {
	const char	*name;
	unsigned	 clock;
} coder_sdp[] = {
	[CFG_CODER_PCMU] = { "PCMU", 8000 },
	[CFG_CODER_PCMA] = { "PCMA", 8000 },
	[CFG_CODER_G722] = { "G722", 8000 },
	[CFG_CODER_G729] = { "G729", 8000 },
	[CFG_CODER_OPUS] = { "opus", 48000 },
};

static int
is_dtmf(const struct sdp_fmt *f)
{
	return strcasecmp(f->encoding, "telephone-event") == 0;
}

/* Does profile p allow payload format f? (no coder group: everything) */
static int
codec_allowed(const struct cfg_profile *p, const struct sdp_fmt *f)
{
	const struct cfg_coder_group *cg = p->coder_group;

	if (cg == NULL)
		return 1;
	for (size_t i = 0; i < cg->n_coders; i++) {
		int c = cg->coders[i].coder;

		if (strcasecmp(coder_sdp[c].name, f->encoding) == 0 &&
		    (f->clock == 0 || f->clock == coder_sdp[c].clock))
			return 1;
	}
	return 0;
}

/*
 * The payload types to offer to side `to` from media line md: allowed by
 * both profiles, in the order of to's coder group (else as offered), then
 * telephone-event when to keeps RFC 2833 DTMF.  Returns how many audio
 * codecs remain (0: nothing in common).
 */
static size_t
filter_codecs(const struct sdp_media *md, const struct cfg_profile *from,
    const struct cfg_profile *to, int *pts, size_t *npts)
{
	const struct cfg_coder_group	*cg = to->coder_group;
	size_t				 naudio = 0;

	*npts = 0;
	if (cg != NULL) {
		for (size_t c = 0; c < cg->n_coders; c++)
			for (size_t i = 0; i < md->nfmt; i++) {
				const struct sdp_fmt *f = &md->fmt[i];
				int k = cg->coders[c].coder;

				if (strcasecmp(coder_sdp[k].name, f->encoding) != 0 ||
				    (f->clock != 0 && f->clock != coder_sdp[k].clock) ||
				    !codec_allowed(from, f))
					continue;
				pts[(*npts)++] = f->pt;
				naudio++;
			}
	} else {
		for (size_t i = 0; i < md->nfmt; i++)
			if (!is_dtmf(&md->fmt[i]) && codec_allowed(from, &md->fmt[i])) {
				pts[(*npts)++] = md->fmt[i].pt;
				naudio++;
			}
	}
	if (naudio > 0 && to->dtmf_mode != CFG_DTMF_DISABLE)
		for (size_t i = 0; i < md->nfmt; i++)
			if (is_dtmf(&md->fmt[i]))
				pts[(*npts)++] = md->fmt[i].pt;
	return naudio;
}

static int
proto_is_savp(const char *proto)
{
	return strstr(proto, "SAVP") != NULL;
}

/* The first audio line with a port, or -1. */
static int
audio_index(const struct sdp *s)
{
	for (size_t i = 0; i < s->nmedia; i++)
		if (strcasecmp(s->media[i].type, "audio") == 0 && s->media[i].port != 0)
			return (int)i;
	return -1;
}

static void
set_peer(struct side *sd, const struct sdp_media *md)
{
	struct sockaddr_storage ss;

	for (int k = 0; k < 2; k++) {
		unsigned port = k == 0 ? md->port : (md->rtcp_port ? md->rtcp_port : md->port + 1);

		memset(&ss, 0, sizeof(ss));
		if (md->family == AF_INET6) {
			struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;

			in6->sin6_family = AF_INET6;
			inet_pton(AF_INET6, md->addr, &in6->sin6_addr);
			in6->sin6_port = htons((uint16_t)port);
			sd->peerlen[k] = sizeof(*in6);
		} else {
			struct sockaddr_in *in = (struct sockaddr_in *)&ss;

			in->sin_family = AF_INET;
			inet_pton(AF_INET, md->addr, &in->sin_addr);
			in->sin_port = htons((uint16_t)port);
			sd->peerlen[k] = sizeof(*in);
		}
		memcpy(&sd->peer[k], &ss, sizeof(ss));
	}
	sd->have_peer = 1;
	sd->nat_latched[0] = sd->nat_latched[1] = 0;
	sd->hold = md->dir != SDP_DIR_SENDRECV || strcmp(md->addr, "0.0.0.0") == 0;
}

/* The crypto line of md sbcd will use from side sd, per its profile. */
static int
pick_crypto(struct side *sd, const struct sdp_media *md, struct msec_key *key,
    unsigned *tag)
{
	for (size_t i = 0; i < md->ncrypto; i++) {
		const struct sdp_crypto	*c = &md->crypto[i];
		enum msec_suite		 s = msec_suite_by_name(c->suite);

		/* allowed by the profile and passing msec's known-answer test */
		if (s == MSEC_NONE || !suite_allowed(sd->profile, s) || !msec_suite_supported(s))
			continue;
		if (msec_key_parse(s, c->key_params, key) != 0)
			continue;
		*tag = c->tag;
		return 0;
	}
	return -1;
}

/* The incoming half of an offer: may side sd offer this?  Sets its security. */
static enum media_err
check_offer(struct media *m, struct side *sd, const struct sdp_media *md, int write)
{
	int			 savp = proto_is_savp(md->proto);
	int			 secure;
	struct msec_key		 key;
	unsigned		 tag = 0;

	switch (sd->profile->media_security) {
	case CFG_MSEC_SECURED:
		if (!savp)
			return MEDIA_NOT_ACCEPTABLE;
		secure = 1;
		break;
	case CFG_MSEC_NOT_SECURED:
		if (savp)
			return MEDIA_NOT_ACCEPTABLE;
		secure = 0;
		break;
	default:
		secure = savp;
		break;
	}
	if (secure) {
		if (pick_crypto(sd, md, &key, &tag) != 0) {
			log_info("call=%u media: none of the %zu crypto lines offered is usable",
			    m->call_id, md->ncrypto);
			return MEDIA_NOT_ACCEPTABLE;
		}
		if (write) {
			/* a new key from the peer: its contexts start again */
			if (!sd->secure || sd->theirs.len != key.len ||
			    memcmp(sd->theirs.key, key.key, key.len) != 0 ||
			    sd->suite != key.suite) {
				if (sd->rx != NULL)
					msec_ctx_free(sd->rx);
				sd->rx = NULL;
			}
			if (sd->suite != key.suite || !sd->secure) {
				/* our key toward it: one per suite, kept across re-offers */
				if (sd->tx != NULL)
					msec_ctx_free(sd->tx);
				sd->tx = NULL;
				if (msec_key_new(key.suite, &sd->ours) != 0) {
					msec_key_clear(&key);
					return MEDIA_INTERNAL;
				}
			}
			sd->theirs = key;
			sd->suite = key.suite;
			sd->tag = tag;
		}
		msec_key_clear(&key);
	}
	if (write)
		sd->secure = secure;
	return MEDIA_OK;
}

/* Keys sbcd offers to side sd: one per allowed suite, kept across re-offers. */
static enum media_err
offer_keys(struct side *sd, struct sdp_media_out *mo)
{
	mo->ncrypto = 0;
	for (size_t i = 0; i < sd->profile->srtp_suites.n && mo->ncrypto < SDP_MAX_CRYPTO; i++) {
		enum msec_suite	 s = msec_suite_by_name(sd->profile->srtp_suites.v[i]);
		size_t		 k;

		if (s == MSEC_NONE || !msec_suite_supported(s))
			continue;
		for (k = 0; k < sd->noffered; k++)
			if (sd->offered[k].suite == s)
				break;
		if (k == sd->noffered) {
			if (sd->noffered == SDP_MAX_CRYPTO)
				break;
			sd->offered[k].suite = s;
			if (msec_key_new(s, &sd->offered[k].key) != 0 ||
			    msec_key_format(&sd->offered[k].key, sd->offered[k].inline_,
			    sizeof(sd->offered[k].inline_)) != 0)
				return MEDIA_INTERNAL;
			sd->noffered++;
		}
		mo->crypto[mo->ncrypto].tag = (unsigned)mo->ncrypto + 1;
		mo->crypto[mo->ncrypto].suite = msec_suite_name(s);
		mo->crypto[mo->ncrypto].key_params = sd->offered[k].inline_;
		mo->ncrypto++;
	}
	return mo->ncrypto > 0 ? MEDIA_OK : MEDIA_NOT_ACCEPTABLE;
}

static void
keep_sdp(struct side *sd, const char *body)
{
	char *copy = strdup(body);

	if (copy == NULL)
		return;	/* a refresh then goes without SDP */
	free(sd->last_sdp);
	sd->last_sdp = copy;
}

const char *
media_last_sdp(const struct media *m, enum media_side s)
{
	return m != NULL ? m->s[s].last_sdp : NULL;
}

static void
init_out(struct sdp_out *o, const struct sdp *s, struct side *to)
{
	const struct cfg_ip *ip = side_sdp_ip(to);

	memset(o, 0, sizeof(*o));
	o->addr = ip->str;
	o->family = ip->family;
	o->o_version = ++to->o_version;
	for (size_t i = 0; i < s->nmedia; i++) {
		o->media[i].keep = 0;	/* one audio stream is anchored; others refused */
		o->media[i].strip_ice = 1;
		o->media[i].strip_dtls = 1;
		o->media[i].strip_rtcp_mux = 1;
	}
}

enum media_err
media_offer(struct media *m, enum media_side from, const char *body, size_t len,
    char *buf, size_t buflen)
{
	struct sdp		*s;
	struct side		*x = &m->s[from], *y = &m->s[!from];
	struct sdp_out		 o;
	struct sdp_media_out	*mo;
	enum media_err		 err;
	int			 ai;

	if (x->profile == NULL)
		return MEDIA_INTERNAL;
	if ((s = malloc(sizeof(*s))) == NULL)
		return MEDIA_INTERNAL;
	if (sdp_parse(body, len, s) != 0) {
		err = MEDIA_BAD_SDP;
		goto out;
	}
	if ((ai = audio_index(s)) < 0) {
		err = MEDIA_NOT_ACCEPTABLE;
		goto out;
	}
	if ((err = check_offer(m, x, &s->media[ai], buf != NULL)) != MEDIA_OK || buf == NULL)
		goto out;
	if (y->profile == NULL || y->port == 0) {
		err = MEDIA_INTERNAL;
		goto out;
	}
	set_peer(x, &s->media[ai]);
	init_out(&o, s, y);
	mo = &o.media[ai];
	mo->keep = 1;
	mo->port = y->port;
	if (filter_codecs(&s->media[ai], x->profile, y->profile, mo->pts, &mo->npts) == 0) {
		log_info("call=%u media: no codec in common with IP profile %s", m->call_id,
		    y->profile->name);
		err = MEDIA_NOT_ACCEPTABLE;
		goto out;
	}
	memcpy(m->pts, mo->pts, sizeof(m->pts));
	m->npts = mo->npts;
	y->optional = 0;
	switch (y->profile->media_security) {
	case CFG_MSEC_SECURED:
		y->secure = 1;
		break;
	case CFG_MSEC_BOTH:
		/* RTP/AVP with our keys (best-effort SRTP, as RFC 4568 allows):
		 * a plain RTP peer ignores them, an SRTP one answers with its own.
		 * Once a side has settled on plain RTP, re-offers stay plain: a
		 * re-offer that fails must not leave it marked SRTP without keys. */
		if (m->answered && !y->secure)
			break;
		y->secure = 1;
		y->optional = 1;
		break;
	case CFG_MSEC_NOT_SECURED:
		y->secure = 0;
		break;
	default:
		y->secure = x->secure;
		break;
	}
	mo->proto = y->secure && !y->optional ? "RTP/SAVP" : "RTP/AVP";
	if (y->secure && (err = offer_keys(y, mo)) != MEDIA_OK)
		goto out;
	if (sdp_write(s, &o, buf, buflen) < 0) {
		err = MEDIA_INTERNAL;
		goto out;
	}
	keep_sdp(y, buf);
	m->offer_pending = 1;
	m->offer_from = from;
	m->audio = (size_t)ai;
 out:
	free(s);
	return err;
}

int
media_offer_pending(const struct media *m, enum media_side *from)
{
	if (m->offer_pending && from != NULL)
		*from = m->offer_from;
	return m->offer_pending;
}

/* (Re)make the SRTP contexts of a side from its keys. */
static enum media_err
side_contexts(struct media *m, struct side *sd)
{
	if (!sd->secure)
		return MEDIA_OK;
	if (sd->tx == NULL && msec_ctx_new(&sd->tx, &sd->ours, MSEC_PROTECT) != 0)
		return MEDIA_INTERNAL;
	if (sd->rx == NULL && msec_ctx_new(&sd->rx, &sd->theirs, MSEC_UNPROTECT) != 0)
		return MEDIA_INTERNAL;
	log_debug("call=%u media: SRTP %s on port %u, engine %s", m->call_id,
	    msec_suite_name(sd->suite), sd->port, msec_ctx_engine(sd->tx));
	return MEDIA_OK;
}

enum media_err
media_answer(struct media *m, enum media_side from, const char *body, size_t len,
    char *buf, size_t buflen)
{
	struct sdp		*s;
	struct side		*y = &m->s[from], *x = &m->s[!from];
	struct sdp_out		 o;
	struct sdp_media_out	*mo;
	struct sdp_media	*md;
	enum media_err		 err = MEDIA_OK;

	/* an answer to the pending offer, or the same answerer again (183 then 200) */
	if (!(m->offer_pending && m->offer_from != from) &&
	    !(m->answered && m->answer_from == from && !m->offer_pending))
		return MEDIA_NOT_ACCEPTABLE;
	if ((s = malloc(sizeof(*s))) == NULL)
		return MEDIA_INTERNAL;
	if (sdp_parse(body, len, s) != 0) {
		err = MEDIA_BAD_SDP;
		goto out;
	}
	if (m->audio >= s->nmedia) {
		err = MEDIA_NOT_ACCEPTABLE;
		goto out;
	}
	md = &s->media[m->audio];
	init_out(&o, s, x);
	mo = &o.media[m->audio];
	if (md->port != 0) {
		if (y->secure && y->optional && md->ncrypto == 0 && !proto_is_savp(md->proto)) {
			/* best-effort SRTP declined: plain RTP with this side */
			y->secure = 0;
			if (y->tx != NULL)
				msec_ctx_free(y->tx);
			if (y->rx != NULL)
				msec_ctx_free(y->rx);
			y->tx = y->rx = NULL;
		}
		if (y->secure) {
			/* the answer picks one of our lines and brings its own key */
			size_t k;

			if ((!y->optional && !proto_is_savp(md->proto)) || md->ncrypto != 1) {
				err = MEDIA_NOT_ACCEPTABLE;
				goto out;
			}
			for (k = 0; k < y->noffered; k++)
				if (k + 1 == md->crypto[0].tag &&
				    y->offered[k].suite == msec_suite_by_name(md->crypto[0].suite))
					break;
			if (k == y->noffered) {
				err = MEDIA_NOT_ACCEPTABLE;
				goto out;
			}
			{
				struct msec_key key;

				if (msec_key_parse(y->offered[k].suite, md->crypto[0].key_params,
				    &key) != 0) {
					err = MEDIA_NOT_ACCEPTABLE;
					goto out;
				}
				if (y->theirs.len != key.len ||
				    memcmp(y->theirs.key, key.key, key.len) != 0) {
					if (y->rx != NULL)
						msec_ctx_free(y->rx);
					y->rx = NULL;
				}
				if (y->suite != y->offered[k].suite || y->ours.len == 0 ||
				    memcmp(y->ours.key, y->offered[k].key.key, y->ours.len) != 0) {
					if (y->tx != NULL)
						msec_ctx_free(y->tx);
					y->tx = NULL;
				}
				y->theirs = key;
				msec_key_clear(&key);
			}
			y->ours = y->offered[k].key;
			y->suite = y->offered[k].suite;
			y->tag = md->crypto[0].tag;
		} else if (proto_is_savp(md->proto)) {
			err = MEDIA_NOT_ACCEPTABLE;
			goto out;
		}
		set_peer(y, md);
		mo->keep = 1;
		mo->port = x->port;
		mo->proto = x->secure ? "RTP/SAVP" : "RTP/AVP";
		for (size_t i = 0; i < md->nfmt && mo->npts < SDP_MAX_FMT; i++)
			mo->pts[mo->npts++] = md->fmt[i].pt;
		if (x->secure) {
			char inl[96];

			if (msec_key_format(&x->ours, inl, sizeof(inl)) != 0) {
				err = MEDIA_INTERNAL;
				goto out;
			}
			mo->crypto[0].tag = x->tag;
			mo->crypto[0].suite = msec_suite_name(x->suite);
			mo->crypto[0].key_params = inl;
			mo->ncrypto = 1;
			if (sdp_write(s, &o, buf, buflen) < 0)
				err = MEDIA_INTERNAL;
			memset(inl, 0, sizeof(inl));
		} else if (sdp_write(s, &o, buf, buflen) < 0)
			err = MEDIA_INTERNAL;
		if (err == MEDIA_OK && md->nfmt > 0)
			snprintf(m->codec, sizeof(m->codec), "%s", md->fmt[0].encoding);
	} else if (sdp_write(s, &o, buf, buflen) < 0)
		err = MEDIA_INTERNAL;
	if (err != MEDIA_OK)
		goto out;
	keep_sdp(x, buf);
	if ((err = side_contexts(m, x)) != MEDIA_OK || (err = side_contexts(m, y)) != MEDIA_OK)
		goto out;
	if (!m->answered)
		m->started = now_mono();
	m->offer_pending = 0;
	m->answered = 1;
	m->answer_from = from;
 out:
	free(s);
	return err;
}

/* ===== the relay ===== */

static int
same_addr(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return 0;
	if (a->ss_family == AF_INET) {
		const struct sockaddr_in *x = (const void *)a, *y = (const void *)b;

		return x->sin_port == y->sin_port && x->sin_addr.s_addr == y->sin_addr.s_addr;
	}
	{
		const struct sockaddr_in6 *x = (const void *)a, *y = (const void *)b;

		return x->sin6_port == y->sin6_port &&
		    memcmp(&x->sin6_addr, &y->sin6_addr, sizeof(x->sin6_addr)) == 0;
	}
}

static int
same_ip(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return 0;
	if (a->ss_family == AF_INET)
		return ((const struct sockaddr_in *)a)->sin_addr.s_addr ==
		    ((const struct sockaddr_in *)b)->sin_addr.s_addr;
	return memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr,
	    &((const struct sockaddr_in6 *)b)->sin6_addr, sizeof(struct in6_addr)) == 0;
}

void
media_side_signalling(struct media *m, enum media_side s, const struct sockaddr *sa)
{
	size_t len = sa->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6) :
	    sizeof(struct sockaddr_in);

	memset(&m->s[s].sig, 0, sizeof(m->s[s].sig));
	memcpy(&m->s[s].sig, sa, len);
}

/* One packet arrived on side `si`, socket k (0 RTP, 1 RTCP): check, convert, send on. */
static void
relay_one(struct media *m, int si, int k, uint8_t *pkt, size_t len,
    const struct sockaddr_storage *src)
{
	struct side	*in = &m->s[si], *out = &m->s[!si];
	int		 err;

	if (len < (k == 0 ? 12u : 8u) || (pkt[0] >> 6) != 2 || !m->answered || !in->have_peer) {
		in->st.dropped++;
		return;
	}
	if (in->secure) {
		/* only what authenticates counts, and may move the peer */
		err = k == 0 ? msec_rtp(in->rx, pkt, &len) : msec_rtcp(in->rx, pkt, &len);
		if (err != 0) {
			if (err == EACCES)
				in->st.auth_failures++;
			else
				in->st.dropped++;
			return;
		}
		if (!same_addr(src, &in->peer[k]))
			memcpy(&in->peer[k], src, sizeof(*src));
	} else if (!same_addr(src, &in->peer[k])) {
		/* strict: only from where the peer said it sends (RTP Bleed);
		 * behind NAT, from its SIP address, latched once */
		if (in->profile->media_nat && !in->nat_latched[k] && same_ip(src, &in->sig)) {
			memcpy(&in->peer[k], src, sizeof(*src));
			in->nat_latched[k] = 1;
		} else {
			in->st.dropped++;
			return;
		}
	}
	if (k == 0) {
		uint16_t seq = (uint16_t)(pkt[2] << 8 | pkt[3]);

		uint16_t d = (uint16_t)(seq - in->last_seq);

		/* a gap counts as lost until the packet turns up late */
		if (in->seq_valid && d > 1 && d < 3000)
			in->st.lost += d - 1;
		else if (in->seq_valid && d >= 0x8000) {
			in->st.late++;
			if (in->st.lost > 0)
				in->st.lost--;
		}
		if (!in->seq_valid || (d > 0 && d < 0x8000))
			in->last_seq = seq;
		in->seq_valid = 1;
		in->st.pkts_in++;
		in->st.bytes_in += len;
		in->st.last_rx = now_mono();
	}
	if (!out->have_peer || out->fd[k] < 0)
		return;
	if (out->secure) {
		err = k == 0 ? msec_rtp(out->tx, pkt, &len) : msec_rtcp(out->tx, pkt, &len);
		if (err != 0)
			return;
	}
	if (sendto(out->fd[k], pkt, len, 0, (struct sockaddr *)&out->peer[k],
	    out->peerlen[k]) == -1)
		return;
	if (k == 0) {
		out->st.pkts_out++;
		out->st.bytes_out += len;
	}
}

/*
 * One socket is readable: everything queued on it (up to BATCH) in one
 * recvmmsg.  At 50 packets/s a stream rarely has more than one waiting, so
 * the gain is the second read a recvfrom loop needs to see EAGAIN: one
 * system call less per packet (tests/bench, docs/performance.md).
 */
static void
on_packet(evutil_socket_t fd, short what, void *arg)
{
	static uint8_t			 pkt[BATCH][PKT_MAX];
	static struct sockaddr_storage	 src[BATCH];
	static struct iovec		 iov[BATCH];
	static struct mmsghdr		 msg[BATCH];
	static int			 ready;
	struct media			*m = arg;
	int				 si, k, n, i;

	(void)what;
	for (si = 0; si < 2; si++)
		for (k = 0; k < 2; k++)
			if (m->s[si].fd[k] == fd)
				goto found;
	return;
 found:
	/* the headers are set up once; the kernel rewrites only msg_namelen,
	 * msg_flags and msg_len, and msg_namelen is put back after use */
	if (!ready) {
		for (i = 0; i < BATCH; i++) {
			iov[i].iov_base = pkt[i];
			iov[i].iov_len = PKT_MAX - MSEC_MAX_TRAILER;
			msg[i].msg_hdr.msg_name = &src[i];
			msg[i].msg_hdr.msg_namelen = sizeof(src[i]);
			msg[i].msg_hdr.msg_iov = &iov[i];
			msg[i].msg_hdr.msg_iovlen = 1;
		}
		ready = 1;
	}
	n = recvmmsg(fd, msg, BATCH, MSG_DONTWAIT, NULL);
	for (i = 0; i < n; i++) {
		relay_one(m, si, k, pkt[i], msg[i].msg_len, &src[i]);
		msg[i].msg_hdr.msg_namelen = sizeof(src[i]);
	}
}

/* ===== inactivity ===== */

static void
sweep_cb(evutil_socket_t fd, short what, void *arg)
{
	struct media	*m, *next;
	double		 now = now_mono();

	(void)fd; (void)what; (void)arg;
	for (m = LIST_FIRST(&medias); m != NULL; m = next) {
		next = LIST_NEXT(m, link);
		if (!m->answered)
			continue;
		for (int i = 0; i < 2; i++) {
			struct side	*sd = &m->s[i];
			int		 hold = m->s[0].hold || m->s[1].hold;
			int		 limit;
			double		 since;

			if (sd->profile == NULL || !sd->have_peer || sd->timed_out)
				continue;
			limit = hold ? sd->profile->media_timeout_hold : sd->profile->media_timeout;
			if (limit == 0)
				continue;
			since = sd->st.last_rx > 0 ? sd->st.last_rx : m->started;
			if (now - since < limit)
				continue;
			sd->timed_out = 1;
			log_info("call=%u media: nothing from side %c for %d s", m->call_id,
			    i == 0 ? 'A' : 'B', limit);
			if (m->timeout_h != NULL) {
				m->timeout_h(m, (enum media_side)i, m->arg);
				break;	/* m may be gone */
			}
		}
	}
}

int
media_init(void)
{
	struct timeval tv = { 1, 0 };

	if (msec_init() != 0)
		return EIO;
	sweep_ev = event_new(loop_base(), -1, EV_PERSIST, sweep_cb, NULL);
	if (sweep_ev == NULL || event_add(sweep_ev, &tv) != 0)
		return ENOMEM;
	return 0;
}

void
media_fini(void)
{
	struct portmap	*pm;
	unsigned long	 used = 0;

	if (sweep_ev != NULL)
		event_free(sweep_ev);
	sweep_ev = NULL;

	while ((pm = LIST_FIRST(&portmaps)) != NULL) {
		for (size_t i = 0; i < sizeof(pm->used) / sizeof(pm->used[0]); i++)
			used += (unsigned long)__builtin_popcountll(pm->used[i]);
		LIST_REMOVE(pm, link);
		free(pm);
	}
	if (used == 0)
		log_info("media: every port released");
	else
		log_warnx("media: %lu ports still held at exit", used);
	msec_fini();
}

/* ===== reading ===== */

void
media_stats(const struct media *m, enum media_side s, struct media_stats *st)
{
	*st = m->s[s].st;
}

void
media_totals(struct media_stats *st)
{
	const struct media *m;

	*st = retired;
	LIST_FOREACH(m, &medias, link)
		for (int i = 0; i < 2; i++)
			stats_add(st, &m->s[i].st);
	st->last_rx = 0;
}

size_t
media_realm_in_use(const struct cfg_realm *realm)
{
	const struct portmap	*pm;
	const struct cfg_ip	*ip = &realm->interface->address;
	size_t			 alen = ip->family == AF_INET ? 4 : 16, n = 0;

	LIST_FOREACH(pm, &portmaps, link) {
		if (pm->family != ip->family || memcmp(pm->addr, &ip->u, alen) != 0)
			continue;
		for (int p = realm->port_start; p <= realm->port_end && p < 65536; p++)
			n += (size_t)port_used(pm, (unsigned)p);
	}
	return n;
}

int
media_peer(const struct media *m, enum media_side s, char *buf, size_t len)
{
	const struct side	*sd = &m->s[s];
	char			 host[INET6_ADDRSTRLEN];
	int			 port;

	if (!sd->have_peer || len == 0)
		return ENOENT;
	if (sd->peer[0].ss_family == AF_INET6) {
		const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)&sd->peer[0];

		inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof(host));
		port = ntohs(a->sin6_port);
		snprintf(buf, len, "[%s]:%d", host, port);
	} else {
		const struct sockaddr_in *a = (const struct sockaddr_in *)&sd->peer[0];

		inet_ntop(AF_INET, &a->sin_addr, host, sizeof(host));
		port = ntohs(a->sin_port);
		snprintf(buf, len, "%s:%d", host, port);
	}
	return 0;
}

const char *
media_codec(const struct media *m)
{
	return m->codec;
}

const char *
media_suite(const struct media *m, enum media_side s)
{
	return m->s[s].secure && m->s[s].suite != MSEC_NONE ? msec_suite_name(m->s[s].suite) : "";
}

unsigned
media_port(const struct media *m, enum media_side s)
{
	return m->s[s].port;
}
