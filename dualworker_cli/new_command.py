"""The `dualworker new` flow: answers -> checks -> (questions) -> render -> git -> npm -> next steps."""

from __future__ import annotations

import os
import shlex
import shutil
import time
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.panel import Panel

from dualworker_cli import generate
from dualworker_cli.errors import DualworkerError
from dualworker_cli.node import NodeStatus, detect_node, path_line, venv_bin_dirs


def run(
    console: Console,
    *,
    name: str | None,
    patterns: list[str] | None,
    auth: str | None,
    defaults: bool,
    frontend: str | None = None,
    data: list[str],
    git: bool | None,
    install: bool,
    template: str | None,
    interactive: bool,
) -> None:
    """Create the project or raise DualworkerError having written nothing.

    ``git`` None (the default) creates a repository unless the destination already lies inside
    one (a monorepo: a nested repository would be an embedded repo there); True always does.
    """
    ask = interactive and not defaults
    if name is None or not name.strip():
        if not ask:
            what = "missing" if name is None else "empty"
            raise DualworkerError(
                f"NAME is {what}: give the project folder's name, or `.` for the current folder "
                "(e.g. dualworker new myapp)"
            )
        from dualworker_cli import prompts

        name = prompts.ask_name("Project name (the folder; the base of the Worker names)", "myapp")
    dest = Path(name)
    base = Path(os.path.abspath(dest)).name
    if ask and dest.name == base and generate.worker_name_problem(base):
        # On a terminal a bad NAME is asked again, with a valid one to accept (not for `.`: the
        # current folder's name cannot be changed from here).
        from dualworker_cli import prompts

        problem = generate.worker_name_problem(base)
        console.print(f"[yellow]![/] NAME {escape(repr(base))} {escape(problem or '')}", soft_wrap=True)
        dest = dest.with_name(prompts.ask_name("Project name", generate.suggest_name(base)))
    # `.` or `../x`: the name is the folder's own, as the user sees it (symlinks not resolved).
    answers = generate.Answers(project_name=Path(os.path.abspath(dest)).name, data=generate.parse_data(data))
    if patterns is not None:
        answers.patterns = generate.normalize_patterns(patterns)
    if auth is not None:
        answers.auth_mode = auth.strip().lower()  # like --pattern: JWKS is jwks
    answers.frontend = generate.NEW_FRONTEND if frontend is None else frontend.strip().lower()
    generate.validate(answers)
    generate.check_destination(dest.resolve())
    generate.check_source(template)

    if interactive and not defaults:
        from dualworker_cli import prompts

        prompts.ask(
            answers, ask_patterns=patterns is None, ask_auth=auth is None, ask_frontend=frontend is None
        )
        console.print(prompts.summary(answers, str(dest.resolve())))
        if not prompts.confirm():
            raise DualworkerError("aborted: nothing was written", 1)

    started = time.monotonic()

    def notice(text: str) -> None:
        console.print(f"[yellow]![/] {escape(text)}", soft_wrap=True, highlight=False)

    with console.status("Rendering the template..."):
        target = generate.render(answers, dest, src=template, notice=notice)
    shown = escape(str(target if target == Path.cwd().resolve() else dest))
    console.print(
        f"[green]✓[/] Created [bold]{shown}[/] ({', '.join(answers.patterns) or 'no patterns'}; "
        f"auth: {answers.auth_mode}; frontend: {answers.frontend}) in {time.monotonic() - started:.1f} s"
    )

    # npm first, so the first commit carries package-lock.json and the tree starts clean
    # (`dualworker update` refuses a dirty tree). A failed install still gets its commit.
    install_error: DualworkerError | None = None
    installed = False
    node = detect_node()
    if install:
        try:
            installed = _install(console, target, node)
        except KeyboardInterrupt:
            raise DualworkerError(_interrupted(dest, node, git), 130) from None
        except DualworkerError as error:
            install_error = error
    outer = generate.enclosing_repository(target) if git is None else None
    if outer is not None:
        console.print(
            f"[yellow]![/] {escape(str(dest))} is inside the git repository {escape(str(outer))}: "
            f"no nested repository created; commit it there (`git add {escape(shlex.quote(str(dest)))}` "
            "and commit) before `dualworker update`, "
            "or run `dualworker new --git` for a repository of its own",
            soft_wrap=True,
            highlight=False,
        )
    elif git is not False:
        warning = generate.git_init(target)
        if warning:
            console.print(f"[yellow]![/] {escape(warning)}")
        else:
            console.print("[green]✓[/] git repository initialised with a first commit")
    if install_error is not None:
        raise install_error
    _next_steps(console, dest, installed=installed, node=node, frontend=answers.frontend)


