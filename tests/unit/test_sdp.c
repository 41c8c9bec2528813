/* test_sdp.c: SDP reading and rewriting on real-world bodies, malformed ones and mutations. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <cmocka.h>

#include "sdp.h"

/* Bodies are written with LF and sent with CRLF unless a test says so. */

/* 3CX v18 outbound offer: its trunk codec list and RFC 2833 on 101. */
static const char sdp_3cx[] =
    "v=0\n"
    "o=3cxPS 73007284224 12321616385 IN IP4 192.168.1.10\n"
    "s=3cxPS Audio call\n"
    "c=IN IP4 192.168.1.10\n"
    "t=0 0\n"
    "m=audio 9000 RTP/AVP 0 8 9 18 101\n"
    "c=IN IP4 192.168.1.10\n"
    "a=rtpmap:0 PCMU/8000\n"
    "a=rtpmap:8 PCMA/8000\n"
    "a=rtpmap:9 G722/8000\n"
    "a=rtpmap:18 G729/8000\n"
    "a=fmtp:18 annexb=no\n"
    "a=rtpmap:101 telephone-event/8000\n"
    "a=fmtp:101 0-16\n"
    "a=sendrecv\n";

/* Chime Voice Connector offer with encryption on (SDES, two suites). */
#define CHIME_KEY1 "inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz|2^31"
#define CHIME_KEY2 "inline:NzB4d1BINUAvLEw6UzF3WSJ+PSdFcGdUJShpX1Zj|2^31"
static const char sdp_chime_srtp[] =
    "v=0\n"
    "o=Sonus_UAC 197837 293472 IN IP4 52.55.62.60\n"
    "s=SIP Media Capabilities\n"
    "c=IN IP4 52.55.62.60\n"
    "t=0 0\n"
    "m=audio 36488 RTP/SAVP 0 101\n"
    "a=crypto:1 AES_CM_128_HMAC_SHA1_80 " CHIME_KEY1 "\n"
    "a=crypto:2 AES_CM_128_HMAC_SHA1_32 " CHIME_KEY2 "\n"
    "a=rtpmap:0 PCMU/8000\n"
    "a=rtpmap:101 telephone-event/8000\n"
    "a=fmtp:101 0-15\n"
    "a=sendrecv\n"
    "a=rtcp:36489\n"
    "a=ptime:20\n";

/* Chime without encryption, as in the interop notes (A3). */
static const char sdp_chime_plain[] =
    "v=0\n"
    "o=Sonus_UAC 3423 2318 IN IP4 52.55.62.60\n"
    "s=SIP Media Capabilities\n"
    "c=IN IP4 52.55.62.60\n"
    "t=0 0\n"
    "m=audio 36488 RTP/AVP 0 101\n"
    "a=rtpmap:0 PCMU/8000\n"
    "a=rtpmap:101 telephone-event/8000\n"
    "a=fmtp:101 0-15\n"
    "a=sendrecv\n"
    "a=rtcp:36489\n"
    "a=ptime:20\n";

/* A PBX putting the call on hold. */
static const char sdp_hold[] =
    "v=0\n"
    "o=3cxPS 1 3 IN IP4 192.168.1.10\n"
    "s=3cxPS Audio call\n"
    "c=IN IP4 192.168.1.10\n"
    "t=0 0\n"
    "m=audio 9002 RTP/AVP 0 101\n"
    "a=rtpmap:0 PCMU/8000\n"
    "a=rtpmap:101 telephone-event/8000\n"
    "a=sendonly\n";

/* RFC 2543 hold: no address at all. */
static const char sdp_hold0[] =
    "v=0\n"
    "o=- 1 2 IN IP4 10.1.1.1\n"
    "s=-\n"
    "c=IN IP4 0.0.0.0\n"
    "t=0 0\n"
    "m=audio 4000 RTP/AVP 0\n"
    "a=rtpmap:0 PCMU/8000\n"
    "a=sendonly\n";

/* A browser: ICE, DTLS, rtcp-mux, IPv6, session-level ICE and fingerprint. */
static const char sdp_webrtc[] =
    "v=0\n"
    "o=- 4611731400430051336 2 IN IP6 2001:db8::1\n"
    "s=-\n"
    "t=0 0\n"
    "a=group:BUNDLE 0\n"
    "a=msid-semantic: WMS\n"
    "a=ice-options:trickle\n"
    "a=fingerprint:sha-256 4A:AD:B9:B1:3F:82:18:3B:54:02:12:DF:3E:5D:49:6B:19:E5:7C:AB\n"
    "m=audio 50000 UDP/TLS/RTP/SAVPF 111 0 126\n"
    "c=IN IP6 2001:db8::1\n"
    "a=rtcp:9 IN IP4 0.0.0.0\n"
    "a=candidate:1467250027 1 udp 2122260223 2001:db8::1 50000 typ host generation 0\n"
    "a=candidate:1467250027 2 udp 2122260222 2001:db8::1 50001 typ host generation 0\n"
    "a=end-of-candidates\n"
    "a=ice-ufrag:EsAw\n"
    "a=ice-pwd:P2uYro0UCOQ4zxjKXaWCBui1\n"
    "a=setup:actpass\n"
    "a=tls-id:1\n"
    "a=mid:0\n"
    "a=sendrecv\n"
    "a=rtcp-mux\n"
    "a=rtpmap:111 opus/48000/2\n"
    "a=rtcp-fb:111 transport-cc\n"
    "a=fmtp:111 minptime=10;useinbandfec=1\n"
    "a=rtpmap:0 PCMU/8000\n"
    "a=rtpmap:126 telephone-event/8000\n"
    "a=rtcp-fb:* nack\n";

