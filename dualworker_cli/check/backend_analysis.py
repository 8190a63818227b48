"""What the backend Worker serves, and what the front forwards to it (for DW002, DW003, DW011, DW012).

A public URL reaches only the backend's default export (see ``reach``), so the questions the rules
ask are: which paths does the default export (or the named entrypoint the binding uses) serve,
which of them accept WebSocket upgrades, and which paths does the front forward there through
``<BINDING>.fetch(...)``. Paths come from Hono routes (as ``analysis`` follows them) and from the
comparisons a plain ``fetch`` handler makes (``url.pathname === "/live"``, ``startsWith``,
``switch`` cases). WebSocket evidence is what only an upgrade handler does: compare with
``"websocket"``, ``new WebSocketPair()``, ``acceptWebSocket``, Hono's ``upgradeWebSocket``, or
hand the incoming request to a Durable Object stub (``env.ROOM.get(id).fetch(request)``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dualworker_cli.check.analysis import (
    AUTH_FLOW_PATH,
    AUTH_NAME,
    AppKey,
    Code,
    _collect,
    _handler_members,
    _is_auth,
    _prefix,
    covering_uses,
    covers,
    declared_value,
    front_analysis,
    join_paths,
    module_facts,
)
from dualworker_cli.check.env_gate import env_gate
from dualworker_cli.check.parse import paths as fs
from dualworker_cli.check.parse import typescript as ts
from dualworker_cli.check.reach import binding_blocks, target_env, targeted_envs

if TYPE_CHECKING:
    from dualworker_cli.check.model import Pair, Project, Worker

#: the front route methods a WebSocket handshake (always a GET) can come through
HANDSHAKE_METHODS = frozenset({"get", "all", "on", "mount", "use"})
EVERY_PATH = "*"
_PATH_LITERAL = re.compile(r"^/[\w\-./:*{}]*$")
_REQUEST_ARG = re.compile(r"^(c\.req\.raw|c\.req|req|request)$")
_DO_STUB_CALLS = frozenset({"get", "getByName", "idFromName", "newUniqueId"})


@dataclass
class ServedPath:
    """A path the backend target answers, and whether it accepts WebSocket upgrades there."""

    path: str
    label: str
    websocket: bool


@dataclass
class Target:
    """The default export (or a named entrypoint class) of a backend and what it serves."""

    module: ts.Module
    node: Any
    paths: list[ServedPath] = field(default_factory=list)
    #: WebSocket evidence not tied to one path (an Upgrade check before any routing)
    websocket_anywhere: bool = False
    #: (module, node id) of everything the target's code uses
    used: set[tuple[str, int]] = field(default_factory=set)
    #: the Hono apps the target serves
    apps: set[AppKey] = field(default_factory=set)
    #: where to point: the ``export default ...`` statement of ``main`` when there is one
    at: tuple[ts.Module, Any] | None = None

    def websocket_at(self, front_path: str | None) -> bool:
        """Does a request forwarded from ``front_path`` (None: every path) reach an upgrade handler?"""
        if self.websocket_anywhere:
            return True
        return any(p.websocket and path_matches(front_path, p.path, suffix=True) for p in self.paths)


def path_matches(front: str | None, back: str, suffix: bool = False) -> bool:
    """Can a request the front forwards for ``front`` (None: any path) hit the backend's ``back``?

    With ``suffix``, the front may have stripped leading segments (``/api/live`` -> ``/live``).
    """
    if front is None or back in (EVERY_PATH, "/*") or front in (EVERY_PATH, "/*"):
        return True
    if covers(back, front) or covers(front, back):
        return True
    if suffix and "*" not in front:
        segments = [s for s in front.split("/") if s]
        return any(covers(back, "/" + "/".join(segments[i:])) for i in range(1, len(segments)))
    return False


_WS_TYPES = ("new_expression", "string", "template_string", "call_expression")


def _ws_hits(code: Code, module: ts.Module, node: Any) -> set[tuple[str, int]]:
    """(module path, byte offset) of WebSocket evidence in ``node`` and the code it calls (a set:
    each node type is searched on its own, without merging them into source order)."""
    hits: set[tuple[str, int]] = set()
    for mod, current in code.closure(module, node):
        for kind in _WS_TYPES:
            for sub in ts.nodes_in(mod, current, kind):
                if kind == "new_expression":
                    ctor = sub.child_by_field_name("constructor")
                    hit = ctor is not None and ts.text(ctor) == "WebSocketPair"
                elif kind == "call_expression":
                    func = sub.child_by_field_name("function")
                    name = ts.text(func).rsplit(".", 1)[-1] if func is not None else ""
                    hit = name in ("acceptWebSocket", "upgradeWebSocket") or (
                        name == "fetch" and _stub_fetch_of_request(sub, mod)
                    )
                else:  # a string or a template string
                    hit = (ts.string_value(sub) or "").lower() == "websocket"
                if hit:
                    hits.add((str(mod.path), sub.start_byte))
    return hits


def _stub_fetch_of_request(call: Any, module: ts.Module) -> bool:
    """``env.ROOM.get(id).fetch(request)`` / ``stub.fetch(req)``: the incoming request handed to a
    Durable Object, which is how Workers hand WebSocket upgrades to the object holding them."""
    args = ts.arguments(call)
    if not args or not _REQUEST_ARG.match(ts.text(ts.unwrap(args[0]))):
        return False
    func = call.child_by_field_name("function")
    obj = ts.unwrap(func.child_by_field_name("object")) if func is not None else None
    if obj is None:
        return False
    if obj.type == "call_expression":
        found = ts.method_call(obj)
        return found is not None and found[1] in _DO_STUB_CALLS
    if obj.type == "identifier":
        scope = ts.enclosing_function(call)
        name = ts.text(obj)
        for sub in ts.nodes_in(module, scope, "variable_declarator") if scope is not None else ():
            if ts.text(sub.child_by_field_name("name")) == name:
                value = ts.unwrap_await(sub.child_by_field_name("value"))
                found = ts.method_call(value) if value is not None else None
                return found is not None and found[1] in _DO_STUB_CALLS
    return False


def _body_for(literal: Any) -> tuple[str, Any] | None:
    """The path a plain handler compares with, and the code that runs for it (or None)."""
    value = ts.string_value(literal)
    if value is None or not _PATH_LITERAL.match(value):
        return None
    parent = literal.parent
    if parent is None:
        return None
    if parent.type == "switch_case":
        return value, parent
    negated = False
    if parent.type == "binary_expression":
        operator = ts.text(parent.child_by_field_name("operator"))
        if operator not in ("===", "==", "!==", "!="):
            return None
        negated = operator.startswith("!")
        test = parent
    elif parent.type == "arguments" and parent.parent is not None:
        call = ts.method_call(parent.parent)
        if call is None or call[1] not in ("startsWith", "endsWith", "includes", "match"):
            return None
        value = value.rstrip("/") + "/*" if call[1] == "startsWith" else value
        test = parent.parent
        negated = test.parent is not None and test.parent.type == "unary_expression"
    else:
        return None
    if negated:  # `if (url.pathname !== "/ws") return ...;` guards the rest of the function
        function = ts.enclosing_function(test)
        return (value, function) if function is not None else None
    current = test
    while current.parent is not None and current.parent.type in (
        "binary_expression",
        "parenthesized_expression",
    ):
        current = current.parent
    holder = current.parent
    if holder is not None and holder.type == "if_statement":
        body = holder.child_by_field_name("consequence")
        return (value, body) if body is not None else None
    if holder is not None and holder.type == "ternary_expression":
        body = holder.child_by_field_name("consequence")
        return (value, body) if body is not None else None
    return value, None


def target_analysis(project: Project, worker: Worker, entrypoint: str | None) -> Target | None:
    """What ``worker``'s default export (``entrypoint`` None) or named entrypoint serves."""
    main = worker.main
    key = ("backend-target", str(main), entrypoint or "default")
    return project.memo(key, lambda: _target(project, main, entrypoint) if main is not None else None)


