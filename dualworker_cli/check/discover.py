"""Find the Workers of a project and decide which is the public front and which the private backend.

Two ways: ``dualworker.toml`` at the root names both configs (the generator writes it), or we scan
for Wrangler configs and read roles off the service-binding graph: a Worker another Worker binds
to is a backend, the Worker that binds it is its front. Scanning makes the linter work on
hand-written projects whatever their folder and binding names.
"""

from __future__ import annotations

import os
import re
import shlex
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dualworker_cli.check.model import (
    DEFAULT_API_PREFIX,
    DEFAULT_BINDING,
    DEFAULT_IDENTITY_HEADER,
    FAIL_ON,
    SCRIPT_SUFFIXES,
    Ambiguity,
    Pair,
    PairSettings,
    Project,
    Settings,
    Skipped,
    Worker,
    is_remote,
    resolve_service,
)
from dualworker_cli.check.parse import paths, toml
from dualworker_cli.check.parse.config import (
    CONFIG_NAMES,
    ConfigFile,
    KeyPath,
    load_config,
    parse_config_text,
    read_text,
)
from dualworker_cli.check.parse.errors import ParseError

SETTINGS_FILE = "dualworker.toml"
SKIP_DIRS = frozenset(
    {
        "node_modules",
        ".wrangler",
        "dist",
        ".git",
        ".venv",
        "venv",
        "__pycache__",
        ".next",
        ".nuxt",
        ".svelte-kit",
        ".output",
        ".turbo",
        ".vercel",
        ".astro",
        ".cache",
        ".yarn",
        ".pnpm-store",
        "coverage",
    }
)
#: files that mark a project (or workspace) folder: a duplicated Worker name resolves to the config in
#: the innermost such folder shared with the binder
PROJECT_MARKERS = frozenset(
    {"package.json", "pnpm-workspace.yaml", "deno.json", "deno.jsonc", "pyproject.toml", "lerna.json", ".git"}
)
#: folders where hand-written projects keep configs under other names (iac/workers/api.toml)
CONFIG_DIRS = frozenset(
    {
        "iac",
        "infra",
        "infrastructure",
        "deploy",
        "deployment",
        "deployments",
        "workers",
        "cloudflare",
        "cf",
        "wrangler",
        "config",
        "configs",
    }
)
CONFIG_SUFFIXES = frozenset({".toml", ".json", ".jsonc"})
_SUFFIX_ENDINGS = tuple(CONFIG_SUFFIXES)
#: well-known non-Wrangler files with those suffixes: never read
NOT_WRANGLER = frozenset(
    {
        "package.json",
        "package-lock.json",
        "composer.json",
        "deno.json",
        "deno.jsonc",
        "biome.json",
        "biome.jsonc",
        "turbo.json",
        "nx.json",
        "project.json",
        "lerna.json",
        "vercel.json",
        "netlify.toml",
        "renovate.json",
        "components.json",
        "manifest.json",
        "app.json",
        "firebase.json",
        "angular.json",
        "tslint.json",
        "cspell.json",
        "dprint.json",
        "Cargo.toml",
        "pyproject.toml",
        "rust-toolchain.toml",
        "rustfmt.toml",
        "typos.toml",
        "dualworker.toml",
    }
)
#: a Wrangler config is a few KiB; anything bigger found by content is not one
MAX_SNIFF_BYTES = 256 * 1024
#: keys only a Wrangler config has (with `name` and `main`/`compatibility_date`: it is one)
WRANGLER_KEYS = frozenset(
    {
        "compatibility_date",
        "compatibility_flags",
        "services",
        "routes",
        "route",
        "workers_dev",
        "preview_urls",
        "kv_namespaces",
        "d1_databases",
        "durable_objects",
        "r2_buckets",
        "queues",
        "triggers",
        "migrations",
        "account_id",
        "workflows",
        "assets",
        "placement",
        "observability",
        "hyperdrive",
        "tail_consumers",
        "usage_model",
        "find_additional_modules",
        "no_bundle",
        "analytics_engine_datasets",
        "dispatch_namespaces",
        "vectorize",
        "send_email",
    }
)
_SHELL_SPLIT = re.compile(r"&&|\|\||[;|\n]")
#: flags of `wrangler deploy/dev` that take a value (so the value is not the entry script)
_VALUE_FLAGS = frozenset(
    {"--config", "-c", "--cwd", "--env", "-e", "--name", "--outdir", "--var", "--define", "--port", "--ip"}
)