/* Bandwidth lines sofia's printer would turn into b=AS. */
static const char sdp_bw[] =
    "v=0\n"
    "o=- 20518 0 IN IP4 10.1.1.1\n"
    "s=-\n"
    "c=IN IP4 10.1.1.1\n"
    "b=AS:84\n"
    "b=CT:1000\n"
    "t=0 0\n"
    "m=audio 4000 RTP/AVP 0 8\n"
    "b=AS:64\n"
    "b=TIAS:64000\n"
    "b=RR:0\n"
    "b=RS:0\n"
    "a=rtpmap:0 PCMU/8000\n"
    "a=rtpmap:8 PCMA/8000\n"
    "a=recvonly\n";

/* Audio and video; the video gets rejected. */
static const char sdp_av[] =
    "v=0\n"
    "o=- 7 7 IN IP4 10.1.1.1\n"
    "s=-\n"
    "c=IN IP4 10.1.1.1\n"
    "t=0 0\n"
    "m=audio 4000 RTP/AVP 0 101\n"
    "a=rtpmap:101 telephone-event/8000\n"
    "a=fmtp:101 0-15\n"
    "m=video 4002 RTP/AVP 96 97\n"
    "b=AS:512\n"
    "a=rtpmap:96 H264/90000\n"
    "a=fmtp:96 profile-level-id=42e01f\n"
    "a=rtpmap:97 VP8/90000\n"
    "a=rtcp:4003\n"
    "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:VIDEOKEYVIDEOKEY\n"
    "a=inactive\n";

/* Every line sbcd has no business with must come out unchanged. */
#define UNKNOWN_LINES \
    "i=A session with odd lines\n" \
    "u=http://www.example.com/seminars/sdp.pdf\n" \
    "e=j.doe@example.com (Jane Doe)\n" \
    "p=+1 617 555-6011\n"
#define UNKNOWN_LINES2 \
    "t=2873397496 2873404696\n" \
    "r=7d 1h 0 25h\n" \
    "z=2882844526 -1h 2898848070 0\n" \
    "k=prompt\n" \
    "x-weird=1\n" \
    "a=X-nortel-profile:foo bar\n" \
    "weird line without equals\n"
#define UNKNOWN_LINES3 \
    "i=audio stream\n" \
    "a=label:1\n" \
    "a=maxptime:150\n" \
    "a=X-unknown\n"
static const char sdp_unknown[] =
    "v=0\n"
    "o=- 1 1 IN IP4 10.1.1.1\n"
    "s=-\n"
    UNKNOWN_LINES
    "c=IN IP4 10.1.1.1\n"
    UNKNOWN_LINES2
    "m=audio 4000 RTP/AVP 0\n"
    UNKNOWN_LINES3;

/* RFC 4568 lifetime, MKI and session parameters. */
#define MKI_KEY1 "inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|2^20|1:4"
#define MKI_KEY2 "inline:QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNk|2^20|2:4"
static const char sdp_mki[] =
    "v=0\n"
    "o=- 1 1 IN IP4 10.1.1.1\n"
    "s=-\n"
    "c=IN IP4 10.1.1.1\n"
    "t=0 0\n"
    "m=audio 4000 RTP/SAVP 0\n"
    "a=crypto:1 AES_CM_128_HMAC_SHA1_80 " MKI_KEY1 ";" MKI_KEY2
    " FEC_ORDER=FEC_SRTP UNENCRYPTED_SRTCP\n"
    "a=crypto:2 AES_256_CM_HMAC_SHA1_80 inline:d0RmdmcmVCspeEc3QGZiNWpVLFJhQX1cfHAwJSoj|2^31\n"
    "a=crypto:3 AES_CM_256_HMAC_SHA1_32 inline:KEY3KEY3KEY3\n";

#define OUR_KEY "inline:b3VyIGtleSBvdXIga2V5IG91ciBrZXkgb3VyIGtleQ=="

/* A body and what sdp_parse made of it (which points into the body). */
struct parsed {
	char		body[8192];
	size_t		len;
	struct sdp	s;
};

static struct parsed	p1, p2;
static char		out[8192];

static void
to_crlf(const char *lf, char *buf, size_t size)
{
	size_t n = 0;

	for (; *lf != '\0'; lf++) {
		assert_true(n + 3 < size);
		if (*lf == '\n')
			buf[n++] = '\r';
		buf[n++] = *lf;
	}
	buf[n] = '\0';
}

/* Parse lf (sent with CRLF unless keep_lf): the error sdp_parse returned. */
static int
try_parse(struct parsed *p, const char *lf, int keep_lf)
{
	if (keep_lf) {
		assert_true(strlen(lf) < sizeof(p->body));
		strcpy(p->body, lf);
	} else {
		to_crlf(lf, p->body, sizeof(p->body));
	}
	p->len = strlen(p->body);
	return sdp_parse(p->body, p->len, &p->s);
}

static struct sdp *
parse(struct parsed *p, const char *lf)
{
	assert_int_equal(try_parse(p, lf, 0), 0);
	return &p->s;
}

/* Every media kept on port 20000 + 2k with the peer's payload list. */
static void
out_init(struct sdp_out *o, const struct sdp *s, const char *addr, int family)
{
	memset(o, 0, sizeof(*o));
	o->addr = addr;
	o->family = family;
	o->o_version = s->o_version + 1;
	for (size_t k = 0; k < s->nmedia; k++) {
		o->media[k].keep = 1;
		o->media[k].port = 20000 + 2 * (unsigned)k;
	}
}

static void
set_pts(struct sdp_media_out *mo, const int *pts, size_t n)
{
	memcpy(mo->pts, pts, n * sizeof(pts[0]));
	mo->npts = n;
}

static void
set_our_crypto(struct sdp_media_out *mo)
{
	mo->crypto[0].tag = 1;
	mo->crypto[0].suite = "AES_CM_128_HMAC_SHA1_80";
	mo->crypto[0].key_params = OUR_KEY;
	mo->ncrypto = 1;
}

/* Write and compare with the expected body (given with LF). */
static void
write_expect(const struct sdp *s, const struct sdp_out *o, const char *lf)
{
	static char	want[8192];
	long		n;

	to_crlf(lf, want, sizeof(want));
	n = sdp_write(s, o, out, sizeof(out));
	assert_string_equal(out, want);
	assert_int_equal(n, (long)strlen(want));
}

