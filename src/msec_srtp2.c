/* msec_srtp2.c: the "libsrtp2" SRTP engine: SRTP/SRTCP contexts of the system's libsrtp2. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <srtp2/srtp.h>

#include "msec_int.h"

/*
 * libsrtp2 clones a stream from the ssrc_any template for every new SSRC and
 * never frees it; the table below removes the least recently used stream
 * beyond MSEC_MAX_SSRC, so a peer that sprays SSRCs cannot grow a session.
 *
 * Debian 12's libsrtp2 (2.5.0) is built on NSS: about 3.4-5.8 us a packet
 * against 0.9 us for the openssl engine (docs/performance.md), and it derives
 * the AES-192 session keys wrongly (cisco/libsrtp#763), which the start-up
 * known-answer test catches, so that those suites are neither offered nor
 * accepted while this engine is in force.  It is here as a second,
 * independent implementation: selectable (global.srtp_engine) and the oracle
 * of tests/unit/test_msec_diff.c.
 */

struct srtp2_ctx {
	struct msec_ctx	 base;		/* first: ops */
	srtp_t		 srtp;
	struct msec_key	 key;		/* kept for msec_ctx_reset; wiped on free */
	enum msec_dir	 dir;
	uint32_t	 ssrc[MSEC_MAX_SSRC];	/* network byte order, as libsrtp keys them */
	uint64_t	 used[MSEC_MAX_SSRC];	/* tick of last use, for LRU eviction */
	unsigned	 nssrc;
	unsigned	 last;		/* slot of the previous packet: the fast path */
	uint64_t	 tick;
};

/*
 * One session held open from init to fini.  Each of NSS's ciphers opens an
 * NSS context and closes it when freed: when the last one closes, NSS shuts
 * down, and the next call's session starts it again (about 0.75 ms instead of
 * 30 us a session, tests/bench/srtpcost).  Holding one keeps NSS up.
 */
static srtp_t keeper;

/*
 * The libsrtp2 policy for k.  SRTCP always uses the 80-bit tag: RFC 4568
 * 6.2.2 and RFC 6188 give the *_32 suites a 32-bit tag for SRTP only.
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
	/* We relay: a sender may legitimately repeat a packet; re-protecting it
	 * is safe because the plaintext is the same (as the openssl engine). */
	p->allow_repeat_tx = dir == MSEC_PROTECT;
	/* No key lifetime: libsrtp2 then applies its own limit of 2^48 packets,
	 * so an SDES "|2^20" never stops a call after 2^20 packets. */
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
srtp2_init(void)
{
	struct msec_key	 k;
	srtp_policy_t	 p;

	if (srtp_init() != srtp_err_status_ok)
		return EIO;
	/* any key will do: the session never sees a packet */
	memset(&k, 0, sizeof(k));
	k.suite = MSEC_AES_CM_128_HMAC_SHA1_80;
	k.len = msec_key_len(k.suite);
	if (policy_for(&p, &k, MSEC_PROTECT) != 0 || srtp_create(&keeper, &p) != srtp_err_status_ok)
		keeper = NULL;	/* slower set-up, nothing worse */
	return 0;
}

static void
srtp2_fini(void)
{
	if (keeper != NULL) {
		srtp_dealloc(keeper);
		keeper = NULL;
	}
	srtp_shutdown();
}

static int
ctx_create(struct srtp2_ctx *c)
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

static void
srtp2_ctx_free(struct msec_ctx *mc)
{
	struct srtp2_ctx *c = (struct srtp2_ctx *)mc;

	if (c == NULL)
		return;
	if (c->srtp != NULL)
		srtp_dealloc(c->srtp);
	msec_key_clear(&c->key);
	free(c);
}

static int
srtp2_ctx_new(struct msec_ctx **out, const struct msec_key *k, enum msec_dir dir)
{
	struct srtp2_ctx	*c;
	int			 err;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return ENOMEM;
	c->base.ops = &msec_srtp2_ops;
	c->key = *k;
	c->dir = dir;
	if ((err = ctx_create(c)) != 0)
		srtp2_ctx_free(&c->base);
	else
		*out = &c->base;
	return err;
}

static int
srtp2_ctx_reset(struct msec_ctx *mc)
{
	struct srtp2_ctx *c = (struct srtp2_ctx *)mc;

	if (c->srtp != NULL) {
		srtp_dealloc(c->srtp);
		c->srtp = NULL;
	}
	return ctx_create(c);
}

/* ========================================================================= */

/* Slot of ssrc in c's table, or -1. */
static int
ssrc_find(struct srtp2_ctx *c, uint32_t ssrc)
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
ssrc_note(struct srtp2_ctx *c, int slot, uint32_t ssrc)
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
 * version 2 are checked here, as the openssl engine does, so that the SSRC
 * can be read and garbage is EINVAL rather than a libsrtp2 status.
 */
static int
srtp2_packet(struct srtp2_ctx *c, uint8_t *buf, size_t *len, int rtcp)
{
	size_t		 hlen = rtcp ? 8 : 12;
	size_t		 off = rtcp ? 4 : 8;
	uint32_t	 ssrc;
	int		 n, slot, err;
	srtp_err_status_t st;

	if (c == NULL || c->srtp == NULL || buf == NULL || len == NULL)
		return EINVAL;
	if (*len < hlen || *len > INT_MAX - MSEC_MAX_TRAILER || (buf[0] & 0xc0) != 0x80)
		return EINVAL;
	if (c->dir == MSEC_UNPROTECT && *len < hlen + (rtcp ? 4 + 10 : 4))
		return EINVAL;		/* no room for the trailer: not SRTP */
	memcpy(&ssrc, buf + off, sizeof(ssrc));
	slot = ssrc_find(c, ssrc);
	n = (int)*len;
	if (c->dir == MSEC_PROTECT)
		st = rtcp ? srtp_protect_rtcp(c->srtp, buf, &n) : srtp_protect(c->srtp, buf, &n);
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

static int
srtp2_rtp(struct msec_ctx *c, uint8_t *buf, size_t *len)
{
	return srtp2_packet((struct srtp2_ctx *)c, buf, len, 0);
}

static int
srtp2_rtcp(struct msec_ctx *c, uint8_t *buf, size_t *len)
{
	return srtp2_packet((struct srtp2_ctx *)c, buf, len, 1);
}

const struct msec_ops msec_srtp2_ops = {
	.name = "libsrtp2",
	.init = srtp2_init,
	.fini = srtp2_fini,
	.ctx_new = srtp2_ctx_new,
	.ctx_reset = srtp2_ctx_reset,
	.ctx_free = srtp2_ctx_free,
	.rtp = srtp2_rtp,
	.rtcp = srtp2_rtcp,
};
