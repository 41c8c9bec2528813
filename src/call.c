/* call.c: new requests: classify, route, and the INVITE of a B2BUA call with failover. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <arpa/inet.h>
#include <event2/event.h>

#include "call_int.h"
#include "cdr.h"
#include "cls.h"
#include "log.h"
#include "metrics.h"
#include "loop.h"
#include "obj.h"
#include "reload.h"
#include "route.h"

#include <sofia-sip/msg_addr.h>
#include <sofia-sip/nta_stateless.h>
#include <sofia-sip/nta_tport.h>
#include <sofia-sip/sip_status.h>
#include <sofia-sip/su_tagarg.h>
#include <sofia-sip/tport.h>

static TAILQ_HEAD(, call)	calls = TAILQ_HEAD_INITIALIZER(calls);
static size_t			ncalls;
static int			draining;	/* SIGTERM: new INVITEs get 503 */
static unsigned			next_id = 1;

static int	leg_request_cb(struct leg *leg, nta_leg_t *nleg, nta_incoming_t *irq,
		    const sip_t *sip);
static void	attempt(struct call *call);
static int	send_invite(struct call *call);

/* ===== helpers ===== */

struct leg *
call_other(struct leg *leg)
{
	return leg == &leg->call->a ? &leg->call->b : &leg->call->a;
}

size_t
call_count(void)
{
	return ncalls;
}

/* "sip:ip:port;transport=x" for a socket address. */
static char *
addr_uri(su_home_t *home, const struct sockaddr *sa, int transport)
{
	static const char *const tp[3] = { "udp", "tcp", "tls" };
	char	ip[64];
	int	port;

	if (sa->sa_family == AF_INET) {
		inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, ip, sizeof(ip));
		port = ntohs(((const struct sockaddr_in *)sa)->sin_port);
		return su_sprintf(home, "sip:%s:%d;transport=%s", ip, port, tp[transport]);
	}
	inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, ip, sizeof(ip));
	port = ntohs(((const struct sockaddr_in6 *)sa)->sin6_port);
	return su_sprintf(home, "sip:[%s]:%d;transport=%s", ip, port, tp[transport]);
}

/* "ip:port" ("[ip]:port") of a socket address. */
static void
addr_str(const struct sockaddr *sa, char *buf, size_t len)
{
	char ip[64];

	if (sa->sa_family == AF_INET) {
		inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, ip, sizeof(ip));
		snprintf(buf, len, "%s:%d", ip, ntohs(((const struct sockaddr_in *)sa)->sin_port));
	} else if (sa->sa_family == AF_INET6) {
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, ip, sizeof(ip));
		snprintf(buf, len, "[%s]:%d", ip, ntohs(((const struct sockaddr_in6 *)sa)->sin6_port));
	} else
		snprintf(buf, len, "-");
}

/* ===== life cycle ===== */

static void
leg_clear(struct leg *leg)
{
	call_st_stop(leg);
	if (leg->ack != NULL)
		nta_outgoing_destroy(leg->ack);
	leg->ack = NULL;
	if (leg->nleg != NULL)
		nta_leg_destroy(leg->nleg);
	leg->nleg = NULL;
	leg->sif = sipif_unref(leg->sif);
	memset(&leg->auth, 0, sizeof(leg->auth));
}

static void
call_destructor(void *arg)
{
	struct call *call = arg;

	if (call->timer != NULL)
		event_free(call->timer);
	call_relays_destroy(call);
	for (int i = 0; i < 2; i++)
		if (call->bye[i] != NULL)
			nta_outgoing_destroy(call->bye[i]);
	if (call->tagged != NULL)
		nta_outgoing_destroy(call->tagged);
	if (call->orq != NULL)
		nta_outgoing_destroy(call->orq);
	if (call->irq != NULL)
		nta_incoming_destroy(call->irq);
	if (call->invite != NULL)
		msg_destroy(call->invite);
	leg_clear(&call->a);
	leg_clear(&call->b);
	call->media = media_free(call->media);
	pset_unref(call->ps);
	su_home_deinit(call->home);
	cfg_unref(call->cfg);
}

static void
release_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd; (void)what;
	obj_unref(arg);
}

static uint64_t
ms_between(const struct timespec *a, const struct timespec *b)
{
	int64_t ms = (int64_t)(b->tv_sec - a->tv_sec) * 1000 +
	    (b->tv_nsec - a->tv_nsec) / 1000000;

	return ms > 0 ? (uint64_t)ms : 0;
}

static void
cdr_media(struct cdr_rec *r, const struct call *call, const char *key, enum media_side side)
{
	struct media_stats st;

	media_stats(call->media, side, &st);
	cdr_rec_open(r, key);
	cdr_rec_str(r, "suite", media_suite(call->media, side)[0] ?
	    media_suite(call->media, side) : NULL);
	cdr_rec_int(r, "pkts_in", (long long)st.pkts_in);
	cdr_rec_int(r, "bytes_in", (long long)st.bytes_in);
	cdr_rec_int(r, "pkts_out", (long long)st.pkts_out);
	cdr_rec_int(r, "bytes_out", (long long)st.bytes_out);
	cdr_rec_int(r, "dropped", (long long)st.dropped);
	cdr_rec_int(r, "auth_failures", (long long)st.auth_failures);
	cdr_rec_int(r, "lost", (long long)st.lost);
	cdr_rec_int(r, "late", (long long)st.late);
	cdr_rec_close(r);
}

/* One JSON line for this call attempt (cdr.h). */
static void
call_cdr(struct call *call)
{
	struct cdr_rec	*r = malloc(sizeof(*r));
	struct timespec	 end;
	int		 code = call->irq != NULL ? nta_incoming_status(call->irq) : 0;
	int		 media = call->media != NULL && media_port(call->media, MEDIA_A) != 0;

	if (r == NULL)
		return;
	clock_gettime(CLOCK_REALTIME, &end);
	if (call->t_answer.tv_sec != 0 && code < 200)
		code = 200;
	cdr_rec_begin(r);
	cdr_rec_int(r, "call", call->id);
	cdr_rec_time(r, "start", &call->t_start);
	cdr_rec_time(r, "answer", call->t_answer.tv_sec ? &call->t_answer : NULL);
	cdr_rec_time(r, "end", &end);
	cdr_rec_ms(r, "duration", call->t_answer.tv_sec ? ms_between(&call->t_answer, &end) : 0);
	cdr_rec_ms(r, "setup", ms_between(&call->t_start,
	    call->t_answer.tv_sec ? &call->t_answer : &end));
	cdr_rec_str(r, "src_ip_group", call->src_ipg ? call->src_ipg->name : NULL);
	cdr_rec_str(r, "dst_ip_group", call->dst_ipg ? call->dst_ipg->name : NULL);
	cdr_rec_str(r, "route", call->route ? call->route->name : NULL);
	cdr_rec_str(r, "destination", call->have_dest ? call->dest.uri : NULL);
	cdr_rec_str(r, "caller_in", call->rx_src);
	cdr_rec_str(r, "callee_in", call->rx_dst);
	cdr_rec_str(r, "caller_out", call->tx_src);
	cdr_rec_str(r, "callee_out", call->tx_dst);
	cdr_rec_int(r, "sip_code", code);
	cdr_rec_str(r, "ended_by", call->ended_by);
	cdr_rec_str(r, "reason", call->reason[0] ? call->reason : NULL);
	cdr_rec_str(r, "codec", media && media_codec(call->media)[0] ?
	    media_codec(call->media) : NULL);
	if (media) {
		cdr_media(r, call, "media_a", MEDIA_A);
		cdr_media(r, call, "media_b", MEDIA_B);
	}
	cdr_rec_write(r);
	free(r);
}

/*
 * The call is over: unlink it now, free it from the loop, never from inside
 * a sofia callback that may still touch its transactions.
 */
