// Function forms of the CMSG and ICMP6_FILTER macros declared in CLinux.h, the raw ICMP sockets' echo filter
// (classic BPF, built from linux/filter.h's macros), and the calls Glibc declares only under _GNU_SOURCE.
#define _GNU_SOURCE
#include <unistd.h>
#include <sys/syscall.h>
#include "CLinux.h"
#include <linux/filter.h>
#include <sched.h>
#include <pthread.h>
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/resource.h>

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

int clinux_attach_echo_filter(int fd, uint16_t identifier, int ipv6) {
    // IPv4 raw sockets read from the IP header (X = its length); ICMPv6 raw sockets from the ICMPv6 header.
    // Both: type at +0, identifier at +4 (network order, as BPF loads it).
    struct sock_filter v4[] = {
        BPF_STMT(BPF_LDX | BPF_B | BPF_MSH, 0),
        BPF_STMT(BPF_LD | BPF_B | BPF_IND, 0),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 3),           /* not an echo reply: pass */
        BPF_STMT(BPF_LD | BPF_H | BPF_IND, 4),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, identifier, 1, 0),  /* ours: pass */
        BPF_STMT(BPF_RET | BPF_K, 0),
        BPF_STMT(BPF_RET | BPF_K, 0xFFFFFFFF),
    };
    struct sock_filter v6[] = {
        BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 0),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 129, 0, 3),
        BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 4),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, identifier, 1, 0),
        BPF_STMT(BPF_RET | BPF_K, 0),
        BPF_STMT(BPF_RET | BPF_K, 0xFFFFFFFF),
    };
    struct sock_fprog program;
    if (ipv6) {
        program.len = sizeof v6 / sizeof v6[0];
        program.filter = v6;
    } else {
        program.len = sizeof v4 / sizeof v4[0];
        program.filter = v4;
    }
    return setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &program, sizeof program);
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

int clinux_thread_id(void) {
    return (int)syscall(SYS_gettid);
}

/// struct sched_attr of <linux/sched/types.h> (its first version, 48 bytes; the kernel takes any size it knows).
struct clinux_sched_attr {
    uint32_t size, sched_policy;
    uint64_t sched_flags;
    int32_t sched_nice;
    uint32_t sched_priority;
    uint64_t sched_runtime, sched_deadline, sched_period;
};

int clinux_request_slice(unsigned long long nanoseconds) {
    errno = 0;
    int nice = getpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid));
    if (nice == -1 && errno != 0) return -1;
    struct clinux_sched_attr attr;
    memset(&attr, 0, sizeof attr);
    attr.size = sizeof attr;
    attr.sched_policy = SCHED_OTHER;
    attr.sched_nice = nice;
    attr.sched_runtime = nanoseconds;
    return (int)syscall(SYS_sched_setattr, 0, &attr, 0);
}
