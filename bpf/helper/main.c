// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * irqlens-helper: loads the linked irqlens BPF object, attaches its programs
 * and writes the framed binary stream (bpf/events.h) to stdout. Runs as a
 * separate process so it alone needs privileges, a crash stays out of Node,
 * and its stdout is also the recording format.
 *
 * stdin commands, one per line: "stop", "snapshot", "interval <ms>", "period-every <n>",
 * "stats on", "stats off", "probes <groups>". It exits when stdin closes, on
 * SIGINT/SIGTERM or when its parent dies; every attachment is an fd, so
 * nothing outlives it.
 *
 * Modules: args.c (options), detect.c (kernel features), probes.c (attach
 * policy), snapshot.c (map tables), output.c (frames), errors.c.
 */
#include "helper.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/epoll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <bpf/bpf.h>

volatile sig_atomic_t stop_flag;
int ncpus;
struct irqlens *skel;
struct ring_buffer *rb;
bool stats_on;
static int stats_fd = -1;

static void on_signal(int sig)
{
	(void)sig;
	stop_flag = 1;
}

/* Kills every process in the cgroup (cgroup.kill, 5.14+) and removes it once empty (bounded: ~1 s).
 */
static void kill_cgroup(const char *path)
{
	char p[PATH_MAX];
	int fd;

	snprintf(p, sizeof(p), "%s/cgroup.kill", path);
	fd = open(p, O_WRONLY | O_CLOEXEC);
	if (fd >= 0) {
		if (write(fd, "1", 1) < 0)
			warn("cannot kill the processes of %s: %s", path, strerror(errno));
		close(fd);
	}
	for (int i = 0; i < 100; i++) {
		if (!rmdir(path) || errno == ENOENT)
			return;
		if (errno != EBUSY)
			break;
		usleep(10000);
	}
	warn("could not remove %s: %s", path, strerror(errno));
}

