"""DW008: `run_worker_first` must cover the paths the front really forwards; fixes use them."""

from __future__ import annotations

from pathlib import Path

from dualworker_cli.check.engine import run_with_fixes
from dualworker_cli.check.parse import jsonc
from dualworker_cli.check.rules.dw008_assets_first import route_pattern
from tests.check.fixtures import copy_fixture, found, lint


def test_forwarded_trpc_not_covered() -> None:
    result = lint("trpc-forward")
    assert found(result) == [("DW008", "web/wrangler.jsonc", 9)]
    assert "`/trpc/*` forwarded to the backend" in result.findings[0].message


def test_fix_adds_the_forwarded_prefix_not_a_guess(tmp_path: Path) -> None:
    root = copy_fixture("trpc-forward", tmp_path)
    after = run_with_fixes(root)
    assert after.findings == []
    data = jsonc.parse((root / "web" / "wrangler.jsonc").read_text()).to_python()
    assert data["assets"]["run_worker_first"] == ["/api/*", "/trpc/*"]


def test_covered_forward_is_clean() -> None:
    assert lint("trpc-forward-clean").findings == []


def test_unreadable_front_checks_the_default_without_a_fix(tmp_path: Path) -> None:
    root = copy_fixture("trpc-forward", tmp_path)
    (root / "web" / "src" / "index.ts").unlink()
    config = root / "web" / "wrangler.jsonc"
    config.write_text(config.read_text().replace('"/api/*"', '"/app/*"'))
    result = run_with_fixes(root)
    dw008 = [f for f in result.findings if f.rule == "DW008"]
    assert len(dw008) == 1 and dw008[0].fix is None and "default API prefix" in dw008[0].message
    assert result.fixed == []


def test_route_patterns() -> None:
    assert route_pattern("/trpc/*") == "/trpc/*"
    assert route_pattern("/users/:id") == "/users/*"
    assert route_pattern("/live") == "/live"
    assert route_pattern("/:tenant/api") == "/*"
