/* sipif.c: SIP interfaces at run time: NTA agents bound per interface, kept across reloads by name. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#define NTA_AGENT_MAGIC_T	struct sipif
#include <sofia-sip/nta.h>
#include <sofia-sip/nta_stateless.h>
#include <sofia-sip/nta_tport.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/su_alloc.h>
#include <sofia-sip/tport.h>
#include <sofia-sip/tport_tag.h>
#include <sofia-sip/msg_addr.h>

#include "cfg.h"
#include "log.h"
#include "loop.h"
#include "obj.h"
#include "reload.h"
#include "sipif.h"
#include "tls.h"

#define MAX_SIPIF 64

struct sipif {
	char		*name;
	char		 key[256];	/* what a rebind depends on */
	su_home_t	 home[1];
	nta_agent_t	*agent;
	sip_contact_t	*contact[3];	/* per enum cfg_transport, NULL: no listener */
	int		 port[3];
	int		 family;
	unsigned char	 addr[16];
	int		 retired;	/* removed by a reload: takes no new requests */
};

static int		 trace_on;	/* sofia's message trace (HEP) */
static sipif_request_h	*request_h;
static void		*request_arg;
static struct sipif	*current[MAX_SIPIF];	/* one reference each */
static size_t		 ncurrent;
static struct sipif	*pending[MAX_SIPIF];	/* built by prepare, one reference each */
static size_t		 npending;

static void
sipif_destructor(void *arg)
{
	struct sipif *sif = arg;

	if (sif->agent != NULL)
		nta_agent_destroy(sif->agent);
	su_home_deinit(sif->home);
	log_debug("sipif %s: closed", sif->name);
	free(sif->name);
}

struct sipif *
sipif_ref(struct sipif *sif)
{
	return obj_ref(sif);
}

struct sipif *
sipif_unref(struct sipif *sif)
{
	return obj_unref(sif);
}

nta_agent_t *
sipif_agent(const struct sipif *sif)
{
	return sif->agent;
}

const char *
sipif_name(const struct sipif *sif)
{
	return sif->name;
}

const sip_contact_t *
sipif_contact(const struct sipif *sif, int transport)
{
	if (transport < 0 || transport > CFG_TP_TLS)
		return NULL;
	return sif->contact[transport];
}

int
sipif_has_transport(const struct sipif *sif, int transport)
{
	return sipif_contact(sif, transport) != NULL;
}

struct sipif *
sipif_get(const char *name)
{
	for (size_t i = 0; i < ncurrent; i++)
		if (strcmp(current[i]->name, name) == 0)
			return current[i];
	return NULL;
}

static void
bind_key(const struct cfg_sipif *c, char *buf, size_t len)
{
	snprintf(buf, len, "%s|%d|%d|%d|%s", c->interface->address.str, c->udp_port,
	    c->tcp_port, c->tls_port, c->tls_context ? c->tls_context->name : "");
}

int
sipif_is_own_address(const struct sockaddr *sa)
{
	const unsigned char	*a;
	int			 port;

	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)sa;

		a = (const unsigned char *)&in->sin_addr;
		port = ntohs(in->sin_port);
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;

		a = (const unsigned char *)&in6->sin6_addr;
		port = ntohs(in6->sin6_port);
	} else
		return 0;
	for (size_t i = 0; i < ncurrent; i++) {
		const struct sipif *s = current[i];

		if (s->family != sa->sa_family ||
		    memcmp(s->addr, a, sa->sa_family == AF_INET ? 4 : 16) != 0)
			continue;
		for (int t = 0; t < 3; t++)
			if (s->port[t] == port)
				return 1;
	}
	return 0;
}

int
sipif_retired(const struct sipif *sif)
{
	return sif->retired;
}

