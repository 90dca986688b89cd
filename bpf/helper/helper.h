/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* What the helper's modules share: options, the loaded object, errors,
 * the output buffer and the probe groups. One header, so each module says
 * what it needs from the others in one place. */
#ifndef IRQLENS_HELPER_H
#define IRQLENS_HELPER_H

#define _GNU_SOURCE
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <time.h>

#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "events.h"
#include "irqlens.skel.h"

/* The ring is drained every DRAIN_MS while records trickle in (an idle helper wakes ten times a
 * second, not a hundred), every FAST_MS while a DRAIN_MS wait would let 1/FAST_SHARE of the ring
 * pile up, and at once when a record takes it past 1/WAKE_SHARE full (ring_wakeup in shared.bpf.h).
 * The wakeup alone waits on the scheduler, which on a busy machine was slower than a small ring
 * fills. */
#define DRAIN_MS   IRQLENS_EVENTS_FLUSH_MS
#define FAST_MS	   10
#define FAST_SHARE 64
#define WAKE_SHARE 4
#define MAX_FRAME  (1u << 20)

/* ---- probe groups: what a view needs, attached or detached together (probes.c) ---- */
enum probe_group {
	PG_HARDIRQ = IRQLENS_PG_HARDIRQ,
	PG_VECTORS = IRQLENS_PG_VECTORS,
	PG_SOFTIRQ = IRQLENS_PG_SOFTIRQ,
	PG_SOFTIRQ_RAISE = IRQLENS_PG_SOFTIRQ_RAISE,
	PG_NAPI = IRQLENS_PG_NAPI,
	PG_EPOLL = IRQLENS_PG_EPOLL,
	PG_SCHED = IRQLENS_PG_SCHED,
	PG_DROPS = IRQLENS_PG_DROPS,
	PG_COUNT = IRQLENS_NR_PG,
};
#define PG_ALL ((1u << PG_COUNT) - 1)

struct opts {
	unsigned interval_ms;
	unsigned window_us;
	unsigned burst_packets;
	unsigned ring_bytes;
	unsigned period_every; /* --period-every (0: every call) */
	unsigned record_mask;
	unsigned probe_mask; /* 1 << PG_*: groups attached at start (--probes) */
	unsigned never_mask; /* groups that may not be attached in this run (--no-epoll) */
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
	bool drop_unspecified;
	bool softirq_async_only;
	bool no_raise_latency; /* --no-raise-latency: raises mark origin only, untimed */
};

extern const char *prog_name;
extern volatile sig_atomic_t stop_flag;
extern int ncpus;
extern struct irqlens *skel;
extern struct ring_buffer *rb;
extern bool stats_on;

/* ---- errors (errors.c) ---- */
_Noreturn void die(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int on_libbpf_message(enum libbpf_print_level level, const char *fmt, va_list ap);
void explain_load_failure(int err);
extern bool verbose;

/* ---- options (args.c) ---- */
void parse_args(int argc, char **argv, struct opts *o);
/* a comma list of group names (hardirq,vectors,...; all; none) as a mask; -1 when a word is unknown
 */
long parse_probe_groups(const char *s, const char **unknown);

/* ---- kernel features and privileges (detect.c): kernel drift is decided there ---- */
void check_privileges(void);
int ensure_tracefs(bool *mounted);
bool btf_has_tracepoint(const struct btf *vmlinux, const char *tp);
bool kfree_skb_has_reason(const struct btf *vmlinux);
bool tracefs_has_event(const char *tp);
void load_drop_names(const struct btf *vmlinux);
#define MAX_DROP_NAMES 512
extern char drop_names[MAX_DROP_NAMES][56];
int detect_pmu(void);
bool open_pmu(int cycles_map, int instr_map, int n);

/* ---- output (output.c) ---- */
struct buf {
	unsigned char *p;
	size_t len, cap;
};
void buf_put(struct buf *b, const void *data, size_t n);
void write_frame_flags(unsigned type, unsigned flags, const void *payload, size_t len);
void write_frame(unsigned type, const void *payload, size_t len);
void flush_events(void);
int on_record(void *ctx, void *data, size_t size);
extern unsigned long long ring_bytes_read; /* every record's bytes, as read from the ring */
__u64 now_ns(clockid_t c);

/* ---- snapshots (snapshot.c) ---- */
void write_snapshot(bool full, bool requested);

/* ---- programs (probes.c) ---- */
struct prog_entry {
	struct bpf_program *prog;
	struct bpf_link *link;
	enum probe_group group;
	bool closes; /* an exit or a pair's second half: attached first, detached last */
	struct irqlens_prog_status st;
};
extern struct prog_entry progs[64];
extern int nprogs;
/* Before load: decides each program's group, whether this kernel has its tracepoint, and whether
 * it loads at all (a group that can never be wanted in this run is not loaded). */
void probes_prepare(const struct btf *vmlinux, unsigned loadable_groups);
/* After load: attach exactly the groups in mask (exits first), detach the rest (entries first). */
void probes_set(unsigned mask);
/* The groups attached now. */
unsigned probes_attached(void);
void probes_detach_all(void);

/* ---- napi.c: `irqlens-helper napi list|set`, per-NAPI settings over netlink ---- */
int napi_command(int argc, char **argv);

#endif
