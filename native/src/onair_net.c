/*
 * onair_net: the small native part of `onair vrrp`, and of the streaming
 * server (malloc, and the write batcher's tick timer).
 *
 *   openVrrpSocket({ ifname, src, group, ttl, onPacket }) -> handle
 *       a raw IPv4 protocol-112 send socket (bound to the interface and to
 *       `src`, TTL 255, TOS 0xc0, multicast loop off) and, when onPacket is
 *       given, a receive socket (joined to `group` on the interface and bound
 *       to it, or bound to `src` for unicast) polled by libuv; onPacket is
 *       called with (datagram, length) for each packet (the IP header is
 *       included; length > datagram.length means it was truncated).
 *   vrrpSend(handle, buffer, dst) -> bytes sent or -errno
 *   vrrpClose(handle)
 *   sendFrame(ifname, frame) -> bytes sent (AF_PACKET, for gratuitous ARP)
 *   addressChange(add, ifname, address, prefixLen) -> 0 or -errno: one
 *       rtnetlink RTM_NEWADDR (create|replace, as `ip addr replace`) or
 *       RTM_DELADDR, answered before returning (no child process: the VIP is
 *       up within a millisecond of the decision)
 *   mallocTrim() -> true when glibc gave memory back to the system: its free
 *       pages, in the middle of the heap too, not only at its top (used by
 *       the streaming server's memory reducer after a full collection; false
 *       and nothing done without glibc)
 *   mallocKeepTop(bytes) -> true when glibc took the settings: the top of its
 *       heap is given back on free once it exceeds `bytes`, and grows by no
 *       more than asked (M_TRIM_THRESHOLD, M_TOP_PAD 0; setting the first also
 *       stops glibc raising its mmap and trim thresholds after a large block
 *       is freed)
 *   mallocInfo() -> { heap, inUse, free, topFree, mapped } in bytes (glibc's
 *       mallinfo2: the heap's size, what is allocated and free in it, the
 *       free top it could give back, blocks mapped on their own), or null
 *   tickTimer(callback) -> handle: a one-shot libuv timer that calls
 *       `callback()` (through napi_make_callback: next ticks and microtasks
 *       run after it) each time it fires; the streaming server's write
 *       batcher ticks on it. Node's own timers run ~10 interpreted JS
 *       functions around each callback (their lists, priority queue and
 *       async context), run cold at 5 ticks a second (see tick-timer.ts).
 *   tickStart(handle, ms): arms it to fire once, `ms` from now (re-arms an
 *       armed one); tickStop(handle); tickClose(handle): stops it for good
 *       and lets the callback go (held strongly until then, as onPacket is)
 *
 * Every packet is encoded, decoded and judged in TypeScript; nothing here
 * looks inside a packet.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <node_api.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <uv.h>

#define VRRP_PROTO 112
#define RECV_CAP 2048
#define NEED_CAPS "onair vrrp: need root or CAP_NET_RAW+CAP_NET_ADMIN to open a raw VRRP socket"

typedef struct {
  int fd_in;
  int fd_out;
  uv_poll_t poll;
  int polling;
  int closed;
  int finalized;
  int poll_closed;
  napi_env env;
  napi_ref cb;
  napi_async_context actx;
  unsigned char buf[RECV_CAP];
} vsock_t;

static napi_value throw_errno(napi_env env, int err, const char *what) {
  char msg[256];
  const char *code = err == EPERM ? "EPERM" : err == EACCES ? "EACCES" : err == ENODEV ? "ENODEV" : "EIO";
  if (err == EPERM || err == EACCES)
    snprintf(msg, sizeof msg, "%s", NEED_CAPS);
  else
    snprintf(msg, sizeof msg, "%s: %s", what, strerror(err));
  napi_throw_error(env, code, msg);
  return NULL;
}

static int get_string(napi_env env, napi_value obj, const char *key, char *out, size_t cap) {
  napi_value v;
  napi_valuetype t;
  size_t len;
  out[0] = 0;
  if (napi_get_named_property(env, obj, key, &v) != napi_ok) return 0;
  if (napi_typeof(env, v, &t) != napi_ok || t != napi_string) return 0;
  return napi_get_value_string_utf8(env, v, out, cap, &len) == napi_ok && len > 0;
}

static int get_int(napi_env env, napi_value obj, const char *key, int dflt) {
  napi_value v;
  napi_valuetype t;
  int32_t r;
  if (napi_get_named_property(env, obj, key, &v) != napi_ok) return dflt;
  if (napi_typeof(env, v, &t) != napi_ok || t != napi_number) return dflt;
  napi_get_value_int32(env, v, &r);
  return r;
}

/* The send socket never reads: a filter that accepts nothing keeps its queue empty. */
static void no_receive(int fd) {
  struct sock_filter code[] = {{BPF_RET | BPF_K, 0, 0, 0}};
  struct sock_fprog prog = {1, code};
  int zero = 0;
  setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof prog);
  setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &zero, sizeof zero);
}

