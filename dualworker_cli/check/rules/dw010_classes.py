"""DW010: a bound Durable Object or Workflow class ``main`` does not export; a DO without migration."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from dualworker_cli.check.model import Finding, Project, Rule, Severity, Worker
from dualworker_cli.check.parse.config import KeyPath
from dualworker_cli.check.rules.common import where


def bound_classes(worker: Worker) -> Iterator[tuple[str, str, KeyPath]]:
    """(kind, class name, key path) of DOs and Workflows implemented by this Worker itself."""
    for prefix, block in worker.blocks():
        durable = block.get("durable_objects")
        bindings = durable.get("bindings") if isinstance(durable, dict) else None
        for i, entry in enumerate(bindings if isinstance(bindings, list) else []):
            if (
                isinstance(entry, dict)
                and isinstance(entry.get("class_name"), str)
                and not entry.get("script_name")
            ):
                yield "Durable Object", entry["class_name"], (*prefix, "durable_objects", "bindings", i)
        workflows = block.get("workflows")
        for i, entry in enumerate(workflows if isinstance(workflows, list) else []):
            if (
                isinstance(entry, dict)
                and isinstance(entry.get("class_name"), str)
                and not entry.get("script_name")
            ):
                yield "Workflow", entry["class_name"], (*prefix, "workflows", i)


def _items(step: dict[str, Any], key: str) -> list[Any]:
    """``step[key]`` when it is a list (a hand-edited config may hold anything there)."""
    value = step.get(key)
    return value if isinstance(value, list) else []


def migrated_classes(worker: Worker) -> set[str]:
    """Classes some migration creates (or renames/transfers to), minus deleted ones."""
    created: set[str] = set()
    deleted: set[str] = set()
    for _, block in worker.blocks():
        migrations = block.get("migrations")
        for step in migrations if isinstance(migrations, list) else []:
            if not isinstance(step, dict):
                continue
            for key in ("new_classes", "new_sqlite_classes"):
                created |= {c for c in _items(step, key) if isinstance(c, str)}
            for key in ("renamed_classes", "transferred_classes"):
                for item in _items(step, key):
                    if isinstance(item, dict) and isinstance(item.get("to"), str):
                        created.add(item["to"])
                        deleted.discard(item["to"])
            deleted |= {c for c in _items(step, "deleted_classes") if isinstance(c, str)}
    return created - deleted


def exported_names(project: Project, worker: Worker) -> set[str] | None:
    """Names exported by the Worker's ``main`` (None when there is no main file to read)."""
    main = worker.main
    if main is None or not main.is_file():
        return None
    graph = project.ts_graph
    module = graph.load(main)
    return graph.export_names(module) if module is not None else None


def check(project: Project) -> Iterator[Finding]:
    for worker in project.workers:
        classes = list(bound_classes(worker))
        if not classes:
            continue
        exports: Any = exported_names(project, worker)
        migrated = migrated_classes(worker)
        for kind, name, keypath in classes:
            if exports is not None and name not in exports:
                yield RULE.at(
                    worker.config,
                    (*keypath, "class_name"),
                    f"{kind} class `{name}` is bound ({where(keypath[:2] if keypath[0] == 'env' else ())}) "
                    f"but `{worker.config.data.get('main')}` does not export it",
                )
            if kind == "Durable Object" and name not in migrated:
                yield RULE.at(
                    worker.config,
                    (*keypath, "class_name"),
                    f"Durable Object class `{name}` has no migration (`new_sqlite_classes`)",
                )


RULE = Rule(
    id="DW010",
    name="unexported-or-unmigrated-class",
    title="Durable Object / Workflow class not exported, or DO without migration",
    severity=Severity.ERROR,
    what="For every Durable Object and Workflow binding that the Worker implements itself (no "
    "`script_name`), checks that the Worker's `main` module exports the class (following `export ... "
    "from`), and that a migration creates each Durable Object class.",
    why="A class that is bound but not exported makes the deploy fail - or, when an env block binds a "
    "class the code no longer has, the environment breaks at the first request. A Durable Object "
    "without a migration cannot be deployed at all.",
    example='"durable_objects": { "bindings": [{ "name": "ROOMS", "class_name": "ChatRoom" }] }\n'
    "// src/index.ts exports InternalApi only",
    fix='Export the class from `main` (`export { ChatRoom } from "./durable-objects/chat-room"`) and add '
    'a migration: `"migrations": [{ "tag": "v1", "new_sqlite_classes": ["ChatRoom"] }]`.',
    hint="Export the class from main; add a migration for DOs",
    check=check,
)