void
call_release(struct call *call)
{
	static const struct timeval zero = { 0, 0 };

	if (call->state == CS_DONE)
		return;
	call->state = CS_DONE;
	CALL_LOG(info, call, NULL, "ended: %s", call->reason[0] ? call->reason : "done");
	if (call->media != NULL && media_port(call->media, MEDIA_A) != 0) {
		struct media_stats	st[2];
		const char		*codec = media_codec(call->media);

		media_stats(call->media, MEDIA_A, &st[0]);
		media_stats(call->media, MEDIA_B, &st[1]);
		CALL_LOG(info, call, NULL, "media %s: "
		    "A in %llu out %llu dropped %llu auth-failed %llu lost %llu%s%s; "
		    "B in %llu out %llu dropped %llu auth-failed %llu lost %llu%s%s",
		    codec[0] ? codec : "-",
		    (unsigned long long)st[0].pkts_in, (unsigned long long)st[0].pkts_out,
		    (unsigned long long)st[0].dropped, (unsigned long long)st[0].auth_failures,
		    (unsigned long long)st[0].lost, media_suite(call->media, MEDIA_A)[0] ? " " : "",
		    media_suite(call->media, MEDIA_A),
		    (unsigned long long)st[1].pkts_in, (unsigned long long)st[1].pkts_out,
		    (unsigned long long)st[1].dropped, (unsigned long long)st[1].auth_failures,
		    (unsigned long long)st[1].lost, media_suite(call->media, MEDIA_B)[0] ? " " : "",
		    media_suite(call->media, MEDIA_B));
	}
	if (call->t_answer.tv_sec == 0)
		metrics_call_failed(call->irq != NULL ? nta_incoming_status(call->irq) : 0);
	if (cdr_enabled())
		call_cdr(call);
	TAILQ_REMOVE(&calls, call, link);
	ncalls--;
	if (call->timer != NULL)
		evtimer_del(call->timer);
	if (event_base_once(loop_base(), -1, EV_TIMEOUT, release_cb, call, &zero) != 0)
		obj_unref(call);	/* no loop (shutdown): free now */
}

static int
bye_cb(void *magic, nta_outgoing_t *orq, const sip_t *sip)
{
	struct call *call = magic;

	if (call_auth_intercept())
		return 0;
	if (sip != NULL && sip->sip_status->st_status < 200)
		return 0;
	for (int i = 0; i < 2; i++)
		if (call->bye[i] == orq && sip != NULL && (sip->sip_status->st_status == 401 ||
		    sip->sip_status->st_status == 407)) {
			/* a challenged BYE goes again with the group's credentials */
			nta_outgoing_t *n = call_auth_resend(call, i == 0 ? &call->a : &call->b,
			    orq, sip, bye_cb, call);

			if (n != NULL) {
				nta_outgoing_destroy(orq);
				call->bye[i] = n;
				return 0;
			}
		}
	for (int i = 0; i < 2; i++)
		if (call->bye[i] == orq) {
			nta_outgoing_destroy(orq);
			call->bye[i] = NULL;
			call->byes_pending--;
		}
	if (call->byes_pending <= 0)
		call_release(call);
	return 0;
}

static void
send_bye(struct call *call, struct leg *leg)
{
	int i = leg->side == 'A' ? 0 : 1;

	msg_t	*msg;
	sip_t	*sip;

	if (leg->nleg == NULL || call->bye[i] != NULL)
		return;
	if ((msg = nta_msg_create(sipif_agent(leg->sif), 0)) == NULL)
		return;
	sip = sip_object(msg);
	if (sip_add_tl(msg, sip, SIPTAG_USER_AGENT_STR(call->cfg->global.user_agent),
	    TAG_IF(call->bye_reason != NULL, SIPTAG_REASON_STR(call->bye_reason)),
	    TAG_END()) < 0 ||
	    nta_msg_request_complete(msg, leg->nleg, SIP_METHOD_BYE, NULL) < 0) {
		msg_destroy(msg);
		return;
	}
	call_manip(call, leg, msg, sip);
	call->bye[i] = nta_outgoing_mcreate(sipif_agent(leg->sif), bye_cb, call,
	    leg->nexthop ? URL_STRING_MAKE(leg->nexthop) : NULL, msg, TAG_END());
	if (call->bye[i] == NULL)
		msg_destroy(msg);
	if (call->bye[i] != NULL)
		call->byes_pending++;
	else
		CALL_LOG(warnx, call, leg, "cannot send BYE");
}

/*
 * End a confirmed call: BYE every side but from (which sent its own BYE),
 * then release when the BYEs are answered or time out.
 */
void
call_terminate(struct call *call, const struct leg *from, const char *why)
{
	if (call->state >= CS_TERMINATING)
		return;
	snprintf(call->reason, sizeof(call->reason), "%s", why);
	call->ended_by = from == &call->a ? "caller" : from == &call->b ? "callee" : "sbcd";
	call->state = CS_TERMINATING;
	if (from != &call->a)
		send_bye(call, &call->a);
	if (from != &call->b && call->b.nleg != NULL && nta_leg_get_rtag(call->b.nleg))
		send_bye(call, &call->b);
	if (call->byes_pending == 0)
		call_release(call);
}

/* ===== ACK ===== */

int
call_send_ack(struct call *call, struct leg *leg, uint32_t cseq, const char *sdp)
{
	sip_cseq_t	*cs = sip_cseq_create(call->home, cseq, SIP_METHOD_ACK);
	int		 body = sdp != NULL && *sdp != '\0';

	if (leg->ack != NULL)
		nta_outgoing_destroy(leg->ack);
	/* the INVITE's CSeq, never the leg's next one (sofia-sip notes, §2) */
	leg->ack = nta_outgoing_tcreate(leg->nleg, NULL, NULL,
	    leg->nexthop ? URL_STRING_MAKE(leg->nexthop) : NULL,
	    SIP_METHOD_ACK, NULL,
	    SIPTAG_CSEQ(cs),
	    TAG_IF(body, SIPTAG_CONTENT_TYPE_STR("application/sdp")),
	    TAG_IF(body, SIPTAG_PAYLOAD_STR(sdp)),
	    TAG_END());
	if (leg->ack == NULL) {
		CALL_LOG(warnx, call, leg, "cannot send ACK");
		return -1;
	}
	return 0;
}

/* ===== SDP through the media anchor ===== */

int
call_media_body(struct call *call, const struct leg *from, const sip_t *sip,
    enum call_sdp kind, char **sdp)
{
	static char	 buf[16384];
	enum media_side	 side = from == &call->a ? MEDIA_A : MEDIA_B;
	enum media_err	 err;

	*sdp = NULL;
	if (call->media == NULL || sip->sip_payload == NULL || sip->sip_payload->pl_len == 0)
		return 0;
	/* only SDP is anchored; other bodies (INFO payloads) pass as they are */
	if (sip->sip_content_type == NULL || sip->sip_content_type->c_type == NULL ||
	    strcasecmp(sip->sip_content_type->c_type, "application/sdp") != 0)
		return 0;
	if (kind == CALL_SDP_OFFER)
		err = media_offer(call->media, side, sip->sip_payload->pl_data,
		    sip->sip_payload->pl_len, buf, sizeof(buf));
	else
		err = media_answer(call->media, side, sip->sip_payload->pl_data,
		    sip->sip_payload->pl_len, buf, sizeof(buf));
	if (err != MEDIA_OK) {
		CALL_LOG(info, call, from, "SDP %s refused: %d", kind == CALL_SDP_OFFER ?
		    "offer" : "answer", (int)err);
		return (int)err;
	}
	*sdp = buf;
	return 0;
}

static const char *
status_phrase(int status)
{
	switch (status) {
	case 400:	return "Bad Request";
	case 488:	return "Not Acceptable Here";
	case 503:	return "Service Unavailable";
	default:	return "Server Internal Error";
	}
}

static void
media_timeout_cb(struct media *m, enum media_side silent, void *arg)
{
	struct call *call = arg;

	(void)m;
	if (call->state != CS_CONFIRMED)
		return;
	call->bye_reason = "Q.850;cause=41;text=\"media inactivity\"";
	call_terminate(call, NULL, silent == MEDIA_A ? "no media from the caller side" :
	    "no media from the callee side");
}

/* ===== A side: CANCEL and ACK of the initial INVITE ===== */

