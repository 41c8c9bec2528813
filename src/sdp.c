/* sdp.c: read an SDP body line by line and write it back rewritten for the media anchor. */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "sdp.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

/* A piece of the body: never terminated, never NULL. */
struct span {
	const char	*p;
	size_t		 n;
};

/* What a line is, as far as reading and rewriting care. */
enum sdp_kind {
	K_OTHER = 0, K_VERSION, K_ORIGIN, K_CONN, K_MEDIA, K_RTCP, K_CRYPTO,
	K_RTPMAP, K_FMTP, K_RTCPFB, K_PTIME, K_DIR, K_ICE, K_DTLS, K_RTCPMUX,
};

static const struct {
	const char	*name;
	enum sdp_kind	 kind;
} attr_kinds[] = {
	{ "rtcp", K_RTCP },		{ "crypto", K_CRYPTO },
	{ "rtpmap", K_RTPMAP },		{ "fmtp", K_FMTP },
	{ "rtcp-fb", K_RTCPFB },	{ "ptime", K_PTIME },
	{ "sendrecv", K_DIR },		{ "sendonly", K_DIR },
	{ "recvonly", K_DIR },		{ "inactive", K_DIR },
	{ "candidate", K_ICE },		{ "ice-ufrag", K_ICE },
	{ "ice-pwd", K_ICE },		{ "ice-options", K_ICE },
	{ "ice-lite", K_ICE },		{ "ice-mismatch", K_ICE },
	{ "end-of-candidates", K_ICE },	{ "remote-candidates", K_ICE },
	{ "fingerprint", K_DTLS },	{ "setup", K_DTLS },
	{ "tls-id", K_DTLS },		{ "rtcp-mux", K_RTCPMUX },
};

/* RFC 3551 static payload types, used when no a=rtpmap names one. */
static const struct {
	int		 pt;
	const char	*name;
	unsigned	 clock, channels;
} static_pts[] = {
	{ 0, "PCMU", 8000, 1 },	{ 3, "GSM", 8000, 1 },	{ 4, "G723", 8000, 1 },
	{ 5, "DVI4", 8000, 1 },	{ 6, "DVI4", 16000, 1 },	{ 7, "LPC", 8000, 1 },
	{ 8, "PCMA", 8000, 1 },	{ 9, "G722", 8000, 1 },	{ 10, "L16", 44100, 2 },
	{ 11, "L16", 44100, 1 },	{ 12, "QCELP", 8000, 1 },	{ 13, "CN", 8000, 1 },
	{ 14, "MPA", 90000, 0 },	{ 15, "G728", 8000, 1 },	{ 16, "DVI4", 11025, 1 },
	{ 17, "DVI4", 22050, 1 },	{ 18, "G729", 8000, 1 },	{ 25, "CelB", 90000, 0 },
	{ 26, "JPEG", 90000, 0 },	{ 28, "nv", 90000, 0 },	{ 31, "H261", 90000, 0 },
	{ 32, "MPV", 90000, 0 },	{ 33, "MP2T", 90000, 0 },	{ 34, "H263", 90000, 0 },
};

static int
span_eq(struct span s, const char *str)
{
	return s.n == strlen(str) && memcmp(s.p, str, s.n) == 0;
}

/* The next token of *in (separated by blanks); empty at the end. */
static struct span
span_tok(struct span *in)
{
	struct span t;

	while (in->n > 0 && (*in->p == ' ' || *in->p == '\t'))
		in->p++, in->n--;
	t.p = in->p;
	while (in->n > 0 && *in->p != ' ' && *in->p != '\t')
		in->p++, in->n--;
	t.n = (size_t)(in->p - t.p);
	return t;
}

/* The part of *in before the first c; *in keeps what follows c, empty when
 * there is no c. */
static struct span
span_cut(struct span *in, char c)
{
	const char	*q = memchr(in->p, c, in->n);
	struct span	 head = { in->p, q != NULL ? (size_t)(q - in->p) : in->n };

	in->p += head.n;
	in->n -= head.n;
	if (q != NULL)
		in->p++, in->n--;
	return head;
}

