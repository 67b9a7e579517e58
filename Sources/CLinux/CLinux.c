// Function forms of the CMSG and ICMP6_FILTER macros declared in CLinux.h.
#define _GNU_SOURCE
#include "CLinux.h"

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
