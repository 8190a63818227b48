"""Find the Workers of a project and decide which is the public front and which the private backend.

Two ways: ``dualworker.toml`` at the root names both configs (the generator writes it), or we scan
for Wrangler configs and read roles off the service-binding graph: a Worker another Worker binds
to is a backend, the Worker that binds it is its front. Scanning makes the linter work on
hand-written projects whatever their folder and binding names.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from dualworker_cli.check.model import (
    DEFAULT_API_PREFIX,
    DEFAULT_BINDING,
    DEFAULT_IDENTITY_HEADER,
    FAIL_ON,
    Pair,
    Project,
    Settings,
    Worker,
)
from dualworker_cli.check.parse import toml
from dualworker_cli.check.parse.config import CONFIG_NAMES, ConfigFile, KeyPath, load_config, read_text
from dualworker_cli.check.parse.errors import ParseError

SETTINGS_FILE = "dualworker.toml"
SKIP_DIRS = frozenset({"node_modules", ".wrangler", "dist", ".git", ".venv", "__pycache__"})


def _rel(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)
    except (OSError, RuntimeError):  # a symlink loop (RuntimeError before Python 3.13)
        try:
            return path.relative_to(root).as_posix()
        except ValueError:
            return str(path)


def scan(root: Path) -> list[Path]:
    """Wrangler configs under ``root``, skipping dependency and build folders (one per folder)."""
    found: list[Path] = []
    for current, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS)
        # Wrangler's own precedence when a folder has several
        name = next((n for n in CONFIG_NAMES if n in files), None)
        if name is not None:
            found.append(Path(current) / name)
            continue
        odd = next((n for n in CONFIG_NAMES if n in dirs), None)
        if odd is not None:  # not silently skipped: its Worker would vanish from the graph
            raise ParseError(
                "is a directory, expected a Wrangler config file", _rel(Path(current) / odd, root)
            )
    return found


def _str_list(value: Any, where: str, settings_rel: str, pos: tuple[int, int]) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ParseError(f"{where} must be a list of strings", settings_rel, *pos)
    return list(value)


_KNOWN = {
    "front": {"config", "auth_middleware"},
    "backend": {"config", "binding", "identity_header", "api_prefix", "public_routes"},
    "check": {"ignore", "select", "fail_on"},
}


def load_settings(path: Path, rel: str) -> Settings:
    """Read and validate ``dualworker.toml``; every problem is a located ParseError."""
    text = read_text(path, rel)
    try:
        data = toml.parse(text)
    except ParseError as exc:
        raise exc.with_path(rel) from None
    lines = toml.key_lines(text)

    def pos(*keypath: str) -> tuple[int, int]:
        return toml.locate(lines, keypath)

    for table, value in data.items():
        if table not in _KNOWN:
            raise ParseError(
                f"unknown table or key `{table}` (known tables: front, backend, check)", rel, *pos(table)
            )
        if not isinstance(value, dict):
            raise ParseError(f"`{table}` must be a table: [{table}]", rel, *pos(table))
        for key in value:
            if key not in _KNOWN[table]:
                known = ", ".join(sorted(_KNOWN[table]))
                raise ParseError(f"unknown key {table}.{key} (known: {known})", rel, *pos(table, key))

    def text_value(table: str, key: str, default: str | None) -> str | None:
        value = data.get(table, {}).get(key, default)
        if value is not None and (not isinstance(value, str) or not value):
            raise ParseError(f"{table}.{key} must be a non-empty string", rel, *pos(table, key))
        return value

    settings = Settings(source=rel)
    settings.front_config = text_value("front", "config", None)
    settings.backend_config = text_value("backend", "config", None)
    for table in ("front", "backend"):
        if getattr(settings, f"{table}_config") is None:
            raise ParseError(f'[{table}] needs `config = "path/to/wrangler.jsonc"`', rel, *pos(table))
    settings.binding = text_value("backend", "binding", None)
    settings.identity_header = text_value("backend", "identity_header", DEFAULT_IDENTITY_HEADER) or ""
    settings.api_prefix = text_value("backend", "api_prefix", DEFAULT_API_PREFIX) or ""
    settings.fail_on = text_value("check", "fail_on", None)
    for table, key, attr in (
        ("backend", "public_routes", "public_routes"),
        ("front", "auth_middleware", "auth_middleware"),
        ("check", "ignore", "ignore"),
        ("check", "select", "select"),
    ):
        if key in data.get(table, {}):
            setattr(settings, attr, _str_list(data[table][key], f"{table}.{key}", rel, pos(table, key)))
    if settings.fail_on is not None and settings.fail_on not in FAIL_ON:
        raise ParseError(f"check.fail_on must be one of {', '.join(FAIL_ON)}", rel, *pos("check", "fail_on"))
    # rule codes are checked by the engine, which knows the registry (this layer sits below the rules)
    check_table = data.get("check", {})
    settings.positions = {key: pos("check", key) for key in ("ignore", "select") if key in check_table}
    return settings


def _service_target(project_names: dict[str, Worker], entry: dict[str, Any]) -> Worker | None:
    service = entry.get("service")
    return project_names.get(service) if isinstance(service, str) else None


def infer_pairs(workers: list[Worker]) -> list[Pair]:
    """Pairs (front, backend, binding) from top-level and env service bindings between configs."""
    by_name: dict[str, Worker] = {}
    for worker in workers:
        if worker.name:
            by_name.setdefault(worker.name, worker)
        for env in worker.envs:
            env_name = worker.env_worker_name(env)
            if env_name:
                by_name.setdefault(env_name, worker)
    pairs: list[Pair] = []
    seen: set[tuple[int, int, str]] = set()
    for worker in workers:
        for _, block in worker.blocks():
            for _, entry in worker.services(block):
                target = _service_target(by_name, entry)
                binding = entry.get("binding")
                if target is None or target is worker or not isinstance(binding, str):
                    continue
                # every binding name: a front may reach one backend as `API` and as `RPC`
                if (id(worker), id(target), binding) not in seen:
                    seen.add((id(worker), id(target), binding))
                    pairs.append(Pair(worker, target, binding))
    return pairs


def settings_above(start: Path) -> Path | None:
    """The nearest ancestor folder of ``start`` holding ``dualworker.toml`` (stops at a git root)."""
    for folder in start.parents:
        if (folder / SETTINGS_FILE).is_file():
            return folder
        if (folder / ".git").exists():
            return None
    return None


def discover(root: Path) -> Project:
    """Build the project model for ``root`` (a folder, or a single config file's folder).

    Run from inside a project (say ``apps/data-service``) where scanning finds no pair, the
    nearest ``dualworker.toml`` above is used instead, as linters do with their config files.
    """
    if not root.exists():
        raise ParseError("no such file or directory", str(root), line=0)
    root = root.resolve()
    if root.is_file():
        root = root.parent
    if not (root / SETTINGS_FILE).is_file():
        try:
            return _discover_by_scan(root)
        except ParseError:
            above = settings_above(root)
            if above is None:
                raise
            root = above
    settings_path = root / SETTINGS_FILE
    if settings_path.is_file():
        settings = load_settings(settings_path, SETTINGS_FILE)
        lines = toml.key_lines(read_text(settings_path, SETTINGS_FILE))
        configs = []
        for table in ("front", "backend"):
            rel_config = getattr(settings, f"{table}_config")
            target = root / rel_config
            if not target.is_file():
                line, col = toml.locate(lines, (table, "config"))
                state = "is a directory, expected a file" if target.is_dir() else "not found"
                raise ParseError(f"{table}.config: {rel_config} {state}", SETTINGS_FILE, line, col)
            configs.append(Worker(load_config(target, _rel(target, root))))
        front, backend = configs
        binding = settings.binding or _guess_binding(front, backend) or DEFAULT_BINDING
        settings.binding = binding
        return Project(
            root, [front, backend], [Pair(front, backend, binding)], settings, mode="dualworker.toml"
        )
    return _discover_by_scan(root)


def _discover_by_scan(root: Path) -> Project:
    """Roles from the service-binding graph of every Wrangler config under ``root``."""
    paths = scan(root)
    if not paths:
        raise ParseError(
            f"no wrangler.jsonc, wrangler.json or wrangler.toml found (and no {SETTINGS_FILE})",
            str(root),
            line=0,
        )
    workers = [Worker(load_config(p, _rel(p, root))) for p in paths]
    pairs = infer_pairs(workers)
    if not pairs:
        dangling = _first_dangling_binding(workers)
        if dangling is not None:
            config, keypath, binding, service = dangling
            raise ParseError(
                f"`{binding}` binds `{service}`, which no Wrangler config under this folder defines, so "
                f"there is no front/backend pair to check (fix the name, or add {SETTINGS_FILE})",
                config.rel,
                *config.position(keypath),
            )
        raise ParseError(
            f"found {len(workers)} Wrangler config(s) but no service binding between them, so no front and "
            f"backend; add {SETTINGS_FILE} to name them",
            str(root),
            line=0,
        )
    return Project(root, workers, pairs, Settings())


def _first_dangling_binding(workers: list[Worker]) -> tuple[ConfigFile, KeyPath, str, str] | None:
    """A service binding whose target no config defines (why no pair was found)."""
    known = {w.name for w in workers} | {w.env_worker_name(env) for w in workers for env in w.envs}
    for worker in workers:
        for prefix, block in worker.blocks():
            for index, entry in worker.services(block):
                service, binding = entry.get("service"), entry.get("binding")
                if isinstance(service, str) and service not in known:
                    return worker.config, (*prefix, "services", index, "service"), str(binding), service
    return None


def _guess_binding(front: Worker, backend: Worker) -> str | None:
    """The binding name the front uses for the backend, when the settings file does not say."""
    names = {backend.name} | {backend.env_worker_name(env) for env in backend.envs}
    for _, block in front.blocks():
        for _, entry in front.services(block):
            if entry.get("service") in names and isinstance(entry.get("binding"), str):
                return entry["binding"]
    return None
