/* test_msec_diff.c: sbcd's SRTP/SRTCP transform against libsrtp2 as an independent oracle; the two msec engines against each other. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <srtp2/srtp.h>

#include "msec.h"

/*
 * For every suite both sides implement (libsrtp2 2.5.0 derives the AES-192
 * session keys wrongly, cisco/libsrtp#763, so those two are left out), one
 * random master key, then a few thousand RTP packets (random SSRC among a
 * few, random CSRC count, header extension, payload size, marker, PT;
 * sequence numbers that start near 65535 and wrap, so the ROC changes, with
 * losses and swapped pairs) and SRTCP packets in between.  Each plaintext is
 * protected by msec and by libsrtp2, and the two results must be the same
 * bytes; then msec unprotects libsrtp2's packet and libsrtp2 msec's, and both
 * must give back the plaintext.  A tampered copy must be refused by both.
 *
 * One known difference is aligned, not hidden: RFC 3711 3.4 sets the SRTCP
 * index to 0 for the first packet sent, and msec does; libsrtp2 increments
 * before it sends, so its first index is 1.  msec therefore protects one
 * extra SRTCP packet (index 0) per SSRC first, which libsrtp2 must accept.
 *
 * The random numbers come from a fixed-seed generator (xorshift64*), so a
 * failure names a suite and a packet number that reproduce.
 */

#define SEED		0x5bcd5eed2026ULL
#define NPKT		4000
#define NSSRC		3
#define MAXPKT		(12 + 15 * 4 + 4 + 64 + 1200 + SRTP_MAX_TRAILER_LEN + 16)

static uint64_t rng_state;

static uint64_t
rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1DULL;
}

static uint32_t
rng_below(uint32_t n)
{
	return (uint32_t)(rng() >> 33) % n;
}

static void
rng_fill(uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(rng() >> 56);
}

/* The libsrtp2 policy for k: the same as sbcd used with libsrtp2 (SRTCP
 * always with the 80-bit tag, replay window 1024, repeats re-protected). */
static void
policy_for(srtp_policy_t *p, const struct msec_key *k, int outbound)
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
	case MSEC_AES_256_CM_HMAC_SHA1_80:
		srtp_crypto_policy_set_aes_cm_256_hmac_sha1_80(&p->rtp);
		srtp_crypto_policy_set_aes_cm_256_hmac_sha1_80(&p->rtcp);
		break;
	case MSEC_AES_256_CM_HMAC_SHA1_32:
		srtp_crypto_policy_set_aes_cm_256_hmac_sha1_32(&p->rtp);
		srtp_crypto_policy_set_aes_cm_256_hmac_sha1_80(&p->rtcp);
		break;
	default:
		fail_msg("suite %d has no libsrtp2 policy here", (int)k->suite);
	}
	p->ssrc.type = outbound ? ssrc_any_outbound : ssrc_any_inbound;
	p->key = (unsigned char *)k->key;
	p->window_size = 1024;
	p->allow_repeat_tx = outbound;
}

/* The two implementations, one context of each per direction. */
struct pair {
	struct msec_ctx	*m_prot, *m_unprot;
	srtp_t		 l_prot, l_unprot;
};

static void
pair_new(struct pair *pr, const struct msec_key *k)
{
	srtp_policy_t p;

	assert_int_equal(msec_ctx_new(&pr->m_prot, k, MSEC_PROTECT), 0);
	assert_int_equal(msec_ctx_new(&pr->m_unprot, k, MSEC_UNPROTECT), 0);
	policy_for(&p, k, 1);
	assert_int_equal(srtp_create(&pr->l_prot, &p), srtp_err_status_ok);
	policy_for(&p, k, 0);
	assert_int_equal(srtp_create(&pr->l_unprot, &p), srtp_err_status_ok);
}

static void
pair_free(struct pair *pr)
{
	msec_ctx_free(pr->m_prot);
	msec_ctx_free(pr->m_unprot);
	srtp_dealloc(pr->l_prot);
	srtp_dealloc(pr->l_unprot);
}

