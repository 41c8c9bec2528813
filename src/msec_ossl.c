/* msec_ossl.c: the "openssl" SRTP engine: sbcd's own RFC 3711 / RFC 6188 transform on OpenSSL AES-CTR and HMAC-SHA1. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "msec_int.h"

struct ossl_ctx;
static void ctx_free(struct ossl_ctx *c);

/*
 * The SRTP transform (RFC 3711, RFC 6188 for the 192/256-bit keys), on
 * OpenSSL: AES in counter mode and HMAC-SHA1, key derivation rate 0, no MKI.
 * Debian 12's libsrtp2 is built on NSS, which sets up a PKCS#11 context for
 * every packet and an NSS context for every cipher: about 3 us a packet and
 * 30 us (0.75 ms when NSS has to start) a session, against 0.5 us and a few
 * us here (tests/bench/srtpcost, docs/performance.md).  The known-answer
 * test in msec_init and the independent vectors in tests/unit/test_msec.c
 * hold this code to the RFCs.
 */

#define WIN_BITS	1024	/* replay window, as libsrtp2's window_size */
#define WIN_WORDS	(WIN_BITS / 64)
#define RTCP_TAG	10	/* SRTCP always has the 80-bit tag (RFC 4568 6.2.2) */
#define SRTCP_E		0x80000000u

/* What one direction of one SSRC remembers. */
struct msec_stream {
	uint32_t	 ssrc;		/* network byte order */
	int		 rtp_started;
	uint64_t	 rtp_hi;	/* highest RTP index (ROC << 16 | SEQ) */
	uint64_t	 rtp_win[WIN_WORDS];	/* bit k: index rtp_hi - k seen */
	int		 rtcp_started;
	uint32_t	 rtcp_hi;	/* highest SRTCP index received, last sent */
	uint64_t	 rtcp_win[WIN_WORDS];
};

/* The session keys of RTP or of RTCP (RFC 3711 4.3). */
struct msec_keys {
	EVP_CIPHER_CTX	*enc;		/* keyed once; the IV is set per packet */
	EVP_MAC_CTX	*auth;		/* keyed once; re-initialised per packet */
	uint8_t		 salt[14];
};

/*
 * AES-CTR for a key length, fetched from the provider once: an implicit fetch
 * at every EVP_EncryptInit_ex was a third of a context's set-up (callgrind).
 * Kept for the process's life (OpenSSL frees them at exit).
 */
static const EVP_CIPHER *
cipher_for(size_t keylen)
{
	static EVP_CIPHER	*ctr[3];
	static const char	*names[3] = { "AES-128-CTR", "AES-192-CTR", "AES-256-CTR" };
	int			 i = keylen == 16 ? 0 : keylen == 24 ? 1 : keylen == 32 ? 2 : -1;

	if (i < 0)
		return NULL;
	if (ctr[i] == NULL)
		ctr[i] = EVP_CIPHER_fetch(NULL, names[i], NULL);
	return ctr[i];
}

/* out = the first n bytes of the AES-CM PRF of the master key for label (RFC 3711 4.3.1, kdr 0) */
static int
kdf(const uint8_t *mkey, size_t mklen, const uint8_t *msalt, uint8_t label, uint8_t *out,
    size_t n)
{
	EVP_CIPHER_CTX	*c = EVP_CIPHER_CTX_new();
	uint8_t		 iv[16];
	int		 outl, ok;

	if (c == NULL)
		return ENOMEM;
	memcpy(iv, msalt, 14);
	iv[7] ^= label;
	iv[14] = iv[15] = 0;
	memset(out, 0, n);
	ok = EVP_EncryptInit_ex(c, cipher_for(mklen), NULL, mkey, iv) &&
	    EVP_EncryptUpdate(c, out, &outl, out, (int)n) && outl == (int)n;
	EVP_CIPHER_CTX_free(c);
	OPENSSL_cleanse(iv, sizeof(iv));
	return ok ? 0 : EIO;
}

static void
keys_free(struct msec_keys *k)
{
	EVP_CIPHER_CTX_free(k->enc);
	EVP_MAC_CTX_free(k->auth);
	OPENSSL_cleanse(k->salt, sizeof(k->salt));
	k->enc = NULL;
	k->auth = NULL;
}

