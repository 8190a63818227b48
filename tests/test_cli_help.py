"""--help lists the choices of every option that has them, shows value names instead of type labels,
ends with examples; shells complete the choices."""

from __future__ import annotations

import pytest
import typer
from typer.testing import CliRunner

from dualworker_cli.cli import app

runner = CliRunner()
COMMANDS = ("new", "check", "update", "add", "remove")


def help_text(command: str) -> str:
    result = runner.invoke(app, [command, "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.parametrize(
    ("command", "shown"),
    [
        ("new", ["[queue|websocket|workflow|none]", "[secret|jwks]", "KEY=VALUE", "SRC", "NAME"]),
        ("check", ["[table|json|sarif|github]", "[error|warning|info|never]", "RULES", "FILE", "PATH"]),
        ("update", ["[inline|rej]", "TAG", "SRC", "PATH"]),
        ("add", ["[inline|rej]", "PATTERN", "PATH"]),
        ("remove", ["[inline|rej]", "PATTERN", "PATH"]),
    ],
)
def test_help_shows_choices_and_value_names(command: str, shown: list[str]) -> None:
    text = help_text(command)
    for label in shown:
        assert label in text, (command, label)
    assert "<list[str]>" not in text
    options = [line for line in text.splitlines() if "--" in line and "--help" not in line]
    assert not any("<bool>" in line for line in options), options
    assert "{name}" not in text and "<str>        " not in text.split("Options")[-1]


@pytest.mark.parametrize("command", COMMANDS)
def test_help_ends_with_examples(command: str) -> None:
    text = help_text(command)
    assert "Examples" in text
    assert f"$ dualworker {command}" in text


@pytest.mark.parametrize(
    ("command", "option", "incomplete", "offered"),
    [
        ("new", "auth", "j", ["jwks"]),
        ("new", "pattern", "w", ["websocket", "workflow"]),
        ("check", "fmt", "s", ["sarif"]),
        ("check", "fail_on", "", ["error", "warning", "info", "never"]),
        ("update", "conflict", "r", ["rej"]),
        ("add", "pattern", "q", ["queue"]),
    ],
)
def test_shell_completion_offers_the_choices(
    command: str, option: str, incomplete: str, offered: list[str]
) -> None:
    cmd = typer.main.get_command(app).commands[command]  # type: ignore[attr-defined]
    param = next(p for p in cmd.params if p.name == option)
    ctx = cmd.context_class(cmd)
    assert [item.value for item in param.shell_complete(ctx, incomplete)] == offered
