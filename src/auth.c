/* auth.c: answering a carrier's digest challenge (RFC 2617, RFC 7616) for requests sbcd sends. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <sofia-sip/msg.h>
#include <sofia-sip/sip_header.h>

#include "auth.h"
#include "log.h"

#define OPAQUE_MAX	AUTH_NONCE_MAX
#define CNONCE_MAX	64
#define HEX_MAX		(2 * EVP_MAX_MD_SIZE + 1)

/* One Digest challenge, unquoted, as far as it matters here. */
struct challenge {
	enum auth_alg	 alg;
	int		 alg_given;	/* algorithm= was present (echoed back) */
	int		 qop;		/* 1: qop=auth offered, 0: no qop */
	int		 stale;
	int		 userhash;
	int		 has_opaque;
	char		 realm[AUTH_REALM_MAX];
	char		 nonce[AUTH_NONCE_MAX];
	char		 opaque[OPAQUE_MAX];
};

static const struct {
	const char	*name;
	enum auth_alg	 alg;
	int		 strength;	/* larger is stronger */
	int		 sess;
} algs[] = {
	{ "MD5",		AUTH_ALG_MD5,			1, 0 },
	{ "MD5-sess",		AUTH_ALG_MD5_SESS,		1, 1 },
	{ "SHA-256",		AUTH_ALG_SHA256,		2, 0 },
	{ "SHA-256-sess",	AUTH_ALG_SHA256_SESS,		2, 1 },
	{ "SHA-512-256",	AUTH_ALG_SHA512_256,		3, 0 },
	{ "SHA-512-256-sess",	AUTH_ALG_SHA512_256_SESS,	3, 1 },
};
#define NALGS	(sizeof(algs) / sizeof(algs[0]))

static char testing_cnonce[CNONCE_MAX];

/* ========================================================================== */

const char *
auth_alg_str(enum auth_alg alg)
{
	size_t i;

	for (i = 0; i < NALGS; i++)
		if (algs[i].alg == alg)
			return algs[i].name;
	return "?";
}

const char *
auth_header_name(const struct auth_client *ac)
{
	return ac != NULL && ac->proxy ? "Proxy-Authorization" : "Authorization";
}

msg_t *
auth_request_copy(msg_t *req, const struct auth_client *ac, char *value, size_t len)
{
	msg_t	*msg = msg_dup(req);
	sip_t	*sip;
	char	 line[AUTH_HDR_MAX + 32];
	int	 err;

	if (msg == NULL) {
		explicit_bzero(value, len);
		return NULL;
	}
	sip = sip_object(msg);
	msg_header_remove_all(msg, (msg_pub_t *)sip, (msg_header_t *)sip->sip_via);
	msg_header_remove_all(msg, (msg_pub_t *)sip, (msg_header_t *)sip->sip_authorization);
	msg_header_remove_all(msg, (msg_pub_t *)sip,
	    (msg_header_t *)sip->sip_proxy_authorization);
	snprintf(line, sizeof(line), "%s: %s", auth_header_name(ac), value);
	err = msg_header_add_str(msg, (msg_pub_t *)sip, line);
	explicit_bzero(value, len);
	explicit_bzero(line, sizeof(line));
	if (err < 0) {
		msg_destroy(msg);
		return NULL;
	}
	return msg;
}

void
auth_testing_set_cnonce(const char *cnonce)
{
	if (cnonce == NULL)
		testing_cnonce[0] = '\0';
	else
		snprintf(testing_cnonce, sizeof(testing_cnonce), "%s", cnonce);
}

/* ========================================================================== */
/* Challenge parsing */

static const EVP_MD *
alg_md(enum auth_alg alg)
{
	switch (alg) {
	case AUTH_ALG_MD5:
	case AUTH_ALG_MD5_SESS:
		return EVP_md5();
	case AUTH_ALG_SHA256:
	case AUTH_ALG_SHA256_SESS:
		return EVP_sha256();
	case AUTH_ALG_SHA512_256:
	case AUTH_ALG_SHA512_256_SESS:
		return EVP_sha512_256();
	}
	return NULL;
}

