"""Failure codes on the wire (TaskResponse.failure, docs/protocol.md): each
code the broker and the real agent make reaches a ZeroMQ control client, and
nodelinkctl exits with the status its table gives the code.

Programs act on the code, never on the words: these tests assert the code
first, and on the English only where it names the thing that failed."""
import os
import signal
import subprocess
import time
import unittest

from broker_fakes import Client, FakeAgent, control, pb
from harness import BIN, Stack, popen, wait_for


def task(agent_id, task_id, timeout_ms=0):
    """A TaskRequest without a body (the caller fills one in)."""
    return pb().TaskRequest(agent_id=agent_id, task_id=task_id, timeout_ms=timeout_ms)


class Asker(Client):
    """A control client that sends whole TaskRequests."""

    def send(self, req):
        self.sock.send(control(task_request=req).SerializeToString())

    def ask(self, req, timeout=5.0):
        """Sends req; returns its final TaskResponse (or None after timeout)."""
        self.send(req)
        return self.answer(req.task_id, timeout)

    def answer(self, task_id, timeout=5.0):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            r = self.recv(max(0.01, end - time.monotonic()))
            if r is not None and r.task_id == task_id:
                return r
        return None

    def state(self, agent_id):
        for a in self.list_agents("list-%f" % time.monotonic()).agent_list.agents:
            if a.agent_id == agent_id:
                return a.state
        return None


class ScriptedAgent(FakeAgent):
    """A fake agent that answers every request FAILED with answer = (code,
    message); code None: a peer that sends none (older than the codes); any
    int, also one the .proto does not define (a newer peer)."""

    answer = None

    def _answer(self, dealer, req):
        self.requests.append(req)
        if self.answer is None:
            return
        code, message = self.answer
        m = pb()
        r = m.TaskResponse(agent_id=self.id, task_id=req.task_id, status=m.TaskResponse.FAILED, is_final=True,
                           error_message=message)
        data = r.SerializeToString()
        if code is not None:  # field 26, varint: Python refuses undefined values of a proto2 enum
            assert 0 <= code < 128
            data += bytes([0xd0, 0x01, code])
        r = m.TaskResponse()
        r.ParseFromString(data)
        dealer.send(control(task_response=r).SerializeToString())


def assert_failed(test, r, code, *words):
    test.assertIsNotNone(r, "no answer")
    test.assertEqual(r.status, pb().TaskResponse.FAILED, r)
    test.assertTrue(r.is_final)
    test.assertTrue(r.HasField("failure"), "a FAILED response without a code: %s" % r)
    test.assertEqual(pb().FailureCode.Name(r.failure), pb().FailureCode.Name(code), r.error_message)
    for w in words:
        test.assertIn(w, r.error_message)


class Services(unittest.TestCase):
    """A broker (and, in some tests, agents) per test, stopped after it."""

    broker_args = ["--broker.heartbeat_interval=200ms", "--broker.request_timeout=1s"]

    def setUp(self):
        self.stack = Stack(redis=False, store=False, gateway=False,
                           extra_args={"broker": self.broker_args}).__enter__()
        self.fakes, self.clients, self.procs = [], [], []

    def tearDown(self):
        for p in self.procs:
            p.signal(signal.SIGCONT)  # a stopped process cannot act on SIGTERM
        for a in self.fakes:
            a.stop(goodbye=False)
        for c in self.clients:
            c.close()
        self.stack.__exit__(None, None, None)

    def fake(self, agent_id, cls=FakeAgent, **kw):
        a = cls(agent_id, self.stack.ep("frontend"), self.stack.ep("agents"), **kw)
        self.fakes.append(a)
        a.wait_accepted()
        return a

    def agent(self, agent_id, *args):
        p = self.stack.start_agent(agent_id, *args)
        self.procs.append(p)
        return p

    def client(self):
        c = Asker(self.stack.ep("clients"))
        self.clients.append(c)
        return c

    def routable(self, c, agent_id):
        """Waits until the broker routes requests to agent_id (a real agent's
        first frames can come before its hello)."""
        def ok():
            req = task(agent_id, "probe-%d" % int(time.monotonic() * 1e6))
            req.metrics_request.system_info.include_software = True
            r = c.ask(req)
            return r is not None and r.status == pb().TaskResponse.COMPLETED
        wait_for(ok, timeout=15, what="the broker to route requests to " + agent_id)

    def ctl(self, *args, timeout="2s"):
        return subprocess.run([os.path.join(BIN, "nodelinkctl")] + list(args) +
                              ["--broker.client_endpoint=" + self.stack.ep("clients"), "--timeout=" + timeout],
                              capture_output=True, text=True, timeout=30)


