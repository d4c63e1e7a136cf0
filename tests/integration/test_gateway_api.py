"""Gateway REST API: every endpoint and every error, against the real
gateway and store binaries, with a scripted broker stand-in (gateway_fake)
so the test decides exactly what the gateway sees."""
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
import unittest

from gateway_fake import FakeBroker
from harness import LOOPBACK, Stack, wait_for


def _now_ms():
    return int(time.time() * 1000)


def _varint(n):
    out = b""
    while True:
        b, n = n & 0x7F, n >> 7
        out += bytes([b | (0x80 if n else 0)])
        if not n:
            return out


class GatewayApi(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.s = Stack(broker=False, extra_args={"gateway": ["--broker.request_timeout=1s",
                                                            "--broker.list_interval=300ms",
                                                            "--http.cors_origins=https://ops.example"]})
        cls.s.start()
        cls.fake = FakeBroker(cls.s.ep("backend"), cls.s.ep("clients"))
        cls.fake.agents.update({"a1": True, "gone": False})
        # the store and the gateway both subscribe: wait until a sample gets through to both
        wait_for(lambda: (cls.fake.publish_sample("a1", cores=[10.0, 20.0], disks=["/dev/sda1"]) and
                          cls.s.http("GET", "/agents/a1/metrics")[0] == 200), timeout=15,
                 interval=0.3, what="gateway to see a1")

    @classmethod
    def tearDownClass(cls):
        cls.fake.close()
        cls.s.stop()

    def get(self, path, headers=None):
        return self.s.http_json("GET", path, headers=headers)

    def assertError(self, status, method, path, body=None, headers=None, code=None):
        st, h, raw = self.s.http(method, path, body=body, headers=headers)
        self.assertEqual(st, code or status, raw[:300])
        doc = json.loads(raw)
        self.assertEqual(doc["error"]["status"], code or status)
        self.assertIsInstance(doc["error"]["message"], str)
        self.assertTrue(h.get("Content-Type", "").startswith("application/json"))
        return h, doc

    # ---- latest sample
    def test_latest_sample_has_the_specification_shape(self):
        ts = self.fake.publish_sample("a1", cpu=42.5, mem=12.5)
        body = wait_for(lambda: (lambda r: r[1] if r[1].get("timestamp") == ts else None)(
            self.get("/agents/a1/metrics")), what="the new sample")
        self.assertEqual(list(body)[:2], ["agent_id", "timestamp"])
        self.assertEqual(body["agent_id"], "a1")
        self.assertEqual(body["cpu"]["usage_percent"], 42.5)
        self.assertEqual(body["memory"]["usage_percent"], 12.5)
        self.assertEqual(body["load"], {"load1": 0.5})
        self.assertNotIn("interval_ms", body)  # nodelink additions stay out
        self.assertGreater(body["timestamp"], 10 ** 12)  # milliseconds

    def test_every_route_is_also_under_api(self):
        for path in ("/agents/a1/metrics", "/metrics/agents", "/healthz"):
            self.assertEqual(self.s.http("GET", "/api" + path)[0], 200, path)

    def test_unknown_agent_is_404_with_a_json_body(self):
        _, doc = self.assertError(404, "GET", "/agents/nobody/metrics")
        self.assertIn("nobody", doc["error"]["message"])
        for path in ("/agents/nobody/system", "/agents/nobody/metrics/stream",
                     "/agents/nobody/metrics/history"):
            self.assertError(404, "GET", path)
        self.assertError(404, "POST", "/agents/nobody/metrics/stream", body={"action": "stop"})

    def test_unknown_route_is_404_and_wrong_method_405(self):
        self.assertError(404, "GET", "/no/such/route")
        self.assertError(404, "GET", "/agents/a%20b/metrics")
        h, _ = self.assertError(405, "DELETE", "/agents/a1/metrics")
        self.assertIn("GET", h["Allow"])
        h, _ = self.assertError(405, "PUT", "/agents/a1/metrics/stream")
        self.assertEqual(h["Allow"], "GET, POST")

    # ---- agent list
    def test_agent_list_reports_broker_status_and_summary(self):
        wait_for(lambda: self.fake.list_requests > 0, what="a list_agents request")
        doc = wait_for(lambda: (lambda d: d if any(a["agent_id"] == "gone" for a in d["agents"]) else None)(
            self.get("/metrics/agents")[1]), what="'gone' from the broker list")
        by_id = {a["agent_id"]: a for a in doc["agents"]}
        self.assertEqual(by_id["a1"]["status"], "connected")
        self.assertEqual(set(by_id["a1"]["metrics"]), {"cpu", "memory"})
        self.assertIn("usage_percent", by_id["a1"]["metrics"]["cpu"])
        self.assertIsInstance(by_id["a1"]["last_metrics_update"], int)
        self.assertEqual(by_id["gone"], {"agent_id": "gone", "status": "disconnected",
                                         "last_metrics_update": None, "metrics": None})

    def test_status_frames_mark_an_agent_disconnected(self):
        self.fake.publish_sample("b2")
        wait_for(lambda: self.get("/agents/b2/metrics")[0] == 200, what="b2 sample")
        self.fake.publish_status("b2", False)

        def state():
            return {a["agent_id"]: a for a in self.get("/metrics/agents")[1]["agents"]}.get("b2")
        entry = wait_for(lambda: (lambda e: e if e and e["status"] == "disconnected" else None)(state()),
                         what="b2 disconnected")
        self.assertIsNone(entry["metrics"])
        self.assertIsInstance(entry["last_metrics_update"], int)

    # ---- system info
    def test_system_info_is_served_from_the_store_with_part_flags(self):
        self.fake.publish("system", "a1", self.fake.system_info("a1"))
        body = wait_for(lambda: (lambda r: r[1] if r[0] == 200 else None)(self.get("/agents/a1/system")),
                        what="system info")
        self.assertEqual(body["agent_id"], "a1")
        self.assertEqual(body["hardware"]["cpu"]["model"], "Test CPU")
        self.assertEqual(body["software"]["hostname"], "worker-node-01")
        self.assertEqual(body["network_interfaces"][0]["mac_address"], "aa:bb:cc:dd:ee:ff")
        st, only_hw = self.get("/agents/a1/system?software=false&network=false")
        self.assertEqual(st, 200)
        self.assertIn("hardware", only_hw)
        self.assertNotIn("software", only_hw)
        self.assertNotIn("network_interfaces", only_hw)
        self.assertError(400, "GET", "/agents/a1/system?hardware=maybe")

    def test_system_refresh_asks_the_agent_through_the_broker(self):
        def answer(req):
            if req.metrics_request.WhichOneof("request_type") != "system_info":
                return None
            tr = self.fake.system_info(req.agent_id, hostname="fresh-host")
            tr.ClearField("sequence")
            return tr
        self.fake.on_task = answer
        try:
            st, body = self.get("/agents/a1/system?refresh=true&network=false")
        finally:
            self.fake.on_task = None
        self.assertEqual(st, 200, body)
        self.assertEqual(body["software"]["hostname"], "fresh-host")
        self.assertNotIn("network_interfaces", body)
        req = self.fake.tasks[-1]
        self.assertTrue(req.metrics_request.system_info.include_hardware)
        self.assertFalse(req.metrics_request.system_info.include_network)

    # ---- control
    def test_stream_control_reflects_the_agents_answer(self):
        def answer(req):
            sr = req.metrics_request.stream_request
            tr = self.fake.pb.TaskResponse(status=self.fake.pb.TaskResponse.COMPLETED, is_final=True)
            ss = tr.metrics_response.stream_status
            ss.streaming = sr.action != sr.STOP
            ss.interval_ms = sr.interval_seconds * 1000
            ss.metrics.extend(sr.metrics)
            return tr
        self.fake.on_task = answer
        try:
            st, body = self.s.http_json("POST", "/agents/a1/metrics/stream",
                                        {"action": "update_interval", "interval_seconds": 7,
                                         "metrics": ["cpu", "memory.usage_percent"]})
        finally:
            self.fake.on_task = None
        self.assertEqual(st, 200, body)
        self.assertEqual(body["interval_ms"], 7000)
        self.assertEqual(body["metrics"], ["cpu", "memory.usage_percent"])
        self.assertTrue(body["streaming"])
        sr = self.fake.tasks[-1].metrics_request.stream_request
        self.assertEqual(sr.action, sr.UPDATE_INTERVAL)
        self.assertEqual(sr.interval_seconds, 7)

    def test_stream_control_without_an_answer_is_504(self):
        self.fake.on_task = None
        t0 = time.monotonic()
        _, doc = self.assertError(504, "POST", "/agents/a1/metrics/stream", body={"action": "start"})
        self.assertEqual(doc["error"]["code"], "timeout")
        self.assertLess(time.monotonic() - t0, 5)

    # The HTTP status of every failure code (docs/api.md): the code decides,
    # never the words of error_message.
    FAILURE_STATUS = {"FAILURE_UNSPECIFIED": (502, "unspecified", None),
                      "FAILURE_UNKNOWN_AGENT": (404, "unknown_agent", None),
                      "FAILURE_NOT_CONNECTED": (503, "not_connected", "5"),
                      "FAILURE_DISCONNECTED": (503, "disconnected", "5"),
                      "FAILURE_TIMEOUT": (504, "timeout", None),
                      "FAILURE_BUSY": (409, "busy", "1"),
                      "FAILURE_INVALID_REQUEST": (400, "invalid_request", None),
                      "FAILURE_REFUSED": (422, "refused", None),
                      "FAILURE_UNSUPPORTED": (501, "unsupported", None),
                      "FAILURE_RESOURCE_EXHAUSTED": (503, "resource_exhausted", "5"),
                      "FAILURE_UNAVAILABLE": (503, "unavailable", "5"),
                      "FAILURE_INTERNAL": (500, "internal", None)}

    def _failing(self, failure=None, reason="it went wrong"):
        def f(req):
            tr = self.fake.pb.TaskResponse(status=self.fake.pb.TaskResponse.FAILED, is_final=True,
                                           error_message=reason)
            if failure is not None and failure in self.fake.pb.FailureCode.values():
                tr.failure = failure
            elif failure is not None:  # a code newer than this build: field 26 as raw varint
                tr.MergeFromString(bytes([0xD0, 0x01]) + _varint(failure))
            return tr
        return f

    def test_every_failure_code_maps_to_its_status_and_name(self):
        codes = self.fake.pb.FailureCode
        self.assertEqual(set(codes.keys()), set(self.FAILURE_STATUS), "a code without an HTTP status here")
        try:
            for name, (status, code_name, retry) in self.FAILURE_STATUS.items():
                # the English says the opposite of the code: only the code may decide
                self.fake.on_task = self._failing(codes.Value(name), "timeout: agent 'a1' is not connected")
                h, doc = self.assertError(status, "POST", "/agents/a1/metrics/stream", body={"action": "start"})
                self.assertEqual(doc["error"]["code"], code_name, name)
                self.assertEqual(doc["error"]["message"], "timeout: agent 'a1' is not connected")
                self.assertEqual(h.get("Retry-After"), retry, name)
                # the same table for GET /agents/{id}/system?refresh=true
                _, doc = self.assertError(status, "GET", "/agents/a1/system?refresh=true")
                self.assertEqual(doc["error"]["code"], code_name, name)
        finally:
            self.fake.on_task = None

    def test_a_failure_without_a_code_or_with_an_unknown_one_is_502(self):
        try:
            for failure in (None, 999):
                self.fake.on_task = self._failing(failure, "agent 'a1' is not connected")
                _, doc = self.assertError(502, "POST", "/agents/a1/metrics/stream", body={"action": "start"})
                self.assertEqual(doc["error"]["code"], "unspecified")
                self.assertIn("not connected", doc["error"]["message"])
        finally:
            self.fake.on_task = None

    def test_unknown_agent_from_the_broker_for_an_agent_no_one_knows_is_the_usual_404(self):
        codes = self.fake.pb.FailureCode
        try:
            self.fake.on_task = self._failing(codes.Value("FAILURE_UNKNOWN_AGENT"), "agent 'zz' is unknown")
            # the gateway knows a1 (it sent samples): the broker's words
            _, doc = self.assertError(404, "POST", "/agents/a1/metrics/stream", body={"action": "start"})
            self.assertEqual(doc["error"]["message"], "agent 'zz' is unknown")
        finally:
            self.fake.on_task = None

    def test_stream_control_rejects_bad_bodies(self):
        for body in (b"not json", {"action": "fly"}, {"action": "update_interval"},
                     {"action": "start", "interval_seconds": 0}, {"action": "start", "interval_seconds": "5"},
                     {"action": "start", "metrics": ["cpu.nope"]}, [1, 2]):
            self.assertError(400, "POST", "/agents/a1/metrics/stream", body=body)

    # ---- history
    def test_history_bucket_math(self):
        base = (int(time.time()) // 60 - 10) * 60  # 10 minutes ago, minute-aligned
        values = [10, 20, 30, 40, 50, 60]
        for i, v in enumerate(values):
            self.fake.publish_sample("h1", ts_ms=(base + 10 * i) * 1000, cpu=float(v), mem=float(v) / 10)
        url = "/agents/h1/metrics/history?metrics=cpu.usage_percent,memory.usage_percent&start=%d&end=%d&interval=30" % (
            base, base + 59)

        def done():
            st, body = self.get(url)
            return body if st == 200 and sum(1 for p in body["data"]) == 2 and \
                body["data"][-1].get("cpu.usage_percent") == 50 else None
        body = wait_for(done, timeout=15, what="history of h1")
        self.assertEqual(body["agent_id"], "h1")
        self.assertEqual(body["query"]["interval_seconds"], 30)
        self.assertEqual(body["query"]["start_timestamp"], base)
        self.assertEqual(body["data"][0], {"timestamp": base, "cpu.usage_percent": 20.0,
                                           "memory.usage_percent": 2.0})
        self.assertEqual(body["data"][1]["timestamp"], base + 30)
        self.assertAlmostEqual(body["data"][1]["memory.usage_percent"], 5.0)
        self.assertFalse(body["truncated"])
        st, one = self.get(url + "&max_points=1")
        self.assertTrue(one["truncated"])
        self.assertEqual(len(one["data"]), 1)
        # defaults: last hour, automatic interval (the smallest nice one giving <= 500 buckets)
        st, dflt = self.get("/agents/h1/metrics/history")
        self.assertEqual(st, 200)
        q = dflt["query"]
        self.assertEqual(q["end_timestamp"] - q["start_timestamp"], 3600)
        self.assertEqual(q["interval_seconds"], 10)
        self.assertEqual(q["metrics"], ["cpu.usage_percent", "memory.usage_percent"])

    def test_history_rejects_bad_parameters(self):
        for q in ("start=abc", "start=-5", "end=1e9", "start=200&end=100", "interval=0", "interval=-1",
                  "metrics=cpu.nope", "metrics=", "max_points=0", "start=99999999999999999999"):
            h, doc = self.assertError(400, "GET", "/agents/a1/metrics/history?" + q)

    # ---- limits
    def test_oversized_body_uri_and_headers_are_refused(self):
        self.assertError(413, "POST", "/agents/a1/metrics/stream", body=b"{" + b" " * 70000 + b"}")
        self.assertError(414, "GET", "/agents/a1/metrics?x=" + "a" * 5000)
        self.assertError(431, "GET", "/agents/a1/metrics", headers={"X-Big": "b" * 9000})
        self.assertEqual(self.s.http("GET", "/healthz")[0], 200)

    # ---- probes, Prometheus, CORS
    def test_readyz_needs_broker_and_redis(self):
        st, body = wait_for(lambda: (lambda r: r if r[0] == 200 else None)(self.get("/readyz")),
                            what="ready")
        self.assertEqual(body["status"], "ready")

    def test_prometheus_exposition_passes_promtool(self):
        ts = self.fake.publish_sample("a1", cores=[10.0, 20.0], disks=["/dev/sda1"])
        wait_for(lambda: self.get("/agents/a1/metrics")[1].get("timestamp") == ts, what="sample with cores")
        st, h, raw = self.s.http("GET", "/metrics")
        self.assertEqual(st, 200)
        self.assertTrue(h["Content-Type"].startswith("text/plain; version=0.0.4"))
        text = raw.decode()
        self.assertIn('nodelink_cpu_usage_percent{agent="a1"}', text)
        self.assertIn('nodelink_cpu_core_usage_percent{agent="a1",core="1"} 20', text)
        self.assertIn('nodelink_disk_read_bytes_per_second{agent="a1",device="sda1"} 4096', text)
        self.assertIn('nodelink_agent_up{agent="a1"} 1', text)
        r = subprocess.run(["promtool", "check", "metrics"], input=raw, capture_output=True, timeout=30)
        self.assertEqual(r.returncode, 0, r.stdout.decode() + r.stderr.decode())

    def test_cors_preflight_and_allowed_origin(self):
        st, h, _ = self.s.http("OPTIONS", "/agents/a1/metrics", headers={
            "Origin": "https://ops.example", "Access-Control-Request-Method": "GET"})
        self.assertEqual(st, 204)
        self.assertEqual(h["Access-Control-Allow-Origin"], "https://ops.example")
        self.assertIn("Authorization", h["Access-Control-Allow-Headers"])
        st, h, _ = self.s.http("GET", "/agents/a1/metrics", headers={"Origin": "https://evil.example"})
        self.assertEqual(st, 200)
        self.assertNotIn("Access-Control-Allow-Origin", h)


class GatewayOptions(unittest.TestCase):
    """Options that need their own gateway: privacy, static files, stream switch."""

    def test_privacy_anonymises_and_excludes(self):
        with Stack(broker=False, store=False, extra_args={"gateway": [
                "--privacy.hostname=anonymize", "--privacy.ip_addresses=exclude",
                "--privacy.mac_addresses=anonymize", "--privacy.packages=exclude",
                "--privacy.salt=s3cret"]}) as s:
            fake = FakeBroker(s.ep("backend"), s.ep("clients"))
            try:
                body = wait_for(lambda: (fake.publish("system", "p1", fake.system_info("p1")) or
                                         (lambda r: r[1] if r[0] == 200 else None)(
                                             s.http_json("GET", "/agents/p1/system"))),
                                interval=0.3, what="system info of p1")
            finally:
                fake.close()
        host = body["software"]["hostname"]
        self.assertRegex(host, r"^anon-[0-9a-f]{16}$")
        self.assertNotIn("packages", body["software"])
        nic = body["network_interfaces"][0]
        self.assertNotIn("ip_addresses", nic)
        self.assertRegex(nic["mac_address"], r"^anon-[0-9a-f]{16}$")
        self.assertEqual(nic["name"], "eth0")

    def test_static_dashboard_files_with_cache_headers_and_no_traversal(self):
        root = tempfile.mkdtemp(prefix="nodelink-static-")
        try:
            os.makedirs(os.path.join(root, "site", "assets"))
            with open(os.path.join(root, "site", "index.html"), "w") as f:
                f.write("<!doctype html><title>nodelink</title>")
            with open(os.path.join(root, "site", "assets", "app-1a2b.js"), "w") as f:
                f.write("console.log(1)")
            with open(os.path.join(root, "secret.txt"), "w") as f:
                f.write("secret")
            os.symlink(os.path.join(root, "secret.txt"), os.path.join(root, "site", "leak.txt"))
            with Stack(broker=False, store=False, redis=False,
                       extra_args={"gateway": ["--http.static_dir=" + os.path.join(root, "site")]}) as s:
                st, h, raw = s.http("GET", "/")
                self.assertEqual((st, h["Content-Type"], h["Cache-Control"]),
                                 (200, "text/html; charset=utf-8", "no-cache"))
                self.assertIn(b"nodelink", raw)
                st, h, raw = s.http("GET", "/assets/app-1a2b.js")
                self.assertEqual(st, 200)
                self.assertTrue(h["Content-Type"].startswith("text/javascript"))
                self.assertIn("immutable", h["Cache-Control"])
                self.assertEqual(s.http("GET", "/dashboard/agents")[0], 200)  # client-side route
                for path in ("/../secret.txt", "/assets/../../secret.txt", "/%2e%2e/secret.txt",
                             "/leak.txt", "/.hidden", "/assets/nope.js"):
                    raw = _raw_request(s.ports["http"], "GET %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n" % path)
                    self.assertNotIn(b"secret", raw, path)
                    self.assertIn(b" 404 ", raw.split(b"\r\n")[0] + b" ", path)
                self.assertEqual(s.http("GET", "/api/")[0], 404)  # the API prefix never serves files
        finally:
            shutil.rmtree(root, ignore_errors=True)

    def test_sse_can_be_switched_off(self):
        with Stack(broker=False, store=False, redis=False,
                   extra_args={"gateway": ["--metrics.api.enable_sse_streaming=false"]}) as s:
            st, _, raw = s.http("GET", "/agents/a1/metrics/stream")
            self.assertEqual(st, 404)
            self.assertIn(b"disabled", raw)

    def test_bad_configuration_exits_with_status_2(self):
        from harness import BIN
        for args in (["--privacy.hostname=blur"], ["--auth.enabled=true"], ["--http.tls_cert=/x.pem"],
                     ["--metrics.api.max_concurrent_streams=-1"],
                     # connection memory smaller than the URI + header limits it must hold
                     ["--http.connection_memory_limit=8KB", "--http.max_header_size=8KB"]):
            r = subprocess.run([os.path.join(BIN, "nodelink-gateway"), "--auth.enabled=false"] + args,
                               capture_output=True, timeout=10)
            self.assertEqual(r.returncode, 2, args)
            self.assertTrue(r.stderr.strip(), args)


def _raw_request(port, text, timeout=5):
    with socket.create_connection((LOOPBACK, port), timeout=timeout) as c:
        c.sendall(text.encode() if isinstance(text, str) else text)
        c.shutdown(socket.SHUT_WR)
        out = b""
        while True:
            chunk = c.recv(65536)
            if not chunk:
                return out
            out += chunk


if __name__ == "__main__":
    unittest.main()