static int open_send(const char *ifname, unsigned ifindex, struct in_addr src, int ttl, int *err) {
  int fd = socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, VRRP_PROTO);
  int off = 0, tos = 0xc0;
  struct ip_mreqn mr;
  struct sockaddr_in sa;
  if (fd < 0) {
    *err = errno;
    return -1;
  }
  memset(&mr, 0, sizeof mr);
  mr.imr_address = src;
  mr.imr_ifindex = (int)ifindex;
  memset(&sa, 0, sizeof sa);
  sa.sin_family = AF_INET;
  sa.sin_addr = src;
  if (setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, ifname, (socklen_t)strlen(ifname)) < 0 ||
      setsockopt(fd, IPPROTO_IP, IP_TTL, &ttl, sizeof ttl) < 0 ||
      setsockopt(fd, IPPROTO_IP, IP_MULTICAST_TTL, &ttl, sizeof ttl) < 0 ||
      setsockopt(fd, IPPROTO_IP, IP_TOS, &tos, sizeof tos) < 0 ||
      setsockopt(fd, IPPROTO_IP, IP_MULTICAST_LOOP, &off, sizeof off) < 0 ||
      setsockopt(fd, IPPROTO_IP, IP_MULTICAST_ALL, &off, sizeof off) < 0 ||
      setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &mr, sizeof mr) < 0 ||
      (src.s_addr != 0 && bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0)) {
    *err = errno;
    close(fd);
    return -1;
  }
  no_receive(fd);
  return fd;
}

static int open_recv(const char *ifname, unsigned ifindex, struct in_addr src, struct in_addr group,
                     int multicast, int *err) {
  int fd = socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, VRRP_PROTO);
  int off = 0;
  struct ip_mreqn mr;
  struct sockaddr_in sa;
  if (fd < 0) {
    *err = errno;
    return -1;
  }
  memset(&sa, 0, sizeof sa);
  sa.sin_family = AF_INET;
  sa.sin_addr = multicast ? group : src;
  memset(&mr, 0, sizeof mr);
  mr.imr_multiaddr = group;
  mr.imr_ifindex = (int)ifindex;
  if (setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, ifname, (socklen_t)strlen(ifname)) < 0 ||
      setsockopt(fd, IPPROTO_IP, IP_MULTICAST_ALL, &off, sizeof off) < 0 ||
      (multicast && setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mr, sizeof mr) < 0) ||
      bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
    *err = errno;
    close(fd);
    return -1;
  }
  return fd;
}

static void maybe_free(vsock_t *s) {
  if (s->finalized && (s->poll_closed || !s->polling)) free(s);
}

static void on_poll_closed(uv_handle_t *h) {
  vsock_t *s = (vsock_t *)h->data;
  s->poll_closed = 1;
  maybe_free(s);
}

static void do_close(vsock_t *s) {
  if (s->closed) return;
  s->closed = 1;
  if (s->polling) {
    uv_poll_stop(&s->poll);
    uv_close((uv_handle_t *)&s->poll, on_poll_closed);
  }
  if (s->fd_in >= 0) close(s->fd_in);
  if (s->fd_out >= 0) close(s->fd_out);
  s->fd_in = s->fd_out = -1;
  if (s->cb) {
    napi_delete_reference(s->env, s->cb);
    s->cb = NULL;
  }
  if (s->actx) {
    napi_async_destroy(s->env, s->actx);
    s->actx = NULL;
  }
}

/*
 * Calls `cb` from a libuv callback through napi_make_callback (next ticks and
 * microtasks run after it). An exception it throws is reported as uncaught,
 * never left pending. The caller has a handle scope open.
 */
static void call_back(napi_env env, napi_async_context actx, napi_value cb, size_t argc, napi_value *argv) {
  napi_value recv, result;
  bool pending = false;
  napi_get_global(env, &recv);
  napi_make_callback(env, actx, recv, cb, argc, argv, &result);
  if (napi_is_exception_pending(env, &pending) == napi_ok && pending) {
    napi_value exc;
    napi_get_and_clear_last_exception(env, &exc);
    napi_fatal_exception(env, exc);
  }
}

