/* test_tls.c: sofia TLS through the interposed OpenSSL entry points, against openssl s_server and s_client on loopback. */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
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
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <cmocka.h>
#include <event2/event.h>
#include <openssl/ssl.h>
#include <sofia-sip/nta.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_status.h>
#include <sofia-sip/su_wait.h>
#include <sofia-sip/tport_tag.h>

#include "cfg.h"
#include "log.h"
#include "loop.h"
#include "tls.h"

/*
 * Layout, all on 127.0.0.0/8 (tests/run.sh runs us in a namespace with
 * only lo):
 *   127.0.0.9   sbcd's agent: UDP 15060, TLS 15061 (client certificate required)
 *   127.0.0.8   a second agent whose context wants TLS 1.3: TLS 15062
 *   127.0.0.2x  openssl s_server, one port per case; 127.0.0.30 a silent listener
 */
#define AGENT_IP	"127.0.0.9"
#define AGENT_TLS_PORT	15061
#define VC_NAME		"lab.voiceconnector.chime.test"
#define MAX_PROCS	8

static char		 tmpdir[] = "/tmp/sbcd-test-tls.XXXXXX";
static char		 pki[512];
static nta_agent_t	*agent, *agent13;
static struct cfg_tls	 ctx_main, ctx13;
static pid_t		 procs[MAX_PROCS];
static char		 s_cert[600], s_key[600], s_ca[600], s_sbc[600], s_sbckey[600];

/* What the result handler and the nta callback saw, per case. */
static struct {
	int		 out_done, out_ok;
	char		 out_reason[200];
	struct sockaddr_storage out_peer;
	int		 in_done, in_ok;
	char		 in_reason[200];
	int		 status;		/* final status from nta, 0: none */
	uint64_t	 t0, t_tls, t_status;
	int		 error_before_status;	/* tls_last_error set when nta answered */
} seen;

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static struct sockaddr_in
sin_of(const char *ip, int port)
{
	struct sockaddr_in sin;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(port);
	assert_int_equal(inet_pton(AF_INET, ip, &sin.sin_addr), 1);
	return sin;
}

static void
on_result(const struct sockaddr *peer, socklen_t len, int outgoing, int ok,
    const char *reason, void *arg)
{
	(void)arg;
	if (outgoing) {
		seen.out_done++;
		seen.out_ok = ok;
		snprintf(seen.out_reason, sizeof(seen.out_reason), "%s", reason);
		if (len <= sizeof(seen.out_peer))
			memcpy(&seen.out_peer, peer, len);
		seen.t_tls = now_ms();
	} else {
		seen.in_done++;
		seen.in_ok = ok;
		snprintf(seen.in_reason, sizeof(seen.in_reason), "%s", reason);
	}
}

static int
on_response(nta_outgoing_magic_t *magic, nta_outgoing_t *orq, sip_t const *sip)
{
	int status = sip != NULL && sip->sip_status != NULL ?
	    sip->sip_status->st_status : nta_outgoing_status(orq);

	(void)magic;
	if (status >= 200 && seen.status == 0) {
		seen.status = status;
		seen.t_status = now_ms();
		seen.error_before_status = seen.out_done > 0 && !seen.out_ok;
	}
	return 0;
}

/* ---- running the loop ---- */

static int		(*until_cond)(void);
static uint64_t		 until_deadline;

static void
until_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd; (void)what; (void)arg;
	if ((until_cond != NULL && until_cond()) || now_ms() >= until_deadline)
		loop_stop();
}

/* Run the loop until cond() or ms have passed; returns cond(). */
static int
run_until(int (*cond)(void), unsigned ms)
{
	struct timeval	 tv = { 0, 5000 };
	struct event	*ev = event_new(loop_base(), -1, EV_PERSIST, until_cb, NULL);

	assert_non_null(ev);
	until_cond = cond;
	until_deadline = now_ms() + ms;
	event_add(ev, &tv);
	assert_int_equal(loop_run(), 0);
	event_free(ev);
	until_cond = NULL;
	return cond != NULL ? cond() : 0;
}

