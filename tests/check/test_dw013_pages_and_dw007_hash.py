"""DW013 and DW007 on shapes seen in hand-written monorepos: a Pages gateway, a hashed verify token."""

from __future__ import annotations

import json
from pathlib import Path

from dualworker_cli.check.engine import run


def _project(root: Path, front: dict, backend: dict) -> Path:
    for name, config in (("gateway", front), ("api", backend)):
        (root / name).mkdir()
        (root / name / "wrangler.json").write_text(json.dumps(config))
    return root


BACKEND = {
    "name": "api",
    "main": "src/index.ts",
    "compatibility_date": "2026-01-01",
    "workers_dev": False,
    "preview_urls": False,
}


def test_dw013_pages_project_without_date_is_not_flagged(tmp_path: Path) -> None:
    front = {
        "name": "site",
        "pages_build_output_dir": "dist",
        "services": [{"binding": "API", "service": "api"}],
    }
    findings = [f for f in run(_project(tmp_path, front, BACKEND)).findings if f.rule == "DW013"]
    assert findings == []


def test_dw013_worker_without_date_is_flagged(tmp_path: Path) -> None:
    front = {"name": "site", "main": "src/index.ts", "services": [{"binding": "API", "service": "api"}]}
    findings = [f for f in run(_project(tmp_path, front, BACKEND)).findings if f.rule == "DW013"]
    assert [(f.path, "no `compatibility_date`" in f.message) for f in findings] == [
        ("gateway/wrangler.json", True)
    ]


def test_dw007_hash_of_a_token_is_not_the_token(tmp_path: Path) -> None:
    backend = {
        **BACKEND,
        "vars": {"WEBHOOK_VERIFY_TOKEN_HASH": "local-placeholder-hash", "ADMIN_TOKEN": "dev-admin"},
    }
    front = {
        "name": "site",
        "main": "src/index.ts",
        "compatibility_date": "2026-01-01",
        "services": [{"binding": "API", "service": "api"}],
    }
    findings = [f for f in run(_project(tmp_path, front, backend)).findings if f.rule == "DW007"]
    assert [f.message.split("`")[1] for f in findings] == ["vars.ADMIN_TOKEN"]


def test_dw007_password_of_a_loopback_database_is_a_test_fixture(tmp_path: Path) -> None:
    local = {"DB_HOSTNAME": "127.0.0.1", "DB_USERNAME": "testuser", "DB_PASSWORD": "testpassword"}
    remote = {**local, "DB_HOSTNAME": "db.example.com"}
    front = {
        "name": "site",
        "main": "src/index.ts",
        "compatibility_date": "2026-01-01",
        "services": [{"binding": "API", "service": "api"}],
    }
    for variables, expected in ((local, []), (remote, ["vars.DB_PASSWORD"])):
        root = tmp_path / variables["DB_HOSTNAME"]
        root.mkdir()
        findings = run(_project(root, front, {**BACKEND, "vars": variables})).findings
        assert [f.message.split("`")[1] for f in findings if f.rule == "DW007"] == expected
