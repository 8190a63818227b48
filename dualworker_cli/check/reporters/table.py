"""Rich output for people: the roles in effect, then one table per file."""

from __future__ import annotations

from itertools import groupby

from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from dualworker_cli.check.engine import Result
from dualworker_cli.check.identity import pair_identity
from dualworker_cli.check.model import Severity
from dualworker_cli.check.reporters import display_path
from dualworker_cli.check.reporters.common import counts
from dualworker_cli.check.rules import ALL

STYLE = {Severity.ERROR: "bold red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}


def first_sentence(text: str) -> str:
    head = text.split("\n")[0]
    return head.split(". ")[0].rstrip(".") + "."


def report(result: Result, console: Console) -> None:
    project = result.project
    if project.settings.source:
        source = f"roles from {project.settings.source}"
    else:
        source = f"roles inferred from the service bindings of {len(project.workers)} Wrangler configs"
    console.print(f"[bold]dualworker check[/] [dim]{source}[/]", highlight=False)
    show_identity = any(rule.id == "DW006" for rule in result.rules)
    for pair in project.pairs[:10]:
        console.print(
            f"  [cyan]{escape(pair.front.config.rel)}[/] → [magenta]{escape(pair.backend.config.rel)}[/] "
            f"[dim]via[/] {escape(pair.binding)}",
            highlight=False,
        )
        if show_identity:  # inferred per pair: say which header DW006 used and where it was seen
            identity = escape(pair_identity(project, pair).describe())
            console.print(f"    [dim]identity header[/] {identity}", highlight=False)
    if len(project.pairs) > 10:
        console.print(f"  [dim]… and {len(project.pairs) - 10} more pairs[/]")
    settings = project.settings
    console.print(
        f"  [dim]API prefix[/] {escape(settings.api_prefix)} "
        f"[dim]· public routes[/] {escape(', '.join(settings.public_routes)) or 'none'} "
        f"[dim]· ignored[/] {escape(', '.join(settings.ignore)) or 'none'}",
        highlight=False,
    )
    if result.template_update:
        console.print(
            f"[cyan]i[/] template {escape(result.template_update)} is available: "
            "`dualworker update` brings it in",
            highlight=False,
        )
    for line in result.fixed:
        console.print(f"[green]fixed[/] {escape(line)}", highlight=False)
    for path, group in groupby(result.findings, key=lambda f: f.path):
        shown = display_path(project.root, path)
        table = Table(title=Text(shown), title_justify="left", title_style="bold", expand=True)
        # path:line:col (clickable in terminals and editors) when it leaves room for the message
        full = len(shown) + 8 <= console.width // 3
        table.add_column(
            "Location" if full else "Line:Col", no_wrap=True, justify="left" if full else "right"
        )
        table.add_column("Rule", no_wrap=True, min_width=5)
        table.add_column("Message", ratio=3)
        table.add_column("Fix", ratio=2)
        for finding in group:
            rule = ALL[finding.rule]
            fix = (
                f"--fix: {finding.fix.description}"
                if finding.fix
                else (rule.hint or first_sentence(rule.fix))
            )
            table.add_row(  # Text, not markup: paths like `routes/[slug]/` and messages are data
                Text(f"{shown}:{finding.line}:{finding.col}" if full else f"{finding.line}:{finding.col}"),
                Text(finding.rule, style=STYLE[finding.severity]),
                Text(finding.message),
                Text(fix, style="dim"),
            )
        console.print(table)
    c = counts(result)
    if not result.findings:
        console.print(f"[green]✓ No findings[/] ({len(result.rules)} rules; {c['suppressed']} suppressed)")
        return
    console.print(
        f"{c['error']} error(s), {c['warning']} warning(s), {c['info']} info; "
        f"{c['fixable']} fixable with --fix; {c['suppressed']} suppressed. "
        "`dualworker check --explain DW00x` explains a rule.",
        highlight=False,
    )