def _target(project: Project, main: Path, entrypoint: str | None) -> Target | None:
    if not fs.is_file(main):
        return None
    graph: ts.ModuleGraph = project.ts_graph
    entry = graph.load(main)
    if entry is None:
        return None
    found = graph.resolve_export(entry, entrypoint or "default")
    if found is None:
        return None
    module, _, node = found
    code = Code(graph, "")
    closure = code.closure(module, node)
    target = Target(module, node, used={(str(m.path), n.id) for m, n in closure}, at=(module, node))
    if entrypoint is None:  # point at `export default x`, not at the definition of x
        for stmt in entry.root.named_children:
            if stmt.type == "export_statement" and any(c.type == "default" for c in stmt.children):
                target.at = (entry, stmt)
    hits = _ws_hits(code, module, node)
    attributed: set[tuple[str, int]] = set()

    # the default export and each named entrypoint of one ``main`` share its Hono apps
    registrations, mounts, base_paths = project.memo(
        ("backend-apps", str(entry.path)), lambda: _collect(graph, graph.reachable(entry))
    )
    for reg in registrations:
        if reg.path is None or reg.method == "use":
            continue
        app = _served_app(graph, reg.app, mounts, target.used)
        if app is None:
            continue
        target.apps.add(app)
        full = join_paths(_prefix(reg.app, mounts, base_paths, own=reg.base), reg.path) or reg.path
        reg_hits: set[tuple[str, int]] = set()
        for handler in reg.handlers:
            reg_hits |= _ws_hits(code, reg.module, handler)
        attributed |= reg_hits
        target.paths.append(ServedPath(full, f"{reg.method.upper()} {full}", bool(reg_hits)))

    for mod, current in closure:
        for sub in ts.nodes_in(mod, current, "string", "template_string"):
            found_body = _body_for(sub)
            if found_body is None:
                continue
            path, body = found_body
            ws = False
            if body is not None:
                inside = {
                    h for h in hits if h[0] == str(mod.path) and body.start_byte <= h[1] < body.end_byte
                }
                body_hits = inside | _ws_hits(code, mod, body)
                attributed |= body_hits
                ws = bool(body_hits)
            target.paths.append(ServedPath(path, path, ws))
    target.websocket_anywhere = bool(hits - attributed)
    return target


def _served_app(
    graph: ts.ModuleGraph,
    app: AppKey,
    mounts: dict[AppKey, tuple[AppKey, str, tuple[int, int]]],
    used: set[tuple[str, int]],
) -> AppKey | None:
    """The app (``app`` or one it is mounted on) whose definition the target uses, else None."""
    current: AppKey | None = app
    seen: set[AppKey] = set()
    while current is not None and current not in seen:
        seen.add(current)
        owner = graph.modules.get(Path(current[0]))
        definition = owner.defs.get(current[1]) if owner is not None else None
        if definition is not None and (current[0], definition.id) in used:
            return current
        current = mounts[current][0] if current in mounts else None
    return None


