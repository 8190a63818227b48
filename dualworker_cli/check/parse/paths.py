"""``Path.resolve()`` and ``Path.is_file()`` answered once per path and run.

A monorepo asks them tens of thousands of times, mostly about the same folders: every import
resolves its target, every Worker looks for ``package.json`` up to the root. ``Path.resolve``
``lstat``s every component of the path and then ``stat``s the result; here each folder is resolved
once and a file costs one ``lstat`` (is it a symlink?). Symlinks themselves still go through
``Path.resolve``, so its answers (and its loop errors) are unchanged. Files do not change during a
run; :func:`clear` forgets everything when the next one starts (``discover``, ``ModuleGraph``).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

_REAL: dict[str, str] = {}
_RESOLVED: dict[str, Path] = {}
_IS_FILE: dict[str, bool] = {}
_JSON: dict[str, Any] = {}


def clear() -> None:
    _REAL.clear()
    _RESOLVED.clear()
    _IS_FILE.clear()
    _JSON.clear()


def _real(path: str) -> str:
    """``os.path.realpath`` of an absolute ``path``, with every folder on the way cached."""
    cached = _REAL.get(path)
    if cached is not None:
        return cached
    head, tail = os.path.split(path)
    if not head or head == path:  # the root
        result = str(Path(path).resolve())
    elif not tail or tail == ".":
        result = _real(head)
    elif tail == "..":  # as realpath does: the parent of the resolved folder
        result = os.path.dirname(_real(head))
    else:
        joined = os.path.join(_real(head), tail)
        result = str(Path(joined).resolve()) if os.path.islink(joined) else joined
    _REAL[path] = result
    return result


def resolve(path: Path) -> Path:
    """``path.resolve()`` (symlinks followed, ``..`` after them), sharing the work on folders."""
    key = text = str(path)
    found = _RESOLVED.get(key)
    if found is None:
        if not os.path.isabs(text):
            text = os.path.join(os.getcwd(), text)
        found = _RESOLVED[key] = Path(_real(text))
    return found


def is_file(path: Path) -> bool:
    """``path.is_file()``, asked of the file system once per run."""
    key = str(path)
    found = _IS_FILE.get(key)
    if found is None:
        found = _IS_FILE[key] = path.is_file()
    return found


def read_json(path: Path) -> Any:
    """The JSON in ``path`` (a ``package.json``: discovery, deploy commands and the Wrangler version
    all read it), or None when it cannot be read or parsed. Callers must not change it."""
    key = str(path)
    if key not in _JSON:
        try:
            _JSON[key] = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            _JSON[key] = None
    return _JSON[key]
