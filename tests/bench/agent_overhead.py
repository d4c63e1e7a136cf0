#!/usr/bin/python3
"""Benchmark: nodelink-agent against prometheus-node-exporter, same run.

    NODELINK_BUILD_DIR=build /usr/bin/python3 tests/bench/agent_overhead.py

Build first: cmake --build build --target nodelink-agent agent_overhead
Needs the Debian package prometheus-node-exporter. Bounded: about a minute,
loopback only. Prints:
  1. node_exporter (only the comparable collectors: cpu, meminfo, diskstats,
     filesystem, netdev, loadavg, stat, hwmon, uname): CPU per scrape, RSS;
  2. the agent's CPU per sample measured in process (agent_overhead binary)
     without process tracking, with it, and the task collector alone, each
     with 100 / 1,000 / 5,000 extra sleeping processes;
  3. the nodelink-agent process itself sampling every 100 ms for 10 s: CPU
     per sample (including ZeroMQ publishing), RSS, and the frame size;
and the ratios against node_exporter.
"""
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

BUILD = os.environ.get("NODELINK_BUILD_DIR", os.path.join(os.path.dirname(__file__), "..", "..", "build"))
TCK = os.sysconf("SC_CLK_TCK")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_ns(pid):
    """CPU time of every thread of pid, in ns (schedstat: finer than clock ticks)."""
    total = 0
    for tid in os.listdir("/proc/%d/task" % pid):
        try:
            with open("/proc/%d/task/%s/schedstat" % (pid, tid)) as f:
                total += int(f.read().split()[0])
        except OSError:
            pass
    return total


def rss_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def node_exporter(scrapes=200):
    port = free_port()
    cols = ["cpu", "meminfo", "diskstats", "filesystem", "netdev", "loadavg", "stat", "hwmon", "uname"]
    argv = ["prometheus-node-exporter", "--web.listen-address=127.0.0.1:%d" % port,
            "--collector.disable-defaults"] + ["--collector." + c for c in cols]
    p = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        url = "http://127.0.0.1:%d/metrics" % port
        for _ in range(100):
            try:
                urllib.request.urlopen(url, timeout=2).read()
                break
            except OSError:
                time.sleep(0.1)
        for _ in range(10):  # warm up
            urllib.request.urlopen(url).read()
        t0 = cpu_ns(p.pid)
        size = 0
        for _ in range(scrapes):
            size = len(urllib.request.urlopen(url).read())
        per = (cpu_ns(p.pid) - t0) / scrapes / 1e3
        return per, rss_kb(p.pid), size
    finally:
        p.kill()
        p.wait()


def spawn_sleepers(n):
    """n sleeping processes (forked from one small parent; killed as a group)."""
    code = ("import os, signal, sys\n"
            "n = int(sys.argv[1])\n"
            "for i in range(n):\n"
            "    if os.fork() == 0:\n"
            "        signal.pause()\n"
            "        os._exit(0)\n"
            "print('ready', flush=True)\n"
            "signal.pause()\n")
    p = subprocess.Popen([sys.executable, "-c", code, str(n)], stdout=subprocess.PIPE, start_new_session=True)
    p.stdout.readline()
    return p


def in_process(mode, samples):
    out = subprocess.run([os.path.join(BUILD, "bench", "agent_overhead"), str(samples), str(mode)],
                         capture_output=True, text=True, check=True).stdout
    return dict(kv.split("=") for kv in out.split())


def agent_process(seconds=10):
    """The real binary at 100 ms, publishing into the void (no broker)."""
    port = free_port()
    argv = [os.path.join(BUILD, "bin", "nodelink-agent"), "--agent.id=bench",
            "--broker.publish_endpoint=tcp://127.0.0.1:%d" % port,
            "--broker.control_endpoint=tcp://127.0.0.1:%d" % free_port(),
            "--metrics.collection_interval=100ms", "--metrics.process_tracking.enabled=false",
            "--log.level=warn"]
    p = subprocess.Popen(argv)
    try:
        time.sleep(1.0)
        t0 = cpu_ns(p.pid)
        time.sleep(seconds)
        per = (cpu_ns(p.pid) - t0) / (seconds * 10) / 1e3
        return per, rss_kb(p.pid)
    finally:
        p.send_signal(signal.SIGTERM)
        p.wait()


def main():
    ne_us, ne_rss, ne_size = node_exporter()
    print("node_exporter (9 comparable collectors): %.0f us CPU per scrape, RSS %d KB, %d bytes of text"
          % (ne_us, ne_rss, ne_size))
    base = in_process(0, 3000)
    us = float(base["cpu_us_per_sample"])
    print("agent sample, no process tracking: %.1f us CPU (node_exporter / agent = %.1fx), frame %s bytes"
          % (us, ne_us / us, base["frame_bytes"]))
    for n in (100, 1000, 5000):
        sl = spawn_sleepers(n)
        try:
            full = in_process(1, 200)
            tasks = in_process(2, 3000)
            print("+%5d sleeping processes: all collectors incl. process counts %.0f us; task collector alone %.1f us"
                  % (n, float(full["cpu_us_per_sample"]), float(tasks["cpu_us_per_sample"])))
        finally:
            os.killpg(sl.pid, signal.SIGKILL)
            sl.wait()
    ag_us, ag_rss = agent_process()
    print("nodelink-agent process at 100 ms: %.0f us CPU per sample incl. publishing (node_exporter / agent = %.1fx), "
          "RSS %d KB (node_exporter / agent = %.1fx)" % (ag_us, ne_us / ag_us, ag_rss, ne_rss / ag_rss))


if __name__ == "__main__":
    main()
