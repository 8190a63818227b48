"""Inline suppressions: need a reason, cover the next code line, and report themselves when unused."""

from __future__ import annotations

from pathlib import Path

from dualworker_cli.check.engine import run
from tests.test_check_support import FRONT_TS, make_project

SPREAD_PROXY = """export async function proxy(c) {
  // dualworker-ignore DW006 -- the Data Worker strips x-user-id itself (ADR-12)
  const req = new Request(c.req.raw, { headers: { ...c.req.header(), "X-User-Id": c.get("userId") } });
  return c.env.BACKEND_SERVICE.fetch(req);
}
"""


def _with_proxy(tmp_path: Path, proxy: str) -> Path:
    files = dict(FRONT_TS)
    files["src/proxy.ts"] = proxy
    return make_project(tmp_path, front_ts=files)


def test_suppression_with_reason_suppresses(tmp_path: Path) -> None:
    result = run(_with_proxy(tmp_path, SPREAD_PROXY))
    assert result.findings == []
    assert result.suppressed == 1


def test_suppression_without_reason_is_reported_and_does_not_suppress(tmp_path: Path) -> None:
    proxy = SPREAD_PROXY.replace(" -- the Data Worker strips x-user-id itself (ADR-12)", "")
    result = run(_with_proxy(tmp_path, proxy))
    assert sorted((f.rule, f.line) for f in result.findings) == [("DW006", 3), ("DW901", 2)]


def test_unused_suppression_is_reported(tmp_path: Path) -> None:
    proxy = FRONT_TS["src/proxy.ts"].replace(
        "export async function", "// dualworker-ignore DW006 -- legacy\nexport async function"
    )
    result = run(_with_proxy(tmp_path, proxy))
    assert [(f.rule, f.path, f.line) for f in result.findings] == [("DW900", "web/src/proxy.ts", 3)]


def test_unused_suppression_of_deselected_rule_is_not_reported(tmp_path: Path) -> None:
    proxy = FRONT_TS["src/proxy.ts"].replace(
        "export async function", "// dualworker-ignore DW006 -- legacy\nexport async function"
    )
    assert run(_with_proxy(tmp_path, proxy), select=["DW002"]).findings == []


def test_trailing_suppression_in_jsonc_and_unknown_code(tmp_path: Path) -> None:
    root = make_project(tmp_path)
    config = root / "core" / "wrangler.jsonc"
    text = config.read_text().replace(
        '"workers_dev": false,', '"workers_dev": true, // dualworker-ignore DW002, DWX1 -- staging demo only'
    )
    config.write_text(text)
    result = run(root)
    assert [(f.rule, f.message) for f in result.findings] == [("DW900", "`DWX1` is not a rule id")]
    assert result.suppressed == 1
