/* call.h: the B2BUA: every call owns two legs, each a dialog of its own. */
#ifndef SBCD_CALL_H
#define SBCD_CALL_H

#include <stddef.h>

/*
 * call_init installs the request handler of the SIP interfaces: every new
 * request is classified to a source IP group, then routed to a destination
 * IP group (its proxy set) or address, and an INVITE becomes a call whose B
 * leg is a new, independent dialog.  Must run before the first reload_start.
 */
void call_init(void);
/* End every call (BYE both sides) and free them: shutdown. */
void call_fini(void);
/* Calls in progress. */
size_t call_count(void);
/* Draining (SIGTERM): new INVITEs get 503 (with the configured Retry-After),
 * calls in progress go on. */
void call_drain(void);
int call_draining(void);
/* End every call now: BYE both sides of answered calls (Reason: cause 503),
 * CANCEL and 503 for those still ringing; they leave as the BYEs are
 * answered or time out. */
void call_hangup_all(const char *why);

#endif
