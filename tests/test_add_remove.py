"""`dualworker add` / `remove`: a pattern added later equals the pattern chosen at the start.

Offline against the local tagged template repository (tests/template_repo.py).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest
import yaml
from rich.console import Console
from typer.testing import CliRunner

from dualworker_cli import generate
from dualworker_cli import update as updating
from dualworker_cli.cli import app
from dualworker_cli.errors import DualworkerError
from dualworker_cli.generate import PATTERNS
from dualworker_cli.versioning import TEMPLATE_URL, release_tag
from tests.template_repo import (  # noqa: F401  (the *_fixture names register fixtures)
    commit_all,
    git,
    isolated_git_fixture,
    make_project,
    project_files,
    rendered_v1,
    setenv_for_git,
    template_repo_fixture,
)

runner = CliRunner()
USER_FILE = "apps/notes/mine.md"


def generated(tmp_path: Path, template_repo: Path, patterns: list[str], name: str) -> dict[str, bytes]:
    """Files of a project generated with ``patterns`` from the start (same template version)."""
    return project_files(rendered_v1(template_repo, patterns))


def with_user_file(project: Path) -> None:
    """The user's own work, which add/remove must leave alone."""
    mine = project / USER_FILE
    mine.parent.mkdir(parents=True, exist_ok=True)
    mine.write_text("my notes\n")
    commit_all(project, "user work")


def cli(*args: str):
    return runner.invoke(app, list(args))


def without_user_file(files: dict[str, bytes]) -> dict[str, bytes]:
    return {k: v for k, v in files.items() if k != USER_FILE}


def assert_same_files(actual: dict[str, bytes], expected: dict[str, bytes]) -> None:
    assert sorted(actual) == sorted(expected), "file sets differ"
    different = [name for name in expected if actual[name] != expected[name]]
    assert not different, f"contents differ: {different}"


def one_fast(fast: str) -> list:
    """The patterns as parameters, only ``fast`` in the fast suite (`-m "not e2e"`): each variant
    renders a project three times with Copier (~5 s), so the other two run with the e2e tests
    (`.ci/run` runs both). Each test keeps a different pattern fast, so the fast loop still adds and
    removes every pattern once."""
    return [pytest.param(p, marks=() if p == fast else pytest.mark.e2e) for p in PATTERNS]


@pytest.mark.parametrize("pattern", one_fast("queue"))
def test_add_then_remove_each_pattern(tmp_path: Path, template_repo: Path, pattern: str) -> None:
    """Add equals generating with the pattern, remove restores the start; `dualworker check` finds
    nothing after either (one add/remove round trip per pattern serves both checks)."""
    project = make_project(tmp_path, template_repo, [])
    with_user_file(project)
    start = project_files(project)

    started = time.monotonic()
    result = cli("add", pattern, str(project))
    print(f"[timing] dualworker add {pattern}: {time.monotonic() - started:.2f} s")
    assert result.exit_code == 0, result.output
    after_add = project_files(project)
    assert after_add[USER_FILE] == b"my notes\n"
    assert_same_files(without_user_file(after_add), generated(tmp_path, template_repo, [pattern], "fresh"))
    assert yaml.safe_load((project / ".copier-answers.yml").read_text())["patterns"] == [pattern]
    assert yaml.safe_load((project / ".copier-answers.yml").read_text())["_commit"] == "v0.1.0"
    report = check_report(project)
    assert report["findings"] == []
    assert report["template_update"] == "v0.2.0"  # information from newer_template_version, not a finding
    commit_all(project, f"add {pattern}")

    result = cli("remove", pattern, str(project))
    assert result.exit_code == 0, result.output
    assert_same_files(project_files(project), start)
    assert "deleted" in result.output and "git show HEAD:" in result.output
    assert check_report(project)["findings"] == []


