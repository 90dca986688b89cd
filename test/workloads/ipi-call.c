// Sends function-call IPIs to one CPU at a set rate, from whatever CPU it runs
// on (pin it with taskset), and does nothing else there: the target sees only
// the interrupts, not a competing thread. Each enable or disable of a perf
// event bound to the target CPU runs on that CPU through an IPI
// (event_function_call -> smp_call_function_single). Needs root (or
// perf_event_paranoid <= 0). Prints {"ipis":N,"seconds":S} at the end.
// usage: ipi-call <target cpu> <ipis per second> <seconds>
#define _GNU_SOURCE
#include <linux/perf_event.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
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

	struct perf_event_attr a;
	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.type = PERF_TYPE_SOFTWARE;
	a.config = PERF_COUNT_SW_DUMMY;
	a.disabled = 1;
	int fd = (int)syscall(SYS_perf_event_open, &a, -1, cpu, -1, 0);
	if (fd < 0) {
		perror("ipi-call: perf_event_open on the target CPU");
		return 1;
	}
	/* paced in batches of 1 ms so the rate holds without a sleep per IPI */
	double start = now_s(), end = start + seconds, per_ms = rate / 1000.0, owed = 0;
	unsigned long ipis = 0;
	while (!stop) {
		double t = now_s();
		if (t >= end)
			break;
		owed = per_ms * (t - start) * 1000.0 - (double)ipis;
		for (; owed >= 1; owed -= 1) {
			ioctl(fd, (ipis & 1) ? PERF_EVENT_IOC_DISABLE : PERF_EVENT_IOC_ENABLE, 0);
			ipis++;
		}
		usleep(1000);
	}
	close(fd);
	printf("{\"ipis\":%lu,\"seconds\":%.3f}\n", ipis, now_s() - start);
	return 0;
}
