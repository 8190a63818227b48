"""``dualworker check --init``: write ``dualworker.toml`` from what discovery inferred.

Adopting a hand-written project should take one reviewed file, not a pile of suppressions: every
pair discovery found (front, backend, binding), the identity header, the paths the front forwards
and the entry modules that were inferred are written down, with comments saying where each value
came from, so the user corrects what is wrong once. An existing file is never overwritten.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from dualworker_cli.check.analysis import front_analysis
from dualworker_cli.check.discover import (
    SETTINGS_FILE,
    ambiguity_message,
    discover_by_scan,
    load_settings,
    no_pair_error,
)
from dualworker_cli.check.model import DEFAULT_API_PREFIX, Pair, Project, Worker
from dualworker_cli.check.parse.errors import ParseError
from dualworker_cli.check.rules.dw008_assets_first import route_pattern


class InitRefused(Exception):
    """The settings file exists already (the CLI exits 2 with this one line)."""


@dataclass
class Inferred:
    """What ``--init`` writes for one pair, with where each value came from."""

    pair: Pair
    identity_header: str
    identity_source: str
    api_prefix: str
    forwarded: list[str]


def identity_for(project: Project, pair: Pair) -> tuple[str, str]:
    """The identity header the backend of ``pair`` trusts, and where that answer came from.

    THE single place to plug header inference in: when ``dualworker_cli/check/identity.py`` (the
    analysis of which headers the backend reads and the front sets) exists, call it here and return
    its header with a short source such as ``"read by src/auth.ts:12"``. Until then: the default.
    """
    return project.settings.identity_header, "the default (not inferred from the code)"


def _forwarded(project: Project, pair: Pair) -> list[str]:
    """Patterns of the routes the front sends through the binding (empty when its code is unread)."""
    if pair.front.language != "script":
        return []
    routes = front_analysis(project, pair).routes
    return list(dict.fromkeys(route_pattern(r.full_path) for r in routes if r.full_path))


def _api_prefix(forwarded: list[str]) -> str:
    """The prefix most forwarded routes share (``/trpc/*`` -> ``/trpc/``), else the default."""
    counts: dict[str, int] = {}
    for pattern in forwarded:
        head = pattern.removesuffix("*").rstrip("/") + "/"
        if head != "/":
            counts[head] = counts.get(head, 0) + 1
    if not counts:
        return DEFAULT_API_PREFIX
    return max(counts, key=lambda head: counts[head])


def infer(project: Project) -> list[Inferred]:
    found = []
    for pair in project.pairs:  # every pair, the middle ones of a chain (edge -> api -> db) too
        header, source = identity_for(project, pair)
        forwarded = _forwarded(project, pair)
        found.append(Inferred(pair, header, source, _api_prefix(forwarded), forwarded))
    return found


def _q(value: str) -> str:
    """A TOML basic string (JSON's escaping is valid TOML for these values)."""
    return json.dumps(value)


def _entry_lines(worker: Worker, key: str) -> list[str]:
    """The entry line for a config without ``main``: written when inferred, suggested otherwise."""
    if "main" in worker.config.data:
        return []
    if worker.entry is not None:
        rel = worker.entry.relative_to(worker.root).as_posix() if worker.root in worker.entry.parents else ""
        if rel:
            return [f"{key} = {_q(rel)}  # no `main` in the config; from {worker.entry_source}"]
    return [f'# {key} = "src/index.ts"  # no `main` in the config: name the entry so the code rules run']


def render(project: Project) -> str:
    """The commented settings file for ``project`` (valid for :func:`load_settings`)."""
    inferred = infer(project)
    lines = [
        f"# {SETTINGS_FILE}: written by `dualworker check --init` from what discovery inferred.",
        "# Check every value (each says where it came from) and correct it here once, instead of",
        "# suppressing findings. `dualworker check` reads this file instead of guessing roles.",
        "",
    ]
    single = len(inferred) == 1
    if single:
        item = inferred[0]
        pair = item.pair
        lines += [
            "[front]",
            f"config = {_q(pair.front.config.rel)}  # the public User Worker",
            *_entry_lines(pair.front, "entry"),
            '# auth_middleware = ["requireUser"]  # extra names recognised as auth (DW005)',
            "",
            "[backend]",
            f"config = {_q(pair.backend.config.rel)}  # the private Data Worker it binds",
            *_entry_lines(pair.backend, "entry"),
            f"binding = {_q(pair.binding)}  # the service binding the front calls it through",
            f"identity_header = {_q(item.identity_header)}  # {item.identity_source} (DW006)",
            *_prefix_lines(item),
            'public_routes = []  # DW001: routes the backend may serve publicly, e.g. ["go.example.com/*"]',
            "",
        ]
    else:
        defaults = inferred[0] if inferred else None
        lines += [
            "[backend]  # defaults for every pair below",
            f"identity_header = {_q(defaults.identity_header if defaults else 'X-User-Id')}"
            f"  # {defaults.identity_source if defaults else 'the default'} (DW006)",
            "public_routes = []  # DW001: routes the backends may serve publicly",
            "",
        ]
        for item in inferred:
            pair = item.pair
            lines += [
                "[[pair]]",
                f"front = {_q(pair.front.config.rel)}",
                *_entry_lines(pair.front, "front_entry"),
                f"backend = {_q(pair.backend.config.rel)}",
                *_entry_lines(pair.backend, "backend_entry"),
                f"binding = {_q(pair.binding)}",
                f"identity_header = {_q(item.identity_header)}  # {item.identity_source}",
                *_prefix_lines(item),
                "",
            ]
    for ambiguity in project.ambiguities:
        lines += [f"# Not paired: {ambiguity_message(ambiguity)}. The candidates:"]
        for candidate in ambiguity.candidates:
            lines += [
                "# [[pair]]",
                f"# front = {_q(ambiguity.worker.config.rel)}",
                f"# backend = {_q(candidate.config.rel)}",
                f"# binding = {_q(ambiguity.binding)}",
            ]
        lines.append("")
    lines += [
        "[check]",
        'ignore = []  # rule ids, e.g. ["DW013"]',
        'fail_on = "error"',
        "",
    ]
    return "\n".join(lines)


def _prefix_lines(item: Inferred) -> list[str]:
    if item.forwarded:
        shown = ", ".join(item.forwarded[:6]) + (" ..." if len(item.forwarded) > 6 else "")
        note = f"the front forwards {shown}"
    else:
        note = "the default: the front's forwarded routes could not be read"
    return [f"api_prefix = {_q(item.api_prefix)}  # {note} (DW008, DW012)"]


def write_init(path: Path) -> tuple[Path, Project]:
    """Write ``dualworker.toml`` in ``path`` (a project folder); refuse to overwrite one."""
    root = path.resolve()
    if root.is_file():
        root = root.parent
    if not root.is_dir():
        raise ParseError("no such directory", str(path), line=0)
    target = root / SETTINGS_FILE
    if target.exists():
        raise InitRefused(f"{target}: already exists; edit it, or remove it to write a new one")
    project = discover_by_scan(root)
    if not project.pairs:
        raise no_pair_error(project)
    text = render(project)
    target.write_text(text, encoding="utf-8")
    try:
        load_settings(target, SETTINGS_FILE)  # what we write must be what we read
    except ParseError:
        target.unlink()
        raise
    return target, project
