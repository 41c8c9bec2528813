/* test_limit.c: the per-source token bucket and bans on an injected clock, and the screening of requests. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <cmocka.h>

#include <sofia-sip/msg.h>
#include <sofia-sip/sip.h>
#include <sofia-sip/sip_parser.h>

#include "cfg.h"
#include "limit.h"

static struct sockaddr_in
v4(const char *ip, int port)
{
	struct sockaddr_in a;

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons((uint16_t)port);
	inet_pton(AF_INET, ip, &a.sin_addr);
	return a;
}

#define SA(a) ((const struct sockaddr *)&(a))

static void
test_burst_then_ban(void **state)
{
	struct limit_table	*t;
	struct limit_rate	 r = { 10, 5, 1000 };
	struct sockaddr_in	 a = v4("127.0.0.2", 5060), b = v4("127.0.0.3", 5060);

	(void)state;
	assert_int_equal(limit_table_new(&t, 64), 0);
	for (int i = 0; i < 5; i++)
		assert_int_equal(limit_rate_check(t, SA(a), &r, 0), LIMIT_PASS);
	assert_int_equal(limit_rate_check(t, SA(a), &r, 0), LIMIT_OVER);
	assert_int_equal(limit_banned(t, 0), 1);
	/* banned: even after the bucket would have refilled */
	assert_int_equal(limit_rate_check(t, SA(a), &r, 500), LIMIT_BANNED);
	assert_int_equal(limit_rate_check(t, SA(a), &r, 999), LIMIT_BANNED);
	/* another source (another port of the same address counts as the same) */
	a.sin_port = htons(5070);
	assert_int_equal(limit_rate_check(t, SA(a), &r, 999), LIMIT_BANNED);
	assert_int_equal(limit_rate_check(t, SA(b), &r, 999), LIMIT_PASS);
	/* the ban ends at 1000 ms with a full bucket */
	assert_int_equal(limit_banned(t, 1000), 0);
	for (int i = 0; i < 5; i++)
		assert_int_equal(limit_rate_check(t, SA(a), &r, 1000), LIMIT_PASS);
	assert_int_equal(limit_rate_check(t, SA(a), &r, 1000), LIMIT_OVER);
	limit_table_free(t);
}

static void
test_refill_without_ban(void **state)
{
	struct limit_table	*t;
	struct limit_rate	 r = { 10, 2, 0 };	/* a token per 100 ms */
	struct sockaddr_in	 a = v4("10.0.0.1", 1);

	(void)state;
	assert_int_equal(limit_table_new(&t, 16), 0);
	assert_int_equal(limit_rate_check(t, SA(a), &r, 1000), LIMIT_PASS);
	assert_int_equal(limit_rate_check(t, SA(a), &r, 1000), LIMIT_PASS);
	assert_int_equal(limit_rate_check(t, SA(a), &r, 1000), LIMIT_OVER);
	assert_int_equal(limit_banned(t, 1000), 0);
	assert_int_equal(limit_rate_check(t, SA(a), &r, 1050), LIMIT_OVER);
	assert_int_equal(limit_rate_check(t, SA(a), &r, 1100), LIMIT_PASS);
	assert_int_equal(limit_rate_check(t, SA(a), &r, 1100), LIMIT_OVER);
	/* a long pause fills the bucket, no more */
	assert_int_equal(limit_rate_check(t, SA(a), &r, 100000000), LIMIT_PASS);
	assert_int_equal(limit_rate_check(t, SA(a), &r, 100000000), LIMIT_PASS);
	assert_int_equal(limit_rate_check(t, SA(a), &r, 100000000), LIMIT_OVER);
	/* a clock going back is no refill */
	assert_int_equal(limit_rate_check(t, SA(a), &r, 5), LIMIT_OVER);
	limit_table_free(t);
}

