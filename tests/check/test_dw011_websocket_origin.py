"""DW011 on hand-written fronts: only a signed-in client's request, forwarded, carries an upgrade."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from dualworker_cli.check.engine import run
from tests.check.fixtures import FIXTURES, copy_fixture, found
from tests.check.helpers import findings_for, write_tree
from tests.test_check_support import FRONT_TS, make_project


def test_fixed_requests_from_background_code_forward_no_upgrade() -> None:
    """The backend accepts upgrades everywhere; the alarm's and cron's fixed-URL calls pass none on."""
    assert found(run(FIXTURES / "background-binding-calls")) == []


def test_forwarding_the_signed_in_request_without_origin_check(tmp_path: Path) -> None:
    root = copy_fixture("background-binding-calls", tmp_path)
    index = root / "web" / "src" / "index.ts"
    lines = [line for line in index.read_text().splitlines() if '"Origin"' not in line]
    index.write_text("\n".join(lines) + "\n")
    result = run(root)
    assert found(result) == [("DW011", "web/src/index.ts", 22)]


def test_route_without_any_auth_is_dw005s_not_dw011s(tmp_path: Path) -> None:
    """No session to ride on: cross-site WebSocket hijacking needs one. (With no auth anywhere in
    the front and no identity header the backend trusts, the gateway is a public app by design, so
    DW005 stays quiet too: see tests/check/test_dw005_route_auth.py.)"""
    root = tmp_path / "project"
    shutil.copytree(FIXTURES / "ws-proxy-public-backend", root)
    gateway = root / "gateway" / "src" / "index.ts"
    text = gateway.read_text()
    start, end = text.index('app.use("*"'), text.index("// live score")
    gateway.write_text(text[:start] + text[end:].replace('c.get("uid")', '"guest"'))
    rules = sorted({f.rule for f in run(root).findings})
    assert "DW011" not in rules and "DW005" not in rules


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


def test_dw011_plain_worker_websocket(tmp_path: Path) -> None:
    files = {"src/index.ts": PLAIN_WS % ""}
    found = findings_for(make_project(tmp_path, front_ts=files), "DW011")
    assert [(f.path, f.line) for f in found] == [("web/src/index.ts", 8)]
    checked = (
        'if (request.headers.get("Origin") !== env.APP_ORIGIN) return new Response(null, { status: 403 });'
    )
    files = {"src/index.ts": PLAIN_WS % checked}
    assert findings_for(make_project(tmp_path / "b", front_ts=files), "DW011") == []


def _door(root: Path, origin_check: str, dispatch: str) -> Path:
    """Kwapso/kwapso_cpaa's doors: a plain-fetch gateway with no auth of its own forwards the
    client's request (cookie and upgrade included) to a realtime Worker that checks the session
    cookie on the handshake; ``origin_check`` runs first, ``dispatch`` forwards."""
    files = {
        "gw/wrangler.jsonc": '{"name": "gw", "main": "src/index.ts", "compatibility_date": "2026-11-01", '
        '"services": [{"binding": "REALTIME", "service": "rt"}, {"binding": "API", "service": "api"}]}',
        "gw/src/index.ts": "type Env = { REALTIME: Fetcher; API: Fetcher };\n"
        'const DOORS: Record<string, "REALTIME" | "API"> = {\n'
        '  "GET /api/realtime": "REALTIME",\n  "GET /api/items": "API",\n};\n'
        "function refuseForeignOrigin(request: Request): Response | null {\n"
        + origin_check
        + '  const origin = request.headers.get("Origin");\n'
        "  if (origin === null || origin === new URL(request.url).origin) return null;\n"
        '  return new Response("foreign", { status: 403 });\n}\n'
        "export default {\n  async fetch(request: Request, env: Env) {\n"
        "    const foreign = refuseForeignOrigin(request);\n    if (foreign) return foreign;\n"
        "    const { pathname } = new URL(request.url);\n"
        + dispatch
        + '    return new Response("not found", { status: 404 });\n  },\n};\n',
        "rt/wrangler.jsonc": json.dumps(
            {"name": "rt", "main": "src/index.ts", "compatibility_date": "2026-11-01", "workers_dev": False}
            | {"durable_objects": {"bindings": [{"name": "CHANNEL", "class_name": "Channel"}]}}
            | {"migrations": [{"tag": "v1", "new_sqlite_classes": ["Channel"]}]}
        ),
        "rt/src/index.ts": 'import { DurableObject } from "cloudflare:workers";\n'
        "export class Channel extends DurableObject {\n"
        "  async fetch() {\n    const [client, server] = Object.values(new WebSocketPair());\n"
        "    this.ctx.acceptWebSocket(server);\n"
        "    return new Response(null, { status: 101, webSocket: client });\n"
        "  }\n}\n"
        "export default {\n  async fetch(request: Request, env: { CHANNEL: DurableObjectNamespace }) {\n"
        '    const session = /session=([^;]+)/.exec(request.headers.get("Cookie") ?? "")?.[1];\n'
        '    if (!session) return new Response("unauthorized", { status: 401 });\n'
        '    if (request.headers.get("Upgrade") !== "websocket") return new Response("", { status: 426 });\n'
        "    return env.CHANNEL.get(env.CHANNEL.idFromName(session)).fetch(request);\n  },\n};\n",
        "api/wrangler.jsonc": '{"name": "api", "main": "src/index.ts", "compatibility_date": "2026-11-01", '
        '"workers_dev": false}',
        "api/src/index.ts": "export default { fetch: () => Response.json([]) };\n",
    }
    return write_tree(root, files)


SKIPS_GET = '  if (request.method === "GET" || request.method === "HEAD") return null;\n'
DIRECT = '    if (pathname.startsWith("/api/realtime")) return env.REALTIME.fetch(request);\n'
BY_TABLE = (
    "    const upstream = DOORS[`${request.method} ${pathname}`];\n"
    "    if (upstream) return env[upstream].fetch(request);\n"
)


def test_origin_check_that_lets_every_get_through_does_not_cover_the_upgrade(tmp_path: Path) -> None:
    """The handshake is a GET; the backend checks the cookie the forwarded request carries."""
    assert [
        (f.rule, f.path) for f in run(_door(tmp_path, SKIPS_GET, DIRECT)).findings if f.rule == "DW011"
    ] == [("DW011", "gw/src/index.ts")]


def test_origin_check_on_every_method_covers_the_upgrade(tmp_path: Path) -> None:
    assert [f for f in run(_door(tmp_path, "", DIRECT)).findings if f.rule == "DW011"] == []


def test_binding_picked_from_a_dispatch_table_is_called(tmp_path: Path) -> None:
    """`env[DOORS[key]].fetch(request)` reaches every binding the table names."""
    result = run(_door(tmp_path, SKIPS_GET, BY_TABLE))
    assert [(f.rule, f.path, f.line) for f in result.findings if f.rule == "DW011"] == [
        ("DW011", "gw/src/index.ts", 18)
    ]
