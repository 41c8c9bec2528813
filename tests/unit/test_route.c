/* test_route.c: unit tests of classification (cls) and IP-to-IP routing (route). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <cmocka.h>

#include "cfg.h"
#include "cls.h"
#include "obj.h"
#include "route.h"

static const char conf[] =
    "ip_interfaces = ( { name = \"LAN\"; address = \"127.0.0.1\"; },\n"
    "  { name = \"WAN\"; address = \"127.0.0.2\"; } );\n"
    "media_realms = ( { name = \"M1\"; interface = \"LAN\"; port_start = 20000; session_legs = 10; },\n"
    "  { name = \"M2\"; interface = \"WAN\"; port_start = 20000; session_legs = 10; } );\n"
    "sip_interfaces = ( { name = \"SI-LAN\"; interface = \"LAN\"; udp_port = 5060; media_realm = \"M1\"; },\n"
    "  { name = \"SI-WAN\"; interface = \"WAN\"; udp_port = 5060; tcp_port = 5060; media_realm = \"M2\"; } );\n"
    "proxy_sets = ( { name = \"PS-PBX\"; sip_interface = \"SI-LAN\"; addresses = ( { address = \"127.0.0.10\"; } ); },\n"
    "  { name = \"PS-VC\"; sip_interface = \"SI-WAN\"; addresses = ( { address = \"127.0.0.20\"; } ); } );\n"
    "ip_profiles = ( { name = \"P\"; } );\n"
    "ip_groups = ( { name = \"PBX\"; proxy_set = \"PS-PBX\"; ip_profile = \"P\"; },\n"
    "  { name = \"VC\"; proxy_set = \"PS-VC\"; ip_profile = \"P\"; },\n"
    "  { name = \"OTHER\"; ip_profile = \"P\"; classify_by_proxy_set = false; },\n"
    "  { name = \"NOCLASS\"; proxy_set = \"PS-VC\"; ip_profile = \"P\"; classify_by_proxy_set = false; } );\n"
    "classification = (\n"
    "  { name = \"deny-scanner\"; source_address = \"127.0.0.66\"; action = \"deny\"; },\n"
    "  { name = \"lan-net\"; sip_interface = \"SI-LAN\"; source_address = \"127.0.1.0/24\";\n"
    "    src_user_prefix = \"10\"; ip_group = \"OTHER\"; },\n"
    "  { name = \"wan-tcp\"; sip_interface = \"SI-WAN\"; transport = \"tcp\"; source_port = 5099;\n"
    "    dst_host = \"sbc.test\"; ip_group = \"OTHER\"; } );\n"
    "routes = (\n"
    "  { name = \"emergency\"; source_ip_group = \"PBX\"; dst_user_prefix = \"911\"; dest_ip_group = \"VC\"; },\n"
    "  { name = \"pbx-invite\"; source_ip_group = \"PBX\"; request_type = \"INVITE\"; dest_ip_group = \"VC\";\n"
    "    alt_route_reasons = [ 503, 486 ]; },\n"
    "  { name = \"pbx-alt1\"; dest_type = \"address\"; dest_address = \"127.0.0.30:5060\";\n"
    "    dest_sip_interface = \"SI-WAN\"; role = \"alternative\"; },\n"
    "  { name = \"pbx-alt2\"; source_ip_group = \"VC\"; dest_ip_group = \"PBX\"; role = \"alternative\"; },\n"
    "  { name = \"vc-host\"; source_ip_group = \"VC\"; dst_host = \"pbx.example\"; dest_ip_group = \"PBX\"; },\n"
    "  { name = \"any-from-src\"; src_user_prefix = \"+1\"; src_host = \"Carrier.Test\"; dest_ip_group = \"PBX\"; } );\n";

static struct cfg *cfg;

static int
setup(void **state)
{
	struct cfg_diag diag;

	(void)state;
	cfg_diag_init(&diag);
	if (cfg_load_string(conf, "t.conf", &cfg, &diag) != 0) {
		for (size_t i = 0; i < diag.n; i++)
			fprintf(stderr, "# %s\n", diag.msgs[i]);
		return -1;
	}
	cfg_diag_free(&diag);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	cfg = cfg_unref(cfg);
	return obj_live() == 0 ? 0 : -1;
}

/* the proxy sets hold 127.0.0.10 (PS-PBX) and 127.0.0.20 (PS-VC) */
static int
fake_pset(const char *name, const struct sockaddr *sa, void *arg)
{
	const struct sockaddr_in	*in = (const struct sockaddr_in *)sa;
	char				 ip[32];

	(void)arg;
	inet_ntop(AF_INET, &in->sin_addr, ip, sizeof(ip));
	return (strcmp(name, "PS-PBX") == 0 && strcmp(ip, "127.0.0.10") == 0) ||
	    (strcmp(name, "PS-VC") == 0 && strcmp(ip, "127.0.0.20") == 0);
}

