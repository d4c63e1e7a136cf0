"""System information is republished as soon as the kernel reports a change
(agent/sysinfo/watch.h), not at the next periodic check: the agent runs in
its own network, mount and UTS namespaces with the periodic check an hour
away, and the test adds and removes an interface, mounts a filesystem and
renames the host there. Needs root (namespaces), as CI runs it."""
import os
import subprocess
import tempfile
import time
import unittest
import uuid

from harness import wait_for
from test_agent_live import AgentRig


def run(*argv):
    subprocess.run(argv, check=True, capture_output=True, timeout=10)


@unittest.skipUnless(os.geteuid() == 0, "needs root to create namespaces")
class SysinfoEventsTest(unittest.TestCase):
    def setUp(self):
        self.ns = "nl-" + uuid.uuid4().hex[:10]
        run("ip", "netns", "add", self.ns)
        self.addCleanup(run, "ip", "netns", "del", self.ns)
        self.mnt = tempfile.mkdtemp(prefix="nodelink-mnt-")
        wrap = ("ip", "netns", "exec", self.ns, "unshare", "--mount", "--uts", "--propagation", "private")
        self.rig = AgentRig("ev1", interval="500ms", wrap=wrap, ipc=True,
                            extra=("--agent.system_info_check_interval=1h",))
        self.addCleanup(self.rig.close)

    def system_frames(self):
        return [tr.metrics_response.system_info for t, tr in self.rig.frames if t == "system.ev1:"]

    def next_system_frame(self, after, timeout=3.0):
        """The first system frame after the first `after` ones, within timeout
        seconds: far sooner than the periodic check (an hour)."""
        def arrived():
            self.rig.pump(0.05)
            frames = self.system_frames()
            return frames[after] if len(frames) > after else None
        t0 = time.monotonic()
        si = wait_for(arrived, timeout=timeout, what="a system frame after a change")
        return si, time.monotonic() - t0

    def test_interfaces_mounts_and_hostname_are_republished_at_once(self):
        rig = self.rig
        wait_for(lambda: rig.pump(0.1) or self.system_frames(), timeout=10, what="first system frame")
        self.assertIn("at once on kernel events: interfaces, mounts, hostname", rig.proc.log())
        names = lambda si: {ni.name for ni in si.network_interfaces}
        self.assertEqual(names(self.system_frames()[0]), {"lo"}, "a fresh network namespace")

        n = len(self.system_frames())
        # A veth pair (both ends in the namespace): the dummy driver is not in every kernel.
        run("ip", "-n", self.ns, "link", "add", "nlt0", "type", "veth", "peer", "name", "nlt1")
        si, took = self.next_system_frame(n)
        self.assertTrue({"nlt0", "nlt1"} <= names(si), names(si))
        nlt0 = [ni for ni in si.network_interfaces if ni.name == "nlt0"][0]
        self.assertFalse(nlt0.is_up)

        n = len(self.system_frames())
        run("ip", "-n", self.ns, "addr", "add", "192.0.2.7/24", "dev", "nlt0")
        run("ip", "-n", self.ns, "link", "set", "nlt1", "up")
        run("ip", "-n", self.ns, "link", "set", "nlt0", "up")
        def up_with_address():
            rig.pump(0.05)
            for si in self.system_frames()[n:]:
                for ni in si.network_interfaces:
                    if ni.name == "nlt0" and ni.is_up and "192.0.2.7" in " ".join(ni.ip_addresses):
                        return si
            return None
        wait_for(up_with_address, timeout=3, what="nlt0 up with its address")

        n = len(self.system_frames())
        run("ip", "-n", self.ns, "link", "del", "nlt0")
        si, _ = self.next_system_frame(n)
        self.assertEqual(names(si), {"lo"})

        n = len(self.system_frames())
        run("nsenter", "-t", str(rig.proc.pid), "-u", "hostname", "nl-renamed")
        si, _ = self.next_system_frame(n)
        self.assertEqual(si.software.hostname, "nl-renamed")

        n = len(self.system_frames())
        run("nsenter", "-t", str(rig.proc.pid), "-m", "mount", "-t", "tmpfs", "tmpfs", self.mnt)
        self.next_system_frame(n)

        # No change, no frame: nothing is republished on its own.
        n = len(self.system_frames())
        rig.pump(2.0)
        self.assertEqual(len(self.system_frames()), n)


if __name__ == "__main__":
    unittest.main()
