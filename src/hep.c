/* hep.c: HEP v3 copies of the SIP traffic, rebuilt from sofia's message trace, to a collector. */
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
#include <sys/socket.h>

#include "cfg.h"
#include "hep.h"
#include "log.h"
#include "loop.h"
#include "reload.h"
#include "sipif.h"

#define HEP_MAX		65535
#define MSG_MAX		(HEP_MAX - 512)

/* sofia's trace: a stamp line, a separator, "   " + each line, a separator */
#define TRACE_SEP	"------------------------------------------------------------------------\n"

/* ===== encoding (the HEP v3 chunk layout, vendor 0) ===== */

enum {
	HEP_FAMILY = 1, HEP_PROTO, HEP_SRC4, HEP_DST4, HEP_SRC6, HEP_DST6,
	HEP_SPORT, HEP_DPORT, HEP_SEC, HEP_USEC, HEP_PTYPE, HEP_CAPID,
	HEP_AUTH = 0x0e, HEP_PAYLOAD = 0x0f, HEP_CORR = 0x11,
};

struct wbuf {
	uint8_t	*p;
	size_t	 len, cap;
	int	 full;
};

static void
chunk(struct wbuf *w, uint16_t type, const void *data, size_t n)
{
	uint8_t h[6] = { 0, 0, (uint8_t)(type >> 8), (uint8_t)type,
	    (uint8_t)((n + 6) >> 8), (uint8_t)(n + 6) };

	if (w->full || n + 6 > w->cap - w->len || n + 6 > 0xffff) {
		w->full = 1;
		return;
	}
	memcpy(w->p + w->len, h, 6);
	memcpy(w->p + w->len + 6, data, n);
	w->len += n + 6;
}

static void
chunk_u8(struct wbuf *w, uint16_t type, uint8_t v)
{
	chunk(w, type, &v, 1);
}

static void
chunk_u16(struct wbuf *w, uint16_t type, uint16_t v)
{
	uint16_t n = htons(v);

	chunk(w, type, &n, 2);
}

static void
chunk_u32(struct wbuf *w, uint16_t type, uint32_t v)
{
	uint32_t n = htonl(v);

	chunk(w, type, &n, 4);
}

int
hep_encode(uint8_t *buf, size_t *len, const struct sockaddr *src,
    const struct sockaddr *dst, int proto, uint64_t usec, uint32_t capture_id,
    const char *password, const char *corr, const char *msg, size_t msglen)
{
	struct wbuf	w = { buf, 6, *len < HEP_MAX ? *len : HEP_MAX, *len < 6 };

	if (src->sa_family != dst->sa_family ||
	    (src->sa_family != AF_INET && src->sa_family != AF_INET6))
		return EINVAL;
	chunk_u8(&w, HEP_FAMILY, src->sa_family == AF_INET ? 2 : 10);
	chunk_u8(&w, HEP_PROTO, (uint8_t)proto);
	if (src->sa_family == AF_INET) {
		const struct sockaddr_in *s = (const void *)src, *d = (const void *)dst;

		chunk(&w, HEP_SRC4, &s->sin_addr, 4);
		chunk(&w, HEP_DST4, &d->sin_addr, 4);
		chunk_u16(&w, HEP_SPORT, ntohs(s->sin_port));
		chunk_u16(&w, HEP_DPORT, ntohs(d->sin_port));
	} else {
		const struct sockaddr_in6 *s = (const void *)src, *d = (const void *)dst;

		chunk(&w, HEP_SRC6, &s->sin6_addr, 16);
		chunk(&w, HEP_DST6, &d->sin6_addr, 16);
		chunk_u16(&w, HEP_SPORT, ntohs(s->sin6_port));
		chunk_u16(&w, HEP_DPORT, ntohs(d->sin6_port));
	}
	chunk_u32(&w, HEP_SEC, (uint32_t)(usec / 1000000));
	chunk_u32(&w, HEP_USEC, (uint32_t)(usec % 1000000));
	chunk_u8(&w, HEP_PTYPE, 1);	/* SIP */
	chunk_u32(&w, HEP_CAPID, capture_id);
	if (password != NULL && password[0] != '\0')
		chunk(&w, HEP_AUTH, password, strlen(password));
	if (corr != NULL && corr[0] != '\0')
		chunk(&w, HEP_CORR, corr, strlen(corr));
	chunk(&w, HEP_PAYLOAD, msg, msglen);
	if (w.full)
		return ENOSPC;
	memcpy(buf, "HEP3", 4);
	buf[4] = (uint8_t)(w.len >> 8);
	buf[5] = (uint8_t)w.len;
	*len = w.len;
	return 0;
}

