/* tls.c: TLS for sofia's transports: interposed OpenSSL entry points, the peer table, the handshake watchdog. */
#include <arpa/inet.h>
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <event2/event.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <sofia-sip/tport_tag.h>

#include "cfg.h"
#include "log.h"
#include "loop.h"
#include "tls.h"

/*
 * How this works (docs/architecture.md, "TLS"; research notes in
 * sofia-tls.md):
 *
 * libsofia-sip-ua calls libssl through its PLT, and a symbol defined in the
 * executable wins that lookup.  We define SSL_CTX_set_verify, SSL_connect,
 * SSL_accept, SSL_set_bio and SSL_shutdown, and call the real ones found
 * with dlsym(RTLD_NEXT).  Every wrapper passes straight through unless the
 * SSL_CTX carries our ex_data, which is attached only to contexts that
 * sofia creates between tls_tport_begin() and tls_tport_end(): any other
 * OpenSSL user in the process is unaffected.
 *
 * - SSL_CTX_set_verify: sofia calls it once per TLS primary, inside
 *   nta_agent_add_tport(), after trying to load files from the (empty)
 *   directory we gave it.  We load the chain, key and CA file of the
 *   context and set the minimum version and the client certificate mode.
 * - SSL_set_bio: sofia never SSL_free()s a connection (about 79 KB leaked
 *   per connection), and tls_free() of every secondary SSL_CTX_free()s the
 *   shared context.  We take one BIO and one SSL_CTX reference here ...
 * - SSL_shutdown: ... and SSL_free() the connection after sofia's shutdown;
 *   sofia's own BIO_free() and SSL_CTX_free() then drop our references.
 * - SSL_connect: looks the connected peer up in the peer table (unknown:
 *   refused), sets SNI, the expected name or IP and SSL_VERIFY_PEER with a
 *   callback, so a bad certificate aborts the handshake with an alert.
 * - SSL_accept: reports the outcome; client certificates are enforced by
 *   the context mode and by sofia's TPTLS_VERIFY_IN policy.
 *
 * sofia has no handshake timeout; a libevent timer shuts down (never
 * closes) the sockets of handshakes that run too long, so sofia sees EOF
 * and fails the pending requests itself.
 *
 * Single-threaded like the rest of sbcd: no locks.
 */

#define TLS_VERIFY_DEPTH	8	/* sofia leaves 0 unless told */
#define TLS_WATCHDOG_MS		250
#define TLS_NAME_MAX		255	/* DNS name or IP literal */
#define TLS_GHOSTS_MAX		32	/* remembered errors of unknown peers */
#define TLS_REASON_MAX		160

/* ==================================================================== */
/* State */

/* The interposed functions' real definitions. */
static struct {
	void	(*ctx_set_verify)(SSL_CTX *, int, SSL_verify_cb);
	int	(*connect)(SSL *);
	int	(*accept)(SSL *);
	void	(*set_bio)(SSL *, BIO *, BIO *);
	int	(*shutdown)(SSL *);
} real;

/* Our data on a sofia SSL_CTX; owned by the context's ex_data. */
struct tls_ctxinfo {
	TAILQ_ENTRY(tls_ctxinfo) entry;
	SSL_CTX		*ctx;		/* weak: this lives in its ex_data */
	char		*name;		/* the cfg_tls name, for logs */
	int		 pending;	/* created since tls_tport_begin */
	int		 broken;	/* setup failed: refuse every handshake */
};

enum tls_conn_state {
	TLS_CONN_NEW = 0,	/* SSL created, no handshake step yet */
	TLS_CONN_HANDSHAKE,	/* in the watchdog list */
	TLS_CONN_DONE,		/* outcome reported */
};

/* Our data on one sofia connection; owned by the SSL's ex_data. */
struct tls_conn {
	TAILQ_ENTRY(tls_conn)	 entry;	/* in handshakes while HANDSHAKE */
	SSL			*ssl;	/* weak */
	int			 fd;
	int			 outgoing;
	int			 owned;	/* SSL_set_bio took refs: free in SSL_shutdown */
	int			 skip_verify;	/* the peer's mode is TLS_VERIFY_NONE */
	int			 refused;	/* never handed to the real function */
	int			 ok;	/* outcome, when DONE */
	enum tls_conn_state	 state;
	int			 verify_err;	/* first X509_V_ERR_* seen */
	uint64_t		 start_ms;
	struct sockaddr_storage	 peer;
	socklen_t		 peerlen;
};

/* An address as a table key: IPv4-mapped IPv6 is folded into IPv4. */
struct tls_addr {
	sa_family_t	 family;
	in_port_t	 port;		/* network order */
	unsigned char	 a[16];
};

struct tls_peer {
	TAILQ_ENTRY(tls_peer)	 entry;
	struct tls_addr		 key;
	unsigned		 refs;	/* 0: only remembers an unknown peer's error */
	char			*name;	/* verify name or NULL */
	int			 name_is_ip;
	enum tls_verify		 mode;
	char			*last_error;	/* NULL: last handshake ok, or none */
};

