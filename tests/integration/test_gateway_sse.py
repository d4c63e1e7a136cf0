"""Gateway Server-Sent Events: events, interval, filter, keep-alive,
Last-Event-ID replay from the store without a hole, the stream limit, and a
stalled client that must not delay another."""
import json
import socket
import time
import unittest

from gateway_fake import FakeBroker, SSEClient
from harness import LOOPBACK, Stack, wait_for


def _open(s, path, headers=None):
    return SSEClient(LOOPBACK, s.ports["http"], path, headers=headers)


class SseWithStore(unittest.TestCase):
    """Replay needs the store: real store + Redis, scripted broker."""

    @classmethod
    def setUpClass(cls):
        cls.s = Stack(broker=False)
        cls.s.start()
        cls.fake = FakeBroker(cls.s.ep("backend"), cls.s.ep("clients"))

    @classmethod
    def tearDownClass(cls):
        cls.fake.close()
        cls.s.stop()

    def _stored(self, agent, ts):
        """True once the store has the sample with timestamp ts (ms)."""
        st, body = self.s.http_json("GET", "/agents/%s/metrics/history?metrics=cpu.usage_percent&start=%d&end=%d&interval=1"
                                    % (agent, ts // 1000, ts // 1000))
        return st == 200 and len(body["data"]) == 1

    def test_last_event_id_replays_missed_samples_without_a_hole(self):
        t0 = (int(time.time()) - 120) * 1000
        wait_for(lambda: self.fake.publish_sample("r1", ts_ms=t0, cpu=1.0) and self._stored("r1", t0),
                 interval=0.3, what="first sample stored")
        c = _open(self.s, "/agents/r1/metrics/stream?interval=1")
        first = c.next_event()
        self.assertEqual(int(first["id"]), t0)
        for i in range(1, 4):
            self.fake.publish_sample("r1", ts_ms=t0 + 1000 * i, cpu=float(i + 1))
        seen = [int(c.next_event()["id"]) for _ in range(3)]
        self.assertEqual(seen, [t0 + 1000, t0 + 2000, t0 + 3000])
        c.close()
        # samples published while the client is away
        missed = [t0 + 1000 * i for i in range(4, 9)]
        for i, ts in enumerate(missed):
            self.fake.publish_sample("r1", ts_ms=ts, cpu=float(10 + i))
        wait_for(lambda: self._stored("r1", missed[-1]), what="missed samples stored")
        c = _open(self.s, "/agents/r1/metrics/stream?interval=1", headers={"Last-Event-ID": str(seen[-1])})
        got = [c.next_event() for _ in range(len(missed))]
        self.assertEqual([int(e["id"]) for e in got], missed)
        self.assertEqual([json.loads(e["data"])["cpu"]["usage_percent"] for e in got],
                         [10.0, 11.0, 12.0, 13.0, 14.0])
        live = t0 + 9000
        self.fake.publish_sample("r1", ts_ms=live)
        self.assertEqual(int(c.next_event()["id"]), live)  # and live events continue, once each
        c.close()
        # the query-string form works too (EventSource reconnects cannot add headers to a new URL)
        c = _open(self.s, "/agents/r1/metrics/stream?interval=1&last_event_id=%d" % missed[2])
        self.assertEqual([int(c.next_event()["id"]) for _ in range(3)], [missed[3], missed[4], live])
        c.close()


class Sse(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.s = Stack(broker=False, store=False, extra_args={"gateway": [
            "--metrics.api.sse_keepalive=400ms", "--metrics.api.sse_client_queue=8",
            "--metrics.api.max_concurrent_streams=50"]})
        cls.s.start()
        cls.fake = FakeBroker(cls.s.ep("backend"), cls.s.ep("clients"))

    @classmethod
    def tearDownClass(cls):
        cls.fake.close()
        cls.s.stop()

    def _known(self, agent, ts=None):
        ts = ts or int(time.time() * 1000)
        wait_for(lambda: self.fake.publish_sample(agent, ts_ms=ts) and
                 self.s.http_json("GET", "/agents/%s/metrics" % agent)[1].get("timestamp") == ts,
                 interval=0.3, what="agent %s known" % agent)
        return ts

    def test_events_carry_the_sample_timestamp_as_id_and_one_line_json(self):
        t0 = self._known("e1")
        c = _open(self.s, "/agents/e1/metrics/stream?interval=1")
        self.assertEqual(c.status, 200)
        self.assertTrue(c.headers["content-type"].startswith("text/event-stream"))
        self.assertEqual(c.headers["cache-control"], "no-cache")
        self.assertEqual(c.next_block(), {"retry": "3000"})
        ev = c.next_event()
        self.assertEqual(ev["event"], "metrics")
        self.assertEqual(int(ev["id"]), t0)
        data = json.loads(ev["data"])
        self.assertEqual(data["timestamp"], t0)
        self.assertNotIn("agent_id", data)
        self.assertEqual(data["cpu"]["usage_percent"], 25.0)
        self.fake.publish_sample("e1", ts_ms=t0 + 1000, cpu=33.0)
        ev = c.next_event()
        self.assertEqual(int(ev["id"]), t0 + 1000)
        self.assertEqual(json.loads(ev["data"])["cpu"]["usage_percent"], 33.0)
        c.close()

    def test_interval_sends_the_newest_sample_once_per_period(self):
        t0 = self._known("i1")
        c = _open(self.s, "/agents/i1/metrics/stream?interval=3")
        self.assertEqual(int(c.next_event()["id"]), t0)
        for i in range(1, 10):
            self.fake.publish_sample("i1", ts_ms=t0 + 1000 * i)
        self.assertEqual([int(c.next_event()["id"]) for _ in range(3)], [t0 + 3000, t0 + 6000, t0 + 9000])
        c.close()

    def test_metrics_filter_restricts_the_event_data(self):
        t0 = self._known("f1")
        c = _open(self.s, "/agents/f1/metrics/stream?metrics=cpu.usage_percent,memory.usage_percent")
        data = json.loads(c.next_event()["data"])
        self.assertEqual(data, {"timestamp": t0, "cpu": {"usage_percent": 25.0}, "memory": {"usage_percent": 37.5}})
        c.close()

    def test_keep_alive_comments_flow_on_an_idle_stream(self):
        self._known("k1")
        c = _open(self.s, "/agents/k1/metrics/stream")
        c.next_event()
        t = time.monotonic()
        self.assertEqual(c.next_block(), {"": "keep-alive"})
        self.assertLess(time.monotonic() - t, 3)
        c.close()

    def test_bad_stream_parameters_are_400(self):
        self._known("x1")
        for q in ("interval=0", "interval=-3", "interval=soon", "metrics=cpu.nope"):
            st, _, raw = self.s.http("GET", "/agents/x1/metrics/stream?" + q)
            self.assertEqual(st, 400, q)
            self.assertEqual(json.loads(raw)["error"]["status"], 400)
        st, _, _ = self.s.http("GET", "/agents/x1/metrics/stream", headers={"Last-Event-ID": "yesterday"})
        self.assertEqual(st, 400)

    def test_a_stalled_client_does_not_delay_another_and_is_disconnected(self):
        t0 = self._known("s1")
        stalled = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        stalled.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        stalled.connect((LOOPBACK, self.s.ports["http"]))
        stalled.sendall(b"GET /agents/s1/metrics/stream?interval=1 HTTP/1.1\r\nHost: x\r\n\r\n")  # and never read
        healthy = _open(self.s, "/agents/s1/metrics/stream?interval=1")
        self.assertEqual(int(healthy.next_event()["id"]), t0)
        disks = ["/dev/disk%03d" % i for i in range(300)]  # ~40 KB events
        lat = []
        for i in range(1, 201):
            ts = t0 + i * 1000
            sent = time.monotonic()
            self.fake.publish_sample("s1", ts_ms=ts, disks=disks)
            ev = healthy.next_event()
            lat.append(time.monotonic() - sent)
            self.assertEqual(int(ev["id"]), ts)
        lat.sort()
        self.assertLess(lat[int(len(lat) * 0.99) - 1], 0.5, "p99 delivery to the healthy client")

        def slow_count():
            text = self.s.http("GET", "/metrics")[2].decode()
            line = [l for l in text.splitlines() if l.startswith("nodelink_gateway_sse_slow_client_disconnects_total")]
            return int(line[0].split()[1])
        self.assertGreaterEqual(wait_for(slow_count, what="slow client counted"), 1)
        stalled.close()
        healthy.close()

    def test_stream_limit_answers_503_with_retry_after(self):
        with Stack(broker=False, store=False, redis=False, extra_args={"gateway": [
                "--metrics.api.max_concurrent_streams=2", "--metrics.api.sse_keepalive=200ms"]}) as s:
            fake = FakeBroker(s.ep("backend"), s.ep("clients"))
            try:
                wait_for(lambda: fake.publish_sample("l1") and s.http("GET", "/agents/l1/metrics")[0] == 200,
                         interval=0.3, what="l1 known")
                a, b = _open(s, "/agents/l1/metrics/stream"), _open(s, "/agents/l1/metrics/stream")
                self.assertEqual((a.status, b.status), (200, 200))
                st, h, raw = s.http("GET", "/agents/l1/metrics/stream")
                self.assertEqual(st, 503)
                self.assertEqual(json.loads(raw)["error"]["status"], 503)
                self.assertGreater(int(h["Retry-After"]), 0)
                a.close()
                # the slot frees once the gateway notices (next keep-alive write)
                c = wait_for(lambda: (lambda x: x if x.status == 200 else x.close())(_open(s, "/agents/l1/metrics/stream")),
                             what="a freed stream slot")
                c.close()
                b.close()
            finally:
                fake.close()


if __name__ == "__main__":
    unittest.main()