static void
write_ok(const struct sdp *s, const struct sdp_out *o)
{
	long n = sdp_write(s, o, out, sizeof(out));

	assert_true(n > 0);
	assert_int_equal((size_t)n, strlen(out));
}

static void
test_3cx_offer(void **state)
{
	struct sdp		*s = parse(&p1, sdp_3cx);
	const struct sdp_media	*m = &s->media[0];
	struct sdp_out		 o;
	static const int	 pts[] = { 0, 101 };

	(void)state;
	assert_string_equal(s->o_user, "3cxPS");
	assert_string_equal(s->o_sess_id, "73007284224");
	assert_true(s->o_version == 12321616385ULL);
	assert_string_equal(s->o_addr, "192.168.1.10");
	assert_string_equal(s->c_addr, "192.168.1.10");
	assert_int_equal(s->nmedia, 1);
	assert_string_equal(m->type, "audio");
	assert_int_equal(m->port, 9000);
	assert_string_equal(m->proto, "RTP/AVP");
	assert_int_equal(m->nfmt, 5);
	assert_string_equal(m->fmt[2].encoding, "G722");
	assert_int_equal(m->fmt[4].pt, 101);
	assert_string_equal(m->fmt[4].encoding, "telephone-event");
	assert_int_equal(m->fmt[4].clock, 8000);
	assert_int_equal(m->fmt[4].channels, 1);
	assert_string_equal(m->addr, "192.168.1.10");
	assert_int_equal(m->family, AF_INET);
	assert_int_equal(m->dir, SDP_DIR_SENDRECV);
	assert_int_equal(m->rtcp_port, 0);
	assert_int_equal(m->ptime, 0);
	assert_int_equal(m->ncrypto, 0);
	assert_false(m->ice || m->dtls || m->rtcp_mux);
	assert_int_equal(m->first_line, 5);
	assert_int_equal(m->end_line, s->nlines);

	/* toward Chime: PCMU and DTMF only, SRTP with our key, RTCP added */
	out_init(&o, s, "203.0.113.5", AF_INET);
	o.media[0].port = 30000;
	o.media[0].proto = "RTP/SAVP";
	set_pts(&o.media[0], pts, 2);
	set_our_crypto(&o.media[0]);
	write_expect(s, &o,
	    "v=0\n"
	    "o=3cxPS 73007284224 12321616386 IN IP4 203.0.113.5\n"
	    "s=3cxPS Audio call\n"
	    "c=IN IP4 203.0.113.5\n"
	    "t=0 0\n"
	    "m=audio 30000 RTP/SAVP 0 101\n"
	    "c=IN IP4 203.0.113.5\n"
	    "a=rtpmap:0 PCMU/8000\n"
	    "a=rtpmap:101 telephone-event/8000\n"
	    "a=fmtp:101 0-16\n"
	    "a=sendrecv\n"
	    "a=rtcp:30001\n"
	    "a=crypto:1 AES_CM_128_HMAC_SHA1_80 " OUR_KEY "\n");
}

static void
test_chime_srtp_offer(void **state)
{
	struct sdp		*s = parse(&p1, sdp_chime_srtp);
	const struct sdp_media	*m = &s->media[0];
	struct sdp_out		 o;

	(void)state;
	assert_string_equal(s->o_user, "Sonus_UAC");
	assert_int_equal(m->port, 36488);
	assert_string_equal(m->proto, "RTP/SAVP");
	assert_int_equal(m->nfmt, 2);
	assert_int_equal(m->rtcp_port, 36489);
	assert_int_equal(m->ptime, 20);
	assert_string_equal(m->addr, "52.55.62.60");
	assert_int_equal(m->ncrypto, 2);
	assert_int_equal(m->crypto[0].tag, 1);
	assert_string_equal(m->crypto[0].suite, "AES_CM_128_HMAC_SHA1_80");
	assert_string_equal(m->crypto[0].key_params, CHIME_KEY1);
	assert_string_equal(m->crypto[0].session_params, "");
	assert_int_equal(m->crypto[0].nkeys, 1);
	assert_int_equal(m->crypto[1].tag, 2);
	assert_string_equal(m->crypto[1].suite, "AES_CM_128_HMAC_SHA1_32");
	assert_string_equal(m->crypto[1].key_params, CHIME_KEY2);

	/* toward the PBX: plain RTP, the peer's codecs, no key crosses */
	out_init(&o, s, "10.0.0.1", AF_INET);
	o.media[0].proto = "RTP/AVP";
	write_expect(s, &o,
	    "v=0\n"
	    "o=Sonus_UAC 197837 293473 IN IP4 10.0.0.1\n"
	    "s=SIP Media Capabilities\n"
	    "c=IN IP4 10.0.0.1\n"
	    "t=0 0\n"
	    "m=audio 20000 RTP/AVP 0 101\n"
	    "a=rtpmap:0 PCMU/8000\n"
	    "a=rtpmap:101 telephone-event/8000\n"
	    "a=fmtp:101 0-15\n"
	    "a=sendrecv\n"
	    "a=rtcp:20001\n"
	    "a=ptime:20\n");

	/* SRTP both sides: ours where the peer's first line was, own o= ids */
	o.media[0].proto = NULL;
	o.o_user = "sbcd";
	o.o_sess_id = "42";
	set_our_crypto(&o.media[0]);
	write_expect(s, &o,
	    "v=0\n"
	    "o=sbcd 42 293473 IN IP4 10.0.0.1\n"
	    "s=SIP Media Capabilities\n"
	    "c=IN IP4 10.0.0.1\n"
	    "t=0 0\n"
	    "m=audio 20000 RTP/SAVP 0 101\n"
	    "a=crypto:1 AES_CM_128_HMAC_SHA1_80 " OUR_KEY "\n"
	    "a=rtpmap:0 PCMU/8000\n"
	    "a=rtpmap:101 telephone-event/8000\n"
	    "a=fmtp:101 0-15\n"
	    "a=sendrecv\n"
	    "a=rtcp:20001\n"
	    "a=ptime:20\n");
}