TAILQ_HEAD(tls_ctxinfo_list, tls_ctxinfo);
TAILQ_HEAD(tls_conn_list, tls_conn);
TAILQ_HEAD(tls_peer_list, tls_peer);

static int			 initialised;
static int			 ctx_idx = -1, ssl_idx = -1;
static struct tls_ctxinfo_list	 ctxinfos = TAILQ_HEAD_INITIALIZER(ctxinfos);
static struct tls_conn_list	 handshakes = TAILQ_HEAD_INITIALIZER(handshakes);
static struct tls_peer_list	 peers = TAILQ_HEAD_INITIALIZER(peers);
static char			 emptydir[PATH_MAX];
static unsigned			 hs_timeout_ms;
static struct event		*ev_watchdog;
static int			 watchdog_armed;
static tls_result_h		*result_h;
static void			*result_arg;
static struct tls_stats		 stats;

/* Between tls_tport_begin and tls_tport_end. */
static struct {
	const struct cfg_tls	*cfg;	/* RO */
	int			 err;	/* first setup error */
	unsigned		 nctx;	/* contexts sofia created */
} pending;

/* ==================================================================== */
/* Helpers */

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Resolve the real entry points once; 0 or ENOSYS. */
static int
resolve(void)
{
	if (real.connect != NULL)
		return 0;
	real.ctx_set_verify = (void (*)(SSL_CTX *, int, SSL_verify_cb))
	    dlsym(RTLD_NEXT, "SSL_CTX_set_verify");
	real.accept = (int (*)(SSL *))dlsym(RTLD_NEXT, "SSL_accept");
	real.set_bio = (void (*)(SSL *, BIO *, BIO *))dlsym(RTLD_NEXT, "SSL_set_bio");
	real.shutdown = (int (*)(SSL *))dlsym(RTLD_NEXT, "SSL_shutdown");
	/* last: it marks the table complete */
	real.connect = (int (*)(SSL *))dlsym(RTLD_NEXT, "SSL_connect");
	if (real.ctx_set_verify == NULL || real.accept == NULL ||
	    real.set_bio == NULL || real.shutdown == NULL || real.connect == NULL) {
		real.connect = NULL;
		return ENOSYS;
	}
	return 0;
}

/* In a wrapper there is no way to fail: without libssl we cannot go on. */
static void
resolve_or_die(void)
{
	if (resolve() != 0) {
		log_err("tls: dlsym(RTLD_NEXT) cannot find libssl's entry points");
		abort();
	}
}

static struct tls_ctxinfo *
ctxinfo_of(const SSL_CTX *ctx)
{
	if (ctx_idx < 0 || ctx == NULL)
		return NULL;
	return SSL_CTX_get_ex_data(ctx, ctx_idx);
}

static struct tls_conn *
conn_of(const SSL *ssl)
{
	if (ssl_idx < 0)
		return NULL;
	return SSL_get_ex_data(ssl, ssl_idx);
}

/* ex_data destructors: OpenSSL calls them when the object is freed. */
static void
ctxinfo_free(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx, long argl,
    void *argp)
{
	struct tls_ctxinfo *ci = ptr;

	(void)parent; (void)ad; (void)idx; (void)argl; (void)argp;
	if (ci == NULL)
		return;
	TAILQ_REMOVE(&ctxinfos, ci, entry);
	free(ci->name);
	free(ci);
}

static void
conn_free(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx, long argl,
    void *argp)
{
	struct tls_conn *c = ptr;

	(void)parent; (void)ad; (void)idx; (void)argl; (void)argp;
	if (c == NULL)
		return;
	if (c->state == TLS_CONN_HANDSHAKE)
		TAILQ_REMOVE(&handshakes, c, entry);
	free(c);
}

static int
addr_key(const struct sockaddr *sa, socklen_t len, struct tls_addr *k)
{
	memset(k, 0, sizeof(*k));
	if (sa == NULL)
		return EINVAL;
	if (sa->sa_family == AF_INET && len >= (socklen_t)sizeof(struct sockaddr_in)) {
		const struct sockaddr_in *sin = (const struct sockaddr_in *)sa;

		k->family = AF_INET;
		k->port = sin->sin_port;
		memcpy(k->a, &sin->sin_addr, 4);
		return 0;
	}
	if (sa->sa_family == AF_INET6 && len >= (socklen_t)sizeof(struct sockaddr_in6)) {
		const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)sa;

		k->port = sin6->sin6_port;
		if (IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr)) {
			k->family = AF_INET;
			memcpy(k->a, &sin6->sin6_addr.s6_addr[12], 4);
		} else {
			k->family = AF_INET6;
			memcpy(k->a, &sin6->sin6_addr, 16);
		}
		return 0;
	}
	return EAFNOSUPPORT;
}

