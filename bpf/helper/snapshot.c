// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Snapshots: the maps' cumulative rows, only those that changed since the last one (a full
 * snapshot repeats every row), plus /proc/stat CPU time and the programs' run-time statistics. */
#include "helper.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>

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

static struct buf snap_buf;
static __u32 snap_seq;
static unsigned char irq_named[8192];

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

/* NAPI rows live in two places (per-CPU fast slots, then the shared hash for the rest); an instance
 * is in exactly one, so one table holds both. */
static unsigned snap_napi(bool full)
{
	struct irqlens_napi_row row;
	size_t stride = pcpu_stride(sizeof(row));
	unsigned char *vals = calloc((size_t)ncpus, stride);
	int fd = bpf_map__fd(skel->maps.napi_fast);
	unsigned char key[sizeof(row.k)], next[sizeof(row.k)];
	void *prev = NULL;
	struct table t;

	table_begin(&t, &snap_buf, IRQLENS_T_NAPI, sizeof(row));
	for (__u32 slot = 0; slot < bpf_map__max_entries(skel->maps.napi_fast); slot++) {
		if (bpf_map_lookup_elem(fd, &slot, vals))
			continue;
		for (int c = 0; c < ncpus; c++) {
			memcpy(&row, vals + (size_t)c * stride, sizeof(row));
			if (row.s.polls && changed(IRQLENS_T_NAPI, &row.k, sizeof(row.k), &row.s,
						   sizeof(row.s), full))
				table_row(&t, &row, sizeof(row));
		}
	}
	free(vals);
	fd = bpf_map__fd(skel->maps.napi_stats);
	while (bpf_map_get_next_key(fd, prev, next) == 0) {
		memcpy(key, next, sizeof(key));
		prev = key;
		if (bpf_map_lookup_elem(fd, key, &row.s))
			continue;
		memcpy(&row.k, key, sizeof(key));
		if (changed(IRQLENS_T_NAPI, key, sizeof(key), &row.s, sizeof(row.s), full))
			table_row(&t, &row, sizeof(row));
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
		if (!progs[i]
			 .link) /* only what runs now: a detached program's figures stand still */
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

void write_snapshot(bool full, bool requested)
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
	n += snap_napi(full);
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
