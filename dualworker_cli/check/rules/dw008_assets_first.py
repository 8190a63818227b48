"""DW008: static assets are served before the Worker (and its auth) for the API prefix."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from dualworker_cli.check.analysis import covers
from dualworker_cli.check.model import Finding, Fix, Project, Rule, Severity
from dualworker_cli.check.parse.config import ConfigFile, KeyPath
from dualworker_cli.check.rules.common import where


def worker_runs_first(assets: dict[str, Any], api_prefix: str) -> bool:
    """Does ``run_worker_first`` send every request under ``api_prefix`` to the Worker?"""
    rule = assets.get("run_worker_first")
    if rule is True:
        return True
    if not isinstance(rule, list):
        return False
    sample = api_prefix.rstrip("/") + "/*"
    positive = [p for p in rule if isinstance(p, str) and not p.startswith("!")]
    negative = [p[1:] for p in rule if isinstance(p, str) and p.startswith("!")]
    if not any(covers(p, sample) for p in positive):
        return False
    return not any(covers(api_prefix.rstrip("/") + "/*", n) or covers(n, api_prefix) for n in negative)


def check(project: Project) -> Iterator[Finding]:
    prefix_path = project.settings.api_prefix
    for front in project.fronts:
        for prefix, block in front.blocks():
            assets = block.get("assets")
            if not isinstance(assets, dict) or worker_runs_first(assets, prefix_path):
                continue
            current = assets.get("run_worker_first")
            state = "is missing" if current is None else f"is {json.dumps(current)}"
            yield RULE.at(
                front.config,
                (*prefix, "assets", "run_worker_first") if current is not None else (*prefix, "assets"),
                f"`assets.run_worker_first` ({where(prefix)}) {state}: requests under `{prefix_path}` can be "
                "answered from static assets without the Worker's auth running",
                _fix(front.config, prefix, current, prefix_path),
            )


def _fix(config: ConfigFile, prefix: KeyPath, current: Any, api_prefix: str) -> Fix | None:
    """Add the API prefix to ``run_worker_first``; leave lists with exclusions to a person."""
    pattern = api_prefix.rstrip("/") + "/*"
    if current is None or current is False:
        return Fix(
            f"set assets.run_worker_first: [{json.dumps(pattern)}]",
            config,
            "set",
            (*prefix, "assets"),
            [pattern],
            "run_worker_first",
        )
    if isinstance(current, list) and not any(isinstance(p, str) and p.startswith("!") for p in current):
        return Fix(
            f"add {json.dumps(pattern)} to assets.run_worker_first",
            config,
            "append",
            (*prefix, "assets", "run_worker_first"),
            pattern,
        )
    return None


RULE = Rule(
    id="DW008",
    name="assets-bypass-worker",
    title="Static assets can answer before the Worker's auth",
    severity=Severity.ERROR,
    what="Flags a User Worker with `assets` whose `run_worker_first` is not `true` and does not "
    "cover the API prefix (`[backend] api_prefix`, default `/api/internal/`).",
    why="Cloudflare serves a matching asset before the Worker runs. With `not_found_handling: "
    '"single-page-application"` every navigation request gets `index.html` without the Worker, so '
    "auth, logging and headers you add in the Worker never run for those paths, and an asset that "
    "happens to match an API path shadows the API.",
    example='"assets": { "directory": "./dist/client", "not_found_handling": "single-page-application" }',
    fix='Add `"run_worker_first": ["/api/*"]` (or a pattern covering your API prefix) to `assets`. '
    "`--fix` adds the API prefix (unless the list has `!` exclusions, which need a person).",
    fixable=True,
    hint='Add "run_worker_first": ["/api/*"] to assets',
    check=check,
)
