"""The chunk format (docs/storage.md, "Chunk format") read by two decoders:
rows encoded by the C library (through chunktool) must print exactly the
same CSV from chunktool and from the Python reference decoder
store/chunk/chunkcat.py, and that CSV must be exactly the input."""
import hashlib
import json
import os
import random
import subprocess
import tempfile
import unittest

from harness import BUILD, REPO

CHUNKTOOL = os.path.join(BUILD, "tests", "chunktool")
CHUNKCAT = os.path.join(REPO, "store", "chunk", "chunkcat.py")
FIXTURES = os.path.join(REPO, "tests", "fixtures", "chunk")
# SHA-256 of the CSV of each committed chunk (tests/fixtures/chunk/README.md):
# version-1 chunks must keep decoding to exactly these rows
FIXTURE_CSV_SHA256 = {
    "raw-1h-5s.chunk": "c959209e8894a79bb0ffc9d0de8ad1ed284b52f46ed7962b9a0dbd82eb000df1",
    "rollup-1m-1h.chunk": "2d5b964291f30847b969146bfc23107e0e1aee481ed5d7be424f28c85fefd1cc",
}


def lean(v, places):
    """A value as the store writes it (store/numfmt.h): rounded, trailing
    zeros dropped, whole numbers as integers, never -0."""
    text = "%.*f" % (places, v)
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def raw_rows(n, seed=1):
    """n samples every 5 s of an agent with two cores, memory, a disk that
    appears half-way, a NIC, load; some rows in the same ms (seq 1)."""
    rnd = random.Random(seed)
    rows, ts, cpu, rx = [], 1690538400000, 20.0, 0
    for i in range(n):
        cpu = min(100.0, max(0.0, cpu + rnd.uniform(-5, 5)))
        rx += rnd.randrange(0, 1 << 20)
        v = {
            "cpu.usage_percent": lean(cpu, 2),
            "cpu.core.0.usage_percent": lean(cpu * rnd.uniform(0.5, 1.5) % 100, 2),
            "cpu.core.1.usage_percent": lean(cpu * rnd.uniform(0.5, 1.5) % 100, 2),
            "memory.total_bytes": "34359738368",
            "memory.used_bytes": str(12884901888 + 4096 * rnd.randrange(-1000, 1000)),
            "memory.usage_percent": lean(37.5 + rnd.uniform(-1, 1), 2),
            "net.eth0.bytes_recv_per_sec": str(rnd.randrange(0, 1 << 24)),
            "net.eth0.bytes_recv_total": str(rx),
            "load.load1": lean(rnd.uniform(0, 4), 2),
            "processes.total": str(300 + rnd.randrange(-5, 5)),
        }
        if i >= n // 2:
            v["disk.sdb.read_bytes_per_sec"] = str(rnd.choice([0, 0, 4096, rnd.randrange(1 << 30)]))
        if i % 17 == 3:
            del v["load.load1"]
        seq = 1 if i % 50 == 49 else 0
        if not seq:
            ts += 5000 + rnd.randrange(-3, 4)
        rows.append({"ts": ts, "seq": seq, "values": v})
    return rows


def rollup_rows(n, seed=2):
    """1-minute rollups: "avg min max count" or "value count"."""
    rnd = random.Random(seed)
    rows = []
    for i in range(n):
        lo, hi = sorted(rnd.uniform(0, 100) for _ in range(2))
        same = rnd.random() < 0.3
        cpu = "%s 12" % lean(lo, 2) if same else "%s %s %s 12" % (lean((lo + hi) / 2, 4), lean(lo, 2), lean(hi, 2))
        rows.append({"ts": 1690538400000 + 60000 * i, "seq": 0,
                     "values": {"cpu.usage_percent": cpu, "memory.total_bytes": "34359738368 12"}})
    return rows


def odd_rows():
    """Values the codec keeps as text, and timestamps at the edges."""
    values = ["1.50", "-0", "007", "1e5", "18446744073709551616", "a,b", 'say "hi"', "two  spaces",
              "9223372036854775807", "-9223372036854775808", "0.000000001", "π", "1 2 3"]
    rows, ts = [], -(1 << 62)
    for i, v in enumerate(values):
        rows.append({"ts": ts, "seq": i % 2, "values": {"odd.value": v, "n": str(i)}})
        ts += 1 if i % 2 else 0
        ts += (1 << 61) if i == 5 else 0
    return rows


def expected_csv(rows):
    names = sorted({k for r in rows for k in r["values"]}, key=lambda s: s.encode())

    def cell(v):
        if v is None:
            return ""
        return '"%s"' % v.replace('"', '""') if any(c in v for c in ',"\r\n') else v
    lines = [",".join(["ts_ms", "seq"] + names)]
    for r in rows:
        lines.append(",".join([str(r["ts"]), str(r["seq"])] + [cell(r["values"].get(n)) for n in names]))
    return ("\n".join(lines) + "\n").encode()


