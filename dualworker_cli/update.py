"""`dualworker update`: bring a generated project to a newer template version through Copier's update.

Copier's update renders the project's recorded template version (``_commit`` from ``_src_path``)
and the target version with the project's answers, and merges the difference into the project,
so the user's own edits survive and clashing edits become conflicts (inline markers or ``.rej``
files). `dualworker add`/`remove` (see `dualworker_cli.patterns`) reuse the same engine at the
project's *current* version with a changed ``patterns`` answer.

What this module adds around Copier:

* refusals before anything is touched (exit 2, one line): not a git repository, uncommitted
  changes (the update must be reviewable and undoable with git), no answers file;
* the versions, from -> to, read with ``git ls-remote`` before the update starts;
* ``--template SRC`` fetches the recorded source from somewhere else (a local clone or a mirror
  with the same tags) for this run only, through git's ``url.<SRC>.insteadOf`` — the recorded
  ``_src_path`` stays unchanged, so teammates keep updating from the canonical place;
* ``--pretend`` runs the real update in a throw-away clone and reports what would change;
* a summary of changed and conflicted files; the exit status is 1 while conflicts remain.

Copier is imported only inside the functions that run it; :func:`newer_template_version`
(used by `dualworker check`) never imports it.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import tempfile
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from rich.console import Console
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table

from dualworker_cli import __version__
from dualworker_cli.errors import DualworkerError
from dualworker_cli.gitutil import git as _git
from dualworker_cli.versioning import (
    ANSWERS_FILE,
    TEMPLATE_URL,
    is_local_source,
    list_releases,
    local_path,
    newer_template_version,
    parse_version,
    ref_exists,
    release_tag,
)

__all__ = ["Changes", "Project", "apply_template", "load_project", "newer_template_version", "run"]

Conflict = Literal["inline", "rej"]
#: Exit status while merge conflicts remain in the project (refusals use 2).
EXIT_CONFLICTS = 1
_UNMERGED = {"DD", "AU", "UD", "UA", "DU", "AA", "UU"}


@dataclass(frozen=True)
class Project:
    """A generated project that passed the preconditions for an update."""

    root: Path
    git_top: Path
    answers: dict[str, Any]

    @property
    def source(self) -> str:
        return str(self.answers["_src_path"])

    @property
    def commit(self) -> str:
        return str(self.answers["_commit"])


@dataclass
class Changes:
    """What an update did (or would do): paths relative to the project root."""

    changed: dict[str, str] = field(default_factory=dict)  # path -> "modified" | "added" | "deleted"
    conflicts: list[str] = field(default_factory=list)

    @property
    def package_json_changed(self) -> bool:
        return any(Path(p).name == "package.json" for p in self.changed)


def load_project(path: Path, command: str = "update") -> Project:
    """Check everything that would make an update unsafe, before touching anything.

    The order matches what a user can fix first: git, then the answers, then the working tree.
    ``command`` (``update``, ``add queue``...) goes into the hint when PATH is inside a project.
    """
    root = path.expanduser().resolve()
    if not root.exists():
        raise DualworkerError(f"{path}: no such project folder; give the folder that holds {ANSWERS_FILE}")
    if not root.is_dir():
        raise DualworkerError(
            f"{path} is a file, not a project folder; give the folder that holds {ANSWERS_FILE}"
        )
    if shutil.which("git") is None:
        raise DualworkerError("git not found on PATH: updates merge through git; install git first")
    top = _git(root, "rev-parse", "--show-toplevel")
    if top.returncode != 0:
        raise DualworkerError(
            f"{path} is not a git repository: updates merge through git, so commit the project first "
            "(git init && git add -A && git commit -m 'Generated project')"
        )
    git_top = Path(top.stdout.strip()).resolve()
    if not (root / ANSWERS_FILE).is_file():
        owner = next(
            (
                folder
                for folder in root.parents
                if (folder / ANSWERS_FILE).is_file() and folder.is_relative_to(git_top)
            ),
            None,
        )
        if owner is not None:
            raise DualworkerError(
                f"{path} is inside the project {owner}: run `dualworker {command} {shlex.quote(str(owner))}` "
                "(or run it from that folder)"
            )
        raise DualworkerError(
            f"{path} has no {ANSWERS_FILE}: not generated by `dualworker new` (or `copier copy`), "
            "so there is no template version to update from"
        )
    answers = _read_answers_strict(root, path)
    if not answers.get("_src_path") or not answers.get("_commit"):
        raise DualworkerError(
            f"{path}/{ANSWERS_FILE} records no template source and version (_src_path, _commit): "
            "cannot tell which template version the project has"
        )
    if operation := _operation_in_progress(root):
        name, finish = operation
        raise DualworkerError(
            f"{path}: {name} is in progress: {finish} first, so the update starts from a commit"
        )
    status = _git(root, "status", "--porcelain", "--untracked-files=all", "--", ".")
    if status.returncode != 0:
        detail = (status.stderr.strip().splitlines() or ["git status failed"])[-1]
        raise DualworkerError(f"{path}: {detail}")
    if status.stdout.strip():
        lines = status.stdout.strip().splitlines()
        prefix = _git(root, "rev-parse", "--show-prefix").stdout.strip()
        unmerged = [line[3:].removeprefix(prefix) for line in lines if line[:2] in _UNMERGED]
        rejects = [
            line[3:].removeprefix(prefix) for line in lines if line[:2] == "??" and line.endswith(".rej")
        ]
        if unmerged or rejects:
            shown = ", ".join((unmerged + rejects)[:5]) + (", ..." if len(unmerged + rejects) > 5 else "")
            how = (
                "resolve the <<<<<<< markers, `git add` the files"
                if unmerged
                else "apply the .rej hunks by hand and delete the .rej files"
            )
            raise DualworkerError(
                f"{path} has unresolved conflicts from the last update ({shown}): {how}, then commit "
                f"({ANSWERS_FILE} already records the new template version); then run `dualworker {command}`"
            )
        count = len(lines)
        raise DualworkerError(
            f"{path} has uncommitted changes ({count} path(s)): commit or stash them first, "
            "so the update can be reviewed with `git diff` and undone"
        )
    return Project(root=root, git_top=git_top, answers=answers)


def _read_answers_strict(root: Path, shown: Path) -> dict[str, Any]:
    """The answers file as a mapping; a file that does not parse is named with its line and problem."""
    import yaml

    where = f"{shown}/{ANSWERS_FILE}"
    try:
        data = yaml.safe_load((root / ANSWERS_FILE).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise DualworkerError(f"{where}: cannot read it ({exc})") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" (line {mark.line + 1}: {getattr(exc, 'problem', None) or 'syntax error'})" if mark else ""
        raise DualworkerError(
            f"{where} is not valid YAML{at}: fix it, or take the committed version back with "
            f"`git log -p -- {ANSWERS_FILE}`"
        ) from None
    if not isinstance(data, dict):
        raise DualworkerError(f"{where} is not a mapping of answers: fix it or restore it from git")
    return data


#: Operations that leave the repository between two commits, and how to finish or abort them.
_IN_PROGRESS: tuple[tuple[str, str, str], ...] = (
    ("MERGE_HEAD", "a merge", "finish it (`git commit`) or abort it (`git merge --abort`)"),
    ("rebase-merge", "a rebase", "finish it (`git rebase --continue`) or abort it (`git rebase --abort`)"),
    ("rebase-apply", "a rebase or `git am`", "finish or abort it (`git rebase --abort` / `git am --abort`)"),
    ("CHERRY_PICK_HEAD", "a cherry-pick", "finish it or abort it (`git cherry-pick --abort`)"),
    ("REVERT_HEAD", "a revert", "finish it or abort it (`git revert --abort`)"),
)


def _operation_in_progress(root: Path) -> tuple[str, str] | None:
    """A merge, rebase, cherry-pick or revert that git has not finished, if any."""
    args = [arg for marker, _, _ in _IN_PROGRESS for arg in ("--git-path", marker)]
    found = _git(root, "rev-parse", *args)
    paths = found.stdout.splitlines() if found.returncode == 0 else []
    for (_, name, finish), text in zip(_IN_PROGRESS, paths, strict=False):
        marker = Path(text.strip())
        if (marker if marker.is_absolute() else root / marker).exists():
            return name, finish
    return None


def _is_wheel_template(folder: Path) -> bool:
    return folder.name == "_template" and not (folder / ".git").exists()


@contextmanager
def _packaged_repo() -> Iterator[str]:
    """The template packaged in this installation as a one-tag git repository.

    Lets `add`/`remove` re-render a project at the installed version without the network: the
    wheel's template *is* that release (see `dualworker_cli.versioning`).
    """
    from dualworker_cli.generate import template_source

    packaged = template_source()
    with tempfile.TemporaryDirectory(prefix="dualworker-template.") as tmp:
        repo = Path(tmp) / "template-repo"
        repo.mkdir()
        shutil.copy2(packaged / "copier.yml", repo / "copier.yml")
        shutil.copytree(packaged / "template", repo / "template")
        identity = ["-c", "user.name=dualworker", "-c", "user.email=dualworker@localhost"]
        for args in (
            ("init", "-q"),
            ("add", "-A"),
            (*identity, "commit", "-q", "--no-verify", "-m", f"dualworker {__version__} template"),
            ("tag", release_tag()),
        ):
            result = _git(repo, *args)
            if result.returncode != 0:
                raise DualworkerError(f"preparing the packaged template: git {args[0]}: {result.stderr}", 1)
        yield str(repo)


def _packaged_template_matches(project: Project) -> bool:
    """True when the project's recorded version is exactly the release packaged in this wheel."""
    from dualworker_cli.generate import template_source

    try:
        packaged = template_source()
    except DualworkerError:
        return False
    return project.source == TEMPLATE_URL and project.commit == release_tag() and _is_wheel_template(packaged)


