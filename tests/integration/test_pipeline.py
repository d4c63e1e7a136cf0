"""End to end: agent -> broker -> store -> Redis, and broker -> gateway -> HTTP.

The thin slice of the foundation: real binaries, a private redis-server,
free loopback ports.
"""
import time
import unittest

from harness import Stack, Subscriber, wait_for


class PipelineTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.stack = Stack().__enter__()
        cls.stack.start_agent("a1")

    @classmethod
    def tearDownClass(cls):
        cls.stack.__exit__(None, None, None)

    def setUp(self):
        self.s = self.stack

    def _stream_len(self, agent):
        v = self.s.redis("XLEN", self.s.key(agent, "metrics"))
        return int(v.split()[-1]) if v else 0

    def test_frames_carry_consecutive_sequence_numbers(self):
        with Subscriber(self.s.ep("backend"), "metrics.a1:") as sub:
            seqs = []
            deadline = time.monotonic() + 15
            while len(seqs) < 3 and time.monotonic() < deadline:
                got = sub.recv(timeout=5)
                if got is None:
                    continue
                topic, msg = got
                self.assertEqual(topic, "metrics.a1:")
                self.assertEqual(msg.agent_id, "a1")
                self.assertTrue(msg.HasField("metrics_response"))
                self.assertTrue(msg.metrics_response.HasField("metrics_data"))
                seqs.append((msg.epoch, msg.sequence))
        self.assertGreaterEqual(len(seqs), 3, "fewer than 3 samples in 15 s at a 1 s interval")
        for (e0, s0), (e1, s1) in zip(seqs, seqs[1:]):
            self.assertEqual(e0, e1, "epoch changed without a restart")
            self.assertEqual(s1, s0 + 1, "sequence numbers not consecutive: %r" % seqs)

    def test_samples_arrive_in_the_redis_stream_as_metric_fields(self):
        wait_for(lambda: self._stream_len("a1") >= 3, timeout=20, what="3 entries in the a1 raw stream")
        lines = self.s.redis_server.raw("XREVRANGE", self.s.key("a1", "metrics"), "+", "-", "COUNT", "2")
        entry_id = lines[0]
        fields = dict(zip(lines[1::2], lines[2::2]))
        for name in ("cpu.usage_percent", "cpu.user_percent", "cpu.idle_percent", "memory.total_bytes",
                     "memory.used_bytes", "load.load1", "cpu.core.0.usage_percent"):
            self.assertIn(name, fields, "field %s missing from %s" % (name, sorted(fields)[:20]))
        self.assertLessEqual(float(fields["cpu.usage_percent"]), 100.0)
        self.assertEqual(fields["memory.total_bytes"], str(int(fields["memory.total_bytes"])),
                         "integer metrics must be stored as integers")
        ts_ms = int(entry_id.split("-")[0])
        self.assertLess(abs(ts_ms - time.time() * 1000), 30000, "entry id is not the sample timestamp (ms)")

    def test_gateway_serves_the_latest_sample_in_the_specification_shape(self):
        status, body = wait_for(lambda: (lambda r: r if r[0] == 200 else None)(
            self.s.http_json("GET", "/agents/a1/metrics")), timeout=15, what="GET /agents/a1/metrics")
        self.assertEqual(body["agent_id"], "a1")
        self.assertIsInstance(body["timestamp"], int)
        self.assertLess(abs(body["timestamp"] - time.time() * 1000), 30000, "timestamp must be Unix ms")
        cpu = body["cpu"]
        for k in ("usage_percent", "user_percent", "system_percent", "idle_percent", "iowait_percent"):
            self.assertIsInstance(cpu[k], (int, float), k)
            self.assertGreaterEqual(cpu[k], 0)
            self.assertLessEqual(cpu[k], 100)
        total = cpu["user_percent"] + cpu["system_percent"] + cpu["idle_percent"] + cpu["iowait_percent"]
        self.assertAlmostEqual(total, 100.0, delta=1.0)
        self.assertIsInstance(cpu["core_usage"], list)
        self.assertGreaterEqual(len(cpu["core_usage"]), 1)
        mem = body["memory"]
        for k in ("total_bytes", "used_bytes", "available_bytes", "usage_percent", "swap_total_bytes",
                  "swap_used_bytes", "swap_usage_percent"):
            self.assertIn(k, mem)
        with open("/proc/meminfo") as f:
            memtotal = int(f.readline().split()[1]) * 1024
        self.assertEqual(mem["total_bytes"], memtotal)
        for k in ("load1", "load5", "load15"):
            self.assertIsInstance(body["load"][k], (int, float))
        # the same route under the /api prefix the dashboard uses
        status, api_body = self.s.http_json("GET", "/api/agents/a1/metrics")
        self.assertEqual(status, 200)
        self.assertEqual(api_body["agent_id"], "a1")

    def test_unknown_agent_is_a_404_with_a_json_error(self):
        status, body = self.s.http_json("GET", "/agents/no-such-agent/metrics")
        self.assertEqual(status, 404)
        self.assertEqual(body["error"]["status"], 404)
        self.assertTrue(body["error"]["message"])

    def test_agents_list_shows_each_agent_separately(self):
        wait_for(lambda: self.s.http_json("GET", "/agents/a1/metrics")[0] == 200, timeout=15,
                 what="a1 metrics")
        self.s.start_agent("a2")

        def listed():
            status, body = self.s.http_json("GET", "/metrics/agents")
            if status != 200:
                return None
            agents = {a["agent_id"]: a for a in body["agents"]}
            if "a1" in agents and "a2" in agents and agents["a2"]["metrics"] is not None:
                return agents
            return None

        agents = wait_for(listed, timeout=20, what="a1 and a2 in /metrics/agents")
        for aid in ("a1", "a2"):
            a = agents[aid]
            self.assertEqual(a["status"], "connected")
            self.assertIsInstance(a["last_metrics_update"], int)
            self.assertIn("usage_percent", a["metrics"]["cpu"])
            self.assertIn("usage_percent", a["metrics"]["memory"])
        wait_for(lambda: self._stream_len("a2") >= 1, timeout=15, what="a2 raw stream")
        self.assertNotEqual(self.s.key("a1", "metrics"), self.s.key("a2", "metrics"))


if __name__ == "__main__":
    unittest.main()
