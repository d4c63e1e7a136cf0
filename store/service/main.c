/*
 * main.c - nodelink-store: wires configuration, logging, signals and the
 * subscriber loop (store.c).
 */
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "log.h"
#include "signals.h"
#include "store.h"
#include "store_config.h"

int main(int argc, char **argv)
{
    store_config_t cfg;
    memset(&cfg, 0, sizeof cfg);
    char err[512];
    int status = 0;
    conf_result_t rc = conf_load(&store_config_schema, &cfg, argc, argv, err, sizeof err);
    log_level_t level = LOG_LEVEL_INFO;
    if (rc == CONF_LOADED)
        log_level_parse(cfg.log_level, &level); /* validated by the option table */
    if (rc != CONF_LOADED) {
        if (rc == CONF_ERROR)
            fprintf(stderr, "nodelink-store: %s\n", err);
        conf_free(&store_config_schema, &cfg);
        return rc == CONF_ERROR ? CONF_EXIT_USAGE : 0;
    }
    log_init("nodelink-store", level);
    signals_init();
    store_t *store = store_new(&cfg, err, sizeof err);
    if (!store) {
        log_error("%s", err);
        status = CONF_EXIT_USAGE;
    } else {
        status = store_run(store);
        store_destroy(&store);
    }
    conf_free(&store_config_schema, &cfg);
    return status;
}