@contextmanager
def template_routing(project: Project, override: str | None, *, packaged_ok: bool) -> Iterator[str]:
    """Make Copier's git calls fetch the project's recorded source from ``override``.

    Yields the source to ask for tags. Uses git's ``url.<override>.insteadOf=<recorded>``
    (through ``GIT_CONFIG_COUNT``, so no config file changes) and a private Copier mirror cache,
    so the canonical URL's cache entry never holds another repository's objects.
    ``packaged_ok`` allows the wheel's own template as the override when it is the recorded release.
    """
    if override:
        target = check_override(override)
        with _rewrite(project.source, target):
            yield target
        return
    if packaged_ok and _packaged_template_matches(project):
        with _packaged_repo() as repo, _rewrite(project.source, repo):
            yield repo
        return
    if not _looks_remote(project.source) and not local_path(project.source).is_dir():
        raise DualworkerError(
            f"the template source recorded in {ANSWERS_FILE}, {project.source}, does not exist "
            "(moved or deleted?): pass --template <a clone of it>"
        )
    yield project.source


def check_override(override: str) -> str:
    """A ``--template`` for update/add/remove: a git clone or mirror of the template (made absolute).

    Refused up front (exit 2) when it is missing, not a template, or not a git repository: the
    update needs the template's release tags from it.
    """
    if _looks_remote(override):
        return override
    shown = f"--template {override} (or DUALWORKER_TEMPLATE)"
    folder = local_path(override)
    hint = f"point it at a git clone of the template (git clone {TEMPLATE_URL})"
    if not folder.exists():
        raise DualworkerError(f"{shown}: no such folder; {hint}")
    if not folder.is_dir():
        raise DualworkerError(f"{shown}: not a folder; {hint}")
    bare = (folder / "HEAD").is_file() and (folder / "objects").is_dir()  # a mirror (`git clone --mirror`)
    if not bare:
        if not any((folder / name).is_file() for name in ("copier.yml", "copier.yaml")):
            raise DualworkerError(f"{shown}: {folder} has no copier.yml, so it is not the template; {hint}")
        if not (folder / ".git").exists():
            raise DualworkerError(
                f"{shown}: {folder} is not a git repository, so it has no template versions (tags); {hint}"
            )
    return override if override.startswith("file://") else str(folder.resolve())


