// Function forms of the CMSG and ICMP6_FILTER macros declared in CLinux.h, and the calls Glibc declares only
// under _GNU_SOURCE.
#define _GNU_SOURCE
#include "CLinux.h"
#include <sched.h>
#include <pthread.h>

struct cmsghdr *clinux_cmsg_firsthdr(struct msghdr *msg) { return CMSG_FIRSTHDR(msg); }
struct cmsghdr *clinux_cmsg_nxthdr(struct msghdr *msg, struct cmsghdr *cmsg) { return CMSG_NXTHDR(msg, cmsg); }
unsigned char *clinux_cmsg_data(struct cmsghdr *cmsg) { return CMSG_DATA(cmsg); }
size_t clinux_cmsg_space(size_t length) { return CMSG_SPACE(length); }
size_t clinux_cmsg_len(size_t length) { return CMSG_LEN(length); }

void clinux_icmp6_filter_pass_only(struct icmp6_filter *filter, const int *types, int count) {
    ICMP6_FILTER_SETBLOCKALL(filter);
    for (int i = 0; i < count; i++) {
        ICMP6_FILTER_SETPASS(types[i], filter);
    }
}

int clinux_accept4(int fd, struct sockaddr *address, socklen_t *length, int flags) {
    return accept4(fd, address, length, flags);
}

int clinux_setns_net(int fd) {
    return setns(fd, CLONE_NEWNET);
}

int clinux_so_timestampns(void) { return SO_TIMESTAMPNS; }
int clinux_ip_recverr(void) { return IP_RECVERR; }
int clinux_ipv6_recverr(void) { return IPV6_RECVERR; }
int clinux_msg_errqueue(void) { return MSG_ERRQUEUE; }
struct sockaddr *clinux_ee_offender(struct sock_extended_err *error) { return SO_EE_OFFENDER(error); }

int clinux_set_thread_name(const char *name) {
    return pthread_setname_np(pthread_self(), name);
}