static int cond_out_done(void) { return seen.out_done > 0; }
static int cond_status(void) { return seen.status != 0; }
static int cond_in_done(void) { return seen.in_done > 0; }

/* ---- processes ---- */

static pid_t
spawn(const char *logname, const char *const argv[])
{
	char	 path[600];
	pid_t	 pid;
	int	 i;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, logname);
	pid = fork();
	assert_true(pid != -1);
	if (pid == 0) {
		int in = open("/dev/null", O_RDONLY);
		int out = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

		if (in == -1 || out == -1)
			_exit(126);
		dup2(in, 0);
		dup2(out, 1);
		dup2(out, 2);
		execvp(argv[0], (char *const *)argv);
		_exit(127);
	}
	for (i = 0; i < MAX_PROCS; i++)
		if (procs[i] == 0) {
			procs[i] = pid;
			return pid;
		}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	fail_msg("too many processes");
	return -1;
}

static void
kill_all(void)
{
	for (int i = 0; i < MAX_PROCS; i++) {
		if (procs[i] == 0)
			continue;
		kill(procs[i], SIGKILL);
		waitpid(procs[i], NULL, 0);
		procs[i] = 0;
	}
}

static int
file_has(const char *logname, const char *needle)
{
	char	 path[600], buf[65536];
	FILE	*fp;
	size_t	 n;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, logname);
	if ((fp = fopen(path, "r")) == NULL)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	fclose(fp);
	buf[n] = '\0';
	return strstr(buf, needle) != NULL;
}

/* openssl s_server on ip:port with cert NAME (pki/NAME.crt, .key) and up to 8 more options, NULL-ended. */
static void
s_server(const char *ip, int port, const char *name, ...)
{
	char		 accept[64], cert[600], key[600], log[64];
	const char	*argv[24], *opt;
	int		 n = 0;
	uint64_t	 until;
	va_list		 ap;

	snprintf(accept, sizeof(accept), "%s:%d", ip, port);
	snprintf(cert, sizeof(cert), "%s/%s.crt", pki, name);
	snprintf(key, sizeof(key), "%s/%s.key", pki, name);
	snprintf(log, sizeof(log), "s_server.%d.log", port);
	argv[n++] = "openssl";
	argv[n++] = "s_server";
	argv[n++] = "-accept";
	argv[n++] = accept;
	argv[n++] = "-cert";
	argv[n++] = cert;
	argv[n++] = "-key";
	argv[n++] = key;
	argv[n++] = "-www";
	va_start(ap, name);
	while ((opt = va_arg(ap, const char *)) != NULL && n < 22)
		argv[n++] = opt;
	va_end(ap);
	argv[n] = NULL;
	spawn(log, argv);
	for (until = now_ms() + 3000; now_ms() < until; usleep(10000))
		if (file_has(log, "ACCEPT"))
			return;
	fail_msg("s_server on %s did not start", accept);
}

/* ---- SIP ---- */

static nta_outgoing_t	*orq;
static nta_leg_t	*leg;

/* OPTIONS sip:ip:port;transport=tls from agent a. */
static void
send_options(nta_agent_t *a, const char *ip, int port)
{
	char uri[128];

	memset(&seen, 0, sizeof(seen));
	snprintf(uri, sizeof(uri), "sip:%s:%d;transport=tls", ip, port);
	leg = nta_leg_tcreate(a, NULL, NULL,
	    SIPTAG_FROM_STR("<sip:sbcd@" AGENT_IP ">"),
	    SIPTAG_TO_STR("<sip:carrier@example.test>"), TAG_END());
	assert_non_null(leg);
	seen.t0 = now_ms();
	orq = nta_outgoing_tcreate(leg, on_response, NULL, NULL, SIP_METHOD_OPTIONS,
	    URL_STRING_MAKE(uri), TAG_END());
	assert_non_null(orq);
}

static void
sip_done(void)
{
	if (orq != NULL)
		nta_outgoing_destroy(orq);
	if (leg != NULL)
		nta_leg_destroy(leg);
	orq = NULL;
	leg = NULL;
}

