#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "curve.h"

static char s_dir[64];

static void s_setup(void)
{
    snprintf(s_dir, sizeof s_dir, "/tmp/nodelink-curve-XXXXXX");
    cr_assert_not_null(mkdtemp(s_dir));
}

static char *s_path(const char *name)
{
    static char buf[4][128];
    static int i;
    i = (i + 1) % 4;
    snprintf(buf[i], sizeof buf[i], "%s/%s", s_dir, name);
    return buf[i];
}

static void s_make(const char *name)
{
    zcert_t *c = zcert_new();
    cr_assert_eq(zcert_save_secret(c, s_path(name)), 0);
    char pub[64];
    snprintf(pub, sizeof pub, "%s.pub", name);
    cr_assert_eq(zcert_save_public(c, s_path(pub)), 0);
    zcert_destroy(&c);
}

Test(curve, refuses_a_missing_or_public_only_certificate_with_a_reason, .init = s_setup)
{
    char err[256] = "";
    cr_assert_null(curve_load_secret(NULL, err, sizeof err));
    cr_assert(strstr(err, "no own certificate"), "%s", err);
    cr_assert_null(curve_load_secret(s_path("absent.key"), err, sizeof err));
    cr_assert(strstr(err, "No such file"), "%s", err);
    s_make("a");
    cr_assert_null(curve_load_secret(s_path("a.pub"), err, sizeof err));
    cr_assert(strstr(err, "no secret key"), "%s", err);
    zcert_t *c = curve_load_secret(s_path("a"), err, sizeof err);
    cr_assert_not_null(c, "%s", err);
    zcert_destroy(&c);
}

Test(curve, client_and_server_sockets_complete_a_handshake, .init = s_setup)
{
    s_make("server");
    s_make("client");
    char err[256] = "";
    zcert_t *server_cert = curve_load_secret(s_path("server"), err, sizeof err);
    cr_assert_not_null(server_cert, "%s", err);
    zsock_t *server = zsock_new(ZMQ_PULL), *client = zsock_new(ZMQ_PUSH);
    curve_server_apply(server, server_cert, NULL);
    int port = zsock_bind(server, "tcp://127.0.0.1:*");
    cr_assert_gt(port, 0);
    cr_assert_eq(curve_client_apply(client, s_path("client"), s_path("server.pub"), err, sizeof err), 0, "%s", err);
    zsock_connect(client, "tcp://127.0.0.1:%d", port);
    zstr_send(client, "hello");
    zsock_set_rcvtimeo(server, 3000);
    char *got = zstr_recv(server);
    cr_assert_not_null(got);
    cr_assert_str_eq(got, "hello");
    zstr_free(&got);
    cr_assert_eq(curve_client_apply(client, s_path("client"), s_path("nope.pub"), err, sizeof err), -1);
    cr_assert(strstr(err, "broker certificate"), "%s", err);
    zsock_destroy(&client);
    zsock_destroy(&server);
    zcert_destroy(&server_cert);
}
