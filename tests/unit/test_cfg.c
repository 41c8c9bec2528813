/* test_cfg.c: unit tests of the configuration walker, validator, dump and reload. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "cfg_int.h"
#include "obj.h"
#include "reload.h"

#define BASE \
	"ip_interfaces = ( { name = \"LAN\"; address = \"127.0.0.1\"; } );\n" \
	"media_realms = ( { name = \"MR\"; interface = \"LAN\"; port_start = 20000; session_legs = 10; } );\n" \
	"sip_interfaces = ( { name = \"SI\"; interface = \"LAN\"; udp_port = 5060; media_realm = \"MR\"; } );\n"

static struct cfg *
load_ok(const char *text)
{
	struct cfg	*cfg = NULL;
	struct cfg_diag	 diag;
	int		 err;

	cfg_diag_init(&diag);
	err = cfg_load_string(text, "t.conf", &cfg, &diag);
	for (size_t i = 0; i < diag.n; i++)
		fprintf(stderr, "# %s\n", diag.msgs[i]);
	assert_int_equal(err, 0);
	assert_non_null(cfg);
	cfg_diag_free(&diag);
	return cfg;
}

/* Load text that must fail; returns the diagnostics (caller frees). */
static struct cfg_diag
load_bad(const char *text)
{
	struct cfg	*cfg = NULL;
	struct cfg_diag	 diag;

	cfg_diag_init(&diag);
	assert_int_equal(cfg_load_string(text, "t.conf", &cfg, &diag), EINVAL);
	assert_null(cfg);
	return diag;
}

static int
diag_has(const struct cfg_diag *diag, const char *needle)
{
	for (size_t i = 0; i < diag->n; i++)
		if (strstr(diag->msgs[i], needle) != NULL)
			return 1;
	return 0;
}

static int
check_leaks(void **state)
{
	(void)state;
	assert_int_equal(obj_live(), 0);
	return 0;
}

static void
test_minimal_defaults(void **state)
{
	struct cfg *cfg = load_ok(BASE
	    "proxy_sets = ( { name = \"PS\"; sip_interface = \"SI\";"
	    " addresses = ( { address = \"127.0.0.10\"; } ); } );\n"
	    "ip_profiles = ( { name = \"P\"; } );\n");

	(void)state;
	assert_int_equal(cfg->n_ip_interfaces, 1);
	assert_int_equal(cfg->global.log_level, 2);	/* info */
	assert_string_equal(cfg->global.user_agent, "sbcd");
	assert_int_equal(cfg->media_realms[0].port_spacing, 4);
	assert_int_equal(cfg->media_realms[0].port_end, 20039);
	assert_int_equal(cfg->sip_interfaces[0].classification_failure_response, 403);
	assert_int_equal(cfg->proxy_sets[0].keepalive_interval, 60);
	assert_int_equal(cfg->proxy_sets[0].invite_timeout, 4000);
	assert_int_equal(cfg->proxy_sets[0].addresses[0].transport, CFG_TP_UDP);
	assert_int_equal(cfg->proxy_sets[0].addresses[0].weight, 1);
	assert_int_equal(cfg->ip_profiles[0].srtp_suites.n, 2);
	assert_string_equal(cfg->ip_profiles[0].srtp_suites.v[0], "AES_CM_128_HMAC_SHA1_80");
	assert_int_equal(cfg->ip_profiles[0].media_timeout, 30);
	assert_int_equal(cfg->ip_profiles[0].dtmf_payload_type, 101);
	cfg_unref(cfg);
}

static void
test_references_resolve(void **state)
{
	struct cfg *cfg = load_ok(BASE
	    "srds = ( { name = \"D\"; } );\n"
	    "proxy_sets = ( { name = \"PS\"; sip_interface = \"SI\";"
	    " addresses = ( { address = \"127.0.0.10\"; } ); } );\n"
	    "ip_profiles = ( { name = \"P\"; } );\n"
	    "ip_groups = ( { name = \"G\"; proxy_set = \"PS\"; ip_profile = \"P\"; } );\n"
	    "routes = ( { name = \"r\"; source_ip_group = \"G\"; dest_ip_group = \"G\"; } );\n");

	(void)state;
	assert_ptr_equal(cfg->media_realms[0].interface, &cfg->ip_interfaces[0]);
	assert_ptr_equal(cfg->sip_interfaces[0].media_realm, &cfg->media_realms[0]);
	/* the only SRD is the default of a SIP interface that names none */
	assert_ptr_equal(cfg->sip_interfaces[0].srd, &cfg->srds[0]);
	assert_ptr_equal(cfg->ip_groups[0].proxy_set, &cfg->proxy_sets[0]);
	assert_ptr_equal(cfg->routes[0].dest_ip_group, &cfg->ip_groups[0]);
	assert_null(cfg->ip_groups[0].media_realm);
	assert_ptr_equal(cfg_ipgroup_find(cfg, "G"), &cfg->ip_groups[0]);
	assert_null(cfg_ipgroup_find(cfg, "nope"));
	assert_ptr_equal(cfg_pset_find(cfg, "PS"), &cfg->proxy_sets[0]);
	assert_ptr_equal(cfg_sipif_find(cfg, "SI"), &cfg->sip_interfaces[0]);
	cfg_unref(cfg);
}

