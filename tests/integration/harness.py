"""Test harness: real binaries, a private redis-server, free loopback ports.

Run with Debian's interpreter (/usr/bin/python3), which has python3-zmq and
python3-protobuf. Every process started here is stopped when its context ends
(and at interpreter exit, as a last resort), so no test leaves one behind.

    from harness import Stack
    with Stack() as s:                      # redis + broker + store + gateway
        s.start_agent("a1")                 # an agent on this host
        s.wait_for(lambda: s.redis("XLEN", s.key("a1", "metrics")) not in ("0", ""))
        status, body = s.http_json("GET", "/agents/a1/metrics")

Environment: NODELINK_BUILD_DIR (default: <repo>/build) selects the binaries.
"""
import atexit
import json
import os
import shutil
import signal
import random
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BUILD = os.environ.get("NODELINK_BUILD_DIR", os.path.join(REPO, "build"))
BIN = os.path.join(BUILD, "bin")
LOOPBACK = "127.0.0.1"

_live = []


def _cleanup():
    for p in list(_live):
        try:
            p.kill()
        except Exception:
            pass


atexit.register(_cleanup)

_libc = None


def _die_with_parent():
    """preexec_fn: the child gets SIGKILL when the test process dies, even by
    SIGKILL (a ctest timeout), so no service outlives its test."""
    global _libc
    import ctypes
    if _libc is None:
        _libc = ctypes.CDLL("libc.so.6", use_errno=True)
    _libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def popen(argv, **kw):
    """subprocess.Popen for anything a test starts: in its own session (so
    signals to the test runner do not hit it twice) and killed with the test
    process. Registered for cleanup at exit."""
    kw.setdefault("start_new_session", True)
    kw.setdefault("preexec_fn", _die_with_parent)
    p = subprocess.Popen(argv, **kw)
    _live.append(p)
    return p


_handed_out = set()


def _ephemeral_range():
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
            lo, hi = (int(x) for x in f.read().split())
            return lo, hi
    except (OSError, ValueError):
        return 32768, 60999


def free_port():
    """A free loopback port below the kernel's ephemeral range.

    A test picks its ports first and binds them later (when the service it
    starts does). A port from the ephemeral range (what bind to 0 hands out)
    can be taken meanwhile by any outgoing connection on the machine - a
    client's local port - and the bind fails with EADDRINUSE. Ports below the
    range are only ever taken by an explicit bind, so a free one stays free."""
    lo, _ = _ephemeral_range()
    floor = 10000 if lo > 11000 else 1024
    rnd = random.SystemRandom()
    for _ in range(200):
        port = rnd.randrange(floor, lo)
        if port in _handed_out:  # never twice in one test process
            continue
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            try:
                s.bind((LOOPBACK, port))
            except OSError:
                continue
            _handed_out.add(port)
            return port
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:  # a crowded machine
        s.bind((LOOPBACK, 0))
        return s.getsockname()[1]


_proto_module = None


def proto():
    """The Python protobuf module generated from proto/nodelink.proto at test
    time with Debian's protoc (never committed). Cached per process."""
    global _proto_module
    if _proto_module is None:
        import importlib
        import sys
        outdir = tempfile.mkdtemp(prefix="nodelink-pb-")
        atexit.register(shutil.rmtree, outdir, True)
        subprocess.run(["protoc", "--proto_path=" + os.path.join(REPO, "proto"), "--python_out=" + outdir,
                        os.path.join(REPO, "proto", "nodelink.proto")], check=True)
        sys.path.insert(0, outdir)
        _proto_module = importlib.import_module("nodelink_pb2")
    return _proto_module


class Subscriber:
    """A plain pyzmq SUB socket decoding published frames: recv() returns
    (topic str, TaskResponse) or None on timeout."""

    def __init__(self, endpoint, *prefixes):
        import zmq
        self._zmq = zmq
        self.ctx = zmq.Context.instance()
        self.sock = self.ctx.socket(zmq.SUB)
        self.sock.setsockopt(zmq.LINGER, 0)
        for p in prefixes or ("",):
            self.sock.setsockopt(zmq.SUBSCRIBE, p.encode())
        self.sock.connect(endpoint)

    def recv(self, timeout=5.0):
        if not self.sock.poll(int(timeout * 1000)):
            return None
        parts = self.sock.recv_multipart()
        msg = proto().TaskResponse()
        msg.ParseFromString(parts[1])
        return parts[0].decode(), msg

    def close(self):
        self.sock.close(0)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def wait_for(pred, timeout=10.0, interval=0.05, what="condition"):
    """Polls pred() until it returns a truthy value; returns it or raises."""
    deadline = time.monotonic() + timeout
    last_exc = None
    while time.monotonic() < deadline:
        try:
            v = pred()
            if v:
                return v
        except Exception as e:  # the thing polled may not be up yet
            last_exc = e
        time.sleep(interval)
    raise AssertionError("timed out after %.1fs waiting for %s (last error: %r)" % (timeout, what, last_exc))


