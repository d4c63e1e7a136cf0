"""deploy/docker/*.Dockerfile and .dockerignore, checked without a Docker engine.

Each Dockerfile is read as text: stages, base images, the user, what is
copied. The runtime packages of each final image are compared with the shared
libraries the built binaries need (readelf NEEDED, resolved by ldd, owned per
dpkg -S: this machine is Debian 12, the images' base), and the build stage's
CMake configure step is run on a copy of the build context as .dockerignore
filters it, so an image would build from what the context contains.
"""
import os
import re
import shutil
import subprocess
import tempfile
import unittest

from harness import BIN, REPO

DOCKER = os.path.join(REPO, "deploy", "docker")
SERVICES = ("agent", "broker", "store", "gateway")
BASE = "debian:bookworm-slim"


def read_stages(path):
    """[(from line, name, [instruction lines])] with continuation lines joined."""
    stages = []
    with open(path) as f:
        text = f.read()
    text = re.sub(r"\\\n", " ", text)
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("FROM "):
            m = re.match(r"FROM (\S+)(?: AS (\S+))?$", line)
            stages.append((m.group(1), m.group(2), []))
        else:
            stages[-1][2].append(re.sub(r"\s+", " ", line))
    return stages


def build_stage_text(path):
    """The raw text of the "build" stage (from its FROM to the next FROM)."""
    with open(path) as f:
        text = f.read()
    start = text.index("FROM %s AS build" % BASE)
    end = text.index("\nFROM ", start + 1)
    return text[start:end]


def apt_packages(instructions):
    pkgs = []
    for ins in instructions:
        m = re.search(r"apt-get install -y --no-install-recommends ([^&]+)", ins)
        if m:
            pkgs += m.group(1).split()
    return pkgs


def dockerignore_patterns():
    with open(os.path.join(REPO, ".dockerignore")) as f:
        lines = [l.strip() for l in f]
    return [l for l in lines if l and not l.startswith("#")]


def _pattern_re(p):
    p = p.lstrip("/")
    out = ""
    i = 0
    while i < len(p):
        if p.startswith("**/", i):
            out += "(?:.*/)?"
            i += 3
        elif p.startswith("**", i):
            out += ".*"
            i += 2
        elif p[i] == "*":
            out += "[^/]*"
            i += 1
        elif p[i] == "?":
            out += "[^/]"
            i += 1
        else:
            out += re.escape(p[i])
            i += 1
    return re.compile(out + "$")


def ignored(path, patterns):
    """Docker's rule: a path is excluded when it or one of its parent directories matches."""
    if any(p.startswith("!") for p in patterns):
        raise AssertionError(".dockerignore exceptions (!) are not handled by this check")
    regs = [_pattern_re(p) for p in patterns]
    parts = path.split("/")
    for i in range(1, len(parts) + 1):
        prefix = "/".join(parts[:i])
        if any(r.match(prefix) for r in regs):
            return True
    return False


def tree_files(patterns=None):
    """Files under the repository, as Docker would see the context: without
    what patterns exclude (nothing when None, apart from VCS data, local
    build trees, node_modules and dist/ build outputs, which hold no sources)."""
    out = []
    for dirpath, dirnames, files in os.walk(REPO):
        rel = os.path.relpath(dirpath, REPO)
        rel = "" if rel == "." else rel + "/"
        keep = []
        for d in dirnames:
            path = rel + d
            if patterns is None:
                if d in (".git", "node_modules", "dist") or (rel == "" and (d.startswith("build") or d == "var")):
                    continue
            elif ignored(path, patterns):
                continue
            keep.append(d)
        dirnames[:] = keep
        out += [rel + f for f in files if patterns is None or not ignored(rel + f, patterns)]
    return out


def needed_packages(binary):
    """Debian packages owning the libraries binary links directly (not libc6 or sanitizer runtimes)."""
    r = subprocess.run(["readelf", "-d", binary], capture_output=True, text=True, check=True)
    needed = re.findall(r"\(NEEDED\)\s+Shared library: \[(.+?)\]", r.stdout)
    ldd = subprocess.run(["ldd", binary], capture_output=True, text=True, check=True).stdout
    where = dict(re.findall(r"^\s*(\S+) => (\S+)", ldd, re.M))
    pkgs = set()
    for soname in needed:
        if soname not in where:
            raise AssertionError("%s: %s not resolved by ldd" % (binary, soname))
        r = subprocess.run(["dpkg", "-S", os.path.realpath(where[soname])], capture_output=True, text=True)
        if r.returncode != 0:  # the path dpkg knows may be the unresolved one (/lib vs /usr/lib)
            r = subprocess.run(["dpkg", "-S", where[soname]], capture_output=True, text=True)
        if r.returncode != 0:
            raise AssertionError("%s: no Debian package owns %s" % (binary, where[soname]))
        pkg = r.stdout.split(":")[0]
        if pkg in ("libc6",) or re.match(r"lib(asan|ubsan|lsan|tsan)\d+$", pkg):
            continue
        pkgs.add(pkg)
    return pkgs