class BrokerFailureCodes(Services):
    """Every failure the broker makes itself, at a ZeroMQ client."""

    def test_an_agent_the_broker_never_saw_is_unknown_agent(self):
        c = self.client()
        assert_failed(self, c.ask(task("nobody", "t1")), pb().FAILURE_UNKNOWN_AGENT, "'nobody'")
        assert_failed(self, c.ask(task("no/such", "t2")), pb().FAILURE_UNKNOWN_AGENT)

    def test_an_invalid_task_id_is_invalid_request(self):
        self.fake("valid-1")
        c = self.client()
        assert_failed(self, c.ask(task("valid-1", "bad id")), pb().FAILURE_INVALID_REQUEST, "task id")

    def test_an_agent_that_said_goodbye_is_not_connected_with_the_reason(self):
        a = self.fake("gone-1")
        c = self.client()
        a.stop(goodbye=True)
        wait_for(lambda: c.state("gone-1") == pb().AgentStatus.DISCONNECTED, what="the goodbye")
        assert_failed(self, c.ask(task("gone-1", "t1")), pb().FAILURE_NOT_CONNECTED, "'gone-1'", "goodbye")

    def test_the_same_task_id_twice_in_flight_is_busy_and_the_first_still_ends(self):
        a = self.fake("busy-1")
        a.respond = False
        c = self.client()
        c.send(task("busy-1", "same", timeout_ms=1500))
        t0 = time.monotonic()
        assert_failed(self, c.ask(task("busy-1", "same"), timeout=1.0), pb().FAILURE_BUSY, "already in flight")
        self.assertLess(time.monotonic() - t0, 0.5, "refused at once, not at the first one's deadline")
        assert_failed(self, c.answer("same", timeout=3), pb().FAILURE_TIMEOUT, "'busy-1'")
        self.assertEqual([r.task_id for r in a.requests], ["same"], "the second never reached the agent")

    def test_no_final_answer_before_the_deadline_is_timeout(self):
        a = self.fake("slow-1")
        a.respond = False
        c = self.client()
        t0 = time.monotonic()
        r = c.ask(task("slow-1", "t1", timeout_ms=400), timeout=3)
        elapsed = time.monotonic() - t0
        assert_failed(self, r, pb().FAILURE_TIMEOUT, "'slow-1'", "did not answer in time")
        self.assertGreaterEqual(elapsed, 0.35)
        self.assertLess(elapsed, 1.5)
        # the broker's own request_timeout (1 s) when the request names none
        t0 = time.monotonic()
        assert_failed(self, c.ask(task("slow-1", "t2"), timeout=3), pb().FAILURE_TIMEOUT)
        self.assertGreaterEqual(time.monotonic() - t0, 0.95)

    def test_an_agent_that_leaves_while_a_request_waits_is_disconnected(self):
        c = self.client()
        for name, leave, reason in (("bye-1", lambda a: a.stop(goodbye=True), "goodbye"),
                                    ("mute-1", lambda a: setattr(a, "send_heartbeats", False), "heartbeats")):
            a = self.fake(name, publish_interval=None)
            a.respond = False
            c.send(task(name, "t1", timeout_ms=10000))
            wait_for(lambda: a.requests, what="the request at " + name)
            t0 = time.monotonic()
            leave(a)
            r = c.answer("t1", timeout=5)
            assert_failed(self, r, pb().FAILURE_DISCONNECTED, "'%s'" % name, reason)
            self.assertLess(time.monotonic() - t0, 2.0, "at the disconnect, not at the 10 s deadline")

    def test_agent_answers_pass_through_with_their_code(self):
        a = self.fake("scripted-1", cls=ScriptedAgent)
        a.answer = (pb().FAILURE_REFUSED, "not today")
        c = self.client()
        assert_failed(self, c.ask(task("scripted-1", "t1")), pb().FAILURE_REFUSED, "not today")
        a.answer = (None, "an older agent")
        r = c.ask(task("scripted-1", "t2"))
        self.assertEqual(r.status, pb().TaskResponse.FAILED)
        self.assertFalse(r.HasField("failure"), "the broker adds no code to an agent's answer")