SANITIZER_MARKERS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:")


class Process:
    """A child process with its output captured to a file in the test's temp dir."""

    def __init__(self, name, argv, tmpdir, env=None):
        self.name = name
        self.argv = argv
        self.log_path = os.path.join(tmpdir, name + ".log")
        self._log = open(self.log_path, "ab")
        e = dict(os.environ)
        if env:
            e.update(env)
        self.proc = popen(argv, stdout=self._log, stderr=subprocess.STDOUT, env=e)

    @property
    def pid(self):
        return self.proc.pid

    def alive(self):
        return self.proc.poll() is None

    def log(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def signal(self, sig):
        if self.alive():
            self.proc.send_signal(sig)

    def stop(self, timeout=5.0):
        """SIGTERM, then SIGKILL after timeout. Returns the exit status."""
        if self.alive():
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc in _live:
            _live.remove(self.proc)
        self._log.close()
        self.check_sanitizers()
        return self.proc.returncode

    def check_sanitizers(self):
        """Raises when the process's output holds an ASan, LeakSanitizer or
        UBSan report (sanitizer builds print them to stderr, which is the
        log): every test that stops a service fails on one, whether or not
        it looks at the exit status."""
        text = self.log()
        for marker in SANITIZER_MARKERS:
            at = text.find(marker)
            if at >= 0:
                raise AssertionError("%s: sanitizer report in %s:\n%s" % (self.name, self.log_path,
                                                                          text[max(0, at - 200):at + 3000]))

    def kill(self):
        if self.alive():
            self.proc.kill()
            self.proc.wait()
        if self.proc in _live:
            _live.remove(self.proc)
        self._log.close()


class Redis:
    """A private redis-server on a free loopback port with its data in a temp dir."""

    def __init__(self, tmpdir=None, appendonly=False, port=None):
        self._own_tmp = tmpdir is None
        self.tmpdir = tmpdir or tempfile.mkdtemp(prefix="nodelink-redis-")
        self.port = port or free_port()
        self.appendonly = appendonly
        self.proc = None

    @property
    def url(self):
        return "redis://%s:%d" % (LOOPBACK, self.port)

    def start(self):
        datadir = os.path.join(self.tmpdir, "redis-data")
        os.makedirs(datadir, exist_ok=True)
        argv = ["redis-server", "--port", str(self.port), "--bind", LOOPBACK, "--dir", datadir,
                "--save", "", "--appendonly", "yes" if self.appendonly else "no",
                "--protected-mode", "yes", "--daemonize", "no"]
        self.proc = Process("redis-%d" % self.port, argv, self.tmpdir)
        wait_for(lambda: self.cli("PING") == "PONG", timeout=10, what="redis-server to answer PING")
        return self

    def stop(self):
        if self.proc:
            self.proc.stop()
            self.proc = None

    def cli(self, *args):
        """Runs redis-cli against this server; returns stripped stdout."""
        out = subprocess.run(["redis-cli", "-h", LOOPBACK, "-p", str(self.port), "--no-raw"] + [str(a) for a in args],
                             capture_output=True, text=True, timeout=10)
        return out.stdout.strip()

    def raw(self, *args):
        """Runs redis-cli --raw; returns stdout lines."""
        out = subprocess.run(["redis-cli", "-h", LOOPBACK, "-p", str(self.port), "--raw"] + [str(a) for a in args],
                             capture_output=True, text=True, timeout=10)
        return out.stdout.splitlines()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
        if self._own_tmp:
            shutil.rmtree(self.tmpdir, ignore_errors=True)


class Stack:
    """Redis and the services on free loopback ports, stopped on exit.

    Pass False to leave a part out (e.g. Stack(store=False, gateway=False)).
    extra_args maps a service name ("broker", "store", "gateway") to extra
    command-line arguments.
    """

    def __init__(self, redis=True, broker=True, store=True, gateway=True, extra_args=None, keep_tmp=False):
        self.tmpdir = tempfile.mkdtemp(prefix="nodelink-test-")
        self.want = {"redis": redis, "broker": broker, "store": store, "gateway": gateway}
        self.extra = extra_args or {}
        self.keep_tmp = keep_tmp
        self.ports = {k: free_port() for k in ("frontend", "backend", "agents", "clients", "http")}
        self.redis_server = Redis(self.tmpdir) if redis else None
        self.procs = {}

    # ---- endpoints
    def ep(self, name):
        return "tcp://%s:%d" % (LOOPBACK, self.ports[name])

    @property
    def http_base(self):
        return "http://%s:%d" % (LOOPBACK, self.ports["http"])

    # ---- argv builders (the contract of each binary's keys)
    def broker_argv(self):
        return [os.path.join(BIN, "nodelink-broker"),
                "--broker.frontend=" + self.ep("frontend"), "--broker.backend=" + self.ep("backend"),
                "--broker.agents=" + self.ep("agents"), "--broker.clients=" + self.ep("clients")] + \
            self.extra.get("broker", [])

    def store_argv(self):
        return [os.path.join(BIN, "nodelink-store"),
                "--broker.subscribe_endpoint=" + self.ep("backend"),
                "--broker.publish_endpoint=" + self.ep("frontend"),
                "--redis.url=" + self.redis_server.url] + self.extra.get("store", [])

    def gateway_argv(self):
        argv = [os.path.join(BIN, "nodelink-gateway"),
                "--http.listen=%s:%d" % (LOOPBACK, self.ports["http"]),
                "--broker.subscribe_endpoint=" + self.ep("backend"),
                "--broker.client_endpoint=" + self.ep("clients"),
                # authentication is on by default; tests that exercise it pass
                # --auth.enabled=true (later arguments win)
                "--auth.enabled=false"]
        if self.redis_server:
            argv.append("--redis.url=" + self.redis_server.url)
        return argv + self.extra.get("gateway", [])

    def agent_argv(self, agent_id, *args):
        return [os.path.join(BIN, "nodelink-agent"), "--agent.id=" + agent_id,
                "--broker.publish_endpoint=" + self.ep("frontend"),
                "--broker.control_endpoint=" + self.ep("agents"),
                "--metrics.collection_interval=1s"] + list(args)

    # ---- lifecycle
    def start_process(self, name, argv, env=None):
        p = Process(name, argv, self.tmpdir, env=env)
        self.procs[name] = p
        return p

    def start(self):
        if self.redis_server:
            self.redis_server.start()
        if self.want["broker"]:
            self.start_process("broker", self.broker_argv())
        if self.want["store"]:
            self.start_process("store", self.store_argv())
        if self.want["gateway"]:
            self.start_process("gateway", self.gateway_argv())
            wait_for(lambda: self.http("GET", "/healthz")[0] == 200, timeout=10, what="gateway /healthz")
        for name, p in self.procs.items():
            if not p.alive():
                raise AssertionError("%s exited at start:\n%s" % (name, p.log()))
        return self

    def start_agent(self, agent_id, *args, env=None):
        return self.start_process("agent-" + agent_id, self.agent_argv(agent_id, *args), env=env)

    def restart(self, name):
        p = self.procs[name]
        p.stop()
        return self.start_process(name, p.argv)

    def stop(self):
        for name in reversed(list(self.procs)):
            self.procs[name].stop()
        self.procs.clear()
        if self.redis_server:
            self.redis_server.stop()

    def __enter__(self):
        try:
            return self.start()
        except BaseException:
            self.dump_logs()
            self.stop()
            raise

    def __exit__(self, exc_type, *rest):
        if exc_type is not None:
            self.dump_logs()
        self.stop()
        if not self.keep_tmp:
            shutil.rmtree(self.tmpdir, ignore_errors=True)

    def dump_logs(self):
        for name, p in self.procs.items():
            print("----- %s log -----\n%s" % (name, p.log()[-6000:]))

    # ---- helpers
    def redis(self, *args):
        return self.redis_server.cli(*args)

    @staticmethod
    def key(agent_id, suffix):
        return "nodelink:{%s}:%s" % (agent_id, suffix)

    def wait_for(self, pred, timeout=10.0, what="condition"):
        return wait_for(pred, timeout=timeout, what=what)

    def http(self, method, path, body=None, headers=None, timeout=10):
        """Returns (status, headers dict, body bytes); never raises on HTTP errors."""
        data = None
        h = dict(headers or {})
        if body is not None:
            data = body if isinstance(body, (bytes, bytearray)) else json.dumps(body).encode()
            h.setdefault("Content-Type", "application/json")
        req = urllib.request.Request(self.http_base + path, data=data, method=method, headers=h)
        try:
            with urllib.request.urlopen(req, timeout=timeout) as r:
                return r.status, dict(r.headers), r.read()
        except urllib.error.HTTPError as e:
            return e.code, dict(e.headers), e.read()

    def http_json(self, method, path, body=None, headers=None, timeout=10):
        status, _, raw = self.http(method, path, body, headers, timeout)
        try:
            return status, json.loads(raw) if raw else None
        except ValueError:
            raise AssertionError("%s %s: status %d, body is not JSON: %r" % (method, path, status, raw[:200]))
