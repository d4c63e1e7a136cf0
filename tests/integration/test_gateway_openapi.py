"""docs/openapi.yaml stays honest: every documented operation answers (not
404/405 on the route itself) and every route of gateway/routes.c is
documented."""
import os
import re
import unittest

import yaml

from gateway_fake import FakeBroker, SSEClient
from harness import LOOPBACK, REPO, Stack, wait_for


def _doc_ops():
    with open(os.path.join(REPO, "docs", "openapi.yaml")) as f:
        doc = yaml.safe_load(f)
    return {(m.upper(), p) for p, item in doc["paths"].items() for m in item if m in ("get", "post")}


def _code_ops():
    with open(os.path.join(REPO, "gateway", "routes.c")) as f:
        src = f.read()
    return {(m, p) for m, p in re.findall(r'\{"(GET|POST)", "([^"]+)"', src)}


class OpenApi(unittest.TestCase):
    def test_every_route_is_documented_and_nothing_else(self):
        code = _code_ops()
        self.assertGreaterEqual(len(code), 9)
        self.assertEqual(_doc_ops(), code)

    def test_every_documented_route_answers(self):
        with Stack(broker=False) as s:
            fake = FakeBroker(s.ep("backend"), s.ep("clients"))
            fake.agents["a1"] = True
            fake.on_task = lambda req: fake.pb.TaskResponse(status=fake.pb.TaskResponse.COMPLETED, is_final=True)
            try:
                wait_for(lambda: fake.publish_sample("a1") and
                         (fake.publish("system", "a1", fake.system_info("a1")) or True) and
                         s.http("GET", "/agents/a1/system")[0] == 200 and
                         s.http("GET", "/agents/a1/metrics/history")[0] == 200, interval=0.3,
                         what="a1 known to the gateway and the store")
                for method, path in sorted(_doc_ops()):
                    for prefix in ("", "/api"):
                        url = prefix + path.replace("{id}", "a1")
                        if path.endswith("/stream") and method == "GET":
                            c = SSEClient(LOOPBACK, s.ports["http"], url)
                            st = c.status
                            c.close()
                        elif method == "POST":
                            st = s.http(method, url, body={"action": "start"})[0]
                        else:
                            st = s.http(method, url)[0]
                        if path == "/readyz":
                            st = wait_for(lambda: s.http("GET", url)[0] == 200 and 200, what="ready")
                        self.assertEqual(st, 200, "%s %s" % (method, url))
            finally:
                fake.close()


if __name__ == "__main__":
    unittest.main()