static void deliver(vsock_t *s, ssize_t n) {
  napi_env env = s->env;
  napi_handle_scope scope;
  napi_value cb, argv[2];
  size_t keep = n > RECV_CAP ? RECV_CAP : (size_t)n;
  void *data;
  napi_open_handle_scope(env, &scope);
  if (napi_get_reference_value(env, s->cb, &cb) == napi_ok && cb != NULL) {
    napi_create_buffer_copy(env, keep, s->buf, &data, &argv[0]);
    napi_create_int64(env, (int64_t)n, &argv[1]);
    call_back(env, s->actx, cb, 2, argv);
  }
  napi_close_handle_scope(env, scope);
}

static void on_readable(uv_poll_t *h, int status, int events) {
  vsock_t *s = (vsock_t *)h->data;
  int i;
  if (status < 0 || s->closed) return;
  for (i = 0; i < 64 && !s->closed; i++) {
    ssize_t n = recv(s->fd_in, s->buf, RECV_CAP, MSG_TRUNC);
    if (n < 0) break; /* EAGAIN or error: wait for the next readable event */
    deliver(s, n);
  }
}

static void finalize(napi_env env, void *data, void *hint) {
  vsock_t *s = (vsock_t *)data;
  do_close(s);
  s->finalized = 1;
  maybe_free(s);
}

static napi_value open_vrrp_socket(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], cbv, ext, name;
  napi_valuetype t;
  char ifname[IF_NAMESIZE + 1], src[64], group[64];
  struct in_addr src_a = {0}, group_a = {0};
  unsigned ifindex;
  int err = 0, multicast, ttl;
  vsock_t *s;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 1 || !get_string(env, argv[0], "ifname", ifname, sizeof ifname)) {
    napi_throw_type_error(env, NULL, "openVrrpSocket: ifname required");
    return NULL;
  }
  ifindex = if_nametoindex(ifname);
  if (ifindex == 0) return throw_errno(env, ENODEV, ifname);
  if (get_string(env, argv[0], "src", src, sizeof src) && inet_pton(AF_INET, src, &src_a) != 1) {
    napi_throw_type_error(env, NULL, "openVrrpSocket: bad src");
    return NULL;
  }
  multicast = get_string(env, argv[0], "group", group, sizeof group);
  if (multicast && inet_pton(AF_INET, group, &group_a) != 1) {
    napi_throw_type_error(env, NULL, "openVrrpSocket: bad group");
    return NULL;
  }
  ttl = get_int(env, argv[0], "ttl", 255);
  s = calloc(1, sizeof *s);
  s->fd_in = -1;
  s->env = env;
  s->fd_out = open_send(ifname, ifindex, src_a, ttl, &err);
  if (s->fd_out < 0) {
    free(s);
    return throw_errno(env, err, "vrrp send socket");
  }
  napi_get_named_property(env, argv[0], "onPacket", &cbv);
  napi_typeof(env, cbv, &t);
  if (t == napi_function) {
    s->fd_in = open_recv(ifname, ifindex, src_a, group_a, multicast, &err);
    if (s->fd_in < 0) {
      close(s->fd_out);
      free(s);
      return throw_errno(env, err, "vrrp receive socket");
    }
    napi_create_reference(env, cbv, 1, &s->cb);
    napi_create_string_utf8(env, "onair:vrrp-receive", NAPI_AUTO_LENGTH, &name);
    napi_async_init(env, NULL, name, &s->actx);
    uv_loop_t *loop;
    napi_get_uv_event_loop(env, &loop);
    uv_poll_init(loop, &s->poll, s->fd_in);
    s->poll.data = s;
    uv_poll_start(&s->poll, UV_READABLE, on_readable);
    s->polling = 1;
  }
  napi_create_external(env, s, finalize, NULL, &ext);
  return ext;
}

static vsock_t *get_sock(napi_env env, napi_value v) {
  void *p = NULL;
  if (napi_get_value_external(env, v, &p) != napi_ok) {
    napi_throw_type_error(env, NULL, "not a vrrp socket handle");
    return NULL;
  }
  return (vsock_t *)p;
}

