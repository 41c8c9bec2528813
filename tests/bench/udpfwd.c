/* udpfwd.c: the media benchmark's baseline: a minimal UDP forwarder (recv + send per packet, no SRTP, one loop). */
/*
 * udpfwd --lan IP:PORT --wan IP:PORT --count N --spacing S --pbx IP:PORT --vc IP:PORT
 *
 * Call i has a socket on the LAN address, port LAN + i*S, and one on the WAN
 * address, port WAN + i*S.  What arrives on the LAN socket goes out of the
 * WAN socket to --vc, and the reverse to --pbx.  One epoll loop, level
 * triggered, one recv and one send per packet: the least any relay has to do,
 * which is what sbcd's media relay is measured against.  Runs until SIGTERM.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/socket.h>

static volatile sig_atomic_t	stop;

static void
on_term(int sig)
{
	(void)sig;
	stop = 1;
}

static int
parse_addr(const char *s, struct sockaddr_in *sa)
{
	char		 buf[64];
	const char	*c = strrchr(s, ':');

	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	if (c == NULL || (size_t)(c - s) >= sizeof(buf))
		return -1;
	memcpy(buf, s, (size_t)(c - s));
	buf[c - s] = '\0';
	sa->sin_port = htons((uint16_t)atoi(c + 1));
	return inet_pton(AF_INET, buf, &sa->sin_addr) == 1 ? 0 : -1;
}

static int
udp_bind(struct sockaddr_in sa, unsigned port)
{
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);

	sa.sin_port = htons((uint16_t)port);
	if (fd == -1 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == -1) {
		fprintf(stderr, "udpfwd: bind port %u: %s\n", port, strerror(errno));
		exit(2);
	}
	return fd;
}

int
main(int argc, char **argv)
{
	struct sockaddr_in	 lan, wan, pbx, vc;
	unsigned		 n = 0, spacing = 2, i;
	int			 have = 0, ep, *fd;
	struct sigaction	 sa;

	for (int a = 1; a + 1 < argc; a += 2) {
		if (strcmp(argv[a], "--lan") == 0 && parse_addr(argv[a + 1], &lan) == 0)
			have |= 1;
		else if (strcmp(argv[a], "--wan") == 0 && parse_addr(argv[a + 1], &wan) == 0)
			have |= 2;
		else if (strcmp(argv[a], "--pbx") == 0 && parse_addr(argv[a + 1], &pbx) == 0)
			have |= 4;
		else if (strcmp(argv[a], "--vc") == 0 && parse_addr(argv[a + 1], &vc) == 0)
			have |= 8;
		else if (strcmp(argv[a], "--count") == 0)
			n = (unsigned)atoi(argv[a + 1]);
		else if (strcmp(argv[a], "--spacing") == 0)
			spacing = (unsigned)atoi(argv[a + 1]);
		else
			have = -1;
	}
	if (have != 15 || n == 0 || spacing == 0) {
		fprintf(stderr, "usage: udpfwd --lan IP:PORT --wan IP:PORT --count N "
		    "[--spacing S] --pbx IP:PORT --vc IP:PORT\n");
		return 2;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_term;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	if ((fd = calloc(2 * (size_t)n, sizeof(*fd))) == NULL || (ep = epoll_create1(0)) == -1)
		return 2;
	for (i = 0; i < 2 * n; i++) {
		struct epoll_event ev = { .events = EPOLLIN, .data.u32 = i };

		fd[i] = udp_bind(i % 2 == 0 ? lan : wan, ntohs((i % 2 == 0 ? lan : wan).sin_port) +
		    (i / 2) * spacing);
		if (epoll_ctl(ep, EPOLL_CTL_ADD, fd[i], &ev) == -1)
			return 2;
	}
	printf("udpfwd: %u calls ready\n", n);
	fflush(stdout);
	while (!stop) {
		struct epoll_event	 evs[64];
		unsigned char		 pkt[2048];
		int			 k = epoll_wait(ep, evs, 64, 200);

		for (int e = 0; e < k; e++) {
			unsigned	 x = evs[e].data.u32;
			ssize_t		 r = recv(fd[x], pkt, sizeof(pkt), 0);

			if (r <= 0)
				continue;
			/* LAN socket (even) -> the VC from its WAN twin; WAN -> the PBX */
			if (x % 2 == 0)
				sendto(fd[x + 1], pkt, (size_t)r, 0, (struct sockaddr *)&vc, sizeof(vc));
			else
				sendto(fd[x - 1], pkt, (size_t)r, 0, (struct sockaddr *)&pbx, sizeof(pbx));
		}
	}
	for (i = 0; i < 2 * n; i++)
		close(fd[i]);
	free(fd);
	close(ep);
	return 0;
}
