"""Helpers shared by the CLI tests: run `dualworker new` in a folder, read a project's answers."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from dualworker_cli.cli import app

runner = CliRunner()


def new(cwd: Path, monkeypatch: pytest.MonkeyPatch, *args: str):
    """`dualworker new ARGS` run from ``cwd`` (stdin is not a TTY, so it never prompts)."""
    monkeypatch.chdir(cwd)
    return runner.invoke(app, ["new", *args])


def answers_of(project: Path) -> dict:
    return yaml.safe_load((project / ".copier-answers.yml").read_text())
