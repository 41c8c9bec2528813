/* number.c: number manipulation per IP group and caller identity (PAI, Privacy) toward a group. */
#include <string.h>
#include <strings.h>

#include "call_int.h"
#include "manip.h"

#include <arpa/inet.h>


/*
 * The first rule of g for this direction and field whose match prefix the
 * number has: strip that many leading characters, then put the prefix in
 * front unless the number already starts with it (so "+" is never doubled).
 * Returns num itself when no rule applies, else buf.
 */
const char *
call_number(const struct cfg_ipgroup *g, int direction, int field, const char *num,
    char *buf, size_t len)
{
	if (g == NULL || num == NULL || *num == '\0')
		return num;
	/* numbers only: "anonymous" or a name is nobody's to prefix */
	for (const char *c = num; *c; c++)
		if (!(*c >= '0' && *c <= '9') && *c != '+' && *c != '*' && *c != '#')
			return num;
	for (size_t i = 0; i < g->n_number_rules; i++) {
		const struct cfg_number_rule	*r = &g->number_rules[i];
		const char			*rest;

		if (r->direction != direction || r->field != field)
			continue;
		if (!cfg_match_prefix(r->match, num))
			continue;
		rest = (size_t)r->strip < strlen(num) ? num + r->strip : "";
		if (r->prefix != NULL && strncmp(rest, r->prefix, strlen(r->prefix)) != 0)
			snprintf(buf, len, "%s%s", r->prefix, rest);
		else
			snprintf(buf, len, "%s", rest);
		return buf;
	}
	return num;
}

/* Does the request ask for its identity to be withheld (Privacy: id)? */
int
call_privacy_id(const sip_t *sip)
{
	const sip_privacy_t *p = sip_privacy(sip);

	if (p == NULL || p->priv_values == NULL)
		return 0;
	for (int i = 0; p->priv_values[i] != NULL; i++)
		if (strcasecmp(p->priv_values[i], "id") == 0 ||
		    strcasecmp(p->priv_values[i], "user") == 0)
			return 1;
	return 0;
}

/* The user part of a name-addr or addr-spec value: where it starts and how long. */
static int
uri_user(const char *v, size_t *off, size_t *len)
{
	const char *p = strstr(v, "sip:");

	if (p == NULL)
		p = strstr(v, "sips:");
	if (p == NULL)
		p = strstr(v, "tel:");
	if (p == NULL)
		return -1;
	p = strchr(p, ':') + 1;
	*off = (size_t)(p - v);
	*len = strcspn(p, "@>;? ");
	if (p[*len] != '@' && strncmp(v + *off - 4, "tel:", 4) != 0)
		return -1;	/* sip: without a user part */
	return 0;
}

/*
 * P-Asserted-Identity toward the destination group: removed when the group
 * is not trusted with identities, else its user numbered like From.  sofia
 * keeps the header as an unknown one (it is an extension header).
 */
void
call_identity_out(struct call *call, msg_t *msg, sip_t *sip)
{
	const struct cfg_ipgroup	*g = call->dst_ipg;
	sip_unknown_t			*u, *next;
	char				 user[128], b1[128], b2[128], nv[512];
	const char			*nu;
	size_t				 off, len;

	if (g == NULL)
		return;
	for (u = sip->sip_unknown; u != NULL; u = next) {
		next = u->un_next;
		if (u->un_name == NULL || strcasecmp(u->un_name, "P-Asserted-Identity") != 0 ||
		    u->un_value == NULL)
			continue;
		if (!g->identity_trusted) {
			msg_header_remove(msg, (msg_pub_t *)sip, (msg_header_t *)u);
			continue;
		}
		if (uri_user(u->un_value, &off, &len) != 0 || len == 0 || len >= sizeof(user))
			continue;
		memcpy(user, u->un_value + off, len);
		user[len] = '\0';
		nu = call_number(call->src_ipg, CFG_NUM_INBOUND, CFG_NUM_SRC, user, b1, sizeof(b1));
		nu = call_number(g, CFG_NUM_OUTBOUND, CFG_NUM_SRC, nu, b2, sizeof(b2));
		if (strcmp(nu, user) == 0)
			continue;
		snprintf(nv, sizeof(nv), "P-Asserted-Identity: %.*s%s%s", (int)off, u->un_value, nu,
		    u->un_value + off + len);
		msg_header_remove(msg, (msg_pub_t *)sip, (msg_header_t *)u);
		msg_header_add_str(msg, (msg_pub_t *)sip, nv);
	}
}

/* ===== message manipulation toward a group ===== */

