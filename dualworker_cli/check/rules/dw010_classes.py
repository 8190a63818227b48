"""DW010: a bound Durable Object or Workflow class ``main`` does not export; a DO without migration."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from dualworker_cli.check.model import Finding, Project, Rule, Severity, Worker
from dualworker_cli.check.parse import paths as fs
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


def _migrated_by(migrations: Any) -> set[str]:
    """Classes a ``migrations`` list creates (or renames/transfers to), minus deleted ones."""
    created: set[str] = set()
    deleted: set[str] = set()
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


def _declared_by(exports: Any) -> set[str]:
    """Durable Object classes the declarative ``exports`` map keeps live (Wrangler's alternative to
    ``migrations``: ``"Room": { "type": "durable-object", "storage": "sqlite" }``)."""
    if not isinstance(exports, dict):
        return set()
    live = set()
    for name, spec in exports.items():
        if isinstance(spec, dict) and spec.get("type") in ("durable-object", "durable_object"):
            if spec.get("state", "created") == "created":
                live.add(name)
            elif spec.get("state") == "renamed" and isinstance(spec.get("renamed_to"), str):
                live.add(spec["renamed_to"])
    return live


def migrated_classes(worker: Worker, prefix: KeyPath = ()) -> set[str]:
    """Classes the deployment of ``prefix`` (top level or ``env.<name>``) has storage for.

    ``migrations`` (and ``exports``) are inheritable: an env block without its own list uses the top
    level's, and an env block's list covers only that env - never the top level.
    """
    data = worker.config.data
    block = worker.envs.get(str(prefix[1]), {}) if prefix[:1] == ("env",) else data
    migrations = block["migrations"] if "migrations" in block else data.get("migrations")
    exports = block["exports"] if "exports" in block else data.get("exports")
    return _migrated_by(migrations) | _declared_by(exports)


def exported_names(project: Project, worker: Worker) -> set[str] | None:
    """Names exported by the Worker's ``main`` (None when there is no script to read: no ``main``,
    a missing file, or a Python Worker, whose classes the TypeScript reader cannot see)."""
    main = worker.main
    if main is None or worker.language != "script" or not fs.is_file(main):
        return None
    graph = project.ts_graph
    module = graph.load(main)
    return graph.export_names(module) if module is not None else None


def _migration_scope(worker: Worker, name: str, block: KeyPath) -> str:
    """Where the missing migration is missing, when that is not obvious (inheritance)."""
    if block:
        own = "migrations" in worker.envs.get(str(block[1]), {})
        return f" in {where(block)}" + ("" if own else " (it inherits the top level's `migrations`)")
    covered = [env for env in worker.envs if name in migrated_classes(worker, ("env", env))]
    if covered:
        return f" at the top level (env.{covered[0]}'s `migrations` cover only that environment)"
    return ""


def check(project: Project) -> Iterator[Finding]:
    for worker in project.mine(project.workers):
        classes = list(bound_classes(worker))
        if not classes:
            continue
        exports: Any = exported_names(project, worker)
        for kind, name, keypath in classes:
            block = keypath[:2] if keypath[0] == "env" else ()
            if exports is not None and name not in exports:
                yield RULE.at(
                    worker.config,
                    (*keypath, "class_name"),
                    f"{kind} class `{name}` is bound ({where(block)}) "
                    f"but `{worker.config.data.get('main')}` does not export it",
                )
            if kind == "Durable Object" and name not in migrated_classes(worker, block):
                yield RULE.at(
                    worker.config,
                    (*keypath, "class_name"),
                    f"Durable Object class `{name}` has no migration (`new_sqlite_classes`)"
                    + _migration_scope(worker, name, block),
                )


RULE = Rule(
    id="DW010",
    name="unexported-or-unmigrated-class",
    title="Durable Object / Workflow class not exported, or DO without migration",
    severity=Severity.ERROR,
    what="For every Durable Object and Workflow binding that the Worker implements itself (no "
    "`script_name`), checks that the Worker's `main` module exports the class (following `export ... "
    "from`; not checked for Python Workers or without `main`, see DW014), and that a migration creates "
    "each Durable Object class in the same deployment. `migrations` is inheritable: an env block without "
    "its own list uses the top level's, and an env block's list does not cover the top level. Wrangler's "
    'declarative `exports` map (`"Room": { "type": "durable-object" }`) counts as a migration.',
    why="A class that is bound but not exported makes the deploy fail - or, when an env block binds a "
    "class the code no longer has, the environment breaks at the first request. A Durable Object "
    "without a migration cannot be deployed at all.",
    example='"durable_objects": { "bindings": [{ "name": "ROOMS", "class_name": "ChatRoom" }] }\n'
    "// src/index.ts exports InternalApi only",
    fix='Export the class from `main` (`export { ChatRoom } from "./durable-objects/chat-room"`) and add '
    'a migration: `"migrations": [{ "tag": "v1", "new_sqlite_classes": ["ChatRoom"] }]`.',
    hint="Export the class from main; add a migration for DOs",
    check=check,
    sharded=True,
)
