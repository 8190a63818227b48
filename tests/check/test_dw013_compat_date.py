"""DW013 (compat date): flagged shapes and their clean variants."""

from __future__ import annotations

import shutil
from pathlib import Path

from dualworker_cli.check.engine import run
from tests.check.fixtures import fixture, found, lint
from tests.check.helpers import PLAIN_BACKEND, findings_for, two_workers
from tests.test_check_support import backend, make_project


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


def test_dw013_pages_project_without_date_is_not_flagged(tmp_path: Path) -> None:
    front = {
        "name": "site",
        "pages_build_output_dir": "dist",
        "services": [{"binding": "API", "service": "api"}],
    }
    findings = [f for f in run(two_workers(tmp_path, front, PLAIN_BACKEND)).findings if f.rule == "DW013"]
    assert findings == []


def test_dw013_worker_without_date_is_flagged(tmp_path: Path) -> None:
    front = {"name": "site", "main": "src/index.ts", "services": [{"binding": "API", "service": "api"}]}
    findings = [f for f in run(two_workers(tmp_path, front, PLAIN_BACKEND)).findings if f.rule == "DW013"]
    assert [(f.path, "no `compatibility_date`" in f.message) for f in findings] == [
        ("gateway/wrangler.json", True)
    ]


def test_dw013_pages_front_without_main_is_not_compared(tmp_path: Path) -> None:
    """A Pages project (no `main`, a `functions/` folder: what `wrangler pages dev` reads) dates its
    Functions by its Pages deployment: its date is not compared with the Worker it calls (fixture
    pages-functions-front)."""
    assert [f for f in found(lint("pages-functions-front")) if f[0] == "DW013"] == []
    # the same config with an entry of its own is a Worker: dates compared again
    root = tmp_path / "worker-front"
    shutil.copytree(fixture("pages-functions-front"), root)
    _give_an_entry(root)
    assert ("DW013", "frontend/wrangler.toml", 4) in found(lint(root))


def _give_an_entry(root: Path) -> None:
    """Make the fixture's Pages front a Worker: `main` and the module it names."""
    config = root / "frontend" / "wrangler.toml"
    config.write_text(
        config.read_text().replace('name = "notes-pages"', 'name = "notes-pages"\nmain = "src/index.js"')
    )
    (root / "frontend" / "src").mkdir()
    (root / "frontend" / "src" / "index.js").write_text(
        "export default { fetch: (request, env) => env.BACKEND.fetch(request) };\n"
    )


def test_dw013_config_without_entry_or_assets_needs_no_date(tmp_path: Path) -> None:
    """A config with neither `main` nor `assets` (the bindings a framework's dev proxy reads) is
    no Worker `wrangler deploy` sends out: no missing-date finding. With `main`, it is one."""
    root = tmp_path / "p"
    shutil.copytree(fixture("pages-functions-front"), root)
    shutil.rmtree(root / "frontend" / "functions")
    config = root / "frontend" / "wrangler.toml"
    config.write_text(config.read_text().replace('compatibility_date = "2026-01-06"\n', ""))
    assert [f for f in found(lint(root)) if f[0] == "DW013"] == []
    _give_an_entry(root)
    assert ("DW013", "frontend/wrangler.toml", 2) in found(lint(root))
