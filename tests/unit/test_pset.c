/* test_pset.c: proxy sets: selection, failover, reload carry-over, keep-alive and DNS. */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <cmocka.h>
#include <event2/event.h>

#include "cfg.h"
#include "log.h"
#include "loop.h"
#include "obj.h"
#include "pset.h"
#include "reload.h"
#include "sipif.h"
#include "tls.h"

/* Every test runs on lo only (tests/run.sh puts it in a network namespace). */
#define BASE \
	"global = { user_agent = \"sbcd-test\"; resolv_conf = \"%s\"; };\n" \
	"ip_interfaces = ( { name = \"LAN\"; address = \"127.0.0.1\"; } );\n" \
	"media_realms = ( { name = \"MR\"; interface = \"LAN\"; port_start = 40000; session_legs = 10; } );\n" \
	"sip_interfaces = ( { name = \"SI\"; interface = \"LAN\"; udp_port = 25060; tcp_port = 25060;" \
	" media_realm = \"MR\"; } );\n"

static char	tmpdir[128];
#define NCHILD 3
static pid_t	children[NCHILD];	/* responders, dnsmasq: killed by case_teardown */
static char	conf_path[256];
static char	resolv_path[256];

/* Nothing is expected to reach us: drop it. */
static void
request_h(struct sipif *sif, msg_t *msg, sip_t *sip, const struct sipif_src *src, void *arg)
{
	(void)sip; (void)src; (void)arg;
	nta_msg_discard(sipif_agent(sif), msg);
}

static void
write_file(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	fputs(text, fp);
	assert_int_equal(fclose(fp), 0);
}

/* The configuration BASE + sets, with the test's resolv.conf. */
static char *
make_conf(const char *sets)
{
	size_t	 n = strlen(BASE) + strlen(sets) + strlen(resolv_path) + 1;
	char	*text = malloc(n);

	assert_non_null(text);
	snprintf(text, n, BASE, resolv_path);
	strcat(text, sets);
	return text;
}

static void start_text(const char *text);

/* Load BASE + sets with cfg_load_string and install it as the running snapshot. */
static void
start(const char *sets)
{
	char *text = make_conf(sets);

	start_text(text);
	free(text);
}

static void
start_text(const char *text)
{
	struct cfg	*cfg = NULL;
	struct cfg_diag	 diag;
	int		 err;

	write_file(conf_path, text);	/* what a later reload_run reads */
	cfg_diag_init(&diag);
	err = cfg_load_string(text, conf_path, &cfg, &diag);
	if (err == 0)
		err = reload_start(conf_path, cfg, &diag);
	for (size_t i = 0; i < diag.n; i++)
		fprintf(stderr, "# %s\n", diag.msgs[i]);
	cfg_diag_free(&diag);
	assert_int_equal(err, 0);
}

/* Reload from the file, now holding sets. */
static void
reload_to(const char *sets)
{
	struct cfg_diag	 diag;
	char		*text = make_conf(sets);
	int		 err;

	write_file(conf_path, text);
	free(text);
	cfg_diag_init(&diag);
	err = reload_run(&diag);
	for (size_t i = 0; i < diag.n; i++)
		fprintf(stderr, "# %s\n", diag.msgs[i]);
	cfg_diag_free(&diag);
	assert_int_equal(err, 0);
}

static void reap(pid_t pid);

static int
case_teardown(void **state)
{
	(void)state;
	for (size_t i = 0; i < NCHILD; i++) {
		reap(children[i]);
		children[i] = 0;
	}
	reload_fini();
	assert_int_equal(obj_live(), 0);
	return 0;
}

/* The IP of the destination chosen by a fresh cursor, or "" with the errno. */
static int
pick(struct pset *ps, char *ip, size_t len)
{
	struct pset_cursor	cur;
	struct pset_dest	d;
	int			err;

	pset_cursor_init(&cur);
	ip[0] = '\0';
	if ((err = pset_next(ps, &cur, &d)) != 0)
		return err;
	inet_ntop(AF_INET, &((struct sockaddr_in *)&d.addr)->sin_addr, ip, (socklen_t)len);
	return 0;
}

/* A pset_dest for ip:port/transport, as pset_next would have returned it. */
static struct pset_dest
dest_of(struct pset *ps, const char *ip)
{
	struct pset_dest	d;
	struct pset_status	st;

	memset(&d, 0, sizeof(d));
	for (size_t i = 0; i < pset_count(ps); i++) {
		assert_int_equal(pset_status(ps, i, &st), 0);
		if (strcmp(st.resolved, ip) != 0)
			continue;
		struct sockaddr_in *in = (struct sockaddr_in *)&d.addr;

		in->sin_family = AF_INET;
		in->sin_port = htons((uint16_t)st.port);
		inet_pton(AF_INET, ip, &in->sin_addr);
		d.addrlen = sizeof(*in);
		d.transport = st.transport;
		d.index = (unsigned)i;
		return d;
	}
	fail_msg("no destination %s", ip);
	return d;
}

