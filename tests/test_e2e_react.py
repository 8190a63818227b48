"""End to end for `--frontend react` (issue 11): real npm installs, tsc, vitest, Vite builds, deploy
dry runs, and the React app driven by Chromium under `npm run dev` and `npm run preview`.

Two projects: every pattern (HS256 secret) and no pattern (JWKS), so both auth modes run. Timings
(install, node_modules size, dev/preview ready, JS gzip size, browser sessions) are printed at the
end of the module. Nothing reaches the internet but the npm registry: servers bind 127.0.0.1, the
tools run with their offline flags, and every wait is bounded.
"""

from __future__ import annotations

import contextlib
import gzip
import json
import re
import shutil
import subprocess
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests import devserver as ds

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e-react")]

ALL = ("queue", "websocket", "workflow")
PROJECTS: dict[str, tuple[tuple[str, ...], str]] = {"all": (ALL, "secret"), "none": ((), "jwks")}
APP = "apps/user-application"
BROWSER_TIMEOUT_MS = 30_000
WORKFLOW_TIMEOUT_MS = 90_000


@dataclass
class Project:
    key: str
    patterns: tuple[str, ...]
    auth: str
    root: Path
    env: dict[str, str]
    timings: dict[str, float] = field(default_factory=dict)
    install_error: str | None = None
    tokens: dict[str, str] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return f"e2e-react-{self.key}"

    def run(
        self, *args: str, timeout: float = 300, step: str | None = None, env: dict[str, str] | None = None
    ):
        start = time.monotonic()
        try:
            return ds.run(list(args), self.root, env or self.env, timeout, f"[{self.key}] {' '.join(args)}")
        finally:
            if step:
                self.timings[step] = round(time.monotonic() - start, 1)

    def attempt(self, *args: str, timeout: float = 300, env: dict[str, str] | None = None):
        """Run a command that may fail; returns the completed process."""
        return subprocess.run(
            list(args),
            cwd=self.root,
            env=env or self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            start_new_session=True,
        )

    def token(self, sub: str = "alice") -> str:
        if sub not in self.tokens:
            args = ["npm", "run", "-s", "token"] + ([] if sub == "alice" else ["--", "--sub", sub])
            out = self.run(*args, timeout=60).stdout.strip().splitlines()
            self.tokens[sub] = out[-1]
        return self.tokens[sub]


def _du_mb(path: Path) -> float:
    out = subprocess.run(["du", "-sm", str(path)], capture_output=True, text=True, timeout=120, check=False)
    return float(out.stdout.split()[0]) if out.returncode == 0 else -1.0


