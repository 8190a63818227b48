"""Helpers for the `dualworker check` tests: a small clean hand-written project to mutate.

The project deliberately uses other folder names (web/, core/), a TOML-free JSONC pair, auth
through `app.use`, and a proxy defined in another module than the routes, so the rules are
exercised on more than the generated layout.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from dualworker_cli.check.analysis import front_analysis
from dualworker_cli.check.engine import Result, run

FRONT: dict[str, Any] = {
    "name": "shop-web",
    "main": "src/index.ts",
    "compatibility_date": "2026-11-01",
    "assets": {"directory": "./public", "run_worker_first": ["/api/*"]},
    "services": [{"binding": "BACKEND_SERVICE", "service": "shop-core", "entrypoint": "InternalApi"}],
    "queues": {"producers": [{"binding": "JOBS", "queue": "jobs"}]},
    "vars": {"JWT_ISSUER": "shop", "ALLOWED_ORIGINS": "https://shop.example"},
    "env": {
        "staging": {
            "services": [
                {"binding": "BACKEND_SERVICE", "service": "shop-core-staging", "entrypoint": "InternalApi"}
            ],
            "queues": {"producers": [{"binding": "JOBS", "queue": "jobs-staging"}]},
        }
    },
}

BACKEND: dict[str, Any] = {
    "name": "shop-core",
    "main": "src/index.ts",
    "compatibility_date": "2026-11-01",
    "workers_dev": False,
    "preview_urls": False,
    "durable_objects": {"bindings": [{"name": "ROOMS", "class_name": "Room"}]},
    "migrations": [{"tag": "v1", "new_sqlite_classes": ["Room"]}],
    "workflows": [{"binding": "REPORTS", "name": "reports", "class_name": "ReportWorkflow"}],
    "queues": {"consumers": [{"queue": "jobs", "dead_letter_queue": "jobs-dlq"}]},
    "env": {
        "staging": {
            "durable_objects": {"bindings": [{"name": "ROOMS", "class_name": "Room"}]},
            "queues": {"consumers": [{"queue": "jobs-staging", "dead_letter_queue": "jobs-dlq-staging"}]},
        }
    },
}

FRONT_TS: dict[str, str] = {
    "src/index.ts": 'import { app } from "./app";\n\nexport default { fetch: app.fetch };\n',
    "src/app.ts": """import { Hono } from "hono";
import { authMiddleware } from "./auth";
import { proxy } from "./proxy";

export const app = new Hono();

app.get("/api/health", (c) => c.json({ ok: true }));
app.use("/api/internal/*", authMiddleware);
app.all("/api/internal/*", proxy);
app.get("/api/ws/:room", authMiddleware, async (c) => {
  const origin = c.req.header("Origin");
  if (origin !== c.env.ALLOWED_ORIGINS) return c.text("forbidden", 403);
  if (c.req.header("Upgrade") !== "websocket") return c.text("expected a websocket", 426);
  return proxy(c);
});
""",
    "src/auth.ts": """import type { MiddlewareHandler } from "hono";

export const authMiddleware: MiddlewareHandler = async (c, next) => {
  const token = c.req.header("Authorization");
  if (!token) return c.json({ error: "unauthorized" }, 401);
  c.set("userId", token.slice(7));
  await next();
};
""",
    "src/proxy.ts": """const IDENTITY = "X-User-Id";

export async function proxy(c) {
  const headers = new Headers(c.req.raw.headers);
  headers.delete(IDENTITY);
  headers.set(IDENTITY, c.get("userId"));
  return c.env.BACKEND_SERVICE.fetch(new Request(c.req.raw, { headers }));
}
""",
}

BACKEND_TS: dict[str, str] = {
    "src/index.ts": """import { WorkerEntrypoint } from "cloudflare:workers";
export { Room } from "./room";
export { ReportWorkflow } from "./workflow";

export class InternalApi extends WorkerEntrypoint {
  async fetch(request: Request) {
    return new Response(request.headers.get("X-User-Id"));
  }
}

export default { fetch: () => new Response("not found", { status: 404 }) };
""",
    "src/room.ts": "export class Room {}\n",
    "src/workflow.ts": "export class ReportWorkflow {}\n",
}


def write_json(path: Path, data: Any, comment: str = "// written by a test") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"{comment}\n{json.dumps(data, indent=2)}\n", encoding="utf-8")


def make_project(
    root: Path,
    front: dict[str, Any] | None = None,
    backend: dict[str, Any] | None = None,
    front_ts: dict[str, str] | None = None,
    backend_ts: dict[str, str] | None = None,
    settings: str | None = None,
) -> Path:
    """Write the clean project (or a variant) under ``root``/web and ``root``/core."""
    write_json(root / "web" / "wrangler.jsonc", front if front is not None else FRONT)
    write_json(root / "core" / "wrangler.jsonc", backend if backend is not None else BACKEND)
    for folder, files in (("web", front_ts or FRONT_TS), ("core", backend_ts or BACKEND_TS)):
        for rel, text in files.items():
            target = root / folder / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
    if settings is not None:
        (root / "dualworker.toml").write_text(settings, encoding="utf-8")
    return root


def front() -> dict[str, Any]:
    return copy.deepcopy(FRONT)


def backend() -> dict[str, Any]:
    return copy.deepcopy(BACKEND)


def rules_of(result: Result) -> list[str]:
    return [f.rule for f in result.findings]


def lint(root: Path, **kwargs: Any) -> Result:
    return run(root, **kwargs)


def test_clean_project_has_no_findings(tmp_path: Path) -> None:
    result = lint(make_project(tmp_path))
    assert [(f.rule, f.path, f.line, f.message) for f in result.findings] == []
    assert [p.binding for p in result.project.pairs] == ["BACKEND_SERVICE"]
    assert result.project.pairs[0].front.config.rel == "web/wrangler.jsonc"


def test_clean_project_routes_are_really_analysed(tmp_path: Path) -> None:
    """Zero findings must not come from analysing nothing: both proxy routes are seen, protected."""
    result = lint(make_project(tmp_path))
    analysis = front_analysis(result.project, result.project.pairs[0])
    seen = {(r.registration.method, r.full_path, r.protected) for r in analysis.routes}
    assert seen == {("all", "/api/internal/*", True), ("get", "/api/ws/:room", True)}
    assert len(analysis.proxy_calls) == 1
