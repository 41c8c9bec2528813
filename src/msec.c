/* msec.c: media security: SDES keys (RFC 4568) and SRTP/SRTCP contexts over libsrtp2. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <srtp2/srtp.h>

#include "msec.h"

/*
 * Streams (SSRCs) one context keeps.  libsrtp2 clones a stream from the
 * ssrc_any template for every new SSRC and never frees it; a peer that sprays
 * SSRCs would grow the session without bound.  Beyond this many, the least
 * recently used stream is removed (a real call has one or two).
 */
#define MSEC_MAX_SSRC	16

struct msec_ctx {
	srtp_t		 srtp;
	struct msec_key	 key;		/* kept for msec_ctx_reset; wiped on free */
	enum msec_dir	 dir;
	uint32_t	 ssrc[MSEC_MAX_SSRC];	/* network byte order, as libsrtp keys them */
	uint64_t	 used[MSEC_MAX_SSRC];	/* tick of last use, for LRU eviction */
	unsigned	 nssrc;
	unsigned	 last;		/* slot of the previous packet: the fast path */
	uint64_t	 tick;
};

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

/*
 * One session held open from msec_init to msec_fini.  Debian's libsrtp2 is
 * built on NSS, and each of its ciphers opens an NSS context and closes it
 * when freed: when the last one closes, NSS shuts down, and the next call's
 * session starts it again, about 0.75 ms instead of 30 us per session here
 * (tests/bench/srtpcost, docs/performance.md).  Holding one keeps NSS up.
 */
static srtp_t keeper;

/*
 * Suites that passed the known-answer test in msec_init.  libsrtp2 without
 * the fix for cisco/libsrtp#763 (PRs #765 and #770, 2025), Debian 12's 2.5.0
 * among them, derives the AES-192 session keys with the AES-256 PRF unless it
 * was built with the OpenSSL KDF: its 192-bit suites run but do not
 * interoperate with RFC 6188 peers.  Testing instead of trusting the version
 * lets a fixed library bring them back without a change here.
 */
static int suite_ok[MSEC_AES_256_CM_HMAC_SHA1_32 + 1];

static int policy_for(srtp_policy_t *p, const struct msec_key *k, enum msec_dir dir);

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

/* Nonzero if libsrtp2 protects the known packet into the known answer. */
static int
kat_pass(size_t i)
{
	struct msec_key	 k;
	srtp_policy_t	 p;
	srtp_t		 srtp;
	uint8_t		 pkt[12 + 16 + SRTP_MAX_TRAILER_LEN];
	int		 len = 12 + 16, ok;

	memset(&k, 0, sizeof(k));
	k.suite = kat[i].s80;
	k.len = msec_key_len(k.suite);
	for (size_t b = 0; b < k.len; b++)
		k.key[b] = (uint8_t)b;
	memset(pkt, 0, sizeof(pkt));
	pkt[0] = 0x80;
	pkt[3] = 1;		/* seq 1 */
	pkt[11] = 1;		/* SSRC 1 */
	if (policy_for(&p, &k, MSEC_PROTECT) != 0 ||
	    srtp_create(&srtp, &p) != srtp_err_status_ok)
		return 0;
	ok = srtp_protect(srtp, pkt, &len) == srtp_err_status_ok &&
	    len == 12 + 16 + 10 &&
	    memcmp(pkt + 12, kat[i].out, sizeof(kat[i].out)) == 0;
	srtp_dealloc(srtp);
	return ok;
}

int
msec_init(void)
{
	if (msec_initialised)
		return 0;
	if (srtp_init() != srtp_err_status_ok)
		return EIO;
	{
		struct msec_key	 k;
		srtp_policy_t	 p;

		/* any key will do: the session never sees a packet */
		memset(&k, 0, sizeof(k));
		k.suite = MSEC_AES_CM_128_HMAC_SHA1_80;
		k.len = msec_key_len(k.suite);
		if (policy_for(&p, &k, MSEC_PROTECT) != 0 ||
		    srtp_create(&keeper, &p) != srtp_err_status_ok)
			keeper = NULL;	/* slower calls, nothing worse */
	}
	for (size_t i = 0; i < sizeof(kat) / sizeof(kat[0]); i++)
		suite_ok[kat[i].s80] = suite_ok[kat[i].s32] = kat_pass(i);
	msec_initialised = 1;
	return 0;
}

