"""One Wrangler config file, whatever its format: values, key positions, comments, edits."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dualworker_cli.check.parse import jsonc, toml
from dualworker_cli.check.parse.errors import ParseError

#: in the order Wrangler's own config lookup prefers them when a folder has several
CONFIG_NAMES: tuple[str, ...] = ("wrangler.json", "wrangler.jsonc", "wrangler.toml")

KeyPath = tuple[str | int, ...]


def read_text(path: Path, shown: str) -> str:
    """Read a file as UTF-8, turning OS and decoding errors into a located ParseError."""
    try:
        data = path.read_bytes()
        return data.decode("utf-8")  # bytes: keep CRLF as is for in-place fixes
    except UnicodeDecodeError as exc:
        line, col = _byte_position(data, exc.start)
        raise ParseError(f"not UTF-8 text (byte {exc.start})", shown, line, col) from None
    except FileNotFoundError:
        raise ParseError("file not found", shown) from None
    except IsADirectoryError:
        raise ParseError("is a directory, expected a file", shown) from None
    except PermissionError:
        raise ParseError("cannot read: permission denied", shown) from None
    except OSError as exc:
        raise ParseError(f"cannot read: {exc.strerror or exc}", shown) from None


def _byte_position(data: bytes, offset: int) -> tuple[int, int]:
    """1-based line and character column of the byte at ``offset``."""
    start = data.rfind(b"\n", 0, offset) + 1
    return data.count(b"\n", 0, offset) + 1, len(data[start:offset].decode("utf-8", "replace")) + 1


@dataclass
class ConfigFile:
    """A parsed ``wrangler.{jsonc,json,toml}``; ``rel`` is the path shown in findings."""

    path: Path
    rel: str
    text: str
    data: dict[str, Any]
    doc: jsonc.Document | None = None
    _toml_lines: dict[KeyPath, tuple[int, int]] | None = field(default=None, repr=False)

    @property
    def is_toml(self) -> bool:
        return self.path.suffix == ".toml"

    def position(self, keypath: KeyPath) -> tuple[int, int]:
        """1-based line/col of ``keypath`` (or of its deepest existing ancestor)."""
        if not self.is_toml:
            if self.doc is None:  # values were read by the fast path: positions on demand
                self.doc = jsonc.parse(self.text)
            return self.doc.position(self.doc.offset_of(keypath))
        if self._toml_lines is None:
            self._toml_lines = toml.key_lines(self.text)
        return toml.locate(self._toml_lines, keypath)


def parse_config_text(text: str, path: Path, rel: str) -> ConfigFile:
    """Parse ``text`` as the format its file name says; ParseError carries ``rel``."""
    try:
        if path.suffix == ".toml":
            data = toml.parse(text)
            doc = None
        else:
            doc, data = None, jsonc.fast_value(text)
            if data is None:
                doc = jsonc.parse(text)
                data = doc.to_python()
    except ParseError as exc:
        raise exc.with_path(rel) from None
    if not isinstance(data, dict):
        raise ParseError("expected an object at the top level", rel)
    return ConfigFile(path, rel, text, data, doc)


def load_config(path: Path, rel: str) -> ConfigFile:
    return parse_config_text(read_text(path, rel), path, rel)


def edit_set(text: str, is_toml: bool, keypath: KeyPath, key: str, value: Any) -> str:
    """Set a key in the table/object at ``keypath``, keeping comments and layout."""
    return (toml if is_toml else jsonc).set_member(text, keypath, key, value)


def edit_append(text: str, is_toml: bool, keypath: KeyPath, value: Any) -> str:
    """Append to the array at ``keypath`` (creating it), keeping comments and layout."""
    return (toml if is_toml else jsonc).append_item(text, keypath, value)