/* CRLF and LF give the same reading; the output is CRLF either way. */
static void
test_chime_plain_lf(void **state)
{
	struct sdp_out o;

	(void)state;
	assert_int_equal(try_parse(&p1, sdp_chime_plain, 0), 0);
	assert_int_equal(try_parse(&p2, sdp_chime_plain, 1), 0);
	assert_int_equal(p1.s.nlines, p2.s.nlines);
	assert_memory_equal(p1.s.media, p2.s.media, sizeof(p1.s.media));
	assert_string_equal(p2.s.o_addr, "52.55.62.60");
	assert_int_equal(p2.s.media[0].rtcp_port, 36489);
	assert_int_equal(p2.s.media[0].ncrypto, 0);
	out_init(&o, &p2.s, "10.0.0.1", AF_INET);
	write_ok(&p2.s, &o);
	assert_non_null(strstr(out, "a=rtcp:20001\r\na=ptime:20\r\n"));
	for (const char *q = strchr(out, '\n'); q != NULL; q = strchr(q + 1, '\n'))
		assert_true(q > out && q[-1] == '\r');
}

static void
test_hold(void **state)
{
	struct sdp	*s = parse(&p1, sdp_hold);
	struct sdp_out	 o;

	(void)state;
	assert_int_equal(s->media[0].dir, SDP_DIR_SENDONLY);
	assert_string_equal(sdp_dir_str(s->media[0].dir), "sendonly");
	out_init(&o, s, "10.0.0.1", AF_INET);
	write_ok(s, &o);
	assert_non_null(strstr(out, "a=rtpmap:101 telephone-event/8000\r\na=sendonly\r\na=rtcp:20001\r\n"));

	/* old-style hold keeps its meaning, in the family we write */
	s = parse(&p2, sdp_hold0);
	assert_string_equal(s->c_addr, "0.0.0.0");
	assert_string_equal(s->media[0].addr, "0.0.0.0");
	out_init(&o, s, "10.0.0.1", AF_INET);
	write_ok(s, &o);
	assert_non_null(strstr(out, "o=- 1 3 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 0.0.0.0\r\n"));
	o.addr = "2001:db8::5";
	o.family = AF_INET6;
	write_ok(s, &o);
	assert_non_null(strstr(out, "o=- 1 3 IN IP6 2001:db8::5\r\ns=-\r\nc=IN IP6 ::\r\n"));
}

/* Direction: session level is the default, media level overrides it. */
static void
test_direction_levels(void **state)
{
	struct sdp *s = parse(&p1,
	    "v=0\no=- 1 1 IN IP4 10.1.1.1\ns=-\nc=IN IP4 10.1.1.1\nt=0 0\na=recvonly\na=ptime:30\n"
	    "m=audio 4000 RTP/AVP 0\n"
	    "m=audio 4002 RTP/AVP 8\na=inactive\na=ptime:20\n"
	    "m=audio 4004 RTP/AVP 9\na=sendrecv\n");

	(void)state;
	assert_int_equal(s->nmedia, 3);
	assert_int_equal(s->media[0].dir, SDP_DIR_RECVONLY);
	assert_int_equal(s->media[1].dir, SDP_DIR_INACTIVE);
	assert_int_equal(s->media[2].dir, SDP_DIR_SENDRECV);
	assert_int_equal(s->media[0].ptime, 30);
	assert_int_equal(s->media[1].ptime, 20);
	assert_string_equal(sdp_dir_str(SDP_DIR_RECVONLY), "recvonly");
	assert_string_equal(sdp_dir_str(SDP_DIR_INACTIVE), "inactive");
	assert_string_equal(sdp_dir_str(SDP_DIR_SENDRECV), "sendrecv");
}

static void
test_webrtc(void **state)
{
	struct sdp		*s = parse(&p1, sdp_webrtc);
	const struct sdp_media	*m = &s->media[0];
	struct sdp_out		 o;
	static const int	 pts[] = { 0, 126 };

	(void)state;
	assert_string_equal(s->o_sess_id, "4611731400430051336");
	assert_string_equal(s->o_addr, "2001:db8::1");
	assert_string_equal(s->c_addr, "");
	assert_string_equal(m->proto, "UDP/TLS/RTP/SAVPF");
	assert_string_equal(m->addr, "2001:db8::1");
	assert_int_equal(m->family, AF_INET6);
	assert_int_equal(m->rtcp_port, 9);
	assert_true(m->ice && m->dtls && m->rtcp_mux);
	assert_string_equal(m->fmt[0].encoding, "opus");
	assert_int_equal(m->fmt[0].clock, 48000);
	assert_int_equal(m->fmt[0].channels, 2);
	assert_int_equal(sdp_find_pt(m, "OPUS", 48000), 111);
	assert_int_equal(sdp_find_pt(m, "telephone-event", 8000), 126);

	/* toward a SIP trunk: plain RTP over IPv4, nothing of the browser's transport */
	out_init(&o, s, "10.0.0.1", AF_INET);
	o.media[0].proto = "RTP/AVP";
	set_pts(&o.media[0], pts, 2);
	o.media[0].strip_ice = o.media[0].strip_dtls = o.media[0].strip_rtcp_mux = 1;
	write_expect(s, &o,
	    "v=0\n"
	    "o=- 4611731400430051336 3 IN IP4 10.0.0.1\n"
	    "s=-\n"
	    "t=0 0\n"
	    "a=group:BUNDLE 0\n"
	    "a=msid-semantic: WMS\n"
	    "m=audio 20000 RTP/AVP 0 126\n"
	    "c=IN IP4 10.0.0.1\n"
	    "a=rtcp:20001 IN IP4 10.0.0.1\n"
	    "a=mid:0\n"
	    "a=sendrecv\n"
	    "a=rtpmap:0 PCMU/8000\n"
	    "a=rtpmap:126 telephone-event/8000\n"
	    "a=rtcp-fb:* nack\n");

	/* not asked to strip: ICE and DTLS lines pass, at both levels */
	o.media[0].strip_ice = o.media[0].strip_dtls = o.media[0].strip_rtcp_mux = 0;
	o.media[0].npts = 0;
	o.addr = "2001:db8::5";
	o.family = AF_INET6;
	write_ok(s, &o);
	assert_non_null(strstr(out, "a=ice-options:trickle\r\na=fingerprint:sha-256 4A:AD"));
	assert_non_null(strstr(out, "m=audio 20000 RTP/AVP 111 0 126\r\nc=IN IP6 2001:db8::5\r\n"
	    "a=rtcp:20001 IN IP6 2001:db8::5\r\na=candidate:1467250027 1 udp"));
	assert_non_null(strstr(out, "a=setup:actpass\r\na=tls-id:1\r\n"));
	assert_non_null(strstr(out, "a=rtcp-mux\r\na=rtpmap:111 opus/48000/2\r\na=rtcp-fb:111"));
}

