/* daemon.c: sd_notify without libsystemd, and the pid file. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "daemon.h"
#include "log.h"

int
daemon_notify(const char *fmt, ...)
{
	struct sockaddr_un	 sun;
	const char		*path = getenv("NOTIFY_SOCKET");
	char			 msg[512];
	socklen_t		 len;
	va_list			 ap;
	int			 fd, err = 0;

	if (path == NULL || *path == '\0')
		return 0;
	if ((path[0] != '/' && path[0] != '@') || strlen(path) >= sizeof(sun.sun_path))
		return EINVAL;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, path, strlen(path));
	if (path[0] == '@')	/* abstract namespace */
		sun.sun_path[0] = '\0';
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(path));
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return errno;
	if (sendto(fd, msg, strlen(msg), MSG_NOSIGNAL, (struct sockaddr *)&sun, len) == -1) {
		err = errno;
		log_warn("sd_notify to %s", path);
	}
	close(fd);
	return err;
}

unsigned long long
daemon_watchdog_usec(void)
{
	const char		*u = getenv("WATCHDOG_USEC"), *p = getenv("WATCHDOG_PID");
	char			*end;
	unsigned long long	 usec;

	if (u == NULL || *u == '\0')
		return 0;
	if (p != NULL && *p != '\0' && strtoll(p, NULL, 10) != (long long)getpid())
		return 0;
	errno = 0;
	usec = strtoull(u, &end, 10);
	if (errno != 0 || *end != '\0' || usec == 0) {
		log_warnx("WATCHDOG_USEC=\"%s\" is not a number of microseconds: ignored", u);
		return 0;
	}
	return usec;
}

int
daemon_notify_reloading(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return daemon_notify("RELOADING=1\nMONOTONIC_USEC=%llu\nSTATUS=reloading",
	    (unsigned long long)ts.tv_sec * 1000000ULL +
	    (unsigned long long)ts.tv_nsec / 1000ULL);
}

int
daemon_pidfile_write(const char *path)
{
	char	buf[32];
	int	fd, n, err = 0;

	if (path == NULL)
		return 0;
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd == -1)
		return errno;
	n = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
	if (write(fd, buf, (size_t)n) != n)
		err = errno ? errno : EIO;
	if (close(fd) == -1 && err == 0)
		err = errno;
	return err;
}

void
daemon_pidfile_remove(const char *path)
{
	if (path != NULL && unlink(path) == -1 && errno != ENOENT)
		log_warn("pid file %s", path);
}

static int detach_fd = -1;

int
daemon_detach(void)
{
	int	pfd[2];
	pid_t	pid;
	char	c;

	if (pipe2(pfd, O_CLOEXEC) == -1)
		return errno;
	pid = fork();
	if (pid == -1)
		return errno;
	if (pid > 0) {
		close(pfd[1]);
		if (read(pfd[0], &c, 1) != 1)
			c = '1';	/* the child died before it was ready */
		_exit(c == '0' ? 0 : 1);
	}
	close(pfd[0]);
	detach_fd = pfd[1];
	if (setsid() == -1)
		return errno;
	/* every path in a snapshot is absolute: nothing depends on the cwd */
	if (chdir("/") == -1)
		return errno;
	return 0;
}

void
daemon_detach_done(int ok)
{
	int fd;

	if (detach_fd == -1)
		return;
	if (write(detach_fd, ok ? "0" : "1", 1) != 1)
		log_warn("detach");
	close(detach_fd);
	detach_fd = -1;
	if ((fd = open("/dev/null", O_RDWR | O_CLOEXEC)) != -1) {
		dup2(fd, STDIN_FILENO);
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
		if (fd > STDERR_FILENO)
			close(fd);
	}
}