static void
test_every_error_reported(void **state)
{
	struct cfg_diag diag = load_bad(BASE
	    "proxy_sets = ( { name = \"PS\"; sip_interface = \"NOPE\";\n"
	    "  addresses = ( { address = \"127.0.0.10\"; colour = 1; } ); } );\n"
	    "media_realms_x = ();\n"
	    "ip_profiles = ( { name = \"P\"; min_se = 10; } );\n");

	(void)state;
	assert_int_equal(diag.n, 4);
	assert_true(diag_has(&diag, "t.conf:4: proxy_sets[0].sip_interface: no sip_interfaces entry named \"NOPE\""));
	assert_true(diag_has(&diag, "t.conf:5: proxy_sets[0].addresses[0].colour: unknown setting"));
	assert_true(diag_has(&diag, "t.conf:6: media_realms_x: unknown setting"));
	assert_true(diag_has(&diag, "t.conf:7: ip_profiles[0].min_se: 10 is out of range 90..86400"));
	/* sorted by line */
	assert_non_null(strstr(diag.msgs[0], ":4:"));
	assert_non_null(strstr(diag.msgs[3], ":7:"));
	cfg_diag_free(&diag);
}

static void
test_syntax_error(void **state)
{
	struct cfg_diag diag = load_bad("ip_interfaces = ( { name = \"x\"; \n\n } ;\n");

	(void)state;
	assert_int_equal(diag.n, 1);
	assert_true(diag_has(&diag, "t.conf:3: syntax error"));
	cfg_diag_free(&diag);
}

static void
test_hostport(void **state)
{
	char	host[64];
	int	port;

	(void)state;
	assert_int_equal(cfg_split_hostport("127.0.0.1:5060", host, sizeof(host), &port), 0);
	assert_string_equal(host, "127.0.0.1");
	assert_int_equal(port, 5060);
	assert_int_equal(cfg_split_hostport("vc.example.test", host, sizeof(host), &port), 0);
	assert_string_equal(host, "vc.example.test");
	assert_int_equal(port, 0);
	assert_int_equal(cfg_split_hostport("[2001:db8::1]:5061", host, sizeof(host), &port), 0);
	assert_string_equal(host, "2001:db8::1");
	assert_int_equal(port, 5061);
	assert_int_equal(cfg_split_hostport("[::1]", host, sizeof(host), &port), 0);
	assert_int_equal(port, 0);
	assert_int_equal(cfg_split_hostport("2001:db8::1", host, sizeof(host), &port), EINVAL);
	assert_int_equal(cfg_split_hostport("host:0", host, sizeof(host), &port), EINVAL);
	assert_int_equal(cfg_split_hostport("host:65536", host, sizeof(host), &port), EINVAL);
	assert_int_equal(cfg_split_hostport("host:", host, sizeof(host), &port), EINVAL);
	assert_int_equal(cfg_split_hostport(":5060", host, sizeof(host), &port), EINVAL);
	assert_int_equal(cfg_split_hostport("[::1]x", host, sizeof(host), &port), EINVAL);
	assert_int_equal(cfg_split_hostport("user@host", host, sizeof(host), &port), EINVAL);
}

static void
test_srtp_suite_spellings(void **state)
{
	struct cfg *cfg = load_ok(BASE
	    "ip_profiles = ( { name = \"P\"; media_security = \"secured\"; srtp_suites = [\n"
	    " \"AES_CM_256_HMAC_SHA1_80\", \"AES_192_CM_HMAC_SHA1_32\", \"AES_CM_128_HMAC_SHA1_32\" ]; } );\n");
	struct cfg_profile *p = &cfg->ip_profiles[0];

	(void)state;
	assert_int_equal(p->srtp_suites.n, 3);
	/* AWS's spelling maps to the RFC 6188 name */
	assert_string_equal(p->srtp_suites.v[0], "AES_256_CM_HMAC_SHA1_80");
	assert_string_equal(p->srtp_suites.v[1], "AES_192_CM_HMAC_SHA1_32");
	assert_string_equal(p->srtp_suites.v[2], "AES_CM_128_HMAC_SHA1_32");
	cfg_unref(cfg);
}

