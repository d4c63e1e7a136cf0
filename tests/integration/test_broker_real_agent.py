"""nodelink-broker with the real nodelink-agent: registration, frames,
control through nodelinkctl, and goodbye."""
import os
import subprocess
import unittest

from broker_fakes import Subscriber
from harness import BIN, Stack, wait_for


class BrokerWithRealAgent(unittest.TestCase):
    def test_agent_registers_streams_answers_control_and_says_goodbye(self):
        with Stack(redis=False, store=False, gateway=False) as s:
            def ctl(*args):
                return subprocess.run([os.path.join(BIN, "nodelinkctl")] + list(args) +
                                      ["--broker.client_endpoint=" + s.ep("clients"),
                                       "--broker.subscribe_endpoint=" + s.ep("backend")],
                                      capture_output=True, text=True, timeout=30)
            sub = Subscriber(s.ep("backend"), [b"metrics.real-1:"])
            agent = s.start_agent("real-1", "--agent.heartbeat_interval=500ms")
            try:
                topic, frame = sub.recv(10)
                self.assertEqual(topic, b"metrics.real-1:")
                self.assertGreater(frame.sequence, 0)
                wait_for(lambda: "real-1" in ctl("agents").stdout, what="agent listed")
                self.assertRegex(ctl("agents").stdout, r"real-1\s+connected")
                out = ctl("interval", "real-1", "500ms")
                self.assertEqual(out.returncode, 0, out.stderr)
                self.assertIn("interval 500 ms", out.stdout)
                out = ctl("info", "real-1")
                self.assertEqual(out.returncode, 0, out.stderr)
                self.assertIn("architecture:", out.stdout)
                out = ctl("tail", "real-1", "--count=2")
                self.assertEqual(len(out.stdout.splitlines()), 2)
                self.assertIn("cpu.usage_percent=", out.stdout)
            finally:
                agent.stop()
                sub.close()
            wait_for(lambda: "goodbye" in ctl("agents").stdout, what="disconnect by goodbye")


if __name__ == "__main__":
    unittest.main()
