// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The framed stream on stdout (bpf/events.h): frames, and ring records batched into EVENTS frames.
 * A closed reader ends the run quietly. */
#include "helper.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- output ---- */

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

void buf_put(struct buf *b, const void *data, size_t n)
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

void write_frame_flags(unsigned type, unsigned flags, const void *payload, size_t len)
{
	struct irqlens_frame_hdr h = { .len = (__u32)len,
				       .type = (__u16)type,
				       .flags = (__u16)flags };
	write_all(&h, sizeof(h));
	if (len)
		write_all(payload, len);
}

void write_frame(unsigned type, const void *payload, size_t len)
{
	write_frame_flags(type, 0, payload, len);
}

__u64 now_ns(clockid_t c)
{
	struct timespec ts;
	clock_gettime(c, &ts);
	return (__u64)ts.tv_sec * 1000000000ull + (__u64)ts.tv_nsec;
}

/* ---- event batches ---- */

static struct buf events_buf;

void flush_events(void)
{
	if (!events_buf.len)
		return;
	write_frame(IRQLENS_FRAME_EVENTS, events_buf.p, events_buf.len);
	events_buf.len = 0;
}

unsigned long long ring_bytes_read;

int on_record(void *ctx, void *data, size_t size)
{
	(void)ctx;
	ring_bytes_read += size;
	buf_put(&events_buf, data, size);
	if (events_buf.len >= MAX_FRAME)
		flush_events();
	return 0;
}