static int
a_ack_cancel_cb(void *magic, nta_incoming_t *irq, const sip_t *sip)
{
	struct call *call = magic;

	(void)irq;
	if (sip == NULL)
		return 0;
	if (sip->sip_request->rq_method == sip_method_cancel) {
		CALL_LOG(info, call, &call->a, "CANCEL");
		call->cancelled = 1;
		call->ended_by = "caller";
		call->final_sent = 1;	/* nta answers 487 for us */
		snprintf(call->reason, sizeof(call->reason), "cancelled by the caller");
		if (call->orq != NULL && call->provisional)
			nta_outgoing_cancel(call->orq);
		else
			call_release(call);
		return 0;
	}
	if (sip->sip_request->rq_method == sip_method_ack) {
		/* late offer: B's 2xx carried the offer, the answer is here */
		if (!call->b_acked && call->b.nleg != NULL) {
			char *sdp = NULL;

			if (call_media_body(call, &call->a, sip, CALL_SDP_ANSWER, &sdp) != 0) {
				call_send_ack(call, &call->b, call->b_cseq, NULL);
				call->b_acked = 1;
				call_terminate(call, NULL, "unusable SDP answer in the ACK");
				return 0;
			}
			call_send_ack(call, &call->b, call->b_cseq, sdp);
			call->b_acked = 1;
		}
	}
	return 0;
}

/* ===== B side: the INVITE and its responses ===== */

static void
stop_timer(struct call *call)
{
	if (call->timer != NULL)
		evtimer_del(call->timer);
}

/* Reply a final status to A and end the call. */
static void
fail_call(struct call *call, int status, const char *phrase)
{
	if (!call->final_sent && call->irq != NULL)
		nta_incoming_treply(call->irq, status, phrase,
		    SIPTAG_SERVER_STR(call->cfg->global.user_agent), TAG_END());
	call->final_sent = 1;
	snprintf(call->reason, sizeof(call->reason), "%d %s", status, phrase);
	call_release(call);
}

/* This attempt failed: try the next destination or route, or give up. */
static void
attempt_failed(struct call *call, int status, const char *phrase, int dest_failed)
{
	stop_timer(call);
	call->last_status = status;
	snprintf(call->last_phrase, sizeof(call->last_phrase), "%s", phrase);
	if (call->tagged != NULL)
		nta_outgoing_destroy(call->tagged);
	call->tagged = NULL;
	if (call->orq != NULL)
		nta_outgoing_destroy(call->orq);
	call->orq = NULL;
	if (call->have_dest && call->ps != NULL && dest_failed)
		pset_report(call->ps, &call->dest, 0);
	if (call->cancelled || call->final_sent) {
		call_release(call);
		return;
	}
	attempt(call);
}

static void
timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct call *call = arg;

	(void)fd; (void)what;
	CALL_LOG(warnx, call, &call->b, "no provisional response from %s in %d ms",
	    call->dest.uri, call->dst_ipg && call->dst_ipg->proxy_set ?
	    call->dst_ipg->proxy_set->invite_timeout : 4000);
	attempt_failed(call, 408, "Request Timeout", 1);
}

static int
b_prack_cb(void *magic, nta_outgoing_t *orq, const sip_t *sip)
{
	(void)magic;
	if (sip == NULL || sip->sip_status->st_status >= 200)
		nta_outgoing_destroy(orq);
	return 0;
}

/* Responses to B's INVITE (and its tagged early dialog). */
/* Drop this attempt's transaction and send the INVITE again in the same
 * dialog (a 422 or a challenge): 0, or as send_invite(). */
static int
retry_in_dialog(struct call *call)
{
	if (call->tagged != NULL)
		nta_outgoing_destroy(call->tagged);
	call->tagged = NULL;
	nta_outgoing_destroy(call->orq);
	call->orq = NULL;
	stop_timer(call);
	call->b_retry = 1;
	return send_invite(call);
}

static int
b_invite_cb(void *magic, nta_outgoing_t *orq, const sip_t *sip)
{
	struct call	*call = magic;
	int		 status = sip ? sip->sip_status->st_status : 408;
	const char	*phrase = sip ? sip->sip_status->st_phrase : "Request Timeout";

	if (orq != call->orq && orq != call->tagged)
		return 0;	/* an attempt we gave up */
	if (call->state == CS_DONE)
		return 0;
	if (status < 200) {
		stop_timer(call);
		call->provisional = 1;
		if (call->cancelled) {
			nta_outgoing_cancel(call->orq);
			return 0;
		}
		if (status == 100)
			return 0;
		if (sip->sip_to->a_tag != NULL) {
			nta_leg_rtag(call->b.nleg, sip->sip_to->a_tag);
			nta_leg_client_route(call->b.nleg, sip->sip_record_route, sip->sip_contact);
		}
		/* 100rel toward B is ours to acknowledge, hop by hop */
		if (sip->sip_require && sip_has_feature(sip->sip_require, "100rel") &&
		    sip->sip_rseq && sip->sip_to->a_tag) {
			if (call->tagged == NULL)
				call->tagged = nta_outgoing_tagged(call->orq, b_invite_cb, call,
				    sip->sip_to->a_tag, sip->sip_rseq);
			if (call->tagged != NULL)
				nta_outgoing_prack(call->b.nleg, call->tagged, b_prack_cb, call,
				    call->b.nexthop ? URL_STRING_MAKE(call->b.nexthop) : NULL,
				    sip, TAG_END());
		}
		if (call->irq != NULL) {
			int	 reliable = call->a.rel100 && sip->sip_payload != NULL;
			char	*sdp = NULL;

			/* early media: the answer (or a late offer) in a provisional */
			if (call_media_body(call, &call->b, sip, call->b_sdp ? CALL_SDP_ANSWER :
			    CALL_SDP_OFFER, &sdp) != 0)
				sdp = "";	/* unusable: relay the provisional without it */
			if (call_reply(call->irq, sip, &call->a, reliable, sdp) != 0 && reliable)
				call_reply(call->irq, sip, &call->a, 0, sdp);
			if (call->state == CS_ROUTING)
				call->state = CS_EARLY;
		}
		return 0;
	}

	stop_timer(call);
	if (status < 300) {
		if (call->cancelled) {
			/* the callee answered as the caller gave up: end it cleanly */
			nta_leg_rtag(call->b.nleg, sip->sip_to->a_tag);
			nta_leg_client_reroute(call->b.nleg, sip->sip_record_route,
			    sip->sip_contact, 1);
			const char *by = call->ended_by;

			call_send_ack(call, &call->b, call->b_cseq, NULL);
			call->state = CS_CONFIRMED;
			call_terminate(call, &call->a, "answered after CANCEL");
			call->ended_by = by;	/* the caller, or sbcd's drain */
			return 0;
		}
		if (call->state == CS_CONFIRMED)
			return 0;	/* a 2xx from another fork: nta ACK+BYEs it */
		nta_leg_rtag(call->b.nleg, sip->sip_to->a_tag);
		nta_leg_client_reroute(call->b.nleg, sip->sip_record_route, sip->sip_contact, 1);
		{
			char	*sdp = NULL;
			int	 st = call_media_body(call, &call->b, sip, call->b_sdp ?
			    CALL_SDP_ANSWER : CALL_SDP_OFFER, &sdp);

			if (st != 0) {
				/* an answer sbcd cannot use: the callee is hung up, the
				 * caller told why */
				call_send_ack(call, &call->b, call->b_cseq, NULL);
				call->b_acked = 1;
				nta_incoming_treply(call->irq, st, status_phrase(st), TAG_END());
				call->final_sent = 1;
				call_terminate(call, &call->a, "unusable SDP from the callee");
				return 0;
			}
			if (call->b_sdp || sip->sip_payload == NULL) {
				/* ACK at once (the carrier hangs up an un-ACKed 2xx),
				 * unless the offer is in this 2xx: then the answer
				 * comes with A's ACK */
				call_send_ack(call, &call->b, call->b_cseq, NULL);
				call->b_acked = 1;
			}
			call_reply(call->irq, sip, &call->a, 0, sdp);
		}
		if (call->have_dest && call->ps != NULL)
			pset_report(call->ps, &call->dest, 1);
		call->b.invite_out = 0;
		call->a.invite_in = 0;
		call->final_sent = 1;
		call->state = CS_CONFIRMED;
		clock_gettime(CLOCK_REALTIME, &call->t_answer);
		metrics_call_answered(call->src_ipg ? call->src_ipg->name : NULL,
		    call->dst_ipg ? call->dst_ipg->name : NULL);
		call_st_start(call, &call->b, sip);
		call_st_start(call, &call->a, NULL);
		CALL_LOG(info, call, &call->b, "answered (%d %s)", status, phrase);
		return 0;
	}

	/* a failure: another destination or route, or tell the caller */
	CALL_LOG(info, call, &call->b, "%d %s from %s", status, phrase,
	    call->have_dest ? call->dest.uri : "?");
	if (call->cancelled) {
		call_release(call);
		return 0;
	}
	if ((status == 401 || status == 407) && sip != NULL && call->dst_ipg != NULL &&
	    call->dst_ipg->username != NULL && call->dst_ipg->password != NULL) {
		/* call authentication: answer the challenge with the group's
		 * credentials, once (a second challenge means they are wrong) */
		char		 hdr[AUTH_HDR_MAX], line[AUTH_HDR_MAX + 32];
		const url_t	*ru = nta_outgoing_request_uri(orq);
		struct auth_req	 rq = { "INVITE", ru ? url_as_string(call->home, ru) : "",
		    call->dst_ipg->username, call->dst_ipg->password, call->b_auth_sent };
		int		 err = auth_answer(&call->b.auth, sip, &rq, hdr, sizeof(hdr));

		if (err == 0) {
			snprintf(line, sizeof(line), "%s: %s", auth_header_name(&call->b.auth), hdr);
			call->b_authz = su_strdup(call->home, line);
			explicit_bzero(hdr, sizeof(hdr));
			explicit_bzero(line, sizeof(line));
			CALL_LOG(info, call, &call->b, "answering a %d challenge as %s", status,
			    call->dst_ipg->username);
			if (retry_in_dialog(call) == 0)
				return 0;
		} else
			CALL_LOG(info, call, &call->b, "%d challenge not answered: %s", status,
			    err == EACCES ? "the credentials were refused" : strerror(err));
	}
	if (status == 422 && sip != NULL && sip->sip_min_se != NULL && call->b.st_min == 0 &&
	    call->b.profile && call->b.profile->session_expires_mode == CFG_SE_SUPPORTED &&
	    sip->sip_min_se->min_delta <= 86400) {
		/* Session Interval Too Small: once more, with its Min-SE */
		call->b.st_min = (int)sip->sip_min_se->min_delta;
		if (retry_in_dialog(call) == 0)
			return 0;
	}
	{
		/* nta's own 503/408: the destination failed, nothing came back */
		int internal = sip == NULL || sip->sip_via == NULL ||
		    nta_sip_is_internal(sip);
		int retry = internal || status == 408 ||
		    (call->route && route_is_alt_reason(call->route, status));

		if (retry && !call->final_sent) {
			attempt_failed(call, status, phrase, internal || status == 408);
			return 0;
		}
	}
	call->b.invite_out = 0;
	if (sip != NULL && sip->sip_via != NULL && !nta_sip_is_internal(sip))
		call->ended_by = "callee";	/* its answer goes to the caller */
	if (call->irq != NULL && !call->final_sent)
		call_reply(call->irq, sip, &call->a, 0, "");
	call->final_sent = 1;
	snprintf(call->reason, sizeof(call->reason), "%d %s", status, phrase);
	if (call->tagged != NULL)
		nta_outgoing_destroy(call->tagged);
	call->tagged = NULL;
	call_release(call);
	return 0;
}

