"""`dualworker check`, reporters: behaviour on hand-written projects."""

from __future__ import annotations

from pathlib import Path

from tests.test_check_support import backend, make_project


def test_sarif_uris_never_climb_out_of_srcroot(tmp_path: Path, monkeypatch) -> None:
    """Run from a sibling folder, the URI was `../proj/core/wrangler.jsonc` under %SRCROOT%; a
    space was left raw. Now: relative and percent-encoded under the current folder, else absolute."""
    import json

    from tests.test_check_cli import invoke

    data = backend()
    del data["workers_dev"]
    root = make_project(tmp_path / "my proj", backend=data)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    for cwd, expected in (
        (tmp_path, {"uri": "my%20proj/core/wrangler.jsonc", "uriBaseId": "%SRCROOT%"}),
        (elsewhere, {"uri": (root / "core" / "wrangler.jsonc").resolve().as_uri()}),
    ):
        monkeypatch.chdir(cwd)
        code, out, _ = invoke(str(root), "--format", "sarif", "--fail-on", "warning")
        log = json.loads(out)
        assert code == 1 and log["version"] == "2.1.0" and log["$schema"].endswith("sarif-2.1.0.json")
        run = log["runs"][0]
        for rule in run["tool"]["driver"]["rules"]:
            assert {"id", "shortDescription", "fullDescription", "help"} <= rule.keys()
            assert (
                rule["shortDescription"]["text"] and rule["fullDescription"]["text"] and rule["help"]["text"]
            )
        [result] = run["results"]
        # the binding names InternalApi: the URL reaches only the default export (a warning)
        assert result["ruleId"] == "DW002" and result["level"] == "warning"
        location = result["locations"][0]["physicalLocation"]
        assert location["artifactLocation"] == expected
        assert location["region"] == {"startLine": 3, "startColumn": 3}


def test_table_prints_brackets_in_paths_and_messages_as_text(tmp_path: Path, monkeypatch) -> None:
    """Rich read `[slug]` folders (Next.js/SvelteKit style) and Hono regex routes as markup: the
    path lost its `[slug]` parts, and a `[/x]` in a route crashed the table with a traceback."""
    from tests.test_check_cli import invoke

    index = """import { Hono } from "hono";
import { forward } from "./routes/[slug]/forward";

const app = new Hono();
app.all("/api/internal/:path{[/a-z]+}", forward);
export default app;
"""
    forward = "export const forward = (c) => c.env.BACKEND_SERVICE.fetch(c.req.raw);\n"
    make_project(tmp_path, front_ts={"src/index.ts": index, "src/routes/[slug]/forward.ts": forward})
    monkeypatch.chdir(tmp_path)
    code, out, err = invoke(".", "--select", "DW005,DW006")
    assert code == 1 and "Traceback" not in err
    assert "web/src/routes/[slug]/forward.ts:1:31" in out
    assert "`ALL /api/internal/:path{[/a-z]+}`" in out


def test_error_line_keeps_brackets_in_paths(tmp_path: Path) -> None:
    """The exit-2 line is printed as Rich markup: `[x]` in a path vanished, `[/x]` crashed."""
    from tests.test_check_cli import _one_liner, invoke

    root = make_project(tmp_path)
    for folder in ("[tenant]", "[/x]"):
        bad = root / "apps" / folder / "wrangler.jsonc"
        bad.parent.mkdir(parents=True)
        bad.write_text('{ "name": 1', encoding="utf-8")
        code, _, err = invoke(str(root))
        assert code == 2
        assert _one_liner(err) == f"error: apps/{folder}/wrangler.jsonc:1:12: unexpected end of file"
        bad.unlink()


def test_usage_errors_echo_odd_option_values_verbatim(tmp_path: Path) -> None:
    from tests.test_check_cli import _one_liner, invoke

    root = str(make_project(tmp_path))
    for args, line in (
        (["--explain", "[/x]"], "error: --explain [/x]: unknown rule"),
        (["--format", "[/x]"], "error: --format [/x]: choose one of"),
        (["--fail-on", "[/x]"], "error: --fail-on [/x]: choose one of"),
        (["--select", "[/x]"], "error: unknown rule '[/X]'"),
    ):
        code, _, err = invoke(root, *args) if args[0] != "--explain" else invoke(*args)
        assert code == 2
        assert _one_liner(err).startswith(line)
