/* rtpload.c: RTP/SRTP load generator and checker for the media benchmark: N streams each way through a relay. */
/*
 * rtpload plays both ends of N calls through a media relay (sbcd, the plain
 * forwarder udpfwd, or rtpengine):
 *
 *   PBX end  (--pbx IP:PORT)  plain RTP   <->  relay LAN port of stream i
 *   VC end   (--vc IP:PORT)   SRTP or RTP <->  relay WAN port of stream i
 *
 * The streams come from a map file, one line per call:
 *
 *   LANPORT WANPORT KEY
 *
 * LANPORT is the relay's port toward the PBX, WANPORT its port toward the VC,
 * KEY the SDES inline key (base64, AES_CM_128_HMAC_SHA1_80) the relay
 * protects with toward the VC, or "-" when that side is plain RTP.  What the
 * VC end sends is protected with --vc-key (the key its SDP answered with).
 *
 * Every stream sends --pps packets a second (G.711 20 ms: 172-byte RTP) in
 * both directions for --seconds, spread evenly over time.  Each payload
 * carries the send time, so the receiving end measures the one-way delay
 * through the relay.  Packets are told apart by SSRC: 0x10000000 + i from the
 * PBX, 0x20000000 + i from the VC.  At the end one line of key=value figures:
 * sent, received, lost, duplicated, failed authentication, and delay p50/p99.
 * With --cpu-pid, the relay's CPU (utime + stime from /proc/PID/stat) over the
 * send window as well, and per relayed packet.
 *
 * Exit status: 0 when every packet arrived (--max-loss permits some), 1 when
 * not, 2 on usage or setup errors.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <srtp2/srtp.h>

#define RTP_HDR		12
#define PAYLOAD		160		/* 20 ms of G.711 */
#define PKT_MAX		2048
#define SRTP_KEYLEN	30		/* AES_CM_128: 16 key + 14 salt */
#define HIST_US		200000		/* delay histogram: 1 us buckets up to 200 ms */
#define RX_BATCH	64
#define SSRC_PBX	0x10000000u
#define SSRC_VC		0x20000000u

struct stream {
	uint16_t	 lan_port, wan_port;
	int		 plain;		/* the relay's WAN side is plain RTP */
	unsigned char	 key[SRTP_KEYLEN];
	srtp_t		 rx;		/* unprotects what the relay sends the VC */
	/* per direction: 0 PBX->VC, 1 VC->PBX */
	uint16_t	 seq[2];
	uint32_t	 ts[2];
	uint64_t	 sent[2], rcvd[2], dup[2];
	uint16_t	 max_seq[2];
	int		 seen[2];
	unsigned char	*got[2];	/* one bit per sequence number */
};

static struct stream	*streams;
static size_t		 nstreams;
static uint64_t		 hist[HIST_US + 1];
static uint64_t		 auth_fail, unknown, bad;

static void
usage(void)
{
	fprintf(stderr, "usage: rtpload --map FILE --pbx IP:PORT --vc IP:PORT --lan-ip IP "
	    "--wan-ip IP [--vc-key KEY] [--pps 50] [--seconds 10] [--cpu-pid PID] "
	    "[--max-loss N] [--tail MS]\n");
	exit(2);
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int
parse_addr(const char *s, struct sockaddr_in *sa)
{
	char		 buf[64];
	const char	*c = strrchr(s, ':');

	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	if (c == NULL) {
		sa->sin_port = 0;
		return inet_pton(AF_INET, s, &sa->sin_addr) == 1 ? 0 : -1;
	}
	if ((size_t)(c - s) >= sizeof(buf))
		return -1;
	memcpy(buf, s, (size_t)(c - s));
	buf[c - s] = '\0';
	sa->sin_port = htons((uint16_t)atoi(c + 1));
	return inet_pton(AF_INET, buf, &sa->sin_addr) == 1 ? 0 : -1;
}

static int
b64_decode(const char *in, unsigned char *out, size_t outlen)
{
	static const char	 al[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	uint32_t		 acc = 0;
	int			 bits = 0;
	size_t			 n = 0;

	for (; *in != '\0' && *in != '=' && *in != '|'; in++) {
		const char *p = strchr(al, *in);

		if (p == NULL)
			return -1;
		acc = acc << 6 | (uint32_t)(p - al);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (n < outlen)
				out[n] = (unsigned char)(acc >> bits);
			n++;
		}
	}
	return n == outlen ? 0 : -1;
}

static int
srtp_session(srtp_t *s, const unsigned char *key, int inbound)
{
	srtp_policy_t p;

	memset(&p, 0, sizeof(p));
	srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&p.rtp);
	srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&p.rtcp);
	p.ssrc.type = inbound ? ssrc_any_inbound : ssrc_any_outbound;
	p.key = (unsigned char *)key;
	p.window_size = 1024;
	p.allow_repeat_tx = 0;
	return srtp_create(s, &p) == srtp_err_status_ok ? 0 : -1;
}

