// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * irqlens-helper: loads the linked irqlens BPF object, attaches its programs
 * and writes the framed binary stream (bpf/events.h) to stdout. Runs as a
 * separate process so it alone needs privileges, a crash stays out of Node,
 * and its stdout is also the recording format.
 *
 * stdin commands, one per line: "stop", "snapshot", "interval <ms>",
 * "stats on", "stats off". It exits when stdin closes, on SIGINT/SIGTERM or
 * when its parent dies; every attachment is an fd, so nothing outlives it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <getopt.h>
#include <linux/capability.h>
#include <linux/perf_event.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "events.h"
#include "irqlens.skel.h"
#include "layout.h"

#define CONSUME_MS 10 /* ring polled on a timer: probes never wake us */
#define MAX_FRAME  (1u << 20)

static const char *prog_name = "irqlens-helper";

struct opts {
	unsigned interval_ms;
	unsigned window_us;
	unsigned burst_packets;
	unsigned ring_bytes;
	unsigned record_mask;
	unsigned target_tgid;
	unsigned long long target_cgroup;
	const char *cgroup_path;
	bool own_cgroup; /* --own-cgroup: kill what is in it and remove it when we exit */
	unsigned exclude[IRQLENS_MAX_SELF_TGIDS];
	int nexclude;
	bool prog_stats;
	cpu_set_t run_on; /* --cpus: keep our own wakeups off the measured CPUs */
	bool pin;
	bool verbose;
	bool no_epoll;
	bool drop_unspecified;
	bool softirq_async_only;
};

static volatile sig_atomic_t stop_flag;
static void on_signal(int sig)
{
	(void)sig;
	stop_flag = 1;
}

/* ---- errors: one clear line, then exit ---- */

static void die(int code, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "%s: ", prog_name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(code);
}

static void warn(const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "%s: warning: ", prog_name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* libbpf's own messages: kept to explain a failure, printed with --verbose. */
static char libbpf_log[16384];
static size_t libbpf_log_len;
static bool verbose;

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	char line[1024];
	va_list copy;
	va_copy(copy, ap);
	if (verbose)
		vfprintf(stderr, fmt, copy);
	va_end(copy);
	int n = vsnprintf(line, sizeof(line), fmt, ap);
	if (n < 0)
		return 0;
	if (level == LIBBPF_DEBUG)
		return 0;
	size_t len = strlen(line);
	if (libbpf_log_len + len >= sizeof(libbpf_log))
		libbpf_log_len = 0; /* keep the most recent messages */
	memcpy(libbpf_log + libbpf_log_len, line, len + 1);
	libbpf_log_len += len;
	return 0;
}

/* ---- privileges ---- */

static bool has_cap(const struct __user_cap_data_struct *d, int cap)
{
	return d[cap / 32].effective & (1u << (cap % 32));
}

static void check_privileges(void)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
	struct __user_cap_data_struct d[2] = {};
	char missing[128] = "";

	if (syscall(SYS_capget, &h, d))
		return; /* let the load report it */
	if (!has_cap(d, 39 /* CAP_BPF */) && !has_cap(d, 21 /* CAP_SYS_ADMIN */))
		strcat(missing, missing[0] ? ", cap_bpf" : "cap_bpf");
	if (!has_cap(d, 38 /* CAP_PERFMON */) && !has_cap(d, 21))
		strcat(missing, missing[0] ? ", cap_perfmon" : "cap_perfmon");
	if (!has_cap(d, 2 /* CAP_DAC_READ_SEARCH */) && !has_cap(d, 1 /* CAP_DAC_OVERRIDE */))
		strcat(missing, missing[0] ? ", cap_dac_read_search" : "cap_dac_read_search");
	if (missing[0])
		die(1,
		    "missing privileges (%s): run as root, or grant them once with "
		    "'setcap cap_bpf,cap_perfmon,cap_dac_read_search+ep <path to irqlens-helper>'",
		    missing);
}

/* ---- tracefs (tp/ programs need it) ---- */

static const char *tracefs_dir(void)
{
	/* AT_EACCESS: judge with our effective IDs and file capabilities (setcap) */
	if (faccessat(AT_FDCWD, "/sys/kernel/tracing/events", F_OK, AT_EACCESS) == 0)
		return "/sys/kernel/tracing";
	if (faccessat(AT_FDCWD, "/sys/kernel/debug/tracing/events", F_OK, AT_EACCESS) == 0)
		return "/sys/kernel/debug/tracing";
	return NULL;
}

static int ensure_tracefs(bool *mounted)
{
	*mounted = false;
	if (tracefs_dir())
		return 0;
	if (mount("nodev", "/sys/kernel/tracing", "tracefs", 0, NULL) == 0) {
		*mounted = true;
		fprintf(stderr, "%s: mounted tracefs at /sys/kernel/tracing (it stays mounted)\n",
			prog_name);
		return 0;
	}
	return -errno;
}

