"""File-system questions answered once per path and run: ``Path.resolve()``, ``Path.is_file()``,
a folder's listing (``walk``) and a ``package.json``'s content.

A monorepo asks them tens of thousands of times, mostly about the same folders: every import
resolves its target, every Worker looks for ``package.json`` up to the root, discovery and the
deploy-command scan walk the same tree. ``Path.resolve`` ``lstat``s every component of the path
and then ``stat``s the result; here each folder is resolved once and a file costs one ``lstat``
(is it a symlink?). Symlinks themselves still go through ``Path.resolve``, so its answers (and its
loop errors) are unchanged. A folder already listed answers "is it a file / a symlink?" about its
entries without a system call (``scandir`` reports the entry types with the names). Files do not
change during a run; :func:`clear` forgets everything when the next one starts (``discover``).
"""

from __future__ import annotations

import json
import os
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

_REAL: dict[str, str] = {}
_RESOLVED: dict[str, Path] = {}
_IS_FILE: dict[str, bool] = {}
_JSON: dict[str, Any] = {}
_LISTINGS: dict[str, tuple[list[str], list[str]] | None] = {}
_LINKS: dict[str, bool] = {}
#: listed folder -> (entry names, the same :func:`_folded`, regular files (not symlinks), symlinks, entries
#: of unknown type)
_ENTRIES: dict[str, tuple[frozenset[str], ...]] = {}


def clear() -> None:
    _REAL.clear()
    _RESOLVED.clear()
    _IS_FILE.clear()
    _JSON.clear()
    _LISTINGS.clear()
    _LINKS.clear()
    _ENTRIES.clear()


def _entry(path: str) -> tuple[str, tuple[frozenset[str], ...] | None]:
    """(name, the entries of its folder when that folder was listed) for a ``path`` string."""
    folder, name = os.path.split(path)
    return name, _ENTRIES.get(folder)


def _folded(name: str) -> str:
    """``name`` as a case- or normalization-insensitive file system (macOS, Windows) may match it, or
    closer: a name whose folded form is not listed does not exist on any of them."""
    return name.lower() if name.isascii() else unicodedata.normalize("NFD", name).casefold()


def _missing(name: str, entries: tuple[frozenset[str], ...]) -> bool:
    return name not in entries[0] and _folded(name) not in entries[1]


def _islink(path: str) -> bool:
    """``os.path.islink(path)``, from its folder's listing when there is one."""
    name, entries = _entry(path)
    if entries is None or not name or name in entries[4]:
        return os.path.islink(path)
    if name in entries[0]:
        return name in entries[3]
    return False if _missing(name, entries) else os.path.islink(path)


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
        result = str(Path(joined).resolve()) if _islink(joined) else joined
    _REAL[path] = result
    return result


def resolve(path: Path) -> Path:
    """``path.resolve()`` (symlinks followed, ``..`` after them), sharing the work on folders."""
    key = str(path)
    found = _RESOLVED.get(key)
    if found is None:
        text = resolve_text(key)
        # most paths asked about are resolved already (an import's target, a config's folder):
        # the same text is the same Path, so keep the caller's instead of parsing a new one
        found = _RESOLVED[key] = path if text == key and isinstance(path, Path) else Path(text)
    return found


def resolve_text(path: str) -> str:
    """``str(Path(path).resolve())`` for a path string: :func:`resolve` without building a
    ``Path`` (``.``, ``..`` and doubled separators in ``path`` are handled as ``realpath`` does)."""
    if not os.path.isabs(path):
        path = os.path.join(os.getcwd(), path)
    return _real(path)


def is_file(path: Path | str) -> bool:
    """``path.is_file()``, asked of the file system once per run (a path string is asked as a
    ``Path`` of it would be)."""
    key = str(path)
    found = _IS_FILE.get(key)
    if found is None:
        name, entries = _entry(key)
        if entries is not None and name and name in entries[2]:
            found = True  # a regular file, listed as such
        elif entries is not None and name and _missing(name, entries):
            found = False  # no such entry
        else:
            found = (path if isinstance(path, Path) else Path(path)).is_file()
        _IS_FILE[key] = found
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
    files: list[str] = []
    links: list[str] = []
    unknown: list[str] = []
    listing: tuple[list[str], list[str]] | None = (dirs, nondirs)
    try:
        with os.scandir(top) as entries:
            for entry in entries:
                try:
                    is_dir = entry.is_dir()
                except OSError:
                    is_dir = False
                (dirs if is_dir else nondirs).append(entry.name)
                try:
                    if entry.is_symlink():
                        links.append(entry.name)
                    elif not is_dir and entry.is_file(follow_symlinks=False):
                        files.append(entry.name)
                except OSError:  # unknown: asked with a system call
                    unknown.append(entry.name)
    except OSError:
        listing = None
    _LISTINGS[top] = listing
    if listing is not None:
        names = dirs + nondirs
        folded = frozenset(map(_folded, names))
        _ENTRIES[top] = (frozenset(names), folded, frozenset(files), frozenset(links), frozenset(unknown))
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
            link = _LINKS[new_path] = _islink(new_path)
        if not link:
            yield from walk(new_path)
