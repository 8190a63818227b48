"""``--fix``: apply config fixes in place, one edit at a time, re-parsing after each.

Fixes are addressed by key path (not offsets), so several fixes to one file compose; every
intermediate text is re-parsed, and a file is written only when the final text parses.
"""

from __future__ import annotations

from dualworker_cli.check.model import Finding, Fix
from dualworker_cli.check.parse.config import edit_append, edit_set, parse_config_text
from dualworker_cli.check.parse.errors import ParseError


def apply_fix(text: str, fix: Fix) -> str:
    """The text with ``fix`` applied (comments and layout kept)."""
    is_toml = fix.config.is_toml
    if fix.op == "set":
        return edit_set(text, is_toml, fix.keypath, fix.key, fix.value)
    if fix.op == "append":
        return edit_append(text, is_toml, fix.keypath, fix.value)
    if fix.op == "extend":  # several values, one edit each (each intermediate text stays valid)
        for value in fix.value:
            text = edit_append(text, is_toml, fix.keypath, value)
        return text
    raise ValueError(f"unknown fix operation {fix.op!r}")


def apply_fixes(findings: list[Finding]) -> list[str]:
    """Write the fixed files; returns one description per applied fix."""
    by_file: dict[str, list[Fix]] = {}
    for finding in findings:
        if finding.fix is not None:
            by_file.setdefault(str(finding.fix.config.path), []).append(finding.fix)
    applied: list[str] = []
    for fixes in by_file.values():
        config = fixes[0].config
        text = config.text
        for fix in fixes:
            try:
                new_text = apply_fix(text, fix)
                parse_config_text(new_text, config.path, config.rel)
            except ParseError:
                continue  # leave this one for a person; the finding stays
            if new_text != text:
                text = new_text
                applied.append(f"{config.rel}: {fix.description}")
        if text != config.text:
            config.path.write_bytes(text.encode("utf-8"))
    return applied