def run(argv, stdin=None):
    out = subprocess.run(argv, input=stdin, capture_output=True, timeout=60)
    if b"Sanitizer" in out.stderr or b"runtime error" in out.stderr:
        raise AssertionError(out.stderr.decode(errors="replace")[-3000:])
    return out


class ChunkFormatTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="nodelink-chunk-")
        self.addCleanup(self.tmp.cleanup)

    def encode(self, rows, name="x.chunk", *args):
        jsonl = "".join(json.dumps(r) + "\n" for r in rows).encode()
        out = run([CHUNKTOOL, "encode"] + list(args), jsonl)
        self.assertEqual(out.returncode, 0, out.stderr)
        path = os.path.join(self.tmp.name, name)
        with open(path, "wb") as f:
            f.write(out.stdout)
        return path

    def both_decoders(self, path):
        c = run([CHUNKTOOL, "csv", path])
        self.assertEqual(c.returncode, 0, c.stderr)
        py = run(["/usr/bin/python3", CHUNKCAT, path])
        self.assertEqual(py.returncode, 0, py.stderr)
        self.assertEqual(py.stdout, c.stdout, "chunkcat.py and chunktool disagree")
        return c.stdout

    def test_raw_samples_print_the_same_from_both_decoders_and_equal_the_input(self):
        rows = raw_rows(720)
        path = self.encode(rows)
        self.assertEqual(self.both_decoders(path), expected_csv(rows))
        values = sum(len(r["values"]) for r in rows)
        self.assertLess(os.path.getsize(path) / values, 3.0, "random data, but still compressed")

    def test_rollup_tuples_print_the_same_from_both_decoders(self):
        rows = rollup_rows(1440)
        path = self.encode(rows, "r.chunk", "--level", "19")
        self.assertEqual(self.both_decoders(path), expected_csv(rows))

    def test_text_values_huge_numbers_and_extreme_timestamps_round_trip(self):
        rows = odd_rows()
        self.assertEqual(self.both_decoders(self.encode(rows)), expected_csv(rows))

    def test_merged_late_rows_print_like_one_chunk_of_all_rows(self):
        rows = raw_rows(200, seed=5)
        base = self.encode(rows[::2], "base.chunk")
        late = "".join(json.dumps(r) + "\n" for r in reversed(rows[1::2])).encode()
        out = run([CHUNKTOOL, "merge", base], late)
        self.assertEqual(out.returncode, 0, out.stderr)
        merged = os.path.join(self.tmp.name, "merged.chunk")
        with open(merged, "wb") as f:
            f.write(out.stdout)
        self.assertEqual(self.both_decoders(merged), expected_csv(rows))
        with open(self.encode(rows, "all.chunk"), "rb") as f:
            self.assertEqual(out.stdout, f.read(), "a merge makes the bytes of a chunk built in order")

    def test_both_decoders_refuse_a_damaged_chunk(self):
        path = self.encode(raw_rows(50))
        with open(path, "rb") as f:
            data = bytearray(f.read())
        data[len(data) // 2] ^= 0x10
        with open(path, "wb") as f:
            f.write(data)
        self.assertNotEqual(run([CHUNKTOOL, "csv", path]).returncode, 0)
        self.assertNotEqual(run(["/usr/bin/python3", CHUNKCAT, path]).returncode, 0)

    def test_chunks_of_a_real_agent_decode_to_the_same_rows_forever(self):
        for name, digest in sorted(FIXTURE_CSV_SHA256.items()):
            csv = self.both_decoders(os.path.join(FIXTURES, name))
            self.assertEqual(hashlib.sha256(csv).hexdigest(), digest, name)
            # and the encoder of today gives back the same rows
            lines = csv.decode().splitlines()
            names = lines[0].split(",")[2:]
            rows = []
            for line in lines[1:]:
                cells = line.split(",")
                rows.append({"ts": int(cells[0]), "seq": int(cells[1]),
                             "values": {n: v for n, v in zip(names, cells[2:]) if v}})
            self.assertEqual(self.both_decoders(self.encode(rows, "again.chunk")), csv, name)

    def test_rows_out_of_order_are_refused_by_encode(self):
        rows = raw_rows(3)
        rows[1], rows[2] = rows[2], rows[1]
        jsonl = "".join(json.dumps(r) + "\n" for r in rows).encode()
        out = run([CHUNKTOOL, "encode"], jsonl)
        self.assertNotEqual(out.returncode, 0)
        self.assertIn(b"not after", out.stderr)


if __name__ == "__main__":
    unittest.main()