/* "192.0.2.1:5061" or "[2001:db8::1]:5061" */
static const char *
addr_str(const struct sockaddr *sa, socklen_t len, char *buf, size_t size)
{
	struct tls_addr	 k;
	char		 ip[INET6_ADDRSTRLEN];

	if (addr_key(sa, len, &k) != 0 ||
	    inet_ntop(k.family, k.a, ip, sizeof(ip)) == NULL) {
		snprintf(buf, size, "?");
		return buf;
	}
	if (k.family == AF_INET6)
		snprintf(buf, size, "[%s]:%u", ip, ntohs(k.port));
	else
		snprintf(buf, size, "%s:%u", ip, ntohs(k.port));
	return buf;
}

static int
is_ip_literal(const char *s)
{
	unsigned char buf[16];

	return inet_pton(AF_INET, s, buf) == 1 || inet_pton(AF_INET6, s, buf) == 1;
}

/* OpenSSL's reason for the newest queued error, or NULL. */
static const char *
ssl_reason(char *buf, size_t size)
{
	unsigned long	 e = ERR_peek_last_error();
	const char	*r;

	if (e == 0)
		return NULL;
	if ((r = ERR_reason_error_string(e)) != NULL)
		return r;
	ERR_error_string_n(e, buf, size);
	return buf;
}

/* ==================================================================== */
/* The peer table */

static struct tls_peer *
peer_find(const struct tls_addr *k)
{
	struct tls_peer *p;

	TAILQ_FOREACH(p, &peers, entry)
		if (memcmp(&p->key, k, sizeof(*k)) == 0)
			return p;
	return NULL;
}

static void
peer_free(struct tls_peer *p)
{
	TAILQ_REMOVE(&peers, p, entry);
	free(p->name);
	free(p->last_error);
	free(p);
}

/* Record a handshake outcome for an outgoing peer; unknown peers get an
 * entry with no references (at most TLS_GHOSTS_MAX, oldest dropped). */
static void
peer_record(const struct sockaddr *sa, socklen_t len, const char *error)
{
	struct tls_addr	 k;
	struct tls_peer	*p, *q;
	char		*copy = NULL;

	if (addr_key(sa, len, &k) != 0)
		return;
	p = peer_find(&k);
	if (p == NULL && error == NULL)
		return;
	if (error != NULL && (copy = strdup(error)) == NULL)
		return;	/* keep the older text rather than none */
	if (p == NULL) {
		struct tls_peer	*oldest = NULL;
		unsigned	 nghosts = 0;

		TAILQ_FOREACH(q, &peers, entry)
			if (q->refs == 0 && nghosts++ == 0)
				oldest = q;
		if (nghosts >= TLS_GHOSTS_MAX)
			peer_free(oldest);
		if ((p = calloc(1, sizeof(*p))) == NULL) {
			free(copy);
			return;
		}
		p->key = k;
		TAILQ_INSERT_TAIL(&peers, p, entry);
	}
	free(p->last_error);
	p->last_error = copy;
}

int
tls_peer_set(const struct sockaddr *addr, socklen_t len,
    const char *verify_name, enum tls_verify mode)
{
	struct tls_addr	 k;
	struct tls_peer	*p;
	char		 as[INET6_ADDRSTRLEN + 8], *name = NULL;
	int		 err;

	if ((err = addr_key(addr, len, &k)) != 0)
		return err;
	if (mode != TLS_VERIFY_NONE && mode != TLS_VERIFY_CHAIN && mode != TLS_VERIFY_NAME)
		return EINVAL;
	if (verify_name != NULL && verify_name[0] == '\0')
		verify_name = NULL;
	if (mode == TLS_VERIFY_NAME && verify_name == NULL)
		return EINVAL;
	if (verify_name != NULL) {
		size_t n = strlen(verify_name);

		/* "[2001:db8::1]" is accepted for an IPv6 literal */
		if (n > 2 && verify_name[0] == '[' && verify_name[n - 1] == ']') {
			verify_name++;
			n -= 2;
		}
		if (n > TLS_NAME_MAX || memchr(verify_name, ' ', n) != NULL)
			return EINVAL;
		if ((name = strndup(verify_name, n)) == NULL)
			return ENOMEM;
	}

	p = peer_find(&k);
	if (p != NULL && p->refs > 0) {
		int same = p->mode == mode &&
		    (name == NULL ? p->name == NULL :
		    p->name != NULL && strcasecmp(p->name, name) == 0);

		if (!same) {
			log_warnx("tls: peer %s is already set to verify %s, not %s",
			    addr_str(addr, len, as, sizeof(as)),
			    p->name ? p->name : "(no name)", name ? name : "(no name)");
			free(name);
			return EEXIST;
		}
		free(name);
		p->refs++;
		return 0;
	}
	if (p == NULL) {
		if ((p = calloc(1, sizeof(*p))) == NULL) {
			free(name);
			return ENOMEM;
		}
		p->key = k;
		TAILQ_INSERT_TAIL(&peers, p, entry);
	}
	/* else a remembered unknown peer becomes known, keeping its error */
	p->refs = 1;
	p->name = name;
	p->name_is_ip = name != NULL && is_ip_literal(name);
	p->mode = mode;
	log_debug("tls: peer %s: verify %s%s%s", addr_str(addr, len, as, sizeof(as)),
	    mode == TLS_VERIFY_NONE ? "none" : mode == TLS_VERIFY_CHAIN ? "chain" : "name",
	    name ? " " : "", name ? name : "");
	return 0;
}

