"""The store's query library (through its command-line front end,
store_query_tool) on data written by the real nodelink-store, hot and, with
compaction on, partly compacted into chunks by the store itself (the
library's own tests of chunk layouts and races are test_query_chunks)."""
import json
import os
import subprocess
import unittest

from harness import BUILD, wait_for
import test_store_ingest as rigmod

BASE_MS = rigmod.BASE_MS
BASE = BASE_MS // 1000
TOOL = os.path.join(BUILD, "tests", "store_query_tool")


def query(url, *args):
    out = subprocess.run([TOOL, url] + [str(a) for a in args], capture_output=True, text=True, timeout=30)
    if "Sanitizer" in out.stderr or "runtime error" in out.stderr:
        raise AssertionError("store_query_tool: " + out.stderr[-3000:])
    return json.loads(out.stdout)


def history(rig, start, end, interval, max_points=0, metrics="cpu.usage_percent", agent="a1"):
    return query(rig.redis.url, "history", agent, start, end, interval, max_points, metrics)


def raw_buckets(rig, metric, interval, agent="a1"):
    """{bucket start (s): average} computed in Python from the raw stream."""
    sums = {}
    for eid, fields in rig.entries(agent):
        if metric in fields:
            b = int(eid.split("-")[0]) // 1000 // interval * interval
            s = sums.setdefault(b, [0.0, 0])
            s[0] += float(fields[metric])
            s[1] += 1
    return {b: s[0] / s[1] for b, s in sums.items()}


class StoreQueryTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.rig = rigmod.StoreRig().__enter__()
        rig = cls.rig
        # a1: sample s at BASE + 5 s * s, s = 0..1499 (just over two hours);
        # cpu = s % 100, memory.used_bytes = 1000 * s
        n = 1500
        for s in range(n):
            rig.send(rig.sample("a1", s + 1, BASE_MS + s * 5000, cpu=float(s % 100), used=1000 * s))
        rig.send(rig.system("a1", n + 1, BASE_MS))
        rig.wait_xlen("a1", n, timeout=30)
        cls.n = n

    @classmethod
    def tearDownClass(cls):
        cls.rig.__exit__(None, None, None)

    def test_buckets_are_aligned_averages_of_the_samples_in_them(self):
        r = history(self.rig, BASE + 3, BASE + 57, 10)
        self.assertEqual(r["status"], "ok", r)
        self.assertEqual(r["tier"], "raw")
        # whole 10 s buckets covering [BASE+3, BASE+57]: 6 buckets of 2 samples
        self.assertEqual([p["timestamp"] for p in r["data"]], [BASE + 10 * i for i in range(6)])
        self.assertEqual([p["cpu.usage_percent"] for p in r["data"]], [0.5 + 2 * i for i in range(6)])
        self.assertFalse(r["truncated"])

    def test_rollup_tiers_give_the_same_answer_as_the_raw_samples(self):
        end = BASE + self.n * 5
        for interval, tier in ((60, "1m"), (300, "1m"), (3600, "1h"), (7200, "1h"), (45, "raw")):
            for metric in ("cpu.usage_percent", "memory.used_bytes"):
                r = history(self.rig, BASE, end, interval, metrics=metric)
                self.assertEqual(r["status"], "ok", r)
                self.assertEqual(r["tier"], tier, interval)
                expect = raw_buckets(self.rig, metric, interval)
                got = {p["timestamp"]: p[metric] for p in r["data"]}
                self.assertEqual(sorted(got), sorted(expect), (interval, metric))
                for b in expect:
                    self.assertAlmostEqual(got[b], expect[b], delta=1e-4 * max(1, abs(expect[b])),
                                           msg=(interval, metric, b))

    def test_several_metrics_and_a_metric_without_samples(self):
        r = history(self.rig, BASE, BASE + 59, 60, metrics="memory.used_bytes,cpu.usage_percent,load.load5")
        self.assertEqual(r["status"], "ok", r)
        self.assertEqual(len(r["data"]), 1)
        p = r["data"][0]
        self.assertEqual(p["cpu.usage_percent"], 5.5)
        self.assertEqual(p["memory.used_bytes"], 5500)
        self.assertNotIn("load.load5", p, "no samples: no value")

    def test_max_points_truncates_and_keeps_the_oldest_buckets(self):
        r = history(self.rig, BASE, BASE + 3600, 60, max_points=3)
        self.assertEqual(r["status"], "ok", r)
        self.assertTrue(r["truncated"])
        self.assertEqual([p["timestamp"] for p in r["data"]], [BASE, BASE + 60, BASE + 120])
        r = history(self.rig, BASE, BASE + 179, 60, max_points=3)
        self.assertFalse(r["truncated"], "exactly max_points buckets is not truncated")

    def test_a_range_beyond_the_data_returns_what_exists(self):
        r = history(self.rig, BASE - 86400 * 30, BASE + 59, 60)
        self.assertEqual(r["status"], "ok", r)
        self.assertEqual(len(r["data"]), 1)
        r = history(self.rig, 1_000_000_000, 1_000_000_100, 10)
        self.assertEqual((r["status"], r["data"]), ("ok", []))

    def test_bad_requests_say_what_is_wrong(self):
        cases = [
            (dict(metrics="cpu.usge_percent"), "unknown metric 'cpu.usge_percent'"),
            (dict(start=BASE + 10, end=BASE), "is after end"),
            (dict(interval=0), "interval must be at least 1"),
            (dict(start=BASE_MS, end=BASE_MS + 1000), "not ms"),
            (dict(start=0, end=253402300000), "century"),
            (dict(metrics="cpu.usage_percent,cpu.usage_percent"), "twice"),
        ]
        for over, message in cases:
            a = dict(start=BASE, end=BASE + 60, interval=60, metrics="cpu.usage_percent")
            a.update(over)
            r = history(self.rig, a["start"], a["end"], a["interval"], metrics=a["metrics"])
            self.assertEqual(r["status"], "bad_request", (over, r))
            self.assertIn(message, r["message"])
        r = history(self.rig, BASE, BASE + 60, 60, agent="nobody")
        self.assertEqual(r["status"], "not_found", r)
        r = history(self.rig, BASE, BASE + 60, 60, agent="bad id!")
        self.assertEqual(r["status"], "bad_request", r)

    def test_redis_unavailable_is_its_own_status(self):
        from harness import free_port
        r = query("redis://127.0.0.1:%d" % free_port(), "history", "a1", BASE, BASE + 60, 60, 0,
                  "cpu.usage_percent")
        self.assertEqual(r["status"], "unavailable", r)
        self.assertIn("refused", r["message"].lower())

    def test_samples_after_a_timestamp_replay_in_order_and_bounded(self):
        r = query(self.rig.redis.url, "samples", "a1", BASE_MS + 4 * 5000, 3)
        self.assertEqual(r["status"], "ok", r)
        self.assertTrue(r["more"])
        self.assertEqual([s["timestamp"] for s in r["samples"]], [BASE_MS + k * 5000 for k in (5, 6, 7)])
        self.assertEqual(r["samples"][0]["values"]["cpu.usage_percent"], 5)
        last = BASE_MS + (self.n - 1) * 5000
        r = query(self.rig.redis.url, "samples", "a1", last - 5000, 10)
        self.assertEqual(([s["timestamp"] for s in r["samples"]], r["more"]), ([last], False))

    def test_system_information_and_the_agent_index(self):
        r = query(self.rig.redis.url, "system", "a1")
        self.assertEqual(r["status"], "ok", r)
        doc = json.loads(r["json"])
        self.assertEqual((doc["agent_id"], doc["hardware"]["cpu"]["model"]), ("a1", "Test CPU"))
        self.assertEqual(query(self.rig.redis.url, "system", "zz")["status"], "not_found")
        r = query(self.rig.redis.url, "agents")
        self.assertEqual(r["agents"], [{"id": "a1", "last_seen_ms": BASE_MS + (self.n - 1) * 5000}])