static void
report(struct pset *ps, const char *ip, int ok)
{
	struct pset_dest d = dest_of(ps, ip);

	pset_report(ps, &d, ok);
}

static enum pset_health
health_of(struct pset *ps, const char *ip)
{
	struct pset_status st;

	for (size_t i = 0; i < pset_count(ps); i++) {
		assert_int_equal(pset_status(ps, i, &st), 0);
		if (strcmp(st.resolved, ip) == 0)
			return st.health;
	}
	fail_msg("no destination %s", ip);
	return PSET_UNKNOWN;
}

/* ===================================================================== */
/* Driving the loop */

struct waiter {
	int		(*pred)(void *);
	void		*arg;
	struct timespec	 deadline;
	int		 ok;
};

static void
waiter_cb(evutil_socket_t fd, short what, void *arg)
{
	struct waiter	*w = arg;
	struct timespec	 now;

	(void)fd; (void)what;
	if (w->pred(w->arg)) {
		w->ok = 1;
		loop_stop();
		return;
	}
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (now.tv_sec > w->deadline.tv_sec ||
	    (now.tv_sec == w->deadline.tv_sec && now.tv_nsec >= w->deadline.tv_nsec))
		loop_stop();
}

/* Run the loop until pred(arg) holds (1) or ms pass (0). */
static int
run_until(int (*pred)(void *), void *arg, int ms)
{
	struct waiter	 w = { pred, arg, { 0, 0 }, 0 };
	struct timeval	 tv = { 0, 20000 };
	struct event	*ev;

	clock_gettime(CLOCK_MONOTONIC, &w.deadline);
	w.deadline.tv_sec += ms / 1000;
	w.deadline.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (w.deadline.tv_nsec >= 1000000000L) {
		w.deadline.tv_sec++;
		w.deadline.tv_nsec -= 1000000000L;
	}
	ev = event_new(loop_base(), -1, EV_PERSIST, waiter_cb, &w);
	assert_non_null(ev);
	event_add(ev, &tv);
	assert_int_equal(loop_run(), 0);
	event_free(ev);
	return w.ok;
}

/* ===================================================================== */
/* Selection */

static void
test_priority_order(void **state)
{
	struct pset		*ps;
	struct pset_cursor	 cur;
	struct pset_dest	 d;

	(void)state;
	start("proxy_sets = ( { name = \"PS\"; sip_interface = \"SI\"; addresses = (\n"
	    "  { address = \"127.0.0.13\"; priority = 2; transport = \"tcp\"; },\n"
	    "  { address = \"127.0.0.11\"; priority = 0; },\n"
	    "  { address = \"127.0.0.12:5080\"; priority = 1; } ); } );\n");
	ps = pset_get("PS");
	assert_non_null(ps);
	assert_null(pset_get("nope"));
	assert_int_equal(pset_count(ps), 3);

	pset_cursor_init(&cur);
	assert_int_equal(pset_next(ps, &cur, &d), 0);
	assert_string_equal(d.uri, "sip:127.0.0.11:5060;transport=udp");
	assert_string_equal(d.host, "127.0.0.11");
	assert_int_equal(d.port, 5060);
	assert_null(d.tls_verify_name);
	assert_int_equal(pset_next(ps, &cur, &d), 0);
	assert_string_equal(d.uri, "sip:127.0.0.12:5080;transport=udp");
	assert_int_equal(d.port, 5080);
	assert_int_equal(pset_next(ps, &cur, &d), 0);
	assert_string_equal(d.uri, "sip:127.0.0.13:5060;transport=tcp");
	assert_int_equal(d.transport, CFG_TP_TCP);
	/* hot swap: every destination tried once, then nothing is left */
	assert_int_equal(pset_next(ps, &cur, &d), ENOENT);
	assert_int_equal(cur.attempts, 3);
}

static void
test_cursor_exclusion(void **state)
{
	struct pset		*ps;
	struct pset_cursor	 cur;
	struct pset_dest	 d;
	char			 ip[64];

	(void)state;
	start("proxy_sets = ( { name = \"PS\"; sip_interface = \"SI\";"
	    " redundancy_mode = \"homing\"; keepalive = \"options\"; addresses = (\n"
	    "  { address = \"127.0.0.11\"; }, { address = \"127.0.0.12\"; },\n"
	    "  { address = \"127.0.0.13\"; priority = 1; } ); } );\n");
	ps = pset_get("PS");
	report(ps, "127.0.0.11", 1);
	report(ps, "127.0.0.12", 1);
	pset_cursor_init(&cur);
	assert_int_equal(pset_next(ps, &cur, &d), 0);
	assert_int_equal(d.index, 0);
	/* the first one failed without being marked down: the next one */
	assert_int_equal(pset_next(ps, &cur, &d), 0);
	assert_int_equal(d.index, 1);
	assert_int_equal(pset_next(ps, &cur, &d), 0);
	assert_int_equal(d.index, 2);
	assert_int_equal(pset_next(ps, &cur, &d), ENOENT);
	/* a new request starts from the best again */
	assert_int_equal(pick(ps, ip, sizeof(ip)), 0);
	assert_string_equal(ip, "127.0.0.11");
}