/* A case that must fail: reason contains want, and nta answers 503 within 1 s. */
static void
expect_failure(const char *ip, int port, const char *want)
{
	struct sockaddr_in	 sin = sin_of(ip, port);
	const char		*last;

	assert_true(run_until(cond_status, 3000));
	print_message("# %s:%d: tls \"%s\" after %llu ms, %d after %llu ms\n", ip, port,
	    seen.out_reason, (unsigned long long)(seen.t_tls - seen.t0), seen.status,
	    (unsigned long long)(seen.t_status - seen.t0));
	assert_int_equal(seen.out_done, 1);
	assert_int_equal(seen.out_ok, 0);
	assert_non_null(strstr(seen.out_reason, want));
	assert_int_equal(seen.status, 503);
	assert_true(seen.t_status - seen.t0 < 1000);
	/* the result handler ran first: the 503 handler can read why */
	assert_true(seen.error_before_status);
	last = tls_last_error((struct sockaddr *)&sin, sizeof(sin));
	assert_non_null(last);
	assert_non_null(strstr(last, want));
}

static void
expect_ok(const char *ip, int port)
{
	struct sockaddr_in sin = sin_of(ip, port);

	assert_true(run_until(cond_out_done, 3000));
	print_message("# %s:%d: tls \"%s\" after %llu ms\n", ip, port, seen.out_reason,
	    (unsigned long long)(seen.t_tls - seen.t0));
	assert_int_equal(seen.out_ok, 1);
	assert_string_equal(seen.out_reason, "ok");
	assert_null(tls_last_error((struct sockaddr *)&sin, sizeof(sin)));
}

static void
peer_set(const char *ip, int port, const char *name, enum tls_verify mode)
{
	struct sockaddr_in sin = sin_of(ip, port);

	assert_int_equal(tls_peer_set((struct sockaddr *)&sin, sizeof(sin), name, mode), 0);
}

static void
peer_clear(const char *ip, int port)
{
	struct sockaddr_in sin = sin_of(ip, port);

	tls_peer_clear((struct sockaddr *)&sin, sizeof(sin));
}

static int
add_tls_tport(nta_agent_t *a, const char *url, const struct cfg_tls *t)
{
	char	dir[256];
	int	err, rc;

	assert_int_equal(tls_tport_begin(t, dir, sizeof(dir)), 0);
	rc = nta_agent_add_tport(a, URL_STRING_MAKE(url),
	    TPTAG_CERTIFICATE(dir),
	    TPTAG_TLS_VERIFY_POLICY(tls_tport_policy(t)),
	    TPTAG_SDWN_ERROR(1), TAG_END());
	err = tls_tport_end();
	assert_int_equal(rc, 0);
	return err;
}

/* ---- setup ---- */

