"""nodelinkctl export: an agent's stored history as CSV or JSON lines, read
from a private redis-server laid out hot, compacted or both (states built as
in test_query_chunks), compared byte for byte with what the rows say; its
errors and exit statuses (broker/ctl/ctl.h)."""
import json
import os
import subprocess
import unittest

from harness import BIN, SANITIZER_MARKERS, Redis, free_port
import test_query_chunks as tq

CTL = os.path.join(BIN, "nodelinkctl")
BASE_MS, HOUR, DAY = tq.BASE_MS, tq.HOUR, tq.DAY


def csv_cell(v):
    if any(c in v for c in ',"\r\n'):
        return '"' + v.replace('"', '""') + '"'
    return v


def want_csv(rows):
    names = sorted({n for _, _, v in rows for n in v})
    lines = [",".join(["ts_ms", "seq"] + names)]
    for ts, seq, v in rows:
        lines.append(",".join([str(ts), str(seq)] + [csv_cell(v[n]) if n in v else "" for n in names]))
    return "\n".join(lines) + "\n"


def want_jsonl(rows):
    return "".join(json.dumps({"ts_ms": ts, "seq": seq, "values": dict(sorted(v.items()))},
                              separators=(",", ":"), ensure_ascii=False) + "\n" for ts, seq, v in rows)


class CtlExportTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.redis = Redis().start()
        cls.r = tq.Resp(cls.redis.port)
        cls.data = tq.dataset()
        # one sample whose values need quoting in CSV (not something the
        # store writes, but the stored strings are exported as they are)
        odd = (BASE_MS + 28 * HOUR + 5, 0, {"cpu.usage_percent": '1,5 "x"', "zz.note": "line"})
        cls.data["metrics"] = cls.data["metrics"] + [odd]
        cls.layouts = {
            "hot": {},
            "cold": {"metrics": BASE_MS + 40 * HOUR, "metrics:1m": BASE_MS + 3 * DAY,
                     "metrics:1h": BASE_MS + 60 * DAY},
            "mixed": {"metrics": BASE_MS + 11 * HOUR, "metrics:1m": BASE_MS - BASE_MS % DAY + DAY},
        }
        for agent, cut in cls.layouts.items():
            tq.load(cls.r, agent, cls.data, cut)

    @classmethod
    def tearDownClass(cls):
        cls.r.close()
        cls.redis.stop()

    def ctl(self, *args, url=None):
        out = subprocess.run([CTL, "export"] + [str(a) for a in args] + ["--redis.url=" + (url or self.redis.url)],
                             capture_output=True, text=True, timeout=60)
        for marker in SANITIZER_MARKERS:
            self.assertNotIn(marker, out.stderr)
        return out

    def assert_exports(self, rows, *args):
        for agent in self.layouts:
            for fmt, want in (("csv", want_csv(rows)), ("jsonl", want_jsonl(rows))):
                out = self.ctl(agent, "--format=" + fmt, *args)
                self.assertEqual((out.returncode, out.stderr), (0, ""), (agent, fmt, args))
                self.assertEqual(out.stdout, want, (agent, fmt, args))

    # ------------------------------------------------ output

    def test_every_raw_row_with_its_stored_strings_in_every_layout(self):
        self.assert_exports(self.data["metrics"])

    def test_csv_is_the_default_format(self):
        out = self.ctl("mixed", "--from=%d" % (BASE_MS // 1000), "--to=%d" % (BASE_MS // 1000 + 59))
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertEqual(out.stdout, want_csv([r for r in self.data["metrics"] if r[0] < BASE_MS + 60_000]))

    def test_from_and_to_in_seconds_take_whole_seconds(self):
        lo, hi = BASE_MS + HOUR + 5_000, BASE_MS + 13 * HOUR + 10_000
        rows = [r for r in self.data["metrics"] if lo <= r[0] <= hi + 999]
        self.assertEqual(rows[-1][0], hi, "the last second's sample is in")
        self.assert_exports(rows, "--from=%d" % (lo // 1000), "--to=%d" % (hi // 1000))

    def test_from_and_to_in_milliseconds_are_exact(self):
        lo, hi = BASE_MS + 2 * HOUR + 1, BASE_MS + 26 * HOUR + 10_000
        rows = [r for r in self.data["metrics"] if lo <= r[0] <= hi]
        self.assertEqual(rows[-1][0], hi)
        self.assert_exports(rows, "--from=%dms" % lo, "--to", "%dms" % hi)
        self.assert_exports([r for r in self.data["metrics"] if r[0] == hi], "--from=%dms" % hi, "--to=%dms" % hi)

    def test_rollup_tiers(self):
        self.assert_exports(self.data["metrics:1m"], "--tier=1m")
        self.assert_exports(self.data["metrics:1h"], "--tier", "1h")

    def test_a_range_without_rows_is_a_header_or_nothing(self):
        silent = ["--from=%d" % (BASE_MS // 1000 + 6 * 3600), "--to=%d" % (BASE_MS // 1000 + 10 * 3600 - 1)]
        for agent in self.layouts:
            out = self.ctl(agent, *silent)
            self.assertEqual((out.returncode, out.stdout, out.stderr), (0, "ts_ms,seq\n", ""))
            out = self.ctl(agent, "--format=jsonl", *silent)
            self.assertEqual((out.returncode, out.stdout, out.stderr), (0, "", ""))

    def test_values_that_need_it_are_quoted_in_csv(self):
        out = self.ctl("cold", "--from=%dms" % (BASE_MS + 28 * HOUR))
        self.assertEqual(out.stdout.splitlines(), [
            "ts_ms,seq,cpu.usage_percent,zz.note", "%d,0,\"1,5 \"\"x\"\"\",line" % (BASE_MS + 28 * HOUR + 5)])

    def test_a_closed_output_stops_the_export_quietly(self):
        p = subprocess.Popen([CTL, "export", "hot", "--redis.url=" + self.redis.url], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
        self.assertTrue(p.stdout.readline().startswith("ts_ms,seq,"))
        p.stdout.close()
        err = p.stderr.read()
        p.stderr.close()
        self.assertEqual((p.wait(timeout=60), err), (1, ""))

    # ------------------------------------------------ errors and exit statuses

    def assert_fails(self, out, status, *words):
        self.assertEqual(out.returncode, status, out.stderr)
        self.assertEqual(out.stdout, "")
        self.assertTrue(out.stderr.startswith("nodelinkctl: "), out.stderr)
        self.assertEqual(len(out.stderr.splitlines()), 1, out.stderr)
        for w in words:
            self.assertIn(w, out.stderr)

    def test_an_agent_without_history_exits_4(self):
        self.assert_fails(self.ctl("nobody"), 4, "no history of agent 'nobody'")

    def test_an_unreachable_redis_exits_11(self):
        self.assert_fails(self.ctl("hot", url="redis://127.0.0.1:%d" % free_port()), 11, "unreachable",
                          "--redis.url")

    def test_usage_errors_exit_2_and_say_what_is_wrong(self):
        for args, words in [
            (["--format=xml"], ["format: must be csv or jsonl"]),
            (["--tier=5m"], ["tier: must be raw, 1m or 1h"]),
            (["--from=yesterday"], ["from:", "Unix seconds"]),
            (["--from=%d" % BASE_MS], ["from:", "%dms" % BASE_MS]),
            (["--to=12s"], ["to:", "not a time"]),
            (["--from=2000000000", "--to=1900000000"], ["--from (2000000000) is after --to (1900000000)"]),
        ]:
            self.assert_fails(self.ctl("hot", *args), 2, *words)
        self.assert_fails(self.ctl("hot", url="http://x"), 2, "redis.url", "scheme")
        self.assert_fails(self.ctl("bad id!"), 2, "invalid agent id")
        out = subprocess.run([CTL, "export"], capture_output=True, text=True, timeout=30)
        self.assert_fails(out, 2, "usage: nodelinkctl export AGENT")

    def test_a_span_that_cannot_be_decoded_exits_1_and_names_it(self):
        tq.load(self.r, "broken", self.data, self.layouts["mixed"])
        span = BASE_MS + 3 * HOUR
        self.r("HSET", tq.key("broken", "metrics:chunks"), span, b"\x01\x02garbage")
        out = self.ctl("broken", "--format=jsonl")
        self.assertEqual(out.returncode, 1, out.stderr)
        self.assertIn("agent 'broken', tier raw: chunk of span %d" % span, out.stderr)
        self.assertEqual(out.stdout, want_jsonl([r for r in self.data["metrics"] if r[0] < span]),
                         "the rows before the span, then the failure")
        out = self.ctl("broken")
        self.assert_fails(out, 1, "span %d" % span)

    def test_help_documents_the_command_and_the_new_exit_status(self):
        out = subprocess.run([CTL, "export", "--help"], capture_output=True, text=True, timeout=30)
        self.assertEqual(out.returncode, 0)
        for w in ("nodelinkctl export AGENT", "redis.url", "format", "from", "tier", "<n>ms"):
            self.assertIn(w, out.stdout)
        out = subprocess.run([CTL, "--help"], capture_output=True, text=True, timeout=30)
        self.assertIn("export AGENT", out.stdout)
        self.assertIn("11  export: the store's Redis is unreachable", out.stdout)


if __name__ == "__main__":
    unittest.main()
