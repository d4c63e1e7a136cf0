"""nodelink-broker: agent registry and control routing, against Python peers.

Fake agents (broker_fakes.FakeAgent) speak the agent's side of the control
plane, so these tests pin the broker's side of docs/architecture.md.
"""
import os
import subprocess
import time
import unittest

from broker_fakes import Client, FakeAgent, Subscriber, pb
from harness import BIN, Stack, wait_for

HB = ["--broker.heartbeat_interval=200ms", "--broker.request_timeout=1s"]


def broker_stack():
    return Stack(redis=False, store=False, gateway=False, extra_args={"broker": HB})


def agent_states(client):
    resp = client.list_agents()
    return {a.agent_id: a for a in resp.agent_list.agents}


class BrokerRouting(unittest.TestCase):
    def setUp(self):
        self.stack = broker_stack().__enter__()
        self.agents = []
        self.clients = []

    def tearDown(self):
        for a in self.agents:
            a.stop(goodbye=False)
        for c in self.clients:
            c.close()
        self.stack.__exit__(None, None, None)

    def agent(self, agent_id, **kw):
        a = FakeAgent(agent_id, self.stack.ep("frontend"), self.stack.ep("agents"), **kw)
        self.agents.append(a)
        return a

    def client(self):
        c = Client(self.stack.ep("clients"))
        self.clients.append(c)
        return c

    def test_routes_each_clients_requests_to_the_right_agent_and_back(self):
        agents = [self.agent("r%d" % i) for i in range(3)]
        for a in agents:
            a.wait_accepted()
        c1, c2 = self.client(), self.client()
        for n in range(3):
            for i, a in enumerate(agents):
                c1.request(a.id, "c1-%d-%d" % (i, n))
                c2.request(a.id, "c2-%d-%d" % (i, n))
        got = {1: [], 2: []}
        for who, c in ((1, c1), (2, c2)):
            for _ in range(9):
                r = c.recv()
                self.assertIsNotNone(r, "client %d missing replies" % who)
                got[who].append((r.agent_id, r.task_id, r.status))
            self.assertIsNone(c.recv(0.3), "client %d got a reply it did not ask for" % who)
        for who in (1, 2):
            for agent_id, task_id, status in got[who]:
                self.assertTrue(task_id.startswith("c%d-" % who), (who, task_id))
                self.assertEqual(agent_id, "r" + task_id.split("-")[1])
                self.assertEqual(status, pb().TaskResponse.COMPLETED)
        for i, a in enumerate(agents):
            asked = sorted(r.task_id for r in a.requests)
            self.assertEqual(asked, sorted(["c1-%d-%d" % (i, n) for n in range(3)] +
                                           ["c2-%d-%d" % (i, n) for n in range(3)]))

    def test_unknown_agent_is_answered_failed_at_once(self):
        c = self.client()
        t0 = time.monotonic()
        c.request("nobody", "t-unknown")
        r = c.recv(2)
        self.assertIsNotNone(r)
        self.assertLess(time.monotonic() - t0, 0.5)
        self.assertEqual(r.status, pb().TaskResponse.FAILED)
        self.assertTrue(r.is_final)
        self.assertEqual(r.failure, pb().FAILURE_UNKNOWN_AGENT)
        self.assertIn("not connected", r.error_message)

    def test_silent_agent_times_out_with_a_reason(self):
        a = self.agent("slow")
        a.wait_accepted()
        a.respond = False
        c = self.client()
        t0 = time.monotonic()
        c.request("slow", "t-slow", timeout_ms=400)
        r = c.recv(3)
        elapsed = time.monotonic() - t0
        self.assertIsNotNone(r)
        self.assertEqual(r.status, pb().TaskResponse.FAILED)
        self.assertEqual(r.failure, pb().FAILURE_TIMEOUT)
        self.assertIn("did not answer in time", r.error_message)
        self.assertGreaterEqual(elapsed, 0.35)
        self.assertLess(elapsed, 1.5)
        self.assertEqual([q.task_id for q in a.requests], ["t-slow"], "the request reached the agent")

    def test_second_agent_with_the_same_id_is_refused_until_the_first_is_gone(self):
        first = self.agent("dup")
        first.wait_accepted()
        second = self.agent("dup")
        wait_for(lambda: second.refusals, what="refusal of the duplicate")
        self.assertIn("already connected", second.refusals[0])
        self.assertFalse(second.accepted)
        first.stop(goodbye=True)
        second.wait_accepted(timeout=5)

    def test_missed_heartbeats_disconnect_and_publish_status(self):
        sub = Subscriber(self.stack.ep("backend"), [b"status.quiet:"])
        time.sleep(0.3)
        a = self.agent("quiet")
        a.wait_accepted()
        topic, st = sub.recv(3)
        self.assertEqual(topic, b"status.quiet:")
        self.assertEqual(st.agent_status.state, pb().AgentStatus.CONNECTED)
        # Silent: neither heartbeats nor frames (frames count as heartbeats).
        a.send_heartbeats = False
        a.publish_interval = 0
        topic, st = sub.recv(3)
        self.assertEqual(topic, b"status.quiet:")
        self.assertEqual(st.agent_status.state, pb().AgentStatus.DISCONNECTED)
        self.assertIn("heartbeat", st.agent_status.reason)
        self.assertEqual(agent_states(self.client())["quiet"].state, pb().AgentStatus.DISCONNECTED)
        sub.close()

    def test_frames_of_the_registered_process_count_as_heartbeats(self):
        sub = Subscriber(self.stack.ep("backend"), [b"status.busy:"])
        time.sleep(0.3)
        a = self.agent("busy")
        a.wait_accepted()
        topic, st = sub.recv(3)
        self.assertEqual(st.agent_status.state, pb().AgentStatus.CONNECTED)
        # Publishing every 50 ms with no heartbeat: alive for many times the
        # 600 ms limit (3 x 200 ms heartbeats).
        a.send_heartbeats = False
        self.assertEqual(sub.recv(2.0), (None, None), "no status change while frames flow")
        self.assertEqual(agent_states(self.client())["busy"].state, pb().AgentStatus.CONNECTED)
        # Frames of another process (an epoch other than the hello's) keep
        # nothing alive.
        a.epoch ^= 1
        topic, st = sub.recv(3)
        self.assertEqual(st.agent_status.state, pb().AgentStatus.DISCONNECTED)
        self.assertIn("heartbeat", st.agent_status.reason)
        sub.close()

    def test_agent_restart_registers_again_and_resumes(self):
        a = self.agent("phoenix")
        a.wait_accepted()
        a.stop(goodbye=False)  # a crash: no goodbye
        c = self.client()
        b = self.agent("phoenix")  # refused until the old one misses 3 heartbeats
        b.wait_accepted(timeout=5)
        sub = Subscriber(self.stack.ep("backend"), [b"metrics.phoenix:"])
        topic, frame = sub.recv(3)
        self.assertEqual(frame.epoch, b.epoch)
        c.request("phoenix", "after-restart")
        r = c.recv()
        self.assertEqual(r.status, pb().TaskResponse.COMPLETED)
        st = agent_states(c)["phoenix"]
        self.assertEqual(st.state, pb().AgentStatus.CONNECTED)
        self.assertEqual(st.gaps, 0, "a new epoch is a restart, not a gap")
        sub.close()

    def test_list_agents_reports_frames_and_sequence_gaps(self):
        a = self.agent("gappy", publish_interval=None)
        a.wait_accepted()
        from broker_fakes import metrics_frame
        for seq in (1, 2, 3, 7, 8):
            a.send_raw([b"metrics.gappy:", metrics_frame("gappy", seq, a.epoch)])
        c = self.client()
        st = wait_for(lambda: (lambda s: s if s.frames == 5 else None)(agent_states(c)["gappy"]),
                      what="5 frames counted")
        self.assertEqual(st.gaps, 3)
        self.assertGreater(st.last_metrics_update, 0)

    def test_broker_restart_agents_and_subscribers_reconnect_by_themselves(self):
        a = self.agent("survivor")
        a.wait_accepted()
        sub = Subscriber(self.stack.ep("backend"), [b"metrics.survivor:"])
        self.assertIsNotNone(sub.recv(3)[0])
        hellos = a.hellos
        self.stack.restart("broker")
        wait_for(lambda: a.hellos > hellos and a.accepted, timeout=10, what="agent hello after restart")
        sub.collect(0.3)  # drain frames sent before the restart
        topic, frame = sub.recv(5)
        self.assertEqual(topic, b"metrics.survivor:", "subscriber receives again without reconnecting by hand")
        c = self.client()
        self.assertEqual(agent_states(c)["survivor"].state, pb().AgentStatus.CONNECTED)
        sub.close()


