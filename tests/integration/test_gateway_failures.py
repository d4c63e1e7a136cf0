"""Control requests that fail, end to end through the real agent, broker and
gateway: the HTTP status and the error body's "code" come from the failure
code the broker puts on the wire (docs/api.md), never from its words.

Every code is mapped in test_gateway_api.py against a stand-in broker; here
the codes the real broker makes reach an HTTP client as they should."""
import signal
import time
import unittest

from harness import Stack, wait_for


def post_start(s, agent_id):
    return s.http_json("POST", "/agents/%s/metrics/stream" % agent_id, {"action": "start"})


def routable(s, agent_id):
    """Waits until the broker routes control requests to agent_id (its hello
    can arrive after its first sample)."""
    return wait_for(lambda: (lambda r: r if r[0] == 200 else None)(post_start(s, agent_id)),
                    timeout=20, what="the broker to route control requests to " + agent_id)


class GatewayFailures(unittest.TestCase):
    def test_an_agent_stopped_while_a_request_waits_is_503_disconnected(self):
        # 3 missed heartbeats of 200 ms disconnect the agent long before the
        # 5 s request timeout: the broker fails the pending request as
        # "disconnected", which is a 503 (the agent may come back), not a 400.
        with Stack(extra_args={"broker": ["--broker.heartbeat_interval=200ms"],
                               "gateway": ["--broker.request_timeout=5s"]}) as s:
            agent = s.start_agent("stop1", "--agent.heartbeat_interval=200ms")
            routable(s, "stop1")
            agent.signal(signal.SIGSTOP)
            try:
                t0 = time.monotonic()
                st, body = post_start(s, "stop1")
                elapsed = time.monotonic() - t0
            finally:
                agent.signal(signal.SIGCONT)
            self.assertEqual(st, 503, body)
            self.assertEqual(body["error"]["code"], "disconnected", body)
            self.assertLess(elapsed, 4.5, "answered by the disconnect, not by the timeout")

    def test_an_agent_that_does_not_answer_in_time_is_504_timeout(self):
        # heartbeats of 10 s keep the stopped agent registered past the
        # request's 1 s deadline: the broker answers "timeout"
        with Stack(extra_args={"broker": ["--broker.heartbeat_interval=10s"],
                               "gateway": ["--broker.request_timeout=1s"]}) as s:
            agent = s.start_agent("slow1", "--agent.heartbeat_interval=10s")
            routable(s, "slow1")
            agent.signal(signal.SIGSTOP)
            try:
                st, body = post_start(s, "slow1")
            finally:
                agent.signal(signal.SIGCONT)
            self.assertEqual(st, 504, body)
            self.assertEqual(body["error"]["code"], "timeout", body)
            self.assertIn("slow1", body["error"]["message"])

    def test_an_agent_that_said_goodbye_is_503_not_connected(self):
        with Stack() as s:
            agent = s.start_agent("gone1")
            routable(s, "gone1")
            agent.stop()  # says goodbye: the broker knows it, disconnected
            st, body = wait_for(lambda: (lambda r: r if r[0] != 200 else None)(post_start(s, "gone1")),
                                timeout=10, what="a refused request")
            self.assertEqual(st, 503, body)
            self.assertEqual(body["error"]["code"], "not_connected", body)

    def test_an_agent_the_broker_has_forgotten_is_404_unknown_agent(self):
        # The gateway saw the agent's samples; a restarted broker has not seen it.
        with Stack(store=False) as s:
            agent = s.start_agent("lost1")
            routable(s, "lost1")
            agent.kill()  # no goodbye
            s.restart("broker")
            st, body = wait_for(lambda: (lambda r: r if r[0] == 404 else None)(post_start(s, "lost1")),
                                timeout=10, what="the new broker to answer")
            self.assertEqual(body["error"]["code"], "unknown_agent", body)


if __name__ == "__main__":
    unittest.main()