/* ---- feature detection: kernel drift is decided here, before load ---- */

static bool btf_has_tracepoint(const struct btf *vmlinux, const char *tp)
{
	char name[128];
	snprintf(name, sizeof(name), "btf_trace_%s", tp);
	return btf__find_by_name_kind(vmlinux, name, BTF_KIND_TYPEDEF) > 0;
}

/* skb:kfree_skb carries a drop reason since 5.17 (skb, location, reason[, rx_sk]);
 * without it the drops program has nothing to key on. */
static bool kfree_skb_has_reason(const struct btf *vmlinux)
{
	__s32 id = btf__find_by_name_kind(vmlinux, "btf_trace_kfree_skb", BTF_KIND_TYPEDEF);
	const struct btf_type *t = id > 0 ? btf__type_by_id(vmlinux, (__u32)id) : NULL;
	if (t)
		t = btf__type_by_id(vmlinux, t->type); /* pointer */
	if (t && btf_is_ptr(t))
		t = btf__type_by_id(vmlinux, t->type); /* function prototype */
	return t && btf_is_func_proto(t) && btf_vlen(t) >= 4;
}

/* Drop reason names from the kernel's own enum, so they match this kernel. */
#define MAX_DROP_NAMES 512
static char drop_names[MAX_DROP_NAMES][56];

static void load_drop_names(const struct btf *vmlinux)
{
	static const char prefix[] = "SKB_DROP_REASON_";
	__s32 id = btf__find_by_name_kind(vmlinux, "skb_drop_reason", BTF_KIND_ENUM);
	const struct btf_type *t = id > 0 ? btf__type_by_id(vmlinux, (__u32)id) : NULL;
	if (!t)
		return;
	const struct btf_enum *e = btf_enum(t);
	for (__u16 i = 0; i < btf_vlen(t); i++, e++) {
		const char *name = btf__name_by_offset(vmlinux, e->name_off);
		if (!name || e->val < 0 || e->val >= MAX_DROP_NAMES)
			continue; /* subsystem reasons (high bits) keep their number */
		if (!strncmp(name, prefix, sizeof(prefix) - 1))
			name += sizeof(prefix) - 1;
		else if (!strncmp(name, "SKB_", 4))
			name += 4; /* SKB_CONSUMED, SKB_NOT_DROPPED_YET */
		snprintf(drop_names[e->val], sizeof(drop_names[0]), "%s", name);
	}
}

static bool tracefs_has_event(const char *tp /* "syscalls/sys_enter_x" */)
{
	const char *dir = tracefs_dir();
	char path[256];
	if (!dir)
		return false;
	snprintf(path, sizeof(path), "%s/events/%s", dir, tp);
	return faccessat(AT_FDCWD, path, F_OK, AT_EACCESS) == 0;
}

static int open_counter(__u64 config, int cpu)
{
	struct perf_event_attr a = {
		.type = PERF_TYPE_HARDWARE,
		.size = sizeof(a),
		.config = config,
	};
	return (int)syscall(SYS_perf_event_open, &a, -1, cpu, -1, PERF_FLAG_FD_CLOEXEC);
}

/* Per-CPU cycles and instructions counters into the BPF perf event arrays;
 * false when a CPU that exists lacks them. */
static bool open_pmu(int cycles_map, int instr_map, int n)
{
	for (int cpu = 0; cpu < n; cpu++) {
		__u32 key = (__u32)cpu;
		int c = open_counter(PERF_COUNT_HW_CPU_CYCLES, cpu);
		int i = open_counter(PERF_COUNT_HW_INSTRUCTIONS, cpu);
		bool ok = c >= 0 && i >= 0 && !bpf_map_update_elem(cycles_map, &key, &c, BPF_ANY) &&
			  !bpf_map_update_elem(instr_map, &key, &i, BPF_ANY);
		int saved = errno;
		/* the maps hold their own references */
		if (c >= 0)
			close(c);
		if (i >= 0)
			close(i);
		if (!ok && saved != ENODEV && saved != ENOENT) /* an offline CPU stays empty */
			return false;
	}
	return true;
}

static int detect_pmu(void)
{
	struct perf_event_attr a = {
		.type = PERF_TYPE_HARDWARE,
		.size = sizeof(a),
		.config = PERF_COUNT_HW_CPU_CYCLES,
		.disabled = 1,
	};
	int fd = syscall(SYS_perf_event_open, &a, -1, 0, -1, 0);
	if (fd < 0)
		return 0;
	close(fd);
	return 1;
}

/* ---- output ---- */

struct buf {
	unsigned char *p;
	size_t len, cap;
};

