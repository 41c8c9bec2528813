/* test_auth.c: digest answers against the RFC 2617 and RFC 7616 vectors, choice, refusal, loops, parsing. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <sofia-sip/msg.h>
#include <sofia-sip/sip_header.h>

#include "auth.h"
#include "log.h"

/*
 * Responses are parsed by sofia, as in the daemon, so the tests cover
 * what sofia leaves in au_params (quotes kept) as well as auth.c.
 */
static msg_t *
resp_parse(int status, const char *headers)
{
	char buf[4096];
	msg_t *msg;
	int n;

	n = snprintf(buf, sizeof(buf),
	    "SIP/2.0 %d Challenge\r\n"
	    "Via: SIP/2.0/TLS 127.0.0.2:5061;branch=z9hG4bK-1\r\n"
	    "From: <sip:+15550100@127.0.0.2>;tag=a1\r\n"
	    "To: <sip:+15550001000@127.0.0.20>;tag=b2\r\n"
	    "Call-ID: test-auth@127.0.0.2\r\n"
	    "CSeq: 1 INVITE\r\n"
	    "%s"
	    "Content-Length: 0\r\n"
	    "\r\n", status, headers);
	assert_true(n > 0 && (size_t)n < sizeof(buf));
	msg = msg_make(sip_default_mclass(), 0, buf, n);
	assert_non_null(msg);
	assert_non_null(sip_object(msg));
	return msg;
}

/* auth_answer on a response built from headers; returns its error. */
static int
answer(struct auth_client *ac, int status, const char *headers, const struct auth_req *rq,
    char *out, size_t outlen)
{
	msg_t *msg = resp_parse(status, headers);
	int err;

	err = auth_answer(ac, sip_object(msg), rq, out, outlen);
	msg_destroy(msg);
	return err;
}

/* The value of param name in a header we wrote ("" when absent). */
static const char *
param_of(const char *hdr, const char *name)
{
	static char val[512];
	char key[64];
	const char *p;
	size_t n;

	snprintf(key, sizeof(key), " %s=", name);
	val[0] = '\0';
	if ((p = strstr(hdr, key)) == NULL)
		return val;
	p += strlen(key);
	if (*p == '"') {
		p++;
		n = strcspn(p, "\"");
	} else {
		n = strcspn(p, ",");
	}
	if (n >= sizeof(val))
		n = sizeof(val) - 1;
	memcpy(val, p, n);
	val[n] = '\0';
	return val;
}

static int
setup(void **state)
{
	(void)state;
	auth_testing_set_cnonce(NULL);
	return 0;
}

/* ---- RFC 7616 section 3.9.1 -------------------------------------------- */

#define R7616_NONCE	"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v"
#define R7616_OPAQUE	"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"
#define R7616_CNONCE	"f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ"

static const struct auth_req mufasa = {
	"GET", "/dir/index.html", "Mufasa", "Circle of Life", 0
};

static void
test_rfc7616_sha256(void **state)
{
	struct auth_client ac = { 0 };
	char out[AUTH_HDR_MAX];

	(void)state;
	auth_testing_set_cnonce(R7616_CNONCE);
	assert_int_equal(answer(&ac, 401,
	    "WWW-Authenticate: Digest realm=\"http-auth@example.org\", qop=\"auth, auth-int\", "
	    "algorithm=SHA-256, nonce=\"" R7616_NONCE "\", opaque=\"" R7616_OPAQUE "\"\r\n",
	    &mufasa, out, sizeof(out)), 0);
	assert_string_equal(out,
	    "Digest username=\"Mufasa\", realm=\"http-auth@example.org\", "
	    "nonce=\"" R7616_NONCE "\", uri=\"/dir/index.html\", "
	    "response=\"753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1\", "
	    "algorithm=SHA-256, cnonce=\"" R7616_CNONCE "\", opaque=\"" R7616_OPAQUE "\", "
	    "qop=auth, nc=00000001");
	assert_int_equal(ac.proxy, 0);
	assert_int_equal(ac.alg, AUTH_ALG_SHA256);
	assert_int_equal(ac.nc, 1);
	assert_string_equal(auth_header_name(&ac), "Authorization");
}

