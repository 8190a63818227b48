"""Every rule fires on a variant of the clean project and stays quiet on the clean one."""

from __future__ import annotations

from pathlib import Path

import pytest

from dualworker_cli.check.analysis import front_analysis
from dualworker_cli.check.rules import CHECKS
from tests.test_check_support import BACKEND_TS, FRONT_TS, backend, front, lint, make_project, rules_of


def findings_for(root: Path, rule: str) -> list:
    return [f for f in lint(root).findings if f.rule == rule]


@pytest.mark.parametrize("rule", [r.id for r in CHECKS])
def test_every_rule_quiet_on_clean_project(tmp_path: Path, rule: str) -> None:
    assert findings_for(make_project(tmp_path), rule) == []


# --- DW001 ---------------------------------------------------------------------------------------


def test_dw001_backend_route(tmp_path: Path) -> None:
    data = backend()
    data["routes"] = [{"pattern": "core.example.com/*", "zone_name": "example.com"}]
    data["env"]["staging"]["route"] = {"pattern": "core.example.com", "custom_domain": True}
    found = findings_for(make_project(tmp_path, backend=data), "DW001")
    assert [f.path for f in found] == ["core/wrangler.jsonc"] * 2
    messages = sorted(f.message for f in found)
    assert "custom domain `core.example.com` (env.staging)" in messages[0]
    assert "route `core.example.com/*` (top level)" in messages[1]


def test_dw001_quiet_for_declared_public_route(tmp_path: Path) -> None:
    data = backend()
    data["routes"] = ["go.example.com/*"]
    settings = (
        '[front]\nconfig = "web/wrangler.jsonc"\n[backend]\nconfig = "core/wrangler.jsonc"\n'
        'public_routes = ["go.example.com/*"]\n'
    )
    assert findings_for(make_project(tmp_path, backend=data, settings=settings), "DW001") == []


# --- DW002 / DW003 -------------------------------------------------------------------------------


@pytest.mark.parametrize(("rule", "key"), [("DW002", "workers_dev"), ("DW003", "preview_urls")])
def test_dw002_dw003_missing_or_true(tmp_path: Path, rule: str, key: str) -> None:
    data = backend()
    if key == "preview_urls":  # a Worker with Durable Objects gets no preview URLs at all
        data.pop("durable_objects"), data["env"]["staging"].pop("durable_objects")
    del data[key]
    data["env"]["staging"][key] = True
    found = findings_for(make_project(tmp_path, backend=data), rule)
    # Wrangler >= 4.44: an unset preview_urls follows workers_dev (false here), so only env.staging
    assert [f.message.split(":")[1].split()[0] for f in found] == (
        ["`workers_dev`", "env.staging"] if key == "workers_dev" else ["env.staging"]
    )
    assert all(f.fix is not None for f in found)


# --- DW004 ---------------------------------------------------------------------------------------


def test_dw004_env_without_binding(tmp_path: Path) -> None:
    data = front()
    del data["env"]["staging"]["services"]
    found = findings_for(make_project(tmp_path, front=data), "DW004")
    assert len(found) == 1
    assert "not inherited" in found[0].message
    assert found[0].fix is not None
    assert found[0].fix.value == {
        "binding": "BACKEND_SERVICE",
        "service": "shop-core-staging",
        "entrypoint": "InternalApi",
    }


def test_dw004_env_points_to_other_env_worker(tmp_path: Path) -> None:
    data = front()
    data["env"]["staging"]["services"][0]["service"] = "shop-core"
    found = findings_for(make_project(tmp_path, front=data), "DW004")
    assert len(found) == 1
    assert "expected `shop-core-staging`" in found[0].message