static void buf_reserve(struct buf *b, size_t more)
{
	if (b->len + more <= b->cap)
		return;
	size_t cap = b->cap ? b->cap : 65536;
	while (cap < b->len + more)
		cap *= 2;
	b->p = realloc(b->p, cap);
	if (!b->p)
		die(2, "out of memory");
	b->cap = cap;
}

static void buf_put(struct buf *b, const void *data, size_t n)
{
	buf_reserve(b, n);
	memcpy(b->p + b->len, data, n);
	b->len += n;
}

static bool out_closed; /* the reader went away: write nothing more */

static void write_all(const void *p, size_t n)
{
	const unsigned char *c = p;
	while (n && !out_closed) {
		ssize_t w = write(STDOUT_FILENO, c, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EPIPE) {
				out_closed = true;
				stop_flag = 1; /* clean up and leave */
				return;
			}
			die(2, "write stream: %s", strerror(errno));
		}
		c += w;
		n -= (size_t)w;
	}
}

static void write_frame_flags(unsigned type, unsigned flags, const void *payload, size_t len)
{
	struct irqlens_frame_hdr h = { .len = (__u32)len,
				       .type = (__u16)type,
				       .flags = (__u16)flags };
	write_all(&h, sizeof(h));
	if (len)
		write_all(payload, len);
}

static void write_frame(unsigned type, const void *payload, size_t len)
{
	write_frame_flags(type, 0, payload, len);
}

static __u64 now_ns(clockid_t c)
{
	struct timespec ts;
	clock_gettime(c, &ts);
	return (__u64)ts.tv_sec * 1000000000ull + (__u64)ts.tv_nsec;
}

/* ---- event batches ---- */

static struct buf events_buf;

static void flush_events(void)
{
	if (!events_buf.len)
		return;
	write_frame(IRQLENS_FRAME_EVENTS, events_buf.p, events_buf.len);
	events_buf.len = 0;
}

static int on_record(void *ctx, void *data, size_t size)
{
	(void)ctx;
	buf_put(&events_buf, data, size);
	if (events_buf.len >= MAX_FRAME)
		flush_events();
	return 0;
}

/* ---- snapshots: cumulative rows, only those that changed ---- */

#define SEEN_SLOTS (1u << 17)
static struct {
	__u64 key, sum;
} seen[SEEN_SLOTS];

static __u64 fnv(const void *p, size_t n, __u64 h)
{
	const unsigned char *c = p;
	for (size_t i = 0; i < n; i++) {
		h ^= c[i];
		h *= 1099511628211ull;
	}
	return h;
}

/* true when (table, key) is new or its value differs from the last snapshot */
static bool changed(unsigned table, const void *key, size_t klen, const void *val, size_t vlen,
		    bool full)
{
	__u64 k = fnv(key, klen, fnv(&table, sizeof(table), 1469598103934665603ull)) | 1;
	__u64 s = fnv(val, vlen, 1469598103934665603ull);
	for (unsigned i = 0, slot = (unsigned)(k % SEEN_SLOTS); i < SEEN_SLOTS;
	     i++, slot = (slot + 1) % SEEN_SLOTS) {
		if (seen[slot].key == k) {
			bool diff = seen[slot].sum != s;
			seen[slot].sum = s;
			return diff || full;
		}
		if (!seen[slot].key) {
			seen[slot].key = k;
			seen[slot].sum = s;
			return true;
		}
	}
	return true; /* table full: always emit, never drop */
}

struct table {
	struct buf *b;
	size_t hdr_off;
	unsigned rows;
};

static void table_begin(struct table *t, struct buf *b, unsigned id, unsigned row_size)
{
	struct irqlens_table_hdr h = { .table = (__u16)id, .row_size = (__u16)row_size, .rows = 0 };
	t->b = b;
	t->hdr_off = b->len;
	t->rows = 0;
	buf_put(b, &h, sizeof(h));
}

static void table_row(struct table *t, const void *row, size_t n)
{
	buf_put(t->b, row, n);
	t->rows++;
}

static unsigned table_end(struct table *t)
{
	if (!t->rows) {
		t->b->len = t->hdr_off; /* drop empty tables */
		return 0;
	}
	((struct irqlens_table_hdr *)(t->b->p + t->hdr_off))->rows = t->rows;
	return 1;
}

static int ncpus;
static struct irqlens *skel;
static struct ring_buffer *rb;
static struct buf snap_buf;
static __u32 snap_seq;
static unsigned char irq_named[8192];
static bool stats_on;
static int stats_fd = -1;

struct prog_entry {
	struct bpf_program *prog;
	struct bpf_link *link;
	struct irqlens_prog_status st;
};
static struct prog_entry progs[64];
static int nprogs;

static size_t pcpu_stride(size_t vsize)
{
	return (vsize + 7) & ~(size_t)7;
}