static struct span
span_trim(struct span s)
{
	while (s.n > 0 && (*s.p == ' ' || *s.p == '\t'))
		s.p++, s.n--;
	while (s.n > 0 && (s.p[s.n - 1] == ' ' || s.p[s.n - 1] == '\t'))
		s.n--;
	return s;
}

/* Decimal digits only, at most max: 0 or EINVAL. */
static int
span_uint(struct span s, unsigned long long max, unsigned long long *v)
{
	if (s.n == 0 || s.n > 20)
		return EINVAL;
	*v = 0;
	for (size_t i = 0; i < s.n; i++) {
		unsigned d = (unsigned)(s.p[i] - '0');

		if (d > 9 || *v > (max - d) / 10)
			return EINVAL;
		*v = *v * 10 + d;
	}
	return 0;
}

/* Copy a non-empty s that fits (with its NUL) into dst[size]. */
static int
span_copy(char *dst, size_t size, struct span s)
{
	if (s.n == 0 || s.n >= size)
		return EINVAL;
	memcpy(dst, s.p, s.n);
	dst[s.n] = '\0';
	return 0;
}

/* AF_INET for "IP4", AF_INET6 for "IP6", else -1. */
static int
span_family(struct span s)
{
	if (span_eq(s, "IP4"))
		return AF_INET;
	if (span_eq(s, "IP6"))
		return AF_INET6;
	return -1;
}

/* The kind of line l, and in *val its value: what follows "x=", or for an
 * attribute what follows "a=name:". */
static enum sdp_kind
line_kind(const struct sdp_line *l, struct span *val)
{
	static const char		letters[] = { 'v', 'o', 'c', 'm' };
	static const enum sdp_kind	letter_kinds[] = { K_VERSION, K_ORIGIN, K_CONN, K_MEDIA };
	const char			*k;
	struct span			 name;

	*val = (struct span){ l->p + l->len, 0 };
	if (l->len < 2 || l->p[1] != '=')
		return K_OTHER;
	*val = (struct span){ l->p + 2, l->len - 2 };
	if ((k = memchr(letters, l->p[0], sizeof(letters))) != NULL)
		return letter_kinds[k - letters];
	if (l->p[0] != 'a')
		return K_OTHER;
	name = span_cut(val, ':');
	for (size_t i = 0; i < NELEM(attr_kinds); i++)
		if (span_eq(name, attr_kinds[i].name))
			return attr_kinds[i].kind;
	return K_OTHER;
}

/* Fill the line table.  Empty lines are skipped; a NUL or a CR inside a
 * line is malformed. */
static int
split_lines(const char *body, size_t len, struct sdp *s)
{
	size_t i = 0;

	while (i < len) {
		const char	*p = body + i;
		const char	*nl = memchr(p, '\n', len - i);
		size_t		 n = nl != NULL ? (size_t)(nl - p) : len - i;

		i += n + (nl != NULL);
		if (n > 0 && p[n - 1] == '\r')
			n--;
		if (memchr(p, '\0', n) != NULL || memchr(p, '\r', n) != NULL)
			return EINVAL;
		if (n == 0)
			continue;
		if (s->nlines == SDP_MAX_LINES)
			return EINVAL;
		s->lines[s->nlines].p = p;
		s->lines[s->nlines++].len = n;
	}
	return 0;
}

/* State of one sdp_parse: session-level values that media sections inherit. */
struct pctx {
	struct sdp		*s;
	struct sdp_media	*m;	/* section being read; NULL: session level */
	int			 have_o;
	int			 sess_family;
	enum sdp_dir		 sess_dir;
	unsigned		 sess_ptime;
	int			 sess_ice, sess_dtls;
	int			 dir_set[SDP_MAX_MEDIA];
};