def test_dw004_no_binding_at_all_with_settings(tmp_path: Path) -> None:
    data = front()
    data["services"] = [{"binding": "OTHER", "service": "shop-core"}]
    settings = '[front]\nconfig = "web/wrangler.jsonc"\n[backend]\nconfig = "core/wrangler.jsonc"\n'
    settings += 'binding = "BACKEND_SERVICE"\n'
    found = findings_for(make_project(tmp_path, front=data, settings=settings), "DW004")
    assert any("has no `BACKEND_SERVICE` service binding" in f.message for f in found)


def test_dw004_unknown_worker(tmp_path: Path) -> None:
    data = front()
    data["services"][0]["service"] = "shop-core-typo"
    settings = '[front]\nconfig = "web/wrangler.jsonc"\n[backend]\nconfig = "core/wrangler.jsonc"\n'
    found = findings_for(make_project(tmp_path, front=data, settings=settings), "DW004")
    assert any("no config in this project defines" in f.message for f in found)


# --- DW005 ---------------------------------------------------------------------------------------


def test_dw005_route_without_auth(tmp_path: Path) -> None:
    files = dict(FRONT_TS)
    files["src/app.ts"] = files["src/app.ts"].replace('app.use("/api/internal/*", authMiddleware);\n', "")
    found = findings_for(make_project(tmp_path, front_ts=files), "DW005")
    assert [(f.path, f.line) for f in found] == [("web/src/app.ts", 8)]
    assert "ALL /api/internal/*" in found[0].message


def test_dw005_use_after_route_does_not_protect(tmp_path: Path) -> None:
    files = dict(FRONT_TS)
    files["src/app.ts"] = files["src/app.ts"].replace(
        'app.use("/api/internal/*", authMiddleware);\napp.all("/api/internal/*", proxy);\n',
        'app.all("/api/internal/*", proxy);\napp.use("/api/internal/*", authMiddleware);\n',
    )
    assert len(findings_for(make_project(tmp_path, front_ts=files), "DW005")) == 1


def test_dw005_use_on_narrower_path_does_not_cover(tmp_path: Path) -> None:
    files = dict(FRONT_TS)
    files["src/app.ts"] = files["src/app.ts"].replace(
        'app.use("/api/internal/*", authMiddleware);', 'app.use("/api/internal/admin/*", authMiddleware);'
    )
    assert len(findings_for(make_project(tmp_path, front_ts=files), "DW005")) == 1


def test_dw005_sub_app_mounted_behind_parent_use(tmp_path: Path) -> None:
    """app.use("/api/*", requireSession) then app.route("/api/internal", internal): covered."""
    files = dict(FRONT_TS)
    files["src/app.ts"] = """import { Hono } from "hono";
import { requireSession } from "./auth";
import internal from "./internal";

export const app = new Hono();
app.use("/api/*", requireSession);
app.route("/api/internal", internal);
"""
    files["src/internal.ts"] = """import { Hono } from "hono";
import { proxy } from "./proxy";
const internal = new Hono();
internal.all("/*", proxy);
export default internal;
"""
    files["src/auth.ts"] = files["src/auth.ts"].replace("authMiddleware", "requireSession")
    root = make_project(tmp_path, front_ts=files)
    result = lint(root)
    analysis = front_analysis(result.project, result.project.pairs[0])
    assert [(r.full_path, r.protected) for r in analysis.routes] == [("/api/internal/*", True)]
    assert "DW005" not in rules_of(result)
    # mounted before the middleware: not covered
    files["src/app.ts"] = files["src/app.ts"].replace(
        'app.use("/api/*", requireSession);\napp.route("/api/internal", internal);',
        'app.route("/api/internal", internal);\napp.use("/api/*", requireSession);',
    )
    other = make_project(tmp_path / "other", front_ts=files)
    assert rules_of(lint(other)).count("DW005") == 1


# --- DW006 ---------------------------------------------------------------------------------------


