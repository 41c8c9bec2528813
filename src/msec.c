/* msec.c: media security: SDES keys (RFC 4568), the SRTP engines' known-answer test and selection, the msec_ctx entry points. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "msec_int.h"

static const struct {
	const char	*name;
	enum msec_suite	 suite;
} suite_names[] = {
	{ "AES_CM_128_HMAC_SHA1_80", MSEC_AES_CM_128_HMAC_SHA1_80 },
	{ "AES_CM_128_HMAC_SHA1_32", MSEC_AES_CM_128_HMAC_SHA1_32 },
	{ "AES_192_CM_HMAC_SHA1_80", MSEC_AES_192_CM_HMAC_SHA1_80 },
	{ "AES_192_CM_HMAC_SHA1_32", MSEC_AES_192_CM_HMAC_SHA1_32 },
	{ "AES_256_CM_HMAC_SHA1_80", MSEC_AES_256_CM_HMAC_SHA1_80 },
	{ "AES_256_CM_HMAC_SHA1_32", MSEC_AES_256_CM_HMAC_SHA1_32 },
	/* AWS (Chime) spelling; msec_suite_name() returns the RFC 6188 one above */
	{ "AES_CM_192_HMAC_SHA1_80", MSEC_AES_192_CM_HMAC_SHA1_80 },
	{ "AES_CM_192_HMAC_SHA1_32", MSEC_AES_192_CM_HMAC_SHA1_32 },
	{ "AES_CM_256_HMAC_SHA1_80", MSEC_AES_256_CM_HMAC_SHA1_80 },
	{ "AES_CM_256_HMAC_SHA1_32", MSEC_AES_256_CM_HMAC_SHA1_32 },
};

#define NSUITE_NAMES	(sizeof(suite_names) / sizeof(suite_names[0]))

static int msec_initialised;

/* The engines, by enum msec_engine. */
static const struct msec_ops *const engines[] = {
	[MSEC_ENGINE_OPENSSL] = &msec_ossl_ops,
	[MSEC_ENGINE_LIBSRTP2] = &msec_srtp2_ops,
};

#define NENGINES	(sizeof(engines) / sizeof(engines[0]))

/* The engine new contexts get (msec_engine_set). */
static enum msec_engine engine = MSEC_ENGINE_OPENSSL;
/* Engines whose library started in msec_init. */
static int engine_up[NENGINES];

/*
 * Suites that passed the known-answer test in msec_init, per engine: each
 * engine checked against an independent RFC 3711 / RFC 6188 implementation at
 * every start.  libsrtp2 without the fix for cisco/libsrtp#763 (PRs #765 and
 * #770, 2025), Debian 12's 2.5.0 among them, derives the AES-192 session keys
 * with the AES-256 PRF: its 192-bit suites fail here and are not offered or
 * accepted while it is in force.  Testing instead of trusting the version
 * lets a fixed library bring them back without a change here.
 */
static int suite_ok[NENGINES][MSEC_AES_256_CM_HMAC_SHA1_32 + 1];

/* ========================================================================= */

/*
 * Known answers from an independent RFC 3711 / RFC 6188 implementation
 * (python3-cryptography; see tests/unit/test_msec.c): master key||salt bytes
 * 0, 1, 2, ..., RTP header 80 00 0001 00000000 00000001 and 16 zero bytes of
 * payload, protected with the *_80 suite of each key size.  What follows the
 * header: 16 bytes of ciphertext and the 10-byte tag.
 */
