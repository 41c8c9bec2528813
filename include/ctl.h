/* ctl.h: the control socket sbcctl talks to: one request line in, one answer out. */
#ifndef SBCD_CTL_H
#define SBCD_CTL_H

struct cfg_diag;

/*
 * The protocol is a line of words ("status", "calls", "call 12",
 * "proxies", "reload", "drain", "undrain", "log-level debug",
 * "hangup 12"), optionally preceded by "json".  The answer is a first line
 * "OK" or "ERR", then the text (aligned for people) or one JSON document,
 * and the connection closes.  The socket is created owner-only and only
 * peers with sbcd's own uid (or root) are served.
 */
struct ctl_ops {
	/* the same reload as SIGHUP: 0, or an error with diag filled */
	int	(*reload)(struct cfg_diag *diag);
};

/* Listen on path (kept across reloads: a new path needs a restart).
 * 0 or an errno; a live socket of another sbcd is EADDRINUSE. */
int ctl_start(const char *path, const struct ctl_ops *ops);
/* Close the listener, the connections, and remove the socket. */
void ctl_fini(void);

#endif
