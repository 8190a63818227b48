"""Run the pipeline: discover -> rules -> suppressions -> selection; and ``--fix`` rounds."""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from dualworker_cli.check import parallel, suppress
from dualworker_cli.check.discover import discover
from dualworker_cli.check.model import Finding, Project, Rule, Settings
from dualworker_cli.check.parse.errors import ParseError
from dualworker_cli.check.rules import ALL, CHECKS


class UsageError(Exception):
    """Bad options (unknown rule code, severity); the CLI exits 2."""


class RuleCrash(Exception):
    """A bug in a rule: reported in one line (exit 2) unless ``DUALWORKER_DEBUG=1`` asks for the
    traceback, so CI logs say which rule to blame instead of dumping a stack."""


def _checked(rule: Rule, project: Project) -> list[Finding]:
    import os

    try:
        return list(rule.check(project))
    except ParseError:
        raise
    except Exception as exc:
        if os.environ.get("DUALWORKER_DEBUG"):
            raise
        raise RuleCrash(
            f"internal error in {rule.id} ({type(exc).__name__}: {exc}); please report it with "
            "DUALWORKER_DEBUG=1 output, and use --ignore " + rule.id + " meanwhile"
        ) from exc


@dataclass
class Result:
    project: Project
    findings: list[Finding]
    rules: list[Rule]
    suppressed: int = 0
    fixed: list[str] = field(default_factory=list)
    #: newer template release tag, when the project was generated and one exists (information)
    template_update: str | None = None


def split_codes(values: Iterable[str]) -> list[str]:
    """``--select DW001,DW002 --select DW006`` -> codes (upper-cased, blanks dropped)."""
    return [c.strip().upper() for v in values for c in v.split(",") if c.strip()]


def _matching(code: str) -> list[str]:
    hits = [rule_id for rule_id in ALL if rule_id.startswith(code)] if code != "ALL" else list(ALL)
    if not hits:
        raise UsageError(f"unknown rule {code!r} (known: {', '.join(ALL)})")
    return hits


def enabled_rules(select: list[str], ignore: list[str]) -> list[Rule]:
    """Rules in effect: ``select`` (prefixes allowed, default all) minus ``ignore``."""
    chosen = {h for code in select for h in _matching(code)} if select else set(ALL)
    dropped = {h for code in ignore for h in _matching(code)}
    return [rule for rule_id, rule in ALL.items() if rule_id in chosen - dropped]


def _config_suppressions(project: Project) -> dict[str, list[suppress.Suppression]]:
    """The suppression comments of every config (the modules' come from ``parallel``)."""
    return {w.config.rel: suppress.scan(w.config.rel, w.config.text) for w in project.workers}


def _validate_codes(settings: Settings) -> None:
    """``check.ignore`` / ``check.select`` in dualworker.toml name known rules (located error)."""
    for key in ("ignore", "select"):
        for code in getattr(settings, key):
            if not code.strip() or not any(rule_id.startswith(code.strip().upper()) for rule_id in ALL):
                line, col = settings.positions.get(key, (0, 0))
                raise ParseError(f"check.{key}: unknown rule {code!r}", settings.source or "", line, col)


@contextmanager
def _no_cyclic_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector during a run. A run allocates hundreds of thousands of
    long-lived objects (configs, tree-sitter nodes, facts) and frees almost nothing in cycles, so
    the collector's full passes over them were a third of a large monorepo's time for no garbage.
    Reference counting still frees everything else; the collector resumes when the run ends.

    Re-enabling alone would make the next allocation scan every object the run made (the young
    generation's count is huge): ``freeze`` + ``unfreeze`` moves them to the oldest generation
    instead, unscanned (0.25 s of a 1,600-Worker run). Skipped when the caller froze objects."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if gc.get_freeze_count() == 0:
            gc.freeze()
            gc.unfreeze()
        if was_enabled:
            gc.enable()


def run(
    root: Path, select: Iterable[str] = (), ignore: Iterable[str] = (), jobs: int | None = None
) -> Result:
    """Lint the project at ``root`` (in ``jobs`` processes; None: as many as pay off). ParseError
    and UsageError propagate (exit 2)."""
    with _no_cyclic_gc():
        return _run(root, select, ignore, jobs)


def _run(root: Path, select: Iterable[str], ignore: Iterable[str], jobs: int | None) -> Result:
    project = discover(root)
    settings = project.settings
    _validate_codes(settings)
    select_codes = split_codes(select) or split_codes(settings.select)
    ignore_codes = split_codes(ignore) + split_codes(settings.ignore)
    rules = enabled_rules(select_codes, ignore_codes)
    enabled = {rule.id for rule in rules}
    in_effect = [rule for rule in CHECKS if rule.id in enabled]
    count = parallel.jobs_for(project, jobs)
    if count > 1:
        by_rule, scanned = parallel.check(project, in_effect, count, _checked)
    else:
        by_rule = {rule.id: _checked(rule, project) for rule in in_effect}
        scanned = parallel.module_suppressions(project)
    findings: list[Finding] = [f for rule in in_effect for f in by_rule[rule.id]]
    scanned = _config_suppressions(project) | scanned
    suppressions = [s for found in scanned.values() for s in found]
    findings, suppressed = suppress.apply(findings, suppressions, enabled)
    findings = [f for f in findings if f.rule in enabled]
    findings.sort(key=lambda f: f.sort_key)
    return Result(project, findings, rules, suppressed)


def run_with_fixes(
    root: Path,
    select: Iterable[str] = (),
    ignore: Iterable[str] = (),
    rounds: int = 4,
    jobs: int | None = None,
) -> Result:
    """Apply fixes until none is left (each round re-reads the files), then lint once more."""
    from dualworker_cli.check.fix import apply_fixes

    select, ignore = list(select), list(ignore)
    fixed: list[str] = []
    for _ in range(rounds):
        result = run(root, select, ignore, jobs)
        done = apply_fixes([f for f in result.findings if f.fix is not None])
        if not done:
            break
        fixed += done
    result = run(root, select, ignore, jobs)
    result.fixed = fixed
    return result


__all__ = ["ParseError", "Result", "RuleCrash", "UsageError", "enabled_rules", "run", "run_with_fixes"]
