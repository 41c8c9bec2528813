/* log.h: leveled logging to stderr or syslog, one line per event, never secrets. */
#ifndef SBCD_LOG_H
#define SBCD_LOG_H

#include <stdarg.h>

enum log_level {
	LOG_LEVEL_ERR = 0,
	LOG_LEVEL_WARN,
	LOG_LEVEL_INFO,
	LOG_LEVEL_DEBUG,
};

enum log_target {
	LOG_TARGET_STDERR = 0,
	LOG_TARGET_SYSLOG,
};

/*
 * Set up logging.  ident is the syslog identity (kept by reference, must
 * outlive logging).  facility is a LOG_* syslog facility.  Safe to call
 * again on reload to switch target or facility.
 */
void log_init(const char *ident, enum log_target target, int facility);
void log_set_level(enum log_level level);
enum log_level log_get_level(void);
const char *log_level_str(enum log_level level);
/* Parse "err", "warn", "info", "debug"; returns 0 or EINVAL. */
int log_level_parse(const char *s, enum log_level *out);

/* Test whether a message at this level would be emitted. */
int log_enabled(enum log_level level);

void log_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* log_warn appends strerror(errno); log_warnx does not (relayd). */
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_vmsg(enum log_level level, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

/* Only before the event loop runs: log and exit(1). */
void fatalx(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

#define log_warnx_f(fmt, ...) log_warnx("%s: " fmt, __func__, ##__VA_ARGS__)
#define log_debug_f(fmt, ...) log_debug("%s: " fmt, __func__, ##__VA_ARGS__)

#endif
