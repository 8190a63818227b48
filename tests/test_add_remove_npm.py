"""`add`/`remove`/`update` in an installed project keep npm and the Worker types in step.

Without this, `npm run typecheck` failed after `dualworker add workflow` on the stale
`worker-configuration.d.ts` ("Property 'DEMO_WORKFLOW' does not exist on type 'Env'"). npm is a
stand-in here that logs its arguments; the e2e suite runs the real one.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from dualworker_cli.cli import app
from dualworker_cli.update import Changes, npm_refresh_steps, refresh_node_project, report
from tests.template_repo import (  # noqa: F401  (the *_fixture names register fixtures)
    git,
    isolated_git_fixture,
    make_project,
    template_repo_fixture,
)

runner = CliRunner()


@pytest.fixture
def npm_log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """node (v24) and npm stand-ins first on PATH; npm appends its arguments to the returned file."""
    bin_dir = tmp_path / "fake-bin"
    bin_dir.mkdir()
    log = tmp_path / "npm.log"
    scripts = {
        "node": "echo v24.1.0",
        "npm": f'echo "$*" >> {log}; [ "$1" != fail ] || exit 1',
    }
    for name, body in scripts.items():
        (bin_dir / name).write_text(f"#!/bin/sh\n{body}\n")
        (bin_dir / name).chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    return log


def installed_project(tmp_path: Path, template_repo: Path, patterns: list[str]) -> Path:
    project = make_project(tmp_path, template_repo, patterns)
    (project / "node_modules").mkdir()  # ignored by the project's .gitignore: the tree stays clean
    assert git(project, "status", "--porcelain") == ""
    return project


def calls(log: Path) -> list[str]:
    return log.read_text().splitlines() if log.exists() else []


def test_add_that_changes_package_json_runs_npm_install(
    tmp_path: Path, template_repo: Path, npm_log: Path
) -> None:
    project = installed_project(tmp_path, template_repo, [])

    result = runner.invoke(app, ["add", "queue", str(project)])  # the deploy script gains a step

    assert result.exit_code == 0, result.output
    assert calls(npm_log) == ["install --no-audit --no-fund"]  # its postinstall regenerates the types
    assert "npm install" in result.output and "Worker types regenerated" in result.output


@pytest.mark.parametrize(("flags", "expected"), [((), ["run types"]), (("--no-install",), [])])
def test_add_of_bindings_only_regenerates_the_worker_types(
    tmp_path: Path, template_repo: Path, npm_log: Path, flags: tuple[str, ...], expected: list[str]
) -> None:
    project = installed_project(tmp_path, template_repo, [])

    result = runner.invoke(app, ["add", "workflow", str(project), *flags])

    assert result.exit_code == 0, result.output
    assert calls(npm_log) == expected
    if flags:
        assert "--no-install: run `npm run types`" in result.output


# The step itself, without a Copier run each (the two CLI tests above run the whole command).


def _changes(*paths: str, conflicts: tuple[str, ...] = ()) -> Changes:
    return Changes(changed=dict.fromkeys(paths, "modified"), conflicts=list(conflicts))


def _console() -> Console:
    return Console(record=True, width=200)


@pytest.mark.parametrize(
    ("installed", "changes", "pretend", "steps"),
    [
        (True, _changes("apps/data-service/wrangler.jsonc"), False, [("run", "types")]),  # remove, too
        (True, _changes("package.json", "apps/x.ts"), False, [("install", "--no-audit", "--no-fund")]),
        (False, _changes("package.json"), False, []),  # never installed: `npm install` does both
        (True, _changes("package.json", conflicts=("package.json",)), False, []),  # markers in files
        (True, _changes("apps/data-service/wrangler.jsonc"), True, []),  # --pretend
        (True, _changes(), False, []),  # nothing changed
    ],
)
def test_npm_steps_follow_what_changed(
    tmp_path: Path, installed: bool, changes: Changes, pretend: bool, steps: list[tuple[str, ...]]
) -> None:
    if installed:
        (tmp_path / "node_modules").mkdir()
    assert npm_refresh_steps(tmp_path, changes, pretend=pretend) == steps


def test_project_never_installed_is_told_to_run_npm_install(tmp_path: Path) -> None:
    console = _console()
    report(console, _changes("package.json"), title="t", pretend=False, conflict="inline")
    assert "package.json changed: run `npm install`" in console.export_text()


def test_no_install_runs_no_npm_and_says_what_to_run(tmp_path: Path, npm_log: Path) -> None:
    console = _console()
    assert refresh_node_project(console, tmp_path, [("run", "types")], install=False) == 0
    assert calls(npm_log) == []
    assert "--no-install: run `npm run types`" in console.export_text()


def test_failing_npm_is_exit_1_with_the_command_to_rerun(tmp_path: Path, npm_log: Path) -> None:
    console = _console()
    assert refresh_node_project(console, tmp_path, [("fail", "types")]) == 1
    text = " ".join(console.export_text().split())
    assert "npm fail types failed; the template change is applied" in text
    assert f"cd {tmp_path} && npm fail types" in text


def test_typecheck_script_regenerates_the_worker_types_first(rendered) -> None:
    """`npm run typecheck` can never check stale types, whoever changed the wrangler configs."""
    import json

    project = rendered(["workflow"])
    script = json.loads((project / "package.json").read_text())["scripts"]["typecheck"]
    assert script.startswith("npm run types && tsc ")
