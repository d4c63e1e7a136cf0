"""The TypeScript client and the browser dashboard, tested against real binaries.

Runs gateway/web/run-tests.sh (npm ci when needed, build, Vitest: client tests
against a private stack, and the dashboard end to end in headless Chromium).
The Vitest launcher starts and stops its own processes; this module only
relays NODELINK_BUILD_DIR and the result.
"""
import os
import re
import subprocess
import sys
import unittest

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SCRIPT = os.path.join(REPO, "gateway", "web", "run-tests.sh")


class DashboardWebTest(unittest.TestCase):
    def test_client_and_dashboard(self):
        env = dict(os.environ)
        env.setdefault("NODELINK_BUILD_DIR", os.path.join(REPO, "build"))
        env["CI"] = env.get("CI", "true")  # vitest: no watch mode
        env["NO_COLOR"] = "1"
        env.pop("FORCE_COLOR", None)
        proc = subprocess.run([SCRIPT], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              timeout=540)
        out = re.sub(r"\x1b\[[0-9;]*m", "", proc.stdout.decode("utf-8", "replace"))
        sys.stdout.write(out[-20000:])
        self.assertEqual(proc.returncode, 0, "gateway/web tests failed (output above)")
        self.assertRegex(out, r"Tests\s+\d+ passed", "vitest printed no passing summary")


if __name__ == "__main__":
    unittest.main()
