"""Where a Worker is reachable from the internet, per deployed environment, the way Wrangler decides.

Wrangler resolves every environment (the top level and each ``env.<name>``) on its own, and the
rules below mirror its source (cloudflare/workers-sdk) so that DW002/DW003/DW012 flag what a
``wrangler deploy`` really publishes, not what a config merely leaves unsaid:

- inheritance - ``workers_dev``, ``preview_urls``, ``routes`` and ``route`` are ``@inheritable``
  (``packages/workers-utils/src/config/environment.ts``, ``EnvironmentInheritable``): an env block
  without the key uses the top level's (``validation-helpers.ts``, ``inheritable()``, used by
  ``validateRoutes`` in ``validation.ts``); ``"routes": []`` in an env block stops the inheritance.
- routes - ``args.routes ?? config.routes ?? (config.route ? [config.route] : [])``, custom domains
  included (``packages/wrangler/src/deployment-bundle/resolve-config-args.ts``, ``resolveRoutes``).
- workers.dev - ``config.workers_dev ?? routes.length === 0``
  (``packages/deploy-helpers/src/triggers/deploy.ts``, ``getSubdomainValues``; formerly
  ``packages/wrangler/src/triggers/deploy.ts``): routes or custom domains turn it off by default.
- preview URLs - ``config.preview_urls`` when set, else by the Wrangler release that deploys
  (``packages/wrangler/CHANGELOG.md``): before 3.91.0 there is no setting and version preview URLs
  follow the resolved workers.dev value; 3.91.0 (#7227, "Add `preview_urls` toggle") adds it with
  default ``true``, "not implicitly depending on routes" (and sent even with ``workers_dev = false``);
  4.34.0 (#10478, "preview_urls is now disabled by default") makes it ``false``; since 4.44.0
  (#10939, "Config `preview_urls` defaults to `workers_dev` value") an unset value is left to the
  API, which follows the resolved workers.dev value (``getSubdomainValuesAPIMock``). The release is
  the one the lockfile installs, else what a fresh install of ``package.json``'s range gets.
- a public URL (workers.dev, preview, route, custom domain) reaches only the default export's
  ``fetch``; RPC methods and named ``WorkerEntrypoint`` classes are reachable only through bindings.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dualworker_cli.check.deploys import deploys
from dualworker_cli.check.model import Pair, Project, Worker
from dualworker_cli.check.parse import paths
from dualworker_cli.check.parse.config import KeyPath

#: the first Wrangler release with a ``preview_urls`` setting, defaulting to true (#7227)
PREVIEW_SETTING_DEFAULT_TRUE = (3, 91)
#: the first Wrangler release that defaulted an unset ``preview_urls`` to false (#10478)
PREVIEW_DEFAULT_FALSE = (4, 34)
#: the first Wrangler release whose unset ``preview_urls`` follows ``workers_dev`` (#10939)
PREVIEW_FOLLOWS_WORKERS_DEV = (4, 44)
#: the last minor of each finished major line: what a fresh install of ``^2.x`` / ``^3.x`` gets
LAST_MINOR = {2: 21, 3: 114}


def preview_default(version: tuple[int, int] | None) -> bool | None:
    """What an unset ``preview_urls`` means under a Wrangler release: True / False, or None when
    it follows the resolved ``workers_dev`` (before 3.91, since 4.44, and for an unknown release)."""
    if version is None or version < PREVIEW_SETTING_DEFAULT_TRUE or version >= PREVIEW_FOLLOWS_WORKERS_DEV:
        return None
    return version < PREVIEW_DEFAULT_FALSE


def _preview_reason(version: tuple[int, int] | None, source: str) -> str:
    """Why an unset ``preview_urls`` resolved as it did, citing the release and where it came from."""
    if version is None:
        return "an unset `preview_urls` follows `workers_dev` (wrangler >= 4.44)"
    shown = f"wrangler {version[0]}.{version[1]} ({source})"
    default = preview_default(version)
    if default is None and version < PREVIEW_SETTING_DEFAULT_TRUE:
        return f"{shown} has no `preview_urls` setting: preview URLs follow `workers_dev` (before 3.91)"
    if default is None:
        return f"an unset `preview_urls` follows `workers_dev` in {shown} (wrangler >= 4.44)"
    if default:
        return f"{shown} defaults `preview_urls` to true whatever `workers_dev` says (wrangler 3.91-4.33)"
    return f"{shown} defaults `preview_urls` to false (wrangler 4.34-4.43)"


@dataclass(frozen=True)
class RouteRef:
    """One ``routes``/``route`` entry in effect for an environment."""

    keypath: KeyPath  # where it is written (the top level's key path when inherited)
    pattern: str
    custom_domain: bool
    inherited: bool


@dataclass
class EnvReach:
    """How one deployed environment of a Worker can be reached from the internet."""

    #: None for the top level
    env: str | None
    #: ``()`` or ``("env", name)``
    prefix: KeyPath
    #: the deployed script name (``name`` or ``<name>-<env>``)
    script: str | None
    routes: list[RouteRef] = field(default_factory=list)
    workers_dev: bool = True
    #: where the deciding ``workers_dev`` is written (own or inherited); None when defaulted
    workers_dev_at: KeyPath | None = None
    preview_urls: bool = True
    preview_urls_at: KeyPath | None = None
    #: why an unset ``preview_urls`` resolved as it did (the Wrangler default in effect)
    preview_default: str = ""

    @property
    def label(self) -> str:
        return f"env.{self.env}" if self.env else "top level"

    @property
    def public(self) -> bool:
        return self.workers_dev or self.preview_urls or bool(self.routes)

    def urls(self) -> list[str]:
        """Human-readable public URLs of this environment (empty when it has none)."""
        out = []
        if self.workers_dev:
            out.append(f"workers.dev URL `{self.script or '<name>'}.<account>.workers.dev`")
        if self.preview_urls:
            out.append(f"preview URLs `<version>-{self.script or '<name>'}.<account>.workers.dev`")
        for route in self.routes:
            kind = "custom domain" if route.custom_domain else "route"
            out.append(f"{kind} `{route.pattern}`" + (" (inherited)" if route.inherited else ""))
        return out


def _pattern(entry: Any) -> tuple[str, bool]:
    if isinstance(entry, str):
        return entry, False
    if isinstance(entry, dict):
        return str(entry.get("pattern", "")), bool(entry.get("custom_domain"))
    return "", False


def _effective_routes(top: dict[str, Any], env: str | None, own: dict[str, Any] | None) -> list[RouteRef]:
    """``config.routes ?? (config.route ? [config.route] : [])`` after inheritance."""
    for key in ("routes", "route"):
        if own is not None and own.get(key) is not None:
            value, base, inherited = own[key], ("env", env), False
        elif top.get(key) is not None:
            value, base, inherited = top[key], (), own is not None
        else:
            continue
        if key == "routes":  # `routes` (even an empty list) wins over `route`
            entries = list(enumerate(value)) if isinstance(value, list) else []
            keyed = [((*base, "routes", i), _pattern(entry)) for i, entry in entries]
        else:
            keyed = [((*base, "route"), _pattern(value))]
        return [RouteRef(kp, p, custom, inherited) for kp, (p, custom) in keyed if p]
    return []


def _envs(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    envs = data.get("env")
    return {k: v for k, v in envs.items() if isinstance(v, dict)} if isinstance(envs, dict) else {}


def _locked_versions(folder: Path, package_dir: Path) -> set[tuple[int, int]]:
    """The Wrangler (major, minor) releases a lockfile in ``folder`` installs (empty: none named)."""
    found: set[tuple[int, int]] = set()
    lock = folder / "package-lock.json"
    if paths.is_file(lock):
        try:
            packages = json.loads(lock.read_text(encoding="utf-8")).get("packages", {})
        except (OSError, ValueError, AttributeError):
            packages = {}
        rel = package_dir.relative_to(folder).as_posix() if package_dir != folder else ""
        for key in (f"{rel}/node_modules/wrangler" if rel else "", "node_modules/wrangler"):
            entry = packages.get(key) if key and isinstance(packages, dict) else None
            version = entry.get("version") if isinstance(entry, dict) else None
            hit = re.match(r"(\d+)\.(\d+)", version) if isinstance(version, str) else None
            if hit:
                return {(int(hit[1]), int(hit[2]))}
    patterns = {
        "pnpm-lock.yaml": r"^\s+/?wrangler@(\d+)\.(\d+)\.\d+[^:\n]*:",
        "yarn.lock": r'^"?wrangler@[^\n]*:\n\s+version:? "?(\d+)\.(\d+)',
        "bun.lock": r'"wrangler": \["wrangler@(\d+)\.(\d+)',
    }
    for name, pattern in patterns.items():
        path = folder / name
        if paths.is_file(path):
            try:
                text = path.read_text(encoding="utf-8")
            except OSError:
                continue
            if name == "pnpm-lock.yaml" and package_dir != folder:
                own = _pnpm_importer(text, package_dir.relative_to(folder).as_posix())
                if own is not None:
                    return {own}
            found |= {(int(a), int(b)) for a, b in re.findall(pattern, text, re.MULTILINE)}
    return found


def _pnpm_importer(text: str, rel: str) -> tuple[int, int] | None:
    """The Wrangler release a pnpm workspace package's own entry under ``importers:`` says it gets
    (the lockfile may install several, one per package)."""
    block = re.search(rf"^  {re.escape(rel)}:\n((?:    .*\n|\n)*)", text, re.MULTILINE)
    hit = block and re.search(
        r"^      wrangler:\n\s+specifier: [^\n]*\n\s+version: (\d+)\.(\d+)", block[1], re.MULTILINE
    )
    return (int(hit[1]), int(hit[2])) if hit else None


def _from_range(spec: str) -> tuple[int, int] | None:
    """What a fresh install of a ``package.json`` range gets (None: the current release)."""
    hit = re.match(r"\s*([~^=v]*)\s*(\d+)(?:\.(\d+|x|\*))?", spec)
    if hit is None or re.search(r"[<>|]", spec):  # `*`, `latest`, `>=3`, `^3 || ^4`: the newest
        return None
    major = int(hit[2])
    minor = int(hit[3]) if hit[3] and hit[3].isdigit() else None
    if "^" in hit[1] or minor is None:  # the newest release of that major line
        return (major, LAST_MINOR[major]) if major in LAST_MINOR else None
    return major, minor


def wrangler_version(project: Project, worker: Worker) -> tuple[tuple[int, int], str] | None:
    """The Wrangler (major, minor) that deploys the Worker and where that was read: the release the
    nearest lockfile installs, else what a fresh install of the nearest ``package.json`` range gets."""

    def compute() -> tuple[tuple[int, int], str] | None:
        folder: Path = worker.root
        stop = paths.resolve(project.root)
        spec: tuple[str, Path] | None = None
        while True:
            package = folder / "package.json"
            if spec is None and paths.is_file(package):
                data = paths.read_json(package)
                for key in ("devDependencies", "dependencies"):
                    deps = data.get(key) if isinstance(data, dict) else None
                    found = deps.get("wrangler") if isinstance(deps, dict) else None
                    if isinstance(found, str) and spec is None:
                        spec = found, folder
            if spec is not None:  # each lockfile read once per run, not once per Worker under it
                key = ("wrangler-lockfiles", str(folder), str(spec[1]))
                locked = project.memo(key, lambda at=folder, of=spec[1]: _locked_versions(at, of))
                if len(locked) == 1:
                    [version] = locked
                    return version, f"the lockfile's, for `{spec[0]}`"
            if paths.resolve(folder) == stop or folder.parent == folder:
                break
            folder = folder.parent
        if spec is None:
            return None
        version = _from_range(spec[0])
        if version is None:
            return None
        return version, f"what a fresh install of `{spec[0]}` gets"

    return project.memo(("wrangler-version", str(worker.config.path)), compute)


def environments(project: Project, worker: Worker) -> list[EnvReach]:
    """The top level and every ``env.<name>`` of ``worker``, each resolved as Wrangler deploys it."""
    return project.memo(("reach", str(worker.config.path)), lambda: _environments(project, worker))


def _setting(
    top: dict[str, Any], own: dict[str, Any] | None, prefix: KeyPath, key: str
) -> tuple[Any, KeyPath | None]:
    """An inheritable key's value in an environment and where it is written (None, None: unset)."""
    if own is not None and own.get(key) is not None:
        return own[key], (*prefix, key)
    if top.get(key) is not None:
        return top[key], (key,)
    return None, None


