"""Gateway HTTP benchmark; run through tests/bench/gateway_http (raises the
file limit). Prints req/s and p99 of the gateway, nginx and a bare
libmicrohttpd server (gateway_http_anchor.c) on the same bytes in one run,
with ratios; then N SSE streams on one agent (sse_load.c, one epoll client)
against the gateway fed one sample a second, and against a bare
libmicrohttpd SSE server (sse_anchor.c) with the same threads and connection
memory: delivery latency (publish to receipt) and RSS growth per stream.

Extra gateway options: NODELINK_BENCH_GATEWAY_ARGS="--http.connection_memory_limit=8KB ..."."""
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(REPO, "tests", "integration"))
BUILD = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("NODELINK_BUILD_DIR", os.path.join(REPO, "build"))
os.environ["NODELINK_BUILD_DIR"] = BUILD
N_STREAMS = int(sys.argv[2]) if len(sys.argv) > 2 else 10000
SSE_AGENTS = int(sys.argv[3]) if len(sys.argv) > 3 else 1  # streams spread over this many agents
SSE_SECONDS = 10

import harness  # noqa: E402
from gateway_fake import FakeBroker  # noqa: E402

WRK = ["wrk", "-t2", "-c64", "-d5s", "--latency"]


def wrk(url):
    out = subprocess.run(WRK + [url], capture_output=True, text=True, timeout=60).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    m = re.search(r"99%\s+([\d.]+)(us|ms|s)", out)
    p99 = float(m.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[m.group(2)]
    return rps, p99


def rss_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        return int(re.search(r"VmRSS:\s+(\d+)", f.read()).group(1))


def start_nginx(tmp, port, body_path):
    conf = os.path.join(tmp, "nginx.conf")
    with open(conf, "w") as f:
        f.write("""worker_processes 2; daemon off; pid %(t)s/nginx.pid; error_log %(t)s/error.log;
events { worker_connections 4096; }
http { access_log off; types { application/json json; } default_type application/json;
  client_body_temp_path %(t)s; proxy_temp_path %(t)s; fastcgi_temp_path %(t)s; uwsgi_temp_path %(t)s; scgi_temp_path %(t)s;
  server { listen 127.0.0.1:%(p)d; root %(t)s/www; location / { try_files /metrics.json =404; } } }
""" % {"t": tmp, "p": port})
    os.makedirs(os.path.join(tmp, "www"), exist_ok=True)
    shutil.copy(body_path, os.path.join(tmp, "www", "metrics.json"))
    return subprocess.Popen(["nginx", "-c", conf, "-p", tmp], stderr=subprocess.DEVNULL)


SSE_PATH = "/agents/{id}/metrics/stream?interval=1&metrics=cpu.usage_percent"


def sse_run(tool, port, pid, n, seconds, publish=None, agents=1):
    """Opens n streams with sse_load, publishes (when publish is given) once
    a second while it measures, and returns its figures and RSS growth per
    stream of process pid."""
    base = rss_kb(pid)
    load = subprocess.Popen([tool, str(port), str(n), str(seconds), SSE_PATH, str(agents)], stdout=subprocess.PIPE,
                            text=True)
    opened = load.stdout.readline().split()
    t, rss = time.monotonic(), base
    while load.poll() is None and time.monotonic() - t < seconds + 5:
        if publish:
            publish()
        if time.monotonic() - t > seconds / 2 and rss == base:
            rss = rss_kb(pid)
        time.sleep(1 - (time.time() % 1) if publish else 0.5)
    out = load.communicate(timeout=30)[0].split()
    fig = dict(zip(out[0::2], out[1::2]))
    return {"open": int(opened[1]), "events": int(fig["events"]), "p50": float(fig["p50_ms"]),
            "p99": float(fig["p99_ms"]), "max": float(fig["max_ms"]), "closed": int(fig["closed"]),
            "silent": int(fig["streams_without_events"]), "per_stream": (rss - base) * 1024.0 / max(1, int(opened[1]))}


def build(tmp, name, libs=()):
    out = os.path.join(tmp, name)
    flags = subprocess.run(["pkg-config", "--cflags", "--libs", "libmicrohttpd"], capture_output=True,
                           text=True).stdout.split() if libs else []
    subprocess.run(["cc", "-O2", "-o", out, os.path.join(REPO, "tests", "bench", name + ".c"), "-lpthread"] + flags,
                   check=True)
    return out


def option(args, key, default):
    for a in args:
        if a.startswith("--" + key + "="):
            return a.split("=", 1)[1]
    return default


def size_bytes(v):
    m = re.match(r"(\d+)\s*(KB|K|MB|M|B)?$", v, re.I)
    return int(m.group(1)) * {"": 1, "B": 1, "K": 1024, "KB": 1024, "M": 1 << 20, "MB": 1 << 20}[(m.group(2) or "").upper()]


def main():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    tmp = tempfile.mkdtemp(prefix="nodelink-bench-")
    anchor = build(tmp, "gateway_http_anchor", libs=True)
    sse_anchor = build(tmp, "sse_anchor", libs=True)
    sse_load = build(tmp, "sse_load")
    extra = os.environ.get("NODELINK_BENCH_GATEWAY_ARGS", "").split()
    args = ["--metrics.api.rate_limiting.requests_per_minute=0", "--http.threads=2", "--log.level=warn",
            "--metrics.api.max_concurrent_streams=%d" % (N_STREAMS + 100),
            "--http.connection_limit=%d" % (N_STREAMS + 1000)] + extra
    threads = option(args[::-1], "http.threads", "2")
    pool = size_bytes(option(extra, "http.connection_memory_limit", "16KB"))
    print("load average before: %.2f %.2f %.2f" % os.getloadavg())
    with harness.Stack(broker=False, store=False, redis=False, extra_args={"gateway": args}) as s:
        fake = FakeBroker(s.ep("backend"), s.ep("clients"))
        disks = ["/dev/nvme0n1p%d" % i for i in range(7)]
        harness.wait_for(lambda: fake.publish_sample("bench", cores=[12.5] * 16, disks=disks)
                         and s.http("GET", "/agents/bench/metrics")[0] == 200, interval=0.3)
        body = s.http("GET", "/agents/bench/metrics")[2]
        body_path = os.path.join(tmp, "metrics.json")
        with open(body_path, "wb") as f:
            f.write(body)
        nport, aport = harness.free_port(), harness.free_port()
        nginx = start_nginx(tmp, nport, body_path)
        anc = subprocess.Popen([anchor, str(aport), body_path, threads])
        time.sleep(0.5)
        try:
            g = wrk("http://127.0.0.1:%d/agents/bench/metrics" % s.ports["http"])
            n = wrk("http://127.0.0.1:%d/metrics.json" % nport)
            a = wrk("http://127.0.0.1:%d/" % aport)
        finally:
            nginx.terminate()
            anc.terminate()
            nginx.wait()
            anc.wait()
        print("body: %d bytes; wrk %s; gateway %s" % (len(body), " ".join(WRK[1:]), " ".join(args[3:])))
        print("%-22s %10s %9s" % ("server", "req/s", "p99 ms"))
        for name, (rps, p99) in (("gateway", g), ("nginx static file", n), ("bare libmicrohttpd", a)):
            print("%-22s %10.0f %9.2f" % (name, rps, p99))
        print("gateway/nginx %.2f   gateway/bare-mhd %.2f" % (g[0] / n[0], g[0] / a[0]))
        if N_STREAMS:
            print("load average before SSE: %.2f %.2f %.2f" % os.getloadavg())
            ids = ["bench"] if SSE_AGENTS <= 1 else ["bench%d" % i for i in range(SSE_AGENTS)]

            def pub():
                for aid in ids:  # every agent at the same instant: the fan-out's worst case
                    fake.publish_sample(aid, ts_ms=int(time.time() * 1000), cores=[1.0] * 8, disks=["/dev/sda1"])
            harness.wait_for(lambda: pub() or s.http("GET", "/agents/%s/metrics" % ids[-1])[0] == 200, interval=0.3)
            gs = sse_run(sse_load, s.ports["http"], s.procs["gateway"].pid, N_STREAMS, SSE_SECONDS, pub,
                         SSE_AGENTS)
        fake.close()
    if N_STREAMS:
        sport = harness.free_port()
        sa = subprocess.Popen([sse_anchor, str(sport), threads, str(pool)])
        time.sleep(0.5)
        try:
            bs = sse_run(sse_load, sport, sa.pid, N_STREAMS, SSE_SECONDS)
        finally:
            sa.terminate()
            sa.wait()
        print("SSE: %d streams requested over %d agent(s) (bare server: one), one event per second for %d s "
              "(limit nofile %d), connection memory %d B" % (N_STREAMS, SSE_AGENTS, SSE_SECONDS, soft, pool))
        print("%-22s %7s %8s %8s %8s %8s %7s %9s" % ("server", "open", "events", "p50 ms", "p99 ms", "max ms",
                                                    "closed", "B/stream"))
        for name, r in (("gateway", gs), ("bare libmicrohttpd", bs)):
            print("%-22s %7d %8d %8.1f %8.1f %8.1f %7d %9.0f" % (name, r["open"], r["events"], r["p50"], r["p99"],
                                                             r["max"], r["closed"], r["per_stream"]))
        print("gateway/bare-mhd: p99 %.2f, memory per stream %.2f" % (gs["p99"] / bs["p99"],
                                                                      gs["per_stream"] / bs["per_stream"]))
    print("load average after: %.2f %.2f %.2f" % os.getloadavg())
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