static void irq_name_of(__u32 irq, char *out, size_t sz)
{
	char path[64];
	snprintf(path, sizeof(path), "/sys/kernel/irq/%u/actions", irq);
	FILE *f = fopen(path, "r");
	out[0] = 0;
	if (f) {
		if (fgets(out, (int)sz, f))
			out[strcspn(out, "\n")] = 0;
		fclose(f);
	}
	if (!out[0])
		snprintf(out, sz, "irq%u", irq);
}

static unsigned snap_hardirq(bool full, unsigned *irqname_tables)
{
	struct irqlens_hardirq_row row;
	size_t stride = pcpu_stride(sizeof(row.s));
	unsigned char *vals = calloc((size_t)ncpus, stride);
	int fd = bpf_map__fd(skel->maps.hardirq_stats);
	__u32 key, next, *prev = NULL;
	struct table t, names;
	struct buf nb = {};

	table_begin(&t, &snap_buf, IRQLENS_T_HARDIRQ, sizeof(row));
	table_begin(&names, &nb, IRQLENS_T_IRQNAME, sizeof(struct irqlens_irqname_row));
	while (bpf_map_get_next_key(fd, prev, &next) == 0) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, vals))
			continue;
		for (int c = 0; c < ncpus; c++) {
			const struct irqlens_dur_stats *s =
			    (const void *)(vals + (size_t)c * stride);
			if (!s->count)
				continue;
			row.cpu = (__u32)c;
			row.irq = key;
			memcpy(&row.s, s, sizeof(row.s));
			if (changed(IRQLENS_T_HARDIRQ, &row, 8, &row.s, sizeof(row.s), full))
				table_row(&t, &row, sizeof(row));
		}
		if (key >= sizeof(irq_named) * 8 || !(irq_named[key / 8] & (1u << (key % 8))) ||
		    full) {
			struct irqlens_irqname_row n = { .irq = key };
			irq_name_of(key, n.name, sizeof(n.name));
			table_row(&names, &n, sizeof(n));
			if (key < sizeof(irq_named) * 8)
				irq_named[key / 8] |= (unsigned char)(1u << (key % 8));
		}
	}
	free(vals);
	unsigned n = table_end(&t);
	if (table_end(&names)) {
		/* names come before the rows that use them in no particular order: fine,
		 * the decoder joins by irq number */
		buf_put(&snap_buf, nb.p, nb.len);
		(*irqname_tables)++;
	}
	free(nb.p);
	return n;
}

static unsigned snap_percpu_array(int fd, unsigned nkeys, unsigned table, size_t vsize,
				  size_t row_size, bool full)
{
	size_t stride = pcpu_stride(vsize);
	unsigned char *vals = calloc((size_t)ncpus, stride);
	unsigned char row[2048];
	struct table t;

	table_begin(&t, &snap_buf, table, (unsigned)row_size);
	for (__u32 key = 0; key < nkeys; key++) {
		if (bpf_map_lookup_elem(fd, &key, vals))
			continue;
		for (int c = 0; c < ncpus; c++) {
			const unsigned char *s = vals + (size_t)c * stride;
			if (!*(const __u64 *)s) /* count is the first field */
				continue;
			__u32 hdr[2] = { (__u32)c, key };
			memcpy(row, hdr, 8);
			memcpy(row + 8, s, vsize);
			if (changed(table, row, 8, s, vsize, full))
				table_row(&t, row, row_size);
		}
	}
	free(vals);
	return table_end(&t);
}

static unsigned snap_hash(int fd, unsigned table, size_t ksize, size_t vsize, bool full)
{
	unsigned char key[64], next[64], row[2048];
	void *prev = NULL;
	struct table t;

	table_begin(&t, &snap_buf, table, (unsigned)(ksize + vsize));
	while (bpf_map_get_next_key(fd, prev, next) == 0) {
		memcpy(key, next, ksize);
		prev = key;
		if (bpf_map_lookup_elem(fd, key, row + ksize))
			continue;
		memcpy(row, key, ksize);
		if (changed(table, key, ksize, row + ksize, vsize, full))
			table_row(&t, row, ksize + vsize);
	}
	return table_end(&t);
}

static unsigned snap_lost(bool full)
{
	int fd = bpf_map__fd(skel->maps.lost);
	__u64 *vals = calloc((size_t)ncpus, sizeof(__u64));
	struct table t;

	table_begin(&t, &snap_buf, IRQLENS_T_LOST, sizeof(struct irqlens_lost_row));
	for (__u32 idx = 0; idx < IRQLENS_NR_REC_KINDS * 2; idx++) {
		struct irqlens_lost_row r = { .kind = idx / 2, .reason = idx % 2 };
		if (bpf_map_lookup_elem(fd, &idx, vals))
			continue;
		for (int c = 0; c < ncpus; c++)
			r.count += vals[c];
		if (r.count && changed(IRQLENS_T_LOST, &idx, 4, &r.count, 8, full))
			table_row(&t, &r, sizeof(r));
	}
	free(vals);
	return table_end(&t);
}