def implements_durable_objects(top: dict[str, Any], own: dict[str, Any] | None) -> bool:
    """Does the Worker define a Durable Object class itself (a binding without ``script_name``)?

    Cloudflare generates no preview URLs for such Workers ("Preview URLs are not generated for
    Workers that implement a Durable Object", Workers docs, Versions & Deployments > Previews).
    ``durable_objects`` is not inherited: an env block without it has none.
    """
    block = own if own is not None else top
    durable = block.get("durable_objects")
    bindings = durable.get("bindings") if isinstance(durable, dict) else None
    return isinstance(bindings, list) and any(
        isinstance(b, dict) and isinstance(b.get("class_name"), str) and not b.get("script_name")
        for b in bindings
    )


def _environments(project: Project, worker: Worker) -> list[EnvReach]:
    top = worker.config.data
    version = wrangler_version(project, worker)
    deployed = deploys(project, worker)
    out = []
    for name, own in [(None, None), *_envs(top).items()]:
        if not deployed.deployed(name):
            continue  # never deployed by the project's own commands (a local `wrangler dev` env)
        prefix: KeyPath = ("env", name) if name else ()
        script = worker.env_worker_name(name) if name else worker.name
        reach = EnvReach(name, prefix, script, _effective_routes(top, name, own))

        value, reach.workers_dev_at = _setting(top, own, prefix, "workers_dev")
        reach.workers_dev = bool(value) if value is not None else not reach.routes
        value, reach.preview_urls_at = _setting(top, own, prefix, "preview_urls")
        if value is not None:
            reach.preview_urls = bool(value)
        else:
            release, source = version if version is not None else (None, "")
            default = preview_default(release)
            reach.preview_urls = reach.workers_dev if default is None else default
            reach.preview_default = _preview_reason(release, source)
        if reach.preview_urls and implements_durable_objects(top, own):
            reach.preview_urls = False
            reach.preview_default = "Cloudflare generates no preview URLs for a Worker with Durable Objects"
        out.append(reach)
    return out


