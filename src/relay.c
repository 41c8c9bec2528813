/* relay.c: in-dialog requests of a call: BYE, re-INVITE (glare), UPDATE, INFO and the rest. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "call_int.h"
#include "log.h"

#include <sofia-sip/sip_status.h>
#include <sofia-sip/sip_tag.h>
#include <sofia-sip/su_tagarg.h>

/* One in-dialog transaction relayed from one leg to the other. */
struct relay {
	struct relay		*next;
	struct call		*call;	/* weak: the call owns its relays */
	struct leg		*from, *to;
	nta_incoming_t		*irq;
	nta_outgoing_t		*orq;
	sip_method_t		 method;
	uint32_t		 out_cseq;	/* of the request sent, for its ACK */
	int			 sdp_out;	/* the request sent carried a body */
	int			 acked;	/* ACK for a 2xx went to the far side */
	int			 final;	/* final response relayed */
};

static void
relay_free(struct relay *r)
{
	struct relay **pp;

	for (pp = &r->call->relays; *pp != NULL; pp = &(*pp)->next)
		if (*pp == r) {
			*pp = r->next;
			break;
		}
	if (r->method == sip_method_invite) {
		if (!r->final)
			r->from->invite_in = 0, r->to->invite_out = 0;
	}
	if (r->irq != NULL)
		nta_incoming_destroy(r->irq);
	if (r->orq != NULL)
		nta_outgoing_destroy(r->orq);
	free(r);
}

void
call_relays_destroy(struct call *call)
{
	while (call->relays != NULL)
		relay_free(call->relays);
}

/* ACK or CANCEL from the side that sent a re-INVITE. */
static int
relay_ack_cancel_cb(void *magic, nta_incoming_t *irq, const sip_t *sip)
{
	struct relay *r = magic;

	(void)irq;
	if (sip == NULL)
		return 0;
	if (sip->sip_request->rq_method == sip_method_cancel) {
		if (r->orq != NULL && !r->final)
			nta_outgoing_cancel(r->orq);
		return 0;
	}
	if (sip->sip_request->rq_method == sip_method_ack) {
		if (!r->acked && r->final) {
			char	*sdp = NULL;
			int	 st = call_media_body(r->call, r->from, sip, CALL_SDP_ANSWER, &sdp);

			call_send_ack(r->call, r->to, r->out_cseq, st == 0 ? sdp : NULL);
			if (st != 0) {
				r->acked = 1;
				relay_free(r);
				call_terminate(r->call, NULL, "unusable SDP answer in an ACK");
				return 0;
			}
		}
		r->acked = 1;
		relay_free(r);
	}
	return 0;
}

static int
relay_response_cb(void *magic, nta_outgoing_t *orq, const sip_t *sip)
{
	struct relay	*r = magic;
	struct call	*call = r->call;
	int		 status;

	(void)orq;
	if (call_auth_intercept())
		return 0;
	if (sip == NULL)
		return 0;
	status = sip->sip_status->st_status;
	if (status < 200) {
		char *sdp = NULL;

		if (status > 100 && r->irq != NULL) {
			if (call_media_body(call, r->to, sip, r->sdp_out ? CALL_SDP_ANSWER :
			    CALL_SDP_OFFER, &sdp) != 0)
				sdp = "";
			call_reply(r->irq, sip, r->from, 0, sdp);
		}
		return 0;
	}
	if (status == 401 || status == 407) {
		/* the carrier challenges: answer it and keep the originator waiting */
		nta_outgoing_t *n = call_auth_resend(call, r->to, orq, sip, relay_response_cb, r);

		if (n != NULL) {
			nta_outgoing_destroy(r->orq);
			r->orq = n;
			r->out_cseq = nta_outgoing_cseq(n);
			return 0;
		}
	}
	r->final = 1;
	{
		char	*sdp = NULL;
		int	 st = status < 300 ? call_media_body(call, r->to, sip, r->sdp_out ?
		    CALL_SDP_ANSWER : CALL_SDP_OFFER, &sdp) : 0;

		if (r->method == sip_method_invite) {
			r->from->invite_in = 0;
			r->to->invite_out = 0;
			if (status < 300 && (r->sdp_out || sip->sip_payload == NULL || st != 0)) {
				/* ACK the far side at once; the originator's ACK only
				 * ends our transaction */
				call_send_ack(call, r->to, r->out_cseq, NULL);
				r->acked = 1;
			}
		}
		if (st != 0) {
			/* an answer sbcd cannot use: both sides are hung up */
			if (r->irq != NULL)
				nta_incoming_treply(r->irq, st, NULL, TAG_END());
			relay_free(r);
			call_terminate(call, NULL, "unusable SDP in a re-INVITE answer");
			return 0;
		}
		if (r->irq != NULL)
			call_reply(r->irq, sip, r->from, 0, status < 300 ? sdp : "");
		if (status < 300 && (r->method == sip_method_invite ||
		    r->method == sip_method_update)) {
			/* a refresh that went through refreshes both legs */
			call_st_refreshed(call, r->from);
			call_st_refreshed(call, r->to);
		}
	}
	CALL_LOG(debug, call, r->to, "%s answered %d", sip->sip_cseq ?
	    sip->sip_cseq->cs_method_name : "?", status);
	/* RFC 5057: 481 and 408 to a request inside the dialog end it */
	if (status == 481 || status == 408) {
		snprintf(call->reason, sizeof(call->reason), "%d to an in-dialog %s", status,
		    sip->sip_cseq ? sip->sip_cseq->cs_method_name : "request");
		relay_free(r);
		call_terminate(call, NULL, call->reason);
		return 0;
	}
	if (r->method != sip_method_invite || status >= 300)
		relay_free(r);
	/* an INVITE relay waits for the originator's ACK */
	return 0;
}