static const struct {
	enum msec_suite	 s80, s32;
	uint8_t		 out[16 + 10];
} kat[] = {
	{ MSEC_AES_CM_128_HMAC_SHA1_80, MSEC_AES_CM_128_HMAC_SHA1_32, {
	    0xf5, 0x2c, 0x1f, 0xbd, 0xd8, 0x19, 0x97, 0x6b, 0x1f, 0xc7, 0x4f, 0x93, 0x3c,
	    0x80, 0x94, 0xba, 0xc6, 0x8f, 0xd6, 0x9f, 0x45, 0xd3, 0x2a, 0xf7, 0x67, 0x2a } },
	{ MSEC_AES_192_CM_HMAC_SHA1_80, MSEC_AES_192_CM_HMAC_SHA1_32, {
	    0x54, 0xc9, 0xfa, 0xc7, 0x67, 0x29, 0x23, 0x68, 0xfb, 0xf7, 0x62, 0x1c, 0x9a,
	    0x19, 0x74, 0x17, 0x89, 0xc8, 0xa9, 0xf7, 0xb5, 0xd3, 0xc3, 0x0f, 0x84, 0xe9 } },
	{ MSEC_AES_256_CM_HMAC_SHA1_80, MSEC_AES_256_CM_HMAC_SHA1_32, {
	    0x4c, 0xbc, 0x6f, 0x2a, 0x98, 0xa3, 0xed, 0x11, 0x18, 0x81, 0xfb, 0x96, 0x39,
	    0xea, 0xcf, 0x23, 0x29, 0x4c, 0xee, 0x57, 0x63, 0x2b, 0xd0, 0xab, 0x78, 0xaa } },
};

/* Nonzero if engine e protects the known packet into the known answer. */
static int
kat_pass(const struct msec_ops *e, size_t i)
{
	struct msec_key	 k;
	struct msec_ctx	*c;
	uint8_t		 pkt[12 + 16 + MSEC_MAX_TRAILER];
	size_t		 len = 12 + 16;
	int		 ok;

	memset(&k, 0, sizeof(k));
	k.suite = kat[i].s80;
	k.len = msec_key_len(k.suite);
	for (size_t b = 0; b < k.len; b++)
		k.key[b] = (uint8_t)b;
	memset(pkt, 0, sizeof(pkt));
	pkt[0] = 0x80;
	pkt[3] = 1;		/* seq 1 */
	pkt[11] = 1;		/* SSRC 1 */
	if (e->ctx_new(&c, &k, MSEC_PROTECT) != 0)
		return 0;
	ok = e->rtp(c, pkt, &len) == 0 && len == 12 + 16 + 10 &&
	    memcmp(pkt + 12, kat[i].out, sizeof(kat[i].out)) == 0;
	e->ctx_free(c);
	msec_key_clear(&k);
	return ok;
}

/*
 * Every engine is started and tested, whichever is in force, so that a
 * reload can switch without surprises.  Only the openssl engine must start;
 * a libsrtp2 that does not leaves that engine unselectable.
 */
int
msec_init(void)
{
	if (msec_initialised)
		return 0;
	for (size_t e = 0; e < NENGINES; e++) {
		if (engines[e]->init() != 0) {
			if (e == MSEC_ENGINE_OPENSSL)
				return EIO;
			continue;
		}
		engine_up[e] = 1;
		for (size_t i = 0; i < sizeof(kat) / sizeof(kat[0]); i++)
			suite_ok[e][kat[i].s80] = suite_ok[e][kat[i].s32] =
			    kat_pass(engines[e], i);
	}
	engine = MSEC_ENGINE_OPENSSL;
	msec_initialised = 1;
	return 0;
}

void
msec_fini(void)
{
	if (!msec_initialised)
		return;
	for (size_t e = 0; e < NENGINES; e++)
		if (engine_up[e])
			engines[e]->fini();
	memset(engine_up, 0, sizeof(engine_up));
	memset(suite_ok, 0, sizeof(suite_ok));
	engine = MSEC_ENGINE_OPENSSL;
	msec_initialised = 0;
}

int
msec_engine_suite_supported(enum msec_engine e, enum msec_suite s)
{
	return (unsigned)e < NENGINES && s > MSEC_NONE && s <= MSEC_AES_256_CM_HMAC_SHA1_32 &&
	    suite_ok[e][s];
}

int
msec_suite_supported(enum msec_suite s)
{
	return msec_engine_suite_supported(engine, s);
}

int
msec_engine_set(enum msec_engine e)
{
	if ((unsigned)e >= NENGINES)
		return EINVAL;
	if (!engine_up[e])
		return ENOTSUP;
	engine = e;
	return 0;
}

enum msec_engine
msec_engine_get(void)
{
	return engine;
}

const char *
msec_engine_name(enum msec_engine e)
{
	return (unsigned)e < NENGINES ? engines[e]->name : "?";
}

/* ========================================================================= */

