"""`dualworker update` and the versioned template, offline against a local repo tagged v0.1.0 -> v0.2.0."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from dualworker_cli import generate
from dualworker_cli.cli import app
from dualworker_cli.update import newer_template_version
from dualworker_cli.versioning import (
    TEMPLATE_URL,
    expand_shortcut,
    is_local_source,
    parse_version,
    pin_packaged_source,
    release_tag,
)
from tests.shared import build_once, shared_root
from tests.template_repo import (  # noqa: F401  (the *_fixture names register fixtures)
    RENAME_V2_LINE,
    RENAMED_FROM,
    RENAMED_TO,
    V2_LINE,
    build_rename_repo,
    changing_file,
    commit_all,
    git,
    isolated_git_fixture,
    make_project,
    project_files,
    rendered_name,
    setenv_for_git,
    template_repo_fixture,
)

runner = CliRunner()


@pytest.fixture
def project(tmp_path: Path, template_repo: Path) -> Path:
    return make_project(tmp_path, template_repo)


def answers_of(project: Path) -> dict:
    return yaml.safe_load((project / ".copier-answers.yml").read_text())


def status(project: Path) -> str:
    return git(project, "status", "--porcelain", "--untracked-files=all")


def update(project: Path, *args: str):
    return runner.invoke(app, ["update", str(project), *args])


def changed_name(template_repo: Path) -> str:
    return rendered_name(changing_file(template_repo / "template"))


def other_generated_file(project: Path, template_repo: Path) -> Path:
    """A generated file v0.2.0 does not touch."""
    skip = {changed_name(template_repo), ".copier-answers.yml"}
    tracked = sorted(git(project, "ls-files").split())
    return project / next(name for name in tracked if name not in skip)


@dataclass(frozen=True)
class Ran:
    """What a CLI run returned (the part of typer's Result the tests read)."""

    exit_code: int
    output: str


def after_update(
    tmp_path: Path, template_repo: Path, key: str, prepare: Callable[[Path], None], *args: str
) -> tuple[Path, Ran]:
    """A copy of the project that ``prepare`` (edits, committed) and then `dualworker update ARGS`
    leave, with what that update returned. The update runs once per test run, ``key`` (names
    ``prepare``) and ARGS: tests that start from the same edits and update the same way share it,
    each asserting its own part."""

    def build(dest: Path) -> None:
        project = make_project(dest, template_repo)
        prepare(project)
        result = update(project, *args)
        (dest / "result.json").write_text(json.dumps([result.exit_code, result.output]))

    shared = build_once(template_repo.parent / "updates" / " ".join([key, *args]), build)
    project = tmp_path / "demo"
    shutil.copytree(shared / "demo", project, symlinks=True)
    exit_code, output = json.loads((shared / "result.json").read_text())
    return project, Ran(exit_code, output)


def edit_last_line(project: Path) -> None:
    """The user's own last line, exactly where v0.2.0 appends its line: a conflict."""
    changed = project / changed_name(answers_source(project))
    changed.write_text(changed.read_text().rstrip("\n") + "\nuser: my own last line\n")
    commit_all(project, "user edit at the spot the template changes")


def answers_source(project: Path) -> Path:
    return Path(answers_of(project)["_src_path"])


def take_update(project: Path) -> None:
    """Nothing: the unedited project, as generated."""


def test_generated_project_records_source_and_tag(project: Path, template_repo: Path) -> None:
    answers = answers_of(project)
    assert answers["_src_path"] == str(template_repo)
    assert answers["_commit"] == "v0.1.0"


def test_user_edits_survive_update(project: Path, template_repo: Path) -> None:
    changed = project / changed_name(template_repo)
    # Non-overlapping edit in the very file the template changes (it appends at the end) ...
    changed.write_text("// user: first line\n" + changed.read_text())
    # ... an edit to a file the template leaves alone, and a file of the user's own.
    other = other_generated_file(project, template_repo)
    other.write_text(other.read_text() + "\n// user: kept\n")
    (project / "apps" / "mine.ts").write_text("export const mine = 1;\n")
    commit_all(project, "user work")

    started = time.monotonic()
    result = update(project)
    took = time.monotonic() - started
    print(f"[timing] dualworker update: {took:.2f} s")

    assert result.exit_code == 0, result.output
    assert "v0.1.0 → v0.2.0" in result.output
    text = changed.read_text()
    assert text.startswith("// user: first line\n")
    assert text.rstrip().endswith(V2_LINE)
    assert "<<<<<<<" not in text
    assert other.read_text().endswith("// user: kept\n")
    assert (project / "apps" / "mine.ts").read_text() == "export const mine = 1;\n"
    assert answers_of(project)["_commit"] == "v0.2.0"
    assert answers_of(project)["_src_path"] == str(template_repo)
    assert changed_name(template_repo) in result.output
    assert not [line for line in status(project).splitlines() if line.startswith("U")]


def test_conflicting_edit_is_left_inline_and_exit_1(tmp_path: Path, template_repo: Path) -> None:
    project, result = after_update(tmp_path, template_repo, "last-line", edit_last_line)
    changed = project / changed_name(template_repo)

    assert result.exit_code == 1, result.output
    text = changed.read_text()
    assert "<<<<<<< before updating" in text and ">>>>>>> after updating" in text
    assert "user: my own last line" in text and V2_LINE in text
    assert f"UU {changed_name(template_repo)}" in status(project)
    assert "conflict" in result.output and changed_name(template_repo) in result.output


@pytest.mark.parametrize("mode", ["inline", "rej"])
def test_second_update_names_the_unresolved_conflicts_and_how_to_finish(
    tmp_path: Path, template_repo: Path, mode: str
) -> None:
    # inline is the default: the first update is test_conflicting_edit_is_left_inline_and_exit_1's
    flags = () if mode == "inline" else ("--conflict", mode)
    project, first = after_update(tmp_path, template_repo, "last-line", edit_last_line, *flags)
    assert first.exit_code == 1, first.output

    again = update(project)

    assert again.exit_code == 2, again.output
    line = " ".join(again.output.split())
    name = changed_name(template_repo) + (".rej" if mode == "rej" else "")
    assert f"unresolved conflicts from the last update ({name})" in line
    assert ("`git add` the files" if mode == "inline" else "delete the .rej files") in line
    assert "then commit (.copier-answers.yml already records the new template version)" in line
    assert "uncommitted changes" not in line


def test_conflict_rej_keeps_rejected_hunk(tmp_path: Path, template_repo: Path) -> None:
    project, result = after_update(tmp_path, template_repo, "last-line", edit_last_line, "--conflict", "rej")
    changed = project / changed_name(template_repo)

    assert result.exit_code == 1, result.output
    rej = project / f"{changed_name(template_repo)}.rej"
    assert rej.is_file()
    assert "user: my own last line" in rej.read_text()  # not lost: kept as a rejected hunk
    assert V2_LINE in changed.read_text()
    assert f"{changed_name(template_repo)}.rej" in result.output


def test_pretend_shows_changes_and_changes_nothing(project: Path, template_repo: Path) -> None:
    head = git(project, "rev-parse", "HEAD")
    before = project_files(project)

    result = update(project, "--pretend")

    assert result.exit_code == 0, result.output
    assert "Would change" in result.output and changed_name(template_repo) in result.output
    assert "nothing was changed" in result.output
    assert project_files(project) == before
    assert status(project) == ""
    assert git(project, "rev-parse", "HEAD") == head


def test_up_to_date_project_is_left_alone(tmp_path: Path, template_repo: Path) -> None:
    project, first = after_update(tmp_path, template_repo, "unedited", take_update)
    assert first.exit_code == 0, first.output
    commit_all(project, "take v0.2.0")
    before = project_files(project)
    result = update(project)
    assert result.exit_code == 0, result.output
    assert "up to date" in result.output
    assert project_files(project) == before and status(project) == ""


def test_update_to_explicit_version(project: Path) -> None:
    result = update(project, "--vcs-ref", "v0.1.0")
    assert result.exit_code == 0 and "up to date" in result.output


def _refusal(project: Path, *args: str) -> tuple[str, dict[str, bytes], str]:
    """Run update expecting a refusal; returns the message, and files and status before."""
    before_files, before_status = project_files(project), status_or_none(project)
    result = update(project, *args)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1, result.output
    assert project_files(project) == before_files
    assert status_or_none(project) == before_status
    return result.output, before_files, before_status


def status_or_none(project: Path) -> str | None:
    proc = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=all"],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
    )
    return proc.stdout if proc.returncode == 0 else None


