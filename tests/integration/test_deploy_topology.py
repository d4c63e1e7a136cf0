"""The docker-compose stack, run as plain processes from the same files.

deploy/docker-compose.yml is the only description: `docker-compose config`
resolves it, and every service's program, arguments, configuration file,
certificate volume and healthcheck are taken from there (the program from the
service's Dockerfile ENTRYPOINT unless compose overrides it). What must differ
outside containers is rewritten by one mechanical substitution into a
temporary copy (docs/operations.md, "The compose stack without Docker"):

  endpoints  HOST:PORT in a tcp:// or redis:// URL, an http.listen value or a
             healthcheck argument:
               HOST a compose service             -> 127.0.0.1:free port of (HOST, PORT)
               HOST * or 0.0.0.0 (a bind)          -> 127.0.0.1:free port of (this service, PORT)
               HOST 127.0.0.1 in a host-network
               service: a port compose publishes   -> the publishing service's free port
               HOST 127.0.0.1 otherwise            -> 127.0.0.1:free port of (this service, PORT)
  paths      under a mount target -> the mount's source (bind) or the volume's
             local directory; a directory holding mount targets -> a local
             directory of links to them; a path the image provides -> its
             source here (IMAGE_PATHS)
  programs   built binaries from the build directory, deploy/docker/ scripts
             from the repository, anything else (redis-server) from PATH

Every other byte of the configuration files stays as it is, and the tests
assert that (same keys, and every changed value an endpoint or a path).
Then the stack runs: certificates from the "certs" service, Redis, broker,
store, gateway, the host agent and two fleet replicas; the compose
healthchecks pass; data flows agent -> broker -> store -> Redis and out of
the gateway's HTTP API with the tokens the certs service made.
"""
import os
import re
import shutil
import signal
import subprocess
import tempfile
import unittest
import urllib.error
import urllib.request
import json

import yaml

from harness import BIN, REPO, LOOPBACK, Process, free_port, wait_for

DEPLOY = os.path.join(REPO, "deploy")
COMPOSE_FILE = os.path.join(DEPLOY, "docker-compose.yml")
SCRIPTS = os.path.join(DEPLOY, "docker")
# Paths the images provide (COPY in deploy/docker/*.Dockerfile) -> source here.
IMAGE_PATHS = {"/usr/share/nodelink/web": os.path.join(REPO, "gateway", "web", "dist")}

ENDPOINT_RE = re.compile(r"(?P<scheme>(?:tcp|redis)://)?(?P<host>\*|[A-Za-z0-9][A-Za-z0-9_.-]*):(?P<port>\d{1,5})\b")
PATH_RE = re.compile(r"(?<![\w.:/*-])(/[A-Za-z0-9_.@+-]+(?:/[A-Za-z0-9_.@+-]+)*)/?")


def compose_config(*profiles, env=None, compose_file=COMPOSE_FILE):
    """`docker-compose config` of the file, parsed. Raises with its stderr."""
    argv = ["docker-compose", "-f", compose_file]
    for p in profiles:
        argv += ["--profile", p]
    e = dict(os.environ)
    e.update(env or {})
    r = subprocess.run(argv + ["config"], capture_output=True, text=True, timeout=60, env=e)
    if r.returncode != 0:
        raise AssertionError("docker-compose config failed (%d): %s" % (r.returncode, r.stderr))
    return yaml.safe_load(r.stdout)


def dockerfile_entrypoint(path):
    """The ENTRYPOINT (exec form) of the last stage of a Dockerfile."""
    entry = None
    with open(path) as f:
        for line in f:
            if line.startswith("FROM "):
                entry = None
            elif line.startswith("ENTRYPOINT "):
                entry = json.loads(line[len("ENTRYPOINT "):])
    return entry


def flatten(d, prefix=""):
    out = {}
    for k, v in (d or {}).items():
        key = prefix + str(k)
        if isinstance(v, dict):
            out.update(flatten(v, key + "."))
        else:
            out[key] = v
    return out


