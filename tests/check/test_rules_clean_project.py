"""`dualworker check`, rules clean project: behaviour on hand-written projects."""

from __future__ import annotations

from pathlib import Path

import pytest

from dualworker_cli.check.rules import CHECKS
from tests.check.helpers import findings_for
from tests.test_check_support import make_project


@pytest.mark.parametrize("rule", [r.id for r in CHECKS])
def test_every_rule_quiet_on_clean_project(tmp_path: Path, rule: str) -> None:
    assert findings_for(make_project(tmp_path), rule) == []
