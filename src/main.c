/* main.c: sbcd entry point: options, -t/-T checks, signals, start-up and shutdown. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <event2/event.h>

#include "call.h"
#include "cdr.h"
#include "cfg.h"
#include "ctl.h"
#include "daemon.h"
#include "hep.h"
#include "log.h"
#include "loop.h"
#include "media.h"
#include "metrics.h"
#include "msec.h"
#include "pset.h"
#include "reload.h"
#include "tls.h"
#include "version.h"

#ifndef SBCD_CONF
#define SBCD_CONF "/etc/sbcd/sbc.conf"
#endif

static int	 opt_foreground;	/* -D: foreground, log to stderr */
static int	 opt_debug;		/* -d: debug level */
static int	 detached;		/* 1: forked, terminal kept; 2: terminal dropped */
static char	*pid_file;		/* as written at start-up */

static void
usage(void)
{
	fprintf(stderr,
	    "usage: sbcd [-dDtTv] [-f file]\n"
	    "  -f file  configuration file (default %s)\n"
	    "  -t       check the configuration and exit 0 (good) or 1 (bad)\n"
	    "  -T       check, then print the effective configuration\n"
	    "  -D       stay in the foreground and log to stderr\n"
	    "  -d       log at debug level\n"
	    "  -S       print the configuration key reference (markdown)\n"
	    "  -v       print the version\n", SBCD_CONF);
	exit(1);
}

static void
print_diag(const struct cfg_diag *diag, int to_log)
{
	for (size_t i = 0; i < diag->n; i++) {
		if (to_log)
			log_err("%s", diag->msgs[i]);
		else
			fprintf(stderr, "%s\n", diag->msgs[i]);
	}
}

/* Logging as the configuration asks, unless -D/-d say otherwise. */
static void
apply_logging(const struct cfg *cfg)
{
	enum log_target target;

	if (opt_foreground)
		target = LOG_TARGET_STDERR;
	else if (detached == 2)
		target = LOG_TARGET_SYSLOG;	/* no terminal any more */
	else if (detached == 1)
		target = LOG_TARGET_STDERR;	/* start-up errors reach the terminal */
	else
		target = (enum log_target)cfg->global.log_target;

	log_init("sbcd", target, cfg->global.syslog_facility);
	log_set_level(opt_debug ? LOG_LEVEL_DEBUG : (enum log_level)cfg->global.log_level);
}

/* The reload of SIGHUP and of "sbcctl reload": 0, or EINVAL with diag filled. */
static int
run_reload(struct cfg_diag *diag)
{
	int err;

	daemon_notify_reloading();
	err = reload_run(diag);
	if (err) {
		print_diag(diag, 1);
		log_err("reload failed with %zu error(s); still running the "
		    "configuration loaded before", diag->n - diag->nwarn);
		daemon_notify("READY=1\nSTATUS=reload failed: %zu error(s), running "
		    "the previous configuration", diag->n - diag->nwarn);
	} else {
		for (size_t i = 0; i < diag->n; i++)
			log_warnx("%s", diag->msgs[i]);
		apply_logging(reload_current());
		log_info("reload done: new configuration active");
		daemon_notify("READY=1\nSTATUS=running, configuration reloaded");
	}
	return err;
}

static void
on_sighup(evutil_socket_t sig, short what, void *arg)
{
	struct cfg_diag	diag;

	(void)sig; (void)what; (void)arg;
	log_info("SIGHUP: reloading %s", reload_current()->path);
	cfg_diag_init(&diag);
	run_reload(&diag);
	cfg_diag_free(&diag);
}

/*
 * Graceful stop.  SIGTERM with calls up drains: new INVITEs get 503, the
 * calls go on until they end or global.drain_timeout, then get BYE, and
 * sbcd leaves when the last is gone (or 5 s after the BYEs).  SIGINT, a
 * second SIGTERM, or no call in progress stop at once.
 */
static struct event	*ev_drain;
static struct timespec	 drain_end;
static int		 drain_hung_up;
static int		 terminating;	/* a SIGTERM drain is under way */

static double
secs_until(const struct timespec *t)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(t->tv_sec - now.tv_sec) + (t->tv_nsec - now.tv_nsec) / 1e9;
}

