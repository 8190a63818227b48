"""A local, tagged git repository of the template, so update tests never reach the internet.

``v0.1.0`` is the template as it is in this checkout; ``v0.2.0`` appends one line to a file
every project has (the "template improvement"). Tests generate at v0.1.0 and update to v0.2.0.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterable
from pathlib import Path

import pytest

from dualworker_cli import generate
from tests.conftest import REPO_ROOT
from tests.shared import build_once, shared_root

#: Every git call in these tests runs with this identity, so a fresh CI machine works.
GIT_IDENTITY = {
    "GIT_AUTHOR_NAME": "dualworker tests",
    "GIT_AUTHOR_EMAIL": "tests@dualworker.invalid",
    "GIT_COMMITTER_NAME": "dualworker tests",
    "GIT_COMMITTER_EMAIL": "tests@dualworker.invalid",
}
V2_LINE = "Template v0.2.0 adds this line."
#: Files no git repository of a project may contain (build output, caches).
IGNORED_PARTS = {".git", "node_modules", ".wrangler", "__pycache__"}


def git(cwd: Path, *args: str, check: bool = True) -> str:
    """Run git with the test identity; returns stdout."""
    env = {**os.environ, **GIT_IDENTITY}
    proc = subprocess.run(
        ["git", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    if check and proc.returncode != 0:
        raise AssertionError(f"git {' '.join(args)} failed in {cwd}:\n{proc.stdout}{proc.stderr}")
    return proc.stdout


def changing_file(template_dir: Path) -> Path:
    """The template file v0.2.0 changes: one that every project has, whatever the patterns."""
    for name in ("README.md.jinja", "README.md", "tsconfig.base.json"):
        if (template_dir / name).is_file():
            return template_dir / name
    raise AssertionError(f"no always-generated file found in {template_dir}")


def rendered_name(template_file: Path) -> str:
    """Where a template file lands in a project."""
    return template_file.name.removesuffix(".jinja")


def copy_template(dest: Path) -> None:
    """This checkout's copier.yml and template/, as the first release of a template repository."""
    dest.mkdir(parents=True)
    shutil.copy2(REPO_ROOT / "copier.yml", dest / "copier.yml")
    shutil.copytree(
        REPO_ROOT / "template",
        dest / "template",
        ignore=shutil.ignore_patterns("node_modules", ".wrangler", "__pycache__"),
    )
    shutil.copytree(
        REPO_ROOT / "template_migrations",
        dest / "template_migrations",
        ignore=shutil.ignore_patterns("__pycache__"),
    )


def commit_and_tag(repo: Path, tag: str, message: str) -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "--no-verify", "-m", message)
    git(repo, "tag", tag)


def build_template_repo(dest: Path) -> Path:
    """The two-release template repository described in the module docstring."""
    copy_template(dest)
    git(dest, "init", "-q", "-b", "main")
    commit_and_tag(dest, "v0.1.0", "Template v0.1.0")
    target = changing_file(dest / "template")
    text = target.read_text(encoding="utf-8")
    target.write_text(text.rstrip("\n") + f"\n{V2_LINE}\n", encoding="utf-8")
    commit_and_tag(dest, "v0.2.0", "Template v0.2.0: a real change to a generated file")
    return dest


#: The move of the README's example `_migrations` entry for 0.2.0 (project paths).
RENAMED_FROM = "apps/user-application/worker/hono/notes.ts"
RENAMED_TO = "apps/user-application/worker/hono/notes-routes.ts"
RENAME_V2_LINE = "// Template v0.2.0: moved from notes.ts"


