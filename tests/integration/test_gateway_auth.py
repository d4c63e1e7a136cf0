"""Gateway access control: the token matrix, ?token= for SSE only, scoped
agent lists, rate limiting with Retry-After, and the token tool."""
import os
import subprocess
import tempfile
import time
import unittest

from gateway_fake import FakeBroker, SSEClient
from harness import BIN, LOOPBACK, Stack, wait_for


def _token_tool(*args, stdin=None):
    r = subprocess.run([os.path.join(BIN, "nodelink-gateway-token")] + list(args), input=stdin,
                       capture_output=True, text=True, timeout=10)
    return r.returncode, r.stdout


class GatewayAuth(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        rc, out = _token_tool("new")
        assert rc == 0, out
        lines = dict(l.split(": ", 1) for l in out.strip().splitlines())
        cls.admin = lines["token"].strip()
        admin_hash = lines["hash"].strip()
        cls.scoped = "scoped-token-for-a1-only"
        rc, scoped_hash = _token_tool("hash", "-", stdin=cls.scoped + "\n")
        assert rc == 0
        cls.tmp = tempfile.mkdtemp(prefix="nodelink-tokens-")
        cls.tokens = os.path.join(cls.tmp, "tokens.yaml")
        with open(cls.tokens, "w") as f:
            f.write("tokens:\n  - name: ops\n    hash: %s\n    role: admin\n"
                    "  - name: team-a\n    hash: %s\n    agents: [a1]\n" % (admin_hash, scoped_hash.strip()))
        cls.s = Stack(broker=False, store=False, redis=False, extra_args={"gateway": [
            "--auth.enabled=true", "--auth.tokens_file=" + cls.tokens,
            "--metrics.api.rate_limiting.requests_per_minute=30"]})
        cls.s.start()
        cls.fake = FakeBroker(cls.s.ep("backend"), cls.s.ep("clients"))
        cls.fake.agents.update({"a1": True, "a2": True})
        wait_for(lambda: (cls.fake.publish_sample("a1") is not None and cls.fake.publish_sample("a2") and
                          cls.s.http("GET", "/agents/a2/metrics", headers=cls.h(cls.admin))[0] == 200),
                 interval=0.3, what="agents known")

    @classmethod
    def tearDownClass(cls):
        cls.fake.close()
        cls.s.stop()

    @staticmethod
    def h(token):
        return {"Authorization": "Bearer " + token}

    def status(self, path, headers=None):
        return self.s.http("GET", path, headers=headers)[0]

    def test_the_token_matrix(self):
        self.assertEqual(self.status("/agents/a1/metrics"), 401)
        st, h, _ = self.s.http("GET", "/agents/a1/metrics")
        self.assertIn("Bearer", h["WWW-Authenticate"])
        self.assertEqual(self.status("/agents/a1/metrics", self.h("wrong")), 401)
        self.assertEqual(self.status("/agents/a1/metrics", {"Authorization": "Basic Zm9vOmJhcg=="}), 401)
        self.assertEqual(self.status("/agents/a1/metrics", self.h(self.scoped)), 200)
        self.assertEqual(self.status("/agents/a2/metrics", self.h(self.scoped)), 403)
        self.assertEqual(self.status("/agents/a2/system", self.h(self.scoped)), 403)
        self.assertEqual(self.status("/agents/a2/metrics/history", self.h(self.scoped)), 403)
        self.assertEqual(self.status("/agents/a1/metrics", self.h(self.admin)), 200)
        self.assertEqual(self.status("/agents/a2/metrics", self.h(self.admin)), 200)
        # probes stay open
        self.assertEqual(self.status("/healthz"), 200)

    def test_agents_outside_a_token_never_appear(self):
        st, doc = self.s.http_json("GET", "/metrics/agents", headers=self.h(self.scoped))
        self.assertEqual([a["agent_id"] for a in doc["agents"]], ["a1"])
        st, doc = self.s.http_json("GET", "/metrics/agents", headers=self.h(self.admin))
        self.assertEqual(sorted(a["agent_id"] for a in doc["agents"]), ["a1", "a2"])
        text = self.s.http("GET", "/metrics", headers=self.h(self.scoped))[2].decode()
        self.assertIn('agent="a1"', text)
        self.assertNotIn('agent="a2"', text)

    def test_query_token_is_accepted_for_sse_only(self):
        self.assertEqual(self.status("/agents/a1/metrics?token=" + self.scoped), 401)
        c = SSEClient(LOOPBACK, self.s.ports["http"], "/agents/a1/metrics/stream?token=" + self.scoped)
        self.assertEqual(c.status, 200)
        c.close()
        c = SSEClient(LOOPBACK, self.s.ports["http"], "/agents/a2/metrics/stream?token=" + self.scoped)
        self.assertEqual(c.status, 403)
        c.close()

    def test_token_tool_hashes_are_stable_and_never_the_token(self):
        rc1, h1 = _token_tool("hash", "abc")
        rc2, h2 = _token_tool("hash", "-", stdin="abc\n")
        self.assertEqual((rc1, rc2), (0, 0))
        self.assertEqual(h1, h2)
        self.assertRegex(h1.strip(), r"^blake2b:[0-9a-f]{64}$")
        self.assertNotIn("abc", h1)
        self.assertEqual(_token_tool("frobnicate")[0], 2)

    def test_rate_limit_per_token_with_retry_after(self):
        with Stack(broker=False, store=False, redis=False, extra_args={"gateway": [
                "--auth.enabled=true", "--auth.tokens_file=" + self.tokens,
                "--metrics.api.rate_limiting.requests_per_minute=5"]}) as s:
            codes = [s.http("GET", "/metrics/agents", headers=self.h(self.scoped))[0] for _ in range(6)]
            self.assertEqual(codes, [200] * 5 + [429])
            st, h, raw = s.http("GET", "/metrics/agents", headers=self.h(self.scoped))
            self.assertEqual(st, 429)
            self.assertIn(b'"status":429', raw)
            self.assertTrue(1 <= int(h["Retry-After"]) <= 12, h["Retry-After"])
            # another token has its own budget; probes are never limited
            self.assertEqual(s.http("GET", "/metrics/agents", headers=self.h(self.admin))[0], 200)
            self.assertEqual(s.http("GET", "/healthz")[0], 200)

    def test_bad_tokens_file_is_a_configuration_error(self):
        bad = os.path.join(self.tmp, "bad.yaml")
        with open(bad, "w") as f:
            f.write("tokens:\n  - name: x\n    hash: plaintext-secret\n    role: admin\n")
        r = subprocess.run([os.path.join(BIN, "nodelink-gateway"), "--auth.tokens_file=" + bad,
                            "--http.listen=127.0.0.1:0"], capture_output=True, text=True, timeout=10)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("blake2b", r.stdout + r.stderr)


if __name__ == "__main__":
    unittest.main()
