"""DW003: an unset `preview_urls` resolved by the Wrangler release that deploys the backend.

workers-sdk's packages/wrangler/CHANGELOG.md: before 3.91.0 preview URLs follow `workers_dev` (no
setting); 3.91.0 (#7227) adds `preview_urls`, default true and independent of routes; 4.34.0 (#10478)
defaults it to false; since 4.44.0 (#10939) an unset value follows the resolved `workers_dev`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.test_check_support import backend, lint, make_project


def _backend(**keys: Any) -> dict[str, Any]:
    """The clean backend without Durable Objects (which never get preview URLs), `workers_dev` and
    `preview_urls`, plus ``keys``."""
    back = backend()
    back.pop("durable_objects"), back.pop("migrations"), back.pop("preview_urls"), back.pop("workers_dev")
    back["env"]["staging"].pop("durable_objects")
    back.update(keys)
    return back


def _dw003(root: Path) -> list[str]:
    return [f.message for f in lint(root).findings if f.rule == "DW003"]


def _project(tmp_path: Path, spec: str, lock: str | None = None, **keys: Any) -> Path:
    root = make_project(tmp_path, backend=_backend(**keys))
    (root / "package.json").write_text(json.dumps({"devDependencies": {"wrangler": spec}}))
    if lock is not None:
        packages = {"": {}, "node_modules/wrangler": {"version": lock}}
        (root / "package-lock.json").write_text(json.dumps({"lockfileVersion": 3, "packages": packages}))
    return root


ROUTES = {"routes": [{"pattern": "core.example.com", "custom_domain": True}]}


@pytest.mark.parametrize(
    ("spec", "lock", "keys", "flagged"),
    [
        # before 3.91: no setting, preview URLs follow workers_dev (routes turn both off)
        ("3.75.0", None, {"workers_dev": False}, None),
        ("~3.75.0", None, ROUTES, None),
        ("3.75.0", None, {}, "has no `preview_urls` setting: preview URLs follow `workers_dev`"),
        # 3.91-4.33: on whatever workers_dev or routes say
        ("^3.99.0", None, {"workers_dev": False}, "defaults `preview_urls` to true whatever"),
        ("^3.75.0", None, ROUTES, "wrangler 3.114 (what a fresh install of `^3.75.0` gets)"),
        ("^4.0.0", "4.20.3", {"workers_dev": False}, "wrangler 4.20 (the lockfile's, for `^4.0.0`)"),
        # 4.34-4.43: off
        ("^4.0.0", "4.36.0", {}, None),
        ("4.40.1", None, {}, None),
        # since 4.44 (and a fresh install of ^4): follows workers_dev
        ("^4.0.0", None, {"workers_dev": False}, None),
        ("^4.0.0", "4.45.0", ROUTES, None),
        ("^4.0.0", None, {}, "an unset `preview_urls` follows `workers_dev`"),
    ],
)
def test_unset_preview_urls_by_wrangler_release(
    tmp_path: Path, spec: str, lock: str | None, keys: dict[str, Any], flagged: str | None
) -> None:
    messages = _dw003(_project(tmp_path, spec, lock, **keys))
    if flagged is None:
        assert messages == []
    else:
        [message] = messages
        assert flagged in message, message


_PNPM_LOCK = """lockfileVersion: '9.0'

importers:

  .:
    devDependencies:
      wrangler:
        specifier: ^3.100.0
        version: 3.114.7

  {rel}:
    devDependencies:
      wrangler:
        specifier: ^4.10.0
        version: 4.13.2(@cloudflare/workers-types@4.20250430.0)

packages:

  wrangler@3.114.7:
    resolution: {{integrity: sha512-a}}

  wrangler@4.13.2:
    resolution: {{integrity: sha512-b}}

  wrangler@4.14.1:
    resolution: {{integrity: sha512-c}}
"""


def test_pnpm_workspace_package_gets_its_own_locked_release(tmp_path: Path) -> None:
    """A pnpm lockfile installing several Wrangler releases: the backend's package entry under
    `importers:` says which one deploys it (4.13: preview URLs on whatever `workers_dev` says),
    not a fresh install of its `^4.10.0` range (the newest 4.x, where they follow `workers_dev`)."""
    root = make_project(tmp_path, backend=_backend(workers_dev=False))
    backend_dir = next(p.parent for p in root.rglob("wrangler.json*") if '"entrypoint"' not in p.read_text())
    rel = backend_dir.relative_to(root).as_posix()
    (backend_dir / "package.json").write_text(json.dumps({"devDependencies": {"wrangler": "^4.10.0"}}))
    (root / "pnpm-lock.yaml").write_text(_PNPM_LOCK.format(rel=rel))
    [message] = _dw003(root)
    assert "wrangler 4.13 (the lockfile's, for `^4.10.0`)" in message, message