/* ===== masking ===== */

/* Overwrite with 'X' from p while the bytes are not a stop byte. */
static size_t
mask_run(char *p, const char *end, const char *stops)
{
	size_t n = 0;

	for (; p < end && strchr(stops, *p) == NULL && *p != '\0'; p++, n++)
		*p = 'X';
	return n;
}

size_t
hep_mask(char *msg, size_t len)
{
	char	*end = msg + len;
	size_t	 n = 0;

	for (char *p = msg; p < end; p++) {
		size_t left = (size_t)(end - p);

		/* SDES: a=crypto:1 SUITE inline:KEY|lifetime|mki */
		if (left > 7 && strncmp(p, "inline:", 7) == 0) {
			n += mask_run(p + 7, end, "|; \t\r\n") > 0;
			p += 6;
		/* digest: response="hex", in (Proxy-)Authorization */
		} else if (left > 10 && strncasecmp(p, "response=\"", 10) == 0 &&
		    (p == msg || strchr(" ,\t", p[-1]) != NULL)) {
			n += mask_run(p + 10, end, "\"\r\n") > 0;
			p += 9;
		}
	}
	return n;
}

/* ===== the collector ===== */

struct collector {
	int			 fd;
	char			*addr;	/* as configured */
	uint32_t		 capture_id;
	char			*password;
};

static struct collector		cur = { .fd = -1 }, next_c = { .fd = -1 };
static unsigned long long	nsent, ndropped;

static void
collector_free(struct collector *c)
{
	if (c->fd != -1)
		close(c->fd);
	free(c->addr);
	if (c->password != NULL) {
		explicit_bzero(c->password, strlen(c->password));
		free(c->password);
	}
	memset(c, 0, sizeof(*c));
	c->fd = -1;
}

void
hep_counters(unsigned long long *sent, unsigned long long *dropped)
{
	*sent = nsent;
	*dropped = ndropped;
}

/* ===== rebuilding messages from the trace ===== */

static struct {
	int			 in_msg;
	int			 line_start;
	int			 outbound;	/* "send ... to" */
	int			 transport;	/* enum cfg_transport */
	struct sockaddr_storage	 peer;
	uint64_t		 usec;
	size_t			 len;
	int			 overflow;
	int			 skip;	/* a message whose stamp we cannot read: swallow it */
	char			 buf[MSG_MAX];
} tr;

static uint64_t
now_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static void
tr_add(const char *s, size_t n)
{
	if (n > sizeof(tr.buf) - tr.len) {
		tr.overflow = 1;
		n = sizeof(tr.buf) - tr.len;
	}
	memcpy(tr.buf + tr.len, s, n);
	tr.len += n;
}

