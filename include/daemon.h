/* daemon.h: service manager integration (sd_notify protocol) and the pid file. */
#ifndef SBCD_DAEMON_H
#define SBCD_DAEMON_H

/*
 * Send one sd_notify datagram ("READY=1\nSTATUS=...") to $NOTIFY_SOCKET.
 * Does nothing and returns 0 when not started by a service manager;
 * otherwise 0 or an errno.  Implemented without libsystemd.
 */
int daemon_notify(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* RELOADING=1 with MONOTONIC_USEC, as Type=notify-reload expects. */
int daemon_notify_reloading(void);

/*
 * The watchdog interval the service manager asked for (WATCHDOG_USEC, when
 * WATCHDOG_PID is unset or this process), in microseconds; 0: none.  The
 * caller pings ("WATCHDOG=1") from its event loop at half that interval,
 * so a loop that stops turning stops the pings and gets sbcd restarted.
 */
unsigned long long daemon_watchdog_usec(void);

/* Write the pid file (O_CLOEXEC, 0644); 0 or an errno.  NULL path: no-op. */
int daemon_pidfile_write(const char *path);
void daemon_pidfile_remove(const char *path);

/*
 * Without a service manager and without -D: fork into the background.  The
 * parent waits until the child calls daemon_detach_done() and exits with its
 * status, so start-up errors still reach the terminal (chrony go_daemon()).
 * Returns 0 in the child, or an errno (still in the foreground).
 */
int daemon_detach(void);
/* Tell the waiting parent how start-up went and drop the terminal. */
void daemon_detach_done(int ok);

#endif
