// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The attach policy, in one table: every BPF program's probe group and
 * whether it closes a pair. Groups are attached and detached whole, so a
 * view that is not shown costs nothing (the per-packet and per-syscall
 * groups are most of irqlens' cost on a busy server). */
#include "helper.h"

#include <errno.h>
#include <fnmatch.h>
#include <string.h>

#include <bpf/bpf.h>

static const struct {
	const char *name; /* program name, a shell pattern */
	enum probe_group group;
	bool closes; /* attached before its opener, so no start stamp is left without its end */
} POLICY[] = {
	{ "irql_hi_entry", PG_HARDIRQ, false },	      { "irql_hi_exit", PG_HARDIRQ, true },
	{ "irql_v_*_en", PG_VECTORS, false },	      { "irql_v_*_ex", PG_VECTORS, true },
	{ "irql_si_entry", PG_SOFTIRQ, false },	      { "irql_si_exit", PG_SOFTIRQ, true },
	{ "irql_si_raise", PG_SOFTIRQ_RAISE, false }, { "irql_napi_poll", PG_NAPI, false },
	{ "irql_ep_*_en", PG_EPOLL, false },	      { "irql_ep_*_ex", PG_EPOLL, true },
	{ "irql_sched_sw", PG_SCHED, false },	      { "irql_kfree_skb", PG_DROPS, false },
};

/* Groups whose kernel-side state survives a detach harmlessly (or is reset here on attach): the
 * others are fixed for the run, since a stale start stamp there would become a false duration. */
#define PG_RUNTIME (1u << PG_SOFTIRQ_RAISE | 1u << PG_NAPI | 1u << PG_EPOLL | 1u << PG_DROPS)

struct prog_entry progs[64];
int nprogs;
static unsigned loaded; /* groups with at least one loaded program */

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

void probes_prepare(const struct btf *vmlinux, unsigned loadable_groups)
{
	struct bpf_program *prog;
	bpf_object__for_each_program(prog, skel->obj)
	{
		const char *name = bpf_program__name(prog);
		size_t i;
		if (nprogs >= (int)(sizeof(progs) / sizeof(progs[0])))
			die(2, "more BPF programs than the helper has room for (%zu)",
			    sizeof(progs) / sizeof(progs[0]));
		for (i = 0; i < sizeof(POLICY) / sizeof(POLICY[0]); i++)
			if (!fnmatch(POLICY[i].name, name, 0))
				break;
		if (i == sizeof(POLICY) / sizeof(POLICY[0]))
			die(2, "BPF program '%s' has no attach policy (add it to POLICY in %s)",
			    name, __FILE__);
		struct prog_entry *e = &progs[nprogs++];
		e->prog = prog;
		e->group = POLICY[i].group;
		e->closes = POLICY[i].closes;
		e->st.group = (__u16)(e->group + 1); /* 0 means "not recorded" on the stream */
		snprintf(e->st.name, sizeof(e->st.name), "%s", name);
		snprintf(e->st.tracepoint, sizeof(e->st.tracepoint), "%s", tp_of(prog));
		bool ok = is_btf_tp(prog) ? btf_has_tracepoint(vmlinux, tp_of(prog))
					  : tracefs_has_event(tp_of(prog));
		if (ok && e->group == PG_DROPS)
			ok = kfree_skb_has_reason(vmlinux);
		/* until attached, a loaded program says "disabled" */
		e->st.status = IRQLENS_PROG_DISABLED;
		if (!(loadable_groups & (1u << e->group))) {
			bpf_program__set_autoload(prog, false);
		} else if (!ok) {
			e->st.status = IRQLENS_PROG_UNSUPPORTED;
			bpf_program__set_autoload(prog, false);
		} else {
			loaded |= 1u << e->group;
		}
	}
}

/* A thread's pending call and its last return, from before the epoll probes were detached,
 * would make the next call look as long as the gap: forget them before attaching again. */
static void reset_epoll_marks(void)
{
	int fd = bpf_map__fd(skel->maps.epoll_stats);
	struct irqlens_epoll_key key, next, *prev = NULL;
	struct irqlens_epoll_stats s;
	while (bpf_map_get_next_key(fd, prev, &next) == 0) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, &s))
			continue;
		s.enter_ns = 0;
		s.last_exit_ns = 0;
		bpf_map_update_elem(fd, &key, &s, BPF_EXIST);
	}
}

static void attach(struct prog_entry *e)
{
	e->link = bpf_program__attach(e->prog);
	if (e->link) {
		e->st.status = IRQLENS_PROG_ATTACHED;
		e->st.err = 0;
		return;
	}
	e->st.status = IRQLENS_PROG_FAILED;
	e->st.err = -errno;
	warn("attach %s (%s): %s", e->st.name, e->st.tracepoint, strerror(errno));
}

static void detach(struct prog_entry *e)
{
	bpf_link__destroy(e->link);
	e->link = NULL;
	e->st.status = IRQLENS_PROG_DISABLED;
}

unsigned probes_attached(void)
{
	unsigned m = 0;
	for (int i = 0; i < nprogs; i++)
		if (progs[i].link)
			m |= 1u << progs[i].group;
	return m;
}

void probes_set(unsigned mask)
{
	static bool started;
	unsigned now = probes_attached();
	if (started && ((mask ^ now) & ~PG_RUNTIME & loaded)) {
		warn("probes: only softirq-raise, napi, epoll and drops can change while running");
		mask = (mask & PG_RUNTIME) | (now & ~PG_RUNTIME);
	}
	started = true;
	mask &= loaded;
	/* detach: openers first, then closers, so a run that began keeps its end */
	for (int pass = 0; pass < 2; pass++)
		for (int i = 0; i < nprogs; i++) {
			struct prog_entry *e = &progs[i];
			if (e->link && !(mask & (1u << e->group)) && e->closes == (pass == 1))
				detach(e);
		}
	if ((mask & ~now) & (1u << PG_EPOLL))
		reset_epoll_marks();
	/* attach: closers first: an opener seen without its closer would leave a stale start */
	for (int pass = 0; pass < 2; pass++)
		for (int i = 0; i < nprogs; i++) {
			struct prog_entry *e = &progs[i];
			if (!e->link && e->st.status != IRQLENS_PROG_UNSUPPORTED &&
			    e->st.status != IRQLENS_PROG_FAILED && bpf_program__fd(e->prog) >= 0 &&
			    (mask & (1u << e->group)) && e->closes == (pass == 0))
				attach(e);
		}
}

void probes_detach_all(void)
{
	for (int i = 0; i < nprogs; i++)
		if (progs[i].link)
			detach(&progs[i]);
}