static void
test_rfc7616_md5(void **state)
{
	struct auth_client ac = { 0 };
	char out[AUTH_HDR_MAX];

	(void)state;
	auth_testing_set_cnonce(R7616_CNONCE);
	assert_int_equal(answer(&ac, 401,
	    "WWW-Authenticate: Digest realm=\"http-auth@example.org\", qop=\"auth, auth-int\", "
	    "algorithm=MD5, nonce=\"" R7616_NONCE "\", opaque=\"" R7616_OPAQUE "\"\r\n",
	    &mufasa, out, sizeof(out)), 0);
	assert_string_equal(param_of(out, "response"), "8ca523f5e9506fed4657c9700eebdbec");
	assert_string_equal(param_of(out, "algorithm"), "MD5");
	assert_string_equal(param_of(out, "cnonce"), R7616_CNONCE);
	assert_string_equal(param_of(out, "opaque"), R7616_OPAQUE);
	assert_string_equal(param_of(out, "qop"), "auth");
	assert_string_equal(param_of(out, "nc"), "00000001");
}

/* Both challenges of RFC 7616 3.9.1 in one 401: SHA-256 wins whatever the order. */
static void
test_prefers_sha256(void **state)
{
	static const char *orders[] = {
	    "WWW-Authenticate: Digest realm=\"http-auth@example.org\", qop=\"auth, auth-int\", "
	    "algorithm=MD5, nonce=\"" R7616_NONCE "\", opaque=\"" R7616_OPAQUE "\"\r\n"
	    "WWW-Authenticate: Digest realm=\"http-auth@example.org\", qop=\"auth, auth-int\", "
	    "algorithm=SHA-256, nonce=\"" R7616_NONCE "\", opaque=\"" R7616_OPAQUE "\"\r\n",
	    "WWW-Authenticate: Digest realm=\"http-auth@example.org\", qop=\"auth, auth-int\", "
	    "algorithm=SHA-256, nonce=\"" R7616_NONCE "\", opaque=\"" R7616_OPAQUE "\"\r\n"
	    "WWW-Authenticate: Digest realm=\"http-auth@example.org\", qop=\"auth, auth-int\", "
	    "algorithm=MD5, nonce=\"" R7616_NONCE "\", opaque=\"" R7616_OPAQUE "\"\r\n",
	};
	char out[AUTH_HDR_MAX];
	size_t i;

	(void)state;
	auth_testing_set_cnonce(R7616_CNONCE);
	for (i = 0; i < 2; i++) {
		struct auth_client ac = { 0 };

		assert_int_equal(answer(&ac, 401, orders[i], &mufasa, out, sizeof(out)), 0);
		assert_string_equal(param_of(out, "algorithm"), "SHA-256");
		assert_string_equal(param_of(out, "response"),
		    "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1");
	}
}

/* ---- RFC 2617 section 3.5 ------------------------------------------------ */

static void
test_rfc2617(void **state)
{
	static const struct auth_req rq = {
		"GET", "/dir/index.html", "Mufasa", "Circle Of Life", 0
	};
	struct auth_client ac = { 0 };
	char out[AUTH_HDR_MAX];

	(void)state;
	auth_testing_set_cnonce("0a4f113b");
	assert_int_equal(answer(&ac, 401,
	    "WWW-Authenticate: Digest realm=\"testrealm@host.com\", qop=\"auth,auth-int\", "
	    "nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", "
	    "opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"\r\n",
	    &rq, out, sizeof(out)), 0);
	/* no algorithm= in the challenge: none in the answer either */
	assert_string_equal(out,
	    "Digest username=\"Mufasa\", realm=\"testrealm@host.com\", "
	    "nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", uri=\"/dir/index.html\", "
	    "response=\"6629fae49393a05397450978507c4ef1\", cnonce=\"0a4f113b\", "
	    "opaque=\"5ccc069c403ebaf9f0171e9517f40e41\", qop=auth, nc=00000001");
	assert_int_equal(ac.alg, AUTH_ALG_MD5);
}

/* ---- SIP cases (expected values from Python hashlib) --------------------- */

