"""Gateway against the real agent and broker: a control request over HTTP
changes the agent's sampling interval, and refresh=true fetches system
information live from the agent."""
import time
import unittest

from harness import Stack, wait_for


class GatewayEndToEnd(unittest.TestCase):
    def test_system_info_published_before_the_gateway_subscribed_is_asked_for(self):
        # The agent publishes system information when it registers and when
        # it changes; a gateway (and store) that subscribed later never saw
        # it. GET /agents/{id}/system then asks the connected agent.
        with Stack(store=False, gateway=False) as s:
            agent = s.start_agent("late1", "--metrics.collection_interval=500ms")
            wait_for(lambda: "registered with the broker" in agent.log(), what="registration")
            time.sleep(0.5)  # its system frame went out to nobody
            s.start_process("gateway", s.gateway_argv())
            wait_for(lambda: s.http("GET", "/agents/late1/metrics")[0] == 200, timeout=10, what="a sample")
            st, info = s.http_json("GET", "/agents/late1/system")
            self.assertEqual(st, 200, info)
            self.assertEqual(info["agent_id"], "late1")
            self.assertTrue(info["software"]["hostname"])
            # and an agent that is gone is still a 404, not a request to nobody
            agent.stop()
            wait_for(lambda: s.http_json("GET", "/metrics/agents")[1]["agents"][0]["status"] == "disconnected",
                     timeout=10, what="agent disconnected")
            st, body = s.http_json("GET", "/agents/late1/system")
            self.assertEqual(st, 404, body)


    def test_control_round_trip_changes_the_agents_interval(self):
        with Stack() as s:
            s.start_agent("e2e1")
            wait_for(lambda: s.http("GET", "/agents/e2e1/metrics")[0] == 200, timeout=20, what="first sample")
            # the first sample can arrive before the agent's hello reached the
            # broker: until then the broker answers "not connected" (503)
            st, body = wait_for(lambda: (lambda r: r if r[0] != 503 else None)(
                s.http_json("POST", "/agents/e2e1/metrics/stream",
                            {"action": "update_interval", "interval_seconds": 2})),
                timeout=20, what="the broker to route control requests to e2e1")
            self.assertEqual(st, 200, body)
            self.assertEqual(body["interval_ms"], 2000)
            self.assertTrue(body["streaming"])
            seen = []

            def two_new():
                ts = s.http_json("GET", "/agents/e2e1/metrics")[1]["timestamp"]
                if not seen or ts != seen[-1]:
                    seen.append(ts)
                return len(seen) >= 4
            wait_for(two_new, timeout=20, interval=0.1, what="samples at the new interval")
            self.assertEqual(seen[-1] - seen[-2], 2000, seen)
            self.assertEqual(seen[-2] - seen[-3], 2000, seen)
            st, info = s.http_json("GET", "/agents/e2e1/system?refresh=true&software=false")
            self.assertEqual(st, 200, info)
            self.assertEqual(info["agent_id"], "e2e1")
            self.assertIn("hardware", info)
            self.assertNotIn("software", info)
            st, body = s.http_json("POST", "/agents/e2e1/metrics/stream", {"action": "stop"})
            self.assertEqual(st, 200, body)
            self.assertFalse(body["streaming"])


if __name__ == "__main__":
    unittest.main()
