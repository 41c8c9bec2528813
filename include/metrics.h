/* metrics.h: counters of what sbcd did, served in the Prometheus text format over evhttp. */
#ifndef SBCD_METRICS_H
#define SBCD_METRICS_H

/*
 * The listener follows global.metrics_listen across reloads (rebound only
 * when the address changes; a failed bind refuses the reload).  GET
 * /metrics answers with the counters below and gauges read at scrape time
 * from the calls, the proxy sets, the media relay and the reload status.
 */
void metrics_init(void);	/* reload hooks: register before reload_start */
void metrics_fini(void);

/* An INVITE from a classified source that sbcd considered: a call attempt. */
void metrics_call_attempt(const char *src_ip_group);
/* A call answered (2xx relayed to the caller). */
void metrics_call_answered(const char *src_ip_group, const char *dst_ip_group);
/* A call attempt that ended without an answer, by the final code sent. */
void metrics_call_failed(int code);
/* A request refused or dropped because no IP group matched its source. */
void metrics_class_reject(const char *sip_interface);

#endif