static const struct auth_req invite = {
	"INVITE", "sip:+15550001000@127.0.0.20:5061;transport=tls", "sbc", "secret", 0
};

/* No qop (RFC 2069 style): no cnonce, nc or qop in the answer. */
static void
test_no_qop(void **state)
{
	struct auth_client ac = { 0 };
	char out[AUTH_HDR_MAX];

	(void)state;
	assert_int_equal(answer(&ac, 401,
	    "WWW-Authenticate: Digest realm=\"voiceconnector.test\", nonce=\"abc123\", "
	    "algorithm=MD5\r\n", &invite, out, sizeof(out)), 0);
	assert_string_equal(out,
	    "Digest username=\"sbc\", realm=\"voiceconnector.test\", nonce=\"abc123\", "
	    "uri=\"sip:+15550001000@127.0.0.20:5061;transport=tls\", "
	    "response=\"86ce0205f54266005722bd5103e0fde6\", algorithm=MD5");
	assert_int_equal(ac.nc, 0);
}

/* 407 answers go into Proxy-Authorization, 401 into Authorization. */
static void
test_407_vs_401(void **state)
{
	struct auth_client ac = { 0 };
	char out[AUTH_HDR_MAX];

	(void)state;
	assert_int_equal(answer(&ac, 407,
	    "Proxy-Authenticate: Digest realm=\"voiceconnector.test\", nonce=\"abc123\", "
	    "algorithm=MD5\r\n", &invite, out, sizeof(out)), 0);
	assert_int_equal(ac.proxy, 1);
	assert_string_equal(auth_header_name(&ac), "Proxy-Authorization");
	assert_string_equal(param_of(out, "response"), "86ce0205f54266005722bd5103e0fde6");

	/* a 401 that also carries a stray Proxy-Authenticate: WWW-Authenticate counts */
	assert_int_equal(answer(&ac, 401,
	    "Proxy-Authenticate: Digest realm=\"proxy.test\", nonce=\"p1\"\r\n"
	    "WWW-Authenticate: Digest realm=\"voiceconnector.test\", nonce=\"abc123\", "
	    "algorithm=MD5\r\n", &invite, out, sizeof(out)), 0);
	assert_int_equal(ac.proxy, 0);
	assert_string_equal(auth_header_name(&ac), "Authorization");
	assert_string_equal(param_of(out, "realm"), "voiceconnector.test");

	/* a 407 without Proxy-Authenticate has nothing to answer */
	assert_int_equal(answer(&ac, 407,
	    "WWW-Authenticate: Digest realm=\"voiceconnector.test\", nonce=\"abc123\"\r\n",
	    &invite, out, sizeof(out)), EINVAL);
	assert_string_equal(out, "");
	assert_string_equal(auth_header_name(NULL), "Authorization");
}

static void
test_md5_sess(void **state)
{
	static const struct auth_req bye = { "BYE", "sip:carrier.test", "sbc", "secret", 0 };
	struct auth_client ac = { 0 };
	char out[AUTH_HDR_MAX];

	(void)state;
	auth_testing_set_cnonce("0a4f113b");
	assert_int_equal(answer(&ac, 401,
	    "WWW-Authenticate: Digest realm=\"voiceconnector.test\", nonce=\"abc123\", "
	    "qop=\"auth\", algorithm=MD5-sess\r\n", &bye, out, sizeof(out)), 0);
	assert_string_equal(param_of(out, "response"), "a64cecf76e4b579b54db018f24b28409");
	assert_string_equal(param_of(out, "algorithm"), "MD5-sess");
	/* -sess needs a cnonce, which only qop brings */
	assert_int_equal(answer(&ac, 401,
	    "WWW-Authenticate: Digest realm=\"voiceconnector.test\", nonce=\"abc123\", "
	    "algorithm=MD5-sess\r\n", &bye, out, sizeof(out)), ENOTSUP);
}

