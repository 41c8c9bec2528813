/* call.h: the B2BUA: every call owns two legs, each a dialog of its own. */
#ifndef SBCD_CALL_H
#define SBCD_CALL_H

#include <stddef.h>

#include "media.h"

#include "media.h"

/*
 * call_init installs the request handler of the SIP interfaces: every new
 * request is classified to a source IP group, then routed to a destination
 * IP group (its proxy set) or address, and an INVITE becomes a call whose B
 * leg is a new, independent dialog.  Must run before the first reload_start.
 */
void call_init(void);
/* End every call (BYE both sides) and free them: shutdown. */
void call_fini(void);
/* Calls in progress. */
size_t call_count(void);
/* Draining (SIGTERM): new INVITEs get 503 (with the configured Retry-After),
 * calls in progress go on. */
void call_drain(void);
int call_draining(void);
/* End every call now: BYE both sides of answered calls (Reason: cause 503),
 * CANCEL and 503 for those still ringing; they leave as the BYEs are
 * answered or time out. */
void call_hangup_all(const char *why);
/* sbcctl drain / undrain: the same refusal of new INVITEs, without exiting. */
void call_undrain(void);
/* End one call as call_hangup_all does; 0 or ENOENT. */
int call_hangup(unsigned id, const char *why);

/*
 * A read-only view of one call for the control socket and the metrics:
 * strings are borrowed from the call and valid until the loop runs again.
 */
struct call_leg_info {
	const char		*sip_interface;
	const char		*ip_group;
	const char		*profile;
	const char		*transport;
	char			 peer[320];	/* A: the INVITE's source; B: the destination */
	const char		*call_id;
	const char		*local_tag, *remote_tag;
	int			 session_expires;	/* seconds, 0: no session timer */
	int			 sbcd_refreshes;	/* sbcd is the refresher toward this side */
	unsigned		 media_port;	/* sbcd's RTP port, 0: none */
	char			 media_peer[64];	/* where its RTP goes, "" */
	const char		*suite;	/* SRTP suite or "" */
	struct media_stats	 media;
};

struct call_info {
	unsigned		 id;
	const char		*state;	/* routing, early, confirmed, terminating */
	double			 age;	/* seconds since the INVITE */
	double			 talk;	/* seconds since the answer, 0: not answered */
	const char		*src_ip_group, *dst_ip_group, *route;
	const char		*caller_in, *callee_in;	/* as the caller sent them */
	const char		*caller_out, *callee_out;	/* as sent to the callee side */
	const char		*codec;	/* "" before the answer */
	struct call_leg_info	 leg[2];	/* A (caller side), B (callee side) */
};

/* Every call in order of id; stops when cb returns non-zero. */
typedef int (call_walk_h)(const struct call_info *ci, void *arg);
void call_walk(call_walk_h *cb, void *arg);
/* One call by id: 0 or ENOENT. */
int call_lookup(unsigned id, struct call_info *ci);

#endif