class StoppedAgent(Services):
    """A real agent stopped with SIGSTOP while a request waits. The broker's
    rule (docs/broker.md): it declares an agent gone after 3 heartbeat
    intervals with neither a heartbeat nor a frame from it; a request whose
    timeout_ms ends first is TIMEOUT, one still waiting then is DISCONNECTED.
    With 1 s heartbeats and samples every 100 ms (frames count as heartbeats)
    the agent is declared gone 2.9-3.2 s after it stops: a 300 ms request is
    TIMEOUT, a 10 s one DISCONNECTED, with seconds to spare either way."""

    broker_args = ["--broker.heartbeat_interval=1s"]

    def test_a_short_request_times_out_and_a_long_one_sees_the_disconnect(self):
        agent = self.agent("paused-1", "--agent.heartbeat_interval=1s", "--metrics.collection_interval=100ms")
        c = self.client()
        self.routable(c, "paused-1")
        wait_for(lambda: "frames count as heartbeats" in agent.log(), what="registration")
        agent.signal(signal.SIGSTOP)
        stopped = time.monotonic()
        try:
            r = c.ask(task("paused-1", "short", timeout_ms=300), timeout=3)
            assert_failed(self, r, pb().FAILURE_TIMEOUT, "'paused-1'")
            self.assertLess(time.monotonic() - stopped, 1.0)
            self.assertEqual(c.state("paused-1"), pb().AgentStatus.CONNECTED, "still within 3 heartbeats")

            r = c.ask(task("paused-1", "long", timeout_ms=10000), timeout=8)
            gone = time.monotonic() - stopped
            assert_failed(self, r, pb().FAILURE_DISCONNECTED, "'paused-1'", "missed 3 heartbeats")
            self.assertGreater(gone, 2.7, "not before 3 heartbeat intervals of silence")
            self.assertLess(gone, 4.5, "at the disconnect, long before the 10 s deadline")

            assert_failed(self, c.ask(task("paused-1", "after")), pb().FAILURE_NOT_CONNECTED, "missed 3 heartbeats")
        finally:
            agent.signal(signal.SIGCONT)
        # it publishes again, is asked to say hello, and answers again
        self.routable(c, "paused-1")