void
msec_fini(void)
{
	if (!msec_initialised)
		return;
	if (keeper != NULL) {
		srtp_dealloc(keeper);
		keeper = NULL;
	}
	srtp_shutdown();
	memset(suite_ok, 0, sizeof(suite_ok));
	msec_initialised = 0;
}

int
msec_suite_supported(enum msec_suite s)
{
	return s > MSEC_NONE && s <= MSEC_AES_256_CM_HMAC_SHA1_32 && suite_ok[s];
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
		/* Accepted and ignored: we re-key by re-INVITE, and libsrtp2's
		 * own limit (2^48) is what applies. */
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

/*
 * The libsrtp2 policy for k.  SRTCP always uses the 80-bit tag: RFC 4568
 * 6.2.2 and RFC 6188 give the *_32 suites a 32-bit tag for SRTP only, and
 * libsrtp2 does the same for the DTLS profiles (RFC 3711 7.5).
 */
static int
policy_for(srtp_policy_t *p, const struct msec_key *k, enum msec_dir dir)
{
	memset(p, 0, sizeof(*p));
	switch (k->suite) {
	case MSEC_AES_CM_128_HMAC_SHA1_80:
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&p->rtp);
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&p->rtcp);
		break;
	case MSEC_AES_CM_128_HMAC_SHA1_32:
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_32(&p->rtp);
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&p->rtcp);
		break;
	case MSEC_AES_192_CM_HMAC_SHA1_80:
		srtp_crypto_policy_set_aes_cm_192_hmac_sha1_80(&p->rtp);
		srtp_crypto_policy_set_aes_cm_192_hmac_sha1_80(&p->rtcp);
		break;
	case MSEC_AES_192_CM_HMAC_SHA1_32:
		srtp_crypto_policy_set_aes_cm_192_hmac_sha1_32(&p->rtp);
		srtp_crypto_policy_set_aes_cm_192_hmac_sha1_80(&p->rtcp);
		break;
	case MSEC_AES_256_CM_HMAC_SHA1_80:
		srtp_crypto_policy_set_aes_cm_256_hmac_sha1_80(&p->rtp);
		srtp_crypto_policy_set_aes_cm_256_hmac_sha1_80(&p->rtcp);
		break;
	case MSEC_AES_256_CM_HMAC_SHA1_32:
		srtp_crypto_policy_set_aes_cm_256_hmac_sha1_32(&p->rtp);
		srtp_crypto_policy_set_aes_cm_256_hmac_sha1_80(&p->rtcp);
		break;
	default:
		return EINVAL;
	}
	if (k->len != msec_key_len(k->suite))
		return EINVAL;
	p->ssrc.type = dir == MSEC_PROTECT ? ssrc_any_outbound : ssrc_any_inbound;
	p->key = (unsigned char *)k->key;	/* libsrtp2 copies what it derives */
	p->window_size = 1024;
	/* We relay: a sender may legitimately repeat a packet (retransmitted
	 * by the peer, or duplicated on the way); re-protecting it is safe
	 * because the plaintext is the same. */
	p->allow_repeat_tx = dir == MSEC_PROTECT;
	/*
	 * No key lifetime is set: libsrtp2 then applies its own limit of 2^48
	 * packets (srtp_key_limit_set(..., 0xffffffffffff) in srtp_stream_init),
	 * so an SDES "|2^20" never stops a call after 2^20 packets.
	 */
	return 0;
}

static int
map_status(srtp_err_status_t st)
{
	switch (st) {
	case srtp_err_status_ok:
		return 0;
	case srtp_err_status_auth_fail:
	case srtp_err_status_replay_fail:
	case srtp_err_status_replay_old:
		return EACCES;
	case srtp_err_status_bad_param:
	case srtp_err_status_parse_err:
		return EINVAL;
	case srtp_err_status_alloc_fail:
		return ENOMEM;
	default:
		return EIO;
	}
}

static int
ctx_create(struct msec_ctx *c)
{
	srtp_policy_t	 p;
	int		 err;

	if ((err = policy_for(&p, &c->key, c->dir)) != 0)
		return err;
	err = map_status(srtp_create(&c->srtp, &p));
	if (err) {
		c->srtp = NULL;
		/* the key and suite are valid: this libsrtp2 cannot do it */
		return err == ENOMEM ? ENOMEM : ENOTSUP;
	}
	c->nssrc = 0;
	c->last = 0;
	return 0;
}

