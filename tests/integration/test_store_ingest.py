"""nodelink-store against a real redis-server, fed by a plain PUB socket.

The test binds an XPUB socket as the "broker" (XPUB so it can wait until the
store's subscription has arrived before publishing), a SUB socket where the
store publishes its health, and starts a private redis-server and the real
nodelink-store binary on free loopback ports.
"""
import json
import os
import shutil
import subprocess
import tempfile
import time
import unittest

from harness import BIN, BUILD, LOOPBACK, Process, Redis, free_port, proto, wait_for

BASE_MS = 1_700_000_000_000 - (1_700_000_000_000 % 3_600_000)  # an hour boundary


class StoreRig:
    """redis-server + nodelink-store + the test's publisher and health listener."""

    def __init__(self, *store_args, appendonly=False):
        import zmq
        self.zmq = zmq
        self.tmp = tempfile.mkdtemp(prefix="nodelink-store-test-")
        self.redis = Redis(self.tmp, appendonly=appendonly)
        self.store_args = list(store_args)
        ctx = zmq.Context.instance()
        self.pub = ctx.socket(zmq.XPUB)
        self.pub.setsockopt(zmq.LINGER, 0)
        self.pub.setsockopt(zmq.SNDHWM, 0)
        # every subscription is passed on, also one a killed store still holds
        self.pub.setsockopt(zmq.XPUB_VERBOSE, 1)
        self.pub_port = free_port()
        self.pub.bind("tcp://%s:%d" % (LOOPBACK, self.pub_port))
        self.health = ctx.socket(zmq.SUB)
        self.health.setsockopt(zmq.LINGER, 0)
        self.health.setsockopt(zmq.SUBSCRIBE, b"health.")
        self.health_port = free_port()
        self.health.bind("tcp://%s:%d" % (LOOPBACK, self.health_port))
        self.store = None
        self.subscriptions = set()

    def __enter__(self):
        self.redis.start()
        self.start_store()
        return self

    def __exit__(self, *exc):
        try:
            if self.store:
                self.stop_store()
        finally:
            self.redis.stop()
            self.pub.close(0)
            self.health.close(0)
            shutil.rmtree(self.tmp, ignore_errors=True)

    def start_store(self, *extra):
        argv = [os.path.join(BIN, "nodelink-store"),
                "--broker.subscribe_endpoint=tcp://%s:%d" % (LOOPBACK, self.pub_port),
                "--broker.publish_endpoint=tcp://%s:%d" % (LOOPBACK, self.health_port),
                "--redis.url=" + self.redis.url, "--store.health_interval=200ms",
                "--store.flush_interval=10ms", "--redis.timeout=500ms",
                "--store.reconnect_backoff_max=200ms"] + self.store_args + list(extra)
        self.store = Process("store", argv, self.tmp)
        self.subscriptions.clear()
        self.wait_subscribed()

    def stop_store(self):
        """Stops the store; a clean exit (status 0, no sanitizer report) is required."""
        store, self.store = self.store, None
        status = store.stop()
        log = store.log()
        if status != 0 or "Sanitizer" in log or "runtime error" in log:
            raise AssertionError("nodelink-store exited with %r; log:\n%s" % (status, log[-4000:]))
        return status

    def wait_subscribed(self):
        want = {b"metrics.", b"system."}
        deadline = time.monotonic() + 10
        while not want <= self.subscriptions:
            if time.monotonic() > deadline:
                raise AssertionError("store never subscribed; log:\n" + self.store.log())
            if self.pub.poll(100):
                msg = self.pub.recv()
                if msg[:1] == b"\x01":
                    self.subscriptions.add(msg[1:])

    # ---- frames
    @staticmethod
    def sample(agent, seq, ts_ms, cpu=25.5, used=1 << 30, load1=0.5, epoch=1):
        pb = proto()
        d = pb.MetricsDataResponse(timestamp=ts_ms)
        d.cpu.usage_percent = cpu
        d.cpu.user_percent = cpu / 2
        d.memory.total_bytes = 8 << 30
        d.memory.used_bytes = used
        d.load.load1 = load1
        msg = pb.TaskResponse(agent_id=agent, sequence=seq, epoch=epoch)
        msg.metrics_response.metrics_data.CopyFrom(d)
        return ("metrics.%s:" % agent).encode(), msg.SerializeToString()

    @staticmethod
    def system(agent, seq, ts_ms, epoch=1):
        pb = proto()
        msg = pb.TaskResponse(agent_id=agent, sequence=seq, epoch=epoch)
        si = msg.metrics_response.system_info
        si.timestamp = ts_ms
        si.hardware.cpu.model = "Test CPU"
        si.hardware.cpu.cores = 4
        si.hardware.architecture = "x86_64"
        si.software.hostname = "host-" + agent
        nic = si.network_interfaces.add()
        nic.name = "eth0"
        nic.is_up = True
        return ("system.%s:" % agent).encode(), msg.SerializeToString()

    def send(self, frame):
        self.pub.send_multipart(list(frame))

    def send_samples(self, agent, seqs, ts_of=lambda s: BASE_MS + s * 5000, **kw):
        for s in seqs:
            self.send(self.sample(agent, s, ts_of(s), **kw))

    # ---- observations
    def key(self, agent, suffix="metrics"):
        return "nodelink:{%s}:%s" % (agent, suffix)

    def xlen(self, agent, suffix="metrics"):
        out = self.redis.raw("XLEN", self.key(agent, suffix))
        return int(out[0]) if out and out[0].isdigit() else -1

    def wait_xlen(self, agent, n, suffix="metrics", timeout=15):
        wait_for(lambda: self.xlen(agent, suffix) == n, timeout=timeout,
                 what="XLEN %s == %d (is %d)" % (self.key(agent, suffix), n, self.xlen(agent, suffix)))

    def entries(self, agent, suffix="metrics"):
        """XRANGE as [(id, {field: value})]."""
        lines = self.redis.raw("XRANGE", self.key(agent, suffix), "-", "+")
        out, i = [], 0
        while i < len(lines):
            eid = lines[i]
            i += 1
            fields = {}
            # redis-cli --raw prints id, then field/value lines; entries are not
            # delimited, so rely on ids having the form <digits>-<digits>
            while i < len(lines) and not _is_id(lines[i]):
                fields[lines[i]] = lines[i + 1]
                i += 2
            out.append((eid, fields))
        return out

    def health_counters(self, timeout=5):
        """The counters of the next health frame."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.health.poll(200):
                topic, body = self.health.recv_multipart()
                msg = proto().TaskResponse()
                msg.ParseFromString(body)
                assert topic == b"health.store:", topic
                return dict(msg.service_health.counters), msg.service_health
        raise AssertionError("no health frame; store log:\n" + (self.store.log() if self.store else ""))

    def wait_health(self, pred, what, timeout=10):
        """The counters of the first health frame satisfying pred."""
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            last = self.health_counters()[0]
            if pred(last):
                return last
        raise AssertionError("timed out waiting for %s; last health: %r" % (what, last))


def _is_id(s):
    a, sep, b = s.partition("-")
    return sep == "-" and a.isdigit() and b.isdigit()


class StoreIngestTest(unittest.TestCase):
    def test_samples_become_stream_entries_named_by_metric_with_lean_values(self):
        with StoreRig() as rig:
            rig.send(rig.sample("a1", 1, BASE_MS, cpu=23.4567, used=12884901888, load1=1.0))
            rig.send_samples("a1", range(2, 11))
            rig.wait_xlen("a1", 10)
            entries = rig.entries("a1")
            eid, fields = entries[0]
            self.assertEqual(eid, "%d-0" % BASE_MS)
            self.assertEqual(fields["cpu.usage_percent"], "23.46")
            self.assertEqual(fields["memory.used_bytes"], "12884901888")
            self.assertEqual(fields["load.load1"], "1", "a whole double is written as an integer")
            self.assertEqual(fields["memory.total_bytes"], str(8 << 30))
            self.assertEqual([e[0] for e in entries[1:]], ["%d-0" % (BASE_MS + s * 5000) for s in range(2, 11)])
            agents = rig.redis.raw("ZRANGE", "nodelink:agents", "0", "-1", "WITHSCORES")
            self.assertEqual(agents, ["a1", str(BASE_MS + 50000)])

    def test_samples_at_or_before_the_last_id_get_the_next_sequence_number(self):
        with StoreRig() as rig:
            rig.send(rig.sample("a1", 1, BASE_MS))
            rig.send(rig.sample("a1", 2, BASE_MS))          # same millisecond
            rig.send(rig.sample("a1", 3, BASE_MS - 1000))   # clock stepped back
            rig.send(rig.sample("a1", 4, BASE_MS + 5000))
            rig.wait_xlen("a1", 4)
            ids = [e[0] for e in rig.entries("a1")]
            self.assertEqual(ids, ["%d-0" % BASE_MS, "%d-1" % BASE_MS, "%d-2" % BASE_MS, "%d-0" % (BASE_MS + 5000)])

    def test_duplicate_frames_are_stored_once_even_across_a_store_restart(self):
        with StoreRig() as rig:
            frames = [rig.sample("a1", s, BASE_MS + s * 5000) for s in range(1, 6)]
            for f in frames + frames[1:3] + frames:
                rig.send(f)
            rig.wait_xlen("a1", 5)
            counters = rig.wait_health(lambda c: c.get("duplicates") == 7, "7 duplicates counted")
            self.assertEqual(rig.stop_store(), 0)
            rig.start_store()
            for f in frames:                      # replay after the restart
                rig.send(f)
            rig.send(rig.sample("a1", 6, BASE_MS + 30000))
            rig.wait_xlen("a1", 6)
            rig.wait_health(lambda c: c.get("already_stored") == 5, "the replay skipped by the cursor")
            time.sleep(0.3)
            self.assertEqual(rig.xlen("a1"), 6)
            self.assertEqual(rig.redis.raw("HGETALL", rig.key("a1", "cursor")), ["epoch", "1", "seq", "6"])

    def test_the_gap_counter_counts_a_skipped_sequence_number(self):
        with StoreRig() as rig:
            rig.send_samples("a1", [1, 2, 3, 5, 6, 9])
            rig.wait_xlen("a1", 6)
            counters = rig.wait_health(lambda c: c.get("received") == 6, "6 frames received")
            self.assertEqual(counters["gaps"], 3)
            self.assertEqual(counters["duplicates"], 0)

    def test_system_information_is_stored_as_the_api_json_and_readable_with_get(self):
        with StoreRig() as rig:
            rig.send(rig.system("a1", 1, BASE_MS))
            text = wait_for(lambda: "".join(rig.redis.raw("GET", rig.key("a1", "system"))), what="system key")
            doc = json.loads(text)
            self.assertEqual(doc["agent_id"], "a1")
            self.assertEqual(doc["timestamp"], BASE_MS)
            self.assertEqual(doc["hardware"]["cpu"]["model"], "Test CPU")
            self.assertEqual(doc["software"]["hostname"], "host-a1")
            self.assertEqual(doc["network_interfaces"][0]["name"], "eth0")
            self.assertEqual(rig.redis.raw("ZSCORE", "nodelink:agents", "a1"), [str(BASE_MS)])

    def test_retention_trims_each_tier_by_time(self):
        with StoreRig("--metrics.storage.retention_period=100s", "--metrics.storage.retention_1m=5m",
                      "--store.trim_interval=200ms") as rig:
            n = 240  # 20 minutes of samples at 5 s
            rig.send_samples("a1", range(1, n + 1))
            last = BASE_MS + n * 5000

            def trimmed():
                ids = [int(e[0].split("-")[0]) for e in rig.entries("a1")]
                return ids and ids[0] >= last - 100_000 and ids[-1] == last
            wait_for(trimmed, timeout=10, what="raw entries older than 100 s trimmed")
            self.assertEqual(rig.xlen("a1"), 21, "100 s at 5 s, both ends included")
            minute_ids = [int(e[0].split("-")[0]) for e in rig.entries("a1", "metrics:1m")]
            self.assertTrue(minute_ids and minute_ids[0] >= last - 300_000, minute_ids)
            self.assertEqual(rig.xlen("a1", "metrics:1h"), 0, "the open hour is not written yet")

    def test_rollups_equal_the_aggregates_of_the_raw_samples(self):
        import random
        rnd = random.Random(4)
        with StoreRig() as rig:
            n = 2 * 720 + 30  # two hours and a bit at 5 s
            vals = {s: (round(rnd.uniform(0, 100), 3), rnd.randrange(1 << 20, 1 << 34)) for s in range(1, n + 1)}
            for s in range(1, n + 1):
                rig.send(rig.sample("a1", s, BASE_MS + s * 5000, cpu=vals[s][0], used=vals[s][1]))
            rig.wait_xlen("a1", n, timeout=30)
            raw = rig.entries("a1")
            for tier, width in (("metrics:1m", 60_000), ("metrics:1h", 3_600_000)):
                rolled = rig.entries("a1", tier)
                self.assertGreater(len(rolled), 1)
                for eid, fields in rolled:
                    start = int(eid.split("-")[0])
                    self.assertEqual(start % width, 0)
                    inside = [f for i, f in raw if start <= int(i.split("-")[0]) < start + width]
                    for metric in ("cpu.usage_percent", "memory.used_bytes", "load.load1"):
                        xs = [float(f[metric]) for f in inside]
                        parts = fields[metric].split(" ")
                        if len(parts) == 2:   # a constant: "value count"
                            parts = [parts[0], parts[0], parts[0], parts[1]]
                        avg, mn, mx, cnt = parts
                        self.assertEqual(int(cnt), len(xs), (tier, eid, metric))
                        self.assertEqual(float(mn), min(xs))
                        self.assertEqual(float(mx), max(xs))
                        self.assertAlmostEqual(float(avg), sum(xs) / len(xs), delta=0.00005 * max(1, abs(sum(xs) / len(xs))))
                # every closed bucket of the raw data has its rollup entry
                starts = sorted({int(i.split("-")[0]) // width * width for i, _ in raw})
                self.assertEqual([int(e.split("-")[0]) for e, _ in rolled], starts[:-1], tier)


if __name__ == "__main__":
    unittest.main()
