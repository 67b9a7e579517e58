// Linux headers that Swift's Glibc module does not expose (epoll, eventfd, timerfd, ICMP and ICMPv6 structs,
// the socket error queue, mallopt, setns, thread names), plus the CMSG macros as functions, since Swift cannot
// call C macros, and one HTTP POST through a libcurl loaded on first use (HTTPPost.c). Only the Platform module
// imports it.
#ifndef CLINUX_H
#define CLINUX_H

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <netinet/icmp6.h>
#include <linux/errqueue.h>
#include <netdb.h>
#include <malloc.h>
#include <time.h>

/// The raw IPv4 ICMP socket filter from <linux/icmp.h> (which clashes with <netinet/ip_icmp.h>):
/// a bit set for each ICMP type the socket should *not* receive.
#define CLINUX_ICMP_FILTER 1
struct clinux_icmp_filter { unsigned int data; };

struct cmsghdr *clinux_cmsg_firsthdr(struct msghdr *msg);
struct cmsghdr *clinux_cmsg_nxthdr(struct msghdr *msg, struct cmsghdr *cmsg);
unsigned char *clinux_cmsg_data(struct cmsghdr *cmsg);
size_t clinux_cmsg_space(size_t length);
size_t clinux_cmsg_len(size_t length);

/// accept4(2), which Glibc declares only under _GNU_SOURCE.
int clinux_accept4(int fd, struct sockaddr *address, socklen_t *length, int flags);

/// Sets an ICMPv6 filter that passes only the given types (echo reply and the error types).
void clinux_icmp6_filter_pass_only(struct icmp6_filter *filter, const int *types, int count);
/// Attaches a classic BPF program to a raw ICMP socket that drops echo replies whose identifier is not
/// `identifier` (other processes' pings) and passes everything else. Returns setsockopt's result (errno set).
int clinux_attach_echo_filter(int fd, uint16_t identifier, int ipv6);

/// Socket option and message constants that are macros (or time64-dependent) in the C headers.
int clinux_so_timestampns(void);
int clinux_ip_recverr(void);
int clinux_ipv6_recverr(void);
int clinux_msg_errqueue(void);

/// The address of the host that reported an error-queue entry (SO_EE_OFFENDER).
struct sockaddr *clinux_ee_offender(struct sock_extended_err *error);

/// setns(2) into a network namespace (CLONE_NEWNET), which Glibc declares only under _GNU_SOURCE. The tests use
/// it to open sockets inside a namespace they created.
int clinux_setns_net(int fd);

/// pthread_setname_np(pthread_self(), name), which Glibc declares only under _GNU_SOURCE; 0 or an errno value.
int clinux_set_thread_name(const char *name);
/// The calling thread's kernel id (gettid), for calls that take a thread (setpriority).
int clinux_thread_id(void);
/// Asks the scheduler for time slices of `nanoseconds` for the calling thread, keeping its policy (SCHED_OTHER)
/// and nice value: sched_setattr(2) with sched_runtime, the EEVDF custom slice of Linux 6.12 and later. 0, or -1
/// with errno set (older kernels ignore the field and return 0).
int clinux_request_slice(unsigned long long nanoseconds);

/// What one POST got back: the HTTP status (0 without an answer), the Retry-After and Location headers, the
/// first bytes of the body, and libcurl's words when it failed.
struct clinux_http_answer {
    long status;
    char retry_after[64];
    char location[1024];
    char body[200];
    size_t body_length;
    char error[256];
};

/// POSTs `body` to `url` (http or https only, no redirect followed, `timeout_ms` for the whole exchange) with
/// `headers` ("Name: value" lines), blocking the calling thread; `cancelled(context)` is asked while it runs and
/// ends it when non-zero. Returns 0 when an answer came (`answer->status`), -1 when libcurl cannot be loaded,
/// else libcurl's error code (CURLcode); `answer->error` says what failed.
int clinux_http_post(const char *url, const char *const *headers, int header_count, const void *body,
                     size_t body_length, long timeout_ms, int (*cancelled)(void *), void *context,
                     struct clinux_http_answer *answer);

#endif