static void
addr_strs(const struct sockaddr *sa, char *ip, size_t iplen, char *port, size_t plen)
{
	ip[0] = port[0] = '\0';
	if (sa == NULL)
		return;
	if (sa->sa_family == AF_INET) {
		inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, ip, (socklen_t)iplen);
		snprintf(port, plen, "%u", ntohs(((const struct sockaddr_in *)sa)->sin_port));
	} else if (sa->sa_family == AF_INET6) {
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, ip,
		    (socklen_t)iplen);
		snprintf(port, plen, "%u", ntohs(((const struct sockaddr_in6 *)sa)->sin6_port));
	}
}

static void
ipg_of(const struct cfg *cfg, const struct cfg_ipgroup *g, struct manip_ipg *out,
    char *id, size_t idlen)
{
	memset(out, 0, sizeof(*out));
	if (g == NULL)
		return;
	snprintf(id, idlen, "%zu", (size_t)(g - cfg->ip_groups));
	out->host = g->sip_group_name;
	out->user = g->username;
	out->id = id;
	out->name = g->name;
}

/*
 * Run the manipulation sets on a message sbcd sends to group `to_g` from
 * the interface `sif`, toward `peer`: the inbound set of the group the
 * message comes from first, then the outbound set of the group it goes
 * to (docs/manipulation.md).
 */
void
call_manip_msg(const struct cfg *cfg, const struct cfg_ipgroup *from_g,
    const struct cfg_ipgroup *to_g, struct sipif *sif, const struct sockaddr *peer,
    const char *src_user, const char *dst_user, msg_t *msg, sip_t *sip)
{
	struct manip_ctx	 ctx;
	char			 sip_[64], sport[8], dip[64], dport[8], id1[16], id2[16];
	const sip_contact_t	*ct;

	if ((from_g == NULL || from_g->inbound_manipulation_set == NULL) &&
	    (to_g == NULL || to_g->outbound_manipulation_set == NULL))
		return;
	memset(&ctx, 0, sizeof(ctx));
	ct = sif ? sipif_contact(sif, CFG_TP_UDP) : NULL;
	if (ct == NULL && sif)
		ct = sipif_contact(sif, CFG_TP_TLS);
	if (ct == NULL && sif)
		ct = sipif_contact(sif, CFG_TP_TCP);
	snprintf(sip_, sizeof(sip_), "%s", ct ? ct->m_url->url_host : "");
	snprintf(sport, sizeof(sport), "%s", ct && ct->m_url->url_port ? ct->m_url->url_port : "");
	addr_strs(peer, dip, sizeof(dip), dport, sizeof(dport));
	ctx.msg_src.ip = sip_;
	ctx.msg_src.port = sport;
	ctx.msg_src.sipinterface = sif ? sipif_name(sif) : NULL;
	ctx.msg_dst.ip = dip[0] ? dip : NULL;
	ctx.msg_dst.port = dport[0] ? dport : NULL;
	ctx.msg_dst.sipinterface = ctx.msg_src.sipinterface;
	ipg_of(cfg, from_g, &ctx.ipg_src, id1, sizeof(id1));
	ipg_of(cfg, to_g, &ctx.ipg_dst, id2, sizeof(id2));
	ctx.call_src.user = src_user;
	ctx.call_dst.user = dst_user;
	if (from_g != NULL && from_g->inbound_manipulation_set != NULL)
		manip_apply_set(from_g->inbound_manipulation_set, msg, sip, &ctx);
	if (to_g != NULL && to_g->outbound_manipulation_set != NULL)
		manip_apply_set(to_g->outbound_manipulation_set, msg, sip, &ctx);
}

/* The keep-alive OPTIONS of a proxy set gets the outbound set of each IP
 * group that sends through it (the guide's rules 1 and 2). */
static void
pset_hook(const struct cfg *snap, const struct cfg_pset *ps, const struct pset_dest *d,
    msg_t *msg, sip_t *sip)
{
	for (size_t i = 0; i < snap->n_ip_groups; i++) {
		const struct cfg_ipgroup *g = &snap->ip_groups[i];

		if (g->proxy_set == ps)
			call_manip_msg(snap, NULL, g, sipif_get(ps->sip_interface->name),
			    (const struct sockaddr *)&d->addr, NULL, NULL, msg, sip);
	}
}

void
call_manip_init(void)
{
	pset_set_request_hook(pset_hook);
}

/* A message of the call toward leg `to`. */
void
call_manip(struct call *call, const struct leg *to, msg_t *msg, sip_t *sip)
{
	const struct leg	*from = call_other((struct leg *)to);
	const struct sockaddr	*peer = to == &call->b ? (const struct sockaddr *)&call->dest.addr :
	    (const struct sockaddr *)&call->a_src;

	call_manip_msg(call->cfg, from->ipg, to->ipg, to->sif, peer,
	    to == &call->b ? call->src_user : call->dst_user,
	    to == &call->b ? call->dst_user : call->src_user, msg, sip);
}