def _looks_remote(source: str) -> bool:
    return not is_local_source(source)


@contextmanager
def _rewrite(recorded: str, target: str) -> Iterator[None]:
    """Make git fetch ``recorded`` from ``target`` in this block: ``url.<target>.insteadOf``.

    Passed the way git documents for configuration without files, ``GIT_CONFIG_COUNT`` /
    ``GIT_CONFIG_KEY_<n>`` / ``GIT_CONFIG_VALUE_<n>``, appended after any the caller set; with a
    private Copier mirror cache, so the canonical URL's cache entry never holds another repository.
    """
    if recorded == target:
        yield
        return
    index = int(os.environ.get("GIT_CONFIG_COUNT", "0") or 0)
    extra = {
        "GIT_CONFIG_COUNT": str(index + 1),
        f"GIT_CONFIG_KEY_{index}": f"url.{target}.insteadOf",
        f"GIT_CONFIG_VALUE_{index}": recorded,
    }
    with tempfile.TemporaryDirectory(prefix="dualworker-copier-cache.") as cache:
        extra["COPIER_CACHE_DIR"] = cache
        with git_environment(extra):
            yield


@contextmanager
def git_environment(extra: dict[str, str]) -> Iterator[None]:
    """Add ``extra`` to the environment of every git that runs in this block, then take it back.

    dualworker's own git calls (and Copier's Python) read ``os.environ``. Copier runs git through
    plumbum, whose environment is a copy of ``os.environ`` made when plumbum was imported; the same
    keys are added there with plumbum's documented ``local.env(**variables)`` block. Nothing else in
    either environment is touched.
    """
    from plumbum import local

    saved = {key: os.environ.get(key) for key in extra}
    os.environ.update(extra)
    try:
        with local.env(**extra):
            yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def apply_template(
    project: Project,
    *,
    vcs_ref: str,
    conflict: Conflict = "inline",
    data: dict[str, Any] | None = None,
    pretend: bool = False,
) -> Changes:
    """Run Copier's update on the project (or on a scratch clone when ``pretend``) and report changes.

    Must run inside :func:`template_routing` when the recorded source is fetched from elsewhere.
    """
    try:
        return _apply_template(project, vcs_ref=vcs_ref, conflict=conflict, data=data, pretend=pretend)
    except _UnknownRevision as missing:
        if missing.ref == project.commit:
            message = (
                f"{ANSWERS_FILE} records _commit {missing.ref}, which the template source "
                f"{project.source} does not have: pass --template <a clone that has that tag>"
            )
        else:
            message = f"--vcs-ref {missing.ref}: no such tag or commit in the template source"
        raise DualworkerError(f"{message}; nothing was changed") from None