@dataclass
class Forwarded:
    """What the front sends to the backend's ``fetch`` through the binding."""

    #: (label, path) of routes whose code calls ``<BINDING>.fetch``; path None when not static
    routes: list[tuple[str, str | None, str]] = field(default_factory=list)
    #: a plain ``fetch`` handler (outside Hono routes) forwards requests: every path
    everything: bool = False
    #: the paths of those calls when each names its URL (``fetch(new Request("https://x/p"))``);
    #: None when one of them forwards a path only known at run time
    unrouted_paths: list[str] | None = field(default_factory=list)
    #: the front also calls RPC methods of the binding
    rpc: bool = False

    @property
    def any(self) -> bool:
        return self.everything or bool(self.routes)

    def labels(self) -> list[str]:
        return (["every path a plain fetch handler forwards"] if self.everything else []) + [
            label for label, _, _ in self.routes
        ]


def forwarded(project: Project, pair: Pair) -> Forwarded | None:
    """The paths ``pair.front`` forwards to the backend's ``fetch``; None when the front's code
    cannot be read. Routes that only call RPC methods forward nothing a public URL could serve."""
    return project.memo(("forwarded", str(pair.front.config.path), pair.binding), lambda: _fwd(project, pair))


def _fwd(project: Project, pair: Pair) -> Forwarded | None:
    analysis = front_analysis(project, pair)
    if analysis.code is None:
        return None
    fetches = [
        call
        for call in analysis.proxy_calls
        if (found := ts.method_call(call.node)) is not None and found[1] in ("fetch", "connect")
    ]
    out = Forwarded()
    for route in analysis.routes:
        spans = [
            (str(m.path), n.start_byte, n.end_byte)
            for h_mod, h in route.chain
            for m, n in analysis.code.closure(h_mod, h)
        ]
        if any(
            path == str(call.module.path) and start <= call.node.start_byte < end
            for call in fetches
            for path, start, end in spans
        ):
            reg = route.registration
            out.routes.append((f"{reg.method.upper()} {route.full_path}", route.full_path, reg.method))
    unrouted = {id(c) for c in analysis.unrouted_calls}
    out.everything = any(id(call) in unrouted for call in fetches)
    for call in fetches:
        if id(call) in unrouted and out.unrouted_paths is not None:
            path = request_path(call.node)
            out.unrouted_paths = None if path is None else [*out.unrouted_paths, path]
    out.rpc = any(call.kind == "rpc" for call in (*analysis.proxy_calls, *analysis.handoff_calls))
    if not fetches and any(call.kind == "fetch" for call in analysis.handoff_calls):
        # a client it hands the binding to calls `fetch`: some paths, which we cannot tell
        out.everything, out.unrouted_paths = True, None
    return out


_URL_PATH = re.compile(r"^[a-z][a-z0-9+.-]*://[^/]+(/[^?#]*)")


def request_path(call: Any) -> str | None:
    """The path a binding call names: ``B.fetch("https://x/p")``, ``B.fetch(new Request(`https://x/p/${id}`))``
    (``/p/*``); None when it is not written out (``B.fetch(request)``, ``https://x${path}``)."""
    args = ts.arguments(call)
    node = ts.unwrap(args[0]) if args else None
    if node is not None and node.type == "new_expression":
        ctor = node.child_by_field_name("constructor")
        inner = ts.arguments(node) if ctor is not None and ts.text(ctor) == "Request" else []
        node = ts.unwrap(inner[0]) if inner else None
    if node is None or node.type not in ("string", "template_string"):
        return None
    value = ts.string_value(node)
    if value is None:  # a template: the written part before the first `${...}`
        value = ts.text(node)[1:].split("${", 1)[0] + "*"
    found = _URL_PATH.match(value)
    if found is None or found.group(1) in ("/", "/*"):
        return None
    path = found.group(1)
    return path if not path.endswith("*") or path.endswith("/*") else path[:-1].rstrip("/") + "/*"


def shares_handler(project: Project, default: Target, other: Target) -> bool:
    """Does the default export serve the same Hono app, or the same handler function, as a named
    entrypoint (``export default app`` next to ``InternalApi.fetch = (r) => app.fetch(r, ...)``)?"""
    if default.apps & other.apps:
        return True
    node = ts.unwrap(default.node)
    if node is None or node.type != "object":
        return False
    for member in node.named_children:
        if member.type != "pair" or ts.text(member.child_by_field_name("key")) != "fetch":
            continue
        value = ts.unwrap(member.child_by_field_name("value"))
        if value is not None and value.type == "identifier":
            found = project.ts_graph.resolve(default.module, ts.text(value))
            if found is not None and (str(found[0].path), found[2].id) in other.used:
                return True
    return False


@dataclass
class Exposure:
    """What internal code a backend's default export serves, per deployed environment.

    ``internal[env]`` lists what a public URL of ``env`` (None: the top level) would reach that
    only the front should: the paths a binding without ``entrypoint`` forwards to the default
    export, the default export's routes under the API prefix, or the app it shares with the named
    entrypoint the binding uses. Empty lists mean the default export serves nothing internal.
    """

    backend: Worker
    target: Target | None
    internal: dict[str | None, list[str]] = field(default_factory=dict)
    #: where a binding without ``entrypoint`` is written: (pair, front block key path, index)
    default_bindings: list[tuple[Pair, tuple[Any, ...], int]] = field(default_factory=list)

    def internal_in(self, env: str | None) -> list[str]:
        return self.internal.get(env, []) + (self.internal.get("*", []) if env != "*" else [])


def exposure(project: Project, backend: Worker) -> Exposure:
    """The backend's :class:`Exposure`, computed once per run."""
    return project.memo(("exposure", str(backend.config.path)), lambda: _exposure(project, backend))


