"""`dualworker check`, parse: behaviour on hand-written projects."""

from __future__ import annotations

from pathlib import Path

import pytest

from dualworker_cli.check.parse import jsonc
from dualworker_cli.check.parse.config import parse_config_text
from tests.test_check_support import FRONT_TS, lint, make_project


def test_non_utf8_typescript_points_at_the_bad_byte(tmp_path: Path) -> None:
    """The location named the file's first character, whatever line the bad byte was on."""
    from tests.test_check_cli import _one_liner, invoke

    root = make_project(tmp_path)
    (root / "web" / "src" / "proxy.ts").write_bytes(b'// proxy\nconst label = "caf\xe9";\n')
    code, _, err = invoke(str(root))
    assert code == 2
    assert _one_liner(err) == "error: web/src/proxy.ts:2:19: not UTF-8 text (byte 27)"


def test_bom_prefixed_toml_is_read_like_wrangler_does(tmp_path: Path) -> None:
    """Wrangler strips a UTF-8 BOM before parsing (removeBOMAndValidate); we exited 2 with
    "Invalid statement" at 1:1. The BOM survives --fix."""
    from dualworker_cli.check.engine import run_with_fixes

    root = make_project(tmp_path)
    (root / "core" / "wrangler.jsonc").unlink()
    toml = (
        '\ufeffname = "shop-core" # the Data Worker\n'
        'main = "src/index.ts"\ncompatibility_date = "2026-11-01"\n'
        'preview_urls = false\n\n[[durable_objects.bindings]]\nname = "ROOMS"\nclass_name = "Room"\n\n'
        '[[migrations]]\ntag = "v1"\nnew_sqlite_classes = ["Room"]\n\n'
        '[[workflows]]\nbinding = "REPORTS"\nname = "reports"\nclass_name = "ReportWorkflow"\n\n'
        '[[queues.consumers]]\nqueue = "jobs"\ndead_letter_queue = "jobs-dlq"\n'
    )
    config = root / "core" / "wrangler.toml"
    config.write_text(toml, encoding="utf-8")
    found = [(f.rule, f.path, f.line, f.col) for f in lint(root).findings]
    assert ("DW002", "core/wrangler.toml", 1, 1) in found
    result = run_with_fixes(root, select=["DW002"])
    assert result.findings == [] and result.fixed
    text = config.read_text(encoding="utf-8")
    assert text.startswith('\ufeffname = "shop-core" # the Data Worker\n') and "workers_dev = false" in text


def test_columns_do_not_count_a_byte_order_mark(tmp_path: Path) -> None:
    """Editors hide a BOM; findings and parse errors on line 1 were one column to the right."""

    from dualworker_cli.check.parse import jsonc
    from dualworker_cli.check.parse.errors import ParseError

    proxy = "\ufeffexport async function proxy(c) { return c.env.BACKEND_SERVICE.fetch(c.req.raw); }\n"
    from tests.test_check_support import FRONT_TS

    root = make_project(tmp_path, front_ts={**FRONT_TS, "src/proxy.ts": proxy})
    found = {(f.rule, f.path, f.line, f.col) for f in lint(root).findings}
    assert ("DW006", "web/src/proxy.ts", 1, 41) in found
    assert jsonc.parse('\ufeff{ "a": 1, }').position(3) == (1, 3)
    with pytest.raises(ParseError) as error:
        jsonc.parse('\ufeff{ "a" 1 }')
    assert (error.value.line, error.value.col) == (1, 7)


def test_broken_export_and_import_lists_are_not_an_internal_error(tmp_path: Path) -> None:
    """`export ult { fetch: f };` (a half-typed edit) made tree-sitter recover with export
    specifiers without a name: DW005 crashed ("internal error", exit 2)."""

    broken = FRONT_TS["src/app.ts"] + 'export ult { fetch: f };\nimport { , as x } from "./auth";\n'
    root = make_project(tmp_path, front_ts={**FRONT_TS, "src/app.ts": broken})
    lint(root)  # no RuleCrash


JSONC_TEXTS = [
    '{"a": 1}',
    '\ufeff{"a": [1, 2.5, -0, 1e3, true, null]}',
    '// head\n{\n  "url": "https://x.dev/a//b", // tail\n  /* block, with } and ] */ "b": "/* not */",\n}',
    '{"list": [1, 2, /* two */ ], "o": {"k": "v",\n  // c\n}, }',
    '{"esc": "a\\"b\\\\", "u": "\\u00e9\\ud83d\\ude00", "dup": 1, "dup": 2}',
    '{"comma": ",]", "slash": "//", "star": "*/"}',
]


@pytest.mark.parametrize("text", JSONC_TEXTS)
def test_jsonc_fast_values_equal_the_full_parser(text: str) -> None:
    assert jsonc.fast_value(text) == jsonc.parse(text).to_python()


@pytest.mark.parametrize(
    "text",
    ['{"a": NaN}', '{"a": Infinity}', "{'a': 1}", '{"a": 1 /* open', '{"a": 1} {}', "", '{"a": "t\tb"}'],
)
def test_jsonc_fast_path_leaves_what_it_does_not_take_to_the_full_parser(text: str) -> None:
    assert jsonc.fast_value(text) is None


def test_config_read_by_the_fast_path_still_locates_keys(tmp_path: Path) -> None:
    text = '// c\n{\n  "name": "api",\n  "env": { "staging": { "workers_dev": true, }, },\n}\n'
    config = parse_config_text(text, tmp_path / "wrangler.jsonc", "wrangler.jsonc")
    assert config.doc is None and config.data["env"]["staging"]["workers_dev"] is True
    assert config.position(("env", "staging", "workers_dev")) == (4, 25)