class _UnknownRevision(Exception):
    """Copier could not find a template version (a tag or commit) in the source."""

    def __init__(self, ref: str) -> None:
        super().__init__(ref)
        self.ref = ref


def _apply_template(
    project: Project, *, vcs_ref: str, conflict: Conflict, data: dict[str, Any] | None, pretend: bool
) -> Changes:
    if not pretend:
        _copier_update(project.root, vcs_ref=vcs_ref, conflict=conflict, data=data)
        return collect_changes(project.root, conflict)
    with tempfile.TemporaryDirectory(prefix="dualworker-pretend.") as tmp:
        clone = Path(tmp) / "project"
        result = _git(
            Path(tmp), "clone", "-q", "--no-hardlinks", str(project.git_top), str(clone), timeout=300
        )
        if result.returncode != 0:
            raise DualworkerError(f"--pretend: could not clone the project: {result.stderr.strip()}", 1)
        scratch = clone / project.root.relative_to(project.git_top)
        _copier_update(scratch, vcs_ref=vcs_ref, conflict=conflict, data=data)
        return collect_changes(scratch, conflict)


def _copier_update(dst: Path, *, vcs_ref: str, conflict: Conflict, data: dict[str, Any] | None) -> None:
    """Copier's update with the settings every dualworker command needs.

    ``unsafe=True`` because the template's `_migrations` are commands; the user chose this
    template (it is dualworker's own or one they passed with --template).
    """
    from copier import run_update
    from copier.errors import CopierError, DirtyLocalWarning
    from plumbum import ProcessExecutionError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DirtyLocalWarning)
            run_update(
                str(dst),
                data=data or {},
                vcs_ref=vcs_ref,
                conflict=conflict,
                overwrite=True,
                skip_answered=True,
                defaults=True,
                quiet=True,
                unsafe=True,
            )
    except (CopierError, ValueError, ProcessExecutionError) as exc:
        unknown = re.search(r"Unknown revision: '([^']*)'", str(exc))
        if unknown and not _git(dst, "status", "--porcelain", "--", ".").stdout.strip():
            raise _UnknownRevision(unknown[1]) from None
        raise DualworkerError(_failure_message(dst, exc), 1) from None
    except KeyboardInterrupt:
        raise DualworkerError(f"interrupted; {_restore(dst)}", 1) from None


