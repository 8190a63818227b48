"""Inline suppressions: ``// dualworker-ignore DW006 -- reason`` (``#`` in TOML).

A comment alone on its line covers the next code line; a comment after code covers its own
line. The reason after ``--`` is required: a reasonless comment suppresses nothing and is
reported (DW901), as is a comment that ends up suppressing nothing (DW900).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from dualworker_cli.check.model import Finding
from dualworker_cli.check.rules.dw900_suppressions import NO_REASON, UNUSED

_COMMENT = re.compile(r"(//|#|/\*)\s*dualworker-ignore\b(?P<rest>.*)$")
_CODE = re.compile(r"^[A-Z]{2}\d{3}$")


@dataclass
class Suppression:
    path: str
    line: int
    col: int
    codes: list[str]
    reason: str
    covers: set[int]
    used: set[str] = field(default_factory=set)


def _is_code_line(line: str) -> bool:
    stripped = line.strip()
    return bool(stripped) and not stripped.startswith(("//", "#", "/*", "*"))


def scan(path: str, text: str) -> list[Suppression]:
    """Every suppression comment in ``text`` with the lines it covers."""
    if "dualworker-ignore" not in text:
        return []
    lines = text.splitlines()
    found = []
    for index, line in enumerate(lines):
        match = _COMMENT.search(line)
        if not match:
            continue
        rest = match.group("rest").replace("*/", "")
        head, sep, reason = rest.partition("--")
        codes = [c for c in re.split(r"[\s,]+", head.strip().lstrip(":").strip()) if c]
        covers = {index + 1}
        if not line[: match.start()].strip():
            nxt = next((j for j in range(index + 1, len(lines)) if _is_code_line(lines[j])), None)
            if nxt is not None:
                covers.add(nxt + 1)
        found.append(
            Suppression(path, index + 1, match.start() + 1, codes, reason.strip() if sep else "", covers)
        )
    return found


def apply(
    findings: list[Finding], suppressions: list[Suppression], enabled: set[str]
) -> tuple[list[Finding], int]:
    """Drop suppressed findings, add DW900/DW901 findings; returns (findings, suppressed count)."""
    by_place: dict[tuple[str, int], list[Suppression]] = {}
    for sup in suppressions:
        if sup.reason and sup.codes:
            for line in sup.covers:
                by_place.setdefault((sup.path, line), []).append(sup)
    kept: list[Finding] = []
    suppressed = 0
    for finding in findings:
        hit = next(
            (s for s in by_place.get((finding.path, finding.line), []) if finding.rule in s.codes), None
        )
        if hit is None:
            kept.append(finding)
        else:
            hit.used.add(finding.rule)
            suppressed += 1
    for sup in suppressions:
        if not sup.codes:
            kept.append(
                UNUSED.at_pos(
                    sup.path,
                    sup.line,
                    sup.col,
                    "`dualworker-ignore` names no rule (write `dualworker-ignore DW006 -- why`)",
                )
            )
            continue
        if not sup.reason:
            kept.append(
                NO_REASON.at_pos(
                    sup.path,
                    sup.line,
                    sup.col,
                    f"suppression of {', '.join(sup.codes)} has no `-- reason`, so it suppresses nothing",
                )
            )
            continue
        for code in sup.codes:
            if not _CODE.match(code):
                kept.append(UNUSED.at_pos(sup.path, sup.line, sup.col, f"`{code}` is not a rule id"))
            elif code in enabled and code not in sup.used:
                kept.append(
                    UNUSED.at_pos(
                        sup.path,
                        sup.line,
                        sup.col,
                        f"suppression of {code} is unused: nothing to suppress here",
                    )
                )
    return kept, suppressed
