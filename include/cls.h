/* cls.h: classification of a new request to its source IP group, before anything else. */
#ifndef SBCD_CLS_H
#define SBCD_CLS_H

#include <sys/socket.h>

struct cfg;
struct cfg_class;
struct cfg_ipgroup;

/* What classification looks at. */
struct cls_input {
	const struct sockaddr	*src;	/* source address and port */
	int			 transport;	/* enum cfg_transport */
	const char		*sip_interface;	/* name of the interface it arrived on */
	const char		*from_user, *from_host;	/* NULL when absent */
	const char		*ruri_user, *ruri_host;
};

enum cls_result {
	CLS_MATCHED = 0,	/* *ipg is the source IP group */
	CLS_DENIED,		/* a deny rule matched */
	CLS_UNCLASSIFIED,	/* nothing claimed it */
};

/* Test whether a proxy set (by name) holds this address; supplied by the
 * caller so that classification stays a pure function of its inputs. */
typedef int (cls_pset_match_h)(const char *pset_name, const struct sockaddr *sa,
    void *arg);

/*
 * Classify: first IP groups with classify_by_proxy_set whose proxy set
 * leaves from the interface the request arrived on and holds its source
 * address (any port), in table order; then the classification rules in
 * order, the first that matches deciding.  *rule is the rule that decided,
 * or NULL.
 */
enum cls_result cls_classify(const struct cfg *cfg, const struct cls_input *in,
    cls_pset_match_h *pm, void *arg, const struct cfg_ipgroup **ipg,
    const struct cfg_class **rule);

const char *cls_result_str(enum cls_result r);

#endif