def _exposure(project: Project, backend: Worker) -> Exposure:
    default = target_analysis(project, backend, None)
    out = Exposure(backend, default)

    def add(env: str | None, labels: list[str]) -> None:
        bucket = out.internal.setdefault(env, [])
        bucket.extend(label for label in labels if label not in bucket)

    if default is not None:
        prefix = project.settings.api_prefix.rstrip("/")
        add(
            "*",
            [
                p.label
                for p in default.paths
                if p.label != p.path and (p.path == prefix or p.path.startswith(prefix + "/"))
            ],
        )
    for pair in project.pairs_of(backend, "backend"):
        fwd = forwarded(project, pair)
        for prefix_path, index, entry in binding_blocks(project, pair):
            front_env = prefix_path[1] if prefix_path else None
            env = target_env(project, backend, front_env, entry)
            entrypoint = entry.get("entrypoint")
            if not isinstance(entrypoint, str):
                out.default_bindings.append((pair, prefix_path, index))
                if fwd is None or (not fwd.any and not fwd.rpc):  # no binding call found from `main`
                    add(env, [f"whatever `{pair.front.label}` forwards through `{pair.binding}`"])
                else:
                    add(env, fwd.labels())
                continue
            other = target_analysis(project, backend, entrypoint)
            if default is not None and other is not None and shares_handler(project, default, other):
                labels = [p.label for p in default.paths if p.label != p.path] or [
                    f"the handler of `{entrypoint}`"
                ]
                add("*", labels)
    return out


#: route methods that only read: a public API may serve them without auth by design
READ_METHODS = frozenset({"get", "head", "options"})
#: handlers that serve a tRPC router under a path (``app.use("/trpc/*", trpcServer({...}))``)
_TRPC_HANDLERS = frozenset({"trpcServer", "fetchRequestHandler"})


def _auth_in(code: Code, module: ts.Module, node: Any, names: set[str]) -> str | None:
    """``file:line name(...)`` of an auth step in ``node`` or the code it calls: a call named like
    auth (``validateSession``, ``bearerAuth``, ``verifyToken``; tRPC's ``createContext`` validating
    a session counts, as it runs for every procedure) or an answer with status 401."""
    if _is_auth(code, module, node, names):
        line, _ = module.position(node)
        return f"{module.rel}:{line} {ts.text(node).split('(', 1)[0][:40]}"
    for mod, current in _near(code, module, node):
        for sub in ts.walk(current):
            if sub.type == "number" and ts.text(sub) == "401":
                line, _ = mod.position(sub)
                return f"{mod.rel}:{line} 401"
            if sub.type == "if_statement" and _checks_shared_secret(mod, sub):
                line, _ = mod.position(sub)
                return f"{mod.rel}:{line} shared secret"
            if sub.type != "call_expression":
                continue
            func = ts.unwrap(sub.child_by_field_name("function"))
            if func is not None and func.type == "member_expression":
                func = func.child_by_field_name("property")
            if func is None or func.type not in ("identifier", "property_identifier"):
                continue
            name = ts.text(func)
            if name in names or AUTH_NAME.search(name) or name in ("bearerAuth", "basicAuth"):
                line, _ = mod.position(sub)
                return f"{mod.rel}:{line} {name}(...)"
    return None


_HEADER_READ = re.compile(r"\.headers\.get\(|\.req\.header\(|\.header\(")
_ENV_VALUE = re.compile(r"(?:^|[^\w.])(?:this\.|c\.)?env\.\w+")


def _checks_shared_secret(module: ts.Module, statement: Any) -> bool:
    """``if (request.headers.get("x-api-key") !== env.API_KEY) return ...``: a header compared
    with a secret of the Worker's, and the request refused (any status: some answer 500 or 404 to
    hide the endpoint) when they differ. A local holding the header counts."""
    condition = statement.child_by_field_name("condition")
    consequence = statement.child_by_field_name("consequence")
    if condition is None or consequence is None:
        return False
    if not any(n.type in ("return_statement", "throw_statement") for n in ts.walk(consequence)):
        return False
    for sub in ts.walk(condition):
        if sub.type != "binary_expression":
            continue
        operator = ts.text(sub.child_by_field_name("operator"))
        if operator not in ("===", "!==", "==", "!="):
            continue
        sides = [sub.child_by_field_name("left"), sub.child_by_field_name("right")]
        texts = [_header_text(module, side) for side in sides if side is not None]
        if (
            len(texts) == 2
            and any(_ENV_VALUE.search(t) for t in texts)
            and any(_HEADER_READ.search(t) for t in texts)
        ):
            return True
    return False


def _header_text(module: ts.Module, side: Any) -> str:
    """The text of a comparison's side, or of the value a local there was declared with."""
    side = ts.unwrap(side)
    value = declared_value(module, side) if side.type == "identifier" else None
    return ts.text(value if value is not None else side)


def _near(code: Code, module: ts.Module, node: Any, levels: int = 2) -> list[tuple[ts.Module, Any]]:
    """``node`` and the functions it calls, ``levels`` deep: a handler's own checks, not whatever
    a service three calls away happens to name ``getAuthClient``."""
    out: list[tuple[ts.Module, Any]] = []
    seen: set[tuple[str, int]] = set()
    todo = [(module, node, 0)]
    while todo:
        mod, current, level = todo.pop()
        if (str(mod.path), current.id) in seen:
            continue
        seen.add((str(mod.path), current.id))
        out.append((mod, current))
        if level >= levels:
            continue
        for sub in module_facts(mod).names_in(current):
            found = (
                code.graph.resolve(mod, ts.text(sub))
                if sub.type == "identifier"
                else code.graph.resolve_member(mod, sub)
            )
            if found is not None and found[2].type != "class_declaration":
                todo.append((found[0], found[2], level + 1))
    return out


