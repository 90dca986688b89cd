// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Per-NAPI settings over the kernel's "netdev" generic netlink family, for
 * `irqlens experiment --napi` (irq-suspend-timeout has no sysfs file):
 *   irqlens-helper napi list IFNAME          one line per NAPI instance
 *   irqlens-helper napi set ID KEY=VALUE...  defer-hard-irqs, gro-flush-timeout,
 * irq-suspend-timeout Exit 0 done, 2 bad arguments, 1 the kernel refused (one line saying why).
 */
#include "helper.h"

#include <errno.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <net/if.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* include/uapi/linux/netdev.h (Linux 6.13); Debian 12's headers predate it */
#define NETDEV_CMD_NAPI_GET		  11
#define NETDEV_CMD_NAPI_SET		  14
#define NETDEV_A_NAPI_IFINDEX		  1
#define NETDEV_A_NAPI_ID		  2
#define NETDEV_A_NAPI_IRQ		  3
#define NETDEV_A_NAPI_DEFER_HARD_IRQS	  5
#define NETDEV_A_NAPI_GRO_FLUSH_TIMEOUT	  6
#define NETDEV_A_NAPI_IRQ_SUSPEND_TIMEOUT 7
#define NAPI_ATTRS			  8

#ifndef NETLINK_EXT_ACK
#define NETLINK_EXT_ACK 11
#endif
#ifndef NLMSGERR_ATTR_MSG
#define NLMSGERR_ATTR_MSG 1
#endif

static const struct {
	const char *name;
	int attr;
	int bytes; /* what the kernel takes: u32, or a uint sent as u64 */
} settings[] = {
	{ "defer-hard-irqs", NETDEV_A_NAPI_DEFER_HARD_IRQS, 4 },
	{ "gro-flush-timeout", NETDEV_A_NAPI_GRO_FLUSH_TIMEOUT, 8 },
	{ "irq-suspend-timeout", NETDEV_A_NAPI_IRQ_SUSPEND_TIMEOUT, 8 },
};
#define NSETTINGS (sizeof(settings) / sizeof(settings[0]))

struct msg {
	struct nlmsghdr nh;
	struct genlmsghdr gh;
	char attrs[256];
};

static int nl_fd = -1;
static uint32_t seq;

static void add_attr(struct msg *m, int type, const void *data, int len)
{
	struct nlattr *a = (struct nlattr *)((char *)m + NLMSG_ALIGN(m->nh.nlmsg_len));
	a->nla_type = type;
	a->nla_len = NLA_HDRLEN + len;
	memcpy((char *)a + NLA_HDRLEN, data, len);
	m->nh.nlmsg_len = NLMSG_ALIGN(m->nh.nlmsg_len) + NLA_ALIGN(a->nla_len);
}

static void start_msg(struct msg *m, int family, int cmd, int flags)
{
	memset(m, 0, sizeof(*m));
	m->nh.nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN);
	m->nh.nlmsg_type = family;
	m->nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	m->nh.nlmsg_seq = ++seq;
	m->gh.cmd = cmd;
	m->gh.version = 1;
}

static void send_msg(struct msg *m)
{
	if (send(nl_fd, m, m->nh.nlmsg_len, 0) < 0)
		die(1, "netlink send: %s", strerror(errno));
}

/* Each attribute of a message body: the callback gets type, data and length. */
typedef void (*attr_fn)(int type, const char *data, int len, void *ctx);

static void each_attr(const char *p, int left, attr_fn fn, void *ctx)
{
	while (left >= NLA_HDRLEN) {
		const struct nlattr *a = (const struct nlattr *)p;
		if (a->nla_len < NLA_HDRLEN || a->nla_len > left)
			break;
		fn(a->nla_type & NLA_TYPE_MASK, p + NLA_HDRLEN, a->nla_len - NLA_HDRLEN, ctx);
		left -= NLA_ALIGN(a->nla_len);
		p += NLA_ALIGN(a->nla_len);
	}
}

static void ack_message(int type, const char *data, int len, void *ctx)
{
	if (type == NLMSGERR_ATTR_MSG && len > 0)
		snprintf(ctx, 256, "%.*s", len, data);
}