@pytest.mark.parametrize("pattern", one_fast("websocket"))
def test_react_project_add_then_remove_each_pattern(
    tmp_path: Path, template_repo: Path, pattern: str
) -> None:
    """In a `--frontend react` project, add brings the pattern's panel, routes and types exactly as
    generating with it would, and keeps the frontend; remove takes every trace away again."""
    project = make_project(tmp_path, template_repo, [], frontend="react")
    start = project_files(project)
    result = cli("add", pattern, str(project))
    assert result.exit_code == 0, result.output
    expected = project_files(rendered_v1(template_repo, [pattern], frontend="react"))
    assert_same_files(project_files(project), expected)
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    assert (answers["patterns"], answers["frontend"]) == ([pattern], "react")
    assert check_report(project)["findings"] == []
    commit_all(project, f"add {pattern}")

    result = cli("remove", pattern, str(project))
    assert result.exit_code == 0, result.output
    assert_same_files(project_files(project), start)
    assert check_report(project)["findings"] == []


@pytest.mark.parametrize("pattern", one_fast("workflow"))
def test_add_last_missing_pattern_equals_all_patterns(
    tmp_path: Path, template_repo: Path, pattern: str
) -> None:
    """Shared files (wrangler.jsonc, the Hono apps, package.json) merge with the other patterns' lines."""
    others = [p for p in PATTERNS if p != pattern]
    project = make_project(tmp_path, template_repo, others)
    result = cli("add", pattern, str(project))
    assert result.exit_code == 0, result.output
    assert_same_files(project_files(project), generated(tmp_path, template_repo, list(PATTERNS), "all"))
    commit_all(project, f"add {pattern}")
    result = cli("remove", pattern, str(project))
    assert result.exit_code == 0, result.output
    assert_same_files(project_files(project), generated(tmp_path, template_repo, others, "others"))


def test_add_keeps_user_edit_to_shared_file(tmp_path: Path, template_repo: Path) -> None:
    project = make_project(tmp_path, template_repo, [])
    package = project / "package.json"
    text = package.read_text()
    package.write_text(text.replace("{", '{\n  "description": "user text",', 1))
    commit_all(project, "describe the project")

    result = cli("add", "queue", str(project))

    assert result.exit_code == 0, result.output
    assert '"description": "user text"' in package.read_text()
    assert "package.json changed: run `npm install`" in result.output


def test_pretend_add_changes_nothing(tmp_path: Path, template_repo: Path) -> None:
    project = make_project(tmp_path, template_repo, [])
    before = project_files(project)
    result = cli("add", "workflow", str(project), "--pretend")
    assert result.exit_code == 0, result.output
    assert "Would change" in result.output and "added" in result.output
    assert project_files(project) == before
    assert git(project, "status", "--porcelain") == ""


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["add", "kafka"], "unknown pattern 'kafka'"),
        (["remove", "cron"], "unknown pattern 'cron'"),
        (["add", "queue"], "pattern 'queue' is already in the project"),
        (["remove", "workflow"], "pattern 'workflow' is not in the project"),
    ],
)
def test_refusals_are_one_line_exit_2_nothing_changed(
    tmp_path: Path, template_repo: Path, args: list[str], message: str
) -> None:
    project = make_project(tmp_path, template_repo, ["queue"])
    before, head = project_files(project), git(project, "rev-parse", "HEAD")
    result = cli(*args, str(project))
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert len(result.output.strip().splitlines()) == 1, result.output
    assert project_files(project) == before
    assert git(project, "status", "--porcelain") == "" and git(project, "rev-parse", "HEAD") == head


def test_add_refuses_dirty_tree(tmp_path: Path, template_repo: Path) -> None:
    project = make_project(tmp_path, template_repo, [])
    (project / "scratch.txt").write_text("wip\n")
    before = project_files(project)
    result = cli("add", "queue", str(project))
    assert result.exit_code == 2 and "uncommitted changes" in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert project_files(project) == before