@pytest.fixture(scope="module")
def projects(
    node_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Iterator[dict[str, Project]]:
    """Render both projects, `npm install` them in parallel (npm's cache is shared)."""
    from dualworker_cli.generate import Answers, render

    base = tmp_path_factory.mktemp("e2e-react")
    made: dict[str, Project] = {}
    for key, (patterns, auth) in PROJECTS.items():
        env = dict(node_env)
        env.update(
            XDG_CONFIG_HOME=str(base / key / "xdg-config"),
            XDG_DATA_HOME=str(base / key / "xdg-data"),
            WRANGLER_LOG_PATH=str(base / key / "wrangler-logs"),
            WRANGLER_SEND_METRICS="false",
            CLOUDFLARE_CF_FETCH_ENABLED="false",
        )
        env.pop("CLOUDFLARE_ENV", None)
        project = Project(key, patterns, auth, base / key / f"e2e-react-{key}", env)
        answers = Answers(project.name, patterns=list(patterns), auth_mode=auth, frontend="react")
        render(answers, project.root)
        made[key] = project

    def install(project: Project) -> None:
        start = time.monotonic()
        try:
            ds.npm_install(project.root, project.env)
        except AssertionError as exc:
            project.install_error = str(exc)
        project.timings["npm install"] = round(time.monotonic() - start, 1)
        if (project.root / "node_modules").is_dir():
            project.timings["node_modules MB"] = _du_mb(project.root / "node_modules")

    with ThreadPoolExecutor(max_workers=len(made)) as pool:
        list(pool.map(install, made.values()))
    yield made
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter is not None:
        with capture.global_and_fixture_disabled() if capture else contextlib.nullcontext():
            reporter.write_line("")
            reporter.write_line("e2e react timings (seconds; installs ran in parallel):")
            for project in made.values():
                cells = ", ".join(f"{k} {v}" for k, v in project.timings.items())
                reporter.write_line(f"  {project.key}: {cells}")


def installed(projects: dict[str, Project], key: str) -> Project:
    project = projects[key]
    assert project.install_error is None, project.install_error
    return project


per_project = pytest.mark.parametrize("key", list(PROJECTS))


def _secrets(project: Project) -> list[str]:
    """The local secret values a build must never carry (the HS256 key, or the private JWK's d)."""
    app = project.root / APP
    found = re.findall(r"^JWT_SECRET=(.+)$", (app / ".dev.vars").read_text(), re.M)
    jwk = app / ".dev.jwk.json"
    if jwk.is_file():
        found.append(json.loads(jwk.read_text())["d"])
    values = [value.strip().strip("'\"") for value in found]
    assert values, "no local secret to look for"
    return values


def _assert_no_secret_in(folder: Path, secrets: list[str]) -> None:
    for path in folder.rglob("*"):
        if path.is_file():
            assert not path.name.startswith(".dev.vars"), f"{path} is a local secrets file"
            data = path.read_bytes()
            for secret in secrets:
                assert secret.encode() not in data, f"{path} holds a local secret"


# --------------------------------------------------------------------------- install, types, tests, build


@per_project
def test_typecheck_tests_and_build(projects: dict[str, Project], key: str) -> None:
    project = installed(projects, key)
    project.run("node", "scripts/dev-token.mjs", "--init", timeout=60)  # the secret a build could leak
    project.run("npm", "run", "typecheck", step="typecheck")
    out = project.run("npm", "test", timeout=900, step="npm test").stdout
    for pattern in ALL:
        ran = f"test/{pattern}.test.ts" in out
        assert ran == (pattern in project.patterns), (pattern, out[-2000:])
    project.run("npm", "run", "build", step="npm run build")
    dist = project.root / APP / "dist"
    assert (dist / "client/index.html").is_file()
    built = sorted(p.parent.name for p in dist.glob("*/wrangler.json"))
    assert built == sorted(f"{project.name.replace('-', '_')}_{role}" for role in ("data", "user")), built
    _assert_no_secret_in(dist, _secrets(project))
    scripts = list((dist / "client/assets").glob("*.js"))
    project.timings["client JS kB"] = round(sum(p.stat().st_size for p in scripts) / 1000, 1)
    project.timings["client JS gzip kB"] = round(
        sum(len(gzip.compress(p.read_bytes())) for p in scripts) / 1000, 1
    )
    html = (dist / "client/index.html").read_text()
    assert not re.search(r"<script(?![^>]*\bsrc=)", html), "the built page must run no inline script (CSP)"

    # After the build, `dualworker check` still sees two Workers and nothing to report.
    from dualworker_cli.check.engine import run

    result = run(project.root)
    assert [(f.rule, f.path, f.message) for f in result.findings] == []
    assert sorted(w.config.rel for w in result.project.workers) == [
        "apps/data-service/wrangler.jsonc",
        f"{APP}/wrangler.jsonc",
    ]


@per_project
def test_every_environment_builds_and_deploys_dry(projects: dict[str, Project], key: str) -> None:
    """`npm run deploy[:env] -- --dry-run`: build that environment, bundle both built Workers."""
    project = installed(projects, key)
    project.run("node", "scripts/dev-token.mjs", "--init", timeout=60)
    user = f"{project.name}-user"
    data = f"{project.name}-data"
    for env_name in ("", "staging", "production"):
        suffix = f"-{env_name}" if env_name else ""
        script = f"deploy:{env_name}" if env_name else "deploy"
        out = project.run(
            "npm", "run", script, "--", "--dry-run", timeout=600, step=f"deploy dry run {script}"
        )
        text = out.stdout + out.stderr
        assert text.count("--dry-run: exiting now.") == 2, text[-3000:]
        # deploy.mjs echoes each command (`> wrangler deploy -c ...`); vite's own build log, which
        # names both configs in whatever order its parallel builds finish, does not count
        deploys = [line for line in text.splitlines() if line.startswith("> wrangler deploy -c ")]
        assert len(deploys) == 2, deploys
        first, second = deploys
        assert f"dist/{data.replace('-', '_')}/wrangler.json" in first, deploys
        assert f"dist/{user.replace('-', '_')}/wrangler.json" in second, "the Data Worker is deployed first"
        assert f"{data}{suffix}#InternalApi" in text, text[-3000:]
        assert f"{project.name}-db{suffix})" in text, text[-3000:]
        for built in (project.root / APP / "dist").glob("*/wrangler.json"):
            config = json.loads(built.read_text())
            assert config.get("targetEnvironment", "") == env_name, built
            assert (
                config["name"].endswith(suffix)
                if suffix
                else not config["name"].endswith(("-staging", "-production"))
            )
        _assert_no_secret_in(project.root / APP / "dist", _secrets(project))


def test_a_build_for_another_environment_is_never_deployed(projects: dict[str, Project]) -> None:
    """The trap: `wrangler deploy --env staging` on a top-level build deploys the top-level bindings.
    The deploy script builds the environment it deploys, ignores a CLOUDFLARE_ENV left in the shell,
    and refuses output built for another environment (here a CLOUDFLARE_ENV in a Vite .env file)."""
    project = installed(projects, "all")
    project.run("node", "scripts/dev-token.mjs", "--init", timeout=60)
    project.run("npm", "run", "build")  # a top-level build lying around
    shell = {**project.env, "CLOUDFLARE_ENV": "production"}
    out = project.run("npm", "run", "deploy:staging", "--", "--dry-run", timeout=600, env=shell)
    text = out.stdout + out.stderr
    assert f"{project.name}-data-staging#InternalApi" in text and "-production" not in text, text[-3000:]

    dot_env = project.root / APP / ".env"
    dot_env.write_text("CLOUDFLARE_ENV=production\n")
    try:
        refused = project.attempt("npm", "run", "deploy", "--", "--dry-run", timeout=600)
    finally:
        dot_env.unlink()
    text = refused.stdout + refused.stderr
    assert refused.returncode != 0, text[-3000:]
    assert 'was built for "production"' in text and 'not "top level"' in text, text[-3000:]
    assert "--dry-run: exiting now." not in text  # nothing was bundled for deploy


def test_a_renamed_field_or_route_fails_the_spa_typecheck(projects: dict[str, Project]) -> None:
    """End-to-end types: the SPA reads the Workers' route types through hc<AppType>."""
    project = installed(projects, "all")
    tsc = ["npx", "tsc", "-p", f"{APP}/tsconfig.app.json"]
    project.run(*tsc, timeout=180)
    edits = [
        (
            f"{APP}/worker/hono/notes.ts",
            "c.json({ notes: results })",
            "c.json({ items: results })",
            "'notes'",
        ),
        (f"{APP}/worker/hono/app.ts", '.get("/api/notes"', '.get("/api/my-notes"', "'notes'"),
        (
            "apps/data-service/src/hono/app.ts",
            'c.json({ userId: c.get("userId") })',
            'c.json({ user: c.get("userId") })',
            "'userId'",
        ),
        (
            "apps/data-service/src/hono/routes/workflows.ts",
            "c.json({ id, status, output",
            "c.json({ id, state: status, output",
            "'status'",
        ),
    ]
    for rel, old, new, missing in edits:
        path = project.root / rel
        original = path.read_text()
        assert old in original, (rel, old)
        path.write_text(original.replace(old, new, 1))
        try:
            result = project.attempt(*tsc, timeout=180)
        finally:
            path.write_text(original)
        output = result.stdout + result.stderr
        assert result.returncode != 0, f"tsc passed after {rel}: {old} -> {new}"
        assert "TS2339" in output and missing in output, output[-2000:]
    project.run(*tsc, timeout=180)


# --------------------------------------------------------------------------- the app in a browser


@contextlib.contextmanager
def _server(project: Project, script: str, tmp: Path) -> Iterator[ds.DevServer]:
    port = ds.free_port()
    cmd = [ds.npm(project.env), "run", script, "--", "--port", str(port), "--strictPort"]
    # a private inspector port: another workerd on this machine may hold the default 9229
    env = {**project.env, "INSPECTOR_PORT": str(ds.free_port())}
    server = ds.DevServer(cmd, project.root, env, tmp / f"{script}.log", port)
    server.start()
    try:
        start = time.monotonic()
        server.wait_ready(
            "/api/health", timeout=180, ok=lambda r: r.status == 200 and r.json() == {"ok": True}
        )
        project.timings[f"npm run {script} ready"] = round(time.monotonic() - start, 1)
        # Vite, workerd and its inspector listen on loopback only.
        listening = server.listening_ports()
        assert port in listening, listening
        assert all(addr in ("127.0.0.1", "::1") for addr in listening.values()), listening
        yield server
    finally:
        server.stop()
    assert not ds.group_pids(server.pgid), f"{script} processes survived the stop"


def _check_http(project: Project, server: ds.DevServer) -> None:
    """The SPA fallback answers page paths, never an API path."""
    page = ds.http("GET", server.base_url + "/some/client/route", headers={"Accept": "text/html"})
    assert page.status == 200 and '<div id="root">' in page.text, page.text[:300]
    for path in ("/api/unknown", "/api/internal/whoami", "/api/notes"):
        resp = ds.http("GET", server.base_url + path, headers={"Accept": "text/html"})
        assert resp.status in (401, 404) and resp.json().get("error"), (path, resp.status, resp.text[:200])
    alice = project.token("alice")
    resp = ds.http("GET", server.base_url + "/api/notes", token=alice)
    assert [n["title"] for n in resp.json()["notes"]] == ["Welcome, Alice", "Second note"]


def _browser(project: Project, server: ds.DevServer, tmp: Path, *, strict_csp: bool) -> None:
    from playwright.sync_api import expect

    token = project.token("alice")
    with ds.launch_chromium(tmp / "profile") as ctx:
        page = ctx.new_page()
        page.set_default_timeout(BROWSER_TIMEOUT_MS)
        errors: list[str] = []
        page.on(
            "console", lambda msg: msg.type == "error" and "401" not in msg.text and errors.append(msg.text)
        )
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        try:
            response = page.goto(server.base_url + "/")
            csp = response.headers.get("content-security-policy") or ""
            if strict_csp:  # the production build runs under public/_headers
                assert "default-src 'self'" in csp and "unsafe" not in csp, csp
            expect(page.get_by_role("heading", name=project.name)).to_be_visible()

            # Signed out: no token, no data, no panel.
            expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
            expect(page.get_by_role("heading", name="My notes")).to_have_count(0)
            page.get_by_label("Token", exact=True).fill("x.y.z")
            page.get_by_role("button", name="Sign in").click()
            expect(page.get_by_role("alert")).to_contain_text("The token was refused (HTTP 401)")
            expect(page.get_by_role("list", name="notes")).to_have_count(0)

            # Signed in: whoami through the binding, notes from D1.
            page.get_by_label("Token", exact=True).fill(token)
            page.get_by_role("button", name="Sign in").click()
            expect(page.get_by_test_id("user-id")).to_have_text("alice")
            notes = page.get_by_role("list", name="notes")
            expect(notes).to_contain_text("Welcome, Alice")
            expect(notes).to_contain_text("Second note")

            if "queue" in project.patterns:
                event_type = f"e2e.react.{uuid.uuid4().hex[:8]}"
                page.get_by_label("Event type", exact=True).fill(event_type)
                page.get_by_role("button", name="Send event").click()
                expect(page.get_by_text("consumed by the Data Worker")).to_be_visible()
                expect(page.get_by_role("list", name="processed events")).to_contain_text(event_type)

            if "websocket" in project.patterns:
                room = f"react-{uuid.uuid4().hex[:8]}"
                other = ctx.new_page()
                other.set_default_timeout(BROWSER_TIMEOUT_MS)
                other.goto(server.base_url + "/")  # same profile: session storage is per tab
                other.get_by_label("Token", exact=True).fill(token)
                other.get_by_role("button", name="Sign in").click()
                for p in (page, other):
                    p.get_by_label("Room", exact=True).fill(room)
                    p.get_by_role("button", name="Connect", exact=True).click()
                    expect(p.get_by_role("log", name="room messages")).to_contain_text(f"connected to {room}")
                page.get_by_label("Message", exact=True).fill("hello from tab one")
                page.get_by_role("button", name="Send", exact=True).click()
                other.get_by_label("Message", exact=True).fill("hello from tab two")
                other.get_by_role("button", name="Send", exact=True).click()
                for p in (page, other):
                    log = p.get_by_role("log", name="room messages")
                    expect(log).to_contain_text("alice: hello from tab one")
                    expect(log).to_contain_text("alice: hello from tab two")
                other.close()

            if "workflow" in project.patterns:
                page.get_by_label("Input", exact=True).fill("three little words")
                page.get_by_role("button", name="Start workflow").click()
                expect(page.get_by_text(re.compile(r": complete$"))).to_be_visible(
                    timeout=WORKFLOW_TIMEOUT_MS
                )
                output = page.get_by_label("workflow output")
                expect(output).to_contain_text('"userId": "alice"')
                expect(output).to_contain_text('"words": 3')

            # Sign out: back to the signed-out state, no data left on the page.
            page.get_by_role("button", name="Sign out").click()
            expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
            expect(page.get_by_role("list", name="notes")).to_have_count(0)
            page.reload()
            expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
            assert [e for e in errors if "Content Security Policy" in e or "Uncaught" in e] == [], errors
        except Exception as exc:
            shot = tmp / "failure.png"
            page.screenshot(path=str(shot), full_page=True)
            (tmp / "failure.html").write_text(page.content())
            raise AssertionError(f"browser session failed (screenshot: {shot}): {exc}") from exc


@per_project
@pytest.mark.parametrize("script", ["dev", "preview"])
def test_browser_signs_in_reads_notes_and_exercises_each_pattern(
    projects: dict[str, Project], key: str, script: str, tmp_path: Path
) -> None:
    ds.require_chromium()
    project = installed(projects, key)
    with _server(project, script, tmp_path) as server:
        _check_http(project, server)
        start = time.monotonic()
        _browser(project, server, tmp_path / "browser", strict_csp=script == "preview")
        project.timings[f"browser ({script})"] = round(time.monotonic() - start, 1)


def _workerd_versions(root: Path) -> set[str]:
    return {
        json.loads(path.read_text())["version"]
        for path in (root / "node_modules").rglob("workerd/package.json")
        if path.parent.name == "workerd"
    }


def test_one_workerd_and_install_size_against_static(projects: dict[str, Project], tmp_path: Path) -> None:
    """The workerd override leaves one workerd build in a react project (the Vite plugin's own would
    refuse the compatibility date), which keeps node_modules no bigger than the static project's.
    Also records the static project's npm install time and size next to the react ones."""
    from dualworker_cli.generate import Answers, render

    react = installed(projects, "all")
    assert len(_workerd_versions(react.root)) == 1, _workerd_versions(react.root)
    root = render(Answers("e2e-static-size", frontend="static"), tmp_path / "static")
    start = time.monotonic()
    ds.npm_install(root, react.env)
    react.timings["static: npm install"] = round(time.monotonic() - start, 1)
    react.timings["static: node_modules MB"] = static_mb = _du_mb(root / "node_modules")
    assert react.timings["node_modules MB"] <= static_mb * 1.1, (react.timings, static_mb)
    shutil.rmtree(root / "node_modules", ignore_errors=True)