/* Fill src from a message being delivered by this agent. */
static int
source_of(struct sipif *sif, msg_t *msg, struct sipif_src *src)
{
	su_addrinfo_t	*ai = msg_addrinfo(msg);
	const char	*proto = "udp";

	memset(src, 0, sizeof(*src));
	if (ai == NULL || ai->ai_addr == NULL || ai->ai_addrlen > sizeof(src->addr))
		return EINVAL;
	memcpy(&src->addr, ai->ai_addr, ai->ai_addrlen);
	src->addrlen = (socklen_t)ai->ai_addrlen;
	src->tport = tport_delivered_by(nta_agent_tports(sif->agent), msg);
	if (src->tport != NULL && tport_name(src->tport) != NULL &&
	    tport_name(src->tport)->tpn_proto != NULL)
		proto = tport_name(src->tport)->tpn_proto;
	src->transport = strcasecmp(proto, "tls") == 0 ? CFG_TP_TLS :
	    strcasecmp(proto, "tcp") == 0 ? CFG_TP_TCP : CFG_TP_UDP;
	if (src->addr.ss_family == AF_INET) {
		struct sockaddr_in *in = (struct sockaddr_in *)&src->addr;

		inet_ntop(AF_INET, &in->sin_addr, src->ip, sizeof(src->ip));
		src->port = ntohs(in->sin_port);
	} else if (src->addr.ss_family == AF_INET6) {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&src->addr;

		inet_ntop(AF_INET6, &in6->sin6_addr, src->ip, sizeof(src->ip));
		src->port = ntohs(in6->sin6_port);
	} else
		return EINVAL;
	return 0;
}

/* Requests that match no dialog or transaction of this agent. */
static int
stateless_cb(struct sipif *sif, nta_agent_t *agent, msg_t *msg, sip_t *sip)
{
	struct sipif_src src;

	if (sip == NULL || sip->sip_request == NULL) {
		nta_msg_discard(agent, msg);	/* a stray response */
		return 0;
	}
	if (sif->retired || request_h == NULL) {
		if (sip->sip_request->rq_method != sip_method_ack)
			nta_msg_treply(agent, msg, 503, "Service Unavailable", TAG_END());
		else
			nta_msg_discard(agent, msg);
		return 0;
	}
	if (source_of(sif, msg, &src) != 0) {
		nta_msg_discard(agent, msg);
		return 0;
	}
	request_h(sif, msg, sip, &src, request_arg);
	return 0;
}

/* "sip:[v6]:port;transport=x" for binding and for the Contact. */
static void
make_url(char *buf, size_t len, const char *scheme, int family, const char *host,
    int port, const char *tp)
{
	if (family == AF_INET6)
		snprintf(buf, len, "%s:[%s]:%d;transport=%s", scheme, host, port, tp);
	else
		snprintf(buf, len, "%s:%s:%d;transport=%s", scheme, host, port, tp);
}

static int
add_contact(struct sipif *sif, const struct cfg_sipif *c, int tp, int port)
{
	static const char *const names[3] = { "udp", "tcp", "tls" };
	const struct cfg_ipif	*ipif = c->interface;
	const char		*host = ipif->public_address.family ?
	    ipif->public_address.str : ipif->address.str;
	char			 url[160], hdr[180];

	make_url(url, sizeof(url), "sip", ipif->public_address.family ?
	    ipif->public_address.family : ipif->address.family, host, port, names[tp]);
	snprintf(hdr, sizeof(hdr), "<%s>", url);
	sif->contact[tp] = sip_contact_make(sif->home, hdr);
	sif->port[tp] = port;
	return sif->contact[tp] != NULL ? 0 : ENOMEM;
}