@dataclass
class BackendRoute:
    """A route the backend's default export serves, and where it authenticates (None: nowhere)."""

    method: str
    path: str
    auth: str | None
    #: ``file:line`` of an auth middleware covering the route that lists it among the paths it
    #: lets through (``allowedPaths``): the route is public on purpose, or by mistake
    exempted: str | None = None


def backend_routes(project: Project, backend: Worker) -> list[BackendRoute] | None:
    """The Hono routes (and tRPC endpoints) of ``backend``'s default export with their auth:
    inline middleware, an earlier ``use`` covering the path (on the app or an app it is mounted
    on), or a check in the handler itself. None when its code cannot be read."""
    return project.memo(
        ("backend-routes", str(backend.config.path)), lambda: _backend_routes(project, backend)
    )


def _backend_routes(project: Project, backend: Worker) -> list[BackendRoute] | None:
    main = backend.main
    if main is None or not fs.is_file(main) or main.suffix not in ts.EXTENSIONS:
        return None
    target = target_analysis(project, backend, None)
    if target is None:
        return None
    graph: ts.ModuleGraph = project.ts_graph
    entry = graph.load(main)
    if entry is None:
        return None
    code = Code(graph, "")
    names = set(project.settings.auth_middleware)
    registrations, mounts, base_paths = _collect(graph, graph.reachable(entry))
    by_app: dict[AppKey, list[Any]] = {}
    for reg in registrations:
        by_app.setdefault(reg.app, []).append(reg)
    routes: list[BackendRoute] = []
    for reg in registrations:
        if reg.path is None:
            continue
        if reg.method == "use":
            heads = [ts.unwrap(h) for h in reg.handlers]
            if not any(h.type == "call_expression" and _callee(h) in _TRPC_HANDLERS for h in heads):
                continue
        if _served_app(graph, reg.app, mounts, target.used) is None and not _inside_used(reg, target.used):
            continue
        prefix = _prefix(reg.app, mounts, base_paths, own=reg.base)
        full = join_paths(prefix, reg.path) or reg.path
        handlers = reg.handlers if reg.method != "use" else reg.handlers[-1:]
        auth = next((a for h in handlers if (a := _auth_in(code, reg.module, h, names))), None)
        exempted = None
        for use in covering_uses(reg, by_app, mounts, base_paths, prefix, full) if auth is None else ():
            for handler in use.handlers:
                if exempts(handler, full):
                    line, _ = use.module.position(handler)
                    exempted = exempted or f"{use.module.rel}:{line}"
                elif auth := _auth_in(code, use.module, handler, names):
                    break
            if auth is not None:
                break  # an earlier `use` on this app, or on a parent before the mount
        method = "all" if reg.method == "use" else reg.method
        routes.append(BackendRoute(method, full, auth, None if auth else exempted))
    return routes


#: an auth middleware option listing the paths it lets through (``allowedPaths``, ``publicRoutes``,
#: ``skipPaths``, ``excludedPaths``, ``ignoreRoutes``, ``unprotectedPaths``)
_EXEMPT_KEY = re.compile(
    r"^(?:allow(?:ed)?|public|skip(?:ped)?|exclude[ds]?|ignored?|bypass(?:ed)?|unprotected|open|anonymous)"
    r"_?(?:paths?|routes?|urls?|endpoints?)$",
    re.I,
)


def exempts(handler: Any, path: str) -> bool:
    """Does this middleware call list ``path`` among the paths it lets through unauthenticated?
    ``createServiceAuthMiddleware({ allowedPaths: ["/health", "/sync/pull-all"] })`` guards every
    route but those: its ``use("*")`` does not authenticate ``POST /sync/pull-all``. Only string
    literals count, matched exactly or by a trailing ``*``."""
    call = ts.unwrap(handler)
    if call.type != "call_expression":
        return False
    args = ts.arguments(call)
    options = ts.unwrap(args[0]) if args else None
    if options is None or options.type != "object":
        return False
    for pair in options.named_children:
        key = pair.child_by_field_name("key") if pair.type == "pair" else None
        value = ts.unwrap(pair.child_by_field_name("value")) if key is not None else None
        name = (ts.string_value(key) or ts.text(key)) if key is not None else ""
        if value is None or value.type != "array" or not _EXEMPT_KEY.match(name):
            continue
        for item in value.named_children:
            listed = _string_literal(item)
            if listed and (listed == path or (listed.endswith("*") and path.startswith(listed[:-1]))):
                return True
    return False


def _string_literal(node: Any) -> str | None:
    return ts.string_value(node) if node.type in ("string", "template_string") else None


_PROBE = re.compile(
    r"/(?:health|healthz|ready|readyz|readiness|live|livez|liveness|ping|status|version)/?$", re.I
)


def _probe(route: BackendRoute) -> bool:
    """A read-only health/readiness probe: public by design, nothing relies on the front."""
    return route.method in READ_METHODS and bool(_PROBE.search(route.path))


def _auth_flow(route: BackendRoute) -> bool:
    """A route of the authentication flow itself (``POST /v1/auth/register``, ``/login``): it runs
    before anyone is signed in, so it authenticates nobody by design."""
    return bool(AUTH_FLOW_PATH.search(route.path))


def _inside_used(reg: Any, used: set[tuple[str, int]]) -> bool:
    """Is the registration written inside code the target runs (``createServer()`` building a
    local ``app`` that ``export default createWorkerHandler(...)`` ends up serving)?"""
    current = reg.node.parent
    while current is not None:
        if (str(reg.module.path), current.id) in used:
            return True
        current = current.parent
    return False


