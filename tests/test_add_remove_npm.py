"""`add`/`remove`/`update` in an installed project keep npm and the Worker types in step.

Without this, `npm run typecheck` failed after `dualworker add workflow` on the stale
`worker-configuration.d.ts` ("Property 'DEMO_WORKFLOW' does not exist on type 'Env'"). npm is a
stand-in here that logs its arguments; the e2e suite runs the real one.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dualworker_cli.cli import app
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


def test_add_of_bindings_only_regenerates_the_worker_types(
    tmp_path: Path, template_repo: Path, npm_log: Path
) -> None:
    project = installed_project(tmp_path, template_repo, [])

    result = runner.invoke(app, ["add", "workflow", str(project)])

    assert result.exit_code == 0, result.output
    assert calls(npm_log) == ["run types"]


def test_remove_regenerates_the_worker_types_too(tmp_path: Path, template_repo: Path, npm_log: Path) -> None:
    project = installed_project(tmp_path, template_repo, ["workflow"])

    result = runner.invoke(app, ["remove", "workflow", str(project)])

    assert result.exit_code == 0, result.output
    assert calls(npm_log) == ["run types"]


def test_no_install_runs_no_npm_and_says_what_to_run(
    tmp_path: Path, template_repo: Path, npm_log: Path
) -> None:
    project = installed_project(tmp_path, template_repo, [])

    result = runner.invoke(app, ["add", "workflow", str(project), "--no-install"])

    assert result.exit_code == 0, result.output
    assert calls(npm_log) == []
    assert "--no-install: run `npm run types`" in result.output


def test_project_never_installed_runs_no_npm(tmp_path: Path, template_repo: Path, npm_log: Path) -> None:
    project = make_project(tmp_path, template_repo, [])

    result = runner.invoke(app, ["add", "queue", str(project)])

    assert result.exit_code == 0, result.output
    assert calls(npm_log) == []
    assert "package.json changed: run `npm install`" in result.output


def test_failing_npm_is_exit_1_with_the_command_to_rerun(
    tmp_path: Path, template_repo: Path, npm_log: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = installed_project(tmp_path, template_repo, [])
    from dualworker_cli import patterns

    monkeypatch.setattr(patterns, "npm_refresh_steps", lambda *a, **k: [("fail", "types")])
    result = runner.invoke(app, ["add", "workflow", str(project)])

    assert result.exit_code == 1, result.output
    assert "npm fail types failed; the template change is applied" in " ".join(result.output.split())
    assert "workflow" in (project / ".copier-answers.yml").read_text()


def test_typecheck_script_regenerates_the_worker_types_first(tmp_path: Path, template_copy: Path) -> None:
    """`npm run typecheck` can never check stale types, whoever changed the wrangler configs."""
    import json

    from dualworker_cli.generate import Answers, render

    project = render(Answers("demo", patterns=["workflow"]), tmp_path / "demo", src=template_copy)
    script = json.loads((project / "package.json").read_text())["scripts"]["typecheck"]
    assert script.startswith("npm run types && tsc ")
