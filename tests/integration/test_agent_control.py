"""Runtime control of nodelink-agent through its control connection: a
ROUTER socket plays the broker, speaking the ControlMessage protobuf."""
import os
import subprocess
import time
import unittest

from harness import wait_for
from test_agent_live import AgentRig, now_ms, pb


def stream(action, interval_ms=None, metrics=()):
    def fill(req):
        sr = req.metrics_request.stream_request
        sr.action = action
        if interval_ms is not None:
            sr.interval_ms = interval_ms
        sr.metrics.extend(metrics)
    return fill


class AgentControlTest(unittest.TestCase):
    def test_hello_heartbeat_and_goodbye(self):
        rig = AgentRig("ctl-hb")
        try:
            wait_for(lambda: rig.pump(0.1) or any(c.HasField("heartbeat") for c in rig.control),
                     timeout=10, what="a heartbeat")
            hello = [c.hello for c in rig.control if c.HasField("hello")][0]
            self.assertEqual(hello.agent_id, "ctl-hb")
            self.assertEqual(hello.interval_ms, 1000)
            self.assertNotEqual(hello.epoch, 0)
            # The system information follows the broker's acceptance.
            wait_for(lambda: rig.pump(0.1) or any(t == "system.ctl-hb:" for t, _ in rig.frames),
                     what="system info")
            seqs = [tr.sequence for _, tr in rig.frames]
            self.assertEqual(seqs, list(range(1, len(seqs) + 1)), "one sequence across topics")
            self.assertTrue(all(tr.epoch == hello.epoch for _, tr in rig.frames))
        finally:
            self.assertEqual(rig.close(), 0)
        self.assertTrue(any(c.HasField("goodbye") for c in rig.control), "goodbye on SIGTERM")

    def test_heartbeats_go_out_on_aligned_slots_with_the_last_sequence(self):
        # heartbeat_interval is 500 ms in the rig: one per slot (a multiple of
        # 500 ms of the wall clock), none skipped, none doubled, each carrying
        # the sequence of a frame the agent had published by then.
        with AgentRig("ctl-slots") as rig:
            wait_for(lambda: rig.pump(0.1) or sum(c.HasField("heartbeat") for c in rig.control) >= 6,
                     timeout=10, what="six heartbeats")
            hbs = [c.heartbeat for c in rig.control if c.HasField("heartbeat")]
            slots = [hb.timestamp_ms // 500 for hb in hbs]
            self.assertTrue(all(hb.timestamp_ms % 500 < 50 for hb in hbs),
                            [hb.timestamp_ms % 500 for hb in hbs])
            self.assertEqual(slots, list(range(slots[0], slots[0] + len(slots))), "one per slot")
            published = max(tr.sequence for _, tr in rig.frames)
            self.assertGreater(hbs[-1].last_sequence, 0)
            self.assertLessEqual(hbs[-1].last_sequence, published)

    def test_no_heartbeats_while_frames_flow_when_the_broker_counts_them(self):
        # Heartbeat interval 500 ms (the rig), samples every 200 ms: the
        # broker counts frames, so no heartbeat goes out until the stream
        # stops; then one per second (due 1.5 intervals after the last
        # frame or heartbeat, on the next 500 ms slot), never a silence the
        # broker would take for a dead agent (3 intervals).
        with AgentRig("ctl-beat", interval="200ms", frames_beat=True) as rig:
            rig.wait_samples(5)
            self.assertIn("frames count as heartbeats", rig.proc.log())
            start = len(rig.control)
            rig.pump(3.0)
            self.assertEqual([c for c in rig.control[start:] if c.HasField("heartbeat")], [])
            r = rig.request(stream(pb().MetricsStreamRequest.STOP))
            self.assertEqual(r.status, pb().TaskResponse.COMPLETED, r.error_message)
            stopped = time.time() * 1000
            wait_for(lambda: rig.pump(0.1) or sum(c.HasField("heartbeat") for c in rig.control[start:]) >= 4,
                     timeout=8, what="heartbeats after STOP")
            beats = [c.heartbeat.timestamp_ms for c in rig.control[start:] if c.HasField("heartbeat")]
            self.assertLess(beats[0] - stopped, 1500, "first heartbeat after the last frame")
            gaps = [b - a for a, b in zip(beats, beats[1:])]
            self.assertTrue(all(900 <= g <= 1100 for g in gaps), gaps)
            self.assertTrue(all(b % 500 < 50 for b in beats), "on slots: %s" % [b % 500 for b in beats])

    def test_forgotten_agent_says_hello_again(self):
        with AgentRig("ctl-forget") as rig:
            wait_for(lambda: rig.pump(0.1) or any(c.HasField("heartbeat") for c in rig.control), what="heartbeat")
            n_hello = sum(c.HasField("hello") for c in rig.control)
            r = pb().ControlMessage()
            r.hello_reply.accepted = False  # what a restarted broker answers to a heartbeat
            rig.router.send_multipart([rig.identity, r.SerializeToString()])
            wait_for(lambda: rig.pump(0.1) or sum(c.HasField("hello") for c in rig.control) > n_hello,
                     timeout=5, what="a new hello")

    def test_interval_change_takes_effect_on_the_next_tick_and_stop_stops(self):
        A = pb().MetricsStreamRequest
        with AgentRig("ctl-stream") as rig:
            rig.wait_samples(1)
            r = rig.request(stream(A.UPDATE_INTERVAL, 200))
            self.assertEqual(r.status, pb().TaskResponse.COMPLETED, r.error_message)
            self.assertEqual(r.metrics_response.stream_status.interval_ms, 200)
            t = now_ms()
            s = rig.wait_sample_after(t, timeout=3)
            self.assertEqual(s.interval_ms, 200)
            self.assertLess(s.timestamp - t, 400, "next tick, not after the old 1 s interval")
            rig.wait_samples(len(rig.samples()) + 3, timeout=3)
            ts = [x.timestamp for x in rig.samples() if x.interval_ms == 200][-3:]
            self.assertTrue(all(x % 200 == 0 for x in ts), ts)
            self.assertEqual([b - a for a, b in zip(ts, ts[1:])], [200, 200])
            r = rig.request(stream(A.STOP))
            self.assertFalse(r.metrics_response.stream_status.streaming)
            rig.pump(0.3)
            n = len(rig.samples())
            rig.pump(1.5)
            self.assertEqual(len(rig.samples()), n, "frames after STOP")
            r = rig.request(stream(A.START, 1000, ["cpu", "memory.total_bytes"]))
            self.assertTrue(r.metrics_response.stream_status.streaming)
            s = rig.wait_sample_after(now_ms())
            self.assertTrue(s.HasField("cpu"))
            self.assertTrue(s.memory.HasField("total_bytes"))
            self.assertFalse(s.memory.HasField("used_bytes"))
            self.assertEqual(len(s.network_interfaces), 0)

    def test_bad_requests_get_errors_and_change_nothing(self):
        A = pb().MetricsStreamRequest
        with AgentRig("ctl-bad") as rig:
            for interval in (50, 3600001):
                r = rig.request(stream(A.UPDATE_INTERVAL, interval))
                self.assertEqual(r.status, pb().TaskResponse.FAILED)
                self.assertIn("interval", r.error_message)
            r = rig.request(stream(A.START, None, ["cpu.nonexistent_metric"]))
            self.assertEqual(r.status, pb().TaskResponse.FAILED)
            self.assertIn("cpu.nonexistent_metric", r.error_message)
            r = rig.request(lambda req: setattr(req.shell_execute, "command", "ls"))
            self.assertEqual(r.status, pb().TaskResponse.FAILED)
            self.assertEqual(r.error_message, "this agent does not run shell/docker tasks")
            r = rig.request(lambda req: req.docker_operation.SetInParent())
            self.assertEqual(r.status, pb().TaskResponse.FAILED)
            s = rig.wait_sample_after(now_ms())
            self.assertEqual(s.interval_ms, 1000)

    def test_system_info_query_and_task_registration(self):
        with AgentRig("ctl-req", interval="500ms") as rig:
            def hw_only(req):
                req.metrics_request.system_info.include_hardware = True
            r = rig.request(hw_only)
            si = r.metrics_response.system_info
            self.assertTrue(si.HasField("hardware"))
            self.assertFalse(si.HasField("software"))
            self.assertEqual(len(si.network_interfaces), 0)
            self.assertGreater(si.hardware.memory.total_bytes, 0)
            rig.wait_samples(4)

            def query(req):
                q = req.metrics_request.query_request
                q.metrics.append("cpu.usage_percent")
                q.start_timestamp = int(time.time()) - 60
                q.max_points = 2
            r = rig.request(query)
            qr = r.metrics_response.query_response
            self.assertEqual(r.status, pb().TaskResponse.COMPLETED, r.error_message)
            self.assertEqual(len(qr.data_points), 2)
            self.assertTrue(qr.truncated)
            self.assertGreaterEqual(qr.total_points, 4)
            self.assertEqual(set(qr.data_points[0].values.keys()), {"cpu.usage_percent"})
            sleeper = subprocess.Popen(["sleep", "30"])
            try:
                def register(req):
                    t = req.metrics_request.register_task
                    t.task_id = "reg-1"
                    t.pid = sleeper.pid
                r = rig.request(register)
                self.assertEqual(r.status, pb().TaskResponse.COMPLETED, r.error_message)

                def seen():
                    rig.pump(0.1)
                    return any(t.task_id == "reg-1" and t.pid == sleeper.pid
                               for t in rig.samples()[-1].processes.task_processes)
                wait_for(seen, timeout=5, what="registered process in samples")
            finally:
                sleeper.kill()
                sleeper.wait()


if __name__ == "__main__":
    unittest.main()
