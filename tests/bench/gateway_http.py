"""Gateway HTTP benchmark; run through tests/bench/gateway_http (raises the
file limit). Prints req/s and p99 of the gateway, nginx and a bare
libmicrohttpd server on the same bytes in one run, with ratios, then SSE
delivery latency and memory per stream."""
import asyncio
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


async def sse_client(port, lat, ready, stop):
    try:
        r, w = await asyncio.open_connection("127.0.0.1", port)
    except OSError:
        return
    w.write(b"GET /agents/bench/metrics/stream?interval=1&metrics=cpu.usage_percent HTTP/1.1\r\nHost: x\r\n\r\n")
    ready.append(1)
    buf = b""
    try:
        while not stop.is_set():
            chunk = await r.read(65536)
            if not chunk:
                return
            buf += chunk
            for m in re.finditer(rb"id: (\d+)\n", buf):
                lat.append(time.time() * 1000 - int(m.group(1)))
            buf = buf[buf.rfind(b"\n\n") + 2:] if b"\n\n" in buf else buf
    finally:
        w.close()


async def sse_bench(s, fake, n):
    lat, ready = [], []
    stop = asyncio.Event()
    base = rss_kb(s.procs["gateway"].pid)
    tasks = []
    for i in range(n):
        tasks.append(asyncio.create_task(sse_client(s.ports["http"], lat, ready, stop)))
        if i % 500 == 499:
            await asyncio.sleep(0.05)
    t = time.monotonic()
    while len(ready) < n and time.monotonic() - t < 30:
        await asyncio.sleep(0.2)
    await asyncio.sleep(2)
    lat.clear()
    for _ in range(10):  # one event per second, ts = publish time
        fake.publish_sample("bench", ts_ms=int(time.time() * 1000), cores=[1.0] * 8, disks=["/dev/sda1"])
        await asyncio.sleep(1)
    await asyncio.sleep(1)
    per_stream = (rss_kb(s.procs["gateway"].pid) - base) / max(1, len(ready))
    stop.set()
    for t in tasks:
        t.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    lat.sort()
    return len(ready), len(lat), lat[int(len(lat) * 0.99) - 1] if lat else float("nan"), per_stream


def main():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    tmp = tempfile.mkdtemp(prefix="nodelink-bench-")
    anchor = os.path.join(tmp, "anchor")
    subprocess.run(["cc", "-O2", "-o", anchor, os.path.join(REPO, "tests", "bench", "gateway_http_anchor.c"), "-lpthread"] +
                   subprocess.run(["pkg-config", "--cflags", "--libs", "libmicrohttpd"], capture_output=True,
                                  text=True).stdout.split(), check=True)
    args = ["--metrics.api.rate_limiting.requests_per_minute=0", "--http.threads=2", "--log.level=warn",
            "--metrics.api.max_concurrent_streams=%d" % (N_STREAMS + 100), "--http.connection_limit=%d" % (N_STREAMS + 1000)]
    with harness.Stack(broker=False, store=False, redis=False, extra_args={"gateway": args}) as s:
        fake = FakeBroker(s.ep("backend"), s.ep("clients"))
        harness.wait_for(lambda: fake.publish_sample("bench", cores=[12.5] * 8, disks=["/dev/nvme0n1p1", "/dev/sda1"])
                         and s.http("GET", "/agents/bench/metrics")[0] == 200, interval=0.3)
        body = s.http("GET", "/agents/bench/metrics")[2]
        body_path = os.path.join(tmp, "metrics.json")
        with open(body_path, "wb") as f:
            f.write(body)
        nport, aport = harness.free_port(), harness.free_port()
        nginx = start_nginx(tmp, nport, body_path)
        anc = subprocess.Popen([anchor, str(aport), body_path, "2"])
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
        print("body: %d bytes; wrk %s" % (len(body), " ".join(WRK[1:])))
        print("%-22s %10s %9s" % ("server", "req/s", "p99 ms"))
        for name, (rps, p99) in (("gateway", g), ("nginx static file", n), ("bare libmicrohttpd", a)):
            print("%-22s %10.0f %9.2f" % (name, rps, p99))
        print("gateway/nginx %.2f   gateway/bare-mhd %.2f" % (g[0] / n[0], g[0] / a[0]))
        if N_STREAMS:
            opened, events, p99, per = asyncio.run(sse_bench(s, fake, N_STREAMS))
            print("SSE: %d streams open (limit nofile %d), %d events, p99 delivery %.1f ms, %.1f KB RSS per stream"
                  % (opened, soft, events, p99, per))
        fake.close()
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
