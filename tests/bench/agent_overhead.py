#!/usr/bin/python3
"""Benchmark: nodelink-agent against prometheus-node-exporter, same run.

    NODELINK_BUILD_DIR=build /usr/bin/python3 tests/bench/agent_overhead.py
    NODELINK_BUILD_DIR=build /usr/bin/python3 tests/bench/agent_overhead.py --processes
    NODELINK_BUILD_DIR=build /usr/bin/python3 tests/bench/agent_overhead.py --memory

Build first: cmake --build build --target nodelink-agent nodelink-broker agent_overhead
Needs the Debian package prometheus-node-exporter. Bounded: about seven
minutes, loopback only (--processes: only part 4, about half a minute;
--memory: only part 5, 200 s; neither needs node_exporter). Prints:
  1. node_exporter (only the comparable collectors: cpu, meminfo, diskstats,
     filesystem, netdev, loadavg, stat, hwmon, uname) scraped back to back:
     CPU per scrape with warm caches;
  2. the agent's collection measured in process (agent_overhead binary) back
     to back;
  3. side by side in one window, at 1 s and at 5 s, and at 1 s with the
     working-set trim off (agent.trim_interval=0): the nodelink-agent
     process (registered with a real nodelink-broker, publishing, sending
     heartbeats) and node_exporter scraped at the same interval, whole
     process CPU per sample / scrape (every thread, from schedstat), RSS and
     PSS; with, in the same window, what a cold collection costs
     (agent_overhead mode 3) and what one bare wake-up of a sleeping thread
     costs on this machine (mode 4: the floor of any sampler);
  4. as the number of processes grows (100 / 1,000 / 5,000 extra sleeping
     ones), in process: the process counts collector alone (mode 5: its
     one-off start with the initial scan, its steady-state sample, the cost
     per process exit at the next sample, and the scanning fallback's full
     scan), and the task-process collector alone (mode 2);
  5. the agent's RSS/PSS/private memory every 20 s for 200 s while its
     history ring fills (sampling every 100 ms, default settings);
and the ratios against node_exporter. The 1-minute load average is printed
first: on a shared machine, figures taken above ~1.5 are noisy.
"""
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request

BUILD = os.environ.get("NODELINK_BUILD_DIR", os.path.join(os.path.dirname(__file__), "..", "..", "build"))
NE_COLLECTORS = ["cpu", "meminfo", "diskstats", "filesystem", "netdev", "loadavg", "stat", "hwmon", "uname"]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def thread_cpu_ns(pid):
    """{tid: (name, CPU ns)} of every thread of pid (schedstat: finer than ticks)."""
    out = {}
    for tid in os.listdir("/proc/%d/task" % pid):
        try:
            with open("/proc/%d/task/%s/schedstat" % (pid, tid)) as f:
                ns = int(f.read().split()[0])
            with open("/proc/%d/task/%s/comm" % (pid, tid)) as f:
                out[tid] = (f.read().strip(), ns)
        except OSError:
            pass
    return out


def cpu_ns(pid):
    return sum(ns for _, ns in thread_cpu_ns(pid).values())


def memory_kb(pid):
    """(RSS, PSS, private) in KB."""
    vals = {}
    with open("/proc/%d/smaps_rollup" % pid) as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 2 and parts[0].endswith(":"):
                vals[parts[0][:-1]] = int(parts[1])
    return vals["Rss"], vals["Pss"], vals.get("Private_Clean", 0) + vals.get("Private_Dirty", 0)


def start_node_exporter():
    port = free_port()
    argv = ["prometheus-node-exporter", "--web.listen-address=127.0.0.1:%d" % port,
            "--collector.disable-defaults"] + ["--collector." + c for c in NE_COLLECTORS]
    p = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = "http://127.0.0.1:%d/metrics" % port
    for _ in range(100):
        try:
            urllib.request.urlopen(url, timeout=2).read()
            return p, url
        except OSError:
            time.sleep(0.1)
    p.kill()
    raise RuntimeError("node_exporter did not start")


def stop(p):
    if p.poll() is None:
        p.send_signal(signal.SIGTERM)
        try:
            p.wait(5)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


def node_exporter_warm(scrapes=200):
    p, url = start_node_exporter()
    try:
        for _ in range(10):  # warm up
            urllib.request.urlopen(url).read()
        t0 = cpu_ns(p.pid)
        size = 0
        for _ in range(scrapes):
            size = len(urllib.request.urlopen(url).read())
        return (cpu_ns(p.pid) - t0) / scrapes / 1e3, memory_kb(p.pid), size
    finally:
        stop(p)


