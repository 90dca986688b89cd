// Makes system-vector interrupts for tests: reschedule IPIs (a thread on
// each CPU wakes a sleeper on the other CPU while a spinner keeps that CPU
// busy) and function-call IPIs (membarrier and munmap TLB shootdowns
// across two threads). usage: ipi <seconds>
#define _GNU_SOURCE
#include <sys/prctl.h>
#include <signal.h>
#include <linux/membarrier.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static volatile int stop;
static int pipes[2][2];

static void pin(int cpu)
{
	cpu_set_t s;
	CPU_ZERO(&s);
	CPU_SET(cpu, &s);
	pthread_setaffinity_np(pthread_self(), sizeof(s), &s);
}

static void *spinner(void *arg)
{
	pin((int)(long)arg);
	while (!stop)
		;
	return NULL;
}

// ping-pong between CPUs: each wake-up of a task on the busy CPU sends RES
static void *pinger(void *arg)
{
	int me = (int)(long)arg;
	char c = 0;
	pin(me);
	while (!stop) {
		if (me == 0) {
			if (write(pipes[0][1], &c, 1) != 1 || read(pipes[1][0], &c, 1) != 1)
				break;
		} else {
			if (read(pipes[0][0], &c, 1) != 1 || write(pipes[1][1], &c, 1) != 1)
				break;
		}
		usleep(200);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	/* a load never outlives the test or irqlens that started it, even after kill -9 of it */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	double seconds = argc > 1 ? atof(argv[1]) : 1;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	pthread_t t[4];
	if (pipe(pipes[0]) || pipe(pipes[1]))
		return 1;
	syscall(SYS_membarrier, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0, 0);
	pthread_create(&t[0], NULL, spinner, (void *)(long)(ncpu > 1 ? 1 : 0));
	pthread_create(&t[1], NULL, pinger, (void *)0L);
	pthread_create(&t[2], NULL, pinger, (void *)(long)(ncpu > 1 ? 1 : 0));
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	double end = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9 + seconds;
	unsigned long rounds = 0;
	pin(0);
	for (;;) {
		clock_gettime(CLOCK_MONOTONIC, &ts);
		if ((double)ts.tv_sec + (double)ts.tv_nsec / 1e9 >= end)
			break;
		// call-function IPIs to the CPU running our spinner
		syscall(SYS_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0);
		void *p =
		    mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p != MAP_FAILED) {
			*(volatile char *)p = 1;
			munmap(p, 4096);
		}
		rounds++;
		usleep(100);
	}
	stop = 1;
	// unblock the pingers
	char c = 0;
	if (write(pipes[0][1], &c, 1) < 0 || write(pipes[1][1], &c, 1) < 0)
		perror("ipi");
	for (int i = 0; i < 3; i++)
		pthread_join(t[i], NULL);
	printf("{\"rounds\":%lu}\n", rounds);
	return 0;
}
