// A single-thread epoll echo server on 127.0.0.1 for tests and the cost
// command. Per request it can do a fixed amount of cache-sensitive work: a
// pointer chase of `work_iters` steps through a `wss_kb` working set.
// usage: echo-server <port> <seconds> [work_iters] [wss_kb]
// Prints {"port":P,"pid":N} when listening, {"requests":N,...} when done.
#define _GNU_SOURCE
#include <sys/prctl.h>
#include <signal.h>
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	/* a load never outlives the test or irqlens that started it, even after kill -9 of it */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (argc < 3) {
		fprintf(stderr, "usage: echo-server <port> <seconds> [work_iters] [wss_kb]\n");
		return 2;
	}
	int port = atoi(argv[1]);
	double seconds = atof(argv[2]);
	long iters = argc > 3 ? atol(argv[3]) : 0;
	long wss_kb = argc > 4 ? atol(argv[4]) : 0;
	size_t n = wss_kb > 0 ? (size_t)wss_kb * 1024 / sizeof(size_t) : 1;
	size_t *chase = malloc(n * sizeof(size_t));
	if (!chase)
		return 1;
	// one random cycle through the working set (Sattolo's shuffle)
	for (size_t i = 0; i < n; i++)
		chase[i] = i;
	srand(42);
	for (size_t i = n - 1; i > 0; i--) {
		size_t j = (size_t)rand() % i, t = chase[i];
		chase[i] = chase[j];
		chase[j] = t;
	}

	int ls = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	int one = 1;
	setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((unsigned short)port) };
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(ls, (struct sockaddr *)&a, sizeof(a)) || listen(ls, 128)) {
		perror("echo-server: bind/listen");
		return 1;
	}
	socklen_t alen = sizeof(a);
	getsockname(ls, (struct sockaddr *)&a, &alen);
	printf("{\"port\":%d,\"pid\":%d}\n", ntohs(a.sin_port), getpid());
	fflush(stdout);

	int ep = epoll_create1(0);
	struct epoll_event ev = { .events = EPOLLIN, .data.fd = ls };
	epoll_ctl(ep, EPOLL_CTL_ADD, ls, &ev);
	struct epoll_event evs[64];
	char buf[4096];
	unsigned long requests = 0, calls = 0;
	size_t pos = 0;
	double end = now_s() + seconds;
	while (now_s() < end) {
		int k = epoll_wait(ep, evs, 64, 50);
		calls++;
		for (int i = 0; i < k; i++) {
			int fd = evs[i].data.fd;
			if (fd == ls) {
				int c = accept4(ls, NULL, NULL, SOCK_NONBLOCK);
				if (c >= 0) {
					setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
					struct epoll_event cev = { .events = EPOLLIN,
								   .data.fd = c };
					epoll_ctl(ep, EPOLL_CTL_ADD, c, &cev);
				}
				continue;
			}
			ssize_t r = read(fd, buf, sizeof(buf));
			if (r <= 0) {
				if (r == 0 || (errno != EAGAIN && errno != EINTR)) {
					epoll_ctl(ep, EPOLL_CTL_DEL, fd, NULL);
					close(fd);
				}
				continue;
			}
			for (long s = 0; s < iters; s++)
				pos = chase[pos];
			requests++;
			if (write(fd, buf, (size_t)r) < 0 && errno != EAGAIN) {
				epoll_ctl(ep, EPOLL_CTL_DEL, fd, NULL);
				close(fd);
			}
		}
	}
	printf("{\"requests\":%lu,\"epoll_calls\":%lu,\"chase\":%zu}\n", requests, calls, pos);
	return 0;
}
