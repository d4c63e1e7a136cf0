/*
 * broker_throughput_anchor - the anchor of tests/bench/broker_throughput: a
 * bare zmq_proxy XSUB -> XPUB, nothing checked, optionally with CURVE (server
 * key only; no ZAP handler, so any client key is accepted).
 *
 *     broker_throughput_anchor FRONTEND BACKEND [SERVER_SECRET_CERT]
 */
#include <czmq.h>
#include <stdio.h>

#include "curve.h"

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s FRONTEND BACKEND [SERVER_SECRET_CERT]\n", argv[0]);
        return 2;
    }
    zsys_init();
    zcert_t *cert = NULL;
    if (argc > 3) {
        char err[256];
        if (!(cert = curve_load_secret(argv[3], err, sizeof err))) {
            fprintf(stderr, "%s\n", err);
            return 1;
        }
    }
    zsock_t *front = zsock_new(ZMQ_XSUB), *back = zsock_new(ZMQ_XPUB);
    if (cert) {
        curve_server_apply(front, cert, NULL);
        curve_server_apply(back, cert, NULL);
    }
    if (zsock_bind(front, "%s", argv[1]) < 0 || zsock_bind(back, "%s", argv[2]) < 0) {
        fprintf(stderr, "cannot bind\n");
        return 1;
    }
    zmq_proxy(zsock_resolve(front), zsock_resolve(back), NULL); /* until killed */
    zsock_destroy(&front);
    zsock_destroy(&back);
    zcert_destroy(&cert);
    return 0;
}
