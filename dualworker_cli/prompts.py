"""Questions `dualworker new` asks on a terminal, and the summary shown before writing."""

from __future__ import annotations

from rich.markup import escape
from rich.table import Table

from dualworker_cli.errors import DualworkerError
from dualworker_cli.generate import AUTH_MODES, FRONTENDS, PATTERN_TITLES, PATTERNS, Answers


def ask(answers: Answers, *, ask_patterns: bool, ask_auth: bool, ask_frontend: bool = False) -> Answers:
    """Fill in what the options left open; Ctrl-C or Esc aborts before anything is written."""
    import questionary  # ships with Copier; only needed on a terminal

    if ask_patterns:
        picked = questionary.checkbox(
            "Which patterns should the Data Worker run?",
            choices=[
                questionary.Choice(PATTERN_TITLES[p], value=p, checked=p in answers.patterns)
                for p in PATTERNS
            ],
        ).ask()
        if picked is None:
            raise DualworkerError("aborted: nothing was written", 1)
        answers.patterns = [p for p in PATTERNS if p in picked]
    if ask_auth:
        mode = questionary.select(
            "How should the User Worker verify tokens?",
            choices=[questionary.Choice(title, value=key) for key, title in AUTH_MODES.items()],
            default=answers.auth_mode,
        ).ask()
        if mode is None:
            raise DualworkerError("aborted: nothing was written", 1)
        answers.auth_mode = mode
    if ask_frontend:
        # react is listed first: the app people build; static is the no-build demo page.
        front = questionary.select(
            "Which frontend should the User Worker serve?",
            choices=[questionary.Choice(title, value=key) for key, title in FRONTENDS.items()],
            default=answers.frontend,
        ).ask()
        if front is None:
            raise DualworkerError("aborted: nothing was written", 1)
        answers.frontend = front
    return answers


def ask_name(question: str, suggestion: str) -> str:
    """Ask for a project name until it is a valid Worker name base; ``suggestion`` is pre-filled."""
    import questionary

    from dualworker_cli.generate import worker_name_problem

    def check(text: str) -> bool | str:
        problem = worker_name_problem(text.strip())
        return True if problem is None else f"the name {problem}"

    name = questionary.text(question, default=suggestion, validate=check).ask()
    if name is None:
        raise DualworkerError("aborted: nothing was written", 1)
    return str(name).strip()


def summary(answers: Answers, dest: str) -> Table:
    """A table of what is about to be generated."""
    table = Table(title="dualworker new", show_header=False, title_justify="left")
    table.add_column(style="bold cyan")
    table.add_column()
    table.add_row("Folder", escape(dest))
    table.add_row("User Worker (public)", answers.user_worker_name)
    table.add_row("Data Worker (private)", answers.data_worker_name)
    table.add_row("Patterns", ", ".join(answers.patterns) or "none")
    table.add_row("Auth", AUTH_MODES[answers.auth_mode])
    table.add_row("Frontend", FRONTENDS[answers.frontend])
    return table


def confirm() -> bool:
    """Last chance to stop before files are written."""
    import questionary

    ok = questionary.confirm("Create the project?", default=True).ask()
    return bool(ok)
