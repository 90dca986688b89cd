// Sends function-call IPIs to one CPU at a set rate, from whatever CPU it runs
// on (pin it with taskset), and does nothing else there: the target sees only
// the interrupts, not a competing thread. Each read of /dev/cpu/N/cpuid runs
// CPUID on CPU N through an IPI (smp_call_function_single). Not a perf event
// toggle: that would stop and restart the target's hardware counters, which
// irqlens reads per busy period. Needs root. Prints {"ipis":N,"seconds":S}.
// usage: ipi-call <target cpu> <ipis per second> <seconds>
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	/* a load never outlives the experiment that started it, even after kill -9 of it */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (argc != 4) {
		fprintf(stderr, "usage: ipi-call <target cpu> <ipis per second> <seconds>\n");
		return 2;
	}
	int cpu = atoi(argv[1]);
	double rate = atof(argv[2]), seconds = atof(argv[3]);
	if (cpu < 0 || rate <= 0 || rate > 1e6 || seconds <= 0) {
		fprintf(stderr, "ipi-call: a CPU >= 0, a rate in (0, 1e6] and seconds > 0\n");
		return 2;
	}
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);

	char path[64];
	snprintf(path, sizeof(path), "/dev/cpu/%d/cpuid", cpu);
	int fd = open(path, O_RDONLY);
	if (fd < 0) {
		perror(path);
		return 1;
	}
	unsigned int regs[4];
	/* one IPI per period, on absolute deadlines (no drift), with 1 ns timer slack so the
	 * sleeps end on time: evenly spaced, as a steady interrupt source would be */
	prctl(PR_SET_TIMERSLACK, 1UL);
	struct timespec next;
	clock_gettime(CLOCK_MONOTONIC, &next);
	double start = now_s(), end = start + seconds;
	long step = (long)(1e9 / rate);
	unsigned long ipis = 0;
	while (!stop && now_s() < end) {
		/* the file offset is the CPUID leaf: 0, the vendor string */
		if (pread(fd, regs, sizeof(regs), 0) != (ssize_t)sizeof(regs)) {
			perror("ipi-call: read cpuid");
			return 1;
		}
		ipis++;
		next.tv_nsec += step;
		while (next.tv_nsec >= 1000000000L) {
			next.tv_nsec -= 1000000000L;
			next.tv_sec++;
		}
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL);
	}
	close(fd);
	printf("{\"ipis\":%lu,\"seconds\":%.3f}\n", ipis, now_s() - start);
	return 0;
}
