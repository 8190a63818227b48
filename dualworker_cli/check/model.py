"""Data shared by the pipeline: the project (Workers, pairs, settings), severities, rules' metadata,
findings and their fixes. Everything above the parsers imports this; it imports only the parsers."""

from __future__ import annotations

import enum
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, TypeVar

from dualworker_cli.check.parse.config import ConfigFile, KeyPath

T = TypeVar("T")

DEFAULT_BINDING = "BACKEND_SERVICE"
DEFAULT_IDENTITY_HEADER = "X-User-Id"
DEFAULT_API_PREFIX = "/api/internal/"
FAIL_ON: tuple[str, ...] = ("error", "warning", "info", "never")
#: entry files the TypeScript analysis can read (tree-sitter's TypeScript grammar parses JS too)
SCRIPT_SUFFIXES = frozenset({".ts", ".tsx", ".mts", ".cts", ".js", ".jsx", ".mjs", ".cjs"})
#: one spelling per environment meaning: `env.dev` in one config and `env.development` in the other
#: are the same deployment stage, so a binding from one to the other is not a cross-env mistake
ENV_ALIASES: dict[str, str] = {
    "dev": "development",
    "develop": "development",
    "development": "development",
    "prod": "production",
    "production": "production",
    "live": "production",
    "stage": "staging",
    "stg": "staging",
    "staging": "staging",
    "test": "test",
    "testing": "test",
    "qa": "test",
    "preview": "preview",
}


def env_kind(env: str) -> str:
    """The canonical stage of an env name (``dev`` -> ``development``); unknown names stay as they are."""
    return ENV_ALIASES.get(env.lower(), env.lower())


class Severity(enum.IntEnum):
    """Ordered so that ``finding.severity >= fail_on`` decides the exit status."""

    INFO = 1
    WARNING = 2
    ERROR = 3

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Severity:
        return cls[text.strip().upper()]


@dataclass(eq=False)
class Fix:
    """A config edit addressed by key path, so several fixes to one file can be applied in turn.

    ``op`` is ``set`` (``key`` = ``value`` in the object at ``keypath``), ``append`` (``value``
    appended to the array at ``keypath``, created when missing) or ``extend`` (each item of the list
    ``value`` appended in turn).
    """

    description: str
    config: ConfigFile
    op: str
    keypath: KeyPath
    value: Any
    key: str = ""


@dataclass(eq=False)
class Finding:
    rule: str
    message: str
    path: str
    line: int
    col: int
    severity: Severity
    fix: Fix | None = None

    @property
    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.path, self.line, self.col, self.rule)


@dataclass(frozen=True)
class Rule:
    """A rule's page (shown by ``--explain``) and its check function."""

    id: str
    name: str
    title: str
    severity: Severity
    what: str
    why: str
    example: str
    fix: str
    fixable: bool = False
    #: one line for the table's Fix column
    hint: str = ""
    check: Callable[[Project], Iterable[Finding]] = field(default=lambda project: (), repr=False)
    #: the check reads its subjects through ``Project.mine`` and keeps no state from one subject to
    #: the next, so a large project can be checked in several processes (``parallel``), each on a
    #: slice; a rule that compares subjects (queues across Workers) runs whole, in one process
    sharded: bool = False

    def at(self, config: ConfigFile, keypath: KeyPath, message: str, fix: Fix | None = None) -> Finding:
        """A finding located at ``keypath`` in ``config`` (or its deepest existing parent)."""
        line, col = config.position(keypath)
        return Finding(self.id, message, config.rel, line, col, self.severity, fix)

    def at_node(self, module: Any, node: Any, message: str) -> Finding:
        """A finding at a syntax node of a parsed module (anything with ``rel`` and ``position``)."""
        line, col = module.position(node)
        return self.at_pos(module.rel, line, col, message)

    def at_pos(self, path: str, line: int, col: int, message: str) -> Finding:
        return Finding(self.id, message, path, line, col, self.severity)


@dataclass
class PairSettings:
    """One front/backend pair named in ``dualworker.toml`` (``[front]``+``[backend]`` or ``[[pair]]``)."""

    front: str
    backend: str
    binding: str | None = None
    identity_header: str | None = None
    api_prefix: str | None = None
    #: the entry module when the config has no ``main`` (wrangler deploy src/index.ts)
    front_entry: str | None = None
    backend_entry: str | None = None
    #: ``dualworker.toml`` table the pair came from, for located errors: ``front`` or ``pair.<n>``
    where: tuple[str | int, ...] = ()