/* Send A's INVITE to the destination chosen in call->dest.  0, -1 when this
 * destination cannot be used, or a SIP status that ends the call (media). */
static int
send_invite(struct call *call)
{
	const sip_t		*asip = sip_object(call->invite);
	const struct cfg_pset	*cps = call->dst_ipg ? call->dst_ipg->proxy_set : NULL;
	const char		*sifname;
	struct sipif		*sif;
	const char		*host, *user;
	char			*ruri, *from, *to;
	const sip_contact_t	*ct;
	msg_t			*msg;
	sip_t			*sip;
	struct timeval		 tv;
	int			 ms;
	char			*sdp = NULL;
	const char		*srcuser;
	char			 dstbuf[128], srcbuf[128];

	sifname = cps ? cps->sip_interface->name : call->route->dest_sip_interface->name;
	sif = sipif_get(sifname);
	if (sif == NULL || !sipif_has_transport(sif, call->dest.transport)) {
		CALL_LOG(warnx, call, &call->b, "SIP interface %s cannot send %s",
		    sifname, cfg_transport_str(call->dest.transport));
		return -1;
	}
	{
		/* the callee side's media: its group's realm and profile */
		const struct cfg_sipif	*csi = cfg_sipif_find(call->cfg, sifname);
		const struct cfg_realm	*realm = call->dst_ipg && call->dst_ipg->media_realm ?
		    call->dst_ipg->media_realm : csi ? csi->media_realm : NULL;
		const struct cfg_profile *prof = call->dst_ipg ? call->dst_ipg->ip_profile :
		    call->src_ipg->ip_profile;
		enum media_err		 merr;

		if (realm == NULL)
			return -1;
		if ((merr = media_side_set(call->media, MEDIA_B, realm, prof)) != MEDIA_OK)
			return (int)merr;
		media_side_signalling(call->media, MEDIA_B,
		    (const struct sockaddr *)&call->dest.addr);
		call->b.profile = prof;
		if ((merr = call_media_body(call, &call->a, asip, CALL_SDP_OFFER, &sdp)) != 0)
			return (int)merr;
	}
	/* a fresh dialog per destination; a retry to the same one after a
	 * 422 or a challenge stays in its dialog (same Call-ID, next CSeq) */
	if (!call->b_retry) {
		leg_clear(&call->b);
		call->b.sif = sipif_ref(sif);
	}
	call->b.transport = call->dest.transport;
	call->b.nexthop = su_strdup(call->home, call->dest.uri);
	call->b.ipg = call->dst_ipg;

	host = call->dst_ipg && call->dst_ipg->sip_group_name ?
	    call->dst_ipg->sip_group_name : call->dest.host;
	/* the numbers as this group wants them (the guide: 9 + number -> +E.164) */
	user = call_number(call->dst_ipg, CFG_NUM_OUTBOUND, CFG_NUM_DST, call->dst_user,
	    dstbuf, sizeof(dstbuf));
	srcuser = call_number(call->dst_ipg, CFG_NUM_OUTBOUND, CFG_NUM_SRC, call->src_user,
	    srcbuf, sizeof(srcbuf));
	ct = sipif_contact(sif, call->dest.transport);
	if (strchr(host, ':') != NULL)
		ruri = su_sprintf(call->home, "sip:%s%s[%s]:%d%s", user ? user : "",
		    user ? "@" : "", host, call->dest.port,
		    call->dest.transport == CFG_TP_TLS ? ";transport=tls" :
		    call->dest.transport == CFG_TP_TCP ? ";transport=tcp" : "");
	else
		ruri = su_sprintf(call->home, "sip:%s%s%s:%d%s", user ? user : "",
		    user ? "@" : "", host, call->dest.port,
		    call->dest.transport == CFG_TP_TLS ? ";transport=tls" :
		    call->dest.transport == CFG_TP_TCP ? ";transport=tcp" : "");
	/* From: the caller's display name and number at our address; anonymous
	 * when the caller is, or asks for privacy toward a group not trusted
	 * with identities */
	if ((srcuser != NULL && strcasecmp(srcuser, "anonymous") == 0) ||
	    (call_privacy_id(asip) && call->dst_ipg && !call->dst_ipg->identity_trusted))
		from = "\"Anonymous\" <sip:anonymous@anonymous.invalid>";
	else
		from = su_sprintf(call->home, "%s%s%s<sip:%s%s%s>",
		    asip->sip_from->a_display ? asip->sip_from->a_display : "",
		    asip->sip_from->a_display ? " " : "", "",
		    srcuser ? srcuser : "", srcuser ? "@" : "", ct->m_url->url_host);
	to = su_sprintf(call->home, "%s%s<sip:%s%s%s>",
	    asip->sip_to->a_display ? asip->sip_to->a_display : "",
	    asip->sip_to->a_display ? " " : "",
	    user ? user : "", user ? "@" : "", host);

	msg = nta_msg_create(sipif_agent(sif), 0);
	if (msg == NULL)
		return -1;
	sip = sip_object(msg);
	call_copy_headers(msg, sip, asip, 0);
	call->b_sdp = call_add_body(msg, sip, asip, sdp);
	call_add_common(msg, sip, call, asip, &call->b);
	call_st_request(call, &call->b, msg, sip);
	call_identity_out(call, msg, sip);
	if (sip_add_tl(msg, sip, SIPTAG_REQUEST(sip_request_create(msg_home(msg),
	    SIP_METHOD_INVITE, URL_STRING_MAKE(ruri), NULL)),
	    TAG_IF(!call->b_retry, SIPTAG_FROM_STR(from)),
	    TAG_IF(!call->b_retry, SIPTAG_TO_STR(to)), TAG_END()) < 0) {
		msg_destroy(msg);
		return -1;
	}
	call->b_auth_sent = call->b_authz != NULL;
	if (call->b_authz != NULL) {
		msg_header_add_str(msg, (msg_pub_t *)sip, call->b_authz);
		call->b_authz = NULL;
	}
	/* the manipulation sets see the INVITE as it will leave; the dialog
	 * takes its (possibly manipulated) From and To, so that every later
	 * request on the leg carries the same ones */
	call_manip(call, &call->b, msg, sip);
	/* for the CDR; a retry in the dialog (422, challenge) has no From yet:
	 * the dialog's, unchanged, goes in */
	if (sip->sip_from != NULL)
		call->tx_src = sip->sip_from->a_url->url_user ?
		    su_strdup(call->home, sip->sip_from->a_url->url_user) : NULL;
	call->tx_dst = sip->sip_request->rq_url->url_user ?
	    su_strdup(call->home, sip->sip_request->rq_url->url_user) : NULL;
	if (!call->b_retry) {
		call->b.nleg = nta_leg_tcreate(sipif_agent(sif), leg_request_cb, &call->b,
		    SIPTAG_FROM(sip->sip_from), SIPTAG_TO(sip->sip_to), TAG_END());
		if (call->b.nleg == NULL) {
			msg_destroy(msg);
			return -1;
		}
		nta_leg_tag(call->b.nleg, NULL);
	}
	call->b_retry = 0;
	if (nta_msg_request_complete(msg, call->b.nleg, SIP_METHOD_INVITE, NULL) < 0) {
		msg_destroy(msg);
		return -1;
	}
	call->b_cseq = sip->sip_cseq->cs_seq;
	if (call->b_callid == NULL && sip->sip_call_id != NULL)
		call->b_callid = su_strdup(call->home, sip->sip_call_id->i_id);
	call->b_acked = 0;
	call->provisional = 0;
	call->orq = nta_outgoing_mcreate(sipif_agent(sif), b_invite_cb, call,
	    URL_STRING_MAKE(call->dest.uri), msg, TAG_END());
	if (call->orq == NULL) {
		msg_destroy(msg);
		return -1;
	}
	call->b.invite_out = 1;
	ms = cps ? cps->invite_timeout : 4000;
	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	evtimer_add(call->timer, &tv);
	CALL_LOG(info, call, &call->b, "INVITE %s via %s", url_as_string(call->home,
	    sip->sip_request->rq_url), call->dest.uri);
	return 0;
}

