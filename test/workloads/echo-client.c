// Closed-loop load for echo-server on 127.0.0.1: `conns` connections, each
// with one request in flight, for `seconds` (bounded). Prints throughput and
// latency percentiles as JSON. usage: echo-client <port> <seconds> <conns> [counter-file]
// counter-file: the running count of answered requests is kept there, a mmap-ed uint64, so a driver
// can read progress at any time (irqlens experiment's throughput from the load generator itself).
#define _GNU_SOURCE
#include <sys/prctl.h>
#include <signal.h>
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BUCKETS 65536 /* latency histogram: 1 us buckets up to 65 ms, last = beyond */

static double now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

int main(int argc, char **argv)
{
	/* a load never outlives the test or irqlens that started it, even after kill -9 of it */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (argc < 4) {
		fprintf(stderr, "usage: echo-client <port> <seconds> <conns> [counter-file]\n");
		return 2;
	}
	int port = atoi(argv[1]);
	double seconds = atof(argv[2]);
	int conns = atoi(argv[3]);
	if (conns < 1 || conns > 1024 || seconds <= 0 || seconds > 3600) {
		fprintf(stderr, "echo-client: conns must be 1..1024 and seconds 0..3600\n");
		return 2;
	}
	volatile uint64_t *progress = NULL;
	if (argc > 4) {
		int fd = open(argv[4], O_RDWR | O_CREAT, 0600);
		if (fd < 0 || ftruncate(fd, 8)) {
			perror("echo-client: counter file");
			return 1;
		}
		progress = mmap(NULL, 8, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		close(fd);
		if (progress == MAP_FAILED) {
			perror("echo-client: mmap");
			return 1;
		}
		*progress = 0;
	}
	static unsigned long hist[BUCKETS];
	double *sent = calloc((size_t)conns, sizeof(double));
	int ep = epoll_create1(0), one = 1;
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((unsigned short)port) };
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	for (int i = 0; i < conns; i++) {
		int s = socket(AF_INET, SOCK_STREAM, 0);
		if (connect(s, (struct sockaddr *)&a, sizeof(a))) {
			perror("echo-client: connect");
			return 1;
		}
		setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		struct epoll_event ev = { .events = EPOLLIN,
					  .data.u64 = ((unsigned long)i << 32) | (unsigned)s };
		epoll_ctl(ep, EPOLL_CTL_ADD, s, &ev);
		sent[i] = now_us();
		if (write(s, "ping", 4) != 4)
			return 1;
	}
	unsigned long done = 0;
	double start = now_us(), end = start + seconds * 1e6, max = 0;
	struct epoll_event evs[64];
	char buf[256];
	while (now_us() < end) {
		int k = epoll_wait(ep, evs, 64, 100);
		for (int j = 0; j < k; j++) {
			int i = (int)(evs[j].data.u64 >> 32),
			    s = (int)(evs[j].data.u64 & 0xffffffffu);
			ssize_t r = read(s, buf, sizeof(buf));
			if (r <= 0)
				continue;
			double t = now_us(), lat = t - sent[i];
			hist[lat < BUCKETS - 1 ? (int)lat : BUCKETS - 1]++;
			if (lat > max)
				max = lat;
			done++;
			if (progress)
				*progress = done;
			sent[i] = t;
			if (write(s, "ping", 4) != 4)
				return 1;
		}
	}
	double elapsed = (now_us() - start) / 1e6;
	double p[3] = { 0.5, 0.99, 0.999 }, v[3] = { 0 };
	for (int q = 0; q < 3; q++) {
		unsigned long want = (unsigned long)(p[q] * (double)done), acc = 0;
		for (int b = 0; b < BUCKETS; b++) {
			acc += hist[b];
			if (acc > want) {
				v[q] = b + 0.5;
				break;
			}
		}
	}
	printf("{\"requests\":%lu,\"seconds\":%.3f,\"rps\":%.0f,\"p50_us\":%.1f,\"p99_us\":%.1f,"
	       "\"p999_us\":%.1f,\"max_us\":%.1f}\n",
	       done, elapsed, (double)done / elapsed, v[0], v[1], v[2], max);
	return 0;
}
