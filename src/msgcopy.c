/* msgcopy.c: build one leg's request or response from the other leg's, hiding topology. */
#include <string.h>
#include <strings.h>

#include "call_int.h"

#include <sofia-sip/sip_tag.h>
#include <sofia-sip/su_tagarg.h>
#include "reload.h"

/*
 * Headers that belong to one hop or one dialog never cross: Via, Route,
 * Record-Route, Contact, Call-ID, From, To, CSeq, Max-Forwards, the
 * Content-Length, 100rel's RSeq/RAck, the peer's User-Agent and Server (they
 * name its software), and credentials of one hop.  Headers sofia could not
 * parse are dropped rather than forwarded.  Everything else passes.
 */
static int
crosses(const msg_header_t *h)
{
	const msg_hclass_t *c = h->sh_class;

	return !(c == sip_via_class || c == sip_route_class ||
	    c == sip_record_route_class || c == sip_contact_class ||
	    c == sip_call_id_class || c == sip_from_class || c == sip_to_class ||
	    c == sip_cseq_class || c == sip_content_length_class ||
	    c == sip_max_forwards_class || c == sip_user_agent_class ||
	    c == sip_server_class || c == sip_rseq_class || c == sip_rack_class ||
	    c == sip_authorization_class || c == sip_proxy_authorization_class ||
	    c == sip_www_authenticate_class || c == sip_proxy_authenticate_class ||
	    c == sip_payload_class || c == sip_separator_class ||
	    c == sip_request_class || c == sip_status_class ||
	    c == sip_error_class || c == sip_content_type_class ||
	    c == sip_require_class);
}

/* Require without 100rel: reliability of provisionals is per hop. */
static void
copy_require(msg_t *dst, sip_t *dsip, const sip_require_t *rq)
{
	char	buf[512];
	size_t	len = 0;

	for (; rq != NULL; rq = rq->k_next) {
		for (int i = 0; rq->k_items && rq->k_items[i]; i++) {
			if (strcasecmp(rq->k_items[i], "100rel") == 0)
				continue;
			len += (size_t)snprintf(buf + len, len < sizeof(buf) ? sizeof(buf) - len : 0,
			    "%s%s", len ? ", " : "", rq->k_items[i]);
		}
	}
	if (len > 0 && len < sizeof(buf))
		sip_add_make(dst, dsip, sip_require_class, buf);
}

void
call_copy_headers(msg_t *dst, sip_t *dsip, const sip_t *src, int response)
{
	const msg_header_t *h;

	(void)response;
	/* every header in message order, one at a time (dup_one: a header
	 * given on several lines is several entries of this list) */
	for (h = (const msg_header_t *)(src->sip_request ? (const void *)src->sip_request :
	    (const void *)src->sip_status); h != NULL; h = h->sh_succ) {
		msg_header_t *d;

		if (!crosses(h))
			continue;
		d = msg_header_dup_one(msg_home(dst), h);
		if (d != NULL)
			msg_header_insert(dst, (msg_pub_t *)dsip, d);
	}
	if (src->sip_require != NULL)
		copy_require(dst, dsip, src->sip_require);
}

int
call_copy_body(msg_t *dst, sip_t *dsip, const sip_t *src)
{
	if (src->sip_payload == NULL || src->sip_payload->pl_len == 0)
		return 0;
	if (src->sip_content_type != NULL)
		sip_add_dup(dst, dsip, (const sip_header_t *)src->sip_content_type);
	sip_add_dup(dst, dsip, (const sip_header_t *)src->sip_payload);
	return 1;
}

/* The body: sdp (rewritten by the media anchor) when given ("" for none),
 * else src's as is.  1 when a body was added. */
int
call_add_body(msg_t *dst, sip_t *dsip, const sip_t *src, const char *sdp)
{
	if (sdp == NULL)
		return call_copy_body(dst, dsip, src);
	if (*sdp == '\0')
		return 0;	/* the body is withheld */
	sip_add_make(dst, dsip, sip_content_type_class, "application/sdp");
	sip_add_tl(dst, dsip, SIPTAG_PAYLOAD_STR(sdp), TAG_END());
	return 1;
}

/* Contact, Max-Forwards and User-Agent of a request leaving on leg to. */
void
call_add_common(msg_t *msg, sip_t *sip, const struct call *call, const sip_t *src,
    const struct leg *to)
{
	char mf[16];

	sip_add_dup(msg, sip, (const sip_header_t *)sipif_contact(to->sif, to->transport));
	snprintf(mf, sizeof(mf), "%lu", src && src->sip_max_forwards ?
	    src->sip_max_forwards->mf_count - 1 : 70UL);
	sip_add_make(msg, sip, sip_max_forwards_class, mf);
	if (call->cfg->global.user_agent != NULL)
		sip_add_make(msg, sip, sip_user_agent_class, call->cfg->global.user_agent);
}

/*
 * Answer irq with a copy of the other side's response resp: same status,
 * phrase, headers and body; our To tag, Contact (when given) and Server.
 * reliable: send as a 100rel provisional.  0 or -1.
 */
int
call_reply_copy(nta_incoming_t *irq, const sip_t *resp, const sip_contact_t *contact,
    const char *server, int reliable, const char *sdp, call_edit_h *edit, void *arg)
{
	int		 status = resp->sip_status->st_status;
	msg_t		*msg = nta_incoming_create_response(irq, status, resp->sip_status->st_phrase);
	sip_t		*sip;
	const char	*tag = nta_incoming_gettag(irq);

	if (msg == NULL)
		return -1;
	sip = sip_object(msg);
	/* create_response copies the request's To, without our tag */
	if (status > 100 && tag != NULL && sip->sip_to->a_tag == NULL)
		sip_to_tag(msg_home(msg), sip->sip_to, tag);
	call_copy_headers(msg, sip, resp, 1);
	call_add_body(msg, sip, resp, sdp);
	if (status > 100 && contact != NULL)
		sip_add_dup(msg, sip, (const sip_header_t *)contact);
	if (server != NULL)
		sip_add_make(msg, sip, sip_server_class, server);
	if (edit != NULL)
		edit(arg, msg, sip);
	if (reliable)
		return nta_reliable_mreply(irq, NULL, NULL, msg) != NULL ? 0 : -1;
	return nta_incoming_mreply(irq, msg);
}

struct reply_edit {
	struct call		*call;
	const struct leg	*leg;
	int			 timer;
};

/* What a response relayed to leg gets besides the copy: the caller's 2xx
 * its own leg's session timer, every response the manipulation sets. */
static void
reply_edit(void *arg, msg_t *msg, sip_t *sip)
{
	struct reply_edit *e = arg;

	if (e->timer)
		call_st_response(e->call, msg, sip);
	call_manip(e->call, e->leg, msg, sip);
}

int
call_reply(nta_incoming_t *irq, const sip_t *resp, const struct leg *leg, int reliable,
    const char *sdp)
{
	int			st = resp->sip_status->st_status;
	struct reply_edit	e = { leg->call, leg,
	    leg == &leg->call->a && irq == leg->call->irq && st >= 200 && st < 300 };

	return call_reply_copy(irq, resp, sipif_contact(leg->sif, leg->transport),
	    leg->call->cfg->global.user_agent, reliable, sdp, reply_edit, &e);
}