def test_dw006_spread_of_client_headers(tmp_path: Path) -> None:
    files = dict(FRONT_TS)
    files["src/proxy.ts"] = """export async function proxy(c) {
  const req = new Request(c.req.raw, { headers: { ...c.req.header(), "X-User-Id": c.get("userId") } });
  return c.env.BACKEND_SERVICE.fetch(req);
}
"""
    found = findings_for(make_project(tmp_path, front_ts=files), "DW006")
    assert [(f.path, f.line) for f in found] == [("web/src/proxy.ts", 2)]
    assert "lower-case" in found[0].message


def test_dw006_raw_request_forwarded_without_delete(tmp_path: Path) -> None:
    files = dict(FRONT_TS)
    files["src/proxy.ts"] = """export async function proxy(c) {
  const backend = c.env.BACKEND_SERVICE;
  return backend.fetch(c.req.raw);
}
"""
    found = findings_for(make_project(tmp_path, front_ts=files), "DW006")
    assert len(found) == 1
    assert "without deleting" in found[0].message


def test_dw006_quiet_with_header_list_loop(tmp_path: Path) -> None:
    files = dict(FRONT_TS)
    files["src/proxy.ts"] = """const INTERNAL = ["x-user-id", "x-internal-token"] as const;

export async function proxy(c) {
  const headers = new Headers(c.req.raw.headers);
  for (const name of INTERNAL) headers.delete(name);
  headers.append("x-user-id", c.get("userId"));
  return c.env.BACKEND_SERVICE.fetch(new Request(c.req.raw, { headers }));
}
"""
    assert findings_for(make_project(tmp_path, front_ts=files), "DW006") == []


# --- DW007 ---------------------------------------------------------------------------------------


def test_dw007_secret_name_and_random_value(tmp_path: Path) -> None:
    data = front()
    data["vars"]["JWT_SECRET"] = "dev"
    data["env"]["staging"]["vars"] = {"SIGNATURE": "q8Zr2LbX0vTn4Kp9Wm7Ys3Hd6Fj1Ga5C"}
    found = findings_for(make_project(tmp_path, front=data), "DW007")
    assert len(found) == 2
    assert "name looks like a secret" in found[0].message
    assert "random key" in found[1].message


# --- DW008 ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [None, ["/app/*"], ["/api/*", "!/api/internal/*"]])
def test_dw008_asset_file_under_a_forwarded_path(tmp_path: Path, value: object) -> None:
    """A file in the assets directory under a path the front forwards is served without its auth."""
    data = front()
    if value is None:
        del data["assets"]["run_worker_first"]
    else:
        data["assets"]["run_worker_first"] = value
    root = make_project(tmp_path, front=data)
    if value is None or "!/api/internal/*" not in value:
        assert findings_for(root, "DW008") == []  # no such file, no fallback: requests reach the Worker
    export = root / "web" / "public" / "api" / "internal" / "export.json"
    export.parent.mkdir(parents=True)
    export.write_text("{}")
    [finding] = [f for f in findings_for(root, "DW008") if f.severity.label == "error"]
    assert "`web/public/api/internal/export.json` is served under `/api/internal/*`" in finding.message


def test_dw008_excluded_forwarded_path_never_reaches_the_worker(tmp_path: Path) -> None:
    data = front()
    data["assets"]["run_worker_first"] = ["/api/*", "!/api/internal/*"]
    [finding] = findings_for(make_project(tmp_path, front=data), "DW008")
    assert finding.severity.label == "warning" and "is excluded (`!`)" in finding.message


def test_dw008_quiet_with_true(tmp_path: Path) -> None:
    data = front()
    data["assets"]["run_worker_first"] = True
    assert findings_for(make_project(tmp_path, front=data), "DW008") == []


# --- DW009 ---------------------------------------------------------------------------------------