/* Kernel CPU time per CPU from /proc/stat, so the stream can split each
 * CPU's time into busy, interrupt and idle without another source. */
static unsigned snap_cputime(bool full)
{
	static long hz;
	char line[512];
	struct table t;
	FILE *f = fopen("/proc/stat", "r");

	if (!f)
		return 0;
	if (!hz)
		hz = sysconf(_SC_CLK_TCK);
	table_begin(&t, &snap_buf, IRQLENS_T_CPUTIME, sizeof(struct irqlens_cputime_row));
	while (fgets(line, sizeof(line), f)) {
		unsigned long long v[8] = {};
		unsigned cpu;
		if (strncmp(line, "cpu", 3) || line[3] < '0' || line[3] > '9')
			continue;
		if (sscanf(line + 3, "%u %llu %llu %llu %llu %llu %llu %llu %llu", &cpu, &v[0],
			   &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]) < 9)
			continue;
		__u64 k = 1000000000ull / (__u64)hz;
		struct irqlens_cputime_row r = {
			.cpu = cpu,
			.user_ns = v[0] * k,
			.nice_ns = v[1] * k,
			.system_ns = v[2] * k,
			.idle_ns = v[3] * k,
			.iowait_ns = v[4] * k,
			.irq_ns = v[5] * k,
			.softirq_ns = v[6] * k,
			.steal_ns = v[7] * k,
		};
		if (changed(IRQLENS_T_CPUTIME, &r.cpu, 4, &r.user_ns, sizeof(r) - 8, full))
			table_row(&t, &r, sizeof(r));
	}
	fclose(f);
	return table_end(&t);
}

static unsigned snap_dropnames(bool full)
{
	struct table t;

	if (!full)
		return 0;
	table_begin(&t, &snap_buf, IRQLENS_T_DROPNAME, sizeof(struct irqlens_dropname_row));
	for (__u32 v = 0; v < MAX_DROP_NAMES; v++) {
		struct irqlens_dropname_row r = { .reason = v };
		if (!drop_names[v][0])
			continue;
		memcpy(r.name, drop_names[v], sizeof(r.name));
		table_row(&t, &r, sizeof(r));
	}
	return table_end(&t);
}

static unsigned snap_progstats(bool full)
{
	struct table t;

	if (!stats_on)
		return 0;
	table_begin(&t, &snap_buf, IRQLENS_T_PROGSTAT, sizeof(struct irqlens_progstat_row));
	for (int i = 0; i < nprogs; i++) {
		struct bpf_prog_info info = {};
		__u32 len = sizeof(info);
		int fd;
		if (progs[i].st.status != IRQLENS_PROG_ATTACHED)
			continue;
		fd = bpf_program__fd(progs[i].prog);
		if (fd < 0 || bpf_obj_get_info_by_fd(fd, &info, &len))
			continue;
		struct irqlens_progstat_row r = { .prog = (__u32)i,
						  .run_cnt = info.run_cnt,
						  .run_time_ns = info.run_time_ns };
		if (changed(IRQLENS_T_PROGSTAT, &r.prog, 4, &r.run_cnt, 16, full))
			table_row(&t, &r, sizeof(r));
	}
	return table_end(&t);
}

static void write_snapshot(bool full, bool requested)
{
	struct irqlens_snap_hdr h = { .ts_ns = now_ns(CLOCK_MONOTONIC), .seq = snap_seq++ };
	unsigned n = 0, names = 0;

	snap_buf.len = 0;
	buf_put(&snap_buf, &h, sizeof(h));
	n += snap_hardirq(full, &names);
	n += snap_percpu_array(bpf_map__fd(skel->maps.softirq_stats), IRQLENS_NR_SOFTIRQS,
			       IRQLENS_T_SOFTIRQ, sizeof(struct irqlens_softirq_stats),
			       sizeof(struct irqlens_softirq_row), full);
	n += snap_percpu_array(bpf_map__fd(skel->maps.vector_stats), IRQLENS_NR_VECTORS,
			       IRQLENS_T_VECTOR, sizeof(struct irqlens_dur_stats),
			       sizeof(struct irqlens_vector_row), full);
	n += snap_hash(bpf_map__fd(skel->maps.napi_stats), IRQLENS_T_NAPI,
		       sizeof(struct irqlens_napi_key), sizeof(struct irqlens_napi_stats), full);
	n += snap_hash(bpf_map__fd(skel->maps.epoll_stats), IRQLENS_T_EPOLL,
		       sizeof(struct irqlens_epoll_key), sizeof(struct irqlens_epoll_stats), full);
	n +=
	    snap_hash(bpf_map__fd(skel->maps.victims), IRQLENS_T_VICTIM,
		      sizeof(struct irqlens_victim_key), sizeof(struct irqlens_victim_stats), full);
	n += snap_hash(bpf_map__fd(skel->maps.drop_stats), IRQLENS_T_DROP,
		       sizeof(struct irqlens_drop_key), sizeof(struct irqlens_drop_stats), full);
	n += snap_dropnames(full);
	n += snap_lost(full);
	n += snap_progstats(full);
	n += snap_cputime(full);
	((struct irqlens_snap_hdr *)snap_buf.p)->ntables = n + names;
	/* events first: a snapshot then covers every record produced before it */
	if (rb)
		ring_buffer__consume(rb);
	flush_events();
	write_frame_flags(IRQLENS_FRAME_SNAPSHOT,
			  (full ? IRQLENS_SNAP_FULL : 0) | (requested ? IRQLENS_SNAP_REQUESTED : 0),
			  snap_buf.p, snap_buf.len);
}

