/* bench/floor-pinger.c: the floor bench/pinger compares with: the least a program can do to ping N IPv4 targets once
 * per interval, so that ours/floor shows how far the daemon is from the physical limit. One thread, one raw ICMP
 * socket, no timers. The targets are spread over the interval in slots as the daemon spreads its hosts
 * (Sources/Monitor/MonitorSchedule.swift): at least 64 targets to a slot when there are that many and slots no
 * shorter than 10 ms, so both wake up as often; a slot per target would make the floor wake up once per echo, and
 * cost more than the daemon at 1,000 targets. The loop sends every echo that is due, then sleeps in poll() until the
 * next slot or a reply, and reads every reply that is there (recvfrom until EAGAIN), counting those whose identifier
 * is ours. No timeouts, no state per target beyond its address, no output until SIGINT/SIGTERM, when it prints
 * "sent S received R".
 *
 *   floor-pinger INTERVAL_MS TARGET_FILE    (one IPv4 address per line)
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t stopping = 0;
static void stop(int signal_number) { (void)signal_number; stopping = 1; }

static uint64_t now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static uint16_t checksum(const void *data, size_t length) {
    const uint16_t *words = data;
    uint32_t sum = 0;
    for (; length > 1; length -= 2) sum += *words++;
    if (length) sum += *(const uint8_t *)words;
    while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: %s INTERVAL_MS TARGET_FILE\n", argv[0]);
        return 2;
    }
    uint64_t interval = (uint64_t)strtoull(argv[1], NULL, 10) * 1000000u;
    FILE *file = fopen(argv[2], "r");
    if (!file) { perror("fopen"); return 1; }
    size_t count = 0, capacity = 1024;
    struct sockaddr_in *targets = malloc(capacity * sizeof *targets);
    char line[64];
    while (fgets(line, sizeof line, file)) {
        line[strcspn(line, "\r\n")] = 0;
        if (!*line) continue;
        if (count == capacity) targets = realloc(targets, (capacity *= 2) * sizeof *targets);
        memset(&targets[count], 0, sizeof targets[count]);
        targets[count].sin_family = AF_INET;
        if (inet_pton(AF_INET, line, &targets[count].sin_addr) != 1) { fprintf(stderr, "bad address %s\n", line); return 1; }
        count++;
    }
    fclose(file);
    if (count == 0 || interval == 0) { fprintf(stderr, "nothing to ping\n"); return 2; }

    int fd = socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_ICMP);
    if (fd < 0) { perror("socket(AF_INET, SOCK_RAW, IPPROTO_ICMP)"); return 1; }
    struct icmp_filter { uint32_t data; } filter = { ~(1u << ICMP_ECHOREPLY) };
    setsockopt(fd, SOL_RAW, 1 /* ICMP_FILTER */, &filter, sizeof filter);
    int buffer = 4 << 20;
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buffer, sizeof buffer);
    signal(SIGINT, stop);
    signal(SIGTERM, stop);

    /* As MonitorSchedule: slots = max(1, min(count / 64, interval / 10 ms)); target i sits in slot i * slots / count,
     * which is due at start + round * interval + slot * interval / slots. */
    uint64_t slots = count / 64;
    if (slots > interval / 10000000u) slots = interval / 10000000u;
    if (slots < 1) slots = 1;
    uint16_t identifier = (uint16_t)getpid();
    uint64_t sent = 0, received = 0, round = 0;
    size_t next = 0;  /* the next target to send to, in round `round` */
    uint64_t start = now_ns();
    unsigned char packet[64], reply[1500];
    while (!stopping) {
        uint64_t now = now_ns();
        /* Every echo due by now. */
        for (;;) {
            uint64_t due = start + round * interval + ((uint64_t)next * slots / count) * interval / slots;
            if (due > now) break;
            struct icmphdr *echo = (struct icmphdr *)packet;
            memset(packet, 0, sizeof packet);
            echo->type = ICMP_ECHO;
            echo->un.echo.id = htons(identifier);
            echo->un.echo.sequence = htons((uint16_t)(round * count + next));
            echo->checksum = checksum(packet, sizeof packet);
            if (sendto(fd, packet, sizeof packet, 0, (struct sockaddr *)&targets[next], sizeof targets[next]) > 0) sent++;
            if (++next == count) { next = 0; round++; }
        }
        uint64_t due = start + round * interval + ((uint64_t)next * slots / count) * interval / slots;
        int wait_ms = due > now ? (int)((due - now + 999999) / 1000000) : 0;
        struct pollfd waiting = { .fd = fd, .events = POLLIN };
        if (poll(&waiting, 1, wait_ms) > 0) {
            ssize_t length;
            while ((length = recv(fd, reply, sizeof reply, 0)) > 0) {
                struct iphdr *ip = (struct iphdr *)reply;
                size_t header = (size_t)ip->ihl * 4;
                if ((size_t)length < header + sizeof(struct icmphdr)) continue;
                struct icmphdr *answer = (struct icmphdr *)(reply + header);
                if (answer->type == ICMP_ECHOREPLY && ntohs(answer->un.echo.id) == identifier) received++;
            }
        }
    }
    printf("sent %llu received %llu\n", (unsigned long long)sent, (unsigned long long)received);
    return 0;
}
