"""A small JSONC parser (JSON + comments + trailing commas) that remembers where everything is.

Why our own: findings need ``path:line:col`` of the offending key, and ``--fix`` must edit the
text in place so that comments and formatting survive. ``json`` gives neither. The grammar is
the one Wrangler accepts for ``wrangler.jsonc``: ``//`` and ``/* */`` comments anywhere
whitespace may go, and a trailing comma before ``]`` or ``}``.
"""

from __future__ import annotations

import bisect
import json
import re
from dataclasses import dataclass, field
from typing import Any

from dualworker_cli.check.parse.errors import ParseError

MAX_DEPTH = 256
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")
_HEX4 = re.compile(r"[0-9a-fA-F]{4}")
#: runs the lexer skips (whitespace) or copies (string characters) in one step, not per character
_BLANKS = re.compile(r"[ \t\r\n]+")
_PLAIN = re.compile(r'[^"\\\r\n]+')
_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}
_LITERALS = {"true": True, "false": False, "null": None}
_PUNCT = frozenset("{}[]:,")


@dataclass
class Token:
    kind: str  # one of { } [ ] : , str num lit
    start: int
    end: int
    value: Any = None


@dataclass
class Node:
    start: int
    end: int


@dataclass
class Scalar(Node):
    value: Any = None


@dataclass
class Member:
    key: str
    key_start: int
    value: Node


@dataclass
class Object(Node):
    members: list[Member] = field(default_factory=list)
    trailing_comma: int | None = None

    def get(self, key: str) -> Member | None:
        """The last member named ``key`` (JSON's last-wins rule for duplicates)."""
        found = None
        for member in self.members:
            if member.key == key:
                found = member
        return found


@dataclass
class Array(Node):
    items: list[Node] = field(default_factory=list)
    trailing_comma: int | None = None


@dataclass
class Comment:
    start: int
    end: int
    text: str


@dataclass
class Document:
    """Parsed JSONC: the value tree with offsets, the comments, and offset -> line/col."""

    text: str
    root: Node
    comments: list[Comment]
    line_starts: list[int]

    def position(self, offset: int) -> tuple[int, int]:
        """1-based line and column of ``offset``."""
        line = bisect.bisect_right(self.line_starts, offset) - 1
        bom = 1 if line == 0 and offset > 0 and self.text.startswith("\ufeff") else 0  # not shown by editors
        return line + 1, offset - self.line_starts[line] + 1 - bom

    def node(self, keypath: tuple[str | int, ...]) -> Node | None:
        """The value at ``keypath`` or None."""
        node: Node | None = self.root
        for part in keypath:
            node = _child(node, part)
            if node is None:
                return None
        return node

    def offset_of(self, keypath: tuple[str | int, ...]) -> int:
        """Offset of the deepest existing part of ``keypath`` (the key itself when present)."""
        node: Node = self.root
        offset = node.start
        for part in keypath:
            if isinstance(node, Object) and isinstance(part, str):
                member = node.get(part)
                if member is None:
                    break
                offset, node = member.key_start, member.value
            elif isinstance(node, Array) and isinstance(part, int) and 0 <= part < len(node.items):
                node = node.items[part]
                offset = node.start
            else:
                break
        return offset

    def to_python(self) -> Any:
        return to_python(self.root)


def _child(node: Node | None, part: str | int) -> Node | None:
    if isinstance(node, Object) and isinstance(part, str):
        member = node.get(part)
        return member.value if member else None
    if isinstance(node, Array) and isinstance(part, int) and 0 <= part < len(node.items):
        return node.items[part]
    return None


def to_python(node: Node) -> Any:
    """Plain dict/list/scalar value of a node (duplicate keys: last wins)."""
    if isinstance(node, Object):
        return {m.key: to_python(m.value) for m in node.members}
    if isinstance(node, Array):
        return [to_python(item) for item in node.items]
    assert isinstance(node, Scalar)
    return node.value


def line_starts(text: str) -> list[int]:
    starts = [0]
    starts.extend(m.end() for m in re.finditer(r"\r\n|\r|\n", text))
    return starts


