/* sstimer.c: RFC 4028 session timers per leg, by IP profile: add them, answer 422, refresh for a peer that never does. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <event2/event.h>

#include "call_int.h"
#include "log.h"
#include "loop.h"

#include <sofia-sip/sip_status.h>
#include <sofia-sip/sip_tag.h>
#include <sofia-sip/su_tagarg.h>

/*
 * Each leg has its own session timer, decided by the IP profile of its
 * peer (session_expires_mode):
 *   transparent    Session-Expires and Min-SE pass through; sbcd keeps no timer.
 *   observer       they pass through; if the refresher lets the interval run
 *                  out, sbcd ends the call.
 *   not-supported  they are removed toward that peer; no timer.
 *   supported      sbcd takes part: it asks for session_expires (refresher
 *                  uac: sbcd) in its INVITEs, answers 422 below min_se, and
 *                  refreshes the leg itself (re-INVITE with the SDP it last
 *                  sent, every half interval) when it is the refresher, or
 *                  ends the call when the peer is and does not refresh.
 * A refresh relayed from one side refreshes both legs.
 */

static int
mode_of(const struct leg *leg)
{
	return leg->profile ? leg->profile->session_expires_mode : CFG_SE_TRANSPARENT;
}

static int
supports_timer(const sip_t *sip)
{
	return (sip->sip_supported && sip_has_feature(sip->sip_supported, "timer")) ||
	    (sip->sip_require && sip_has_feature(sip->sip_require, "timer"));
}

static void
remove_timer_headers(msg_t *msg, sip_t *sip)
{
	if (sip->sip_session_expires != NULL)
		msg_header_remove_all(msg, (msg_pub_t *)sip,
		    (msg_header_t *)sip->sip_session_expires);
	if (sip->sip_min_se != NULL)
		msg_header_remove_all(msg, (msg_pub_t *)sip, (msg_header_t *)sip->sip_min_se);
}

static void
add_supported_timer(msg_t *msg, sip_t *sip)
{
	if (sip->sip_supported == NULL || !sip_has_feature(sip->sip_supported, "timer"))
		sip_add_make(msg, sip, sip_supported_class, "timer");
}

int
call_st_check(struct call *call, const struct leg *from, const sip_t *sip,
    char *min_se, size_t len)
{
	const struct cfg_profile *p = from->profile;

	(void)call;
	if (p == NULL || sip->sip_session_expires == NULL ||
	    (mode_of(from) != CFG_SE_SUPPORTED && mode_of(from) != CFG_SE_OBSERVER))
		return 0;
	if (sip->sip_session_expires->x_delta >= (unsigned long)p->min_se)
		return 0;
	snprintf(min_se, len, "%d", p->min_se);
	return 422;
}

void
call_st_request(struct call *call, struct leg *to, msg_t *msg, sip_t *sip)
{
	const struct cfg_profile	*p = to->profile;
	char				 v[48];

	(void)call;
	switch (mode_of(to)) {
	case CFG_SE_NOT_SUPPORTED:
		remove_timer_headers(msg, sip);
		break;
	case CFG_SE_SUPPORTED:
		/* sbcd's own interval toward this peer, sbcd refreshing */
		remove_timer_headers(msg, sip);
		snprintf(v, sizeof(v), "%d;refresher=uac", p->session_expires > to->st_min ?
		    p->session_expires : to->st_min);
		sip_add_make(msg, sip, sip_session_expires_class, v);
		snprintf(v, sizeof(v), "%d", p->min_se);
		sip_add_make(msg, sip, sip_min_se_class, v);
		add_supported_timer(msg, sip);
		break;
	default:
		break;
	}
}