def test_refuses_dirty_tree(project: Path, template_repo: Path) -> None:
    changed = project / changed_name(template_repo)
    changed.write_text(changed.read_text() + "uncommitted\n")
    output, _, _ = _refusal(project)
    assert "uncommitted changes" in output


def test_refuses_untracked_file(project: Path) -> None:
    (project / "notes.txt").write_text("not committed yet\n")
    output, _, _ = _refusal(project)
    assert "uncommitted changes" in output


def test_refuses_project_without_git(tmp_path: Path, template_repo: Path) -> None:
    answers = generate.Answers("demo", patterns=[])
    project = generate.render(answers, tmp_path / "demo", src=str(template_repo), vcs_ref="v0.1.0")
    output, _, _ = _refusal(project)
    assert "not a git repository" in output


def test_refuses_missing_answers_file(project: Path) -> None:
    git(project, "rm", "-q", ".copier-answers.yml")
    git(project, "commit", "-q", "-m", "drop answers")
    output, _, _ = _refusal(project)
    assert "has no .copier-answers.yml" in output


def test_refuses_answers_without_version(project: Path) -> None:
    answers = project / ".copier-answers.yml"
    answers.write_text("".join(x for x in answers.read_text().splitlines(True) if "_commit" not in x))
    commit_all(project, "lose _commit")
    output, _, _ = _refusal(project)
    assert "_commit" in output


