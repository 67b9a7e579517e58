// One HTTP(S) POST through libcurl, which is opened with dlopen the first time a POST is made, so that a daemon
// with no webhook never loads libcurl and its TLS stack (about 4 MiB of resident memory, and start-up time).
// libcurl's headers are not needed to build: its ABI numbers below are fixed by libcurl (curl/curl.h keeps every
// option's number for ever) and were checked against 7.88's headers.
#define _GNU_SOURCE
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include "CLinux.h"

enum {
    OPT_WRITEDATA = 10001, OPT_URL = 10002, OPT_ERRORBUFFER = 10010, OPT_POSTFIELDS = 10015, OPT_USERAGENT = 10018,
    OPT_HTTPHEADER = 10023, OPT_HEADERDATA = 10029, OPT_XFERINFODATA = 10057, OPT_PROTOCOLS_STR = 10318,
    OPT_WRITEFUNCTION = 20011, OPT_HEADERFUNCTION = 20079, OPT_XFERINFOFUNCTION = 20219,
    OPT_POSTFIELDSIZE_LARGE = 30120,
    OPT_NOPROGRESS = 43, OPT_POST = 47, OPT_FOLLOWLOCATION = 52, OPT_NOSIGNAL = 99, OPT_TIMEOUT_MS = 155,
    INFO_RESPONSE_CODE = 0x200002, GLOBAL_DEFAULT = 3, ERROR_SIZE = 256,
};

struct slist;
static struct {
    void *(*easy_init)(void);
    int (*easy_setopt)(void *, int, ...);
    int (*easy_perform)(void *);
    int (*easy_getinfo)(void *, int, ...);
    void (*easy_cleanup)(void *);
    const char *(*easy_strerror)(int);
    struct slist *(*slist_append)(struct slist *, const char *);
    void (*slist_free_all)(struct slist *);
    int (*global_init)(long);
    char failure[256];
} curl;
static pthread_once_t curl_once = PTHREAD_ONCE_INIT;

static void curl_open(void) {
    void *library = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
    if (!library) {
        snprintf(curl.failure, sizeof curl.failure, "libcurl could not be loaded: %s", dlerror());
        return;
    }
#define FIND(field, name)                                                                          \
    if (!(*(void **)&curl.field = dlsym(library, name))) {                                         \
        snprintf(curl.failure, sizeof curl.failure, "libcurl.so.4 has no %s", name);               \
        curl.easy_init = NULL;                                                                     \
        return;                                                                                    \
    }
    FIND(easy_setopt, "curl_easy_setopt") FIND(easy_perform, "curl_easy_perform")
    FIND(easy_getinfo, "curl_easy_getinfo") FIND(easy_cleanup, "curl_easy_cleanup")
    FIND(easy_strerror, "curl_easy_strerror") FIND(slist_append, "curl_slist_append")
    FIND(slist_free_all, "curl_slist_free_all") FIND(global_init, "curl_global_init")
    FIND(easy_init, "curl_easy_init")
#undef FIND
    int code = curl.global_init(GLOBAL_DEFAULT);
    if (code != 0) {
        snprintf(curl.failure, sizeof curl.failure, "curl_global_init failed: %s", curl.easy_strerror(code));
        curl.easy_init = NULL;
    }
}

/// Keeps the value of the response headers named Retry-After and Location.
static size_t keep_header(char *line, size_t size, size_t count, void *context) {
    struct clinux_http_answer *answer = context;
    size_t length = size * count;
    const struct { const char *name; char *into; size_t capacity; } wanted[] = {
        {"retry-after:", answer->retry_after, sizeof answer->retry_after},
        {"location:", answer->location, sizeof answer->location},
    };
    for (size_t i = 0; i < sizeof wanted / sizeof wanted[0]; i++) {
        size_t name = strlen(wanted[i].name);
        if (length <= name || strncasecmp(line, wanted[i].name, name) != 0) continue;
        const char *value = line + name;
        size_t left = length - name;
        while (left > 0 && (*value == ' ' || *value == '\t')) { value++; left--; }
        while (left > 0 && (value[left - 1] == '\r' || value[left - 1] == '\n' || value[left - 1] == ' ')) left--;
        if (left >= wanted[i].capacity) left = wanted[i].capacity - 1;
        memcpy(wanted[i].into, value, left);
        wanted[i].into[left] = 0;
    }
    return length;
}