void
tls_peer_clear(const struct sockaddr *addr, socklen_t len)
{
	struct tls_addr	 k;
	struct tls_peer	*p;

	if (addr_key(addr, len, &k) != 0)
		return;
	p = peer_find(&k);
	if (p == NULL || p->refs == 0)
		return;
	if (--p->refs == 0)
		peer_free(p);
}

const char *
tls_last_error(const struct sockaddr *addr, socklen_t len)
{
	struct tls_addr	 k;
	struct tls_peer	*p;

	if (addr_key(addr, len, &k) != 0)
		return NULL;
	p = peer_find(&k);
	return p != NULL ? p->last_error : NULL;
}

/* ==================================================================== */
/* Handshake outcomes and the watchdog */

static void watchdog_cb(evutil_socket_t fd, short what, void *arg);

static void
watchdog_arm(void)
{
	struct timeval tv = { 0, TLS_WATCHDOG_MS * 1000 };

	if (watchdog_armed || hs_timeout_ms == 0 || TAILQ_EMPTY(&handshakes))
		return;
	if (ev_watchdog == NULL) {
		if (loop_base() == NULL) {
			log_debug("tls: no event loop, no handshake watchdog");
			return;
		}
		ev_watchdog = event_new(loop_base(), -1, EV_PERSIST, watchdog_cb, NULL);
		if (ev_watchdog == NULL) {
			log_warnx("tls: cannot create the handshake watchdog");
			return;
		}
	}
	if (event_add(ev_watchdog, &tv) == 0)
		watchdog_armed = 1;
}

static void
watchdog_disarm(void)
{
	if (watchdog_armed)
		event_del(ev_watchdog);
	watchdog_armed = 0;
}

/*
 * Report the outcome of c once: stats, the peer's last error, a log line and
 * the result handler.  The handler may run inside sofia (SSL_connect or
 * SSL_shutdown), so it must not destroy agents or transports.
 */
static void
conn_report(struct tls_conn *c, int ok, const char *reason)
{
	struct tls_ctxinfo	*ci = ctxinfo_of(SSL_get_SSL_CTX(c->ssl));
	const char		*ctxname = ci != NULL && ci->name != NULL ? ci->name : "-";
	char			 as[INET6_ADDRSTRLEN + 8];
	struct sockaddr		*sa = (struct sockaddr *)&c->peer;

	if (c->state == TLS_CONN_DONE)
		return;
	if (c->state == TLS_CONN_HANDSHAKE)
		TAILQ_REMOVE(&handshakes, c, entry);
	c->state = TLS_CONN_DONE;
	c->ok = ok;
	if (ok)
		stats.handshakes_ok++;
	else
		stats.handshakes_failed++;
	if (c->outgoing && c->peerlen > 0)
		peer_record(sa, c->peerlen, ok ? NULL : reason);

	addr_str(sa, c->peerlen, as, sizeof(as));
	if (ok)
		log_debug("tls: %s: %s %s: %s %s", ctxname,
		    c->outgoing ? "to" : "from", as, SSL_get_version(c->ssl),
		    SSL_get_cipher_name(c->ssl));
	else if (c->outgoing)
		log_warnx("tls: %s: to %s: handshake failed: %s", ctxname, as, reason);
	else
		log_info("tls: %s: from %s: handshake failed: %s", ctxname, as, reason);

	if (TAILQ_EMPTY(&handshakes))
		watchdog_disarm();
	if (result_h != NULL)
		result_h(sa, c->peerlen, c->outgoing, ok, ok ? "ok" : reason, result_arg);
}

static void
watchdog_cb(evutil_socket_t fd, short what, void *arg)
{
	struct tls_conn	*c;
	uint64_t	 now = now_ms();

	(void)fd; (void)what; (void)arg;
	/*
	 * Rescan from the head after every report: the result handler may
	 * end other connections.  The list holds running handshakes only.
	 */
	for (;;) {
		char reason[64];

		TAILQ_FOREACH(c, &handshakes, entry)
			if (hs_timeout_ms > 0 && now - c->start_ms >= hs_timeout_ms)
				break;
		if (c == NULL)
			break;
		/* shutdown, not close: sofia owns the fd and sees EOF */
		if (c->fd != -1 && shutdown(c->fd, SHUT_RDWR) == -1 && errno != ENOTCONN)
			log_warn("tls: shutdown of fd %d", c->fd);
		stats.stalled++;
		snprintf(reason, sizeof(reason), "handshake timeout after %llu ms",
		    (unsigned long long)(now - c->start_ms));
		conn_report(c, 0, reason);
	}
	if (TAILQ_EMPTY(&handshakes) || hs_timeout_ms == 0)
		watchdog_disarm();
}