def parse_mount(spec):
    """'src:target[:mode]' or the long form -> (source, target, read_only)."""
    if isinstance(spec, dict):
        return spec["source"], spec["target"], bool(spec.get("read_only"))
    parts = spec.split(":")
    mode = parts[2] if len(parts) > 2 else "rw"
    return parts[0], parts[1], "ro" in mode.split(",")


def parse_port(spec):
    """A compose ports entry -> (host address, host port, container port)."""
    if isinstance(spec, dict):
        return spec.get("host_ip", "0.0.0.0"), int(spec["published"]), int(spec["target"])
    parts = str(spec).split(":")
    if len(parts) == 3:
        return parts[0], int(parts[1]), int(parts[2].split("/")[0])
    if len(parts) == 2:
        return "0.0.0.0", int(parts[0]), int(parts[1].split("/")[0])
    return "0.0.0.0", int(parts[0]), int(parts[0])


class Localizer:
    """The mechanical substitution, for one resolved compose configuration."""

    def __init__(self, config, tmpdir):
        self.config = config
        self.services = config["services"]
        self.tmp = tmpdir
        self.ports = {}  # (service, container port) -> local port
        self.published = {}  # host port -> (service, container port)
        for name, svc in self.services.items():
            for spec in svc.get("ports", []):
                _, hp, cp = parse_port(spec)
                self.published[hp] = (name, cp)
        self.changes = []  # (service, kind, before, after)

    # ---- endpoints
    def port(self, service, port):
        key = (service, int(port))
        if key not in self.ports:
            self.ports[key] = free_port()
        return self.ports[key]

    def endpoint(self, service, host, port):
        """Local port for HOST:PORT as seen from service; None if not an endpoint of ours."""
        port = int(port)
        if host in self.services:
            return self.port(host, port)
        if host in ("*", "0.0.0.0"):
            return self.port(service, port)
        if host in ("127.0.0.1", "localhost"):
            if self.services[service].get("network_mode") == "host":
                if port not in self.published:
                    raise AssertionError("%s (host network) uses 127.0.0.1:%d, which compose does not publish"
                                         % (service, port))
                return self.port(*self.published[port])
            return self.port(service, port)
        return None

    # ---- paths
    def volume_dir(self, name):
        return os.path.join(self.tmp, "volumes", name)

    def mounts(self, service):
        out = []
        for spec in self.services[service].get("volumes", []):
            src, target, ro = parse_mount(spec)
            local = src if src.startswith("/") else self.volume_dir(src)
            out.append((local, target, ro, src))
        return out

    def path(self, service, p):
        """Local path for container path p of service; None when p is not ours to rewrite."""
        best = None
        for local, target, _, _ in self.mounts(service):
            if (p == target or p.startswith(target.rstrip("/") + "/")) and (best is None or len(target) > len(best[1])):
                best = (local, target)
        if best:
            local, target = best
            return local + p[len(target):]
        for image_path, src in IMAGE_PATHS.items():
            if p == image_path or p.startswith(image_path + "/"):
                return src + p[len(image_path):]
        children = [(local, target) for local, target, _, _ in self.mounts(service)
                    if target.startswith(p.rstrip("/") + "/")]
        if children:  # a directory holding mount points: a directory of links
            root = os.path.join(self.tmp, "roots", service) + p
            for local, target in children:
                link = os.path.join(self.tmp, "roots", service) + target
                os.makedirs(os.path.dirname(link), exist_ok=True)
                if not os.path.lexists(link):
                    os.makedirs(local, exist_ok=True)
                    os.symlink(local, link)
            return root
        return None

    # ---- text
    def text(self, service, s):
        def ep(m):
            local = self.endpoint(service, m.group("host"), m.group("port"))
            if local is None:
                return m.group(0)
            new = "%s%s:%d" % (m.group("scheme") or "", LOOPBACK, local)
            self.changes.append((service, "endpoint", m.group(0), new))
            return new

        def path(m):
            local = self.path(service, m.group(1))
            if local is None:
                return m.group(0)
            self.changes.append((service, "path", m.group(1), local))
            return local + m.group(0)[len(m.group(1)):]

        s = ENDPOINT_RE.sub(ep, s)
        return PATH_RE.sub(path, s)

    def argv(self, service, argv):
        return [self.text(service, a) for a in argv]

    def config_file(self, service, container_path):
        """Writes the localized copy of the file mounted at container_path; returns (original, copy)."""
        src = self.path(service, container_path)
        if src is None or not os.path.isfile(src):
            raise AssertionError("%s: %s is not a mounted file" % (service, container_path))
        with open(src) as f:
            text = f.read()
        out = os.path.join(self.tmp, "etc", service, os.path.basename(container_path))
        os.makedirs(os.path.dirname(out), exist_ok=True)
        with open(out, "w") as f:
            f.write(self.text(service, text))
        return src, out