/* A destination for an explicit route address (IP literal). */
static int
dest_from_address(struct call *call, const struct cfg_route *r)
{
	struct pset_dest	*d = &call->dest;
	char			 host[256];
	int			 port;

	memset(d, 0, sizeof(*d));
	{
		/* cfg validated the form; only IP literals are sent to directly */
		const char	*a = r->dest_address;
		char		*colon;

		if (*a == '[') {
			snprintf(host, sizeof(host), "%s", a + 1);
			if ((colon = strchr(host, ']')) == NULL)
				return -1;
			*colon = '\0';
			port = colon[1] == ':' ? atoi(colon + 2) : 0;
		} else {
			snprintf(host, sizeof(host), "%s", a);
			colon = strchr(host, ':');
			port = colon ? atoi(colon + 1) : 0;
			if (colon)
				*colon = '\0';
		}
	}
	if (port == 0)
		port = r->dest_transport == CFG_TP_TLS ? 5061 : 5060;
	if (inet_pton(AF_INET, host, &((struct sockaddr_in *)&d->addr)->sin_addr) == 1) {
		((struct sockaddr_in *)&d->addr)->sin_family = AF_INET;
		((struct sockaddr_in *)&d->addr)->sin_port = htons((uint16_t)port);
		d->addrlen = sizeof(struct sockaddr_in);
	} else if (inet_pton(AF_INET6, host, &((struct sockaddr_in6 *)&d->addr)->sin6_addr) == 1) {
		((struct sockaddr_in6 *)&d->addr)->sin6_family = AF_INET6;
		((struct sockaddr_in6 *)&d->addr)->sin6_port = htons((uint16_t)port);
		d->addrlen = sizeof(struct sockaddr_in6);
	} else {
		CALL_LOG(warnx, call, NULL, "route %s: dest_address %s is not an IP address",
		    r->name, r->dest_address);
		return -1;
	}
	d->transport = r->dest_transport;
	d->port = port;
	snprintf(d->host, sizeof(d->host), "%s", host);
	{
		char *u = addr_uri(call->home, (struct sockaddr *)&d->addr, d->transport);

		snprintf(d->uri, sizeof(d->uri), "%s", u);
	}
	return 0;
}

/* Try the next destination: same route's proxy set, then alternatives. */
static void
attempt(struct call *call)
{
	for (;;) {
		const struct cfg_route *r = call->route;
		int err;

		if (r == NULL)
			break;
		if (r->dest_type == CFG_RD_IP_GROUP) {
			/* the set as it is now, for the whole call: a reload
			 * must not change what the cursor indexes */
			if (call->ps == NULL)
				call->ps = pset_ref(pset_get(r->dest_ip_group->proxy_set->name));
			call->dst_ipg = r->dest_ip_group;
			/* without hot swap a route row tries one address of its set */
			if (call->cur.attempts > 0 && !r->dest_ip_group->proxy_set->hot_swap)
				err = ENOENT;
			else
				err = call->ps ? pset_next(call->ps, &call->cur, &call->dest) : ENOENT;
		} else {
			call->dst_ipg = NULL;
			err = call->cur.attempts++ == 0 ? dest_from_address(call, r) : ENOENT;
		}
		if (err == 0) {
			int st;

			call->have_dest = 1;
			if ((st = send_invite(call)) == 0)
				return;
			if (st > 0) {
				/* the media cannot be offered there (no codec in
				 * common, no ports): refuse, as the guide's caveat
				 * says, at once */
				fail_call(call, st, status_phrase(st));
				return;
			}
			call->last_status = 503;
			snprintf(call->last_phrase, sizeof(call->last_phrase), "Service Unavailable");
			continue;	/* this destination cannot be used: the next */
		}
		/* nothing left on this row: its alternative, if any */
		call->route = route_alternative(call->cfg, &call->route_index);
		call->ps = pset_unref(call->ps);
		pset_cursor_init(&call->cur);
		if (call->route != NULL)
			CALL_LOG(info, call, NULL, "trying alternative route %s", call->route->name);
	}
	if (call->last_status == 0 || call->last_status == 408 || call->last_status < 300)
		fail_call(call, call->last_status == 408 ? 408 : 503,
		    call->last_status == 408 ? "Request Timeout" : "Service Unavailable");
	else
		fail_call(call, call->last_status, call->last_phrase);
}

/* ===== new requests ===== */

