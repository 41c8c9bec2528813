/* loop.h: the one event loop: libevent's event_base driving sofia-sip's su_root. */
#ifndef SBCD_LOOP_H
#define SBCD_LOOP_H

struct event_base;
struct su_root_s;

/*
 * Create the event base and the sofia root and nest sofia's epoll set in
 * the base.  Call once, before any other loop_ function.  0 or an errno.
 */
int loop_init(void);
void loop_fini(void);

struct event_base *loop_base(void);
struct su_root_s *loop_root(void);

/* Run until loop_stop(); returns 0, or an errno if the loop failed. */
int loop_run(void);
/* Ask the loop to return; safe from any callback (libevent or sofia). */
void loop_stop(void);

/*
 * A tap on sofia's message trace (what a transport with TPTAG_LOG(1) writes
 * to sofia's default log, in pieces): fn sees every piece first and returns
 * 1 when it took it.  NULL removes the tap.
 */
typedef int (loop_trace_h)(const char *piece, void *arg);
void loop_set_trace(loop_trace_h *fn, void *arg);

#endif
