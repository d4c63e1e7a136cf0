"""nodelink-store compacts spans older than the hot window into chunks
(real redis-server, the real store, chunks decoded by the C codec's chunktool).

What is checked: every sample is, after compaction, exactly once in Redis -
in its span's chunk or in the stream - with the very strings the stream held
(the reference is the same samples stored with compaction off); the newest
span stays readable; rollup tiers compact too; chunks expire with retention;
and a store killed with SIGKILL at random moments loses nothing and stores
nothing twice."""
import csv
import io
import os
import queue
import random
import signal
import subprocess
import threading
import time
import unittest

from harness import BUILD, wait_for
import test_store_ingest as rigmod

BASE_MS = rigmod.BASE_MS
HOUR = 3_600_000
CHUNKTOOL = os.path.join(BUILD, "tests", "chunktool")


def varied(s):
    """Values that move like a host's: bursts, steps, a counter that resets."""
    rnd = random.Random(s)
    cpu = 5 + 80 * (s % 97 < 9) + rnd.random() * 10
    used = (1 << 30) + (s % 700) * 4096 * 13 + (rnd.randrange(1000) if s % 3 else 0)
    return {"cpu": cpu, "used": used, "load1": round((s % 50) / 7.0, 3)}


def send_varied(rig, agent, seqs, step_ms=5000, epoch=1):
    for s in seqs:
        rig.send(rig.sample(agent, s, BASE_MS + s * step_ms, epoch=epoch, **varied(s)))


def raw(rig, *args):
    """redis-cli output as bytes (chunks are binary)."""
    return subprocess.run(["redis-cli", "-p", str(rig.redis.port), "--no-raw"] + list(args),
                          capture_output=True, check=True).stdout


def chunk_bytes(rig, agent, field, suffix="metrics:chunks"):
    out = subprocess.run(["redis-cli", "-p", str(rig.redis.port), "--raw", "HGET", rig.key(agent, suffix), field],
                         capture_output=True, check=True).stdout
    return out[:-1] if out.endswith(b"\n") else out  # --raw adds one newline


def chunk_rows(rig, agent, field, suffix="metrics:chunks"):
    """[(id, {field: value})] of one chunk, through the C decoder."""
    path = os.path.join(rig.tmp, "c.chunk")
    with open(path, "wb") as f:
        f.write(chunk_bytes(rig, agent, field, suffix))
    out = subprocess.run([CHUNKTOOL, "csv", path], capture_output=True, text=True)
    if out.returncode:
        raise AssertionError("chunktool: %s" % out.stderr)
    rows = list(csv.reader(io.StringIO(out.stdout)))
    head = rows[0]
    return [("%s-%s" % (r[0], r[1]), {head[i]: r[i] for i in range(2, len(r)) if r[i] != ""}) for r in rows[1:]]


def chunk_fields(rig, agent, suffix="metrics:chunks"):
    return sorted(int(f) for f in rig.redis.raw("HKEYS", rig.key(agent, suffix)) if f)


def everything(rig, agent, stream="metrics"):
    """Chunks then stream entries: the whole history as stored."""
    rows = []
    for f in chunk_fields(rig, agent, stream + ":chunks"):
        rows += chunk_rows(rig, agent, str(f), stream + ":chunks")
    return rows + rig.entries(agent, stream)


def stored_upto(rig, agent="k1"):
    """The sequence after the last one the store wrote (its cursor)."""
    out = rig.redis.raw("HGET", rig.key(agent, "cursor"), "seq")
    return int(out[0]) + 1 if out and out[0].isdigit() else 0


ON = "--store.compaction=true"


