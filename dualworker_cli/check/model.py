"""Data shared by the pipeline: severities, rules' metadata, findings and their fixes."""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from dualworker_cli.check.discover import Project
    from dualworker_cli.check.parse.config import ConfigFile, KeyPath


class Severity(enum.IntEnum):
    """Ordered so that ``finding.severity >= fail_on`` decides the exit status."""

    INFO = 1
    WARNING = 2
    ERROR = 3

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Severity:
        return cls[text.strip().upper()]


@dataclass(eq=False)
class Fix:
    """A config edit addressed by key path, so several fixes to one file can be applied in turn.

    ``op`` is ``set`` (``key`` = ``value`` in the object at ``keypath``) or ``append`` (``value``
    appended to the array at ``keypath``, created when missing).
    """

    description: str
    config: ConfigFile
    op: str
    keypath: KeyPath
    value: Any
    key: str = ""


@dataclass(eq=False)
class Finding:
    rule: str
    message: str
    path: str
    line: int
    col: int
    severity: Severity
    fix: Fix | None = None

    @property
    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.path, self.line, self.col, self.rule)


@dataclass(frozen=True)
class Rule:
    """A rule's page (shown by ``--explain``) and its check function."""

    id: str
    name: str
    title: str
    severity: Severity
    what: str
    why: str
    example: str
    fix: str
    fixable: bool = False
    #: one line for the table's Fix column
    hint: str = ""
    check: Callable[[Project], Iterable[Finding]] = field(default=lambda project: (), repr=False)

    def at(self, config: ConfigFile, keypath: KeyPath, message: str, fix: Fix | None = None) -> Finding:
        """A finding located at ``keypath`` in ``config`` (or its deepest existing parent)."""
        line, col = config.position(keypath)
        return Finding(self.id, message, config.rel, line, col, self.severity, fix)

    def at_pos(self, path: str, line: int, col: int, message: str) -> Finding:
        return Finding(self.id, message, path, line, col, self.severity)