/* Relay one request received on leg `from` to the other leg. */
static int
relay_request(struct leg *from, nta_incoming_t *irq, const sip_t *sip)
{
	struct call	*call = from->call;
	struct leg	*to = call_other(from);
	struct relay	*r;
	nta_agent_t	*agent;
	msg_t		*msg;
	sip_t		*osip;

	if (to->nleg == NULL || to->sif == NULL)
		return 481;
	r = calloc(1, sizeof(*r));
	if (r == NULL)
		return 500;
	agent = sipif_agent(to->sif);
	msg = nta_msg_create(agent, 0);
	if (msg == NULL) {
		free(r);
		return 500;
	}
	osip = sip_object(msg);
	{
		char	*sdp = NULL;
		int	 st = call_media_body(call, from, sip, CALL_SDP_OFFER, &sdp);

		if (st != 0) {
			msg_destroy(msg);
			free(r);
			return st;
		}
		call_copy_headers(msg, osip, sip, 0);
		r->sdp_out = call_add_body(msg, osip, sip, sdp);
	}
	call_add_common(msg, osip, call, sip, to);
	if (nta_msg_request_complete(msg, to->nleg, sip->sip_request->rq_method,
	    sip->sip_request->rq_method_name, NULL) < 0) {
		msg_destroy(msg);
		free(r);
		return 500;
	}
	call_manip(call, to, msg, osip);
	r->call = call;
	r->from = from;
	r->to = to;
	r->irq = irq;
	r->method = sip->sip_request->rq_method;
	r->out_cseq = osip->sip_cseq->cs_seq;
	r->orq = nta_outgoing_mcreate(agent, relay_response_cb, r,
	    to->nexthop ? URL_STRING_MAKE(to->nexthop) : NULL, msg, TAG_END());
	if (r->orq == NULL) {
		msg_destroy(msg);
		free(r);
		return 500;
	}
	r->next = call->relays;
	call->relays = r;
	if (r->method == sip_method_invite) {
		from->invite_in = 1;
		to->invite_out = 1;
		nta_incoming_bind(irq, relay_ack_cancel_cb, r);
	}
	CALL_LOG(debug, call, from, "%s relayed", sip->sip_request->rq_method_name);
	return 0;
}

int
call_leg_request(struct leg *leg, nta_leg_t *nleg, nta_incoming_t *irq, const sip_t *sip)
{
	struct call	*call = leg->call;
	struct leg	*other = call_other(leg);
	sip_method_t	 m = sip->sip_request->rq_method;

	(void)nleg;
	switch (m) {
	case sip_method_ack:
		return 0;	/* ACKs of our 2xx arrive through the transaction */
	case sip_method_bye:
		CALL_LOG(info, call, leg, "BYE");
		if (call->state < CS_CONFIRMED && leg == &call->b) {
			/* the callee gave up before answering: tell the caller */
			if (call->irq != NULL && !call->final_sent)
				nta_incoming_treply(call->irq, SIP_480_TEMPORARILY_UNAVAILABLE,
				    TAG_END());
			call->final_sent = 1;
		}
		call_terminate(call, leg, leg->side == 'A' ? "BYE from the caller side" :
		    "BYE from the callee side");
		{
			/* answered here, through the manipulation sets (the guide's
			 * rule 6 fixes the To host of this 200 toward the carrier) */
			msg_t *resp = nta_incoming_create_response(irq, SIP_200_OK);

			if (resp == NULL)
				return 200;
			call_manip(call, leg, resp, sip_object(resp));
			nta_incoming_mreply(irq, resp);
			nta_incoming_destroy(irq);
			return 0;
		}
	case sip_method_invite:
		/* RFC 3261 14.1: one INVITE at a time per dialog, either way */
		if (leg->invite_in || leg->invite_out || other->invite_in || other->invite_out)
			return 491;
		if (call->state != CS_CONFIRMED)
			return 491;
		{
			char mse[16];

			if (call_st_check(call, leg, sip, mse, sizeof(mse)) == 422) {
				nta_incoming_treply(irq, 422, "Session Interval Too Small",
				    SIPTAG_MIN_SE_STR(mse), TAG_END());
				nta_incoming_destroy(irq);
				return 0;
			}
		}
		return relay_request(leg, irq, sip);
	case sip_method_prack:
		return 481;	/* PRACKs are answered hop by hop by nta */
	default:
		if (call->state >= CS_TERMINATING)
			return 481;
		return relay_request(leg, irq, sip);
	}
}

