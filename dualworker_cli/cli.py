"""Typer commands only: parse options, call into the modules that do the work, map errors to exits.

Everything heavy (Copier, tree-sitter, questionary) is imported inside the command that
needs it, so `dualworker --help` and `dualworker check` never pay for Copier.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.markup import escape

from dualworker_cli import __version__
from dualworker_cli.errors import DualworkerError

app = typer.Typer(
    name="dualworker",
    help="Generate, lint and update Cloudflare dual-worker projects "
    "(a public User Worker in front of a private Data Worker).",
    no_args_is_help=True,
    rich_markup_mode="rich",
    pretty_exceptions_enable=False,
)
#: Width of tables and panels when output goes to a file, a pipe or CI logs (Rich's default, 80
#: columns, broke messages and copy-paste commands mid-phrase). Terminals keep their own width;
#: COLUMNS still wins.
PIPE_WIDTH = 120


def _make_console(*, stderr: bool = False) -> Console:
    stream = sys.stderr if stderr else sys.stdout
    piped = not (hasattr(stream, "isatty") and stream.isatty())
    # Piped: lines of text are never wrapped (soft wrap), tables and panels are laid out PIPE_WIDTH wide.
    return Console(
        stderr=stderr,
        width=PIPE_WIDTH if piped and "COLUMNS" not in os.environ else None,
        soft_wrap=piped,
    )


console = _make_console()
err_console = _make_console(stderr=True)


def _fresh_consoles() -> None:
    """Consoles for this invocation: the streams and COLUMNS as they are now, not at import."""
    global console, err_console
    console = _make_console()
    err_console = _make_console(stderr=True)


#: Values listed in --help and offered by shell completion. The commands check values themselves,
#: so a wrong one is a one-line error (exit 2) like any other bad input, not Click's usage block.
PATTERN_CHOICES = ("queue", "websocket", "workflow")
AUTH_CHOICES = ("secret", "jwks")
FRONTEND_CHOICES = ("react", "static")
FORMAT_CHOICES = ("table", "json", "sarif", "github")
FAIL_ON_CHOICES = ("error", "warning", "info", "never")
CONFLICT_CHOICES = ("inline", "rej")


def _choices(*values: str) -> dict[str, Any]:
    """``metavar`` listing ``values`` and a completion that offers them (case-insensitively)."""

    def complete(incomplete: str) -> list[str]:
        return [value for value in values if value.startswith(incomplete.lower())]

    return {"metavar": "[" + "|".join(values) + "]", "autocompletion": complete}


def _examples(*lines: str) -> str:
    """An --help epilog: one example command per line."""
    return "[bold]Examples[/]\n\n" + "\n".join(f"  $ {line}" for line in lines)


#: Flags take no value: no `<bool>` label in --help.
FLAG = {"metavar": ""}


def fail(error: DualworkerError, *, markup: bool = False) -> NoReturn:
    """Print the one-line message and exit with the error's status.

    Messages are plain text (a path like `app[/x]` prints as it is); `check` escapes its own
    messages for Rich already, so it passes ``markup=True``.
    """
    message = error.message if markup else escape(error.message)
    err_console.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(error.exit_code)


def _version(value: bool) -> None:
    if value:
        console.print(f"dualworker {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit."),
    ] = False,
) -> None:
    """Generate, lint and update Cloudflare dual-worker projects."""
    _fresh_consoles()


def _is_tty() -> bool:
    return sys.stdin.isatty() and sys.stdout.isatty()


@app.command(
    epilog=_examples(
        "dualworker new ../myapp",
        "dualworker new shop -p queue,workflow --auth jwks -y",
        "dualworker new site --frontend static -y",
        "dualworker new . -p none --no-install",
    )
)
def new(
    name: Annotated[
        str | None,
        typer.Argument(
            metavar="NAME",
            help="Project folder (`.` for the current, empty one); its name is the base of the Worker names. "
            "Asked on a terminal when missing.",
            show_default=False,
        ),
    ] = None,
    pattern: Annotated[
        list[str] | None,
        typer.Option(
            "--pattern",
            "-p",
            help="Pattern to include (repeat, or comma-separated; `none` for none). Skips the question.",
            **_choices(*PATTERN_CHOICES, "none"),
        ),
    ] = None,
    auth: Annotated[
        str | None,
        typer.Option("--auth", help="Token verification: secret (HS256) or jwks.", **_choices(*AUTH_CHOICES)),
    ] = None,
    frontend: Annotated[
        str | None,
        typer.Option(
            "--frontend",
            help="What the User Worker serves: react (Vite SPA; the default) or static (no build).",
            **_choices(*FRONTEND_CHOICES),
        ),
    ] = None,
    defaults: Annotated[
        bool, typer.Option("--defaults", "-y", help="Accept the defaults for every question.", **FLAG)
    ] = False,
    data: Annotated[
        list[str] | None,
        typer.Option(
            "--data",
            "-d",
            metavar="KEY=VALUE",
            help="Set an answer: user_worker_name, data_worker_name or compatibility_date (repeat).",
        ),
    ] = None,
    git: Annotated[
        bool | None,
        typer.Option(
            "--git/--no-git",
            help="git init and a first commit (default: unless already inside a git repository).",
            show_default=False,
            **FLAG,
        ),
    ] = None,
    install: Annotated[
        bool, typer.Option("--install/--no-install", help="Run npm install afterwards.", **FLAG)
    ] = True,
    template: Annotated[
        str | None,
        typer.Option(
            "--template",
            envvar="DUALWORKER_TEMPLATE",
            metavar="SRC",
            help="Render from another Copier source (a fork, a local clone).",
        ),
    ] = None,
) -> None:
    """Create a dual-worker project in the folder NAME."""
    from dualworker_cli import new_command

    try:
        new_command.run(
            console,
            name=name,
            patterns=pattern,
            auth=auth,
            frontend=frontend,
            defaults=defaults,
            data=data or [],
            git=git,
            install=install,
            template=template,
            interactive=_is_tty(),
        )
    except DualworkerError as error:
        fail(error)


# Further commands (check, update, add, remove) register below.


@app.command(
    epilog=_examples(
        "dualworker check",
        "dualworker check ../myapp --format sarif -o check.sarif",
        "dualworker check --explain DW006",
    )
)
def check(
    path: Annotated[
        Path, typer.Argument(metavar="PATH", help="Project folder (default: the current one).")
    ] = Path("."),
    fmt: Annotated[
        str, typer.Option("--format", "-f", help="Report format.", **_choices(*FORMAT_CHOICES))
    ] = "table",
    fail_on: Annotated[
        str | None,
        typer.Option("--fail-on", help="Exit 1 at or above (default: error).", **_choices(*FAIL_ON_CHOICES)),
    ] = None,
    select: Annotated[
        list[str] | None,
        typer.Option(
            "--select", metavar="RULES", help="Only these rules (ids or prefixes, comma-separated)."
        ),
    ] = None,
    ignore: Annotated[
        list[str] | None, typer.Option("--ignore", metavar="RULES", help="Skip these rules.")
    ] = None,
    fix: Annotated[
        bool, typer.Option("--fix", help="Fix config findings in place (comments kept).", **FLAG)
    ] = False,
    explain: Annotated[
        str | None,
        typer.Option(
            "--explain", metavar="RULE", help="Show what a rule checks and how to fix it (DW006, or all)."
        ),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", metavar="FILE", help="Write the report to this file (a table as plain text)."
        ),
    ] = None,
    init: Annotated[
        bool,
        typer.Option(
            "--init", help="Write dualworker.toml from what discovery inferred (never overwrites).", **FLAG
        ),
    ] = False,
    jobs: Annotated[
        int | None,
        typer.Option(
            "--jobs",
            "-j",
            min=1,
            metavar="N",
            help="Processes to check with (default: one per CPU for projects of 32+ pairs; Linux).",
        ),
    ] = None,
) -> None:
    """Lint a dual-worker project against the security checklist (exit 0 clean, 1 findings, 2 errors)."""
    from dualworker_cli.check import command

    try:
        if explain is not None:
            command.explain(explain, console)
            return
        if init:
            raise typer.Exit(command.run_init(console, path))
        status = command.run_check(
            console,
            path=path,
            fmt=fmt,
            fail_on=fail_on,
            select=select or [],
            ignore=ignore or [],
            fix=fix,
            output=output,
            jobs=jobs,
        )
    except DualworkerError as error:
        fail(error, markup=True)
    raise typer.Exit(status)


_CONFLICT_HELP = "How to leave conflicts: inline <<<<<<< markers, or .rej files next to each file."
_TEMPLATE_HELP = (
    "Fetch the project's template from here for this run (a local clone or mirror with the same tags); "
    "the recorded source stays."
)


def _conflict_mode(value: str) -> str:
    if value not in {"inline", "rej"}:
        raise typer.BadParameter("choose inline or rej")
    return value


# Options shared by update, add and remove.
ProjectPath = Annotated[Path, typer.Argument(metavar="PATH", help="The project folder.")]
ConflictOption = Annotated[
    str,
    typer.Option("--conflict", callback=_conflict_mode, help=_CONFLICT_HELP, **_choices(*CONFLICT_CHOICES)),
]
PretendOption = Annotated[
    bool, typer.Option("--pretend", help="Show what would change; change nothing.", **FLAG)
]
TemplateOption = Annotated[
    str | None, typer.Option("--template", envvar="DUALWORKER_TEMPLATE", metavar="SRC", help=_TEMPLATE_HELP)
]
PatternArgument = Annotated[
    str,
    typer.Argument(
        help="queue, websocket or workflow.",
        metavar="PATTERN",
        autocompletion=_choices(*PATTERN_CHOICES)["autocompletion"],
    ),
]
InstallOption = Annotated[
    bool,
    typer.Option(
        "--install/--no-install",
        help="In an installed project: npm install when package.json changed, else refresh the Worker types.",
        **FLAG,
    ),
]


@app.command(
    epilog=_examples(
        "dualworker update",
        "dualworker update ../myapp --pretend",
        "dualworker update --vcs-ref v0.2.0 --conflict rej",
    )
)
def update(
    path: ProjectPath = Path("."),
    conflict: ConflictOption = "inline",
    pretend: PretendOption = False,
    vcs_ref: Annotated[
        str | None,
        typer.Option(
            "--vcs-ref", metavar="TAG", help="Template version (git tag) to go to; default: the latest."
        ),
    ] = None,
    template: TemplateOption = None,
    install: InstallOption = True,
) -> None:
    """Update the project to the newest template version, keeping your edits.

    Exit status 1 while merge conflicts remain, 2 when the project cannot be updated safely.
    """
    from dualworker_cli import update as updating

    try:
        status = updating.run(
            console,
            path,
            conflict="rej" if conflict == "rej" else "inline",
            pretend=pretend,
            vcs_ref=vcs_ref,
            template=template,
            install=install,
        )
    except DualworkerError as error:
        fail(error)
    raise typer.Exit(status)


def _pattern_command(
    action: str, pattern: str, path: Path, conflict: str, pretend: bool, template: str | None, install: bool
) -> NoReturn:
    """Shared body of `add` and `remove` (Copier is imported only here, not for --help)."""
    from dualworker_cli import patterns

    try:
        status = patterns.run(
            console,
            path,
            pattern,
            "add" if action == "add" else "remove",
            conflict="rej" if conflict == "rej" else "inline",
            pretend=pretend,
            template=template,
            install=install,
        )
    except DualworkerError as error:
        fail(error)
    raise typer.Exit(status)


@app.command(epilog=_examples("dualworker add workflow", "dualworker add queue ../myapp --pretend"))
def add(
    pattern: PatternArgument,
    path: ProjectPath = Path("."),
    conflict: ConflictOption = "inline",
    pretend: PretendOption = False,
    template: TemplateOption = None,
    install: InstallOption = True,
) -> None:
    """Add a pattern to the project: its files, bindings, routes, tests and dependencies."""
    _pattern_command("add", pattern, path, conflict, pretend, template, install)


@app.command(epilog=_examples("dualworker remove websocket", "dualworker remove queue ../myapp --no-install"))
def remove(
    pattern: PatternArgument,
    path: ProjectPath = Path("."),
    conflict: ConflictOption = "inline",
    pretend: PretendOption = False,
    template: TemplateOption = None,
    install: InstallOption = True,
) -> None:
    """Remove a pattern from the project: every file, binding, route, test and dependency it brought."""
    _pattern_command("remove", pattern, path, conflict, pretend, template, install)
