/* route.c: IP-to-IP routing rules in order, and their alternatives. */
#include <string.h>
#include <strings.h>

#include "cfg.h"
#include "route.h"

static int
matches(const struct cfg_route *r, const struct route_input *in)
{
	if (r->source_ip_group != NULL && r->source_ip_group != in->src_ipg)
		return 0;
	if (r->request_type != NULL && strcasecmp(r->request_type, "all") != 0 &&
	    strcasecmp(r->request_type, in->method) != 0)
		return 0;
	return cfg_match_prefix(r->src_user_prefix, in->src_user) &&
	    cfg_match_host(r->src_host, in->src_host) &&
	    cfg_match_prefix(r->dst_user_prefix, in->dst_user) &&
	    cfg_match_host(r->dst_host, in->dst_host);
}

const struct cfg_route *
route_find(const struct cfg *cfg, const struct route_input *in, size_t *index)
{
	for (size_t i = 0; i < cfg->n_routes; i++) {
		const struct cfg_route *r = &cfg->routes[i];

		if (r->role == CFG_RR_ROUTE && matches(r, in)) {
			*index = i;
			return r;
		}
	}
	return NULL;
}

const struct cfg_route *
route_alternative(const struct cfg *cfg, size_t *index)
{
	size_t i = *index + 1;

	if (i >= cfg->n_routes || cfg->routes[i].role != CFG_RR_ALTERNATIVE)
		return NULL;
	*index = i;
	return &cfg->routes[i];
}

int
route_is_alt_reason(const struct cfg_route *r, int status)
{
	if (status == 408 || status == 503)
		return 1;
	for (size_t i = 0; i < r->alt_route_reasons.n; i++)
		if (r->alt_route_reasons.v[i] == status)
			return 1;
	return 0;
}
