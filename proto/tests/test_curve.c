#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "curve.h"
#include "curvekey.h"

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
    cr_assert_eq(curve_client_apply(client, s_path("client"), s_path("server.pub"), err, sizeof err), 0, "%s",
                 err);
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

Test(curvekey, reads_the_keys_czmq_wrote_with_metadata_and_comments, .init = s_setup)
{
    zcert_t *c = zcert_new();
    zcert_set_meta(c, "role", "agent");
    zcert_set_meta(c, "name", "curve = \"not-a-key\"");
    cr_assert_eq(zcert_save_secret(c, s_path("k.key")), 0);
    cr_assert_eq(zcert_save_public(c, s_path("k.pub")), 0);
    char err[256] = "";
    curvekey_t k;
    cr_assert_eq(curvekey_load(s_path("k.key"), "own", true, &k, err, sizeof err), 0, "%s", err);
    cr_assert(k.has_secret);
    cr_assert_eq(memcmp(k.public_key, zcert_public_key(c), 32), 0);
    cr_assert_eq(memcmp(k.secret_key, zcert_secret_key(c), 32), 0);
    cr_assert_eq(curvekey_load(s_path("k.pub"), "broker", false, &k, err, sizeof err), 0, "%s", err);
    cr_assert_not(k.has_secret);
    cr_assert_eq(memcmp(k.public_key, zcert_public_key(c), 32), 0);
    cr_assert_eq(curvekey_load(s_path("k.pub"), "own", true, &k, err, sizeof err), -1);
    cr_assert(strstr(err, "holds no secret key"), "%s", err);
    zcert_destroy(&c);
}

Test(curvekey, prefers_the_secret_file_as_zcert_load_does, .init = s_setup)
{
    zcert_t *c = zcert_new();
    cr_assert_eq(zcert_save(c, s_path("both")), 0); /* writes both and both_secret */
    char err[256] = "";
    curvekey_t k;
    cr_assert_eq(curvekey_load(s_path("both"), "own", true, &k, err, sizeof err), 0, "%s", err);
    cr_assert_eq(memcmp(k.secret_key, zcert_secret_key(c), 32), 0);
    zcert_destroy(&c);
}

Test(curvekey, accepts_bare_values_and_refuses_text_without_a_valid_public_key)
{
    const char *bare = "curve\n    public-key = rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7\n"
                       "    secret-key = 'JTKVSB%%)wK0E.X)V>+}o?pNmC{O&4W4b!Ni{Lh6'\r\n";
    curvekey_t k;
    cr_assert_eq(curvekey_parse(bare, strlen(bare), &k), 0);
    cr_assert(k.has_secret);
    uint8_t expect[32];
    cr_assert_not_null(zmq_z85_decode(expect, "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7"));
    cr_assert_eq(memcmp(k.public_key, expect, 32), 0);
    const char *bad[] = {
        "",
        "curve\n    public-key = \"short\"\n",
        "metadata\n    public-key = \"rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7\"\n", /* wrong section */
        "curve\n    public-key = \"rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7\n",      /* unterminated */
        "curve\n    public-key = \"0000000000000000000000000000000000000000\"\n",    /* all zero */
        "curve\n    public-key = \"~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~\"\n",    /* not Z85 */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        cr_assert_eq(curvekey_parse(bad[i], strlen(bad[i]), &k), -1, "case %zu", i);
}

Test(curvekey, applies_curve_to_a_raw_socket_that_completes_a_handshake, .init = s_setup)
{
    s_make("server");
    s_make("client");
    char err[256] = "";
    zcert_t *server_cert = curve_load_secret(s_path("server"), err, sizeof err);
    cr_assert_not_null(server_cert, "%s", err);
    zsock_t *server = zsock_new(ZMQ_PULL);
    curve_server_apply(server, server_cert, NULL);
    int port = zsock_bind(server, "tcp://127.0.0.1:*");
    void *ctx = zmq_ctx_new();
    void *client = zmq_socket(ctx, ZMQ_PUSH);
    cr_assert_eq(curvekey_client_apply(client, s_path("client"), s_path("server.pub"), err, sizeof err), 0,
                 "%s", err);
    char ep[64];
    snprintf(ep, sizeof ep, "tcp://127.0.0.1:%d", port);
    cr_assert_eq(zmq_connect(client, ep), 0);
    cr_assert_eq(zmq_send(client, "hi", 2, 0), 2);
    zsock_set_rcvtimeo(server, 3000);
    char *got = zstr_recv(server);
    cr_assert_not_null(got);
    cr_assert_str_eq(got, "hi");
    zstr_free(&got);
    int linger = 0;
    zmq_setsockopt(client, ZMQ_LINGER, &linger, sizeof linger);
    zmq_close(client);
    zmq_ctx_term(ctx);
    zsock_destroy(&server);
    zcert_destroy(&server_cert);
}
