"""nodelink-broker with the real nodelink-agent: registration, frames,
control through nodelinkctl, and goodbye; and, since frames count as
heartbeats (an agent that publishes sends none), the two ways the broker can
lose a live agent: a broker restart, and an agent paused past the limit."""
import os
import signal
import subprocess
import time
import unittest

from broker_fakes import Client, Subscriber, pb
from harness import BIN, Stack, wait_for

HB = ["--broker.heartbeat_interval=200ms"]


def state(client, agent_id):
    r = client.list_agents()
    for a in r.agent_list.agents if r else []:
        if a.agent_id == agent_id:
            return a.state
    return None


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

    def test_agent_registers_again_at_once_after_a_broker_restart(self):
        with Stack(redis=False, store=False, gateway=False) as s:
            agent = s.start_agent("phoenix-b", "--metrics.collection_interval=200ms")
            wait_for(lambda: "frames count as heartbeats" in agent.log(), what="registration")
            s.restart("broker")
            t0 = time.monotonic()
            c = Client(s.ep("clients"))
            wait_for(lambda: state(c, "phoenix-b") == pb().AgentStatus.CONNECTED, timeout=5,
                     what="registered with the new broker")
            self.assertLess(time.monotonic() - t0, 3.0)
            self.assertIn("control connection re-established", agent.log())
            c.close()

    def test_agent_paused_past_the_limit_is_asked_to_register_again(self):
        with Stack(redis=False, store=False, gateway=False, extra_args={"broker": HB}) as s:
            sub = Subscriber(s.ep("backend"), [b"status.sleeper:"])
            time.sleep(0.3)
            agent = s.start_agent("sleeper", "--metrics.collection_interval=200ms",
                                  "--agent.heartbeat_interval=200ms")
            topic, st = sub.recv(10)
            self.assertEqual(st.agent_status.state, pb().AgentStatus.CONNECTED)
            agent.signal(signal.SIGSTOP)
            try:
                topic, st = sub.recv(5)
                self.assertEqual(st.agent_status.state, pb().AgentStatus.DISCONNECTED)
            finally:
                agent.signal(signal.SIGCONT)
            # It publishes again at once, with no heartbeat due; the broker
            # asks it to say hello on the connection it had.
            topic, st = sub.recv(5)
            self.assertEqual(topic, b"status.sleeper:")
            self.assertEqual(st.agent_status.state, pb().AgentStatus.CONNECTED, agent.log())
            self.assertIn("broker no longer knows this agent", agent.log())
            sub.close()


if __name__ == "__main__":
    unittest.main()
