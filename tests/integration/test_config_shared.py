"""The specification's server configuration block is one file for both
server-side services: the store takes `metrics.storage.*`, the gateway
`metrics.storage.max_points_per_query` and `metrics.api.*`, and each accepts
(and checks) the other's keys. Both run from the same file, and each applies
its own part of it."""
import os
import re
import subprocess
import tempfile
import unittest

from harness import BIN, Stack, wait_for

# The specification's block, with two values changed so their effect shows.
SERVER_YAML = """\
metrics:
  storage:
    retention_period: 7d
    max_points_per_query: 10000
    compression_enabled: false
  api:
    enable_sse_streaming: false
    max_concurrent_streams: 100
    rate_limiting:
      requests_per_minute: 60
"""


class SharedServerConfigTest(unittest.TestCase):
    def setUp(self):
        fd, self.path = tempfile.mkstemp(prefix="nodelink-server-", suffix=".yaml")
        with os.fdopen(fd, "w") as f:
            f.write(SERVER_YAML)
        self.addCleanup(os.unlink, self.path)

    def test_store_and_gateway_run_from_the_specifications_server_block(self):
        extra = {"store": ["--config", self.path], "gateway": ["--config", self.path]}
        with Stack(extra_args=extra) as s:
            s.start_agent("shared1", "--metrics.collection_interval=200ms")
            key = s.key("shared1", "metrics")

            def raw_values():
                lines = s.redis_server.raw("XRANGE", key, "-", "+", "COUNT", "20")
                return lines if len(lines) > 40 else None
            lines = wait_for(raw_values, timeout=15, what="samples in Redis")
            # compression_enabled: false keeps up to 9 decimal places
            # (store.decimals, 2 by default, otherwise).
            places = [len(v.split(".")[1]) for v in lines if re.fullmatch(r"-?\d+\.\d+", v)]
            self.assertTrue(places, lines[:40])
            self.assertGreater(max(places), 2, "values stored with full precision: %s" % places)
            self.assertLessEqual(max(places), 9)
            # enable_sse_streaming: false
            status, _, body = s.http("GET", "/agents/shared1/metrics/stream")
            self.assertEqual(status, 404, body)
            self.assertIn(b"disabled", body)
            # and the gateway's REST API works from the same file
            status, _, body = s.http("GET", "/agents/shared1/metrics")
            self.assertEqual(status, 200, body)

    def test_each_service_checks_the_other_half_and_refuses_it_on_the_command_line(self):
        bad = self.path + ".bad"
        with open(bad, "w") as f:
            f.write(SERVER_YAML.replace("max_concurrent_streams: 100", "max_concurrent_streams: many"))
        self.addCleanup(os.unlink, bad)
        r = subprocess.run([os.path.join(BIN, "nodelink-store"), "--config", bad, "--print-config"],
                           capture_output=True, text=True, timeout=10)
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn(":8: metrics.api.max_concurrent_streams: invalid integer 'many'", r.stderr)
        r = subprocess.run([os.path.join(BIN, "nodelink-gateway"), "--metrics.storage.retention_period=3d"],
                           capture_output=True, text=True, timeout=10)
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn("setting of nodelink-store", r.stderr)
        # The owner shows it; the other does not pretend it is its own.
        r = subprocess.run([os.path.join(BIN, "nodelink-gateway"), "--config", self.path, "--print-config"],
                           capture_output=True, text=True, timeout=10)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("enable_sse_streaming: false", r.stdout)
        self.assertNotIn("compression_enabled", r.stdout)
        r = subprocess.run([os.path.join(BIN, "nodelink-store"), "--config", self.path, "--print-config"],
                           capture_output=True, text=True, timeout=10)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("compression_enabled: false", r.stdout)
        self.assertNotIn("max_concurrent_streams", r.stdout)


if __name__ == "__main__":
    unittest.main()