def test_add_from_packaged_template_needs_no_network(
    tmp_path: Path, template_repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A wheel-generated project (canonical URL + installed tag) re-renders from the packaged template.

    The canonical URL is unreachable here; success proves the packaged copy was used.
    """
    packaged = tmp_path / "site-packages" / "dualworker_cli" / "_template"
    packaged.mkdir(parents=True)
    shutil.copy2(template_repo / "copier.yml", packaged / "copier.yml")
    git(template_repo, "archive", "v0.1.0", "template", "-o", str(tmp_path / "t.tar"))
    subprocess.run(["tar", "-xf", str(tmp_path / "t.tar"), "-C", str(packaged)], check=True)
    monkeypatch.setattr(generate, "template_source", lambda: packaged)
    # Any attempt to reach the canonical URL fails fast instead of touching the network.
    setenv_for_git(monkeypatch, "GIT_ALLOW_PROTOCOL", "file")

    folder = tmp_path / "p"
    folder.mkdir()
    project = generate.render(generate.Answers("demo", patterns=[]), folder / "demo")  # from "the wheel"
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    assert answers["_src_path"] == TEMPLATE_URL and answers["_commit"] == release_tag()
    assert generate.git_init(project) is None

    result = cli("add", "queue", str(project))

    assert result.exit_code == 0, result.output
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    assert answers["_src_path"] == TEMPLATE_URL and answers["_commit"] == release_tag()
    assert answers["patterns"] == ["queue"]
    assert "queue" in (project / "apps/data-service/wrangler.jsonc").read_text()
    # The update engine alone (no packaged copy) cannot reach the canonical URL: prove the point.
    commit_all(project, "add queue")
    with pytest.raises(DualworkerError, match="cannot reach"):
        updating.run(Console(quiet=True), project)


def check_report(project: Path) -> dict:
    """`dualworker check --format json` on the project: must exit 0; returns the report."""
    result = cli("check", str(project), "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _npm(args: list[str], project: Path, env: dict[str, str], timeout: int) -> None:
    started = time.monotonic()
    proc = subprocess.run(
        ["npm", *args], cwd=project, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    print(f"[timing] npm {' '.join(args)}: {time.monotonic() - started:.1f} s")
    assert proc.returncode == 0, f"npm {' '.join(args)} failed:\n{(proc.stdout + proc.stderr)[-4000:]}"


@pytest.mark.e2e
def test_added_pattern_installs_typechecks_and_passes_tests(
    tmp_path: Path, template_repo: Path, node_env: dict[str, str]
) -> None:
    project = make_project(tmp_path, template_repo, [])
    result = cli("add", "queue", str(project))
    assert result.exit_code == 0, result.output
    env = {**node_env, **{k: v for k, v in os.environ.items() if k.startswith("GIT_")}}
    env.update(
        WRANGLER_SEND_METRICS="false",
        CLOUDFLARE_CF_FETCH_ENABLED="false",
        XDG_CONFIG_HOME=str(tmp_path / "xdg-config"),
        XDG_CACHE_HOME=str(tmp_path / "xdg-cache"),
        XDG_DATA_HOME=str(tmp_path / "xdg-data"),
    )
    _npm(["install", "--no-audit", "--no-fund"], project, env, timeout=900)
    _npm(["run", "typecheck"], project, env, timeout=600)
    _npm(["test"], project, env, timeout=900)


def test_unreachable_recorded_source_fails_in_one_line_without_changes(
    tmp_path: Path, template_repo: Path
) -> None:
    project = make_project(tmp_path, template_repo, [])
    answers = project / ".copier-answers.yml"
    answers.write_text(answers.read_text().replace(str(template_repo), str(tmp_path / "moved-away")))
    commit_all(project, "the template clone moved")
    before = project_files(project)
    result = cli("add", "queue", str(project))
    assert result.exit_code == 2, result.output  # refused: nothing changed (1 means conflicts remain)
    error = [line for line in result.output.splitlines() if line.startswith("error:")]
    assert len(error) == 1 and "does not exist" in error[0] and "--template" in error[0], result.output
    assert project_files(project) == before
    assert git(project, "status", "--porcelain") == ""


def test_add_reports_conflict_where_user_edited_the_same_spot(tmp_path: Path, template_repo: Path) -> None:
    """The user's line sits exactly where the pattern inserts its own: a conflict, never a silent loss."""
    import difflib

    path = "apps/user-application/wrangler.jsonc"
    before = generated(tmp_path, template_repo, [], "plain")[path].decode().splitlines(True)
    after = generated(tmp_path, template_repo, ["queue"], "queued")[path].decode().splitlines(True)
    spot, inserted = next(
        (i1, after[j1])
        for tag, i1, _, j1, _ in difflib.SequenceMatcher(a=before, b=after).get_opcodes()
        if tag in {"insert", "replace"}
    )
    project = make_project(tmp_path, template_repo, [])
    lines = (project / path).read_text().splitlines(True)
    lines.insert(spot, "  // user: my own line exactly here\n")
    (project / path).write_text("".join(lines))
    commit_all(project, "user line where the queue binding will go")

    result = cli("add", "queue", str(project))

    assert result.exit_code == 1, result.output
    text = (project / path).read_text()
    assert "<<<<<<< before updating" in text and "// user: my own line exactly here" in text
    assert inserted in text  # the pattern's own line is there too, on the other side of the conflict
    assert path in result.output and "conflict" in result.output
    assert f"UU {path}" in git(project, "status", "--porcelain")


def test_jwks_project_adds_every_pattern_one_by_one(tmp_path: Path, template_repo: Path) -> None:
    """Sequential adds (each committed) on a JWKS project end where `-p queue,websocket,workflow` starts."""
    project = make_project(tmp_path, template_repo, [], auth_mode="jwks")
    for pattern in PATTERNS:
        result = cli("add", pattern, str(project))
        assert result.exit_code == 0, result.output
        commit_all(project, f"add {pattern}")
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    expected = project_files(make_project(fresh, template_repo, list(PATTERNS), auth_mode="jwks"))
    assert_same_files(project_files(project), expected)
    assert yaml.safe_load((project / ".copier-answers.yml").read_text())["auth_mode"] == "jwks"


def test_path_that_is_a_file_or_missing(tmp_path: Path, template_repo: Path) -> None:
    project = make_project(tmp_path, template_repo, [])
    result = cli("add", "queue", str(project / "package.json"))
    assert result.exit_code == 2, result.output
    assert len(result.output.strip().splitlines()) == 1
    assert "package.json is a file, not a project folder" in result.output
    result = cli("update", str(tmp_path / "nope"))
    assert result.exit_code == 2 and "no such project folder" in result.output


def test_subfolder_of_a_project_names_the_project(tmp_path: Path, template_repo: Path) -> None:
    """`cd apps && dualworker add queue`: say where the project is instead of 'not generated by ...'."""
    project = make_project(tmp_path, template_repo, [])
    result = cli("add", "queue", str(project / "apps" / "data-service"))
    assert result.exit_code == 2, result.output
    line = " ".join(result.output.split())
    assert f"is inside the project {project}" in line and f"dualworker add queue {project}" in line
    assert git(project, "status", "--porcelain") == ""


def test_malformed_answers_file_is_named_as_such(tmp_path: Path, template_repo: Path) -> None:
    project = make_project(tmp_path, template_repo, [])
    answers = project / ".copier-answers.yml"
    answers.write_text(answers.read_text().replace("patterns: []", "patterns: [queue"))
    commit_all(project, "a bad hand edit")
    for args in (["add", "queue"], ["update"]):
        result = cli(*args, str(project))
        assert result.exit_code == 2, result.output
        assert len(result.output.strip().splitlines()) == 1, result.output
        assert ".copier-answers.yml is not valid YAML" in result.output and "line " in result.output


@pytest.mark.parametrize(("action", "pattern"), [("add", "websocket"), ("remove", "queue")])
def test_unknown_pattern_in_answers_file_refused_up_front(
    tmp_path: Path, template_repo: Path, action: str, pattern: str
) -> None:
    project = make_project(tmp_path, template_repo, ["queue"])
    answers = project / ".copier-answers.yml"
    answers.write_text(answers.read_text().replace("- queue", "- queue\n- kafka"))
    commit_all(project, "a hand edit")
    result = cli(action, pattern, str(project))
    assert result.exit_code == 2, result.output
    assert len(result.output.strip().splitlines()) == 1, result.output
    assert ".copier-answers.yml: `patterns` lists 'kafka'" in result.output
    assert git(project, "status", "--porcelain") == ""


def test_merge_in_progress_refused(tmp_path: Path, template_repo: Path) -> None:
    """A clean tree in the middle of a merge: the template change would end up in the merge commit."""
    project = make_project(tmp_path, template_repo, [])
    git(project, "checkout", "-q", "-b", "side")
    git(project, "commit", "-q", "--allow-empty", "-m", "side")
    git(project, "checkout", "-q", "-")
    git(project, "merge", "--no-ff", "--no-commit", "side")
    assert git(project, "status", "--porcelain") == ""
    for args in (["add", "queue"], ["update"]):
        result = cli(*args, str(project))
        assert result.exit_code == 2, result.output
        assert len(result.output.strip().splitlines()) == 1, result.output
        assert "a merge is in progress" in result.output and "git merge --abort" in result.output
    assert git(project, "status", "--porcelain") == ""


def test_conflicted_merge_says_merge_not_stash(tmp_path: Path, template_repo: Path) -> None:
    project = make_project(tmp_path, template_repo, [])
    (project / "notes.txt").write_text("main\n")
    commit_all(project, "main notes")
    git(project, "checkout", "-q", "-b", "side", "HEAD~1")
    (project / "notes.txt").write_text("side\n")
    commit_all(project, "side notes")
    git(project, "checkout", "-q", "-")
    git(project, "merge", "side", check=False)
    result = cli("add", "queue", str(project))
    assert result.exit_code == 2, result.output
    assert "a merge is in progress" in result.output


def test_detached_head_works(tmp_path: Path, template_repo: Path) -> None:
    project = make_project(tmp_path, template_repo, [])
    git(project, "checkout", "-q", "--detach")
    result = cli("add", "queue", str(project))
    assert result.exit_code == 0, result.output
    assert "queue" in yaml.safe_load((project / ".copier-answers.yml").read_text())["patterns"]


@pytest.mark.e2e  # fast: test_add_then_remove_each_pattern[queue] removes the last pattern of a project
def test_remove_the_last_pattern(tmp_path: Path, template_repo: Path) -> None:
    """A project generated with one pattern, without it, is the project generated with none.

    In the e2e suite (one more Copier update): the fast suite's add/remove round trip removes the
    last pattern from a project byte for byte equal to the one generated with it (the add step
    asserts that), through the same update, and compares the result file by file (answers too)."""
    project = make_project(tmp_path, template_repo, ["workflow"])
    result = cli("remove", "workflow", str(project))
    assert result.exit_code == 0, result.output
    assert yaml.safe_load((project / ".copier-answers.yml").read_text())["patterns"] == []
    assert_same_files(project_files(project), generated(tmp_path, template_repo, [], "none"))


def test_unknown_auth_mode_in_answers_file_refused_up_front(tmp_path: Path, template_repo: Path) -> None:
    project = make_project(tmp_path, template_repo, [])
    answers = project / ".copier-answers.yml"
    answers.write_text(answers.read_text().replace("auth_mode: secret", "auth_mode: oauth"))
    commit_all(project, "a hand edit")
    result = cli("add", "queue", str(project))
    assert result.exit_code == 2, result.output
    assert len(result.output.strip().splitlines()) == 1, result.output
    assert ".copier-answers.yml: `auth_mode` is 'oauth'" in result.output
    assert git(project, "status", "--porcelain") == ""