void
call_st_response(void *arg, msg_t *msg, sip_t *sip)
{
	struct call		*call = arg;
	struct leg		*a = &call->a;
	const sip_t		*rq = sip_object(call->invite);
	const struct cfg_profile *p = a->profile;
	char			 v[48];
	unsigned long		 se;

	switch (mode_of(a)) {
	case CFG_SE_NOT_SUPPORTED:
		remove_timer_headers(msg, sip);
		a->st_interval = 0;
		break;
	case CFG_SE_SUPPORTED:
		/* the caller's leg: its own interval, whatever the callee said */
		remove_timer_headers(msg, sip);
		se = rq->sip_session_expires ? rq->sip_session_expires->x_delta :
		    (unsigned long)p->session_expires;
		if (se < (unsigned long)p->min_se)
			se = (unsigned long)p->min_se;
		a->st_interval = (int)se;
		/* the caller refreshes when it can, else sbcd does */
		a->st_ours = !supports_timer(rq);
		snprintf(v, sizeof(v), "%lu;refresher=%s", se, a->st_ours ? "uas" : "uac");
		sip_add_make(msg, sip, sip_session_expires_class, v);
		if (!a->st_ours)
			sip_add_make(msg, sip, sip_require_class, "timer");
		add_supported_timer(msg, sip);
		break;
	case CFG_SE_OBSERVER:
		if (sip->sip_session_expires != NULL) {
			a->st_interval = (int)sip->sip_session_expires->x_delta;
			a->st_ours = 0;
		}
		break;
	default:
		break;
	}
}

static void refresh(struct call *call, struct leg *leg);

static void
timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct leg	*leg = arg;
	struct call	*call = leg->call;

	(void)fd; (void)what;
	if (call->state != CS_CONFIRMED)
		return;
	if (leg->st_ours) {
		refresh(call, leg);
		return;
	}
	CALL_LOG(info, call, leg, "session expired: no refresh in %d s", leg->st_interval);
	call->bye_reason = "SIP;cause=408;text=\"session expired\"";
	call_terminate(call, NULL, "session timer expired");
}

/* (Re)arm the leg's timer. */
static void
arm(struct leg *leg)
{
	struct timeval	tv;
	int		ms;

	if (leg->st_interval <= 0)
		return;
	if (leg->st_timer == NULL &&
	    (leg->st_timer = evtimer_new(loop_base(), timer_cb, leg)) == NULL)
		return;
	/* sbcd refreshes at half the interval; a peer gets the whole of it */
	ms = leg->st_ours ? leg->st_interval * 500 : leg->st_interval * 1000;
	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	evtimer_add(leg->st_timer, &tv);
}

void
call_st_start(struct call *call, struct leg *leg, const sip_t *resp)
{
	int mode = mode_of(leg);

	if (leg == &call->b && resp != NULL) {
		/* sbcd was the UAC on this leg: the 2xx says who refreshes */
		const sip_session_expires_t *x = resp->sip_session_expires;

		if (mode == CFG_SE_SUPPORTED) {
			leg->st_interval = x ? (int)x->x_delta : leg->profile->session_expires;
			leg->st_ours = x == NULL || x->x_refresher == NULL ||
			    strcasecmp(x->x_refresher, "uac") == 0;
		} else if (mode == CFG_SE_OBSERVER && x != NULL) {
			leg->st_interval = (int)x->x_delta;
			leg->st_ours = 0;
		} else
			leg->st_interval = 0;
	}
	if (leg->st_interval > 0) {
		CALL_LOG(debug, call, leg, "session timer %d s, refresher %s", leg->st_interval,
		    leg->st_ours ? "sbcd" : "the peer");
		arm(leg);
	}
}

void
call_st_refreshed(struct call *call, struct leg *leg)
{
	(void)call;
	if (leg->st_interval > 0 && leg->st_timer != NULL)
		arm(leg);
}

void
call_st_stop(struct leg *leg)
{
	if (leg->st_timer != NULL)
		event_free(leg->st_timer);
	leg->st_timer = NULL;
	if (leg->st_refresh != NULL)
		nta_outgoing_destroy(leg->st_refresh);
	leg->st_refresh = NULL;
}

