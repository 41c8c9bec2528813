/* test_hep.c: HEP v3 packets chunk by chunk (IPv4, IPv6, limits) and the masking of secrets. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <cmocka.h>

#include "hep.h"

/* The payload of chunk type t (vendor 0), or NULL; its length in *n. */
static const uint8_t *
find_chunk(const uint8_t *p, size_t len, uint16_t t, size_t *n)
{
	size_t off = 6;

	while (off + 6 <= len) {
		uint16_t vendor = (uint16_t)(p[off] << 8 | p[off + 1]);
		uint16_t type = (uint16_t)(p[off + 2] << 8 | p[off + 3]);
		uint16_t clen = (uint16_t)(p[off + 4] << 8 | p[off + 5]);

		if (clen < 6 || off + clen > len)
			return NULL;
		if (vendor == 0 && type == t) {
			*n = clen - 6u;
			return p + off + 6;
		}
		off += clen;
	}
	return NULL;
}

static uint32_t
u32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void
test_ipv4(void **state)
{
	static const char	 msg[] = "OPTIONS sip:a@b SIP/2.0\r\nCall-ID: x\r\n\r\n";
	uint8_t			 buf[2048];
	size_t			 len = sizeof(buf), n;
	struct sockaddr_in	 s = { .sin_family = AF_INET, .sin_port = htons(5060) };
	struct sockaddr_in	 d = { .sin_family = AF_INET, .sin_port = htons(5070) };
	const uint8_t		*c;

	(void)state;
	inet_pton(AF_INET, "127.0.0.1", &s.sin_addr);
	inet_pton(AF_INET, "127.0.0.10", &d.sin_addr);
	assert_int_equal(hep_encode(buf, &len, (struct sockaddr *)&s, (struct sockaddr *)&d,
	    17, 1700000000123456ull, 77, "secret", "x", msg, strlen(msg)), 0);
	assert_memory_equal(buf, "HEP3", 4);
	assert_int_equal(buf[4] << 8 | buf[5], (int)len);
	assert_non_null(c = find_chunk(buf, len, 1, &n));
	assert_int_equal(n, 1);
	assert_int_equal(c[0], 2);		/* AF_INET in HEP terms */
	assert_non_null(c = find_chunk(buf, len, 2, &n));
	assert_int_equal(c[0], 17);
	assert_non_null(c = find_chunk(buf, len, 3, &n));
	assert_int_equal(n, 4);
	assert_memory_equal(c, &s.sin_addr, 4);
	assert_non_null(c = find_chunk(buf, len, 4, &n));
	assert_memory_equal(c, &d.sin_addr, 4);
	assert_non_null(c = find_chunk(buf, len, 7, &n));
	assert_int_equal(c[0] << 8 | c[1], 5060);
	assert_non_null(c = find_chunk(buf, len, 8, &n));
	assert_int_equal(c[0] << 8 | c[1], 5070);
	assert_non_null(c = find_chunk(buf, len, 9, &n));
	assert_int_equal(u32(c), 1700000000u);
	assert_non_null(c = find_chunk(buf, len, 10, &n));
	assert_int_equal(u32(c), 123456u);
	assert_non_null(c = find_chunk(buf, len, 11, &n));
	assert_int_equal(c[0], 1);		/* SIP */
	assert_non_null(c = find_chunk(buf, len, 12, &n));
	assert_int_equal(u32(c), 77u);
	assert_non_null(c = find_chunk(buf, len, 14, &n));
	assert_int_equal(n, 6);
	assert_memory_equal(c, "secret", 6);
	assert_non_null(c = find_chunk(buf, len, 17, &n));
	assert_memory_equal(c, "x", 1);
	assert_non_null(c = find_chunk(buf, len, 15, &n));
	assert_int_equal(n, strlen(msg));
	assert_memory_equal(c, msg, n);
	assert_null(find_chunk(buf, len, 5, &n));	/* no IPv6 chunks */
}