def test_refuses_missing_folder(tmp_path: Path) -> None:
    result = update(tmp_path / "nope")
    assert result.exit_code == 2 and "no such project folder" in result.output


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("{tmp}/gone", "does not exist (moved or deleted?): pass --template"),
        ("https://git.example.invalid/dualworker.git", "cannot reach the template source"),
    ],
)
def test_unreachable_source_is_one_line_and_changes_nothing(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, source: str, message: str
) -> None:
    setenv_for_git(monkeypatch, "GIT_ALLOW_PROTOCOL", "file")  # the https case must fail without a network
    answers = project / ".copier-answers.yml"
    recorded = answers_of(project)["_src_path"]
    answers.write_text(answers.read_text().replace(recorded, source.format(tmp=tmp_path)))
    commit_all(project, "template moved")
    before = project_files(project)
    result = update(project)
    assert result.exit_code == 2, result.output  # refused, like every other precondition (1: conflicts)
    assert message in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert project_files(project) == before


def test_source_without_release_tags_is_exit_2(project: Path, tmp_path: Path, template_repo: Path) -> None:
    untagged = tmp_path / "untagged"
    git(tmp_path, "clone", "-q", str(template_repo), str(untagged))
    git(untagged, "tag", "-d", "v0.1.0", "v0.2.0")
    answers = project / ".copier-answers.yml"
    answers.write_text(answers.read_text().replace(str(template_repo), str(untagged)))
    commit_all(project, "template moved")
    result = update(project)
    assert result.exit_code == 2, result.output
    assert "has no release tags (v<version>): nothing to update to" in result.output


def test_template_option_fetches_canonical_source_from_local_clone(
    project: Path, template_repo: Path
) -> None:
    """A project recording the public URL (as wheel-generated ones do) updates offline from a clone."""
    answers = project / ".copier-answers.yml"
    answers.write_text(answers.read_text().replace(str(template_repo), TEMPLATE_URL))
    commit_all(project, "as if generated from the wheel")

    result = update(project, "--template", str(template_repo))

    assert result.exit_code == 0, result.output
    assert V2_LINE in (project / changed_name(template_repo)).read_text()
    assert answers_of(project)["_src_path"] == TEMPLATE_URL  # the recorded source stays canonical
    assert answers_of(project)["_commit"] == "v0.2.0"


