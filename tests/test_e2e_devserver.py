"""The generated app, run with `npm run dev` and driven from outside by real clients.

For the all-patterns project and each single-pattern project: render, `npm install`, start
`npm run dev` on a free 127.0.0.1 port (its `predev` creates the local JWT key and applies the D1
migrations, as the generated README says), then talk to it over plain HTTP (urllib), real
WebSockets (`websockets`) and a real browser (Debian's Chromium driven by Playwright).

Tokens are made the way a developer makes them: `npm run token` (`-- --sub bob` for a second
user). One project runs with `--auth jwks` so both auth modes are exercised.

Timings per project and step are printed at the end of the module and written to
`<pytest basetemp>/e2e-devserver-timings.json` (and appended to $DUALWORKER_E2E_TIMINGS if set).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import secrets
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests import devserver as ds

# One xdist worker runs this module: its projects are installed once, by a module-scoped fixture.
pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e-devserver")]

ALL = ("queue", "websocket", "workflow")


@dataclass(frozen=True)
class Spec:
    patterns: tuple[str, ...]
    auth: str = "secret"


#: The all-patterns project and one project per pattern; one of them uses the JWKS auth mode.
PROJECTS: dict[str, Spec] = {
    "all": Spec(ALL),
    "queue": Spec(("queue",)),
    "websocket": Spec(("websocket",)),
    "workflow": Spec(("workflow",), auth="jwks"),
}
JWT = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$")
QUEUE_TIMEOUT_S = 30.0
WORKFLOW_TIMEOUT_S = 60.0
BROWSER_TIMEOUT_MS = 30_000


def with_pattern(pattern: str | None = None) -> list[str]:
    return [k for k, s in PROJECTS.items() if pattern is None or pattern in s.patterns]


def projects(pattern: str | None = None) -> Any:
    """Parametrize a test over the projects (having ``pattern``), sharing each module-scoped app."""
    return pytest.mark.parametrize("app", with_pattern(pattern), indirect=True)


# --------------------------------------------------------------------------- fixtures


@dataclass
class App:
    key: str
    spec: Spec
    root: Path
    env: dict[str, str]
    server: ds.DevServer
    tmp: Path
    timings: ds.Timings
    tokens: dict[str, str] = field(default_factory=dict)

    @property
    def base(self) -> str:
        return self.server.base_url

    @property
    def ws_base(self) -> str:
        return self.base.replace("http://", "ws://", 1)

    def url(self, path: str) -> str:
        return self.base + path

    def token(self, sub: str = "alice") -> str:
        """A dev token from `npm run token` (the generated README's way), cached per subject."""
        if sub not in self.tokens:
            # Exactly what a developer types; the JWT is the last line npm prints.
            args = [] if sub == "alice" else ["--", "--sub", sub]
            out = ds.run([ds.npm(self.env), "run", "token", *args], self.root, self.env, 60)
            lines = [line.strip() for line in out.stdout.splitlines() if line.strip()]
            assert lines and JWT.match(lines[-1]), f"`npm run token` printed no JWT: {out.stdout!r}"
            self.tokens[sub] = lines[-1]
        return self.tokens[sub]

    def get(self, path: str, **kw: Any) -> ds.Response:
        return ds.http("GET", self.url(path), **kw)

    def post(self, path: str, **kw: Any) -> ds.Response:
        return ds.http("POST", self.url(path), **kw)

    def measure(self, step: str) -> Any:
        return self.timings.measure(self.key, step)

    def fail(self, message: str) -> AssertionError:
        return self.server.fail(message)


class _ServerLogOnFailure:
    """Attach the dev server's log tail to the report of a failed test that used an `app`."""

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
        report = yield
        app = getattr(item, "funcargs", {}).get("app")
        if report.failed and isinstance(app, App):
            report.sections.append(
                (f"Captured dev server log ({app.server.log_path})", app.server.log_tail(80))
            )
        return report


@pytest.fixture(scope="module", autouse=True)
def _server_log_on_failure(request: pytest.FixtureRequest) -> Iterator[None]:
    plugin = _ServerLogOnFailure()
    request.config.pluginmanager.register(plugin, "e2e-devserver-log")
    yield
    request.config.pluginmanager.unregister(plugin)


@pytest.fixture(scope="module")
def timings(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ds.Timings]:
    t = ds.Timings()
    yield t
    record = {"at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "steps": t.steps}
    (tmp_path_factory.getbasetemp() / "e2e-devserver-timings.json").write_text(json.dumps(record, indent=2))
    if extra := os.environ.get("DUALWORKER_E2E_TIMINGS"):
        with open(extra, "a") as fh:
            fh.write(json.dumps(record) + "\n")
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter is not None:
        with capture.global_and_fixture_disabled() if capture else contextlib.nullcontext():
            reporter.write_line("")
            reporter.write_line("e2e dev-server timings (seconds):")
            for line in t.lines():
                reporter.write_line(f"  {line}")


@pytest.fixture(scope="module")
def app(
    request: pytest.FixtureRequest,
    node_env: dict[str, str],
    tmp_path_factory: pytest.TempPathFactory,
    timings: ds.Timings,
) -> Iterator[App]:
    """A generated project, installed, with `npm run dev` running on a free loopback port."""
    from dualworker_cli.generate import Answers, render

    key: str = request.param
    spec = PROJECTS[key]
    tmp = tmp_path_factory.mktemp(f"devserver-{key}")
    root = tmp / f"e2e-{key}"
    env = dict(node_env)
    env.update(
        XDG_CONFIG_HOME=str(tmp / "xdg-config"),
        XDG_DATA_HOME=str(tmp / "xdg-data"),
        WRANGLER_SEND_METRICS="false",
        CLOUDFLARE_CF_FETCH_ENABLED="false",
    )
    with timings.measure(key, "render"):
        render(Answers(project_name=f"e2e-{key}", patterns=list(spec.patterns), auth_mode=spec.auth), root)
    with timings.measure(key, "npm install"):
        ds.npm_install(root, env)
    port, inspector = ds.free_port(), ds.free_port()
    server = ds.DevServer(
        ds.dev_command(env, port, inspector), root, env, tmp / "dev-server.log", port, inspector
    )
    the_app = App(key, spec, root, env, server, tmp, timings)
    server.start()
    try:
        with timings.measure(key, "dev server ready (predev + wrangler dev)"):
            server.wait_ready("/api/health", ok=lambda r: r.status == 200 and r.json() == {"ok": True})
        with timings.measure(key, "npm run token (x2)"):
            the_app.token("alice")
            the_app.token("bob")
        yield the_app
    finally:
        server.stop()
    leftover = ds.group_pids(server.pgid)
    assert not leftover, f"dev server processes survived the stop: {leftover}"


# --------------------------------------------------------------------------- plain HTTP


def api_routes(app: App) -> list[tuple[str, str]]:
    """Every authenticated HTTP route the User Worker serves for this project."""
    routes = [("GET", "/api/notes"), ("GET", "/api/internal/whoami"), ("POST", "/api/internal/whoami")]
    if "queue" in app.spec.patterns:
        routes += [("POST", "/api/events"), ("GET", "/api/internal/events")]
    if "workflow" in app.spec.patterns:
        routes += [("POST", "/api/internal/trigger-workflow"), ("GET", "/api/internal/workflows/x")]
    return routes


@projects()
def test_demo_page_and_health_are_public(app: App) -> None:
    page = app.get("/")
    assert page.status == 200, page.text[:300]
    assert 'id="token"' in page.text
    assert app.get("/api/health").json() == {"ok": True}


@projects()
def test_the_generated_readme_documents_what_this_module_does(app: App) -> None:
    """The developer's path exercised here is the one the generated README tells."""
    readme = (app.root / "README.md").read_text()
    for text in (
        "npm run dev",
        "npm run token",
        "npm run dev -- --port",
        "npm run token -- --sub",
        "127.0.0.1",
    ):
        assert text in readme, text


@projects()
def test_no_or_bad_token_is_401_on_every_route(app: App) -> None:
    forged = _hs256({"sub": "alice"}, secret=secrets.token_urlsafe(32), project=app.key)
    for method, path in api_routes(app):
        for token in (None, "not-a-jwt", forged):
            resp = ds.http(method, app.url(path), token=token, headers={"X-User-Id": "alice"})
            assert resp.status == 401, f"{method} {path} with token={token!r:.20}: {resp.status} {resp.text}"
            assert resp.json() == {"error": "unauthorized"}


@projects()
def test_token_reaches_the_data_worker_with_its_user_id(app: App) -> None:
    with app.measure("http round trip (whoami via binding)"):
        resp = app.get("/api/internal/whoami", token=app.token("alice"))
    assert resp.status == 200, resp.text
    assert resp.json() == {"userId": "alice"}
    assert app.get("/api/internal/whoami", token=app.token("bob")).json() == {"userId": "bob"}


@projects()
def test_a_spoofed_user_id_header_makes_no_difference(app: App) -> None:
    alice = app.token("alice")
    for name in ("X-User-Id", "x-user-id", "X-USER-ID"):
        resp = app.get("/api/internal/whoami", token=alice, headers={name: "bob"})
        assert resp.json() == {"userId": "alice"}, f"{name}: bob -> {resp.text}"
        notes = app.get("/api/notes", token=alice, headers={name: "bob"}).json()["notes"]
        assert {n["title"] for n in notes} == {"Welcome, Alice", "Second note"}


@projects()
def test_d1_read_route_returns_the_local_seed_rows(app: App) -> None:
    with app.measure("d1 read round trip"):
        resp = app.get("/api/notes", token=app.token("alice"))
    assert resp.status == 200, resp.text
    assert [n["title"] for n in resp.json()["notes"]] == ["Welcome, Alice", "Second note"]
    bob = app.get("/api/notes", token=app.token("bob")).json()["notes"]
    assert [n["title"] for n in bob] == ["Hello, Bob"]


@projects()
def test_a_token_signed_with_the_local_dev_key_works(app: App) -> None:
    """Tests may also sign tokens themselves, with the key `npm run dev` uses (.dev.vars)."""
    dev_vars = (app.root / "apps/user-application/.dev.vars").read_text()
    if app.spec.auth == "secret":
        secret = re.search(r"^JWT_SECRET=(.+)$", dev_vars, re.M)
        assert secret, dev_vars
        now = int(time.time())
        claims = {"sub": "carol", "iat": now, "exp": now + 300}
        token = _hs256(claims, secret=secret.group(1).strip(), project=app.key)
        assert app.get("/api/internal/whoami", token=token).json() == {"userId": "carol"}
        expired = _hs256({**claims, "exp": now - 3600}, secret=secret.group(1).strip(), project=app.key)
        assert app.get("/api/internal/whoami", token=expired).status == 401

        def sign(claims: dict[str, Any]) -> str:
            return _hs256(claims, secret=secret.group(1).strip(), project=app.key)
    else:
        assert "JWT_JWKS=" in dev_vars and (app.root / "apps/user-application/.dev.jwk.json").is_file()
        resp = app.get("/api/internal/whoami", token=app.token("carol"))
        assert resp.json() == {"userId": "carol"}

        def sign(claims: dict[str, Any]) -> str:
            return _es256_dev(app, claims)

    # JWT_MAX_AGE_SECONDS (24 h): `iat` is required, at most a day old and not in the future.
    now = int(time.time())
    fresh = {"sub": "carol", "iat": now, "exp": now + 300}
    assert app.get("/api/internal/whoami", token=sign(fresh)).json() == {"userId": "carol"}
    for name, claims in {
        "issued 25 h ago": {**fresh, "iat": now - 25 * 3600},
        "issued 30 years ago, valid for 30 more": {
            **fresh,
            "iat": now - 30 * 365 * 86400,
            "exp": now + 30 * 365 * 86400,
        },
        "iat 1 h in the future": {**fresh, "iat": now + 3600},
        "no iat": {**fresh, "iat": None},
    }.items():
        assert app.get("/api/internal/whoami", token=sign(claims)).status == 401, name


def _hs256(claims: dict[str, Any], *, secret: str, project: str) -> str:
    import jwt

    now = int(time.time())
    payload = {"iss": f"e2e-{project}", "aud": f"e2e-{project}", "iat": now, "exp": now + 300, **claims}
    # A claim set to None is left out.
    return jwt.encode({k: v for k, v in payload.items() if v is not None}, secret, algorithm="HS256")


ES256_SIGN_JS = """
import { readFileSync } from "node:fs";
import { SignJWT, importJWK } from "jose";
const jwk = JSON.parse(readFileSync("apps/user-application/.dev.jwk.json", "utf8"));
const key = await importJWK(jwk, "ES256");
const jwt = new SignJWT(JSON.parse(process.argv[1])).setProtectedHeader({ alg: "ES256", kid: jwk.kid });
process.stdout.write(await jwt.sign(key));
"""


def _es256_dev(app: App, claims: dict[str, Any]) -> str:
    """A token signed (with the project's own jose) by the local dev key `npm run token` created."""
    import shutil

    node = shutil.which("node", path=app.env.get("PATH"))
    assert node, "node not found on the e2e PATH"
    payload = {
        k: v for k, v in {"iss": f"e2e-{app.key}", "aud": f"e2e-{app.key}", **claims}.items() if v is not None
    }
    out = ds.run(
        [node, "--input-type=module", "-e", ES256_SIGN_JS, json.dumps(payload)], app.root, app.env, 60
    )
    assert JWT.match(out.stdout.strip()), out.stdout
    return out.stdout.strip()


# --------------------------------------------------------------------------- hardening

API_CSP = "default-src 'none'; frame-ancestors 'none'"


def _lower(headers: dict[str, str]) -> dict[str, str]:
    return {k.lower(): v for k, v in headers.items()}


@projects()
def test_static_assets_carry_the_headers_of_public_headers(app: App) -> None:
    """`public/_headers` parses (wrangler logs its rules) and applies to every asset response; the
    API's own responses get the stricter policy of hono/secure-headers instead."""
    log = app.server.log_path.read_text(errors="replace")
    rules = [line for line in log.splitlines() if "header rule" in line]
    assert any("Parsed 1 valid header rule" in line for line in rules), rules or log[-2000:]
    assert not any("invalid" in line.lower() for line in rules), rules
    page = app.get("/")
    # What the CSP allows is all the page needs: no inline script or style, only its own files.
    assert not re.search(r"<script(?![^>]*\bsrc=)|<style|\sstyle=|\son[a-z]+=", page.text), page.text
    for path in ("/", "/app.js", "/style.css"):
        resp = app.get(path)
        assert resp.status == 200, path
        headers = _lower(resp.headers)
        csp = headers.get("content-security-policy", "")
        for directive in (
            "default-src 'self'",
            "script-src 'self'",
            "connect-src 'self'",
            "frame-ancestors 'none'",
        ):
            assert directive in csp, (path, csp)
        assert "unsafe" not in csp, csp
        assert headers.get("x-content-type-options") == "nosniff", path
        assert headers.get("referrer-policy") == "no-referrer", path
        assert headers.get("x-frame-options") == "DENY", path
    alice = app.token("alice")
    for path, token in (("/api/health", None), ("/api/notes", None), ("/api/internal/whoami", alice)):
        headers = _lower(app.get(path, token=token).headers)
        assert headers.get("content-security-policy") == API_CSP, (path, headers)
        assert headers.get("x-content-type-options") == "nosniff", path


@projects()
def test_oversized_bodies_are_refused_with_413(app: App) -> None:
    alice = app.token("alice")
    resp = app.post("/api/internal/whoami", token=alice, body={"padding": "x" * 64 * 1024})
    assert resp.status == 413, resp.text
    assert resp.json() == {"error": "request body is limited to 65536 bytes"}
    assert _lower(resp.headers).get("content-security-policy") == API_CSP
    assert app.post("/api/internal/whoami", token=alice, body={"padding": "x" * 1024}).status == 404
    if "queue" in app.spec.patterns:
        body = {"type": "e2e.big", "payload": None, "padding": "x" * 16 * 1024}
        resp = app.post("/api/events", token=alice, body=body)
        assert resp.status == 413, resp.text


# --------------------------------------------------------------------------- queue


@projects("queue")
def test_queue_event_is_consumed_by_the_data_worker(app: App) -> None:
    alice = app.token("alice")
    nonce = uuid.uuid4().hex
    with app.measure("queue round trip (send -> consumed, polled)"):
        sent = app.post("/api/events", token=alice, body={"type": "e2e.check", "payload": {"nonce": nonce}})
        assert sent.status == 202, sent.text
        event_id = sent.json()["id"]

        def consumed() -> Any:
            events = app.get("/api/internal/events", token=alice).json()["events"]
            return next((e for e in events if e["id"] == event_id), None)

        event = ds.poll(consumed, QUEUE_TIMEOUT_S, what=f"event {event_id} consumed")
    assert event["userId"] == "alice"
    assert event["payload"] == {"nonce": nonce}
    assert event["type"] == "e2e.check"
    assert event["processedAt"] >= event["sentAt"]
    # The consumer files events per user: Bob does not see Alice's.
    bob_events = app.get("/api/internal/events", token=app.token("bob")).json()["events"]
    assert event_id not in {e["id"] for e in bob_events}


@projects("queue")
def test_queue_refuses_a_spoofed_user_in_the_event(app: App) -> None:
    nonce = uuid.uuid4().hex
    body = {"type": "e2e.spoof", "payload": {"nonce": nonce}, "userId": "bob"}
    sent = app.post("/api/events", token=app.token("alice"), body=body, headers={"X-User-Id": "bob"})
    assert sent.status == 202, sent.text
    event_id = sent.json()["id"]

    def consumed() -> Any:
        events = app.get("/api/internal/events", token=app.token("alice")).json()["events"]
        return next((e for e in events if e["id"] == event_id), None)

    assert ds.poll(consumed, QUEUE_TIMEOUT_S, what="spoofed event consumed")["userId"] == "alice"


# --------------------------------------------------------------------------- websocket


def _ws_connect(app: App, room: str, **kw: Any) -> Any:
    from websockets.sync.client import connect

    kw.setdefault("origin", app.base)
    return connect(f"{app.ws_base}/api/ws/{room}", open_timeout=15, close_timeout=5, **kw)


def _next_frame(ws: Any, kind: str, timeout: float = 10.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            raise AssertionError(f"no {kind!r} frame within {timeout} s")
        frame = json.loads(ws.recv(timeout=left))
        if frame.get("type") == kind:
            return frame


@projects("websocket")
def test_two_websocket_clients_in_one_room_see_each_other(app: App) -> None:
    room = f"e2e-{uuid.uuid4().hex[:12]}"
    alice, bob = app.token("alice"), app.token("bob")
    # Alice like a non-browser client (Authorization header); Bob like a browser (subprotocol).
    with (
        app.measure("websocket round trip (2 clients, 2 messages)"),
        _ws_connect(app, room, additional_headers={"Authorization": f"Bearer {alice}"}) as a,
        _ws_connect(app, room, subprotocols=["bearer", bob]) as b,
    ):
        assert b.subprotocol == "bearer"
        assert _next_frame(a, "history")["messages"] == []
        _next_frame(b, "history")
        a.send(json.dumps({"text": "hi bob"}))
        for ws in (b, a):
            msg = _next_frame(ws, "message")["message"]
            assert (msg["userId"], msg["text"]) == ("alice", "hi bob")
        b.send("hi alice")
        for ws in (a, b):
            msg = _next_frame(ws, "message")["message"]
            assert (msg["userId"], msg["text"]) == ("bob", "hi alice")
        # Keepalive through the User Worker and the binding: "ping" gets the Durable Object's
        # auto-response "pong" and is no chat message (the next frame either sees is the next chat).
        a.send("ping")
        assert a.recv(timeout=10) == "pong"
        a.send(json.dumps({"text": "after the ping"}))
        for ws in (b, a):
            frame = json.loads(ws.recv(timeout=10))
            assert frame["type"] == "message" and frame["message"]["text"] == "after the ping", frame


@projects("websocket")
def test_websocket_upgrade_refused_without_token_or_with_a_foreign_origin(app: App) -> None:
    from websockets.exceptions import InvalidStatus

    alice = {"Authorization": f"Bearer {app.token('alice')}"}
    cases = {
        "no token": ({}, app.base, 401),
        "bad token": ({"Authorization": "Bearer x.y.z"}, app.base, 401),
        "spoofed X-User-Id only": ({"X-User-Id": "alice"}, app.base, 401),
        "foreign Origin": (alice, "https://evil.example", 403),
        "no Origin": (alice, None, 403),
    }
    plain = app.get("/api/ws/lobby", token=app.token("alice"), headers={"Origin": app.base})
    assert plain.status == 426, plain.text
    for name, (headers, origin, status) in cases.items():
        with pytest.raises(InvalidStatus) as refused:
            _ws_connect(app, "lobby", additional_headers=headers, origin=origin).close()
        assert refused.value.response.status_code == status, name
    # The generic proxy does not tunnel upgrades around the Origin check.
    with pytest.raises(InvalidStatus) as refused:
        from websockets.sync.client import connect

        connect(
            f"{app.ws_base}/api/internal/rooms/lobby/ws",
            origin="https://evil.example",
            additional_headers=alice,
            open_timeout=15,
        ).close()
    assert refused.value.response.status_code == 400


# --------------------------------------------------------------------------- workflow


@projects("workflow")
def test_workflow_runs_to_complete_and_carries_the_user_id(app: App) -> None:
    alice = app.token("alice")
    text = f"e2e workflow {uuid.uuid4().hex}"
    with app.measure("workflow round trip (trigger -> complete, polled)"):
        started = app.post("/api/internal/trigger-workflow", token=alice, body={"input": text})
        assert started.status == 202, started.text
        wf_id = started.json()["id"]

        def finished() -> Any:
            status = app.get(f"/api/internal/workflows/{wf_id}", token=alice).json()
            return status if status.get("status") in {"complete", "errored", "terminated"} else None

        status = ds.poll(finished, WORKFLOW_TIMEOUT_S, interval=0.5, what=f"workflow {wf_id} finished")
    assert status["status"] == "complete", status
    output = status["output"]
    assert output["userId"] == "alice"
    assert output["input"] == text
    assert output["sha256"] == hashlib.sha256(text.encode()).hexdigest()
    assert output["words"] == 3
    # Another user cannot read it, spoofed header or not.
    bob = app.get(f"/api/internal/workflows/{wf_id}", token=app.token("bob"), headers={"X-User-Id": "alice"})
    assert bob.status == 404


# --------------------------------------------------------------------------- the Data Worker is private


def internal_paths(root: Path) -> list[tuple[str, str]]:
    """Every (method, path) the Data Worker's internal Hono API declares, read from its source."""
    src = root / "apps/data-service/src/hono"
    found = {("GET", "/api/internal/whoami")}
    route = re.compile(r"\.(get|post|put|patch|delete|all)\(\s*\"(/[^\"]*)\"")
    for file in sorted((src / "routes").glob("*.ts")) if (src / "routes").is_dir() else []:
        for method, path in route.findall(file.read_text()):
            concrete = re.sub(r":[A-Za-z_]+", "e2e", path)
            found.add(("GET" if method == "all" else method.upper(), f"/api/internal{concrete}"))
    app_ts = (src / "app.ts").read_text()
    for method, path in route.findall(app_ts):
        if path.startswith("/api/internal/") and "*" not in path:
            found.add(("GET" if method == "all" else method.upper(), path))
    return sorted(found)


def _probe(port: int, method: str, path: str, headers: dict[str, str]) -> tuple[int | None, str]:
    """One request to a port that may not speak HTTP at all; (status or None, body or error)."""
    try:
        resp = ds.http(method, f"http://127.0.0.1:{port}{path}", headers=headers, body={}, timeout=5)
    except Exception as exc:  # not HTTP, reset, timeout: nothing answered
        return None, f"{type(exc).__name__}: {exc}"
    return resp.status, resp.text[:300]


@projects()
def test_the_data_worker_is_reachable_only_through_the_binding(app: App) -> None:
    """Scan every port the dev server's processes listen on and knock on every internal path.

    The Data Worker's internal API trusts X-User-Id (400 without it, the id echoed with it). No
    port may answer like that: the public port and wrangler's internal entry socket run the User
    Worker (401 without a token); the rest (inspector, wrangler's loopback and dev-registry
    sockets) refuse or do not speak HTTP.
    """
    paths = internal_paths(app.root)
    assert ("GET", "/api/internal/whoami") in paths
    ports = app.server.listening_ports()
    assert app.server.port in ports
    assert set(ports.values()) == {"127.0.0.1"}, f"something listens beyond loopback: {ports}"
    user_worker_ports = []
    for port in sorted(ports):
        for method, path in paths:
            for headers in ({"X-User-Id": "intruder"}, {}):
                status, body = _probe(port, method, path, headers)
                where = f"port {port} {method} {path} headers={headers}: {status} {body}"
                assert status is None or not 200 <= status < 300, f"internal API answered: {where}"
                assert "intruder" not in body, where
                assert "missing X-User-Id" not in body, f"the Data Worker's own API answered: {where}"
        status, _ = _probe(port, "GET", "/api/internal/whoami", {"X-User-Id": "intruder"})
        if status == 401:
            user_worker_ports.append(port)
    assert app.server.port in user_worker_ports
    # At most wrangler's public port and its runtime entry socket behind it run the User Worker.
    assert len(user_worker_ports) <= 2, f"User Worker answers on {user_worker_ports} of {sorted(ports)}"
    if app.server.inspector_port is not None:
        assert app.server.inspector_port in ports


@projects()
def test_the_local_explorer_is_off_in_npm_run_dev(app: App) -> None:
    """wrangler's Local Explorer (on by default on the app's own port) would let anyone who reaches
    the port read every user's D1 rows and workflow outputs without a token. `npm run dev` sets
    X_LOCAL_EXPLORER=false: its paths fall through to the User Worker, which knows none of them."""
    for path in ("/cdn-cgi/local/explorer/", "/cdn-cgi/local/explorer/api/"):
        resp = app.get(path)
        assert resp.status == 404, f"{path}: {resp.status} {resp.text[:200]}"
        assert "Local Explorer" not in resp.text and "openapi" not in resp.text.lower()


@projects()
def test_the_data_worker_default_export_serves_no_internal_route(app: App) -> None:
    """What a public URL of the Data Worker would reach is its default export: 404 everywhere.

    Run the Data Worker alone (`wrangler dev -c apps/data-service/wrangler.jsonc`), which serves
    its default export on the port, and knock on every internal path, spoofed header included.
    Through the User Worker the same paths do answer (not 404), so the paths are real.
    """
    port, inspector = ds.free_port(), ds.free_port()
    tmp = app.tmp / "data-only"
    env = {**app.env, "XDG_CONFIG_HOME": str(tmp / "xdg-config")}  # own dev registry
    wrangler = app.root / "node_modules/.bin/wrangler"
    cmd = [
        str(wrangler),
        "dev",
        "-c",
        "apps/data-service/wrangler.jsonc",
        "--ip",
        "127.0.0.1",
        "--port",
        str(port),
        "--inspector-port",
        str(inspector),
        "--persist-to",
        str(tmp / "state"),
        "--show-interactive-dev-session=false",
    ]
    paths = internal_paths(app.root)
    alice = app.token("alice")
    for method, path in paths:
        resp = ds.http(method, app.url(path), token=alice, body={})
        assert resp.status != 404 or path.startswith("/api/internal/workflows/"), f"{method} {path}"
    with ds.DevServer(cmd, app.root, env, tmp / "data-only.log", port) as data_only:
        data_only.wait_ready("/", ok=lambda r: r.status == 404)
        for method, path in [*paths, ("GET", "/"), ("GET", "/api/internal/anything")]:
            for headers in ({"X-User-Id": "intruder"}, {}):
                resp = ds.http(method, data_only.base_url + path, headers=headers, body={})
                assert resp.status == 404, data_only.fail(f"{method} {path}: {resp.status} {resp.text}")
                assert resp.json() == {"error": "not found"}


# --------------------------------------------------------------------------- browser


@projects()
def test_browser_demo_page_clicks_through_each_pattern(app: App) -> None:
    """A developer's session: open the page, paste `npm run token`'s output, click every demo."""
    ds.require_chromium()
    token = app.token("alice")  # exactly what `npm run token` printed
    shots = app.tmp / "browser"
    with app.measure("browser session (launch + all clicks)"), ds.launch_chromium(shots / "profile") as ctx:
        page = ctx.new_page()
        page.set_default_timeout(BROWSER_TIMEOUT_MS)
        try:
            _browser_session(app, page, token)
        except Exception as exc:
            shot = shots / "failure.png"
            page.screenshot(path=str(shot), full_page=True)
            (shots / "failure.html").write_text(page.content())
            raise AssertionError(f"browser session failed (screenshot: {shot}): {exc}") from exc


def _browser_session(app: App, page: Any, token: str) -> None:
    from playwright.sync_api import expect

    result = page.locator("#result")
    # The page runs under public/_headers' CSP: any violation (console error) fails the session.
    violations: list[str] = []
    page.on("console", lambda msg: "Content Security Policy" in msg.text and violations.append(msg.text))
    response = page.goto(app.base + "/")
    assert "default-src 'self'" in (response.headers.get("content-security-policy") or ""), response.headers
    expect(page.locator("h1")).to_have_text(f"e2e-{app.key}")
    for pattern in ALL:  # sections of unchosen patterns are not on the page
        expect(page.locator(f"section#{pattern}")).to_have_count(1 if pattern in app.spec.patterns else 0)

    page.click("#whoami")
    expect(result).to_contain_text("→ 401")
    page.fill("#token", token)
    page.click("#whoami")
    expect(result).to_contain_text("GET /api/internal/whoami → 200")
    expect(result).to_contain_text('"userId": "alice"')
    page.click("#notes")
    expect(result).to_contain_text("Welcome, Alice")

    if "queue" in app.spec.patterns:
        event_type = f"e2e.browser.{uuid.uuid4().hex[:8]}"
        page.fill("#event-type", event_type)
        page.click("#send-event")
        expect(result).to_contain_text("POST /api/events → 202")

        def listed() -> bool:
            page.click("#list-events")
            expect(result).to_contain_text("GET /api/internal/events → 200")
            return event_type in result.inner_text()

        ds.poll(listed, QUEUE_TIMEOUT_S, interval=0.5, what="browser: event listed as processed")

    if "websocket" in app.spec.patterns:
        _browser_websocket_refusals(app, page, token)
        room = f"browser-{uuid.uuid4().hex[:8]}"
        other = page.context.new_page()
        other.set_default_timeout(BROWSER_TIMEOUT_MS)
        for p in (page, other):
            if p is other:
                other.goto(app.base + "/")  # same tab session storage is not shared: paste again
                other.fill("#token", token)
            p.fill("#room", room)
            p.click("#ws-connect")
            expect(p.locator("#ws-log")).to_contain_text(f"connected to {room}")
            expect(p.locator("#ws-send")).to_be_enabled()
        page.fill("#ws-text", "hello from tab one")
        page.click("#ws-send")
        other.fill("#ws-text", "hello from tab two")
        other.click("#ws-send")
        for p in (page, other):
            expect(p.locator("#ws-log")).to_contain_text("alice: hello from tab one")
            expect(p.locator("#ws-log")).to_contain_text("alice: hello from tab two")
        page.click("#ws-close")
        expect(page.locator("#ws-connect")).to_be_enabled()
        other.close()

    if "workflow" in app.spec.patterns:
        page.fill("#wf-input", "three little words")
        page.click("#wf-start")
        expect(page.locator("#wf-status")).to_contain_text(": complete", timeout=WORKFLOW_TIMEOUT_S * 1000)
        expect(result).to_contain_text('"userId": "alice"')
        expect(result).to_contain_text('"words": 3')

    assert violations == [], violations


OPEN_SOCKET_JS = """([url, token]) => new Promise((resolve) => {
  const ws = new WebSocket(url, ["bearer", token]);
  ws.onopen = () => { resolve("open"); ws.close(); };
  ws.onclose = (event) => resolve(`closed ${event.code}`);
})"""


def _browser_websocket_refusals(app: App, page: Any, token: str) -> None:
    """In the browser: a bad token, then a foreign page's origin, are refused by the User Worker.

    The browser only sees a closed socket (1006); the dev server's log shows who refused and why.
    """
    from playwright.sync_api import expect

    bad_room, foreign_room = f"bad-token-{uuid.uuid4().hex[:8]}", f"foreign-{uuid.uuid4().hex[:8]}"
    page.fill("#token", "")
    page.click("#ws-connect")
    expect(page.locator("#ws-log")).to_contain_text("Paste a token first")
    page.fill("#token", "x.y.z")
    page.fill("#room", bad_room)
    page.click("#ws-connect")
    expect(page.locator("#ws-log")).to_contain_text("closed (1006)")
    # The client asks whether the token is the reason (GET /api/internal/whoami -> 401) and stops
    # instead of reconnecting with backoff.
    expect(page.locator("#ws-log")).to_contain_text("stopped: the token was refused")
    expect(page.locator("#ws-connect")).to_be_enabled()
    page.fill("#token", token)
    # Another local origin (a loopback page, so Chromium's local-network rules do not interfere).
    with ds.foreign_origin_server() as foreign:
        other = page.context.new_page()
        try:
            other.goto(foreign + "/")
            outcome = other.evaluate(OPEN_SOCKET_JS, [f"{app.ws_base}/api/ws/{foreign_room}", token])
        finally:
            other.close()
    assert outcome == "closed 1006", outcome
    for room, status in ((bad_room, 401), (foreign_room, 403)):
        line = re.compile(rf"GET /api/ws/{room} {status} ")
        ds.poll(
            lambda line=line: line.search(app.server.log_path.read_text(errors="replace")),
            10,
            what=f"dev server log shows {status} for the upgrade into {room}",
        )