void
tls_set_handshake_timeout(unsigned ms)
{
	hs_timeout_ms = ms;
	if (ms == 0)
		watchdog_disarm();
	else
		watchdog_arm();
}

void
tls_set_result_handler(tls_result_h *h, void *arg)
{
	result_h = h;
	result_arg = arg;
}

const struct tls_stats *
tls_stats(void)
{
	return &stats;
}

/* ==================================================================== */
/* Contexts: tls_tport_begin/end and the SSL_CTX_set_verify wrapper */

/* Encrypted keys are not supported: never let OpenSSL prompt on a tty. */
static int
no_passphrase_cb(char *buf, int size, int rwflag, void *u)
{
	(void)buf; (void)size; (void)rwflag; (void)u;
	return 0;
}

/* Log why file could not be used; returns its errno, else EINVAL. */
static int
file_error(const char *ctxname, const char *what, const char *path)
{
	char		 buf[TLS_REASON_MAX];
	const char	*r;
	int		 err;

	if (access(path, R_OK) == -1) {
		err = errno;
		log_err("tls: context %s: %s %s: %s", ctxname, what, path, strerror(err));
		return err;
	}
	r = ssl_reason(buf, sizeof(buf));
	log_err("tls: context %s: %s %s: %s", ctxname, what, path,
	    r != NULL ? r : "unusable");
	return EINVAL;
}

/*
 * Apply t to the SSL_CTX sofia has just set up; returns 0 or an errno (logged)
 * and the verify mode sofia's SSL_CTX_set_verify call must use.
 */
static int
ctx_configure(SSL_CTX *ctx, const struct cfg_tls *t, int *modep)
{
	struct tls_ctxinfo	*ci;
	X509_STORE		*st = NULL;
	STACK_OF(X509_NAME)	*cas;
	const char		*name = t->name != NULL ? t->name : "-";
	int			 err = 0;

	if ((ci = calloc(1, sizeof(*ci))) == NULL)
		return ENOMEM;
	if ((ci->name = strdup(name)) == NULL) {
		free(ci);
		return ENOMEM;
	}
	ci->ctx = ctx;
	ci->pending = 1;
	if (!SSL_CTX_set_ex_data(ctx, ctx_idx, ci)) {
		free(ci->name);
		free(ci);
		return ENOMEM;
	}
	TAILQ_INSERT_TAIL(&ctxinfos, ci, entry);

	/* sofia's attempts on the empty directory left errors behind */
	ERR_clear_error();
	SSL_CTX_set_default_passwd_cb(ctx, no_passphrase_cb);
	SSL_CTX_set_default_passwd_cb_userdata(ctx, NULL);

	/* the chain file: sofia's own loader sends only the first certificate */
	if (SSL_CTX_use_certificate_chain_file(ctx, t->certificate) != 1) {
		err = file_error(name, "certificate", t->certificate);
		goto out;
	}
	if (SSL_CTX_use_PrivateKey_file(ctx, t->private_key, SSL_FILETYPE_PEM) != 1) {
		/* OpenSSL already compares it with the certificate here */
		err = file_error(name, "private key", t->private_key);
		if (err == EINVAL)
			log_err("tls: context %s: the private key must be the unencrypted "
			    "PEM key of certificate %s", name, t->certificate);
		goto out;
	}
	if (SSL_CTX_check_private_key(ctx) != 1) {
		char		 buf[TLS_REASON_MAX];
		const char	*r = ssl_reason(buf, sizeof(buf));

		log_err("tls: context %s: private key %s does not match certificate %s%s%s",
		    name, t->private_key, t->certificate, r ? ": " : "", r ? r : "");
		err = EINVAL;
		goto out;
	}

	/* a store of our own: sofia's lists the empty directory */
	if ((st = X509_STORE_new()) == NULL) {
		err = ENOMEM;
		goto out;
	}
	if (t->ca_file != NULL) {
		if (X509_STORE_load_file(st, t->ca_file) != 1) {
			err = file_error(name, "ca_file", t->ca_file);
			goto out;
		}
		if ((cas = SSL_load_client_CA_file(t->ca_file)) == NULL) {
			err = file_error(name, "ca_file (client CA list)", t->ca_file);
			goto out;
		}
		SSL_CTX_set_client_CA_list(ctx, cas);
	}
	SSL_CTX_set_cert_store(ctx, st);	/* takes st */
	st = NULL;

	if (SSL_CTX_set_min_proto_version(ctx, t->min_version == CFG_TLS_1_3 ?
	    TLS1_3_VERSION : TLS1_2_VERSION) != 1) {
		err = EINVAL;
		goto out;
	}
	SSL_CTX_set_verify_depth(ctx, TLS_VERIFY_DEPTH);
	*modep = t->require_client_certificate ?
	    SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT : SSL_VERIFY_NONE;
	log_debug("tls: context %s: certificate %s, ca_file %s, min %s%s", name,
	    t->certificate, t->ca_file ? t->ca_file : "(none)",
	    t->min_version == CFG_TLS_1_3 ? "TLSv1.3" : "TLSv1.2",
	    t->require_client_certificate ? ", client certificate required" : "");
 out:
	if (err) {
		ci->broken = 1;
		/* and if the caller ignores the error: nobody passes this ctx */
		*modep = SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
	}
	X509_STORE_free(st);
	ERR_clear_error();
	return err;
}