static int
parse_origin(struct pctx *pc, struct span v)
{
	struct sdp	*s = pc->s;
	struct span	 user = span_tok(&v), id = span_tok(&v), ver = span_tok(&v);
	struct span	 nt = span_tok(&v), at = span_tok(&v), addr = span_tok(&v);

	if (pc->have_o || pc->m != NULL)
		return EINVAL;
	pc->have_o = 1;
	if (span_copy(s->o_user, sizeof(s->o_user), user) ||
	    span_copy(s->o_sess_id, sizeof(s->o_sess_id), id) ||
	    span_uint(ver, ULLONG_MAX, &s->o_version) || !span_eq(nt, "IN") ||
	    span_family(at) == -1 || span_copy(s->o_addr, sizeof(s->o_addr), addr))
		return EINVAL;
	return 0;
}

static int
parse_conn(struct pctx *pc, struct span v)
{
	struct span	 nt = span_tok(&v), at = span_tok(&v), addr = span_tok(&v);
	int		 fam = span_family(at);
	char		*dst = pc->m != NULL ? pc->m->addr : pc->s->c_addr;
	size_t		 size = pc->m != NULL ? sizeof(pc->m->addr) : sizeof(pc->s->c_addr);

	/* a multicast TTL or address count is of no use to a unicast relay */
	addr = span_cut(&addr, '/');
	if (!span_eq(nt, "IN") || fam == -1 || span_copy(dst, size, addr))
		return EINVAL;
	if (pc->m != NULL)
		pc->m->family = fam;
	else
		pc->sess_family = fam;
	return 0;
}

/* One format of an m= line.  RTP formats are payload type numbers; others
 * (T.38's "t38", "webrtc-datachannel") are kept as names with pt -1. */
static int
add_fmt(struct sdp_media *m, struct span t)
{
	struct sdp_fmt		*f;
	unsigned long long	 pt;

	if (m->nfmt == SDP_MAX_FMT)
		return EINVAL;
	f = &m->fmt[m->nfmt++];
	if (strstr(m->proto, "RTP/") == NULL) {
		f->pt = -1;
		return span_copy(f->encoding, sizeof(f->encoding), t);
	}
	if (span_uint(t, 127, &pt))
		return EINVAL;
	f->pt = (int)pt;
	for (size_t i = 0; i < NELEM(static_pts); i++) {
		if (static_pts[i].pt == f->pt) {
			strcpy(f->encoding, static_pts[i].name);
			f->clock = static_pts[i].clock;
			f->channels = static_pts[i].channels;
		}
	}
	return 0;
}

static int
parse_media(struct pctx *pc, struct span v, size_t idx)
{
	struct sdp		*s = pc->s;
	struct sdp_media	*m;
	struct span		 type = span_tok(&v), port = span_tok(&v), proto = span_tok(&v);
	struct span		 base = span_cut(&port, '/'), f;
	unsigned long long	 n;

	if (s->nmedia == SDP_MAX_MEDIA)
		return EINVAL;
	if (pc->m != NULL)
		pc->m->end_line = idx;
	m = pc->m = &s->media[s->nmedia++];
	m->first_line = idx;
	if (span_copy(m->type, sizeof(m->type), type) ||
	    span_copy(m->proto, sizeof(m->proto), proto) || span_uint(base, 65535, &n))
		return EINVAL;
	m->port = (unsigned)n;
	if (port.n > 0 && span_uint(port, 65535, &n))	/* "<port>/<count>" */
		return EINVAL;
	while ((f = span_tok(&v)).n > 0)
		if (add_fmt(m, f))
			return EINVAL;
	return m->nfmt > 0 ? 0 : EINVAL;
}

static int
parse_rtcp(struct sdp_media *m, struct span v)
{
	struct span		 port = span_tok(&v), nt = span_tok(&v);
	struct span		 at = span_tok(&v), addr = span_tok(&v);
	unsigned long long	 n;

	if (span_uint(port, 65535, &n))
		return EINVAL;
	if (nt.n > 0 && (!span_eq(nt, "IN") || span_family(at) == -1 || addr.n == 0))
		return EINVAL;
	m->rtcp_port = (unsigned)n;
	return 0;
}

