// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * epoll-spin: calls epoll_wait(..., timeout 0) in a loop on an epoll set whose
 * one eventfd is always ready, so every call returns 1 at once. Each call is
 * exactly one epoll record when irqlens streams `--records epoll`.
 *
 *   epoll-spin [-w] [-t THREADS] [-k STEPS -m WSS_KB] [-c FILE] <seconds> [target_calls_per_sec]
 *
 * -w waits for one line on stdin before it starts (so a benchmark can attach
 * probes to its pid first). Without a target rate it runs flat out; with one
 * it paces in batches of at most 64 calls against the clock, sleeping when
 * ahead. The rate is split across the threads. It stops after <seconds>
 * (at most 7200) and prints {"calls":N,"seconds":S,"threads":T,"cpu_seconds":C}
 * on stdout (C: its own user + system time, from getrusage).
 * -k: after each call, a fixed work of STEPS dependent loads through a random
 * cycle over a WSS_KB working set (default 4096 KiB), so each busy period has
 * known work. -c: the running call count (all threads) is kept in FILE, a
 * mmap-ed uint64, so a driver can read progress at any time.
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
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#define BATCH	    64
#define MAX_THREADS 16

static double seconds;
static double rate_per_thread; /* 0: flat out */
static long work_steps;
static size_t *chase; /* chase[i]: next index, a single random cycle */
static volatile uint64_t *progress; /* shared call counter, or NULL */
static volatile size_t sink;

/* one cycle through all cache lines of the working set, in random order */
static int build_chase(long wss_kb)
{
	size_t stride = 64 / sizeof(size_t), n = (size_t)wss_kb * 1024 / 64;
	if (n < 2)
		return -1;
	chase = aligned_alloc(64, n * 64);
	size_t *order = malloc(n * sizeof(size_t));
	if (!chase || !order)
		return -1;
	for (size_t i = 0; i < n; i++)
		order[i] = i;
	srand(12345);
	for (size_t i = n - 1; i > 0; i--) {
		size_t j = (size_t)rand() % (i + 1), t = order[i];
		order[i] = order[j];
		order[j] = t;
	}
	for (size_t i = 0; i < n; i++)
		chase[order[i] * stride] = order[(i + 1) % n] * stride;
	free(order);
	return 0;
}

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
	size_t pos = 0;
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
		for (unsigned i = 0; i < n; i++) {
			epoll_wait(ep, out, 4, 0);
			for (long k = 0; k < work_steps; k++)
				pos = chase[pos];
			if (progress)
				__atomic_fetch_add(progress, 1, __ATOMIC_RELAXED);
		}
		calls += n;
	}
	w->calls = calls;
	sink = pos;
	close(efd);
	close(ep);
	return NULL;
}

static void usage(void)
{
	fprintf(stderr, "usage: epoll-spin [-w] [-t THREADS] [-k STEPS -m WSS_KB] [-c FILE] <seconds> [target_calls_per_sec]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	/* a load never outlives the test or irqlens that started it, even after kill -9 of it */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	int wait_line = 0, nthreads = 1, c;
	long wss_kb = 4096;
	const char *counter = NULL;
	struct worker workers[MAX_THREADS];

	while ((c = getopt(argc, argv, "wt:k:m:c:")) != -1) {
		if (c == 'w')
			wait_line = 1;
		else if (c == 't')
			nthreads = atoi(optarg);
		else if (c == 'k')
			work_steps = atol(optarg);
		else if (c == 'm')
			wss_kb = atol(optarg);
		else if (c == 'c')
			counter = optarg;
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
	if (work_steps < 0 || work_steps > 100000000 || wss_kb < 1 || wss_kb > 1048576)
		usage();
	if (work_steps > 0 && build_chase(wss_kb)) {
		fprintf(stderr, "epoll-spin: cannot allocate a %ld KiB working set\n", wss_kb);
		return 1;
	}
	if (counter) {
		int fd = open(counter, O_RDWR | O_CREAT, 0600);
		if (fd < 0 || ftruncate(fd, 8)) {
			perror("epoll-spin: counter file");
			return 1;
		}
		progress = mmap(NULL, 8, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		close(fd);
		if (progress == MAP_FAILED) {
			perror("epoll-spin: mmap");
			return 1;
		}
		*progress = 0;
	}

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