void
SSL_CTX_set_verify(SSL_CTX *ctx, int mode, SSL_verify_cb cb)
{
	resolve_or_die();
	if (pending.cfg != NULL && ctx_idx >= 0 && ctxinfo_of(ctx) == NULL) {
		int err = ctx_configure(ctx, pending.cfg, &mode);

		pending.nctx++;
		if (err != 0 && pending.err == 0)
			pending.err = err;
	}
	real.ctx_set_verify(ctx, mode, cb);
}

/* The one private empty directory handed to sofia as TPTAG_CERTIFICATE. */
static int
emptydir_make(void)
{
	const char	*base = getenv("RUNTIME_DIRECTORY");
	char		 first[PATH_MAX];
	int		 n;

	if (emptydir[0] != '\0')
		return 0;
	if (base != NULL && base[0] == '/') {
		/* systemd separates several RuntimeDirectory= paths with ':' */
		size_t len = strcspn(base, ":");

		if (len >= sizeof(first))
			return ENAMETOOLONG;
		memcpy(first, base, len);
		first[len] = '\0';
		n = snprintf(emptydir, sizeof(emptydir), "%s/tls.XXXXXX", first);
	} else
		n = snprintf(emptydir, sizeof(emptydir), "/tmp/sbcd-tls.XXXXXX");
	if (n < 0 || (size_t)n >= sizeof(emptydir)) {
		emptydir[0] = '\0';
		return ENAMETOOLONG;
	}
	if (mkdtemp(emptydir) == NULL) {	/* mode 0700 */
		int err = errno;

		log_warn("tls: mkdtemp %s", emptydir);
		emptydir[0] = '\0';
		return err;
	}
	return 0;
}

int
tls_tport_begin(const struct cfg_tls *ctx, char *dir, size_t dirlen)
{
	int err;

	/* main should have called tls_init() at start-up; the check is the same */
	if (!initialised && (err = tls_init()) != 0)
		return err;
	if (ctx == NULL || dir == NULL || ctx->certificate == NULL ||
	    ctx->private_key == NULL)
		return EINVAL;
	if (pending.cfg != NULL)
		return EBUSY;
	if ((err = emptydir_make()) != 0)
		return err;
	if (strlen(emptydir) >= dirlen)
		return ENAMETOOLONG;
	memcpy(dir, emptydir, strlen(emptydir) + 1);
	pending.cfg = ctx;
	pending.err = 0;
	pending.nctx = 0;
	return 0;
}

int
tls_tport_end(void)
{
	const struct cfg_tls	*t = pending.cfg;
	struct tls_ctxinfo	*ci;
	const char		*ciphers;
	int			 err;

	if (t == NULL)
		return EINVAL;
	err = pending.err;
	if (err == 0 && pending.nctx == 0) {
		log_err("tls: context %s: sofia did not set up TLS through the "
		    "interposed SSL_CTX_set_verify; refusing unverified TLS",
		    t->name ? t->name : "-");
		err = EPROTO;
	}
	/* sofia sets its own cipher list after SSL_CTX_set_verify: ours wins here */
	ciphers = t->ciphers != NULL && t->ciphers[0] != '\0' ?
	    t->ciphers : OSSL_default_cipher_list();
	TAILQ_FOREACH(ci, &ctxinfos, entry) {
		if (!ci->pending)
			continue;
		ci->pending = 0;
		if (err == 0 && SSL_CTX_set_cipher_list(ci->ctx, ciphers) != 1) {
			log_err("tls: context %s: no usable cipher in \"%s\"",
			    ci->name, ciphers);
			err = EINVAL;
		}
		if (err != 0)
			ci->broken = 1;
		ERR_clear_error();
	}
	pending.cfg = NULL;
	pending.err = 0;
	pending.nctx = 0;
	return err;
}

int
tls_tport_policy(const struct cfg_tls *ctx)
{
	int policy = TPTLS_VERIFY_NONE;

	if (ctx == NULL)
		return policy;
	/* never NONE with client certificates: sofia's callback would clear errors */
	if (ctx->require_client_certificate)
		policy |= TPTLS_VERIFY_IN;
	if (ctx->verify != CFG_TLSV_NONE)
		policy |= TPTLS_VERIFY_OUT;
	return policy;
}

/* ==================================================================== */
/* Connections: the SSL_* wrappers */

static struct tls_conn *
conn_get(SSL *ssl)
{
	struct tls_conn *c = conn_of(ssl);

	if (c != NULL || ssl_idx < 0)
		return c;
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	c->ssl = ssl;
	c->fd = -1;
	c->state = TLS_CONN_NEW;
	if (!SSL_set_ex_data(ssl, ssl_idx, c)) {
		free(c);
		return NULL;
	}
	return c;
}

