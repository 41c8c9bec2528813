/* msec.h: media security: SDES keys (RFC 4568) and SRTP/SRTCP contexts (RFC 3711) on a selectable engine. */
#ifndef SBCD_MSEC_H
#define SBCD_MSEC_H

#include <stddef.h>
#include <stdint.h>

/*
 * The prefix is msec_ (libsrtp2 owns srtp_).  One struct msec_ctx protects or
 * unprotects one direction of one leg (RTP and its RTCP).  Two engines do the
 * transform: "openssl", sbcd's own on OpenSSL's AES-CTR and HMAC-SHA1 (the
 * default: Debian's libsrtp2 on NSS costs 3.4-5.8 us a packet against 0.9,
 * docs/performance.md), and "libsrtp2", the system library, which is also
 * the oracle the unit tests hold the first to (tests/unit/test_msec_diff.c).
 *
 * Engine selection: msec_engine_set() chooses the engine of the contexts
 * created from then on; a context keeps the engine it was made with until it
 * is freed (msec_ctx_reset included).  sbcd calls it from a reload hook with
 * global.srtp_engine (src/main.c), so a reload switches new calls while the
 * calls in progress keep theirs.  msec_suite_supported() answers for the
 * engine in force; a suite offered under one engine but answered after a
 * reload to an engine without it fails that call's msec_ctx_new (ENOTSUP).
 *
 * Keys are secrets: nothing here logs them, and buffers that held them are
 * cleared when freed.
 */

enum msec_suite {
	MSEC_NONE = 0,
	MSEC_AES_CM_128_HMAC_SHA1_80,
	MSEC_AES_CM_128_HMAC_SHA1_32,
	MSEC_AES_192_CM_HMAC_SHA1_80,
	MSEC_AES_192_CM_HMAC_SHA1_32,
	MSEC_AES_256_CM_HMAC_SHA1_80,
	MSEC_AES_256_CM_HMAC_SHA1_32,
};

enum msec_engine {
	MSEC_ENGINE_OPENSSL = 0,	/* sbcd's transform on OpenSSL (default) */
	MSEC_ENGINE_LIBSRTP2,		/* the system's libsrtp2 */
};

/* Start-up: each engine's library, then a known-answer test of each key size
 * on each engine; the openssl engine is in force.  0 or EIO (the openssl
 * engine did not start; a libsrtp2 that does not start only leaves that
 * engine unselectable). */
int msec_init(void);
void msec_fini(void);
/* Nonzero if the engine in force passed the known-answer test for suite s
 * (after msec_init; vectors from an independent RFC 3711 / RFC 6188
 * implementation).  Offer and accept only these. */
int msec_suite_supported(enum msec_suite s);
/* The same for engine e, whether in force or not. */
int msec_engine_suite_supported(enum msec_engine e, enum msec_suite s);
/* The engine of contexts created from now on.  0, EINVAL (no such engine) or
 * ENOTSUP (its library did not start); on failure the engine stays. */
int msec_engine_set(enum msec_engine e);
enum msec_engine msec_engine_get(void);
/* "openssl" or "libsrtp2", as in global.srtp_engine. */
const char *msec_engine_name(enum msec_engine e);

/* Suite by its SDES name, either spelling of the 192/256-bit suites
 * (AES_CM_192_HMAC_SHA1_80 = AES_192_CM_HMAC_SHA1_80); MSEC_NONE if unknown. */
enum msec_suite msec_suite_by_name(const char *name);
/* The RFC 4568 / RFC 6188 name. */
const char *msec_suite_name(enum msec_suite s);
/* Master key + salt length in bytes: 30, 38 or 46. */
size_t msec_key_len(enum msec_suite s);

/* A master key and salt with its suite. */
struct msec_key {
	enum msec_suite	 suite;
	uint8_t		 key[46];	/* master key || master salt */
	size_t		 len;
};

/*
 * Parse the key parameters of an a=crypto line ("inline:<base64>[|2^20][|1:4]")
 * for suite s.  The lifetime is accepted and ignored (sbcd re-keys by
 * re-INVITE, not by counting packets); an MKI is refused (ENOTSUP), as are
 * several keys.  0, EINVAL (bad base64, wrong length), ENOTSUP.
 */
int msec_key_parse(enum msec_suite s, const char *key_params, struct msec_key *out);
/* A new random key (OpenSSL RAND_bytes) for suite s.  0 or EIO. */
int msec_key_new(enum msec_suite s, struct msec_key *out);
/* "inline:<base64>" of k into buf (size len).  0 or ENOSPC. */
int msec_key_format(const struct msec_key *k, char *buf, size_t len);
/* Wipe a key. */
void msec_key_clear(struct msec_key *k);

struct msec_ctx;

enum msec_dir {
	MSEC_PROTECT = 0,	/* toward the peer: our key */
	MSEC_UNPROTECT,		/* from the peer: its key */
};

/* A context for one direction: any SSRC (a new SSRC simply starts a new
 * stream in it; beyond 16 SSRCs the least recently used is forgotten, so a
 * peer cannot grow it), replay window 1024, no key lifetime limit (the 48-bit
 * index's).  The key is copied.  0, ENOMEM, EINVAL (bad key), or ENOTSUP
 * (!msec_suite_supported). */
int msec_ctx_new(struct msec_ctx **out, const struct msec_key *k, enum msec_dir dir);
/* Forget every stream and start again with the same key: for a sender that
 * restarts an SSRC with a lower sequence number or ROC 0 (a new stream after
 * a re-INVITE), which replay protection would otherwise drop.  0, ENOMEM or
 * ENOTSUP; after a failure the context refuses packets (EINVAL). */
int msec_ctx_reset(struct msec_ctx *c);
void msec_ctx_free(struct msec_ctx *c);
/* The name of the engine c was made with. */
const char *msec_ctx_engine(const struct msec_ctx *c);

/*
 * In place: buf holds len bytes and has room for at least len + 16 (protect
 * grows RTP by the tag, RTCP by the tag and the SRTCP index).  *len is
 * updated.  0, EACCES (authentication or replay failure: the packet must be
 * dropped), EINVAL (not RTP/RTCP), or EIO.
 */
int msec_rtp(struct msec_ctx *c, uint8_t *buf, size_t *len);
int msec_rtcp(struct msec_ctx *c, uint8_t *buf, size_t *len);

#define MSEC_MAX_TRAILER 16	/* room needed after a packet for protect */

#endif