static void
test_bandwidth_survives(void **state)
{
	struct sdp	*s = parse(&p1, sdp_bw);
	struct sdp_out	 o;

	(void)state;
	out_init(&o, s, "10.0.0.1", AF_INET);
	write_ok(s, &o);
	assert_non_null(strstr(out, "c=IN IP4 10.0.0.1\r\nb=AS:84\r\nb=CT:1000\r\nt=0 0\r\n"));
	assert_non_null(strstr(out, "m=audio 20000 RTP/AVP 0 8\r\nb=AS:64\r\nb=TIAS:64000\r\n"
	    "b=RR:0\r\nb=RS:0\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\na=recvonly\r\n"));
	assert_int_equal(s->media[0].dir, SDP_DIR_RECVONLY);
}

static void
test_video_rejected(void **state)
{
	struct sdp		*s = parse(&p1, sdp_av);
	struct sdp_out		 o;
	static const int	 pts[] = { 0, 101 };

	(void)state;
	assert_int_equal(s->nmedia, 2);
	assert_int_equal(s->media[0].end_line, s->media[1].first_line);
	assert_string_equal(s->media[1].type, "video");
	assert_int_equal(s->media[1].fmt[0].pt, 96);
	assert_string_equal(s->media[1].fmt[0].encoding, "H264");
	assert_int_equal(s->media[1].fmt[0].clock, 90000);
	assert_int_equal(s->media[1].fmt[0].channels, 0);
	assert_int_equal(s->media[0].dir, SDP_DIR_SENDRECV);
	assert_int_equal(s->media[1].dir, SDP_DIR_INACTIVE);
	assert_int_equal(s->media[1].ncrypto, 1);

	out_init(&o, s, "10.0.0.1", AF_INET);
	set_pts(&o.media[0], pts, 2);
	o.media[1].keep = 0;
	set_our_crypto(&o.media[1]);	/* ignored: nothing is keyed on a rejected stream */
	write_expect(s, &o,
	    "v=0\n"
	    "o=- 7 8 IN IP4 10.0.0.1\n"
	    "s=-\n"
	    "c=IN IP4 10.0.0.1\n"
	    "t=0 0\n"
	    "m=audio 20000 RTP/AVP 0 101\n"
	    "a=rtpmap:101 telephone-event/8000\n"
	    "a=fmtp:101 0-15\n"
	    "a=rtcp:20001\n"
	    "m=video 0 RTP/AVP 96 97\n"
	    "b=AS:512\n"
	    "a=rtpmap:96 H264/90000\n"
	    "a=fmtp:96 profile-level-id=42e01f\n"
	    "a=rtpmap:97 VP8/90000\n"
	    "a=inactive\n");

	/* the answer rejecting it has no address for it, and needs none */
	s = parse(&p2, "v=0\no=- 1 1 IN IP4 10.1.1.1\ns=-\nt=0 0\nm=audio 4000 RTP/AVP 0\n"
	    "c=IN IP4 10.1.1.1\nm=video 0 RTP/AVP 96\n");
	assert_int_equal(s->media[1].port, 0);
	assert_string_equal(s->media[1].addr, "");
}

static void
test_unknown_lines_survive(void **state)
{
	struct sdp	*s = parse(&p1, sdp_unknown);
	struct sdp_out	 o;

	(void)state;
	out_init(&o, s, "10.0.0.1", AF_INET);
	write_expect(s, &o,
	    "v=0\n"
	    "o=- 1 2 IN IP4 10.0.0.1\n"
	    "s=-\n"
	    UNKNOWN_LINES
	    "c=IN IP4 10.0.0.1\n"
	    UNKNOWN_LINES2
	    "m=audio 20000 RTP/AVP 0\n"
	    UNKNOWN_LINES3
	    "a=rtcp:20001\n");
}

/* Lines that have no business at session level do not leak through it. */
static void
test_session_level_oddities(void **state)
{
	struct sdp	*s = parse(&p1, "v=0\no=- 1 1 IN IP4 10.1.1.1\ns=-\nt=0 0\n"
	    "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:PEERKEYPEERKEY\na=rtcp:4001\n"
	    "m=audio 0 RTP/AVP 0\nm=audio 4000 RTP/AVP 8\nc=IN IP4 10.1.1.1\n");
	struct sdp_out	 o;

	(void)state;
	assert_int_equal(s->media[0].ncrypto, 0);
	assert_int_equal(s->media[0].rtcp_port, 0);
	assert_string_equal(s->media[0].addr, "");
	/* the disabled first stream is enabled: it needs an address */
	out_init(&o, s, "10.0.0.1", AF_INET);
	write_expect(s, &o,
	    "v=0\n"
	    "o=- 1 2 IN IP4 10.0.0.1\n"
	    "s=-\n"
	    "t=0 0\n"
	    "m=audio 20000 RTP/AVP 0\n"
	    "c=IN IP4 10.0.0.1\n"
	    "a=rtcp:20001\n"
	    "m=audio 20002 RTP/AVP 8\n"
	    "c=IN IP4 10.0.0.1\n"
	    "a=rtcp:20003\n");
}