@pytest.mark.e2e  # fast: the --template update below, and DUALWORKER_TEMPLATE refused as --template is
def test_template_env_var_is_honoured(project: Path, template_repo: Path, monkeypatch) -> None:
    """DUALWORKER_TEMPLATE is `--template` (one typer option): in the e2e suite, as it costs a Copier
    update; fast, test_template_option_fetches_canonical_source_from_local_clone updates through
    `--template` and test_template_option_that_is_no_template_clone shows the variable reaching it."""
    answers = project / ".copier-answers.yml"
    answers.write_text(answers.read_text().replace(str(template_repo), TEMPLATE_URL))
    commit_all(project, "as if generated from the wheel")
    monkeypatch.setenv("DUALWORKER_TEMPLATE", str(template_repo))
    result = update(project, "--pretend")
    assert result.exit_code == 0, result.output
    assert "v0.1.0 → v0.2.0" in result.output


@pytest.mark.parametrize(("kind", "message"), [("missing", "no such folder"), ("plain", "no copier.yml")])
@pytest.mark.parametrize("command", [["update"], ["add", "queue"]])
def test_template_option_that_is_no_template_clone(
    project: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    kind: str,
    message: str,
    command: list[str],
) -> None:
    """`--template`/DUALWORKER_TEMPLATE naming nothing usable: exit 2, one line naming it, nothing changed."""
    source = tmp_path / "not-a-clone"
    if kind == "plain":
        source.mkdir()
        (source / "README.md").write_text("hello\n")
    monkeypatch.setenv("DUALWORKER_TEMPLATE", str(source))
    before = project_files(project)
    result = runner.invoke(app, [*command, str(project)])
    assert result.exit_code == 2, result.output
    assert len(result.output.strip().splitlines()) == 1, result.output
    assert f"--template {source} (or DUALWORKER_TEMPLATE)" in result.output and message in result.output
    assert project_files(project) == before


def test_template_option_folder_without_git(project: Path, tmp_path: Path, template_repo: Path) -> None:
    """A template folder that is not a git repository has no versions to update between."""
    import shutil

    source = tmp_path / "export"
    shutil.copytree(template_repo, source, ignore=shutil.ignore_patterns(".git"))
    result = update(project, "--template", str(source))
    assert result.exit_code == 2, result.output
    assert len(result.output.strip().splitlines()) == 1, result.output
    assert "not a git repository" in result.output


@pytest.mark.parametrize("ref", ["v9.9.9", "nonsense"])
def test_unknown_vcs_ref_is_exit_2_and_lists_releases(project: Path, ref: str) -> None:
    before = project_files(project)
    result = update(project, "--vcs-ref", ref)
    assert result.exit_code == 2, result.output
    assert len(result.output.strip().splitlines()) == 1, result.output
    assert f"--vcs-ref {ref}: no such tag" in result.output and "v0.2.0, v0.1.0" in result.output
    assert project_files(project) == before and status(project) == ""


def test_recorded_commit_missing_from_source_is_named(project: Path) -> None:
    answers = project / ".copier-answers.yml"
    answers.write_text(answers.read_text().replace("_commit: v0.1.0", "_commit: v0.0.7"))
    commit_all(project, "a version the template never had")
    result = runner.invoke(app, ["add", "queue", str(project)])
    assert result.exit_code == 2, result.output
    error = [line for line in result.output.splitlines() if line.startswith("error:")]
    assert len(error) == 1 and "_commit v0.0.7" in error[0] and "--template" in error[0], result.output
    assert status(project) == ""


def test_failure_half_way_restores_the_project(project: Path, tmp_path: Path, template_repo: Path) -> None:
    """A migration that fails after Copier merged files: the project goes back to its last commit."""
    from tests.template_repo import commit_and_tag

    repo = tmp_path / "template"  # the template repo, plus a v0.3.0 whose migration fails
    git(tmp_path, "clone", "-q", str(template_repo), str(repo))
    config = repo / "copier.yml"
    data = yaml.safe_load(config.read_text())
    failing = ["{{ _copier_python }}", "-c", "import sys; sys.exit('migration broke')"]
    data["_migrations"] = [{"version": "0.3.0", "when": "{{ _stage == 'after' }}", "command": failing}]
    config.write_text(yaml.safe_dump(data, sort_keys=False))
    commit_and_tag(repo, "v0.3.0", "a release whose migration fails")
    answers = project / ".copier-answers.yml"
    answers.write_text(answers.read_text().replace(str(template_repo), str(repo)))
    commit_all(project, "the template with the failing release")
    before, head = project_files(project), git(project, "rev-parse", "HEAD")

    result = update(project)

    assert result.exit_code == 1, result.output
    error = [line for line in result.output.splitlines() if line.startswith("error:")]
    assert len(error) == 1 and "restored to its last commit" in error[0], result.output
    assert project_files(project) == before
    assert status(project) == "" and git(project, "rev-parse", "HEAD") == head


