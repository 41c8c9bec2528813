/* manip.h: SIP message manipulation rules in AudioCodes syntax, compiled at load, applied per message. */
#ifndef SBCD_MANIP_H
#define SBCD_MANIP_H

#include <stddef.h>

#include <sofia-sip/msg.h>
#include <sofia-sip/sip.h>

#include "cfg.h"

/*
 * The module is pure: a parsed configuration row in, a compiled rule out;
 * a sofia message and the caller's parameters in, the same message changed
 * in place out.  No sockets, no loop, no logging.  The syntax is described
 * in docs/manipulation.md.
 *
 * Every change is made by building a new header in the message's home and
 * replacing the old one (msg_header_replace), never by writing into the
 * buffers sofia parsed, so the message re-serializes cleanly.
 */

struct manip_rule;	/* opaque: one compiled row */

/* Where the message enters or leaves: param.message.address.src|dst.* */
struct manip_addr {
	const char	*ip;		/* .address and .ip */
	const char	*port;
	const char	*sipinterface;	/* SIP interface name */
};

/* An IP group: param.ipg.src|dst.* */
struct manip_ipg {
	const char	*host;		/* SIP group name */
	const char	*user;
	const char	*id;		/* index of the IP group, as a string */
	const char	*name;
};

/* A party of the call: param.call.src|dst.* */
struct manip_party {
	const char	*user;
	const char	*host;
};

/*
 * The values the param.* operands read, all given by the caller as strings;
 * NULL means "not known here": a condition on it is false (!= and !contains
 * true) and an action whose value needs it is not applied.  "src" is where the
 * message comes from and "dst" where it goes, for the message being
 * manipulated.  The structure is only read during manip_apply_set().
 */
struct manip_ctx {
	struct manip_addr	msg_src, msg_dst;
	struct manip_ipg	ipg_src, ipg_dst;
	struct manip_party	call_src, call_dst;
};

/*
 * Compile one configuration row.  Accepts the message type, condition,
 * subject, action, value and row role of r (case-insensitive keywords) and
 * rejects anything it cannot execute, including the removal or addition of a
 * mandatory header (From, To, Call-ID, CSeq, Via, Max-Forwards).  r is only
 * read.  Returns 0 and a rule the caller owns in *out (free it with
 * manip_rule_free), EINVAL with "<field>: <what> at \"<token>\"" in err
 * (field is message_type, condition, subject or value; "at end" when the
 * text ended too early), or ENOMEM.
 */
int manip_compile(const struct cfg_man_rule *r, struct manip_rule **out, char *err,
    size_t errlen);
void manip_rule_free(struct manip_rule *rule);	/* NULL-safe */

/*
 * Run the rules of set, in order, on msg (sip is its sip_object()).  Uses
 * the compiled rule of each row (cfg_man_rule.compiled, set at load); rows
 * without one are skipped, and so is a 100 Trying.  A rule whose element or
 * value is missing, or whose result sofia cannot parse, changes nothing.
 * Returns the number of rules that changed the message.
 */
int manip_apply_set(const struct cfg_man_set *set, msg_t *msg, sip_t *sip,
    const struct manip_ctx *ctx);

/* The same for one compiled rule, outside a set (no row role previous). */
int manip_apply_rule(const struct manip_rule *rule, msg_t *msg, sip_t *sip,
    const struct manip_ctx *ctx);

#endif
