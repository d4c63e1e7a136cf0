"""nodelink-agent on this machine, driven directly: a SUB socket receives its
frames and a ROUTER socket plays the broker's agents endpoint (accepting its
hello and sending it requests). Checks what the agent reports against
ground truth (work done by the test) and against psutil."""
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest

import zmq

from harness import BIN, LOOPBACK, Process, wait_for

_PB = None


def pb():
    """nodelink_pb2 generated from proto/nodelink.proto into a temp dir."""
    global _PB
    if _PB is None:
        out = tempfile.mkdtemp(prefix="nodelink-pb-")
        proto = os.path.join(os.path.dirname(__file__), "..", "..", "proto")
        subprocess.run(["protoc", "--python_out=" + out, "-I" + proto, os.path.join(proto, "nodelink.proto")],
                       check=True)
        sys.path.insert(0, out)
        import nodelink_pb2
        _PB = nodelink_pb2
    return _PB


class AgentRig:
    """An agent with a fake broker: SUB for frames, ROUTER for control."""

    def __init__(self, agent_id="live1", interval="1s", extra=(), env=None, accept=True, frames_beat=False,
                 wrap=(), ipc=False):
        """wrap: a command the agent runs under (e.g. namespaces); ipc: the
        endpoints are ipc:// files, reachable from another network namespace."""
        self.ctx = zmq.Context.instance()
        self.tmp = tempfile.mkdtemp(prefix="nodelink-agent-test-")
        self.sub = self.ctx.socket(zmq.SUB)
        self.sub.setsockopt(zmq.SUBSCRIBE, b"")
        self.sub.setsockopt(zmq.LINGER, 0)
        self.router = self.ctx.socket(zmq.ROUTER)
        self.router.setsockopt(zmq.LINGER, 0)
        if ipc:
            pub_ep, ctl_ep = "ipc://%s/pub.sock" % self.tmp, "ipc://%s/ctl.sock" % self.tmp
            self.sub.bind(pub_ep)
            self.router.bind(ctl_ep)
        else:
            pub_ep = "tcp://%s:%d" % (LOOPBACK, self.sub.bind_to_random_port("tcp://" + LOOPBACK))
            ctl_ep = "tcp://%s:%d" % (LOOPBACK, self.router.bind_to_random_port("tcp://" + LOOPBACK))
        self.agent_id = agent_id
        self.accept = accept
        self.frames_beat = frames_beat  # hello_reply.frames_count_as_heartbeats
        self.identity = None
        self.frames = []     # (topic, TaskResponse)
        self.control = []    # ControlMessage received
        self.responses = {}  # task_id -> TaskResponse
        argv = list(wrap) + [os.path.join(BIN, "nodelink-agent"), "--agent.id=" + agent_id,
                "--broker.publish_endpoint=" + pub_ep, "--broker.control_endpoint=" + ctl_ep,
                "--metrics.collection_interval=" + interval, "--agent.heartbeat_interval=500ms"] + list(extra)
        self.proc = Process("agent-" + agent_id, argv, self.tmp, env=env)

    def close(self):
        rc = self.proc.stop()
        self.pump(0.3)
        self.sub.close()
        self.router.close()
        return rc

    def __enter__(self):
        return self

    def __exit__(self, exc, *rest):
        if exc is not None:
            print("----- agent log -----\n" + self.proc.log()[-4000:])
        self.close()

    def pump(self, seconds=0.05):
        """Receives everything that arrives within seconds."""
        poller = zmq.Poller()
        poller.register(self.sub, zmq.POLLIN)
        poller.register(self.router, zmq.POLLIN)
        end = time.monotonic() + seconds
        while True:
            left = end - time.monotonic()
            events = dict(poller.poll(max(0, int(left * 1000))))
            if self.sub in events:
                topic, body = self.sub.recv_multipart()
                tr = pb().TaskResponse()
                tr.ParseFromString(body)
                self.frames.append((topic.decode(), tr))
            if self.router in events:
                ident, body = self.router.recv_multipart()
                cm = pb().ControlMessage()
                cm.ParseFromString(body)
                self.identity = ident
                self.control.append(cm)
                if cm.HasField("hello"):
                    r = pb().ControlMessage()
                    r.hello_reply.accepted = self.accept
                    if self.frames_beat:
                        r.hello_reply.frames_count_as_heartbeats = True
                    if not self.accept:
                        r.hello_reply.reason = "test refuses"
                    self.router.send_multipart([ident, r.SerializeToString()])
                if cm.HasField("task_response"):
                    self.responses[cm.task_response.task_id] = cm.task_response
            if not events and left <= 0:
                return

    def samples(self):
        return [tr.metrics_response.metrics_data for t, tr in self.frames if t == "metrics.%s:" % self.agent_id]

    def wait_samples(self, n, timeout=15):
        def enough():
            self.pump(0.1)
            return len(self.samples()) >= n
        wait_for(enough, timeout=timeout, what="%d samples" % n)
        return self.samples()

    def wait_sample_after(self, t_ms, timeout=15):
        """The first sample stamped after t_ms (Unix ms)."""
        def find():
            self.pump(0.1)
            for s in self.samples():
                if s.timestamp > t_ms:
                    return s
            return None
        return wait_for(find, timeout=timeout, what="a sample after %d" % t_ms)

    def request(self, fill, timeout=10):
        """Sends a TaskRequest (fill(req) sets its body); returns the response."""
        wait_for(lambda: self.pump(0.05) or self.identity, timeout=10, what="agent hello")
        req = pb().TaskRequest()
        req.agent_id = self.agent_id
        req.task_id = "t%d" % (len(self.responses) + len(self.control) + int(time.time() * 1000) % 100000)
        fill(req)
        cm = pb().ControlMessage()
        cm.task_request.CopyFrom(req)
        self.router.send_multipart([self.identity, cm.SerializeToString()])

        def answered():
            self.pump(0.05)
            return self.responses.get(req.task_id)
        return wait_for(answered, timeout=timeout, what="response to " + req.task_id)


