"""nodelink-broker: every published frame is checked; garbage is dropped and
counted while valid traffic keeps flowing. The subscriber here is a
third-party program: Python with Debian's python3-zmq, decoding with code
protoc generates from proto/nodelink.proto at test time (broker_fakes.pb)."""
import os
import time
import unittest

from broker_fakes import FakeAgent, Subscriber, metrics_frame, pb
from harness import Stack, wait_for


def health_counters(sub, timeout=5):
    """Counters of the next health.broker: frame."""
    topic, r = sub.recv(timeout)
    assert topic == b"health.broker:", topic
    return dict(r.service_health.counters)


class BrokerValidation(unittest.TestCase):
    def test_garbage_is_dropped_and_counted_while_valid_frames_flow(self):
        with Stack(redis=False, store=False, gateway=False,
                   extra_args={"broker": ["--broker.health_interval=300ms"]}) as s:
            sub = Subscriber(s.ep("backend"), [b"metrics.", b"system.", b"status.evil"])
            health = Subscriber(s.ep("backend"), [b"health.broker:"])
            good = FakeAgent("good", s.ep("frontend"), s.ep("agents"), publish_interval=0.02)
            bad = FakeAgent("bad", s.ep("frontend"), s.ep("agents"), publish_interval=None)
            try:
                good.wait_accepted()
                bad.wait_accepted()
                wait_for(lambda: sub.recv(0.5)[0] == b"metrics.good:", what="valid frames flowing")
                valid = metrics_frame("bad", 1, 1)
                fake_status = pb().TaskResponse(agent_id="evil")
                fake_status.agent_status.agent_id = "evil"
                fake_status.agent_status.state = pb().AgentStatus.CONNECTED
                garbage = [
                    [os.urandom(40), os.urandom(300)],                  # random bytes
                    [b"metrics.bad:", os.urandom(300)],                 # random body
                    [b"metrics.bad:", valid[:len(valid) // 2]],         # truncated protobuf
                    [b"metrics.other:", valid],                         # topic id != payload id
                    [b"system.bad:", valid],                            # payload not of the topic's kind
                    [b"status.evil:", fake_status.SerializeToString()],                           # only the broker makes status frames
                    [b"metrics.bad:", b"\x00" * (10 << 20)],            # 10 MB
                    [b"metrics.bad:"],                                  # one part
                    [b"metrics.bad:", valid, b"extra"],                 # three parts
                    [b"metrics.bad:", b""],                             # empty body
                ]
                good_before = good.seq
                for parts in garbage:
                    bad.send_raw(parts)
                time.sleep(0.3)
                frames = sub.collect(1.0)
                topics = {t for t, _ in frames}
                self.assertEqual(topics, {b"metrics.good:"}, "only valid frames reach subscribers")
                seqs = [r.sequence for _, r in frames]
                self.assertEqual(seqs, list(range(seqs[0], seqs[0] + len(seqs))), "no valid frame lost")
                self.assertGreater(good.seq, good_before)
                c = wait_for(lambda: (lambda h: h if h.get("drop_oversized", 0) >= 2 else None)(health_counters(health)),
                             what="drops counted")
                self.assertEqual(c["drop_bad_topic"], 1)
                self.assertEqual(c["drop_undecodable"], 2)
                self.assertEqual(c["drop_id_mismatch"], 1)
                self.assertEqual(c["drop_bad_content"], 1)
                self.assertEqual(c["drop_forbidden"], 1)
                self.assertEqual(c["drop_oversized"], 2)
                self.assertEqual(c["drop_bad_parts"], 2)
                self.assertGreater(c["frames_forwarded"], 0)
                self.assertGreater(len(frames), 10)
                self.assertEqual(c["agents_online"], 2)
                self.assertTrue(s.procs["broker"].alive())
                self.assertIn("dropped a published frame", s.procs["broker"].log())
            finally:
                good.stop()
                bad.stop()
                sub.close()
                health.close()

    def test_third_party_subscriber_gets_exactly_one_agent_by_topic(self):
        with Stack(redis=False, store=False, gateway=False) as s:
            sub = Subscriber(s.ep("backend"), [b"metrics.a1:"])
            agents = [FakeAgent(i, s.ep("frontend"), s.ep("agents")) for i in ("a1", "a10", "a2")]
            try:
                frames = sub.collect(1.0)
                self.assertGreater(len(frames), 5)
                for topic, r in frames:
                    self.assertEqual(topic, b"metrics.a1:")
                    self.assertEqual(r.agent_id, "a1")
                    self.assertEqual(r.metrics_response.metrics_data.cpu.usage_percent, 12.5)
                    self.assertEqual(r.metrics_response.WhichOneof("response_type"), "metrics_data")
            finally:
                for a in agents:
                    a.stop()
                sub.close()


if __name__ == "__main__":
    unittest.main()