def _install(console: Console, target: Path, node: NodeStatus) -> bool:
    """npm install with a spinner; on failure show npm's last lines and keep the project."""
    if node.problem:
        console.print(f"[yellow]![/] Skipped npm install: {escape(node.problem)}", soft_wrap=True)
        return False
    if node.note:
        console.print(f"[green]✓[/] {escape(node.note)}", soft_wrap=True, highlight=False)
    assert node.npm is not None
    with console.status("npm install...") as status:

        def show(line: str) -> None:
            status.update(f"npm install... [dim]{escape(line[:80])}[/]")

        result = generate.npm_install(target, node.npm, on_line=show, env=node.env())
    if not result.ok:
        tail = "\n".join(result.tail[-15:])
        console.print(Panel(escape(tail) or "(no output)", title="npm install failed", border_style="red"))
        raise DualworkerError(
            f"npm install failed in {target}: fix the error above, then run `npm install` there", 1
        )
    console.print(f"[green]✓[/] npm install ({result.seconds:.0f} s)")
    return True


def _interrupted(dest: Path, node: NodeStatus, git: bool | None) -> str:
    """What Ctrl-C during npm install leaves, and the commands that finish the job."""
    steps = [f"cd {shlex.quote(str(dest))}"]
    if node.bin_dir:
        steps.insert(0, path_line(node.bin_dir))
    steps.append("npm install")
    if git is not False:
        steps.append("git init -q && git add -A && git commit -qm 'Generated project'")
    return (
        f"interrupted during npm install: the generated project {dest} was kept (not yet committed); "
        f"to finish: {' && '.join(steps)}"
    )


def _path_line(node: NodeStatus) -> str | None:
    """A PATH line when the panel's commands need dualworker's environment: its Node, or `dualworker`."""
    if node.problem is None and node.bin_dir:
        return f"{path_line(node.bin_dir)}   # Node.js {node.shown_version} and dualworker from its venv"
    for scripts in venv_bin_dirs()[:1]:
        if shutil.which("dualworker") is None and (scripts / "dualworker").is_file():
            return f"{path_line(str(scripts))}   # dualworker from its venv"
    return None


def _next_steps(
    console: Console, dest: Path, *, installed: bool, node: NodeStatus, frontend: str = "static"
) -> None:
    here = dest.resolve() == Path.cwd().resolve()
    lines = [] if here else [f"cd {shlex.quote(str(dest))}"]
    if line := _path_line(node):
        lines.insert(0, line)
    if not installed:
        lines.append("npm install")
    dev = (
        "npm run dev       # Vite + both Workers: open http://127.0.0.1:5173"
        if frontend == "react"
        else "npm run dev       # both Workers: open http://127.0.0.1:8787"
    )
    lines += [
        dev,
        "npm run token     # 2nd terminal: a dev JWT to paste in the page",
        "npm test          # tests in workerd",
        "npm run deploy    # Data Worker first, then User Worker",
        "dualworker check  # the security checklist",
    ]
    console.print(Panel(escape("\n".join(lines)), title="Next steps", border_style="cyan", expand=False))