def test_dw009_queue_wiring(tmp_path: Path) -> None:
    back = backend()
    del back["queues"]["consumers"][0]["dead_letter_queue"]
    back["queues"]["consumers"].append({"queue": "orphans", "dead_letter_queue": "orphans-dlq"})
    data = front()
    data["queues"]["producers"].append({"binding": "AUDIT", "queue": "audit"})
    messages = [f.message for f in findings_for(make_project(tmp_path, front=data, backend=back), "DW009")]
    assert len(messages) == 3
    assert any("has no `dead_letter_queue`" in m for m in messages)
    assert any("produces to `audit`" in m for m in messages)
    assert any("consumes `orphans`" in m for m in messages)


# --- DW010 ---------------------------------------------------------------------------------------


def test_dw010_unexported_class_and_missing_migration(tmp_path: Path) -> None:
    back = backend()
    back["durable_objects"]["bindings"].append({"name": "COUNTERS", "class_name": "Counter"})
    files = dict(BACKEND_TS)
    files["src/index.ts"] = files["src/index.ts"].replace(
        'export { ReportWorkflow } from "./workflow";\n', ""
    )
    messages = [
        f.message for f in findings_for(make_project(tmp_path, backend=back, backend_ts=files), "DW010")
    ]
    assert sorted(messages) == sorted(
        [
            "Durable Object class `Counter` is bound (top level) but `src/index.ts` does not export it",
            "Durable Object class `Counter` has no migration (`new_sqlite_classes`)",
            "Workflow class `ReportWorkflow` is bound (top level) but `src/index.ts` does not export it",
        ]
    )


# --- DW011 ---------------------------------------------------------------------------------------


def test_dw011_websocket_without_origin(tmp_path: Path) -> None:
    files = dict(FRONT_TS)
    files["src/app.ts"] = files["src/app.ts"].replace(
        """  const origin = c.req.header("Origin");
  if (origin !== c.env.ALLOWED_ORIGINS) return c.text("forbidden", 403);
""",
        "",
    )
    found = findings_for(make_project(tmp_path, front_ts=files), "DW011")
    assert [(f.path, f.line) for f in found] == [("web/src/app.ts", 10)]


# --- DW012 ---------------------------------------------------------------------------------------


def test_dw012_default_export_of_reachable_backend(tmp_path: Path) -> None:
    data = front()
    del data["services"][0]["entrypoint"]
    back = backend()
    back["routes"] = ["go.example.com/*"]
    found = findings_for(make_project(tmp_path, front=data, backend=back), "DW012")
    assert len(found) == 1
    assert "route `go.example.com/*`" in found[0].message


def test_dw012_entrypoint_not_exported(tmp_path: Path) -> None:
    data = front()
    data["services"][0]["entrypoint"] = "Internal"
    found = findings_for(make_project(tmp_path, front=data), "DW012")
    assert len(found) == 1
    assert "does not export it" in found[0].message


def test_dw012_quiet_without_entrypoint_when_private(tmp_path: Path) -> None:
    data = front()
    del data["services"][0]["entrypoint"]
    assert findings_for(make_project(tmp_path, front=data), "DW012") == []


# --- DW013 ---------------------------------------------------------------------------------------


def test_dw013_dates(tmp_path: Path) -> None:
    back = backend()
    back["compatibility_date"] = "2024-01-01"
    found = findings_for(make_project(tmp_path, backend=back), "DW013")
    assert len(found) == 1
    assert "differs" in found[0].message
    del back["compatibility_date"]
    found = findings_for(make_project(tmp_path / "b", backend=back), "DW013")
    assert len(found) == 1
    assert "no `compatibility_date`" in found[0].message


# --- DW005/DW006 outside Hono: a plain module Worker ---------------------------------------------

PLAIN_FETCH = """export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname.startsWith("/api/internal/")) {
      %s
      const headers = new Headers(request.headers);
      headers.set("X-User-Id", userId);
      return env.BACKEND_SERVICE.fetch(new Request(request, { headers }));
    }
    return new Response("not found", { status: 404 });
  },
};
"""


