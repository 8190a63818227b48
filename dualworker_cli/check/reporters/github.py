"""GitHub Actions workflow commands: one ``::error``/``::warning`` annotation per finding."""

from __future__ import annotations

from dualworker_cli.check.engine import Result
from dualworker_cli.check.model import Severity
from dualworker_cli.check.reporters import display_path
from dualworker_cli.check.rules import ALL

COMMAND = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _prop(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def render(result: Result) -> str:
    lines = []
    for f in result.findings:
        path = display_path(result.project.root, f.path)
        title = f"{f.rule} {ALL[f.rule].title}"
        lines.append(
            f"::{COMMAND[f.severity]} file={_prop(path)},line={f.line},col={f.col},title={_prop(title)}::"
            f"{_data(f.message)}"
        )
    return "".join(line + "\n" for line in lines)