/* ---- setup ---- */

static unsigned parse_records(const char *s, bool *async_only)
{
	static const struct {
		const char *name;
		unsigned kind;
	} kinds[] = {
		{ "hardirq", IRQLENS_REC_HARDIRQ }, { "vector", IRQLENS_REC_VECTOR },
		{ "softirq", IRQLENS_REC_SOFTIRQ }, { "napi", IRQLENS_REC_NAPI },
		{ "epoll", IRQLENS_REC_EPOLL },	    { "burst", IRQLENS_REC_BURST },
		{ "period", IRQLENS_REC_PERIOD },   { "drop", IRQLENS_REC_DROP },
	};
	unsigned mask = 0;
	bool async = false, every_softirq = false;
	char *copy = strdup(s), *save = NULL;
	for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		bool found = false;
		if (!strcmp(tok, "none"))
			continue;
		if (!strcmp(tok, "async-softirq")) {
			mask |= 1u << IRQLENS_REC_SOFTIRQ;
			async = true;
			continue;
		}
		if (!strcmp(tok, "all") || !strcmp(tok, "softirq"))
			every_softirq = true;
		if (!strcmp(tok, "all")) {
			mask |= ((1u << IRQLENS_NR_REC_KINDS) - 1) & ~1u;
			continue;
		}
		for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
			if (!strcmp(tok, kinds[i].name)) {
				mask |= 1u << kinds[i].kind;
				found = true;
			}
		if (!found)
			die(2,
			    "--records: unknown kind '%s' (use "
			    "hardirq,vector,softirq,async-softirq,napi,epoll,burst,period,drop, "
			    "all or "
			    "none)",
			    tok);
	}
	free(copy);
	/* "softirq" (or "all") asks for every run and wins over "async-softirq" */
	*async_only = async && !every_softirq;
	return mask;
}

static unsigned long parse_num(const char *opt, const char *s, unsigned long lo, unsigned long hi)
{
	char *end;
	errno = 0;
	unsigned long v = strtoul(s, &end, 10);
	if (errno || *end || v < lo || v > hi)
		die(2, "%s: '%s' is not a number in %lu..%lu", opt, s, lo, hi);
	return v;
}

static void usage(FILE *f)
{
	fprintf(
	    f,
	    "usage: irqlens-helper [options]\n"
	    "Loads the irqlens BPF programs and writes the framed stream to stdout.\n"
	    "  --interval MS        snapshot interval (default 100)\n"
	    "  --window-us US       micro-burst window (default 100)\n"
	    "  --burst-packets N    packets per window that make a burst (default 256)\n"
	    "  --ring-bytes N       ring buffer size, power of 2 >= 4096 (default 16 MiB)\n"
	    "  --records LIST       per-event records to stream: hardirq,vector,softirq,napi,\n"
	    "                       epoll,burst,period,drop, all or none (default burst,drop);\n"
	    "                       async-softirq: only softirq runs raised by interrupts\n"
	    "  --pid TGID           epoll probes trace only this process\n"
	    "  --cgroup PATH        epoll probes trace only this cgroup (v2)\n"
	    "  --own-cgroup         the cgroup is ours: kill its processes and remove it on exit\n"
	    "                       (also when the parent dies: the traced command never outlives "
	    "us)\n"
	    "  --exclude-pid TGID   never trace this process in epoll probes (repeatable)\n"
	    "  --cpus LIST          run the helper only on these CPUs (e.g. 0,2)\n"
	    "  --no-epoll           do not attach the epoll probes\n"
	    "  --drop-unspecified   also count packet frees without a drop reason\n"
	    "  --prog-stats         enable BPF run-time statistics while running\n"
	    "  --layout             print record layouts as JSON and exit\n"
	    "  --verbose            print libbpf's messages\n");
}