static void
test_round_robin(void **state)
{
	struct pset	*ps;
	char		 ip[64];
	int		 n11 = 0, n12 = 0, other = 0;

	(void)state;
	start("proxy_sets = ( { name = \"PS\"; sip_interface = \"SI\";"
	    " load_balancing = \"round-robin\"; addresses = (\n"
	    "  { address = \"127.0.0.11\"; }, { address = \"127.0.0.12\"; },\n"
	    "  { address = \"127.0.0.13\"; priority = 1; } ); } );\n");
	ps = pset_get("PS");
	report(ps, "127.0.0.11", 1);
	report(ps, "127.0.0.12", 1);
	for (int i = 0; i < 100; i++) {
		assert_int_equal(pick(ps, ip, sizeof(ip)), 0);
		if (strcmp(ip, "127.0.0.11") == 0)
			n11++;
		else if (strcmp(ip, "127.0.0.12") == 0)
			n12++;
		else
			other++;
	}
	assert_int_equal(n11, 50);
	assert_int_equal(n12, 50);
	assert_int_equal(other, 0);
	/* one goes down: everything to the other one */
	report(ps, "127.0.0.11", 0);
	for (int i = 0; i < 10; i++) {
		assert_int_equal(pick(ps, ip, sizeof(ip)), 0);
		assert_string_equal(ip, "127.0.0.12");
	}
	/* both down: the next priority */
	report(ps, "127.0.0.12", 0);
	assert_int_equal(pick(ps, ip, sizeof(ip)), 0);
	assert_string_equal(ip, "127.0.0.13");
}

static void
test_random_weights(void **state)
{
	struct pset	*ps;
	char		 ip[64];
	int		 n11 = 0, n12 = 0;

	(void)state;
	start("proxy_sets = ( { name = \"PS\"; sip_interface = \"SI\";"
	    " load_balancing = \"random-weights\"; addresses = (\n"
	    "  { address = \"127.0.0.11\"; weight = 1; }, { address = \"127.0.0.12\"; weight = 3; } ); } );\n");
	ps = pset_get("PS");
	for (int i = 0; i < 4000; i++) {
		assert_int_equal(pick(ps, ip, sizeof(ip)), 0);
		if (strcmp(ip, "127.0.0.11") == 0)
			n11++;
		else
			n12++;
	}
	/* expected 1000 : 3000, sd about 27 */
	print_message("# random-weights 1:3 over 4000: %d / %d\n", n11, n12);
	assert_in_range(n11, 850, 1150);
	assert_int_equal(n11 + n12, 4000);
}

static void
test_homing_parking(void **state)
{
	struct pset	*h, *p;
	char		 ip[64];

	(void)state;
	start("proxy_sets = (\n"
	    " { name = \"PS-H\"; sip_interface = \"SI\"; keepalive = \"options\"; redundancy_mode = \"homing\";\n"
	    "   addresses = ( { address = \"127.0.0.11\"; }, { address = \"127.0.0.12\"; priority = 1; } ); },\n"
	    " { name = \"PS-P\"; sip_interface = \"SI\"; keepalive = \"options\"; redundancy_mode = \"parking\";\n"
	    "   addresses = ( { address = \"127.0.0.11\"; }, { address = \"127.0.0.12\"; priority = 1; } ); } );\n");
	h = pset_get("PS-H");
	p = pset_get("PS-P");
	assert_non_null(h);
	assert_non_null(p);
	for (int k = 0; k < 2; k++) {
		struct pset *ps = k == 0 ? h : p;

		report(ps, "127.0.0.11", 1);
		report(ps, "127.0.0.12", 1);
		assert_int_equal(pick(ps, ip, sizeof(ip)), 0);
		assert_string_equal(ip, "127.0.0.11");
		report(ps, "127.0.0.11", 0);
		assert_int_equal(health_of(ps, "127.0.0.11"), PSET_DOWN);
		assert_int_equal(pick(ps, ip, sizeof(ip)), 0);
		assert_string_equal(ip, "127.0.0.12");
		report(ps, "127.0.0.11", 1);	/* the primary is back */
		assert_int_equal(pick(ps, ip, sizeof(ip)), 0);
		assert_string_equal(ip, k == 0 ? "127.0.0.11" : "127.0.0.12");
		assert_int_equal(pick(ps, ip, sizeof(ip)), 0);
		assert_string_equal(ip, k == 0 ? "127.0.0.11" : "127.0.0.12");
	}
	/* parking leaves the backup only when it goes down */
	report(p, "127.0.0.12", 0);
	assert_int_equal(pick(p, ip, sizeof(ip)), 0);
	assert_string_equal(ip, "127.0.0.11");
}