/* A random RTP packet for ssrc/seq into buf; its length. */
static size_t
make_rtp(uint8_t *buf, uint32_t ssrc, uint16_t seq, uint32_t ts)
{
	unsigned	 cc = rng_below(8) == 0 ? rng_below(4) : 0;
	int		 ext = rng_below(10) == 0;
	size_t		 n = 12, plen = rng_below(8) == 0 ? rng_below(1201) : 160;

	buf[0] = (uint8_t)(0x80 | (ext ? 0x10 : 0) | cc);
	buf[1] = (uint8_t)((rng_below(2) << 7) | rng_below(128));
	buf[2] = (uint8_t)(seq >> 8);
	buf[3] = (uint8_t)seq;
	buf[4] = (uint8_t)(ts >> 24);
	buf[5] = (uint8_t)(ts >> 16);
	buf[6] = (uint8_t)(ts >> 8);
	buf[7] = (uint8_t)ts;
	buf[8] = (uint8_t)(ssrc >> 24);
	buf[9] = (uint8_t)(ssrc >> 16);
	buf[10] = (uint8_t)(ssrc >> 8);
	buf[11] = (uint8_t)ssrc;
	rng_fill(buf + n, 4 * cc);
	n += 4 * cc;
	if (ext) {
		unsigned words = rng_below(5);

		buf[n] = 0xbe;
		buf[n + 1] = 0xde;
		buf[n + 2] = 0;
		buf[n + 3] = (uint8_t)words;
		rng_fill(buf + n + 4, 4 * words);
		n += 4 + 4 * words;
	}
	rng_fill(buf + n, plen);
	return n + plen;
}

/* A random RTCP packet (an SR with 0..3 report blocks, perhaps an SDES after
 * it) from ssrc into buf; its length. */
static size_t
make_rtcp(uint8_t *buf, uint32_t ssrc)
{
	unsigned	 rc = rng_below(4);
	size_t		 n = 28 + 24 * rc;

	buf[0] = (uint8_t)(0x80 | rc);
	buf[1] = 200;
	buf[2] = (uint8_t)((n / 4 - 1) >> 8);
	buf[3] = (uint8_t)(n / 4 - 1);
	buf[4] = (uint8_t)(ssrc >> 24);
	buf[5] = (uint8_t)(ssrc >> 16);
	buf[6] = (uint8_t)(ssrc >> 8);
	buf[7] = (uint8_t)ssrc;
	rng_fill(buf + 8, n - 8);
	if (rng_below(2)) {
		size_t words = 1 + rng_below(6);

		buf[n] = 0x81;
		buf[n + 1] = 202;
		buf[n + 2] = 0;
		buf[n + 3] = (uint8_t)words;
		rng_fill(buf + n + 4, 4 * words);
		n += 4 + 4 * words;
	}
	return n;
}

/*
 * Protect pt (n bytes) with both, compare, then cross-unprotect; a tampered
 * copy first, which both must refuse without disturbing their state.
 */