def now_ms():
    return int(time.time() * 1000)


def core_of(sample, n):
    return sample.cpu.core_usage[n]


class AgentLiveTest(unittest.TestCase):
    def test_busy_core_and_memory_total(self):
        cpu = 1 if os.cpu_count() > 1 else 0
        busy = subprocess.Popen([sys.executable, "-c",
                                 "import os\nos.sched_setaffinity(0, {%d})\nwhile True: pass" % cpu])
        try:
            with AgentRig("live-cpu") as rig:
                time.sleep(1.2)
                s = rig.wait_sample_after(now_ms() + 100)
                self.assertGreaterEqual(core_of(s, cpu), 90.0, s.cpu)
                total = s.cpu.user_percent + s.cpu.system_percent + s.cpu.idle_percent + s.cpu.iowait_percent
                self.assertAlmostEqual(total, 100.0, delta=0.01)
                with open("/proc/meminfo") as f:
                    memtotal = int(f.readline().split()[1]) * 1024
                self.assertEqual(s.memory.total_bytes, memtotal)
        finally:
            busy.kill()
            busy.wait()

    def test_disk_write_rate_matches_64_mb_written(self):
        with AgentRig("live-disk") as rig:
            rig.wait_samples(2)
            t0 = now_ms()
            before = rig.samples()[-1].timestamp
            path = os.path.join(os.path.dirname(os.path.abspath(__file__)), ".agent-write-test")
            try:
                with open(path, "wb") as f:
                    block = os.urandom(1 << 20)
                    for _ in range(64):
                        f.write(block)
                    f.flush()
                    os.fsync(f.fileno())
                t1 = now_ms()
                last = rig.wait_sample_after(t1 + 1000)
            finally:
                os.unlink(path)
            window = [s for s in rig.samples() if before < s.timestamp <= last.timestamp]
            root = [d for s in window for d in s.disks if d.mount_point == "/"]
            self.assertTrue(root, "no / filesystem in samples")
            written = sum(d.write_bytes_per_sec * (s.interval_ms / 1000.0)
                          for s in window for d in s.disks if d.mount_point == "/")
            truth = 64 << 20
            # Everything else written meanwhile (journal, other processes) adds
            # to the device's count, so the bound above is looser.
            self.assertGreaterEqual(written, truth * 0.8, "agent saw %d bytes written" % written)
            self.assertLessEqual(written, truth * 1.2 + 32 * (1 << 20) * (last.timestamp - before) / 1000.0,
                                 "agent saw %d bytes written in %d ms" % (written, t1 - t0))

    def test_loopback_bytes_within_5_percent(self):
        # Other loopback traffic on the host adds to what lo counts: its rate
        # over the samples just before the transfer is subtracted, and the
        # check is repeated (up to 3 transfers) until one window shows it.
        with AgentRig("live-net", interval="500ms") as rig:
            rig.wait_samples(4)
            results = []
            for _ in range(3):
                recv, n = self._transfer(rig, 1 << 30)
                results.append(recv)
                if abs(recv - n) / n < 0.05:
                    return
            self.fail("lo received %s bytes beyond the background, sent %d each time" % (results, n))

    def _transfer(self, rig, n):
        """Sends n bytes over loopback; returns what the agent saw on lo
        during the transfer minus the background rate seen just before."""
        rig.pump(1.7)  # three samples clear of any earlier transfer
        quiet = rig.samples()[-3:]
        background = sum(i.bytes_recv_per_sec for s in quiet for i in s.network_interfaces
                         if i.interface == "lo") / len(quiet)
        before = rig.samples()[-1].timestamp
        srv = socket.socket()
        srv.bind((LOOPBACK, 0))
        srv.listen(1)

        def sink():
            c, _ = srv.accept()
            got = 0
            while got < n:
                d = c.recv(1 << 20)
                if not d:
                    break
                got += len(d)
            c.close()
        th = threading.Thread(target=sink)
        th.start()
        cli = socket.create_connection(srv.getsockname())
        chunk = b"x" * (1 << 20)
        for _ in range(n >> 20):
            cli.sendall(chunk)
        cli.close()
        th.join()
        srv.close()
        last = rig.wait_sample_after(now_ms() + 500)
        window = [s for s in rig.samples() if before < s.timestamp <= last.timestamp]
        recv = sum((i.bytes_recv_per_sec - background) * s.interval_ms / 1000.0
                   for s in window for i in s.network_interfaces if i.interface == "lo")
        return recv, n

    def test_task_process_and_child_appear_and_vanish(self):
        env = dict(os.environ, NODELINK_TASK_ID="job-7")
        # The child clears its environment: it is attributed through its parent.
        task = subprocess.Popen(["/bin/sh", "-c", "env -i /bin/sleep 60 & wait"], env=env,
                                start_new_session=True)
        try:
            with AgentRig("live-task", interval="500ms") as rig:
                def both():
                    rig.pump(0.1)
                    s = rig.samples()
                    if not s:
                        return None
                    pids = {t.pid for t in s[-1].processes.task_processes if t.task_id == "job-7"}
                    return pids if task.pid in pids and len(pids) >= 2 else None
                pids = wait_for(both, timeout=10, what="task process and child")
                child = (pids - {task.pid}).pop()
                with open("/proc/%d/cmdline" % child, "rb") as f:
                    self.assertIn(b"sleep", f.read())
                tp = [t for t in rig.samples()[-1].processes.task_processes if t.pid == task.pid][0]
                self.assertGreater(tp.memory_bytes, 0)
                self.assertGreater(tp.threads, 0)
                os.killpg(task.pid, signal.SIGKILL)
                task.wait()

                def gone():
                    rig.pump(0.1)
                    s = rig.samples()[-1]
                    return not any(t.task_id == "job-7" for t in s.processes.task_processes)
                wait_for(gone, timeout=10, what="task processes to vanish")
        finally:
            if task.poll() is None:
                os.killpg(task.pid, signal.SIGKILL)
                task.wait()