/* The session keys for RTP (labels 0, 1, 2) or RTCP (3, 4, 5). */
static int
keys_derive(struct msec_keys *k, const struct msec_key *mk, uint8_t label0)
{
	static EVP_MAC	*hmac;
	size_t		 mklen = mk->len - 14;
	uint8_t		 ke[32], ka[20];
	char		 sha1[] = "SHA1";
	OSSL_PARAM	 params[2];
	int		 err;

	if (hmac == NULL && (hmac = EVP_MAC_fetch(NULL, "HMAC", NULL)) == NULL)
		return EIO;
	if ((err = kdf(mk->key, mklen, mk->key + mklen, label0, ke, mklen)) != 0 ||
	    (err = kdf(mk->key, mklen, mk->key + mklen, label0 + 1, ka, sizeof(ka))) != 0 ||
	    (err = kdf(mk->key, mklen, mk->key + mklen, label0 + 2, k->salt, sizeof(k->salt))) != 0)
		goto out;
	err = ENOMEM;
	if ((k->enc = EVP_CIPHER_CTX_new()) == NULL || (k->auth = EVP_MAC_CTX_new(hmac)) == NULL)
		goto out;
	err = EIO;
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, sha1, 0);
	params[1] = OSSL_PARAM_construct_end();
	if (!EVP_EncryptInit_ex(k->enc, cipher_for(mklen), NULL, ke, NULL) ||
	    !EVP_MAC_init(k->auth, ka, sizeof(ka), params))
		goto out;
	err = 0;
 out:
	OPENSSL_cleanse(ke, sizeof(ke));
	OPENSSL_cleanse(ka, sizeof(ka));
	if (err)
		keys_free(k);
	return err;
}

/* buf[0..n) ^= the key stream for this SSRC and index (RFC 3711 4.1.1) */
static int
keys_crypt(struct msec_keys *k, uint32_t ssrc, uint64_t index, uint8_t *buf, size_t n)
{
	uint8_t	 iv[16];
	int	 outl;

	memcpy(iv, k->salt, 14);
	iv[14] = iv[15] = 0;
	iv[4] ^= (uint8_t)(ssrc >> 24);
	iv[5] ^= (uint8_t)(ssrc >> 16);
	iv[6] ^= (uint8_t)(ssrc >> 8);
	iv[7] ^= (uint8_t)ssrc;
	for (int b = 0; b < 6; b++)
		iv[13 - b] ^= (uint8_t)(index >> (8 * b));
	if (n == 0)
		return 0;
	if (!EVP_EncryptInit_ex(k->enc, NULL, NULL, NULL, iv) ||
	    !EVP_EncryptUpdate(k->enc, buf, &outl, buf, (int)n) || outl != (int)n)
		return EIO;
	return 0;
}

/* HMAC-SHA1 of a || b (b may be empty) into tag[20] */
static int
keys_mac(struct msec_keys *k, const uint8_t *a, size_t alen, const uint8_t *b, size_t blen,
    uint8_t tag[20])
{
	size_t	 tl;

	if (!EVP_MAC_init(k->auth, NULL, 0, NULL) || !EVP_MAC_update(k->auth, a, alen) ||
	    (blen > 0 && !EVP_MAC_update(k->auth, b, blen)) ||
	    !EVP_MAC_final(k->auth, tag, &tl, 20) || tl != 20)
		return EIO;
	return 0;
}

struct ossl_ctx {
	struct msec_ctx		 base;	/* first: ops */
	struct msec_key		 key;	/* kept for msec_ctx_reset; wiped on free */
	enum msec_dir		 dir;
	size_t			 rtp_tag;	/* 10 or 4 bytes */
	struct msec_keys	 rtp, rtcp;
	struct msec_stream	*st[MSEC_MAX_SSRC];	/* allocated as SSRCs turn up */
	uint64_t		 used[MSEC_MAX_SSRC];	/* tick of last use, for LRU eviction */
	unsigned		 nssrc;
	unsigned		 last;	/* slot of the previous packet: the fast path */
	uint64_t		 tick;
};

/* ---- replay windows: bit k set when (highest - k) was seen ---- */

/* 0 if index may pass (new, or inside the window and not seen), else EACCES;
 * *again: seen before (a repeat), as opposed to too old */