static void
drain_tick(evutil_socket_t fd, short what, void *arg)
{
	(void)fd; (void)what; (void)arg;
	if (call_count() == 0) {
		log_info("drained: no call left, stopping");
		daemon_notify("STOPPING=1\nSTATUS=stopping");
		loop_stop();
		return;
	}
	if (secs_until(&drain_end) > 0)
		return;
	if (!drain_hung_up) {
		log_info("drain deadline: ending %zu calls", call_count());
		call_hangup_all("drain deadline");
		drain_hung_up = 1;
		clock_gettime(CLOCK_MONOTONIC, &drain_end);
		drain_end.tv_sec += 5;
		return;
	}
	log_warnx("%zu calls did not end after their BYEs: stopping", call_count());
	loop_stop();
}

static void
watchdog_ping(evutil_socket_t fd, short what, void *arg)
{
	(void)fd; (void)what; (void)arg;
	daemon_notify("WATCHDOG=1");
}

static void
on_sigterm(evutil_socket_t sig, short what, void *arg)
{
	static const struct timeval	 tick = { 0, 100000 };
	int				 timeout = reload_current()->global.drain_timeout;

	(void)what; (void)arg;
	if (sig == SIGINT || terminating || call_count() == 0 || timeout == 0) {
		log_info("%s: stopping", sig == SIGINT ? "SIGINT" : "SIGTERM");
		daemon_notify("STOPPING=1\nSTATUS=stopping");
		loop_stop();
		return;
	}
	terminating = 1;
	call_drain();
	clock_gettime(CLOCK_MONOTONIC, &drain_end);
	drain_end.tv_sec += timeout;
	ev_drain = event_new(loop_base(), -1, EV_PERSIST, drain_tick, NULL);
	if (ev_drain == NULL || event_add(ev_drain, &tick) != 0) {
		log_warnx("SIGTERM: cannot drain, stopping");
		loop_stop();
		return;
	}
	log_info("SIGTERM: draining %zu calls for at most %d s (new INVITEs get 503); "
	    "SIGTERM again stops now", call_count(), timeout);
	daemon_notify("STATUS=draining %zu calls", call_count());
}

/* logrotate moved the files: open them again under their names */
static void
on_sigusr1(evutil_socket_t sig, short what, void *arg)
{
	(void)sig; (void)what; (void)arg;
	cdr_reopen();
}

static void
logging_hooks_commit(struct cfg *prev, struct cfg *next)
{
	(void)prev;
	if (next != NULL)
		apply_logging(next);
}

static const struct reload_hooks logging_hooks = {
	.name = "logging",
	.commit = logging_hooks_commit,
};

/*
 * global.srtp_engine: the engine of SRTP contexts created from now on (new
 * calls, and new keys of calls in progress); contexts that exist keep theirs
 * (include/msec.h).  A libsrtp2 that did not start leaves the engine as it
 * was, with an error in the log.
 */
static void
srtp_hooks_commit(struct cfg *prev, struct cfg *next)
{
	enum msec_engine e;
	int		 err;

	if (next == NULL)
		return;
	e = (enum msec_engine)next->global.srtp_engine;
	if (prev != NULL && e == msec_engine_get())
		return;
	if ((err = msec_engine_set(e)) != 0)
		log_err("SRTP engine %s unusable (%s): new calls stay on %s", msec_engine_name(e),
		    strerror(err), msec_engine_name(msec_engine_get()));
	else
		log_info("SRTP engine: %s", msec_engine_name(e));
}

static const struct reload_hooks srtp_hooks = {
	.name = "srtp",
	.commit = srtp_hooks_commit,
};