static enum cls_result
classify(const char *ip, int port, int tp, const char *sif, const char *fuser,
    const char *ruser, const char *rhost, const char **group, const char **rule)
{
	struct sockaddr_in		 sa;
	struct cls_input		 in;
	const struct cfg_ipgroup	*g;
	const struct cfg_class		*r;
	enum cls_result			 res;

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	inet_pton(AF_INET, ip, &sa.sin_addr);
	memset(&in, 0, sizeof(in));
	in.src = (struct sockaddr *)&sa;
	in.transport = tp;
	in.sip_interface = sif;
	in.from_user = fuser;
	in.ruri_user = ruser;
	in.ruri_host = rhost;
	res = cls_classify(cfg, &in, fake_pset, NULL, &g, &r);
	*group = g ? g->name : NULL;
	*rule = r ? r->name : NULL;
	return res;
}

static void
test_classify_by_proxy_set(void **state)
{
	const char *g, *r;

	(void)state;
	assert_int_equal(classify("127.0.0.10", 5060, CFG_TP_UDP, "SI-LAN", "100", "9", NULL, &g, &r),
	    CLS_MATCHED);
	assert_string_equal(g, "PBX");
	assert_null(r);
	/* any source port */
	assert_int_equal(classify("127.0.0.10", 40123, CFG_TP_UDP, "SI-LAN", NULL, NULL, NULL, &g, &r),
	    CLS_MATCHED);
	assert_int_equal(classify("127.0.0.20", 5060, CFG_TP_UDP, "SI-WAN", NULL, NULL, NULL, &g, &r),
	    CLS_MATCHED);
	assert_string_equal(g, "VC");	/* NOCLASS shares PS-VC but opts out */
	/* the carrier's address arriving on the PBX interface is not the carrier */
	assert_int_equal(classify("127.0.0.20", 5060, CFG_TP_UDP, "SI-LAN", NULL, NULL, NULL, &g, &r),
	    CLS_UNCLASSIFIED);
	assert_null(g);
}

static void
test_classification_rules(void **state)
{
	const char *g, *r;

	(void)state;
	assert_int_equal(classify("127.0.0.66", 5060, CFG_TP_UDP, "SI-LAN", NULL, NULL, NULL, &g, &r),
	    CLS_DENIED);
	assert_string_equal(r, "deny-scanner");
	assert_int_equal(classify("127.0.1.7", 5060, CFG_TP_UDP, "SI-LAN", "1001", NULL, NULL, &g, &r),
	    CLS_MATCHED);
	assert_string_equal(g, "OTHER");
	assert_string_equal(r, "lan-net");
	/* prefix, network and interface must all match */
	assert_int_equal(classify("127.0.1.7", 5060, CFG_TP_UDP, "SI-LAN", "2001", NULL, NULL, &g, &r),
	    CLS_UNCLASSIFIED);
	assert_int_equal(classify("127.0.2.7", 5060, CFG_TP_UDP, "SI-LAN", "1001", NULL, NULL, &g, &r),
	    CLS_UNCLASSIFIED);
	assert_int_equal(classify("127.0.1.7", 5060, CFG_TP_UDP, "SI-WAN", "1001", NULL, NULL, &g, &r),
	    CLS_UNCLASSIFIED);
	/* transport, port and destination host */
	assert_int_equal(classify("127.0.0.9", 5099, CFG_TP_TCP, "SI-WAN", NULL, NULL, "SBC.test", &g, &r),
	    CLS_MATCHED);
	assert_string_equal(r, "wan-tcp");
	assert_int_equal(classify("127.0.0.9", 5099, CFG_TP_UDP, "SI-WAN", NULL, NULL, "sbc.test", &g, &r),
	    CLS_UNCLASSIFIED);
	assert_int_equal(classify("127.0.0.9", 5098, CFG_TP_TCP, "SI-WAN", NULL, NULL, "sbc.test", &g, &r),
	    CLS_UNCLASSIFIED);
	assert_int_equal(classify("127.0.0.9", 5099, CFG_TP_TCP, "SI-WAN", NULL, NULL, "other.test", &g, &r),
	    CLS_UNCLASSIFIED);
}

