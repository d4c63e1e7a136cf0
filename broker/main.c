/*
 * main.c - nodelink-broker: loads the configuration and runs the broker.
 * Everything else lives in broker.c and the files it wires.
 */
#include <czmq.h>
#include <stdio.h>
#include <string.h>

#include "broker.h"
#include "broker_config.h"
#include "config.h"
#include "log.h"
#include "signals.h"

int main(int argc, char **argv)
{
    const conf_schema_t *schema = broker_config_schema();
    broker_config_t cfg;
    memset(&cfg, 0, sizeof cfg);
    char err[512] = "";
    conf_result_t res = conf_load(schema, &cfg, argc, argv, err, sizeof err);
    if (res != CONF_LOADED) {
        if (res == CONF_ERROR)
            fprintf(stderr, "nodelink-broker: %s\n", err);
        conf_free(schema, &cfg);
        return res == CONF_ERROR ? CONF_EXIT_USAGE : 0;
    }
    log_level_t level = LOG_LEVEL_INFO;
    log_level_parse(cfg.log_level, &level);
    log_init("nodelink-broker", level);
    signals_init();
    zsys_init();
    zsys_set_logident("nodelink-broker");

    int status = 0;
    broker_t *broker = broker_new(&cfg, err, sizeof err);
    if (!broker) {
        log_error("%s", err);
        status = 1;
    } else {
        status = broker_run(broker) == 0 ? 0 : 1;
        broker_destroy(&broker);
    }
    conf_free(schema, &cfg);
    return status;
}