static void
test_all_down(void **state)
{
	struct pset		*ps;
	struct pset_cursor	 cur;
	struct pset_dest	 d;
	char			 ip[64];

	(void)state;
	start("proxy_sets = ( { name = \"PS\"; sip_interface = \"SI\"; keepalive_interval = 5; addresses = (\n"
	    "  { address = \"127.0.0.11\"; }, { address = \"127.0.0.12\"; } ); } );\n");
	ps = pset_get("PS");
	report(ps, "127.0.0.11", 0);
	assert_int_equal(pick(ps, ip, sizeof(ip)), 0);
	assert_string_equal(ip, "127.0.0.12");
	report(ps, "127.0.0.12", 0);
	/* all down: still tried (the verdict may be stale); parking keeps
	 * the last used one first */
	pset_cursor_init(&cur);
	assert_int_equal(pset_next(ps, &cur, &d), 0);
	inet_ntop(AF_INET, &((struct sockaddr_in *)&d.addr)->sin_addr, ip, sizeof(ip));
	assert_string_equal(ip, "127.0.0.12");
	assert_int_equal(pset_next(ps, &cur, &d), 0);
	inet_ntop(AF_INET, &((struct sockaddr_in *)&d.addr)->sin_addr, ip, sizeof(ip));
	assert_string_equal(ip, "127.0.0.11");
	assert_int_equal(pset_next(ps, &cur, &d), ENOENT);
	assert_int_equal(cur.attempts, 2);
}

static void
test_has_address(void **state)
{
	struct pset		*ps;
	struct sockaddr_in	 in;
	struct sockaddr_in6	 in6;

	(void)state;
	start("proxy_sets = ( { name = \"PS\"; sip_interface = \"SI\"; addresses = (\n"
	    "  { address = \"127.0.0.11:5070\"; }, { address = \"127.0.0.12\"; transport = \"tcp\"; } ); } );\n");
	ps = pset_get("PS");
	memset(&in, 0, sizeof(in));
	in.sin_family = AF_INET;
	in.sin_port = htons(40123);	/* any port */
	inet_pton(AF_INET, "127.0.0.11", &in.sin_addr);
	assert_true(pset_has_address(ps, (struct sockaddr *)&in));
	inet_pton(AF_INET, "127.0.0.12", &in.sin_addr);
	assert_true(pset_has_address(ps, (struct sockaddr *)&in));
	inet_pton(AF_INET, "127.0.0.99", &in.sin_addr);
	assert_false(pset_has_address(ps, (struct sockaddr *)&in));
	memset(&in6, 0, sizeof(in6));
	in6.sin6_family = AF_INET6;
	inet_pton(AF_INET6, "::ffff:127.0.0.11", &in6.sin6_addr);
	assert_false(pset_has_address(ps, (struct sockaddr *)&in6));
}

/* ===================================================================== */
/* Reload */

static void
test_reload_carry(void **state)
{
	struct pset		*old, *ps;
	struct pset_status	 st;
	char			 ip[64];

	(void)state;
	start("proxy_sets = ( { name = \"PS\"; sip_interface = \"SI\"; addresses = (\n"
	    "  { address = \"127.0.0.11\"; }, { address = \"127.0.0.12\"; },\n"
	    "  { address = \"127.0.0.14\"; } ); },\n"
	    " { name = \"GONE\"; sip_interface = \"SI\"; addresses = ( { address = \"127.0.0.15\"; } ); } );\n");
	old = pset_ref(pset_get("PS"));
	report(old, "127.0.0.11", 0);
	report(old, "127.0.0.12", 1);
	report(old, "127.0.0.14", 1);

	/* .11 unchanged, .12 changes transport (a new address), .14 removed, .13 new */
	reload_to("proxy_sets = ( { name = \"PS\"; sip_interface = \"SI\"; addresses = (\n"
	    "  { address = \"127.0.0.13\"; }, { address = \"127.0.0.11\"; priority = 1; },\n"
	    "  { address = \"127.0.0.12\"; transport = \"tcp\"; } ); } );\n");
	ps = pset_get("PS");
	assert_non_null(ps);
	assert_ptr_not_equal(ps, old);
	assert_null(pset_get("GONE"));
	assert_int_equal(pset_count(ps), 3);
	assert_int_equal(health_of(ps, "127.0.0.11"), PSET_DOWN);
	assert_int_equal(health_of(ps, "127.0.0.12"), PSET_UNKNOWN);
	assert_int_equal(health_of(ps, "127.0.0.13"), PSET_UNKNOWN);
	assert_int_equal(pset_status(ps, 2, &st), 0);
	assert_string_equal(st.address, "127.0.0.12");
	assert_int_equal(st.transport, CFG_TP_TCP);
	assert_int_equal(pset_status(ps, 3, &st), ENOENT);

	/* the old set lives on, frozen, for the calls that hold it */
	assert_int_equal(pset_count(old), 3);
	assert_int_equal(health_of(old, "127.0.0.14"), PSET_UP);
	assert_int_equal(pick(old, ip, sizeof(ip)), 0);
	assert_string_equal(ip, "127.0.0.12");
	old = pset_unref(old);

	/* and a second reload carries the new health again */
	report(ps, "127.0.0.13", 0);
	reload_to("proxy_sets = ( { name = \"PS\"; sip_interface = \"SI\"; addresses = (\n"
	    "  { address = \"127.0.0.13\"; }, { address = \"127.0.0.11\"; priority = 1; } ); } );\n");
	ps = pset_get("PS");
	assert_int_equal(health_of(ps, "127.0.0.13"), PSET_DOWN);
	assert_int_equal(health_of(ps, "127.0.0.11"), PSET_DOWN);
	/* all down: the last resort is the preferred priority */
	assert_int_equal(pick(ps, ip, sizeof(ip)), 0);
	assert_string_equal(ip, "127.0.0.13");
}

