/* pset.h: proxy sets at run time: DNS resolution, OPTIONS keep-alive, health, selection. */
#ifndef SBCD_PSET_H
#define SBCD_PSET_H

#include <sys/socket.h>
#include <sofia-sip/msg.h>
#include <sofia-sip/sip.h>

struct cfg;
struct cfg_pset;
struct pset;

/*
 * Each proxy_sets row becomes a struct pset, matched by name across reloads
 * so that the health of its addresses survives a reload (an address is the
 * same when its "address" string and transport are unchanged).
 *
 * Each configured address is resolved inside the event loop, never
 * blocking it: IP literals at once, host names by A/AAAA (or SRV when the
 * set says dns_resolve = "srv" and no port is given), refreshed when the
 * record's TTL runs out.  One configured address can yield several
 * destinations; each destination has its own health.
 *
 * Keep-alive: with keepalive = "options", every destination is sent an
 * OPTIONS every keepalive_interval seconds from the set's SIP interface.
 * Any final response makes it up unless the code is listed in
 * keepalive_failure_responses; no final response within invite_timeout
 * makes it down.  Without keep-alive a destination is up until a request
 * to it fails (pset_report).
 */

enum pset_health {
	PSET_UNKNOWN = 0,	/* not probed yet: usable */
	PSET_UP,
	PSET_DOWN,
};

/* One destination chosen for one attempt. */
struct pset_dest {
	struct sockaddr_storage	 addr;
	socklen_t		 addrlen;
	int			 transport;	/* enum cfg_transport */
	char			 host[256];	/* host as configured (name or IP), for the R-URI/To */
	int			 port;		/* port used */
	char			 uri[320];	/* next hop for nta: "sip:IP:port;transport=x" */
	const char		*tls_verify_name;	/* name the certificate must carry, or NULL */
	unsigned		 index;		/* destination index within the set */
};

/* Which destinations a request has tried already (hot swap). */
struct pset_cursor {
	unsigned long long	 tried;	/* bit per destination index */
	unsigned		 attempts;
};

/* Register the reload hooks; the sets are built from each snapshot. */
void pset_init(void);

/* A keep-alive OPTIONS about to leave toward destination d of set ps: the
 * call layer runs the outbound manipulation set of the set's IP groups. */
typedef void (pset_request_h)(const struct cfg *snap, const struct cfg_pset *ps,
    const struct pset_dest *d, msg_t *msg, sip_t *sip);
void pset_set_request_hook(pset_request_h *h);

/* The current set of that name, borrowed, or NULL; a call keeps it with
 * pset_ref (a reload retires it: its health then stays as it was). */
struct pset *pset_get(const char *name);
struct pset *pset_ref(struct pset *ps);
struct pset *pset_unref(struct pset *ps);	/* returns NULL */

void pset_cursor_init(struct pset_cursor *cur);

/*
 * The next destination for a request: among destinations not yet tried
 * by cur and not down, the preferred priority first; within it, the
 * configured load balancing (none: configuration order, round-robin,
 * random-weights); redundancy mode homing always prefers the best
 * priority that is up, parking stays on the destination last used while it
 * is up.  When every destination not yet tried is down, those are tried
 * anyway, best priority first (a keep-alive verdict may be stale).  0 and
 * *out, or ENOENT when nothing is left (EAGAIN when names are still being
 * resolved).
 */
int pset_next(struct pset *ps, struct pset_cursor *cur, struct pset_dest *out);

/* Outcome of a request sent to d: ok = 0 marks it down (timeout, transport
 * failure), ok = 1 marks it up. */
void pset_report(struct pset *ps, const struct pset_dest *d, int ok);

/* Whether sa (address only, any port) is one of the set's resolved
 * destinations: classification by proxy set. */
int pset_has_address(const struct pset *ps, const struct sockaddr *sa);

/* Health of destination i, for tests, logs and the control socket. */
struct pset_status {
	char		 address[256];	/* as configured */
	char		 resolved[64];	/* numeric */
	int		 port;
	int		 transport;
	enum pset_health health;
	int		 last_code;	/* last keep-alive answer, 0: none */
	unsigned	 rtt_ms;	/* of that answer */
};
size_t pset_count(const struct pset *ps);
int pset_status(const struct pset *ps, size_t i, struct pset_status *st);
const char *pset_health_str(enum pset_health h);

#endif
