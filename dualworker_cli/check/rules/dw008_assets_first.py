"""DW008: static assets are served before the Worker (and its auth) for the API prefix."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from dualworker_cli.check.analysis import covers, front_analysis
from dualworker_cli.check.model import Finding, Fix, Project, Rule, Severity, Worker
from dualworker_cli.check.parse.config import ConfigFile, KeyPath
from dualworker_cli.check.rules.common import where


def route_pattern(full_path: str) -> str:
    """The ``run_worker_first`` pattern for a forwarded route: its static prefix plus ``/*``
    (``/trpc/*`` stays, ``/users/:id`` -> ``/users/*``, ``/live`` stays)."""
    parts = full_path.split("/")
    for i, part in enumerate(parts):
        if part.startswith(":") or "*" in part:
            head = "/".join(parts[:i]).rstrip("/")
            return (head or "") + "/*"
    return full_path


def worker_runs_first(assets: dict[str, Any], pattern: str) -> bool:
    """Does ``run_worker_first`` send every request matching ``pattern`` to the Worker?"""
    rule = assets.get("run_worker_first")
    if rule is True:
        return True
    if not isinstance(rule, list):
        return False
    if not pattern.endswith("*"):
        pattern = pattern if pattern.startswith("/") else "/" + pattern
    positive = [p for p in rule if isinstance(p, str) and not p.startswith("!")]
    negative = [p[1:] for p in rule if isinstance(p, str) and p.startswith("!")]
    if not any(covers(p, pattern) for p in positive):
        return False
    return not any(covers(pattern, n) or covers(n, pattern) for n in negative)


def forwarded_patterns(project: Project, front: Worker) -> tuple[list[str], bool]:
    """Patterns the front really sends to its backends, and whether they are known (not a default).

    From the routes the TypeScript analysis saw reach a binding, plus ``api_prefix`` where
    ``dualworker.toml`` sets it; without either, the default prefix, which ``--fix`` never writes.
    """
    patterns: list[str] = []
    for pair in project.pairs_of(front, "front"):
        explicit = pair.api_prefix or (project.settings.api_prefix if project.settings.source else None)
        if explicit:
            patterns.append(explicit.rstrip("/") + "/*")
        for route in front_analysis(project, pair).routes:
            if route.full_path:
                patterns.append(route_pattern(route.full_path))
    known = bool(patterns)
    if not patterns:
        patterns.append(project.settings.api_prefix.rstrip("/") + "/*")
    return list(dict.fromkeys(patterns)), known


def check(project: Project) -> Iterator[Finding]:
    for front in project.fronts:
        blocks = [
            (prefix, block) for prefix, block in front.blocks() if isinstance(block.get("assets"), dict)
        ]
        if not blocks:
            continue
        patterns, known = forwarded_patterns(project, front)
        for prefix, block in blocks:
            assets = block["assets"]
            uncovered = [p for p in patterns if not worker_runs_first(assets, p)]
            if not uncovered:
                continue
            current = assets.get("run_worker_first")
            state = "is missing" if current is None else f"is {json.dumps(current)}"
            shown = ", ".join(f"`{p}`" for p in uncovered)
            source = (
                "forwarded to the backend"
                if known
                else "(the default API prefix: the paths the front forwards could not be read, see DW014; "
                "set `api_prefix` in dualworker.toml)"
            )
            yield RULE.at(
                front.config,
                (*prefix, "assets", "run_worker_first") if current is not None else (*prefix, "assets"),
                f"`assets.run_worker_first` ({where(prefix)}) {state}: requests under {shown} {source} "
                "can be answered from static assets without the Worker's auth running",
                _fix(front.config, prefix, current, uncovered) if known else None,
            )


def _fix(config: ConfigFile, prefix: KeyPath, current: Any, patterns: list[str]) -> Fix | None:
    """Add the forwarded patterns to ``run_worker_first``; leave lists with exclusions to a person."""
    if current is None or current is False:
        return Fix(
            f"set assets.run_worker_first: {json.dumps(patterns)}",
            config,
            "set",
            (*prefix, "assets"),
            patterns,
            "run_worker_first",
        )
    if isinstance(current, list) and not any(isinstance(p, str) and p.startswith("!") for p in current):
        return Fix(
            f"add {', '.join(json.dumps(p) for p in patterns)} to assets.run_worker_first",
            config,
            "extend",
            (*prefix, "assets", "run_worker_first"),
            patterns,
        )
    return None


RULE = Rule(
    id="DW008",
    name="assets-bypass-worker",
    title="Static assets can answer before the Worker's auth",
    severity=Severity.ERROR,
    what="Flags a User Worker with `assets` whose `run_worker_first` is not `true` and does not "
    "cover every path the front forwards to the backend: the routes the TypeScript analysis sees reach "
    "the binding (`/trpc/*`, `/api/internal/*`, `/live`), plus `api_prefix` when `dualworker.toml` sets "
    "it. When the front's code cannot be read, the default `/api/internal/` is checked and no fix is "
    "offered.",
    why="Cloudflare serves a matching asset before the Worker runs. With `not_found_handling: "
    '"single-page-application"` every navigation request gets `index.html` without the Worker, so '
    "auth, logging and headers you add in the Worker never run for those paths, and an asset that "
    "happens to match an API path shadows the API.",
    example='"assets": { "directory": "./dist/client", "not_found_handling": "single-page-application" }',
    fix='Add `"run_worker_first": ["/api/*"]` (or patterns covering the forwarded paths) to `assets`. '
    "`--fix` adds the forwarded patterns themselves (never a guessed prefix; not when the list has `!` "
    "exclusions, which need a person).",
    fixable=True,
    hint='Add "run_worker_first": ["/api/*"] to assets',
    check=check,
)