class StoreCompactionTest(unittest.TestCase):
    def reference(self, agent, seqs, *args, step_ms=5000):
        """The entries the store writes for these samples with compaction off."""
        with rigmod.StoreRig("--store.compaction=false", *args) as rig:
            send_varied(rig, agent, seqs, step_ms)
            rig.wait_xlen(agent, len(seqs))
            return rig.entries(agent)

    def test_spans_past_the_hot_window_become_chunks_with_the_same_strings(self):
        seqs = range(0, 5 * 720)  # five hours at 5 s
        want = self.reference("c1", seqs)
        with rigmod.StoreRig(ON, "--store.hot_window=1h") as rig:
            send_varied(rig, "c1", seqs)
            # the newest sample is at 5h - 5s: spans ending by 4h - 5s are due, the 4th is not
            wait_for(lambda: chunk_fields(rig, "c1") == [BASE_MS, BASE_MS + HOUR, BASE_MS + 2 * HOUR],
                     timeout=20, what="three chunks")
            rig.wait_xlen("c1", 2 * 720)
            self.assertEqual(rig.entries("c1")[0][0], "%d-0" % (BASE_MS + 3 * HOUR), "the stream starts at the 4th hour")
            got = everything(rig, "c1")
            self.assertEqual(len(got), len(want))
            self.assertEqual(got, want, "every sample once, the same strings, in order")
            c = rig.wait_health(lambda c: c.get("compacted_spans") == 3, "compaction counters")
            self.assertEqual(c["compacted_rows"], 3 * 720)
            self.assertGreater(c["chunk_bytes"], 0)
            self.assertEqual(c["compact_refused"], 0)
            self.assertEqual(c["redis_errors"], 0)

    def test_chunks_take_far_less_memory_than_the_entries_they_replace(self):
        seqs = range(0, 3 * 720)
        with rigmod.StoreRig("--store.compaction=false") as rig:
            send_varied(rig, "m1", seqs)
            rig.wait_xlen("m1", len(seqs))
            hot = int(rig.redis.raw("MEMORY", "USAGE", rig.key("m1"), "SAMPLES", "0")[0])
        with rigmod.StoreRig(ON, "--store.hot_window=0s") as rig:
            send_varied(rig, "m1", seqs)
            wait_for(lambda: len(chunk_fields(rig, "m1")) == 2, timeout=20, what="two chunks")
            cold = int(rig.redis.raw("MEMORY", "USAGE", rig.key("m1", "metrics:chunks"), "SAMPLES", "0")[0])
        # two of the three hours as chunks against all three as entries
        self.assertLess(cold * 1.5, hot / 4, "chunks: %d B for 2 h, entries: %d B for 3 h" % (cold, hot))

    def test_an_agent_silent_for_hours_leaves_no_empty_chunks_and_resumes(self):
        seqs = list(range(0, 720)) + list(range(6 * 720, 8 * 720))  # an hour, five hours off, two hours
        want = self.reference("g1", seqs)
        with rigmod.StoreRig(ON, "--store.hot_window=30m") as rig:
            send_varied(rig, "g1", seqs)
            wait_for(lambda: chunk_fields(rig, "g1") == [BASE_MS, BASE_MS + 6 * HOUR], timeout=20,
                     what="the chunks of the two hours with data before the last")
            self.assertEqual(everything(rig, "g1"), want)

    def test_rollup_tiers_compact_into_day_chunks(self):
        seqs = range(0, 3 * 1440)  # three days at one minute
        with rigmod.StoreRig(ON, "--store.hot_window=1h", "--store.hot_window_1m=1h") as rig:
            send_varied(rig, "r1", seqs, step_ms=60000)
            day = 86_400_000
            first_day = BASE_MS - BASE_MS % day
            wait_for(lambda: chunk_fields(rig, "r1", "metrics:1m:chunks")[:1] == [first_day], timeout=30,
                     what="a day of 1-minute rollups in a chunk")
            rows = everything(rig, "r1", "metrics:1m")
            ids = [int(r[0].split("-")[0]) for r in rows]
            self.assertEqual(ids, sorted(set(ids)), "each minute once, in order")
            self.assertTrue(all(len(v["cpu.usage_percent"].split()) in (2, 4) for _, v in rows),
                            "rollup values kept as written")

    def test_chunks_expire_with_retention(self):
        seqs = range(0, 6 * 720)
        with rigmod.StoreRig(ON, "--store.hot_window=0s") as rig:
            send_varied(rig, "e1", seqs)
            spans = [BASE_MS + h * HOUR for h in range(5)]
            wait_for(lambda: chunk_fields(rig, "e1") == spans, timeout=20, what="five chunks")
            rig.stop_store()
            rig.start_store("--metrics.storage.retention_period=3h", "--store.trim_interval=200ms")
            rig.send_samples("e1", [6 * 720], ts_of=lambda s: BASE_MS + s * 5000)  # wakes the agent's sync
            # the newest sample is now at 6h: spans ending by 3h expire, and
            # the 6th hour is compacted (hot window 0)
            spans.append(BASE_MS + 5 * HOUR)
            wait_for(lambda: chunk_fields(rig, "e1") == spans[3:], timeout=20,
                     what="the chunks within retention")
            c = rig.wait_health(lambda c: c.get("expired_chunks") == 3, "expired counter")
            self.assertEqual(c["redis_errors"], 0)

    def test_a_store_killed_at_random_moments_of_compaction_loses_nothing_and_stores_nothing_twice(self):
        # Each turn adds an hour of samples, so a span falls due; the store
        # is killed with SIGKILL at a random moment of its compaction: when
        # Redis MONITOR shows one of the span's commands (reading it, MULTI,
        # HSET, XTRIM, EXEC), a random 0-3 ms later, or at a random time
        # when no compaction command is seen.
        rnd = random.Random(int(os.environ.get("NODELINK_KILL_SEED", "7")))
        turns = int(os.environ.get("NODELINK_KILL_TURNS", "150"))
        per = 720
        total = turns * per
        with rigmod.StoreRig(ON, "--store.hot_window=0s", "--store.compact_budget=2s", "--store.upkeep_interval=50ms",
                             appendonly=True) as rig:
            monitor = subprocess.Popen(["redis-cli", "-p", str(rig.redis.port), "MONITOR"],
                                       stdout=subprocess.PIPE, text=True, bufsize=1)
            seen = queue.Queue()
            marks = ('"MULTI"', '"HSET" "nodelink:{k1}:metrics:chunks"', '"XTRIM" "nodelink:{k1}:metrics" "MINID"',
                     '"EXEC"', '"HGET" "nodelink:{k1}:metrics:chunks"')

            log = []

            def watch():
                for line in monitor.stdout:
                    if any(m in line for m in marks):
                        seen.put(line)
                        log.append(line)
            threading.Thread(target=watch, daemon=True).start()
            in_compaction = 0
            try:
                for turn in range(turns):
                    if turn:
                        rig.start_store()
                    while not seen.empty():
                        seen.get_nowait()
                    # this turn's hour, after what the killed stores had not written
                    send_varied(rig, "k1", range(stored_upto(rig), (turn + 1) * per))
                    target = rnd.randrange(len(marks) + 1)
                    deadline = time.monotonic() + 3
                    while target < len(marks) and time.monotonic() < deadline:
                        try:
                            line = seen.get(timeout=0.05)
                        except queue.Empty:
                            continue
                        if marks[target] in line or (target == 0 and '"MULTI"' in line):
                            time.sleep(rnd.random() * 0.003)
                            in_compaction += 1
                            break
                    else:
                        time.sleep(rnd.random() * 0.5)
                    rig.store.signal(signal.SIGKILL)
                    rig.store.proc.wait()
                    rig.store.kill()
                    rig.store = None
            finally:
                monitor.kill()
                monitor.wait()
                monitor.stdout.close()
            rig.start_store()
            send_varied(rig, "k1", range(stored_upto(rig), total))
            last = BASE_MS + (total - 1) * 5000
            wait_for(lambda: (chunk_fields(rig, "k1") or [0])[-1] == last - last % HOUR - HOUR, timeout=60,
                     what="compaction caught up")
            got = everything(rig, "k1")
            ids = [r[0] for r in got]
            self.assertEqual(len(ids), len(set(ids)), "no sample twice")
            self.assertEqual(ids, ["%d-0" % (BASE_MS + s * 5000) for s in range(total)], "every sample, in order")
            for eid, fields in got[:: max(1, total // 1000)]:
                s = (int(eid.split("-")[0]) - BASE_MS) // 5000
                self.assertEqual(fields["memory.used_bytes"], str(varied(s)["used"]), eid)
            self.assertGreater(in_compaction, turns // 2, "most kills landed inside a compaction")
            # and, as Redis saw it, every chunk write and stream trim was inside MULTI ... EXEC
            open_tx, writes = {}, 0
            for line in log:
                client = line.split("]", 1)[0].rsplit(" ", 1)[-1]
                if '"MULTI"' in line:
                    open_tx[client] = True
                elif '"EXEC"' in line:
                    open_tx[client] = False
                elif '"HGET"' not in line:
                    writes += 1
                    self.assertTrue(open_tx.get(client), "outside a transaction: " + line[:200])
            self.assertGreater(writes, turns)


if __name__ == "__main__":
    unittest.main()