def spawn_sleepers(n):
    """n sleeping processes forked from one small parent, which kills and
    reaps them itself when its stdin closes (stop_sleepers), so none is left
    to an init that may be slow to reap."""
    code = ("import os, signal, sys\n"
            "n = int(sys.argv[1])\n"
            "kids = []\n"
            "for i in range(n):\n"
            "    pid = os.fork()\n"
            "    if pid == 0:\n"
            "        while True:\n"
            "            signal.pause()\n"
            "    kids.append(pid)\n"
            "print('ready', flush=True)\n"
            "sys.stdin.read()\n"
            "for pid in kids:\n"
            "    os.kill(pid, signal.SIGKILL)\n"
            "for pid in kids:\n"
            "    os.waitpid(pid, 0)\n")
    p = subprocess.Popen([sys.executable, "-c", code, str(n)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         start_new_session=True)
    p.stdout.readline()
    return p


def stop_sleepers(p):
    p.stdin.close()
    try:
        p.wait(60)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        p.wait()


def in_process(mode, samples, interval_ms=None, log=None):
    argv = [os.path.join(BUILD, "bench", "agent_overhead"), str(samples), str(mode)]
    if interval_ms is not None:
        argv.append(str(interval_ms))
    run = subprocess.run(argv, capture_output=True, text=True, check=True)
    if log is not None:
        log.append(run.stderr)
    return dict(kv.split("=") for kv in run.stdout.split())


def start_broker():
    ports = [free_port() for _ in range(4)]
    argv = [os.path.join(BUILD, "bin", "nodelink-broker"),
            "--broker.frontend=tcp://127.0.0.1:%d" % ports[0], "--broker.backend=tcp://127.0.0.1:%d" % ports[1],
            "--broker.agents=tcp://127.0.0.1:%d" % ports[2], "--broker.clients=tcp://127.0.0.1:%d" % ports[3],
            "--log.level=warn"]
    return subprocess.Popen(argv), ports


def start_agent(agent_id, ports, interval_ms, *args):
    """nodelink-agent publishing to and registered with the broker on ports."""
    return subprocess.Popen([
        os.path.join(BUILD, "bin", "nodelink-agent"), "--agent.id=" + agent_id,
        "--broker.publish_endpoint=tcp://127.0.0.1:%d" % ports[0],
        "--broker.control_endpoint=tcp://127.0.0.1:%d" % ports[2],
        "--metrics.collection_interval=%dms" % interval_ms, "--log.level=warn"] + list(args))


def side_by_side(interval_ms, window_s, agent_args=()):
    """Agent, node_exporter scraped at the same interval, and the in-process
    cold-collection and bare wake-up probes, all in one window."""
    broker, ports = start_broker()
    time.sleep(0.3)
    agent = start_agent("bench", ports, interval_ms, "--metrics.process_tracking.enabled=false", *agent_args)
    ne, url = start_node_exporter()
    stop_scraping = threading.Event()

    def scrape():
        while not stop_scraping.wait(interval_ms / 1000.0):
            try:
                urllib.request.urlopen(url, timeout=5).read()
            except OSError:
                pass

    scraper = threading.Thread(target=scrape, daemon=True)
    n_probe = int(window_s * 1000 / interval_ms)
    try:
        time.sleep(2.0)  # start-up (system information, first samples) is not steady state
        scraper.start()
        cold = subprocess.Popen([os.path.join(BUILD, "bench", "agent_overhead"), str(n_probe), "3",
                                 str(interval_ms)], stdout=subprocess.PIPE, text=True)
        wake = subprocess.Popen([os.path.join(BUILD, "bench", "agent_overhead"), str(n_probe), "4",
                                 str(interval_ms)], stdout=subprocess.PIPE, text=True)
        a0, n0, w0 = thread_cpu_ns(agent.pid), cpu_ns(ne.pid), time.monotonic()
        time.sleep(window_s)
        a1, n1, w1 = thread_cpu_ns(agent.pid), cpu_ns(ne.pid), time.monotonic()
        samples = (w1 - w0) * 1000 / interval_ms
        per_thread = {}
        for tid, (name, ns) in a1.items():
            if tid in a0:
                per_thread[name] = per_thread.get(name, 0) + (ns - a0[tid][1]) / samples / 1e3
        cold_out = dict(kv.split("=") for kv in cold.communicate()[0].split())
        wake_out = dict(kv.split("=") for kv in wake.communicate()[0].split())
        return {
            "agent_us": sum(per_thread.values()), "threads": per_thread, "agent_mem": memory_kb(agent.pid),
            "ne_us": (n1 - n0) / samples / 1e3, "ne_mem": memory_kb(ne.pid),
            "cold_us": float(cold_out["cpu_us_per_sample"]), "wake_us": float(wake_out["cpu_us_per_sample"]),
        }
    finally:
        stop_scraping.set()
        stop(ne)
        stop(agent)
        stop(broker)


def memory_fill(seconds=200, interval_ms=100):
    """Part 5: the agent's resident memory over time as its history ring
    fills (sampling every 100 ms fills the default 512 KB in under 3 min),
    with the working-set trim as configured by default."""
    print("agent memory while the history ring fills (every %d ms, default settings, load %.2f):"
          % (interval_ms, os.getloadavg()[0]))
    broker, ports = start_broker()
    time.sleep(0.3)
    agent = start_agent("bench-mem", ports, interval_ms)
    try:
        peak = 0
        for t in range(0, seconds + 1, 20):
            if t:
                time.sleep(20)
            rss, pss, private = memory_kb(agent.pid)
            peak = max(peak, rss)
            print("  t=%3d s: RSS %d KB, PSS %d KB, private %d KB" % (t, rss, pss, private))
        print("  highest RSS seen: %d KB" % peak)
    finally:
        stop(agent)
        stop(broker)


def processes():
    """Part 4: process counts and task processes as processes are added."""
    print("process counts (collector alone, in process) and task-process collector, as processes are added "
          "(load %.2f):" % os.getloadavg()[0])
    for n in (100, 1000, 5000):
        sl = spawn_sleepers(n)
        try:
            log = []
            r = in_process(5, 2000, log=log)
            mode = "connector" if "kernel process connector" in log[0] else "scan (connector unavailable)"
            tasks = in_process(2, 3000)
            # A whole sample, back to back, without and with process tracking.
            without = float(in_process(0, 2000)["cpu_us_per_sample"])
            tracked = float(in_process(1, 2000)["cpu_us_per_sample"])
            print("+%5d sleeping (%s processes): %s; start (subscribe + initial scan) %s us; steady-state "
                  "sample %s us; each process exit %s us at the next sample; fallback full scan %s us; "
                  "task collector alone %.1f us; whole sample without / with process tracking %.1f / %.1f us"
                  % (n, r["total"], mode, r["start_us"], r["steady_us"], r["per_exit_us"], r["scan_us"],
                     float(tasks["cpu_us_per_sample"]), without, tracked))
        finally:
            stop_sleepers(sl)


def main():
    if "--processes" in sys.argv[1:]:
        processes()
        return
    if "--memory" in sys.argv[1:]:
        memory_fill()
        return
    print("load average (1, 5, 15 min): %.2f %.2f %.2f" % os.getloadavg())
    ne_us, ne_mem, ne_size = node_exporter_warm()
    print("node_exporter (9 comparable collectors), 200 scrapes back to back: %.0f us CPU per scrape, "
          "RSS %d KB, %d bytes of text" % (ne_us, ne_mem[0], ne_size))
    base = in_process(0, 3000)
    us = float(base["cpu_us_per_sample"])
    print("agent collection in process, back to back, no process tracking: %.1f us CPU "
          "(node_exporter / agent = %.0fx), frame %s bytes" % (us, ne_us / us, base["frame_bytes"]))
    # The third run is the first without the working-set trim: what the
    # trim saves, and that it costs nothing per sample.
    for interval_ms, window, args in ((1000, 20, ()), (5000, 60, ()), (1000, 20, ("--agent.trim_interval=0",))):
        r = side_by_side(interval_ms, window, args)
        threads = ", ".join("%s %.0f" % (k, v) for k, v in sorted(r["threads"].items(), key=lambda kv: -kv[1]))
        print("at %d s%s, side by side for %d s (load %.2f):" % (interval_ms // 1000, " " + " ".join(args) if args
                                                                 else "", window, os.getloadavg()[0]))
        print("  nodelink-agent process: %.0f us CPU per sample (threads: %s); node_exporter scraped every "
              "%d s: %.0f us per scrape; node_exporter / agent = %.1fx"
              % (r["agent_us"], threads, interval_ms // 1000, r["ne_us"], r["ne_us"] / r["agent_us"]))
        print("  in the same window: a cold collection (sleep, wake, collect) %.0f us; one bare wake-up of a "
              "sleeping thread %.0f us" % (r["cold_us"], r["wake_us"]))
        am, nm = r["agent_mem"], r["ne_mem"]
        print("  memory: agent RSS %d KB, PSS %d KB, private %d KB; node_exporter RSS %d KB, PSS %d KB, "
              "private %d KB; RSS ratio %.1fx" % (am + nm + (nm[0] / am[0],)))

    memory_fill()
    # Last: forking thousands of processes disturbs the machine (and its load
    # average) for a while.
    processes()


if __name__ == "__main__":
    main()
