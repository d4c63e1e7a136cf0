/*
 * privacy.c - anonymise or drop identifying fields. See privacy.h.
 */
#include "privacy.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef enum { S_KEEP = 0, S_ANON, S_EXCLUDE } s_mode_t;

struct privacy_t {
    s_mode_t hostname, ip, mac, packages;
    unsigned char key[crypto_generichash_KEYBYTES];
};

static s_mode_t s_mode(const char *s)
{
    if (strcmp(s, "anonymize") == 0)
        return S_ANON;
    return strcmp(s, "exclude") == 0 ? S_EXCLUDE : S_KEEP;
}

privacy_t *privacy_new(const gw_config_t *cfg)
{
    if (sodium_init() < 0)
        return NULL;
    privacy_t *self = calloc(1, sizeof *self);
    if (!self)
        return NULL;
    self->hostname = s_mode(cfg->privacy_hostname);
    self->ip = s_mode(cfg->privacy_ip);
    self->mac = s_mode(cfg->privacy_mac);
    self->packages = s_mode(cfg->privacy_packages) == S_KEEP ? S_KEEP : S_EXCLUDE;
    const char *salt = *cfg->privacy_salt ? cfg->privacy_salt : "nodelink-privacy";
    crypto_generichash(self->key, sizeof self->key, (const unsigned char *)salt, strlen(salt), NULL, 0);
    return self;
}

void privacy_destroy(privacy_t **self)
{
    if (!self || !*self)
        return;
    sodium_memzero((*self)->key, sizeof(*self)->key);
    free(*self);
    *self = NULL;
}

static json_t *s_anon(const privacy_t *self, const char *value)
{
    unsigned char h[8];
    char hex[2 * sizeof h + 1], out[sizeof hex + 5];
    crypto_generichash(h, sizeof h, (const unsigned char *)value, strlen(value), self->key, sizeof self->key);
    sodium_bin2hex(hex, sizeof hex, h, sizeof h);
    snprintf(out, sizeof out, "anon-%s", hex);
    return json_string(out);
}

/* Applies mode to obj[key] (a string). */
static void s_field(const privacy_t *self, json_t *obj, const char *key, s_mode_t mode)
{
    json_t *v = json_object_get(obj, key);
    if (!json_is_string(v) || mode == S_KEEP)
        return;
    if (mode == S_EXCLUDE)
        json_object_del(obj, key);
    else
        json_object_set_new(obj, key, s_anon(self, json_string_value(v)));
}

static void s_interface(const privacy_t *self, json_t *nic)
{
    s_field(self, nic, "mac_address", self->mac);
    json_t *ips = json_object_get(nic, "ip_addresses");
    if (!json_is_array(ips) || self->ip == S_KEEP)
        return;
    if (self->ip == S_EXCLUDE) {
        json_object_del(nic, "ip_addresses");
        return;
    }
    size_t i;
    json_t *ip;
    json_array_foreach(ips, i, ip)
    {
        if (json_is_string(ip))
            json_array_set_new(ips, i, s_anon(self, json_string_value(ip)));
    }
}

void privacy_apply(const privacy_t *self, json_t *sysinfo)
{
    if (!self || !json_is_object(sysinfo))
        return;
    json_t *sw = json_object_get(sysinfo, "software");
    if (json_is_object(sw)) {
        s_field(self, sw, "hostname", self->hostname);
        if (self->packages == S_EXCLUDE)
            json_object_del(sw, "packages");
    }
    json_t *nics = json_object_get(sysinfo, "network_interfaces");
    size_t i;
    json_t *nic;
    json_array_foreach(nics, i, nic)
    {
        if (json_is_object(nic))
            s_interface(self, nic);
    }
}
