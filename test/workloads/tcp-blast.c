// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * tcp-blast: loopback-only TCP load. One thread listens on 127.0.0.1 (an
 * ephemeral port) and reads until EOF; the main thread connects and writes
 * <write_size>-byte chunks with TCP_NODELAY until <total_bytes> are sent or
 * <seconds> (at most 600) have passed. Every send runs NET_RX softirqs and a
 * backlog napi_poll on loopback. Prints {"bytes":N,"writes":W,"seconds":S}.
 *
 *   tcp-blast [-p] <seconds> <total_bytes> [write_size (default 1024)]
 *
 * -p: ping-pong. The receiver echoes each <write_size> message and the sender
 * waits for it before the next, so every message is its own packet each way
 * (a bulk stream coalesces into 64 KiB segments and raises few softirqs).
 */
#define _GNU_SOURCE
#include <sys/prctl.h>
#include <signal.h>
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static int listen_fd;
static uint64_t received;
static int pingpong;
static size_t wsize = 1024;

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void die(const char *what)
{
	fprintf(stderr, "tcp-blast: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* reads exactly n bytes; 0 at EOF */
static int read_full(int fd, char *buf, size_t n)
{
	size_t got = 0;
	while (got < n) {
		ssize_t r = read(fd, buf + got, n - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			die("read");
		if (r == 0)
			return 0;
		got += (size_t)r;
	}
	return 1;
}

static void *receiver(void *arg)
{
	static char buf[1 << 20];
	(void)arg;
	int c = accept(listen_fd, NULL, NULL), one = 1;
	if (c < 0)
		die("accept");
	setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	for (;;) {
		if (pingpong) {
			if (!read_full(c, buf, wsize))
				break;
			received += wsize;
			if (write(c, buf, wsize) != (ssize_t)wsize)
				die("echo");
			continue;
		}
		ssize_t r = read(c, buf, sizeof(buf));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		received += (uint64_t)r;
	}
	close(c);
	return NULL;
}

int main(int argc, char **argv)
{
	/* a load never outlives the test or irqlens that started it, even after kill -9 of it */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (argc > 1 && !strcmp(argv[1], "-p")) {
		pingpong = 1;
		argv++;
		argc--;
	}
	if (argc < 3) {
		fprintf(stderr, "usage: tcp-blast [-p] <seconds> <total_bytes> [write_size]\n");
		return 2;
	}
	double seconds = atof(argv[1]);
	uint64_t total = strtoull(argv[2], NULL, 10);
	if (argc > 3)
		wsize = strtoul(argv[3], NULL, 10);
	if (!(seconds > 0 && seconds <= 600) || !total || !wsize || wsize > (1 << 20)) {
		fprintf(stderr, "tcp-blast: bad arguments\n");
		return 2;
	}

	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t alen = sizeof(a);
	listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (listen_fd < 0)
		die("socket");
	if (bind(listen_fd, (struct sockaddr *)&a, sizeof(a)) || listen(listen_fd, 1) ||
	    getsockname(listen_fd, (struct sockaddr *)&a, &alen))
		die("bind 127.0.0.1");

	pthread_t th;
	if (pthread_create(&th, NULL, receiver, NULL))
		die("pthread_create");

	int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;
	if (s < 0)
		die("socket");
	setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(s, (struct sockaddr *)&a, sizeof(a)))
		die("connect 127.0.0.1");

	char *buf = calloc(1, wsize);
	uint64_t t0 = now_ns(), end = t0 + (uint64_t)(seconds * 1e9), sent = 0, writes = 0;
	while (sent < total && (writes & 255 || now_ns() < end)) {
		size_t n = pingpong || total - sent >= wsize ? wsize : (size_t)(total - sent);
		ssize_t w = write(s, buf, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			die("write");
		}
		if (pingpong && (w != (ssize_t)n || !read_full(s, buf, n)))
			die("ping-pong");
		sent += (uint64_t)w;
		writes++;
	}
	shutdown(s, SHUT_WR);
	pthread_join(th, NULL);
	close(s);
	close(listen_fd);
	free(buf);
	printf("{\"bytes\":%llu,\"writes\":%llu,\"seconds\":%.6f}\n", (unsigned long long)received,
	       (unsigned long long)writes, (double)(now_ns() - t0) * 1e-9);
	return 0;
}