/* "<tag> <suite> inline:<key>[|<lifetime>][|<mki>:<len>][;inline:...] [<session params>]" */
static int
parse_crypto(struct sdp_media *m, struct span v)
{
	struct sdp_crypto	*c;
	struct span		 tag = span_tok(&v), suite = span_tok(&v), keys = span_tok(&v);
	struct span		 key = span_cut(&keys, ';'), rest = span_trim(v);
	unsigned long long	 n;

	if (m->ncrypto == SDP_MAX_CRYPTO)
		return EINVAL;
	c = &m->crypto[m->ncrypto];
	if (span_uint(tag, 999999999, &n) ||
	    span_copy(c->suite, sizeof(c->suite), suite) ||
	    key.n <= 7 || strncasecmp(key.p, "inline:", 7) != 0 ||
	    span_copy(c->key_params, sizeof(c->key_params), key) ||
	    rest.n >= sizeof(c->session_params))
		return EINVAL;
	c->tag = (unsigned)n;
	memcpy(c->session_params, rest.p, rest.n);
	c->session_params[rest.n] = '\0';
	/* more keys mean MKIs are in use: srtp must be told, not guess */
	for (c->nkeys = 1; keys.n > 0; c->nkeys++)
		if (span_cut(&keys, ';').n == 0)
			return EINVAL;
	m->ncrypto++;
	return 0;
}

/* "<pt> <name>/<clock>[/<channels>]"; a pt not on the m= line is ignored. */
static int
parse_rtpmap(struct sdp_media *m, struct span v)
{
	struct span		 pt = span_tok(&v), enc = span_tok(&v);
	struct span		 name = span_cut(&enc, '/'), clock = span_cut(&enc, '/');
	unsigned long long	 npt, nclock, nch = strcmp(m->type, "audio") == 0;

	/* a missing clock rate ("a=rtpmap:31 LPC" in RFC 4475 esc01) is not
	 * RFC 4566, but refusing the whole offer for it would be harsh: such a
	 * line is ignored, and a static payload type keeps its own name */
	if (span_uint(pt, 127, &npt) || name.n == 0)
		return EINVAL;
	if (clock.n == 0 && enc.n == 0)
		return 0;
	if (span_uint(clock, UINT_MAX, &nclock) || (enc.n > 0 && span_uint(enc, 255, &nch)))
		return EINVAL;
	for (size_t i = 0; i < m->nfmt; i++) {
		struct sdp_fmt *f = &m->fmt[i];

		if (f->pt != (int)npt)
			continue;
		if (span_copy(f->encoding, sizeof(f->encoding), name))
			return EINVAL;
		f->clock = (unsigned)nclock;
		f->channels = (unsigned)nch;
	}
	return 0;
}

static void
parse_dir(struct pctx *pc, const struct sdp_line *l)
{
	struct span	v = { l->p + 2, l->len - 2 };
	struct span	name = span_cut(&v, ':');
	enum sdp_dir	d = SDP_DIR_SENDRECV;

	/* line_kind() found one of the four, so the last needs no test */
	while (d < SDP_DIR_INACTIVE && !span_eq(name, sdp_dir_str(d)))
		d++;
	if (pc->m == NULL) {
		pc->sess_dir = d;
	} else {
		pc->m->dir = d;
		pc->dir_set[pc->m - pc->s->media] = 1;
	}
}

/* a=ptime only informs: one that does not read as a number is ignored
 * rather than failing the call. */
static void
parse_ptime(struct pctx *pc, struct span v)
{
	unsigned long long n;

	if (span_uint(span_trim(v), 65535, &n))
		return;
	if (pc->m != NULL)
		pc->m->ptime = (unsigned)n;
	else
		pc->sess_ptime = (unsigned)n;
}