static void
one(struct pair *pr, const uint8_t *pt, size_t n, int rtcp, const char *what, int i)
{
	uint8_t	 m[MAXPKT], l[MAXPKT], t[MAXPKT];
	size_t	 mlen = n;
	int	 llen = (int)n, tlen;
	size_t	 tl;

	memcpy(m, pt, n);
	memcpy(l, pt, n);
	if ((rtcp ? msec_rtcp(pr->m_prot, m, &mlen) : msec_rtp(pr->m_prot, m, &mlen)) != 0)
		fail_msg("%s %d: msec protect failed", what, i);
	if ((rtcp ? srtp_protect_rtcp(pr->l_prot, l, &llen) :
	    srtp_protect(pr->l_prot, l, &llen)) != srtp_err_status_ok)
		fail_msg("%s %d: libsrtp2 protect failed", what, i);
	if (mlen != (size_t)llen || memcmp(m, l, mlen) != 0)
		fail_msg("%s %d: msec and libsrtp2 differ (%zu and %d bytes)", what, i, mlen, llen);

	/* a flipped bit anywhere must fail authentication in both */
	tl = mlen;
	memcpy(t, m, tl);
	t[rng_below((uint32_t)tl)] ^= (uint8_t)(1u << rng_below(8));
	if ((rtcp ? msec_rtcp(pr->m_unprot, t, &tl) : msec_rtp(pr->m_unprot, t, &tl)) == 0)
		fail_msg("%s %d: msec accepted a tampered packet", what, i);
	tlen = llen;
	memcpy(t, l, (size_t)tlen);
	t[rng_below((uint32_t)tlen)] ^= (uint8_t)(1u << rng_below(8));
	if ((rtcp ? srtp_unprotect_rtcp(pr->l_unprot, t, &tlen) :
	    srtp_unprotect(pr->l_unprot, t, &tlen)) == srtp_err_status_ok)
		fail_msg("%s %d: libsrtp2 accepted a tampered packet", what, i);

	/* msec unprotects libsrtp2's packet, libsrtp2 msec's */
	if ((rtcp ? msec_rtcp(pr->m_unprot, l, &mlen) :
	    msec_rtp(pr->m_unprot, l, &mlen)) != 0)
		fail_msg("%s %d: msec refused libsrtp2's packet", what, i);
	if (mlen != n || memcmp(l, pt, n) != 0)
		fail_msg("%s %d: msec unprotected libsrtp2's packet wrongly", what, i);
	if ((rtcp ? srtp_unprotect_rtcp(pr->l_unprot, m, &llen) :
	    srtp_unprotect(pr->l_unprot, m, &llen)) != srtp_err_status_ok)
		fail_msg("%s %d: libsrtp2 refused msec's packet", what, i);
	if ((size_t)llen != n || memcmp(m, pt, n) != 0)
		fail_msg("%s %d: libsrtp2 unprotected msec's packet wrongly", what, i);
}

/* msec's SRTCP index 0 for a new SSRC, which libsrtp2 never sends: only
 * msec protects it and only libsrtp2 unprotects it. */
static void
rtcp_index0(struct pair *pr, uint32_t ssrc, const char *what)
{
	uint8_t	 pt[MAXPKT], m[MAXPKT];
	size_t	 n = make_rtcp(pt, ssrc), mlen = n;
	int	 llen;

	memcpy(m, pt, n);
	assert_int_equal(msec_rtcp(pr->m_prot, m, &mlen), 0);
	assert_int_equal(mlen, n + 4 + 10);
	assert_int_equal(m[n], 0x80);	/* E flag, index 0 */
	assert_int_equal(m[n + 1] | m[n + 2] | m[n + 3], 0);
	llen = (int)mlen;
	if (srtp_unprotect_rtcp(pr->l_unprot, m, &llen) != srtp_err_status_ok)
		fail_msg("%s: libsrtp2 refused msec's SRTCP index 0", what);
	assert_int_equal(llen, n);
	assert_memory_equal(m, pt, n);
}

