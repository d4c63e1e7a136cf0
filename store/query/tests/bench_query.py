"""Query library benchmark: the same history stored hot only (the layout
before chunks) and compacted into chunks but for the newest hour, read by
store_query_tool on one context (NODELINK_QUERY_REPEAT), against a private
redis-server. Prints the mean time per call and the compacted/hot ratio
measured in the same run; with a second store_query_tool (a build of
another revision) also that tool's times on the hot layout.

    /usr/bin/python3 store/query/tests/bench_query.py BUILD_DIR [OTHER_TOOL]

Data: one agent, 7 days of 10 s samples of 50 metrics (60480 entries),
their 1-minute and 1-hour rollups."""
import json
import os
import random
import subprocess
import sys

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
BUILD = sys.argv[1] if len(sys.argv) > 1 else os.path.join(REPO, "build")
OTHER = sys.argv[2] if len(sys.argv) > 2 else None
os.environ["NODELINK_BUILD_DIR"] = BUILD
sys.path.insert(0, os.path.join(REPO, "tests", "integration"))

import harness  # noqa: E402
import test_query_chunks as tq  # noqa: E402

DAYS = 7
END_MS = tq.BASE_MS + DAYS * tq.DAY
METRICS = (["cpu.usage_percent", "cpu.user_percent", "cpu.system_percent", "cpu.iowait_percent"] +
           ["cpu.core.%d.usage_percent" % i for i in range(16)] +
           ["memory.used_bytes", "memory.available_bytes", "memory.cached_bytes", "memory.swap_used_bytes",
            "load.load1", "load.load5", "load.load15", "processes.total", "processes.running"] +
           ["disk.%s.%s" % (d, f) for d in ("sda", "nvme0n1") for f in
            ("read_bytes_per_sec", "write_bytes_per_sec", "reads_per_sec", "writes_per_sec", "used_bytes")] +
           ["net.%s.%s" % (n, f) for n in ("eth0", "lo") for f in
            ("bytes_recv_per_sec", "bytes_sent_per_sec", "packets_recv_per_sec")])[:50]


def raw_rows():
    rnd = random.Random(1)
    rows = []
    for i in range(DAYS * 8640):
        v = {}
        for m in METRICS:
            v[m] = tq.fmt(round(rnd.random() * 100, 2)) if "percent" in m or "load" in m else str(rnd.randrange(10 ** 9))
        rows.append((tq.BASE_MS + i * 10_000, 0, v))
    return rows


def call(tool, url, *args, repeat):
    env = dict(os.environ, NODELINK_QUERY_REPEAT=str(repeat))
    out = subprocess.run([tool, url] + [str(a) for a in args], capture_output=True, text=True, env=env, timeout=600)
    doc = json.loads(out.stdout)
    if doc["status"] != "ok":
        raise SystemExit("%s: %s" % (args, doc["message"]))
    return doc


def main():
    raw = raw_rows()
    data = {"metrics": raw, "metrics:1m": tq.rollup(raw, 60_000), "metrics:1h": tq.rollup(raw, tq.HOUR)}
    end = END_MS // 1000
    cases = [
        ("last hour, 10 s (raw)", ("history", end - 3600, end, 10, 0, "cpu.usage_percent,memory.used_bytes"), 200),
        ("last day, 1 min (1m)", ("history", end - 86400, end, 60, 0, "cpu.usage_percent"), 100),
        ("7 days, 1 h (1h)", ("history", tq.BASE, end, 3600, 0, "cpu.usage_percent,load.load1"), 200),
        ("7 days, 45 s (raw scan)", ("history", tq.BASE, end, 45, 0, "cpu.usage_percent"), 3),
        ("24 h raw, one metric", ("history", end - 86400, end, 10, 0, "cpu.usage_percent"), 20),
        ("7 days, 300 s (1m)", ("history", tq.BASE, end, 300, 0, "cpu.usage_percent"), 50),
        ("replay 100 samples", ("samples", END_MS - 1_200_000, 100), 200),
    ]
    tool = os.path.join(BUILD, "tests", "store_query_tool")
    with harness.Redis() as redis:
        r = tq.Resp(redis.port)
        tq.load(r, "hot", data)
        last = {"metrics": END_MS - tq.HOUR, "metrics:1m": END_MS - tq.DAY, "metrics:1h": END_MS - 30 * tq.DAY}
        tq.load(r, "cold", data, last)
        r.close()
        print("%-26s %12s %12s %8s%s" % ("query", "hot us", "compacted us", "ratio",
                                         "  %12s %8s" % ("other hot us", "hot/other") if OTHER else ""))
        for name, args, repeat in cases:
            hot = call(tool, redis.url, args[0], "hot", *args[1:], repeat=repeat)
            cold = call(tool, redis.url, args[0], "cold", *args[1:], repeat=repeat)
            for k in ("data", "samples"):
                if k in hot and hot[k] != cold[k]:
                    raise SystemExit("%s: the layouts answer differently" % name)
            line = "%-26s %12.0f %12.0f %8.2f" % (name, hot["us_per_call"], cold["us_per_call"],
                                                  cold["us_per_call"] / hot["us_per_call"])
            if OTHER:
                other = call(OTHER, redis.url, args[0], "hot", *args[1:], repeat=repeat)
                line += "  %12.0f %8.2f" % (other["us_per_call"], hot["us_per_call"] / other["us_per_call"])
            print(line, flush=True)


if __name__ == "__main__":
    main()
