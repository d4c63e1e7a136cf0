"""nodelink-agent's process shape: which libraries it maps, how it stops, and
its CURVE set-up (certificates read without czmq) against a real CURVE broker."""
import os
import signal
import subprocess
import tempfile
import time
import unittest

from broker_fakes import Subscriber, load_cert
from harness import BIN, Stack, wait_for


def mapped_libraries(pid):
    libs = set()
    with open("/proc/%d/maps" % pid) as f:
        for line in f:
            path = line.split()[-1]
            if ".so" in path:
                libs.add(os.path.basename(path))
    return libs


class AgentFootprint(unittest.TestCase):
    def test_agent_maps_neither_czmq_nor_sqlite_nor_systemd(self):
        with Stack(redis=False, store=False, gateway=False) as s:
            sub = Subscriber(s.ep("backend"), [b"metrics.fp1:"])
            a = s.start_agent("fp1", "--metrics.collection_interval=200ms")
            topic, frame = sub.recv(timeout=10)
            self.assertEqual(topic, b"metrics.fp1:", a.log())
            libs = mapped_libraries(a.pid)
            self.assertTrue(any(l.startswith("libzmq.so") for l in libs), libs)
            for unwanted in ("libczmq", "libsqlite3", "libsystemd"):
                self.assertFalse([l for l in libs if l.startswith(unwanted)], libs)
            sub.close()

    def test_sigterm_stops_the_agent_at_once_with_status_zero(self):
        with Stack(redis=False, store=False, gateway=False) as s:
            sub = Subscriber(s.ep("backend"), [b"metrics.fp2:"])
            # A long interval and heartbeat: nothing wakes the agent but the signal.
            a = s.start_agent("fp2", "--metrics.collection_interval=1h", "--agent.heartbeat_interval=1h")
            wait_for(lambda: "started" in a.log(), timeout=10, what="agent start")
            time.sleep(0.3)
            t0 = time.monotonic()
            a.signal(signal.SIGTERM)
            a.proc.wait(5)
            took = time.monotonic() - t0
            self.assertEqual(a.proc.returncode, 0, a.log())
            self.assertLess(took, 2.0, "stop took %.2f s" % took)
            self.assertIn("stopped", a.log())
            sub.close()


def keygen(outdir, role, name):
    subprocess.run([os.path.join(BIN, "nodelink-keygen"), role, name, "--out", outdir],
                   check=True, capture_output=True)


class AgentCurve(unittest.TestCase):
    def test_agent_with_keygen_certificates_registers_and_publishes_encrypted(self):
        tmp = tempfile.mkdtemp(prefix="nodelink-agent-certs-")
        keys, agents, subs = (os.path.join(tmp, d) for d in ("keys", "agents", "subscribers"))
        for d in (keys, agents, subs, os.path.join(tmp, "clients")):
            os.makedirs(d)
        keygen(keys, "broker", "broker")
        keygen(keys, "agent", "cv1")
        keygen(keys, "subscriber", "tp")
        os.link(os.path.join(keys, "cv1.pub"), os.path.join(agents, "cv1.pub"))
        os.link(os.path.join(keys, "tp.pub"), os.path.join(subs, "tp.pub"))
        broker_args = ["--security.curve=true", "--security.certificate=" + os.path.join(keys, "broker.key"),
                       "--security.agents_dir=" + agents, "--security.subscribers_dir=" + subs,
                       "--security.clients_dir=" + os.path.join(tmp, "clients")]
        with Stack(redis=False, store=False, gateway=False, extra_args={"broker": broker_args}) as s:
            pub, sec = load_cert(os.path.join(keys, "tp.key"))
            sub = Subscriber(s.ep("backend"), [b"metrics.cv1:", b"system.cv1:"],
                             curve=(pub, sec, load_cert(os.path.join(keys, "broker.pub"))[0]))
            a = s.start_agent("cv1", "--metrics.collection_interval=200ms", "--security.curve=true",
                              "--security.certificate=" + os.path.join(keys, "cv1.key"),
                              "--security.broker_certificate=" + os.path.join(keys, "broker.pub"))
            got = {t for t, _ in sub.collect(3.0)}
            self.assertIn(b"metrics.cv1:", got, a.log())  # PUB over CURVE, with the agent's own key
            # DEALER over CURVE: the broker checked the certificate against the agent id
            self.assertIn("registered with the broker", a.log())
            sub.close()

    def test_agent_refuses_a_public_certificate_as_its_own_with_status_2(self):
        tmp = tempfile.mkdtemp(prefix="nodelink-agent-certs-")
        keygen(tmp, "agent", "cv2")
        keygen(tmp, "broker", "broker")
        r = subprocess.run([os.path.join(BIN, "nodelink-agent"), "--agent.id=cv2", "--security.curve=true",
                            "--security.certificate=" + os.path.join(tmp, "cv2.pub"),
                            "--security.broker_certificate=" + os.path.join(tmp, "broker.pub")],
                           capture_output=True, text=True, timeout=10)
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn("holds no secret key", r.stderr)


if __name__ == "__main__":
    unittest.main()
