"""Shared helpers for the per-shape fixture projects under tests/fixtures/check/."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from dualworker_cli.check.engine import Result, run

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "check"


def fixture(name: str) -> Path:
    return FIXTURES / name


def copy_fixture(name: str, tmp_path: Path) -> Path:
    """A writable copy (for --fix and --init, which edit the tree)."""
    target = tmp_path / name
    shutil.copytree(FIXTURES / name, target)
    return target


def found(result: Result) -> list[tuple[str, str, int]]:
    return [(f.rule, f.path, f.line) for f in result.findings]


def lint(name: str | Path, **kwargs: Any) -> Result:
    """Run check on a fixture by name, or on a project folder."""
    return run(name if isinstance(name, Path) else fixture(name), **kwargs)