/* A data message's attributes (one NAPI instance of a dump, or the family reply). */
typedef void (*msg_fn)(const char *attrs, int len, void *ctx);

/*
 * Reads replies to the last request until its ack or the dump's end; each data message goes to fn.
 * Returns 0, or the kernel's errno with its extended-ack text in why.
 */
static int read_replies(msg_fn fn, void *ctx, char why[256])
{
	static char buf[65536];
	why[0] = '\0';
	for (;;) {
		ssize_t n = recv(nl_fd, buf, sizeof(buf), 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			die(1, "netlink recv: %s", strerror(errno));
		}
		for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)n);
		     h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_seq != seq)
				continue;
			if (h->nlmsg_type == NLMSG_DONE)
				return 0;
			if (h->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = NLMSG_DATA(h);
				if (h->nlmsg_flags & NLM_F_ACK_TLVS) {
					size_t off = sizeof(*e);
					if (!(h->nlmsg_flags & NLM_F_CAPPED))
						off += e->msg.nlmsg_len - NLMSG_HDRLEN;
					if (NLMSG_HDRLEN + off < h->nlmsg_len)
						each_attr((const char *)e + off,
							  h->nlmsg_len - NLMSG_HDRLEN - off,
							  ack_message, why);
				}
				return -e->error;
			}
			if (fn)
				fn((const char *)NLMSG_DATA(h) + GENL_HDRLEN,
				   h->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN), ctx);
		}
	}
}

static void family_attr(int type, const char *data, int len, void *ctx)
{
	if (type == CTRL_ATTR_FAMILY_ID && len >= 2)
		memcpy(ctx, data, 2);
}

static void family_msg(const char *attrs, int len, void *ctx)
{
	each_attr(attrs, len, family_attr, ctx);
}

/* Opens the socket and resolves the "netdev" family's id. */
static uint16_t open_netdev_family(void)
{
	int one = 1;
	nl_fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (nl_fd < 0)
		die(1, "netlink socket: %s", strerror(errno));
	setsockopt(nl_fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	struct msg m;
	start_msg(&m, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 0);
	add_attr(&m, CTRL_ATTR_FAMILY_NAME, "netdev", 7);
	send_msg(&m);
	uint16_t id = 0;
	char why[256];
	int err = read_replies(family_msg, &id, why);
	if (err == ENOENT || (!err && !id))
		die(1, "this kernel has no netdev netlink family: per-NAPI settings need Linux 6.9 "
		       "or later "
		       "(irq-suspend-timeout 6.13)");
	if (err)
		die(1, "netlink: resolving the netdev family: %s", strerror(err));
	return id;
}

struct napi_row {
	uint64_t v[NAPI_ATTRS];
	bool has[NAPI_ATTRS];
};

static void napi_attr(int type, const char *data, int len, void *ctx)
{
	struct napi_row *r = ctx;
	if (type <= 0 || type >= NAPI_ATTRS)
		return;
	if (len == 4) {
		uint32_t x;
		memcpy(&x, data, 4);
		r->v[type] = x;
	} else if (len == 8) {
		memcpy(&r->v[type], data, 8);
	} else {
		return;
	}
	r->has[type] = true;
}

/* One NAPI instance of the dump: its id, IRQ and settings (n/a: this kernel does not report it). */
static void print_instance(const char *attrs, int len, void *ctx)
{
	(void)ctx;
	struct napi_row row = { 0 }, *r = &row;
	each_attr(attrs, len, napi_attr, r);
	if (!r->has[NETDEV_A_NAPI_ID])
		return;
	printf("napi id=%llu", (unsigned long long)r->v[NETDEV_A_NAPI_ID]);
	if (r->has[NETDEV_A_NAPI_IRQ])
		printf(" irq=%llu", (unsigned long long)r->v[NETDEV_A_NAPI_IRQ]);
	for (size_t i = 0; i < NSETTINGS; i++) {
		if (r->has[settings[i].attr])
			printf(" %s=%llu", settings[i].name,
			       (unsigned long long)r->v[settings[i].attr]);
		else
			printf(" %s=n/a", settings[i].name);
	}
	putchar('\n');
}

static int list_napis(const char *ifname)
{
	unsigned ifindex = if_nametoindex(ifname);
	if (!ifindex)
		die(2, "no network interface '%s' here (see ip link)", ifname);
	uint16_t fam = open_netdev_family();
	struct msg m;
	start_msg(&m, fam, NETDEV_CMD_NAPI_GET, NLM_F_DUMP);
	uint32_t idx = ifindex;
	add_attr(&m, NETDEV_A_NAPI_IFINDEX, &idx, 4);
	send_msg(&m);
	char why[256];
	int err = read_replies(print_instance, NULL, why);
	if (err)
		die(1, "listing %s's NAPI instances: %s%s%s", ifname, strerror(err),
		    why[0] ? ": " : "", why);
	return 0;
}

static unsigned long long parse_u64(const char *what, const char *s)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || end == s || *end || s[0] == '-')
		die(2, "%s: '%s' is not a whole number", what, s);
	return v;
}

