"""Output formats: Rich table for people, JSON, SARIF 2.1.0 for code scanning, GitHub annotations."""

from __future__ import annotations

import os
from pathlib import Path

FORMATS: tuple[str, ...] = ("table", "json", "sarif", "github")


def display_path(root: Path, path: str, cwd: Path | None = None) -> str:
    """A finding's path as seen from the current directory (clickable in terminals and CI)."""
    cwd = (cwd or Path.cwd()).resolve()
    full = (root / path).resolve()
    try:
        return full.relative_to(cwd).as_posix()
    except ValueError:
        return os.path.relpath(full, cwd) if full.anchor == cwd.anchor else full.as_posix()