/* ===================================================================== */
/* Keep-alive against a real peer */

static pid_t
spawn(char *const argv[], const char *out)
{
	pid_t pid = fork();

	if (pid == 0) {
		FILE *fp = freopen(out, "w", stdout);

		(void)fp;
		dup2(1, 2);
		execvp(argv[0], argv);
		_exit(127);
	}
	return pid;
}

static void
reap(pid_t pid)
{
	if (pid <= 0)
		return;
	for (size_t i = 0; i < NCHILD; i++)
		if (children[i] == pid)
			children[i] = 0;
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
}

static int
file_exists(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0;
}

static int
wait_file(const char *path, int ms)
{
	for (int i = 0; i < ms / 20; i++) {
		if (file_exists(path))
			return 1;
		usleep(20000);
	}
	return 0;
}

struct ka_state {
	struct pset		*ps;
	enum pset_health	 want0, want1;
};

static int
ka_pred(void *arg)
{
	struct ka_state		*k = arg;
	struct pset_status	 s0, s1;

	k->ps = pset_get("PS-KA");
	if (pset_status(k->ps, 0, &s0) != 0 || pset_status(k->ps, 1, &s1) != 0)
		return 0;
	return s0.health == k->want0 && s1.health == k->want1;
}

static char *
slurp(const char *path)
{
	static char	buf[4096];
	FILE		*fp = fopen(path, "r");
	size_t		 n;

	if (fp == NULL)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	buf[n] = '\0';
	fclose(fp);
	return buf;
}

static void
test_keepalive(void **state)
{
	char			 script[512], ready[256], reqf[256], out[256];
	char			*argv[] = { "python3", script, "127.0.0.20", "25070", ready, reqf, NULL };
	struct ka_state		 k = { NULL, PSET_UP, PSET_DOWN };
	struct pset_status	 st;
	char			 ip[64], *req;
	pid_t			 pid;
	int			 ok;

	(void)state;
	snprintf(script, sizeof(script), "%s/tests/lib/pset_responder.py",
	    getenv("ROOT") ? getenv("ROOT") : ".");
	snprintf(ready, sizeof(ready), "%s/ready", tmpdir);
	snprintf(reqf, sizeof(reqf), "%s/request", tmpdir);
	snprintf(out, sizeof(out), "%s/responder.log", tmpdir);
	unlink(ready);
	pid = children[0] = spawn(argv, out);
	assert_true(pid > 0);
	if (!wait_file(ready, 5000)) {
		reap(pid);
		fail_msg("the responder did not start (see %s)", out);
	}

	/* .20 answers over UDP; nothing listens on .21 over TCP (refused: nta's own 503) */
	start("proxy_sets = ( { name = \"PS-KA\"; sip_interface = \"SI\"; keepalive = \"options\";\n"
	    "  keepalive_interval = 5; invite_timeout = 500; keepalive_failure_responses = [ 404 ];\n"
	    "  addresses = ( { address = \"127.0.0.20:25070\"; },\n"
	    "    { address = \"127.0.0.21:25070\"; transport = \"tcp\"; } ); } );\n");
	ok = run_until(ka_pred, &k, 3000);
	if (!ok)
		reap(pid);
	assert_true(ok);
	assert_int_equal(pset_status(k.ps, 0, &st), 0);
	assert_int_equal(st.last_code, 200);
	assert_true(st.rtt_ms < 500);
	assert_int_equal(pset_status(k.ps, 1, &st), 0);
	assert_int_equal(st.last_code, 503);

	req = slurp(reqf);
	assert_non_null(req);
	assert_non_null(strstr(req, "OPTIONS sip:127.0.0.20:25070;transport=udp SIP/2.0\r\n"));
	assert_non_null(strstr(req, "Max-Forwards: 70\r\n"));
	assert_non_null(strstr(req, "User-Agent: sbcd-test\r\n"));
	assert_non_null(strstr(req, "To: <sip:127.0.0.20:25070;transport=udp>\r\n"));
	assert_non_null(strstr(req, "From: <sip:127.0.0.20:25070;transport=udp>;tag="));

	/* the peer goes silent: down within one interval plus invite_timeout */
	kill(pid, SIGUSR1);
	k.want0 = PSET_DOWN;
	ok = run_until(ka_pred, &k, 7000);
	if (!ok)
		reap(pid);
	assert_true(ok);
	assert_int_equal(pset_status(k.ps, 0, &st), 0);
	assert_int_equal(st.last_code, 0);
	/* down, yet a request would still try it as the last resort */
	assert_int_equal(pick(k.ps, ip, sizeof(ip)), 0);

	/* and answers again: up */
	kill(pid, SIGUSR1);
	k.want0 = PSET_UP;
	ok = run_until(ka_pred, &k, 7000);
	reap(pid);
	assert_true(ok);
	assert_int_equal(pick(k.ps, ip, sizeof(ip)), 0);
	assert_string_equal(ip, "127.0.0.20");
}