static void
run_suite(enum msec_suite s)
{
	struct msec_key	 k;
	struct pair	 pr;
	uint32_t	 ssrc[NSSRC], ts[NSSRC];
	uint16_t	 seq[NSSRC];
	int		 rtcp_seen[NSSRC] = { 0 };
	uint8_t		 pt[MAXPKT], pt2[MAXPKT];
	const char	*what = msec_suite_name(s);
	int		 wrapped = 0, nrtcp = 0;

	memset(&k, 0, sizeof(k));
	k.suite = s;
	k.len = msec_key_len(s);
	rng_fill(k.key, k.len);
	pair_new(&pr, &k);
	for (int j = 0; j < NSSRC; j++) {
		ssrc[j] = (uint32_t)rng();
		ts[j] = (uint32_t)rng();
		seq[j] = (uint16_t)rng();
	}
	/* the first SSRC must be past 2^15 before it wraps (libsrtp2 and
	 * msec take the ROC as 0 below that); prime it from 33000 */
	seq[0] = (uint16_t)(33000 + rng_below(100));
	for (int i = 0; i < NPKT; i++) {
		int	 j = (int)rng_below(NSSRC);
		size_t	 n;

		if (j == 0 && seq[0] > 33200 && seq[0] < 65000 && !wrapped)
			seq[0] = (uint16_t)(65535 - rng_below(400));	/* jump near the wrap */
		if (rng_below(40) == 0) {
			/* a swapped pair: seq+1 before seq */
			size_t n2 = make_rtp(pt2, ssrc[j], (uint16_t)(seq[j] + 1), ts[j] + 160);

			n = make_rtp(pt, ssrc[j], seq[j], ts[j]);
			one(&pr, pt2, n2, 0, what, i);
			one(&pr, pt, n, 0, what, i);
			seq[j] = (uint16_t)(seq[j] + 2);
			ts[j] += 320;
		} else {
			n = make_rtp(pt, ssrc[j], seq[j], ts[j]);
			one(&pr, pt, n, 0, what, i);
			seq[j] = (uint16_t)(seq[j] + 1 + (rng_below(50) == 0 ? rng_below(100) : 0));
			ts[j] += 160;
		}
		if (j == 0 && seq[0] < 1000)
			wrapped = 1;
		if (rng_below(20) == 0) {
			if (!rtcp_seen[j]) {
				rtcp_index0(&pr, ssrc[j], what);
				rtcp_seen[j] = 1;
			}
			n = make_rtcp(pt, ssrc[j]);
			one(&pr, pt, n, 1, what, i);
			nrtcp++;
		}
	}
	assert_true(wrapped);		/* the ROC went from 0 to 1 */
	assert_true(nrtcp > 50);
	pair_free(&pr);
	msec_key_clear(&k);
}

static void
test_diff_aes128_80(void **state)
{
	(void)state;
	run_suite(MSEC_AES_CM_128_HMAC_SHA1_80);
}

static void
test_diff_aes128_32(void **state)
{
	(void)state;
	run_suite(MSEC_AES_CM_128_HMAC_SHA1_32);
}

static void
test_diff_aes256_80(void **state)
{
	(void)state;
	run_suite(MSEC_AES_256_CM_HMAC_SHA1_80);
}

static void
test_diff_aes256_32(void **state)
{
	(void)state;
	run_suite(MSEC_AES_256_CM_HMAC_SHA1_32);
}

/* ===== the two engines behind the msec API ===== */

/*
 * Engine selection: the openssl engine is in force after msec_init; the
 * libsrtp2 engine offers what its known-answer test passed (not AES-192 with
 * 2.5.0, cisco/libsrtp#763); a context keeps the engine it was made with.
 */
