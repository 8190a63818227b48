"""DW013 (compat date): flagged shapes and their clean variants."""

from __future__ import annotations

from pathlib import Path

from dualworker_cli.check.engine import run
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