/* SHA-512-256 beats SHA-256; userhash=true sends H(username:realm) (RFC 7616 3.9.2). */
static void
test_sha512_256_userhash(void **state)
{
	static const struct auth_req opt = { "OPTIONS", "sip:carrier.test", "sbc", "secret", 0 };
	static const struct auth_req jason = {
		"GET", "/doc/index.html", "J\xc3\xa4s\xc3\xb8n Doe", "Secret, or not?", 0
	};
	struct auth_client ac = { 0 };
	char out[AUTH_HDR_MAX];

	(void)state;
	auth_testing_set_cnonce("0a4f113b");
	assert_int_equal(answer(&ac, 401,
	    "WWW-Authenticate: Digest realm=\"voiceconnector.test\", nonce=\"abc123\", "
	    "qop=\"auth\", algorithm=SHA-256, userhash=true\r\n"
	    "WWW-Authenticate: Digest realm=\"voiceconnector.test\", nonce=\"abc123\", "
	    "qop=\"auth\", algorithm=SHA-512-256\r\n", &opt, out, sizeof(out)), 0);
	assert_string_equal(param_of(out, "algorithm"), "SHA-512-256");
	assert_string_equal(param_of(out, "response"),
	    "48b4abe3f7c93a60a2877146824909998c0a6dd6d703eb046e4ba84f6f8931f4");
	assert_int_equal(ac.alg, AUTH_ALG_SHA512_256);

	memset(&ac, 0, sizeof(ac));	/* same nonce would make nc 2 */
	assert_int_equal(answer(&ac, 401,
	    "WWW-Authenticate: Digest realm=\"voiceconnector.test\", nonce=\"abc123\", "
	    "qop=\"auth\", algorithm=SHA-256, userhash=true\r\n", &opt, out, sizeof(out)), 0);
	assert_string_equal(param_of(out, "username"),
	    "7ec7b630ab92e7514cbe21825c7bce3e8537acde9e8857d9516f7af0a26574ed");
	assert_string_equal(param_of(out, "userhash"), "true");
	assert_string_equal(param_of(out, "response"),
	    "5d4fa7d84d73b2e5df3d97c44b95e413900433c27f2baeecea31143ac6cdd01c");

	/* the RFC's own userhash example (the response is recomputed independently) */
	memset(&ac, 0, sizeof(ac));
	auth_testing_set_cnonce("NTg6RKcb9boFIAS3KrFK9BGeh+iDa/sm6jUMp2wds69v");
	assert_int_equal(answer(&ac, 401,
	    "WWW-Authenticate: Digest realm=\"api@example.org\", qop=\"auth\", "
	    "algorithm=SHA-512-256, nonce=\"5TsQWLVdgBdmrQ0XsxbDODV+57QdFR34I9HAbC/RVvkK\", "
	    "opaque=\"HRPCssKJSGjCrkzDg8OhwpzCiGPChXYjwrI2QmXDnsOS\", charset=UTF-8, "
	    "userhash=true\r\n", &jason, out, sizeof(out)), 0);
	assert_string_equal(param_of(out, "username"),
	    "793263caabb707a56211940d90411ea4a575adeccb7e360aeb624ed06ece9b0b");
	assert_string_equal(param_of(out, "response"),
	    "93308f41873a77f41ea3d87886878276f1a92271362e72275c3d3a38cf9f5fd6");
}

/* ---- refusal -------------------------------------------------------------- */

static void
test_unsupported(void **state)
{
	static const char *bad[] = {
	    "WWW-Authenticate: Basic realm=\"voiceconnector.test\"\r\n",
	    "WWW-Authenticate: Bearer realm=\"voiceconnector.test\", error=\"invalid_token\"\r\n",
	    "WWW-Authenticate: Digest realm=\"v\", nonce=\"n\", qop=\"auth-int\"\r\n",
	    "WWW-Authenticate: Digest realm=\"v\", nonce=\"n\", qop=\"auth-conf\"\r\n",
	    "WWW-Authenticate: Digest realm=\"v\", nonce=\"n\", algorithm=AKAv1-MD5\r\n",
	    "WWW-Authenticate: Digest realm=\"v\", nonce=\"n\", algorithm=SHA-1\r\n",
	    "WWW-Authenticate: Digest realm=\"v\", nonce=\"n\", algorithm=SHA-256-sess\r\n",
	};
	struct auth_client ac = { 0 };
	char out[AUTH_HDR_MAX];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(answer(&ac, 401, bad[i], &invite, out, sizeof(out)), ENOTSUP);
		assert_string_equal(out, "");
	}
	/* an unsupported challenge next to a good one: the good one is answered */
	assert_int_equal(answer(&ac, 401,
	    "WWW-Authenticate: Basic realm=\"voiceconnector.test\"\r\n"
	    "WWW-Authenticate: Digest realm=\"v\", nonce=\"n\", qop=\"auth-int\"\r\n"
	    "WWW-Authenticate: Digest realm=\"voiceconnector.test\", nonce=\"abc123\", "
	    "algorithm=MD5\r\n", &invite, out, sizeof(out)), 0);
	assert_string_equal(param_of(out, "response"), "86ce0205f54266005722bd5103e0fde6");
	/* qop lists auth-int and auth: auth is used */
	assert_int_equal(answer(&ac, 401,
	    "WWW-Authenticate: Digest realm=\"v\", nonce=\"n\", qop=\"auth-int,auth\"\r\n",
	    &invite, out, sizeof(out)), 0);
	assert_string_equal(param_of(out, "qop"), "auth");
}

