#include "CCurl.h"
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>

// The libcurl functions Sluice calls, found in libcurl.so.4 by sluice_curl_load.
static struct {
    CURLcode (*global_init)(long flags);
    CURL *(*easy_init)(void);
    void (*easy_cleanup)(CURL *handle);
    const char *(*easy_strerror)(CURLcode code);
    CURLcode (*easy_setopt)(CURL *handle, CURLoption option, ...);
    CURLcode (*easy_getinfo)(CURL *handle, CURLINFO info, ...);
    CURLM *(*multi_init)(void);
    CURLMcode (*multi_cleanup)(CURLM *multi);
    CURLMcode (*multi_setopt)(CURLM *multi, CURLMoption option, ...);
    CURLMcode (*multi_add_handle)(CURLM *multi, CURL *handle);
    CURLMcode (*multi_remove_handle)(CURLM *multi, CURL *handle);
    CURLMcode (*multi_perform)(CURLM *multi, int *running);
    CURLMcode (*multi_poll)(CURLM *multi, struct curl_waitfd *extra, unsigned int count, int timeout_ms, int *ready);
    CURLMcode (*multi_wakeup)(CURLM *multi);
    CURLMsg *(*multi_info_read)(CURLM *multi, int *remaining);
    const char *(*multi_strerror)(CURLMcode code);
} api;

static pthread_once_t once = PTHREAD_ONCE_INIT;
static char failure[512];

#define FIND(field, symbol)                                                                                         \
    do {                                                                                                            \
        *(void **)&api.field = dlsym(library, symbol);                                                              \
        if (!api.field) {                                                                                           \
            snprintf(failure, sizeof failure,                                                                       \
                     "libcurl.so.4 has no %s: libcurl 7.85 or later is needed (apt-get install libcurl4)", symbol); \
            return;                                                                                                 \
        }                                                                                                           \
    } while (0)

static void load(void) {
    void *library = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
    if (!library) {
        snprintf(failure, sizeof failure, "libcurl could not be loaded (%s): install it with apt-get install libcurl4",
                 dlerror());
        return;
    }
    FIND(global_init, "curl_global_init");
    FIND(easy_init, "curl_easy_init");
    FIND(easy_cleanup, "curl_easy_cleanup");
    FIND(easy_strerror, "curl_easy_strerror");
    FIND(easy_setopt, "curl_easy_setopt");
    FIND(easy_getinfo, "curl_easy_getinfo");
    FIND(multi_init, "curl_multi_init");
    FIND(multi_cleanup, "curl_multi_cleanup");
    FIND(multi_setopt, "curl_multi_setopt");
    FIND(multi_add_handle, "curl_multi_add_handle");
    FIND(multi_remove_handle, "curl_multi_remove_handle");
    FIND(multi_perform, "curl_multi_perform");
    FIND(multi_poll, "curl_multi_poll");
    FIND(multi_wakeup, "curl_multi_wakeup");
    FIND(multi_info_read, "curl_multi_info_read");
    FIND(multi_strerror, "curl_multi_strerror");
    // CURLOPT_PROTOCOLS_STR, which every transfer sets, came in 7.85.
    curl_version_info_data *(*version_info)(CURLversion) = NULL;
    *(void **)&version_info = dlsym(library, "curl_version_info");
    if (!version_info || version_info(CURLVERSION_NOW)->version_num < 0x075500) {
        snprintf(failure, sizeof failure, "libcurl %s is too old: 7.85 or later is needed",
                 version_info ? version_info(CURLVERSION_NOW)->version : "(unknown version)");
        return;
    }
    CURLcode code = api.global_init(CURL_GLOBAL_DEFAULT);
    if (code != CURLE_OK) {
        snprintf(failure, sizeof failure, "curl_global_init failed: %s", api.easy_strerror(code));
    }
}

const char *sluice_curl_load(void) {
    pthread_once(&once, load);
    return failure[0] ? failure : NULL;
}

CURL *sluice_easy_init(void) { return api.easy_init(); }
void sluice_easy_cleanup(CURL *handle) { api.easy_cleanup(handle); }
const char *sluice_easy_strerror(CURLcode code) { return api.easy_strerror(code); }

CURLcode sluice_easy_setopt_long(CURL *h, CURLoption o, long v) { return api.easy_setopt(h, o, v); }
CURLcode sluice_easy_setopt_off(CURL *h, CURLoption o, curl_off_t v) { return api.easy_setopt(h, o, v); }
CURLcode sluice_easy_setopt_string(CURL *h, CURLoption o, const char *v) { return api.easy_setopt(h, o, v); }
CURLcode sluice_easy_setopt_pointer(CURL *h, CURLoption o, void *v) { return api.easy_setopt(h, o, v); }
CURLcode sluice_easy_setopt_write(CURL *h, sluice_data_callback f) { return api.easy_setopt(h, CURLOPT_WRITEFUNCTION, f); }
CURLcode sluice_easy_setopt_header(CURL *h, sluice_data_callback f) { return api.easy_setopt(h, CURLOPT_HEADERFUNCTION, f); }
CURLcode sluice_easy_getinfo_long(CURL *h, CURLINFO i, long *v) { return api.easy_getinfo(h, i, v); }

CURLM *sluice_multi_init(void) { return api.multi_init(); }
CURLMcode sluice_multi_cleanup(CURLM *m) { return api.multi_cleanup(m); }
CURLMcode sluice_multi_setopt_long(CURLM *m, CURLMoption o, long v) { return api.multi_setopt(m, o, v); }
CURLMcode sluice_multi_add_handle(CURLM *m, CURL *h) { return api.multi_add_handle(m, h); }
CURLMcode sluice_multi_remove_handle(CURLM *m, CURL *h) { return api.multi_remove_handle(m, h); }
CURLMcode sluice_multi_perform(CURLM *m, int *running) { return api.multi_perform(m, running); }
CURLMcode sluice_multi_poll(CURLM *m, struct curl_waitfd *e, unsigned int n, int t, int *r) {
    return api.multi_poll(m, e, n, t, r);
}
CURLMcode sluice_multi_wakeup(CURLM *m) { return api.multi_wakeup(m); }
CURLMsg *sluice_multi_info_read(CURLM *m, int *remaining) { return api.multi_info_read(m, remaining); }
const char *sluice_multi_strerror(CURLMcode code) { return api.multi_strerror(code); }
