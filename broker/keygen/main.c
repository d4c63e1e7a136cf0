/*
 * nodelink-keygen - makes CURVE certificates (czmq zcert) for nodelink.
 *
 *     nodelink-keygen ROLE [NAME] [--out DIR] [--force]
 *
 * ROLE is broker, agent, subscriber or client. NAME names the certificate
 * (for agents it must be the agent id, which goes into the metadata as
 * agent_id; for the broker it defaults to "broker"). Two files are written:
 * DIR/NAME.key, the key pair (mode 0600, stays on the machine that uses it),
 * and DIR/NAME.pub, the public key (copied to the other side: agents',
 * subscribers' and clients' .pub files into the broker's allow-list
 * directories, the broker's .pub to every client). See docs/security.md.
 *
 * Exit status: 0 written, 1 could not write, 2 usage error.
 */
#include <czmq.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "topic.h"

#define KEYGEN_EXIT_FAIL 1
#define KEYGEN_EXIT_USAGE 2

static const char *const s_roles[] = {"broker", "agent", "subscriber", "client"};

static void s_usage(FILE *out)
{
    fprintf(out,
            "Usage: nodelink-keygen ROLE [NAME] [--out DIR] [--force]\n\n"
            "Creates a CURVE certificate for one nodelink peer:\n"
            "  DIR/NAME.key  key pair (secret; mode 0600) -> security.certificate of that peer\n"
            "  DIR/NAME.pub  public key -> the broker's allow-list directory of ROLE\n"
            "                (for ROLE broker: security.broker_certificate of every client)\n\n"
            "Roles:\n"
            "  broker       the broker's own certificate (NAME defaults to 'broker')\n"
            "  agent        an agent; NAME is its agent id, stored as metadata agent_id\n"
            "  subscriber   a program that subscribes to frames (store, third parties)\n"
            "  client       a program that sends control requests and subscribes (gateway, nodelinkctl)\n\n"
            "Options:\n"
            "  --out DIR    directory to write to (default: current directory)\n"
            "  --force      overwrite existing files\n"
            "  -h, --help   show this help;  -V, --version  show the version\n\n"
            "Exit status: 0 written, 1 could not write, 2 usage error.\n");
}

static bool s_role_valid(const char *role)
{
    for (size_t i = 0; i < sizeof s_roles / sizeof s_roles[0]; i++)
        if (strcmp(role, s_roles[i]) == 0)
            return true;
    return false;
}

typedef struct {
    const char *role, *name, *out;
    bool force;
} keygen_args_t;

/* 0 ok, CONF-style usage error otherwise (message printed). */
static int s_parse(int argc, char **argv, keygen_args_t *a)
{
    a->out = ".";
    for (int i = 1; i < argc; i++) {
        const char *s = argv[i];
        if (strcmp(s, "--out") == 0 && i + 1 < argc)
            a->out = argv[++i];
        else if (strncmp(s, "--out=", 6) == 0)
            a->out = s + 6;
        else if (strcmp(s, "--force") == 0)
            a->force = true;
        else if (s[0] == '-') {
            fprintf(stderr, "nodelink-keygen: unknown option '%s' (see --help)\n", s);
            return -1;
        } else if (!a->role)
            a->role = s;
        else if (!a->name)
            a->name = s;
        else {
            fprintf(stderr, "nodelink-keygen: unexpected argument '%s'\n", s);
            return -1;
        }
    }
    if (!a->role || !s_role_valid(a->role)) {
        fprintf(stderr, "nodelink-keygen: ROLE must be broker, agent, subscriber or client (see --help)\n");
        return -1;
    }
    if (!a->name && strcmp(a->role, "broker") == 0)
        a->name = "broker";
    if (!topic_id_valid(a->name)) {
        fprintf(stderr, "nodelink-keygen: NAME%s must be 1-64 characters of A-Z a-z 0-9 _ . -\n",
                strcmp(a->role, "agent") == 0 ? " (the agent id)" : "");
        return -1;
    }
    return 0;
}

static int s_write(const keygen_args_t *a)
{
    char key_path[4096], pub_path[4096];
    snprintf(key_path, sizeof key_path, "%s/%s.key", a->out, a->name);
    snprintf(pub_path, sizeof pub_path, "%s/%s.pub", a->out, a->name);
    if (!a->force && (access(key_path, F_OK) == 0 || access(pub_path, F_OK) == 0)) {
        fprintf(stderr, "nodelink-keygen: %s or %s exists (use --force to replace)\n", key_path, pub_path);
        return KEYGEN_EXIT_FAIL;
    }
    zcert_t *cert = zcert_new();
    if (!cert)
        return KEYGEN_EXIT_FAIL;
    char created[32];
    time_t now = time(NULL);
    strftime(created, sizeof created, "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
    zcert_set_meta(cert, "role", "%s", a->role);
    zcert_set_meta(cert, "name", "%s", a->name);
    if (strcmp(a->role, "agent") == 0)
        zcert_set_meta(cert, "agent_id", "%s", a->name);
    zcert_set_meta(cert, "created", "%s", created);
    mode_t old = umask(077);
    int rc = zcert_save_secret(cert, key_path);
    umask(old);
    if (rc == 0)
        rc = zcert_save_public(cert, pub_path);
    if (rc == 0)
        chmod(key_path, 0600);
    zcert_destroy(&cert);
    if (rc != 0) {
        fprintf(stderr, "nodelink-keygen: cannot write into %s\n", a->out);
        return KEYGEN_EXIT_FAIL;
    }
    printf("%s\n%s\n", key_path, pub_path);
    return 0;
}

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            s_usage(stdout);
            return 0;
        }
        if (strcmp(argv[i], "--version") == 0 || strcmp(argv[i], "-V") == 0) {
            printf("nodelink-keygen %s\n", NODELINK_VERSION);
            return 0;
        }
    }
    keygen_args_t a = {0};
    if (s_parse(argc, argv, &a) != 0)
        return KEYGEN_EXIT_USAGE;
    if (!zsys_has_curve()) {
        fprintf(stderr, "nodelink-keygen: this libzmq has no CURVE support\n");
        return KEYGEN_EXIT_FAIL;
    }
    zsys_init();
    return s_write(&a);
}
