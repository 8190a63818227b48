"""`dualworker add PATTERN` / `dualworker remove PATTERN`: change the patterns answer, re-apply the template.

Why through Copier's update rather than copying files: a pattern is not only its own files but
also lines in shared files (bindings in both `wrangler.jsonc`, routes in the Hono apps,
dependencies in `package.json`, tests). Copier's update renders the project's *current* template
version twice — with the old answers and with the new ``patterns`` — and merges that difference
into the project, so every trace of the pattern appears or goes while the user's own edits stay
(clashes become ordinary conflicts, reported like `dualworker update` does).

The project stays on its template version (``vcs_ref`` = its recorded ``_commit``). A project
rendered from this installation's wheel at the installed version is re-rendered from the packaged
template, so this works offline.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from rich.console import Console
from rich.markup import escape

from dualworker_cli.errors import DualworkerError
from dualworker_cli.generate import AUTH_MODES, PATTERNS
from dualworker_cli.update import (
    apply_template,
    check_override,
    load_project,
    npm_refresh_steps,
    refresh_node_project,
    report,
    template_routing,
)
from dualworker_cli.versioning import ANSWERS_FILE

Action = Literal["add", "remove"]


def new_patterns(current: list[str], pattern: str, action: Action) -> list[str]:
    """The patterns answer after the change, in the canonical order; refuses no-ops and unknowns."""
    name = pattern.strip().lower()
    if name not in PATTERNS:
        raise DualworkerError(f"unknown pattern {pattern!r}: choose from {', '.join(PATTERNS)}")
    if action == "add" and name in current:
        raise DualworkerError(f"pattern {name!r} is already in the project (patterns: {', '.join(current)})")
    if action == "remove" and name not in current:
        shown = ", ".join(current) or "none"
        raise DualworkerError(f"pattern {name!r} is not in the project (patterns: {shown})")
    wanted = set(current) | {name} if action == "add" else set(current) - {name}
    return [p for p in PATTERNS if p in wanted]


def run(
    console: Console,
    path: Path,
    pattern: str,
    action: Action,
    *,
    conflict: Literal["inline", "rej"] = "inline",
    pretend: bool = False,
    template: str | None = None,
    install: bool = True,
) -> int:
    """Add or remove one pattern; returns the exit status (1 while conflicts remain).

    In an installed project (``node_modules``), ``npm install`` follows when package.json changed,
    else ``npm run types``, so the Worker types match the new bindings (``install`` False: neither).
    """
    if pattern.strip().lower() not in PATTERNS:  # before touching git: the cheapest refusal first
        raise DualworkerError(f"unknown pattern {pattern!r}: choose from {', '.join(PATTERNS)}")
    name = pattern.strip().lower()
    project = load_project(path, command=f"{action} {name}")
    if template:
        check_override(template)  # before the first line of output: a refusal stays one line
    current = project.answers.get("patterns") or []
    where = f"{path}/{ANSWERS_FILE}"
    if not isinstance(current, list):
        raise DualworkerError(
            f"{where}: `patterns` is not a list; write it as e.g. `patterns: [queue]` and commit"
        )
    # Copier re-renders the old answers first and would fail on them half-way (exit 1).
    unknown = [p for p in current if p not in PATTERNS]
    if unknown:
        raise DualworkerError(
            f"{where}: `patterns` lists {', '.join(repr(p) for p in unknown)}, which this dualworker "
            f"does not know (known: {', '.join(PATTERNS)}): fix the file and commit, or upgrade dualworker"
        )
    auth = project.answers.get("auth_mode", "secret")
    if auth not in AUTH_MODES:
        raise DualworkerError(
            f"{where}: `auth_mode` is {auth!r}, not one of {', '.join(AUTH_MODES)}: fix the file and commit"
        )
    wanted = new_patterns([str(p) for p in current], pattern, action)
    verb = "Adding" if action == "add" else "Removing"
    console.print(
        f"{verb} [bold]{name}[/] {'to' if action == 'add' else 'from'} [bold]{escape(str(path))}[/] "
        f"(template {escape(project.commit)}; patterns: {', '.join(wanted) or 'none'})",
        soft_wrap=True,
    )
    with (
        template_routing(project, template, packaged_ok=True),
        console.status(f"re-applying the template with patterns: {', '.join(wanted) or 'none'}..."),
    ):
        changes = apply_template(
            project, vcs_ref=project.commit, conflict=conflict, data={"patterns": wanted}, pretend=pretend
        )
    title = f"{'Would change' if pretend else 'Changed'} ({action} {name})"
    npm = npm_refresh_steps(project.root, changes, pretend=pretend)
    follows = bool(npm) and install
    status = report(console, changes, title=title, pretend=pretend, conflict=conflict, npm_follows=follows)
    if action == "remove" and not pretend and "deleted" in changes.changed.values():
        # Copier deletes the pattern's files even if edited; the last commit still has them.
        console.print("[dim]Deleted files stay in git history: `git show HEAD:<path>` recovers one.[/]")
    return refresh_node_project(console, project.root, npm, install=install) or status
