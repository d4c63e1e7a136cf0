/*
 * export.h - nodelinkctl export: an agent's stored history, as the store
 * keeps it, printed as CSV or JSON lines.
 *
 * It reads the store's Redis (--redis.url) through the query library's row
 * iterator (query_rows, store/query/include/query.h): every row of one tier
 * in [--from, --to], oldest first, hot stream entries and compacted chunks
 * alike, each once even while the store compacts, with the exact stored
 * strings. The broker is not involved.
 *
 * CSV: a header "ts_ms,seq,<metric names, sorted>" and one line per row, a
 * cell empty where the row has no value for that metric (metric sets vary
 * over time, so the names are collected by a first walk over the range; the
 * second walk prints the rows up to the last one the first walk saw, so
 * rows stored meanwhile do not change the header's promise). A value
 * holding ',', '"', CR or LF is quoted with '"' and its quotes doubled.
 * JSON lines: one walk, one object per row:
 * {"ts_ms":1700000000000,"seq":0,"values":{"cpu.usage_percent":"23.46",...}}
 * with the names sorted and the values as the stored strings.
 *
 * Exit statuses (ctl.h): 0 done (also for a range without rows), 2 usage
 * (bad option, agent id or range), 4 the store has no history of the agent,
 * 11 Redis unreachable / timed out / loading, 1 anything else (a stored span
 * that cannot be decoded, a failed write); on a failure the output printed
 * so far is incomplete.
 */
#ifndef NODELINK_EXPORT_H
#define NODELINK_EXPORT_H

#include <stdio.h>

#include "ctl.h"

/* Runs the export of agent_id's history to out. Returns the exit status,
 * after printing the reason of a failure on stderr. */
int export_run(const ctl_config_t *cfg, const char *agent_id, FILE *out);

/* Writes one CSV cell (quoted when it holds ',', '"', CR or LF). */
void export_csv_cell(FILE *out, const char *s);

#endif