/* "recv 512 bytes from udp/[127.0.0.10]:5060 at ..." */
static int
tr_stamp(const char *piece)
{
	char		 what[8], via[8], proto[16], ip[64];
	unsigned	 port;
	size_t		 bytes;
	struct sockaddr_in  *sin = (struct sockaddr_in *)&tr.peer;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&tr.peer;

	if (sscanf(piece, "%7s %zu bytes %7s %15[^/]/[%63[^]]]:%u", what, &bytes, via, proto,
	    ip, &port) != 6 || port > 65535)
		return -1;
	if (strcmp(what, "recv") != 0 && strcmp(what, "send") != 0)
		return -1;
	memset(&tr.peer, 0, sizeof(tr.peer));
	if (inet_pton(AF_INET, ip, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)port);
	} else if (inet_pton(AF_INET6, ip, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)port);
	} else
		return -1;
	tr.transport = strcasecmp(proto, "udp") == 0 ? CFG_TP_UDP :
	    strcasecmp(proto, "tcp") == 0 ? CFG_TP_TCP :
	    strcasecmp(proto, "tls") == 0 ? CFG_TP_TLS : -1;
	if (tr.transport < 0)
		return -1;
	tr.outbound = strcmp(what, "send") == 0;
	tr.usec = now_usec();
	tr.len = 0;
	tr.overflow = 0;
	tr.skip = 0;
	tr.in_msg = 1;
	tr.line_start = 1;
	return 0;
}

/* The Call-ID of the rebuilt message, for the correlation chunk. */
static void
tr_call_id(char *out, size_t len)
{
	const char *p = tr.buf, *end = tr.buf + tr.len;

	out[0] = '\0';
	while (p < end) {
		const char	*eol = memchr(p, '\n', (size_t)(end - p));
		size_t		 n = (size_t)((eol ? eol : end) - p);
		const char	*v = NULL;

		if (n == 0 || (n == 1 && p[0] == '\r'))
			return;	/* end of the headers */
		if (n > 8 && strncasecmp(p, "call-id:", 8) == 0)
			v = p + 8;
		else if (n > 2 && (p[0] == 'i' || p[0] == 'I') && p[1] == ':')
			v = p + 2;
		if (v != NULL) {
			const char *e = p + n;

			while (v < e && (*v == ' ' || *v == '\t'))
				v++;
			while (e > v && (e[-1] == '\r' || e[-1] == ' '))
				e--;
			snprintf(out, len, "%.*s", (int)(e - v), v);
			return;
		}
		if (eol == NULL)
			return;
		p = eol + 1;
	}
}

static void
tr_send(void)
{
	static uint8_t		 pkt[HEP_MAX];
	struct sockaddr_storage	 local;
	const struct sockaddr	*peer = (const struct sockaddr *)&tr.peer;
	size_t			 len = sizeof(pkt);
	char			 corr[256];

	if (cur.fd == -1 || tr.len == 0)
		return;
	if (tr.overflow || sipif_local(tr.transport, peer, &local) != 0) {
		ndropped++;
		return;
	}
	tr_call_id(corr, sizeof(corr));
	hep_mask(tr.buf, tr.len);
	if (hep_encode(pkt, &len, tr.outbound ? (struct sockaddr *)&local : peer,
	    tr.outbound ? peer : (struct sockaddr *)&local,
	    tr.transport == CFG_TP_UDP ? 17 : 6, tr.usec, cur.capture_id, cur.password,
	    corr, tr.buf, tr.len) != 0 ||
	    send(cur.fd, pkt, len, MSG_DONTWAIT) != (ssize_t)len)
		ndropped++;
	else
		nsent++;
}

static int
trace_cb(const char *piece, void *arg)
{
	size_t n = strlen(piece);

	(void)arg;
	if (!tr.in_msg) {
		unsigned long bytes;
		char what[8];

		if (tr_stamp(piece) == 0)
			return 1;
		/* a trace we cannot place still never reaches the log (keys) */
		if (sscanf(piece, "%7s %lu bytes ", what, &bytes) == 2 &&
		    (strcmp(what, "recv") == 0 || strcmp(what, "send") == 0)) {
			tr.in_msg = 1;
			tr.skip = 1;
			tr.line_start = 1;
			ndropped++;
			return 1;
		}
		return 0;
	}
	/* the closing separator, after a line break or after an unfinished line */
	if (strcmp(piece, "   " TRACE_SEP) == 0 || strcmp(piece, "\n   " TRACE_SEP) == 0) {
		if (!tr.skip)
			tr_send();
		tr.in_msg = 0;
		tr.skip = 0;
		return 1;
	}
	if (tr.skip)
		return 1;
	if (strcmp(piece, "\n") == 0) {
		tr_add("\r\n", 2);
		tr.line_start = 1;
		return 1;
	}
	if (tr.line_start && n >= 3 && strncmp(piece, "   ", 3) == 0) {
		piece += 3;
		n -= 3;
	}
	tr.line_start = 0;
	tr_add(piece, n);
	return 1;
}