static void
test_secured_needs_suites(void **state)
{
	struct cfg_diag diag = load_bad(BASE
	    "ip_profiles = ( { name = \"P\"; media_security = \"secured\"; srtp_suites = []; } );\n");

	(void)state;
	assert_true(diag_has(&diag, "media_security secured needs at least one srtp_suites entry"));
	cfg_diag_free(&diag);
}

static void
test_message_types(void **state)
{
	static const char *const good[] = { "any", "options", "invite.request",
	    "bye.response", "invite.response.200", "invite.response.2xx", "any.request",
	    "x-custom.request" };
	static const char *const bad[] = { "invite.", ".request", "invite.reply",
	    "invite.response.20", "invite.response.7xx", "invite.response.2x0", "in vite" };
	char text[1024];

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		struct cfg *cfg;

		snprintf(text, sizeof(text), BASE "manipulation_sets = ( { name = \"M\"; rules = ("
		    " { message_type = \"%s\"; subject = \"header.x-test\"; action = \"remove\"; } ); } );\n",
		    good[i]);
		cfg = load_ok(text);
		cfg_unref(cfg);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct cfg_diag diag;

		snprintf(text, sizeof(text), BASE "manipulation_sets = ( { name = \"M\"; rules = ("
		    " { message_type = \"%s\"; subject = \"header.to\"; action = \"remove\"; } ); } );\n",
		    bad[i]);
		diag = load_bad(text);
		assert_true(diag_has(&diag, "message_type"));
		cfg_diag_free(&diag);
	}
}

static void
test_classification_cidr(void **state)
{
	struct cfg *cfg = load_ok(BASE
	    "ip_profiles = ( { name = \"P\"; } );\n"
	    "ip_groups = ( { name = \"G\"; ip_profile = \"P\"; } );\n"
	    "classification = ( { name = \"a\"; source_address = \"10.1.0.0/16\"; ip_group = \"G\"; },\n"
	    " { name = \"b\"; source_address = \"2001:db8::/32\"; action = \"deny\"; },\n"
	    " { name = \"c\"; source_address = \"127.0.0.5\"; ip_group = \"G\"; } );\n");

	(void)state;
	assert_int_equal(cfg->classification[0].src_family, AF_INET);
	assert_int_equal(cfg->classification[0].src_prefix, 16);
	assert_int_equal(cfg->classification[0].src_net[1], 1);
	assert_int_equal(cfg->classification[1].src_family, AF_INET6);
	assert_int_equal(cfg->classification[1].src_prefix, 32);
	assert_int_equal(cfg->classification[2].src_prefix, 32);
	cfg_unref(cfg);
}

static char *
dump_to_string(const struct cfg *cfg)
{
	FILE	*fp = tmpfile();
	char	*buf;
	long	 len;

	assert_non_null(fp);
	cfg_dump(cfg, fp);
	len = ftell(fp);
	buf = calloc(1, (size_t)len + 1);
	assert_non_null(buf);
	rewind(fp);
	assert_int_equal(fread(buf, 1, (size_t)len, fp), (size_t)len);
	fclose(fp);
	return buf;
}

/* -T output is itself a configuration that loads to the same thing. */
static void
test_dump_roundtrip(void **state)
{
	const char	*root = getenv("ROOT");
	char		 path[1024];
	struct cfg	*a, *b;
	struct cfg_diag	 diag;
	char		*da, *db, *body;

	(void)state;
	snprintf(path, sizeof(path), "%s/tests/conf/good/full.conf", root ? root : ".");
	cfg_diag_init(&diag);
	assert_int_equal(cfg_load(path, &a, &diag), 0);
	cfg_diag_free(&diag);
	da = dump_to_string(a);
	/* the secret is masked, everything else is there */
	assert_null(strstr(da, "s3cret"));
	assert_non_null(strstr(da, "password = \"********\""));
	assert_non_null(strstr(da, "keepalive_interval = 60;"));	/* a default */
	body = strchr(da, '\n') + 1;	/* skip the comment naming the file */
	b = load_ok(body);
	db = dump_to_string(b);
	assert_string_equal(strchr(db, '\n') + 1, body);
	free(da);
	free(db);
	cfg_unref(a);
	cfg_unref(b);
}

