/* auth.h: answering a carrier's digest challenge (RFC 2617, RFC 7616) for requests sbcd sends. */
#ifndef SBCD_AUTH_H
#define SBCD_AUTH_H

#include <stddef.h>
#include <stdint.h>

#include <sofia-sip/sip.h>

/*
 * When a carrier answers a request that sbcd sent (INVITE, re-INVITE, BYE,
 * OPTIONS ...) with 401 or 407, auth_answer() picks the strongest challenge
 * it supports and computes the Authorization or Proxy-Authorization header
 * value for the request to send again.  The module is pure: a parsed
 * response and strings in, a header value out (and, with
 * auth_request_copy(), the copy of the request that carries it); no
 * transaction, no socket.
 *
 * Supported: scheme Digest; algorithm MD5 (also when absent), SHA-256,
 * SHA-512-256 and their -sess variants; qop absent (RFC 2069 compatible)
 * or qop=auth; opaque; stale=true; userhash=true.  Not supported, and
 * answered with ENOTSUP: other schemes (Basic, Bearer ...), other
 * algorithms (AKAv1-MD5 ...), qop=auth-int only, -sess without qop.
 * Among the acceptable challenges the strongest algorithm wins
 * (SHA-512-256 > SHA-256 > MD5, plain before -sess), then qop=auth.
 *
 * Loops.  A request that already carried our answer and is challenged again
 * means the credentials were rejected, unless the challenge says stale=true
 * (the nonce expired, the password was right).  auth_answer() is therefore
 * told whether the challenged request carried our credentials (retry); for
 * such a request it returns EACCES unless the challenge is stale, and at
 * most AUTH_MAX_STALE stale challenges in a row are answered.  The caller
 * then relays the 401/407 to the other side instead of sending again.
 *
 * Secrets.  The password, HA1 and the response hash are never logged; log
 * lines (debug) name only the realm, the algorithm and the username.
 * Intermediate hashes are wiped from the stack before returning.
 */

#define AUTH_REALM_MAX	256	/* longest realm or nonce remembered, with the NUL */
#define AUTH_NONCE_MAX	256
#define AUTH_MAX_STALE	2	/* stale=true challenges answered in a row */
#define AUTH_HDR_MAX	1024	/* enough when realm, nonce, opaque, uri and */
				/* username are each under 128 bytes with no */
				/* '"' or '\\' to escape */

enum auth_alg {
	AUTH_ALG_MD5 = 0,
	AUTH_ALG_MD5_SESS,
	AUTH_ALG_SHA256,
	AUTH_ALG_SHA256_SESS,
	AUTH_ALG_SHA512_256,
	AUTH_ALG_SHA512_256_SESS,
};

/* The name as written in algorithm= ("MD5", "SHA-256-sess" ...). */
const char *auth_alg_str(enum auth_alg alg);

/*
 * The request to send again, and whose credentials.  Every pointer is
 * borrowed for the duration of the call only.
 */
struct auth_req {
	const char	*method;	/* "INVITE", "BYE", "OPTIONS" ... */
	const char	*uri;		/* its Request-URI exactly as on the request line */
	const char	*username;	/* the destination IP group's (cfg_ipgroup) */
	const char	*password;	/* secret: never logged */
	int		 retry;		/* nonzero: the challenged request already carried
					   our credentials (it was sent again by an answer) */
};

/*
 * What sbcd remembers about the last challenge it answered toward one peer,
 * so that nc counts up while the carrier keeps its nonce, and stale
 * challenges are not answered forever.  Zero it before the first use (a
 * zeroed one is "nothing answered yet"); keep one per leg or per call.
 * Plain data: copy it, free it with its owner.  Read-only outside auth.c,
 * except proxy, which says which header the last answer goes into.
 */
struct auth_client {
	char		 realm[AUTH_REALM_MAX];
	char		 nonce[AUTH_NONCE_MAX];
	uint32_t	 nc;		/* last nonce count sent with nonce */
	int		 stale;		/* stale challenges answered in a row */
	enum auth_alg	 alg;		/* of the last answer */
	int		 proxy;		/* 1: Proxy-Authorization (407), 0: Authorization (401) */
};

/*
 * Answer the challenge in resp, a 401 or 407 to a request sbcd sent.
 *
 *   ac      the peer's state (above), updated on success only
 *   resp    the parsed response: WWW-Authenticate for 401, Proxy-Authenticate
 *           for 407 (for another status whichever is present, proxy first)
 *   rq      the request to send again and the credentials (above)
 *   out     receives the header value, NUL-terminated, without the name:
 *           'Digest username="...", realm="...", ...'; the name is
 *           auth_header_name(ac), from ac->proxy
 *
 * Returns 0, or:
 *   EINVAL   a NULL argument, no challenge in resp, or a malformed one
 *            (no realm or nonce, a control character in a value, a realm or
 *            nonce longer than AUTH_REALM_MAX/AUTH_NONCE_MAX - 1)
 *   ENOTSUP  challenges present, none of them acceptable (see above)
 *   EACCES   rq->retry and the challenge is not stale (the credentials were
 *            rejected), or too many stale challenges in a row: relay it
 *   ENOSPC   outlen too small (AUTH_HDR_MAX is enough for usual values)
 *   EIO      OpenSSL failed (digest unavailable, e.g. MD5 under FIPS; RAND)
 * On error ac is unchanged and out is an empty string when outlen > 0.
 */
int auth_answer(struct auth_client *ac, const sip_t *resp, const struct auth_req *rq,
    char *out, size_t outlen);

/*
 * The same, from the challenge headers alone: the list of WWW-Authenticate
 * (proxy 0) or Proxy-Authenticate (proxy 1) headers of one response, as
 * sofia parsed them (msg_auth_t: au_scheme, au_params "name=value" with
 * quoted values still quoted).  auth_answer() calls this.
 */
int auth_answer_challenge(struct auth_client *ac, const msg_auth_t *challenges, int proxy,
    const struct auth_req *rq, char *out, size_t outlen);

/* "Proxy-Authorization" when the last answer was to a 407, else "Authorization". */
const char *auth_header_name(const struct auth_client *ac);

/*
 * The request to send again: a copy of req (as it left, from
 * nta_outgoing_getrequest) without its Via and credentials, carrying
 * "<auth_header_name(ac)>: <value>" instead.  CSeq is the caller's to
 * renew.  value is a secret: the buffer is wiped.  NULL on failure.
 */
msg_t *auth_request_copy(msg_t *req, const struct auth_client *ac, char *value, size_t len);

/*
 * Tests only: use this cnonce instead of a random one (the string is copied,
 * at most 63 bytes); NULL goes back to 128 random bits in hex.
 */
void auth_testing_set_cnonce(const char *cnonce);

#endif