static int
win_check(const uint64_t *w, int started, uint64_t hi, uint64_t index, int *again)
{
	uint64_t d;

	*again = 0;
	if (!started || index > hi)
		return 0;
	d = hi - index;
	if (d >= WIN_BITS)
		return EACCES;
	if (w[d / 64] >> (d % 64) & 1) {
		*again = 1;
		return EACCES;
	}
	return 0;
}

static void
win_add(uint64_t *w, int *started, uint64_t *hi, uint64_t index)
{
	if (*started && index <= *hi) {
		uint64_t d = *hi - index;

		w[d / 64] |= 1ULL << (d % 64);
		return;
	}
	if (*started) {
		uint64_t	d = index - *hi;

		if (d >= WIN_BITS) {
			memset(w, 0, WIN_WORDS * sizeof(*w));
		} else {
			unsigned	ws = (unsigned)(d / 64), bs = (unsigned)(d % 64);

			for (int i = WIN_WORDS - 1; i >= 0; i--) {
				uint64_t v = i - (int)ws >= 0 ? w[i - ws] << bs : 0;

				if (bs != 0 && i - (int)ws - 1 >= 0)
					v |= w[i - ws - 1] >> (64 - bs);
				w[i] = v;
			}
		}
	} else {
		memset(w, 0, WIN_WORDS * sizeof(*w));
	}
	w[0] |= 1;
	*hi = index;
	*started = 1;
}

/* The RTP index of seq against the highest one (RFC 3711 3.3.1, Appendix A);
 * while that is below 2^15 the ROC is taken as 0, as libsrtp2 does. */
static uint64_t
rtp_index(const struct msec_stream *s, uint16_t seq)
{
	uint64_t	roc, s_l;

	if (!s->rtp_started || s->rtp_hi <= 32768)
		return seq;
	roc = s->rtp_hi >> 16;
	s_l = s->rtp_hi & 0xffff;
	if (s_l < 32768) {
		if (seq > s_l + 32768)
			return ((roc - 1) << 16) | seq;	/* roc >= 1: rtp_hi > 32768 */
	} else if (seq < s_l - 32768) {
		return ((roc + 1) << 16) | seq;
	}
	return (roc << 16) | seq;
}

/* ---- contexts ---- */

static int
ctx_create(struct ossl_ctx *c)
{
	int err;

	keys_free(&c->rtp);
	keys_free(&c->rtcp);
	if ((err = keys_derive(&c->rtp, &c->key, 0)) != 0 ||
	    (err = keys_derive(&c->rtcp, &c->key, 3)) != 0) {
		keys_free(&c->rtp);
		return err;
	}
	for (unsigned i = 0; i < c->nssrc; i++) {
		OPENSSL_cleanse(c->st[i], sizeof(*c->st[i]));
		free(c->st[i]);
		c->st[i] = NULL;
	}
	c->nssrc = 0;
	c->last = 0;
	return 0;
}

/* A context for k, whether or not its suite passed the known-answer test. */
static int
ctx_alloc(struct msec_ctx **out, const struct msec_key *k, enum msec_dir dir)
{
	struct ossl_ctx	*c;
	int		 err;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return ENOMEM;
	c->base.ops = &msec_ossl_ops;
	c->key = *k;
	c->dir = dir;
	c->rtp_tag = msec_rtp_tag_len(k->suite);
	if ((err = ctx_create(c)) != 0)
		goto out;
 out:
	if (err)
		ctx_free(c);
	else
		*out = &c->base;
	return err;
}

static int
ossl_ctx_reset(struct msec_ctx *mc)
{
	return ctx_create((struct ossl_ctx *)mc);
}

static void
ctx_free(struct ossl_ctx *c)
{
	if (c == NULL)
		return;
	keys_free(&c->rtp);
	keys_free(&c->rtcp);
	for (unsigned i = 0; i < c->nssrc; i++) {
		OPENSSL_cleanse(c->st[i], sizeof(*c->st[i]));
		free(c->st[i]);
	}
	msec_key_clear(&c->key);
	OPENSSL_cleanse(c, sizeof(*c));
	free(c);
}

/* ========================================================================= */

static int
ssrc_find(struct ossl_ctx *c, uint32_t ssrc)
{
	if (c->nssrc > 0 && c->st[c->last]->ssrc == ssrc)
		return (int)c->last;
	for (unsigned i = 0; i < c->nssrc; i++)
		if (c->st[i]->ssrc == ssrc)
			return (int)i;
	return -1;
}

