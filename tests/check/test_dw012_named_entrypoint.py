"""DW012 (named entrypoint): flagged shapes and their clean variants."""

from __future__ import annotations

from pathlib import Path

from tests.check.helpers import findings_for
from tests.test_check_support import BACKEND_TS, backend, front, lint, make_project


def test_dw012_chained_hono_default_export_of_a_public_backend(tmp_path: Path) -> None:
    """The backend's `export default new Hono().get("/api/internal/...")` was not seen as routes."""
    from tests.test_check_support import BACKEND_TS, backend

    data = backend()
    data["routes"] = ["go.example.com/*"]
    index = BACKEND_TS["src/index.ts"].replace(
        'export default { fetch: () => new Response("not found", { status: 404 }) };',
        'export default new Hono().basePath("/api").get("/internal/notes", (c) => c.json([]));',
    )
    root = make_project(
        tmp_path,
        backend=data,
        backend_ts={**BACKEND_TS, "src/index.ts": 'import { Hono } from "hono";\n' + index},
    )
    found = [f for f in lint(root).findings if f.rule == "DW012"]
    assert [(f.path, f.line) for f in found] == [("core/src/index.ts", 12)]
    assert "GET /api/internal/notes" in found[0].message


def test_dw012_default_export_reported_once_for_two_bindings(tmp_path: Path) -> None:
    from tests.test_check_support import BACKEND_TS, backend, front

    data = front()
    data["services"].append({"binding": "RPC", "service": "shop-core", "entrypoint": "InternalApi"})
    data["env"]["staging"]["services"].append(
        {"binding": "RPC", "service": "shop-core-staging", "entrypoint": "InternalApi"}
    )
    back = backend()
    back["routes"] = ["go.example.com/*"]
    index = BACKEND_TS["src/index.ts"].replace(
        'export default { fetch: () => new Response("not found", { status: 404 }) };',
        'export default new Hono().get("/api/internal/notes", (c) => c.json([]));',
    )
    backend_ts = {**BACKEND_TS, "src/index.ts": 'import { Hono } from "hono";\n' + index}
    root = make_project(tmp_path, front=data, backend=back, backend_ts=backend_ts)
    found = [(f.path, f.line) for f in lint(root).findings if f.rule == "DW012"]
    assert found == [("core/src/index.ts", 12)]


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