static const char *
route(const char *src, const char *method, const char *fuser, const char *fhost,
    const char *ruser, const char *rhost, size_t *idx)
{
	struct route_input	 in = { cfg_ipgroup_find(cfg, src), method, fuser, fhost, ruser, rhost };
	const struct cfg_route	*r = route_find(cfg, &in, idx);

	return r ? r->name : NULL;
}

static void
test_routes_in_order(void **state)
{
	size_t idx;

	(void)state;
	assert_string_equal(route("PBX", "INVITE", "100", "pbx", "911", "sbc", &idx), "emergency");
	assert_string_equal(route("PBX", "INVITE", "100", "pbx", "+4930", "sbc", &idx), "pbx-invite");
	assert_int_equal(idx, 1);
	/* request_type: OPTIONS from the PBX does not take the INVITE row */
	assert_null(route("PBX", "OPTIONS", "100", "pbx", "+4930", "sbc", &idx));
	/* method names compare without case */
	assert_string_equal(route("PBX", "invite", "100", "pbx", "+4930", "sbc", &idx), "pbx-invite");
	/* alternative rows are never a first match */
	assert_string_equal(route("VC", "INVITE", "+1", "x", "1", "PBX.example", &idx), "vc-host");
	assert_null(route("VC", "INVITE", "+44", "x", "1", "other", &idx));
	/* source user prefix and host, any source group */
	assert_string_equal(route("OTHER", "MESSAGE", "+1919", "carrier.test", "1", "x", &idx),
	    "any-from-src");
	assert_null(route("OTHER", "MESSAGE", "+1919", "carrier2.test", "1", "x", &idx));
}

static void
test_alternatives(void **state)
{
	size_t			 idx;
	const struct cfg_route	*r;

	(void)state;
	assert_string_equal(route("PBX", "INVITE", "100", "pbx", "+4930", "sbc", &idx), "pbx-invite");
	r = route_alternative(cfg, &idx);
	assert_non_null(r);
	assert_string_equal(r->name, "pbx-alt1");
	/* ignore inputs: its match fields do not matter */
	r = route_alternative(cfg, &idx);
	assert_non_null(r);
	assert_string_equal(r->name, "pbx-alt2");
	assert_null(route_alternative(cfg, &idx));
	/* the emergency row has no alternative below it */
	assert_string_equal(route("PBX", "INVITE", "100", "pbx", "911", "sbc", &idx), "emergency");
	assert_null(route_alternative(cfg, &idx));
}

static void
test_alt_reasons(void **state)
{
	const struct cfg_route *r = &cfg->routes[1];

	(void)state;
	assert_true(route_is_alt_reason(r, 408));	/* always */
	assert_true(route_is_alt_reason(r, 503));
	assert_true(route_is_alt_reason(r, 486));
	assert_false(route_is_alt_reason(r, 404));
	assert_true(route_is_alt_reason(&cfg->routes[0], 503));	/* always */
	assert_false(route_is_alt_reason(&cfg->routes[0], 486));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_classify_by_proxy_set),
		cmocka_unit_test(test_classification_rules),
		cmocka_unit_test(test_routes_in_order),
		cmocka_unit_test(test_alternatives),
		cmocka_unit_test(test_alt_reasons),
	};

	return cmocka_run_group_tests_name("route", tests, setup, teardown);
}
