"""Helpers shared by the per-rule tests of `dualworker check`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.test_check_support import lint, make_project

AUTH_TS = """export const authMiddleware = async (c, next) => {
  if (!c.req.header("Authorization")) return c.json({ error: "unauthorized" }, 401);
  c.set("userId", "u1");
  await next();
};
"""


def front_findings(tmp_path: Path, files: dict[str, str], rule: str | None = None) -> list:
    root = make_project(tmp_path, front_ts={"src/auth.ts": AUTH_TS, **files})
    return [f for f in lint(root).findings if rule is None or f.rule == rule]


def where(found: Any) -> list[tuple[str, str, int]]:
    """(rule, path, line) of a run's findings, or of a list of findings."""
    findings = found.findings if hasattr(found, "findings") else found
    return [(f.rule, f.path, f.line) for f in findings]


def findings_for(root: Path, rule: str) -> list:
    return [f for f in lint(root).findings if f.rule == rule]


def two_workers(root: Path, front: dict, backend: dict) -> Path:
    for name, config in (("gateway", front), ("api", backend)):
        (root / name).mkdir()
        (root / name / "wrangler.json").write_text(json.dumps(config))
    return root


#: a private backend with nothing else to report (for rules about the other config)
PLAIN_BACKEND = {
    "name": "api",
    "main": "src/index.ts",
    "compatibility_date": "2026-01-01",
    "workers_dev": False,
    "preview_urls": False,
}


def write_tree(root: Path, files: dict[str, str]) -> Path:
    """Write ``files`` (path relative to ``root`` -> text) under ``root``: a small project."""
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    return root
