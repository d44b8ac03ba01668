#pragma once
// libcurl, loaded with dlopen at the first download instead of at start-up.
//
// Linking libcurl pulls in about 30 libraries (OpenSSL, GnuTLS, Kerberos, LDAP, ...) whose constructors run when
// the process starts: 5-6 MiB of an idle `sluice up` that never downloads. The types and constants come from
// <curl/curl.h>; every call goes through these wrappers, which call the functions `sluice_curl_load` found.
// Calling libcurl's own functions from Swift fails to link: nothing links -lcurl.
#include <curl/curl.h>
#include <stddef.h>

/// Loads libcurl.so.4 and runs curl_global_init, once per process; thread-safe.
/// Returns NULL when libcurl is ready, else a message saying what is missing.
const char *sluice_curl_load(void);

CURL *sluice_easy_init(void);
void sluice_easy_cleanup(CURL *handle);
const char *sluice_easy_strerror(CURLcode code);

// curl_easy_setopt / curl_easy_getinfo / curl_multi_setopt are variadic: Swift calls these typed wrappers.
CURLcode sluice_easy_setopt_long(CURL *handle, CURLoption option, long value);
CURLcode sluice_easy_setopt_off(CURL *handle, CURLoption option, curl_off_t value);
CURLcode sluice_easy_setopt_string(CURL *handle, CURLoption option, const char *value);
CURLcode sluice_easy_setopt_pointer(CURL *handle, CURLoption option, void *value);
typedef size_t (*sluice_data_callback)(char *ptr, size_t size, size_t nmemb, void *userdata);
CURLcode sluice_easy_setopt_write(CURL *handle, sluice_data_callback callback);
CURLcode sluice_easy_setopt_header(CURL *handle, sluice_data_callback callback);
CURLcode sluice_easy_getinfo_long(CURL *handle, CURLINFO info, long *value);

CURLM *sluice_multi_init(void);
CURLMcode sluice_multi_cleanup(CURLM *multi);
CURLMcode sluice_multi_setopt_long(CURLM *multi, CURLMoption option, long value);
CURLMcode sluice_multi_add_handle(CURLM *multi, CURL *handle);
CURLMcode sluice_multi_remove_handle(CURLM *multi, CURL *handle);
CURLMcode sluice_multi_perform(CURLM *multi, int *running);
CURLMcode sluice_multi_poll(CURLM *multi, struct curl_waitfd *extra, unsigned int count, int timeout_ms, int *ready);
CURLMcode sluice_multi_wakeup(CURLM *multi);
CURLMsg *sluice_multi_info_read(CURLM *multi, int *remaining);
const char *sluice_multi_strerror(CURLMcode code);