def test_dw005_plain_fetch_handler_without_auth(tmp_path: Path) -> None:
    files = {"src/index.ts": PLAIN_FETCH % 'const userId = url.searchParams.get("user") ?? "";'}
    found = findings_for(make_project(tmp_path, front_ts=files), "DW005")
    assert [(f.path, f.line) for f in found] == [("web/src/index.ts", 8)]
    assert "outside any Hono route" in found[0].message


def test_dw005_plain_fetch_handler_with_auth_call(tmp_path: Path) -> None:
    files = {"src/index.ts": PLAIN_FETCH % "const userId = await verifyToken(request, env);"}
    assert findings_for(make_project(tmp_path, front_ts=files), "DW005") == []


def test_dw006_append_does_not_replace(tmp_path: Path) -> None:
    files = dict(FRONT_TS)
    files["src/proxy.ts"] = FRONT_TS["src/proxy.ts"].replace(
        "  headers.delete(IDENTITY);\n  headers.set(IDENTITY", "  headers.append(IDENTITY"
    )
    assert "headers.append(IDENTITY" in files["src/proxy.ts"]
    assert len(findings_for(make_project(tmp_path, front_ts=files), "DW006")) == 1


def test_dw005_binding_named_in_a_type_only_is_not_a_proxy(tmp_path: Path) -> None:
    files = dict(FRONT_TS)
    files["src/app.ts"] += (
        'app.get("/api/whoami", async (c: Context<{ Bindings: { BACKEND_SERVICE: Fetcher } }>) => '
        "c.json({}));\n"
    )
    assert findings_for(make_project(tmp_path, front_ts=files), "DW005") == []
    files["src/app.ts"] += 'app.get("/api/raw", async (c) => c.env["BACKEND_SERVICE"].fetch(c.req.raw));\n'
    found = findings_for(make_project(tmp_path / "b", front_ts=files), "DW005")
    assert [f.message.split("`")[1] for f in found] == ["GET /api/raw"]


def test_dw005_names_that_switch_auth_off_are_not_auth(tmp_path: Path) -> None:
    files = dict(FRONT_TS)
    files["src/app.ts"] = files["src/app.ts"].replace(
        'app.use("/api/internal/*", authMiddleware);\napp.all("/api/internal/*", proxy);',
        'const skipAuth = async (c, next) => next();\napp.all("/api/internal/*", skipAuth, proxy);',
    )
    found = findings_for(make_project(tmp_path, front_ts=files), "DW005")
    assert [f.message.split("`")[1] for f in found] == ["ALL /api/internal/*"]


def test_dw012_default_export_serves_internal_routes_behind_a_public_route(tmp_path: Path) -> None:
    """The link-redirect case: a declared public route is fine, but the default export (what the
    route reaches) must not serve the internal API, even when the binding uses InternalApi."""
    back = backend()
    back["routes"] = ["go.example.com/*"]
    settings = (
        '[front]\nconfig = "web/wrangler.jsonc"\n[backend]\nconfig = "core/wrangler.jsonc"\n'
        'public_routes = ["go.example.com/*"]\n'
    )
    files = dict(BACKEND_TS)
    files["src/api.ts"] = """import { Hono } from "hono";
export const api = new Hono();
const internal = new Hono();
internal.get("/whoami", (c) => c.text(c.req.header("X-User-Id") ?? ""));
api.get("/go/:slug", (c) => c.redirect("https://example.com"));
api.route("/api/internal", internal);
"""
    files["src/index.ts"] = files["src/index.ts"].replace(
        'export default { fetch: () => new Response("not found", { status: 404 }) };',
        'import { api } from "./api";\nexport default { fetch: api.fetch };',
    )
    root = make_project(tmp_path, backend=back, backend_ts=files, settings=settings)
    found = findings_for(root, "DW012")
    assert [(f.path, f.line) for f in found] == [("core/src/index.ts", 12)]
    assert "GET /api/internal/whoami" in found[0].message and "route `go.example.com/*`" in found[0].message
    # the same default export on a private backend: nothing to flag
    back_private = backend()
    assert (
        findings_for(make_project(tmp_path / "private", backend=back_private, backend_ts=files), "DW012")
        == []
    )