/* Formats that are not RTP payload types (T.38) are kept by name. */
static void
test_t38(void **state)
{
	struct sdp	*s = parse(&p1, "v=0\no=- 1 1 IN IP4 10.1.1.1\ns=-\nc=IN IP4 10.1.1.1\n"
	    "t=0 0\nm=image 4000 udptl t38\na=T38FaxVersion:0\na=T38FaxRateManagement:transferredTCF\n");
	struct sdp_out	 o;

	(void)state;
	assert_int_equal(s->media[0].nfmt, 1);
	assert_int_equal(s->media[0].fmt[0].pt, -1);
	assert_string_equal(s->media[0].fmt[0].encoding, "t38");
	assert_int_equal(sdp_find_pt(&s->media[0], "t38", 0), -1);
	out_init(&o, s, "10.0.0.1", AF_INET);
	write_ok(s, &o);
	assert_non_null(strstr(out, "m=image 20000 udptl t38\r\na=T38FaxVersion:0\r\n"
	    "a=T38FaxRateManagement:transferredTCF\r\n"));
	assert_null(strstr(out, "a=rtcp"));	/* only audio gets one added */
}

static void
test_crypto_mki(void **state)
{
	struct sdp		*s = parse(&p1, sdp_mki);
	const struct sdp_media	*m = &s->media[0];

	(void)state;
	assert_int_equal(m->ncrypto, 3);
	assert_int_equal(m->crypto[0].nkeys, 2);
	assert_string_equal(m->crypto[0].key_params, MKI_KEY1);
	assert_string_equal(m->crypto[0].session_params, "FEC_ORDER=FEC_SRTP UNENCRYPTED_SRTCP");
	assert_int_equal(m->crypto[1].tag, 2);
	assert_string_equal(m->crypto[1].suite, "AES_256_CM_HMAC_SHA1_80");
	assert_int_equal(m->crypto[1].nkeys, 1);
	assert_string_equal(m->crypto[1].session_params, "");
	assert_int_equal(m->crypto[2].tag, 3);
	assert_string_equal(m->crypto[2].key_params, "inline:KEY3KEY3KEY3");
}

static void
test_find_pt(void **state)
{
	struct sdp		*s = parse(&p1, "v=0\no=- 1 1 IN IP4 10.1.1.1\ns=-\nc=IN IP4 10.1.1.1\n"
	    "t=0 0\nm=audio 4000 RTP/AVP 0 3 4 8 9 18 13 96\n");
	const struct sdp_media	*m = &s->media[0];

	(void)state;
	assert_int_equal(sdp_find_pt(m, "PCMU", 8000), 0);
	assert_int_equal(sdp_find_pt(m, "gsm", 8000), 3);
	assert_int_equal(sdp_find_pt(m, "G723", 0), 4);
	assert_int_equal(sdp_find_pt(m, "pcma", 8000), 8);
	assert_int_equal(sdp_find_pt(m, "G722", 8000), 9);
	assert_int_equal(sdp_find_pt(m, "g729", 0), 18);
	assert_int_equal(sdp_find_pt(m, "CN", 8000), 13);
	assert_int_equal(sdp_find_pt(m, "PCMU", 16000), -1);
	assert_int_equal(sdp_find_pt(m, "telephone-event", 8000), -1);
	assert_int_equal(sdp_find_pt(m, NULL, 0), -1);
	assert_int_equal(sdp_find_pt(NULL, "PCMU", 0), -1);
	assert_string_equal(m->fmt[7].encoding, "");	/* dynamic, no rtpmap */
	assert_int_equal(m->fmt[7].clock, 0);
}

/* What sdp_write says is what sdp_parse reads back. */
static void
test_round_trip(void **state)
{
	struct sdp		*s = parse(&p1, sdp_chime_srtp), *r;
	const struct sdp_media	*m;
	struct sdp_out		 o;
	static const int	 pts[] = { 101, 0 };

	(void)state;
	out_init(&o, s, "198.51.100.7", AF_INET);
	set_pts(&o.media[0], pts, 2);
	set_our_crypto(&o.media[0]);
	write_ok(s, &o);
	assert_true(strlen(out) < sizeof(p2.body));
	strcpy(p2.body, out);
	assert_int_equal(sdp_parse(p2.body, strlen(p2.body), &p2.s), 0);
	r = &p2.s;
	m = &r->media[0];
	assert_string_equal(r->o_user, s->o_user);
	assert_string_equal(r->o_sess_id, s->o_sess_id);
	assert_true(r->o_version == s->o_version + 1);
	assert_string_equal(r->o_addr, "198.51.100.7");
	assert_string_equal(r->c_addr, "198.51.100.7");
	assert_int_equal(r->nmedia, 1);
	assert_int_equal(m->port, 20000);
	assert_int_equal(m->rtcp_port, 20001);
	assert_string_equal(m->proto, "RTP/SAVP");
	assert_int_equal(m->nfmt, 2);
	assert_memory_equal(&m->fmt[0], &s->media[0].fmt[1], sizeof(m->fmt[0]));
	assert_memory_equal(&m->fmt[1], &s->media[0].fmt[0], sizeof(m->fmt[0]));
	assert_int_equal(m->ptime, 20);
	assert_int_equal(m->dir, SDP_DIR_SENDRECV);
	assert_int_equal(m->ncrypto, 1);
	assert_string_equal(m->crypto[0].key_params, OUR_KEY);
	assert_int_equal(r->nlines, s->nlines - 1);	/* two crypto lines became one */
}

