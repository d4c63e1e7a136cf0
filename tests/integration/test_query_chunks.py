"""The query library reads hot stream entries and compacted chunks as one
history (store/query/tierscan.h), through its command-line front end
store_query_tool, against a private redis-server.

Test states are built directly in Redis: stream entries with XADD, chunks
made by the codec's own chunktool from the same rows. The same data is laid
out several ways (all hot, all compacted, compacted up to different spans
per tier, a chunk left beside the stream entries of its span); every
history, replay and row walk must answer the same in every layout, while a
thread compacts spans as the store does, and a chunk that cannot be decoded
must be an error naming the agent, tier and span."""
import json
import os
import random
import subprocess
import threading
import time
import unittest

from harness import BUILD, LOOPBACK, SANITIZER_MARKERS, Redis
import resp

TOOL = os.path.join(BUILD, "tests", "store_query_tool")
CHUNKTOOL = os.path.join(BUILD, "tests", "chunktool")

HOUR = 3_600_000
DAY = 24 * HOUR
SPAN = {"metrics": HOUR, "metrics:1m": DAY, "metrics:1h": 30 * DAY}
BASE_MS = 1_700_000_000_000 - (1_700_000_000_000 % HOUR)  # 22:00 UTC: the 1m spans change 2 h later
BASE = BASE_MS // 1000


# ---------------------------------------------------------------- Redis

class Resp(resp.Resp):
    """resp.Resp whose pipeline raises the first error reply, callable as
    r("XLEN", key)."""

    def pipeline(self, commands):
        replies = super().pipeline(commands)
        for r in replies:
            if isinstance(r, resp.RespError):
                raise r
        return replies

    def __call__(self, *args):
        return self.pipeline([args])[0]


def key(agent, suffix="metrics"):
    return "nodelink:{%s}:%s" % (agent, suffix)


# ---------------------------------------------------------------- data

def fmt(x):
    """A value as the store writes it: lean decimal."""
    s = ("%.4f" % x).rstrip("0").rstrip(".")
    return "0" if s in ("", "-0") else s


