/* hep.h: HEP v3 export of every SIP message sbcd sends and receives, to a collector. */
#ifndef SBCD_HEP_H
#define SBCD_HEP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

/*
 * With global.hep_collector set, every SIP interface traces its messages
 * (sofia's TPTAG_LOG, as they leave and as they arrive, TLS in the clear),
 * and each becomes one HEP v3 datagram to the collector: addresses, ports,
 * transport, time, capture id, the Call-ID as correlation id, and the
 * message with SRTP master keys and digest responses masked.  Sending
 * never blocks: a datagram the socket cannot take is dropped and counted.
 */
void hep_init(void);	/* reload hooks: register after call_init */
void hep_fini(void);

/* Messages exported and dropped so far (metrics, tests). */
void hep_counters(unsigned long long *sent, unsigned long long *dropped);

/*
 * One HEP v3 packet into buf: 0 and *len, or ENOSPC.  src and dst are
 * AF_INET or AF_INET6 of the same family; proto is 17 (UDP) or 6 (TCP,
 * TLS).  password and corr may be NULL.  Exposed for the unit test.
 */
int hep_encode(uint8_t *buf, size_t *len, const struct sockaddr *src,
    const struct sockaddr *dst, int proto, uint64_t usec, uint32_t capture_id,
    const char *password, const char *corr, const char *msg, size_t msglen);

/* Mask SRTP inline keys and digest responses in a SIP message, in place
 * (same length): what a collector must not learn.  Returns how many. */
size_t hep_mask(char *msg, size_t len);

#endif