static void parse_args(int argc, char **argv, struct opts *o)
{
	static const struct option lopts[] = {
		{ "interval", required_argument, 0, 'i' },
		{ "window-us", required_argument, 0, 'w' },
		{ "burst-packets", required_argument, 0, 'b' },
		{ "ring-bytes", required_argument, 0, 'r' },
		{ "records", required_argument, 0, 'R' },
		{ "pid", required_argument, 0, 'p' },
		{ "cgroup", required_argument, 0, 'c' },
		{ "own-cgroup", no_argument, 0, 'O' },
		{ "exclude-pid", required_argument, 0, 'x' },
		{ "cpus", required_argument, 0, 'C' },
		{ "no-epoll", no_argument, 0, 'E' },
		{ "drop-unspecified", no_argument, 0, 'U' },
		{ "prog-stats", no_argument, 0, 's' },
		{ "layout", no_argument, 0, 'L' },
		{ "verbose", no_argument, 0, 'v' },
		{ "help", no_argument, 0, 'h' },
		{ 0, 0, 0, 0 },
	};
	int c;
	struct stat st;

	*o = (struct opts){ .interval_ms = 100,
			    .window_us = 100,
			    .burst_packets = 256,
			    .ring_bytes = 16u << 20,
			    .record_mask = 1u << IRQLENS_REC_BURST | 1u << IRQLENS_REC_DROP };
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", lopts, NULL)) != -1) {
		switch (c) {
		case 'i':
			o->interval_ms = (unsigned)parse_num("--interval", optarg, 1, 3600000);
			break;
		case 'w':
			o->window_us = (unsigned)parse_num("--window-us", optarg, 1, 1000000);
			break;
		case 'b':
			o->burst_packets =
			    (unsigned)parse_num("--burst-packets", optarg, 1, 1u << 30);
			break;
		case 'r':
			o->ring_bytes = (unsigned)parse_num("--ring-bytes", optarg, 4096, 1u << 30);
			if (o->ring_bytes & (o->ring_bytes - 1))
				die(2, "--ring-bytes: %u is not a power of 2", o->ring_bytes);
			break;
		case 'R':
			o->record_mask = parse_records(optarg, &o->softirq_async_only);
			break;
		case 'p':
			o->target_tgid = (unsigned)parse_num("--pid", optarg, 1, 1u << 30);
			break;
		case 'c':
			if (stat(optarg, &st))
				die(2, "--cgroup: %s: %s", optarg, strerror(errno));
			o->target_cgroup =
			    st.st_ino; /* the cgroup v2 id is the directory's inode */
			o->cgroup_path = optarg;
			break;
		case 'O':
			o->own_cgroup = true;
			break;
		case 'x':
			if (o->nexclude < IRQLENS_MAX_SELF_TGIDS - 2)
				o->exclude[o->nexclude++] =
				    (unsigned)parse_num("--exclude-pid", optarg, 1, 1u << 30);
			break;
		case 'C': {
			char *copy = strdup(optarg), *save = NULL;
			CPU_ZERO(&o->run_on);
			for (char *t = strtok_r(copy, ",", &save); t;
			     t = strtok_r(NULL, ",", &save))
				CPU_SET(parse_num("--cpus", t, 0, CPU_SETSIZE - 1), &o->run_on);
			free(copy);
			o->pin = true;
			break;
		}
		case 'U':
			o->drop_unspecified = true;
			break;
		case 'E':
			o->no_epoll = true;
			break;
		case 's':
			o->prog_stats = true;
			break;
		case 'L':
			print_layout(stdout);
			exit(0);
		case 'v':
			o->verbose = true;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			die(2, "unknown option '%s' (see --help)", argv[optind - 1]);
		}
	}
	if (optind < argc)
		die(2, "unexpected argument '%s' (see --help)", argv[optind]);
}

static const char *tp_of(const struct bpf_program *p)
{
	const char *sec = bpf_program__section_name(p);
	const char *slash = strchr(sec, '/');
	return slash ? slash + 1 : sec;
}

static bool is_btf_tp(const struct bpf_program *p)
{
	return strncmp(bpf_program__section_name(p), "tp_btf/", 7) == 0;
}

static bool is_period_only(const struct bpf_program *p)
{
	return strcmp(bpf_program__name(p), "irql_sched_sw") == 0;
}

static bool is_epoll(const struct bpf_program *p)
{
	return strncmp(bpf_program__name(p), "irql_ep_", 8) == 0;
}

