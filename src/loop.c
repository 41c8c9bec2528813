/* loop.c: one thread, one loop: libevent is the loop and sofia's epoll set is nested in it. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <event2/event.h>
#include <sofia-sip/su.h>
#include <sofia-sip/su_wait.h>
#include <sofia-sip/su_log.h>

#include "log.h"
#include "loop.h"

/*
 * sofia-sip 1.12 offers no public way to get the fd of its port, so the
 * root's epoll fd is found by registering a probe eventfd and looking for
 * the epoll instance that lists it in /proc/self/fdinfo.  libevent then
 * watches that fd; whenever it is readable, or sofia's next timer is due,
 * sofia is stepped without blocking.  See sofia-sip-libevent-notes.md §1.
 */

/* sofia's module logs, exported by the library but not declared in its headers */
extern su_log_t nta_log[], tport_log[], sresolv_log[];

static struct event_base	*base;
static su_root_t		*root;
static struct event		*ev_sofia_io, *ev_sofia_timer;
static int			 stopping;

static int
probe_cb(su_root_magic_t *magic, su_wait_t *w, su_wakeup_arg_t *arg)
{
	(void)magic; (void)w; (void)arg;
	return 0;
}

/* The epoll fd whose fdinfo has a "tfd: <probe>" line, or -1. */
static int
find_epoll_fd(int probe)
{
	DIR		*d;
	struct dirent	*de;
	char		 path[64], link[64], line[256];
	int		 found = -1;

	if ((d = opendir("/proc/self/fd")) == NULL)
		return -1;
	while (found == -1 && (de = readdir(d)) != NULL) {
		ssize_t	 n;
		FILE	*fp;
		int	 fd = atoi(de->d_name);

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		n = readlink(path, link, sizeof(link) - 1);
		if (n <= 0)
			continue;
		link[n] = '\0';
		if (strcmp(link, "anon_inode:[eventpoll]") != 0)
			continue;
		snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
		if ((fp = fopen(path, "r")) == NULL)
			continue;
		while (fgets(line, sizeof(line), fp) != NULL) {
			int tfd;

			if (sscanf(line, "tfd: %d", &tfd) == 1 && tfd == probe) {
				found = fd;
				break;
			}
		}
		fclose(fp);
	}
	closedir(d);
	return found;
}

static void
wake_cb(evutil_socket_t fd, short what, void *arg)
{
	/* nothing: the loop steps sofia after every libevent batch */
	(void)fd; (void)what; (void)arg;
}

/*
 * sofia writes its diagnostics to stderr, in pieces; gather them into whole
 * lines and pass them on at debug level, so they follow log_target and do
 * not break the one-line-per-event rule.
 */
static void
sofia_feed(const char *piece)
{
	static char	 line[1024];
	static size_t	 len;

	for (const char *p = piece; *p; p++) {
		if (*p == '\n' || len == sizeof(line) - 1) {
			line[len] = '\0';
			if (len > 0)
				log_debug("sofia: %s", line);
			len = 0;
			continue;
		}
		line[len++] = *p == '\t' ? ' ' : *p;
	}
}

static void
sofia_logger(void *stream, char const *fmt, va_list ap)
{
	char	piece[2560];
	int	n;

	(void)stream;
	n = vsnprintf(piece, sizeof(piece), fmt, ap);
	if (n >= 0)
		sofia_feed(piece);
}

/* sofia's default log also carries the message trace of TPTAG_LOG */
static loop_trace_h	*trace_h;
static void		*trace_arg;

static void
sofia_default_logger(void *stream, char const *fmt, va_list ap)
{
	char	piece[2560];
	int	n;

	(void)stream;
	n = vsnprintf(piece, sizeof(piece), fmt, ap);
	if (n < 0)
		return;
	if (trace_h != NULL && trace_h(piece, trace_arg))
		return;
	sofia_feed(piece);
}

void
loop_set_trace(loop_trace_h *fn, void *arg)
{
	trace_h = fn;
	trace_arg = arg;
}

/*
 * sofia's message log and dumps print every SIP message whole, SDES keys
 * (a=crypto) and Authorization headers included, and they are switched on
 * from the environment (tport_open_log reads these when an agent's
 * transports are made).  A daemon must never write those: the switches
 * are removed before any transport exists, and said so once.  The *_DEBUG
 * levels stay usable; they print events, not messages.  sbcd's own HEP
 * export turns the trace on with TPTAG_LOG and masks it (hep.c); these
 * switches would bypass that.
 */