def _callee(call: Any) -> str:
    func = call.child_by_field_name("function")
    return ts.text(func).rsplit(".", 1)[-1] if func is not None else ""


def _plain_handler_auth(project: Project, backend: Worker) -> str | None:
    """A plain ``fetch`` handler (no Hono routes) that authenticates before it answers: an auth
    call or a 401 in the default export's ``fetch`` or the functions it calls."""
    target = target_analysis(project, backend, None)
    if target is None:
        return None
    node = ts.unwrap(target.node)
    fetch = None
    for sub in ts.walk(node):
        if sub.type in ("method_definition", "pair"):
            key = sub.child_by_field_name("name") or sub.child_by_field_name("key")
            if key is not None and ts.text(key) == "fetch":
                fetch = sub
                break
    if fetch is None:
        return None
    code = Code(project.ts_graph, "")
    return _auth_in(code, target.module, fetch, set(project.settings.auth_middleware))


def backend_authenticates(project: Project, backend: Worker) -> bool:
    """Does the backend's own code authenticate anything (a route behind auth middleware or
    checking a token, a plain ``fetch`` handler answering 401)? Then it is an API that decides for
    itself, not one that takes whatever its front forwards."""
    routes = backend_routes(project, backend)
    if routes is None:
        return False
    if any(r.auth is not None for r in routes if not _probe(r)):
        return True
    return not routes and _plain_handler_auth(project, backend) is not None


def forwarded_paths(project: Project, backend: Worker) -> list[str] | None:
    """The paths every front forwards to ``backend``'s ``fetch``, when all of them are written out
    (Hono routes with static paths, ``fetch(new Request("https://x/p"))``); None when some front
    forwards paths only known at run time, or its code (or the code calling the binding, such as a
    framework's file-based routes) could not be read."""
    paths: list[str] = []
    for pair in project.pairs_of(backend, "backend"):
        fwd = forwarded(project, pair)
        if fwd is None or (not fwd.any and not fwd.rpc):
            return None
        if fwd.everything:
            if fwd.unrouted_paths is None:
                return None
            paths += fwd.unrouted_paths
        for _, path, _ in fwd.routes:
            if path is None:
                return None
            paths.append(path)
    return paths


def self_auth_evidence(project: Project, backend: Worker) -> str | None:
    """Where the backend's own code authenticates the requests a front forwards (``file:line
    name``), or None. The auth must cover the routes that matter, not sit on one unrelated route:

    - the front's forwarded paths are known: every backend route they reach authenticates;
    - they are not (a plain proxy, paths built at run time, a front whose code is not read):
      every route that changes something (anything but GET/HEAD/OPTIONS; tRPC endpoints count)
      authenticates - a public API may serve reads by design, not writes relying on the front;
    - a plain ``fetch`` handler without routes authenticates in ``fetch`` before answering.

    Auth is middleware (inline, or an earlier ``app.use`` covering the path, named like auth or
    answering 401), a check in the handler (an auth call, a 401), or tRPC's ``createContext``
    validating the session. Such a backend is public by design, not a way around the front.
    """
    routes = backend_routes(project, backend)
    if routes is None:
        return None
    if not routes:
        return _plain_handler_auth(project, backend)
    paths = forwarded_paths(project, backend)
    if paths is not None:
        reached = [r for r in routes if any(path_matches(p, r.path, suffix=True) for p in paths)]
        if reached:
            missing = [r for r in reached if r.auth is None and not _probe(r) and not _auth_flow(r)]
            return None if missing else next((r.auth for r in reached if r.auth), "health probes only")
    needed = [r for r in routes if r.method not in READ_METHODS and not _auth_flow(r)]
    if not needed or any(r.auth is None for r in needed):
        return None
    return needed[0].auth


def code_unread(backend: Worker) -> bool:
    """Is ``backend`` written in code these analyses cannot read: a Python Worker, an entry in
    another language, or a ``main`` produced by the config's own ``build.command`` (Rust's
    ``worker-build`` writes ``build/worker/shim.mjs``) that the checkout does not hold? Whether
    it authenticates on its own cannot be known then."""
    if backend.language in ("python", "other"):
        return True
    main = backend.main
    build = backend.config.data.get("build")
    built = isinstance(build, dict) and isinstance(build.get("command"), str)
    return main is not None and not fs.is_file(main) and built


#: bindings through which a Worker holds data, spends money or acts for someone (a service binding
#: is not one: the Worker behind it is checked as a backend of its own pair)
STATEFUL_KEYS = (
    "d1_databases",
    "kv_namespaces",
    "r2_buckets",
    "durable_objects",
    "workflows",
    "hyperdrive",
    "vectorize",
    "ai",
    "browser",
    "analytics_engine_datasets",
    "secrets_store_secrets",
    "dispatch_namespaces",
    "mtls_certificates",
    "send_email",
    "images",
    "pipelines",
)
#: names that say a value is a credential (`JWT_SECRET`, `STRIPE_KEY`, `API_TOKEN`, `DB_PASSWORD`)
_SECRET_NAME = re.compile(r"SECRET|TOKEN|PASSWORD|PASSWD|PRIVATE|CREDENTIAL|_KEY$|^KEY_|SIGNING|SALT", re.I)
#: a var or secret naming an outside database (a REST/SQL endpoint or its URL): the Worker reads
#: and writes data there, like a D1 binding, even with no secret in the way
_DATA_STORE_NAME = re.compile(
    r"DATABASE|(?:^|_)DB(?:_|$)|POSTGRES|MYSQL|MONGO|REDIS|SUPABASE|NEON_|TURSO|LIBSQL|PLANETSCALE", re.I
)
_ENV_READ = re.compile(r"\benv\.([A-Z][A-Z0-9_]*)\b|\benv\[[\"']([A-Z][A-Z0-9_]*)[\"']\]")