static void
test_off_and_families(void **state)
{
	struct limit_table	*t;
	struct limit_rate	 off = { 0, 1, 1000 }, r = { 1, 1, 1000 };
	struct sockaddr_in	 a = v4("192.0.2.1", 1);
	struct sockaddr_in6	 a6;

	(void)state;
	assert_int_equal(limit_table_new(&t, 16), 0);
	for (int i = 0; i < 100; i++)
		assert_int_equal(limit_rate_check(t, SA(a), &off, 0), LIMIT_PASS);
	memset(&a6, 0, sizeof(a6));
	a6.sin6_family = AF_INET6;
	inet_pton(AF_INET6, "::ffff:192.0.2.1", &a6.sin6_addr);
	assert_int_equal(limit_rate_check(t, SA(a), &r, 0), LIMIT_PASS);
	assert_int_equal(limit_rate_check(t, SA(a), &r, 0), LIMIT_OVER);
	/* an IPv6 source has a bucket of its own */
	assert_int_equal(limit_rate_check(t, SA(a6), &r, 0), LIMIT_PASS);
	assert_int_equal(limit_rate_check(t, SA(a6), &r, 0), LIMIT_OVER);
	assert_int_equal(limit_banned(t, 0), 2);
	/* no table: no limit */
	assert_int_equal(limit_rate_check(NULL, SA(a), &r, 0), LIMIT_PASS);
	assert_string_equal(limit_rate_result_str(LIMIT_BANNED), "banned");
	limit_table_free(t);
}

/* More sources than slots: the table never fails, and banned sources are
 * the last to make room. */
static void
test_full_table(void **state)
{
	struct limit_table	*t;
	struct limit_rate	 r = { 1, 1, 60000 };
	struct sockaddr_in	 bad = v4("198.51.100.1", 1), a;
	char			 ip[32];

	(void)state;
	assert_int_equal(limit_table_new(&t, 16), 0);
	assert_int_equal(limit_rate_check(t, SA(bad), &r, 0), LIMIT_PASS);
	assert_int_equal(limit_rate_check(t, SA(bad), &r, 0), LIMIT_OVER);
	for (int i = 0; i < 1000; i++) {
		snprintf(ip, sizeof(ip), "10.%d.%d.1", i / 250, i % 250);
		a = v4(ip, 1);
		assert_int_equal(limit_rate_check(t, SA(a), &r, 1 + (uint64_t)i), LIMIT_PASS);
	}
	assert_int_equal(limit_rate_check(t, SA(bad), &r, 2000), LIMIT_BANNED);
	limit_table_free(t);
}

/* ===== screening ===== */

static struct cfg_global g = {
	.max_headers = 12, .max_via = 3, .max_body_size = 300, .user_agent = "sbcd",
};

static msg_t *
parse_msg(const char *text)
{
	msg_t *m = msg_make(sip_default_mclass(), 0, text, (isize_t)strlen(text));

	assert_non_null(m);
	assert_non_null(sip_object(m));
	assert_non_null(sip_object(m)->sip_request);
	return m;
}

#define REQ(method, uri, extra, body) \
	method " " uri " SIP/2.0\r\n" \
	"Via: SIP/2.0/UDP 127.0.0.10:5060;branch=z9hG4bK1\r\n" \
	"Max-Forwards: 70\r\n" \
	"From: <sip:100@127.0.0.10>;tag=1\r\n" \
	"To: <sip:200@127.0.0.1>\r\n" \
	"Call-ID: c1@127.0.0.10\r\n" \
	"CSeq: 1 " method "\r\n" \
	extra \
	"Content-Length: " #body "\r\n\r\n"

static int
screen(const char *text, struct limit_verdict *v)
{
	msg_t	*m = parse_msg(text);
	int	 st = limit_screen(&g, sip_object(m), v);

	msg_destroy(m);
	return st;
}