static int
group_setup(void **state)
{
	const char	*root = getenv("ROOT");
	char		 cmd[1200];

	(void)state;
	log_init("test_tls", LOG_TARGET_STDERR, 0);
	log_set_level(getenv("TLS_DEBUG") ? LOG_LEVEL_DEBUG : LOG_LEVEL_INFO);
	if (mkdtemp(tmpdir) == NULL)
		return -1;
	snprintf(pki, sizeof(pki), "%s/pki", tmpdir);
	snprintf(cmd, sizeof(cmd), "sh '%s/tests/lib/tls_pki.sh' '%s' >/dev/null",
	    root ? root : ".", pki);
	if (system(cmd) != 0)
		return -1;
	snprintf(s_ca, sizeof(s_ca), "%s/ca.crt", pki);
	snprintf(s_sbc, sizeof(s_sbc), "%s/sbc.crt", pki);
	snprintf(s_sbckey, sizeof(s_sbckey), "%s/sbc.key", pki);
	snprintf(s_cert, sizeof(s_cert), "%s/client.crt", pki);
	snprintf(s_key, sizeof(s_key), "%s/client.key", pki);

	if (loop_init() != 0 || tls_init() != 0)
		return -1;
	tls_set_result_handler(on_result, NULL);
	tls_set_handshake_timeout(5000);

	ctx_main.name = "test";
	ctx_main.certificate = s_sbc;
	ctx_main.private_key = s_sbckey;
	ctx_main.ca_file = s_ca;
	ctx_main.min_version = CFG_TLS_1_2;
	ctx_main.verify = CFG_TLSV_NAME;
	ctx_main.require_client_certificate = 1;
	ctx13 = ctx_main;
	ctx13.name = "test13";
	ctx13.min_version = CFG_TLS_1_3;
	ctx13.require_client_certificate = 0;

	agent = nta_agent_create(loop_root(),
	    URL_STRING_MAKE("sip:" AGENT_IP ":15060;transport=udp"), NULL, NULL, TAG_END());
	agent13 = nta_agent_create(loop_root(),
	    URL_STRING_MAKE("sip:127.0.0.8:15060;transport=udp"), NULL, NULL, TAG_END());
	if (agent == NULL || agent13 == NULL)
		return -1;
	if (add_tls_tport(agent, "sips:" AGENT_IP ":15061;transport=tls", &ctx_main) != 0 ||
	    add_tls_tport(agent13, "sips:127.0.0.8:15062;transport=tls", &ctx13) != 0)
		return -1;
	return 0;
}

