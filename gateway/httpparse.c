/*
 * httpparse.c - parsing rules of the HTTP layer. See httpparse.h.
 */
#include "httpparse.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

int httpparse_int(const char *v, int64_t min, int64_t max, int64_t *out)
{
    int64_t n;
    if (!v || *v == '\0' || conf_parse_int(v, &n) != 0 || n < min || n > max)
        return -1;
    *out = n;
    return 0;
}

int httpparse_bool(const char *v, bool *out)
{
    return v && conf_parse_bool(v, out) == 0 ? 0 : -1;
}

static void s_free_items(char **items, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(items[i]);
        items[i] = NULL;
    }
}

int httpparse_list(const char *list, char **items, size_t cap, bool (*valid)(const char *item), char *bad,
                   size_t badlen)
{
    size_t n = 0;
    const char *p = list ? list : "";
    while (*p) {
        size_t len = strcspn(p, ",");
        const char *start = p, *end = p + len;
        p = *end ? end + 1 : end;
        while (start < end && *start == ' ')
            start++;
        while (end > start && end[-1] == ' ')
            end--;
        if (start == end)
            continue;
        if (n == cap) {
            s_free_items(items, n);
            return -2;
        }
        char *item = strndup(start, (size_t)(end - start));
        if (!item || (valid && !valid(item))) {
            snprintf(bad, badlen, "%.*s", (int)(end - start), start);
            free(item);
            s_free_items(items, n);
            return -1;
        }
        items[n++] = item;
    }
    return (int)n;
}

int64_t httpparse_event_id(const char *v)
{
    if (!v || !*v)
        return -1;
    int64_t id;
    return httpparse_int(v, 0, INT64_MAX, &id) == 0 ? id : -2;
}

bool httpparse_match(const char *pattern, const char *path, char id[TOPIC_ID_MAX + 1])
{
    id[0] = '\0';
    while (*pattern && *path) {
        if (*pattern != '/' || *path != '/')
            return false;
        pattern++, path++;
        size_t plen = strcspn(pattern, "/"), slen = strcspn(path, "/");
        if (plen == 4 && strncmp(pattern, "{id}", 4) == 0) {
            if (!topic_id_valid_n(path, slen))
                return false;
            memcpy(id, path, slen);
            id[slen] = '\0';
        } else if (plen != slen || strncmp(pattern, path, plen) != 0) {
            return false;
        }
        pattern += plen, path += slen;
    }
    return *pattern == '\0' && *path == '\0';
}

const char *httpparse_strip_api(const char *url)
{
    if (strncmp(url, "/api", 4) == 0 && (url[4] == '/' || url[4] == '\0'))
        return url[4] ? url + 4 : "/";
    return url;
}

static int s_listen_v6(char *host, uint16_t port, struct sockaddr_storage *addr)
{
    size_t n = strlen(host);
    if (n < 3 || host[n - 1] != ']')
        return -1;
    host[n - 1] = '\0';
    struct sockaddr_in6 *a = (struct sockaddr_in6 *)addr;
    a->sin6_family = AF_INET6;
    a->sin6_port = htons(port);
    return inet_pton(AF_INET6, host + 1, &a->sin6_addr) == 1 ? 0 : -1;
}

int httpparse_listen(const char *listen, struct sockaddr_storage *addr, bool *v6)
{
    char host[128];
    const char *colon = strrchr(listen, ':');
    if (!colon || colon == listen || (size_t)(colon - listen) >= sizeof host)
        return -1;
    int64_t port;
    if (httpparse_int(colon + 1, 0, 65535, &port) != 0)
        return -1;
    memcpy(host, listen, (size_t)(colon - listen));
    host[colon - listen] = '\0';
    memset(addr, 0, sizeof *addr);
    *v6 = host[0] == '[';
    if (*v6)
        return s_listen_v6(host, (uint16_t)port, addr);
    struct sockaddr_in *a = (struct sockaddr_in *)addr;
    a->sin_family = AF_INET;
    a->sin_port = htons((uint16_t)port);
    if (strcmp(host, "*") == 0)
        return 0;
    if (strcmp(host, "localhost") == 0)
        strcpy(host, "127.0.0.1");
    return inet_pton(AF_INET, host, &a->sin_addr) == 1 ? 0 : -1;
}