static napi_value vrrp_send(napi_env env, napi_callback_info info) {
  size_t argc = 3, len;
  napi_value argv[3], r;
  void *data;
  char dst[64];
  struct sockaddr_in sa;
  ssize_t n;
  vsock_t *s;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 3 || !(s = get_sock(env, argv[0]))) return NULL;
  if (napi_get_buffer_info(env, argv[1], &data, &len) != napi_ok) {
    napi_throw_type_error(env, NULL, "vrrpSend: buffer required");
    return NULL;
  }
  memset(&sa, 0, sizeof sa);
  sa.sin_family = AF_INET;
  napi_get_value_string_utf8(env, argv[2], dst, sizeof dst, NULL);
  if (inet_pton(AF_INET, dst, &sa.sin_addr) != 1) {
    napi_throw_type_error(env, NULL, "vrrpSend: bad destination");
    return NULL;
  }
  n = s->closed ? -EBADF : sendto(s->fd_out, data, len, 0, (struct sockaddr *)&sa, sizeof sa);
  if (n < 0 && !s->closed) n = -errno;
  napi_create_int64(env, (int64_t)n, &r);
  return r;
}

static napi_value vrrp_close(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  vsock_t *s;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 1 || !(s = get_sock(env, argv[0]))) return NULL;
  do_close(s);
  return NULL;
}

static napi_value send_frame(napi_env env, napi_callback_info info) {
  size_t argc = 2, len;
  napi_value argv[2], r;
  char ifname[IF_NAMESIZE + 1];
  void *data;
  struct sockaddr_ll ll;
  int fd, err;
  ssize_t n;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 2 || napi_get_value_string_utf8(env, argv[0], ifname, sizeof ifname, NULL) != napi_ok ||
      napi_get_buffer_info(env, argv[1], &data, &len) != napi_ok || len < 14) {
    napi_throw_type_error(env, NULL, "sendFrame(ifname, frame)");
    return NULL;
  }
  memset(&ll, 0, sizeof ll);
  ll.sll_family = AF_PACKET;
  ll.sll_ifindex = (int)if_nametoindex(ifname);
  if (ll.sll_ifindex == 0) return throw_errno(env, ENODEV, ifname);
  ll.sll_protocol = htons(ETH_P_ARP);
  ll.sll_halen = ETH_ALEN;
  memcpy(ll.sll_addr, data, ETH_ALEN);
  fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ARP));
  if (fd < 0) return throw_errno(env, errno, "packet socket");
  n = sendto(fd, data, len, 0, (struct sockaddr *)&ll, sizeof ll);
  err = errno;
  close(fd);
  if (n < 0) return throw_errno(env, err, "sendFrame");
  napi_create_int64(env, (int64_t)n, &r);
  return r;
}

static void nl_attr(struct nlmsghdr *nh, unsigned short type, const void *data, unsigned short len) {
  struct rtattr *rta = (struct rtattr *)((char *)nh + NLMSG_ALIGN(nh->nlmsg_len));
  rta->rta_type = type;
  rta->rta_len = (unsigned short)RTA_LENGTH(len);
  memcpy(RTA_DATA(rta), data, len);
  nh->nlmsg_len = NLMSG_ALIGN(nh->nlmsg_len) + RTA_ALIGN(rta->rta_len);
}

/* One address request over rtnetlink; returns 0 or -errno from the kernel's ack. */
static int nl_address(int add, unsigned ifindex, struct in_addr addr, int prefix) {
  struct {
    struct nlmsghdr nh;
    struct ifaddrmsg ifa;
    char attrs[64];
  } req;
  char reply[512];
  struct sockaddr_nl kernel;
  int fd, result = -EIO;
  ssize_t n;
  memset(&req, 0, sizeof req);
  req.nh.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifaddrmsg));
  req.nh.nlmsg_type = add ? RTM_NEWADDR : RTM_DELADDR;
  req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | (add ? NLM_F_CREATE | NLM_F_REPLACE : 0);
  req.nh.nlmsg_seq = 1;
  req.ifa.ifa_family = AF_INET;
  req.ifa.ifa_prefixlen = (unsigned char)prefix;
  req.ifa.ifa_scope = RT_SCOPE_UNIVERSE;
  req.ifa.ifa_index = ifindex;
  nl_attr(&req.nh, IFA_LOCAL, &addr, sizeof addr);
  nl_attr(&req.nh, IFA_ADDRESS, &addr, sizeof addr);
  fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
  if (fd < 0) return -errno;
  memset(&kernel, 0, sizeof kernel);
  kernel.nl_family = AF_NETLINK;
  if (sendto(fd, &req, req.nh.nlmsg_len, 0, (struct sockaddr *)&kernel, sizeof kernel) < 0) {
    result = -errno;
  } else {
    while ((n = recv(fd, reply, sizeof reply, 0)) > 0) {
      struct nlmsghdr *h = (struct nlmsghdr *)reply;
      if (NLMSG_OK(h, (unsigned)n) && h->nlmsg_type == NLMSG_ERROR) {
        result = ((struct nlmsgerr *)NLMSG_DATA(h))->error;
        break;
      }
    }
    if (n < 0) result = -errno;
  }
  close(fd);
  return result;
}