static void
test_ipv6_no_auth(void **state)
{
	uint8_t			 buf[512];
	size_t			 len = sizeof(buf), n;
	struct sockaddr_in6	 s = { .sin6_family = AF_INET6, .sin6_port = htons(5061) };
	struct sockaddr_in6	 d = { .sin6_family = AF_INET6, .sin6_port = htons(40000) };
	const uint8_t		*c;

	(void)state;
	inet_pton(AF_INET6, "::1", &s.sin6_addr);
	inet_pton(AF_INET6, "fd00::20", &d.sin6_addr);
	assert_int_equal(hep_encode(buf, &len, (struct sockaddr *)&s, (struct sockaddr *)&d,
	    6, 1, 0, NULL, NULL, "X", 1), 0);
	assert_non_null(c = find_chunk(buf, len, 1, &n));
	assert_int_equal(c[0], 10);
	assert_non_null(c = find_chunk(buf, len, 2, &n));
	assert_int_equal(c[0], 6);
	assert_non_null(c = find_chunk(buf, len, 5, &n));
	assert_int_equal(n, 16);
	assert_memory_equal(c, &s.sin6_addr, 16);
	assert_non_null(c = find_chunk(buf, len, 6, &n));
	assert_memory_equal(c, &d.sin6_addr, 16);
	assert_null(find_chunk(buf, len, 14, &n));
	assert_null(find_chunk(buf, len, 17, &n));
	assert_null(find_chunk(buf, len, 3, &n));
}

static void
test_limits(void **state)
{
	static char		 big[70000];
	uint8_t			 buf[256];
	size_t			 len = sizeof(buf);
	struct sockaddr_in	 s = { .sin_family = AF_INET };
	struct sockaddr_in6	 d = { .sin6_family = AF_INET6 };

	(void)state;
	memset(big, 'a', sizeof(big));
	/* too long for the buffer, too long for a chunk, families that differ */
	assert_int_equal(hep_encode(buf, &len, (struct sockaddr *)&s, (struct sockaddr *)&s,
	    17, 0, 0, NULL, NULL, big, 300), ENOSPC);
	len = sizeof(big);
	assert_int_equal(hep_encode((uint8_t *)big, &len, (struct sockaddr *)&s,
	    (struct sockaddr *)&s, 17, 0, 0, NULL, NULL, big, sizeof(big)), ENOSPC);
	len = sizeof(buf);
	assert_int_equal(hep_encode(buf, &len, (struct sockaddr *)&s, (struct sockaddr *)&d,
	    17, 0, 0, NULL, NULL, "x", 1), EINVAL);
}

static void
test_mask(void **state)
{
	char msg[] =
	    "INVITE sip:1@h SIP/2.0\r\n"
	    "Proxy-Authorization: Digest username=\"u\", realm=\"r\", nonce=\"n\", "
	    "uri=\"sip:1@h\", response=\"0123456789abcdef0123456789abcdef\", algorithm=MD5\r\n"
	    "Content-Length: 0\r\n\r\n"
	    "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:aVC/VyKN/coF9iGMUriuujtbORq19+tw0/LEUeKY|2^31|1:1\r\n"
	    "a=crypto:2 AES_CM_128_HMAC_SHA1_32 inline:c2JjZCBsYWIgU1JUUCBrZXkgZm9yIFNJUHAgVkMh\r\n"
	    "a=x-note:response=\"kept\" (not after a separator)\r\n";
	size_t	len = strlen(msg);

	(void)state;
	assert_int_equal(hep_mask(msg, len), 3);
	assert_int_equal(strlen(msg), len);
	assert_non_null(strstr(msg, "response=\"XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX\", algorithm=MD5\r\n"));
	assert_non_null(strstr(msg, "inline:XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX|2^31|1:1\r\n"));
	assert_non_null(strstr(msg, "inline:XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX\r\n"));
	assert_non_null(strstr(msg, "x-note:response=\"kept\""));
	assert_null(strstr(msg, "aVC/"));
	assert_null(strstr(msg, "0123456789abcdef"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ipv4),
		cmocka_unit_test(test_ipv6_no_auth),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_mask),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
