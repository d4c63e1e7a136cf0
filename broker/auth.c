/*
 * auth.c - CURVE allow-lists and the zauth actor. See auth.h.
 */
#include "auth.h"

#include <dirent.h>
#include <string.h>
#include <sys/stat.h>

#include "curve.h"
#include "log.h"
#include "topic.h"

#define AUTH_DOMAIN "nodelink"

struct auth_t {
    zcert_t *server;  /* the broker's own key pair */
    zactor_t *zauth;  /* ZAP handler; owns the certificate store */
    size_t counts[4]; /* certificates per role */
};

static const char *const s_role_names[] = {"", "agent", "subscriber", "client"};

/* Copies a public certificate into store under role, with the "role" and
 * "name" metadata the broker checks. Returns false when it is unusable. */
static bool s_admit(zcertstore_t *store, zcert_t *loaded, auth_role_t role, const char *file)
{
    const char *name = zcert_meta(loaded, role == AUTH_ROLE_AGENT ? "agent_id" : "name");
    if (role == AUTH_ROLE_AGENT && !topic_id_valid(name)) {
        log_warn("security: %s: agent certificate without a valid agent_id in its metadata; ignored", file);
        return false;
    }
    if (zcertstore_lookup(store, zcert_public_txt(loaded))) {
        log_warn("security: %s: key already allowed under another role or file; ignored", file);
        return false;
    }
    byte no_secret[32] = {0};
    zcert_t *cert = zcert_new_from(zcert_public_key(loaded), no_secret);
    if (!cert)
        return false;
    /* the secret half is never needed here; do not keep a copy of it */
    zcert_set_meta(cert, "role", "%s", s_role_names[role]);
    zcert_set_meta(cert, "name", "%s", name && *name ? name : "unnamed");
    zcertstore_insert(store, &cert);
    return true;
}

static int s_load_dir(auth_t *self, zcertstore_t *store, const char *dir, auth_role_t role)
{
    if (!dir || !*dir)
        return 0;
    DIR *d = opendir(dir);
    if (!d) {
        log_warn("security: cannot read %s directory %s: %s", s_role_names[role], dir, strerror(errno));
        return -1;
    }
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        struct stat st;
        if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
            continue;
        zcert_t *loaded = zcert_load(path);
        if (!loaded) {
            log_warn("security: %s: not a certificate; ignored", path);
            continue;
        }
        if (s_admit(store, loaded, role, path))
            self->counts[role]++;
        zcert_destroy(&loaded);
    }
    closedir(d);
    return 0;
}

auth_t *auth_new(const broker_config_t *cfg, char *err, size_t errlen)
{
    auth_t *self = calloc(1, sizeof *self);
    if (!self) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    self->server = curve_load_secret(cfg->certificate, err, errlen);
    if (!self->server)
        goto fail;
    zcertstore_t *store = zcertstore_new(NULL);
    if (!store) {
        snprintf(err, errlen, "cannot create a certificate store");
        goto fail;
    }
    s_load_dir(self, store, cfg->agents_dir, AUTH_ROLE_AGENT);
    s_load_dir(self, store, cfg->subscribers_dir, AUTH_ROLE_SUBSCRIBER);
    s_load_dir(self, store, cfg->clients_dir, AUTH_ROLE_CLIENT);
    /* zauth takes the store and authenticates every CURVE handshake of the
     * process against it, returning each certificate's metadata. */
    self->zauth = zactor_new(zauth, store);
    if (!self->zauth) {
        zcertstore_destroy(&store);
        snprintf(err, errlen, "cannot start the ZAP handler (zauth)");
        goto fail;
    }
    return self;
fail:
    auth_destroy(&self);
    return NULL;
}

void auth_destroy(auth_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    auth_t *self = *self_p;
    zactor_destroy(&self->zauth);
    zcert_destroy(&self->server);
    free(self);
    *self_p = NULL;
}

void auth_apply(auth_t *self, zsock_t *socket)
{
    curve_server_apply(socket, self->server, AUTH_DOMAIN);
}

size_t auth_count(const auth_t *self, auth_role_t role)
{
    return (int)role >= 0 && role <= AUTH_ROLE_CLIENT ? self->counts[role] : 0;
}

auth_role_t auth_role(zmq_msg_t *msg)
{
    const char *role = zmq_msg_gets(msg, "role");
    if (!role)
        return AUTH_ROLE_NONE;
    for (int r = AUTH_ROLE_AGENT; r <= AUTH_ROLE_CLIENT; r++)
        if (strcmp(role, s_role_names[r]) == 0)
            return (auth_role_t)r;
    return AUTH_ROLE_NONE;
}

const char *auth_name(zmq_msg_t *msg)
{
    return zmq_msg_gets(msg, "name");
}
