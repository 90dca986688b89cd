// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * epoll-spin: calls epoll_wait(..., timeout 0) in a loop on an epoll set whose
 * one eventfd is always ready, so every call returns 1 at once. Each call is
 * exactly one epoll record when irqlens streams `--records epoll`.
 *
 *   epoll-spin [-w] [-t THREADS] <seconds> [target_calls_per_sec]
 *
 * -w waits for one line on stdin before it starts (so a benchmark can attach
 * probes to its pid first). Without a target rate it runs flat out; with one
 * it paces in batches of at most 64 calls against the clock, sleeping when
 * ahead. The rate is split across the threads. It stops after <seconds>
 * (at most 7200) and prints {"calls":N,"seconds":S,"threads":T,"cpu_seconds":C}
 * on stdout (C: its own user + system time, from getrusage).
 */
#define _GNU_SOURCE
#include <sys/prctl.h>
#include <signal.h>
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#define BATCH	    64
#define MAX_THREADS 16

static double seconds;
static double rate_per_thread; /* 0: flat out */

struct worker {
	pthread_t th;
	uint64_t calls;
	int err;
};

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void *spin(void *arg)
{
	struct worker *w = arg;
	struct epoll_event ev = { .events = EPOLLIN }, out[4];
	int ep = epoll_create1(EPOLL_CLOEXEC);
	int efd = eventfd(1, EFD_CLOEXEC | EFD_NONBLOCK); /* counter 1: always readable */

	if (ep < 0 || efd < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, efd, &ev)) {
		w->err = errno;
		return NULL;
	}
	uint64_t start = now_ns();
	uint64_t end = start + (uint64_t)(seconds * 1e9);
	uint64_t calls = 0;
	for (;;) {
		uint64_t t = now_ns();
		if (t >= end)
			break;
		unsigned n = BATCH;
		if (rate_per_thread > 0) {
			double due = (double)(t - start) * 1e-9 * rate_per_thread;
			if ((double)calls >= due) {
				/* ahead of the target: short sleep, or spin when very close */
				double ahead_ns = ((double)calls - due + 1) / rate_per_thread * 1e9;
				if (ahead_ns > 20000) {
					struct timespec ts = { 0, 10000 };
					nanosleep(&ts, NULL);
				}
				continue;
			}
			double behind = due - (double)calls;
			if (behind < BATCH)
				n = (unsigned)behind + 1;
		}
		for (unsigned i = 0; i < n; i++)
			epoll_wait(ep, out, 4, 0);
		calls += n;
	}
	w->calls = calls;
	close(efd);
	close(ep);
	return NULL;
}

static void usage(void)
{
	fprintf(stderr, "usage: epoll-spin [-w] [-t THREADS] <seconds> [target_calls_per_sec]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	/* a load never outlives the test or irqlens that started it, even after kill -9 of it */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	int wait_line = 0, nthreads = 1, c;
	struct worker workers[MAX_THREADS];

	while ((c = getopt(argc, argv, "wt:")) != -1) {
		if (c == 'w')
			wait_line = 1;
		else if (c == 't')
			nthreads = atoi(optarg);
		else
			usage();
	}
	if (optind >= argc || nthreads < 1 || nthreads > MAX_THREADS)
		usage();
	seconds = atof(argv[optind]);
	if (!(seconds > 0 && seconds <= 7200))
		usage();
	double rate = optind + 1 < argc ? atof(argv[optind + 1]) : 0;
	if (rate < 0)
		usage();
	rate_per_thread = rate / nthreads;

	if (wait_line) {
		char line[64];
		if (!fgets(line, sizeof(line), stdin))
			return 1; /* the driver went away: do nothing */
	}
	uint64_t t0 = now_ns();
	memset(workers, 0, sizeof(workers));
	for (int i = 0; i < nthreads; i++)
		if (pthread_create(&workers[i].th, NULL, spin, &workers[i])) {
			fprintf(stderr, "epoll-spin: pthread_create failed\n");
			return 1;
		}
	uint64_t total = 0;
	int err = 0;
	for (int i = 0; i < nthreads; i++) {
		pthread_join(workers[i].th, NULL);
		total += workers[i].calls;
		if (workers[i].err)
			err = workers[i].err;
	}
	if (err) {
		fprintf(stderr, "epoll-spin: %s\n", strerror(err));
		return 1;
	}
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	double cpu = (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
		     (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1e-6;
	printf("{\"calls\":%llu,\"seconds\":%.6f,\"threads\":%d,\"cpu_seconds\":%.6f}\n",
	       (unsigned long long)total, (double)(now_ns() - t0) * 1e-9, nthreads, cpu);
	return 0;
}