class _Lexer:
    """Turns text into tokens and comments; errors carry the offset where reading stopped."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens: list[Token] = []
        self.comments: list[Comment] = []

    def error(self, message: str, offset: int) -> ParseError:
        line = bisect.bisect_right(self._starts, offset) - 1
        bom = 1 if line == 0 and offset > 0 and self.text.startswith("\ufeff") else 0
        return ParseError(message, line=line + 1, col=offset - self._starts[line] + 1 - bom)

    def run(self) -> None:
        text = self.text
        self._starts = line_starts(text)
        i, n = 0, len(text)
        if text.startswith("\ufeff"):
            i = 1
        while i < n:
            ch = text[i]
            if ch in " \t\r\n":
                blanks = _BLANKS.match(text, i)
                i = blanks.end() if blanks else i + 1
            elif ch in _PUNCT:
                self.tokens.append(Token(ch, i, i + 1))
                i += 1
            elif ch == '"':
                i = self._string(i)
            elif ch == "/" and text.startswith("//", i):
                end = len(text)
                for stop in ("\n", "\r"):
                    pos = text.find(stop, i)
                    if pos != -1:
                        end = min(end, pos)
                self.comments.append(Comment(i, end, text[i:end]))
                i = end
            elif ch == "/" and text.startswith("/*", i):
                end = text.find("*/", i + 2)
                if end == -1:
                    raise self.error("unterminated /* comment", i)
                self.comments.append(Comment(i, end + 2, text[i : end + 2]))
                i = end + 2
            elif ch == "-" or ch.isdigit():
                match = _NUMBER.match(text, i)
                if not match:
                    raise self.error(f"invalid number near {text[i : i + 12]!r}", i)
                raw = match.group()
                try:
                    value: Any = float(raw) if any(c in raw for c in ".eE") else int(raw)
                except ValueError:
                    raise self.error("number too large", i) from None
                self.tokens.append(Token("num", i, match.end(), value))
                i = match.end()
            elif ch.isalpha():
                j = i
                while j < n and (text[j].isalnum() or text[j] == "_"):
                    j += 1
                word = text[i:j]
                if word not in _LITERALS:
                    raise self.error(f"unexpected word {word!r} (strings need double quotes)", i)
                self.tokens.append(Token("lit", i, j, _LITERALS[word]))
                i = j
            else:
                raise self.error(f"unexpected character {ch!r}", i)

    def _string(self, start: int) -> int:
        text, n = self.text, len(self.text)
        parts: list[str] = []
        i = start + 1
        while True:
            plain = _PLAIN.match(text, i)
            if plain is not None:
                parts.append(plain.group())
                i = plain.end()
            if i >= n or text[i] in "\r\n":
                raise self.error("unterminated string", start)
            ch = text[i]
            if ch == '"':
                self.tokens.append(Token("str", start, i + 1, "".join(parts)))
                return i + 1
            if ch == "\\":
                esc = text[i + 1 : i + 2]
                if esc in _ESCAPES:
                    parts.append(_ESCAPES[esc])
                    i += 2
                elif esc == "u" and _HEX4.fullmatch(text[i + 2 : i + 6]):
                    code = int(text[i + 2 : i + 6], 16)
                    low = text[i + 8 : i + 12] if text.startswith("\\u", i + 6) else ""
                    if 0xD800 <= code < 0xDC00 and _HEX4.fullmatch(low) and 0xDC00 <= int(low, 16) < 0xE000:
                        code = 0x10000 + ((code - 0xD800) << 10) + (int(low, 16) - 0xDC00)
                        i += 6  # a surrogate pair is one character, as in json.loads
                    parts.append(chr(code))
                    i += 6
                else:
                    raise self.error("invalid escape in string", i)
            else:
                parts.append(ch)
                i += 1


class _Parser:
    def __init__(self, lexer: _Lexer) -> None:
        self.lexer = lexer
        self.tokens = lexer.tokens
        self.pos = 0

    def error(self, message: str, token: Token | None = None) -> ParseError:
        if token is None:
            token = self.peek()
        offset = token.start if token else len(self.lexer.text)
        return self.lexer.error(message, offset)

    def peek(self) -> Token | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> Token:
        token = self.peek()
        if token is None:
            raise self.error("unexpected end of file")
        self.pos += 1
        return token

    def value(self, depth: int) -> Node:
        if depth > MAX_DEPTH:
            raise self.error("nesting too deep")
        token = self.take()
        if token.kind == "{":
            return self.object(token, depth)
        if token.kind == "[":
            return self.array(token, depth)
        if token.kind in ("str", "num", "lit"):
            return Scalar(token.start, token.end, token.value)
        raise self.error(f"expected a value, found {token.kind!r}", token)

    def object(self, open_: Token, depth: int) -> Object:
        node = Object(open_.start, open_.start)
        while True:
            token = self.take()
            if token.kind == "}":
                node.end = token.end
                return node
            if token.kind != "str":
                raise self.error(f"expected a double-quoted key or '}}', found {token.kind!r}", token)
            colon = self.take()
            if colon.kind != ":":
                raise self.error(f"expected ':' after key {token.value!r}", colon)
            value = self.value(depth + 1)
            node.members.append(Member(token.value, token.start, value))
            sep = self.take()
            if sep.kind == "}":
                node.end = sep.end
                return node
            if sep.kind != ",":
                raise self.error("expected ',' or '}' after a member", sep)
            nxt = self.peek()
            if nxt is not None and nxt.kind == "}":
                node.trailing_comma = sep.start

    def array(self, open_: Token, depth: int) -> Array:
        node = Array(open_.start, open_.start)
        while True:
            nxt = self.peek()
            if nxt is not None and nxt.kind == "]":
                self.take()
                node.end = nxt.end
                return node
            node.items.append(self.value(depth + 1))
            sep = self.take()
            if sep.kind == "]":
                node.end = sep.end
                return node
            if sep.kind != ",":
                raise self.error("expected ',' or ']' after an item", sep)
            nxt = self.peek()
            if nxt is not None and nxt.kind == "]":
                node.trailing_comma = sep.start


#: what the C JSON parser does not take in JSONC, outside strings: comments and trailing commas
_NOT_JSON = re.compile(
    r'("[^"\\\n]*(?:\\.[^"\\\n]*)*")|//[^\n\r]*|/\*.*?\*/'
    r"|,(?=\s*(?:(?://[^\n\r]*|/\*.*?\*/)\s*)*[}\]])",  # one \s per step: no backtracking blow-up
    re.S,
)


def _not_a_json_constant(name: str) -> Any:
    raise ValueError(name)  # NaN/Infinity: JSONC has none; the full parser says where


def fast_value(text: str) -> Any | None:
    """The value of JSONC ``text`` by Python's C JSON parser (comments and trailing commas taken
    out first), or None when it does not take it: then :func:`parse` reads it and says where it
    is wrong. A config's values are needed on every run, its positions only for a finding, so
    discovery reads values this way (a tenth of the time) and positions on demand."""
    body = text[1:] if text.startswith("\ufeff") else text
    for candidate in (body, None):
        if candidate is None:
            candidate = _NOT_JSON.sub(lambda m: m.group(1) or " ", body)
        try:
            return json.loads(candidate, parse_constant=_not_a_json_constant)
        except ValueError:  # JSONDecodeError too
            continue
    return None


def parse(text: str) -> Document:
    """Parse JSONC text; raises ParseError (path unset) with line and column."""
    lexer = _Lexer(text)
    lexer.run()
    parser = _Parser(lexer)
    if not lexer.tokens:
        raise lexer.error("empty document: expected a value", len(text))
    root = parser.value(0)
    extra = parser.peek()
    if extra is not None:
        raise parser.error(f"unexpected {extra.kind!r} after the top-level value", extra)
    return Document(text, root, lexer.comments, lexer._starts)


# ---------------------------------------------------------------------------------------------
# In-place edits (for --fix): every edit re-parses and changes only the bytes it must.


def render_value(value: Any) -> str:
    """Compact one-line JSON for an inserted value (objects as ``{ "a": 1 }``)."""
    if isinstance(value, dict):
        inner = ", ".join(f"{json.dumps(k)}: {render_value(v)}" for k, v in value.items())
        return "{ " + inner + " }" if inner else "{}"
    if isinstance(value, list):
        return "[" + ", ".join(render_value(v) for v in value) + "]"
    return json.dumps(value)


def _line_bounds(text: str, offset: int) -> tuple[int, int]:
    start = max(text.rfind("\n", 0, offset), text.rfind("\r", 0, offset)) + 1
    ends = [p for p in (text.find("\n", offset), text.find("\r", offset)) if p != -1]
    return start, min(ends) if ends else len(text)


def _indent_of(text: str, offset: int) -> str:
    start, _ = _line_bounds(text, offset)
    return text[start:offset][: len(text[start:offset]) - len(text[start:offset].lstrip())]


def _indent_unit(text: str) -> str:
    match = re.search(r"^([ \t]+)\S", text, re.MULTILINE)
    return match.group(1) if match else "  "


def _newline(text: str) -> str:
    return "\r\n" if "\r\n" in text else "\n"


def _append_entry(text: str, container: Object | Array, entry: str) -> str:
    """Insert ``entry`` (already rendered) as the last member/item of ``container``."""
    children: list[Node] = (
        [m.value for m in container.members] if isinstance(container, Object) else container.items
    )
    close = container.end - 1
    nl = _newline(text)
    if not children:
        inner = text[container.start + 1 : close]
        if "\n" not in inner and "\r" not in inner:
            return f"{text[: container.start + 1]} {entry} {text[close:]}"
        outer = _indent_of(text, close)
        head = text[:close].rstrip(" \t")
        return f"{head}{outer}{_indent_unit(text)}{entry}{nl}{outer}{text[close:]}"
    last_end = children[-1].end
    first_start = (
        container.members[0].key_start if isinstance(container, Object) else container.items[0].start
    )
    _, line_end = _line_bounds(text, last_end)
    if close < line_end:  # `{ "a": 1 }` on one line
        if container.trailing_comma is not None:
            at = container.trailing_comma + 1
            return f"{text[:at]} {entry},{text[at:]}"
        return f"{text[:last_end]}, {entry}{text[last_end:]}"
    same_line = _line_bounds(text, first_start)[0] == _line_bounds(text, container.start)[0]
    indent = _indent_of(text, close) + _indent_unit(text) if same_line else _indent_of(text, first_start)
    # keep a comment that trails the last entry on its line, and add the new entry below it
    if container.trailing_comma is not None:
        _, line_end = _line_bounds(text, container.trailing_comma)
        return f"{text[:line_end]}{nl}{indent}{entry},{text[line_end:]}"
    return f"{text[:last_end]},{text[last_end:line_end]}{nl}{indent}{entry}{text[line_end:]}"


def set_member(text: str, keypath: tuple[str | int, ...], key: str, value: Any) -> str:
    """Set ``key`` in the object at ``keypath`` (replacing its value or adding a member)."""
    doc = parse(text)
    node = doc.node(keypath)
    if not isinstance(node, Object):
        raise ParseError(f"cannot edit: {'.'.join(map(str, keypath)) or 'top level'} is not an object")
    member = node.get(key)
    if member is not None:
        return text[: member.value.start] + render_value(value) + text[member.value.end :]
    return _append_entry(text, node, f"{json.dumps(key)}: {render_value(value)}")


def append_item(text: str, keypath: tuple[str | int, ...], value: Any) -> str:
    """Append ``value`` to the array at ``keypath``; create it (in its parent object) if missing."""
    doc = parse(text)
    node = doc.node(keypath)
    if node is None and keypath and isinstance(keypath[-1], str):
        return set_member(text, keypath[:-1], keypath[-1], [value])
    if not isinstance(node, Array):
        raise ParseError(f"cannot edit: {'.'.join(map(str, keypath))} is not an array")
    return _append_entry(text, node, render_value(value))