int
main(int argc, char *argv[])
{
	const char	*conf = SBCD_CONF;
	struct cfg	*cfg;
	struct cfg_diag	 diag;
	struct event	*ev_hup, *ev_term, *ev_int, *ev_usr1, *ev_wd = NULL;
	unsigned long long wd_usec;
	int		 ch, check = 0, dump = 0, err;

	while ((ch = getopt(argc, argv, "dDf:tTSvh")) != -1) {
		switch (ch) {
		case 'd':
			opt_debug = 1;
			break;
		case 'D':
			opt_foreground = 1;
			break;
		case 'f':
			conf = optarg;
			break;
		case 't':
			check = 1;
			break;
		case 'T':
			dump = 1;
			break;
		case 'S':
			cfg_print_reference(stdout);
			return 0;
		case 'v':
			printf("sbcd %s\n", SBCD_VERSION);
			return 0;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();

	cfg_diag_init(&diag);
	err = cfg_load(conf, &cfg, &diag);
	print_diag(&diag, 0);
	cfg_diag_free(&diag);
	if (check || dump) {
		if (err) {
			fprintf(stderr, "%s: configuration has errors\n", conf);
			return 1;
		}
		if (dump)
			cfg_dump(cfg, stdout);
		else
			fprintf(stderr, "%s: configuration OK\n", conf);
		cfg_unref(cfg);
		return 0;
	}
	if (err)
		return 1;

	if (!opt_foreground && getenv("NOTIFY_SOCKET") == NULL) {
		if ((err = daemon_detach()) != 0) {
			fprintf(stderr, "sbcd: cannot go to the background: %s\n", strerror(err));
			return 1;
		}
		detached = 1;
	}
	apply_logging(cfg);

	/* SIGPIPE: a peer closing a TLS or control connection must not kill us */
	signal(SIGPIPE, SIG_IGN);
	if ((err = loop_init()) != 0)
		fatalx("cannot set up the event loop: %s", strerror(err));

	if ((err = tls_init()) != 0)
		fatalx("TLS cannot be verified in this build: %s", strerror(err));
	/* sofia has no TLS handshake timeout: a stalled peer fails in 3 s */
	tls_set_handshake_timeout(3000);
	if ((err = media_init()) != 0)
		fatalx("cannot set up the media relay: %s", strerror(err));
	reload_register(&logging_hooks);
	reload_register(&srtp_hooks);
	/* order matters: interfaces before the proxy sets that send from them */
	call_init();
	pset_init();
	cdr_init();
	metrics_init();
	hep_init();
	cfg_diag_init(&diag);
	err = reload_start(conf, cfg, &diag);
	if (err) {
		print_diag(&diag, 1);
		fatalx("start-up failed");
	}
	cfg_diag_free(&diag);
	cfg = reload_current();
	{
		static const struct ctl_ops ctl_ops = { .reload = run_reload };

		if ((err = ctl_start(cfg->global.control_socket, &ctl_ops)) != 0)
			fatalx("%s:%d: global.control_socket: cannot listen on \"%s\": %s",
			    cfg->path, cfg->global.line, cfg->global.control_socket,
			    strerror(err));
	}
	if (cfg->global.pid_file != NULL) {
		pid_file = strdup(cfg->global.pid_file);
		if ((err = daemon_pidfile_write(pid_file)) != 0)
			fatalx("pid file %s: %s", pid_file, strerror(err));
	}

	ev_hup = evsignal_new(loop_base(), SIGHUP, on_sighup, NULL);
	ev_term = evsignal_new(loop_base(), SIGTERM, on_sigterm, NULL);
	ev_int = evsignal_new(loop_base(), SIGINT, on_sigterm, NULL);
	ev_usr1 = evsignal_new(loop_base(), SIGUSR1, on_sigusr1, NULL);
	if (ev_hup == NULL || ev_term == NULL || ev_int == NULL || ev_usr1 == NULL ||
	    evsignal_add(ev_hup, NULL) || evsignal_add(ev_term, NULL) ||
	    evsignal_add(ev_int, NULL) || evsignal_add(ev_usr1, NULL))
		fatalx("cannot install signal handlers");

	log_info("sbcd %s started on %s (pid %ld)", SBCD_VERSION, cfg->path, (long)getpid());
	daemon_notify("READY=1\nSTATUS=running, configuration loaded\nMAINPID=%ld",
	    (long)getpid());
	if (detached) {
		daemon_detach_done(1);
		detached = 2;
		apply_logging(cfg);
	}

	/* after detaching: the watchdog belongs to the process systemd watches */
	if ((wd_usec = daemon_watchdog_usec()) != 0) {
		struct timeval tv = { (time_t)(wd_usec / 2 / 1000000),
		    (suseconds_t)(wd_usec / 2 % 1000000) };

		ev_wd = event_new(loop_base(), -1, EV_PERSIST, watchdog_ping, NULL);
		if (ev_wd == NULL || event_add(ev_wd, &tv) != 0)
			fatalx("cannot arm the watchdog");
		daemon_notify("WATCHDOG=1");
		log_info("watchdog: pinging every %llu ms", wd_usec / 2000);
	}
	err = loop_run();
	if (ev_wd != NULL)
		event_free(ev_wd);

	event_free(ev_hup);
	if (ev_drain != NULL)
		event_free(ev_drain);
	event_free(ev_usr1);
	event_free(ev_term);
	event_free(ev_int);
	ctl_fini();
	call_fini();
	reload_fini();
	cdr_fini();
	metrics_fini();
	hep_fini();
	media_fini();
	tls_fini();
	loop_fini();
	daemon_pidfile_remove(pid_file);
	free(pid_file);
	log_info("sbcd stopped");
	return err ? 1 : 0;
}
