"""nodelink-broker with CURVE: certificates per role made by nodelink-keygen,
agents limited to their own id, unknown keys refused, and a third-party
Python subscriber decoding frames over an encrypted connection."""
import os
import subprocess
import tempfile
import time
import unittest

from broker_fakes import Client, FakeAgent, Subscriber, load_cert, metrics_frame, pb
from harness import BIN, Stack, wait_for


def keygen(outdir, role, name):
    subprocess.run([os.path.join(BIN, "nodelink-keygen"), role, name, "--out", outdir],
                   check=True, capture_output=True)


class BrokerSecurity(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="nodelink-certs-")
        cls.keys = os.path.join(cls.tmp, "keys")
        os.makedirs(cls.keys)
        for d in ("agents", "subscribers", "clients"):
            os.makedirs(os.path.join(cls.tmp, d))
        keygen(cls.keys, "broker", "broker")
        for role, name, allowed in (("agent", "web-01", True), ("agent", "db-01", True),
                                    ("agent", "rogue", False), ("subscriber", "tp", True),
                                    ("client", "ops", True)):
            keygen(cls.keys, role, name)
            if allowed:
                d = {"agent": "agents", "subscriber": "subscribers", "client": "clients"}[role]
                os.link(os.path.join(cls.keys, name + ".pub"), os.path.join(cls.tmp, d, name + ".pub"))

    def curve(self, name):
        pub, sec = load_cert(os.path.join(self.keys, name + ".key"))
        return pub, sec, load_cert(os.path.join(self.keys, "broker.pub"))[0]

    def stack(self):
        return Stack(redis=False, store=False, gateway=False, extra_args={"broker": [
            "--security.curve=true", "--security.certificate=" + os.path.join(self.keys, "broker.key"),
            "--security.agents_dir=" + os.path.join(self.tmp, "agents"),
            "--security.subscribers_dir=" + os.path.join(self.tmp, "subscribers"),
            "--security.clients_dir=" + os.path.join(self.tmp, "clients"),
            "--broker.health_interval=300ms"]})

    def test_keygen_writes_a_private_key_and_the_agent_id(self):
        self.assertEqual(os.stat(os.path.join(self.keys, "web-01.key")).st_mode & 0o777, 0o600)
        with open(os.path.join(self.keys, "web-01.pub")) as f:
            text = f.read()
        self.assertIn('agent_id = "web-01"', text)
        self.assertNotIn("secret-key", text)

    def test_encrypted_subscriber_decodes_frames_of_an_authenticated_agent(self):
        with self.stack() as s:
            sub = Subscriber(s.ep("backend"), [b"metrics.web-01:"], curve=self.curve("tp"))
            a = FakeAgent("web-01", s.ep("frontend"), s.ep("agents"), curve=self.curve("web-01"))
            try:
                a.wait_accepted()
                topic, r = sub.recv(5)
                self.assertEqual(topic, b"metrics.web-01:")
                self.assertEqual(r.agent_id, "web-01")
                self.assertEqual(r.metrics_response.metrics_data.cpu.usage_percent, 12.5)
            finally:
                a.stop()
                sub.close()

    def test_agent_cannot_register_or_publish_under_another_id(self):
        with self.stack() as s:
            sub = Subscriber(s.ep("backend"), [b"metrics.", b"health.broker:"], curve=self.curve("tp"))
            liar = FakeAgent("db-01", s.ep("frontend"), s.ep("agents"), curve=self.curve("web-01"),
                             publish_interval=None)
            honest = FakeAgent("web-01", s.ep("frontend"), s.ep("agents"), curve=self.curve("web-01"),
                               publish_interval=0.05)
            try:
                wait_for(lambda: liar.refusals, what="refusal")
                self.assertIn("certificate is for agent 'web-01'", liar.refusals[0])
                honest.wait_accepted()
                time.sleep(0.3)
                for seq in range(1, 6):
                    liar.send_raw([b"metrics.db-01:", metrics_frame("db-01", seq, 1)])
                frames = sub.collect(1.5)
                metric_topics = {t for t, _ in frames if t.startswith(b"metrics.")}
                self.assertEqual(metric_topics, {b"metrics.web-01:"}, "spoofed frames never delivered")
                forbidden = max(dict(r.service_health.counters).get("drop_forbidden", 0)
                                for t, r in frames if t == b"health.broker:")
                self.assertEqual(forbidden, 5)
            finally:
                liar.stop()
                honest.stop()
                sub.close()

    def test_unknown_certificates_and_wrong_roles_get_nothing(self):
        with self.stack() as s:
            rogue = FakeAgent("rogue", s.ep("frontend"), s.ep("agents"), curve=self.curve("rogue"))
            plain = FakeAgent("web-01", s.ep("frontend"), s.ep("agents"))  # no CURVE at all
            good = FakeAgent("web-01", s.ep("frontend"), s.ep("agents"), curve=self.curve("web-01"))
            agent_as_sub = Subscriber(s.ep("backend"), [b""], curve=self.curve("web-01"))
            rogue_sub = Subscriber(s.ep("backend"), [b""], curve=self.curve("rogue"))
            sub_as_client = Client(s.ep("clients"), curve=self.curve("tp"))
            ops = Client(s.ep("clients"), curve=self.curve("ops"))
            try:
                good.wait_accepted()
                time.sleep(1.0)
                self.assertFalse(rogue.accepted)
                self.assertFalse(plain.accepted)
                self.assertIsNone(agent_as_sub.recv(0.5)[0], "an agent certificate may not subscribe")
                self.assertIsNone(rogue_sub.recv(0.2)[0], "an unknown certificate is refused")
                sub_as_client.list_agents()
                self.assertIsNone(sub_as_client.recv(0.5), "a subscriber certificate may not send control")
                ids = [a.agent_id for a in ops.list_agents().agent_list.agents]
                self.assertEqual(ids, ["web-01"])
                out = subprocess.run([os.path.join(BIN, "nodelinkctl"), "agents",
                                      "--broker.client_endpoint=" + s.ep("clients"), "--security.curve",
                                      "--security.certificate=" + os.path.join(self.keys, "ops.key"),
                                      "--security.broker_certificate=" + os.path.join(self.keys, "broker.pub")],
                                     capture_output=True, text=True, timeout=20)
                self.assertEqual(out.returncode, 0, out.stderr)
                self.assertIn("web-01", out.stdout)
            finally:
                for a in (rogue, plain, good):
                    a.stop()
                for c in (agent_as_sub, rogue_sub, sub_as_client, ops):
                    c.close()

    def test_broker_refuses_to_start_without_its_certificate(self):
        out = subprocess.run([os.path.join(BIN, "nodelink-broker"), "--security.curve",
                              "--broker.frontend=tcp://127.0.0.1:0", "--broker.backend=tcp://127.0.0.1:0",
                              "--broker.agents=tcp://127.0.0.1:0", "--broker.clients=tcp://127.0.0.1:0"],
                             capture_output=True, text=True, timeout=10)
        self.assertEqual(out.returncode, 1)
        self.assertIn("certificate", out.stdout + out.stderr)


class InsecureWarning(unittest.TestCase):
    def test_broker_warns_loudly_when_binding_beyond_loopback_without_curve(self):
        with Stack(redis=False, store=False, gateway=False) as s:
            s.procs["broker"].stop()
            p = s.start_process("broker-any", [os.path.join(BIN, "nodelink-broker"),
                                               "--broker.frontend=tcp://0.0.0.0:0", "--broker.backend=tcp://127.0.0.1:0",
                                               "--broker.agents=tcp://127.0.0.1:0", "--broker.clients=tcp://127.0.0.1:0"])
            wait_for(lambda: "listening" in p.log(), what="broker up")
            self.assertIn("WITHOUT CURVE", p.log())
        with Stack(redis=False, store=False, gateway=False) as s:
            time.sleep(0.3)
            self.assertNotIn("WITHOUT CURVE", s.procs["broker"].log())


if __name__ == "__main__":
    unittest.main()
