/* sdp.h: line-by-line SDP reading and rewriting for the media anchor. */
#ifndef SBCD_SDP_H
#define SBCD_SDP_H

#include <stddef.h>

/*
 * sofia's SDP printer corrupts b=RR/RS/TIAS and reorders direction
 * attributes, so sbcd never prints SDP with it.  sdp_parse reads what the
 * anchor needs from a body and remembers every line; sdp_write prints the
 * body again line by line, changing only o= (address, version), c=, the
 * port and profile of each m=, a=rtcp, a=crypto and the payload list and
 * rtpmap/fmtp lines of each m= (codec filtering), and dropping ICE and DTLS
 * lines when asked.  Every other line is copied verbatim, in order.
 *
 * Both are pure: no allocation outside the caller's buffers, bounded
 * arrays, malformed input rejected with EINVAL (never a crash).
 */

#define SDP_MAX_MEDIA	8
#define SDP_MAX_FMT	32
#define SDP_MAX_CRYPTO	8
#define SDP_MAX_LINES	256

enum sdp_dir {
	SDP_DIR_SENDRECV = 0,	/* also when no attribute is given */
	SDP_DIR_SENDONLY,
	SDP_DIR_RECVONLY,
	SDP_DIR_INACTIVE,
};

/* One a=crypto line (RFC 4568). */
struct sdp_crypto {
	unsigned	 tag;
	char		 suite[48];	/* as written, e.g. AES_CM_128_HMAC_SHA1_80 */
	char		 key_params[256];	/* "inline:<base64>[|lifetime][|MKI:len]", first key only */
	char		 session_params[128];	/* the rest of the line, may be empty */
	int		 nkeys;	/* key params given (more than one: MKI in use) */
};

/* One payload format of an m= line. */
struct sdp_fmt {
	int		 pt;	/* payload type number; -1 for a format of a non-RTP proto (T.38 "t38") */
	char		 encoding[32];	/* from a=rtpmap, or the static name (PCMU 0, PCMA 8, G722 9, G729 18);
				   the format itself when pt is -1; "" for a dynamic pt without rtpmap */
	unsigned	 clock;	/* clock rate, 0 when unknown */
	unsigned	 channels;
};

struct sdp_media {
	char		 type[16];	/* "audio", "video", ... */
	unsigned	 port;	/* 0: rejected or disabled stream */
	char		 proto[32];	/* "RTP/AVP", "RTP/SAVP", "UDP/TLS/RTP/SAVPF", ... */
	struct sdp_fmt	 fmt[SDP_MAX_FMT];
	size_t		 nfmt;
	char		 addr[64];	/* c= of the media, else of the session; "" when none */
	int		 family;	/* AF_INET or AF_INET6 of addr */
	unsigned	 rtcp_port;	/* a=rtcp port, 0 when absent */
	enum sdp_dir	 dir;	/* the media's own, else the session's */
	unsigned	 ptime;	/* a=ptime, 0 when absent (media level, else session level) */
	struct sdp_crypto crypto[SDP_MAX_CRYPTO];
	size_t		 ncrypto;
	int		 ice;	/* has ICE attributes (candidate, ice-ufrag, ...), here or at session level */
	int		 dtls;	/* has a=fingerprint / a=setup / a=tls-id, here or at session level */
	int		 rtcp_mux;
	/* where the m= section's lines are in struct sdp's line table */
	size_t		 first_line, end_line;
};

struct sdp_line {
	const char	*p;	/* into the buffer given to sdp_parse; not terminated */
	size_t		 len;	/* without the line end */
};

struct sdp {
	char		 o_user[64];
	char		 o_sess_id[32];
	unsigned long long o_version;
	char		 o_addr[64];
	char		 c_addr[64];	/* session-level c=, "" when none */
	struct sdp_media media[SDP_MAX_MEDIA];
	size_t		 nmedia;
	struct sdp_line	 lines[SDP_MAX_LINES];
	size_t		 nlines;
};

/* Parse body (len bytes, CRLF or LF lines) into *s, which keeps pointers
 * into body.  0 or EINVAL (no v=0, no o=, an m= line that does not parse,
 * more than the maxima, a connection address missing for a media line with
 * a non-zero port). */
int sdp_parse(const char *body, size_t len, struct sdp *s);

/* What to write for one m= section. */
struct sdp_media_out {
	int		 keep;	/* 0: write this m= with port 0 and the peer's payload list,
			   without a=rtcp, a=crypto, ICE, DTLS or a=rtcp-mux */
	unsigned	 port;	/* our RTP port; RTCP is port + 1 */
	const char	*proto;	/* e.g. "RTP/AVP" or "RTP/SAVP"; NULL: the peer's */
	int		 pts[SDP_MAX_FMT];	/* payload types to keep, in this order (npts 0: the peer's list) */
	size_t		 npts;
	/* crypto lines to write instead of the peer's; none when ncrypto is 0 */
	struct {
		unsigned	 tag;
		const char	*suite;
		const char	*key_params;	/* "inline:..." (our key: never logged) */
	} crypto[SDP_MAX_CRYPTO];
	size_t		 ncrypto;
	int		 strip_ice;	/* drop ICE attributes */
	int		 strip_dtls;	/* drop a=fingerprint, a=setup, a=tls-id */
	int		 strip_rtcp_mux;	/* drop a=rtcp-mux (we relay RTCP on port + 1) */
};

struct sdp_out {
	const char		*addr;	/* our address for o= and c= */
	int			 family;	/* AF_INET or AF_INET6 */
	unsigned long long	 o_version;	/* written in o= */
	const char		*o_user;	/* NULL: keep the peer's */
	const char		*o_sess_id;	/* NULL: keep the peer's */
	struct sdp_media_out	 media[SDP_MAX_MEDIA];	/* one per s->media */
};

/*
 * Write s rewritten by o into buf (size len, terminated).  Lines end with
 * CRLF.  Every c= (session and media level) gets o->addr, except that an
 * unspecified one (0.0.0.0, ::: RFC 2543 hold) stays unspecified, in
 * o->family; a kept m= section that had no address at all (a disabled
 * stream being enabled) gets a c= after its m= line.  a=rtcp becomes
 * port + 1 (with o->addr when the peer gave an address); a kept audio
 * section without one gets "a=rtcp:<port + 1>" at its end.  The peer's
 * a=crypto lines are all dropped, session level included; ours take the
 * place of the first one or go at the end of the section.  Session-level
 * ICE (DTLS) lines are dropped when any media asks to strip ICE (DTLS).
 * The output may have more lines than s (sdp_parse's SDP_MAX_LINES).
 * Returns the length written, or -1 when buf is too small (buf is still
 * terminated) or an argument is NULL.
 */
long sdp_write(const struct sdp *s, const struct sdp_out *o, char *buf, size_t len);

/* The first payload type of fmt name/clock (name case-insensitive, clock 0:
 * any) in m, or -1. */
int sdp_find_pt(const struct sdp_media *m, const char *name, unsigned clock);

const char *sdp_dir_str(enum sdp_dir d);

#endif