static int
pset_match(const char *name, const struct sockaddr *sa, void *arg)
{
	struct pset *ps = pset_get(name);

	(void)arg;
	return ps != NULL && pset_has_address(ps, sa);
}

static void
answer_options(struct sipif *sif, msg_t *msg, const struct cfg *cfg,
    const struct sipif_src *src)
{
	nta_incoming_t *irq = nta_incoming_create(sipif_agent(sif), NULL, msg, sip_object(msg),
	    NTATAG_TPORT(src->tport), TAG_END());

	if (irq == NULL)
		return;
	nta_incoming_treply(irq, SIP_200_OK,
	    SIPTAG_ALLOW_STR("INVITE, ACK, CANCEL, BYE, OPTIONS, PRACK, UPDATE, INFO, MESSAGE, NOTIFY, REFER"),
	    SIPTAG_ACCEPT_STR("application/sdp"),
	    SIPTAG_SUPPORTED_STR("100rel, timer, replaces"),
	    SIPTAG_SERVER_STR(cfg->global.user_agent),
	    TAG_END());
	nta_incoming_destroy(irq);
}

static void
start_call(struct sipif *sif, msg_t *msg, sip_t *sip, const struct sipif_src *src,
    struct cfg *cfg, const struct cfg_ipgroup *src_ipg, const struct cfg_route *route,
    size_t route_index, const char *src_user, const char *dst_user)
{
	struct call	*call;
	nta_incoming_t	*irq;

	irq = nta_incoming_create(sipif_agent(sif), NULL, msg, sip,
	    NTATAG_TPORT(src->tport), TAG_END());
	if (irq == NULL)
		return;
	call = obj_alloc(sizeof(*call), call_destructor);
	if (call == NULL) {
		nta_incoming_treply(irq, SIP_500_INTERNAL_SERVER_ERROR, TAG_END());
		nta_incoming_destroy(irq);
		return;
	}
	su_home_init(call->home);
	call->id = next_id++;
	call->cfg = cfg_ref(cfg);
	call->irq = irq;
	call->invite = nta_incoming_getrequest(irq);
	sip = sip_object(call->invite);
	call->src_ipg = src_ipg;
	call->src_user = src_user ? su_strdup(call->home, src_user) : NULL;
	call->dst_user = dst_user ? su_strdup(call->home, dst_user) : NULL;
	call->route = route;
	call->route_index = route_index;
	pset_cursor_init(&call->cur);
	call->a.call = call;
	call->a.side = 'A';
	call->b.call = call;
	call->b.side = 'B';
	call->a.sif = sipif_ref(sif);
	memcpy(&call->a_src, &src->addr, src->addrlen);
	call->a.transport = src->transport;
	call->a.ipg = src_ipg;
	clock_gettime(CLOCK_REALTIME, &call->t_start);
	call->ended_by = "sbcd";
	if (sip->sip_from->a_url->url_user != NULL)
		call->rx_src = su_strdup(call->home, sip->sip_from->a_url->url_user);
	if (sip->sip_request->rq_url->url_user != NULL)
		call->rx_dst = su_strdup(call->home, sip->sip_request->rq_url->url_user);
	call->a.profile = src_ipg->ip_profile;
	call->a.rel100 = (sip->sip_supported && sip_has_feature(sip->sip_supported, "100rel")) ||
	    (sip->sip_require && sip_has_feature(sip->sip_require, "100rel"));
	/* in-dialog requests toward a server group go back where it sent from
	 * (for TLS: over the connection it opened) */
	if (src_ipg->type == CFG_IPG_SERVER)
		call->a.nexthop = addr_uri(call->home, (struct sockaddr *)&src->addr,
		    src->transport);
	call->timer = evtimer_new(loop_base(), timer_cb, call);
	TAILQ_INSERT_TAIL(&calls, call, link);
	ncalls++;

	call->a.nleg = nta_leg_tcreate(sipif_agent(sif), leg_request_cb, &call->a,
	    SIPTAG_CALL_ID(sip->sip_call_id), SIPTAG_FROM(sip->sip_to),
	    SIPTAG_TO(sip->sip_from), TAG_END());
	if (call->a.nleg == NULL || call->timer == NULL || call->invite == NULL) {
		fail_call(call, SIP_500_INTERNAL_SERVER_ERROR);
		return;
	}
	nta_leg_tag(call->a.nleg, NULL);
	nta_incoming_tag(irq, nta_leg_get_tag(call->a.nleg));
	nta_leg_server_route(call->a.nleg, sip->sip_record_route, sip->sip_contact);
	nta_incoming_bind(irq, a_ack_cancel_cb, call);
	call->a.invite_in = 1;
	{
		char mse[16];

		if (call_st_check(call, &call->a, sip, mse, sizeof(mse)) == 422) {
			nta_incoming_treply(irq, 422, "Session Interval Too Small",
			    SIPTAG_MIN_SE_STR(mse), TAG_END());
			call->final_sent = 1;
			snprintf(call->reason, sizeof(call->reason), "422, Min-SE %s", mse);
			call_release(call);
			return;
		}
	}
	nta_incoming_treply(irq, SIP_100_TRYING, TAG_END());

	/* the caller side's media, and its offer checked before anything goes on:
	 * an SRTP offer sbcd cannot use is refused now, not after ringing */
	{
		const struct cfg_sipif	*csi = cfg_sipif_find(cfg, sipif_name(sif));
		const struct cfg_realm	*realm = src_ipg->media_realm ? src_ipg->media_realm :
		    csi->media_realm;
		int			 st;

		if (media_new(&call->media, call->id, media_timeout_cb, call) != 0) {
			fail_call(call, SIP_500_INTERNAL_SERVER_ERROR);
			return;
		}
		st = (int)media_side_set(call->media, MEDIA_A, realm, src_ipg->ip_profile);
		media_side_signalling(call->media, MEDIA_A, (const struct sockaddr *)&src->addr);
		if (st == 0 && sip->sip_payload != NULL && sip->sip_content_type &&
		    sip->sip_content_type->c_type &&
		    strcasecmp(sip->sip_content_type->c_type, "application/sdp") == 0)
			st = (int)media_offer(call->media, MEDIA_A, sip->sip_payload->pl_data,
			    sip->sip_payload->pl_len, NULL, 0);
		if (st != 0) {
			CALL_LOG(info, call, &call->a, "media refused: %d", st);
			fail_call(call, st, status_phrase(st));
			return;
		}
	}

	CALL_LOG(info, call, &call->a, "INVITE from %s:%d (%s) ip group %s, From %s To %s, route %s",
	    src->ip, src->port, cfg_transport_str(src->transport), src_ipg->name,
	    sip->sip_from->a_url->url_user ? sip->sip_from->a_url->url_user : "",
	    sip->sip_request->rq_url->url_user ? sip->sip_request->rq_url->url_user : "",
	    route->name);
	attempt(call);
}

/* Out-of-dialog request other than INVITE: one transaction, relayed. */
struct oodrelay {
	nta_incoming_t	*irq;
	nta_outgoing_t	*orq;
	struct sipif	*sif_b;
	struct cfg	*cfg;
	int		 transport_a;
	struct sipif	*sif_a;
};

static int
ood_cb(void *magic, nta_outgoing_t *orq, const sip_t *sip)
{
	struct oodrelay *r = magic;

	if (sip != NULL && sip->sip_status->st_status < 200)
		return 0;
	if (sip != NULL)
		call_reply_copy(r->irq, sip, NULL, r->cfg->global.user_agent, 0, NULL, NULL, NULL);
	else
		nta_incoming_treply(r->irq, SIP_408_REQUEST_TIMEOUT, TAG_END());
	nta_incoming_destroy(r->irq);
	nta_outgoing_destroy(orq);
	sipif_unref(r->sif_a);
	sipif_unref(r->sif_b);
	cfg_unref(r->cfg);
	free(r);
	return 0;
}

