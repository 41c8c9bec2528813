/* call_int.h: private types of the call module (call.c, relay.c, msgcopy.c). */
#ifndef SBCD_CALL_INT_H
#define SBCD_CALL_INT_H

#include <stdint.h>
#include <sys/queue.h>

#define NTA_LEG_MAGIC_T		struct leg
#define NTA_OUTGOING_MAGIC_T	void
#define NTA_INCOMING_MAGIC_T	void
#define NTA_RELIABLE_MAGIC_T	void
#include <sofia-sip/nta.h>
#include <sofia-sip/sip.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/su_alloc.h>

#include "cfg.h"
#include "call.h"
#include "auth.h"
#include "media.h"
#include "pset.h"
#include "sipif.h"

struct event;
struct relay;

enum call_state {
	CS_ROUTING = 0,		/* INVITE received, B being tried */
	CS_EARLY,		/* a provisional response went to A */
	CS_CONFIRMED,		/* 2xx went to A */
	CS_TERMINATING,		/* BYE sent, waiting for its answer */
	CS_DONE,
};

/* One side of a call: a dialog of its own on its own agent. */
struct leg {
	struct call		*call;	/* weak: the call owns the leg */
	char			 side;	/* 'A' (caller side) or 'B' (callee side) */
	struct sipif		*sif;	/* ref */
	nta_leg_t		*nleg;
	int			 transport;	/* enum cfg_transport toward the peer */
	char			*nexthop;	/* requests go here, NULL: by the route set (call home) */
	const struct cfg_ipgroup *ipg;	/* RO, in the call's snapshot */
	nta_outgoing_t		*ack;	/* last ACK sent, kept for 2xx retransmissions */
	int			 invite_in;	/* an INVITE from this side is being relayed */
	int			 invite_out;	/* an INVITE we sent to this side is pending */
	int			 rel100;	/* the peer supports 100rel */
	const struct cfg_profile *profile;	/* RO: the peer's IP profile */
	/* session timer of this leg (sstimer.c) */
	int			 st_interval;	/* seconds, 0: none */
	int			 st_ours;	/* sbcd refreshes it */
	int			 st_min;	/* a 422's Min-SE for the next INVITE */
	struct event		*st_timer;
	nta_outgoing_t		*st_refresh;	/* a refresh of ours in flight */
	struct auth_client	 auth;	/* digest state toward this side's group */
};

struct call {
	unsigned		 id;
	TAILQ_ENTRY(call)	 link;
	struct cfg		*cfg;	/* the snapshot the call started under (ref) */
	enum call_state		 state;
	su_home_t		 home[1];
	struct leg		 a, b;
	const struct cfg_ipgroup *src_ipg, *dst_ipg;	/* RO */
	const struct cfg_route	*route;	/* RO: the row being tried */
	size_t			 route_index;
	struct pset		*ps;	/* the proxy set of the row being tried (ref) */
	struct pset_cursor	 cur;
	struct pset_dest	 dest;	/* current attempt */
	int			 have_dest;
	nta_incoming_t		*irq;	/* A's initial INVITE */
	msg_t			*invite;	/* A's INVITE, kept for retries (ref) */
	nta_outgoing_t		*orq;	/* B's INVITE, current attempt */
	nta_outgoing_t		*tagged;	/* its early dialog for PRACK */
	uint32_t		 b_cseq;	/* CSeq of B's INVITE, for its ACK */
	char			*b_callid;	/* Call-ID of the B leg, once sent */
	int			 b_sdp;	/* our INVITE to B carried a body */
	int			 b_acked;
	int			 b_retry;	/* the next INVITE to B stays in B's dialog */
	const char		*src_user;	/* caller number after inbound number rules */
	const char		*dst_user;	/* called number after inbound number rules */
	struct sockaddr_storage	 a_src;	/* where the caller's INVITE came from */
	char			*b_authz;	/* "Authorization: ..." for the next INVITE, or NULL */
	int			 b_auth_sent;	/* the INVITE being answered carried it */
	int			 provisional;	/* a provisional came for this attempt */
	int			 final_sent;	/* A has seen a final response */
	int			 cancelled;	/* A cancelled */
	int			 last_status;	/* of the last failed attempt */
	char			 last_phrase[64];
	struct event		*timer;	/* invite_timeout of the attempt */
	struct relay		*relays;	/* in-dialog transactions in flight */
	struct media		*media;	/* the media anchor (owned) */
	nta_outgoing_t		*bye[2];	/* BYEs we sent, per side */
	int			 byes_pending;
	char			 reason[96];	/* why it ended, for the log */
	const char		*bye_reason;	/* Reason header of our BYEs, NULL: none */
	/* for the CDR */
	struct timespec		 t_start, t_answer;	/* wall clock; t_answer 0: never */
	const char		*rx_src, *rx_dst;	/* numbers as A sent them */
	const char		*tx_src, *tx_dst;	/* as sent to B (last attempt) */
	const char		*ended_by;	/* "caller", "callee" or "sbcd" */
};