def program(name, image=None):
    """Where a program of an image lives outside it."""
    name = os.path.basename(name)
    for d in (BIN, SCRIPTS):
        if os.path.isfile(os.path.join(d, name)):
            return os.path.join(d, name)
    found = shutil.which(name)
    if not found:
        raise AssertionError("program %s (image %s) not found in %s, %s or PATH" % (name, image, BIN, SCRIPTS))
    return found


class ComposeStack:
    """The compose services as local processes (see the module docstring)."""

    def __init__(self, profiles=("fleet",)):
        self.tmp = tempfile.mkdtemp(prefix="nodelink-compose-")
        self.config = compose_config(*profiles)
        self.loc = Localizer(self.config, self.tmp)
        self.procs = {}
        self.env = dict(os.environ, PATH=os.pathsep.join([BIN, SCRIPTS, os.environ.get("PATH", "")]))
        self.config_copies = {}  # (service, container path) -> (original, localized copy, program)
        self.certs_output = ""

    @property
    def services(self):
        return self.config["services"]

    def base_argv(self, name):
        svc = self.services[name]
        entry = svc.get("entrypoint")
        if entry is None and "build" in svc:
            entry = dockerfile_entrypoint(os.path.join(svc["build"]["context"], svc["build"]["dockerfile"]))
        argv = list(entry or []) + list(svc.get("command") or [])
        if not argv:
            raise AssertionError("%s: no entrypoint or command" % name)
        return argv

    def localize(self, name, argv):
        """argv of service name, localized; a --config FILE becomes a localized copy."""
        argv = list(argv)
        for i, a in enumerate(argv[:-1]):
            if a in ("--config", "-c"):
                orig, copy = self.loc.config_file(name, argv[i + 1])
                # what reads it: the program with its arguments up to the file
                reader = [program(argv[0])] + argv[1:i] + [a, copy]
                if os.path.basename(reader[0]) == "nodelink-fleet-agent":  # passes it to the agent
                    reader = [os.path.join(BIN, "nodelink-agent"), a, copy]
                self.config_copies[(name, argv[i + 1])] = (orig, copy, reader)
                argv[i + 1] = copy
        out = [argv[0]]
        for i, a in enumerate(argv[1:], 1):
            if argv[i - 1] in ("--config", "-c"):
                out.append(a)
            elif a.startswith("--config.file="):  # Prometheus' spelling
                cpath = a.split("=", 1)[1]
                orig, copy = self.loc.config_file(name, cpath)
                self.config_copies[(name, cpath)] = (orig, copy, None)  # not ours to run
                out.append("--config.file=" + copy)
            else:
                out.append(self.loc.text(name, a))
        return [program(out[0], self.services[name].get("image"))] + out[1:]

    def argv(self, name):
        return self.localize(name, self.base_argv(name))

    def env_of(self, name):
        e = dict(self.env)
        env = self.services[name].get("environment") or {}
        if isinstance(env, list):
            env = dict(x.split("=", 1) for x in env)
        e.update({k: str(v) for k, v in env.items() if v is not None})
        return e

    def healthcheck(self, name):
        """The service's healthcheck command, localized; None when it has none."""
        hc = self.services[name].get("healthcheck")
        if not hc or hc.get("disable"):
            return None
        test = hc["test"]
        if test[0] == "CMD":
            return self.localize(name, test[1:])
        if test[0] == "CMD-SHELL":
            return ["sh", "-c", self.loc.text(name, test[1])]
        raise AssertionError("%s: healthcheck form %r" % (name, test[0]))

    def healthy(self, name):
        argv = self.healthcheck(name)
        r = subprocess.run(argv, capture_output=True, text=True, timeout=30, env=self.env)
        return r.returncode == 0

    # ---- lifecycle
    def run_certs(self):
        r = subprocess.run(self.argv("certs"), capture_output=True, text=True, timeout=120, env=self.env_of("certs"))
        self.certs_output = r.stdout + r.stderr
        if r.returncode != 0:
            raise AssertionError("certs service failed:\n" + self.certs_output)

    def start_redis(self):
        # The image's working directory /data is the volume; its port is 6379.
        argv = self.argv("redis")
        data = self.loc.path("redis", "/data")
        os.makedirs(data, exist_ok=True)
        argv += ["--port", str(self.loc.port("redis", 6379)), "--bind", LOOPBACK, "--dir", data,
                 "--daemonize", "no"]
        self.start("redis", argv)

    def start(self, name, argv=None, key=None):
        p = Process(key or name, argv or self.argv(name), self.tmp, env=self.env_of(name))
        self.procs[key or name] = p
        return p

    def stop(self):
        for name in reversed(list(self.procs)):
            self.procs[name].stop()
        self.procs.clear()

    def dump_logs(self):
        print("----- certs -----\n" + self.certs_output[-3000:])
        for name, p in self.procs.items():
            print("----- %s log -----\n%s" % (name, p.log()[-4000:]))

    def cleanup(self):
        self.stop()
        shutil.rmtree(self.tmp, ignore_errors=True)

    # ---- access
    def redis(self, *args):
        r = subprocess.run(["redis-cli", "-h", LOOPBACK, "-p", str(self.loc.port("redis", 6379)), "--raw"]
                           + [str(a) for a in args], capture_output=True, text=True, timeout=10)
        return r.stdout.strip()

    def http(self, path, token=None):
        url = "http://%s:%d%s" % (LOOPBACK, self.loc.port("gateway", 8080), path)
        req = urllib.request.Request(url, headers={"Authorization": "Bearer " + token} if token else {})
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                return r.status, r.read()
        except urllib.error.HTTPError as e:
            return e.code, e.read()

    def admin_token(self):
        m = re.search(r"admin token[^:]*: (\S+)", self.certs_output)
        if not m:
            raise AssertionError("the certs service printed no admin token:\n" + self.certs_output)
        return m.group(1)