/* ABNF literals are case-insensitive (RFC 5234), hence strcasecmp. */
enum msec_suite
msec_suite_by_name(const char *name)
{
	if (name == NULL)
		return MSEC_NONE;
	for (size_t i = 0; i < NSUITE_NAMES; i++)
		if (strcasecmp(name, suite_names[i].name) == 0)
			return suite_names[i].suite;
	return MSEC_NONE;
}

const char *
msec_suite_name(enum msec_suite s)
{
	for (size_t i = 0; i < NSUITE_NAMES; i++)
		if (suite_names[i].suite == s)
			return suite_names[i].name;
	return "NONE";
}

size_t
msec_key_len(enum msec_suite s)
{
	switch (s) {
	case MSEC_AES_CM_128_HMAC_SHA1_80:
	case MSEC_AES_CM_128_HMAC_SHA1_32:
		return 16 + 14;
	case MSEC_AES_192_CM_HMAC_SHA1_80:
	case MSEC_AES_192_CM_HMAC_SHA1_32:
		return 24 + 14;
	case MSEC_AES_256_CM_HMAC_SHA1_80:
	case MSEC_AES_256_CM_HMAC_SHA1_32:
		return 32 + 14;
	case MSEC_NONE:
		break;
	}
	return 0;
}

/* ========================================================================= */