static void
relay_ood(struct sipif *sif, msg_t *msg, sip_t *sip, const struct sipif_src *src,
    struct cfg *cfg, const struct cfg_route *route)
{
	nta_incoming_t		*irq;
	struct oodrelay		*r;
	struct pset_dest	 d;
	struct pset_cursor	 cur;
	struct pset		*ps;
	struct sipif		*sif_b;
	msg_t			*out;
	sip_t			*osip;
	const char		*host;
	char			 ruri[512];

	irq = nta_incoming_create(sipif_agent(sif), NULL, msg, sip,
	    NTATAG_TPORT(src->tport), TAG_END());
	if (irq == NULL)
		return;
	/* msg (and so sip) now belongs to irq and lives as long as it */
	nta_incoming_tag(irq, NULL);
	if (route->dest_type != CFG_RD_IP_GROUP ||
	    (ps = pset_get(route->dest_ip_group->proxy_set->name)) == NULL) {
		nta_incoming_treply(irq, 501, "Not Implemented", TAG_END());
		nta_incoming_destroy(irq);
		return;
	}
	pset_cursor_init(&cur);
	if (pset_next(ps, &cur, &d) != 0 ||
	    (sif_b = sipif_get(route->dest_ip_group->proxy_set->sip_interface->name)) == NULL) {
		nta_incoming_treply(irq, SIP_503_SERVICE_UNAVAILABLE, TAG_END());
		nta_incoming_destroy(irq);
		return;
	}
	host = route->dest_ip_group->sip_group_name ? route->dest_ip_group->sip_group_name : d.host;
	snprintf(ruri, sizeof(ruri), "sip:%s%s%s:%d", sip->sip_request->rq_url->url_user ?
	    sip->sip_request->rq_url->url_user : "", sip->sip_request->rq_url->url_user ? "@" : "",
	    host, d.port);
	out = nta_msg_create(sipif_agent(sif_b), 0);
	osip = sip_object(out);
	r = calloc(1, sizeof(*r));
	if (out == NULL || r == NULL) {
		free(r);
		if (out)
			msg_destroy(out);
		nta_incoming_treply(irq, SIP_500_INTERNAL_SERVER_ERROR, TAG_END());
		nta_incoming_destroy(irq);
		return;
	}
	call_copy_headers(out, osip, sip, 0);
	call_copy_body(out, osip, sip);
	sip_add_dup(out, osip, (const sip_header_t *)sipif_contact(sif_b, d.transport));
	sip_add_make(out, osip, sip_max_forwards_class, sip->sip_max_forwards ?
	    su_sprintf(msg_home(out), "%lu", sip->sip_max_forwards->mf_count - 1) : "70");
	sip_add_tl(out, osip,
	    SIPTAG_FROM_STR(su_sprintf(msg_home(out), "<sip:%s%s%s>;tag=%s",
	    sip->sip_from->a_url->url_user ? sip->sip_from->a_url->url_user : "",
	    sip->sip_from->a_url->url_user ? "@" : "",
	    sipif_contact(sif_b, d.transport)->m_url->url_host,
	    nta_agent_newtag(msg_home(out), "tag=%s", sipif_agent(sif_b)) + 4)),
	    SIPTAG_TO_STR(su_sprintf(msg_home(out), "<%s>", ruri)),
	    SIPTAG_CALL_ID(sip_call_id_create(msg_home(out), NULL)),
	    SIPTAG_CSEQ(sip_cseq_create(msg_home(out), 1, sip->sip_request->rq_method,
	    sip->sip_request->rq_method_name)),
	    SIPTAG_USER_AGENT_STR(cfg->global.user_agent),
	    TAG_END());
	if (nta_msg_request_complete(out, NULL, sip->sip_request->rq_method,
	    sip->sip_request->rq_method_name, URL_STRING_MAKE(ruri)) < 0) {
		msg_destroy(out);
		free(r);
		nta_incoming_treply(irq, SIP_500_INTERNAL_SERVER_ERROR, TAG_END());
		nta_incoming_destroy(irq);
		return;
	}
	r->irq = irq;
	r->cfg = cfg_ref(cfg);
	r->sif_a = sipif_ref(sif);
	r->sif_b = sipif_ref(sif_b);
	r->orq = nta_outgoing_mcreate(sipif_agent(sif_b), ood_cb, r, URL_STRING_MAKE(d.uri),
	    out, TAG_END());
	if (r->orq == NULL) {
		msg_destroy(out);
		nta_incoming_treply(irq, SIP_503_SERVICE_UNAVAILABLE, TAG_END());
		nta_incoming_destroy(irq);
		sipif_unref(r->sif_a);
		sipif_unref(r->sif_b);
		cfg_unref(r->cfg);
		free(r);
	}
}

/* A request that matched no dialog or transaction of an agent. */
static void
request_cb(struct sipif *sif, msg_t *msg, sip_t *sip, const struct sipif_src *src,
    void *arg)
{
	struct cfg			*cfg = reload_current();
	const struct cfg_sipif		*csi = cfg_sipif_find(cfg, sipif_name(sif));
	const struct cfg_ipgroup	*ipg;
	const struct cfg_class		*rule;
	const struct cfg_route		*route;
	struct cls_input		 in;
	struct route_input		 ri;
	enum cls_result			 cr;
	sip_method_t			 m = sip->sip_request->rq_method;
	nta_agent_t			*agent = sipif_agent(sif);
	size_t				 ri_index = 0;
	char				 srcbuf[128], dstbuf[128];

	(void)arg;
	if (m == sip_method_ack) {
		nta_msg_discard(agent, msg);
		return;
	}
	if (csi == NULL) {	/* retired while the request was on its way */
		nta_msg_treply(agent, msg, SIP_503_SERVICE_UNAVAILABLE, TAG_END());
		return;
	}

	/* classify by source before anything else */
	memset(&in, 0, sizeof(in));
	in.src = (const struct sockaddr *)&src->addr;
	in.transport = src->transport;
	in.sip_interface = csi->name;
	in.from_user = sip->sip_from->a_url->url_user;
	in.from_host = sip->sip_from->a_url->url_host;
	in.ruri_user = sip->sip_request->rq_url->url_user;
	in.ruri_host = sip->sip_request->rq_url->url_host;
	cr = cls_classify(cfg, &in, pset_match, NULL, &ipg, &rule);
	if (cr != CLS_MATCHED) {
		log_info("%s %s from %s:%d on %s: %s%s%s, %s", sip->sip_request->rq_method_name,
		    sip->sip_call_id ? sip->sip_call_id->i_id : "-", src->ip, src->port,
		    csi->name, cls_result_str(cr), rule ? " by rule " : "", rule ? rule->name : "",
		    csi->classification_failure_response ? "refused" : "dropped");
		metrics_class_reject(csi->name);
		if (csi->classification_failure_response == 0)
			nta_msg_discard(agent, msg);
		else
			nta_msg_treply(agent, msg, csi->classification_failure_response, NULL,
			    SIPTAG_SERVER_STR(cfg->global.user_agent), TAG_END());
		return;
	}

	/* a stray in-dialog request: no such dialog */
	if (sip->sip_to->a_tag != NULL) {
		nta_msg_treply(agent, msg, SIP_481_NO_TRANSACTION, TAG_END());
		return;
	}
	if (sipif_is_own_address((const struct sockaddr *)&src->addr)) {
		nta_msg_treply(agent, msg, SIP_482_LOOP_DETECTED, TAG_END());
		return;
	}
	if (m == sip_method_options && sip->sip_request->rq_url->url_user == NULL) {
		answer_options(sif, msg, cfg, src);
		return;
	}
	if (sip->sip_max_forwards != NULL && sip->sip_max_forwards->mf_count == 0) {
		nta_msg_treply(agent, msg, SIP_483_TOO_MANY_HOPS, TAG_END());
		return;
	}
	if (m == sip_method_bye || m == sip_method_prack || m == sip_method_update ||
	    m == sip_method_info || m == sip_method_cancel) {
		nta_msg_treply(agent, msg, SIP_481_NO_TRANSACTION, TAG_END());
		return;
	}

	if (m == sip_method_invite)
		metrics_call_attempt(ipg->name);
	if (draining && m == sip_method_invite) {
		char ra[16];

		metrics_call_failed(503);
		snprintf(ra, sizeof(ra), "%d", cfg->global.drain_retry_after);
		log_info("INVITE %s from ip group %s: refused, sbcd is draining",
		    sip->sip_call_id ? sip->sip_call_id->i_id : "-", ipg->name);
		nta_msg_treply(agent, msg, SIP_503_SERVICE_UNAVAILABLE,
		    TAG_IF(cfg->global.drain_retry_after > 0, SIPTAG_RETRY_AFTER_STR(ra)),
		    SIPTAG_SERVER_STR(cfg->global.user_agent), TAG_END());
		return;
	}
	memset(&ri, 0, sizeof(ri));
	ri.src_ipg = ipg;
	ri.method = sip->sip_request->rq_method_name;
	/* the source group's inbound number rules come before routing */
	ri.src_user = call_number(ipg, CFG_NUM_INBOUND, CFG_NUM_SRC, in.from_user,
	    srcbuf, sizeof(srcbuf));
	ri.src_host = in.from_host;
	ri.dst_user = call_number(ipg, CFG_NUM_INBOUND, CFG_NUM_DST, in.ruri_user,
	    dstbuf, sizeof(dstbuf));
	ri.dst_host = in.ruri_host;
	route = route_find(cfg, &ri, &ri_index);
	if (route == NULL) {
		log_info("%s %s from ip group %s: no route", ri.method,
		    sip->sip_call_id ? sip->sip_call_id->i_id : "-", ipg->name);
		if (m == sip_method_invite)
			metrics_call_failed(404);
		nta_msg_treply(agent, msg, 404, "No Route", TAG_END());
		return;
	}
	if (m == sip_method_invite)
		start_call(sif, msg, sip, src, cfg, ipg, route, ri_index, ri.src_user, ri.dst_user);
	else
		relay_ood(sif, msg, sip, src, cfg, route);
}