static int set_napi(int argc, char **argv)
{
	if (argc < 2)
		die(2, "usage: irqlens-helper napi set ID KEY=VALUE... (KEY: defer-hard-irqs, "
		       "gro-flush-timeout, "
		       "irq-suspend-timeout)");
	unsigned long long id = parse_u64("NAPI id", argv[0]);
	struct msg m;
	/* parse everything before opening the socket: bad arguments change nothing */
	struct {
		int attr, bytes;
		unsigned long long v;
	} want[NSETTINGS];
	int nwant = 0;
	for (int i = 1; i < argc; i++) {
		char *eq = strchr(argv[i], '=');
		size_t k = NSETTINGS;
		if (eq)
			for (k = 0; k < NSETTINGS; k++)
				if (strlen(settings[k].name) == (size_t)(eq - argv[i]) &&
				    !strncmp(argv[i], settings[k].name, eq - argv[i]))
					break;
		if (!eq || k == NSETTINGS)
			die(2,
			    "'%s' is not KEY=VALUE with KEY defer-hard-irqs, gro-flush-timeout or "
			    "irq-suspend-timeout",
			    argv[i]);
		if (nwant == (int)NSETTINGS)
			die(2, "each key once");
		unsigned long long v = parse_u64(settings[k].name, eq + 1);
		if (settings[k].bytes == 4 && v > UINT32_MAX)
			die(2, "%s: %llu does not fit in 32 bits", settings[k].name, v);
		want[nwant].attr = settings[k].attr;
		want[nwant].bytes = settings[k].bytes;
		want[nwant].v = v;
		nwant++;
	}
	uint16_t fam = open_netdev_family();
	start_msg(&m, fam, NETDEV_CMD_NAPI_SET, 0);
	uint32_t id32 = (uint32_t)id;
	add_attr(&m, NETDEV_A_NAPI_ID, &id32, 4);
	for (int i = 0; i < nwant; i++) {
		if (want[i].bytes == 4) {
			uint32_t x = (uint32_t)want[i].v;
			add_attr(&m, want[i].attr, &x, 4);
		} else {
			uint64_t x = want[i].v;
			add_attr(&m, want[i].attr, &x, 8);
		}
	}
	send_msg(&m);
	char why[256];
	int err = read_replies(NULL, NULL, why);
	if (err == EPERM)
		die(1, "setting NAPI %llu: not permitted (needs root or CAP_NET_ADMIN)", id);
	if (err == ENOENT)
		die(1,
		    "no NAPI instance %llu in this network namespace (irqlens-helper napi list "
		    "IFNAME lists them)",
		    id);
	if (err)
		die(1, "setting NAPI %llu: %s%s%s", id, strerror(err), why[0] ? ": " : "", why);
	return 0;
}

int napi_command(int argc, char **argv)
{
	prog_name = "irqlens-helper napi";
	if (argc >= 3 && !strcmp(argv[1], "list"))
		return list_napis(argv[2]);
	if (argc >= 2 && !strcmp(argv[1], "set"))
		return set_napi(argc - 2, argv + 2);
	die(2, "usage: irqlens-helper napi list IFNAME | napi set ID KEY=VALUE...");
}
