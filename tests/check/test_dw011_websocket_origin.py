"""DW011 on hand-written fronts: only a signed-in client's request, forwarded, carries an upgrade."""

from __future__ import annotations

import shutil
from pathlib import Path

from dualworker_cli.check.engine import run
from tests.check.fixtures import FIXTURES, copy_fixture, found
from tests.check.helpers import findings_for
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