static void
test_malformed(void **state)
{
	static const char *bad[] = {
	    "WWW-Authenticate: Digest realm=\"v\", qop=\"auth\"\r\n",	/* no nonce */
	    "WWW-Authenticate: Digest nonce=\"n\"\r\n",			/* no realm */
	    "WWW-Authenticate: Digest realm=\"v\", nonce=\"\"\r\n",	/* empty nonce */
	    "Warning: 399 x \"no challenge at all\"\r\n",
	};
	struct auth_client ac = { 0 };
	char out[AUTH_HDR_MAX];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(answer(&ac, 401, bad[i], &invite, out, sizeof(out)), EINVAL);
	assert_int_equal(auth_answer(&ac, NULL, &invite, out, sizeof(out)), EINVAL);
	assert_int_equal(auth_answer_challenge(&ac, NULL, 0, &invite, out, sizeof(out)), EINVAL);
}

/* ---- retries, stale, nonce count ----------------------------------------- */

#define CH_N1	"WWW-Authenticate: Digest realm=\"voiceconnector.test\", nonce=\"n1\", qop=\"auth\"\r\n"
#define CH_N2S	"WWW-Authenticate: Digest realm=\"voiceconnector.test\", nonce=\"n2\", qop=\"auth\", stale=true\r\n"
#define CH_N3S	"WWW-Authenticate: Digest realm=\"voiceconnector.test\", nonce=\"n3\", qop=\"auth\", stale=TRUE\r\n"
#define CH_N4S	"WWW-Authenticate: Digest realm=\"voiceconnector.test\", nonce=\"n4\", qop=\"auth\", stale=\"true\"\r\n"

static void
test_retry_rejected(void **state)
{
	struct auth_req rq = invite;
	struct auth_client ac = { 0 }, before;
	char out[AUTH_HDR_MAX];

	(void)state;
	assert_int_equal(answer(&ac, 401, CH_N1, &rq, out, sizeof(out)), 0);
	/* the answer is challenged again, not stale: a wrong password, no loop */
	rq.retry = 1;
	before = ac;
	assert_int_equal(answer(&ac, 401, CH_N1, &rq, out, sizeof(out)), EACCES);
	assert_string_equal(out, "");
	assert_memory_equal(&ac, &before, sizeof(ac));	/* unchanged on error */
	assert_int_equal(answer(&ac, 401,
	    "WWW-Authenticate: Digest realm=\"voiceconnector.test\", nonce=\"other\", "
	    "stale=false\r\n", &rq, out, sizeof(out)), EACCES);
	/* the same for 407 */
	memset(&ac, 0, sizeof(ac));
	rq.retry = 0;
	assert_int_equal(answer(&ac, 407,
	    "Proxy-Authenticate: Digest realm=\"p\", nonce=\"n1\"\r\n", &rq, out, sizeof(out)), 0);
	rq.retry = 1;
	assert_int_equal(answer(&ac, 407,
	    "Proxy-Authenticate: Digest realm=\"p\", nonce=\"n2\"\r\n", &rq, out, sizeof(out)), EACCES);
}