static int
refresh_cb(void *magic, nta_outgoing_t *orq, const sip_t *sip)
{
	struct leg	*leg = magic;
	struct call	*call = leg->call;
	int		 status = sip ? sip->sip_status->st_status : 408;

	if (call_auth_intercept())
		return 0;
	if (status < 200)
		return 0;
	if (status == 401 || status == 407) {
		/* the carrier challenges the refresh: answer it */
		nta_outgoing_t *n = call_auth_resend(call, leg, orq, sip, refresh_cb, leg);

		if (n != NULL) {
			nta_outgoing_destroy(orq);
			leg->st_refresh = n;
			return 0;
		}
	}
	leg->invite_out = 0;
	if (status < 300) {
		call_send_ack(call, leg, nta_outgoing_cseq(orq), NULL);
		nta_outgoing_destroy(orq);
		leg->st_refresh = NULL;
		if (sip->sip_session_expires != NULL && sip->sip_session_expires->x_delta > 0)
			leg->st_interval = (int)sip->sip_session_expires->x_delta;
		CALL_LOG(debug, call, leg, "session refreshed");
		arm(leg);
		return 0;
	}
	nta_outgoing_destroy(orq);
	leg->st_refresh = NULL;
	if (status == 422 && sip->sip_min_se != NULL &&
	    sip->sip_min_se->min_delta > (unsigned long)leg->st_interval &&
	    sip->sip_min_se->min_delta <= 86400) {
		leg->st_interval = (int)sip->sip_min_se->min_delta;
		refresh(call, leg);
		return 0;
	}
	if (status == 491) {
		/* glare with a re-INVITE of the peer: try again shortly */
		struct timeval tv = { 2, 0 };

		evtimer_add(leg->st_timer, &tv);
		return 0;
	}
	CALL_LOG(info, call, leg, "session refresh failed: %d", status);
	call->bye_reason = "SIP;cause=408;text=\"session refresh failed\"";
	call_terminate(call, NULL, "session refresh failed");
	return 0;
}

/* A re-INVITE carrying the SDP sbcd last sent this leg: the session lives on. */
static void
refresh(struct call *call, struct leg *leg)
{
	const char	*sdp = media_last_sdp(call->media, leg == &call->a ? MEDIA_A : MEDIA_B);
	char		 se[48], mse[16];
	struct leg	*other = call_other(leg);

	if (leg->invite_in || leg->invite_out || other->invite_in || other->invite_out) {
		/* an INVITE is under way on the call: it refreshes; look again soon */
		struct timeval tv = { 2, 0 };

		evtimer_add(leg->st_timer, &tv);
		return;
	}
	snprintf(se, sizeof(se), "%d;refresher=uac", leg->st_interval);
	snprintf(mse, sizeof(mse), "%d", leg->profile->min_se);
	leg->st_refresh = nta_outgoing_tcreate(leg->nleg, refresh_cb, leg,
	    leg->nexthop ? URL_STRING_MAKE(leg->nexthop) : NULL,
	    SIP_METHOD_INVITE, NULL,
	    SIPTAG_CONTACT(sipif_contact(leg->sif, leg->transport)),
	    SIPTAG_SESSION_EXPIRES_STR(se),
	    SIPTAG_MIN_SE_STR(mse),
	    SIPTAG_SUPPORTED_STR("timer"),
	    SIPTAG_USER_AGENT_STR(call->cfg->global.user_agent),
	    TAG_IF(sdp != NULL, SIPTAG_CONTENT_TYPE_STR("application/sdp")),
	    TAG_IF(sdp != NULL, SIPTAG_PAYLOAD_STR(sdp)),
	    TAG_END());
	if (leg->st_refresh == NULL) {
		call_terminate(call, NULL, "cannot send a session refresh");
		return;
	}
	leg->invite_out = 1;
	CALL_LOG(debug, call, leg, "session refresh sent");
}