int
msec_ctx_new(struct msec_ctx **out, const struct msec_key *k, enum msec_dir dir)
{
	struct msec_ctx	*c;
	int		 err;

	if (k == NULL || (dir != MSEC_PROTECT && dir != MSEC_UNPROTECT))
		return EINVAL;
	if (k->len == 0 || k->len != msec_key_len(k->suite))
		return EINVAL;
	if (!msec_suite_supported(k->suite))
		return ENOTSUP;
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return ENOMEM;
	c->key = *k;
	c->dir = dir;
	if ((err = ctx_create(c)) != 0)
		goto out;
 out:
	if (err)
		msec_ctx_free(c);
	else
		*out = c;
	return err;
}

int
msec_ctx_reset(struct msec_ctx *c)
{
	if (c->srtp != NULL) {
		srtp_dealloc(c->srtp);
		c->srtp = NULL;
	}
	return ctx_create(c);
}

void
msec_ctx_free(struct msec_ctx *c)
{
	if (c == NULL)
		return;
	if (c->srtp != NULL)
		srtp_dealloc(c->srtp);
	msec_key_clear(&c->key);
	free(c);
}

/* ========================================================================= */

/* Slot of ssrc in c's table, or -1. */
static int
ssrc_find(struct msec_ctx *c, uint32_t ssrc)
{
	if (c->nssrc > 0 && c->ssrc[c->last] == ssrc)
		return (int)c->last;
	for (unsigned i = 0; i < c->nssrc; i++)
		if (c->ssrc[i] == ssrc)
			return (int)i;
	return -1;
}

/* After a packet of ssrc went through: note it, and evict the least recently
 * used stream when the table is full. */
static void
ssrc_note(struct msec_ctx *c, int slot, uint32_t ssrc)
{
	if (slot < 0) {
		if (c->nssrc < MSEC_MAX_SSRC) {
			slot = (int)c->nssrc++;
		} else {
			slot = 0;
			for (unsigned i = 1; i < c->nssrc; i++)
				if (c->used[i] < c->used[slot])
					slot = (int)i;
			(void)srtp_remove_stream(c->srtp, c->ssrc[slot]);
		}
		c->ssrc[slot] = ssrc;
	}
	c->used[slot] = ++c->tick;
	c->last = (unsigned)slot;
}

/*
 * One packet through libsrtp2.  The fixed header (12 bytes RTP, 8 RTCP) and
 * version 2 are checked here, so that the SSRC can be read and garbage is
 * EINVAL rather than a libsrtp2 status; libsrtp2 checks CSRCs and extensions.
 */
static int
msec_packet(struct msec_ctx *c, uint8_t *buf, size_t *len, int rtcp)
{
	size_t		 hlen = rtcp ? 8 : 12;
	size_t		 off = rtcp ? 4 : 8;
	uint32_t	 ssrc;
	int		 n, slot, err;
	srtp_err_status_t st;

	if (c == NULL || c->srtp == NULL || buf == NULL || len == NULL)
		return EINVAL;
	if (*len < hlen || *len > INT_MAX - MSEC_MAX_TRAILER ||
	    (buf[0] & 0xc0) != 0x80)
		return EINVAL;
	if (c->dir == MSEC_UNPROTECT && *len < hlen + (rtcp ? 4 + 10 : 4))
		return EINVAL;		/* no room for the trailer: not SRTP */
	memcpy(&ssrc, buf + off, sizeof(ssrc));
	slot = ssrc_find(c, ssrc);
	n = (int)*len;
	if (c->dir == MSEC_PROTECT)
		st = rtcp ? srtp_protect_rtcp(c->srtp, buf, &n) :
		    srtp_protect(c->srtp, buf, &n);
	else
		st = rtcp ? srtp_unprotect_rtcp(c->srtp, buf, &n) :
		    srtp_unprotect(c->srtp, buf, &n);
	if ((err = map_status(st)) != 0) {
		/* libsrtp2 clones a new stream before protecting; if protect
		 * then failed, do not leave an untracked stream behind. */
		if (slot < 0 && c->dir == MSEC_PROTECT)
			(void)srtp_remove_stream(c->srtp, ssrc);
		return err;
	}
	ssrc_note(c, slot, ssrc);
	*len = (size_t)n;
	return 0;
}

int
msec_rtp(struct msec_ctx *c, uint8_t *buf, size_t *len)
{
	return msec_packet(c, buf, len, 0);
}

int
msec_rtcp(struct msec_ctx *c, uint8_t *buf, size_t *len)
{
	return msec_packet(c, buf, len, 1);
}