def _rel(path: Path, root: Path) -> str:
    try:
        return paths.resolve(path).relative_to(paths.resolve(root)).as_posix()
    except ValueError:
        return str(path)
    except (OSError, RuntimeError):  # a symlink loop (RuntimeError before Python 3.13)
        try:
            return path.relative_to(root).as_posix()
        except ValueError:
            return str(path)


def is_wrangler_config(data: Any) -> bool:
    """Content test for configs not named ``wrangler.*``: ``name``, ``main`` or ``compatibility_date``,
    and a key only Wrangler uses (a package.json has name + main, never those)."""
    return (
        isinstance(data, dict)
        and isinstance(data.get("name"), str)
        and ("main" in data or "compatibility_date" in data)
        and any(key in data for key in WRANGLER_KEYS)
    )


@dataclass
class ScriptRefs:
    """What package.json scripts and CI workflows say about Wrangler: ``--config`` files and entries."""

    configs: list[Path] = field(default_factory=list)
    #: config file (or its folder, for a command without --config) -> entry script on the command line
    entries: dict[Path, Path] = field(default_factory=dict)


def wrangler_commands(text: str) -> Iterator[list[str]]:
    """The argument lists after ``wrangler`` in shell command text (``a && wrangler deploy -c x``)."""
    for segment in _SHELL_SPLIT.split(text):
        if "wrangler" not in segment:
            continue
        try:
            tokens = shlex.split(segment, comments=False)
        except ValueError:  # an unbalanced quote: fall back to whitespace
            tokens = segment.split()
        for i, token in enumerate(tokens):
            if token == "wrangler" or token.endswith("/wrangler"):
                yield tokens[i + 1 :]
                break


def read_command(args: list[str], cwd: Path, refs: ScriptRefs) -> None:
    """Record ``--config``/``-c`` files and a positional entry script of one wrangler command."""
    configs: list[Path] = []
    entry: str | None = None
    base = cwd
    previous = ""
    for arg in args:
        flag, _, value = arg.partition("=") if arg.startswith("--") else (arg, "", "")
        if previous in ("--cwd",):
            base = cwd / arg
        elif previous in ("--config", "-c"):
            configs.append(Path(arg))
        elif flag in ("--config", "--cwd") and value:
            if flag == "--cwd":
                base = cwd / value
            else:
                configs.append(Path(value))
        elif (
            not arg.startswith("-")
            and previous not in _VALUE_FLAGS
            and Path(arg).suffix in (*SCRIPT_SUFFIXES, ".py")
        ):
            entry = entry or arg
        previous = arg if arg.startswith("-") and "=" not in arg else ""
    resolved = [base / c for c in configs]
    refs.configs.extend(resolved)
    if entry is not None and args and args[0] in ("deploy", "dev", "publish", "versions"):
        for config in resolved or [base]:
            refs.entries.setdefault(config, base / entry)


def _scripts_of(path: Path) -> list[str]:
    """The script command lines of a package.json (nothing when it is not readable JSON)."""
    try:
        if path.stat().st_size > MAX_SNIFF_BYTES:
            return []
    except OSError:
        return []
    data = paths.read_json(path)
    scripts = data.get("scripts") if isinstance(data, dict) else None
    if not isinstance(scripts, dict):
        return []
    return [v for v in scripts.values() if isinstance(v, str)]


def _workflow_lines(root: Path) -> list[str]:
    """Shell lines of GitHub workflows at ``root`` (``run: npx wrangler deploy -c infra/api.toml``)."""
    folder = root / ".github" / "workflows"
    lines: list[str] = []
    try:
        files = sorted(folder.iterdir()) if folder.is_dir() else []
    except OSError:
        return []
    for file in files:
        if file.suffix in (".yml", ".yaml"):
            try:
                lines += [
                    line for line in file.read_text(encoding="utf-8").splitlines() if "wrangler" in line
                ]
            except (OSError, UnicodeDecodeError):
                continue
    return lines


