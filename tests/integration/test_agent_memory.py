"""nodelink-agent's working-set trim (agent.trim_interval, agent/memtrim.h):
side by side, an agent that trims holds far fewer resident pages than one
that does not, and keeps working across many trims: frames keep their
sequence, requests that run rarely used code are answered, and the process
exits cleanly."""
import time
import unittest

from harness import wait_for
from test_agent_live import AgentRig, pb


def rss_kb(pid):
    with open("/proc/%d/smaps_rollup" % pid) as f:
        for line in f:
            if line.startswith("Rss:"):
                return int(line.split()[1])
    raise AssertionError("no Rss in smaps_rollup")


class AgentMemoryTest(unittest.TestCase):
    def test_trimming_agent_holds_fewer_pages_and_keeps_working(self):
        trim = AgentRig("mem-trim", interval="200ms", extra=("--agent.trim_interval=1s", "--log.level=debug"))
        keep = AgentRig("mem-keep", interval="200ms", extra=("--agent.trim_interval=0",))
        try:
            for rig in (trim, keep):
                rig.wait_samples(3)
            # Both have started up and sampled; a few trims happen meanwhile.
            wait_for(lambda: trim.pump(0.1) or trim.proc.log().count("working-set trim") >= 3,
                     timeout=15, what="three trims")
            keep.pump(0.1)
            trimmed, full = rss_kb(trim.proc.pid), rss_kb(keep.proc.pid)
            # Most of an untrimmed agent's RSS is library pages touched once
            # (about 6-7 MB in all); trimmed, only a sample's working set stays.
            self.assertLess(trimmed, full - 1024, "RSS with trim %d KB, without %d KB" % (trimmed, full))

            # Rarely used code comes back on demand: a full system information
            # request (package databases, interfaces) after the trims.
            def everything(req):
                si = req.metrics_request.system_info
                si.include_hardware = si.include_software = si.include_network = True
            r = trim.request(everything)
            self.assertEqual(r.status, pb().TaskResponse.COMPLETED, r.error_message)
            si = r.metrics_response.system_info
            self.assertGreater(si.hardware.memory.total_bytes, 0)
            self.assertTrue(si.software.os.kernel_version)
            self.assertGreater(len(si.software.packages), 100)  # this dpkg database
            self.assertGreater(len(si.network_interfaces), 0)
            # Samples keep flowing with consecutive sequences across trims.
            trim.wait_samples(len(trim.samples()) + 5)
            seqs = [tr.sequence for _, tr in trim.frames]
            self.assertEqual(seqs, list(range(1, len(seqs) + 1)))
        finally:
            rc_trim, rc_keep = trim.close(), keep.close()
        self.assertEqual(rc_trim, 0, trim.proc.log()[-3000:])
        self.assertEqual(rc_keep, 0, keep.proc.log()[-3000:])

    def test_trim_interval_is_validated(self):
        rig = AgentRig("mem-bad", extra=("--agent.trim_interval=-5s",))
        try:
            rig.proc.proc.wait(10)
            self.assertEqual(rig.proc.proc.returncode, 2, rig.proc.log())
            self.assertIn("agent.trim_interval", rig.proc.log())
        finally:
            rig.close()


if __name__ == "__main__":
    unittest.main()
