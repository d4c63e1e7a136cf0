"""nodelink-store through Redis outages and restarts (real redis-server)."""
import time
import unittest

from harness import Redis, wait_for
import test_store_ingest as rigmod

BASE_MS = rigmod.BASE_MS


class StoreResilienceTest(unittest.TestCase):
    def test_a_redis_restart_in_the_middle_of_a_stream_loses_nothing(self):
        with rigmod.StoreRig(appendonly=True) as rig:
            rig.send_samples("a1", range(1, 201))
            rig.wait_xlen("a1", 200)
            rig.redis.stop()
            rig.send_samples("a1", range(201, 401))   # while Redis is down
            # buffering may be seen a moment before the lost connection is noticed
            counters = rig.wait_health(lambda c: c.get("buffer_depth") == 200 and c.get("redis_connected") == 0,
                                       "200 samples buffered, Redis seen as down")
            self.assertEqual(counters["stored"], 200)
            rig.redis.start()                          # same port, same data dir
            rig.send_samples("a1", range(401, 451))
            rig.wait_xlen("a1", 450, timeout=20)
            ids = [int(e[0].split("-")[0]) for e in rig.entries("a1")]
            self.assertEqual(ids, [BASE_MS + s * 5000 for s in range(1, 451)], "every sample, in order, once")
            counters = rig.wait_health(lambda c: c.get("buffer_depth") == 0 and c.get("stored") == 450,
                                       "buffer flushed")
            self.assertGreaterEqual(counters["reconnects"], 1)
            self.assertEqual(counters["dropped"], 0)

    def test_with_appendonly_the_data_survives_a_redis_restart(self):
        with rigmod.StoreRig(appendonly=True) as rig:
            rig.send_samples("a1", range(1, 51))
            rig.send(rig.system("a1", 51, BASE_MS))
            rig.wait_xlen("a1", 50)
            wait_for(lambda: "".join(rig.redis.raw("GET", rig.key("a1", "system"))), what="system info")
            rig.stop_store()
            rig.redis.stop()
            rig.redis.start()
            self.assertEqual(rig.xlen("a1"), 50)
            self.assertIn("Test CPU", "".join(rig.redis.raw("GET", rig.key("a1", "system"))))
            self.assertEqual(rig.redis.raw("HGET", rig.key("a1", "cursor"), "seq"), ["51"])
            # a store started afterwards continues the stream without duplicates
            rig.start_store()
            rig.send_samples("a1", range(40, 61))
            rig.wait_xlen("a1", 59)
            time.sleep(0.3)
            self.assertEqual(rig.xlen("a1"), 59)

    def test_beyond_the_buffer_bound_the_oldest_samples_are_dropped_and_counted(self):
        with rigmod.StoreRig("--store.buffer_max=16KB") as rig:
            rig.send_samples("a1", range(1, 11))
            rig.wait_xlen("a1", 10)
            rig.redis.stop()
            rig.send_samples("a1", range(11, 311))
            counters = rig.wait_health(lambda c: c.get("received") == 310, "all frames received")
            self.assertGreater(counters["dropped"], 0)
            self.assertLessEqual(counters["buffer_bytes"], 16 * 1024)
            dropped = counters["dropped"]
            rig.redis.start()
            # without appendonly the restarted Redis is empty: what remains is
            # exactly the newest buffered samples, in order
            kept = 300 - dropped
            rig.wait_xlen("a1", kept)
            ids = [int(e[0].split("-")[0]) for e in rig.entries("a1")]
            self.assertEqual(ids, [BASE_MS + s * 5000 for s in range(311 - kept, 311)])


if __name__ == "__main__":
    unittest.main()