GUARDED_PROXY = """const STRIPPED = [%s];

export async function proxy(c) {
  const headers = new Headers(c.req.raw.headers);
  for (const name of [...headers.keys()]) {
    if (STRIPPED.includes(name)) {
      headers.delete(name);
    }
  }
  headers.append("X-User-Id", c.get("userId"));
  return c.env.BACKEND_SERVICE.fetch(new Request(c.req.raw, { headers }));
}
"""


def test_dw006_delete_guarded_by_a_list_of_internal_headers(tmp_path: Path) -> None:
    files = dict(FRONT_TS)
    files["src/proxy.ts"] = GUARDED_PROXY % '"x-user-id", "cookie"'
    assert findings_for(make_project(tmp_path, front_ts=files), "DW006") == []
    files["src/proxy.ts"] = GUARDED_PROXY % '"cookie"'
    assert len(findings_for(make_project(tmp_path / "b", front_ts=files), "DW006")) == 1


def test_dw005_routes_registered_by_a_function_taking_the_app(tmp_path: Path) -> None:
    """`app.use("/api/*", auth)` then `registerInternal(app)` defined in another module: covered;
    registered before the `use`: not covered."""
    files = dict(FRONT_TS)
    files["src/internal.ts"] = """import { proxy } from "./proxy";
export function registerInternal(router) {
  router.all("/api/internal/*", proxy);
}
"""
    files["src/app.ts"] = """import { Hono } from "hono";
import { authMiddleware } from "./auth";
import { registerInternal } from "./internal";
export const app = new Hono();
app.get("/api/health", (c) => c.json({ ok: true }));
app.use("/api/*", authMiddleware);
registerInternal(app);
"""
    assert findings_for(make_project(tmp_path, front_ts=files), "DW005") == []
    files["src/app.ts"] = files["src/app.ts"].replace(
        'app.use("/api/*", authMiddleware);\nregisterInternal(app);',
        'registerInternal(app);\napp.use("/api/*", authMiddleware);',
    )
    found = findings_for(make_project(tmp_path / "b", front_ts=files), "DW005")
    assert [(f.path, f.line) for f in found] == [("web/src/internal.ts", 3)]


def test_dw006_plain_worker_forwarding_the_incoming_request(tmp_path: Path) -> None:
    files = {
        "src/index.ts": """export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    if (!(await verifyToken(request, env))) return new Response("unauthorized", { status: 401 });
    return env.BACKEND_SERVICE.fetch(request);
  },
};
"""
    }
    found = findings_for(make_project(tmp_path, front_ts=files), "DW006")
    assert [(f.path, f.line) for f in found] == [("web/src/index.ts", 4)]
    assert findings_for(make_project(tmp_path, front_ts=files), "DW005") == []


PLAIN_WS = """export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const userId = await verifyToken(request, env);
    if (request.headers.get("Upgrade") === "websocket") {
      %s
      const headers = new Headers(request.headers);
      headers.set("X-User-Id", userId);
      return env.BACKEND_SERVICE.fetch(new Request(request, { headers }));
    }
    return new Response("not found", { status: 404 });
  },
};
"""


def test_dw011_plain_worker_websocket(tmp_path: Path) -> None:
    files = {"src/index.ts": PLAIN_WS % ""}
    found = findings_for(make_project(tmp_path, front_ts=files), "DW011")
    assert [(f.path, f.line) for f in found] == [("web/src/index.ts", 8)]
    checked = (
        'if (request.headers.get("Origin") !== env.APP_ORIGIN) return new Response(null, { status: 403 });'
    )
    files = {"src/index.ts": PLAIN_WS % checked}
    assert findings_for(make_project(tmp_path / "b", front_ts=files), "DW011") == []