static void
test_restart_keys_kept(void **state)
{
	struct cfg	*a = load_ok("global = { control_socket = \"/run/a.sock\"; log_level = \"info\"; };\n" BASE);
	struct cfg	*b = load_ok("global = { control_socket = \"/run/b.sock\"; log_level = \"debug\"; };\n" BASE);
	struct cfg_diag	 diag;

	(void)state;
	cfg_diag_init(&diag);
	cfg_keep_restart_keys(a, b, &diag);
	assert_int_equal(diag.n, 1);
	assert_int_equal(diag.nwarn, 1);
	assert_true(diag_has(&diag, "global.control_socket: changed from \"/run/a.sock\" to \"/run/b.sock\"; this takes effect only after a restart"));
	assert_string_equal(b->global.control_socket, "/run/a.sock");
	assert_int_equal(b->global.log_level, 3);	/* reloadable: applied */
	cfg_diag_free(&diag);
	cfg_unref(a);
	cfg_unref(b);
}

/* ===== reload ===== */

static int	 fail_prepare, prepared, committed, aborted;

static int
hook_prepare(struct cfg *next, struct cfg_diag *diag)
{
	(void)next;
	prepared++;
	if (fail_prepare) {
		cfg_diag_add(diag, "t.conf:1: test hook refused");
		return EADDRINUSE;
	}
	return 0;
}

static void
hook_commit(struct cfg *prev, struct cfg *next)
{
	(void)prev; (void)next;
	committed++;
}

static void
hook_abort(struct cfg *next)
{
	(void)next;
	aborted++;
}

static const struct reload_hooks test_hooks = {
	.name = "test", .prepare = hook_prepare, .commit = hook_commit, .abort = hook_abort,
};

static void
write_file(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

static void
test_reload_all_or_nothing(void **state)
{
	char		 dir[] = "/tmp/sbcd-test-XXXXXX";
	char		 path[128];
	struct cfg	*cfg, *first;
	struct cfg_diag	 diag;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/sbc.conf", dir);
	write_file(path, BASE "global = { log_level = \"warn\"; };\n");
	reload_register(&test_hooks);

	cfg_diag_init(&diag);
	assert_int_equal(cfg_load(path, &cfg, &diag), 0);
	assert_int_equal(reload_start(path, cfg, &diag), 0);
	first = reload_current();
	assert_int_equal(committed, 1);

	/* a held reference (a call) keeps the old snapshot alive */
	cfg_ref(first);

	/* broken file: refused, old snapshot kept, no hook ran */
	write_file(path, BASE "global = { log_level = \"debug\"; bogus = 1; };\n");
	assert_int_equal(reload_run(&diag), EINVAL);
	assert_ptr_equal(reload_current(), first);
	assert_true(diag_has(&diag, "global.bogus: unknown setting"));
	assert_int_equal(prepared, 1);
	assert_int_equal(reload_status()->last_ok, 0);
	assert_int_equal(reload_status()->reloads_failed, 1);

	/* valid file but a hook cannot prepare it: refused, hooks aborted */
	write_file(path, BASE "global = { log_level = \"debug\"; };\n");
	fail_prepare = 1;
	assert_int_equal(reload_run(&diag), EINVAL);
	assert_ptr_equal(reload_current(), first);
	assert_int_equal(committed, 1);
	assert_true(diag_has(&diag, "test hook refused"));

	/* valid and preparable: swapped */
	fail_prepare = 0;
	assert_int_equal(reload_run(&diag), 0);
	assert_ptr_not_equal(reload_current(), first);
	assert_int_equal(reload_current()->global.log_level, 3);
	assert_int_equal(committed, 2);
	assert_int_equal(reload_status()->last_ok, 1);
	assert_int_equal(reload_status()->reloads_ok, 1);
	assert_int_equal(obj_refs(first), 1);	/* only our "call" holds it now */
	cfg_unref(first);

	reload_fini();
	assert_int_equal(committed, 3);	/* commit(prev, NULL) at the end */
	cfg_diag_free(&diag);
	unlink(path);
	rmdir(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_minimal_defaults, check_leaks),
		cmocka_unit_test_teardown(test_references_resolve, check_leaks),
		cmocka_unit_test_teardown(test_every_error_reported, check_leaks),
		cmocka_unit_test_teardown(test_syntax_error, check_leaks),
		cmocka_unit_test(test_hostport),
		cmocka_unit_test_teardown(test_srtp_suite_spellings, check_leaks),
		cmocka_unit_test_teardown(test_secured_needs_suites, check_leaks),
		cmocka_unit_test_teardown(test_message_types, check_leaks),
		cmocka_unit_test_teardown(test_classification_cidr, check_leaks),
		cmocka_unit_test_teardown(test_dump_roundtrip, check_leaks),
		cmocka_unit_test_teardown(test_restart_keys_kept, check_leaks),
		cmocka_unit_test_teardown(test_reload_all_or_nothing, check_leaks),
	};

	return cmocka_run_group_tests_name("cfg", tests, NULL, NULL);
}