def _declared_vars(worker: Worker) -> set[str]:
    """Plain ``vars`` and binding names: reading those is no secret."""
    names: set[str] = set()
    for _, block in worker.blocks():
        variables = block.get("vars")
        if isinstance(variables, dict):
            names |= set(variables)
        for value in block.values():
            entries = value.get("bindings") if isinstance(value, dict) else value
            for entry in entries if isinstance(entries, list) else []:
                if isinstance(entry, dict):
                    names |= {v for k, v in entry.items() if k in ("binding", "name") and isinstance(v, str)}
    return names


def _stateful_key(block: dict[str, Any]) -> str | None:
    """The first key of one config block that binds data (``d1_databases``, ``queues.producers``)."""
    for key in STATEFUL_KEYS:
        if block.get(key):
            return key
    queues = block.get("queues")
    return "queues.producers" if isinstance(queues, dict) and queues.get("producers") else None


def holds_state(project: Project, backend: Worker) -> str | None:
    """What the backend holds that a caller could reach (a binding to data, a queue producer, a
    secret its code reads, an identity it trusts), or None: a stateless greeting, echo or
    arithmetic Worker - the hello-world services of examples and test fixtures - exposes nothing,
    whoever calls it. ``dualworker.toml`` projects are never asked (the Data Worker is declared)."""

    def compute() -> str | None:
        for prefix, block in backend.blocks():
            if key := _stateful_key(block):
                return f"`{key}` ({'.'.join(str(p) for p in prefix) or 'top level'})"
        main = backend.main
        if main is not None and fs.is_file(main) and main.suffix in ts.EXTENSIONS:
            graph: ts.ModuleGraph = project.ts_graph
            entry = graph.load(main)
            declared = _declared_vars(backend)
            for module in graph.reachable(entry) if entry is not None else []:
                for found in _ENV_READ.finditer(module.source):
                    name = found.group(1) or found.group(2)
                    if name not in declared and _SECRET_NAME.search(name):
                        return f"a secret its code reads (`env.{name}` in {module.rel})"
                    if _DATA_STORE_NAME.search(name):
                        return f"a database its code reaches (`env.{name}` in {module.rel})"
        from dualworker_cli.check.identity import pair_identity

        for pair in project.pairs_of(backend, "backend"):
            if (ident := pair_identity(project, pair)).headers and ident.reads:
                return f"the identity header `{ident.name(ident.headers[0])}`"
        return None

    return project.memo(("holds-state", str(backend.config.path)), compute)


_WEBHOOK = re.compile(r"/webhooks?(?:/|$)", re.I)


def exempted_forwarded(project: Project, backend: Worker) -> list[BackendRoute]:
    """Routes the backend's own auth middleware lets through by name (``allowedPaths``) although a
    front that authenticates forwards them (that path, or a prefix proxy such as
    ``/api/shopify/*``, which may strip its prefix): the front guards them, the backend's public URL
    does not. Probes, auth-flow routes and webhooks (signed by their sender) are public by design;
    paths a front builds at run time decide nothing."""

    def compute() -> list[BackendRoute]:
        routes = [
            r
            for r in backend_routes(project, backend) or []
            if r.exempted
            and not _probe(r)
            and not _auth_flow(r)
            and not _WEBHOOK.search(r.path)
            and not (r.path == "/" and r.method in READ_METHODS)  # the service's landing/info page
        ]
        pairs = project.pairs_of(backend, "backend")
        if not routes or all(front_protects_nothing(project, pair) for pair in pairs):
            return []
        paths = forwarded_paths(project, backend) or []
        return [r for r in routes if any(p.endswith("*") or path_matches(p, r.path) for p in paths)]

    return project.memo(("exempted-forwarded", str(backend.config.path)), compute)


def reliance(project: Project, backend: Worker, env: str | None) -> str:
    """Why a public URL of ``backend`` in ``env`` gets around the front (see :func:`relies_in_env`):
    ``auth-off`` (a var switches its auth middleware off there), ``allow-list`` (auth on, but it
    lets forwarded paths through by name) or ``front`` (the backend-wide answer)."""
    if project.mode == "dualworker.toml":
        return "front"
    gate = env_gate(project, backend)
    if gate is not None and gate.bypassed(_env_vars(backend, env)):
        return "auth-off"
    return "allow-list" if exempted_forwarded(project, backend) else "front"


def _env_vars(backend: Worker, env: str | None) -> dict[str, Any]:
    block = backend.config.data if env is None else backend.config.data.get("env", {}).get(env)
    variables = block.get("vars") if isinstance(block, dict) else None
    return variables if isinstance(variables, dict) else {}


def relies_in_env(project: Project, backend: Worker, env: str | None) -> bool:
    """:func:`relies_on_front` for one deployed environment. Where the backend's auth middleware
    lets every request through depending on a var (:mod:`env_gate`), that environment's own
    ``vars`` (not inherited by env blocks) decide: auth off, whatever the front forwards is open
    on its public URL; auth on, it checks its callers itself. Otherwise the backend-wide answer."""
    if project.mode == "dualworker.toml":
        return True
    if not env_counts(project, backend, env):
        return False
    gate = env_gate(project, backend)
    if (
        gate is not None
        and not code_unread(backend)
        and holds_state(project, backend) is not None
        and project.pairs_of(backend, "backend")
    ):
        bypassed = gate.bypassed(_env_vars(backend, env))
        if bypassed is not None:  # auth on: it checks its callers, except on paths it lets through
            return bypassed or bool(exempted_forwarded(project, backend))
    return relies_on_front(project, backend)