/* After a packet of a new SSRC went through: give it a slot, the least
 * recently used one when the table is full; -1 without memory. */
static int
ssrc_slot(struct ossl_ctx *c)
{
	unsigned slot;

	if (c->nssrc < MSEC_MAX_SSRC) {
		if ((c->st[c->nssrc] = malloc(sizeof(*c->st[0]))) == NULL)
			return -1;
		return (int)c->nssrc++;
	}
	slot = 0;
	for (unsigned i = 1; i < c->nssrc; i++)
		if (c->used[i] < c->used[slot])
			slot = i;
	return (int)slot;
}

/* Length of the RTP header with its CSRCs and extension; 0 if it does not fit. */
static size_t
rtp_hdr_len(const uint8_t *buf, size_t len)
{
	size_t h = 12 + 4 * (size_t)(buf[0] & 0x0f);

	if (len < h)
		return 0;
	if (buf[0] & 0x10) {
		if (len < h + 4)
			return 0;
		h += 4 + 4 * (size_t)(buf[h + 2] << 8 | buf[h + 3]);
		if (len < h)
			return 0;
	}
	return h;
}

static int
srtp_one(struct ossl_ctx *c, struct msec_stream *s, uint8_t *buf, size_t *len)
{
	size_t		 h = rtp_hdr_len(buf, *len), n = *len;
	uint16_t	 seq = (uint16_t)(buf[2] << 8 | buf[3]);
	uint32_t	 ssrc = ntohl(s->ssrc);
	uint64_t	 index = rtp_index(s, seq);
	uint8_t		 roc[4], tag[20];
	int		 again, err;

	if (h == 0)
		return EINVAL;
	roc[0] = (uint8_t)(index >> 40);
	roc[1] = (uint8_t)(index >> 32);
	roc[2] = (uint8_t)(index >> 24);
	roc[3] = (uint8_t)(index >> 16);
	if (c->dir == MSEC_PROTECT) {
		/* a repeat is re-protected (the same plaintext); too old is not */
		if (win_check(s->rtp_win, s->rtp_started, s->rtp_hi, index, &again) != 0 && !again)
			return EACCES;
		if ((err = keys_crypt(&c->rtp, ssrc, index, buf + h, n - h)) != 0 ||
		    (err = keys_mac(&c->rtp, buf, n, roc, 4, tag)) != 0)
			return err;
		memcpy(buf + n, tag, c->rtp_tag);
		*len = n + c->rtp_tag;
	} else {
		if (n < h + c->rtp_tag)
			return EACCES;	/* no room for the tag: cannot be ours */
		n -= c->rtp_tag;
		if (win_check(s->rtp_win, s->rtp_started, s->rtp_hi, index, &again) != 0)
			return EACCES;
		if ((err = keys_mac(&c->rtp, buf, n, roc, 4, tag)) != 0)
			return err;
		if (CRYPTO_memcmp(tag, buf + n, c->rtp_tag) != 0)
			return EACCES;
		if ((err = keys_crypt(&c->rtp, ssrc, index, buf + h, n - h)) != 0)
			return err;
		*len = n;
	}
	win_add(s->rtp_win, &s->rtp_started, &s->rtp_hi, index);
	return 0;
}

