// Linux headers that Swift's Glibc module does not expose (epoll, eventfd, ICMP and ICMPv6 structs,
// the socket error queue, mallopt, setns, thread names), plus the CMSG macros as functions, since Swift cannot
// call C macros. Only the Platform module imports it.
#ifndef CLINUX_H
#define CLINUX_H

#include <sys/epoll.h>
#include <sys/eventfd.h>
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

#endif
