/* srtpcost.c: what SRTP costs per packet here: libsrtp2 as Debian builds it, against the same cipher work done with OpenSSL. */
/*
 * srtpcost [PACKETS]
 *
 * Times, on one core and in a loop, for a 172-byte RTP packet (G.711 20 ms):
 *   libsrtp2  srtp_protect      AES_CM_128_HMAC_SHA1_80 through libsrtp2
 *   libsrtp2  srtp_unprotect    (Debian 12's is built on NSS)
 *   openssl   aes-128-ctr + hmac-sha1   the cipher and MAC of one protect
 *             done directly with OpenSSL EVP (contexts kept, no SRTP
 *             bookkeeping): the floor of an SRTP transform over OpenSSL
 * and prints "name=ns_per_packet" pairs.  The figures say whether moving
 * msec.c from libsrtp2 (NSS) to OpenSSL would pay, before anyone writes it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* HMAC_CTX: deprecated in OpenSSL 3 but the shortest honest measure of the work */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <srtp2/srtp.h>

#define RTP_LEN	172

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static srtp_t
session(const unsigned char *key, int inbound)
{
	srtp_policy_t	p;
	srtp_t		s;

	memset(&p, 0, sizeof(p));
	srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&p.rtp);
	srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&p.rtcp);
	p.ssrc.type = inbound ? ssrc_any_inbound : ssrc_any_outbound;
	p.key = (unsigned char *)key;
	p.window_size = 1024;
	if (srtp_create(&s, &p) != srtp_err_status_ok) {
		fprintf(stderr, "srtpcost: srtp_create failed\n");
		exit(1);
	}
	return s;
}

static void
rtp(unsigned char *pkt, unsigned seq)
{
	memset(pkt, 0xd5, RTP_LEN);
	pkt[0] = 0x80;
	pkt[1] = 0;
	pkt[2] = (unsigned char)(seq >> 8);
	pkt[3] = (unsigned char)seq;
	memset(pkt + 4, 0, 4);
	pkt[8] = 0x12; pkt[9] = 0x34; pkt[10] = 0x56; pkt[11] = 0x78;
}

int
main(int argc, char **argv)
{
	unsigned		 n = argc > 1 ? (unsigned)atoi(argv[1]) : 200000, i;
	unsigned char		 key[30], pkt[RTP_LEN + 64], mac[EVP_MAX_MD_SIZE];
	unsigned char		*enc;
	size_t			*lens;
	srtp_t			 tx, rx;
	double			 t0, t_prot, t_unprot, t_ossl;
	int			 len, outl;
	unsigned		 maclen;
	EVP_CIPHER_CTX		*c;
	HMAC_CTX		*h;

	for (i = 0; i < sizeof(key); i++)
		key[i] = (unsigned char)(i * 7 + 1);
	if (srtp_init() != srtp_err_status_ok)
		return 1;
	tx = session(key, 0);
	rx = session(key, 1);
	enc = malloc((size_t)n * (RTP_LEN + 16));
	lens = malloc((size_t)n * sizeof(*lens));
	if (enc == NULL || lens == NULL)
		return 1;

	t0 = now();
	for (i = 0; i < n; i++) {
		rtp(pkt, i);
		len = RTP_LEN;
		if (srtp_protect(tx, pkt, &len) != srtp_err_status_ok)
			return 1;
		memcpy(enc + (size_t)i * (RTP_LEN + 16), pkt, (size_t)len);
		lens[i] = (size_t)len;
	}
	t_prot = now() - t0;
	t0 = now();
	for (i = 0; i < n; i++) {
		memcpy(pkt, enc + (size_t)i * (RTP_LEN + 16), lens[i]);
		len = (int)lens[i];
		if (srtp_unprotect(rx, pkt, &len) != srtp_err_status_ok)
			return 1;
	}
	t_unprot = now() - t0;

	/* the cipher and MAC work of one protect, with OpenSSL directly */
	c = EVP_CIPHER_CTX_new();
	h = HMAC_CTX_new();
	if (c == NULL || h == NULL || !EVP_EncryptInit_ex(c, EVP_aes_128_ctr(), NULL, key, key + 14) ||
	    !HMAC_Init_ex(h, key, 20, EVP_sha1(), NULL))
		return 1;
	t0 = now();
	for (i = 0; i < n; i++) {
		unsigned char iv[16] = { 0 };

		rtp(pkt, i);
		iv[15] = (unsigned char)i;
		EVP_EncryptInit_ex(c, NULL, NULL, NULL, iv);
		EVP_EncryptUpdate(c, pkt + 12, &outl, pkt + 12, RTP_LEN - 12);
		HMAC_Init_ex(h, NULL, 0, NULL, NULL);
		HMAC_Update(h, pkt, RTP_LEN);
		HMAC_Update(h, (const unsigned char *)"\0\0\0\0", 4);	/* the ROC */
		HMAC_Final(h, mac, &maclen);
		memcpy(pkt + RTP_LEN, mac, 10);
	}
	t_ossl = now() - t0;
	/*
	 * Per call, sbcd creates and frees two sessions.  libsrtp2's NSS ciphers
	 * open and close an NSS context each: the cost depends on how many are
	 * open (none: NSS starts and stops every time; many: a longer list).
	 */
	double	 t_cd0, t_cd1, t_cdk;
	unsigned m = n / 100 < 200 ? 200 : n / 100, live = 1000;
	srtp_t	*keep = malloc(live * sizeof(*keep));

	if (keep == NULL)
		return 1;
	srtp_dealloc(tx);
	srtp_dealloc(rx);
	t0 = now();
	for (i = 0; i < m; i++)
		srtp_dealloc(session(key, i % 2));
	t_cd0 = now() - t0;
	tx = session(key, 0);
	t0 = now();
	for (i = 0; i < m; i++)
		srtp_dealloc(session(key, i % 2));
	t_cd1 = now() - t0;
	for (i = 0; i < live; i++)
		keep[i] = session(key, i % 2);
	t0 = now();
	for (i = 0; i < m; i++)
		srtp_dealloc(session(key, i % 2));
	t_cdk = now() - t0;
	for (i = 0; i < live; i++)
		srtp_dealloc(keep[i]);
	free(keep);
	rx = session(key, 1);
	printf("packets=%u libsrtp2_protect_ns=%.0f libsrtp2_unprotect_ns=%.0f "
	    "openssl_ctr_hmac_ns=%.0f session_us_none_open=%.1f session_us_one_open=%.1f "
	    "session_us_1000_open=%.1f\n", n, t_prot * 1e9 / n, t_unprot * 1e9 / n,
	    t_ossl * 1e9 / n, t_cd0 * 1e6 / m, t_cd1 * 1e6 / m, t_cdk * 1e6 / m);
	EVP_CIPHER_CTX_free(c);
	HMAC_CTX_free(h);
	srtp_dealloc(tx);
	srtp_dealloc(rx);
	srtp_shutdown();
	free(enc);
	free(lens);
	return 0;
}