static void
sofia_no_message_log(void)
{
	static const char *const vars[] = { "TPORT_LOG", "MSG_STREAM_LOG",
	    "TPORT_DUMP", "MSG_DUMP", "TPORT_CAPT" };

	for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++) {
		if (getenv(vars[i]) == NULL)
			continue;
		log_warnx("loop: %s ignored: sofia's message log would write SRTP "
		    "keys and digest responses", vars[i]);
		if (unsetenv(vars[i]) == -1)
			log_warn("loop: unsetenv %s", vars[i]);
	}
}

int
loop_init(void)
{
	struct event_config	*ecfg;
	su_wait_t		 w[1] = { SU_WAIT_INIT };
	int			 probe, idx, epfd;

	sofia_no_message_log();
	if (su_init() != 0)
		return EIO;
	su_log_redirect(su_log_default, sofia_default_logger, NULL);
	su_log_redirect(nta_log, sofia_logger, NULL);
	su_log_redirect(tport_log, sofia_logger, NULL);
	su_log_redirect(sresolv_log, sofia_logger, NULL);
	su_port_prefer(su_epoll_port_create, su_epoll_clone_start);
	root = su_root_create(NULL);
	if (root == NULL)
		return ENOMEM;

	probe = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (probe == -1)
		return errno;
	if (su_wait_create(w, probe, SU_WAIT_IN) != 0) {
		close(probe);
		return EIO;
	}
	idx = su_root_register(root, w, probe_cb, NULL, 0);
	epfd = idx > 0 ? find_epoll_fd(probe) : -1;
	if (idx > 0)
		su_root_deregister(root, idx);
	else
		su_wait_destroy(w);
	close(probe);
	if (epfd == -1) {
		log_err("loop: cannot find the epoll fd of sofia's root (port %s)",
		    su_root_name(root));
		return ENOENT;
	}

	ecfg = event_config_new();
	if (ecfg == NULL)
		return ENOMEM;
	/* libevent's coarse clock made sofia timers up to 2 ms late */
	event_config_set_flag(ecfg, EVENT_BASE_FLAG_PRECISE_TIMER);
	base = event_base_new_with_config(ecfg);
	event_config_free(ecfg);
	if (base == NULL)
		return ENOMEM;
	ev_sofia_io = event_new(base, epfd, EV_READ | EV_PERSIST, wake_cb, NULL);
	ev_sofia_timer = evtimer_new(base, wake_cb, NULL);
	if (ev_sofia_io == NULL || ev_sofia_timer == NULL ||
	    event_add(ev_sofia_io, NULL) != 0)
		return ENOMEM;
	log_debug("loop: libevent %s (%s), sofia port %s on fd %d",
	    event_get_version(), event_base_get_method(base), su_root_name(root), epfd);
	return 0;
}

void
loop_fini(void)
{
	if (ev_sofia_io != NULL)
		event_free(ev_sofia_io);
	if (ev_sofia_timer != NULL)
		event_free(ev_sofia_timer);
	ev_sofia_io = ev_sofia_timer = NULL;
	if (root != NULL)
		su_root_destroy(root);
	root = NULL;
	if (base != NULL)
		event_base_free(base);
	base = NULL;
	su_deinit();
}

struct event_base *
loop_base(void)
{
	return base;
}

su_root_t *
loop_root(void)
{
	return root;
}

void
loop_stop(void)
{
	/* event_base_loopbreak() outside event_base_loop is lost: keep a flag */
	stopping = 1;
	if (base != NULL)
		event_base_loopbreak(base);
}

int
loop_run(void)
{
	stopping = 0;
	while (!stopping) {
		su_duration_t	t;
		int		n = 0;

		/* drain sofia, capped so media and signals get their turn */
		do
			t = su_root_step(root, 0);
		while (t == 0 && ++n < 16 && !stopping);
		if (stopping)
			break;
		if (t == 0) {
			/* ONCE|NONBLOCK: NONBLOCK alone spins on the readable epfd */
			if (event_base_loop(base, EVLOOP_ONCE | EVLOOP_NONBLOCK) == -1)
				return EIO;
			continue;
		}
		if (t < 0)
			evtimer_del(ev_sofia_timer);
		else {
			/* sofia truncates to whole ms: arm one ms later, never early */
			struct timeval tv;

			t += 1;
			tv.tv_sec = t / 1000;
			tv.tv_usec = (t % 1000) * 1000;
			evtimer_add(ev_sofia_timer, &tv);
		}
		if (event_base_loop(base, EVLOOP_ONCE) == -1)
			return EIO;
	}
	return 0;
}