def build_rename_repo(dest: Path) -> Path:
    """v0.1.0 as in this checkout; v0.2.0 moves a file (the README's example) and changes it."""
    copy_template(dest)
    git(dest, "init", "-q", "-b", "main")
    commit_and_tag(dest, "v0.1.0", "Template v0.1.0")
    old, new = dest / "template" / RENAMED_FROM, dest / "template" / RENAMED_TO
    if not old.is_file():  # a Jinja template renders to the same path (notes.ts.jinja -> notes.ts)
        old, new = old.with_name(old.name + ".jinja"), new.with_name(new.name + ".jinja")
    assert old.is_file(), f"{RENAMED_FROM} left the template: update the README's _migrations example"
    git(dest, "mv", str(old.relative_to(dest)), str(new.relative_to(dest)))
    new.write_text(new.read_text(encoding="utf-8") + RENAME_V2_LINE + "\n", encoding="utf-8")
    app = dest / "template" / "apps/user-application/worker/hono/app.ts.jinja"
    app.write_text(app.read_text(encoding="utf-8").replace('"./notes"', '"./notes-routes"'), encoding="utf-8")
    config = dest / "copier.yml"
    if RENAMED_TO not in config.read_text(encoding="utf-8"):
        # The release that moves the file adds its _migrations entry (the README's example).
        import yaml

        data = yaml.safe_load(config.read_text(encoding="utf-8"))
        entry = {
            "version": "0.2.0",
            "when": "{{ _stage == 'after' }}",
            "command": [
                "{{ _copier_python }}",
                "{{ _copier_conf.src_path }}/template_migrations/carry_renamed_edits.py",
                "{{ _copier_conf.src_path }}",
                "{{ _version_from }}",
                RENAMED_FROM,
                RENAMED_TO,
            ],
        }
        data["_migrations"] = [*(data.get("_migrations") or []), entry]
        config.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    commit_and_tag(dest, "v0.2.0", "Template v0.2.0: notes.ts becomes notes-routes.ts")
    return dest


def project_files(root: Path, ignore: Iterable[str] = ()) -> dict[str, bytes]:
    """Every file of a project (relative path -> bytes), without git and build folders."""
    skipped = set(ignore)
    files: dict[str, bytes] = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if IGNORED_PARTS & set(rel.parts) or str(rel) in skipped or not path.is_file():
            continue
        files[rel.as_posix()] = path.read_bytes()
    return files


def commit_all(project: Path, message: str) -> None:
    git(project, "add", "-A")
    git(project, "commit", "-q", "--no-verify", "-m", message)


# Fixtures shared by test_update.py and test_add_remove.py (imported there).


def setenv_for_git(monkeypatch: pytest.MonkeyPatch, key: str, value: str) -> None:
    """Set a variable for every git in the test, Copier's included.

    Copier runs git through plumbum, whose environment is a copy of ``os.environ`` made when
    plumbum was first imported (earlier in the session), so it is set there too.
    """
    from plumbum import local

    monkeypatch.setenv(key, value)
    monkeypatch.setitem(local.env, key, value)


@pytest.fixture(autouse=True, name="isolated_git")
def isolated_git_fixture(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A git identity (fresh CI machines have none), no user/system config, a private Copier cache."""
    empty = tmp_path / "empty.gitconfig"
    empty.write_text("")
    settings = {
        **GIT_IDENTITY,
        "GIT_CONFIG_GLOBAL": str(empty),
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CEILING_DIRECTORIES": str(tmp_path),
        "COPIER_CACHE_DIR": str(tmp_path / "copier-cache"),
    }
    for key, value in settings.items():
        setenv_for_git(monkeypatch, key, value)
    monkeypatch.delenv("DUALWORKER_TEMPLATE", raising=False)


@pytest.fixture(scope="session", name="template_repo")
def template_repo_fixture(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One per test run, shared by the xdist workers: tests must not add tags or commits to it
    (build their own)."""
    return build_once(shared_root(tmp_path_factory) / "template" / "dualworker", build_template_repo)


def rendered_v1(
    template_repo: Path,
    patterns: list[str] | None = None,
    auth_mode: str = "secret",
    frontend: str = "static",
) -> Path:
    """The project rendered at v0.1.0 from the template repo, once per test run (next to the repo):
    rendering is deterministic, so a copy of the first render is byte for byte what rendering again
    would write (and 10x cheaper). Shared: copy it, never change it."""
    key = f"{'+'.join(patterns or []) or 'none'}-{auth_mode}-{frontend}"
    answers = generate.Answers("demo", patterns=list(patterns or []), auth_mode=auth_mode, frontend=frontend)
    return build_once(
        template_repo.parent / "renders" / key / "demo",
        lambda dest: generate.render(answers, dest, src=str(template_repo), vcs_ref="v0.1.0"),
    )


def _committed_v1(dest: Path, render: Path) -> None:
    shutil.copytree(render, dest, symlinks=True)
    assert generate.git_init(dest) is None


def make_project(
    root: Path,
    template_repo: Path,
    patterns: list[str] | None = None,
    auth_mode: str = "secret",
    frontend: str = "static",
) -> Path:
    """A project generated at v0.1.0 from the local template repo and committed (`dualworker new`'s
    first commit): a copy, .git included, of one made once per test run."""
    render = rendered_v1(template_repo, patterns, auth_mode, frontend)
    committed = build_once(render.parent / "committed" / "demo", lambda dest: _committed_v1(dest, render))
    project = root / "demo"
    shutil.copytree(committed, project, symlinks=True)
    return project