/* Over TLS: the peer table gets each destination with its verify name. */
struct tls_state {
	enum pset_health	 want[2];
};

static int
tls_pred(void *arg)
{
	struct tls_state	*t = arg;
	struct pset		*ps = pset_get("PS-TLS");
	struct pset_status	 st;

	for (size_t i = 0; i < 2; i++)
		if (pset_status(ps, i, &st) != 0 || st.health != t->want[i])
			return 0;
	return 1;
}

static void
test_keepalive_tls(void **state)
{
	const char		*root = getenv("ROOT") ? getenv("ROOT") : ".";
	char			 pki[200], cmd[700], script[512], cert[260], key[260];
	char			 ready[2][256], reqf[256], out[2][256], text[3000], ip[2][16];
	struct tls_state	 t = { { PSET_UP, PSET_DOWN } };
	struct pset		*ps;
	struct pset_status	 st;
	struct pset_cursor	 cur;
	struct pset_dest	 d;
	struct sockaddr_in	 in;
	const char		*why;
	char			*req;

	(void)state;
	if (tls_init() != 0)
		skip();
	snprintf(pki, sizeof(pki), "%s/pki", tmpdir);
	snprintf(cmd, sizeof(cmd), "sh '%s/tests/lib/tls_pki.sh' '%s' >/dev/null", root, pki);
	assert_int_equal(system(cmd), 0);
	snprintf(script, sizeof(script), "%s/tests/lib/pset_responder.py", root);
	snprintf(cert, sizeof(cert), "%s/vc.crt", pki);	/* *.voiceconnector.chime.test */
	snprintf(key, sizeof(key), "%s/vc.key", pki);
	snprintf(reqf, sizeof(reqf), "%s/request-tls", tmpdir);
	for (int i = 0; i < 2; i++) {
		char *argv[] = { "python3", script, ip[i], "25071", ready[i], reqf, cert, key, NULL };

		snprintf(ip[i], sizeof(ip[i]), "127.0.0.%d", 23 + i);
		snprintf(ready[i], sizeof(ready[i]), "%s/ready-tls%d", tmpdir, i);
		snprintf(out[i], sizeof(out[i]), "%s/responder-tls%d.log", tmpdir, i);
		unlink(ready[i]);
		children[i] = spawn(argv, out[i]);
		assert_true(children[i] > 0);
		if (!wait_file(ready[i], 5000))
			fail_msg("the TLS responder did not start (see %s)", out[i]);
	}

	/* .23 is checked for a name its wildcard certificate has; .24 for one it lacks */
	snprintf(text, sizeof(text),
	    "global = { user_agent = \"sbcd-test\"; };\n"
	    "ip_interfaces = ( { name = \"LAN\"; address = \"127.0.0.1\"; } );\n"
	    "media_realms = ( { name = \"MR\"; interface = \"LAN\"; port_start = 40000; session_legs = 10; } );\n"
	    "tls_contexts = ( { name = \"T\"; certificate = \"%s/sbc.crt\"; private_key = \"%s/sbc.key\";\n"
	    "  ca_file = \"%s/ca.crt\"; verify = \"name\"; } );\n"
	    "sip_interfaces = ( { name = \"SI\"; interface = \"LAN\"; udp_port = 25060; tls_port = 25061;\n"
	    "  tls_context = \"T\"; media_realm = \"MR\"; } );\n"
	    "proxy_sets = ( { name = \"PS-TLS\"; sip_interface = \"SI\"; keepalive = \"options\";\n"
	    "  keepalive_interval = 5; invite_timeout = 3000; addresses = (\n"
	    "  { address = \"127.0.0.23:25071\"; transport = \"tls\"; tls_verify_name = \"sip.voiceconnector.chime.test\"; },\n"
	    "  { address = \"127.0.0.24:25071\"; transport = \"tls\"; tls_verify_name = \"wrong.example.test\"; } ); } );\n",
	    pki, pki, pki);
	start_text(text);
	assert_true(run_until(tls_pred, &t, 5000));
	ps = pset_get("PS-TLS");
	assert_int_equal(pset_status(ps, 0, &st), 0);
	assert_int_equal(st.last_code, 200);
	assert_int_equal(pset_status(ps, 1, &st), 0);
	assert_int_equal(st.last_code, 503);	/* nta's own: the handshake was refused */
	memset(&in, 0, sizeof(in));
	in.sin_family = AF_INET;
	in.sin_port = htons(25071);
	inet_pton(AF_INET, "127.0.0.24", &in.sin_addr);
	why = tls_last_error((struct sockaddr *)&in, sizeof(in));
	print_message("# 127.0.0.24: %s\n", why ? why : "(no error)");
	assert_non_null(why);
	req = slurp(reqf);
	assert_non_null(req);
	assert_non_null(strstr(req, "OPTIONS sip:127.0.0.23:25071;transport=tls SIP/2.0\r\n"));

	pset_cursor_init(&cur);
	assert_int_equal(pset_next(ps, &cur, &d), 0);
	assert_string_equal(d.uri, "sip:127.0.0.23:25071;transport=tls");
	assert_string_equal(d.tls_verify_name, "sip.voiceconnector.chime.test");
	/* the refused one only as the last resort */
	assert_int_equal(pset_next(ps, &cur, &d), 0);
	assert_non_null(strstr(d.uri, "127.0.0.24"));
	assert_int_equal(pset_next(ps, &cur, &d), ENOENT);

	/* the set goes away: so do its peer entries */
	reload_fini();
	assert_null(tls_last_error((struct sockaddr *)&in, sizeof(in)));
}

