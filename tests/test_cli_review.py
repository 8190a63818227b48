"""How users hit `dualworker new` with awkward paths, sources and options: one-line errors."""

from __future__ import annotations

import datetime
import os
import subprocess
import sys
from pathlib import Path

import pytest

from dualworker_cli.cli import app
from tests.cli_helpers import answers_of, new, runner
from tests.template_repo import git

pytestmark = pytest.mark.usefixtures("render_from_plain_copy")

FLAGS = ("-y", "--no-install")


@pytest.fixture(autouse=True)
def _clean_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No template override from the caller's shell; git stops at tmp_path and needs no identity."""
    monkeypatch.delenv("DUALWORKER_TEMPLATE", raising=False)
    empty = tmp_path / "empty.gitconfig"
    empty.write_text("")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(empty))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))


def one_line_error(result, code: int = 2) -> str:
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert lines[0].startswith("error:"), result.output
    return lines[0]


def tree(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*"))


# --- destinations -----------------------------------------------------------------------------


def test_nested_destination_creates_parents(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    result = new(tmp_path, monkeypatch, "a/b/myapp", *FLAGS, "--no-git")
    assert result.exit_code == 0, result.output
    assert answers_of(tmp_path / "a/b/myapp")["project_name"] == "myapp"


def test_path_with_spaces_is_quoted_in_next_steps(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    result = new(tmp_path, monkeypatch, "my projects/myapp", *FLAGS, "--no-git")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "my projects/myapp/package.json").is_file()
    assert "cd 'my projects/myapp'" in result.output


def test_dot_in_an_empty_folder_uses_the_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`mkdir shop && cd shop && dualworker new .`: the folder's name, the folder itself (not replaced)."""
    folder = tmp_path / "shop"
    folder.mkdir()
    inode = folder.stat().st_ino
    result = new(folder, monkeypatch, ".", *FLAGS, "--no-git")
    assert result.exit_code == 0, result.output
    assert answers_of(folder)["project_name"] == "shop"
    assert answers_of(folder)["user_worker_name"] == "shop-user"
    assert folder.stat().st_ino == inode  # the shell's current folder still is the project
    assert Path.cwd().samefile(folder) and (Path.cwd() / "package.json").is_file()
    assert sorted(p.name for p in folder.iterdir() if p.name.startswith(".shop")) == []
    assert "cd ." not in result.output


def test_absolute_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = new(elsewhere, monkeypatch, str(tmp_path / "abs" / "api"), *FLAGS, "--no-git")
    assert result.exit_code == 0, result.output
    assert answers_of(tmp_path / "abs" / "api")["project_name"] == "api"
    assert list(elsewhere.iterdir()) == []


def test_file_where_a_parent_folder_should_be(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "notes").write_text("mine")
    line = one_line_error(new(tmp_path, monkeypatch, "notes/sub/myapp", *FLAGS, "--no-git"))
    assert str(tmp_path / "notes") in line and "not a folder" in line
    assert tree(tmp_path) == sorted(["empty.gitconfig", "notes"])


def test_unwritable_parent_is_refused_before_writing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Root ignores permission bits, so the refusal is simulated where the CLI asks the OS."""
    real_access = os.access
    locked = tmp_path / "locked"
    locked.mkdir()
    monkeypatch.setattr(os, "access", lambda p, mode, **kw: Path(p) != locked and real_access(p, mode, **kw))
    line = one_line_error(new(tmp_path, monkeypatch, "locked/app", *FLAGS, "--no-git"))
    assert str(locked) in line and "not writable" in line
    assert list(locked.iterdir()) == []


def test_os_error_while_writing_is_one_line_and_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tempfile

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied", str(kwargs.get("dir")))

    monkeypatch.setattr(tempfile, "mkdtemp", refuse)
    line = one_line_error(new(tmp_path, monkeypatch, "deep/er/app", *FLAGS, "--no-git"))
    assert "Permission denied" in line and "nothing was written" in line
    assert tree(tmp_path) == ["empty.gitconfig"]  # the parents it created are gone too


# --- git inside an existing repository ----------------------------------------------------------


def test_inside_a_git_repository_no_nested_repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A monorepo: the project becomes part of the enclosing repository, which the user commits."""
    mono = tmp_path / "mono"
    (mono / "packages").mkdir(parents=True)
    git(mono, "init", "-q")
    result = new(mono, monkeypatch, "packages/svc", *FLAGS)
    assert result.exit_code == 0, result.output
    assert not (mono / "packages/svc/.git").exists()
    assert "inside the git repository" in result.output and "git add packages/svc" in result.output
    assert git(mono / "packages/svc", "rev-parse", "--show-toplevel").strip() == str(mono)


def test_inside_a_git_repository_git_flag_forces_own_repo(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    mono = tmp_path / "mono"
    mono.mkdir()
    git(mono, "init", "-q")
    result = new(mono, monkeypatch, "svc", *FLAGS, "--git")
    assert result.exit_code == 0, result.output
    assert (mono / "svc/.git").is_dir()
    assert "Initial commit" in git(mono / "svc", "log", "--oneline")


def test_inside_an_ignored_folder_of_a_repository_gets_its_own_repo(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    mono = tmp_path / "mono"
    mono.mkdir()
    git(mono, "init", "-q")
    (mono / ".gitignore").write_text("scratch/\n")
    result = new(mono, monkeypatch, "scratch/svc", *FLAGS)
    assert result.exit_code == 0, result.output
    assert (mono / "scratch/svc/.git").is_dir()


# --- template source ------------------------------------------------------------------------------


def test_template_env_pointing_nowhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DUALWORKER_TEMPLATE", str(tmp_path / "gone"))
    line = one_line_error(new(tmp_path, monkeypatch, "demo", *FLAGS, "--no-git"))
    assert str(tmp_path / "gone") in line and "DUALWORKER_TEMPLATE" in line and "no such folder" in line
    assert tree(tmp_path) == ["empty.gitconfig"]


@pytest.mark.parametrize("content", [[], ["README.md"]])
def test_template_folder_without_copier_yml(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: list[str]
) -> None:
    source = tmp_path / "not-a-template"
    source.mkdir()
    for name in content:
        (source / name).write_text("hello\n")
    monkeypatch.setenv("DUALWORKER_TEMPLATE", str(source))
    line = one_line_error(new(tmp_path, monkeypatch, "demo", *FLAGS, "--no-git"))
    assert "copier.yml" in line and str(source) in line
    assert not (tmp_path / "demo").exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".demo")] == []


def test_unreachable_template_url_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    line = one_line_error(
        new(tmp_path, monkeypatch, "demo", *FLAGS, "--no-git", "--template", "https://127.0.0.1:9/t.git")
    )
    assert "--template https://127.0.0.1:9/t.git" in line and "fatal: unable to access" in line
    assert "Command line" not in line
    assert tree(tmp_path) == ["empty.gitconfig"]


# --- options ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["-p", "none", "-p", "queue"], "--pattern none cannot be combined with queue"),
        (["-p", "none,workflow"], "--pattern none cannot be combined with workflow"),
        (["-p", ""], "--pattern '': empty"),
        (["-p", " , "], "--pattern ' , ': empty"),
    ],
)
def test_contradictory_or_empty_patterns(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, flags: list[str], message: str
) -> None:
    line = one_line_error(new(tmp_path, monkeypatch, "demo", *flags, *FLAGS, "--no-git"))
    assert message in line
    assert tree(tmp_path) == ["empty.gitconfig"]


