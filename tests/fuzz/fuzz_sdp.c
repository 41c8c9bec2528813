/* fuzz_sdp.c: libFuzzer target for the SDP rewriter: sdp_parse, then sdp_write with codec filtering and crypto. */
#include <string.h>
#include <sys/socket.h>

#include "fuzz_common.h"
#include "sdp.h"

static struct sdp	s;
static char		out[65536];

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sdp_out	o;
	unsigned	v = size > 0 ? data[0] : 0;

	if (sdp_parse((const char *)data, size, &s) != 0)
		return 0;
	memset(&o, 0, sizeof(o));
	o.addr = v & 1 ? "2001:db8::1" : "192.0.2.1";
	o.family = v & 1 ? AF_INET6 : AF_INET;
	o.o_version = 2;
	o.o_user = v & 2 ? "sbcd" : NULL;
	for (size_t i = 0; i < s.nmedia; i++) {
		struct sdp_media_out	*mo = &o.media[i];
		const struct sdp_media	*m = &s.media[i];

		mo->keep = (v >> 2 & 1) || i == 0;
		mo->port = 20000 + 2 * (unsigned)i;
		mo->proto = v & 8 ? "RTP/SAVP" : NULL;
		/* keep every other payload type, in reverse */
		for (size_t k = m->nfmt; k > 0 && mo->npts < SDP_MAX_FMT; k--)
			if ((k & 1) || !(v & 16))
				mo->pts[mo->npts++] = m->fmt[k - 1].pt;
		if (v & 32) {
			mo->crypto[0].tag = 1;
			mo->crypto[0].suite = "AES_CM_128_HMAC_SHA1_80";
			mo->crypto[0].key_params = "inline:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
			mo->ncrypto = 1;
		}
		mo->strip_ice = v >> 6 & 1;
		mo->strip_dtls = v >> 7 & 1;
		mo->strip_rtcp_mux = v >> 6 & 1;
	}
	(void)sdp_write(&s, &o, out, sizeof(out));
	(void)sdp_write(&s, &o, out, 64);	/* too small: must fail cleanly */
	return 0;
}