class AgentFailureCodes(Services):
    """Every failure the real agent makes, through the broker."""

    def setUp(self):
        super().setUp()
        self.agent("codes-1")
        self.c = self.client()
        self.routable(self.c, "codes-1")
        self.n = 0

    def ask(self, fill, agent_id="codes-1"):
        self.n += 1
        req = task(agent_id, "q%d" % self.n)
        fill(req)
        return self.c.ask(req)

    def test_bad_stream_requests_are_invalid_request(self):
        A = pb().MetricsStreamRequest

        def interval(ms):
            def fill(req):
                req.metrics_request.stream_request.action = A.UPDATE_INTERVAL
                req.metrics_request.stream_request.interval_ms = ms
            return fill
        assert_failed(self, self.ask(interval(50)), pb().FAILURE_INVALID_REQUEST, "interval")
        assert_failed(self, self.ask(interval(3600001)), pb().FAILURE_INVALID_REQUEST, "interval")

        def metric(req):
            req.metrics_request.stream_request.action = A.START
            req.metrics_request.stream_request.metrics.append("cpu.nonexistent_metric")
        assert_failed(self, self.ask(metric), pb().FAILURE_INVALID_REQUEST, "cpu.nonexistent_metric")

    def test_bad_queries_and_empty_requests_are_invalid_request(self):
        def selector(req):
            req.metrics_request.query_request.metrics.append("nonsense.metric")
        assert_failed(self, self.ask(selector), pb().FAILURE_INVALID_REQUEST, "nonsense.metric")

        def backwards(req):
            q = req.metrics_request.query_request
            q.start_timestamp = int(time.time())
            q.end_timestamp = q.start_timestamp - 60
        assert_failed(self, self.ask(backwards), pb().FAILURE_INVALID_REQUEST, "start_timestamp")
        assert_failed(self, self.ask(lambda req: None), pb().FAILURE_INVALID_REQUEST, "empty task request")
        assert_failed(self, self.ask(lambda req: req.metrics_request.SetInParent()), pb().FAILURE_INVALID_REQUEST,
                      "empty metrics request")

    def test_bad_registrations_are_invalid_request_and_say_what_is_missing(self):
        def register(task_id, pid):
            def fill(req):
                t = req.metrics_request.register_task
                t.task_id = task_id
                if pid is not None:
                    t.pid = pid
            return fill
        # above any pid_max Linux allows (2^22): no such process
        assert_failed(self, self.ask(register("job-1", 4194305)), pb().FAILURE_INVALID_REQUEST,
                      "no process with pid 4194305")
        assert_failed(self, self.ask(register("job-1", None)), pb().FAILURE_INVALID_REQUEST, "pid")
        assert_failed(self, self.ask(register("bad id", os.getpid())), pb().FAILURE_INVALID_REQUEST, "task_id")
        r = self.ask(register("job-1", os.getpid()))
        self.assertEqual(r.status, pb().TaskResponse.COMPLETED, r.error_message)
        self.assertFalse(r.HasField("failure"))

    def test_shell_and_docker_tasks_are_unsupported(self):
        assert_failed(self, self.ask(lambda req: setattr(req.shell_execute, "command", "ls")),
                      pb().FAILURE_UNSUPPORTED, "shell")
        assert_failed(self, self.ask(lambda req: req.docker_operation.SetInParent()), pb().FAILURE_UNSUPPORTED)
        assert_failed(self, self.ask(lambda req: setattr(req.task_cancel, "target_task_id", "q1")),
                      pb().FAILURE_UNSUPPORTED)

    def test_a_registration_while_task_tracking_is_off_is_refused(self):
        self.agent("untracked-1", "--metrics.process_tracking.track_task_processes=false")
        self.routable(self.c, "untracked-1")

        def register(req):
            req.metrics_request.register_task.task_id = "job-1"
            req.metrics_request.register_task.pid = os.getpid()
        assert_failed(self, self.ask(register, "untracked-1"), pb().FAILURE_REFUSED, "tracking is off")


class RequestForAnotherAgent(unittest.TestCase):
    def test_a_request_naming_another_agent_id_is_invalid_request(self):
        # The broker routes by agent id, so only a misrouting peer can cause
        # this: the agent's own control socket, played by a ROUTER.
        from test_agent_live import AgentRig
        with AgentRig("self-1") as rig:
            def fill(req):
                req.agent_id = "other-1"
                req.metrics_request.system_info.include_software = True
            assert_failed(self, rig.request(fill), pb().FAILURE_INVALID_REQUEST, "'other-1'")


