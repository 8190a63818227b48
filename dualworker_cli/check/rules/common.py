"""Helpers the rule modules share (small, pure, about Wrangler config shapes)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from dualworker_cli.check.model import Worker
from dualworker_cli.check.parse.config import KeyPath


def where(keypath: KeyPath) -> str:
    """``env.staging`` or ``top level`` for messages."""
    return ".".join(str(p) for p in keypath) if keypath else "top level"


def route_entries(block: dict[str, Any]) -> Iterator[tuple[KeyPath, str, bool]]:
    """(relative key path, pattern, is custom domain) for ``routes`` and ``route``."""
    routes = block.get("routes")
    if isinstance(routes, list):
        for i, entry in enumerate(routes):
            if isinstance(entry, str):
                yield ("routes", i), entry, False
            elif isinstance(entry, dict):
                yield ("routes", i), str(entry.get("pattern", "")), bool(entry.get("custom_domain"))
    route = block.get("route")
    if isinstance(route, str):
        yield ("route",), route, False
    elif isinstance(route, dict):
        yield ("route",), str(route.get("pattern", "")), bool(route.get("custom_domain"))


def publicly_reachable(worker: Worker) -> list[str]:
    """Why a Worker can be reached from the internet (empty when it cannot)."""
    data = worker.config.data
    reasons = []
    if data.get("workers_dev") is not False or any(
        b.get("workers_dev") not in (None, False) for _, b in worker.blocks()
    ):
        reasons.append("workers.dev URL")
    if data.get("preview_urls") is not False or any(
        b.get("preview_urls") not in (None, False) for _, b in worker.blocks()
    ):
        reasons.append("preview URLs")
    if any(True for _, block in worker.blocks() for _ in route_entries(block)):
        reasons.append("routes")
    return reasons


def queue_entries(block: dict[str, Any], kind: str) -> Iterator[tuple[KeyPath, dict[str, Any]]]:
    """``queues.producers`` / ``queues.consumers`` entries with their relative key paths."""
    queues = block.get("queues")
    if not isinstance(queues, dict):
        return
    entries = queues.get(kind)
    if isinstance(entries, list):
        for i, entry in enumerate(entries):
            if isinstance(entry, dict) and isinstance(entry.get("queue"), str):
                yield ("queues", kind, i), entry
