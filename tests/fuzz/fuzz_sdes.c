/* fuzz_sdes.c: libFuzzer target for the SDES key parameters of a=crypto (msec_key_parse), with a round trip. */
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "msec.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct msec_key	 k, again;
	char		 text[1024], fmt[256];
	enum msec_suite	 s;

	if (size < 1 || size > sizeof(text))
		return 0;
	/* the first byte picks the suite, the rest is the key parameters */
	s = (enum msec_suite)(data[0] % 7);
	memcpy(text, data + 1, size - 1);
	text[size - 1] = '\0';
	if (msec_key_parse(s, text, &k) != 0)
		return 0;
	/* what parsed formats, and the format parses to the same key */
	if (msec_key_format(&k, fmt, sizeof(fmt)) != 0 ||
	    msec_key_parse(s, fmt, &again) != 0 ||
	    again.len != k.len || memcmp(again.key, k.key, k.len) != 0)
		abort();
	msec_key_clear(&k);
	msec_key_clear(&again);
	return 0;
}