static napi_value address_change(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4], r;
  bool add;
  char ifname[IF_NAMESIZE + 1], addr[64];
  int32_t prefix;
  struct in_addr a;
  unsigned ifindex;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 4 || napi_get_value_bool(env, argv[0], &add) != napi_ok ||
      napi_get_value_string_utf8(env, argv[1], ifname, sizeof ifname, NULL) != napi_ok ||
      napi_get_value_string_utf8(env, argv[2], addr, sizeof addr, NULL) != napi_ok ||
      napi_get_value_int32(env, argv[3], &prefix) != napi_ok || inet_pton(AF_INET, addr, &a) != 1 ||
      prefix < 0 || prefix > 32) {
    napi_throw_type_error(env, NULL, "addressChange(add, ifname, ipv4, prefixLen)");
    return NULL;
  }
  ifindex = if_nametoindex(ifname);
  napi_create_int32(env, ifindex == 0 ? -ENODEV : nl_address(add, ifindex, a, prefix), &r);
  return r;
}

static napi_value malloc_trim_js(napi_env env, napi_callback_info info) {
  napi_value r;
#ifdef __GLIBC__
  napi_get_boolean(env, malloc_trim(0) == 1, &r);
#else
  napi_get_boolean(env, false, &r);
#endif
  return r;
}

static napi_value malloc_keep_top_js(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], r;
  int64_t bytes = 0;
  bool ok = false;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1 ||
      napi_get_value_int64(env, argv[0], &bytes) != napi_ok || bytes < 0 || bytes > INT32_MAX) {
    napi_throw_type_error(env, NULL, "mallocKeepTop(bytes)");
    return NULL;
  }
#ifdef __GLIBC__
  ok = mallopt(M_TOP_PAD, 0) == 1 && mallopt(M_TRIM_THRESHOLD, (int)bytes) == 1;
#endif
  napi_get_boolean(env, ok, &r);
  return r;
}

static void set_number(napi_env env, napi_value obj, const char *key, double v) {
  napi_value n;
  napi_create_double(env, v, &n);
  napi_set_named_property(env, obj, key, n);
}

static napi_value malloc_info_js(napi_env env, napi_callback_info info) {
  napi_value r;
  (void)info;
#ifdef __GLIBC__
  struct mallinfo2 m = mallinfo2();
  napi_create_object(env, &r);
  set_number(env, r, "heap", (double)m.arena);
  set_number(env, r, "inUse", (double)m.uordblks);
  set_number(env, r, "free", (double)m.fordblks);
  set_number(env, r, "topFree", (double)m.keepcost);
  set_number(env, r, "mapped", (double)m.hblkhd);
#else
  napi_get_null(env, &r);
#endif
  return r;
}

typedef struct {
  uv_timer_t timer;
  napi_env env;
  napi_ref cb;
  napi_async_context actx;
  int closed;
  int finalized;
  int handle_closed;
} tick_t;

static void tick_maybe_free(tick_t *t) {
  if (t->finalized && t->handle_closed) free(t);
}

static void on_tick_closed(uv_handle_t *h) {
  tick_t *t = (tick_t *)h->data;
  t->handle_closed = 1;
  tick_maybe_free(t);
}

static void tick_close(tick_t *t) {
  if (t->closed) return;
  t->closed = 1;
  uv_timer_stop(&t->timer);
  uv_close((uv_handle_t *)&t->timer, on_tick_closed);
  if (t->cb) {
    napi_delete_reference(t->env, t->cb);
    t->cb = NULL;
  }
  if (t->actx) {
    napi_async_destroy(t->env, t->actx);
    t->actx = NULL;
  }
}

