"""Hostile requests: whatever arrives, the gateway answers with an error
(or closes) and keeps serving everyone else."""
import json
import socket
import time
import unittest

from gateway_fake import FakeBroker
from harness import LOOPBACK, Stack, wait_for


class GatewayHostile(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.s = Stack(broker=False, store=False, redis=False,
                      extra_args={"gateway": ["--http.connection_timeout=2s"]})
        cls.s.start()
        cls.fake = FakeBroker(cls.s.ep("backend"), cls.s.ep("clients"))
        wait_for(lambda: cls.fake.publish_sample("a1") and cls.s.http("GET", "/agents/a1/metrics")[0] == 200,
                 interval=0.3, what="a1 known")

    @classmethod
    def tearDownClass(cls):
        cls.fake.close()
        cls.s.stop()

    def raw(self, data, timeout=5):
        with socket.create_connection((LOOPBACK, self.s.ports["http"]), timeout=timeout) as c:
            c.sendall(data)
            out = b""
            try:
                while True:
                    chunk = c.recv(65536)
                    if not chunk:
                        break
                    out += chunk
            except (ConnectionResetError, socket.timeout):
                pass
            return out

    def status_of(self, data):
        out = self.raw(data)
        return int(out.split(b" ", 2)[1]) if out.startswith(b"HTTP/1.") else None

    def assertJsonError(self, data, status, what):
        """The answer to data has this status, Content-Type application/json
        and the body {"error": {"status": N, "message": "..."}}."""
        out = self.raw(data)
        head, _, body = out.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        self.assertTrue(lines[0].startswith("HTTP/1.1 %d " % status), (what, lines[0]))
        headers = {k.strip().lower(): v.strip() for k, _, v in (l.partition(":") for l in lines[1:])}
        self.assertEqual(headers.get("content-type"), "application/json", what)
        doc = json.loads(body[:int(headers["content-length"])])
        self.assertEqual(set(doc), {"error"}, what)
        self.assertEqual(doc["error"]["status"], status, what)
        self.assertIsInstance(doc["error"]["message"], str, what)
        self.assertTrue(doc["error"]["message"], what)

    def assertServing(self):
        self.assertEqual(self.s.http("GET", "/agents/a1/metrics")[0], 200)
        self.assertTrue(self.s.procs["gateway"].alive())

    def test_huge_headers(self):
        # beyond the connection memory: refused by libmicrohttpd, still with our JSON body
        self.assertJsonError(b"GET /agents/a1/metrics HTTP/1.1\r\nHost: x\r\nX-A: " + b"a" * 200000 +
                             b"\r\nConnection: close\r\n\r\n", 431, "one 200 KB header")
        many = b"".join(b"X-H%d: v\r\n" % i for i in range(3000))
        self.assertJsonError(b"GET /agents/a1/metrics HTTP/1.1\r\nHost: x\r\n" + many +
                             b"Connection: close\r\n\r\n", 431, "3000 small headers")
        # over http.max_header_size (8 KB) but within the connection memory: the gateway's check
        self.assertJsonError(b"GET /agents/a1/metrics HTTP/1.1\r\nHost: x\r\nX-A: " + b"a" * 9000 +
                             b"\r\nConnection: close\r\n\r\n", 431, "one 9 KB header")
        self.assertServing()

    def test_huge_uris_and_bodies(self):
        for n in (5000, 20000, 300000):  # over http.max_uri_length; the larger over the connection memory
            self.assertJsonError(b"GET /agents/a1/metrics?x=" + b"a" * n + b" HTTP/1.1\r\nHost: x\r\n"
                                 b"Connection: close\r\n\r\n", 414, "URI of %d bytes" % n)
        self.assertJsonError(b"POST /agents/a1/metrics/stream HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n"
                             b"Connection: close\r\n\r\n" + b"x" * 100000, 413, "100 KB body")
        self.assertServing()

    def test_protocol_errors_get_json_bodies(self):
        self.assertJsonError(b"GET / HTTP/9.9\r\nHost: x\r\n\r\n", 505, "HTTP/9.9")
        self.assertJsonError(b"POST /agents/a1/metrics/stream HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                             b"Connection: close\r\n\r\nzz\r\n", 400, "bad chunk size")
        self.assertServing()

    def test_broken_encodings_and_path_tricks(self):
        paths = [b"/agents/%ff%fe/metrics", b"/agents/a1%00/metrics", b"/agents/../../etc/passwd",
                 b"/agents/a1/metrics/../../../x", b"//agents//a1//metrics", b"/agents/%2e%2e/metrics",
                 b"/agents/" + b"a" * 65 + b"/metrics", b"/agents/a1/metrics/history?start=%zz",
                 b"/agents/a1/metrics/history?metrics=\xff\xfe", b"/api/../metrics/agents",
                 b"/agents/a1/metrics/stream?interval=99999999999999999999999"]
        for p in paths:
            st = self.status_of(b"GET " + p + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            self.assertIsNotNone(st, p)
            self.assertTrue(400 <= st < 500, (p, st))
        self.assertServing()

    def test_malformed_request_lines_and_bodies(self):
        for data in (b"\x00\x01\x02garbage\r\n\r\n", b"GET\r\n\r\n", b"GET / HTTP/9.9\r\n\r\n",
                     b"POST /agents/a1/metrics/stream HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
                     b"Connection: close\r\n\r\n\xff\xfe\xfd\xfc\xfb",
                     b"POST /agents/a1/metrics/stream HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                     b"Connection: close\r\n\r\nzz\r\n"):
            self.raw(data)
        self.assertServing()

    def test_slow_partial_requests_do_not_block_others(self):
        slow = []
        for _ in range(20):
            c = socket.create_connection((LOOPBACK, self.s.ports["http"]))
            c.sendall(b"GET /agents/a1/metrics HTTP/1.1\r\nHost: x\r\nX-Slow: ")
            slow.append(c)
        t = time.monotonic()
        self.assertServing()
        self.assertLess(time.monotonic() - t, 1.0)
        # the idle timeout closes them
        closed = 0
        for c in slow:
            c.settimeout(6)
            try:
                if c.recv(100) == b"":
                    closed += 1
            except ConnectionResetError:
                closed += 1
            except socket.timeout:
                pass
            c.close()
        self.assertEqual(closed, 20)
        self.assertServing()


if __name__ == "__main__":
    unittest.main()
