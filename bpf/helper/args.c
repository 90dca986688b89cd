// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Command-line options: one clear line and exit code 2 for anything unknown or out of range. */
#include "helper.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "layout.h"

static const char *const group_names[PG_COUNT] = {
	[PG_HARDIRQ] = "hardirq", [PG_VECTORS] = "vectors",
	[PG_SOFTIRQ] = "softirq", [PG_SOFTIRQ_RAISE] = "softirq-raise",
	[PG_NAPI] = "napi",	  [PG_EPOLL] = "epoll",
	[PG_SCHED] = "sched",	  [PG_DROPS] = "drops",
};

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
	    "  --period-every N     open a busy period on every N-th epoll call only (default 1;\n"
	    "                       the stdin command period-every changes it later)\n"
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
	    "  --probes LIST        probe groups attached at start: hardirq,vectors,softirq,\n"
	    "                       softirq-raise,napi,epoll,sched,drops, all or none\n"
	    "                       (default all; sched only with period records)\n"
	    "  --no-epoll           do not attach the epoll probes (same as leaving epoll out)\n"
	    "  --drop-unspecified   also count packet frees without a drop reason\n"
	    "  --no-raise-latency   softirq raises mark interrupt-raised runs but are not timed\n"
	    "                       (no raise-to-run latency; no clock read per raise)\n"
	    "  --prog-stats         enable BPF run-time statistics while running\n"
	    "  --layout             print record layouts as JSON and exit\n"
	    "  --list-probes        print the probe group names, one per line, and exit\n"
	    "  --verbose            print libbpf's messages\n");
}

void parse_args(int argc, char **argv, struct opts *o)
{
	static const struct option lopts[] = {
		{ "interval", required_argument, 0, 'i' },
		{ "window-us", required_argument, 0, 'w' },
		{ "burst-packets", required_argument, 0, 'b' },
		{ "ring-bytes", required_argument, 0, 'r' },
		{ "period-every", required_argument, 0, 'N' },
		{ "records", required_argument, 0, 'R' },
		{ "pid", required_argument, 0, 'p' },
		{ "cgroup", required_argument, 0, 'c' },
		{ "own-cgroup", no_argument, 0, 'O' },
		{ "exclude-pid", required_argument, 0, 'x' },
		{ "cpus", required_argument, 0, 'C' },
		{ "no-epoll", no_argument, 0, 'E' },
		{ "probes", required_argument, 0, 'P' },
		{ "drop-unspecified", no_argument, 0, 'U' },
		{ "no-raise-latency", no_argument, 0, 'T' },
		{ "prog-stats", no_argument, 0, 's' },
		{ "layout", no_argument, 0, 'L' },
		{ "list-probes", no_argument, 0, 'G' },
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
			    .record_mask = 1u << IRQLENS_REC_BURST | 1u << IRQLENS_REC_DROP,
			    .probe_mask = PG_ALL };
	bool no_epoll = false;
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
		case 'N':
			o->period_every = (unsigned)parse_num("--period-every", optarg, 1,
							      IRQLENS_MAX_PERIOD_EVERY);
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
		case 'T':
			o->no_raise_latency = true;
			break;
		case 'E':
			no_epoll = true;
			break;
		case 'P': {
			const char *bad = NULL;
			long m = parse_probe_groups(optarg, &bad);
			if (m < 0)
				die(2,
				    "--probes: unknown group '%s' (use hardirq,vectors,softirq,"
				    "softirq-raise,napi,epoll,sched,drops, all or none)",
				    bad);
			o->probe_mask = (unsigned)m;
			break;
		}
		case 's':
			o->prog_stats = true;
			break;
		case 'G':
			for (int g = 0; g < PG_COUNT; g++)
				puts(group_names[g]);
			exit(0);
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
	if (no_epoll) {
		o->probe_mask &= ~(1u << PG_EPOLL);
		o->never_mask |= 1u << PG_EPOLL;
	}
}

long parse_probe_groups(const char *s, const char **unknown)
{
	static char bad[64];
	unsigned mask = 0;
	char *copy = strdup(s), *save = NULL;
	for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		int g;
		if (!strcmp(tok, "none"))
			continue;
		if (!strcmp(tok, "all")) {
			mask = PG_ALL;
			continue;
		}
		for (g = 0; g < PG_COUNT && strcmp(tok, group_names[g]); g++)
			;
		if (g == PG_COUNT) {
			snprintf(bad, sizeof(bad), "%s", tok);
			*unknown = bad;
			free(copy);
			return -1;
		}
		mask |= 1u << g;
	}
	free(copy);
	return mask;
}