static int
verify_cb(int ok, X509_STORE_CTX *st)
{
	SSL		*ssl = X509_STORE_CTX_get_ex_data(st,
			    SSL_get_ex_data_X509_STORE_CTX_idx());
	struct tls_conn	*c = ssl != NULL ? conn_of(ssl) : NULL;

	if (!ok && c != NULL && c->verify_err == 0)
		c->verify_err = X509_STORE_CTX_get_error(st);
	return ok;	/* SSL_VERIFY_PEER: any error aborts the handshake */
}

/* First step of a handshake: who is the peer, start the clock. */
static void
conn_start(struct tls_conn *c, int outgoing)
{
	c->outgoing = outgoing;
	c->fd = SSL_get_fd(c->ssl);
	c->peerlen = sizeof(c->peer);
	if (c->fd == -1 ||
	    getpeername(c->fd, (struct sockaddr *)&c->peer, &c->peerlen) == -1)
		c->peerlen = 0;
	c->start_ms = now_ms();
	c->state = TLS_CONN_HANDSHAKE;
	TAILQ_INSERT_TAIL(&handshakes, c, entry);
	watchdog_arm();
}

/*
 * Set up an outgoing handshake from the peer table; NULL, or why the
 * connection is refused.
 */
static const char *
conn_setup_outgoing(struct tls_conn *c)
{
	struct tls_ctxinfo	*ci = ctxinfo_of(SSL_get_SSL_CTX(c->ssl));
	struct tls_addr		 k;
	struct tls_peer		*p;

	if (ci == NULL || ci->broken)
		return "TLS context not usable";
	if (c->peerlen == 0 ||
	    addr_key((struct sockaddr *)&c->peer, c->peerlen, &k) != 0)
		return "no peer address";
	p = peer_find(&k);
	if (p == NULL || p->refs == 0)
		return "peer not in the TLS peer table";	/* fail closed */

	if (p->name != NULL && !p->name_is_ip && strchr(p->name, '*') == NULL &&
	    SSL_set_tlsext_host_name(c->ssl, p->name) != 1)
		return "cannot set SNI";
	switch (p->mode) {
	case TLS_VERIFY_NONE:
		c->skip_verify = 1;
		SSL_set_verify(c->ssl, SSL_VERIFY_NONE, NULL);
		return NULL;
	case TLS_VERIFY_NAME:
		if (p->name_is_ip) {
			if (X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(c->ssl),
			    p->name) != 1)
				return "cannot set the expected IP address";
		} else {
			SSL_set_hostflags(c->ssl, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
			if (SSL_set1_host(c->ssl, p->name) != 1)
				return "cannot set the expected host name";
		}
		break;
	case TLS_VERIFY_CHAIN:
		break;
	}
	SSL_set_verify(c->ssl, SSL_VERIFY_PEER, verify_cb);
	return NULL;
}

/* After a real SSL_connect/SSL_accept step: report when it is decided. */
static void
conn_step(struct tls_conn *c, int ret)
{
	char		 buf[TLS_REASON_MAX], reason[TLS_REASON_MAX];
	const char	*r;
	int		 e = SSL_get_error(c->ssl, ret);
	long		 vr;

	if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
		return;
	if (e == SSL_ERROR_NONE) {
		/* sofia's TPTLS_VERIFY_OUT re-checks the result: honour mode none */
		if (c->skip_verify)
			SSL_set_verify_result(c->ssl, X509_V_OK);
		conn_report(c, 1, NULL);
		return;
	}
	if (c->verify_err != 0)
		r = X509_verify_cert_error_string(c->verify_err);
	else if ((vr = SSL_get_verify_result(c->ssl)) != X509_V_OK && !c->skip_verify)
		r = X509_verify_cert_error_string(vr);
	else if ((r = ssl_reason(buf, sizeof(buf))) != NULL)
		;
	else if (e == SSL_ERROR_SYSCALL && ret == -1 && errno != 0)
		r = strerror(errno);
	else
		r = "connection closed by peer";
	snprintf(reason, sizeof(reason), "%s", r);
	/*
	 * sofia does not clear the thread's error queue, and a stale entry
	 * makes SSL_get_error() on another connection report a fatal error.
	 */
	ERR_clear_error();
	conn_report(c, 0, reason);
}

/* A handshake that must not go on: sofia sees a fatal error and closes. */
static int
conn_refuse(struct tls_conn *c, const char *why)
{
	if (c != NULL) {
		c->refused = 1;
		conn_report(c, 0, why);
	}
	ERR_clear_error();
	return -1;
}

int
SSL_connect(SSL *ssl)
{
	struct tls_conn	*c;
	const char	*why;
	int		 ret;

	resolve_or_die();
	if (ctxinfo_of(SSL_get_SSL_CTX(ssl)) == NULL)
		return real.connect(ssl);
	if ((c = conn_get(ssl)) == NULL) {
		log_warnx("tls: out of memory for an outgoing connection");
		return conn_refuse(NULL, NULL);
	}
	if (c->state == TLS_CONN_NEW) {
		conn_start(c, 1);
		if ((why = conn_setup_outgoing(c)) != NULL)
			return conn_refuse(c, why);
	} else if (c->refused)
		return conn_refuse(NULL, NULL);
	ERR_clear_error();
	ret = real.connect(ssl);
	if (c->state == TLS_CONN_HANDSHAKE)
		conn_step(c, ret);
	return ret;
}

