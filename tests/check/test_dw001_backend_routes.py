"""DW001 (backend routes): flagged shapes and their clean variants."""

from __future__ import annotations

from pathlib import Path

from tests.check.helpers import findings_for
from tests.test_check_support import backend, make_project


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