static void
load_map(const char *path)
{
	FILE	*f = fopen(path, "r");
	char	 line[512], key[256];
	size_t	 cap = 0;
	unsigned lan, wan;

	if (f == NULL) {
		perror(path);
		exit(2);
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		struct stream *st;

		if (line[0] == '#' || line[0] == '\n')
			continue;
		if (sscanf(line, "%u %u %255s", &lan, &wan, key) != 3 || lan > 65535 || wan > 65535) {
			fprintf(stderr, "%s: bad line: %s", path, line);
			exit(2);
		}
		if (nstreams == cap) {
			cap = cap ? cap * 2 : 256;
			streams = realloc(streams, cap * sizeof(*streams));
			if (streams == NULL)
				exit(2);
		}
		st = &streams[nstreams++];
		memset(st, 0, sizeof(*st));
		st->lan_port = (uint16_t)lan;
		st->wan_port = (uint16_t)wan;
		st->plain = strcmp(key, "-") == 0;
		if (!st->plain && (b64_decode(key, st->key, SRTP_KEYLEN) != 0 ||
		    srtp_session(&st->rx, st->key, 1) != 0)) {
			fprintf(stderr, "%s: bad key %s\n", path, key);
			exit(2);
		}
	}
	fclose(f);
}

static int
udp_bind(const struct sockaddr_in *sa)
{
	int	fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	int	sz = 8 << 20;

	if (fd == -1)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
	if (bind(fd, (const struct sockaddr *)sa, sizeof(*sa)) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

static uint64_t
cpu_ticks(int pid)
{
	char		 path[64], buf[1024], *p;
	unsigned long	 ut = 0, st = 0;
	FILE		*f;
	int		 i;

	if (pid <= 0)
		return 0;
	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	if ((f = fopen(path, "r")) == NULL)
		return 0;
	if (fgets(buf, sizeof(buf), f) == NULL) {
		fclose(f);
		return 0;
	}
	fclose(f);
	/* fields after the ")" of comm: 3 state ... 14 utime 15 stime */
	if ((p = strrchr(buf, ')')) == NULL)
		return 0;
	for (i = 2; i < 14 && p != NULL; i++)
		p = strchr(p + 1, ' ');
	if (p == NULL || sscanf(p + 1, "%lu %lu", &ut, &st) != 2)
		return 0;
	return ut + st;
}

/* One packet of stream i in direction d (0 PBX->VC, 1 VC->PBX), unprotected. */
static size_t
build(struct stream *st, size_t i, int d, unsigned char *pkt)
{
	uint32_t	ssrc = (d == 0 ? SSRC_PBX : SSRC_VC) + (uint32_t)i;
	uint64_t	t = now_ns();

	pkt[0] = 0x80;
	pkt[1] = 0;	/* PCMU */
	pkt[2] = (unsigned char)(st->seq[d] >> 8);
	pkt[3] = (unsigned char)st->seq[d];
	pkt[4] = (unsigned char)(st->ts[d] >> 24);
	pkt[5] = (unsigned char)(st->ts[d] >> 16);
	pkt[6] = (unsigned char)(st->ts[d] >> 8);
	pkt[7] = (unsigned char)st->ts[d];
	pkt[8] = (unsigned char)(ssrc >> 24);
	pkt[9] = (unsigned char)(ssrc >> 16);
	pkt[10] = (unsigned char)(ssrc >> 8);
	pkt[11] = (unsigned char)ssrc;
	memset(pkt + RTP_HDR, 0xff, PAYLOAD);
	memcpy(pkt + RTP_HDR, &t, sizeof(t));
	st->seq[d]++;
	st->ts[d] += PAYLOAD;
	return RTP_HDR + PAYLOAD;
}

/* A packet arrived at the end that receives direction d; already unprotected. */
static void
account(int d, const unsigned char *pkt, size_t len, uint64_t t_rx)
{
	uint32_t	 ssrc, base = d == 0 ? SSRC_PBX : SSRC_VC;
	uint16_t	 seq;
	uint64_t	 t_tx, us;
	struct stream	*st;

	if (len != RTP_HDR + PAYLOAD || (pkt[0] >> 6) != 2) {
		bad++;
		return;
	}
	ssrc = (uint32_t)pkt[8] << 24 | (uint32_t)pkt[9] << 16 | (uint32_t)pkt[10] << 8 | pkt[11];
	if (ssrc - base >= nstreams) {
		unknown++;
		return;
	}
	st = &streams[ssrc - base];
	seq = (uint16_t)(pkt[2] << 8 | pkt[3]);
	if (st->got[d][seq / 8] & (1u << (seq % 8))) {
		st->dup[d]++;
		return;
	}
	st->got[d][seq / 8] |= (unsigned char)(1u << (seq % 8));
	st->rcvd[d]++;
	memcpy(&t_tx, pkt + RTP_HDR, sizeof(t_tx));
	us = t_rx > t_tx ? (t_rx - t_tx) / 1000 : 0;
	hist[us > HIST_US ? HIST_US : us]++;
}

static void
receive(int fd, int at_vc, int d)
{
	static unsigned char	 buf[RX_BATCH][PKT_MAX];
	struct mmsghdr		 msgs[RX_BATCH];
	struct iovec		 iov[RX_BATCH];
	struct sockaddr_in	 src[RX_BATCH];
	int			 n, j;

	for (;;) {
		for (j = 0; j < RX_BATCH; j++) {
			iov[j].iov_base = buf[j];
			iov[j].iov_len = PKT_MAX;
			memset(&msgs[j], 0, sizeof(msgs[j]));
			msgs[j].msg_hdr.msg_iov = &iov[j];
			msgs[j].msg_hdr.msg_iovlen = 1;
			msgs[j].msg_hdr.msg_name = &src[j];
			msgs[j].msg_hdr.msg_namelen = sizeof(src[j]);
		}
		n = recvmmsg(fd, msgs, RX_BATCH, MSG_DONTWAIT, NULL);
		if (n <= 0)
			return;
		uint64_t t_rx = now_ns();
		for (j = 0; j < n; j++) {
			int len = (int)msgs[j].msg_len;

			if (at_vc) {
				/* which stream: the relay's WAN port it came from */
				uint16_t	 sp = ntohs(src[j].sin_port);
				struct stream	*st = NULL;
				size_t		 lo = 0, hi = nstreams;

				/* the map is sorted by WAN port for this search */
				while (lo < hi) {
					size_t mid = (lo + hi) / 2;

					if (streams[mid].wan_port < sp)
						lo = mid + 1;
					else
						hi = mid;
				}
				if (lo < nstreams && streams[lo].wan_port == sp)
					st = &streams[lo];
				if (st == NULL) {
					unknown++;
					continue;
				}
				if (!st->plain && srtp_unprotect(st->rx, buf[j], &len) !=
				    srtp_err_status_ok) {
					auth_fail++;
					continue;
				}
			}
			account(d, buf[j], (size_t)len, t_rx);
		}
	}
}

static int
cmp_wan(const void *a, const void *b)
{
	const struct stream *x = a, *y = b;

	return (int)x->wan_port - (int)y->wan_port;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "map", required_argument, NULL, 'm' },
		{ "pbx", required_argument, NULL, 'p' },
		{ "vc", required_argument, NULL, 'v' },
		{ "lan-ip", required_argument, NULL, 'l' },
		{ "wan-ip", required_argument, NULL, 'w' },
		{ "vc-key", required_argument, NULL, 'k' },
		{ "pps", required_argument, NULL, 'r' },
		{ "seconds", required_argument, NULL, 's' },
		{ "cpu-pid", required_argument, NULL, 'c' },
		{ "max-loss", required_argument, NULL, 'x' },
		{ "tail", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 }
	};
	const char		*map = NULL, *vckey = NULL;
	struct sockaddr_in	 pbx, vc, lan, wan, dst;
	int			 have = 0, o, pps = 50, pid = 0, fdp, fdv;
	double			 seconds = 10, tail_ms = 500;
	unsigned long long	 max_loss = 0;
	unsigned char		 vk[SRTP_KEYLEN];
	srtp_t			 tx = NULL;
	size_t			 i;

	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 'm': map = optarg; break;
		case 'p': if (parse_addr(optarg, &pbx) != 0) usage(); have |= 1; break;
		case 'v': if (parse_addr(optarg, &vc) != 0) usage(); have |= 2; break;
		case 'l': if (parse_addr(optarg, &lan) != 0) usage(); have |= 4; break;
		case 'w': if (parse_addr(optarg, &wan) != 0) usage(); have |= 8; break;
		case 'k': vckey = optarg; break;
		case 'r': pps = atoi(optarg); break;
		case 's': seconds = atof(optarg); break;
		case 'c': pid = atoi(optarg); break;
		case 'x': max_loss = strtoull(optarg, NULL, 10); break;
		case 't': tail_ms = atof(optarg); break;
		default: usage();
		}
	}
	if (map == NULL || have != 15 || pps <= 0 || seconds <= 0)
		usage();
	if (srtp_init() != srtp_err_status_ok) {
		fprintf(stderr, "rtpload: srtp_init failed\n");
		return 2;
	}
	load_map(map);
	if (nstreams == 0) {
		fprintf(stderr, "rtpload: no streams in %s\n", map);
		return 2;
	}
	qsort(streams, nstreams, sizeof(*streams), cmp_wan);
	for (i = 0; i < nstreams; i++) {
		if (i > 0 && streams[i].wan_port == streams[i - 1].wan_port) {
			fprintf(stderr, "rtpload: WAN port %u twice in the map\n", streams[i].wan_port);
			return 2;
		}
		streams[i].got[0] = calloc(1, 65536 / 8);
		streams[i].got[1] = calloc(1, 65536 / 8);
		if (streams[i].got[0] == NULL || streams[i].got[1] == NULL)
			return 2;
		streams[i].seq[0] = (uint16_t)(i * 7);
		streams[i].seq[1] = (uint16_t)(i * 13);
	}
	if (vckey != NULL && strcmp(vckey, "-") != 0) {
		if (b64_decode(vckey, vk, SRTP_KEYLEN) != 0 || srtp_session(&tx, vk, 0) != 0) {
			fprintf(stderr, "rtpload: bad --vc-key\n");
			return 2;
		}
	}
	if ((fdp = udp_bind(&pbx)) == -1 || (fdv = udp_bind(&vc)) == -1) {
		perror("rtpload: bind");
		return 2;
	}

	/* every stream sends one packet each way per period, evenly spread */
	double		 period = 1.0 / pps, gap = period / (double)nstreams;
	uint64_t	 total = (uint64_t)(seconds * pps + 0.5) * nstreams, k;
	double		 t0 = now() + 0.05, t_end;
	uint64_t	 cpu0 = cpu_ticks(pid), cpu1;
	unsigned char	 pkt[PKT_MAX];

	for (k = 0; k < total; k++) {
		double	 due = t0 + (double)k * gap;
		struct stream *st = &streams[k % nstreams];
		size_t	 idx = (size_t)(st - streams);
		size_t	 len;
		int	 ilen;

		for (;;) {
			double left = due - now();

			receive(fdp, 0, 1);
			receive(fdv, 1, 0);
			if (left <= 0)
				break;
			if (left > 0.0002) {
				struct pollfd pf[2] = { { fdp, POLLIN, 0 }, { fdv, POLLIN, 0 } };

				poll(pf, 2, (int)(left * 1000));
			}
		}
		/* PBX -> relay LAN port: plain RTP */
		len = build(st, idx, 0, pkt);
		dst = lan;
		dst.sin_port = htons(st->lan_port);
		if (sendto(fdp, pkt, len, 0, (struct sockaddr *)&dst, sizeof(dst)) == -1)
			bad++;
		else
			st->sent[0]++;
		/* VC -> relay WAN port: SRTP with the VC's key, or plain */
		len = build(st, idx, 1, pkt);
		ilen = (int)len;
		if (tx != NULL && srtp_protect(tx, pkt, &ilen) != srtp_err_status_ok) {
			bad++;
			continue;
		}
		dst = wan;
		dst.sin_port = htons(st->wan_port);
		if (sendto(fdv, pkt, (size_t)ilen, 0, (struct sockaddr *)&dst, sizeof(dst)) == -1)
			bad++;
		else
			st->sent[1]++;
	}
	cpu1 = cpu_ticks(pid);
	t_end = now();
	/* let the last packets come through */
	while (now() < t_end + tail_ms / 1000) {
		struct pollfd pf[2] = { { fdp, POLLIN, 0 }, { fdv, POLLIN, 0 } };

		poll(pf, 2, 10);
		receive(fdp, 0, 1);
		receive(fdv, 1, 0);
	}

	uint64_t	 sent = 0, rcvd = 0, dup = 0, nh = 0, c = 0;
	double		 p50 = -1, p99 = -1, pmax = 0;
	long		 hz = sysconf(_SC_CLK_TCK);

	for (i = 0; i < nstreams; i++)
		for (int d = 0; d < 2; d++) {
			sent += streams[i].sent[d];
			rcvd += streams[i].rcvd[d];
			dup += streams[i].dup[d];
		}
	for (i = 0; i <= HIST_US; i++)
		nh += hist[i];
	for (i = 0; i <= HIST_US; i++) {
		c += hist[i];
		if (p50 < 0 && c * 2 >= nh)
			p50 = (double)i;
		if (p99 < 0 && c * 100 >= nh * 99)
			p99 = (double)i;
		if (hist[i])
			pmax = (double)i;
	}
	printf("streams=%zu pps=%d seconds=%.1f window=%.2f sent=%llu received=%llu lost=%llu "
	    "dup=%llu auth_fail=%llu unknown=%llu bad=%llu delay_p50_us=%.0f delay_p99_us=%.0f "
	    "delay_max_us=%.0f",
	    nstreams, pps, seconds, t_end - t0, (unsigned long long)sent,
	    (unsigned long long)rcvd, (unsigned long long)(sent - rcvd), (unsigned long long)dup,
	    (unsigned long long)auth_fail, (unsigned long long)unknown, (unsigned long long)bad,
	    p50, p99, pmax);
	if (pid > 0) {
		double cpu_s = (double)(cpu1 - cpu0) / (double)hz;

		printf(" cpu_s=%.2f cpu_pct=%.1f cpu_us_per_pkt=%.2f", cpu_s,
		    100 * cpu_s / (t_end - t0), rcvd ? cpu_s * 1e6 / (double)rcvd : 0);
	}
	printf("\n");
	for (i = 0; i < nstreams; i++) {
		free(streams[i].got[0]);
		free(streams[i].got[1]);
		if (streams[i].rx != NULL)
			srtp_dealloc(streams[i].rx);
	}
	if (tx != NULL)
		srtp_dealloc(tx);
	free(streams);
	srtp_shutdown();
	return sent - rcvd <= max_loss && auth_fail == 0 && bad == 0 ? 0 : 1;
}
