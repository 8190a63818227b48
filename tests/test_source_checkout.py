"""Rendering from a git checkout of the template records a version a later update can find.

The README's first command used to generate inside the dualworker checkout: the new folder (and
the render's own staging folder) made the checkout dirty, Copier snapshotted it into a throw-away
commit, and the project recorded a `_commit` that existed nowhere, so `add`/`update` refused it.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from dualworker_cli import generate
from dualworker_cli.cli import app
from dualworker_cli.versioning import TEMPLATE_URL, release_tag
from tests.shared import build_once, shared_root
from tests.template_repo import (  # noqa: F401  (the *_fixture names register fixtures)
    copy_template,
    git,
    isolated_git_fixture,
)

runner = CliRunner()
EDIT = "An uncommitted template edit."


def _committed_checkout(repo: Path) -> None:
    copy_template(repo)
    (repo / ".gitignore").write_text(".venv/\n")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "--no-verify", "-m", "template")


@pytest.fixture
def checkout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """A committed git checkout of the template that `dualworker new` renders by default (a copy,
    .git included, of one committed once per test run)."""
    repo = tmp_path / "dualworker"
    shutil.copytree(
        build_once(shared_root(tmp_path_factory) / "checkout" / "dualworker", _committed_checkout), repo
    )
    monkeypatch.setattr(generate, "template_source", lambda: repo)
    return repo


def _answers(project: Path) -> dict:
    return yaml.safe_load((project / ".copier-answers.yml").read_text())


def _resolves(source: Path, commit: str) -> bool:
    return git(source, "rev-parse", "--verify", "-q", f"{commit}^{{commit}}", check=False).strip() != ""


def test_new_inside_the_checkout_records_a_commit_the_checkout_has(
    checkout: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (checkout / "notes.txt").write_text("an untracked file, like the new project folder itself")
    monkeypatch.chdir(checkout)

    result = runner.invoke(app, ["new", "myapp", "-y", "-p", "none", "--no-install", "--git"])

    assert result.exit_code == 0, result.output
    answers = _answers(checkout / "myapp")
    assert answers["_src_path"] == str(checkout)
    assert _resolves(checkout, answers["_commit"]), answers["_commit"]
    # ...so the commands that re-render the recorded version work on it.
    added = runner.invoke(app, ["add", "queue", str(checkout / "myapp")])
    assert added.exit_code == 0, added.output


def test_uncommitted_template_edits_are_recorded_as_the_packaged_release(
    checkout: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    readme = checkout / "template" / "README.md.jinja"
    readme.write_text(readme.read_text() + f"\n{EDIT}\n")
    monkeypatch.chdir(tmp_path)

    result = runner.invoke(app, ["new", "demo", "-y", "-p", "none", "--no-install", "--no-git"])

    assert result.exit_code == 0, result.output
    answers = _answers(tmp_path / "demo")
    assert (answers["_src_path"], answers["_commit"]) == (TEMPLATE_URL, release_tag())
    assert EDIT in (tmp_path / "demo" / "README.md").read_text()  # what the developer has, rendered
    assert "uncommitted template changes (template/README.md.jinja)" in result.output


def test_template_option_with_uncommitted_edits_and_no_release_is_refused(
    checkout: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    readme = checkout / "template" / "README.md.jinja"
    readme.write_text(readme.read_text() + f"\n{EDIT}\n")
    monkeypatch.chdir(tmp_path)

    result = runner.invoke(
        app, ["new", "demo", "-y", "--no-install", "--no-git", "--template", str(checkout)]
    )

    assert result.exit_code == 2, result.output
    assert "uncommitted template changes" in result.output and "exists nowhere" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "demo").exists()
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith(("empty", "copier"))) == [
        "dualworker"
    ]
