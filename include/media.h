/* media.h: the media anchor of a call: ports from the realms, SDP offer/answer, RTP/SRTP relay. */
#ifndef SBCD_MEDIA_H
#define SBCD_MEDIA_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

struct cfg_realm;
struct cfg_profile;
struct cfg_ipif;
struct media;

/*
 * A struct media anchors the media of one call: side 0 faces the caller
 * (leg A), side 1 the callee (leg B).  Each side has an RTP port (even) and
 * its RTCP port (+1) from its media realm, bound to the realm's interface,
 * and the IP profile that says whether the peer speaks RTP or SRTP, which
 * codecs it may get and how long its silence is tolerated.
 *
 * SDP travels through media_offer() and media_answer(): each takes the body
 * one side sent and writes the body for the other side, with sbcd's address
 * and ports, the other side's profile (RTP/AVP or RTP/SAVP with sbcd's own
 * SDES keys, filtered codecs) and everything else kept verbatim.  Once an
 * answer is through, packets are relayed: unprotected from an SRTP side,
 * protected toward one, latched strictly (an SRTP side only by packets that
 * authenticate; an RTP side only from the address it signalled).
 */

enum media_side {
	MEDIA_A = 0,
	MEDIA_B = 1,
};

/* Why the media layer refuses an offer or answer: the SIP status to use. */
enum media_err {
	MEDIA_OK = 0,
	MEDIA_BAD_SDP = 400,	/* the body does not parse */
	MEDIA_NOT_ACCEPTABLE = 488,	/* no common codec, no usable crypto, wrong profile */
	MEDIA_NO_PORTS = 503,	/* the realm is exhausted */
	MEDIA_INTERNAL = 500,
};

/* Events the call acts on. */
typedef void (media_timeout_h)(struct media *m, enum media_side silent, void *arg);

/* Start-up and shutdown of the relay (global inactivity sweep). */
int media_init(void);
void media_fini(void);

/*
 * A new anchor for call id (used in log lines); timeout_h is called once
 * when a side has been silent longer than its profile allows.  The sides
 * are configured with media_side_set before SDP goes through them.
 */
int media_new(struct media **out, unsigned call_id, media_timeout_h *timeout_h, void *arg);
/* Stop relaying, release the ports, free.  NULL-safe; returns NULL. */
struct media *media_free(struct media *m);

/*
 * The realm, IP interface and profile of a side.  Ports are allocated when
 * the realm changes (an alternative route to another group).  Returns
 * MEDIA_OK or MEDIA_NO_PORTS.  The rows must outlive the anchor (they are
 * in the call's snapshot).
 */
enum media_err media_side_set(struct media *m, enum media_side s,
    const struct cfg_realm *realm, const struct cfg_profile *profile);

/* Where the side's SIP comes from: with the profile's media_nat, its plain
 * RTP is accepted from that IP (any port) instead of the SDP address. */
void media_side_signalling(struct media *m, enum media_side s, const struct sockaddr *sa);

/*
 * An offer from side `from`: body (len bytes) in, the offer for the other
 * side out (terminated, in buf of buflen).  The incoming half can be
 * checked alone (out == NULL): that is how an unusable SRTP offer is
 * refused before anything is sent on.  Returns MEDIA_OK or the status to
 * answer with.
 */
enum media_err media_offer(struct media *m, enum media_side from, const char *body,
    size_t len, char *buf, size_t buflen);
/* The answer from side `from` to the pending offer, and the answer for the
 * other side; starts (or updates) the relay. */
enum media_err media_answer(struct media *m, enum media_side from, const char *body,
    size_t len, char *buf, size_t buflen);

/* The SDP sbcd last sent to side s (a session refresh repeats it), or NULL. */
const char *media_last_sdp(const struct media *m, enum media_side s);

/* Whether an offer is waiting for its answer, and from which side. */
int media_offer_pending(const struct media *m, enum media_side *from);

/* Counters of one side (what arrived from that side's peer). */
struct media_stats {
	uint64_t	 pkts_in, bytes_in;	/* accepted from the peer */
	uint64_t	 pkts_out, bytes_out;	/* sent to the peer */
	uint64_t	 dropped;	/* from another address, or undecodable */
	uint64_t	 auth_failures;	/* SRTP packets that did not authenticate */
	uint64_t	 lost;	/* sequence gaps not filled by late packets */
	uint64_t	 late;	/* packets older than one already relayed */
	double		 last_rx;	/* monotonic seconds of the last packet, 0: none */
};
void media_stats(const struct media *m, enum media_side s, struct media_stats *st);
/* The codec and SRTP suite of a side, for logs and CDRs ("PCMU", "AES_CM_128_HMAC_SHA1_80" or "") */
const char *media_codec(const struct media *m);
const char *media_suite(const struct media *m, enum media_side s);
/* Local RTP port of a side, 0 when none. */
unsigned media_port(const struct media *m, enum media_side s);

/* Ports in use, for the log, metrics and tests. */
size_t media_ports_in_use(void);
/* Ports of the realm's range in use (RTP and RTCP), for metrics. */
size_t media_realm_in_use(const struct cfg_realm *realm);
/* Every counter summed over every side of every anchor, past and present. */
void media_totals(struct media_stats *st);
/* "ip:port" the side's RTP goes to (signalled or latched), or ENOENT. */
int media_peer(const struct media *m, enum media_side s, char *buf, size_t len);

#endif