static void
test_stale(void **state)
{
	struct auth_req rq = invite;
	struct auth_client ac = { 0 };
	char out[AUTH_HDR_MAX];

	(void)state;
	assert_int_equal(answer(&ac, 401, CH_N1, &rq, out, sizeof(out)), 0);
	rq.retry = 1;
	/* stale=true: the password was right, the nonce aged; answer the new one, nc 1 */
	assert_int_equal(answer(&ac, 401, CH_N2S, &rq, out, sizeof(out)), 0);
	assert_string_equal(param_of(out, "nonce"), "n2");
	assert_string_equal(param_of(out, "nc"), "00000001");
	assert_int_equal(ac.stale, 1);
	assert_int_equal(answer(&ac, 401, CH_N3S, &rq, out, sizeof(out)), 0);
	assert_int_equal(ac.stale, AUTH_MAX_STALE);
	/* a carrier that calls every nonce stale is not answered forever */
	assert_int_equal(answer(&ac, 401, CH_N4S, &rq, out, sizeof(out)), EACCES);
	/* a new request (not a retry) starts again */
	rq.retry = 0;
	assert_int_equal(answer(&ac, 401, CH_N4S, &rq, out, sizeof(out)), 0);
	assert_int_equal(ac.stale, 0);
}

/* The nonce count rises while the carrier keeps its nonce (re-INVITE, BYE). */
static void
test_nonce_count(void **state)
{
	static const struct auth_req bye = {
		"BYE", "sip:+15550001000@127.0.0.20:5061;transport=tls", "sbc", "secret", 0
	};
	struct auth_client ac = { 0 };
	char out[AUTH_HDR_MAX];

	(void)state;
	assert_int_equal(answer(&ac, 401, CH_N1, &invite, out, sizeof(out)), 0);
	assert_string_equal(param_of(out, "nc"), "00000001");
	assert_int_equal(answer(&ac, 401, CH_N1, &bye, out, sizeof(out)), 0);
	assert_string_equal(param_of(out, "nc"), "00000002");
	assert_int_equal(ac.nc, 2);
	/* another nonce: back to 1 */
	assert_int_equal(answer(&ac, 401, CH_N2S, &bye, out, sizeof(out)), 0);
	assert_string_equal(param_of(out, "nc"), "00000001");
	/* the same nonce from another realm is another nonce */
	assert_int_equal(answer(&ac, 401,
	    "WWW-Authenticate: Digest realm=\"elsewhere\", nonce=\"n2\", qop=\"auth\"\r\n",
	    &bye, out, sizeof(out)), 0);
	assert_string_equal(param_of(out, "nc"), "00000001");
}

/* Without the testing hook the cnonce is 128 random bits, new every time. */
static void
test_random_cnonce(void **state)
{
	struct auth_client ac = { 0 };
	char out[AUTH_HDR_MAX], c1[64];
	size_t n;

	(void)state;
	assert_int_equal(answer(&ac, 401, CH_N1, &invite, out, sizeof(out)), 0);
	snprintf(c1, sizeof(c1), "%s", param_of(out, "cnonce"));
	n = strspn(c1, "0123456789abcdef");
	assert_int_equal(n, 32);
	assert_int_equal(strlen(c1), 32);
	assert_int_equal(answer(&ac, 401, CH_N1, &invite, out, sizeof(out)), 0);
	assert_string_not_equal(param_of(out, "cnonce"), c1);
	assert_null(strstr(out, "secret"));
}

/* ---- quoted strings and parameter edge cases ------------------------------ */