def host_agent_id():
    return subprocess.run(["hostname"], capture_output=True, text=True, check=True).stdout.strip()


class ComposeTopologyTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.s = ComposeStack()
        s = cls.s
        try:
            s.run_certs()
            s.start_redis()
            for name in ("broker", "store", "gateway", "host-agent"):
                s.start(name)
            s.start("agent", key="fleet-1")
            s.start("agent", key="fleet-2")
            cls.host_id = host_agent_id()
            wait_for(lambda: s.http("/healthz")[0] == 200, timeout=20, what="gateway /healthz")
        except BaseException:
            s.dump_logs()
            s.cleanup()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.s.cleanup()

    def run(self, result=None):
        r = super().run(result)
        if result is not None and (result.failures or result.errors) and not getattr(self.s, "_dumped", False):
            self.s._dumped = True
            self.s.dump_logs()
        return r

    # ---- the substitution
    def test_the_substitution_changes_only_endpoints_and_paths(self):
        self.s.healthcheck("broker")  # its nodelinkctl configuration is a copy too
        self.assertEqual({(svc, os.path.basename(p)) for svc, p in self.s.config_copies},
                         {("broker", "broker.yaml"), ("broker", "nodelinkctl.yaml"), ("store", "store.yaml"),
                          ("gateway", "gateway.yaml"), ("host-agent", "agent.yaml"), ("agent", "agent.yaml")})
        for (name, cpath), (orig, copy, _) in self.s.config_copies.items():
            with open(orig) as f:
                a = flatten(yaml.safe_load(f))
            with open(copy) as f:
                b = flatten(yaml.safe_load(f))
            what = "%s %s" % (name, cpath)
            self.assertEqual(set(a), set(b), "%s: keys differ" % what)
            changed = {k for k in a if a[k] != b[k]}
            for k in changed:
                before, after = str(a[k]), str(b[k])
                if ENDPOINT_RE.fullmatch(before):
                    self.assertRegex(after, r"^(tcp://|redis://)?127\.0\.0\.1:\d+$", "%s %s" % (what, k))
                    self.assertEqual(ENDPOINT_RE.fullmatch(before).group("scheme"),
                                     ENDPOINT_RE.fullmatch(after).group("scheme"), "%s %s" % (what, k))
                else:
                    self.assertTrue(before.startswith("/"), "%s: %s changed but is neither an endpoint nor a "
                                    "path: %r -> %r" % (what, k, before, after))
                    local_roots = [self.s.tmp, "/proc", "/sys"] + list(IMAGE_PATHS.values())
                    self.assertTrue(any(after == r or after.startswith(r + "/") for r in local_roots),
                                    "%s %s: %r" % (what, k, after))
            # every endpoint was rewritten
            for k in set(a) - changed:
                v = str(a[k])
                self.assertIsNone(ENDPOINT_RE.fullmatch(v), "%s %s: endpoint %r left as is" % (what, k, v))
            self.assertTrue(changed, "%s: nothing rewritten" % what)

    def test_every_localized_configuration_is_accepted_by_the_program_that_reads_it(self):
        self.s.healthcheck("broker")
        for (name, cpath), (_, copy, reader) in self.s.config_copies.items():
            r = subprocess.run(reader + ["--print-config"], capture_output=True, text=True, timeout=10)
            self.assertEqual(r.returncode, 0, "%s rejects %s: %s" % (reader, copy, r.stderr))

    # ---- health
    def test_every_healthcheck_passes_on_the_running_stack(self):
        names = [n for n in ("redis", "broker", "store", "gateway", "host-agent", "agent")
                 if self.s.healthcheck(n)]
        self.assertEqual(set(names), {"redis", "broker", "store", "gateway", "host-agent", "agent"})
        for n in names:
            wait_for(lambda: self.s.healthy(n), timeout=30, interval=0.5, what="healthcheck of %s" % n)

    # ---- data
    def test_host_agent_samples_reach_redis_through_the_broker_and_the_store(self):
        key = "nodelink:{%s}:metrics" % self.host_id
        wait_for(lambda: int(self.s.redis("XLEN", key) or 0) >= 1, timeout=30, what="XLEN " + key)
        lines = self.s.redis("XREVRANGE", key, "+", "-", "COUNT", "1").splitlines()
        fields = dict(zip(lines[1::2], lines[2::2]))
        self.assertIn("cpu.usage_percent", fields)
        self.assertIn("memory.total_bytes", fields)
        self.assertEqual(self.s.redis("ZSCORE", "nodelink:agents", self.host_id) != "", True)

    def test_fleet_replicas_take_distinct_ids_from_the_pool(self):
        def ids():
            out = self.s.redis("ZRANGE", "nodelink:agents", "0", "-1").split()
            return sorted(i for i in out if i.startswith("fleet-"))
        got = wait_for(lambda: ids() if len(ids()) >= 2 else None, timeout=30, what="two fleet agents in Redis")
        self.assertEqual(got, ["fleet-001", "fleet-002"])

    def test_gateway_requires_a_token_and_serves_live_metrics_with_the_admin_token(self):
        status, _ = self.s.http("/api/metrics/agents")
        self.assertEqual(status, 401)
        token = self.s.admin_token()
        path = "/api/agents/%s/metrics" % self.host_id
        # polled once a second: the token's rate limit (requests_per_minute: 60) applies
        status, body = wait_for(lambda: (lambda r: r if r[0] == 200 else None)(self.s.http(path, token)),
                                timeout=30, interval=1, what="GET " + path)
        doc = json.loads(body)
        self.assertEqual(doc["agent_id"], self.host_id)
        self.assertIn("usage_percent", doc["cpu"])
        status, body = self.s.http("/api/metrics/agents", token)
        self.assertEqual(status, 200)
        listed = json.dumps(json.loads(body))
        self.assertIn(self.host_id, listed)

    def test_prometheus_token_scrapes_the_metrics_endpoint(self):
        with open(os.path.join(self.s.loc.volume_dir("certs-prometheus"), "token")) as f:
            token = f.read().strip()
        self.assertEqual(self.s.http("/metrics", "not-a-token")[0], 401)
        text = wait_for(lambda: (lambda r: r[1].decode() if r[0] == 200 and
                                 ('agent="%s"' % self.host_id).encode() in r[1] else None)(self.s.http("/metrics", token)),
                        timeout=30, interval=1, what="the host agent in /metrics")
        self.assertRegex(text, r"(?m)^# TYPE \w+ gauge$")


