/* import_main.c: sbc-import, the command that turns an AudioCodes ini export into sbc.conf. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "import.h"
#include "version.h"

#define MAX_TLS	16

static void
usage(FILE *fp)
{
	fprintf(fp,
	    "usage: sbc-import [-o OUT] [--tls-dir DIR] [--tls NAME=CERT:KEY[:CA]]... FILE.ini\n"
	    "  Writes the sbc.conf equivalent of an AudioCodes Mediant ini export.\n"
	    "  -o OUT          write to OUT instead of standard output\n"
	    "  --tls-dir DIR   certificate files of each TLS context NAME are DIR/NAME.crt,\n"
	    "                  DIR/NAME.key and DIR/NAME-roots.pem (default /etc/sbcd/tls)\n"
	    "  --tls NAME=CERT:KEY[:CA]   the files of TLS context NAME, given one by one\n"
	    "  Whatever is not carried over becomes a \"# ini line N:\" comment.\n");
}

static char *
read_all(const char *path, size_t *lenp)
{
	FILE	*fp = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	char	*buf = NULL, *nb;
	size_t	 len = 0, cap = 0, n;

	if (fp == NULL)
		return NULL;
	do {
		if (len + 4096 > cap) {
			cap = cap ? cap * 2 : 65536;
			if ((nb = realloc(buf, cap)) == NULL) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = nb;
		}
		n = fread(buf + len, 1, cap - len, fp);
		len += n;
	} while (n > 0);
	if (buf != NULL && ferror(fp)) {
		free(buf);
		buf = NULL;
	}
	if (fp != stdin)
		fclose(fp);
	*lenp = len;
	return buf;
}

/* NAME=CERT:KEY[:CA] into tf; the string is cut in place. */
static int
parse_tls(char *arg, struct imp_tls_files *tf)
{
	char *eq = strchr(arg, '='), *k, *ca;

	if (eq == NULL || eq == arg)
		return -1;
	*eq = '\0';
	tf->context = arg;
	tf->certificate = eq + 1;
	if ((k = strchr(eq + 1, ':')) == NULL)
		return -1;
	*k++ = '\0';
	tf->private_key = k;
	if ((ca = strchr(k, ':')) != NULL) {
		*ca++ = '\0';
		tf->ca_file = ca;
	}
	return *tf->certificate != '\0' && *tf->private_key != '\0' ? 0 : -1;
}

int
main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "tls-dir", required_argument, NULL, 'd' },
		{ "tls", required_argument, NULL, 'T' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 } };
	struct imp_tls_files	 tls[MAX_TLS];
	struct imp_opts		 opts = { 0 };
	struct imp_ini		*ini = NULL;
	const char		*outpath = NULL;
	FILE			*out = stdout;
	char			*text;
	size_t			 len;
	unsigned		 notes = 0;
	int			 ch, err;

	memset(tls, 0, sizeof(tls));
	opts.tls = tls;
	while ((ch = getopt_long(argc, argv, "o:hV", lopts, NULL)) != -1) {
		switch (ch) {
		case 'o':
			outpath = optarg;
			break;
		case 'd':
			opts.tls_dir = optarg;
			break;
		case 'T':
			if (opts.ntls == MAX_TLS || parse_tls(optarg, &tls[opts.ntls]) != 0) {
				fprintf(stderr, "sbc-import: --tls %s: expected NAME=CERT:KEY[:CA]"
				    " (at most %d)\n", optarg, MAX_TLS);
				return 2;
			}
			opts.ntls++;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("sbc-import %s\n", SBCD_VERSION);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc - 1) {
		usage(stderr);
		return 2;
	}
	opts.source = argv[optind];
	if ((text = read_all(argv[optind], &len)) == NULL) {
		fprintf(stderr, "sbc-import: %s: %s\n", argv[optind], strerror(errno ? errno : ENOMEM));
		return 1;
	}
	err = imp_ini_parse(text, len, &ini);
	free(text);
	if (err) {
		fprintf(stderr, "sbc-import: %s: %s\n", argv[optind], strerror(err));
		return 1;
	}
	if (ini->ntables == 0) {
		fprintf(stderr, "sbc-import: %s: no [ table ] in it: not an AudioCodes ini export\n",
		    argv[optind]);
		imp_ini_free(ini);
		return 1;
	}
	if (outpath != NULL && (out = fopen(outpath, "w")) == NULL) {
		fprintf(stderr, "sbc-import: %s: %s\n", outpath, strerror(errno));
		imp_ini_free(ini);
		return 1;
	}
	err = imp_convert(ini, &opts, out, &notes);
	imp_ini_free(ini);
	if (out != stdout && fclose(out) != 0 && err == 0)
		err = errno;
	if (err) {
		fprintf(stderr, "sbc-import: writing %s: %s\n", outpath ? outpath : "output",
		    strerror(err));
		return 1;
	}
	fprintf(stderr, "sbc-import: %u item(s) not carried over, each a \"# ini line\" comment%s\n",
	    notes, notes ? " in the output: read them" : "");
	return 0;
}