static void
test_quoting(void **state)
{
	struct auth_client ac = { 0 };
	char out[AUTH_HDR_MAX];

	(void)state;
	/* escaped quote and backslash in the realm, comma inside quotes, case of names */
	assert_int_equal(answer(&ac, 401,
	    "WWW-Authenticate: DIGEST REALM=\"a \\\"quoted\\\", realm\\\\x\", "
	    "Nonce=\"n,1\", QOP=\"auth\", Algorithm=\"md5\", OPAQUE=\"o=1\"\r\n",
	    &invite, out, sizeof(out)), 0);
	assert_string_equal(ac.realm, "a \"quoted\", realm\\x");
	assert_string_equal(ac.nonce, "n,1");
	assert_non_null(strstr(out, " realm=\"a \\\"quoted\\\", realm\\\\x\","));
	assert_non_null(strstr(out, " nonce=\"n,1\","));
	assert_non_null(strstr(out, " opaque=\"o=1\","));
	assert_non_null(strstr(out, " algorithm=MD5,"));
	/* unquoted tokens, extra white space, unknown parameters ignored */
	assert_int_equal(answer(&ac, 401,
	    "WWW-Authenticate: Digest  realm = \"v\" , nonce=tok123 ,domain=\"sip:x\", "
	    "qop=auth, foo=bar, algorithm=MD5\r\n", &invite, out, sizeof(out)), 0);
	assert_string_equal(ac.realm, "v");
	assert_string_equal(ac.nonce, "tok123");
	assert_null(strstr(out, "domain"));
	assert_null(strstr(out, "foo"));
	/* "nonce" is not found inside "cnonce" or "nonce-x" */
	assert_int_equal(answer(&ac, 401,
	    "WWW-Authenticate: Digest realm=\"v\", cnonce=\"wrong\", nonce-x=\"wrong\", "
	    "nonce=\"right\"\r\n", &invite, out, sizeof(out)), 0);
	assert_string_equal(ac.nonce, "right");
	/* a username with a quote is escaped, not allowed to break the header */
	{
		struct auth_req rq = invite;

		rq.username = "a\"b";
		assert_int_equal(answer(&ac, 401, CH_N1, &rq, out, sizeof(out)), 0);
		assert_non_null(strstr(out, "username=\"a\\\"b\""));
		rq.username = "a\r\nX-Injected: 1";
		assert_int_equal(answer(&ac, 401, CH_N1, &rq, out, sizeof(out)), EINVAL);
	}
}

/* Parameter lists sofia would not produce, handed over directly. */
static void
test_raw_params(void **state)
{
	static const struct {
		const char	*params[4];
		int		 err;
	} cases[] = {
		{ { "realm=\"v", "nonce=\"n\"", NULL }, EINVAL },	/* unterminated */
		{ { "realm=\"v\"x", "nonce=\"n\"", NULL }, EINVAL },	/* text after quote */
		{ { "realm=\"v\\", "nonce=\"n\"", NULL }, EINVAL },	/* dangling backslash */
		{ { "realm=\"v\001\"", "nonce=\"n\"", NULL }, EINVAL },	/* control character */
		{ { "realm=v\"w", "nonce=\"n\"", NULL }, EINVAL },	/* quote in a token */
		{ { "realm", "nonce=\"n\"", NULL }, EINVAL },		/* name without value */
		{ { "realm=\"\"", "nonce=\"n\"", NULL }, 0 },		/* empty realm is allowed */
		{ { " realm =\t\"v\" ", "nonce= n ", NULL }, 0 },
	};
	char out[AUTH_HDR_MAX], big[AUTH_NONCE_MAX + 16];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct auth_client ac = { 0 };
		msg_auth_t au;

		memset(&au, 0, sizeof(au));
		au.au_scheme = "Digest";
		au.au_params = cases[i].params;
		assert_int_equal(auth_answer_challenge(&ac, &au, 0, &invite, out, sizeof(out)),
		    cases[i].err);
	}
	/* a nonce longer than we remember is refused, not cut */
	{
		const char *params[] = { "realm=v", big, NULL };
		struct auth_client ac = { 0 };
		msg_auth_t au;

		memset(big, 'x', sizeof(big));
		memcpy(big, "nonce=", 6);
		big[sizeof(big) - 1] = '\0';
		memset(&au, 0, sizeof(au));
		au.au_scheme = "Digest";
		au.au_params = params;
		assert_int_equal(auth_answer_challenge(&ac, &au, 0, &invite, out, sizeof(out)),
		    EINVAL);
	}
}

static void
test_small_buffer(void **state)
{
	struct auth_client ac = { 0 }, zero = { 0 };
	char out[64];

	(void)state;
	assert_int_equal(answer(&ac, 401, CH_N1, &invite, out, sizeof(out)), ENOSPC);
	assert_string_equal(out, "");
	assert_memory_equal(&ac, &zero, sizeof(ac));
	assert_int_equal(answer(&ac, 401, CH_N1, &invite, out, 0), EINVAL);
}