class StoreQueryCompactedTest(unittest.TestCase):
    """The same samples stored twice, by a store that compacts and by one
    that does not: every answer is the same."""

    N = 1500  # 5 s apart: just over two hours, so two raw spans are compacted

    def fill(self, rig):
        for s in range(self.N):
            rig.send(rig.sample("a1", s + 1, BASE_MS + s * 5000, cpu=float(s % 100), used=1000 * s))
        rig.send(rig.system("a1", self.N + 1, BASE_MS))

    def questions(self):
        end = BASE + self.N * 5
        return ([("history", "a1", BASE, end, i, 0, "cpu.usage_percent,memory.used_bytes")
                 for i in (5, 45, 60, 300, 3600)] +
                [("history", "a1", BASE + 1000, end - 1000, 10, 100, "cpu.usage_percent"),
                 ("samples", "a1", BASE_MS - 1, 10000), ("samples", "a1", BASE_MS + 3_599_000, 5),
                 ("rows", "a1", "raw", 0, "max"), ("rows", "a1", "1m", 0, "max")])

    def test_answers_do_not_change_when_the_store_compacts(self):
        with rigmod.StoreRig() as rig:
            self.fill(rig)
            rig.wait_xlen("a1", self.N, timeout=30)
            want = [query(rig.redis.url, *q) for q in self.questions()]
        for w in want:
            self.assertEqual(w["status"], "ok", w)
        self.assertEqual(len(want[-2]["rows"]), self.N)
        with rigmod.StoreRig("--store.compaction=true", "--store.hot_window=0s") as rig:
            self.fill(rig)
            chunks = rig.key("a1", "metrics:chunks")
            wait_for(lambda: rig.redis.cli("HLEN", chunks) == "(integer) 2", timeout=30,
                     what="the store to compact two raw spans")
            self.assertLess(int(rig.redis.cli("XLEN", rig.key("a1")).split()[-1]), self.N)
            for q, w in zip(self.questions(), want):
                self.assertEqual(query(rig.redis.url, *q), w, q)


if __name__ == "__main__":
    unittest.main()