static void
test_engine_select(void **state)
{
	struct msec_key	 k128, k192;
	struct msec_ctx	*before, *after, *c;

	(void)state;
	assert_int_equal(msec_engine_get(), MSEC_ENGINE_OPENSSL);
	assert_string_equal(msec_engine_name(MSEC_ENGINE_OPENSSL), "openssl");
	assert_string_equal(msec_engine_name(MSEC_ENGINE_LIBSRTP2), "libsrtp2");
	assert_int_equal(msec_engine_set((enum msec_engine)7), EINVAL);
	assert_true(msec_suite_supported(MSEC_AES_192_CM_HMAC_SHA1_80));
	assert_true(msec_engine_suite_supported(MSEC_ENGINE_LIBSRTP2, MSEC_AES_CM_128_HMAC_SHA1_80));
	assert_true(msec_engine_suite_supported(MSEC_ENGINE_LIBSRTP2, MSEC_AES_CM_128_HMAC_SHA1_32));
	assert_true(msec_engine_suite_supported(MSEC_ENGINE_LIBSRTP2, MSEC_AES_256_CM_HMAC_SHA1_80));
	assert_true(msec_engine_suite_supported(MSEC_ENGINE_LIBSRTP2, MSEC_AES_256_CM_HMAC_SHA1_32));
	if (srtp_get_version() <= 0x02050000) {	/* 2.5.0 and older: #763 unfixed */
		assert_false(msec_engine_suite_supported(MSEC_ENGINE_LIBSRTP2,
		    MSEC_AES_192_CM_HMAC_SHA1_80));
		assert_false(msec_engine_suite_supported(MSEC_ENGINE_LIBSRTP2,
		    MSEC_AES_192_CM_HMAC_SHA1_32));
	}

	assert_int_equal(msec_key_new(MSEC_AES_CM_128_HMAC_SHA1_80, &k128), 0);
	assert_int_equal(msec_key_new(MSEC_AES_192_CM_HMAC_SHA1_80, &k192), 0);
	assert_int_equal(msec_ctx_new(&before, &k128, MSEC_PROTECT), 0);
	assert_string_equal(msec_ctx_engine(before), "openssl");

	assert_int_equal(msec_engine_set(MSEC_ENGINE_LIBSRTP2), 0);
	assert_int_equal(msec_engine_get(), MSEC_ENGINE_LIBSRTP2);
	assert_int_equal(msec_ctx_new(&after, &k128, MSEC_PROTECT), 0);
	assert_string_equal(msec_ctx_engine(after), "libsrtp2");
	assert_string_equal(msec_ctx_engine(before), "openssl");
	assert_int_equal(msec_suite_supported(MSEC_AES_192_CM_HMAC_SHA1_80),
	    msec_engine_suite_supported(MSEC_ENGINE_LIBSRTP2, MSEC_AES_192_CM_HMAC_SHA1_80));
	if (!msec_suite_supported(MSEC_AES_192_CM_HMAC_SHA1_80))
		assert_int_equal(msec_ctx_new(&c, &k192, MSEC_PROTECT), ENOTSUP);
	/* a reset keeps the engine */
	assert_int_equal(msec_ctx_reset(after), 0);
	assert_string_equal(msec_ctx_engine(after), "libsrtp2");

	assert_int_equal(msec_engine_set(MSEC_ENGINE_OPENSSL), 0);
	assert_int_equal(msec_ctx_new(&c, &k192, MSEC_PROTECT), 0);
	assert_string_equal(msec_ctx_engine(c), "openssl");
	msec_ctx_free(c);
	msec_ctx_free(before);
	msec_ctx_free(after);
	msec_key_clear(&k128);
	msec_key_clear(&k192);
}

/* A context of suite s's key on engine e. */
static struct msec_ctx *
ctx_on(enum msec_engine e, const struct msec_key *k, enum msec_dir dir)
{
	struct msec_ctx *c;

	assert_int_equal(msec_engine_set(e), 0);
	assert_int_equal(msec_ctx_new(&c, k, dir), 0);
	assert_int_equal(msec_engine_set(MSEC_ENGINE_OPENSSL), 0);
	return c;
}

/*
 * The libsrtp2 engine (its stream table, status mapping, limits) against the
 * openssl engine, through msec: same SRTP bytes, each unprotects the other's
 * RTP and SRTCP, both refuse a replay and a forgery, and 20 SSRCs push both
 * past their 16-stream table.
 */