static int
alg_index(enum auth_alg alg)
{
	size_t i;

	for (i = 0; i < NALGS; i++)
		if (algs[i].alg == alg)
			return (int)i;
	return 0;
}

static int
is_ctl(unsigned char c)
{
	return (c < 0x20 && c != '\t') || c == 0x7f;
}

static int
is_lws(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/*
 * Copy the unquoted value v into buf: a quoted-string loses its quotes and
 * backslash escapes, a token loses surrounding white space.  Returns 0,
 * EINVAL (unterminated quote, text after the closing quote, a control
 * character) or ENOSPC.
 */
static int
unquote(const char *v, char *buf, size_t len)
{
	size_t n = 0;
	const char *end;

	while (*v == ' ' || *v == '\t')
		v++;
	if (*v == '"') {
		for (v++; *v != '"'; v++) {
			if (*v == '\0')
				return EINVAL;
			if (*v == '\\') {
				v++;
				if (*v == '\0')
					return EINVAL;
			}
			if (is_ctl((unsigned char)*v))
				return EINVAL;
			if (n + 1 >= len)
				return ENOSPC;
			buf[n++] = *v;
		}
		for (v++; *v != '\0'; v++)
			if (!is_lws(*v))
				return EINVAL;
	} else {
		end = v + strlen(v);
		while (end > v && is_lws(end[-1]))
			end--;
		for (; v < end; v++) {
			if (is_ctl((unsigned char)*v) || *v == '"')
				return EINVAL;
			if (n + 1 >= len)
				return ENOSPC;
			buf[n++] = *v;
		}
	}
	buf[n] = '\0';
	return 0;
}

/*
 * Find parameter name (case-insensitive) in a sofia parameter list and
 * unquote its value into buf.  Returns 0, ENOENT, EINVAL or ENOSPC.
 */
static int
param_get(const msg_param_t *params, const char *name, char *buf, size_t len)
{
	size_t nlen = strlen(name);
	const char *p, *v;

	for (; params != NULL && *params != NULL; params++) {
		p = *params;
		while (is_lws(*p))
			p++;
		if (strncasecmp(p, name, nlen) != 0)
			continue;
		v = p + nlen;
		while (*v == ' ' || *v == '\t')
			v++;
		if (*v != '=')
			continue;
		return unquote(v + 1, buf, len);
	}
	return ENOENT;
}

/* Whether the comma-separated list s holds token tok (case-insensitive). */
static int
list_has(const char *s, const char *tok)
{
	size_t tlen = strlen(tok), n;

	for (;;) {
		while (*s == ' ' || *s == '\t' || *s == ',')
			s++;
		if (*s == '\0')
			return 0;
		n = strcspn(s, ", \t");
		if (n == tlen && strncasecmp(s, tok, tlen) == 0)
			return 1;
		s += n;
	}
}

/*
 * Read one challenge.  Returns 0 when it can be answered, ENOTSUP when it
 * cannot (scheme, algorithm, qop), EINVAL when it is malformed.
 */
static int
challenge_parse(const msg_auth_t *au, struct challenge *c)
{
	char val[AUTH_NONCE_MAX];
	size_t i;
	int err;

	memset(c, 0, sizeof(*c));
	if (au->au_scheme == NULL || strcasecmp(au->au_scheme, "Digest") != 0)
		return ENOTSUP;

	err = param_get(au->au_params, "algorithm", val, sizeof(val));
	if (err == 0) {
		for (i = 0; i < NALGS; i++)
			if (strcasecmp(val, algs[i].name) == 0)
				break;
		if (i == NALGS)
			return ENOTSUP;
		c->alg = algs[i].alg;
		c->alg_given = 1;
	} else if (err == ENOENT) {
		c->alg = AUTH_ALG_MD5;
	} else {
		return err == ENOSPC ? ENOTSUP : err;	/* no algorithm is that long */
	}

	err = param_get(au->au_params, "qop", val, sizeof(val));
	if (err == 0) {
		if (!list_has(val, "auth"))
			return ENOTSUP;	/* auth-int only, or unknown */
		c->qop = 1;
	} else if (err != ENOENT) {
		return err == ENOSPC ? EINVAL : err;
	}
	/* -sess needs a cnonce, and there is none without qop */
	if (algs[alg_index(c->alg)].sess && !c->qop)
		return ENOTSUP;

	if ((err = param_get(au->au_params, "realm", c->realm, sizeof(c->realm))) != 0)
		return EINVAL;	/* absent, malformed or too long */
	if ((err = param_get(au->au_params, "nonce", c->nonce, sizeof(c->nonce))) != 0 ||
	    c->nonce[0] == '\0')
		return EINVAL;
	err = param_get(au->au_params, "opaque", c->opaque, sizeof(c->opaque));
	if (err == 0)
		c->has_opaque = 1;
	else if (err != ENOENT)
		return EINVAL;

	if (param_get(au->au_params, "stale", val, sizeof(val)) == 0 &&
	    strcasecmp(val, "true") == 0)
		c->stale = 1;
	if (param_get(au->au_params, "userhash", val, sizeof(val)) == 0 &&
	    strcasecmp(val, "true") == 0)
		c->userhash = 1;
	return 0;
}

static int
challenge_rank(const struct challenge *c)
{
	int i = alg_index(c->alg);

	return algs[i].strength * 4 + (algs[i].sess ? 0 : 2) + c->qop;
}

/* ========================================================================== */
/* Digest computation */

/*
 * hex = lowercase hex of H(parts[0] ":" parts[1] ":" ... parts[n-1]).
 * Returns 0 or EIO.
 */
static int
hash_hex(const EVP_MD *md, char hex[HEX_MAX], const char *const *parts, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	unsigned char bin[EVP_MAX_MD_SIZE];
	unsigned int blen = 0, i;
	EVP_MD_CTX *ctx;
	int ok;
	size_t k;

	if (md == NULL || (ctx = EVP_MD_CTX_new()) == NULL)
		return EIO;
	ok = EVP_DigestInit_ex(ctx, md, NULL);
	for (k = 0; ok && k < n; k++) {
		if (k > 0)
			ok = EVP_DigestUpdate(ctx, ":", 1);
		if (ok)
			ok = EVP_DigestUpdate(ctx, parts[k], strlen(parts[k]));
	}
	if (ok)
		ok = EVP_DigestFinal_ex(ctx, bin, &blen);
	EVP_MD_CTX_free(ctx);
	if (!ok)
		return EIO;
	for (i = 0; i < blen; i++) {
		hex[2 * i] = digits[bin[i] >> 4];
		hex[2 * i + 1] = digits[bin[i] & 0xf];
	}
	hex[2 * blen] = '\0';
	OPENSSL_cleanse(bin, sizeof(bin));
	return 0;
}

/*
 * response = KD(H(A1), nonce ":" nc ":" cnonce ":" qop ":" H(A2)), or
 * KD(H(A1), nonce ":" H(A2)) without qop (RFC 7616 section 3.4.1, RFC 2069).
 */
static int
digest_response(const struct challenge *c, const struct auth_req *rq, const char *cnonce,
    const char *nc, char response[HEX_MAX])
{
	const EVP_MD *md = alg_md(c->alg);
	char ha1[HEX_MAX], ha2[HEX_MAX], tmp[HEX_MAX];
	int err;

	{
		const char *a1[] = { rq->username, c->realm, rq->password };

		if ((err = hash_hex(md, ha1, a1, 3)) != 0)
			goto out;
	}
	if (algs[alg_index(c->alg)].sess) {
		const char *a1s[] = { ha1, c->nonce, cnonce };

		if ((err = hash_hex(md, tmp, a1s, 3)) != 0)
			goto out;
		memcpy(ha1, tmp, sizeof(ha1));
	}
	{
		const char *a2[] = { rq->method, rq->uri };

		if ((err = hash_hex(md, ha2, a2, 2)) != 0)
			goto out;
	}
	if (c->qop) {
		const char *kd[] = { ha1, c->nonce, nc, cnonce, "auth", ha2 };

		err = hash_hex(md, response, kd, 6);
	} else {
		const char *kd[] = { ha1, c->nonce, ha2 };

		err = hash_hex(md, response, kd, 3);
	}
 out:
	OPENSSL_cleanse(ha1, sizeof(ha1));
	OPENSSL_cleanse(tmp, sizeof(tmp));
	return err;
}

static int
make_cnonce(char cnonce[CNONCE_MAX])
{
	static const char digits[] = "0123456789abcdef";
	unsigned char rnd[16];
	size_t i;

	if (testing_cnonce[0] != '\0') {
		memcpy(cnonce, testing_cnonce, CNONCE_MAX);
		return 0;
	}
	if (RAND_bytes(rnd, sizeof(rnd)) != 1)
		return EIO;
	for (i = 0; i < sizeof(rnd); i++) {
		cnonce[2 * i] = digits[rnd[i] >> 4];
		cnonce[2 * i + 1] = digits[rnd[i] & 0xf];
	}
	cnonce[2 * sizeof(rnd)] = '\0';
	return 0;
}

/* ========================================================================== */
/* Header writing */

struct outbuf {
	char	*b;
	size_t	 len, n;
	int	 nparams;	/* written so far: the first has no ", " */
	int	 err;
};

static void
out_add(struct outbuf *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
out_add(struct outbuf *o, const char *fmt, ...)
{
	va_list ap;
	int r;

	if (o->err)
		return;
	va_start(ap, fmt);
	r = vsnprintf(o->b + o->n, o->len - o->n, fmt, ap);
	va_end(ap);
	if (r < 0 || (size_t)r >= o->len - o->n)
		o->err = ENOSPC;
	else
		o->n += (size_t)r;
}

/* ", name=" followed by s as a quoted-string (RFC 3261 quoted-pair escapes). */
static void
out_quoted(struct outbuf *o, const char *name, const char *s)
{
	out_add(o, "%s%s=\"", o->nparams++ > 0 ? ", " : "", name);
	for (; *s != '\0' && !o->err; s++) {
		if (*s == '"' || *s == '\\')
			out_add(o, "\\%c", *s);
		else
			out_add(o, "%c", *s);
	}
	out_add(o, "\"");
}

static int
str_ok(const char *s)
{
	for (; *s != '\0'; s++)
		if (is_ctl((unsigned char)*s))
			return 0;
	return 1;
}

/* ========================================================================== */

int
auth_answer_challenge(struct auth_client *ac, const msg_auth_t *challenges, int proxy,
    const struct auth_req *rq, char *out, size_t outlen)
{
	struct challenge best, c;
	char cnonce[CNONCE_MAX], nc[9], response[HEX_MAX], user[HEX_MAX];
	struct outbuf o = { out, outlen, 0, 0, 0 };
	const msg_auth_t *au;
	const char *username;
	uint32_t ncount = 1;
	int err, found = 0, why = ENOTSUP, stale;

	if (out != NULL && outlen > 0)
		out[0] = '\0';
	if (ac == NULL || rq == NULL || out == NULL || outlen == 0 || challenges == NULL ||
	    rq->method == NULL || rq->uri == NULL || rq->username == NULL ||
	    rq->password == NULL)
		return EINVAL;
	if (!str_ok(rq->method) || !str_ok(rq->uri) || !str_ok(rq->username))
		return EINVAL;
	memset(&best, 0, sizeof(best));

	for (au = challenges; au != NULL; au = au->au_next) {
		err = challenge_parse(au, &c);
		if (err == EINVAL)
			why = EINVAL;
		if (err != 0)
			continue;
		if (!found || challenge_rank(&c) > challenge_rank(&best)) {
			best = c;
			found = 1;
		}
	}
	if (!found) {
		log_debug("auth: no acceptable challenge in %s (%s)",
		    proxy ? "407" : "401", why == EINVAL ? "malformed" : "unsupported");
		return why;
	}

	/* A second challenge to our own answer: rejected, unless only the nonce aged. */
	stale = 0;
	if (rq->retry) {
		if (!best.stale || ac->stale >= AUTH_MAX_STALE) {
			log_debug("auth: realm=\"%s\" username=\"%s\": credentials rejected%s",
			    best.realm, rq->username, best.stale ? " (stale again)" : "");
			return EACCES;
		}
		stale = ac->stale + 1;
	}

	if (best.qop) {
		if (strcmp(ac->nonce, best.nonce) == 0 && strcmp(ac->realm, best.realm) == 0)
			ncount = ac->nc + 1 == 0 ? 1 : ac->nc + 1;
		snprintf(nc, sizeof(nc), "%08x", ncount);
		if ((err = make_cnonce(cnonce)) != 0)
			return err;
	} else {
		nc[0] = '\0';
		cnonce[0] = '\0';
	}

	username = rq->username;
	if (best.userhash) {
		const char *uh[] = { rq->username, best.realm };

		if ((err = hash_hex(alg_md(best.alg), user, uh, 2)) != 0)
			return err;
		username = user;
	}
	if ((err = digest_response(&best, rq, cnonce, nc, response)) != 0)
		return err;

	out_add(&o, "Digest ");
	out_quoted(&o, "username", username);
	out_quoted(&o, "realm", best.realm);
	out_quoted(&o, "nonce", best.nonce);
	out_quoted(&o, "uri", rq->uri);
	out_quoted(&o, "response", response);
	if (best.alg_given)
		out_add(&o, ", algorithm=%s", auth_alg_str(best.alg));
	if (best.qop)
		out_quoted(&o, "cnonce", cnonce);
	if (best.has_opaque)
		out_quoted(&o, "opaque", best.opaque);
	if (best.qop)
		out_add(&o, ", qop=auth, nc=%s", nc);
	if (best.userhash)
		out_add(&o, ", userhash=true");
	OPENSSL_cleanse(response, sizeof(response));
	if (o.err) {
		OPENSSL_cleanse(out, outlen);
		out[0] = '\0';
		return o.err;
	}

	snprintf(ac->realm, sizeof(ac->realm), "%s", best.realm);
	snprintf(ac->nonce, sizeof(ac->nonce), "%s", best.nonce);
	ac->nc = best.qop ? ncount : 0;
	ac->stale = stale;
	ac->alg = best.alg;
	ac->proxy = proxy ? 1 : 0;
	log_debug("auth: answering %s realm=\"%s\" algorithm=%s username=\"%s\"%s",
	    proxy ? "407" : "401", best.realm, auth_alg_str(best.alg), rq->username,
	    stale ? " (stale nonce)" : "");
	return 0;
}

int
auth_answer(struct auth_client *ac, const sip_t *resp, const struct auth_req *rq,
    char *out, size_t outlen)
{
	const msg_auth_t *list;
	int status, proxy;

	if (out != NULL && outlen > 0)
		out[0] = '\0';
	if (resp == NULL)
		return EINVAL;
	status = resp->sip_status != NULL ? resp->sip_status->st_status : 0;
	if (status == 407 || (status != 401 && resp->sip_proxy_authenticate != NULL)) {
		list = resp->sip_proxy_authenticate;
		proxy = 1;
	} else {
		list = resp->sip_www_authenticate;
		proxy = 0;
	}
	return auth_answer_challenge(ac, list, proxy, rq, out, outlen);
}