/* Bind a new agent for c.  0, or an errno with the problem in diag. */
static int
sipif_create(const struct cfg_sipif *c, struct sipif **out, struct cfg_diag *diag)
{
	const struct cfg_ipif	*ipif = c->interface;
	struct sipif		*sif;
	char			 url[160];
	int			 err = 0;
	static const struct {
		int		 tp;
		const char	*name;
	} order[] = { { CFG_TP_UDP, "udp" }, { CFG_TP_TCP, "tcp" } };

	sif = obj_alloc(sizeof(*sif), sipif_destructor);
	if (sif == NULL)
		return ENOMEM;
	su_home_init(sif->home);
	if ((sif->name = strdup(c->name)) == NULL) {
		err = ENOMEM;
		goto out;
	}
	bind_key(c, sif->key, sizeof(sif->key));
	sif->family = ipif->address.family;
	memcpy(sif->addr, &ipif->address.u, ipif->address.family == AF_INET ? 4 : 16);

	/* an agent with no transport yet; every listener is added alike */
	sif->agent = nta_agent_create(loop_root(), (url_string_t *)-1, stateless_cb, sif,
	    NTATAG_UA(1),
	    NTATAG_SERVER_RPORT(1),
	    NTATAG_CLIENT_RPORT(1),
	    NTATAG_CANCEL_487(1),
	    TAG_END());
	if (sif->agent == NULL) {
		err = errno ? errno : ENOMEM;
		goto out;
	}
	if (trace_on)
		nta_agent_set_params(sif->agent, TPTAG_LOG(1), TAG_END());
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		int port = order[i].tp == CFG_TP_UDP ? c->udp_port : c->tcp_port;

		if (port == 0)
			continue;
		make_url(url, sizeof(url), "sip", ipif->address.family, ipif->address.str,
		    port, order[i].name);
		/* SDWN_ERROR: a transport failure fails the request at once */
		if (nta_agent_add_tport(sif->agent, URL_STRING_MAKE(url),
		    TPTAG_SDWN_ERROR(1), TAG_END()) < 0) {
			err = errno ? errno : EADDRINUSE;
			goto bindfail;
		}
		if ((err = add_contact(sif, c, order[i].tp, port)) != 0)
			goto out;
	}
	if (c->tls_port != 0) {
		char	dir[256];
		int	terr;

		make_url(url, sizeof(url), "sips", ipif->address.family, ipif->address.str,
		    c->tls_port, "tls");
		if ((err = tls_tport_begin(c->tls_context, dir, sizeof(dir))) != 0) {
			cfg_diag_add(diag, "%s:%d: sip_interfaces \"%s\": TLS context \"%s\" "
			    "cannot be used: %s", reload_current() ? reload_current()->path : "",
			    c->line, c->name, c->tls_context->name, strerror(err));
			goto out;
		}
		if (nta_agent_add_tport(sif->agent, URL_STRING_MAKE(url),
		    TPTAG_CERTIFICATE(dir),
		    TPTAG_TLS_VERIFY_POLICY(tls_tport_policy(c->tls_context)),
		    TPTAG_TLS_VERIFY_DEPTH(8),
		    TPTAG_SDWN_ERROR(1),
		    TAG_END()) < 0)
			err = errno ? errno : EADDRINUSE;
		terr = tls_tport_end();
		if (err == 0)
			err = terr;
		if (err)
			goto bindfail;
		if ((err = add_contact(sif, c, CFG_TP_TLS, c->tls_port)) != 0)
			goto out;
	}

	log_info("sipif %s: listening on %s udp %d tcp %d tls %d", c->name,
	    ipif->address.str, c->udp_port, c->tcp_port, c->tls_port);
	goto out;

 bindfail:
	cfg_diag_add(diag, "%s:%d: sip_interfaces \"%s\": cannot listen on %s: %s",
	    reload_current() ? reload_current()->path : "", c->line, c->name, url,
	    strerror(err));
 out:
	if (err)
		sipif_unref(sif);
	else
		*out = sif;
	return err;
}

static void
drop_pending(void)
{
	while (npending > 0) {
		npending--;
		pending[npending] = sipif_unref(pending[npending]);
	}
}

static int
sipif_prepare(struct cfg *next, struct cfg_diag *diag)
{
	int err = 0;

	drop_pending();
	if (next->n_sip_interfaces > MAX_SIPIF) {
		cfg_diag_add(diag, "%s:0: sip_interfaces: at most %d are supported",
		    next->path, MAX_SIPIF);
		return E2BIG;
	}
	for (size_t i = 0; i < next->n_sip_interfaces; i++) {
		const struct cfg_sipif	*c = &next->sip_interfaces[i];
		struct sipif		*old = sipif_get(c->name);
		char			 key[256];

		bind_key(c, key, sizeof(key));
		if (old != NULL && strcmp(old->key, key) == 0) {
			pending[npending++] = sipif_ref(old);	/* unchanged: keep it */
			continue;
		}
		err = sipif_create(c, &pending[npending], diag);
		if (err) {
			if (old != NULL && err == EADDRINUSE)
				cfg_diag_add(diag, "%s:%d: sip_interfaces \"%s\": its new "
				    "listeners collide with the running ones; this change "
				    "needs a restart", next->path, c->line, c->name);
			drop_pending();
			return err;
		}
		npending++;
	}
	return 0;
}