@dataclass
class ScanResult:
    """Config files found under a root, with what the walk learnt on the way (no extra reads)."""

    #: (path, how it was found: ``name``, ``script`` or ``content``)
    configs: list[tuple[Path, str]] = field(default_factory=list)
    #: folders holding a project marker (package.json, workspace files, a nested .git)
    project_dirs: set[Path] = field(default_factory=set)
    refs: ScriptRefs = field(default_factory=ScriptRefs)
    skipped: list[Skipped] = field(default_factory=list)


def _under_skipped(path: Path, root: Path) -> bool:
    try:
        parts = path.relative_to(root).parts
    except ValueError:
        return True  # outside the scanned folder
    return any(part in SKIP_DIRS for part in parts[:-1])


def _sniff(path: Path, root: Path, scan: ScanResult, loud: bool) -> bool:
    """Is this non-``wrangler.*`` file a Wrangler config? Reads at most MAX_SNIFF_BYTES.

    ``loud``: its name says Wrangler (``wrangler.admin.toml``), so a file that looks like one but
    cannot be used is reported (DW014) rather than dropped.
    """
    rel = _rel(path, root)
    try:
        if path.stat().st_size > MAX_SNIFF_BYTES:
            if loud:
                scan.skipped.append(
                    Skipped(None, rel, f"larger than {MAX_SNIFF_BYTES // 1024} KiB: not read")
                )
            return False
        raw = path.read_bytes()
    except OSError:
        return False
    if b"name" not in raw or (b"main" not in raw and b"compatibility_date" not in raw):
        return False  # cheap: no parse for the many JSON files that cannot be Wrangler configs
    try:
        config = parse_config_text(raw.decode("utf-8"), path, rel)
    except (ParseError, UnicodeDecodeError) as exc:
        if loud:
            scan.skipped.append(Skipped(None, rel, f"looks like a Wrangler config but was not read: {exc}"))
        return False
    return is_wrangler_config(config.data)


def scan_tree(root: Path) -> ScanResult:
    """Wrangler configs under ``root``, skipping dependency and build folders.

    By name (``wrangler.{json,jsonc,toml}``, one per folder in Wrangler's own precedence), by
    reference (``--config``/``-c`` in package.json scripts and CI workflows), and by content (a
    ``wrangler*.toml``-like name anywhere, or any ``.toml``/``.json``/``.jsonc`` under folders
    like ``iac/``, ``infra/``, ``deploy/``). Content tests read only candidates, capped in size.
    """
    scan = ScanResult()
    candidates: list[tuple[Path, bool]] = []
    for line in _workflow_lines(root):
        for args in wrangler_commands(line.split("run:", 1)[-1]):
            read_command(args, root, scan.refs)
    root_text = str(root)
    for current, dirs, files in paths.walk(root):
        here = Path(current)
        if ".git" in dirs or any(name in PROJECT_MARKERS for name in files):
            scan.project_dirs.add(here)
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS)
        in_config_dir = any(part in CONFIG_DIRS for part in current[len(root_text) :].split(os.sep))
        if "package.json" in files:
            for command in _scripts_of(here / "package.json"):
                for args in wrangler_commands(command):
                    read_command(args, here, scan.refs)
        # Wrangler's own precedence when a folder has several
        name = next((n for n in CONFIG_NAMES if n in files), None)
        if name is not None:
            scan.configs.append((here / name, "name"))
        odd = next((n for n in CONFIG_NAMES if n in dirs), None)
        if odd is not None and name is None:  # not silently skipped: its Worker would vanish
            raise ParseError("is a directory, expected a Wrangler config file", _rel(here / odd, root))
        for file in sorted(files):
            if not file.endswith(_SUFFIX_ENDINGS):
                continue  # cheap first: most files are source code (no Path per file)
            suffix = Path(file).suffix
            if suffix not in CONFIG_SUFFIXES or file in CONFIG_NAMES or file.startswith("."):
                continue
            named = file.lower().startswith("wrangler")
            if named or (
                in_config_dir
                and file not in NOT_WRANGLER
                and not file.startswith(("tsconfig", "jsconfig"))
                and not file.endswith(".schema.json")
            ):
                candidates.append((here / file, named))
    known = {path for path, _ in scan.configs}
    for ref in scan.refs.configs:
        path = Path(os.path.normpath(ref))
        if path in known or not path.is_file() or _under_skipped(path, root):
            continue  # a build output (dist/server/wrangler.json) is found through its source
        if path.suffix in CONFIG_SUFFIXES:
            scan.configs.append((path, "script"))
            known.add(path)
    for path, named in candidates:
        if path not in known and _sniff(path, root, scan, loud=named):
            scan.configs.append((path, "content"))
            known.add(path)
    return scan


