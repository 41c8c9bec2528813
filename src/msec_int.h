/* msec_int.h: what msec.c shares with its SRTP engines (msec_ossl.c, msec_srtp2.c); not for other modules. */
#ifndef SBCD_MSEC_INT_H
#define SBCD_MSEC_INT_H

#include <stddef.h>
#include <stdint.h>

#include "msec.h"

/*
 * Streams (SSRCs) one context keeps.  A new SSRC starts a new stream; a peer
 * that sprays SSRCs must not grow the context without bound.  Beyond this
 * many, the least recently used stream is forgotten (a real call has one or
 * two).
 */
#define MSEC_MAX_SSRC	16

/*
 * One SRTP engine.  ctx_new does not consult the known-answer results (the
 * known-answer test itself uses it); msec_ctx_new does, and checks the
 * arguments first.  Every context an engine makes begins with struct
 * msec_ctx, whose ops point back to the engine: a context keeps the engine
 * it was made with whatever msec_engine_set says later, and the packet path
 * costs one indirect call, no test of the engine in force.
 */
struct msec_ops {
	const char	*name;
	int		(*init)(void);	/* library start-up: 0 or EIO */
	void		(*fini)(void);
	int		(*ctx_new)(struct msec_ctx **out, const struct msec_key *k,
			    enum msec_dir dir);
	int		(*ctx_reset)(struct msec_ctx *c);
	void		(*ctx_free)(struct msec_ctx *c);
	int		(*rtp)(struct msec_ctx *c, uint8_t *buf, size_t *len);
	int		(*rtcp)(struct msec_ctx *c, uint8_t *buf, size_t *len);
};

struct msec_ctx {
	const struct msec_ops	*ops;
};

extern const struct msec_ops msec_ossl_ops;	/* msec_ossl.c: sbcd's transform on OpenSSL */
extern const struct msec_ops msec_srtp2_ops;	/* msec_srtp2.c: libsrtp2 */

/* The tag length of a suite's SRTP packets: 10 or 4 bytes (SRTCP: always 10). */
size_t msec_rtp_tag_len(enum msec_suite s);

#endif