static int
parse_line(struct pctx *pc, size_t idx)
{
	const struct sdp_line	*l = &pc->s->lines[idx];
	struct sdp_media	*m = pc->m;
	struct span		 v;

	switch (line_kind(l, &v)) {
	case K_VERSION:
		return idx == 0 ? 0 : EINVAL;
	case K_ORIGIN:
		return parse_origin(pc, v);
	case K_CONN:
		return parse_conn(pc, v);
	case K_MEDIA:
		return parse_media(pc, v, idx);
	case K_RTCP:
		return m != NULL ? parse_rtcp(m, v) : 0;
	case K_CRYPTO:
		return m != NULL ? parse_crypto(m, v) : 0;
	case K_RTPMAP:
		return m != NULL ? parse_rtpmap(m, v) : 0;
	case K_PTIME:
		parse_ptime(pc, v);
		break;
	case K_DIR:
		parse_dir(pc, l);
		break;
	case K_ICE:
		*(m != NULL ? &m->ice : &pc->sess_ice) = 1;
		break;
	case K_DTLS:
		*(m != NULL ? &m->dtls : &pc->sess_dtls) = 1;
		break;
	case K_RTCPMUX:
		if (m != NULL)
			m->rtcp_mux = 1;
		break;
	default:
		break;
	}
	return 0;
}

/* Hand session-level values down to the media that did not set their own. */
static int
parse_finish(struct pctx *pc)
{
	struct sdp *s = pc->s;

	if (!pc->have_o)
		return EINVAL;
	for (size_t i = 0; i < s->nmedia; i++) {
		struct sdp_media *m = &s->media[i];

		if (!pc->dir_set[i])
			m->dir = pc->sess_dir;
		if (m->ptime == 0)
			m->ptime = pc->sess_ptime;
		m->ice |= pc->sess_ice;
		m->dtls |= pc->sess_dtls;
		if (m->addr[0] == '\0' && s->c_addr[0] != '\0') {
			memcpy(m->addr, s->c_addr, sizeof(m->addr));
			m->family = pc->sess_family;
		}
		if (m->addr[0] == '\0' && m->port != 0)
			return EINVAL;
	}
	return 0;
}

int
sdp_parse(const char *body, size_t len, struct sdp *s)
{
	struct pctx	pc;
	int		err;

	if (s == NULL)
		return EINVAL;
	memset(s, 0, sizeof(*s));
	/* lines are printed with "%.*s" */
	if (body == NULL || len > INT_MAX)
		return EINVAL;
	if ((err = split_lines(body, len, s)) != 0)
		goto out;
	if (s->nlines == 0 || s->lines[0].len != 3 || memcmp(s->lines[0].p, "v=0", 3) != 0) {
		err = EINVAL;
		goto out;
	}
	memset(&pc, 0, sizeof(pc));
	pc.s = s;
	for (size_t i = 0; i < s->nlines && err == 0; i++)
		err = parse_line(&pc, i);
	if (pc.m != NULL)
		pc.m->end_line = s->nlines;
	if (err == 0)
		err = parse_finish(&pc);
 out:
	if (err)
		memset(s, 0, sizeof(*s));
	return err;
}

/* State of one sdp_write; once the buffer is full nothing more is written. */
struct wctx {
	const struct sdp	*s;
	const struct sdp_out	*o;
	char			*buf;
	size_t			 len, pos;
	int			 full;
	int			 strip_ice, strip_dtls;	/* session-level lines */
};