def scan(root: Path) -> list[Path]:
    """Wrangler config files under ``root`` (see :func:`scan_tree`)."""
    return [path for path, _ in scan_tree(root).configs]


def _str_list(value: Any, where: str, settings_rel: str, pos: tuple[int, int]) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ParseError(f"{where} must be a list of strings", settings_rel, *pos)
    return list(value)


_KNOWN = {
    "front": {"config", "auth_middleware", "entry"},
    "backend": {"config", "binding", "identity_header", "api_prefix", "public_routes", "entry"},
    "check": {"ignore", "select", "fail_on"},
}
_PAIR_KEYS = {"front", "backend", "binding", "identity_header", "api_prefix", "front_entry", "backend_entry"}


def _pair_tables(data: dict[str, Any], rel: str, pos: Any) -> list[PairSettings]:
    """``[[pair]]`` tables: one per front/backend pair, for projects with several."""
    tables = data.get("pair")
    if not isinstance(tables, list) or not all(isinstance(t, dict) for t in tables):
        raise ParseError("`pair` must be an array of tables: [[pair]]", rel, *pos("pair"))
    pairs = []
    for index, table in enumerate(tables):
        for key in table:
            if key not in _PAIR_KEYS:
                known = ", ".join(sorted(_PAIR_KEYS))
                raise ParseError(f"unknown key pair.{key} (known: {known})", rel, *pos("pair", index, key))
        values: dict[str, str | None] = {}
        for key in _PAIR_KEYS:
            value = table.get(key)
            if value is not None and (not isinstance(value, str) or not value):
                raise ParseError(f"pair.{key} must be a non-empty string", rel, *pos("pair", index, key))
            values[key] = value
        for key in ("front", "backend"):
            if values[key] is None:
                raise ParseError(
                    f'[[pair]] needs `{key} = "path/to/wrangler.jsonc"`', rel, *pos("pair", index)
                )
        pairs.append(
            PairSettings(
                front=str(values["front"]),
                backend=str(values["backend"]),
                binding=values["binding"],
                identity_header=values["identity_header"],
                api_prefix=values["api_prefix"],
                front_entry=values["front_entry"],
                backend_entry=values["backend_entry"],
                where=("pair", index),
            )
        )
    return pairs


