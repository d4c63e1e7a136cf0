"""deploy/quickstart: one command brings the stack up on loopback and shows live
metrics of this machine at the printed URL within 10 seconds; `stop` stops all."""
import json
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
import unittest
import urllib.request

from harness import BUILD, REPO, free_port, wait_for


def _consecutive_free_ports(n):
    for _ in range(200):
        base = free_port()
        if base + n > 65535:
            continue
        socks = []
        try:
            for p in range(base, base + n):
                s = socket.socket()
                s.bind(("127.0.0.1", p))
                socks.append(s)
            return base
        except OSError:
            continue
        finally:
            for s in socks:
                s.close()
    raise AssertionError("no %d consecutive free ports" % n)


class QuickstartTest(unittest.TestCase):
    def setUp(self):
        self.var = tempfile.mkdtemp(prefix="nodelink-qs-")
        self.env = dict(os.environ, NODELINK_VAR=self.var, NODELINK_BUILD_DIR=BUILD,
                        NODELINK_HTTP_PORT=str(free_port()), NODELINK_REDIS_PORT=str(free_port()),
                        NODELINK_BROKER_PORT=str(_consecutive_free_ports(4)), NODELINK_AGENT_ID="qs-host")
        self.qs = os.path.join(REPO, "deploy", "quickstart")

    def tearDown(self):
        subprocess.run([self.qs, "stop"], env=self.env, capture_output=True, timeout=60)
        shutil.rmtree(self.var, ignore_errors=True)

    def _pids(self):
        run = os.path.join(self.var, "run")
        out = {}
        for f in os.listdir(run) if os.path.isdir(run) else []:
            with open(os.path.join(run, f)) as fh:
                out[f[:-4]] = int(fh.read().strip())
        return out

    def test_start_shows_live_metrics_within_10_seconds_and_stop_stops_everything(self):
        t0 = time.monotonic()
        r = subprocess.run([self.qs, "start", "--detach", "--no-build"], env=self.env, capture_output=True,
                           text=True, timeout=120)
        elapsed = time.monotonic() - t0
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        urls = re.findall(r"(http://127\.0\.0\.1:\d+/\S*)", r.stdout)
        self.assertTrue(urls, r.stdout)
        self.assertLess(elapsed, 10.0, "live metrics took %.1f s" % elapsed)
        live = [u for u in urls if u.endswith("/metrics") and "/agents/qs-host/" in u]
        self.assertTrue(live, r.stdout)
        with urllib.request.urlopen(live[0], timeout=5) as resp:
            first = json.loads(resp.read())
        self.assertEqual(first["agent_id"], "qs-host")
        # live: the timestamp moves on
        def newer():
            with urllib.request.urlopen(live[0], timeout=5) as resp:
                return json.loads(resp.read())["timestamp"] > first["timestamp"]
        wait_for(newer, timeout=10, what="a newer sample")
        pids = self._pids()
        self.assertEqual(set(pids), {"redis", "broker", "store", "gateway", "agent"})
        r = subprocess.run([self.qs, "stop"], env=self.env, capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)
        for name, pid in pids.items():
            self.assertFalse(os.path.exists("/proc/%d" % pid) and
                             open("/proc/%d/stat" % pid).read().split()[2] != "Z",
                             "%s (pid %d) still running after stop" % (name, pid))

    def test_a_second_start_is_refused_while_running(self):
        r = subprocess.run([self.qs, "start", "--detach", "--no-build"], env=self.env, capture_output=True,
                           text=True, timeout=120)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        r2 = subprocess.run([self.qs, "start", "--detach", "--no-build"], env=self.env, capture_output=True,
                            text=True, timeout=60)
        self.assertNotEqual(r2.returncode, 0)
        self.assertIn("already running", r2.stderr)


if __name__ == "__main__":
    unittest.main()
