"""deploy/docker-compose.yml: valid for docker-compose, and what issue 7 asks of it.

There is no Docker engine here: `docker-compose config` (Debian docker-compose)
validates and resolves the file; the checks below read its resolved form.
test_deploy_topology.py runs the same services as processes.
"""
import os
import shutil
import subprocess
import tempfile
import unittest

import yaml

import test_deploy_topology as topo
from harness import BIN

NODELINK = ("broker", "store", "gateway", "host-agent", "agent")


class ComposeFileTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.cfg = topo.compose_config("fleet", "monitoring")
        cls.svc = cls.cfg["services"]

    def mounts(self, name):
        return [topo.parse_mount(m) for m in self.svc[name].get("volumes", [])]

    def config_of(self, name):
        """(container path, parsed YAML) of the service's --config file."""
        argv = list(self.svc[name].get("command") or [])
        path = argv[argv.index("--config") + 1]
        src = [s for s, t, _ in self.mounts(name) if t == path]
        self.assertEqual(len(src), 1, "%s: %s is not mounted" % (name, path))
        with open(src[0]) as f:
            return path, yaml.safe_load(f)

    def test_docker_compose_rejects_a_broken_copy(self):
        # the validation the other checks rely on is real: an unknown key fails
        tmp = tempfile.mkdtemp(prefix="nodelink-compose-bad-")
        try:
            with open(topo.COMPOSE_FILE) as f:
                text = f.read()
            bad = os.path.join(tmp, "docker-compose.yml")
            with open(bad, "w") as f:
                f.write(text.replace("    restart: \"no\"\n", "    restart: \"no\"\n    restrat: always\n", 1))
            with self.assertRaisesRegex(AssertionError, "restrat"):
                topo.compose_config(compose_file=bad)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

    def test_default_profile_is_the_stack_and_profiles_add_the_fleet_and_monitoring(self):
        r = subprocess.run(["docker-compose", "-f", topo.COMPOSE_FILE, "config", "--services"],
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertTrue({"certs", "redis", "broker", "store", "gateway", "host-agent"} <= set(r.stdout.split()))
        self.assertEqual(self.svc["agent"].get("profiles"), ["fleet"])
        for name in ("prometheus", "grafana"):
            self.assertEqual(self.svc[name].get("profiles"), ["monitoring"])
        for name in ("certs", "redis", "broker", "store", "gateway", "host-agent"):
            self.assertNotIn("profiles", self.svc[name], name)

    def test_redis_appends_to_a_volume(self):
        cmd = self.svc["redis"]["command"]
        self.assertEqual(cmd[cmd.index("--appendonly") + 1], "yes")
        self.assertEqual(cmd[cmd.index("--stream-node-max-bytes") + 1], "0")  # docs/operations.md sizing
        self.assertIn(("redis-data", "/data", False), self.mounts("redis"))
        self.assertIn("redis-data", self.cfg["volumes"])

    def test_long_running_services_restart_and_the_certs_service_runs_once(self):
        for name in ("redis",) + NODELINK:
            self.assertIn(self.svc[name].get("restart"), ("unless-stopped", "always"), name)
        self.assertEqual(self.svc["certs"].get("restart"), "no")
        for name in NODELINK:
            deps = self.svc[name].get("depends_on", {})
            self.assertEqual(deps.get("certs", {}).get("condition"), "service_completed_successfully", name)

    def test_every_service_has_a_healthcheck(self):
        for name in ("redis",) + NODELINK:
            hc = self.svc[name].get("healthcheck")
            self.assertTrue(hc and hc.get("test") and not hc.get("disable"), "%s has no healthcheck" % name)
        for name in ("store", "gateway"):
            self.assertEqual(self.svc[name]["depends_on"]["redis"]["condition"], "service_healthy")

    def test_host_agent_reads_the_hosts_proc_and_sys_read_only_where_its_config_says(self):
        a = self.svc["host-agent"]
        self.assertEqual(a.get("pid"), "host")
        self.assertEqual(a.get("network_mode"), "host")
        m = {s: (t, ro) for s, t, ro in self.mounts("host-agent")}
        _, conf = self.config_of("host-agent")
        self.assertEqual(m["/proc"], (conf["agent"]["proc_root"], True))
        self.assertEqual(m["/sys"], (conf["agent"]["sys_root"], True))
        self.assertNotIn("agent", self.svc["host-agent"].get("profiles", []))
        # its id is the host's name: nothing may pin it
        self.assertNotIn("id", conf["agent"])
        self.assertNotIn("hostname", a)

    def test_fleet_agents_scale_without_a_fixed_identity(self):
        a = self.svc["agent"]
        for key in ("container_name", "hostname", "ports"):
            self.assertNotIn(key, a, "a fixed %s prevents --scale" % key)
        _, conf = self.config_of("agent")
        self.assertNotIn("id", conf.get("agent", {}))
        self.assertEqual(os.path.basename(a["entrypoint"][0]), "nodelink-fleet-agent")

    def test_gateway_port_is_published_where_it_listens(self):
        _, conf = self.config_of("gateway")
        port = int(conf["http"]["listen"].rsplit(":", 1)[1])
        published = [topo.parse_port(p) for p in self.svc["gateway"]["ports"]]
        self.assertIn(port, [cp for _, _, cp in published])

    def test_broker_publishes_every_port_it_binds_and_the_host_agent_uses_them(self):
        _, conf = self.config_of("broker")
        binds = sorted(int(conf["broker"][k].rsplit(":", 1)[1]) for k in ("frontend", "backend", "agents", "clients"))
        published = sorted(cp for _, _, cp in (topo.parse_port(p) for p in self.svc["broker"]["ports"]))
        self.assertEqual(binds, published)
        _, agent = self.config_of("host-agent")
        for k in ("publish_endpoint", "control_endpoint"):
            self.assertIn(int(agent["broker"][k].rsplit(":", 1)[1]), binds, k)

    def test_certificates_come_from_volumes_the_certs_service_fills(self):
        certs_volumes = {s for s, _, _ in self.mounts("certs")}
        for name in NODELINK:
            _, conf = self.config_of(name)
            sec = conf["security"]
            self.assertIs(sec["curve"], True, name)
            cert_mounts = [(s, t, ro) for s, t, ro in self.mounts(name) if t == "/etc/nodelink/certs"]
            self.assertEqual(len(cert_mounts), 1, "%s: no certificate volume" % name)
            src, target, ro = cert_mounts[0]
            self.assertIn(src, certs_volumes, "%s: %s is not filled by the certs service" % (name, src))
            self.assertIn(src, self.cfg["volumes"])
            self.assertEqual(ro, name != "agent", "%s: read-only unless it holds the fleet's locks" % name)
            for k, v in topo.flatten(sec).items():
                if isinstance(v, str) and v.startswith("/"):
                    self.assertTrue(v.startswith(target + "/"), "%s security.%s=%s outside %s" % (name, k, v, target))
        # one volume per service: no container sees another one's secret
        sources = [s for name in NODELINK for s, t, _ in self.mounts(name) if t == "/etc/nodelink/certs"]
        self.assertEqual(len(sources), len(set(sources)))

    def test_every_mounted_configuration_is_accepted_by_its_binary(self):
        progs = {"broker": "nodelink-broker", "store": "nodelink-store", "gateway": "nodelink-gateway",
                 "host-agent": "nodelink-agent", "agent": "nodelink-agent"}
        for name, prog in progs.items():
            path = self.svc[name]["command"][1]
            src = [s for s, t, _ in self.mounts(name) if t == path][0]
            r = subprocess.run([os.path.join(BIN, prog), "--config", src, "--print-config"],
                               capture_output=True, text=True, timeout=10)
            self.assertEqual(r.returncode, 0, "%s rejects %s: %s" % (prog, src, r.stderr))
        src = [s for s, t, _ in self.mounts("broker") if t == "/etc/nodelink/nodelinkctl.yaml"][0]
        r = subprocess.run([os.path.join(BIN, "nodelinkctl"), "agents", "--config", src, "--print-config"],
                           capture_output=True, text=True, timeout=10)
        self.assertEqual(r.returncode, 0, "nodelinkctl rejects %s: %s" % (src, r.stderr))

    def test_images_are_built_from_this_repository_with_the_dockerfiles_here(self):
        for name in ("certs",) + NODELINK:
            b = self.svc[name]["build"]
            self.assertEqual(os.path.realpath(b["context"]), os.path.realpath(topo.REPO), name)
            self.assertTrue(os.path.isfile(os.path.join(b["context"], b["dockerfile"])), name)
            self.assertTrue(b["dockerfile"].startswith("deploy/docker/"), name)

    def test_monitoring_profile_mounts_the_grafana_provisioning_and_the_scrape_token(self):
        m = {t: s for s, t, _ in self.mounts("grafana")}
        self.assertTrue(os.path.isdir(m["/etc/grafana/provisioning"]))
        self.assertTrue(os.path.isdir(m["/var/lib/grafana/dashboards"]))
        p = {t: s for s, t, _ in self.mounts("prometheus")}
        self.assertTrue(os.path.isfile(p["/etc/prometheus/prometheus.yml"]))
        self.assertIn("certs-prometheus", p.values())
        self.assertIn(("certs-prometheus", "/certs/prometheus", False), self.mounts("certs"))


if __name__ == "__main__":
    unittest.main()