def raw_rows():
    """[(ts_ms, seq, {name: value})]: 10 s samples over hours 0-5 and 10-27
    (the agent silent in between), metric sets that vary (load.load1 every
    other minute, a disk in some hours only), and now and then two samples
    in one millisecond (ids <ms>-0 and <ms>-1)."""
    rnd = random.Random(7)
    rows = []
    for h in list(range(0, 6)) + list(range(10, 28)):
        for k in range(360):
            ts = BASE_MS + h * HOUR + k * 10_000
            v = {"cpu.usage_percent": fmt(round(rnd.random() * 100, 2)),
                 "memory.used_bytes": str((1 << 30) + rnd.randrange(1 << 20) * 4096)}
            if (k // 6) % 2 == 0:
                v["load.load1"] = fmt(round(rnd.random() * 4, 2))
            if h % 4 == 1:
                v["disk.sda.read_bytes_per_sec"] = str(rnd.randrange(10 ** 7))
            rows.append((ts, 0, v))
            if k % 97 == 5:
                rows.append((ts, 1, {"cpu.usage_percent": fmt(round(rnd.random() * 100, 2)),
                                     "memory.used_bytes": str(1 << 31)}))
    return rows


def rollup(rows, width_ms):
    """Rollup entries of rows in buckets of width_ms ("avg min max count",
    or "value count" when every value was the same), the newest bucket
    left open as the store leaves it."""
    buckets = {}
    for ts, _, v in rows:
        b = buckets.setdefault(ts - ts % width_ms, {})
        for name, value in v.items():
            b.setdefault(name, []).append(value)
    out = []
    for start in sorted(buckets)[:-1]:
        cells = {}
        for name, values in sorted(buckets[start].items()):
            nums = [float(x) for x in values]
            if len(set(values)) == 1:
                cells[name] = "%s %d" % (values[0], len(values))
            else:
                lo = values[nums.index(min(nums))]
                hi = values[nums.index(max(nums))]
                cells[name] = "%s %s %s %d" % (fmt(sum(nums) / len(nums)), lo, hi, len(values))
        out.append((start, 0, cells))
    return out


def dataset():
    raw = raw_rows()
    return {"metrics": raw, "metrics:1m": rollup(raw, 60_000), "metrics:1h": rollup(raw, HOUR)}


def hourly_only():
    """An agent with 1-hour rollups only, over 100 days: four 30-day spans."""
    start = BASE_MS - 70 * DAY
    return {"metrics:1h": [(start + i * HOUR, 0, {"cpu.usage_percent": "%d %d %d 360" % (i % 50, i % 50, i % 50),
                                                  "memory.used_bytes": "%d 360" % (i * 1000)})
                           for i in range(100 * 24)]}


def spans_of(rows, span_ms):
    out = {}
    for r in rows:
        out.setdefault(r[0] - r[0] % span_ms, []).append(r)
    return out


SPANCHUNKS = os.path.join(BUILD, "tests", "store_query_spanchunks")
_chunk_cache = {}


def chunks(rows, span_ms):
    """{span start: chunk} of rows, made by the codec (store_query_spanchunks,
    one process for every span)."""
    k = (span_ms, len(rows), rows[0][0], rows[-1][0], rows[-1][1])
    if k not in _chunk_cache:
        text = "".join(json.dumps({"ts": ts, "seq": seq, "values": v}) + "\n" for ts, seq, v in rows)
        out = subprocess.run([SPANCHUNKS, str(span_ms)], input=text.encode(), capture_output=True, timeout=120)
        if out.returncode:
            raise AssertionError("store_query_spanchunks: %s" % out.stderr.decode())
        got, data = {}, out.stdout
        while data:
            head, data = data.split(b"\n", 1)
            start, n = (int(x) for x in head.split())
            got[start], data = data[:n], data[n:]
        _chunk_cache[k] = got
    return _chunk_cache[k]


def chunk(rows):
    """The chunk of rows that lie in one raw span."""
    (data,) = chunks(rows, HOUR).values()
    return data


def xadd_commands(agent, suffix, rows):
    return [["XADD", key(agent, suffix), "%d-%d" % (ts, seq)] + [x for kv in v.items() for x in kv]
            for ts, seq, v in rows]


def load(r, agent, data, chunked_before=None, also_in_stream=False, only_spans=None):
    """Writes data for agent: per tier, the spans starting before
    chunked_before[suffix] (ms; None: none) as chunks, the other rows as
    stream entries. also_in_stream keeps every row in the stream too (a
    broken layout the writer never leaves); only_spans chunks just those
    spans (with also_in_stream)."""
    chunked_before = chunked_before or {}
    r.pipeline([["DEL"] + [key(agent, s) for s in SPAN] + [key(agent, s + ":chunks") for s in SPAN],
                ["ZADD", "nodelink:agents", BASE_MS, agent]])
    for suffix, rows in data.items():
        cut = chunked_before.get(suffix)
        made = chunks(rows, SPAN[suffix])
        hot, hset = [], []
        for start, span_rows in sorted(spans_of(rows, SPAN[suffix]).items()):
            chunked = (cut is not None and start < cut) or (only_spans is not None and start in only_spans)
            if chunked:
                hset.append(["HSET", key(agent, suffix + ":chunks"), start, made[start]])
            if not chunked or also_in_stream:
                hot += span_rows
        for i in range(0, len(hset), 100):
            r.pipeline(hset[i:i + 100])
        cmds = xadd_commands(agent, suffix, hot)
        for i in range(0, len(cmds), 2000):
            r.pipeline(cmds[i:i + 2000])


def query(url, *args):
    out = subprocess.run([TOOL, url] + [str(a) for a in args], capture_output=True, text=True, timeout=60)
    for marker in SANITIZER_MARKERS:
        if marker in out.stderr:
            raise AssertionError("store_query_tool: " + out.stderr[-3000:])
    return json.loads(out.stdout)


ALL = "cpu.usage_percent,memory.used_bytes,load.load1,disk.sda.read_bytes_per_sec"
END = BASE + 28 * 3600

# (what, tool arguments after the agent): the questions every layout must answer alike
HISTORY = [
    ("raw 10 s over everything", (BASE, END, 10, 0, ALL)),
    ("raw 10 s, truncated at 5000", (BASE, END, 10, 5000, "cpu.usage_percent")),
    ("raw 45 s", (BASE, END, 45, 0, ALL)),
    ("1m tier, completed from raw", (BASE, END, 60, 0, ALL)),
    ("1m tier at 5 min", (BASE - 3600, END + 3600, 300, 0, "cpu.usage_percent,disk.sda.read_bytes_per_sec")),
    ("1h tier", (BASE - 86400, END, 3600, 0, ALL)),
    ("2 h buckets", (BASE, END, 7200, 0, "memory.used_bytes")),
    ("max_points reached mid-chunk", (BASE + 1234, END, 30, 77, ALL)),
    ("range from mid-span to mid-span", (BASE + 1234, BASE + 15 * 3600 + 17, 30, 0, "load.load1,cpu.usage_percent")),
    ("a metric present in some hours only", (BASE, END, 20, 0, "disk.sda.read_bytes_per_sec")),
    ("the silent hours", (BASE + 6 * 3600, BASE + 10 * 3600 - 1, 10, 0, ALL)),
    ("one sample", (BASE + 3600, BASE + 3600, 1, 0, ALL)),
]
SAMPLES = [
    ("everything", (BASE_MS - 1, 10000)),
    ("from mid-span, bounded", (BASE_MS + 2 * HOUR + 123_456, 50)),
    ("across the silent hours", (BASE_MS + 6 * HOUR - 25_000, 4)),
    ("after a millisecond that holds two samples", (BASE_MS + 50_000, 3)),
    ("after the last", (BASE_MS + 28 * HOUR, 10)),
]
ROWS = [
    ("raw, everything", ("raw", 0, "max")),
    ("raw, mid-span to mid-span", ("raw", BASE_MS + HOUR + 5_000, BASE_MS + 13 * HOUR + 1)),
    ("raw, stopped after 7 rows", ("raw", BASE_MS + 30 * 60_000, "max", 7)),
    ("1m", ("1m", 0, "max")),
    ("1h", ("1h", 0, "max")),
]


def answers(url, agent):
    """{question: answer} for every question above."""
    out = {}
    for what, args in HISTORY:
        out["history: " + what] = query(url, "history", agent, *args)
    for what, args in SAMPLES:
        out["samples: " + what] = query(url, "samples", agent, *args)
    for what, args in ROWS:
        out["rows: " + what] = query(url, "rows", agent, *args)
    return out


class QueryChunksTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.redis = Redis().start()
        cls.r = Resp(cls.redis.port)
        cls.data = dataset()
        day_start = BASE_MS - BASE_MS % DAY
        cls.layouts = {
            "hot": {},
            "compacted": {"metrics": BASE_MS + 40 * HOUR, "metrics:1m": BASE_MS + 3 * DAY,
                          "metrics:1h": BASE_MS + 60 * DAY},
            "mixed": {"metrics": BASE_MS + 3 * HOUR, "metrics:1m": day_start + DAY},
            "mostly": {"metrics": BASE_MS + 20 * HOUR, "metrics:1m": BASE_MS + 3 * DAY,
                       "metrics:1h": BASE_MS + 60 * DAY},
            "gap": {"metrics": BASE_MS + 8 * HOUR},  # chunks end before the silent hours
        }
        for agent, cut in cls.layouts.items():
            load(cls.r, agent, cls.data, cut)
        cls.reference = answers(cls.redis.url, "hot")

    @classmethod
    def tearDownClass(cls):
        cls.r.close()
        cls.redis.stop()

    def assert_same_answers(self, agent):
        got = answers(self.redis.url, agent)
        for question, want in self.reference.items():
            self.assertEqual(got[question], want, "%s: %s" % (agent, question))

    # ------------------------------------------------ the reference itself

    def test_the_hot_layout_answers_from_every_row(self):
        ref = self.reference
        for question, answer in ref.items():
            self.assertEqual(answer["status"], "ok", (question, answer["message"]))
        raw = self.data["metrics"]
        walked = ref["rows: raw, everything"]["rows"]
        self.assertEqual([(ts, seq, dict(cells)) for ts, seq, cells in walked], raw, "every row, its exact strings")
        for _, _, cells in walked:
            self.assertEqual([c[0] for c in cells], sorted(c[0] for c in cells), "cells sorted by name")
        everything = ref["samples: everything"]
        self.assertEqual(len(everything["samples"]), len(raw))
        self.assertFalse(everything["more"])
        self.assertEqual([(s["timestamp"], s["seq"]) for s in everything["samples"]], [(r[0], r[1]) for r in raw])
        self.assertEqual(len(ref["history: raw 10 s over everything"]["data"]), 24 * 360)
        self.assertTrue(ref["history: raw 10 s, truncated at 5000"]["truncated"])
        capped = ref["history: max_points reached mid-chunk"]
        self.assertTrue(capped["truncated"])
        self.assertEqual(len(capped["data"]), 77)
        self.assertEqual(ref["history: the silent hours"]["data"], [])
        self.assertEqual(len(ref["rows: raw, stopped after 7 rows"]["rows"]), 7)
        self.assertEqual(ref["history: 1h tier"]["tier"], "1h")
        self.assertEqual(ref["history: 1m tier, completed from raw"]["tier"], "1m")

    def test_raw_averages_are_those_of_the_samples(self):
        sums = {}
        for ts, _, v in self.data["metrics"]:
            if "cpu.usage_percent" in v:
                s = sums.setdefault(ts // 1000 // 45 * 45, [0.0, 0])
                s[0] += float(v["cpu.usage_percent"])
                s[1] += 1
        got = {p["timestamp"]: p["cpu.usage_percent"] for p in self.reference["history: raw 45 s"]["data"]}
        self.assertEqual(sorted(got), sorted(sums))
        for b, (total, n) in sums.items():
            self.assertAlmostEqual(got[b], total / n, places=6)

    def test_rollup_tiers_agree_with_the_raw_samples(self):
        hourly = {p["timestamp"]: p["memory.used_bytes"]
                  for p in self.reference["history: 2 h buckets"]["data"]}
        sums = {}
        for ts, _, v in self.data["metrics"]:
            s = sums.setdefault(ts // 1000 // 7200 * 7200, [0, 0])
            s[0] += int(v["memory.used_bytes"])
            s[1] += 1
        self.assertEqual(sorted(hourly), sorted(sums))
        for b, (total, n) in sums.items():
            self.assertAlmostEqual(hourly[b], total / n, delta=1e-6 * total / n)

    # ------------------------------------------------ the same data laid out differently

    def test_chunks_only_answers_as_hot_only(self):
        self.assert_same_answers("compacted")

    def test_chunks_then_hot_entries_answer_as_hot_only(self):
        self.assert_same_answers("mixed")
        self.assert_same_answers("mostly")

    def test_chunks_ending_before_a_silent_stretch_answer_as_hot_only(self):
        self.assert_same_answers("gap")

    def test_a_chunk_beside_the_entries_of_its_own_span_counts_each_row_once(self):
        # the writer never leaves this (HSET and XTRIM are one transaction);
        # rows are merged by id, so each is still counted once
        load(self.r, "both", self.data, {"metrics": BASE_MS + 12 * HOUR, "metrics:1m": BASE_MS + 3 * DAY},
             also_in_stream=True)
        self.assert_same_answers("both")
        # a chunk of one span in the middle, every row in the stream as well
        load(self.r, "middle", self.data, None, also_in_stream=True, only_spans={BASE_MS + 2 * HOUR})
        self.assert_same_answers("middle")

    def test_an_hourly_tier_whose_stream_is_empty_ends_where_its_newest_chunk_does(self):
        data = hourly_only()
        load(self.r, "h-hot", data)
        load(self.r, "h-cold", data, {"metrics:1h": BASE_MS + 365 * DAY})
        self.assertEqual(self.r("XLEN", key("h-cold", "metrics:1h")), 0)
        self.assertEqual(self.r("HLEN", key("h-cold", "metrics:1h:chunks")), 4)
        for args in ((BASE - 80 * 86400, BASE + 40 * 86400, 3600, 0, "cpu.usage_percent,memory.used_bytes"),
                     (BASE - 50 * 86400, BASE - 10 * 86400 + 7, 86400, 0, "memory.used_bytes"),
                     (BASE - 80 * 86400, BASE + 40 * 86400, 7200, 100, "cpu.usage_percent")):
            hot, cold = query(self.redis.url, "history", "h-hot", *args), query(self.redis.url, "history", "h-cold",
                                                                                  *args)
            self.assertEqual(hot["status"], "ok", hot)
            self.assertEqual(hot["tier"], "1h")
            self.assertGreater(len(hot["data"]), 0)
            self.assertEqual(cold, hot, args)
        hot, cold = (query(self.redis.url, "rows", a, "1h", 0, "max") for a in ("h-hot", "h-cold"))
        self.assertEqual(len(hot["rows"]), 2400)
        self.assertEqual(cold, hot)

    def test_fields_of_the_chunk_hash_that_name_no_span_are_ignored(self):
        load(self.r, "strangers", self.data, self.layouts["mixed"])
        self.r("HSET", key("strangers", "metrics:chunks"), "note", "not a span")
        self.r("HSET", key("strangers", "metrics:chunks"), str(BASE_MS + 1), "not aligned")
        self.assert_same_answers("strangers")

    # ------------------------------------------------ corrupt chunks

    def corrupt(self, agent, suffix, span, data):
        load(self.r, agent, self.data, {"metrics": BASE_MS + 10 * HOUR, "metrics:1m": BASE_MS + 3 * DAY})
        self.r("HSET", key(agent, suffix + ":chunks"), span, data)

    def assert_error_names(self, answer, agent, tier, span, why):
        self.assertEqual(answer["status"], "error", answer["message"])
        msg = answer["message"]
        for part in ("agent '%s'" % agent, "tier %s" % tier, "span %d" % span, why):
            self.assertIn(part, msg)

    def test_a_chunk_that_is_not_a_chunk_is_an_error_naming_agent_tier_and_span(self):
        span = BASE_MS + 2 * HOUR
        self.corrupt("bad1", "metrics", span, b"not a chunk at all")
        url = self.redis.url
        for answer in (query(url, "history", "bad1", BASE, END, 10, 0, ALL),
                       query(url, "samples", "bad1", BASE_MS, 10000),
                       query(url, "rows", "bad1", "raw", 0, "max")):
            self.assert_error_names(answer, "bad1", "raw", span, "")
        # ranges that do not reach the span read fine
        self.assertEqual(query(url, "history", "bad1", BASE, BASE + 2 * 3600 - 1, 10, 0, ALL)["status"], "ok")
        self.assertEqual(query(url, "samples", "bad1", span + HOUR, 10)["status"], "ok")
        self.assertEqual(query(url, "rows", "bad1", "raw", span + HOUR, "max")["status"], "ok")

    def test_a_chunk_with_one_byte_changed_is_an_error(self):
        span = BASE_MS + 4 * HOUR
        good = bytearray(chunk(spans_of(self.data["metrics"], HOUR)[span]))
        for at in (len(good) // 2, len(good) - 1, 10):
            bad = bytes(good[:at]) + bytes([good[at] ^ 0x41]) + bytes(good[at + 1:])
            self.corrupt("bad2", "metrics", span, bad)
            answer = query(self.redis.url, "history", "bad2", BASE, END, 10, 0, "cpu.usage_percent")
            self.assert_error_names(answer, "bad2", "raw", span, "")

    def test_a_chunk_filed_under_another_span_is_an_error(self):
        rows = spans_of(self.data["metrics"], HOUR)[BASE_MS + 3 * HOUR]
        self.corrupt("bad3", "metrics", BASE_MS + 2 * HOUR, chunk(rows))
        answer = query(self.redis.url, "rows", "bad3", "raw", 0, "max")
        self.assert_error_names(answer, "bad3", "raw", BASE_MS + 2 * HOUR, "outside its span")

    def test_a_corrupt_rollup_chunk_names_its_tier(self):
        day = BASE_MS - BASE_MS % DAY
        self.corrupt("bad4", "metrics:1m", day, b"\x00" * 64)
        answer = query(self.redis.url, "history", "bad4", BASE, END, 300, 0, "cpu.usage_percent")
        self.assert_error_names(answer, "bad4", "1m", day, "")
        load(self.r, "bad5", hourly_only(), {"metrics:1h": BASE_MS + 365 * DAY})
        newest = max(int(f) for f in self.r("HKEYS", key("bad5", "metrics:1h:chunks")))
        self.r("HSET", key("bad5", "metrics:1h:chunks"), newest, b"garbage")
        answer = query(self.redis.url, "history", "bad5", BASE - 80 * 86400, BASE, 3600, 0, "cpu.usage_percent")
        self.assert_error_names(answer, "bad5", "1h", newest, "")

    # ------------------------------------------------ compaction while querying

    def race(self, agent, data, questions, want, cycles, pause, per_question):
        """Loads data all hot, then compacts its spans as the store does,
        oldest first (MULTI; HSET chunk; XTRIM MINID span end; EXEC), leaving
        each tier's newest span hot, while the questions are asked in a loop.
        Spans are compacted only while a question is being answered (at most
        per_question spans per question, each after a pause of up to `pause`
        seconds), so the race happens however fast the build is. Every
        answer must be the full one. Returns how many answers were computed
        while spans were being compacted."""
        url = self.redis.url
        made = {s: chunks(rows, SPAN[s]) for s, rows in data.items()}
        todo = sorted(((start, s) for s in made for start in sorted(made[s])[:-1]))
        during = 0
        for cycle in range(cycles):
            load(self.r, agent, data)
            stop, cond = threading.Event(), threading.Condition()
            asking = [0, False]  # question number, being answered

            def compact():
                rnd = random.Random(cycle)
                c = Resp(self.redis.port)
                seen, done = 0, 0
                try:
                    for start, suffix in todo:
                        with cond:
                            while not stop.is_set() and not (asking[1] and (asking[0] != seen or
                                                                            done < per_question)):
                                cond.wait(0.1)
                            if stop.is_set():
                                return
                            if asking[0] != seen:
                                seen, done = asking[0], 0
                            done += 1
                        time.sleep(rnd.uniform(0, pause))
                        c.pipeline([["MULTI"], ["HSET", key(agent, suffix + ":chunks"), start, made[suffix][start]],
                                    ["XTRIM", key(agent, suffix), "MINID", start + SPAN[suffix]], ["EXEC"]])
                finally:
                    c.close()

            t = threading.Thread(target=compact)
            t.start()
            try:
                k = 0
                while t.is_alive():
                    q, w = questions[k % len(questions)], want[k % len(questions)]
                    before = self.r("HLEN", key(agent, "metrics:chunks"))
                    with cond:
                        asking[:] = [k + 1, True]
                        cond.notify()
                    got = query(url, *q)
                    with cond:
                        asking[1] = False
                    after = self.r("HLEN", key(agent, "metrics:chunks"))
                    during += before != after
                    if got != w:
                        self.fail("cycle %d, %s, while chunks went %d..%d: %s" %
                                  (cycle, q, before, after, got.get("message") or "a different answer"))
                    k += 1
            finally:
                stop.set()
                t.join()
            self.assertEqual(self.r("HLEN", key(agent, "metrics:chunks")), len(made["metrics"]) - 1)
            for q, w in zip(questions, want):
                self.assertEqual(query(url, *q), w, "after compaction: %s" % (q,))
        return during

    def test_queries_see_every_row_once_while_spans_are_compacted(self):
        picks = [("history: ", HISTORY[0]), ("history: ", HISTORY[3]), ("samples: ", SAMPLES[0]),
                 ("rows: ", ROWS[0]), ("rows: ", ROWS[3])]
        questions = [(what.split(":")[0], "cc") + args for what, (_, args) in picks]
        want = [self.reference[what + name] for what, (name, _) in picks]
        data = {s: self.data[s] for s in ("metrics", "metrics:1m")}
        during = self.race("cc", data, questions, want, cycles=3, pause=0.01, per_question=1)
        self.assertGreater(during, 10, "answers computed while spans were being compacted")

    def test_a_reader_crossing_the_compaction_front_misses_nothing(self):
        """Sparse samples over many spans, compacted as fast as Redis goes:
        every round of every walk meets spans being compacted."""
        rows = [(BASE_MS - 60 * DAY + i * 420_000, 0, {"cpu.usage_percent": str(i % 100),
                                                        "memory.used_bytes": str(i)}) for i in range(60 * 24 * 60 // 7)]
        data = {"metrics": rows}
        lo = (BASE_MS - 60 * DAY) // 1000
        load(self.r, "front-ref", data)
        questions = [("rows", "front", "raw", 0, "max"), ("samples", "front", 0, 10000),
                     ("history", "front", lo, BASE, 420, 0, "cpu.usage_percent,memory.used_bytes")]
        want = []
        for q in questions:
            w = query(self.redis.url, q[0], "front-ref", *q[2:])
            self.assertEqual(w["status"], "ok", w["message"])
            want.append(w)
        self.assertEqual(len(want[0]["rows"]), len(rows))
        during = self.race("front", data, questions, want, cycles=3, pause=0.0002, per_question=120)
        self.assertGreater(during, 10, "answers computed while spans were being compacted")


if __name__ == "__main__":
    unittest.main()