static void
test_small_buffer(void **state)
{
	struct sdp	*s = parse(&p1, sdp_3cx);
	struct sdp_out	 o;
	char		 small[64];
	long		 n;

	(void)state;
	out_init(&o, s, "10.0.0.1", AF_INET);
	n = sdp_write(s, &o, out, sizeof(out));
	assert_true(n > 0);
	assert_int_equal(sdp_write(s, &o, small, sizeof(small)), -1);
	assert_true(strlen(small) < sizeof(small));
	assert_int_equal(sdp_write(s, &o, out, (size_t)n), -1);
	assert_int_equal(sdp_write(s, &o, out, (size_t)n + 1), n);
	assert_int_equal(sdp_write(s, &o, out, 0), -1);
	o.addr = NULL;
	assert_int_equal(sdp_write(s, &o, out, sizeof(out)), -1);
}

#define HDR "v=0\no=- 1 1 IN IP4 10.1.1.1\ns=-\nc=IN IP4 10.1.1.1\nt=0 0\n"
#define AUD "m=audio 4000 RTP/AVP 0\n"

static void
expect_einval(const char *lf)
{
	if (try_parse(&p1, lf, 0) != EINVAL)
		fail_msg("accepted: %s", lf);
	assert_int_equal(p1.s.nmedia, 0);
	assert_int_equal(p1.s.nlines, 0);
}

