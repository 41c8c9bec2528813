/* test_cdr.c: CDR records as JSON: escaping, nesting, times, numbers, records too long. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "cdr.h"

static void
test_escaping(void **state)
{
	struct cdr_rec	r;
	const char	*line;

	(void)state;
	cdr_rec_begin(&r);
	cdr_rec_str(&r, "q", "say \"hi\" \\ o/");
	cdr_rec_str(&r, "ctl", "a\tb\r\nc\x01\x7f");
	cdr_rec_str(&r, "utf8", "M\xc3\xbcller");
	cdr_rec_str(&r, "none", NULL);
	line = cdr_rec_end(&r);
	assert_non_null(line);
	assert_string_equal(line, "{\"q\":\"say \\\"hi\\\" \\\\ o/\","
	    "\"ctl\":\"a\\u0009b\\u000d\\u000ac\\u0001\\u007f\","
	    "\"utf8\":\"M\xc3\xbcller\",\"none\":null}\n");
}

static void
test_numbers_nesting(void **state)
{
	struct cdr_rec	r;
	const char	*line;

	(void)state;
	cdr_rec_begin(&r);
	cdr_rec_int(&r, "code", 486);
	cdr_rec_int(&r, "neg", -1);
	cdr_rec_ms(&r, "d", 61005);
	cdr_rec_ms(&r, "z", 0);
	cdr_rec_open(&r, "a");
	cdr_rec_int(&r, "x", 1);
	cdr_rec_open(&r, "b");
	cdr_rec_close(&r);
	cdr_rec_int(&r, "y", 2);
	cdr_rec_close(&r);
	cdr_rec_open(&r, "left_open");
	cdr_rec_int(&r, "k", 3);
	line = cdr_rec_end(&r);	/* closes what is open */
	assert_non_null(line);
	assert_string_equal(line, "{\"code\":486,\"neg\":-1,\"d\":61.005,\"z\":0.000,"
	    "\"a\":{\"x\":1,\"b\":{},\"y\":2},\"left_open\":{\"k\":3}}\n");
}

static void
test_times(void **state)
{
	struct cdr_rec		r;
	struct timespec		ts = { 1795708376, 63072123 };	/* 2026-11-26T15:52:56.063Z */
	struct timespec		zero = { 0, 0 };
	const char		*line;

	(void)state;
	cdr_rec_begin(&r);
	cdr_rec_time(&r, "t", &ts);
	cdr_rec_time(&r, "never", &zero);
	cdr_rec_time(&r, "null", NULL);
	line = cdr_rec_end(&r);
	assert_non_null(line);
	assert_string_equal(line,
	    "{\"t\":\"2026-11-26T15:52:56.063Z\",\"never\":null,\"null\":null}\n");
}

static void
test_too_long(void **state)
{
	static char	big[CDR_LINE_MAX];
	struct cdr_rec	r;

	(void)state;
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	cdr_rec_begin(&r);
	cdr_rec_open(&r, "o");
	cdr_rec_str(&r, "big", big);
	assert_null(cdr_rec_end(&r));	/* never half a record */
	assert_true(r.len < sizeof(r.buf));

	/* near the limit, byte by byte: every record that is not cut is whole,
	 * closing braces and newline included, and the first cut one is NULL */
	{
		size_t	 n, last_ok = 0;
		int	 seen_cut = 0;

		for (n = CDR_LINE_MAX - 40; n < CDR_LINE_MAX; n++) {
			const char *line;

			memset(big, 'y', n);
			big[n] = '\0';
			cdr_rec_begin(&r);
			cdr_rec_open(&r, "o");
			cdr_rec_str(&r, "s", big);
			line = cdr_rec_end(&r);
			if (line == NULL) {
				seen_cut = 1;
				break;
			}
			last_ok = n;
			assert_int_equal(strlen(line), r.len);
			assert_true(r.len < CDR_LINE_MAX);
			assert_string_equal(line + r.len - 4, "\"}}\n");
		}
		assert_true(seen_cut);
		assert_true(last_ok > CDR_LINE_MAX - 40);
	}
}

static void
test_write_disabled(void **state)
{
	struct cdr_rec r;

	(void)state;
	assert_false(cdr_enabled());
	cdr_rec_begin(&r);
	cdr_rec_int(&r, "x", 1);
	assert_int_equal(cdr_rec_write(&r), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escaping),
		cmocka_unit_test(test_numbers_nesting),
		cmocka_unit_test(test_times),
		cmocka_unit_test(test_too_long),
		cmocka_unit_test(test_write_disabled),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