def test_ctrl_c_during_update_restores_the_project(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import copier

    def interrupted(dst: str, **kwargs: object) -> None:
        (Path(dst) / "README.md").write_text("half-merged\n")
        (Path(dst) / "new-file.ts").write_text("half\n")
        raise KeyboardInterrupt

    monkeypatch.setattr(copier, "run_update", interrupted)
    before = project_files(project)
    result = update(project)
    assert result.exit_code == 1, result.output
    assert "interrupted; the project was restored to its last commit" in result.output
    assert project_files(project) == before and status(project) == ""


# newer_template_version: the information `dualworker check` shows.


def test_newer_template_version_reports_newer_tag(project: Path, tmp_path: Path, template_repo: Path) -> None:
    assert newer_template_version(project) == "v0.2.0"
    updated, first = after_update(tmp_path / "updated", template_repo, "unedited", take_update)
    assert first.exit_code == 0, first.output
    commit_all(updated, "take v0.2.0")
    assert newer_template_version(updated) is None


def test_newer_template_version_is_none_when_unknown(tmp_path: Path, project: Path) -> None:
    assert newer_template_version(tmp_path) is None  # no answers file
    answers = project / ".copier-answers.yml"
    answers.write_text(answers.read_text().replace(answers_of(project)["_src_path"], str(tmp_path / "gone")))
    assert newer_template_version(project) is None  # source unreachable


def test_newer_template_version_skips_network_when_told(project: Path) -> None:
    answers = project / ".copier-answers.yml"
    answers.write_text(answers.read_text().replace(answers_of(project)["_src_path"], TEMPLATE_URL))
    started = time.monotonic()
    assert newer_template_version(project, allow_network=False) is None
    assert time.monotonic() - started < 0.5


def test_newer_template_version_never_imports_copier(project: Path) -> None:
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from dualworker_cli.update import newer_template_version\n"
        f"print(newer_template_version(Path({str(project)!r})))\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in {'copier', 'plumbum', 'jinja2'})\n"
        "assert not bad, bad\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, env=os.environ.copy()
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "v0.2.0"


@pytest.mark.parametrize("command", ["update", "add", "remove"])
def test_help_does_not_import_copier(command: str) -> None:
    code = (
        "import sys\n"
        "from dualworker_cli.cli import app\n"
        f"try:\n    app([{command!r}, '--help'])\nexcept SystemExit:\n    pass\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in {'copier', 'plumbum', 'jinja2'})\n"
        "assert not bad, bad\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr


# Versioning of projects rendered from the packaged template.


def test_pin_packaged_source_records_canonical_url_and_tag(tmp_path: Path) -> None:
    answers = tmp_path / ".copier-answers.yml"
    answers.write_text(
        "# Changes here will be overwritten by Copier; do NOT edit manually\n"
        "_src_path: /site-packages/dualworker_cli/_template\n"
        "auth_mode: secret\npatterns: []\nproject_name: demo\n"
    )
    pin_packaged_source(answers, "1.2.3")
    data = yaml.safe_load(answers.read_text())
    assert data == {
        "_commit": "v1.2.3",
        "_src_path": TEMPLATE_URL,
        "auth_mode": "secret",
        "patterns": [],
        "project_name": "demo",
    }
    assert answers.read_text().startswith("# Changes here")


@pytest.mark.parametrize(
    ("ref", "older_than_v0_2_0"),
    [("v0.1.0", True), ("v0.1.0-3-gabc1234", True), ("v0.2.0", False), ("0.10.0", False)],
)
def test_parse_version_reads_tags_and_describe(ref: str, older_than_v0_2_0: bool) -> None:
    version = parse_version(ref)
    assert version is not None
    assert (version < parse_version("v0.2.0")) is older_than_v0_2_0


def test_version_is_a_plain_release_a_tag_can_carry() -> None:
    """The wheel records `v<version>`: the version must be a plain release (no local part)."""
    from dualworker_cli import __version__

    parsed = parse_version(f"v{__version__}")
    assert parsed is not None and not parsed.local and not parsed.is_devrelease


# _migrations: a template version that moves a file carries the user's edits along.


@pytest.fixture(scope="session")
def rename_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One per test run, shared by the xdist workers (never change it)."""
    return build_once(shared_root(tmp_path_factory) / "rename-template" / "dualworker", build_rename_repo)


def test_migration_carries_edits_into_renamed_file(tmp_path: Path, rename_repo: Path) -> None:
    project = make_project(tmp_path, rename_repo)
    old = project / RENAMED_FROM
    old.write_text("// user: my note about notes\n" + old.read_text())
    commit_all(project, "user edit in a file the template will move")

    result = update(project)

    assert result.exit_code == 0, result.output
    assert not old.exists()
    moved = (project / RENAMED_TO).read_text()
    assert moved.startswith("// user: my note about notes\n")  # the user's edit, carried
    assert moved.rstrip().endswith(RENAME_V2_LINE)  # the template's change to the moved file
    assert "<<<<<<<" not in moved
    assert '"./notes-routes"' in (project / "apps/user-application/worker/hono/app.ts").read_text()


def test_migration_reports_conflict_in_renamed_file(tmp_path: Path, rename_repo: Path) -> None:
    project = make_project(tmp_path, rename_repo)
    old = project / RENAMED_FROM
    old.write_text(old.read_text() + "// user: my own last line\n")
    commit_all(project, "user edit where the template changes the moved file")

    result = update(project)

    assert result.exit_code == 1, result.output
    moved = (project / RENAMED_TO).read_text()
    assert "<<<<<<< before updating" in moved
    assert "// user: my own last line" in moved and RENAME_V2_LINE in moved
    assert RENAMED_TO in result.output and "conflict" in result.output
    assert not old.exists()


def test_migration_leaves_unedited_renamed_file_as_shipped(tmp_path: Path, rename_repo: Path) -> None:
    project = make_project(tmp_path, rename_repo)
    result = update(project)
    assert result.exit_code == 0, result.output
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    expected = generate.render(
        generate.Answers("demo", patterns=[]), fresh / "demo", src=str(rename_repo), vcs_ref="v0.2.0"
    )
    assert project_files(project) == project_files(expected)


# A project generated from the installed wheel updates with plain `copier update`.


def _run(cmd: list[str], cwd: Path, env: dict[str, str], timeout: int = 600) -> str:
    started = time.monotonic()
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False)
    print(f"[timing] {Path(cmd[0]).name} {' '.join(cmd[1:3])}: {time.monotonic() - started:.1f} s")
    assert proc.returncode == 0, (
        f"{' '.join(cmd)} failed ({proc.returncode}):\n{(proc.stdout + proc.stderr)[-4000:]}"
    )
    return proc.stdout + proc.stderr


@pytest.mark.e2e
@pytest.mark.xdist_group("e2e-wheel")  # with tests/test_wheel.py: one wheel build per run
def test_wheel_generated_project_updates_with_plain_copier(
    tmp_path: Path, template_repo: Path, built_wheel: Path
) -> None:
    """Wheel -> fresh venv -> `dualworker new` (no network, canonical URL recorded) -> offline
    `dualworker add` from the packaged template -> plain `copier update` to v0.2.0, with git
    resolving the canonical URL to the local tagged repo (as a mirror would) and https forbidden."""
    env = {k: v for k, v in os.environ.items() if k not in {"VIRTUAL_ENV", "PYTHONPATH"}}
    env["GIT_ALLOW_PROTOCOL"] = "file"  # nothing may reach the internet
    wheel = built_wheel
    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", str(venv)], tmp_path, env)
    _run([str(venv / "bin" / "pip"), "install", "-q", str(wheel)], tmp_path, env)

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    _run(
        [str(venv / "bin" / "dualworker"), "new", "demo", "-y", "-p", "none", "--no-install"], elsewhere, env
    )
    project = elsewhere / "demo"
    answers = answers_of(project)
    assert answers["_src_path"] == TEMPLATE_URL
    assert answers["_commit"] == release_tag()

    # Offline: the packaged template is exactly the recorded release.
    _run([str(venv / "bin" / "dualworker"), "add", "queue"], project, env)
    assert answers_of(project)["patterns"] == ["queue"]
    changed = project / changed_name(template_repo)
    changed.write_text("// user: first line\n" + changed.read_text())
    commit_all(project, "add queue, user edit")

    env.update(
        GIT_CONFIG_COUNT="1",
        GIT_CONFIG_KEY_0=f"url.{template_repo}.insteadOf",
        GIT_CONFIG_VALUE_0=TEMPLATE_URL,
        COPIER_CACHE_DIR=str(tmp_path / "copier-cache"),
    )
    started = time.monotonic()
    _run([str(venv / "bin" / "copier"), "update", "--defaults", "--trust"], project, env)
    print(f"[timing] plain copier update: {time.monotonic() - started:.1f} s")

    text = changed.read_text()
    assert text.startswith("// user: first line\n") and text.rstrip().endswith(V2_LINE)
    answers = answers_of(project)
    assert answers["_commit"] == "v0.2.0" and answers["_src_path"] == TEMPLATE_URL
    assert answers["patterns"] == ["queue"]
    assert (project / "apps/data-service/src/queues/handler.ts").is_file()


def test_relative_template_path_is_recorded_absolute(
    tmp_path: Path, template_repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`--template ../clone` must not record a path that only works from one folder."""
    monkeypatch.chdir(template_repo.parent)
    result = runner.invoke(
        app, ["new", str(tmp_path / "rel"), "-y", "-p", "none", "--no-install", "--template", "./dualworker"]
    )
    assert result.exit_code == 0, result.output
    assert answers_of(tmp_path / "rel")["_src_path"] == str(template_repo.resolve())


@pytest.mark.parametrize(
    ("source", "local", "expanded"),
    [
        ("/srv/templates/dualworker", True, "/srv/templates/dualworker"),
        ("file:///srv/templates/dualworker", True, "file:///srv/templates/dualworker"),
        (TEMPLATE_URL, False, TEMPLATE_URL),
        ("git@github.com:dualworker/dualworker.git", False, "git@github.com:dualworker/dualworker.git"),
        ("gh:dualworker/dualworker", False, TEMPLATE_URL),
        (f"git+{TEMPLATE_URL}", False, TEMPLATE_URL),
    ],
)
def test_source_kinds(source: str, local: bool, expanded: str) -> None:
    """Local sources are always asked for newer tags; remote ones only when the network is allowed."""
    assert is_local_source(source) is local
    assert expand_shortcut(source) == expanded


def test_newer_template_version_reads_file_url_source(project: Path) -> None:
    answers = project / ".copier-answers.yml"
    recorded = answers_of(project)["_src_path"]
    answers.write_text(answers.read_text().replace(recorded, f"file://{recorded}"))
    assert newer_template_version(project) == "v0.2.0"


def test_migration_runs_under_plain_copier_update(tmp_path: Path, rename_repo: Path) -> None:
    """The _migrations entry needs nothing from dualworker: plain `copier update --trust` carries edits."""
    project = make_project(tmp_path, rename_repo)
    old = project / RENAMED_FROM
    old.write_text("// user: my note about notes\n" + old.read_text())
    commit_all(project, "user edit in a file the template will move")
    copier = Path(sys.executable).parent / "copier"
    proc = subprocess.run(
        [str(copier), "update", "--defaults", "--trust"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "your edits were carried over" in proc.stderr
    moved = (project / RENAMED_TO).read_text()
    assert moved.startswith("// user: my note about notes\n") and moved.rstrip().endswith(RENAME_V2_LINE)
    assert not old.exists()