static void wr_put(struct wctx *w, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
wr_put(struct wctx *w, const char *fmt, ...)
{
	va_list	ap;
	int	n;

	if (w->full)
		return;
	va_start(ap, fmt);
	n = vsnprintf(w->buf + w->pos, w->len - w->pos, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= w->len - w->pos)
		w->full = 1;
	else
		w->pos += (size_t)n;
}

static void
wr_line(struct wctx *w, const struct sdp_line *l)
{
	wr_put(w, "%.*s\r\n", (int)l->len, l->p);
}

static const char *
out_ipver(const struct sdp_out *o)
{
	return o->family == AF_INET6 ? "IP6" : "IP4";
}

static void
write_origin(struct wctx *c)
{
	const struct sdp_out *o = c->o;

	wr_put(c, "o=%s %s %llu IN %s %s\r\n",
	    o->o_user != NULL ? o->o_user : c->s->o_user,
	    o->o_sess_id != NULL ? o->o_sess_id : c->s->o_sess_id,
	    o->o_version, out_ipver(o), o->addr);
}

/* An unspecified peer address is RFC 2543 hold: pass the hold on, in our
 * address family, rather than hide it behind our address. */
static void
write_conn(struct wctx *c, struct span v)
{
	const struct sdp_out	*o = c->o;
	struct span		 addr;
	const char		*a = o->addr;

	span_tok(&v);
	span_tok(&v);
	addr = span_tok(&v);
	addr = span_cut(&addr, '/');
	if (span_eq(addr, "0.0.0.0") || span_eq(addr, "::"))
		a = o->family == AF_INET6 ? "::" : "0.0.0.0";
	wr_put(c, "c=IN %s %s\r\n", out_ipver(o), a);
}

static void
write_mline(struct wctx *c, size_t k, struct span v)
{
	const struct sdp_media		*m = &c->s->media[k];
	const struct sdp_media_out	*mo = &c->o->media[k];
	const char			*proto = mo->proto != NULL ? mo->proto : m->proto;
	struct span			 fmts;

	span_tok(&v);
	span_tok(&v);
	span_tok(&v);
	fmts = span_trim(v);
	if (!mo->keep) {
		wr_put(c, "m=%s 0 %s %.*s\r\n", m->type, proto, (int)fmts.n, fmts.p);
		return;
	}
	wr_put(c, "m=%s %u %s", m->type, mo->port, proto);
	if (mo->npts == 0)
		wr_put(c, " %.*s", (int)fmts.n, fmts.p);
	for (size_t i = 0; i < mo->npts && i < SDP_MAX_FMT; i++)
		wr_put(c, " %d", mo->pts[i]);
	wr_put(c, "\r\n");
}

static void
write_rtcp(struct wctx *c, const struct sdp_media_out *mo, struct span v)
{
	span_tok(&v);
	if (span_tok(&v).n > 0)
		wr_put(c, "a=rtcp:%u IN %s %s\r\n", mo->port + 1, out_ipver(c->o), c->o->addr);
	else
		wr_put(c, "a=rtcp:%u\r\n", mo->port + 1);
}

static void
write_crypto(struct wctx *c, const struct sdp_media_out *mo)
{
	for (size_t i = 0; i < mo->ncrypto && i < SDP_MAX_CRYPTO; i++)
		if (mo->crypto[i].suite != NULL && mo->crypto[i].key_params != NULL)
			wr_put(c, "a=crypto:%u %s %s\r\n", mo->crypto[i].tag,
			    mo->crypto[i].suite, mo->crypto[i].key_params);
}

/* Whether an rtpmap/fmtp/rtcp-fb line survives the new payload list; lines
 * for "*" or that do not start with a number are not ours to drop. */
static int
fmt_kept(const struct sdp_media_out *mo, struct span v)
{
	unsigned long long pt;

	if (!mo->keep || mo->npts == 0 || span_uint(span_tok(&v), 127, &pt))
		return 1;
	for (size_t i = 0; i < mo->npts && i < SDP_MAX_FMT; i++)
		if (mo->pts[i] == (int)pt)
			return 1;
	return 0;
}

static void
write_session(struct wctx *c, size_t end)
{
	for (size_t i = 0; i < end; i++) {
		const struct sdp_line	*l = &c->s->lines[i];
		struct span		 v;

		switch (line_kind(l, &v)) {
		case K_ORIGIN:
			write_origin(c);
			break;
		case K_CONN:
			write_conn(c, v);
			break;
		case K_CRYPTO:	/* a peer's key never crosses the SBC */
		case K_RTCP:	/* media level only (RFC 3605): nothing to rewrite */
			break;
		case K_ICE:
			if (!c->strip_ice)
				wr_line(c, l);
			break;
		case K_DTLS:
			if (!c->strip_dtls)
				wr_line(c, l);
			break;
		default:
			wr_line(c, l);
		}
	}
}

/* A rejected stream (keep 0) loses every transport attribute: the peer's
 * candidates, fingerprints and keys are nobody else's business. */
static void
write_media(struct wctx *c, size_t k)
{
	const struct sdp_media		*m = &c->s->media[k];
	const struct sdp_media_out	*mo = &c->o->media[k];
	int				 rtcp_done = 0, crypto_done = 0;

	for (size_t i = m->first_line; i < m->end_line; i++) {
		const struct sdp_line	*l = &c->s->lines[i];
		struct span		 v;
		int			 keep_line = 1;

		switch (line_kind(l, &v)) {
		case K_MEDIA:
			write_mline(c, k, v);
			/* a disabled stream may come with no address: we give it ours */
			if (mo->keep && m->addr[0] == '\0')
				write_conn(c, (struct span){ "", 0 });
			continue;
		case K_CONN:
			write_conn(c, v);
			continue;
		case K_RTCP:
			if (mo->keep && !rtcp_done)
				write_rtcp(c, mo, v);
			rtcp_done = 1;
			continue;
		case K_CRYPTO:	/* ours go where the peer's first one was */
			if (mo->keep && !crypto_done)
				write_crypto(c, mo);
			crypto_done = 1;
			continue;
		case K_RTPMAP:
		case K_FMTP:
		case K_RTCPFB:
			keep_line = fmt_kept(mo, v);
			break;
		case K_ICE:
			keep_line = mo->keep && !mo->strip_ice;
			break;
		case K_DTLS:
			keep_line = mo->keep && !mo->strip_dtls;
			break;
		case K_RTCPMUX:
			keep_line = mo->keep && !mo->strip_rtcp_mux;
			break;
		default:
			break;
		}
		if (keep_line)
			wr_line(c, l);
	}
	if (!mo->keep)
		return;
	/* AWS takes Chime's call quality metrics from RTCP: always offer it */
	if (!rtcp_done && strcmp(m->type, "audio") == 0)
		wr_put(c, "a=rtcp:%u\r\n", mo->port + 1);
	if (!crypto_done)
		write_crypto(c, mo);
}

long
sdp_write(const struct sdp *s, const struct sdp_out *o, char *buf, size_t len)
{
	struct wctx c;

	if (s == NULL || o == NULL || o->addr == NULL || buf == NULL || len == 0 ||
	    s->nmedia > SDP_MAX_MEDIA || s->nlines > SDP_MAX_LINES)
		return -1;
	memset(&c, 0, sizeof(c));
	c.s = s;
	c.o = o;
	c.buf = buf;
	c.len = len;
	buf[0] = '\0';
	for (size_t k = 0; k < s->nmedia; k++) {
		c.strip_ice |= o->media[k].strip_ice;
		c.strip_dtls |= o->media[k].strip_dtls;
	}
	write_session(&c, s->nmedia > 0 ? s->media[0].first_line : s->nlines);
	for (size_t k = 0; k < s->nmedia; k++)
		write_media(&c, k);
	if (c.full || c.pos > LONG_MAX)
		return -1;
	return (long)c.pos;
}

int
sdp_find_pt(const struct sdp_media *m, const char *name, unsigned clock)
{
	for (size_t i = 0; m != NULL && name != NULL && i < m->nfmt; i++) {
		const struct sdp_fmt *f = &m->fmt[i];

		if (f->pt >= 0 && strcasecmp(f->encoding, name) == 0 &&
		    (clock == 0 || f->clock == clock))
			return f->pt;
	}
	return -1;
}

const char *
sdp_dir_str(enum sdp_dir d)
{
	static const char *const names[] = {
		[SDP_DIR_SENDRECV] = "sendrecv", [SDP_DIR_SENDONLY] = "sendonly",
		[SDP_DIR_RECVONLY] = "recvonly", [SDP_DIR_INACTIVE] = "inactive",
	};

	return (unsigned)d < NELEM(names) ? names[d] : "?";
}
