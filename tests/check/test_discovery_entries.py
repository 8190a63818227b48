"""Discovery: a config without `main`, an entry on the command line, a Python Worker (DW014)."""

from __future__ import annotations

from pathlib import Path

from dualworker_cli.check.analysis import front_analysis
from dualworker_cli.check.engine import run
from tests.check.fixtures import copy_fixture, found, lint


def test_config_without_main_says_which_rules_did_not_run() -> None:
    result = lint("no-main")
    assert found(result) == [("DW014", "web/wrangler.toml", 1)]
    [info] = result.findings
    assert info.severity.label == "info"
    assert info.message.startswith("DW005/DW006/DW011 did not run on `board-web`: `main` is not set")
    assert "`entry` under [front]" in info.message


def test_info_never_fails_the_default_threshold() -> None:
    from dualworker_cli.check.command import exit_status

    assert exit_status(lint("no-main"), "error") == 0


def test_entry_from_package_json_script_is_followed() -> None:
    result = lint("entry-from-script")
    assert result.findings == []
    pair = result.project.pairs[0]
    assert pair.front.main is not None and pair.front.main.name == "index.ts"
    assert pair.front.entry_source == "a package.json script"
    routes = {r.full_path: r.protected for r in front_analysis(result.project, pair).routes}
    assert routes == {"/api/*": True}  # the code was really read


def test_entry_from_settings_file(tmp_path: Path) -> None:
    root = copy_fixture("no-main", tmp_path)
    (root / "dualworker.toml").write_text(
        '[front]\nconfig = "web/wrangler.toml"\nentry = "src/index.ts"\n'
        '[backend]\nconfig = "api/wrangler.toml"\n'
    )
    result = run(root)
    assert result.findings == []
    assert result.project.pairs[0].front.entry_source == "dualworker.toml"


def test_python_backend_is_not_unexported_and_is_said() -> None:
    result = lint("python-backend")
    assert found(result) == [("DW014", "api/wrangler.toml", 2)]
    assert "Python Worker" in result.findings[0].message
    # hand-written: whether the Python backend authenticates itself is unknown, so the public-URL
    # rules say they did not run instead of guessing
    assert result.findings[0].message.startswith("DW001/DW002/DW003/DW010/DW012 did not run on `rooms-api`")