class AgentPsutilTest(unittest.TestCase):
    """Cross-check against psutil (python3-psutil), an implementation we did not write."""

    def test_agrees_with_psutil(self):
        import psutil
        with AgentRig("live-psutil") as rig:
            samples = rig.wait_samples(2)
            s = samples[-1]
            vm, sw = psutil.virtual_memory(), psutil.swap_memory()
            self.assertEqual(s.memory.total_bytes, vm.total)
            self.assertLess(abs(s.memory.available_bytes - vm.available) / vm.total, 0.02)
            self.assertEqual(s.memory.swap_total_bytes, sw.total)
            self.assertLess(abs(s.memory.swap_used_bytes - sw.used), 64 << 20)
            for mine, theirs in zip((s.load.load1, s.load.load5, s.load.load15), os.getloadavg()):
                self.assertLess(abs(mine - theirs), 1.0)
            nics = psutil.net_io_counters(pernic=True)
            for i in s.network_interfaces:
                self.assertIn(i.interface, nics)
                p = nics[i.interface]
                self.assertLessEqual(i.errors_in, p.errin)
                self.assertLessEqual(i.drops_out, p.dropout)
                self.assertLess(p.errin - i.errors_in, 100)
            root = [d for d in s.disks if d.mount_point == "/"][0]
            du = psutil.disk_usage("/")
            self.assertEqual(root.total_bytes, du.total)
            self.assertLess(abs(root.used_bytes - du.used) / du.total, 0.01)
            self.assertEqual(len(s.cpu.core_usage), psutil.cpu_count(logical=True))
            si = wait_for(lambda: rig.pump(0.1) or [tr for t, tr in rig.frames if t == "system.live-psutil:"],
                          what="system info")[0].metrics_response.system_info
            self.assertEqual(si.hardware.thread_count, psutil.cpu_count(logical=True))
            physical = psutil.cpu_count(logical=False)
            if physical is not None:
                self.assertEqual(si.hardware.core_count, physical)
            self.assertEqual(si.hardware.memory.total_bytes, vm.total)
            names = {n.name for n in si.network_interfaces}
            self.assertEqual(names, set(psutil.net_if_addrs().keys()) | set(psutil.net_if_stats().keys()))
            for n in si.network_interfaces:
                self.assertEqual(n.is_up, psutil.net_if_stats()[n.name].isup, n.name)


if __name__ == "__main__":
    unittest.main()