@dataclass
class Settings:
    """What ``dualworker.toml`` says (or the defaults when there is none)."""

    source: str | None = None
    front_config: str | None = None
    backend_config: str | None = None
    binding: str | None = None
    identity_header: str = DEFAULT_IDENTITY_HEADER
    api_prefix: str = DEFAULT_API_PREFIX
    #: does the settings file write ``api_prefix`` (else it is the default, which DW008 never guesses)
    api_prefix_set: bool = False
    public_routes: list[str] = field(default_factory=list)
    auth_middleware: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    select: list[str] = field(default_factory=list)
    fail_on: str | None = None
    #: every pair the file names; ``front_config``/``backend_config`` mirror the first one
    pairs: list[PairSettings] = field(default_factory=list)
    #: where ``check.ignore`` / ``check.select`` are written (line, col), for located errors
    positions: dict[str, tuple[int, int]] = field(default_factory=dict)


@dataclass
class Worker:
    """One Wrangler config seen as a Worker."""

    config: ConfigFile
    #: the entry module when ``main`` is not in the config (from dualworker.toml, or the positional
    #: script of ``wrangler deploy src/index.ts`` in package.json)
    entry: Path | None = None
    #: where the entry came from, for messages (``dualworker.toml``, ``package.json`` script)
    entry_source: str = ""
    #: project folders enclosing the config, innermost first (package.json / workspace roots, then the
    #: scanned root): a service name defined twice resolves to the config sharing the innermost one
    scopes: tuple[Path, ...] = ()
    #: its package says it is never deployed (``"deploy": "echo 'mock: do not deploy'"``): a test
    #: double sharing a real Worker's name, which a binding to that name does not mean
    never_deployed: bool = False

    @property
    def name(self) -> str | None:
        name = self.config.data.get("name")
        return name if isinstance(name, str) else None

    @property
    def label(self) -> str:
        return self.name or self.config.rel

    @property
    def root(self) -> Path:
        return self.config.path.parent

    @property
    def pages(self) -> bool:
        """A Pages project: ``pages_build_output_dir``, or no ``main`` beside a ``functions/`` folder
        (the config ``wrangler pages dev`` reads next to its Pages Functions)."""
        data = self.config.data
        if "pages_build_output_dir" in data:
            return True
        return "main" not in data and self.entry is None and os.path.isdir(self.root / "functions")

    @property
    def envs(self) -> dict[str, dict[str, Any]]:
        """The ``env.<name>`` blocks (callers must not change the dict: it is kept, as the rules
        ask ~20 times per Worker; rebuilt if the config's ``env`` table is another one)."""
        envs = self.config.data.get("env")
        if not isinstance(envs, dict):
            return {}
        cached = self.__dict__.get("_envs")
        if cached is None or cached[0] is not envs or cached[1] != len(envs):
            blocks = {k: v for k, v in envs.items() if isinstance(v, dict)}
            cached = self.__dict__["_envs"] = (envs, len(envs), blocks)
        return cached[2]

    def env_worker_name(self, env: str) -> str | None:
        """The deployed name in ``env``: its own ``name`` or Wrangler's ``<name>-<env>``."""
        block = self.envs.get(env, {})
        if isinstance(block.get("name"), str):
            return block["name"]
        return f"{self.name}-{env}" if self.name else None

    def blocks(self) -> list[tuple[KeyPath, dict[str, Any]]]:
        """The top level and every ``env.<name>`` block, with their key paths."""
        return [((), self.config.data)] + [(("env", name), block) for name, block in self.envs.items()]

    def services(self, block: dict[str, Any]) -> list[tuple[int, dict[str, Any]]]:
        entries = block.get("services")
        if not isinstance(entries, list):
            return []
        return [(i, e) for i, e in enumerate(entries) if isinstance(e, dict)]

    @property
    def main(self) -> Path | None:
        main = self.config.data.get("main")
        if isinstance(main, str) and main:
            # asked ~10 times per Worker: one Path, rebuilt only if the config or its `main` changes
            cached = self.__dict__.get("_main")
            if cached is None or cached[0] is not self.config.path or cached[1] != main:
                cached = self.__dict__["_main"] = (self.config.path, main, self.root / main)
            return cached[2]
        return self.entry

    @property
    def language(self) -> str | None:
        """``script`` (TypeScript/JavaScript the analysis reads), ``python``, ``other``; None: no entry."""
        main = self.main
        if main is None:
            return None
        if main.suffix in SCRIPT_SUFFIXES:
            return "script"
        return "python" if main.suffix == ".py" else "other"

    def env_matching(self, env: str) -> str | None:
        """This Worker's env block for another config's ``env``: the same name, else the one unique
        block of the same stage (``development`` for ``dev``)."""
        if env in self.envs:
            return env
        same = [name for name in self.envs if env_kind(name) == env_kind(env)]
        return same[0] if len(same) == 1 else None


