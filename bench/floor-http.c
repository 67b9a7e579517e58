/* bench/floor-http.c: the floor bench/http compares with: the least a server can do to answer every keep-alive
 * request on loopback with one file's bytes, so that ours/floor shows how far the daemon's HTTP server is from the
 * physical limit of this machine. One thread per CPU, each with a listening socket of its own (SO_REUSEPORT, as
 * the daemon's loops have), level-triggered epoll, no parsing beyond counting the ends of request heads, no
 * timeouts, no limits. Each response is the head, sent with MSG_MORE, then the body by sendfile(2) from a memfd:
 * the cheapest way to send the same bytes over and over (no copy from user space).
 *
 *   floor-http PORT BODY_FILE CONTENT_TYPE
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <unistd.h>

static char head[512];
static size_t head_length, body_length;
static int body_fd, port;

static void fail(const char *what) {
    perror(what);
    exit(1);
}

/* Sends the whole response, retrying at once while the socket is full: a floor need not be fair. */
static int respond(int fd) {
    if (send(fd, head, head_length, MSG_MORE | MSG_NOSIGNAL) != (ssize_t)head_length) return -1;
    off_t offset = 0;
    while ((size_t)offset < body_length) {
        ssize_t sent = sendfile(fd, body_fd, &offset, body_length - (size_t)offset);
        if (sent < 0 && errno != EAGAIN) return -1;
    }
    return 0;
}

static void *serve(void *unused) {
    (void)unused;
    int one = 1;
    int listener = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (listener < 0) fail("socket");
    setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    setsockopt(listener, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
    struct sockaddr_in address = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                                   .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    if (bind(listener, (struct sockaddr *)&address, sizeof address) < 0) fail("bind");
    if (listen(listener, 1024) < 0) fail("listen");
    int epoll = epoll_create1(EPOLL_CLOEXEC);
    struct epoll_event event = { .events = EPOLLIN, .data.fd = listener };
    epoll_ctl(epoll, EPOLL_CTL_ADD, listener, &event);
    struct epoll_event events[128];
    char input[8192];
    for (;;) {
        int ready = epoll_wait(epoll, events, 128, -1);
        for (int i = 0; i < ready; i++) {
            int fd = events[i].data.fd;
            if (fd == listener) {
                int connection;
                while ((connection = accept4(listener, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
                    setsockopt(connection, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                    struct epoll_event added = { .events = EPOLLIN, .data.fd = connection };
                    epoll_ctl(epoll, EPOLL_CTL_ADD, connection, &added);
                }
                continue;
            }
            ssize_t length = read(fd, input, sizeof input);
            if (length <= 0) {
                close(fd);
                continue;
            }
            for (ssize_t k = 3; k < length; k++) {
                if (memcmp(input + k - 3, "\r\n\r\n", 4) == 0 && respond(fd) < 0) {
                    close(fd);
                    break;
                }
            }
        }
    }
    return NULL;
}

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: %s PORT BODY_FILE CONTENT_TYPE\n", argv[0]);
        return 2;
    }
    port = atoi(argv[1]);
    FILE *file = fopen(argv[2], "rb");
    if (!file) fail("fopen");
    body_fd = memfd_create("floor-http-body", MFD_CLOEXEC);
    if (body_fd < 0) fail("memfd_create");
    char buffer[65536];
    size_t chunk;
    while ((chunk = fread(buffer, 1, sizeof buffer, file)) > 0) {
        if (write(body_fd, buffer, chunk) != (ssize_t)chunk) fail("write");
        body_length += chunk;
    }
    fclose(file);
    head_length = (size_t)snprintf(head, sizeof head,
                                   "HTTP/1.1 200 OK\r\nContent-Type: %s\r\nContent-Length: %zu\r\n\r\n",
                                   argv[3], body_length);
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    if (cpus < 1) cpus = 1;
    pthread_t threads[64];
    for (long i = 0; i < cpus && i < 64; i++) {
        if (pthread_create(&threads[i], NULL, serve, NULL) != 0) fail("pthread_create");
    }
    pthread_join(threads[0], NULL);
    return 0;
}