def package_depends(pkgs):
    """Packages the given ones depend on directly (dpkg's Depends and Pre-Depends)."""
    out = set()
    for p in pkgs:
        r = subprocess.run(["dpkg-query", "-W", "-f=${Depends}, ${Pre-Depends}", p], capture_output=True, text=True)
        for alt in r.stdout.split(","):
            name = alt.strip().split(" ")[0].split(":")[0]
            if name:
                out.add(name)
    return out


class DockerfileTest(unittest.TestCase):
    def dockerfile(self, svc):
        return os.path.join(DOCKER, "%s.Dockerfile" % svc)

    def test_every_service_has_a_multi_stage_dockerfile_on_debian_bookworm(self):
        for svc in SERVICES:
            stages = read_stages(self.dockerfile(svc))
            self.assertGreaterEqual(len(stages), 2, svc)
            self.assertEqual(stages[0][:2], (BASE, "build"), svc)
            self.assertEqual(stages[-1][0], BASE, "%s: final stage must be %s" % (svc, BASE))
            for base, _, _ in stages:
                self.assertRegex(base, r"(^debian:bookworm|bookworm)", "%s: %s is not bookworm" % (svc, base))

    def test_the_build_stage_is_identical_everywhere_so_it_is_compiled_once(self):
        texts = {svc: build_stage_text(self.dockerfile(svc)) for svc in SERVICES}
        first = texts[SERVICES[0]]
        for svc, t in texts.items():
            self.assertEqual(t, first, "%s.Dockerfile's build stage differs from %s's" % (svc, SERVICES[0]))

    def test_only_the_agent_runs_as_root(self):
        for svc in SERVICES:
            final = read_stages(self.dockerfile(svc))[-1][2]
            users = [i.split()[1] for i in final if i.startswith("USER ")]
            if svc == "agent":
                self.assertEqual(users, [], "the agent needs root to read the host's /proc")
            else:
                self.assertEqual(users[-1:], ["nodelink"], svc)
                self.assertTrue(any("useradd --system --uid 10001" in i for i in final), svc)

    def test_entrypoints_are_the_service_binaries(self):
        for svc in SERVICES:
            final = read_stages(self.dockerfile(svc))[-1][2]
            self.assertIn('ENTRYPOINT ["nodelink-%s"]' % svc, final)
            self.assertIn('CMD ["--config", "/etc/nodelink/%s.yaml"]' % svc, final)

    def test_final_images_copy_built_binaries_and_existing_scripts(self):
        patterns = dockerignore_patterns()
        for svc in SERVICES:
            final = read_stages(self.dockerfile(svc))[-1][2]
            binaries = []
            for ins in final:
                if not ins.startswith("COPY "):
                    continue
                args = ins.split()[1:]
                if args[0] == "--from=build":
                    for src in args[1:-1]:
                        self.assertTrue(src.startswith("/build/bin/"), src)
                        binaries.append(os.path.basename(src))
                elif not args[0].startswith("--from="):
                    for src in args[:-1]:
                        self.assertTrue(os.path.exists(os.path.join(REPO, src)), "%s: COPY %s: missing" % (svc, src))
                        self.assertFalse(ignored(src, patterns), "%s: COPY %s is excluded by .dockerignore" % (svc, src))
                        if src.startswith("deploy/docker/"):
                            self.assertTrue(os.access(os.path.join(REPO, src), os.X_OK), src + " not executable")
            self.assertIn("nodelink-%s" % svc, binaries)
            for b in binaries:
                self.assertTrue(os.path.isfile(os.path.join(BIN, b)), "%s: %s is not a built target" % (svc, b))

    def test_runtime_packages_are_exactly_the_libraries_the_binaries_link(self):
        for svc in SERVICES:
            final = read_stages(self.dockerfile(svc))[-1][2]
            listed = set(apt_packages(final))
            binaries = [os.path.basename(s) for ins in final if ins.startswith("COPY --from=build")
                        for s in ins.split()[2:-1]]
            needed = set()
            for b in binaries:
                needed |= needed_packages(os.path.join(BIN, b))
            # a library may come in as a dependency of a listed package
            # (libyaml-0-2 of libcyaml1: sanitizer builds link it directly)
            self.assertEqual(needed - listed - package_depends(listed), set(), "%s image misses runtime packages" % svc)
            self.assertEqual(listed - needed, set(), "%s image installs packages nothing links" % svc)

    def test_build_stage_installs_every_build_dependency_of_install_deps(self):
        with open(os.path.join(REPO, "deploy", "install-deps")) as f:
            m = re.search(r'BUILD="([^"]+)"', f.read())
        wanted = set(m.group(1).split()) - {"git"}  # the context is copied, not cloned
        build = read_stages(self.dockerfile("broker"))[0][2]
        self.assertEqual(wanted - set(apt_packages(build)), set())

    def test_build_stage_installs_every_library_cmake_requires(self):
        # every pkg_check_modules(... REQUIRED ...) of the tree, except the
        # test framework (NODELINK_TESTS=OFF in the image), resolved to the
        # Debian package that ships its .pc file
        modules = set()
        for dirpath, _, files in os.walk(REPO):
            if "/build" in dirpath or "node_modules" in dirpath or "/.git" in dirpath:
                continue
            if "CMakeLists.txt" in files:
                with open(os.path.join(dirpath, "CMakeLists.txt")) as f:
                    for m in re.finditer(r"pkg_check_modules\(\s*\w+\s+REQUIRED\s+(?:IMPORTED_TARGET\s+)?([^)]+)\)", f.read()):
                        modules |= set(m.group(1).split())
        modules.discard("criterion")
        self.assertIn("libzmq", modules)
        build = set(apt_packages(read_stages(self.dockerfile("broker"))[0][2]))
        for mod in sorted(modules):
            pcdir = subprocess.run(["pkg-config", "--variable=pcfiledir", mod], capture_output=True, text=True)
            self.assertEqual(pcdir.returncode, 0, "pkg-config does not know %s" % mod)
            r = subprocess.run(["dpkg", "-S", os.path.join(pcdir.stdout.strip(), mod + ".pc")],
                               capture_output=True, text=True)
            self.assertEqual(r.returncode, 0, r.stderr)
            pkg = r.stdout.split(":")[0]
            self.assertIn(pkg, build, "the build stage lacks %s (pkg-config module %s)" % (pkg, mod))

    def test_gateway_image_builds_and_serves_the_dashboard(self):
        stages = read_stages(self.dockerfile("gateway"))
        web = [s for s in stages if s[1] == "web"]
        self.assertEqual(len(web), 1)
        self.assertRegex(web[0][0], r"^node:\d+-bookworm")
        self.assertIn("RUN npm run build", web[0][2])
        with open(os.path.join(REPO, "gateway", "web", "vite.config.ts")) as f:
            self.assertRegex(f.read(), r"outDir:\s*'dist'")
        final = stages[-1][2]
        self.assertIn("COPY --from=web /web/dist/ /usr/share/nodelink/web/", final)
        with open(os.path.join(REPO, "deploy", "compose", "gateway.yaml")) as f:
            self.assertIn("static_dir: /usr/share/nodelink/web", f.read())


