"""Parsers: positions, JSONC extensions, and property tests - arbitrary text never crashes them."""

from __future__ import annotations

import contextlib
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dualworker_cli.check.parse import jsonc, toml
from dualworker_cli.check.parse.errors import ParseError

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text() | st.floats(allow_nan=False, allow_infinity=False),
    lambda children: st.lists(children) | st.dictionaries(st.text(), children),
    max_leaves=20,
)
JSONC_ALPHABET = st.sampled_from([*list('{}[]:,"\\/*\n tfn0123456789-.eEabcu'), "//", "/*", "*/", "true"])


def test_jsonc_positions_and_comments() -> None:
    text = '// head\n{\n  "a": 1, /* mid */\n  "b": { "c": [true, null,], },\n}\n'
    doc = jsonc.parse(text)
    assert doc.to_python() == {"a": 1, "b": {"c": [True, None]}}
    assert doc.position(doc.offset_of(("b", "c"))) == (4, 10)
    assert doc.position(doc.offset_of(("b", "c", 1))) == (4, 22)
    assert doc.position(doc.offset_of(("b", "missing"))) == (4, 3)  # deepest existing key
    assert [c.text for c in doc.comments] == ["// head", "/* mid */"]


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ('{"a": 1,,}', (1, 9)),
        ('{\n  "a": tru\n}', (2, 8)),
        ("[1, 2", (1, 6)),
        ('{"a": "x\n"}', (1, 7)),
        ("/* open", (1, 1)),
        ("{} {}", (1, 4)),
        ("", (1, 1)),
        ("[" * 300 + "]" * 300, (1, 258)),
    ],
)
def test_jsonc_errors_have_locations(text: str, where: tuple[int, int]) -> None:
    with pytest.raises(ParseError) as info:
        jsonc.parse(text)
    assert (info.value.line, info.value.col) == where


@settings(deadline=None)
@given(JSON_VALUES)
def test_jsonc_agrees_with_json_on_json(value: object) -> None:
    text = json.dumps(value, indent=2)
    assert jsonc.parse(text).to_python() == json.loads(text)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text())
def test_jsonc_arbitrary_text_only_parse_errors(text: str) -> None:
    try:
        jsonc.parse(text)
    except ParseError as exc:
        assert exc.line >= 1 and exc.col >= 1


@settings(max_examples=300, deadline=None)
@given(st.lists(JSONC_ALPHABET, max_size=60).map("".join))
def test_jsonc_jsonish_text_only_parse_errors(text: str) -> None:
    try:
        doc = jsonc.parse(text)
    except ParseError as exc:
        assert exc.line >= 1 and exc.col >= 1
    else:
        doc.to_python()
        for comment in doc.comments:
            assert text[comment.start : comment.end] == comment.text


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_toml_arbitrary_text_only_parse_errors(text: str) -> None:
    try:
        toml.parse(text)
    except ParseError as exc:
        assert exc.line >= 1 and exc.col >= 1
    toml.key_lines(text)  # the locator never raises either


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.sampled_from([*list("[]=.\"'#\n abc123{},"), "[[", "]]", "true"]), max_size=50).map("".join)
)
def test_toml_tomlish_text_only_parse_errors(text: str) -> None:
    with contextlib.suppress(ParseError):
        toml.parse(text)
    toml.key_lines(text)


@settings(deadline=None)
@given(
    st.dictionaries(st.from_regex(r"[a-z_]{1,8}", fullmatch=True), st.booleans(), max_size=5),
    st.from_regex(r"[a-z_]{1,8}", fullmatch=True),
)
def test_set_member_round_trips(data: dict[str, bool], key: str) -> None:
    text = "// c\n" + json.dumps(data, indent=2)
    new = jsonc.set_member(text, (), key, False)
    assert jsonc.parse(new).to_python() == {**data, key: False}
    assert [c.text for c in jsonc.parse(new).comments] == ["// c"]


def test_toml_key_lines() -> None:
    text = 'name = "x"\n[[queues.consumers]]\nqueue = "a"\n[env.staging]\n"workers_dev" = true\n'
    lines = toml.key_lines(text)
    assert lines[("queues", "consumers", 0, "queue")] == (3, 1)
    assert lines[("env", "staging", "workers_dev")] == (5, 1)
    assert toml.locate(lines, ("env", "staging", "nope")) == (4, 1)


SETTINGS_PIECES = st.sampled_from(
    [
        "[front]\n",
        "[backend]\n",
        "[check]\n",
        "[other]\n",
        'config = "a/wrangler.jsonc"\n',
        "config = 1\n",
        'ignore = ["DW001"]\n',
        'ignore = ["ZZ1"]\n',
        "ignore = [1]\n",
        'fail_on = "warning"\n',
        'fail_on = "x"\n',
        "public_routes = []\n",
        'binding = ""\n',
        "typo = 1\n",
        "= broken\n",
        "[[front]]\n",
    ]
)


@settings(max_examples=150, deadline=None)
@given(st.lists(SETTINGS_PIECES, max_size=8).map("".join))
def test_settings_file_only_located_errors(text: str) -> None:
    import tempfile
    from pathlib import Path

    from dualworker_cli.check.discover import load_settings

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "dualworker.toml"
        path.write_text(text)
        try:
            load_settings(path, "dualworker.toml")
        except ParseError as exc:
            assert exc.path == "dualworker.toml" and exc.line >= 1