static int	resend_in_create, resend_answered;

int
call_auth_intercept(void)
{
	if (!resend_in_create)
		return 0;
	resend_answered = 1;
	return 1;
}

nta_outgoing_t *
call_auth_resend(struct call *call, struct leg *leg, nta_outgoing_t *orq, const sip_t *resp,
    nta_response_f *cb, nta_outgoing_magic_t *magic)
{
	const struct cfg_ipgroup *ipg = leg->ipg;
	int		 status = resp ? resp->sip_status->st_status : 0;
	msg_t		*req, *msg;
	sip_t		*rsip, *sip;
	sip_request_t	*rq_line;
	nta_outgoing_t	*n;
	char		 hdr[AUTH_HDR_MAX];
	int		 err;

	if ((status != 401 && status != 407) || ipg == NULL || ipg->username == NULL ||
	    ipg->password == NULL || leg->nleg == NULL || leg->sif == NULL ||
	    call->state > CS_TERMINATING)
		return NULL;
	if ((req = nta_outgoing_getrequest(orq)) == NULL)
		return NULL;
	rsip = sip_object(req);
	{
		struct auth_req rq = { rsip->sip_request->rq_method_name,
		    url_as_string(call->home, rsip->sip_request->rq_url),
		    ipg->username, ipg->password,
		    rsip->sip_authorization != NULL || rsip->sip_proxy_authorization != NULL };

		err = auth_answer(&leg->auth, resp, &rq, hdr, sizeof(hdr));
	}
	if (err != 0) {
		CALL_LOG(info, call, leg, "%d to %s not answered: %s", status,
		    rsip->sip_request->rq_method_name,
		    err == EACCES ? "the credentials were refused" : strerror(err));
		msg_unref(req);
		return NULL;
	}
	/* the request as it left, answered; the dialog gives the next CSeq */
	msg = auth_request_copy(req, &leg->auth, hdr, sizeof(hdr));
	msg_unref(req);
	if (msg == NULL)
		return NULL;
	sip = sip_object(msg);
	msg_header_remove_all(msg, (msg_pub_t *)sip, (msg_header_t *)sip->sip_cseq);
	/* the request line the digest covers, as the manipulation left it:
	 * request_complete would rebuild it from the dialog's target */
	rq_line = sip_request_dup(msg_home(msg), sip->sip_request);
	if (rq_line == NULL || nta_msg_request_complete(msg, leg->nleg,
	    sip->sip_request->rq_method, sip->sip_request->rq_method_name, NULL) < 0 ||
	    msg_header_replace(msg, (msg_pub_t *)sip, (msg_header_t *)sip->sip_request,
	    (msg_header_t *)rq_line) < 0) {
		msg_destroy(msg);
		return NULL;
	}
	resend_in_create = 1;
	resend_answered = 0;
	n = nta_outgoing_mcreate(sipif_agent(leg->sif), cb, magic,
	    leg->nexthop ? URL_STRING_MAKE(leg->nexthop) : NULL, msg, TAG_END());
	resend_in_create = 0;
	if (n == NULL) {
		msg_destroy(msg);
		return NULL;
	}
	if (resend_answered) {
		/* nta could not send it: as if there were no answer */
		CALL_LOG(info, call, leg, "%s with credentials could not be sent",
		    sip->sip_request->rq_method_name);
		nta_outgoing_destroy(n);
		return NULL;
	}
	CALL_LOG(info, call, leg, "answering a %d challenge to %s as %s", status,
	    sip->sip_request->rq_method_name, ipg->username);
	return n;
}