def _failure_message(dst: Path, exc: Exception) -> str:
    """One line: git's own ``fatal:`` line when there is one, and whether the project was touched.

    The project was clean before (checked by :func:`load_project`), so `git status` tells.
    """
    text = str(exc)
    # plumbum quotes git's stderr as "Stderr: | fatal: ..."; git's first fatal line says what is wrong.
    fatal = [line[line.index("fatal:") :].strip() for line in text.splitlines() if "fatal:" in line]
    errors = [line.strip() for line in text.splitlines() if line.strip().startswith("error:")]
    detail = (fatal or errors or [" ".join(text.split())])[0]
    hint = ""
    if any(
        word in detail
        for word in (
            "unable to access",
            "Could not resolve",
            "not a git repository",
            "does not appear to be a git repository",
            "not allowed",
        )
    ):
        hint = " (offline, or the source moved? pass --template <a local clone>)"
    return f"copier update failed: {detail[:300]}{hint}; {_restore(dst)}"


def _restore(dst: Path) -> str:
    """Undo a failed update: the project folder was clean before (:func:`load_project`), so its
    last commit is the state to go back to; only the project's own folder is touched (a monorepo's
    other work stays). Returns what happened, for the error line."""

    def dirty() -> bool:
        return bool(_git(dst, "status", "--porcelain", "--untracked-files=all", "--", ".").stdout.strip())

    if not dirty():
        return "nothing was changed"
    _git(dst, "reset", "-q", "--", ".")
    _git(dst, "checkout", "-q", "--", ".")
    _git(dst, "clean", "-fdq", "--", ".")
    if not dirty():
        return "the project was restored to its last commit"
    folder = shlex.quote(str(dst))
    undo = f"git -C {folder} checkout -- . && git -C {folder} clean -fd"
    return f"the project is partly changed: `{undo}` undoes it"


def collect_changes(root: Path, conflict: Conflict) -> Changes:
    """Read the update's result from git: changed files, and files that still hold conflicts."""
    status = _git(root, "status", "--porcelain=v1", "-z", "--untracked-files=all", "--", ".")
    prefix = _git(root, "rev-parse", "--show-prefix").stdout.strip()
    changes = Changes()
    entries = status.stdout.split("\0")
    i = 0
    while i < len(entries):
        entry = entries[i]
        i += 1
        if len(entry) < 4:
            continue
        code, path = entry[:2], entry[3:]
        if code[0] in "RC":
            i += 1  # the rename's source path follows
        rel = path.removeprefix(prefix)
        if code in _UNMERGED:
            changes.conflicts.append(rel)
            changes.changed[rel] = "conflict"
        elif code == "??" and rel.endswith(".rej"):
            changes.conflicts.append(rel.removesuffix(".rej"))
            changes.changed[rel] = "rejected hunks"
        elif code == "??" or "A" in code:
            changes.changed[rel] = "added"
        elif "D" in code:
            changes.changed[rel] = "deleted"
        else:
            changes.changed[rel] = "modified"
    changes.conflicts.sort()
    return changes


