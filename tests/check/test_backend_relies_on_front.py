"""DW001/DW002/DW003/DW012 on hand-written projects: a public backend URL is a finding only when
it gets around the front (the backend trusts the front, or has no auth of its own)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from dualworker_cli.check.engine import run
from tests.check.fixtures import fixture, found, lint

FRONT_FETCH = """export default {
  async fetch(request: Request, env: Env) {
    if (!(await verifySession(request))) return new Response("no", { status: 401 });
    return env.API.fetch(request);
  },
};
async function verifySession(request: Request) { return request.headers.has("Cookie"); }
"""
FRONT_RPC = """export default {
  async fetch(request: Request, env: Env) {
    return Response.json(await env.API.add(1, 2));
  },
};
"""
BACKEND_OPEN = """export default {
  async fetch(request: Request) {
    return Response.json({ items: [] });
  },
};
"""
BACKEND_SELF_AUTH = """import { validateSession } from "./session";
export default {
  async fetch(request: Request, env: Env) {
    const user = await validateSession(request.headers, env.SECRET);
    if (!user) return new Response("unauthorized", { status: 401 });
    return Response.json({ user });
  },
};
"""
SESSION = "export async function validateSession(h: Headers, s: string) { return h.get('Cookie') && s; }\n"


def _project(root: Path, front_ts: str, backend_files: dict[str, str]) -> Path:
    configs = {
        "web": {
            "name": "web",
            "main": "src/index.ts",
            "compatibility_date": "2026-01-01",
            "services": [{"binding": "API", "service": "api"}],
        },
        "api": {
            "name": "api",
            "main": "src/index.ts",
            "compatibility_date": "2026-01-01",
            "d1_databases": [{"binding": "DB", "database_name": "api"}],
        },
    }
    for name, config in configs.items():
        (root / name / "src").mkdir(parents=True)
        (root / name / "wrangler.json").write_text(json.dumps(config))
    (root / "web" / "src" / "index.ts").write_text(front_ts)
    for rel, text in backend_files.items():
        (root / "api" / "src" / rel).write_text(text)
    return root


def _rules(root: Path) -> set[str]:
    return {f.rule for f in run(root).findings if f.rule in ("DW001", "DW002", "DW003", "DW012")}


def test_public_backend_without_auth_behind_an_authenticating_front_is_flagged(tmp_path: Path) -> None:
    assert _rules(_project(tmp_path, FRONT_FETCH, {"index.ts": BACKEND_OPEN})) >= {"DW002", "DW003"}


def test_public_backend_that_authenticates_itself_is_public_by_design(tmp_path: Path) -> None:
    root = _project(tmp_path, FRONT_FETCH, {"index.ts": BACKEND_SELF_AUTH, "session.ts": SESSION})
    assert _rules(root) == set()


BACKEND_SHARED_SECRET = """export default {
  async fetch(request: Request, env: Env) {
    const apiKey = request.headers.get("x-api-key");
    if (apiKey !== env.API_KEY) {
      return new Response("internal server error", { status: 500 });
    }
    return Response.json({ items: [] });
  },
};
"""


def test_backend_checking_a_shared_secret_is_public_by_design(tmp_path: Path) -> None:
    """A header compared with the Worker's own secret, the request refused otherwise (with any
    status, here 500 to hide the endpoint): a stranger on the public URL gets nothing."""
    assert _rules(_project(tmp_path / "a", FRONT_FETCH, {"index.ts": BACKEND_SHARED_SECRET})) == set()
    # comparing with something that is not a secret of the Worker's checks nothing
    weak = BACKEND_SHARED_SECRET.replace("env.API_KEY", '"demo"')
    assert _rules(_project(tmp_path / "b", FRONT_FETCH, {"index.ts": weak})) >= {"DW002", "DW003"}


def test_front_using_only_rpc_methods_exposes_nothing_on_the_public_fetch(tmp_path: Path) -> None:
    assert _rules(_project(tmp_path, FRONT_RPC, {"index.ts": BACKEND_OPEN})) == set()


# ---------------------------------------------------------------------------------------------
# the backend's own auth must cover what the front forwards (fixtures: tests/fixtures/check/)


def test_trpc_backend_validating_sessions_in_a_workspace_package_is_public_by_design() -> None:
    from tests.check.fixtures import lint

    assert {f.rule for f in lint("backend-self-auth-workspace").findings} == set()


def test_trpc_backend_whose_context_validates_nothing_is_flagged(tmp_path: Path) -> None:
    from tests.check.fixtures import copy_fixture

    root = copy_fixture("backend-self-auth-workspace", tmp_path)
    worker = root / "packages/server-core/src/worker.ts"
    worker.write_text(worker.read_text().replace("user: await validateSession(req.headers)", "user: null"))
    assert _rules(root) == {"DW002", "DW003", "DW012"}


def test_auth_on_one_route_does_not_cover_unauthenticated_writes() -> None:
    from tests.check.fixtures import lint

    found = {(f.rule, f.path) for f in lint("backend-auth-on-some-routes").findings}
    # `saveDrive` (a server function without auth) adds nothing a stranger cannot do on the API's
    # own custom domain, which authenticates by itself elsewhere: the hole is reported there, once
    assert found == {("DW001", "apps/api/wrangler.json"), ("DW012", "apps/api/src/index.ts")}


def test_every_write_authenticated_makes_the_fixture_clean(tmp_path: Path) -> None:
    from tests.check.fixtures import copy_fixture

    root = copy_fixture("backend-auth-on-some-routes", tmp_path)
    index = root / "apps/api/src/index.ts"
    text = index.read_text().replace(
        'app.get("/health"',
        'app.use("*", (c, next) => authMiddleware(c.env.API_TOKEN)(c, next));\napp.get("/health"',
    )
    index.write_text(text)
    assert _rules(root) == set()


HONO_SESSION_AUTH = """import { Hono } from "hono";
import { sessionAuth } from "./session";
const app = new Hono();
app.use("*", sessionAuth({ secret: "x" }));
app.post("/items", (c) => c.json({ ok: true }));
app.delete("/items/:id", (c) => c.json({ ok: true }));
export default app;
"""
HONO_SESSION_MW = """import type { MiddlewareHandler } from "hono";
export const sessionAuth = (o: { secret: string }): MiddlewareHandler => async (c, next) => {
  if (c.req.header("Cookie") !== o.secret) return c.text("no", 401);
  await next();
};
"""
HONO_AUTH_ELSEWHERE = """import { Hono } from "hono";
import { sessionAuth } from "./session";
const app = new Hono();
app.post("/admin/reindex", sessionAuth({ secret: "x" }), (c) => c.json({ ok: true }));
app.post("/items", (c) => c.json({ ok: true }));
export default app;
"""
FRONT_ITEMS = """import { Hono } from "hono";
import { requireUser } from "./auth";
const app = new Hono();
app.post("/items", requireUser, (c) => c.env.API.fetch(c.req.raw));
export default app;
"""
FRONT_AUTH = "export const requireUser = async (c: any, next: any) => { await next(); };\n"


def test_hono_backend_with_session_middleware_on_every_path_is_public_by_design(tmp_path: Path) -> None:
    root = _project(tmp_path, FRONT_ITEMS, {"index.ts": HONO_SESSION_AUTH, "session.ts": HONO_SESSION_MW})
    (root / "web" / "src" / "auth.ts").write_text(FRONT_AUTH)
    assert _rules(root) == set()


def test_auth_on_a_route_the_front_does_not_forward_is_not_evidence(tmp_path: Path) -> None:
    root = _project(tmp_path, FRONT_ITEMS, {"index.ts": HONO_AUTH_ELSEWHERE, "session.ts": HONO_SESSION_MW})
    (root / "web" / "src" / "auth.ts").write_text(FRONT_AUTH)
    assert _rules(root) >= {"DW002", "DW012"}


FRONT_STATIC_URL = """export default {
  async fetch(request: Request, env: Env) {
    if (!request.headers.get("Cookie")) return new Response("no", { status: 401 });
    return env.API.fetch(new Request("https://api/internal/purge", { method: "POST" }));
  },
};
"""
BACKEND_BEARER_IN_HANDLER = """import { Hono } from "hono";
const app = new Hono<{ Bindings: { TOKEN: string } }>();
app.post("/internal/purge", (c) => {
  if (c.req.header("Authorization") !== `Bearer ${c.env.TOKEN}`) return c.json({ error: "no" }, 401);
  return c.json({ purged: true });
});
app.post("/search", (c) => c.json({ results: [] }));
export default app;
"""


def test_a_forwarded_url_whose_route_checks_a_bearer_token_is_covered(tmp_path: Path) -> None:
    root = _project(tmp_path, FRONT_STATIC_URL, {"index.ts": BACKEND_BEARER_IN_HANDLER})
    assert _rules(root) == set()


def test_the_same_backend_without_the_bearer_check_is_flagged(tmp_path: Path) -> None:
    check = next(
        line for line in BACKEND_BEARER_IN_HANDLER.splitlines(keepends=True) if "Authorization" in line
    )
    backend = BACKEND_BEARER_IN_HANDLER.replace(check, "")
    root = _project(tmp_path, FRONT_STATIC_URL, {"index.ts": backend})
    assert _rules(root) >= {"DW002", "DW012"}


def test_a_backend_built_from_another_language_is_said_not_guessed(tmp_path: Path) -> None:
    root = _project(tmp_path, FRONT_FETCH, {})
    config = {
        "name": "api",
        "main": "build/worker/shim.mjs",
        "compatibility_date": "2026-01-01",
        "build": {"command": "worker-build --release"},
    }
    (root / "api" / "wrangler.json").write_text(json.dumps(config))
    findings = run(root).findings
    assert {f.rule for f in findings} & {"DW001", "DW002", "DW003", "DW012"} == set()
    info = [f.message for f in findings if f.rule == "DW014" and "`api`" in f.message]
    assert info and "DW002" in info[0] and "review them by hand" in info[0]


def test_stateless_backend_exposes_nothing_whoever_calls_it(tmp_path: Path) -> None:
    """A greeting/echo Worker with no binding, no secret and no identity: public URL or not, an
    unauthenticated front in front of it protects nothing (the hello-world services of examples)."""
    root = tmp_path / "p"
    root.mkdir()
    project = _project(
        root, FRONT_FETCH.replace("verifySession(request)", "true"), {"index.ts": BACKEND_OPEN}
    )
    config = project / "api" / "wrangler.json"
    config.write_text(
        config.read_text().replace(', "d1_databases": [{"binding": "DB", "database_name": "api"}]', "")
    )
    assert "d1_databases" not in config.read_text()
    assert {f.rule for f in run(project).findings if f.rule in ("DW002", "DW003", "DW005", "DW012")} == set()
    secret = project / "api" / "src" / "index.ts"
    secret.write_text(BACKEND_OPEN.replace("{ items: [] }", "{ items: [], key: env.STRIPE_KEY }"))
    assert {"DW002", "DW003"} <= {f.rule for f in run(project).findings}


def test_front_without_any_auth_makes_the_backend_url_bypass_nothing(tmp_path: Path) -> None:
    """Every way through the front is open: the backend's public URL gives a stranger nothing more.
    With no auth anywhere in the front and no identity the backend trusts, the app is public by
    design, so DW005 is quiet as well; once the front authenticates elsewhere, the open route is a
    DW005 finding."""
    open_front = FRONT_FETCH.replace(
        '    if (!(await verifySession(request))) return new Response("no", { status: 401 });\n', ""
    )
    assert "401" not in open_front
    root = _project(tmp_path, open_front, {"index.ts": BACKEND_OPEN})
    found = {f.rule for f in run(root).findings}
    assert not found & {"DW001", "DW002", "DW003", "DW005", "DW012"}
    other = root / "web" / "src" / "admin.ts"
    other.write_text(
        "export async function admin(request: Request) {\n"
        '  if (!(await verifySession(request))) return new Response("no", { status: 401 });\n'
        "  return new Response('admin');\n}\n"
        "async function verifySession(request: Request) { return request.headers.has('Cookie'); }\n"
    )
    index = root / "web" / "src" / "index.ts"
    index.write_text('import { admin } from "./admin";\nvoid admin;\n' + index.read_text())
    assert "DW005" in {f.rule for f in run(root).findings}


def test_binding_declared_but_never_used_forwards_nothing(tmp_path: Path) -> None:
    """`web` declares `LEGACY` (a public Worker holding a KV namespace) and never touches it (its
    `Env` type names it, which is no use): `legacy`'s workers.dev URL gets around nothing. Once a
    route forwards to it behind `requireUser`, the same URL bypasses that auth: DW002/DW003/DW012."""
    from tests.check.fixtures import found, lint, with_route

    assert found(lint("binding-declared-unused")) == []
    route = 'app.get("/archive/*", requireUser, (c) => c.env.LEGACY.fetch(c.req.raw));'
    root = with_route("binding-declared-unused", tmp_path, route)
    assert sorted(rule for rule, path, _ in found(lint(root)) if path.startswith("legacy/")) == [
        "DW002",
        "DW003",
        "DW012",
    ]


def test_auth_switched_off_by_a_var_is_reported_where_the_var_turns_it_off(tmp_path: Path) -> None:
    """`serviceAuth()` checks the gateway's token only when ENVIRONMENT is "production": the top
    level (production) checks its callers itself; the deployed env.dev (development) serves the
    orders API to anyone on its workers.dev and preview URLs."""
    from tests.check.fixtures import copy_fixture, found, lint

    assert found(lint("auth-off-by-var")) == [
        ("DW012", "orders/src/index.ts", 14),
        ("DW002", "orders/wrangler.toml", 12),
        ("DW003", "orders/wrangler.toml", 12),
    ]
    dw012 = next(f for f in lint("auth-off-by-var").findings if f.rule == "DW012")
    assert "env.dev: workers.dev URL `orders-dev." in dw012.message and "top level" not in dw012.message
    # the var turns it on in env.dev too
    root = copy_fixture("auth-off-by-var", tmp_path / "on")
    config = root / "orders" / "wrangler.toml"
    config.write_text(config.read_text().replace('ENVIRONMENT = "development"', 'ENVIRONMENT = "production"'))
    assert found(lint(root)) == []
    # the call site enforces it everywhere
    root = copy_fixture("auth-off-by-var", tmp_path / "all")
    index = root / "orders" / "src" / "index.ts"
    index.write_text(index.read_text().replace("serviceAuth()", 'serviceAuth({ enforceIn: "all" })'))
    assert found(lint(root)) == []


def test_auth_middleware_letting_a_forwarded_path_through_by_name(tmp_path: Path) -> None:
    """An `allowedPaths` entry the front forwards behind its own auth is open on the public URL."""
    from tests.check.fixtures import copy_fixture, found, lint

    result = lint("auth-allow-list")
    assert found(result) == [
        ("DW012", "orders/src/index.ts", 22),
        ("DW002", "orders/wrangler.toml", 1),
        ("DW003", "orders/wrangler.toml", 1),
    ]
    dw002 = next(f for f in result.findings if f.rule == "DW002")
    let_through = "its auth middleware (orders/src/index.ts:8) lets `POST /orders/rebuild-all` through"
    assert let_through in dw002.message
    # the shared secret header is a credential, not an identity: DW012 names no header to forge
    dw012 = next(f for f in result.findings if f.rule == "DW012")
    assert "X-Service-Token" not in dw012.message and "X-User-Id" not in dw012.message
    # an allow-list of a probe and a signed webhook lets nothing through that the front guards
    root = copy_fixture("auth-allow-list", tmp_path)
    index = root / "orders" / "src" / "index.ts"
    index.write_text(index.read_text().replace('"/orders/rebuild-all", ', ""))
    assert found(lint(root)) == []


def test_service_token_checked_against_an_env_secret_is_not_an_identity(tmp_path: Path) -> None:
    from tests.check.fixtures import copy_fixture, found, lint

    root = copy_fixture("auth-allow-list", tmp_path)
    index = root / "orders" / "src" / "index.ts"
    index.write_text(index.read_text().replace('"/orders/rebuild-all", ', ""))
    assert found(lint(root)) == []
    # a token only tested for presence proves nothing: anyone can send one
    auth = root / "shared" / "service-auth.ts"
    auth.write_text(auth.read_text().replace("!== c.env.SERVICE_SECRET", "=== undefined"))
    assert ("DW002", "orders/wrangler.toml", 1) in found(lint(root))


def test_env_named_like_the_top_level_is_the_worker_the_binding_reaches(tmp_path: Path) -> None:
    """Deployed only as env.production, which repeats the top-level name: `{ service = "catalog",
    environment = "production" }` reaches env.production, whose workers.dev and preview URLs serve
    what the gateway forwards after its token check (errors: the binding calls the default export).
    A backend that reads and writes an outside database through a var holds state like a D1
    binding; the same code reading only a greeting var exposes nothing."""
    from dualworker_cli.check.model import Severity
    from tests.check.fixtures import copy_fixture, found, lint

    result = lint("env-named-like-top")
    assert found(result) == [
        ("DW012", "catalog/src/index.ts", 17),
        ("DW002", "catalog/wrangler.toml", 5),
        ("DW003", "catalog/wrangler.toml", 5),
    ]
    assert all(f.severity is Severity.ERROR for f in result.findings)
    assert "env.production: workers.dev URL `catalog." in result.findings[0].message
    # private in the env that is deployed: clean
    root = copy_fixture("env-named-like-top", tmp_path / "private")
    config = root / "catalog" / "wrangler.toml"
    config.write_text(
        config.read_text().replace(
            'name = "catalog"\n\n[env.production.vars]',
            'name = "catalog"\nworkers_dev = false\npreview_urls = false\n\n[env.production.vars]',
        )
    )
    assert found(lint(root)) == []
    # nothing behind it: a var that names no database
    root = copy_fixture("env-named-like-top", tmp_path / "stateless")
    for rel in ("catalog/wrangler.toml", "catalog/src/index.ts"):
        path = root / rel
        path.write_text(path.read_text().replace("DATABASE_ENDPOINT", "UPSTREAM_ORIGIN"))
    assert found(lint(root)) == []


def test_front_forwarding_through_a_helper_without_auth_exposes_nothing_more(tmp_path: Path) -> None:
    """A front that hands its binding to a helper (`callUpstream(env.CATALOG, path)`) and checks no
    caller forwards everything to anyone: the backend's workers.dev URL gets around nothing
    (fixture helper-forward-open-front). Once the front answers 401 before the helper, the same URL
    gets around that check: DW012/DW002/DW003."""
    assert found(lint("helper-forward-open-front")) == []
    root = tmp_path / "checked"
    shutil.copytree(fixture("helper-forward-open-front"), root)
    index = root / "router" / "src" / "index.ts"
    old = "    const url = new URL(request.url);\n"
    assert old in index.read_text()
    index.write_text(
        index.read_text().replace(
            old,
            old
            + '    if (!request.headers.has("Authorization")) return new Response("no", { status: 401 });\n',
        )
    )
    assert sorted(rule for rule, path, _ in found(lint(root)) if path.startswith("catalog/")) == [
        "DW002",
        "DW003",
        "DW012",
    ]


def test_binding_read_through_a_guard_expression_is_a_binding_call(tmp_path: Path) -> None:
    """`const upstream = env && env.CATALOG; upstream.fetch(request)` calls the binding: the front
    (no auth anywhere) forwards everything, so the backend's public URL is no finding; with a 401
    before it, the URL gets around that check."""
    root = tmp_path / "checked"
    shutil.copytree(fixture("helper-forward-open-front"), root)
    index = root / "router" / "src" / "index.ts"
    old = "    return callUpstream(env.CATALOG, url.pathname + url.search);\n"
    assert old in index.read_text()
    guarded = "    const upstream = env && env.CATALOG;\n    return upstream.fetch(request);\n"
    index.write_text(index.read_text().replace(old, guarded))
    assert found(lint(root)) == []
    index.write_text(
        index.read_text().replace(
            guarded,
            '    if (!request.headers.has("Authorization")) return new Response("no", { status: 401 });\n'
            + guarded,
        )
    )
    assert sorted(rule for rule, path, _ in found(lint(root)) if path.startswith("catalog/")) == [
        "DW002",
        "DW003",
        "DW012",
    ]
