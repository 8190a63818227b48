"""TOML: values from tomllib (strict, fast), key positions from a light line scan.

tomllib reports no positions, and tomlkit is slow to import for a read-only pass, so findings
locate keys with :func:`key_lines` (table headers and ``key =`` lines). Edits for ``--fix`` go
through tomlkit, which keeps comments and layout.
"""

from __future__ import annotations

import re
import tomllib
from typing import Any

from dualworker_cli.check.parse.errors import ParseError

_LOCATION = re.compile(r"\(at line (\d+), column (\d+)\)")
_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(?:#.*)?$")
_KEY = re.compile(
    r"""^(\s*)((?:"[^"]*"|'[^']*'|[A-Za-z0-9_\-]+)(?:\s*\.\s*(?:"[^"]*"|'[^']*'|[A-Za-z0-9_\-]+))*)\s*="""
)


BOM = "\ufeff"


def parse(text: str) -> dict[str, Any]:
    """Parse TOML text; raises ParseError with line and column (path unset).

    A leading UTF-8 byte-order mark is skipped, as Wrangler's own config reader does.
    """
    try:
        return tomllib.loads(text.removeprefix(BOM))
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        match = _LOCATION.search(message)
        line, col = (int(match.group(1)), int(match.group(2))) if match else (1, 1)
        raise ParseError(_LOCATION.sub("", message).strip(), line=line, col=col) from None
    except (ValueError, RecursionError) as exc:  # tomllib can surface these on odd input
        raise ParseError(f"invalid TOML: {exc}") from None


def _dotted(raw: str) -> list[str]:
    """Split ``a."b.c".d`` into its parts."""
    parts: list[str] = []
    i = 0
    while i < len(raw):
        while i < len(raw) and raw[i] in " \t.":
            i += 1
        if i >= len(raw):
            break
        if raw[i] in "\"'":
            end = raw.find(raw[i], i + 1)
            end = len(raw) if end == -1 else end
            parts.append(raw[i + 1 : end])
            i = end + 1
        else:
            j = i
            while j < len(raw) and raw[j] not in " \t.":
                j += 1
            parts.append(raw[i:j])
            i = j
    return parts


def key_lines(text: str) -> dict[tuple[str | int, ...], tuple[int, int]]:
    """Map key paths (array-of-tables entries indexed) to 1-based (line, col).

    A heuristic scan, good for locating findings: it does not follow multi-line strings.
    """
    found: dict[tuple[str | int, ...], tuple[int, int]] = {}
    counters: dict[tuple[str | int, ...], int] = {}
    table: tuple[str | int, ...] = ()
    for number, line in enumerate(text.removeprefix(BOM).splitlines(), start=1):
        header = _HEADER.match(line)
        if header:
            path: tuple[str | int, ...] = tuple(_dotted(header.group(2)))
            col = line.index("[") + 1
            if header.group(1) == "[[":
                index = counters.get(path, 0)
                counters[path] = index + 1
                found.setdefault(path, (number, col))
                path = (*path, index)
            table = path
            found.setdefault(table, (number, col))
            continue
        key = _KEY.match(line)
        if key:
            full = (*table, *_dotted(key.group(2)))
            found.setdefault(full, (number, len(key.group(1)) + 1))
    return found


def locate(
    lines: dict[tuple[str | int, ...], tuple[int, int]], keypath: tuple[str | int, ...]
) -> tuple[int, int]:
    """Position of the longest prefix of ``keypath`` that the scan found (else 1:1)."""
    for size in range(len(keypath), 0, -1):
        hit = lines.get(keypath[:size])
        if hit is not None:
            return hit
    return (1, 1)


def _container(doc: Any, keypath: tuple[str | int, ...], create: bool) -> Any:
    import tomlkit

    node = doc
    for part in keypath:
        if isinstance(part, int) or part in node:
            node = node[part]
        elif create:
            node[part] = tomlkit.table()
            node = node[part]
        else:
            raise ParseError(f"cannot edit: {'.'.join(map(str, keypath))} is missing")
    return node


def _same_newlines(original: str, edited: str) -> str:
    """tomlkit writes the lines it adds with ``\n``: keep a CRLF file CRLF throughout."""
    return re.sub(r"(?<!\r)\n", "\r\n", edited) if "\r\n" in original else edited


def _edit(text: str, keypath: tuple[str | int, ...], change: Any) -> str:
    """Run ``change(doc)`` on the parsed text and dump it again; a shape tomlkit cannot edit
    (``services = 0`` where an array belongs, mixed arrays...) is a ParseError, so ``--fix``
    leaves that finding to a person instead of crashing."""
    import tomlkit

    bom = BOM if text.startswith(BOM) else ""
    try:
        doc = tomlkit.parse(text.removeprefix(BOM))
        change(doc)
        edited = tomlkit.dumps(doc)
    except ParseError:
        raise
    except Exception as exc:  # tomlkit's own errors, and TypeError/ValueError on odd shapes
        raise ParseError(f"cannot edit {'.'.join(map(str, keypath)) or 'top level'}: {exc}") from None
    return bom + _same_newlines(text, edited)


def set_member(text: str, keypath: tuple[str | int, ...], key: str, value: Any) -> str:
    """Set ``key`` in the table at ``keypath`` with tomlkit (comments and layout kept)."""

    def change(doc: Any) -> None:
        container = _container(doc, keypath, create=True)
        if not isinstance(container, dict):
            raise ParseError(f"cannot edit: {'.'.join(map(str, keypath))} is not a table")
        container[key] = value

    return _edit(text, keypath, change)


def append_item(text: str, keypath: tuple[str | int, ...], value: Any) -> str:
    """Append to the array (or array of tables) at ``keypath``, creating it when missing."""
    import tomlkit

    def change(doc: Any) -> None:
        parent = _container(doc, keypath[:-1], create=True)
        key = keypath[-1]
        if not isinstance(parent, dict) or not isinstance(key, str):
            raise ParseError(f"cannot edit: {'.'.join(map(str, keypath[:-1]))} is not a table")
        if key not in parent:
            if isinstance(value, dict):
                array = tomlkit.aot()
                array.append(tomlkit.item(value))
                parent[key] = array
            else:
                parent[key] = [value]
        elif not isinstance(parent[key], list):
            raise ParseError(f"cannot edit: {'.'.join(map(str, keypath))} is not an array")
        else:
            parent[key].append(tomlkit.item(value) if isinstance(value, dict) else value)

    return _edit(text, keypath, change)