class ComposeHealthcheckFailureTest(unittest.TestCase):
    """The healthchecks can fail: each one turns unhealthy when what it checks goes away."""

    def test_healthchecks_fail_when_their_service_or_its_peers_stop(self):
        s = ComposeStack(profiles=())
        try:
            s.run_certs()
            s.start_redis()
            for name in ("broker", "store", "gateway"):
                s.start(name)
            for n in ("redis", "broker", "store", "gateway"):
                wait_for(lambda: s.healthy(n), timeout=30, interval=0.5, what="healthcheck of %s" % n)
            s.procs["gateway"].stop()
            wait_for(lambda: not s.healthy("gateway"), timeout=10, what="gateway unhealthy once stopped")
            s.procs["redis"].stop()
            wait_for(lambda: not s.healthy("redis"), timeout=10, what="redis unhealthy once stopped")
            # outside containers all processes share one network namespace, so
            # the store's check is only meaningful once the gateway is gone
            self.assertTrue(s.healthy("store"))
            s.procs["broker"].stop()
            wait_for(lambda: not s.healthy("broker"), timeout=20, what="broker unhealthy once stopped")
            wait_for(lambda: not s.healthy("store"), timeout=20, what="store unhealthy without the broker")
        except BaseException:
            s.dump_logs()
            raise
        finally:
            s.cleanup()