static void
sipif_commit(struct cfg *prev, struct cfg *next)
{
	(void)prev;
	for (size_t i = 0; i < ncurrent; i++) {
		int kept = 0;

		for (size_t j = 0; j < npending; j++)
			kept |= pending[j] == current[i];
		if (!kept) {
			/* calls still holding it keep it open until they end */
			current[i]->retired = 1;
			log_info("sipif %s: retired", current[i]->name);
		}
		current[i] = sipif_unref(current[i]);
	}
	memcpy(current, pending, npending * sizeof(*current));
	ncurrent = npending;
	npending = 0;
	if (next == NULL)
		drop_pending();
}

static void
sipif_abort(struct cfg *next)
{
	(void)next;
	drop_pending();
}

static const struct reload_hooks sipif_hooks = {
	.name = "sipif",
	.prepare = sipif_prepare,
	.commit = sipif_commit,
	.abort = sipif_abort,
};

void
sipif_init(sipif_request_h *h, void *arg)
{
	request_h = h;
	request_arg = arg;
	reload_register(&sipif_hooks);
}

void
sipif_trace(int on)
{
	trace_on = on;
	for (size_t i = 0; i < ncurrent; i++)
		nta_agent_set_params(current[i]->agent, TPTAG_LOG(on), TAG_END());
}

/* The local address the kernel picks toward peer, or ENOENT. */
static int
route_source(const struct sockaddr *peer, struct sockaddr_storage *src)
{
	socklen_t	len = sizeof(*src);
	int		fd, err = 0;

	fd = socket(peer->sa_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return errno;
	if (connect(fd, peer, peer->sa_family == AF_INET ? sizeof(struct sockaddr_in) :
	    sizeof(struct sockaddr_in6)) != 0 ||
	    getsockname(fd, (struct sockaddr *)src, &len) != 0)
		err = errno ? errno : ENOENT;
	close(fd);
	return err;
}

int
sipif_local(int transport, const struct sockaddr *peer, struct sockaddr_storage *out)
{
	const struct sipif	*cand[MAX_SIPIF], *pick = NULL;
	size_t			 n = 0;

	for (size_t i = 0; i < ncurrent; i++)
		if (!current[i]->retired && current[i]->family == peer->sa_family &&
		    transport >= 0 && transport < 3 && current[i]->contact[transport] != NULL)
			cand[n++] = current[i];
	if (n == 0)
		return ENOENT;
	pick = cand[0];
	if (n > 1) {
		struct sockaddr_storage src;

		if (route_source(peer, &src) == 0)
			for (size_t i = 0; i < n; i++) {
				const void *a = src.ss_family == AF_INET ?
				    (const void *)&((struct sockaddr_in *)&src)->sin_addr :
				    (const void *)&((struct sockaddr_in6 *)&src)->sin6_addr;

				if (memcmp(cand[i]->addr, a, src.ss_family == AF_INET ? 4 : 16) == 0) {
					pick = cand[i];
					break;
				}
			}
	}
	memset(out, 0, sizeof(*out));
	if (pick->family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)out;

		sin->sin_family = AF_INET;
		memcpy(&sin->sin_addr, pick->addr, 4);
		sin->sin_port = htons((uint16_t)pick->port[transport]);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)out;

		sin6->sin6_family = AF_INET6;
		memcpy(&sin6->sin6_addr, pick->addr, 16);
		sin6->sin6_port = htons((uint16_t)pick->port[transport]);
	}
	return 0;
}
