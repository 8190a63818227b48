"""`dualworker check` behind the Typer command: options in, report out, exit status back.

Exit statuses: 0 clean (nothing at or above ``--fail-on``), 1 findings, 2 usage or parse error
(one line naming file:line:col; never a traceback).
"""

from __future__ import annotations

import sys
from pathlib import Path

from rich.console import Console
from rich.markup import escape

from dualworker_cli.check.engine import Result, RuleCrash, UsageError, run, run_with_fixes
from dualworker_cli.check.model import FAIL_ON, Severity
from dualworker_cli.check.parse.errors import ParseError
from dualworker_cli.check.reporters import FORMATS
from dualworker_cli.errors import DualworkerError


def list_rules(console: Console) -> None:
    """``--explain all``: one line per rule."""
    from rich.table import Table

    from dualworker_cli.check.rules import ALL

    table = Table(title="dualworker check rules", title_justify="left")
    for column in ("Rule", "Name", "Severity", "Fix", "Title"):
        table.add_column(column, no_wrap=column != "Title")
    for rule in ALL.values():
        table.add_row(rule.id, rule.name, rule.severity.label, "--fix" if rule.fixable else "", rule.title)
    console.print(table)
    console.print("`dualworker check --explain DW00x` shows a rule's page.")


def explain(rule_id: str, console: Console) -> None:
    """Print a rule's page (what it does / why / example / fix), ruff-style."""
    from rich.markdown import Markdown

    from dualworker_cli.check.rules import ALL

    if rule_id.strip().lower() == "all":
        list_rules(console)
        return
    rule = ALL.get(rule_id.strip().upper())
    if rule is None:
        raise DualworkerError(f"--explain {escape(rule_id)}: unknown rule (known: {', '.join(ALL)})", 2)
    fixable = "yes (`--fix`)" if rule.fixable else "no"
    page = (
        f"# {rule.id} ({rule.name}): {rule.title}\n\n"
        f"Severity: **{rule.severity.label}** · Fixable: {fixable}\n\n"
        f"## What it does\n{rule.what}\n\n## Why is this bad?\n{rule.why}\n\n"
        f"## Example\n```\n{rule.example}\n```\n\n## How to fix\n{rule.fix}\n\n"
        f"Suppress one occurrence with `// dualworker-ignore {rule.id} -- reason` on the line above, "
        f'or everywhere with `ignore = ["{rule.id}"]` under `[check]` in `dualworker.toml`.\n'
    )
    console.print(Markdown(page))


class _TemplateLookup:
    """Ask, in the background while linting, whether the project's template has a newer release.

    Information only (issue: keep generated projects current): never a finding, never a failure,
    and bounded in time so an offline machine or a slow remote costs at most ``WAIT_S`` more.
    ``DUALWORKER_OFFLINE=1`` skips network sources entirely.
    """

    WAIT_S = 1.5

    def __init__(self, path: Path) -> None:
        import threading

        root = path if path.is_dir() else path.parent
        self._answer: str | None = None
        self._thread = threading.Thread(target=self._run, args=(root,), daemon=True)
        self._thread.start()

    def _run(self, root: Path) -> None:
        try:
            from dualworker_cli.versioning import newer_template_version

            self._answer = newer_template_version(root)
        except Exception:  # information only: any failure means "unknown"
            self._answer = None

    def result(self) -> str | None:
        self._thread.join(self.WAIT_S)
        return self._answer


def run_init(console: Console, path: Path) -> int:
    """``--init``: write dualworker.toml from discovery; refuse (exit 2) when one exists."""
    from dualworker_cli.check.init import InitRefused, write_init

    try:
        target, project = write_init(path)
    except InitRefused as exc:
        raise DualworkerError(escape(str(exc)), 2) from None
    except ParseError as exc:
        raise DualworkerError(escape(str(exc)), 2) from None
    pairs = "; ".join(f"{p.front.config.rel} -> {p.backend.config.rel} ({p.binding})" for p in project.pairs)
    console.print(f"wrote {escape(str(target))}: {len(project.pairs)} pair(s): {escape(pairs)}")
    if project.ambiguities:
        console.print(
            f"{len(project.ambiguities)} ambiguous binding(s) left as comments: pick the right pair"
        )
    console.print("Review it (each value says where it came from), then run `dualworker check`.")
    return 0


def exit_status(result: Result, fail_on: str) -> int:
    if fail_on == "never":
        return 0
    threshold = Severity.parse(fail_on)
    return 1 if any(f.severity >= threshold for f in result.findings) else 0


def render(result: Result, fmt: str, console: Console) -> str | None:
    """Machine formats return text; the table prints to ``console`` and returns None."""
    if fmt == "json":
        from dualworker_cli.check.reporters import json_format

        return json_format.render(result)
    if fmt == "sarif":
        from dualworker_cli.check.reporters import sarif

        return sarif.render(result)
    if fmt == "github":
        from dualworker_cli.check.reporters import github

        return github.render(result)
    from dualworker_cli.check.reporters import table

    table.report(result, console)
    return None


def run_check(
    console: Console,
    *,
    path: Path,
    fmt: str,
    fail_on: str | None,
    select: list[str],
    ignore: list[str],
    fix: bool,
    output: Path | None,
    jobs: int | None = None,
) -> int:
    """Lint ``path``; raise DualworkerError(exit 2) for usage and parse errors."""
    if fmt not in FORMATS:
        raise DualworkerError(f"--format {escape(fmt)}: choose one of {', '.join(FORMATS)}", 2)
    if fail_on is not None and fail_on not in FAIL_ON:
        raise DualworkerError(f"--fail-on {escape(fail_on)}: choose one of {', '.join(FAIL_ON)}", 2)
    lookup = _TemplateLookup(path) if fmt in ("table", "json") else None
    try:
        result = (run_with_fixes if fix else run)(path, select, ignore, jobs=jobs)
    except (ParseError, UsageError, RuleCrash) as exc:
        # the CLI prints errors as Rich markup: a path like `routes/[slug]/x.ts` must stay as is
        raise DualworkerError(escape(str(exc)), 2) from None
    if lookup is not None:
        result.template_update = lookup.result()
    level = fail_on or result.project.settings.fail_on or "error"
    if output is not None:
        try:
            with output.open("w", encoding="utf-8") as handle:
                # the table as plain text (no colours), machine formats as they are
                plain = Console(file=handle, width=120, no_color=True, highlight=False)
                handle.write(render(result, fmt, plain) or "")
        except OSError as exc:
            raise DualworkerError(escape(f"{output}: cannot write: {exc.strerror or exc}"), 2) from None
    else:
        text = render(result, fmt, console)
        if text is not None:
            sys.stdout.write(text)
            sys.stdout.flush()
    return exit_status(result, level)