class FleetPoolTest(unittest.TestCase):
    """nodelink-fleet-agent: an id held by a running replica is never given twice; a dead one's is freed."""

    def test_a_killed_replica_frees_its_id(self):
        s = ComposeStack()
        try:
            s.run_certs()
            s.start_redis()
            s.start("broker")
            s.start("store")
            a = s.start("agent", key="fleet-a")
            wait_for(lambda: "agent id fleet-001" in a.log(), timeout=10, what="replica a takes fleet-001")
            b = s.start("agent", key="fleet-b")
            wait_for(lambda: "agent id fleet-002" in b.log(), timeout=10, what="replica b takes fleet-002")
            a.proc.send_signal(signal.SIGKILL)
            a.proc.wait()
            c = s.start("agent", key="fleet-c")
            wait_for(lambda: "agent id fleet-001" in c.log(), timeout=10, what="replica c takes the freed fleet-001")
            self.assertTrue(b.alive())
            key = "nodelink:{fleet-001}:metrics"
            n0 = int(s.redis("XLEN", key) or 0)
            wait_for(lambda: int(s.redis("XLEN", key) or 0) > n0, timeout=30, what="fleet-001 samples from c")
        except BaseException:
            s.dump_logs()
            raise
        finally:
            s.cleanup()


if __name__ == "__main__":
    unittest.main()
