/*
 * stt: the system test's small helpers inside the guest (built with gcc -static on the host).
 *
 *   stt now                          print CLOCK_MONOTONIC in seconds
 *   stt notify PATH                  a systemd notify listener: bind a unix datagram socket at PATH and
 *                                    print "<t> <message>" for each datagram (newlines shown as '|')
 *   stt monitor PERIOD_MS NAME=FILE...  poll sysfs value files; print "M <t> NAME=V ..." at start and
 *                                    on every change (one write per line)
 *   stt bounce FILE STEP...          write STEPs into FILE (a gpio-sim "pull" attribute): a word is
 *                                    written, a number sleeps that many milliseconds; prints the time
 *                                    just before every write
 *
 * Times are CLOCK_MONOTONIC, the clock the kernel trace is switched to, so all guest times compare.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void sleep_ms(double ms)
{
	struct timespec ts;
	ts.tv_sec = (time_t)(ms / 1000);
	ts.tv_nsec = (long)((ms - ts.tv_sec * 1000.0) * 1e6);
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

static int cmd_notify(const char *path)
{
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct sockaddr_un sa;
	char buf[4096];

	if (fd < 0) { perror("socket"); return 1; }
	memset(&sa, 0, sizeof sa);
	sa.sun_family = AF_UNIX;
	strncpy(sa.sun_path, path, sizeof sa.sun_path - 1);
	unlink(path);
	if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0) { perror("bind"); return 1; }
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("%.6f LISTENING\n", now());
	for (;;) {
		ssize_t n = recv(fd, buf, sizeof buf - 1, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			perror("recv");
			return 1;
		}
		buf[n] = 0;
		while (n > 0 && buf[n - 1] == '\n')
			buf[--n] = 0;
		for (ssize_t i = 0; i < n; i++)
			if (buf[i] == '\n')
				buf[i] = '|';
		printf("%.6f %s\n", now(), buf);
	}
}

static int cmd_monitor(int argc, char **argv)
{
	int period = atoi(argv[0]);
	int n = argc - 1;
	char **names = calloc(n, sizeof *names);
	int *fds = calloc(n, sizeof *fds);
	int *vals = calloc(n, sizeof *vals);
	int first = 1;

	for (int i = 0; i < n; i++) {
		char *eq = strchr(argv[i + 1], '=');
		if (!eq) { fprintf(stderr, "monitor: NAME=FILE expected\n"); return 2; }
		*eq = 0;
		names[i] = argv[i + 1];
		fds[i] = open(eq + 1, O_RDONLY | O_CLOEXEC);
		if (fds[i] < 0) { perror(eq + 1); return 1; }
		vals[i] = -1;
	}
	for (;;) {
		int changed = first;
		for (int i = 0; i < n; i++) {
			char c = '?';
			int v;
			if (pread(fds[i], &c, 1, 0) != 1)
				c = '?';
			v = c == '1' ? 1 : c == '0' ? 0 : -1;
			if (v != vals[i]) {
				vals[i] = v;
				changed = 1;
			}
		}
		if (changed) {
			char line[1024];
			int len = snprintf(line, sizeof line, "M %.6f", now());
			for (int i = 0; i < n && len < (int)sizeof line - 40; i++)
				len += snprintf(line + len, sizeof line - len, " %s=%d", names[i], vals[i]);
			line[len++] = '\n';
			if (write(1, line, len) < 0 && errno != EINTR)
				return 1;
			first = 0;
		}
		sleep_ms(period);
	}
}

static int cmd_bounce(int argc, char **argv)
{
	int fd = open(argv[0], O_WRONLY | O_CLOEXEC);
	if (fd < 0) { perror(argv[0]); return 1; }
	for (int i = 1; i < argc; i++) {
		char *end;
		double ms = strtod(argv[i], &end);
		if (*argv[i] && *end == 0) {
			sleep_ms(ms);
			continue;
		}
		/* The time is taken just before the write: the edge can only be later. */
		double t = now();
		if (write(fd, argv[i], strlen(argv[i])) < 0) { perror("write"); return 1; }
		printf("%.6f %s\n", t, argv[i]);
	}
	return 0;
}

int main(int argc, char **argv)
{
	signal(SIGPIPE, SIG_IGN);
	if (argc >= 2 && !strcmp(argv[1], "now")) {
		printf("%.6f\n", now());
		return 0;
	}
	if (argc == 3 && !strcmp(argv[1], "notify"))
		return cmd_notify(argv[2]);
	if (argc >= 4 && !strcmp(argv[1], "monitor"))
		return cmd_monitor(argc - 2, argv + 2);
	if (argc >= 4 && !strcmp(argv[1], "bounce"))
		return cmd_bounce(argc - 2, argv + 2);
	fprintf(stderr, "usage: stt now | notify PATH | monitor PERIOD_MS NAME=FILE... | bounce FILE STEP...\n");
	return 2;
}
