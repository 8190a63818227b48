"""Helpers the rule modules share (small, pure, about Wrangler config shapes)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from dualworker_cli.check.analysis import (
    FrontAnalysis,
    ProxyCall,
    authenticated_before,
    in_scope,
    module_facts,
    parameter_arguments,
)
from dualworker_cli.check.model import Finding, Fix, Project, Rule, Severity, Worker
from dualworker_cli.check.parse import typescript as ts
from dualworker_cli.check.parse.config import KeyPath
from dualworker_cli.check.reach import EnvReach, default_bindings, environments


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


def flag_public_subdomain(
    rule: Rule, project: Project, worker: Worker, key: str, what: str
) -> Iterator[Finding]:
    """DW002/DW003: each deployed environment where Wrangler turns ``key`` on, resolved as
    ``reach`` does (explicit value, inherited value, or Wrangler's default).

    An env block that resolves the same way as the top level for the same reason is reported once,
    at the top level. The finding is an error when a binding without ``entrypoint`` calls the
    default export of that environment (what the front forwards is then public), a warning when
    every binding names an entrypoint: the URL reaches only the default export, which DW012 reads
    for internal routes. Config only, so config-only runs never parse TypeScript.
    """
    envs = environments(project, worker)
    if not envs:
        return
    bound = default_bindings(project, worker)
    top = next((reach for reach in envs if reach.env is None), None)  # None: the top level is not deployed
    top_on = top is not None and bool(getattr(top, key))
    config = worker.config
    on = [reach for reach in envs if getattr(reach, key)]
    if not on:
        return
    # reads code: only when needed
    from dualworker_cli.check.backend_analysis import exempted_forwarded, reliance, relies_in_env

    relying = {reach.env: relies_in_env(project, worker, reach.env) for reach in on}
    top_reported = top_on and relying.get(None, False)
    reported: list[tuple[EnvReach, set[str | None]]] = []
    for reach in on:
        if not relying[reach.env]:
            continue  # it checks its callers itself there, or nothing forwards to it
        at: KeyPath | None = getattr(reach, f"{key}_at")
        own = at is not None and len(at) == len(reach.prefix) + 1 and at[: len(reach.prefix)] == reach.prefix
        same = reliance(project, worker, reach.env) == reliance(project, worker, None)
        if reach.env is not None and top_reported and not own and same:
            reported[0][1].add(reach.env)  # inherits the top level's state: reported there
        else:
            reported.append((reach, {reach.env}))
    for reach, covered in reported:
        at = getattr(reach, f"{key}_at")
        scope = where(reach.prefix)
        if at is not None:
            reason = f"{scope} sets `{key}` to {json.dumps(config_value(config.data, at))}"
            block = at[:-1]
        else:
            block = reach.prefix
            if key == "workers_dev":
                routes = "routes" if reach.env is None else "routes (`routes: []` stops the inherited ones)"
                reason = f"`{key}` is missing and {scope} has no {routes}, so Wrangler turns it on"
            else:
                reason = f"`{key}` is missing ({reach.preview_default})"
        callers = [b for b in bound if b.backend_env in covered]
        if callers:
            first = callers[0]
            impact = (
                f"it reaches the default export, which `{first.binding}` of `{first.front.label}` "
                f"({where(first.prefix)}) calls without `entrypoint`: what the front forwards is public"
            )
            if reliance(project, worker, reach.env) == "allow-list":
                let_through = exempted_forwarded(project, worker)
                shown = ", ".join(f"`{r.method.upper()} {r.path}`" for r in let_through[:3])
                impact += (
                    f" where its auth middleware ({let_through[0].exempted}) lets {shown} through by "
                    "name, paths the front forwards only after its own checks"
                )
        else:
            impact = (
                "it reaches only the default export, not the named entrypoint the binding uses "
                "(DW012 checks that the default export serves nothing internal)"
            )
        fix = Fix(
            f"set {where(block)}.{key}: false" if block else f"set {key}: false",
            config,
            "set",
            block,
            False,
            key,
        )
        finding = rule.at(
            config,
            at or (reach.prefix if reach.prefix else ("name",)),
            f"backend Worker `{worker.label}`: {reason}; {scope} gets {what}: {impact}",
            fix,
        )
        if not callers:
            finding.severity = Severity.WARNING
        yield finding


def config_value(data: dict[str, Any], keypath: KeyPath) -> Any:
    current: Any = data
    for part in keypath:
        current = current[part] if isinstance(current, (dict, list)) else None
    return current


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


#: when DW001/DW002/DW003/DW012 stay quiet on a hand-written project (``relies_on_front``)
NOT_RELYING = (
    " In a project without `dualworker.toml`, a backend is reported only when its public URL gets "
    "around a front: not when it authenticates what the front forwards itself (public by design), "
    "every front reaches it only through RPC or named entrypoints, it holds nothing (no data "
    "binding, secret or trusted identity header), every front forwards to it without any auth, or "
    "no front's code uses its binding at all (declared in the config, never touched)."
)


_REQUEST_NAMES = frozenset({"request", "req", "raw"})


def _client_request(module: ts.Module, node: Any, depth: int = 0) -> bool:
    """Does the expression carry the client's request, its headers (what holds ``Upgrade``,
    ``Origin`` and the cookies) or its body: ``request``, ``c.req.raw``, ``new Request(url,
    c.req.raw)``, ``new Headers(request.headers)``, or a local variable holding one of them?
    ``request.url`` or a fixed URL does not."""
    if node is None or depth > 4:
        return False
    facts = module_facts(module)
    for sub in ts.walk(node):
        if sub.type not in ("identifier", "member_expression"):
            continue
        parent = sub.parent
        # `request.url`, `c.req.raw.method`: one field of the request, not the request
        if (
            parent is not None
            and parent.type == "member_expression"
            and parent.child_by_field_name("object") == sub
        ):
            prop = parent.child_by_field_name("property")
            if prop is not None and ts.text(prop) not in ("headers", "body"):
                continue
        text = ts.text(sub)
        if sub.type == "member_expression" and text.endswith((".req.raw", ".headers", ".body")):
            if text.endswith(".req.raw") or _client_request(
                module, sub.child_by_field_name("object"), depth + 1
            ):
                return True
            continue
        if sub.type != "identifier":
            continue
        if text in _REQUEST_NAMES:
            if _read_for_credential(sub):
                continue  # `getToken(request, env)` answers a token, not the request
            return True
        for decl, pattern, value in reversed(facts.declarators):
            if decl.start_byte >= sub.start_byte or not in_scope(decl, sub):
                continue
            if pattern.type == "identifier" and ts.text(pattern) == text:
                if value.id != node.id and _client_request(module, value, depth + 1):
                    return True
                break
    return False


#: what a function given the request answers, when its name says so: a token, a session, a user
CREDENTIAL_READER = re.compile(r"token|session|user|cookie|claims|auth|jwt|identity", re.I)


def _read_for_credential(request: Any) -> bool:
    """Is ``request`` an argument of a call named like a credential reader (``getToken(request)``,
    ``requireUser(request)``)?"""
    parent = request.parent
    if parent is None or parent.type != "arguments" or parent.parent is None:
        return False
    call = parent.parent
    if call.type != "call_expression":
        return False
    func = ts.unwrap(call.child_by_field_name("function"))
    name = (
        func.child_by_field_name("property")
        if func is not None and func.type == "member_expression"
        else func
    )
    return name is not None and bool(CREDENTIAL_READER.search(ts.text(name)))


def forwards_client_request(call: ProxyCall) -> bool:
    """A ``.fetch()`` whose arguments carry the client's request (or its headers): only such a call
    can pass an upgrade on."""
    return call.kind == "fetch" and any(_client_request(call.module, arg) for arg in ts.arguments(call.node))


_PROBE_PATH = re.compile(
    r"(?:^|/)(?:health|healthz|healthcheck|ping|readyz|livez)(?:/(?:live|ready|liveness|readiness))?/?$", re.I
)


def _url_pieces(node: Any) -> Iterator[str]:
    """The string literals in an expression, template substitutions read as one path segment."""
    for sub in ts.walk(node):
        if sub.type == "string":
            yield ts.string_value(sub) or ""
        elif sub.type == "template_string":
            yield "".join(
                "x" if c.type == "template_substitution" else ts.text(c) for c in sub.named_children
            )


def probe_path_in(node: Any) -> bool:
    """Does the expression name a health path (``"/health/live"``, ``` `${base}/ping` ```)?"""
    return any(_PROBE_PATH.search(piece.split("?")[0]) for piece in _url_pieces(node))


def health_probe(call: ProxyCall, analysis: FrontAnalysis | None = None) -> bool:
    """A ``.fetch()`` that sends the backend a request of its own to a health path
    (``fetch(new Request("https://api/health"))``): no client request, headers or body reach the
    backend, so there is nothing to authenticate. With ``analysis``, a helper that takes the path
    as a parameter (``fetchDataService(path)``) is a probe when its callers pass a health path
    or authenticate before the call."""
    if call.kind != "fetch" or forwards_client_request(call):
        return False
    args = ts.arguments(call.node)
    if not args:
        return False
    if probe_path_in(args[0]):
        return True
    if analysis is None:
        return False
    names = [
        ts.text(sub)
        for sub in ts.walk(args[0])
        if sub.type == "identifier" and sub.parent is not None and sub.parent.type == "template_substitution"
    ]
    if len(names) != 1:
        return False
    passed = parameter_arguments(analysis, call.module, call.node, names[0])
    if not passed:
        return False
    probes = [probe_path_in(arg) for _, _, arg in passed]
    # the callers that pass something else must authenticate first (a health route and
    # protected server functions sharing one helper)
    return any(probes) and all(
        probe or authenticated_before(analysis, module, site)
        for probe, (module, site, _) in zip(probes, passed, strict=True)
    )
