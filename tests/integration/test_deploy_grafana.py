"""deploy/grafana: the dashboard is valid, and every metric it queries is one a live gateway exports.

The compose stack runs as processes (test_deploy_topology.ComposeStack) with
the "monitoring" profile's Prometheus (Debian's prometheus, from the same
prometheus.yml, localized the same way), scraping the gateway with the token
the certs service made. The metric names are taken from the live gateway's
GET /metrics, with a task process running so that per-task families exist;
then every query of the dashboard is run by that Prometheus: each must parse,
and each must return data once two scrapes have happened.
"""
import json
import os
import re
import subprocess
import unittest
import urllib.parse
import urllib.request

import yaml

import test_deploy_topology as topo
from harness import wait_for

GRAFANA = os.path.join(topo.REPO, "deploy", "grafana")
DASHBOARD = os.path.join(GRAFANA, "dashboards", "nodelink.json")

PROMQL_WORDS = {
    "sum", "avg", "min", "max", "count", "rate", "irate", "increase", "by", "without", "on", "ignoring",
    "group_left", "group_right", "and", "or", "unless", "time", "vector", "label_values", "topk", "bottomk",
    "abs", "delta", "deriv", "offset", "bool", "histogram_quantile", "clamp_min", "clamp_max", "avg_over_time",
    "max_over_time", "min_over_time", "scalar",
}


def load_dashboard():
    with open(DASHBOARD) as f:
        return json.load(f)


def panels(dash):
    for p in dash["panels"]:
        if p["type"] == "row":
            yield from p.get("panels", [])
        else:
            yield p


def queries(dash):
    """[(where, expr)] of every panel target and query variable."""
    out = []
    for p in panels(dash):
        for t in p.get("targets", []):
            out.append(("panel '%s' %s" % (p["title"], t["refId"]), t["expr"]))
    for v in dash["templating"]["list"]:
        if v["type"] == "query":
            q = v["query"]["query"] if isinstance(v["query"], dict) else v["query"]
            out.append(("variable $%s" % v["name"], q))
    return out


def metric_names(expr):
    """Metric names an expression refers to (identifiers that are not functions, keywords or labels)."""
    e = re.sub(r'"[^"]*"', '""', expr)          # strings
    e = re.sub(r"\{[^}]*\}", "", e)             # label matchers
    e = re.sub(r"\b(by|without|on|ignoring)\s*\([^)]*\)", "", e)
    e = re.sub(r"\[[^\]]*\]", "", e)            # ranges
    e = re.sub(r"\$\w+", "", e)                 # dashboard variables
    m = re.match(r"\s*label_values\(\s*([A-Za-z_:][\w:]*)\s*,\s*\w+\s*\)\s*$", e)
    if m:
        return {m.group(1)}
    names = set()
    for m in re.finditer(r"[A-Za-z_:][\w:]*", e):
        word = m.group(0)
        after = e[m.end():].lstrip()
        if word in PROMQL_WORDS or after.startswith("(") or re.fullmatch(r"\d+\w*", word):
            continue
        names.add(word)
    return names


class DashboardFileTest(unittest.TestCase):
    def test_dashboard_is_valid_json_with_queries_on_the_datasource_variable(self):
        dash = load_dashboard()
        self.assertEqual(dash["uid"], "nodelink-hosts")
        self.assertTrue(dash["title"])
        names = [v["name"] for v in dash["templating"]["list"]]
        self.assertIn("datasource", names)
        self.assertIn("agent", names)
        ps = list(panels(dash))
        self.assertGreaterEqual(len(ps), 10)
        ids = [p["id"] for p in dash["panels"]]
        self.assertEqual(len(ids), len(set(ids)), "panel ids must be unique")
        for p in ps:
            self.assertTrue(p.get("targets"), "panel '%s' has no query" % p["title"])
            self.assertEqual(p["datasource"]["uid"], "${datasource}", p["title"])
            for t in p["targets"]:
                self.assertTrue(metric_names(t["expr"]), "%s: no metric in %r" % (p["title"], t["expr"]))

    def test_panels_do_not_overlap(self):
        boxes = [(p["title"], p["gridPos"]) for p in load_dashboard()["panels"]]
        for i, (ta, a) in enumerate(boxes):
            self.assertLessEqual(a["x"] + a["w"], 24, ta)
            for tb, b in boxes[i + 1:]:
                overlap = (a["x"] < b["x"] + b["w"] and b["x"] < a["x"] + a["w"] and
                           a["y"] < b["y"] + b["h"] and b["y"] < a["y"] + a["h"])
                self.assertFalse(overlap, "panels '%s' and '%s' overlap" % (ta, tb))

    def test_provisioning_points_where_compose_mounts_the_dashboards(self):
        cfg = topo.compose_config("monitoring")
        mounts = {t: s for s, t, _ in (topo.parse_mount(m) for m in cfg["services"]["grafana"]["volumes"])}
        with open(os.path.join(GRAFANA, "provisioning", "dashboards", "nodelink.yaml")) as f:
            prov = yaml.safe_load(f)
        path = prov["providers"][0]["options"]["path"]
        self.assertEqual(os.path.realpath(mounts[path]), os.path.realpath(os.path.dirname(DASHBOARD)))
        with open(os.path.join(GRAFANA, "provisioning", "datasources", "prometheus.yaml")) as f:
            ds = yaml.safe_load(f)["datasources"][0]
        self.assertEqual(ds["type"], "prometheus")
        host, port = urllib.parse.urlsplit(ds["url"]).hostname, urllib.parse.urlsplit(ds["url"]).port
        self.assertIn(host, cfg["services"])
        self.assertEqual(port, 9090)

    def test_metric_name_extraction_finds_names_and_skips_functions_and_labels(self):
        self.assertEqual(metric_names('sum by (agent) (rate(nodelink_x_total{agent=~"$agent"}[5m])) * 60'),
                         {"nodelink_x_total"})
        self.assertEqual(metric_names("time() - a_seconds{agent=\"b\"}"), {"a_seconds"})
        self.assertEqual(metric_names("label_values(nodelink_agent_up, agent)"), {"nodelink_agent_up"})
        self.assertEqual(metric_names("count(up == 0) or vector(0)"), {"up"})


class DashboardLiveTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.s = topo.ComposeStack(profiles=("monitoring",))
        s = cls.s
        cls.task = None
        try:
            # a process of a task, so the agent exports task.<id>.* metrics
            cls.task = subprocess.Popen(["sleep", "600"], env=dict(os.environ, NODELINK_TASK_ID="grafana-check"))
            s.run_certs()
            s.start_redis()
            for name in ("broker", "store", "gateway", "host-agent"):
                s.start(name)
            argv = s.argv("prometheus")
            data = s.loc.path("prometheus", "/prometheus")  # the image's working directory, a volume
            os.makedirs(data, exist_ok=True)
            argv += ["--storage.tsdb.path=" + data,
                     "--web.listen-address=127.0.0.1:%d" % s.loc.port("prometheus", 9090)]
            s.start("prometheus", argv)
            wait_for(lambda: s.http("/healthz")[0] == 200, timeout=20, what="gateway /healthz")
            with open(os.path.join(s.loc.volume_dir("certs-prometheus"), "token")) as f:
                cls.token = f.read().strip()
        except BaseException:
            s.dump_logs()
            s.cleanup()
            if cls.task:
                cls.task.kill()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.s.cleanup()
        if cls.task:
            cls.task.kill()
            cls.task.wait()

    def exported(self):
        # the admin token: Prometheus' own token has its rate limit to itself
        status, body = self.s.http("/metrics", self.s.admin_token())
        if status != 200:
            return set()
        return set(re.findall(r"(?m)^# TYPE (\S+) ", body.decode()))

    def prom(self, expr):
        url = "http://127.0.0.1:%d/api/v1/query?%s" % (self.s.loc.port("prometheus", 9090),
                                                       urllib.parse.urlencode({"query": expr}))
        try:
            with urllib.request.urlopen(url, timeout=10) as r:
                return json.loads(r.read())
        except urllib.error.HTTPError as e:
            return json.loads(e.read())

    def test_every_metric_the_dashboard_queries_is_exported_by_the_live_gateway(self):
        wanted = set()
        for _, expr in queries(load_dashboard()):
            wanted |= metric_names(expr)
        try:
            wait_for(lambda: wanted <= self.exported(), timeout=60, interval=1, what="dashboard metrics in /metrics")
        except AssertionError:
            self.fail("the dashboard queries metrics the gateway does not export: %s" %
                      sorted(wanted - self.exported()))

    def test_prometheus_runs_every_dashboard_query_and_each_returns_data(self):
        dash = load_dashboard()
        qs = [(w, e.replace("$agent", ".*")) for w, e in queries(dash) if not e.startswith("label_values")]
        for where, expr in qs:
            r = self.prom(expr)
            self.assertEqual(r.get("status"), "success", "%s: %r does not run: %s" % (where, expr, r.get("error")))
        # data: two scrapes (rate() needs two points); the scrape interval is prometheus.yml's
        def empty():
            return [(w, e) for w, e in qs if not self.prom(e)["data"]["result"]]
        try:
            wait_for(lambda: not empty(), timeout=90, interval=2, what="data for every dashboard query")
        except AssertionError:
            self.fail("dashboard queries without data after 90 s: %s" % empty())
        up = self.prom('up{job="nodelink"}')["data"]["result"]
        self.assertEqual([x["value"][1] for x in up], ["1"], "Prometheus does not scrape the gateway with its token")


if __name__ == "__main__":
    unittest.main()