/// Keeps the start of the body (for the log), reads the rest and drops it.
static size_t keep_body(char *data, size_t size, size_t count, void *context) {
    struct clinux_http_answer *answer = context;
    size_t length = size * count;
    size_t room = sizeof answer->body - answer->body_length;
    size_t kept = length < room ? length : room;
    memcpy(answer->body + answer->body_length, data, kept);
    answer->body_length += kept;
    return length;
}

struct progress { int (*cancelled)(void *); void *context; };

static int check_cancelled(void *context, long long total_down, long long now_down, long long total_up, long long now_up) {
    (void)total_down; (void)now_down; (void)total_up; (void)now_up;
    struct progress *progress = context;
    return progress->cancelled(progress->context) ? 1 : 0;
}

int clinux_http_post(const char *url, const char *const *headers, int header_count, const void *body,
                     size_t body_length, long timeout_ms, int (*cancelled)(void *), void *context,
                     struct clinux_http_answer *answer) {
    memset(answer, 0, sizeof *answer);
    pthread_once(&curl_once, curl_open);
    if (!curl.easy_init) {
        snprintf(answer->error, sizeof answer->error, "%s", curl.failure);
        return -1;
    }
    void *easy = curl.easy_init();
    if (!easy) {
        snprintf(answer->error, sizeof answer->error, "curl_easy_init failed");
        return -1;
    }
    struct slist *list = NULL;
    for (int i = 0; i < header_count; i++) list = curl.slist_append(list, headers[i]);
    char error[ERROR_SIZE] = {0};
    struct progress progress = {cancelled, context};
    curl.easy_setopt(easy, OPT_URL, url);
    curl.easy_setopt(easy, OPT_PROTOCOLS_STR, "http,https");
    curl.easy_setopt(easy, OPT_FOLLOWLOCATION, 0L);
    curl.easy_setopt(easy, OPT_NOSIGNAL, 1L);
    curl.easy_setopt(easy, OPT_TIMEOUT_MS, timeout_ms);
    curl.easy_setopt(easy, OPT_POST, 1L);
    curl.easy_setopt(easy, OPT_POSTFIELDS, body);
    curl.easy_setopt(easy, OPT_POSTFIELDSIZE_LARGE, (long long)body_length);
    curl.easy_setopt(easy, OPT_HTTPHEADER, list);
    curl.easy_setopt(easy, OPT_ERRORBUFFER, error);
    curl.easy_setopt(easy, OPT_HEADERFUNCTION, keep_header);
    curl.easy_setopt(easy, OPT_HEADERDATA, answer);
    curl.easy_setopt(easy, OPT_WRITEFUNCTION, keep_body);
    curl.easy_setopt(easy, OPT_WRITEDATA, answer);
    curl.easy_setopt(easy, OPT_NOPROGRESS, 0L);
    curl.easy_setopt(easy, OPT_XFERINFOFUNCTION, check_cancelled);
    curl.easy_setopt(easy, OPT_XFERINFODATA, &progress);
    int code = curl.easy_perform(easy);
    if (code == 0) {
        curl.easy_getinfo(easy, INFO_RESPONSE_CODE, &answer->status);
    } else {
        snprintf(answer->error, sizeof answer->error, "%s", error[0] ? error : curl.easy_strerror(code));
    }
    curl.easy_cleanup(easy);
    curl.slist_free_all(list);
    return code;
}