/* ===================================================================== */
/* DNS against dnsmasq on 127.0.0.53:53 */

struct dns_state {
	const char	*want_a;
};

static int
dns_pred(void *arg)
{
	struct dns_state	*s = arg;
	struct pset		*a = pset_get("PS-A"), *srv = pset_get("PS-SRV"),
				*fb = pset_get("PS-FB");
	struct pset_status	 st;

	if (pset_count(a) != 1 || pset_count(srv) != 2 || pset_count(fb) != 1)
		return 0;
	return pset_status(a, 0, &st) == 0 && strcmp(st.resolved, s->want_a) == 0;
}

static pid_t
start_dnsmasq(const char *hosts, const char *log)
{
	char	 pidf[256], addn[300];
	char	*argv[] = { "dnsmasq", "--keep-in-foreground", "--conf-file=/dev/null",
	    "--no-resolv", "--no-hosts", "--bind-interfaces", "--listen-address=127.0.0.53",
	    "--port=53", "--local-ttl=1", "--user=root", "--log-queries", "--log-facility=-",
	    addn, pidf,
	    "--host-record=t1.pset.test,127.0.0.32",
	    "--host-record=t2.pset.test,127.0.0.33",
	    "--srv-host=_sip._udp.srv.pset.test,t1.pset.test,5071,0,10",
	    "--srv-host=_sip._udp.srv.pset.test,t2.pset.test,5072,1,10",
	    NULL };
	pid_t	 pid;

	snprintf(pidf, sizeof(pidf), "--pid-file=%s/dnsmasq.pid", tmpdir);
	snprintf(addn, sizeof(addn), "--addn-hosts=%s", hosts);
	unlink(pidf + strlen("--pid-file="));
	pid = spawn(argv, log);
	if (pid > 0 && !wait_file(pidf + strlen("--pid-file="), 3000)) {
		reap(pid);
		return -1;
	}
	usleep(100000);	/* the pid file comes just before the socket is ready */
	if (waitpid(pid, NULL, WNOHANG) != 0)
		return -1;
	return pid;
}

