"""File-system questions answered once per path and run: ``Path.resolve()``, ``Path.is_file()``,
a folder's listing (``walk``) and a ``package.json``'s content.

A monorepo asks them tens of thousands of times, mostly about the same folders: every import
resolves its target, every Worker looks for ``package.json`` up to the root, discovery and the
deploy-command scan walk the same tree. ``Path.resolve`` ``lstat``s every component of the path
and then ``stat``s the result; here each folder is resolved once and a file costs one ``lstat``
(is it a symlink?). Symlinks themselves still go through ``Path.resolve``, so its answers (and its
loop errors) are unchanged. Files do not change during a run; :func:`clear` forgets everything
when the next one starts (``discover``).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

_REAL: dict[str, str] = {}
_RESOLVED: dict[str, Path] = {}
_IS_FILE: dict[str, bool] = {}
_JSON: dict[str, Any] = {}
_LISTINGS: dict[str, tuple[list[str], list[str]] | None] = {}
_LINKS: dict[str, bool] = {}


def clear() -> None:
    _REAL.clear()
    _RESOLVED.clear()
    _IS_FILE.clear()
    _JSON.clear()
    _LISTINGS.clear()
    _LINKS.clear()


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


def _listing(top: str) -> tuple[list[str], list[str]] | None:
    """(folders, other entries) of ``top`` as ``os.walk`` sorts them; None when unreadable."""
    if top in _LISTINGS:
        return _LISTINGS[top]
    dirs: list[str] = []
    nondirs: list[str] = []
    listing: tuple[list[str], list[str]] | None = (dirs, nondirs)
    try:
        with os.scandir(top) as entries:
            for entry in entries:
                try:
                    is_dir = entry.is_dir()
                except OSError:
                    is_dir = False
                (dirs if is_dir else nondirs).append(entry.name)
    except OSError:
        listing = None
    _LISTINGS[top] = listing
    return listing


def walk(top: Path | str) -> Iterator[tuple[str, list[str], list[str]]]:
    """``os.walk(top)`` (top-down; symlinked folders listed, not entered; unreadable ones skipped;
    the caller may prune ``dirs`` in place), each folder read once per run: discovery and the
    deploy-command scan walk the same tree."""
    top = os.fspath(top)
    listing = _listing(top)
    if listing is None:
        return
    dirs, nondirs = list(listing[0]), list(listing[1])
    yield top, dirs, nondirs
    for name in dirs:
        new_path = os.path.join(top, name)
        link = _LINKS.get(new_path)
        if link is None:
            link = _LINKS[new_path] = os.path.islink(new_path)
        if not link:
            yield from walk(new_path)