def load_settings(path: Path, rel: str) -> Settings:
    """Read and validate ``dualworker.toml``; every problem is a located ParseError.

    Pairs are ``[front]`` + ``[backend]`` (one pair, the generator's format) and/or ``[[pair]]``
    tables (several); ``[backend]``'s identity header and API prefix are every pair's defaults.
    """
    text = read_text(path, rel)
    try:
        data = toml.parse(text)
    except ParseError as exc:
        raise exc.with_path(rel) from None
    lines = toml.key_lines(text)

    def pos(*keypath: str | int) -> tuple[int, int]:
        return toml.locate(lines, keypath)

    for table, value in data.items():
        if table == "pair":
            continue
        if table not in _KNOWN:
            raise ParseError(
                f"unknown table or key `{table}` (known tables: front, backend, pair, check)",
                rel,
                *pos(table),
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
    pair_tables = _pair_tables(data, rel, pos) if "pair" in data else []
    if not pair_tables or settings.front_config or settings.backend_config:
        for table in ("front", "backend"):
            if getattr(settings, f"{table}_config") is None:
                raise ParseError(
                    f'[{table}] needs `config = "path/to/wrangler.jsonc"` (or name pairs with [[pair]])',
                    rel,
                    *pos(table),
                )
    settings.binding = text_value("backend", "binding", None)
    settings.identity_header = text_value("backend", "identity_header", DEFAULT_IDENTITY_HEADER) or ""
    settings.api_prefix = text_value("backend", "api_prefix", DEFAULT_API_PREFIX) or ""
    settings.api_prefix_set = "api_prefix" in data.get("backend", {})
    settings.fail_on = text_value("check", "fail_on", None)
    if settings.front_config and settings.backend_config:
        settings.pairs.append(
            PairSettings(
                front=settings.front_config,
                backend=settings.backend_config,
                binding=settings.binding,
                front_entry=text_value("front", "entry", None),
                backend_entry=text_value("backend", "entry", None),
                where=("front",),
            )
        )
    settings.pairs += pair_tables
    first = settings.pairs[0]
    settings.front_config, settings.backend_config = first.front, first.backend
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


def infer_pairs(
    workers: list[Worker], defined: dict[str, list[tuple[Worker, str | None]]] | None = None
) -> tuple[list[Pair], list[Ambiguity]]:
    """Pairs (front, backend, binding) from top-level and env service bindings between configs, and
    the bindings whose target name several configs define equally near the binder."""
    if defined is None:
        defined = Project(Path("."), workers, [], Settings()).defined
    pairs: list[Pair] = []
    ambiguities: list[Ambiguity] = []
    seen: set[tuple[int, int, str]] = set()
    for worker in workers:
        for prefix, block in worker.blocks():
            for index, entry in worker.services(block):
                found = resolve_service(worker, entry, defined)
                binding = entry.get("binding")
                if isinstance(found, list):
                    keypath = (*prefix, "services", index, "service")
                    ambiguities.append(
                        Ambiguity(worker, keypath, str(entry.get("service")), found, str(binding))
                    )
                    continue
                if found is None or not isinstance(binding, str):
                    continue
                target = found[0]
                if target is worker:  # a self-binding (to its own named entrypoint) pairs nothing
                    continue
                # every binding name: a front may reach one backend as `API` and as `RPC`
                if (id(worker), id(target), binding) not in seen:
                    seen.add((id(worker), id(target), binding))
                    pairs.append(Pair(worker, target, binding))
    return pairs, ambiguities


#: a script that only prints or exits: ``echo 'Mock worker should not be deployed'``, ``exit 1``
_NO_OP = re.compile(r"^\s*(?:echo|printf|exit|true|false|:)(?:\s|$)")


def declared_undeployable(package: Path) -> bool:
    """Does the Worker's own package.json have a ``deploy`` script that deploys nothing (every
    command in it prints or exits)? Mocks for end-to-end tests reuse the real Worker's name and
    say so this way."""
    if not paths.is_file(package):
        return False
    data = paths.read_json(package)
    scripts = data.get("scripts") if isinstance(data, dict) else None
    deploy = scripts.get("deploy") if isinstance(scripts, dict) else None
    if not isinstance(deploy, str) or not deploy.strip():
        return False
    return all(_NO_OP.match(part) for part in re.split(r"&&|\|\||;", deploy) if part.strip())


def ambiguity_message(ambiguity: Ambiguity) -> str:
    """One line naming the binder and every candidate, with what to do."""
    names = " and ".join(f"`{w.config.rel}`" for w in ambiguity.candidates)
    return (
        f"`{ambiguity.binding}` binds `{ambiguity.service}`, which {names} both define, equally near "
        f"`{ambiguity.worker.config.rel}`: not paired (rename one Worker, or name the pair with [[pair]] in "
        f"{SETTINGS_FILE})"
    )


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
    paths.clear()  # a new run asks the file system afresh
    root = root.resolve()
    if root.is_file():
        root = root.parent
    if not (root / SETTINGS_FILE).is_file():
        try:
            return discover_by_scan(root)
        except ParseError:
            above = settings_above(root)
            if above is None:
                raise
            root = above
    return _discover_from_settings(root)


def _discover_from_settings(root: Path) -> Project:
    """Roles as ``dualworker.toml`` names them (every ``[front]``/``[backend]`` and ``[[pair]]``)."""
    settings = load_settings(root / SETTINGS_FILE, SETTINGS_FILE)
    lines = toml.key_lines(read_text(root / SETTINGS_FILE, SETTINGS_FILE))
    loaded: dict[Path, Worker] = {}

    def worker(where: tuple[str | int, ...], key: str, rel_config: str, entry: str | None) -> Worker:
        target = (root / rel_config).resolve()
        if not target.is_file():
            line, col = toml.locate(lines, (*where, key))
            state = "is a directory, expected a file" if target.is_dir() else "not found"
            raise ParseError(f"{where[0]}.{key}: {rel_config} {state}", SETTINGS_FILE, line, col)
        if target not in loaded:
            loaded[target] = Worker(load_config(target, _rel(target, root)), scopes=(root,))
        found = loaded[target]
        if entry and found.main is None:
            found.entry, found.entry_source = target.parent / entry, SETTINGS_FILE
        return found

    pairs = []
    for index, item in enumerate(settings.pairs):
        legacy = item.where == ("front",)
        front = worker(
            ("front",) if legacy else item.where,
            "config" if legacy else "front",
            item.front,
            item.front_entry,
        )
        backend = worker(
            ("backend",) if legacy else item.where,
            "config" if legacy else "backend",
            item.backend,
            item.backend_entry,
        )
        binding = item.binding or _guess_binding(front, backend) or DEFAULT_BINDING
        if index == 0:
            settings.binding = binding
        pairs.append(Pair(front, backend, binding, item.identity_header, item.api_prefix))
    return Project(root, list(loaded.values()), pairs, settings, mode=SETTINGS_FILE)


def _scopes(
    config_dir: Path, root: Path, project_dirs: set[Path], by_text: dict[str, Path] | None = None
) -> tuple[Path, ...]:
    """Project folders enclosing ``config_dir``, innermost first, ending with ``root``.
    ``by_text`` (``project_dirs`` by path string) walks the parents of an absolute ``config_dir``
    as strings: a Path per parent and per membership test was most of the cost in a monorepo."""
    if by_text is not None and config_dir.is_absolute() and root.is_absolute():
        chain = _scopes_of_text(str(config_dir), str(root), by_text)
    else:
        chain = [
            d
            for d in (config_dir, *config_dir.parents)
            if d in project_dirs and (d == root or root in d.parents)
        ]
    if root not in chain:
        chain.append(root)
    return tuple(chain)


def _scopes_of_text(config_dir: str, root: str, by_text: dict[str, Path]) -> list[Path]:
    """The project folders of :func:`_scopes` on absolute path strings (``root`` not added)."""
    inside = root if root.endswith("/") else root + "/"
    chain = []
    current = config_dir
    while True:
        found = by_text.get(current)
        if found is not None and (current == root or current.startswith(inside)):
            chain.append(found)
        parent = os.path.dirname(current)
        if parent == current:
            return chain
        current = parent


def _dedupe_variants(workers: list[Worker], project: list[Skipped]) -> list[Worker]:
    """Several configs in one folder for the same Worker name (wrangler.toml, wrangler.prod.toml):
    the first (by name, then by reference, then by content) is the Worker; the others are said."""
    kept: dict[tuple[Path, str], Worker] = {}
    out = []
    for worker in workers:
        key = (worker.root, worker.name or worker.config.rel)
        first = kept.get(key)
        if first is None:
            kept[key] = worker
            out.append(worker)
        else:
            project.append(
                Skipped(
                    worker.config,
                    worker.config.rel,
                    f"defines the same Worker `{worker.label}` as `{first.config.rel}` in the same folder: "
                    f"only `{first.config.rel}` was checked (name this one in {SETTINGS_FILE} to check it)",
                )
            )
    return out


def _dedupe_copies(workers: list[Worker], project: list[Skipped], referenced: set[Path]) -> list[Worker]:
    """Configs in different folders for one Worker: the same name and the same entry file (a
    service's own wrangler.toml and its copy under iac/ that `wrangler deploy -c` uses). A binding
    to that name reaches the same code either way, so it is one Worker, not an ambiguity: the config
    a deploy command names is kept (else the first); the others are said."""

    def key(worker: Worker) -> tuple[str, Path] | None:
        main = worker.main
        if worker.name is None or main is None or not paths.is_file(main):
            return None
        return worker.name, paths.resolve(main)

    keys = {id(worker): key(worker) for worker in workers}
    kept: dict[tuple[str, Path], Worker] = {}
    for worker in workers:
        found = keys[id(worker)]
        if found is None:
            continue
        first = kept.get(found)
        if first is None or (
            paths.resolve(worker.config.path) in referenced
            and paths.resolve(first.config.path) not in referenced
        ):
            kept[found] = worker
    out = []
    for worker in workers:
        found = keys[id(worker)]
        chosen = kept.get(found) if found is not None else None
        if chosen is None or chosen is worker:
            out.append(worker)
            continue
        project.append(
            Skipped(
                worker.config,
                worker.config.rel,
                f"defines the same Worker `{worker.label}` (same name, same entry) as `{chosen.config.rel}`: "
                f"only `{chosen.config.rel}` was checked (name this one in {SETTINGS_FILE} to check it)",
            )
        )
    return out


def discover_by_scan(root: Path) -> Project:
    """Roles from the service-binding graph of every Wrangler config under ``root``."""
    found = scan_tree(root)
    if not found.configs:
        raise ParseError(
            "no wrangler.jsonc, wrangler.json or wrangler.toml found, nor a Wrangler config named by "
            "`--config` in package.json scripts or kept under iac/, infra/, deploy/ "
            f"(and no {SETTINGS_FILE})",
            str(root),
            line=0,
        )
    skipped = list(found.skipped)
    workers = []
    dirs_by_text = {str(d): d for d in found.project_dirs}
    for path, _how in found.configs:
        worker = Worker(load_config(path, _rel(path, root)))
        worker.scopes = _scopes(worker.root, root, found.project_dirs, dirs_by_text)
        if worker.main is None:
            entry = found.refs.entries.get(path) or found.refs.entries.get(worker.root)
            if entry is not None:
                worker.entry, worker.entry_source = entry, "a package.json script"
        workers.append(worker)
    workers = _dedupe_copies(
        _dedupe_variants(workers, skipped), skipped, {paths.resolve(c) for c in found.refs.configs}
    )
    for worker in workers:
        worker.never_deployed = declared_undeployable(worker.root / "package.json")
    project = Project(root, workers, [], Settings(), skipped=skipped)
    pairs, ambiguities = infer_pairs(workers, project.defined)
    project.pairs, project.ambiguities = pairs, ambiguities
    # a binding to a name several configs define, or to a name none does, is the project's bug:
    # DW004 reports it where it is (with the candidates), and the rules that need no pair still run
    if not pairs and not ambiguities and _first_dangling_binding(workers) is None:
        raise no_pair_error(project)
    return project


def no_pair_error(project: Project) -> ParseError:
    """Why discovery paired nothing, located at the binding to blame (``--init`` has no pair to
    write; ``check`` reports the same bindings as DW004 findings instead)."""
    if project.ambiguities:
        first = project.ambiguities[0]
        return ParseError(
            ambiguity_message(first), first.worker.config.rel, *first.worker.config.position(first.keypath)
        )
    dangling = _first_dangling_binding(project.workers)
    if dangling is not None:
        config, keypath, binding, service = dangling
        return ParseError(
            f"`{binding}` binds `{service}`, which no Wrangler config under this folder defines, so "
            f"there is no front/backend pair (fix the name, or name the pair in {SETTINGS_FILE})",
            config.rel,
            *config.position(keypath),
        )
    return ParseError(
        f"found {len(project.workers)} Wrangler config(s) but no service binding between them, so no front "
        f"and backend; add {SETTINGS_FILE} to name them",
        str(project.root),
        line=0,
    )


def _first_dangling_binding(workers: list[Worker]) -> tuple[ConfigFile, KeyPath, str, str] | None:
    """A service binding whose target no config defines (why no pair was found)."""
    known = {w.name for w in workers} | {w.env_worker_name(env) for w in workers for env in w.envs}
    for worker in workers:
        for prefix, block in worker.blocks():
            for index, entry in worker.services(block):
                service, binding = entry.get("service"), entry.get("binding")
                if isinstance(service, str) and service not in known and not is_remote(entry):
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