def summary_table(changes: Changes, title: str) -> Table:
    """The Rich table shown after an update, conflicts first."""
    styles = {
        "conflict": "bold red",
        "rejected hunks": "bold red",
        "added": "green",
        "deleted": "yellow",
        "modified": "cyan",
    }
    order = {"conflict": 0, "rejected hunks": 0, "deleted": 1, "added": 2, "modified": 3}
    table = Table(title=title, title_justify="left", show_header=True, header_style="bold")
    table.add_column("File")
    table.add_column("Change")
    for path, kind in sorted(changes.changed.items(), key=lambda item: (order[item[1]], item[0])):
        style = styles[kind]
        table.add_row(f"[{style}]{escape(path)}[/]", f"[{style}]{kind}[/]")
    return table


def report(
    console: Console,
    changes: Changes,
    *,
    title: str,
    pretend: bool,
    conflict: Conflict,
    npm_follows: bool = False,
) -> int:
    """Print the summary and the next step; return the exit status (1 while conflicts remain).

    ``npm_follows``: :func:`refresh_node_project` runs next, so no "run npm install" hint.
    """
    if changes.changed:
        console.print(summary_table(changes, title))
    else:
        console.print("No file changes.")
    if changes.conflicts:
        how = (
            "resolve the <<<<<<< markers"
            if conflict == "inline"
            else "apply the hunks in the .rej files by hand and delete them"
        )
        verb = "would conflict" if pretend else "have conflicts"
        console.print(
            f"[bold red]✗[/] {len(changes.conflicts)} file(s) {verb}: {escape(', '.join(changes.conflicts))}"
            + ("" if pretend else f" — {how}, then `git add` and commit"),
            soft_wrap=True,
        )
    if changes.package_json_changed and not pretend and not npm_follows:
        console.print(
            "[yellow]![/] package.json changed: run `npm install` (it regenerates the Worker types)"
        )
    if pretend:
        console.print("[dim]--pretend: nothing was changed[/]")
    elif not changes.conflicts and changes.changed:
        console.print("[green]✓[/] Review with `git diff`, then commit.")
    return EXIT_CONFLICTS if changes.conflicts else 0


def run(
    console: Console,
    path: Path,
    *,
    conflict: Conflict = "inline",
    pretend: bool = False,
    vcs_ref: str | None = None,
    template: str | None = None,
    install: bool = True,
) -> int:
    """`dualworker update [PATH]`: returns the exit status; refusals raise DualworkerError."""
    project = load_project(path)
    with template_routing(project, template, packaged_ok=False) as source:
        if vcs_ref is not None:
            _check_vcs_ref(source, vcs_ref)
        target = vcs_ref or _latest_release(source)
        current, wanted = parse_version(project.commit), parse_version(target)
        if current is not None and wanted is not None and wanted <= current:
            if wanted < current:
                raise DualworkerError(
                    f"{path} is at template {project.commit}, newer than {target}: "
                    "downgrades are not supported"
                )
            console.print(
                f"[green]✓[/] {escape(str(path))} is up to date (template {escape(project.commit)}).",
                soft_wrap=True,
            )
            return 0
        console.print(
            f"Updating [bold]{escape(str(path))}[/]: template [bold]{escape(project.commit)}[/] → "
            f"[bold]{escape(target)}[/] [dim]({escape(source)})[/]",
            soft_wrap=True,
        )
        with console.status(f"copier update to {target}..."):
            changes = apply_template(project, vcs_ref=target, conflict=conflict, pretend=pretend)
    title = f"{'Would change' if pretend else 'Changed'} ({project.commit} → {target})"
    npm = npm_refresh_steps(project.root, changes, pretend=pretend)
    follows = bool(npm) and install
    status = report(console, changes, title=title, pretend=pretend, conflict=conflict, npm_follows=follows)
    return refresh_node_project(console, project.root, npm, install=install) or status