/* The kernel named the program that failed in libbpf's log: report it. */
static void explain_load_failure(int err)
{
	const char *p = strstr(libbpf_log, "prog '");
	char prog[64] = "?";
	if (p)
		sscanf(p, "prog '%63[^']'", prog);
	if (err == -EPERM)
		die(1,
		    "loading BPF programs was refused (%s): run as root, or grant "
		    "cap_bpf,cap_perfmon,cap_dac_read_search with setcap",
		    strerror(-err));
	const char *why = strstr(libbpf_log, "failed to load");
	fprintf(stderr, "%s: the kernel rejected program '%s': %s\n", prog_name, prog,
		strerror(-err));
	if (why)
		fprintf(stderr, "%s: libbpf: %.*s\n", prog_name, (int)strcspn(why, "\n"), why);
	fprintf(stderr, "%s: run with --verbose for the verifier log\n", prog_name);
	exit(1);
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
	} else if (!strcmp(line, "stats on")) {
		if (stats_fd < 0)
			stats_fd = bpf_enable_stats(BPF_STATS_RUN_TIME);
		stats_on = stats_fd >= 0;
	} else if (!strcmp(line, "stats off")) {
		if (stats_fd >= 0)
			close(stats_fd);
		stats_fd = -1;
		stats_on = false;
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

	parse_args(argc, argv, &o);
	verbose = o.verbose;
	libbpf_set_print(libbpf_print);

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

	if (!o.no_epoll && (err = ensure_tracefs(&mounted)))
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

	struct bpf_program *prog;
	bpf_object__for_each_program(prog, skel->obj)
	{
		if (nprogs >= (int)(sizeof(progs) / sizeof(progs[0])))
			break;
		struct prog_entry *e = &progs[nprogs++];
		e->prog = prog;
		snprintf(e->st.name, sizeof(e->st.name), "%s", bpf_program__name(prog));
		snprintf(e->st.tracepoint, sizeof(e->st.tracepoint), "%s", tp_of(prog));
		bool ok = is_btf_tp(prog) ? btf_has_tracepoint(vmlinux, tp_of(prog))
					  : tracefs_has_event(tp_of(prog));
		if (ok && !strcmp(tp_of(prog), "kfree_skb"))
			ok = kfree_skb_has_reason(vmlinux);
		if ((is_epoll(prog) && o.no_epoll) ||
		    (is_period_only(prog) && !(o.record_mask & (1u << IRQLENS_REC_PERIOD)))) {
			e->st.status = IRQLENS_PROG_DISABLED;
			bpf_program__set_autoload(prog, false);
		} else if (!ok) {
			e->st.status = IRQLENS_PROG_UNSUPPORTED;
			bpf_program__set_autoload(prog, false);
		}
	}
	load_drop_names(vmlinux);
	btf__free(vmlinux);

	err = irqlens__load(skel);
	if (err)
		explain_load_failure(err);

	/* exits first: an entry seen without its exit would leave a stale start */
	for (int pass = 0; pass < 2; pass++)
		for (int i = 0; i < nprogs; i++) {
			struct prog_entry *e = &progs[i];
			const char *n = e->st.name;
			size_t len = strlen(n);
			bool is_exit = (len > 3 && !strcmp(n + len - 3, "_ex")) ||
				       (len > 5 && !strcmp(n + len - 5, "_exit"));
			if (e->st.status != IRQLENS_PROG_ATTACHED || is_exit != (pass == 0))
				continue;
			e->link = bpf_program__attach(e->prog);
			if (!e->link) {
				e->st.status = IRQLENS_PROG_FAILED;
				e->st.err = -errno;
				warn("attach %s (%s): %s", e->st.name, e->st.tracepoint,
				     strerror(errno));
			}
		}

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
	hello.h.flags = o.softirq_async_only ? IRQLENS_HELLO_SOFTIRQ_ASYNC_ONLY : 0;
	for (int i = 0; i < nprogs; i++)
		hello.st[i] = progs[i].st;
	write_frame(IRQLENS_FRAME_HELLO, &hello,
		    sizeof(hello.h) + (size_t)nprogs * sizeof(struct irqlens_prog_status));
	write_snapshot(true, false);

	unsigned interval_ms = o.interval_ms;
	__u64 next_snap = now_ns(CLOCK_MONOTONIC) + (__u64)interval_ms * 1000000;
	char line[256];
	size_t line_len = 0;
	bool stdin_open = true;

	while (!stop_flag) {
		struct pollfd pfd = { .fd = STDIN_FILENO, .events = POLLIN };
		int n = poll(&pfd, stdin_open ? 1 : 0, CONSUME_MS);
		if (n < 0 && errno != EINTR)
			die(2, "poll: %s", strerror(errno));
		if (n > 0 && (pfd.revents & (POLLIN | POLLHUP | POLLERR))) {
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
		if (now >= next_snap) {
			write_snapshot(false, false);
			next_snap = now + (__u64)interval_ms * 1000000;
		} else {
			flush_events();
		}
	}

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
	for (int i = 0; i < nprogs; i++)
		bpf_link__destroy(progs[i].link);
	irqlens__destroy(skel);
	if (stats_fd >= 0)
		close(stats_fd);
	return 0;
}