class NodelinkctlExitStatus(Services):
    """nodelinkctl's exit status and message for every code (ctl.h)."""

    def test_broker_made_failures_give_their_exit_statuses(self):
        out = self.ctl("stop", "nobody")
        self.assertEqual(out.returncode, 4, out.stderr)
        self.assertIn("nodelinkctl: request failed (unknown_agent): agent 'nobody'", out.stderr)

        a = self.fake("gone-2")
        a.stop(goodbye=True)
        c = self.client()
        wait_for(lambda: c.state("gone-2") == pb().AgentStatus.DISCONNECTED, what="the goodbye")
        out = self.ctl("stop", "gone-2")
        self.assertEqual(out.returncode, 5, out.stderr)
        self.assertIn("(not_connected)", out.stderr)

        slow = self.fake("slow-2")
        slow.respond = False
        out = self.ctl("stop", "slow-2", timeout="300ms")
        self.assertEqual(out.returncode, 6, out.stderr)
        self.assertIn("nodelinkctl: request failed (timeout): agent 'slow-2' did not answer in time", out.stderr)

        p = popen([os.path.join(BIN, "nodelinkctl"), "stop", "slow-2", "--timeout=10s",
                   "--broker.client_endpoint=" + self.stack.ep("clients")],
                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            wait_for(lambda: len(slow.requests) == 2, what="nodelinkctl's request at the agent")
            slow.stop(goodbye=True)
            _, err = p.communicate(timeout=5)
        finally:
            p.kill()
            p.wait()
        self.assertEqual(p.returncode, 5, err)
        self.assertIn("(disconnected)", err)

    def test_agent_answers_give_the_exit_status_of_their_code(self):
        a = self.fake("scripted-2", cls=ScriptedAgent)
        F = pb().FailureCode
        cases = [("FAILURE_UNSPECIFIED", 1), ("FAILURE_UNKNOWN_AGENT", 4), ("FAILURE_NOT_CONNECTED", 5),
                 ("FAILURE_DISCONNECTED", 5), ("FAILURE_TIMEOUT", 6), ("FAILURE_BUSY", 7),
                 ("FAILURE_INVALID_REQUEST", 8), ("FAILURE_REFUSED", 9), ("FAILURE_UNSUPPORTED", 9),
                 ("FAILURE_RESOURCE_EXHAUSTED", 10), ("FAILURE_UNAVAILABLE", 10), ("FAILURE_INTERNAL", 1)]
        self.assertEqual(sorted(n for n, _ in cases), sorted(F.keys()), "every code of the .proto is covered")
        for name, status in cases:
            a.answer = (F.Value(name), "scripted " + name)
            out = self.ctl("stop", "scripted-2")
            self.assertEqual(out.returncode, status, (name, out.stderr))
            self.assertIn("request failed (%s): scripted %s" % (name[len("FAILURE_"):].lower(), name), out.stderr)
        a.answer = (None, "from an agent older than the codes")
        out = self.ctl("stop", "scripted-2")
        self.assertEqual(out.returncode, 1, out.stderr)
        self.assertIn("(unspecified): from an agent older than the codes", out.stderr)
        a.answer = (99, "a code from a newer agent")
        out = self.ctl("stop", "scripted-2")
        self.assertEqual(out.returncode, 1, out.stderr)
        self.assertIn("(unspecified): a code from a newer agent", out.stderr)

    def test_a_real_agents_invalid_request_exits_8(self):
        self.agent("ctl-real-1")
        c = self.client()
        self.routable(c, "ctl-real-1")
        out = self.ctl("start", "ctl-real-1", "--metrics=cpu.nonexistent_metric")
        self.assertEqual(out.returncode, 8, out.stderr)
        self.assertIn("(invalid_request): unknown metric selector 'cpu.nonexistent_metric'", out.stderr)

    def test_help_lists_the_exit_statuses_with_their_codes(self):
        out = subprocess.run([os.path.join(BIN, "nodelinkctl"), "--help"], capture_output=True, text=True,
                             timeout=10)
        self.assertEqual(out.returncode, 0)
        for row in ("   4  ", "[unknown_agent]", "[not_connected, disconnected]", "[timeout]", "[busy]",
                    "[invalid_request]", "[refused, unsupported]", "[resource_exhausted, unavailable]",
                    "[unspecified, internal]"):
            self.assertIn(row, out.stdout)


if __name__ == "__main__":
    unittest.main()
