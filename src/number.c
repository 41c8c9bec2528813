/* number.c: number manipulation per IP group and caller identity (PAI, Privacy) toward a group. */
#include <string.h>
#include <strings.h>

#include "call_int.h"


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