static int
group_teardown(void **state)
{
	char cmd[600];

	(void)state;
	kill_all();
	if (agent != NULL)
		nta_agent_destroy(agent);
	if (agent13 != NULL)
		nta_agent_destroy(agent13);
	agent = agent13 = NULL;
	tls_fini();
	loop_fini();
	if (getenv("TLS_KEEP")) return 0;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

/* After each case: no process left, no transaction, sofia has closed up. */
static int
case_teardown(void **state)
{
	(void)state;
	sip_done();
	kill_all();
	run_until(NULL, 50);
	return 0;
}

/* ---- cases ---- */

static void
test_interposed(void **state)
{
	struct cfg_tls t = ctx_main;

	(void)state;
	/* sofia's PLT binds to these: they must be ours */
	assert_true(dlsym(RTLD_DEFAULT, "SSL_connect") == (void *)SSL_connect);
	assert_true(dlsym(RTLD_DEFAULT, "SSL_CTX_set_verify") == (void *)SSL_CTX_set_verify);
	assert_int_equal(tls_tport_policy(&t), TPTLS_VERIFY_IN | TPTLS_VERIFY_OUT);
	t.require_client_certificate = 0;
	assert_int_equal(tls_tport_policy(&t), TPTLS_VERIFY_OUT);
	t.verify = CFG_TLSV_NONE;
	assert_int_equal(tls_tport_policy(&t), TPTLS_VERIFY_NONE);
}

static void
test_peer_table(void **state)
{
	struct sockaddr_in	sin = sin_of("192.0.2.1", 5061);
	struct sockaddr_in6	sin6, mapped;
	struct sockaddr		*sa = (struct sockaddr *)&sin;

	(void)state;
	memset(&sin6, 0, sizeof(sin6));
	sin6.sin6_family = AF_INET6;
	sin6.sin6_port = htons(5061);
	inet_pton(AF_INET6, "2001:db8::1", &sin6.sin6_addr);
	mapped = sin6;
	inet_pton(AF_INET6, "::ffff:192.0.2.1", &mapped.sin6_addr);

	assert_int_equal(tls_peer_set(sa, sizeof(sin), NULL, TLS_VERIFY_NAME), EINVAL);
	assert_int_equal(tls_peer_set(sa, 4, "a.test", TLS_VERIFY_NAME), EAFNOSUPPORT);
	assert_int_equal(tls_peer_set(sa, sizeof(sin), "a.test", TLS_VERIFY_NAME), 0);
	assert_int_equal(tls_peer_set(sa, sizeof(sin), "A.test", TLS_VERIFY_NAME), 0);
	/* one name per address; the IPv4-mapped form is the same address */
	assert_int_equal(tls_peer_set((struct sockaddr *)&mapped, sizeof(mapped), "b.test",
	    TLS_VERIFY_NAME), EEXIST);
	assert_int_equal(tls_peer_set((struct sockaddr *)&sin6, sizeof(sin6), "2001:db8::1",
	    TLS_VERIFY_NAME), 0);
	assert_int_equal(tls_peer_set((struct sockaddr *)&sin6, sizeof(sin6), "[2001:db8::1]",
	    TLS_VERIFY_NAME), 0);
	assert_null(tls_last_error(sa, sizeof(sin)));
	tls_peer_clear(sa, sizeof(sin));
	tls_peer_clear((struct sockaddr *)&mapped, sizeof(mapped));
	tls_peer_clear(sa, sizeof(sin));	/* one too many: ignored */
	/* gone: a different name is accepted now */
	assert_int_equal(tls_peer_set(sa, sizeof(sin), "b.test", TLS_VERIFY_CHAIN), 0);
	tls_peer_clear(sa, sizeof(sin));
	tls_peer_clear((struct sockaddr *)&sin6, sizeof(sin6));
	tls_peer_clear((struct sockaddr *)&sin6, sizeof(sin6));
}

static void
test_key_mismatch(void **state)
{
	struct cfg_tls	 t = ctx13;
	char		 wrongkey[600], missing[600];
	nta_agent_t	*a;

	(void)state;
	snprintf(wrongkey, sizeof(wrongkey), "%s/vc.key", pki);
	snprintf(missing, sizeof(missing), "%s/missing.crt", pki);
	a = nta_agent_create(loop_root(),
	    URL_STRING_MAKE("sip:127.0.0.7:15060;transport=udp"), NULL, NULL, TAG_END());
	assert_non_null(a);
	t.name = "mismatch";
	t.private_key = wrongkey;
	assert_int_equal(add_tls_tport(a, "sips:127.0.0.7:15063;transport=tls", &t), EINVAL);
	nta_agent_destroy(a);

	a = nta_agent_create(loop_root(),
	    URL_STRING_MAKE("sip:127.0.0.7:15060;transport=udp"), NULL, NULL, TAG_END());
	assert_non_null(a);
	t.name = "missing";
	t.certificate = missing;
	assert_int_equal(add_tls_tport(a, "sips:127.0.0.7:15063;transport=tls", &t), ENOENT);
	nta_agent_destroy(a);
}

/* Wildcard certificate, TLS 1.3, SNI checked by s_server (fatal on a wrong name). */
static void
test_wildcard_tls13(void **state)
{
	char cert[600], key[600];

	(void)state;
	snprintf(cert, sizeof(cert), "%s/vc.crt", pki);
	snprintf(key, sizeof(key), "%s/vc.key", pki);
	/* -servername with -cert2: s_server logs the SNI it got (-debug) */
	s_server("127.0.0.21", 15101, "vc", "-tls1_3", "-debug", "-servername", VC_NAME,
	    "-servername_fatal", "-cert2", cert, "-key2", key, NULL);
	peer_set("127.0.0.21", 15101, VC_NAME, TLS_VERIFY_NAME);
	send_options(agent, "127.0.0.21", 15101);
	expect_ok("127.0.0.21", 15101);
	assert_true(file_has("s_server.15101.log",
	    "Hostname in TLS extension: \"" VC_NAME "\""));
	peer_clear("127.0.0.21", 15101);
}

static void
test_tls12(void **state)
{
	(void)state;
	s_server("127.0.0.22", 15102, "vc", "-tls1_2", NULL);
	peer_set("127.0.0.22", 15102, VC_NAME, TLS_VERIFY_NAME);
	send_options(agent, "127.0.0.22", 15102);
	expect_ok("127.0.0.22", 15102);
	peer_clear("127.0.0.22", 15102);
}

static void
test_wrong_name(void **state)
{
	(void)state;
	s_server("127.0.0.23", 15103, "vc", NULL);
	/* the wildcard covers one label only */
	peer_set("127.0.0.23", 15103, "a.lab.voiceconnector.chime.test", TLS_VERIFY_NAME);
	send_options(agent, "127.0.0.23", 15103);
	expect_failure("127.0.0.23", 15103, "hostname mismatch");
	peer_clear("127.0.0.23", 15103);
}

static void
test_untrusted_ca(void **state)
{
	(void)state;
	s_server("127.0.0.24", 15104, "untrusted", NULL);
	peer_set("127.0.0.24", 15104, VC_NAME, TLS_VERIFY_NAME);
	send_options(agent, "127.0.0.24", 15104);
	expect_failure("127.0.0.24", 15104, "unable to get local issuer certificate");
	peer_clear("127.0.0.24", 15104);
}

/* Mode none skips verification, even though sofia's policy is OUT. */
static void
test_verify_none(void **state)
{
	(void)state;
	s_server("127.0.0.24", 15114, "untrusted", NULL);
	peer_set("127.0.0.24", 15114, NULL, TLS_VERIFY_NONE);
	send_options(agent, "127.0.0.24", 15114);
	expect_ok("127.0.0.24", 15114);
	peer_clear("127.0.0.24", 15114);
}

/* Chain only: any name, but the CA must be ours. */
static void
test_chain_only(void **state)
{
	(void)state;
	s_server("127.0.0.29", 15109, "vc", NULL);
	peer_set("127.0.0.29", 15109, "other.test", TLS_VERIFY_CHAIN);
	send_options(agent, "127.0.0.29", 15109);
	expect_ok("127.0.0.29", 15109);
	peer_clear("127.0.0.29", 15109);
}

/* An IP literal is matched against the IP SANs (sbc.crt has IP:127.0.0.9). */
static void
test_ip_san(void **state)
{
	(void)state;
	s_server("127.0.0.29", 15119, "sbc", NULL);
	s_server("127.0.0.29", 15129, "sbc", NULL);
	peer_set("127.0.0.29", 15119, "127.0.0.9", TLS_VERIFY_NAME);
	peer_set("127.0.0.29", 15129, "127.0.0.29", TLS_VERIFY_NAME);
	send_options(agent, "127.0.0.29", 15119);
	expect_ok("127.0.0.29", 15119);
	sip_done();
	send_options(agent, "127.0.0.29", 15129);
	expect_failure("127.0.0.29", 15129, "IP address mismatch");
	peer_clear("127.0.0.29", 15119);
	peer_clear("127.0.0.29", 15129);
}

static void
test_expired(void **state)
{
	(void)state;
	s_server("127.0.0.25", 15105, "expired", NULL);
	peer_set("127.0.0.25", 15105, VC_NAME, TLS_VERIFY_NAME);
	send_options(agent, "127.0.0.25", 15105);
	expect_failure("127.0.0.25", 15105, "certificate has expired");
	peer_clear("127.0.0.25", 15105);
}

static void
test_tls11(void **state)
{
	(void)state;
	s_server("127.0.0.26", 15106, "vc", "-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0", NULL);
	peer_set("127.0.0.26", 15106, VC_NAME, TLS_VERIFY_NAME);
	send_options(agent, "127.0.0.26", 15106);
	expect_failure("127.0.0.26", 15106, "");
	peer_clear("127.0.0.26", 15106);
}

static void
test_min_version_13(void **state)
{
	(void)state;
	s_server("127.0.0.27", 15107, "vc", "-tls1_2", NULL);
	peer_set("127.0.0.27", 15107, VC_NAME, TLS_VERIFY_NAME);
	send_options(agent13, "127.0.0.27", 15107);
	expect_failure("127.0.0.27", 15107, "protocol version");
	peer_clear("127.0.0.27", 15107);
}

static void
test_unknown_peer(void **state)
{
	(void)state;
	s_server("127.0.0.28", 15108, "vc", NULL);
	send_options(agent, "127.0.0.28", 15108);
	expect_failure("127.0.0.28", 15108, "not in the TLS peer table");
}

/* A TCP listener that never speaks: the watchdog ends the handshake. */
static void
test_stalled(void **state)
{
	struct sockaddr_in	 sin = sin_of("127.0.0.30", 15110);
	unsigned long		 stalled = tls_stats()->stalled;
	int			 s, one = 1;

	(void)state;
	s = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(s != -1);
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	assert_int_equal(bind(s, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(listen(s, 4), 0);	/* never accept(): the kernel completes TCP */
	peer_set("127.0.0.30", 15110, VC_NAME, TLS_VERIFY_NAME);
	tls_set_handshake_timeout(1000);
	send_options(agent, "127.0.0.30", 15110);
	run_until(cond_status, 3000);
	tls_set_handshake_timeout(5000);
	close(s);
	print_message("# stalled: tls \"%s\" after %llu ms, %d after %llu ms\n",
	    seen.out_reason, (unsigned long long)(seen.t_tls - seen.t0), seen.status,
	    (unsigned long long)(seen.t_status - seen.t0));
	assert_int_equal(seen.status, 503);
	assert_true(seen.t_status - seen.t0 >= 1000);
	assert_true(seen.t_status - seen.t0 < 1500);
	assert_int_equal(seen.out_done, 1);	/* once, not again after the shutdown */
	assert_non_null(strstr(seen.out_reason, "handshake timeout"));
	assert_int_equal(tls_stats()->stalled, stalled + 1);
	peer_clear("127.0.0.30", 15110);
}

static void
s_client(int with_cert)
{
	char		 connect[64];
	const char	*argv[16];
	int		 n = 0;

	snprintf(connect, sizeof(connect), "%s:%d", AGENT_IP, AGENT_TLS_PORT);
	memset(&seen, 0, sizeof(seen));
	argv[n++] = "openssl";
	argv[n++] = "s_client";
	argv[n++] = "-connect";
	argv[n++] = connect;
	argv[n++] = "-CAfile";
	argv[n++] = s_ca;
	if (with_cert) {
		argv[n++] = "-cert";
		argv[n++] = s_cert;
		argv[n++] = "-key";
		argv[n++] = s_key;
	}
	argv[n] = NULL;
	spawn("s_client.log", argv);
	run_until(cond_in_done, 3000);
	print_message("# incoming %s certificate: \"%s\"\n", with_cert ? "with" : "without",
	    seen.in_reason);
}

static void
test_incoming_no_client_cert(void **state)
{
	(void)state;
	s_client(0);
	assert_int_equal(seen.in_done, 1);
	assert_int_equal(seen.in_ok, 0);
	assert_non_null(strstr(seen.in_reason, "certificate"));
}

static void
test_incoming_client_cert(void **state)
{
	(void)state;
	s_client(1);
	assert_int_equal(seen.in_done, 1);
	assert_int_equal(seen.in_ok, 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_interposed),
		cmocka_unit_test(test_peer_table),
		cmocka_unit_test_teardown(test_key_mismatch, case_teardown),
		cmocka_unit_test_teardown(test_wildcard_tls13, case_teardown),
		cmocka_unit_test_teardown(test_tls12, case_teardown),
		cmocka_unit_test_teardown(test_wrong_name, case_teardown),
		cmocka_unit_test_teardown(test_untrusted_ca, case_teardown),
		cmocka_unit_test_teardown(test_verify_none, case_teardown),
		cmocka_unit_test_teardown(test_chain_only, case_teardown),
		cmocka_unit_test_teardown(test_ip_san, case_teardown),
		cmocka_unit_test_teardown(test_expired, case_teardown),
		cmocka_unit_test_teardown(test_tls11, case_teardown),
		cmocka_unit_test_teardown(test_min_version_13, case_teardown),
		cmocka_unit_test_teardown(test_unknown_peer, case_teardown),
		cmocka_unit_test_teardown(test_stalled, case_teardown),
		cmocka_unit_test_teardown(test_incoming_no_client_cert, case_teardown),
		cmocka_unit_test_teardown(test_incoming_client_cert, case_teardown),
	};

	/* s_server may close before we write */
	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