static const char b64chars[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static int
b64val(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/*
 * Strict base64 (RFC 4648 alphabet, no whitespace) of exactly want bytes
 * from s[0..n).  The '=' padding may be left out: some peers (FreeSWITCH for
 * the 192/256-bit suites) send the key unpadded.  0 or EINVAL.
 */
static int
b64_decode_exact(const char *s, size_t n, uint8_t *out, size_t want)
{
	size_t	 chars = (want * 8 + 5) / 6;	/* without padding */
	size_t	 padded = (want + 2) / 3 * 4;
	uint32_t acc = 0;
	int	 bits = 0;
	size_t	 o = 0;

	if (n != chars && n != padded)
		return EINVAL;
	for (size_t i = chars; i < n; i++)
		if (s[i] != '=')
			return EINVAL;
	for (size_t i = 0; i < chars; i++) {
		int v = b64val(s[i]);

		if (v < 0)
			return EINVAL;
		acc = (acc << 6) | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (o < want)
				out[o++] = (uint8_t)(acc >> bits);
		}
		acc &= (1u << bits) - 1;	/* keep only the pending bits */
	}
	acc = 0;
	return o == want ? 0 : EINVAL;
}

/* Lifetime: decimal digits, or "2^" and decimal digits.  Nonzero if valid. */
static int
lifetime_ok(const char *s, size_t n)
{
	if (n > 2 && s[0] == '2' && s[1] == '^') {
		s += 2;
		n -= 2;
	}
	if (n == 0)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

/* MKI: "<value>:<length>", both decimal.  Nonzero if it has that shape. */
static int
mki_shape(const char *s, size_t n)
{
	const char *colon = memchr(s, ':', n);

	if (colon == NULL || colon == s || colon == s + n - 1)
		return 0;
	for (const char *p = s; p < s + n; p++)
		if (p != colon && (*p < '0' || *p > '9'))
			return 0;
	return 1;
}

int
msec_key_parse(enum msec_suite s, const char *key_params, struct msec_key *out)
{
	static const char pfx[] = "inline:";
	const char	*p, *bar, *f;
	size_t		 want = msec_key_len(s), n;
	int		 err;

	memset(out, 0, sizeof(*out));
	if (want == 0 || key_params == NULL)
		return EINVAL;
	if (strncasecmp(key_params, pfx, sizeof(pfx) - 1) != 0)
		return EINVAL;
	if (strchr(key_params, ';') != NULL)
		return ENOTSUP;		/* several keys: only with MKI, unsupported */
	p = key_params + sizeof(pfx) - 1;

	bar = strchr(p, '|');
	n = bar ? (size_t)(bar - p) : strlen(p);
	if ((err = b64_decode_exact(p, n, out->key, want)) != 0)
		goto out;

	/* "|lifetime" and/or "|MKI:length", in that order (RFC 4568 9.2) */
	f = bar;
	if (f != NULL) {
		f++;
		bar = strchr(f, '|');
		n = bar ? (size_t)(bar - f) : strlen(f);
		if (mki_shape(f, n) && bar == NULL) {
			err = ENOTSUP;
			goto out;
		}
		if (!lifetime_ok(f, n)) {
			err = EINVAL;
			goto out;
		}
		/* Accepted and ignored: we re-key by re-INVITE, and the
		 * transform's own limit (the 48-bit index) is what applies. */
		if (bar != NULL) {
			f = bar + 1;
			n = strlen(f);
			err = mki_shape(f, n) ? ENOTSUP : EINVAL;
			goto out;
		}
	}
	out->suite = s;
	out->len = want;
 out:
	if (err)
		msec_key_clear(out);
	return err;
}

int
msec_key_new(enum msec_suite s, struct msec_key *out)
{
	size_t want = msec_key_len(s);

	memset(out, 0, sizeof(*out));
	if (want == 0)
		return EINVAL;
	if (RAND_bytes(out->key, (int)want) != 1) {
		msec_key_clear(out);
		return EIO;
	}
	out->suite = s;
	out->len = want;
	return 0;
}

int
msec_key_format(const struct msec_key *k, char *buf, size_t len)
{
	static const char pfx[] = "inline:";
	size_t	 need = sizeof(pfx) - 1 + (k->len + 2) / 3 * 4 + 1;
	char	*o = buf;
	size_t	 i;

	if (k->len == 0 || k->len > sizeof(k->key) || len < need)
		return ENOSPC;
	memcpy(o, pfx, sizeof(pfx) - 1);
	o += sizeof(pfx) - 1;
	for (i = 0; i + 3 <= k->len; i += 3) {
		uint32_t v = (uint32_t)k->key[i] << 16 |
		    (uint32_t)k->key[i + 1] << 8 | k->key[i + 2];

		*o++ = b64chars[v >> 18 & 63];
		*o++ = b64chars[v >> 12 & 63];
		*o++ = b64chars[v >> 6 & 63];
		*o++ = b64chars[v & 63];
	}
	if (i < k->len) {
		uint32_t v = (uint32_t)k->key[i] << 16;

		if (i + 1 < k->len)
			v |= (uint32_t)k->key[i + 1] << 8;
		*o++ = b64chars[v >> 18 & 63];
		*o++ = b64chars[v >> 12 & 63];
		*o++ = i + 1 < k->len ? b64chars[v >> 6 & 63] : '=';
		*o++ = '=';
	}
	*o = '\0';
	return 0;
}

void
msec_key_clear(struct msec_key *k)
{
	OPENSSL_cleanse(k, sizeof(*k));
}

/* ========================================================================= */

size_t
msec_rtp_tag_len(enum msec_suite s)
{
	return (s == MSEC_AES_CM_128_HMAC_SHA1_32 || s == MSEC_AES_192_CM_HMAC_SHA1_32 ||
	    s == MSEC_AES_256_CM_HMAC_SHA1_32) ? 4 : 10;
}

int
msec_ctx_new(struct msec_ctx **out, const struct msec_key *k, enum msec_dir dir)
{
	if (k == NULL || (dir != MSEC_PROTECT && dir != MSEC_UNPROTECT))
		return EINVAL;
	if (k->len == 0 || k->len != msec_key_len(k->suite))
		return EINVAL;
	if (!msec_suite_supported(k->suite))
		return ENOTSUP;
	return engines[engine]->ctx_new(out, k, dir);
}

int
msec_ctx_reset(struct msec_ctx *c)
{
	return c->ops->ctx_reset(c);
}

void
msec_ctx_free(struct msec_ctx *c)
{
	if (c != NULL)
		c->ops->ctx_free(c);
}

const char *
msec_ctx_engine(const struct msec_ctx *c)
{
	return c->ops->name;
}

int
msec_rtp(struct msec_ctx *c, uint8_t *buf, size_t *len)
{
	if (c == NULL)
		return EINVAL;
	return c->ops->rtp(c, buf, len);
}

int
msec_rtcp(struct msec_ctx *c, uint8_t *buf, size_t *len)
{
	if (c == NULL)
		return EINVAL;
	return c->ops->rtcp(c, buf, len);
}