static void on_tick(uv_timer_t *h) {
  tick_t *t = (tick_t *)h->data;
  napi_env env = t->env;
  napi_handle_scope scope;
  napi_value cb;
  if (t->closed) return;
  napi_open_handle_scope(env, &scope);
  if (napi_get_reference_value(env, t->cb, &cb) == napi_ok && cb != NULL) call_back(env, t->actx, cb, 0, NULL);
  napi_close_handle_scope(env, scope);
}

static void tick_finalize(napi_env env, void *data, void *hint) {
  tick_t *t = (tick_t *)data;
  tick_close(t);
  t->finalized = 1;
  tick_maybe_free(t);
}

static napi_value tick_timer(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], ext, name;
  napi_valuetype type;
  uv_loop_t *loop;
  tick_t *t;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 1 || napi_typeof(env, argv[0], &type) != napi_ok || type != napi_function) {
    napi_throw_type_error(env, NULL, "tickTimer: callback required");
    return NULL;
  }
  if (napi_get_uv_event_loop(env, &loop) != napi_ok) {
    napi_throw_error(env, NULL, "tickTimer: no event loop");
    return NULL;
  }
  t = calloc(1, sizeof *t);
  if (t == NULL) {
    napi_throw_error(env, NULL, "tickTimer: out of memory");
    return NULL;
  }
  t->env = env;
  uv_timer_init(loop, &t->timer);
  t->timer.data = t;
  napi_create_reference(env, argv[0], 1, &t->cb);
  napi_create_string_utf8(env, "onair:tick", NAPI_AUTO_LENGTH, &name);
  napi_async_init(env, NULL, name, &t->actx);
  napi_create_external(env, t, tick_finalize, NULL, &ext);
  return ext;
}

/* The tick_t of argv[0], and argv[1] as a number when `want_ms`; NULL (after throwing) if closed or not one. */
static tick_t *tick_arg(napi_env env, napi_callback_info info, int want_ms, int64_t *ms) {
  size_t argc = 2;
  napi_value argv[2];
  void *data = NULL;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 1 || napi_get_value_external(env, argv[0], &data) != napi_ok || data == NULL) {
    napi_throw_type_error(env, NULL, "tick timer handle required");
    return NULL;
  }
  if (want_ms && (argc < 2 || napi_get_value_int64(env, argv[1], ms) != napi_ok || *ms < 0)) {
    napi_throw_type_error(env, NULL, "tickStart: ms must be a number >= 0");
    return NULL;
  }
  return (tick_t *)data;
}

static napi_value tick_start(napi_env env, napi_callback_info info) {
  int64_t ms = 0;
  tick_t *t = tick_arg(env, info, 1, &ms);
  if (t != NULL && !t->closed) {
    /* From now, not from the loop's cached time (which may be a while ago): never early, as Node's timers. */
    uv_update_time(t->timer.loop);
    uv_timer_start(&t->timer, on_tick, (uint64_t)ms, 0);
  }
  return NULL;
}

static napi_value tick_stop(napi_env env, napi_callback_info info) {
  tick_t *t = tick_arg(env, info, 0, NULL);
  if (t != NULL && !t->closed) uv_timer_stop(&t->timer);
  return NULL;
}

static napi_value tick_close_js(napi_env env, napi_callback_info info) {
  tick_t *t = tick_arg(env, info, 0, NULL);
  if (t != NULL) tick_close(t);
  return NULL;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"openVrrpSocket", NULL, open_vrrp_socket, NULL, NULL, NULL, napi_default, NULL},
      {"vrrpSend", NULL, vrrp_send, NULL, NULL, NULL, napi_default, NULL},
      {"vrrpClose", NULL, vrrp_close, NULL, NULL, NULL, napi_default, NULL},
      {"sendFrame", NULL, send_frame, NULL, NULL, NULL, napi_default, NULL},
      {"addressChange", NULL, address_change, NULL, NULL, NULL, napi_default, NULL},
      {"mallocTrim", NULL, malloc_trim_js, NULL, NULL, NULL, napi_default, NULL},
      {"mallocKeepTop", NULL, malloc_keep_top_js, NULL, NULL, NULL, napi_default, NULL},
      {"mallocInfo", NULL, malloc_info_js, NULL, NULL, NULL, napi_default, NULL},
      {"tickTimer", NULL, tick_timer, NULL, NULL, NULL, napi_default, NULL},
      {"tickStart", NULL, tick_start, NULL, NULL, NULL, napi_default, NULL},
      {"tickStop", NULL, tick_stop, NULL, NULL, NULL, napi_default, NULL},
      {"tickClose", NULL, tick_close_js, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
