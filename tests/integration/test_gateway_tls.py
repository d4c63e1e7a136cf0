"""HTTPS: the gateway serves the API over TLS when given a certificate and key,
refuses plain HTTP on that port, and refuses to start with only one of them."""
import json
import os
import ssl
import subprocess
import unittest
import urllib.request

from harness import LOOPBACK, Stack, wait_for


def _self_signed(dirpath):
    cert, key = os.path.join(dirpath, "gw.crt"), os.path.join(dirpath, "gw.key")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", key, "-out", cert], check=True, capture_output=True, timeout=60)
    return cert, key


class GatewayTls(unittest.TestCase):
    def test_serves_the_api_over_https_with_the_configured_certificate(self):
        s = Stack(gateway=False)
        with s:
            cert, key = _self_signed(s.tmpdir)
            s.start_process("gateway", s.gateway_argv() + ["--http.tls_cert=" + cert, "--http.tls_key=" + key])
            s.start_agent("tls1")
            ctx = ssl.create_default_context(cafile=cert)
            url = "https://%s:%d/agents/tls1/metrics" % (LOOPBACK, s.ports["http"])

            def fetch():
                with urllib.request.urlopen(url, context=ctx, timeout=5) as r:
                    return r.status, json.loads(r.read())
            status, body = wait_for(lambda: (lambda r: r if r[0] == 200 else None)(fetch()), timeout=20,
                                    what="GET over HTTPS")
            self.assertEqual(body["agent_id"], "tls1")
            # the certificate is verified against the one we configured
            with self.assertRaises(Exception):
                urllib.request.urlopen(url, context=ssl.create_default_context(), timeout=5)
            # plain HTTP on the TLS port gets no API answer
            with self.assertRaises(Exception):
                urllib.request.urlopen("http://%s:%d/healthz" % (LOOPBACK, s.ports["http"]), timeout=5).read()
            self.assertTrue(s.procs["gateway"].alive(), "gateway died on a plain-HTTP request")

    def test_refuses_a_certificate_without_its_key(self):
        s = Stack(redis=False, broker=False, store=False, gateway=False)
        with s:
            cert, _ = _self_signed(s.tmpdir)
            r = subprocess.run(s.gateway_argv() + ["--http.tls_cert=" + cert], capture_output=True, text=True,
                               timeout=20)
            self.assertEqual(r.returncode, 2, r.stderr)
            self.assertIn("http.tls_key", r.stderr)


if __name__ == "__main__":
    unittest.main()
