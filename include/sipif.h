/* sipif.h: SIP interfaces at run time: one sofia NTA agent per configured interface. */
#ifndef SBCD_SIPIF_H
#define SBCD_SIPIF_H

#include <sys/socket.h>
#include <sofia-sip/nta.h>

struct cfg_sipif;
struct sipif;

/*
 * Each sip_interfaces row becomes a struct sipif holding one NTA agent with
 * the UDP, TCP and TLS listeners of the row.  sipifs are reference counted
 * and matched by name across reloads: when the address, ports and TLS
 * context name of a row are unchanged its agent and sockets are kept,
 * otherwise a new agent is bound while the old one stays with the calls that
 * still use it.  A removed interface stops taking new requests.
 */

/* Where an incoming request came from. */
struct sipif_src {
	struct sockaddr_storage	 addr;
	socklen_t		 addrlen;
	int			 transport;	/* enum cfg_transport */
	char			 ip[64];	/* numeric text of addr */
	int			 port;
	struct tport_s		*tport;	/* it arrived on; borrowed, valid during the handler */
};

/*
 * Requests that match no dialog or transaction of the agent (out-of-dialog
 * requests, and stray in-dialog ones) reach this handler statelessly,
 * before any transaction exists, so that a request can be classified and
 * dropped or refused cheaply.  The handler owns msg: it must discard it
 * (nta_msg_discard), answer it statelessly (nta_msg_treply) or make a
 * transaction of it (nta_incoming_create with NTATAG_TPORT(src->tport)).
 */
typedef void (sipif_request_h)(struct sipif *sif, msg_t *msg, sip_t *sip,
    const struct sipif_src *src, void *arg);

/* Register the reload hooks. */
void sipif_init(sipif_request_h *h, void *arg);

/* The current interface of that name, borrowed, or NULL. */
struct sipif *sipif_get(const char *name);
struct sipif *sipif_ref(struct sipif *sif);
struct sipif *sipif_unref(struct sipif *sif);	/* returns NULL */

nta_agent_t *sipif_agent(const struct sipif *sif);
const char *sipif_name(const struct sipif *sif);
/* Contact of this interface for a transport: "<sip:host:port;transport=x>",
 * host being the public address when the IP interface has one. */
const sip_contact_t *sipif_contact(const struct sipif *sif, int transport);
/* Whether the interface listens on that transport. */
int sipif_has_transport(const struct sipif *sif, int transport);
/* Whether addr:port is one of our own listeners (loop detection). */
int sipif_is_own_address(const struct sockaddr *sa);
/* Whether the interface was removed by a reload (it serves its calls only). */
int sipif_retired(const struct sipif *sif);

/* Turn sofia's message trace (TPTAG_LOG, read by hep.c) on or off on
 * every interface, now and for those a reload creates. */
void sipif_trace(int on);
/*
 * Our address and listening port for traffic with peer over transport: the
 * one interface with that transport and family, or among several the one
 * the kernel routes from.  0 or ENOENT.
 */
int sipif_local(int transport, const struct sockaddr *peer, struct sockaddr_storage *out);

#endif