@dataclass
class Pair:
    """A front Worker that reaches ``backend`` through the service binding ``binding``."""

    front: Worker
    backend: Worker
    binding: str
    #: per-pair overrides from ``[[pair]]`` in dualworker.toml (None: the ``Settings`` value)
    identity_header: str | None = None
    api_prefix: str | None = None

    def binding_entry(self, block: dict[str, Any]) -> tuple[int, dict[str, Any]] | None:
        for index, entry in self.front.services(block):
            if entry.get("binding") == self.binding:
                return index, entry
        return None


@dataclass
class Skipped:
    """Something discovery could not use, said out loud (DW014) instead of dropped."""

    config: ConfigFile | None
    path: str
    message: str


@dataclass
class Ambiguity:
    """A service binding whose target name two configs define, equally near the binder (DW004)."""

    worker: Worker
    keypath: KeyPath
    service: str
    candidates: list[Worker]
    binding: str = ""


@dataclass
class Project:
    root: Path
    workers: list[Worker]
    pairs: list[Pair]
    settings: Settings
    #: how roles were decided, for the report header
    mode: str = "discovered"
    skipped: list[Skipped] = field(default_factory=list)
    ambiguities: list[Ambiguity] = field(default_factory=list)
    _analyses: dict[tuple[Any, ...], Any] = field(default_factory=dict, repr=False)
    #: (this process's index, process count) while ``parallel`` splits the rules' subjects
    shard: tuple[int, int] = (0, 1)

    def mine(self, items: Sequence[T]) -> Sequence[T]:
        """The subjects (pairs, Workers, ...) this process checks: all of them, unless the run is
        split over processes; then a contiguous slice, so that the findings of the processes
        concatenated in order are the findings of one process, in the same order."""
        index, count = self.shard
        if count == 1:
            return items
        size = len(items)
        return items[size * index // count : size * (index + 1) // count]

    @property
    def lead(self) -> bool:
        """Is this the process that checks what is not split (the first one)?"""
        return self.shard[0] == 0

    @cached_property
    def backends(self) -> list[Worker]:
        seen: dict[int, Worker] = {}
        for pair in self.pairs:
            seen.setdefault(id(pair.backend), pair.backend)
        return list(seen.values())

    @cached_property
    def fronts(self) -> list[Worker]:
        backend_ids = {id(w) for w in self.backends}
        seen: dict[int, Worker] = {}
        for pair in self.pairs:
            if id(pair.front) not in backend_ids:
                seen.setdefault(id(pair.front), pair.front)
        return list(seen.values())

    @cached_property
    def _pairs_by_role(self) -> dict[tuple[str, int], list[Pair]]:
        index: dict[tuple[str, int], list[Pair]] = {}
        for pair in self.pairs:
            index.setdefault(("front", id(pair.front)), []).append(pair)
            index.setdefault(("backend", id(pair.backend)), []).append(pair)
        return index

    def pairs_of(self, worker: Worker, role: str) -> list[Pair]:
        """The pairs (in order) whose ``role`` ("front" or "backend") is ``worker``: a lookup, not
        a scan of every pair per Worker (quadratic in a monorepo)."""
        return self._pairs_by_role.get((role, id(worker)), [])

    @cached_property
    def names(self) -> dict[str, tuple[Worker, str | None]]:
        """Every deployable Worker name -> (worker, env or None)."""
        names: dict[str, tuple[Worker, str | None]] = {}
        for worker in self.workers:
            if worker.name:
                names.setdefault(worker.name, (worker, None))
            for env in worker.envs:
                env_name = worker.env_worker_name(env)
                if env_name:
                    names.setdefault(env_name, (worker, env))
        return names

    @cached_property
    def defined(self) -> dict[str, list[tuple[Worker, str | None]]]:
        """Every deployable Worker name -> all (worker, env) defining it (duplicates kept)."""
        found: dict[str, list[tuple[Worker, str | None]]] = {}
        for worker in self.workers:
            if worker.name:
                found.setdefault(worker.name, []).append((worker, None))
            for env in worker.envs:
                env_name = worker.env_worker_name(env)
                if env_name:
                    found.setdefault(env_name, []).append((worker, env))
        return found

    def target(self, binder: Worker, entry: dict[str, Any]) -> tuple[Worker, str | None] | None:
        """The (Worker, env) a service binding entry of ``binder`` reaches (None: unknown or ambiguous).

        The deprecated ``environment`` key names a *service environment* (see ``service_environment``):
        ``production`` is the Worker ``service`` itself; another value reaches nothing (None).
        """
        found = resolve_service(binder, entry, self.defined)
        return found if isinstance(found, tuple) else None

    @cached_property
    def ts_graph(self) -> Any:
        """One TypeScript module graph for the whole run, so each file is parsed once."""
        from dualworker_cli.check.parse.typescript import ModuleGraph

        return ModuleGraph(self.root)

    def memo(self, key: tuple[Any, ...], compute: Callable[[], Any]) -> Any:
        """A per-run cache for analyses (the layers above store their results here, so the model
        needs to know nothing about them)."""
        if key not in self._analyses:
            self._analyses[key] = compute()
        return self._analyses[key]


def _scope_depth(binder: Worker, candidate: Worker) -> int:
    """Depth of the innermost project folder enclosing both Workers (-1: none in common)."""
    root = candidate.root
    for scope in binder.scopes:
        if root == scope or scope in root.parents:
            return len(scope.parts)
    return -1


def resolve_service(
    binder: Worker, entry: dict[str, Any], defined: dict[str, list[tuple[Worker, str | None]]]
) -> tuple[Worker, str | None] | list[Worker] | None:
    """Resolve a binding entry's target: (worker, env), the tied candidates (ambiguous), or None.

    A name several configs define (copies of one starter in a monorepo) goes to the config in the
    innermost project that also holds the binder; a tie is ambiguous, never a guess. A binding to the
    binder's own name (a self-binding, to reach one of its named entrypoints) is the binder itself,
    whatever other configs share the name. A ``remote: true`` binding targets a deployed Worker that
    may live elsewhere: it resolves when one config is the nearest, and is otherwise unknown (None),
    never ambiguous.
    """
    service = entry.get("service")
    if not isinstance(service, str):
        return None
    own = self_target(binder, entry)
    if own is not None:
        return own
    environment = service_environment(entry)
    if environment is not None:  # only a pre-Wrangler-4 config with `legacy_env = false` has one
        options = [
            (w, environment)
            for w, env in defined.get(service, [])
            if env is None and w.config.data.get("legacy_env") is False and environment in w.envs
        ]
    else:
        options = list(defined.get(service, []))
    options = [(w, env) for w, env in options if w is not binder]
    if len(options) <= 1:
        return options[0] if options else None
    if len({id(w) for w, _ in options}) > 1 and any(not w.never_deployed for w, _ in options):
        options = [(w, env) for w, env in options if not w.never_deployed]
        if len(options) == 1:
            return options[0]
    depths = [_scope_depth(binder, w) for w, _ in options]
    best = max(depths)
    nearest = [option for option, depth in zip(options, depths, strict=True) if depth == best]
    if len({id(w) for w, _ in nearest}) == 1:
        return nearest[0]
    return None if is_remote(entry) else [w for w, _ in nearest]


def is_remote(entry: dict[str, Any]) -> bool:
    """``remote: true`` (``experimental_remote`` before Wrangler 4.3x): the binding calls a deployed
    Worker, which need not be defined by any config of this repository."""
    return entry.get("remote") is True or entry.get("experimental_remote") is True


def service_environment(entry: dict[str, Any]) -> str | None:
    """The service environment a binding's deprecated ``environment`` key names (None: the Worker itself).

    Wrangler's config schema marks the key `@deprecated ... This refers to the deprecated concept of
    'service environments'` (``packages/workers-utils/src/config/environment.ts``) and sends it to the
    API as is: ``production`` is every Worker's own (default) service environment, so
    ``{ service = "api", environment = "production" }`` is the Worker ``api``. Any other value names a
    service environment, which only ``legacy_env = false`` ever created and Wrangler 4 refuses
    ("Service environments have been removed, and each environment is now deployed as its own Worker
    named `<name>-<environment>`", ``validation.ts``): ``environment = "staging"`` does not reach
    ``api-staging``.
    """
    environment = entry.get("environment")
    if not isinstance(environment, str) or environment in ("", "production"):
        return None
    return environment


def self_target(binder: Worker, entry: dict[str, Any]) -> tuple[Worker, str | None] | None:
    """(binder, env) when a binding names one of the binder's own deployed names, else None."""
    service, environment = entry.get("service"), service_environment(entry)
    if not isinstance(service, str):
        return None
    if environment is not None:
        legacy = binder.config.data.get("legacy_env") is False and environment in binder.envs
        return (binder, environment) if service == binder.name and legacy else None
    if service == binder.name:
        return binder, None
    for env in binder.envs:
        if binder.env_worker_name(env) == service:
            return binder, env
    return None
