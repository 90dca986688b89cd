// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* What this kernel and this process can do: privileges, tracefs, the BTF
 * features the programs depend on, drop reason names and hardware counters.
 * Kernel drift is decided here, before load. */
#include "helper.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/perf_event.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <bpf/bpf.h>

/* ---- privileges ---- */

static bool has_cap(const struct __user_cap_data_struct *d, int cap)
{
	return d[cap / 32].effective & (1u << (cap % 32));
}

void check_privileges(void)
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

int ensure_tracefs(bool *mounted)
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

bool btf_has_tracepoint(const struct btf *vmlinux, const char *tp)
{
	char name[128];
	snprintf(name, sizeof(name), "btf_trace_%s", tp);
	return btf__find_by_name_kind(vmlinux, name, BTF_KIND_TYPEDEF) > 0;
}

/* skb:kfree_skb carries a drop reason since 5.17 (skb, location, reason[, rx_sk]);
 * without it the drops program has nothing to key on. */
bool kfree_skb_has_reason(const struct btf *vmlinux)
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
char drop_names[MAX_DROP_NAMES][56];

void load_drop_names(const struct btf *vmlinux)
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

bool tracefs_has_event(const char *tp /* "syscalls/sys_enter_x" */)
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
bool open_pmu(int cycles_map, int instr_map, int n)
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

int detect_pmu(void)
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
