/* sbcctl.c: command-line client of sbcd's control socket. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "cfg.h"
#include "version.h"

#ifndef SBCD_CONF
#define SBCD_CONF "/etc/sbcd/sbc.conf"
#endif
#define DEFAULT_SOCKET	"/run/sbcd/sbcd.sock"

static void
usage(void)
{
	fprintf(stderr,
	    "usage: sbcctl [-j] [-s socket | -f file] command [argument]\n"
	    "  -j, --json  answer as JSON\n"
	    "  -s socket   sbcd's control socket (default: global.control_socket of\n"
	    "              -f file, else $SBCCTL_SOCKET, else %s)\n"
	    "  -f file     read the socket from this configuration (default %s)\n"
	    "commands:\n"
	    "  status              version, uptime, configuration, calls, last reload\n"
	    "  calls               one line per call\n"
	    "  call ID             both legs of one call, with media counters\n"
	    "  proxies             every proxy set address: state, keep-alive answer, RTT\n"
	    "  reload              reload the configuration (as SIGHUP), print its errors\n"
	    "  drain | undrain     refuse new INVITEs with 503 / take them again\n"
	    "  log-level LEVEL     err, warn, info or debug until the next reload\n"
	    "  hangup ID           end one call\n", DEFAULT_SOCKET, SBCD_CONF);
	exit(2);
}

/* The control socket named by a configuration file, or NULL. */
static char *
socket_of(const char *conf, int quiet)
{
	struct cfg	*cfg;
	struct cfg_diag	 diag;
	char		*path = NULL;

	cfg_diag_init(&diag);
	if (cfg_load(conf, &cfg, &diag) == 0) {
		if (cfg->global.control_socket != NULL)
			path = strdup(cfg->global.control_socket);
		cfg_unref(cfg);
	} else if (!quiet) {
		for (size_t i = 0; i < diag.n; i++)
			fprintf(stderr, "%s\n", diag.msgs[i]);
	}
	cfg_diag_free(&diag);
	return path;
}

int
main(int argc, char *argv[])
{
	const char		*sock = NULL, *conf = NULL;
	char			*fromconf = NULL, req[1024], buf[8192];
	struct sockaddr_un	 sun;
	size_t			 len = 0;
	ssize_t			 n;
	int			 json = 0, fd, ch, status = -1;
	FILE			*out = stdout;

	for (int i = 1; i < argc; i++)	/* --json as well as -j */
		if (strcmp(argv[i], "--json") == 0)
			argv[i] = "-j";
	while ((ch = getopt(argc, argv, "+jf:s:vh")) != -1) {
		switch (ch) {
		case 'j':
			json = 1;
			break;
		case 'f':
			conf = optarg;
			break;
		case 's':
			sock = optarg;
			break;
		case 'v':
			printf("sbcctl %s\n", SBCD_VERSION);
			return 0;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1 || argc > 2)
		usage();

	if (sock == NULL && conf != NULL) {
		if ((fromconf = socket_of(conf, 0)) == NULL) {
			fprintf(stderr, "sbcctl: %s names no control socket\n", conf);
			return 2;
		}
		sock = fromconf;
	}
	if (sock == NULL)
		sock = getenv("SBCCTL_SOCKET");
	if (sock == NULL && access(SBCD_CONF, R_OK) == 0)
		sock = fromconf = socket_of(SBCD_CONF, 1);
	if (sock == NULL)
		sock = DEFAULT_SOCKET;

	n = snprintf(req, sizeof(req), "%s%s%s%s\n", json ? "json " : "", argv[0],
	    argc > 1 ? " " : "", argc > 1 ? argv[1] : "");
	if (n < 0 || (size_t)n >= sizeof(req) || strchr(argv[0], '\n') != NULL ||
	    (argc > 1 && strchr(argv[1], '\n') != NULL)) {
		fprintf(stderr, "sbcctl: request too long\n");
		return 2;
	}
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(sock) >= sizeof(sun.sun_path)) {
		fprintf(stderr, "sbcctl: %s: socket path too long\n", sock);
		return 2;
	}
	strcpy(sun.sun_path, sock);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1 ||
	    connect(fd, (struct sockaddr *)&sun, sizeof(sun)) != 0) {
		fprintf(stderr, "sbcctl: cannot reach sbcd at %s: %s\n", sock, strerror(errno));
		return 2;
	}
	if (write(fd, req, (size_t)n) != n) {
		fprintf(stderr, "sbcctl: cannot send: %s\n", strerror(errno));
		return 2;
	}
	/* "OK\n" or "ERR\n", then the answer until sbcd closes */
	while ((n = read(fd, buf + len, sizeof(buf) - 1 - len)) > 0 || (n < 0 && errno == EINTR)) {
		char *nl;

		if (n < 0)
			continue;
		len += (size_t)n;
		if (status == -1) {
			buf[len] = '\0';
			if ((nl = strchr(buf, '\n')) == NULL) {
				if (len < sizeof(buf) - 1)
					continue;
				break;
			}
			*nl = '\0';
			status = strcmp(buf, "OK") == 0 ? 0 : 1;
			out = status == 0 ? stdout : stderr;
			len -= (size_t)(nl + 1 - buf);
			memmove(buf, nl + 1, len);
		}
		fwrite(buf, 1, len, out);
		len = 0;
	}
	close(fd);
	if (status == -1) {
		fprintf(stderr, "sbcctl: no answer from sbcd at %s\n", sock);
		free(fromconf);
		return 2;
	}
	free(fromconf);
	if (fflush(out) != 0)
		return 2;
	return status;
}