static void
engines_agree(enum msec_suite s)
{
	struct msec_key	 k;
	struct msec_ctx	*op, *ou, *lp, *lu;
	uint8_t		 pt[MAXPKT], a[MAXPKT], b[MAXPKT], f[MAXPKT];
	uint32_t	 ssrc = (uint32_t)rng();
	uint16_t	 seq = (uint16_t)(33000 + rng_below(100));
	int		 wrapped = 0;

	memset(&k, 0, sizeof(k));
	k.suite = s;
	k.len = msec_key_len(s);
	rng_fill(k.key, k.len);
	op = ctx_on(MSEC_ENGINE_OPENSSL, &k, MSEC_PROTECT);
	ou = ctx_on(MSEC_ENGINE_OPENSSL, &k, MSEC_UNPROTECT);
	lp = ctx_on(MSEC_ENGINE_LIBSRTP2, &k, MSEC_PROTECT);
	lu = ctx_on(MSEC_ENGINE_LIBSRTP2, &k, MSEC_UNPROTECT);
	for (int i = 0; i < 1500; i++) {
		uint32_t sc = i >= 1450 ? ssrc + (uint32_t)(i - 1450) % 20 : ssrc;
		size_t	 n, an, bn, rn;
		int	 rtcp = rng_below(15) == 0;

		if (i == 200)
			seq = (uint16_t)(65535 - rng_below(300));	/* toward the wrap */
		n = rtcp ? make_rtcp(pt, sc) : make_rtp(pt, sc, seq, (uint32_t)i * 160);
		memcpy(a, pt, n);
		memcpy(b, pt, n);
		an = bn = n;
		assert_int_equal(rtcp ? msec_rtcp(op, a, &an) : msec_rtp(op, a, &an), 0);
		assert_int_equal(rtcp ? msec_rtcp(lp, b, &bn) : msec_rtp(lp, b, &bn), 0);
		assert_int_equal(an, bn);
		/* SRTCP indices differ by one (libsrtp2 starts at 1): only RTP compares */
		if (!rtcp && memcmp(a, b, an) != 0)
			fail_msg("%s packet %d: the engines differ", msec_suite_name(s), i);
		/* a forgery (refused: EACCES, or EINVAL when the flipped bit
		 * spoils the header), then the packets crosswise, then a replay */
		memcpy(f, b, bn);
		rn = bn;
		f[rng_below((uint32_t)rn)] ^= 0x10;
		assert_int_not_equal(rtcp ? msec_rtcp(ou, f, &rn) : msec_rtp(ou, f, &rn), 0);
		memcpy(f, a, an);
		rn = an;
		f[rng_below((uint32_t)rn)] ^= 0x10;
		assert_int_not_equal(rtcp ? msec_rtcp(lu, f, &rn) : msec_rtp(lu, f, &rn), 0);
		assert_int_equal(rtcp ? msec_rtcp(ou, b, &bn) : msec_rtp(ou, b, &bn), 0);
		assert_int_equal(rtcp ? msec_rtcp(lu, a, &an) : msec_rtp(lu, a, &an), 0);
		assert_int_equal(an, n);
		assert_int_equal(bn, n);
		assert_memory_equal(a, pt, n);
		assert_memory_equal(b, pt, n);
		if (!rtcp) {
			if (i == 100) {
				/* a replay of what both just accepted */
				memcpy(a, pt, n);
				an = n;
				assert_int_equal(msec_rtp(op, a, &an), 0);
				memcpy(b, a, an);
				bn = an;
				assert_int_equal(msec_rtp(ou, a, &an), EACCES);
				assert_int_equal(msec_rtp(lu, b, &bn), EACCES);
			}
			if (sc == ssrc)
				seq++;
			if (seq < 100)
				wrapped = 1;
		}
	}
	assert_true(wrapped);
	msec_ctx_free(op);
	msec_ctx_free(ou);
	msec_ctx_free(lp);
	msec_ctx_free(lu);
	msec_key_clear(&k);
}

static void
test_engines_agree(void **state)
{
	(void)state;
	engines_agree(MSEC_AES_CM_128_HMAC_SHA1_80);
	engines_agree(MSEC_AES_CM_128_HMAC_SHA1_32);
	engines_agree(MSEC_AES_256_CM_HMAC_SHA1_80);
	engines_agree(MSEC_AES_256_CM_HMAC_SHA1_32);
}

static int
setup(void **state)
{
	(void)state;
	rng_state = SEED;
	/* msec_init starts libsrtp2 (srtp_init) for its libsrtp2 engine; the
	 * direct srtp_* calls here rely on that (a second srtp_init fails) */
	return msec_init() == 0 ? 0 : -1;
}

static int
teardown(void **state)
{
	(void)state;
	msec_fini();
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_diff_aes128_80),
		cmocka_unit_test(test_diff_aes128_32),
		cmocka_unit_test(test_diff_aes256_80),
		cmocka_unit_test(test_diff_aes256_32),
		cmocka_unit_test(test_engine_select),
		cmocka_unit_test(test_engines_agree),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