/* ===== configuration ===== */

static int
hep_prepare(struct cfg *next, struct cfg_diag *diag)
{
	const char		*want = next->global.hep_collector;
	struct sockaddr_storage	 ss;
	socklen_t		 sl;
	char			 host[64], *colon;
	unsigned long		 port;

	if (want == NULL || want[0] == '\0')
		return 0;
	memset(&ss, 0, sizeof(ss));
	snprintf(host, sizeof(host), "%s", want[0] == '[' ? want + 1 : want);
	if ((colon = strrchr(host, ':')) == NULL)
		goto bad;
	*colon = '\0';
	if (colon > host && colon[-1] == ']')
		colon[-1] = '\0';
	port = strtoul(colon + 1, NULL, 10);
	if (port == 0 || port > 65535)
		goto bad;
	if (inet_pton(AF_INET, host, &((struct sockaddr_in *)&ss)->sin_addr) == 1) {
		ss.ss_family = AF_INET;
		((struct sockaddr_in *)&ss)->sin_port = htons((uint16_t)port);
		sl = sizeof(struct sockaddr_in);
	} else if (inet_pton(AF_INET6, host, &((struct sockaddr_in6 *)&ss)->sin6_addr) == 1) {
		ss.ss_family = AF_INET6;
		((struct sockaddr_in6 *)&ss)->sin6_port = htons((uint16_t)port);
		sl = sizeof(struct sockaddr_in6);
	} else
		goto bad;
	next_c.fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (next_c.fd == -1 || connect(next_c.fd, (struct sockaddr *)&ss, sl) != 0) {
		cfg_diag_add(diag, "%s:%d: global.hep_collector: \"%s\": %s", next->path,
		    next->global.line, want, strerror(errno));
		collector_free(&next_c);
		return -1;
	}
	next_c.addr = strdup(want);
	next_c.capture_id = (uint32_t)next->global.hep_capture_id;
	next_c.password = next->global.hep_password ? strdup(next->global.hep_password) : NULL;
	return 0;
 bad:
	cfg_diag_add(diag, "%s:%d: global.hep_collector: \"%s\" is not IP:port", next->path,
	    next->global.line, want);
	return -1;
}

static void
hep_commit(struct cfg *prev, struct cfg *next)
{
	int was = cur.fd != -1;

	(void)prev;
	collector_free(&cur);
	cur = next_c;
	memset(&next_c, 0, sizeof(next_c));
	next_c.fd = -1;
	if (cur.fd != -1 && !was) {
		loop_set_trace(trace_cb, NULL);
		sipif_trace(1);
	} else if (cur.fd == -1 && was) {
		sipif_trace(0);
		loop_set_trace(NULL, NULL);
		tr.in_msg = 0;
	}
	if (next != NULL && (cur.fd != -1) != was)
		log_info("hep: %s", cur.fd != -1 ? cur.addr : "export stopped");
}

static void
hep_abort(struct cfg *next)
{
	(void)next;
	collector_free(&next_c);
}

static const struct reload_hooks hep_hooks = {
	.name = "hep",
	.prepare = hep_prepare,
	.commit = hep_commit,
	.abort = hep_abort,
};

void
hep_init(void)
{
	reload_register(&hep_hooks);
}

void
hep_fini(void)
{
	loop_set_trace(NULL, NULL);
	collector_free(&next_c);
	collector_free(&cur);
}