static void
test_dns(void **state)
{
	char			 hosts[256], log[256], ip[64];
	struct dns_state	 s = { "127.0.0.31" };
	struct pset		*ps;
	struct pset_cursor	 cur;
	struct pset_dest	 d;
	struct pset_status	 st;
	pid_t			 pid;
	int			 ok;

	(void)state;
	if (getenv("SBCD_IN_NETNS") == NULL || geteuid() != 0 ||
	    (!file_exists("/usr/sbin/dnsmasq") && !file_exists("/usr/bin/dnsmasq"))) {
		print_message("# skipped: needs root, dnsmasq and tests/run.sh's namespace\n");
		skip();
	}
	snprintf(hosts, sizeof(hosts), "%s/hosts", tmpdir);
	snprintf(log, sizeof(log), "%s/dnsmasq.log", tmpdir);
	write_file(hosts, "127.0.0.31 a.pset.test\n");
	write_file(resolv_path, "nameserver 127.0.0.53\n");
	pid = start_dnsmasq(hosts, log);
	if (pid <= 0)
		fail_msg("dnsmasq did not start (see %s)", log);
	children[1] = pid;

	start("proxy_sets = (\n"
	    " { name = \"PS-A\"; sip_interface = \"SI\"; addresses = ( { address = \"a.pset.test\"; } ); },\n"
	    " { name = \"PS-SRV\"; sip_interface = \"SI\"; dns_resolve = \"srv\";\n"
	    "   addresses = ( { address = \"srv.pset.test\"; } ); },\n"
	    " { name = \"PS-FB\"; sip_interface = \"SI\"; dns_resolve = \"srv\";\n"
	    "   addresses = ( { address = \"a.pset.test\"; transport = \"tcp\"; } ); } );\n");
	/* nothing is known before the loop runs: the names are being resolved */
	pset_cursor_init(&cur);
	assert_int_equal(pset_next(pset_get("PS-A"), &cur, &d), EAGAIN);

	ok = run_until(dns_pred, &s, 5000);
	if (!ok)
		reap(pid);
	assert_true(ok);
	/* A */
	assert_int_equal(pset_status(pset_get("PS-A"), 0, &st), 0);
	assert_string_equal(st.address, "a.pset.test");
	assert_int_equal(st.port, 5060);
	assert_int_equal(pick(pset_get("PS-A"), ip, sizeof(ip)), 0);
	assert_string_equal(ip, "127.0.0.31");
	/* SRV: priority order, ports from the records, host as configured */
	ps = pset_get("PS-SRV");
	pset_cursor_init(&cur);
	assert_int_equal(pset_next(ps, &cur, &d), 0);
	assert_string_equal(d.uri, "sip:127.0.0.32:5071;transport=udp");
	assert_string_equal(d.host, "srv.pset.test");
	assert_int_equal(pset_next(ps, &cur, &d), 0);
	assert_string_equal(d.uri, "sip:127.0.0.33:5072;transport=udp");
	assert_int_equal(pset_next(ps, &cur, &d), ENOENT);
	/* no _sip._tcp records: the name's own address on the default port */
	assert_int_equal(pset_status(pset_get("PS-FB"), 0, &st), 0);
	assert_string_equal(st.resolved, "127.0.0.31");
	assert_int_equal(st.port, 5060);
	assert_int_equal(st.transport, CFG_TP_TCP);

	/* the record changes; once its TTL (1 s) runs out the set follows */
	write_file(hosts, "127.0.0.34 a.pset.test\n");
	kill(pid, SIGHUP);
	s.want_a = "127.0.0.34";
	ok = run_until(dns_pred, &s, 8000);
	reap(pid);
	assert_true(ok);
	assert_int_equal(pset_count(pset_get("PS-A")), 1);
	assert_int_equal(pick(pset_get("PS-A"), ip, sizeof(ip)), 0);
	assert_string_equal(ip, "127.0.0.34");
}

/* ===================================================================== */

static int
group_setup(void **state)
{
	const char *out = getenv("OUT");

	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "%s/pset.XXXXXX", out ? out : "/tmp");
	if (mkdtemp(tmpdir) == NULL)
		return -1;
	snprintf(conf_path, sizeof(conf_path), "%s/sbc.conf", tmpdir);
	snprintf(resolv_path, sizeof(resolv_path), "%s/resolv.conf", tmpdir);
	/* no name server: only the DNS test writes one */
	write_file(resolv_path, "");
	log_init("test_pset", LOG_TARGET_STDERR, 0);
	log_set_level(getenv("PSET_DEBUG") ? LOG_LEVEL_DEBUG : LOG_LEVEL_INFO);
	signal(SIGPIPE, SIG_IGN);
	if (loop_init() != 0)
		return -1;
	sipif_init(request_h, NULL);
	pset_init();
	return 0;
}

static int
group_teardown(void **state)
{
	(void)state;
	reload_fini();
	tls_fini();
	loop_fini();
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_priority_order, case_teardown),
		cmocka_unit_test_teardown(test_cursor_exclusion, case_teardown),
		cmocka_unit_test_teardown(test_round_robin, case_teardown),
		cmocka_unit_test_teardown(test_random_weights, case_teardown),
		cmocka_unit_test_teardown(test_homing_parking, case_teardown),
		cmocka_unit_test_teardown(test_all_down, case_teardown),
		cmocka_unit_test_teardown(test_has_address, case_teardown),
		cmocka_unit_test_teardown(test_reload_carry, case_teardown),
		cmocka_unit_test_teardown(test_keepalive, case_teardown),
		cmocka_unit_test_teardown(test_keepalive_tls, case_teardown),
		cmocka_unit_test_teardown(test_dns, case_teardown),
	};

	return cmocka_run_group_tests_name("pset", tests, group_setup, group_teardown);
}
