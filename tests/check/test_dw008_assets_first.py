"""DW008 (assets first): flagged shapes and their clean variants."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.check.helpers import findings_for
from tests.test_check_support import front, make_project


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
