"""The pre-commit hooks and the composite GitHub Action run `dualworker check` as documented."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def test_pre_commit_hooks() -> None:
    hooks = {h["id"]: h for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}
    check = hooks["dualworker-check"]
    assert check["entry"] == "dualworker check"
    assert check["language"] == "python"
    assert check["pass_filenames"] is False  # roles need the whole project
    pattern = re.compile(check["files"])
    for path in (
        "apps/data-service/wrangler.jsonc",
        "wrangler.toml",
        "dualworker.toml",
        "worker/hono/app.ts",
    ):
        assert pattern.search(path), path
    assert not pattern.search("README.md")
    assert hooks["dualworker-check-fix"]["entry"] == "dualworker check --fix"


def test_action_runs_sarif_and_uploads() -> None:
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    assert action["runs"]["using"] == "composite"
    steps = action["runs"]["steps"]
    script = "\n".join(step.get("run", "") for step in steps)
    assert 'check "$DW_PATH" --format sarif --output "$sarif"' in script
    upload = next(
        step for step in steps if step.get("uses", "").startswith("github/codeql-action/upload-sarif")
    )
    assert upload["with"]["sarif_file"] == "${{ steps.check.outputs.sarif }}"
    assert all(step.get("shell") == "bash" for step in steps if "run" in step)
    assert set(action["inputs"]) >= {"path", "fail-on", "args", "version"}
