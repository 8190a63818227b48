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


def with_route(name: str, tmp_path: Path, route: str, rel: str = "web/src/index.ts") -> Path:
    """A copy of fixture ``name`` whose Hono app (``rel``) registers ``route`` (TypeScript) just
    before its ``export default app;``: the same project, one route more."""
    root = copy_fixture(name, tmp_path)
    index = root / rel
    text = index.read_text()
    assert "export default app;" in text, rel
    index.write_text(text.replace("export default app;", f"{route}\n\nexport default app;"))
    return root