@pytest.mark.parametrize("date", ["20250101", "2025-1-01", " 2025-01-01x", "2025-W01-1"])
def test_compatibility_date_must_be_yyyy_mm_dd(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, date: str
) -> None:
    line = one_line_error(new(tmp_path, monkeypatch, "demo", "--data", f"compatibility_date={date}", *FLAGS))
    assert "expected YYYY-MM-DD" in line


def test_compatibility_date_in_the_future_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Cloudflare refuses to deploy a Worker whose compatibility date is in the future (code 10021)."""
    later = (datetime.datetime.now(datetime.UTC).date() + datetime.timedelta(days=2)).isoformat()
    line = one_line_error(new(tmp_path, monkeypatch, "demo", "--data", f"compatibility_date={later}", *FLAGS))
    assert "in the future" in line


def test_names_at_the_length_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    longest = "a" * 47  # `<NAME>-user-production` is exactly 63 characters
    result = new(tmp_path, monkeypatch, longest, *FLAGS, "--no-git")
    assert result.exit_code == 0, result.output
    line = one_line_error(new(tmp_path, monkeypatch, "b" * 48, *FLAGS, "--no-git"))
    assert "at most 47" in line and "--data user_worker_name=" in line


def test_unicode_name_refused_in_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    line = one_line_error(new(tmp_path, monkeypatch, "café", *FLAGS, "--no-git"))
    assert "'café'" in line and "lower-case letters" in line


# --- --help never imports Copier -------------------------------------------------------------------


@pytest.mark.parametrize("command", ["", "new", "check", "update", "add", "remove"])
def test_help_of_every_command_does_not_import_copier(command: str) -> None:
    code = (
        "import sys\n"
        "from dualworker_cli.cli import app\n"
        f"args = {[*command.split(), '--help']!r}\n"
        "try:\n    app(args)\nexcept SystemExit as exit:\n    assert exit.code == 0, exit.code\n"
        "bad = sorted({m.split('.')[0] for m in sys.modules}\n"
        "             & {'copier', 'questionary', 'jinja2', 'plumbum', 'tree_sitter'})\n"
        "assert not bad, bad\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    assert "Usage" in proc.stdout


def test_empty_name_is_not_the_current_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`dualworker new "$UNSET"` must not render into the current folder under its name."""
    folder = tmp_path / "here"
    folder.mkdir()
    line = one_line_error(new(folder, monkeypatch, "", *FLAGS, "--no-git"))
    assert "NAME is empty" in line and "`.`" in line
    assert list(folder.iterdir()) == []


