"""DW008: static assets are served before the Worker (and its auth) for the API prefix."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from fnmatch import fnmatch
from pathlib import Path
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


def forwarded_patterns(project: Project, front: Worker) -> list[str]:
    """Patterns the front really sends to its backends: the routes the TypeScript analysis saw reach
    a binding, plus ``api_prefix`` where ``dualworker.toml`` writes it. Never a guessed default."""
    patterns: list[str] = []
    for pair in project.pairs_of(front, "front"):
        explicit = pair.api_prefix or (
            project.settings.api_prefix if project.settings.api_prefix_set else None
        )
        if explicit:
            patterns.append(explicit.rstrip("/") + "/*")
        for route in front_analysis(project, pair).routes:
            if route.full_path:
                patterns.append(route_pattern(route.full_path))
    return list(dict.fromkeys(patterns))


#: a static file ``.assetsignore`` does not exclude: where Wrangler's upload skips nothing else
MAX_ASSET_FILES = 20_000


def asset_urls(project: Project, front: Worker, assets: dict[str, Any]) -> dict[str, str] | None:
    """URL path -> file (relative to the project) for every file in ``assets.directory`` that is in
    the checkout, as Cloudflare serves them (``/a/b.html`` also at ``/a/b``, ``/a/index.html`` at
    ``/a/``). None: no directory, or it is not in the checkout (a build output)."""
    directory = assets.get("directory")
    if not isinstance(directory, str) or not directory:
        return None
    base = front.root / directory

    def compute() -> dict[str, str] | None:
        if not base.is_dir():
            return None
        ignore_file = base / ".assetsignore"
        ignored = [".assetsignore"]
        if ignore_file.is_file():
            lines = ignore_file.read_text(encoding="utf-8", errors="replace").splitlines()
            ignored += [
                line.strip().strip("/") for line in lines if line.strip() and not line.startswith("#")
            ]
        urls: dict[str, str] = {}
        count = 0
        for folder, dirs, files in os.walk(base):
            dirs[:] = [d for d in dirs if d not in ("node_modules", ".git")]
            for name in files:
                count += 1
                if count > MAX_ASSET_FILES:
                    return urls
                rel = (Path(folder) / name).relative_to(base).as_posix()
                if any(fnmatch(rel, pattern) or fnmatch(name, pattern) for pattern in ignored):
                    continue
                shown = (Path(folder) / name).relative_to(project.root).as_posix()
                url = "/" + rel
                urls.setdefault(url, shown)
                if name == "index.html":
                    parent = url[: -len("index.html")]
                    urls.setdefault(parent, shown)
                    urls.setdefault(parent.rstrip("/") or "/", shown)
                elif name.endswith(".html"):
                    urls.setdefault(url[: -len(".html")], shown)
        return urls

    return project.memo(("asset-urls", str(base)), compute)


def _routing(assets: dict[str, Any], pattern: str) -> str:
    """Where Cloudflare sends requests under ``pattern``: ``worker`` (run first), ``assets`` (a ``!``
    exclusion sends them straight to the asset server), or ``default`` (an asset that exists, else the
    Worker; with a ``run_worker_first`` list, the ``not_found_handling`` fallback answers first)."""
    rule = assets.get("run_worker_first")
    if rule is True:
        return "worker"
    if isinstance(rule, list):
        negative = [p[1:] for p in rule if isinstance(p, str) and p.startswith("!")]
        if any(covers(pattern, n) or covers(n, pattern) for n in negative):
            return "assets"
        if worker_runs_first(assets, pattern):
            return "worker"
    return "default"


def _exposures(
    project: Project, front: Worker, assets: dict[str, Any], patterns: list[str]
) -> tuple[list[str], list[str], list[str]]:
    """(uncovered patterns, why each error, why each warning) for one ``assets`` block.

    Error: a file in the assets directory is served under a forwarded path without the Worker (and
    its auth) running. Warning: the Worker never answers a forwarded path (the API breaks), because a
    ``!`` exclusion sends it to the asset server, or because a ``run_worker_first`` list turns off the
    navigation-only fallback (``Sec-Fetch-Mode: navigate``) so ``not_found_handling`` answers every
    request. A navigation request getting ``index.html`` is not reported: the page is public anyway.
    """
    urls = asset_urls(project, front, assets) or {}
    fallback = assets.get("not_found_handling") in ("single-page-application", "404-page")
    static_routing = isinstance(assets.get("run_worker_first"), list) and bool(assets["run_worker_first"])
    uncovered, errors, warnings = [], [], []
    for pattern in patterns:
        routing = _routing(assets, pattern)
        if routing == "worker":
            continue
        files = (
            sorted({f for u, f in urls.items() if covers(pattern, u)}) if pattern not in ("/*", "*") else []
        )
        if files:
            more = f" (and {len(files) - 1} more)" if len(files) > 1 else ""
            errors.append(f"`{files[0]}`{more} is served under `{pattern}`")
        elif routing == "assets":
            warnings.append(
                f"`{pattern}` is excluded (`!`), so the asset server answers it, never the Worker"
            )
        elif fallback and static_routing:
            page = "index.html" if assets["not_found_handling"] == "single-page-application" else "404.html"
            warnings.append(
                f"`{pattern}` gets the `{assets['not_found_handling']}` fallback ({page}) for every request, "
                "fetch and WebSocket too (a `run_worker_first` list turns off the navigation-only fallback)"
            )
        else:
            continue
        uncovered.append(pattern)
    return uncovered, errors, warnings


def check(project: Project) -> Iterator[Finding]:
    for front in project.mine(project.fronts):
        blocks = [
            (prefix, block) for prefix, block in front.blocks() if isinstance(block.get("assets"), dict)
        ]
        if not blocks:
            continue
        patterns = forwarded_patterns(project, front)
        if not patterns:
            continue  # nothing known to be forwarded: no prefix is guessed (DW014 says when unread)
        for prefix, block in blocks:
            assets = block["assets"]
            uncovered, errors, warnings = _exposures(project, front, assets, patterns)
            if not uncovered:
                continue
            current = assets.get("run_worker_first")
            state = "is missing" if current is None else f"is {json.dumps(current)}"
            keypath = (*prefix, "assets", "run_worker_first") if current is not None else (*prefix, "assets")
            # every forwarded path the Worker does not run first for: once `run_worker_first` is a list,
            # the `not_found_handling` fallback answers every path the list leaves out
            missing = [p for p in patterns if _routing(assets, p) != "worker"]
            fix = _fix(front.config, prefix, current, missing)
            head = f"`assets.run_worker_first` ({where(prefix)}) {state}"
            if errors:
                yield RULE.at(
                    front.config,
                    keypath,
                    f"{head}: {'; '.join(errors)}, a path the front forwards to the backend: Cloudflare "
                    "serves the file from static assets without the Worker (and its auth) running",
                    fix,
                )
            if warnings:
                finding = RULE.at(
                    front.config,
                    keypath,
                    f"{head}: {'; '.join(warnings)}: the Worker never answers what the front forwards to the "
                    "backend there, so that API is broken (nothing leaks: static files are public)",
                    None if errors else fix,
                )
                finding.severity = Severity.WARNING
                yield finding


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
    what="For a User Worker with `assets`, checks each path the front really forwards to the backend "
    "(the routes the TypeScript analysis sees reach the binding: `/trpc/*`, `/api/internal/*`, `/live`; "
    "plus `api_prefix` when `dualworker.toml` writes it) that `run_worker_first` does not send to the "
    "Worker. Error: a file in the assets directory is served under such a path, so it is answered "
    "without the Worker's auth. Warning: the Worker never answers such a path (the API is broken): a `!` "
    "exclusion sends it to the asset server, or `not_found_handling` (`single-page-application`, "
    "`404-page`) with a `run_worker_first` list answers every request there, fetch and WebSocket "
    "included. Not reported: a navigation request (`Sec-Fetch-Mode: navigate`) that gets `index.html` "
    "(compatibility date 2025-04-01 or `assets_navigation_prefers_asset_serving`; the page is public "
    "anyway, and fetch/WebSocket requests still reach the Worker), and, before that date, nothing: "
    "requests that match no file invoke the Worker. When no forwarded path is known no prefix is "
    "guessed (DW014 says when the front's code could not be read); an assets directory that is a build "
    "output not in the checkout has no files to check.",
    why="Cloudflare serves a matching asset before the Worker runs (Workers docs, Static Assets > "
    "Routing > Worker script), so auth, logging and headers added in the Worker never run for it, and an "
    "asset under an API path shadows the API. With `not_found_handling`, navigation requests get the "
    "fallback page without the Worker (Navigation requests; cloudflare/workers-sdk "
    "`packages/workers-shared/asset-worker/src/handler.ts`, `canFetch`: the fallback applies only to "
    "`Sec-Fetch-Mode: navigate` under the flag, or to every request when `run_worker_first` is a list, "
    "`has_static_routing`).",
    example='"assets": { "directory": "./public", "run_worker_first": ["/app/*"] }  '
    "// public/api/internal/export.json exists",
    fix='Add `"run_worker_first": ["/api/*"]` (or patterns covering the forwarded paths) to `assets`, and '
    "keep API paths out of the assets directory. `--fix` adds the forwarded patterns themselves (never a "
    "guessed prefix; not when the list has `!` exclusions, which need a person).",
    fixable=True,
    hint='Add "run_worker_first": ["/api/*"] to assets',
    check=check,
    sharded=True,
)