@dataclass(frozen=True)
class DefaultBinding:
    """A front's service binding without ``entrypoint``: it calls the backend's default export."""

    front: Worker
    binding: str
    #: the front block's key path (``()`` or ``("env", name)``) and the entry's index in ``services``
    prefix: KeyPath
    index: int
    #: the backend environment the entry's ``service`` names (None: the top level)
    backend_env: str | None


def binding_blocks(project: Project, pair: Pair) -> list[tuple[KeyPath, int, dict[str, Any]]]:
    """(front block key path, index, entry) of ``pair``'s binding in every front block that is
    deployed (``services`` is not inherited, so each env block has its own). A block only
    ``wrangler dev --env development`` runs calls nothing in production: what it binds is not
    reached by any deployed Worker."""
    deployed = deploys(project, pair.front)
    out = []
    for prefix, block in pair.front.blocks():
        found = pair.binding_entry(block)
        if found is not None and deployed.deployed(prefix[1] if prefix else None):
            out.append((prefix, found[0], found[1]))
    return out


def default_bindings(project: Project, backend: Worker) -> list[DefaultBinding]:
    """Every binding, in every deployed front block, that reaches ``backend``'s default export.
    Config only: no code is read."""
    out = []
    for pair in project.pairs_of(backend, "backend"):
        for prefix, index, entry in binding_blocks(project, pair):
            if isinstance(entry.get("entrypoint"), str):
                continue
            env = target_env(project, backend, prefix[1] if prefix else None, entry)
            out.append(DefaultBinding(pair.front, pair.binding, prefix, index, env))
    return out


def targeted_envs(project: Project, backend: Worker) -> set[str | None]:
    """The backend environments some deployed front block's binding reaches (entrypoint or not)."""
    return project.memo(
        ("targeted-envs", str(backend.config.path)),
        lambda: {
            target_env(project, backend, prefix[1] if prefix else None, entry)
            for pair in project.pairs_of(backend, "backend")
            for prefix, _, entry in binding_blocks(project, pair)
        },
    )


def target_env(project: Project, backend: Worker, front_env: str | None, entry: dict[str, Any]) -> str | None:
    """The backend environment a binding entry names (``service: "core-staging"`` -> ``staging``)."""
    service = entry.get("service")
    found = project.names.get(service) if isinstance(service, str) else None
    if found is not None and found[0] is backend:
        if (
            front_env is not None
            and front_env in backend.envs
            and backend.env_worker_name(front_env) == service
        ):
            return front_env  # env.production renamed to the top-level name: the same-named env deploys it
        return found[1]
    return front_env if front_env in backend.envs else None
