/* log.c: leveled logging to stderr or syslog, one line per event. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <time.h>

#include "log.h"

static enum log_level	 log_level = LOG_LEVEL_INFO;
static enum log_target	 log_target = LOG_TARGET_STDERR;
static const char	*log_ident = "sbcd";

static const char *const level_names[] = {
	[LOG_LEVEL_ERR]   = "err",
	[LOG_LEVEL_WARN]  = "warn",
	[LOG_LEVEL_INFO]  = "info",
	[LOG_LEVEL_DEBUG] = "debug",
};

static const int level_prio[] = {
	[LOG_LEVEL_ERR]   = LOG_ERR,
	[LOG_LEVEL_WARN]  = LOG_WARNING,
	[LOG_LEVEL_INFO]  = LOG_INFO,
	[LOG_LEVEL_DEBUG] = LOG_DEBUG,
};

void
log_init(const char *ident, enum log_target target, int facility)
{
	if (log_target == LOG_TARGET_SYSLOG)
		closelog();
	log_ident = ident;
	log_target = target;
	if (target == LOG_TARGET_SYSLOG)
		openlog(ident, LOG_PID | LOG_NDELAY, facility);
}

void
log_set_level(enum log_level level)
{
	log_level = level;
}

enum log_level
log_get_level(void)
{
	return log_level;
}

const char *
log_level_str(enum log_level level)
{
	if ((unsigned)level >= sizeof(level_names) / sizeof(level_names[0]))
		return "?";
	return level_names[level];
}

int
log_level_parse(const char *s, enum log_level *out)
{
	for (unsigned i = 0; i < sizeof(level_names) / sizeof(level_names[0]); i++) {
		if (strcasecmp(s, level_names[i]) == 0) {
			*out = (enum log_level)i;
			return 0;
		}
	}
	return EINVAL;
}

int
log_enabled(enum log_level level)
{
	return level <= log_level;
}

void
log_vmsg(enum log_level level, const char *fmt, va_list ap)
{
	char		 line[2048];
	struct timespec	 ts;
	struct tm	 tm;
	int		 n;

	if (!log_enabled(level))
		return;
	n = vsnprintf(line, sizeof(line), fmt, ap);
	if (n < 0)
		return;
	/* one event, one line: never let a peer-supplied newline split it */
	for (char *p = line; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	if (log_target == LOG_TARGET_SYSLOG) {
		syslog(level_prio[level], "%s", line);
		return;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	localtime_r(&ts.tv_sec, &tm);
	fprintf(stderr, "%04d-%02d-%02d %02d:%02d:%02d.%03ld %s[%s] %s\n",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000, log_ident,
	    level_names[level], line);
}

#define LOG_FN(name, level)					\
void								\
name(const char *fmt, ...)					\
{								\
	va_list ap;						\
	va_start(ap, fmt);					\
	log_vmsg(level, fmt, ap);				\
	va_end(ap);						\
}

LOG_FN(log_err, LOG_LEVEL_ERR)
LOG_FN(log_warnx, LOG_LEVEL_WARN)
LOG_FN(log_info, LOG_LEVEL_INFO)
LOG_FN(log_debug, LOG_LEVEL_DEBUG)

void
log_warn(const char *fmt, ...)
{
	char	 buf[1024];
	int	 saved = errno;
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	log_warnx("%s: %s", buf, strerror(saved));
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(LOG_LEVEL_ERR, fmt, ap);
	va_end(ap);
	exit(1);
}