static int
srtcp_one(struct ossl_ctx *c, struct msec_stream *s, uint8_t *buf, size_t *len)
{
	size_t		 n = *len;
	uint32_t	 ssrc = ntohl(s->ssrc), index;
	uint64_t	 hi;
	uint8_t		 tag[20];
	int		 again, err;

	if (c->dir == MSEC_PROTECT) {
		if (s->rtcp_started && s->rtcp_hi >= 0x7fffffff)
			return EIO;	/* 2^31 SRTCP packets: the key is spent */
		index = s->rtcp_started ? s->rtcp_hi + 1 : 0;
		if ((err = keys_crypt(&c->rtcp, ssrc, index, buf + 8, n - 8)) != 0)
			return err;
		buf[n] = (uint8_t)((SRTCP_E | index) >> 24);
		buf[n + 1] = (uint8_t)(index >> 16);
		buf[n + 2] = (uint8_t)(index >> 8);
		buf[n + 3] = (uint8_t)index;
		if ((err = keys_mac(&c->rtcp, buf, n + 4, NULL, 0, tag)) != 0)
			return err;
		memcpy(buf + n + 4, tag, RTCP_TAG);
		*len = n + 4 + RTCP_TAG;
		s->rtcp_hi = index;
		s->rtcp_started = 1;
		return 0;
	}
	if (n < 8 + 4 + RTCP_TAG)
		return EINVAL;
	n -= RTCP_TAG;
	index = (uint32_t)buf[n - 4] << 24 | (uint32_t)buf[n - 3] << 16 |
	    (uint32_t)buf[n - 2] << 8 | buf[n - 1];
	hi = s->rtcp_hi;
	if (win_check(s->rtcp_win, s->rtcp_started, hi, index & ~SRTCP_E, &again) != 0)
		return EACCES;
	if ((err = keys_mac(&c->rtcp, buf, n, NULL, 0, tag)) != 0)
		return err;
	if (CRYPTO_memcmp(tag, buf + n, RTCP_TAG) != 0)
		return EACCES;
	n -= 4;
	if ((index & SRTCP_E) &&
	    (err = keys_crypt(&c->rtcp, ssrc, index & ~SRTCP_E, buf + 8, n - 8)) != 0)
		return err;
	win_add(s->rtcp_win, &s->rtcp_started, &hi, index & ~SRTCP_E);
	s->rtcp_hi = (uint32_t)hi;
	*len = n;
	return 0;
}

/*
 * One packet.  The fixed header (12 bytes RTP, 8 RTCP) and version 2 are
 * checked first, so that the SSRC can be read and garbage is EINVAL.  A new
 * SSRC is tried on a fresh stream, which takes a slot only once the packet
 * went through: packets that fail authentication cannot evict a stream.
 */
static int
ossl_packet(struct ossl_ctx *c, uint8_t *buf, size_t *len, int rtcp)
{
	size_t			 hlen = rtcp ? 8 : 12;
	size_t			 off = rtcp ? 4 : 8;
	struct msec_stream	 fresh, *s;
	uint32_t		 ssrc;
	int			 slot, err;

	if (c == NULL || c->rtp.enc == NULL || buf == NULL || len == NULL)
		return EINVAL;
	if (*len < hlen || *len > INT_MAX - MSEC_MAX_TRAILER ||
	    (buf[0] & 0xc0) != 0x80)
		return EINVAL;
	if (c->dir == MSEC_UNPROTECT && *len < hlen + (rtcp ? 4 + 10 : 4))
		return EINVAL;		/* no room for the trailer: not SRTP */
	memcpy(&ssrc, buf + off, sizeof(ssrc));
	slot = ssrc_find(c, ssrc);
	if (slot >= 0) {
		s = c->st[slot];
	} else {
		memset(&fresh, 0, sizeof(fresh));
		fresh.ssrc = ssrc;
		s = &fresh;
	}
	err = rtcp ? srtcp_one(c, s, buf, len) : srtp_one(c, s, buf, len);
	if (err != 0)
		return err;
	if (slot < 0) {
		/* no memory to remember the stream: drop the packet */
		if ((slot = ssrc_slot(c)) < 0)
			return EIO;
		*c->st[slot] = fresh;
	}
	c->used[slot] = ++c->tick;
	c->last = (unsigned)slot;
	return 0;
}

static int
ossl_rtp(struct msec_ctx *c, uint8_t *buf, size_t *len)
{
	return ossl_packet((struct ossl_ctx *)c, buf, len, 0);
}

static int
ossl_rtcp(struct msec_ctx *c, uint8_t *buf, size_t *len)
{
	return ossl_packet((struct ossl_ctx *)c, buf, len, 1);
}

static void
ossl_ctx_free(struct msec_ctx *c)
{
	ctx_free((struct ossl_ctx *)c);
}

static int
ossl_init(void)
{
	return 0;
}

static void
ossl_fini(void)
{
}

const struct msec_ops msec_ossl_ops = {
	.name = "openssl",
	.init = ossl_init,
	.fini = ossl_fini,
	.ctx_new = ctx_alloc,
	.ctx_reset = ossl_ctx_reset,
	.ctx_free = ossl_ctx_free,
	.rtp = ossl_rtp,
	.rtcp = ossl_rtcp,
};