void
call_drain(void)
{
	draining = 1;
}

void
call_undrain(void)
{
	draining = 0;
}

int
call_draining(void)
{
	return draining;
}

/* End one call: BYE when answered, 503 and CANCEL while ringing. */
static void
hangup_one(struct call *call, const char *why)
{
	if (call->state >= CS_TERMINATING)
		return;
	call->ended_by = "sbcd";
	if (call->state == CS_CONFIRMED) {
		call->bye_reason = "SIP;cause=503;text=\"sbcd shutting down\"";
		call_terminate(call, NULL, why);
		return;
	}
	/* still ringing: as if the caller cancelled, and told why */
	CALL_LOG(info, call, NULL, "%s: given up while ringing", why);
	if (!call->final_sent && call->irq != NULL)
		nta_incoming_treply(call->irq, SIP_503_SERVICE_UNAVAILABLE,
		    SIPTAG_SERVER_STR(call->cfg->global.user_agent), TAG_END());
	call->final_sent = 1;
	call->cancelled = 1;
	snprintf(call->reason, sizeof(call->reason), "%s", why);
	if (call->orq != NULL && call->provisional)
		nta_outgoing_cancel(call->orq);
	else
		call_release(call);
}

void
call_hangup_all(const char *why)
{
	struct call *call, *next;

	for (call = TAILQ_FIRST(&calls); call != NULL; call = next) {
		next = TAILQ_NEXT(call, link);
		hangup_one(call, why);
	}
}

static struct call *
call_find(unsigned id)
{
	struct call *call;

	TAILQ_FOREACH(call, &calls, link)
		if (call->id == id)
			return call;
	return NULL;
}

int
call_hangup(unsigned id, const char *why)
{
	struct call *call = call_find(id);

	if (call == NULL || call->state >= CS_TERMINATING)
		return ENOENT;
	hangup_one(call, why);
	return 0;
}

/* ===== views for the control socket and the metrics ===== */

static const char *
state_str(enum call_state st)
{
	static const char *const names[] = {
		"routing", "early", "confirmed", "terminating", "done",
	};

	return names[st];
}

static double
secs_since(const struct timespec *t, const struct timespec *now)
{
	return (double)(now->tv_sec - t->tv_sec) + (now->tv_nsec - t->tv_nsec) / 1e9;
}

static void
leg_info(const struct call *call, const struct leg *leg, struct call_leg_info *li)
{
	enum media_side s = leg->side == 'A' ? MEDIA_A : MEDIA_B;

	li->sip_interface = leg->sif ? sipif_name(leg->sif) : NULL;
	li->ip_group = leg->ipg ? leg->ipg->name : NULL;
	li->profile = leg->profile ? leg->profile->name : NULL;
	li->transport = leg->sif ? cfg_transport_str(leg->transport) : NULL;
	li->peer[0] = '\0';
	if (leg->side == 'A')
		addr_str((const struct sockaddr *)&call->a_src, li->peer, sizeof(li->peer));
	else if (call->have_dest)
		snprintf(li->peer, sizeof(li->peer), "%s", call->dest.uri);
	li->call_id = leg->side == 'A' ? sip_object(call->invite)->sip_call_id->i_id :
	    call->b_callid;
	li->local_tag = leg->nleg ? nta_leg_get_tag(leg->nleg) : NULL;
	li->remote_tag = leg->nleg ? nta_leg_get_rtag(leg->nleg) : NULL;
	li->session_expires = leg->st_interval;
	li->sbcd_refreshes = leg->st_ours;
	li->media_port = call->media ? media_port(call->media, s) : 0;
	li->media_peer[0] = '\0';
	li->suite = "";
	memset(&li->media, 0, sizeof(li->media));
	if (li->media_port != 0) {
		media_peer(call->media, s, li->media_peer, sizeof(li->media_peer));
		li->suite = media_suite(call->media, s);
		media_stats(call->media, s, &li->media);
	}
}

static void
call_info_fill(const struct call *call, struct call_info *ci)
{
	struct timespec now;

	clock_gettime(CLOCK_REALTIME, &now);
	ci->id = call->id;
	ci->state = state_str(call->state);
	ci->age = secs_since(&call->t_start, &now);
	ci->talk = call->t_answer.tv_sec ? secs_since(&call->t_answer, &now) : 0;
	ci->src_ip_group = call->src_ipg ? call->src_ipg->name : NULL;
	ci->dst_ip_group = call->dst_ipg ? call->dst_ipg->name : NULL;
	ci->route = call->route ? call->route->name : NULL;
	ci->caller_in = call->rx_src;
	ci->callee_in = call->rx_dst;
	ci->caller_out = call->tx_src;
	ci->callee_out = call->tx_dst;
	ci->codec = call->media ? media_codec(call->media) : "";
	leg_info(call, &call->a, &ci->leg[0]);
	leg_info(call, &call->b, &ci->leg[1]);
}

void
call_walk(call_walk_h *cb, void *arg)
{
	struct call_info	 ci;
	struct call		*call;

	TAILQ_FOREACH(call, &calls, link) {
		call_info_fill(call, &ci);
		if (cb(&ci, arg) != 0)
			break;
	}
}

int
call_lookup(unsigned id, struct call_info *ci)
{
	struct call *call = call_find(id);

	if (call == NULL)
		return ENOENT;
	call_info_fill(call, ci);
	return 0;
}

/* ===== in-dialog requests land here through each leg ===== */

static int
leg_request_cb(struct leg *leg, nta_leg_t *nleg, nta_incoming_t *irq, const sip_t *sip)
{
	if (leg->call == NULL || leg->call->state == CS_DONE)
		return 481;
	return call_leg_request(leg, nleg, irq, sip);
}

void
call_init(void)
{
	sipif_init(request_cb, NULL);
	call_manip_init();
}

void
call_fini(void)
{
	struct call	*call;

	while ((call = TAILQ_FIRST(&calls)) != NULL) {
		snprintf(call->reason, sizeof(call->reason), "shutdown");
		call_release(call);
	}
	/* released calls are freed from the loop, which has stopped: one more
	 * pass, exactly one (sofia's fd may stay readable), runs those frees
	 * and returns the media ports */
	event_base_loop(loop_base(), EVLOOP_ONCE | EVLOOP_NONBLOCK);
}