static void
test_malformed(void **state)
{
	static const char *const bad[] = {
		"",
		"\n\n",
		"o=- 1 1 IN IP4 10.1.1.1\ns=-\nc=IN IP4 10.1.1.1\nt=0 0\n" AUD,
		"v=1\no=- 1 1 IN IP4 10.1.1.1\ns=-\nc=IN IP4 10.1.1.1\nt=0 0\n" AUD,
		"v=0\ns=-\nc=IN IP4 10.1.1.1\nt=0 0\n" AUD,
		HDR "v=0\n" AUD,
		HDR "o=- 2 2 IN IP4 10.1.1.1\n" AUD,
		HDR AUD "o=- 2 2 IN IP4 10.1.1.1\n",
		HDR "m=audio abc RTP/AVP 0\n",
		HDR "m=audio 4000 RTP/AVP\n",
		HDR "m=audio 4000 RTP/AVP \n",
		HDR "m=audio 70000 RTP/AVP 0\n",
		HDR "m=audio 4000 RTP/AVP x\n",
		HDR "m=audio 4000 RTP/AVP 128\n",
		HDR "m=audio 4000 RTP/AVP -1\n",
		HDR "m=audio 4000/x RTP/AVP 0\n",
		HDR "m=audio\n",
		HDR "m=\n",
		HDR "m=audio 99999999999999999999999 RTP/AVP 0\n",
		"v=0\no=- 1 1 IN IP4 10.1.1.1\ns=-\nt=0 0\n" AUD,
		"v=0\no=- 1 1 IN IP4 10.1.1.1\ns=-\nt=0 0\n" AUD "c=IN IP4\n",
		"v=0\no=- 1 1 IN IP4 10.1.1.1\ns=-\nc=IN IPX 10.1.1.1\nt=0 0\n" AUD,
		"v=0\no=- 1 1 IN IP4 10.1.1.1\ns=-\nc=ATM IP4 10.1.1.1\nt=0 0\n" AUD,
		"v=0\no=- 1\ns=-\nc=IN IP4 10.1.1.1\nt=0 0\n" AUD,
		"v=0\no=- 1 18446744073709551616 IN IP4 10.1.1.1\ns=-\nc=IN IP4 10.1.1.1\n" AUD,
		"v=0\no=- 1 x IN IP4 10.1.1.1\ns=-\nc=IN IP4 10.1.1.1\n" AUD,
		"v=0\no=0123456789012345678901234567890123456789012345678901234567890123 1 1 IN IP4 1.1.1.1\n"
		    "c=IN IP4 10.1.1.1\n" AUD,
		"v=0\no=- 1 1 IN IP4 10.1.1.1\nc=IN IP4 "
		    "1111111111222222222233333333334444444444555555555566666666667777\n" AUD,
		HDR AUD "a=rtpmap:0\n",
		HDR AUD "a=rtpmap:0 PCMU/x\n",
		HDR AUD "a=rtpmap:0 /8000\n",
		HDR AUD "a=rtpmap:0 PCMU/8000/x\n",
		HDR AUD "a=rtpmap:200 PCMU/8000\n",
		HDR AUD "a=rtpmap:0 ABCDEFGHIJABCDEFGHIJABCDEFGHIJAB/8000\n",
		HDR AUD "a=crypto:1 AES\n",
		HDR AUD "a=crypto:1 AES_CM_128_HMAC_SHA1_80\n",
		HDR AUD "a=crypto:x AES_CM_128_HMAC_SHA1_80 inline:abc\n",
		HDR AUD "a=crypto:1 AES_CM_128_HMAC_SHA1_80 key:abc\n",
		HDR AUD "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:\n",
		HDR AUD "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:a;;inline:b\n",
		HDR AUD "a=crypto:\n",
		HDR AUD "a=rtcp:abc\n",
		HDR AUD "a=rtcp:\n",
		HDR AUD "a=rtcp:5001 IN\n",
		HDR AUD "a=rtcp:5001 IN IP9 1.2.3.4\n",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		expect_einval(bad[i]);
	assert_int_equal(sdp_parse(NULL, 0, &p1.s), EINVAL);
	assert_int_equal(sdp_parse("v=0", 3, NULL), EINVAL);
}

/* NUL bytes, a CR alone, and bodies past every bound. */
/* An rtpmap without a clock rate (RFC 4475 esc01 has "a=rtpmap:31 LPC") is
 * ignored, not a reason to refuse the offer: a static type keeps its name. */
static void
test_rtpmap_without_clock(void **state)
{
	struct sdp *s = parse(&p1, HDR AUD "a=rtpmap:0 PCMU\n"
	    "m=video 3227 RTP/AVP 31 96\na=rtpmap:31 LPC\na=rtpmap:96 H264\n");

	(void)state;
	assert_int_equal(s->nmedia, 2);
	assert_string_equal(s->media[0].fmt[0].encoding, "PCMU");
	assert_int_equal(s->media[0].fmt[0].clock, 8000);
	assert_string_equal(s->media[1].fmt[1].encoding, "");
	assert_int_equal(s->media[1].fmt[1].clock, 0);
}

static void
test_malformed_bytes_and_bounds(void **state)
{
	static const char	nul[] = HDR "m=audio 4000 RTP/AVP 0\0 8\n";
	static const char	nul_end[] = HDR AUD "\0";
	static char		big[32768];
	size_t			n;

	(void)state;
	assert_int_equal(sdp_parse(nul, sizeof(nul) - 1, &p1.s), EINVAL);
	assert_int_equal(sdp_parse(nul_end, sizeof(nul_end) - 1, &p1.s), EINVAL);
	expect_einval(HDR "m=audio 4000 RTP/AVP 0\rx\n");
	assert_int_equal(try_parse(&p1, HDR AUD, 1), 0);	/* without its CRLF */

	/* nine media (one more than SDP_MAX_MEDIA) */
	n = (size_t)snprintf(big, sizeof(big), HDR);
	for (int i = 0; i < SDP_MAX_MEDIA + 1; i++)
		n += (size_t)snprintf(big + n, sizeof(big) - n, "m=audio %d RTP/AVP 0\n", 4000 + 2 * i);
	assert_int_equal(sdp_parse(big, n, &p1.s), EINVAL);
	big[strrchr(big, 'm') - big] = '\0';
	assert_int_equal(sdp_parse(big, strlen(big), &p1.s), 0);
	assert_int_equal(p1.s.nmedia, SDP_MAX_MEDIA);

	/* a payload list of 33 */
	n = (size_t)snprintf(big, sizeof(big), HDR "m=audio 4000 RTP/AVP");
	for (int i = 0; i < SDP_MAX_FMT + 1; i++)
		n += (size_t)snprintf(big + n, sizeof(big) - n, " %d", 96 + i);
	assert_int_equal(sdp_parse(big, n, &p1.s), EINVAL);
	*strrchr(big, ' ') = '\0';
	assert_int_equal(sdp_parse(big, strlen(big), &p1.s), 0);
	assert_int_equal(p1.s.media[0].nfmt, SDP_MAX_FMT);

	/* more lines than the table has */
	n = (size_t)snprintf(big, sizeof(big), HDR AUD);
	for (int i = 0; i < SDP_MAX_LINES; i++)
		n += (size_t)snprintf(big + n, sizeof(big) - n, "a=x-%d\n", i);
	assert_int_equal(sdp_parse(big, n, &p1.s), EINVAL);

	/* nine crypto lines */
	n = (size_t)snprintf(big, sizeof(big), HDR "m=audio 4000 RTP/SAVP 0\n");
	for (int i = 0; i < SDP_MAX_CRYPTO + 1; i++)
		n += (size_t)snprintf(big + n, sizeof(big) - n,
		    "a=crypto:%d AES_CM_128_HMAC_SHA1_80 inline:abcd\n", i + 1);
	assert_int_equal(sdp_parse(big, n, &p1.s), EINVAL);
}

/* Parse every prefix and many one-byte mutations of every sample: EINVAL
 * or a reading that writes, and whose output reads back. */
static void
check_mutant(const char *b, size_t len)
{
	static struct sdp	s, r;
	static char		buf[16384], small[100];
	struct sdp_out		o;
	int			err = sdp_parse(b, len, &s);
	long			n;

	assert_true(err == 0 || err == EINVAL);
	if (err)
		return;
	out_init(&o, &s, "2001:db8::99", AF_INET6);
	o.media[0].keep = 0;
	n = sdp_write(&s, &o, buf, sizeof(buf));
	assert_true(n > 0 && (size_t)n == strlen(buf));
	assert_int_equal(sdp_parse(buf, (size_t)n, &r), 0);
	assert_int_equal(r.nmedia, s.nmedia);
	assert_true(sdp_write(&s, &o, small, sizeof(small)) >= -1);
}

static void
test_mutations(void **state)
{
	static const char *const samples[] = {
		sdp_3cx, sdp_chime_srtp, sdp_chime_plain, sdp_hold0, sdp_webrtc,
		sdp_bw, sdp_av, sdp_unknown, sdp_mki,
	};
	static const char	 subst[] = { '\0', '\r', '\n', ' ', '/', ':', ';', '0', '9', 'x', '=', 'm' };
	static char		 b[8192];

	(void)state;
	for (size_t k = 0; k < sizeof(samples) / sizeof(samples[0]); k++) {
		size_t len;

		to_crlf(samples[k], b, sizeof(b));
		len = strlen(b);
		for (size_t n = 0; n <= len; n++)
			check_mutant(b, n);
		for (size_t i = 0; i < len; i++) {
			char c = b[i];

			for (size_t j = 0; j < sizeof(subst); j++) {
				b[i] = subst[j];
				check_mutant(b, len);
			}
			b[i] = c;
		}
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_3cx_offer),
		cmocka_unit_test(test_chime_srtp_offer),
		cmocka_unit_test(test_chime_plain_lf),
		cmocka_unit_test(test_hold),
		cmocka_unit_test(test_direction_levels),
		cmocka_unit_test(test_webrtc),
		cmocka_unit_test(test_bandwidth_survives),
		cmocka_unit_test(test_video_rejected),
		cmocka_unit_test(test_unknown_lines_survive),
		cmocka_unit_test(test_session_level_oddities),
		cmocka_unit_test(test_t38),
		cmocka_unit_test(test_crypto_mki),
		cmocka_unit_test(test_find_pt),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_small_buffer),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_rtpmap_without_clock),
		cmocka_unit_test(test_malformed_bytes_and_bounds),
		cmocka_unit_test(test_mutations),
	};

	return cmocka_run_group_tests_name("sdp", tests, NULL, NULL);
}
