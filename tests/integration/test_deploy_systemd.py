"""deploy/systemd: units that systemd accepts, sandboxed, whose command lines the binaries accept.

`systemd-analyze verify` runs against a scratch root holding the units, the
distribution's own units and the built binaries at the paths the units name;
`systemd-analyze security --offline` scores the sandboxing; each ExecStart is
run with --print-config (the credentials directory %d and the binaries'
directory rewritten to local ones) so every key it passes exists.
"""
import os
import re
import shlex
import shutil
import subprocess
import tempfile
import unittest

from harness import BIN, REPO

UNITS = os.path.join(REPO, "deploy", "systemd")
SERVICES = ("agent", "broker", "store", "gateway")
MAX_EXPOSURE = 2.5  # systemd-analyze security: 0 best, 10 worst; "OK" is below 4.5


def unit_path(svc):
    return os.path.join(UNITS, "nodelink-%s.service" % svc)


def directives(path):
    """[(section, key, value)] with continuation lines joined."""
    with open(path) as f:
        text = re.sub(r"\\\n\s*", " ", f.read())
    out, section = [], None
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("["):
            section = line.strip("[]")
            continue
        k, v = line.split("=", 1)
        out.append((section, k.strip(), v.strip()))
    return out


def values(path, key):
    return [v for _, k, v in directives(path) if k == key]


class SystemdUnitTest(unittest.TestCase):
    def test_systemd_verifies_every_unit_without_a_warning(self):
        root = tempfile.mkdtemp(prefix="nodelink-sdroot-")
        try:
            shutil.copytree("/usr/lib/systemd/system", os.path.join(root, "usr/lib/systemd/system"), symlinks=True)
            os.makedirs(os.path.join(root, "etc/systemd/system"))
            for svc in SERVICES:
                exe = shlex.split(values(unit_path(svc), "ExecStart")[0])[0]
                dst = root + exe
                os.makedirs(os.path.dirname(dst), exist_ok=True)
                shutil.copy2(os.path.join(BIN, os.path.basename(exe)), dst)
                shutil.copy2(unit_path(svc), os.path.join(root, "etc/systemd/system"))
            for svc in SERVICES:
                r = subprocess.run(["systemd-analyze", "verify", "--root=" + root, "nodelink-%s.service" % svc],
                                   capture_output=True, text=True, timeout=60)
                self.assertEqual(r.returncode, 0, "%s: %s" % (svc, r.stdout + r.stderr))
                warnings = [l for l in (r.stdout + r.stderr).splitlines() if "nodelink" in l]
                self.assertEqual(warnings, [], svc)
        finally:
            shutil.rmtree(root, ignore_errors=True)

    def test_sandboxing_scores_ok_in_systemd_analyze_security(self):
        for svc in SERVICES:
            r = subprocess.run(["systemd-analyze", "security", "--offline=yes", "--no-pager", unit_path(svc)],
                               capture_output=True, text=True, timeout=60)
            m = re.search(r"Overall exposure level for \S+: ([\d.]+)", r.stdout + r.stderr)
            self.assertIsNotNone(m, r.stdout + r.stderr)
            self.assertLessEqual(float(m.group(1)), MAX_EXPOSURE, "%s exposure %s" % (svc, m.group(1)))

    def test_units_restart_on_failure_but_not_on_configuration_errors(self):
        for svc in SERVICES:
            p = unit_path(svc)
            self.assertEqual(values(p, "Restart"), ["on-failure"], svc)
            self.assertEqual(values(p, "RestartPreventExitStatus"), ["2"], svc)  # CONF_EXIT_USAGE
            self.assertEqual(values(p, "WantedBy"), ["multi-user.target"], svc)

    def test_units_keep_the_essential_sandbox_options(self):
        required = {"ProtectSystem": "strict", "NoNewPrivileges": "yes", "PrivateTmp": "yes",
                    "PrivateDevices": "yes", "ProtectKernelModules": "yes", "ProtectKernelTunables": "yes",
                    "ProtectControlGroups": "yes", "RestrictNamespaces": "yes", "MemoryDenyWriteExecute": "yes",
                    "LockPersonality": "yes", "DynamicUser": "yes", "SystemCallArchitectures": "native"}
        for svc in SERVICES:
            d = {k: v for _, k, v in directives(unit_path(svc))}
            for k, v in required.items():
                self.assertEqual(d.get(k), v, "%s: %s" % (svc, k))
            caps = values(unit_path(svc), "CapabilityBoundingSet")
            if svc == "agent":
                self.assertEqual(caps, ["CAP_SYS_PTRACE CAP_DAC_READ_SEARCH"])
            else:
                self.assertEqual(caps, [""], "%s must drop every capability" % svc)

    def test_exec_start_reads_etc_nodelink_and_takes_secrets_as_credentials(self):
        for svc in SERVICES:
            p = unit_path(svc)
            argv = shlex.split(values(p, "ExecStart")[0])
            self.assertEqual(argv[0], "/usr/local/bin/nodelink-%s" % svc)
            self.assertEqual(argv[1:3], ["--config", "/etc/nodelink/%s.yaml" % svc])
            creds = dict(v.split(":", 1) for v in values(p, "LoadCredential"))
            used = {a.split("%d/", 1)[1] for a in argv if "%d/" in a}
            self.assertEqual(used, set(creds), "%s: credentials loaded and used differ" % svc)
            for name, src in creds.items():
                self.assertTrue(src.startswith("/etc/nodelink/"), src)

    def test_binaries_accept_every_exec_start_argument(self):
        tmp = tempfile.mkdtemp(prefix="nodelink-creds-")
        try:
            for svc in SERVICES:
                argv = shlex.split(values(unit_path(svc), "ExecStart")[0])
                argv[0] = os.path.join(BIN, os.path.basename(argv[0]))
                argv[2] = os.path.join(REPO, "deploy", "compose", "%s.yaml" % svc)  # a config of that service
                argv = [a.replace("%d", tmp) for a in argv]
                r = subprocess.run(argv + ["--print-config"], capture_output=True, text=True, timeout=10)
                self.assertEqual(r.returncode, 0, "%s: %s" % (svc, r.stderr))
                for a in argv[3:]:
                    key, val = a[2:].split("=", 1)
                    self.assertRegex(r.stdout, r"(?m)^\s*%s:\s*['\"]?%s" % (re.escape(key.split(".")[-1]), re.escape(val)),
                                     "%s: --%s not in the effective configuration" % (svc, key))
        finally:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    unittest.main()
