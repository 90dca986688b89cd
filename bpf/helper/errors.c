// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Errors: one clear line, then exit; libbpf's messages kept to explain a failed load. */
#include "helper.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

const char *prog_name = "irqlens-helper";

_Noreturn void die(int code, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "%s: ", prog_name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(code);
}

void warn(const char *fmt, ...)
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
bool verbose;

int on_libbpf_message(enum libbpf_print_level level, const char *fmt, va_list ap)
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

/* The kernel named the program that failed in libbpf's log: report it. */
void explain_load_failure(int err)
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
