/* route.h: IP-to-IP routing: the first matching rule, then its alternatives. */
#ifndef SBCD_ROUTE_H
#define SBCD_ROUTE_H

#include <stddef.h>

struct cfg;
struct cfg_ipgroup;
struct cfg_route;

struct route_input {
	const struct cfg_ipgroup	*src_ipg;
	const char			*method;	/* "INVITE", "OPTIONS", ... */
	const char			*src_user, *src_host;	/* From */
	const char			*dst_user, *dst_host;	/* Request-URI */
};

/*
 * The first rule with role "route" that matches, or NULL.  *index is its
 * position, the start for route_alternative().
 */
const struct cfg_route *route_find(const struct cfg *cfg, const struct route_input *in,
    size_t *index);

/*
 * The next alternative after the row at *index: rows with role
 * "alternative" directly below the matched rule are used in order, whatever
 * their match fields say (AudioCodes' "alternative route, ignore inputs").
 * NULL when there is none; *index advances.
 */
const struct cfg_route *route_alternative(const struct cfg *cfg, size_t *index);

/* Whether a final response code makes the routing try an alternative:
 * 408 and 503 always, and any code listed in the rule's alt_route_reasons. */
int route_is_alt_reason(const struct cfg_route *r, int status);

#endif