static void handle_command(char *line, unsigned *interval_ms)
{
	line[strcspn(line, "\r\n")] = 0;
	if (!strcmp(line, "stop"))
		stop_flag = 1;
	else if (!strcmp(line, "snapshot"))
		write_snapshot(false, true);
	else if (!strncmp(line, "interval ", 9)) {
		long v = strtol(line + 9, NULL, 10);
		if (v >= 1 && v <= 3600000)
			*interval_ms = (unsigned)v;
	} else if (!strncmp(line, "period-every ", 13)) {
		long v = strtol(line + 13, NULL, 10);
		if (v >= 1 && v <= IRQLENS_MAX_PERIOD_EVERY)
			skel->bss->period_every = (__u32)v;
		else
			warn("period-every: %ld is not in 1..%d", v, IRQLENS_MAX_PERIOD_EVERY);
	} else if (!strcmp(line, "stats on")) {
		if (stats_fd < 0)
			stats_fd = bpf_enable_stats(BPF_STATS_RUN_TIME);
		stats_on = stats_fd >= 0;
	} else if (!strcmp(line, "stats off")) {
		if (stats_fd >= 0)
			close(stats_fd);
		stats_fd = -1;
		stats_on = false;
	} else if (!strncmp(line, "probes ", 7)) {
		const char *bad = NULL;
		long mask = parse_probe_groups(line + 7, &bad);
		if (mask < 0)
			warn("probes: unknown group '%s'", bad);
		else
			probes_set((unsigned)mask);
	} else if (line[0]) {
		warn("unknown command '%s'", line);
	}
}
int main(int argc, char **argv)
{
	struct opts o;
	struct utsname uts;
	bool mounted = false;
	pid_t parent = getppid();
	int err;

	if (argc > 1 && !strcmp(argv[1], "napi"))
		return napi_command(argc - 1, argv + 1);
	parse_args(argc, argv, &o);
	verbose = o.verbose;
	libbpf_set_print(on_libbpf_message);

	/* the parent (Node) dying must take us down, even on kill -9 */
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (getppid() != parent)
		return 0;
	if (o.pin && sched_setaffinity(0, sizeof(o.run_on), &o.run_on))
		warn("--cpus: %s", strerror(errno));
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGHUP, on_signal);
	signal(SIGPIPE, SIG_IGN);

	if (access("/sys/kernel/btf/vmlinux", R_OK))
		die(1,
		    "this kernel has no BTF (/sys/kernel/btf/vmlinux: %s): irqlens needs a kernel "
		    "built with CONFIG_DEBUG_INFO_BTF=y (Debian, Ubuntu, Fedora and RHEL kernels "
		    "have it)",
		    strerror(errno));
	check_privileges();

	struct btf *vmlinux = btf__load_vmlinux_btf();
	if (!vmlinux)
		die(1, "cannot read the kernel's BTF: %s", strerror(errno));

	if (!(o.never_mask & (1u << PG_EPOLL)) && (err = ensure_tracefs(&mounted)))
		warn("tracefs is not mounted and mounting it failed (%s): epoll probes are off; as "
		     "root "
		     "run 'mount -t tracefs nodev /sys/kernel/tracing'",
		     strerror(-err));

	skel = irqlens__open();
	if (!skel)
		die(1, "cannot open the BPF object: %s", strerror(errno));
	ncpus = libbpf_num_possible_cpus();
	if (ncpus <= 0)
		die(1, "cannot count CPUs");

	skel->rodata->target_tgid = o.target_tgid;
	skel->rodata->target_cgroup = o.target_cgroup;
	skel->rodata->record_mask = o.record_mask;
	skel->rodata->burst_window_ns = (__u64)o.window_us * 1000;
	skel->rodata->burst_packets = o.burst_packets;
	skel->rodata->drop_unspecified = o.drop_unspecified;
	skel->rodata->softirq_async_only = o.softirq_async_only;
	skel->rodata->raise_latency = !o.no_raise_latency;
	skel->rodata->ring_wake_bytes = o.ring_bytes / WAKE_SHARE;
	/* .bss set before load is its initial value: sampled from the first call */
	skel->bss->period_every = o.period_every;
	/* our own and our parent's epoll_wait would feed back into the stream */
	skel->rodata->self_tgids[0] = (__u32)getpid();
	skel->rodata->self_tgids[1] = (__u32)parent;
	for (int i = 0; i < o.nexclude; i++)
		skel->rodata->self_tgids[2 + i] = o.exclude[i];
	bpf_map__set_max_entries(skel->maps.events, o.ring_bytes);
	bpf_map__set_max_entries(skel->maps.pmu_cycles, (__u32)ncpus);
	bpf_map__set_max_entries(skel->maps.pmu_instr, (__u32)ncpus);
	int pmu = detect_pmu();
	/* the PMU path: periods carry cycles and instructions where counters exist */
	skel->rodata->pmu_enabled = pmu && (o.record_mask & (1u << IRQLENS_REC_PERIOD));

	/* sched_switch serves busy periods only; --no-epoll means never (no tracefs needed) */
	unsigned loadable = PG_ALL & ~o.never_mask;
	if (!(o.record_mask & (1u << IRQLENS_REC_PERIOD)))
		loadable &= ~(1u << PG_SCHED);
	probes_prepare(vmlinux, loadable);
	load_drop_names(vmlinux);
	btf__free(vmlinux);

	err = irqlens__load(skel);
	if (err)
		explain_load_failure(err);

	probes_set(o.probe_mask);

	if (skel->rodata->pmu_enabled &&
	    !open_pmu(bpf_map__fd(skel->maps.pmu_cycles), bpf_map__fd(skel->maps.pmu_instr), ncpus))
		warn("hardware counters exist but could not be opened on every CPU (%s): "
		     "periods carry no cycles",
		     strerror(errno));
	rb = ring_buffer__new(bpf_map__fd(skel->maps.events), on_record, NULL, NULL);
	if (!rb)
		die(1, "cannot create the ring buffer reader: %s", strerror(errno));
	if (o.prog_stats) {
		stats_fd = bpf_enable_stats(BPF_STATS_RUN_TIME);
		stats_on = stats_fd >= 0;
		if (!stats_on)
			warn("cannot enable BPF run-time statistics: %s", strerror(errno));
	}
	fcntl(STDOUT_FILENO, F_SETPIPE_SZ, 1 << 20);

	uname(&uts);
	struct {
		struct irqlens_hello h;
		struct irqlens_prog_status st[64];
	} hello = {};
	memcpy(hello.h.magic, IRQLENS_MAGIC, sizeof(IRQLENS_MAGIC));
	hello.h.version = IRQLENS_STREAM_VERSION;
	hello.h.ncpus = (__u32)ncpus;
	hello.h.pmu = (__u32)pmu;
	hello.h.nprogs = (__u32)nprogs;
	hello.h.mono_ns = now_ns(CLOCK_MONOTONIC);
	hello.h.realtime_ns = now_ns(CLOCK_REALTIME);
	snprintf(hello.h.kernel, sizeof(hello.h.kernel), "%.63s", uts.release);
	snprintf(hello.h.host, sizeof(hello.h.host), "%.63s", uts.nodename);
	hello.h.window_ns = o.window_us * 1000;
	hello.h.burst_packets = o.burst_packets;
	hello.h.interval_ms = o.interval_ms;
	hello.h.ring_bytes = o.ring_bytes;
	hello.h.record_mask = o.record_mask;
	hello.h.target_tgid = o.target_tgid;
	hello.h.tracefs_mounted = mounted;
	hello.h.flags = (o.softirq_async_only ? IRQLENS_HELLO_SOFTIRQ_ASYNC_ONLY : 0) |
			(o.no_raise_latency ? IRQLENS_HELLO_NO_RAISE_LATENCY : 0);
	for (int i = 0; i < nprogs; i++)
		hello.st[i] = progs[i].st;
	write_frame(IRQLENS_FRAME_HELLO, &hello,
		    sizeof(hello.h) + (size_t)nprogs * sizeof(struct irqlens_prog_status));
	write_snapshot(true, false);

	unsigned interval_ms = o.interval_ms;
	__u64 next_snap = now_ns(CLOCK_MONOTONIC) + (__u64)interval_ms * 1000000;
	/* one frame per flush, not per poll: every frame costs the reader per-message work */
	__u64 next_flush = 0;
	char line[256];
	size_t line_len = 0;

	/* stdin level-triggered (commands); the ring edge-triggered: ready only when a program woke
	 * us */
	int ep = epoll_create1(EPOLL_CLOEXEC);
	if (ep < 0)
		die(2, "epoll: %s", strerror(errno));
	struct epoll_event ev = { .events = EPOLLIN | EPOLLET, .data.u32 = 1 };
	if (epoll_ctl(ep, EPOLL_CTL_ADD, bpf_map__fd(skel->maps.events), &ev))
		die(2, "epoll on the ring: %s", strerror(errno));
	ev = (struct epoll_event){ .events = EPOLLIN, .data.u32 = 0 };
	/* stdin not a pipe (a file, /dev/null): no reader can send commands, as when it closes */
	if (epoll_ctl(ep, EPOLL_CTL_ADD, STDIN_FILENO, &ev))
		stop_flag = 1;

	int drain_ms = DRAIN_MS;
	__u64 drained_at = now_ns(CLOCK_MONOTONIC);
	unsigned long long read_before = ring_bytes_read;

	while (!stop_flag) {
		__u64 due = next_snap < next_flush ? next_snap : next_flush;
		__u64 at = now_ns(CLOCK_MONOTONIC);
		int wait_ms = due <= at ? 0 : (int)((due - at + 999999) / 1000000);
		if (wait_ms > drain_ms)
			wait_ms = drain_ms;
		struct epoll_event got[2];
		int n = epoll_wait(ep, got, 2, wait_ms);
		if (n < 0 && errno != EINTR)
			die(2, "epoll_wait: %s", strerror(errno));
		bool command = false;
		for (int i = 0; i < n; i++)
			if (got[i].data.u32 == 0)
				command = true;
		if (command) {
			ssize_t r =
			    read(STDIN_FILENO, line + line_len, sizeof(line) - 1 - line_len);
			if (r <= 0) {
				stop_flag = 1; /* stdin closed: the reader is gone */
				break;
			}
			line_len += (size_t)r;
			line[line_len] = 0;
			char *nl;
			while ((nl = memchr(line, '\n', line_len))) {
				*nl = 0;
				handle_command(line, &interval_ms);
				size_t used = (size_t)(nl - line) + 1;
				memmove(line, nl + 1, line_len - used);
				line_len -= used;
			}
			if (line_len == sizeof(line) - 1)
				line_len = 0; /* overlong line: drop it */
		}
		if (getppid() != parent)
			break;
		ring_buffer__consume(rb);
		__u64 now = now_ns(CLOCK_MONOTONIC);
		/* the rate since the last drain, as bytes a DRAIN_MS wait would pile up */
		double piled = (double)(ring_bytes_read - read_before) * DRAIN_MS * 1e6 /
			       (double)(now - drained_at + 1);
		drain_ms = piled >= (double)o.ring_bytes / FAST_SHARE ? FAST_MS : DRAIN_MS;
		drained_at = now;
		read_before = ring_bytes_read;
		if (now >= next_snap) {
			write_snapshot(false, false);
			next_snap = now + (__u64)interval_ms * 1000000;
			next_flush = now + IRQLENS_EVENTS_FLUSH_MS * 1000000ull;
		} else if (now >= next_flush) {
			flush_events();
			next_flush = now + IRQLENS_EVENTS_FLUSH_MS * 1000000ull;
		}
	}

	close(ep);

	/* first, before any write that a dead reader could fail: the command we traced ends with us
	 */
	if (o.own_cgroup && o.cgroup_path)
		kill_cgroup(o.cgroup_path);

	/* final state: drain the ring, one last full snapshot, then the end mark */
	stop_flag = 0;
	ring_buffer__consume(rb);
	write_snapshot(false, false);
	struct irqlens_end end = { .ts_ns = now_ns(CLOCK_MONOTONIC), .code = 0 };
	write_frame(IRQLENS_FRAME_END, &end, sizeof(end));
	ring_buffer__free(rb);
	probes_detach_all();
	irqlens__destroy(skel);
	if (stats_fd >= 0)
		close(stats_fd);
	return 0;
}
