/* cls.c: classify a request to its source IP group: proxy set addresses, then rules. */
#include <string.h>
#include <strings.h>
#include <netinet/in.h>

#include "cfg.h"
#include "cls.h"

static int
cidr_match(const struct cfg_class *c, const struct sockaddr *sa)
{
	const unsigned char	*a;
	int			 bits = c->src_prefix, n;

	if (c->source_address == NULL)
		return 1;
	if (sa->sa_family != c->src_family)
		return 0;
	a = sa->sa_family == AF_INET ?
	    (const unsigned char *)&((const struct sockaddr_in *)sa)->sin_addr :
	    (const unsigned char *)&((const struct sockaddr_in6 *)sa)->sin6_addr;
	for (n = 0; bits >= 8; n++, bits -= 8)
		if (a[n] != c->src_net[n])
			return 0;
	if (bits > 0) {
		unsigned char mask = (unsigned char)(0xff << (8 - bits));

		if ((a[n] & mask) != (c->src_net[n] & mask))
			return 0;
	}
	return 1;
}

static int
port_of(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)sa)->sin_port);
	if (sa->sa_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)sa)->sin6_port);
	return 0;
}

static int
rule_match(const struct cfg_class *c, const struct cls_input *in)
{
	static const int tp_of[] = { [CFG_CLS_TP_UDP] = CFG_TP_UDP,
	    [CFG_CLS_TP_TCP] = CFG_TP_TCP, [CFG_CLS_TP_TLS] = CFG_TP_TLS };

	if (c->sip_interface != NULL && strcmp(c->sip_interface->name, in->sip_interface) != 0)
		return 0;
	if (!cidr_match(c, in->src))
		return 0;
	if (c->source_port != 0 && c->source_port != port_of(in->src))
		return 0;
	if (c->transport != CFG_CLS_TP_ANY && tp_of[c->transport] != in->transport)
		return 0;
	return cfg_match_prefix(c->src_user_prefix, in->from_user) &&
	    cfg_match_host(c->src_host, in->from_host) &&
	    cfg_match_prefix(c->dst_user_prefix, in->ruri_user) &&
	    cfg_match_host(c->dst_host, in->ruri_host);
}

enum cls_result
cls_classify(const struct cfg *cfg, const struct cls_input *in,
    cls_pset_match_h *pm, void *arg, const struct cfg_ipgroup **ipg,
    const struct cfg_class **rule)
{
	*ipg = NULL;
	*rule = NULL;
	for (size_t i = 0; pm != NULL && i < cfg->n_ip_groups; i++) {
		const struct cfg_ipgroup *g = &cfg->ip_groups[i];

		if (!g->classify_by_proxy_set || g->proxy_set == NULL)
			continue;
		/* the carrier's address on the PBX side is not the carrier */
		if (strcmp(g->proxy_set->sip_interface->name, in->sip_interface) != 0)
			continue;
		if (pm(g->proxy_set->name, in->src, arg)) {
			*ipg = g;
			return CLS_MATCHED;
		}
	}
	for (size_t i = 0; i < cfg->n_classification; i++) {
		const struct cfg_class *c = &cfg->classification[i];

		if (!rule_match(c, in))
			continue;
		*rule = c;
		if (c->action == CFG_CLS_DENY)
			return CLS_DENIED;
		*ipg = c->ip_group;
		return CLS_MATCHED;
	}
	return CLS_UNCLASSIFIED;
}

const char *
cls_result_str(enum cls_result r)
{
	switch (r) {
	case CLS_MATCHED:	return "matched";
	case CLS_DENIED:	return "denied";
	case CLS_UNCLASSIFIED:	return "unclassified";
	}
	return "?";
}