def test_data_project_name_points_at_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    line = one_line_error(new(tmp_path, monkeypatch, "demo", "--data", "project_name=x", *FLAGS))
    assert "--data project_name" in line and "NAME" in line


def test_auth_is_case_insensitive_like_patterns(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    result = new(tmp_path, monkeypatch, "demo", "--auth", "JWKS", "-p", "Queue", *FLAGS, "--no-git")
    assert result.exit_code == 0, result.output
    assert answers_of(tmp_path / "demo")["auth_mode"] == "jwks"


def test_error_message_with_markup_like_path_prints_verbatim(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Paths are not Rich markup: `[/b]` in an error used to crash the error printer with a traceback."""
    folder = tmp_path / "q[" / "b]"
    folder.mkdir(parents=True)
    result = runner.invoke(app, ["update", str(folder)])
    line = one_line_error(result)
    assert f"{folder} is not a git repository" in line or f"{folder} has no" in line
    (folder / "keep.txt").write_text("x")
    line = one_line_error(new(tmp_path / "q[", monkeypatch, "b]", *FLAGS))
    assert "project name 'b]'" in line
    result = new(tmp_path, monkeypatch, str(tmp_path / "[bold]x[/bold]" / "app"), *FLAGS, "--no-git")
    assert result.exit_code == 0, result.output
    assert "[bold]x[/bold]/app (queue" in result.output.replace("\n", "")


def test_update_summary_shows_bracketed_file_names() -> None:
    """Route folders like `[slug]` (file-based routers) are file names, not Rich markup."""
    from rich.console import Console

    from dualworker_cli.update import Changes, report

    console = Console(record=True, width=200)
    changes = Changes(
        changed={"apps/web/routes/[slug]/page.ts": "conflict", "apps/web/[/x]/a.ts": "modified"},
        conflicts=["apps/web/routes/[slug]/page.ts"],
    )
    status = report(console, changes, title="Changed", pretend=False, conflict="inline")
    text = console.export_text()
    assert status == 1
    assert "apps/web/routes/[slug]/page.ts" in text and "apps/web/[/x]/a.ts" in text
    assert "1 file(s) have conflicts: apps/web/routes/[slug]/page.ts" in text
