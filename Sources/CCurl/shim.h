#ifndef DRSOCIAL_CCURL_SHIM_H
#define DRSOCIAL_CCURL_SHIM_H
// Typed wrappers for libcurl's variadic curl_easy_setopt / curl_easy_getinfo, which Swift cannot call.
#include <curl/curl.h>

static inline CURLcode drsocial_curl_setopt_long(CURL *curl, CURLoption option, long value) {
    return curl_easy_setopt(curl, option, value);
}
static inline CURLcode drsocial_curl_setopt_string(CURL *curl, CURLoption option, const char *value) {
    return curl_easy_setopt(curl, option, value);
}
static inline CURLcode drsocial_curl_setopt_pointer(CURL *curl, CURLoption option, void *value) {
    return curl_easy_setopt(curl, option, value);
}
static inline CURLcode drsocial_curl_setopt_off_t(CURL *curl, CURLoption option, curl_off_t value) {
    return curl_easy_setopt(curl, option, value);
}
typedef size_t (*drsocial_curl_write_callback)(char *data, size_t size, size_t count, void *userdata);
static inline CURLcode drsocial_curl_setopt_write_function(CURL *curl, drsocial_curl_write_callback callback) {
    return curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, callback);
}
static inline CURLcode drsocial_curl_setopt_header_function(CURL *curl, drsocial_curl_write_callback callback) {
    return curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, callback);
}
typedef size_t (*drsocial_curl_read_callback)(char *buffer, size_t size, size_t count, void *userdata);
static inline CURLcode drsocial_curl_setopt_read_function(CURL *curl, drsocial_curl_read_callback callback) {
    return curl_easy_setopt(curl, CURLOPT_READFUNCTION, callback);
}
static inline CURLcode drsocial_curl_getinfo_long(CURL *curl, CURLINFO info, long *value) {
    return curl_easy_getinfo(curl, info, value);
}
#endif
