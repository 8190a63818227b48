"""DW012: internal code served from the default export of a publicly reachable backend."""

from __future__ import annotations

from collections.abc import Iterator

from dualworker_cli.check.backend_analysis import exposure, relies_in_env
from dualworker_cli.check.identity import pair_identity
from dualworker_cli.check.model import Finding, Pair, Project, Rule, Severity, Worker
from dualworker_cli.check.parse.config import KeyPath
from dualworker_cli.check.reach import environments
from dualworker_cli.check.rules.common import NOT_RELYING
from dualworker_cli.check.rules.dw010_classes import exported_names


def _entrypoint_bindings(project: Project) -> list[tuple[Pair, KeyPath, KeyPath, str]]:
    """Every binding (top level or env block) that names an entrypoint, once: (its first pair,
    block prefix, key path of ``entrypoint``, the name). Config only, so every process of a split
    run lists the same ones and checks its slice."""
    seen: set[tuple[str, KeyPath]] = set()
    found: list[tuple[Pair, KeyPath, KeyPath, str]] = []
    for pair in project.pairs:
        for prefix, block in pair.front.blocks():
            entry = pair.binding_entry(block)
            if entry is None:
                continue  # DW004 reports a missing binding
            index, service = entry
            entrypoint = service.get("entrypoint")
            keypath = (*prefix, "services", index, "entrypoint")
            if isinstance(entrypoint, str) and (pair.front.config.rel, keypath) not in seen:
                seen.add((pair.front.config.rel, keypath))
                found.append((pair, prefix, keypath, entrypoint))
    return found


def _missing_entrypoints(project: Project) -> Iterator[Finding]:
    """A binding naming an entrypoint ``main`` does not export."""
    for pair, prefix, keypath, entrypoint in project.mine(_entrypoint_bindings(project)):
        exports = exported_names(project, pair.backend)
        if exports is not None and entrypoint not in exports:
            yield RULE.at(
                pair.front.config,
                keypath,
                f"`{pair.binding}` ({'top level' if not prefix else '.'.join(prefix)}) uses entrypoint "
                f"`{entrypoint}`, but `{pair.backend.config.data.get('main')}` of "
                f"`{pair.backend.label}` does not export it",
            )


def _identity_headers(project: Project, backend: Worker) -> list[str]:
    """The identity headers the backend trusts from its fronts (configured or inferred), as spelt."""
    found: list[str] = []
    for pair in project.pairs_of(backend, "backend"):
        identity = pair_identity(project, pair)
        found += [identity.name(h) for h in identity.headers if identity.name(h) not in found]
    return found


def check(project: Project) -> Iterator[Finding]:
    yield from _missing_entrypoints(project)
    for backend in project.mine(project.backends):
        exposed = exposure(project, backend)
        parts = []
        paths: list[str] = []
        for reach in environments(project, backend):
            internal = exposed.internal_in(reach.env)
            if not reach.public or not internal or not relies_in_env(project, backend, reach.env):
                continue
            parts.append(f"{reach.label}: {', '.join(reach.urls())}")
            paths.extend(p for p in internal if p not in paths)
        if not parts:
            continue
        shown = ", ".join(paths[:4]) + (" ..." if len(paths) > 4 else "")
        headers = _identity_headers(project, backend)
        how = f" with any `{headers[0]}`" if headers else ""
        message = (
            f"the default export of `{backend.label}` serves internal paths ({shown}) and is reachable "
            f"publicly ({'; '.join(parts)}): anyone can call them{how}, bypassing the front's auth"
        )
        target = exposed.target
        if target is not None and target.at is not None:
            module, node = target.at
            yield RULE.at_node(module, node, message)
        elif exposed.default_bindings:  # backend code not readable: point at the binding
            pair, prefix, index = exposed.default_bindings[0]
            yield RULE.at(pair.front.config, (*prefix, "services", index), message)


RULE = Rule(
    id="DW012",
    name="internal-api-on-default-export",
    title="Internal API served from the default export of a reachable backend",
    severity=Severity.ERROR,
    what="Per deployed environment of the Data Worker (top level and every `env` block, resolved the "
    "way Wrangler does: see DW002/DW003), flags a default export that has a public URL (workers.dev, "
    "preview URLs, routes or custom domains) and serves internal code: what a service binding without "
    "`entrypoint` (in any env block) forwards to it with `.fetch()` - every route of the front that "
    "reaches the binding, whatever its path, WebSocket upgrades included, or everything a plain "
    "`fetch` handler forwards - routes under the API prefix, or the Hono app/handler it shares with "
    "the named entrypoint the binding uses. The finding points at the default export and lists the "
    "paths and public URLs per env. Also flags an `entrypoint` the Data Worker's `main` does not "
    "export. RPC-only bindings (`env.BACKEND.method()`) forward nothing a public URL reaches." + NOT_RELYING,
    why="Public URLs only ever reach a Worker's default export `fetch` (RPC methods and named "
    "`WorkerEntrypoint` classes are reachable only through bindings), and Wrangler publishes them by "
    "default (cloudflare/workers-sdk `packages/deploy-helpers/src/triggers/deploy.ts`, "
    "`getSubdomainValues`). When the internal API lives on a named entrypoint and the binding names it, "
    "a route kept for a public feature, or a workers.dev URL switched on by mistake, exposes nothing "
    "internal; when the default export serves it, the front's auth is bypassed.",
    example='"services": [{ "binding": "BACKEND_SERVICE", "service": "my-data" }]  // default export\n'
    "// my-data: no workers_dev key, no routes -> https://my-data.<account>.workers.dev serves /live",
    fix="Serve the internal API from `export class InternalApi extends WorkerEntrypoint { fetch(req) { "
    'return app.fetch(req, this.env, this.ctx) } }` and bind it with `"entrypoint": "InternalApi"`; '
    'let the default export answer 404 (or only the public feature). Or set `"workers_dev": false` and '
    '`"preview_urls": false` and remove the routes.',
    hint='Serve the API from a WorkerEntrypoint and bind it with "entrypoint"',
    check=check,
    sharded=True,
)