int
SSL_accept(SSL *ssl)
{
	struct tls_ctxinfo	*ci;
	struct tls_conn		*c;
	int			 ret;

	resolve_or_die();
	if ((ci = ctxinfo_of(SSL_get_SSL_CTX(ssl))) == NULL)
		return real.accept(ssl);
	if ((c = conn_get(ssl)) == NULL) {
		log_warnx("tls: out of memory for an incoming connection");
		return conn_refuse(NULL, NULL);
	}
	if (c->state == TLS_CONN_NEW) {
		conn_start(c, 0);
		if (ci->broken)
			return conn_refuse(c, "TLS context not usable");
	} else if (c->refused)
		return conn_refuse(NULL, NULL);
	ERR_clear_error();
	ret = real.accept(ssl);
	if (c->state == TLS_CONN_HANDSHAKE)
		conn_step(c, ret);
	return ret;
}

void
SSL_set_bio(SSL *ssl, BIO *rbio, BIO *wbio)
{
	struct tls_conn	*c;
	SSL_CTX		*ctx;

	resolve_or_die();
	ctx = SSL_get_SSL_CTX(ssl);
	/* sofia: SSL_new + SSL_set_bio(con, bio, bio); only that shape is ours */
	if (ctxinfo_of(ctx) != NULL && rbio != NULL && rbio == wbio &&
	    (c = conn_get(ssl)) != NULL && !c->owned) {
		if (BIO_up_ref(rbio) == 1) {
			if (SSL_CTX_up_ref(ctx) == 1)
				c->owned = 1;
			else
				BIO_free(rbio);
		}
	}
	real.set_bio(ssl, rbio, wbio);
}

int
SSL_shutdown(SSL *ssl)
{
	struct tls_conn	*c;
	int		 ret, owned;

	resolve_or_die();
	if ((c = conn_of(ssl)) == NULL)
		return real.shutdown(ssl);
	if (c->state == TLS_CONN_HANDSHAKE)
		conn_report(c, 0, "connection closed during the handshake");
	owned = c->owned;
	ret = real.shutdown(ssl);
	/* e.g. "shutdown while in init": sofia ignores it, see conn_step() */
	ERR_clear_error();
	if (owned)
		SSL_free(ssl);	/* frees c; sofia's BIO_free/SSL_CTX_free drop our refs */
	return ret;
}

/* ==================================================================== */
/* Start and stop */

int
tls_init(void)
{
	static const char *const names[] = { "SSL_CTX_set_verify", "SSL_connect",
	    "SSL_accept", "SSL_set_bio", "SSL_shutdown" };
	void	*ours[5];
	size_t	 i;

	if (initialised)
		return 0;
	ours[0] = (void *)SSL_CTX_set_verify;
	ours[1] = (void *)SSL_connect;
	ours[2] = (void *)SSL_accept;
	ours[3] = (void *)SSL_set_bio;
	ours[4] = (void *)SSL_shutdown;
	if (resolve() != 0) {
		log_err("tls: libssl's entry points not found by dlsym(RTLD_NEXT)");
		return ENOSYS;
	}
	/* what sofia's PLT will bind to must be ours (no static link, no hidden symbols) */
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (dlsym(RTLD_DEFAULT, names[i]) != ours[i]) {
			log_err("tls: %s is not interposed by sbcd (static link or "
			    "hidden symbols?): TLS would be unverified, refusing it",
			    names[i]);
			return ENOSYS;
		}
	}
	/* indexes live as long as the process; created once */
	if (ctx_idx < 0)
		ctx_idx = SSL_CTX_get_ex_new_index(0, NULL, NULL, NULL, ctxinfo_free);
	if (ssl_idx < 0)
		ssl_idx = SSL_get_ex_new_index(0, NULL, NULL, NULL, conn_free);
	if (ctx_idx < 0 || ssl_idx < 0)
		return ENOMEM;
	initialised = 1;
	return 0;
}

void
tls_fini(void)
{
	struct tls_peer *p;

	/* after the agents are gone: their contexts and connections are freed */
	watchdog_disarm();
	if (ev_watchdog != NULL)
		event_free(ev_watchdog);
	ev_watchdog = NULL;
	while ((p = TAILQ_FIRST(&peers)) != NULL)
		peer_free(p);
	if (emptydir[0] != '\0' && rmdir(emptydir) == -1 && errno != ENOENT)
		log_warn("tls: rmdir %s", emptydir);
	emptydir[0] = '\0';
	result_h = NULL;
	result_arg = NULL;
	hs_timeout_ms = 0;
	pending.cfg = NULL;
	initialised = 0;
}