def npm_refresh_steps(root: Path, changes: Changes, *, pretend: bool) -> list[tuple[str, ...]]:
    """The npm commands that bring an installed project in line with a template change.

    Worker types (``worker-configuration.d.ts``, generated from the wrangler configs) go stale
    when bindings change, so `npm run typecheck` would check against the old ones; a changed
    package.json needs ``npm install`` (whose postinstall regenerates the types). Nothing when the
    project was never installed (``npm install`` does both), on ``--pretend``, while conflicts
    remain (npm would read conflict markers).
    """
    if pretend or changes.conflicts or not changes.changed:
        return []
    if not (root / "node_modules").is_dir():
        return []
    if changes.package_json_changed:
        return [("install", "--no-audit", "--no-fund")]
    return [("run", "types")]


def refresh_node_project(
    console: Console, root: Path, steps: list[tuple[str, ...]], *, install: bool = True
) -> int:
    """Run ``steps`` (see :func:`npm_refresh_steps`) with a Node Wrangler accepts; returns 0 or 1.

    The template change is already applied; a missing Node, ``--no-install`` or a failing npm
    is reported with the command to run, and exit status 1 for a failure.
    """
    from dualworker_cli.generate import npm_install
    from dualworker_cli.node import detect_node, path_line

    if not steps:
        return 0
    commands = " && ".join(f"npm {' '.join(step[:2])}" for step in steps)
    if not install:
        console.print(
            f"[yellow]![/] --no-install: run `{commands}` so the Worker types match the new bindings"
        )
        return 0
    node = detect_node()
    if node.problem or node.npm is None:
        console.print(
            f"[yellow]![/] Not run: {commands} ({escape(node.problem or 'npm not found')})", soft_wrap=True
        )
        return 0
    for step in steps:
        shown = f"npm {' '.join(step[:2])}"
        with console.status(f"{shown}..."):
            result = npm_install(root, node.npm, env=node.env(), args=step)
        if not result.ok:
            tail = "\n".join(result.tail[-15:])
            console.print(Panel(escape(tail) or "(no output)", title=f"{shown} failed", border_style="red"))
            prefix = f"{path_line(node.bin_dir)} && " if node.bin_dir else ""
            again = f"{prefix}cd {shlex.quote(str(root))} && {shown}"
            console.print(
                f"[bold red]✗[/] {shown} failed; the template change is applied: fix the error above, "
                f"then run `{escape(again)}`",
                soft_wrap=True,
                highlight=False,
            )
            return 1
        console.print(
            f"[green]✓[/] {shown} ({result.seconds:.0f} s): Worker types regenerated", highlight=False
        )
    return 0


#: `update` waits longer than `check` for the source: the user asked for the network.
UPDATE_LS_REMOTE_TIMEOUT_S = 60.0


def _check_vcs_ref(source: str, ref: str) -> None:
    """Refuse a ``--vcs-ref`` the source has no tag or branch for (a commit id is left to Copier)."""
    if re.fullmatch(r"[0-9a-f]{7,40}", ref):
        return
    try:
        releases = list_releases(source, timeout=UPDATE_LS_REMOTE_TIMEOUT_S)
        if ref in {release.tag for release in releases} or ref_exists(source, ref):
            return
    except OSError:
        return  # unreachable: the update itself reports it
    shown = ", ".join(release.tag for release in releases[:8]) or "none"
    raise DualworkerError(f"--vcs-ref {ref}: no such tag or branch in {source} (releases: {shown})")


def _latest_release(source: str) -> str:
    try:
        releases = list_releases(source, timeout=UPDATE_LS_REMOTE_TIMEOUT_S)
    except OSError as exc:
        raise DualworkerError(
            f"cannot reach the template source: {exc} (offline? pass --template <a local clone>); "
            "nothing was changed"
        ) from None
    if not releases:
        raise DualworkerError(f"{source} has no release tags (v<version>): nothing to update to")
    return releases[0].tag
