// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * udp-flood: bounded UDP load for the drop tests. Without -t it opens a
 * receiver on 127.0.0.1 (ephemeral port) with a tiny SO_RCVBUF that reads
 * nothing until the sender is done, so the socket overflows; then it drains
 * what was queued. With -t it only sends, to ADDR:PORT (used inside test
 * network namespaces). Prints {"sent":N,"received":R,"send_errors":E}.
 *
 *   udp-flood [-n COUNT] [-s SIZE] [-r RCVBUF] [-t ADDR:PORT] [-S SECONDS]
 *
 * Stops after COUNT datagrams (default 20000) or SECONDS (default 10, at most
 * 120), whichever comes first.
 */
#define _GNU_SOURCE
#include <sys/prctl.h>
#include <signal.h>
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void usage(void)
{
	fprintf(stderr, "usage: udp-flood [-n COUNT] [-s SIZE] [-r RCVBUF] [-t ADDR:PORT] "
			"[-S SECONDS]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	/* a load never outlives the test or irqlens that started it, even after kill -9 of it */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	long count = 20000, size = 64, rcvbuf = 2048;
	double seconds = 10;
	const char *target = NULL;
	int c;

	while ((c = getopt(argc, argv, "n:s:r:t:S:")) != -1) {
		switch (c) {
		case 'n':
			count = strtol(optarg, NULL, 10);
			break;
		case 's':
			size = strtol(optarg, NULL, 10);
			break;
		case 'r':
			rcvbuf = strtol(optarg, NULL, 10);
			break;
		case 't':
			target = optarg;
			break;
		case 'S':
			seconds = strtod(optarg, NULL);
			break;
		default:
			usage();
		}
	}
	if (count <= 0 || size <= 0 || size > 65000 || seconds <= 0 || seconds > 120)
		usage();

	struct sockaddr_in to = { .sin_family = AF_INET };
	int rx = -1;
	if (target) {
		char host[64];
		const char *colon = strrchr(target, ':');
		if (!colon || (size_t)(colon - target) >= sizeof(host))
			usage();
		memcpy(host, target, (size_t)(colon - target));
		host[colon - target] = 0;
		if (inet_pton(AF_INET, host, &to.sin_addr) != 1)
			usage();
		to.sin_port = htons((uint16_t)atoi(colon + 1));
	} else {
		rx = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
		int buf = (int)rcvbuf;
		to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		socklen_t len = sizeof(to);
		if (rx < 0 || setsockopt(rx, SOL_SOCKET, SO_RCVBUF, &buf, sizeof(buf)) ||
		    bind(rx, (struct sockaddr *)&to, sizeof(to)) ||
		    getsockname(rx, (struct sockaddr *)&to, &len)) {
			perror("udp-flood: receiver");
			return 1;
		}
	}

	int tx = socket(AF_INET, SOCK_DGRAM, 0);
	if (tx < 0) {
		perror("udp-flood: socket");
		return 1;
	}
	char *msg = calloc(1, (size_t)size);
	long sent = 0, errors = 0, received = 0;
	double end = now_s() + seconds;
	for (long i = 0; i < count; i++) {
		if ((i & 255) == 0 && now_s() > end)
			break;
		if (sendto(tx, msg, (size_t)size, 0, (struct sockaddr *)&to, sizeof(to)) < 0)
			errors++;
		else
			sent++;
	}
	if (rx >= 0)
		while (recv(rx, msg, (size_t)size, 0) >= 0)
			received++;
	printf("{\"sent\":%ld,\"received\":%ld,\"send_errors\":%ld}\n", sent, received, errors);
	return 0;
}