class DockerignoreTest(unittest.TestCase):
    def test_sources_stay_in_the_context_and_local_state_stays_out(self):
        patterns = dockerignore_patterns()
        needed = [f for f in tree_files()
                  if f.split("/")[0] in ("proto", "common", "agent", "broker", "store", "gateway", "cmake")
                  or f == "CMakeLists.txt" or f.startswith("deploy/docker/")]
        self.assertTrue(needed)
        for f in needed:
            if "/tests/" in f or f.startswith("tests/"):
                continue
            self.assertFalse(ignored(f, patterns), "%s is excluded from the build context" % f)
        for f in ("build/bin/nodelink-agent", "build-x/CMakeCache.txt", "var/redis/dump.rdb",
                  "gateway/web/node_modules/react/index.js", ".git/HEAD", "gateway/web/dist/index.html"):
            self.assertTrue(ignored(f, patterns), "%s would be sent to the Docker daemon" % f)

    def test_the_build_stage_configures_from_the_filtered_context(self):
        patterns = dockerignore_patterns()
        tmp = tempfile.mkdtemp(prefix="nodelink-context-")
        try:
            ctx = os.path.join(tmp, "src")
            for f in tree_files(patterns):
                if not os.path.isfile(os.path.join(REPO, f)):
                    continue
                dst = os.path.join(ctx, f)
                os.makedirs(os.path.dirname(dst), exist_ok=True)
                shutil.copy2(os.path.join(REPO, f), dst)
            run = [i for i in read_stages(os.path.join(DOCKER, "broker.Dockerfile"))[0][2]
                   if i.startswith("RUN cmake")][0]
            configure = run[len("RUN "):].split(" && ")[0]
            self.assertRegex(configure, r"^cmake -S \. -B /build ")
            argv = configure.replace("/build", os.path.join(tmp, "build")).split()
            r = subprocess.run(argv, cwd=ctx, capture_output=True, text=True, timeout=300)
            self.assertEqual(r.returncode, 0, "configure failed on the Docker context:\n" + r.stdout[-2000:] + r.stderr[-3000:])
        finally:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    unittest.main()
