"""--print-config writes YAML that --config loads back, for every nodelink
binary: a file puts hostile text (quotes, backslashes, newlines, ': ', '#',
a leading '-', '&', '*', '!', '{', '[', empty strings, 'yes'/'no'/'null',
non-ASCII, ...) into every string and list option that takes free text, the
binary prints its configuration, loads that output with --config and prints
again. The two prints must be the same bytes, the output must be YAML to
another reader too (PyYAML), and every hostile value must be there exactly,
as a string."""
import os
import re
import subprocess
import tempfile
import unittest

import yaml

from harness import BIN, SANITIZER_MARKERS

# (binary, arguments before the options): nodelinkctl needs a command.
PROGRAMS = [
    ("nodelink-agent", []),
    ("nodelink-broker", []),
    ("nodelink-store", []),
    ("nodelink-gateway", []),
    ("nodelinkctl", ["agents"]),
]

# Options that take any text in each binary (endpoints, paths, URLs, a
# salt, lists of origins or selectors): each must take every hostile value.
# The other string and list options --help lists are tried too, and left
# out when the binary checks them (a log level, an agent id, a privacy
# mode), which the binary must say on one line naming the option.
FREE_TEXT = {
    "nodelink-agent": {"agent.proc_root", "agent.sys_root", "broker.publish_endpoint",
                       "broker.control_endpoint", "security.certificate", "security.broker_certificate"},
    "nodelink-broker": {"broker.frontend", "broker.backend", "broker.agents", "broker.clients",
                        "security.certificate", "security.agents_dir", "security.subscribers_dir",
                        "security.clients_dir"},
    "nodelink-store": {"broker.subscribe_endpoint", "broker.publish_endpoint", "redis.url",
                       "security.certificate", "security.broker_certificate"},
    "nodelink-gateway": {"http.listen", "http.static_dir", "http.tls_cert", "http.tls_key", "http.cors_origins",
                         "broker.subscribe_endpoint", "broker.client_endpoint", "redis.url", "auth.tokens_file",
                         "privacy.salt", "security.certificate", "security.broker_certificate"},
    "nodelinkctl": {"broker.client_endpoint", "broker.subscribe_endpoint", "security.certificate",
                    "security.broker_certificate", "metrics"},
}

HOSTILE = [
    'say "hi"',
    'unbalanced " quote',
    "back\\slash \\n not a newline \\",
    "two\nlines",
    "ends with a newline\n",
    "\ttab first",
    "\r\ncarriage return",
    "key: value",
    "a #comment",
    "# all comment",
    "- leading dash",
    "-",
    "--- document",
    "...",
    "&anchor",
    "*alias",
    "!tag",
    "!!binary",
    "{brace",
    "[bracket",
    "]",
    "}",
    "a, b, c",
    "",
    " ",
    "  padded  ",
    "yes",
    "no",
    "on",
    "null",
    "~",
    "true",
    "0x1F",
    "1e3",
    "0777",
    ".inf",
    "'single quoted'",
    '"double quoted"',
    "%percent",
    "@at",
    "`backtick",
    "|pipe",
    ">fold",
    "? question",
    ": colon",
    "h\u00e9llo \u2713 \u65e5\u672c",
    "\x01\x7f control",
    "line\u2028separator \x85 next line",
    "\ufeff byte order mark",
    "x" * 300 + " long " + "y" * 300,
]

TYPE_RE = re.compile(r"^  (\S+)\s+(string|list)\s+default:", re.M)
OPTION_ERROR_RE = re.compile(r": ([A-Za-z0-9_.]+): ")


def nest(flat):
    """{"a.b": v} -> {"a": {"b": v}}"""
    out = {}
    for key, value in flat.items():
        node = out
        parts = key.split(".")
        for p in parts[:-1]:
            node = node.setdefault(p, {})
        node[parts[-1]] = value
    return out


def lookup(doc, key):
    node = doc
    for p in key.split("."):
        if not isinstance(node, dict) or p not in node:
            raise KeyError(key)
        node = node[p]
    return node


class ConfigRoundTripTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="nodelink-roundtrip-")
        self.addCleanup(self.tmp.cleanup)

    def assert_no_sanitizer_report(self, prog, stderr):
        for marker in SANITIZER_MARKERS:
            self.assertNotIn(marker, stderr, "%s: sanitizer report:\n%s" % (prog, stderr))

    def run_prog(self, prog, pre, *args):
        r = subprocess.run([os.path.join(BIN, prog)] + pre + list(args), capture_output=True, text=True,
                           encoding="utf-8", timeout=20)
        self.assert_no_sanitizer_report(prog, r.stderr)
        return r

    def write(self, name, text):
        path = os.path.join(self.tmp.name, name)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        return path

    def text_options(self, prog, pre):
        """{key: "string" | "list"} of the binary's own options, from --help."""
        r = self.run_prog(prog, pre, "--help")
        self.assertEqual(r.returncode, 0, r.stderr)
        options = dict(TYPE_RE.findall(r.stdout))
        missing = FREE_TEXT[prog] - set(options)
        self.assertFalse(missing, "%s --help lists no %s" % (prog, missing))
        return options

    def values_for(self, options, offset):
        """Hostile values for the options, rotated by offset; lists get
        several (non-empty) items."""
        keys = sorted(options)
        values = {}
        for i, key in enumerate(keys):
            v = HOSTILE[(offset + i) % len(HOSTILE)]
            if options[key] == "list":
                items = [HOSTILE[(offset + i + j) % len(HOSTILE)] for j in range(5)]
                v = [x for x in items if x] or ["a, b"]
            values[key] = v
        return values

    def print_from(self, prog, pre, name, text):
        path = self.write(name, text)
        return self.run_prog(prog, pre, "--config", path, "--print-config")

    def first_print(self, prog, pre, options, offset):
        """Writes the hostile file and prints it, leaving out the options
        the binary checks. Returns (values set, printed text)."""
        options = dict(options)
        while True:
            values = self.values_for(options, offset)
            text = yaml.safe_dump(nest(values), allow_unicode=True, default_flow_style=False, width=1 << 30)
            r = self.print_from(prog, pre, "hostile-%d.yaml" % offset, text)
            if r.returncode == 0:
                return values, r.stdout
            m = OPTION_ERROR_RE.search(r.stderr)
            self.assertTrue(m and m.group(1) in options and m.group(1) not in FREE_TEXT[prog],
                            "%s refuses the hostile file: %s\n%s" % (prog, r.stderr, text))
            del options[m.group(1)]

    def check_round_trip(self, prog, pre, offset, options):
        values, first = self.first_print(prog, pre, options, offset)
        r = self.print_from(prog, pre, "printed-%d.yaml" % offset, first)
        self.assertEqual(r.returncode, 0, "%s does not load its own --print-config output: %s\n%s"
                         % (prog, r.stderr, first))
        self.assertEqual(r.stdout, first, "%s prints its configuration differently once loaded back" % prog)
        doc = yaml.safe_load(first)
        for key, want in values.items():
            self.assertEqual(lookup(doc, key), want, "%s %s" % (prog, key))
        return values

    def test_every_binary_loads_back_what_it_prints_with_hostile_strings(self):
        for prog, pre in PROGRAMS:
            with self.subTest(prog=prog):
                options = self.text_options(prog, pre)
                seen, offset = set(), 0
                while len(seen) < len(HOSTILE) and offset < 4 * len(HOSTILE):
                    values = self.check_round_trip(prog, pre, offset, options)
                    for key in FREE_TEXT[prog]:
                        self.assertIn(key, values, "%s: %s left out" % (prog, key))
                    for v in values.values():
                        seen.update(v if isinstance(v, list) else [v])
                    offset += len(values)
                self.assertEqual(seen, set(HOSTILE), "%s: not every hostile value was tried" % prog)

    def test_a_checked_option_keeps_values_that_yaml_would_read_as_other_types(self):
        # an agent id takes [A-Za-z0-9_.-]: enough for booleans, nulls,
        # numbers and document markers, if they were printed bare
        for agent_id in ["yes", "no", "on", "null", "true", "0777", "1e3", "0x1F", ".inf", "-", "---", "..."]:
            with self.subTest(agent_id=agent_id):
                r = self.print_from("nodelink-agent", [], "id.yaml", "agent:\n  id: '%s'\n" % agent_id)
                self.assertEqual(r.returncode, 0, r.stderr)
                self.assertEqual(yaml.safe_load(r.stdout)["agent"]["id"], agent_id)
                again = self.print_from("nodelink-agent", [], "id-printed.yaml", r.stdout)
                self.assertEqual(again.returncode, 0, again.stderr)
                self.assertEqual(again.stdout, r.stdout)

    def test_the_output_of_every_binary_loads_back_unchanged_without_a_file(self):
        # the defaults alone: each section once, so the output is a valid
        # mapping that the binary takes back as it is
        for prog, pre in PROGRAMS:
            with self.subTest(prog=prog):
                r = self.run_prog(prog, pre, "--print-config")
                self.assertEqual(r.returncode, 0, r.stderr)
                again = self.print_from(prog, pre, "defaults.yaml", r.stdout)
                self.assertEqual(again.returncode, 0, "%s: %s" % (prog, again.stderr))
                self.assertEqual(again.stdout, r.stdout)
                self.assertIsInstance(yaml.safe_load(r.stdout), dict)

    def test_a_value_that_cannot_be_yaml_is_an_error_not_half_a_document(self):
        r = subprocess.run([os.path.join(BIN, "nodelink-gateway"), b"--privacy.salt=caf\xe9", "--print-config"],
                           capture_output=True, timeout=20)
        self.assert_no_sanitizer_report("nodelink-gateway", r.stderr.decode("utf-8", "replace"))
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertEqual(r.stdout, b"")
        self.assertIn(b"privacy.salt: cannot be written as YAML (not valid UTF-8)", r.stderr)


if __name__ == "__main__":
    unittest.main()