static void
test_screen(void **state)
{
	struct limit_verdict v;

	(void)state;
	assert_int_equal(screen(REQ("INVITE", "sip:200@127.0.0.1", "", 0), &v), 0);
	assert_int_equal(screen(REQ("INVITE", "sip:200@127.0.0.1",
	    "Require: timer, 100rel\r\nAccept: application/sdp\r\n", 0), &v), 0);
	assert_int_equal(screen(REQ("INVITE", "sips:200@127.0.0.1", "", 0), &v), 0);
	assert_int_equal(screen(REQ("INVITE", "tel:+15550100", "", 0), &v), 416);
	assert_int_equal(screen(REQ("OPTIONS", "nobodyKnowsThisScheme:opaque", "", 0), &v), 416);
	assert_int_equal(screen(REQ("INVITE", "sip:200@127.0.0.1",
	    "Require: timer, nothingSupportsThis\r\nRequire: norThis\r\n", 0), &v), 420);
	assert_string_equal(v.phrase, "Bad Extension");
	assert_string_equal(v.unsupported, "nothingSupportsThis, norThis");
	/* Proxy-Require is for proxies: a UAS ignores it */
	assert_int_equal(screen(REQ("OPTIONS", "sip:200@127.0.0.1",
	    "Proxy-Require: noProxiesSupportThis\r\n", 0), &v), 0);
	assert_int_equal(screen(REQ("INVITE", "sip:200@127.0.0.1",
	    "Accept: text/nobodyKnowsThis\r\n", 0), &v), 406);
	assert_int_equal(screen(REQ("INVITE", "sip:200@127.0.0.1",
	    "Accept: text/plain, application/*\r\n", 0), &v), 0);
	/* Accept matters for INVITE only */
	assert_int_equal(screen(REQ("OPTIONS", "sip:200@127.0.0.1",
	    "Accept: text/nobodyKnowsThis\r\n", 0), &v), 0);
}

static void
test_screen_limits(void **state)
{
	struct limit_verdict v;

	(void)state;
	/* 7 headers in REQ, 5 more: 12 passes, 13 does not */
	assert_int_equal(screen(REQ("OPTIONS", "sip:200@127.0.0.1",
	    "A: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\nE: 5\r\n", 0), &v), 0);
	assert_int_equal(screen(REQ("OPTIONS", "sip:200@127.0.0.1",
	    "A: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\nE: 5\r\nF: 6\r\n", 0), &v), 400);
	assert_string_equal(v.phrase, "Too Many Headers");
	/* Vias: 3 pass (one header with two values counts two), 4 do not */
	assert_int_equal(screen(REQ("OPTIONS", "sip:200@127.0.0.1",
	    "Via: SIP/2.0/UDP a.example;branch=z9hG4bK2, SIP/2.0/UDP b.example\r\n", 0), &v), 0);
	assert_int_equal(screen(REQ("OPTIONS", "sip:200@127.0.0.1",
	    "Via: SIP/2.0/UDP a.example;branch=z9hG4bK2, SIP/2.0/UDP b.example\r\n"
	    "Via: SIP/2.0/UDP c.example\r\n", 0), &v), 483);
	/* the body: 300 bytes pass, 301 do not */
	{
		char	 buf[1024];
		char	 body[302];

		memset(body, 'x', sizeof(body));
		body[300] = '\0';
		snprintf(buf, sizeof(buf), "MESSAGE sip:200@127.0.0.1 SIP/2.0\r\n"
		    "Via: SIP/2.0/UDP 127.0.0.10;branch=z9hG4bK1\r\nFrom: <sip:a@b>;tag=1\r\n"
		    "To: <sip:c@d>\r\nCall-ID: x\r\nCSeq: 1 MESSAGE\r\n"
		    "Content-Type: text/plain\r\nContent-Length: 300\r\n\r\n%s", body);
		assert_int_equal(screen(buf, &v), 0);
		body[300] = 'x';
		body[301] = '\0';
		snprintf(buf, sizeof(buf), "MESSAGE sip:200@127.0.0.1 SIP/2.0\r\n"
		    "Via: SIP/2.0/UDP 127.0.0.10;branch=z9hG4bK1\r\nFrom: <sip:a@b>;tag=1\r\n"
		    "To: <sip:c@d>\r\nCall-ID: x\r\nCSeq: 1 MESSAGE\r\n"
		    "Content-Type: text/plain\r\nContent-Length: 301\r\n\r\n%s", body);
		assert_int_equal(screen(buf, &v), 413);
	}
	assert_int_equal(limit_screen(&g, NULL, &v), 400);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_burst_then_ban),
		cmocka_unit_test(test_refill_without_ban),
		cmocka_unit_test(test_off_and_families),
		cmocka_unit_test(test_full_table),
		cmocka_unit_test(test_screen),
		cmocka_unit_test(test_screen_limits),
	};

	return cmocka_run_group_tests_name("limit", tests, NULL, NULL);
}