def env_counts(project: Project, backend: Worker, env: str | None) -> bool:
    """Can a public URL of ``backend``'s ``env`` get around a front there? Yes when the binding of
    a deployed front block reaches that environment (what the front forwards is served there), or
    when the environment's own block holds data (bindings are not inherited, so the top level's
    are its own). No for an environment nothing deployed binds that holds no data: a top level
    deployed as a bare copy while the data and the front's bindings live in env.production serves
    code with nothing behind it, and env.production is judged on its own."""
    if env in targeted_envs(project, backend):
        return True
    block = backend.config.data if env is None else backend.envs.get(env)
    return isinstance(block, dict) and _stateful_key(block) is not None


def front_protects_nothing(project: Project, pair: Pair) -> bool:
    """Does ``pair.front`` reach the backend with no auth step at all (every route and plain
    handler that calls the binding is unauthenticated)? Then the backend's own public URL gives a
    stranger nothing the front does not (DW005 reports the front). False when the front's code
    was not read or no binding call was found: we cannot tell."""
    from dualworker_cli.check.analysis import authenticated_somewhere

    analysis = front_analysis(project, pair)
    if analysis.code is None:
        return False
    routes = [route for route in analysis.routes if route.calls]
    # a helper the binding is handed to (`callProxy(env.BAD, query)`) calls it for its callers
    unrouted = [*analysis.unrouted_calls, *(c for c in analysis.handoff_calls if c.kind == "fetch")]
    if not routes and not unrouted:
        return False
    if any(route.protected for route in routes):
        return False
    return not any(authenticated_somewhere(analysis, call) for call in unrouted)


def answers_constant(project: Project, backend: Worker) -> bool:
    """Does the default export's ``fetch`` answer every request the same, reading nothing (a
    ``WorkerEntrypoint`` serving RPC methods whose ``fetch() { return new Response("ok") }`` is a
    placeholder)? Then its public URLs serve nothing a front forwards, whatever that is."""
    target = target_analysis(project, backend, None)
    if target is None:
        return False
    handler = _fetch_handler(target.node)
    if handler is None:
        return False
    body = handler.child_by_field_name("body")
    statements = body.named_children if body is not None and body.type == "statement_block" else []
    if len(statements) != 1 or statements[0].type != "return_statement":
        return False
    returned = ts.unwrap(statements[0].named_children[0]) if statements[0].named_children else None
    if returned is None or returned.type != "new_expression":
        return False
    ctor, args = returned.child_by_field_name("constructor"), returned.child_by_field_name("arguments")
    return (
        ctor is not None
        and ts.text(ctor) == "Response"
        and args is not None
        and all(_literal(arg) for arg in args.named_children)
    )


def _fetch_handler(node: Any) -> Any:
    """The ``fetch`` method of a class or object literal (the default export), or None."""
    members = _handler_members(node) or []
    return next((m for name, m in members if name == "fetch" and m.type == "method_definition"), None)


def _literal(node: Any) -> bool:
    """A value that reads nothing: a string, number, null, or an object of such values."""
    if node.type in ("string", "number", "null", "true", "false"):
        return True
    if node.type == "template_string":
        return not any(c.type == "template_substitution" for c in node.named_children)
    if node.type == "object":
        return all(p.type == "pair" and _literal(p.child_by_field_name("value")) for p in node.named_children)
    return False


def relies_on_front(project: Project, backend: Worker) -> bool:
    """Does a public URL of ``backend`` get around the front? (DW001/DW002/DW003/DW012)

    Yes when ``dualworker.toml`` declares it the private Data Worker, or it trusts a header the
    front sets (an identity). No when no front's code uses its binding (declared, never touched:
    nothing is forwarded), when every front reaches it only through RPC methods or named
    entrypoints (a public URL serves only the default ``fetch``, which no front uses; a front
    where no binding call was found at all - framework routes its ``main`` does not import - is
    not such a front), when it authenticates the forwarded requests itself (public by design, as
    hand-written API Workers often are; see :func:`self_auth_evidence`), or when its code cannot
    be read (Rust, Python, a missing build output: DW014 says the exposure checks did not run).
    Otherwise yes: it serves what the front forwards, with nothing of its own in the way.
    """
    if project.mode == "dualworker.toml":
        return True

    def compute() -> bool:
        from dualworker_cli.check.identity import pair_identity

        if code_unread(backend):
            return False  # cannot tell: DW014 says which exposure checks did not run
        if holds_state(project, backend) is None:
            return False  # nothing behind it to protect
        pairs = project.pairs_of(backend, "backend")
        used = [pair for pair in pairs if not front_analysis(project, pair).unused]
        if pairs and not used:
            return False  # no front's code uses its binding: nothing is forwarded to bypass
        pairs = used
        if any(
            (ident := pair_identity(project, pair)).headers and ident.source == "inferred" and ident.sets
            for pair in pairs
        ):
            return True
        if pairs and all(front_protects_nothing(project, pair) for pair in pairs):
            return False  # every front forwards without auth: the public URL bypasses nothing
        fwd = [forwarded(project, pair) for pair in pairs]
        if fwd and all(f is not None and not f.any and f.rpc for f in fwd):
            return False
        if answers_constant(project, backend):
            return False  # its URLs answer everyone the same (`fetch() { return new Response("ok") }`)
        if code_unread(backend):
            return False  # cannot tell: DW014 says which exposure checks did not run
        return self_auth_evidence(project, backend) is None

    return project.memo(("relies-on-front", str(backend.config.path)), compute)