class Nodelinkctl(unittest.TestCase):
    """nodelinkctl against the broker and a fake agent: output and exit codes."""

    def ctl(self, stack, *args):
        return subprocess.run([os.path.join(BIN, "nodelinkctl")] + list(args) +
                              ["--broker.client_endpoint=" + stack.ep("clients"),
                               "--broker.subscribe_endpoint=" + stack.ep("backend"), "--timeout=2s"],
                              capture_output=True, text=True, timeout=20)

    def test_lists_agents_controls_streams_tails_and_returns_documented_codes(self):
        with broker_stack() as s:
            a = FakeAgent("cli-1", s.ep("frontend"), s.ep("agents"))
            try:
                a.wait_accepted()
                out = self.ctl(s, "agents")
                self.assertEqual(out.returncode, 0, out.stderr)
                self.assertRegex(out.stdout, r"cli-1\s+connected\s+fake-1")
                import json
                out = self.ctl(s, "agents", "--json")
                self.assertEqual(json.loads(out.stdout)[0]["agent_id"], "cli-1")
                out = self.ctl(s, "interval", "cli-1", "2s")
                self.assertEqual(out.returncode, 0, out.stderr)
                req = a.requests[-1].metrics_request.stream_request
                self.assertEqual(req.action, pb().MetricsStreamRequest.UPDATE_INTERVAL)
                self.assertEqual(req.interval_ms, 2000)
                out = self.ctl(s, "stop", "nobody")
                self.assertEqual(out.returncode, 4)
                self.assertIn("(unknown_agent)", out.stderr)
                out = self.ctl(s, "interval", "cli-1", "fast")
                self.assertEqual(out.returncode, 2)
                out = self.ctl(s, "tail", "cli-1", "--count=3")
                self.assertEqual(out.returncode, 0, out.stderr)
                lines = out.stdout.splitlines()
                self.assertEqual(len(lines), 3)
                self.assertIn("cpu.usage_percent=12.50", lines[0])
                out = self.ctl(s, "tail", "--count=2", "--json")
                self.assertEqual(json.loads(out.stdout.splitlines()[1])["cpu"]["usage_percent"], 12.5)
                a.respond = False
                out = self.ctl(s, "stop", "cli-1")
                self.assertEqual(out.returncode, 6)
                self.assertIn("(timeout)", out.stderr)
            finally:
                a.stop()
            s.procs["broker"].stop()
            out = self.ctl(s, "agents", "--timeout=300ms")
            self.assertEqual(out.returncode, 3)
            self.assertEqual(subprocess.run([os.path.join(BIN, "nodelinkctl"), "bogus"]).returncode, 2)


if __name__ == "__main__":
    unittest.main()
