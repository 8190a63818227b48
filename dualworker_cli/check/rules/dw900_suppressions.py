"""DW900/DW901: suppression comments that suppress nothing, or give no reason.

The engine produces these findings (it knows which suppressions were used); the modules hold
the rule pages so ``--explain``, ``--select`` and SARIF treat them like any other rule.
"""

from __future__ import annotations

from dualworker_cli.check.model import Rule, Severity

UNUSED = Rule(
    id="DW900",
    name="unused-suppression",
    title="Suppression comment suppresses nothing",
    severity=Severity.WARNING,
    what="Flags a `dualworker-ignore` comment whose rules report nothing on the line it covers, or that "
    "names an unknown rule.",
    why="Stale suppressions hide the next real finding on that line, and they tell readers a problem "
    "exists where there is none.",
    example="// dualworker-ignore DW006 -- legacy proxy  (the proxy was fixed since)",
    fix="Delete the comment.",
)

NO_REASON = Rule(
    id="DW901",
    name="suppression-without-reason",
    title="Suppression comment without a reason",
    severity=Severity.WARNING,
    what="Flags a `dualworker-ignore` comment without `-- reason`. Such a comment does not suppress "
    "anything.",
    why="A security finding silenced without a written reason cannot be reviewed later.",
    example="// dualworker-ignore DW001",
    fix="Say why: `// dualworker-ignore DW001 -- public link redirects, see ADR-7`.",
)