/* msgcopy.c: building one side's messages from the other's. */
void call_copy_headers(msg_t *dst, sip_t *dsip, const sip_t *src, int response);
int call_copy_body(msg_t *dst, sip_t *dsip, const sip_t *src);
void call_add_common(msg_t *msg, sip_t *sip, const struct call *call,
    const sip_t *src, const struct leg *to);
int call_add_body(msg_t *dst, sip_t *dsip, const sip_t *src, const char *sdp);
typedef void (call_edit_h)(void *arg, msg_t *msg, sip_t *sip);
int call_reply_copy(nta_incoming_t *irq, const sip_t *resp,
    const sip_contact_t *contact, const char *server, int reliable, const char *sdp,
    call_edit_h *edit, void *arg);
int call_reply(nta_incoming_t *irq, const sip_t *resp, const struct leg *leg,
    int reliable, const char *sdp);

/* relay.c: in-dialog requests. */
int call_leg_request(struct leg *leg, nta_leg_t *nleg, nta_incoming_t *irq,
    const sip_t *sip);
void call_relays_destroy(struct call *call);

/* sstimer.c: RFC 4028 per leg */
int call_st_check(struct call *call, const struct leg *from, const sip_t *sip,
    char *min_se, size_t len);
void call_st_request(struct call *call, struct leg *to, msg_t *msg, sip_t *sip);
void call_st_response(void *call, msg_t *msg, sip_t *sip);
void call_st_start(struct call *call, struct leg *leg, const sip_t *resp);
void call_st_refreshed(struct call *call, struct leg *leg);
void call_st_stop(struct leg *leg);

/* number.c: number manipulation and caller identity */
const char *call_number(const struct cfg_ipgroup *g, int direction, int field,
    const char *num, char *buf, size_t len);
int call_privacy_id(const sip_t *sip);
void call_identity_out(struct call *call, msg_t *msg, sip_t *sip);
void call_manip_msg(const struct cfg *cfg, const struct cfg_ipgroup *from_g,
    const struct cfg_ipgroup *to_g, struct sipif *sif, const struct sockaddr *peer,
    const char *src_user, const char *dst_user, msg_t *msg, sip_t *sip);
void call_manip(struct call *call, const struct leg *to, msg_t *msg, sip_t *sip);
/*
 * A 401/407 (resp) to orq, an in-dialog request sbcd sent on leg: the same
 * request again, next CSeq, with the credentials of the leg's IP group.
 * Returns the new transaction (callback cb, magic), or NULL when there is
 * nothing to answer with or the credentials were refused: relay the
 * challenge or fail as before.
 */
nta_outgoing_t *call_auth_resend(struct call *call, struct leg *leg, nta_outgoing_t *orq,
    const sip_t *resp, nta_response_f *cb, nta_outgoing_magic_t *magic);
/*
 * nta may answer a request (503: not sent) from inside nta_outgoing_mcreate:
 * every callback passed to call_auth_resend() starts with
 * "if (call_auth_intercept()) return 0;", and call_auth_resend() then drops
 * the new transaction and returns NULL as if the challenge had no answer.
 */
int call_auth_intercept(void);
void call_manip_init(void);

/* call.c */
struct leg *call_other(struct leg *leg);
void call_terminate(struct call *call, const struct leg *from, const char *why);
void call_release(struct call *call);
int call_send_ack(struct call *call, struct leg *leg, uint32_t cseq,
    const char *sdp);

/* What an SDP body is in the offer/answer exchange. */
enum call_sdp {
	CALL_SDP_OFFER = 0,	/* a request with SDP, or a response to one without */
	CALL_SDP_ANSWER,	/* a response to a request with SDP, or an ACK (late offer) */
};
int call_media_body(struct call *call, const struct leg *from, const sip_t *sip,
    enum call_sdp kind, char **sdp);

/* " leg=A", " leg=B" or "" for log lines */
static inline const char *
call_leg_tag(const struct leg *leg)
{
	return leg == NULL ? "" : leg->side == 'A' ? " leg=A" : " leg=B";
}

/* Every line about a call starts with its id (and the leg). */
#define CALL_LOG(lvl, call, leg, fmt, ...)				\
	log_##lvl("call=%u%s " fmt, (call)->id, call_leg_tag(leg), ##__VA_ARGS__)

#endif