/* Debug logging names realm, algorithm and username, never the password or hashes. */
static void
test_no_secrets_logged(void **state)
{
	struct auth_req rq = invite;
	struct auth_client ac = { 0 };
	char out[AUTH_HDR_MAX], logged[4096], resp[80];
	FILE *f;
	size_t n;
	int saved;

	(void)state;
	assert_non_null(f = tmpfile());
	fflush(stderr);
	assert_true((saved = dup(STDERR_FILENO)) != -1);
	assert_true(dup2(fileno(f), STDERR_FILENO) != -1);
	log_init("test_auth", LOG_TARGET_STDERR, 0);
	log_set_level(LOG_LEVEL_DEBUG);
	assert_int_equal(answer(&ac, 401, CH_N1, &rq, out, sizeof(out)), 0);
	rq.retry = 1;
	assert_int_equal(answer(&ac, 401, CH_N1, &rq, out, 0), EINVAL);
	assert_int_equal(answer(&ac, 401, CH_N1, &rq, logged, sizeof(logged)), EACCES);
	assert_int_equal(answer(&ac, 401, "WWW-Authenticate: Basic realm=\"b\"\r\n", &rq,
	    logged, sizeof(logged)), ENOTSUP);
	log_set_level(LOG_LEVEL_INFO);
	fflush(stderr);
	assert_true(dup2(saved, STDERR_FILENO) != -1);
	close(saved);
	rewind(f);
	n = fread(logged, 1, sizeof(logged) - 1, f);
	logged[n] = '\0';
	fclose(f);
	snprintf(resp, sizeof(resp), "%s", param_of(out, "response"));
	assert_non_null(strstr(logged, "realm=\"voiceconnector.test\""));
	assert_non_null(strstr(logged, "algorithm=MD5"));
	assert_non_null(strstr(logged, "username=\"sbc\""));
	assert_non_null(strstr(logged, "rejected"));
	assert_null(strstr(logged, "secret"));
	assert_int_equal(strlen(resp), 32);
	assert_null(strstr(logged, resp));
}

static void
test_alg_str(void **state)
{
	(void)state;
	assert_string_equal(auth_alg_str(AUTH_ALG_MD5), "MD5");
	assert_string_equal(auth_alg_str(AUTH_ALG_MD5_SESS), "MD5-sess");
	assert_string_equal(auth_alg_str(AUTH_ALG_SHA256), "SHA-256");
	assert_string_equal(auth_alg_str(AUTH_ALG_SHA256_SESS), "SHA-256-sess");
	assert_string_equal(auth_alg_str(AUTH_ALG_SHA512_256), "SHA-512-256");
	assert_string_equal(auth_alg_str(AUTH_ALG_SHA512_256_SESS), "SHA-512-256-sess");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_rfc7616_sha256, setup),
		cmocka_unit_test_setup(test_rfc7616_md5, setup),
		cmocka_unit_test_setup(test_prefers_sha256, setup),
		cmocka_unit_test_setup(test_rfc2617, setup),
		cmocka_unit_test_setup(test_no_qop, setup),
		cmocka_unit_test_setup(test_407_vs_401, setup),
		cmocka_unit_test_setup(test_md5_sess, setup),
		cmocka_unit_test_setup(test_sha512_256_userhash, setup),
		cmocka_unit_test_setup(test_unsupported, setup),
		cmocka_unit_test_setup(test_malformed, setup),
		cmocka_unit_test_setup(test_retry_rejected, setup),
		cmocka_unit_test_setup(test_stale, setup),
		cmocka_unit_test_setup(test_nonce_count, setup),
		cmocka_unit_test_setup(test_random_cnonce, setup),
		cmocka_unit_test_setup(test_quoting, setup),
		cmocka_unit_test_setup(test_raw_params, setup),
		cmocka_unit_test_setup(test_small_buffer, setup),
		cmocka_unit_test_setup(test_no_secrets_logged, setup),
		cmocka_unit_test_setup(test_alg_str, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
