"""Which identity the backend trusts, observed in the code instead of assumed (DW005, DW006).

Hand-written backends trust ``X-User-Id``, ``account-id``, an ``Authorization`` the front
re-signs, a path prefix, an RPC argument, or nothing. Assuming one header made DW006 wrong on
every real project it fired on, so the header is inferred per pair:

* the headers the backend reads (``c.req.header("X")``, ``request.headers.get(X)``, a
  destructured ``headers``), in every module its ``main`` imports;
* the headers the front sets before a fetch-style binding call (``headers.set``/``append``,
  object literals given as ``headers``).

A header both sides use is the channel the front speaks to the backend in (unless it is plain
HTTP plumbing such as ``Content-Type``); a header the backend reads whose name says "who"
(``account-id``, ``x-tenant-id``) is trusted even when the front never sets it, since then the
client is the only one who can. Credentials the backend checks itself (``Authorization``,
``Cookie``) are not an identity it trusts: forwarding the client's own token is the design.
``identity_header`` in ``dualworker.toml`` overrides all of it.

For RPC bindings the identity travels as an argument: :func:`rpc_identity_args` finds arguments
taken from client-controlled input (query, body, path, header) whose name - or the backend
method's parameter name - says "who".

Everything here is small pure functions over the per-module facts of ``analysis`` plus two
per-run caches (``project.memo``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from dualworker_cli.check.analysis import (
    ModuleFacts,
    ProxyCall,
    _collect,
    _prefix,
    front_analysis,
    in_scope,
    join_paths,
    module_facts,
    static_string,
)
from dualworker_cli.check.parse import typescript as ts
from dualworker_cli.check.request_paths import paths_at

if TYPE_CHECKING:
    from dualworker_cli.check.model import Pair, Project, Worker

# ---------------------------------------------------------------------------------------------
# header names

#: HTTP plumbing: a header both sides use for content, caching, tracing or the upgrade is not an
#: identity, even though the front sets it and the backend reads it
_PLUMBING = frozenset(
    {
        "accept",
        "accept-encoding",
        "accept-language",
        "cache-control",
        "cf-connecting-ip",
        "cf-ipcountry",
        "cf-ray",
        "connection",
        "content-encoding",
        "content-length",
        "content-type",
        "etag",
        "host",
        "if-modified-since",
        "if-none-match",
        "origin",
        "pragma",
        "range",
        "referer",
        "traceparent",
        "tracestate",
        "upgrade",
        "user-agent",
        "x-correlation-id",
        "x-forwarded-for",
        "x-forwarded-host",
        "x-forwarded-proto",
        "x-real-ip",
        "x-request-id",
        "x-requested-with",
        "x-trace-id",
    }
)
_PLUMBING_PREFIXES = ("sec-", "accept-", "content-", "if-", "x-b3-", "sentry-", "baggage")
#: secrets the backend verifies itself: a client sending its own is what they are for
_CREDENTIAL = re.compile(r"authorization|cookie|token|secret|signature|password|api-?key|jwt|bearer|session")
#: names that say who the caller is
_WHO = re.compile(
    r"(?:^|[-_])(?:(?:user|account|tenant|org|organi[sz]ation|owner|customer|member|team|workspace|"
    r"principal|actor|caller|identity|uid|email|role)s?|sub)(?:$|[-_])"  # `subs`: subscriptions, not who
)


#: the client's own credentials: a front passing them on lets the backend verify the caller
CLIENT_CREDENTIALS = frozenset({"cookie", "authorization", "proxy-authorization"})


def is_plumbing(header: str) -> bool:
    """``Content-Type``, ``Upgrade``, tracing ids: never an identity."""
    name = header.lower()
    return name in _PLUMBING or name.startswith(_PLUMBING_PREFIXES)


def names_caller(header: str) -> bool:
    """Does the header's name say who the caller is (``account-id``, ``X-User-Email``) - and is
    it not a credential the backend checks itself (``Authorization``, ``x-session-token``)?"""
    name = header.lower()
    return bool(_WHO.search(name)) and not _CREDENTIAL.search(name) and not is_plumbing(name)


#: a header named as a key (``x-internal-key``, ``x-worker-key``): a credential when checked
#: against a secret from the env
_KEY_NAME = re.compile(r"(?:^|[-_])key$")
#: a secret from the Worker's env (``c.env.SERVICE_SECRET``, ``env.INTERNAL_API_KEY``)
_ENV_SECRET = re.compile(r"\benv\.[A-Z0-9_]*(?:SECRET|TOKEN|KEY|PASSWORD)[A-Z0-9_]*\b")


def verified_credential(use: HeaderUse) -> bool:
    """Is this a credential header (``X-Service-Token``) read where a secret from the env is at
    hand to check it against? Then it proves the caller holds the secret - a client cannot forge
    it and a public URL gets around nothing - rather than naming who the caller is."""
    if not _CREDENTIAL.search(use.key) and not _KEY_NAME.search(use.key):
        return False
    function = ts.enclosing_function(use.node)
    return function is not None and bool(_ENV_SECRET.search(ts.text(function)))


def trusted_headers(reads: set[str] | None, sets: set[str]) -> set[str]:
    """The headers (lower case) the backend trusts as identity, from what it ``reads`` (None when
    its code could not be read) and what the front ``sets`` before calling it.

    A header on both sides is the channel between the two Workers - not ``Cookie`` or
    ``Authorization``, the client's own credentials, which a backend reading them verifies itself;
    a header only the backend reads counts when its name says "who". Without the backend's code,
    what the front sets is the best evidence of what the backend expects.
    """
    if reads is None:
        return {h for h in sets if not is_plumbing(h) and h not in CLIENT_CREDENTIALS}
    shared = {h for h in reads & sets if not is_plumbing(h) and h not in CLIENT_CREDENTIALS}
    return shared | {h for h in reads if names_caller(h)}


# ---------------------------------------------------------------------------------------------
# evidence


@dataclass(frozen=True)
class HeaderUse:
    """A header read by the backend or set by the front, where it happens."""

    name: str
    module: ts.Module
    node: Any

    @property
    def key(self) -> str:
        return self.name.lower()

    @property
    def where(self) -> str:
        return f"{self.module.rel}:{self.module.position(self.node)[0]}"


@dataclass
class PlacedHeader:
    """A :class:`HeaderUse` reduced to what a report shows (no syntax node: it can be pickled)."""

    name: str
    where: str

    @property
    def key(self) -> str:
        return self.name.lower()


def _headers_object(module: ts.Module, facts: ModuleFacts, obj: Any) -> bool:
    """Is ``obj`` a Headers object: ``<x>.headers``, a variable named ``headers``/``*Headers``,
    or one holding ``<x>.headers`` / ``new Headers(...)``?"""
    obj = ts.unwrap(obj)
    if obj is None:
        return False
    if obj.type == "member_expression":
        prop = obj.child_by_field_name("property")
        return prop is not None and ts.text(prop) == "headers"
    if obj.type != "identifier":
        return False
    name = ts.text(obj)
    if name.lower().endswith("headers"):
        return True
    for decl, pattern, value in facts.declarators:
        if decl.start_byte >= obj.start_byte:
            break
        if pattern.type == "identifier" and ts.text(pattern) == name and in_scope(decl, obj):
            value = ts.unwrap(value)
            if value.type == "new_expression":
                ctor = value.child_by_field_name("constructor")
                return ctor is not None and ts.text(ctor) == "Headers"
            return _headers_object(module, facts, value) if value.type == "member_expression" else False
    return False


def header_reads(graph: ts.ModuleGraph, module: ts.Module) -> list[HeaderUse]:
    """``c.req.header("X")`` (one argument: Hono's read) and ``<headers>.get(X)`` / ``.has(X)``
    with X a literal or a constant, in ``module``."""
    facts = module_facts(module)
    found = []
    for call in facts.calls:
        if len(call.args) != 1:
            continue
        if call.method == "header" or (
            call.method in ("get", "has") and _headers_object(module, facts, call.obj)
        ):
            name = static_string(graph, module, call.args[0])
            if name:
                found.append(HeaderUse(name, module, call.node))
    return found


def _in(node: Any, start: int, end: int) -> bool:
    return start <= node.start_byte < end


def header_sets(graph: ts.ModuleGraph, call: ProxyCall) -> list[HeaderUse]:
    """Headers the code preparing a fetch-style binding call sets on the outgoing request:
    ``<headers>.set(X, v)`` / ``.append(X, v)`` and keys of object literals used as headers
    (``{ headers: {...} }``, ``new Headers({...})``, ``const headers = {...}``), before the call."""
    found: list[HeaderUse] = []
    for module, node in call.scope:
        facts = module_facts(module)
        start = node.start_byte
        end = call.node.start_byte if module is call.module and _in(call.node, start, node.end_byte) else None
        end = node.end_byte if end is None else end
        for member in facts.calls:
            if (
                member.method in ("set", "append")
                and len(member.args) == 2
                and _in(member.node, start, end)
                and _headers_object(module, facts, member.obj)
            ):
                name = static_string(graph, module, member.args[0])
                if name:
                    found.append(HeaderUse(name, module, member.node))
        objects = list(facts.header_objects)
        objects += [
            ts.unwrap(value)
            for _, pattern, value in facts.declarators
            if pattern.type == "identifier" and ts.text(pattern).lower().endswith("headers")
        ]
        for obj in objects:
            if obj is None or obj.type != "object" or not _in(obj, start, end):
                continue
            for pair in obj.named_children:
                key = pair.child_by_field_name("key") if pair.type == "pair" else None
                if key is None:
                    continue
                name = ts.string_value(key) if key.type == "string" else ts.text(key)
                if name and key.type != "computed_property_name":
                    found.append(HeaderUse(name, module, pair))
    return found


# ---------------------------------------------------------------------------------------------
# the identity of a pair


@dataclass
class Identity:
    """The header(s) a pair's backend trusts and why we think so."""

    #: lower-case header names; empty when the backend trusts no header we could see
    headers: tuple[str, ...]
    #: ``dualworker.toml``, ``inferred`` or ``none``
    source: str
    #: the name as written (for messages), one per header
    shown: dict[str, str] = field(default_factory=dict)
    reads: list[HeaderUse] = field(default_factory=list)
    sets: list[HeaderUse] = field(default_factory=list)
    #: why nothing was found or where the setting is
    note: str = ""

    def name(self, header: str) -> str:
        return self.shown.get(header, header)

    def describe(self) -> str:
        """One line for the report header: the header(s) and where they were seen."""
        if self.source == "dualworker.toml":
            return f"{', '.join(self.name(h) for h in self.headers)} ({self.note})"
        if not self.headers:
            return f"none found ({self.note})"
        parts = []
        for header in self.headers:
            seen = [f"read {u.where}" for u in self.reads if u.key == header][:1]
            seen += [f"set {u.where}" for u in self.sets if u.key == header][:1]
            parts.append(f"{self.name(header)} ({', '.join(seen)})")
        return "; ".join(parts)

    def for_report(self) -> Identity:
        """The same identity with its header uses reduced to names and places: what ``describe``
        and ``as_json`` read, sent back by a process of a split run (``parallel``)."""
        reads = [PlacedHeader(u.name, u.where) for u in self.reads if u.key in self.headers]
        sets = [PlacedHeader(u.name, u.where) for u in self.sets if u.key in self.headers]
        return Identity(self.headers, self.source, dict(self.shown), reads, sets, self.note)  # type: ignore[arg-type]

    def as_json(self) -> dict[str, Any]:
        return {
            "headers": [self.name(h) for h in self.headers],
            "source": self.source,
            "read_at": sorted({u.where for u in self.reads if u.key in self.headers}),
            "set_at": sorted({u.where for u in self.sets if u.key in self.headers}),
            "note": self.note,
        }


def configured_header(project: Project) -> tuple[str, str] | None:
    """``[backend] identity_header`` when ``dualworker.toml`` really sets it: (header, file:line).
    The settings hold a default for it, so the file itself says whether it was written."""
    settings = project.settings
    if not settings.source:
        return None
    path = project.root / settings.source
    try:
        from dualworker_cli.check.parse import toml

        text = path.read_text(encoding="utf-8")
        data = toml.parse(text)
        line, _ = toml.locate(toml.key_lines(text), ("backend", "identity_header"))
    except Exception:  # already validated by discovery; a re-read problem means "not set"
        return None
    backend = data.get("backend")
    if not isinstance(backend, dict) or not isinstance(backend.get("identity_header"), str):
        return None
    return backend["identity_header"], f"{settings.source}:{line}"


def backend_reads(project: Project, worker: Worker) -> tuple[list[HeaderUse] | None, str]:
    """Every header read in the backend's code (from ``main`` through its imports), or None with
    the reason when its code cannot be read (no ``main``, not JavaScript/TypeScript)."""

    def compute() -> tuple[list[HeaderUse] | None, str]:
        main = worker.main
        if main is None:
            return None, f"{worker.config.rel} has no `main`"
        if main.suffix not in ts.EXTENSIONS or not main.is_file():
            return None, f"{worker.label}'s `main` is not JavaScript/TypeScript we can read"
        graph: ts.ModuleGraph = project.ts_graph
        entry = graph.load(main)
        if entry is None:
            return None, f"{worker.label}'s `main` was not found"
        return [use for module in graph.reachable(entry) for use in header_reads(graph, module)], ""

    return project.memo(("identity-reads", str(worker.config.path)), compute)


def header_read_paths(project: Project, worker: Worker) -> dict[str, set[str] | None]:
    """Header (lower case) -> the backend paths where it is read: the full paths of the Hono routes
    (and ``use`` middleware) whose handlers reach the read, or the paths a plain ``fetch``
    handler tests before it (see ``request_paths``). None for a header read somewhere no path
    test restricts: every path. Headers the backend never reads are absent."""

    def compute() -> dict[str, set[str] | None]:
        reads, _ = backend_reads(project, worker)
        if not reads or worker.main is None:
            return {}
        graph: ts.ModuleGraph = project.ts_graph
        entry = graph.load(worker.main)
        if entry is None:
            return {}
        modules = graph.reachable(entry)
        registrations, mounts, base_paths = project.memo(
            ("backend-apps", str(entry.path)), lambda: _collect(graph, modules)
        )
        handlers: dict[tuple[str, int], str | None] = {}
        for reg in registrations:
            full = join_paths(_prefix(reg.app, mounts, base_paths, own=reg.base), reg.path)
            for handler in reg.handlers:
                handlers[(str(reg.module.path), ts.unwrap(handler).id)] = full
        out: dict[str, set[str] | None] = {}
        for use in reads:
            paths = paths_at(graph, modules, use.module, use.node, handlers)
            if use.key in out and out[use.key] is None:
                continue
            out[use.key] = None if paths is None else (out.get(use.key) or set()) | paths
        return out

    return project.memo(("identity-read-paths", str(worker.config.path)), compute)


def identity_key(pair: Pair) -> tuple[str, ...]:
    """Where :func:`pair_identity` keeps its answer in the run's memo."""
    return ("identity", str(pair.front.config.path), str(pair.backend.config.path), pair.binding)


def pair_identity(project: Project, pair: Pair) -> Identity:
    """The identity header(s) of ``pair`` (cached per run)."""
    return project.memo(identity_key(pair), lambda: _infer(project, pair))


def _infer(project: Project, pair: Pair) -> Identity:
    configured = configured_header(project)
    if configured is not None:
        header, where = configured
        return Identity((header.lower(),), "dualworker.toml", {header.lower(): header}, note=where)
    reads, why = backend_reads(project, pair.backend)
    analysis = front_analysis(project, pair)
    sets = [
        use
        for call in analysis.proxy_calls
        if call.kind == "fetch"
        for use in header_sets(project.ts_graph, call)
    ]
    read_keys = {u.key for u in reads if not verified_credential(u)} if reads is not None else None
    trusted = trusted_headers(read_keys, {u.key for u in sets})
    shown: dict[str, str] = {}
    for use in [*(reads or []), *sets]:
        shown.setdefault(use.key, use.name)
    if trusted:
        note = "" if reads is not None else f"set by the front; backend code not read: {why}"
        return Identity(tuple(sorted(trusted)), "inferred", shown, reads or [], sets, note)
    if reads is None:
        note = f"backend code not read: {why}; the front sets no identity header"
    elif not analysis.main_found:
        note = "the front's `main` was not found"
    else:
        note = f"{pair.backend.label} reads no header naming the caller and none the front sets"
    return Identity((), "none", shown, reads or [], sets, note)


# ---------------------------------------------------------------------------------------------
# RPC: an identity passed as an argument

QUERY, BODY, PATH, HEADER = "the query string", "the request body", "the URL path", "a request header"
#: argument names that say who the caller is (compared without case, `-` or `_`)
_WHO_ARG = re.compile(
    r"(?:user|account|tenant|org|organi[sz]ation|owner|customer|member|team|workspace|author|actor|"
    r"principal|caller|player|profile)(?:id|uid|email|name)|uid|sub|email|user|account|tenant|owner"
)
#: calls that keep their argument's value (and so its origin): `Number(id)`, `id.trim()`
_PASS_FUNCTIONS = frozenset(
    {"Number", "String", "parseInt", "BigInt", "decodeURIComponent", "encodeURIComponent"}
)
_PASS_METHODS = frozenset(
    {"trim", "toLowerCase", "toUpperCase", "toString", "slice", "split", "at", "replace", "match", "exec"}
)
_BODY_METHODS = frozenset({"json", "parseBody", "formData", "text"})


def names_who(name: str | None) -> bool:
    """``userId``, ``account_id``, ``ownerEmail``, ``uid``, ``user``: a name that says who."""
    if name is None:
        return False
    bare = re.sub(r"^x[-_]", "", name.lower()).replace("-", "").replace("_", "")  # `x-account-id` too
    return _WHO_ARG.fullmatch(bare) is not None


def _is_hono_req(node: Any) -> bool:
    """``c.req`` (Hono's request), ``c.req.raw`` or a ``request``/``req`` variable."""
    node = ts.unwrap(node)
    if node is None:
        return False
    if node.type == "identifier":
        return ts.text(node) in ("request", "req")
    if node.type == "member_expression":
        prop = node.child_by_field_name("property")
        return prop is not None and ts.text(prop) in ("req", "raw")
    return False


def _is_search_params(node: Any) -> bool:
    node = ts.unwrap(node)
    if node is None:
        return False
    if node.type == "identifier":
        return ts.text(node) == "searchParams"
    prop = node.child_by_field_name("property") if node.type == "member_expression" else None
    return prop is not None and ts.text(prop) == "searchParams"


def client_input(
    graph: ts.ModuleGraph, module: ts.Module, node: Any, depth: int = 0
) -> tuple[str, str | None] | None:
    """Where a value comes from when the client chose it: (source, the key it was read under, if
    known) - ``c.req.query("userId")`` is (query, userId), ``(await c.req.json()).ownerId`` is
    (body, ownerId), ``new URL(request.url).searchParams.get("u")`` is (query, u). None when the
    value is not (visibly) the client's."""
    node = ts.unwrap(node)
    if node is None or depth > 8:
        return None
    kind = node.type
    if kind == "await_expression" and node.named_children:
        return client_input(graph, module, node.named_children[0], depth + 1)
    if kind == "binary_expression":  # `c.req.query("u") ?? ""`
        return client_input(graph, module, node.child_by_field_name("left"), depth + 1)
    if kind == "template_string":
        for sub in node.named_children:
            if sub.type == "template_substitution" and sub.named_children:
                found = client_input(graph, module, sub.named_children[0], depth + 1)
                if found is not None:
                    return found
        return None
    if kind == "call_expression":
        return _call_input(graph, module, node, depth)
    if kind in ("member_expression", "subscript_expression"):
        obj = node.child_by_field_name("object")
        if kind == "member_expression":
            prop = node.child_by_field_name("property")
            key = ts.text(prop) if prop is not None else None
            if key == "pathname":
                return PATH, None
        else:
            index = node.child_by_field_name("index")
            key = static_string(graph, module, index) if index is not None else None
        found = client_input(graph, module, obj, depth + 1)
        if found is None:
            return None
        # `body.userId`; `segments[2]` keeps the origin, not a name
        return found[0], found[1] or (key if key and not key.isdigit() else None)
    if kind == "identifier":
        return _variable_input(graph, module, node, depth)
    return None


def _call_input(
    graph: ts.ModuleGraph, module: ts.Module, node: Any, depth: int
) -> tuple[str, str | None] | None:
    func = node.child_by_field_name("function")
    if func is not None and func.type == "await_expression" and func.named_children:
        func = func.named_children[
            0
        ]  # tree-sitter reads `await c.req.json<T>()` as `(await c.req.json)<T>()`
    args = ts.arguments(node)
    if func is not None and func.type == "identifier":
        if ts.text(func) in _PASS_FUNCTIONS and args:
            return client_input(graph, module, args[0], depth + 1)
        return None
    if func is None or func.type != "member_expression":
        return None
    obj = func.child_by_field_name("object")
    prop = func.child_by_field_name("property")
    method = ts.text(prop) if prop is not None else ""
    key = static_string(graph, module, args[0]) if args else None
    if _is_hono_req(obj):
        if method in ("query", "queries"):
            return QUERY, key
        if method == "param":
            return PATH, key
        if method == "header" and args:
            return HEADER, key
        if method in _BODY_METHODS:
            return BODY, None
        if method == "valid":  # a validator checks the shape, not who may ask for what
            return {"query": QUERY, "param": PATH, "header": HEADER}.get(key or "", BODY), None
    if method in ("get", "getAll") and _is_search_params(obj):
        return QUERY, key
    if method == "get" and obj is not None:
        inner = ts.unwrap(obj)
        if (
            inner.type == "member_expression"
            and ts.text(inner.child_by_field_name("property")) == "headers"
            and _is_hono_req(inner.child_by_field_name("object"))
        ):
            return HEADER, key
        found = client_input(graph, module, obj, depth + 1)  # `(await request.formData()).get("u")`
        return (found[0], key) if found is not None else None
    if method in _PASS_METHODS:
        return client_input(graph, module, obj, depth + 1)
    return None


def _pattern_key(pattern: Any, name: str) -> str | None:
    """In ``{ userId }`` or ``{ user_id: uid }``, the property bound to the local ``name``."""
    for member in pattern.named_children:
        if member.type == "shorthand_property_identifier_pattern" and ts.text(member) == name:
            return name
        if member.type == "object_assignment_pattern":  # `{ userId = "" }`
            left = member.child_by_field_name("left")
            if left is not None and ts.text(left) == name:
                return name
        if member.type == "pair_pattern":
            value = member.child_by_field_name("value")
            key = member.child_by_field_name("key")
            if value is not None and key is not None and ts.text(value) == name:
                return ts.string_value(key) or ts.text(key)
    return None


def _variable_input(
    graph: ts.ModuleGraph, module: ts.Module, node: Any, depth: int
) -> tuple[str, str | None] | None:
    """A local variable: the origin of the value it was declared with (nearest visible one)."""
    name = ts.text(node)
    facts = module_facts(module)
    for decl, pattern, value in reversed(facts.declarators):
        if decl.start_byte >= node.start_byte or not in_scope(decl, node):
            continue
        if pattern.type == "identifier" and ts.text(pattern) == name:
            found = client_input(graph, module, value, depth + 1)
            # a whole body is not an identity because of what its variable is called
            return (found[0], found[1] or (name if found[0] != BODY else None)) if found else None
        if pattern.type == "object_pattern":
            key = _pattern_key(pattern, name)
            if key is not None:
                found = client_input(graph, module, value, depth + 1)
                return (found[0], key) if found else None  # the destructured key says more
    return _parameter_input(graph, module, node, name, depth)


def _parameter_of(node: Any, name: str) -> tuple[Any, int, str | None] | None:
    """(function, parameter index, destructured key or None) when ``name`` at ``node`` is a
    parameter of an enclosing function (``(userId) =>``, ``({ username }) =>``)."""
    function = ts.enclosing_function(node)
    while function is not None:
        params = function.child_by_field_name("parameters")
        for index, param in enumerate(params.named_children if params is not None else []):
            pattern = param.child_by_field_name("pattern") or param
            if pattern.type == "identifier" and ts.text(pattern) == name:
                return function, index, None
            if pattern.type == "object_pattern":
                key = _pattern_key(pattern, name)
                if key is not None:
                    return function, index, key
        function = ts.enclosing_function(function)
    return None


def _parameter_input(
    graph: ts.ModuleGraph, module: ts.Module, node: Any, name: str, depth: int
) -> tuple[str, str | None] | None:
    """A parameter: the client input some caller passes in its place (``handleUser({ username })``
    with ``username`` from the path), following helpers a few calls deep across modules."""
    found_param = _parameter_of(node, name) if depth < 6 else None
    if found_param is None:
        return None
    function, index, key = found_param
    for site_module in list(graph.modules.values()):
        for call in module_facts(site_module).plain_calls:
            callee = call.child_by_field_name("function")
            target = graph.resolve(site_module, ts.text(callee)) if callee is not None else None
            if target is None or ts.unwrap(target[2]) is None or ts.unwrap(target[2]).id != function.id:
                continue
            args = ts.arguments(call)
            arg = ts.unwrap(args[index]) if index < len(args) else None
            if arg is None:
                continue
            value = arg
            if key is not None and arg.type == "object":
                value = None
                for member in arg.named_children:
                    if member.type == "shorthand_property_identifier" and ts.text(member) == key:
                        value = member
                    elif member.type == "pair":
                        member_key = member.child_by_field_name("key")
                        if (
                            member_key is not None
                            and (ts.string_value(member_key) or ts.text(member_key)) == key
                        ):
                            value = member.child_by_field_name("value")
            if value is None:
                continue
            if value.type == "shorthand_property_identifier":
                found = _variable_input(graph, site_module, value, depth + 1)
            else:
                found = client_input(graph, site_module, value, depth + 1)
            if found is not None:  # the helper's parameter says what the value is used as
                own = key or name
                return found[0], own if names_who(own) else (found[1] or own)
    return None


@dataclass
class IdentityArg:
    """An RPC argument that carries an identity the client chose."""

    module: ts.Module
    node: Any
    name: str
    source: str


def backend_rpc_methods(project: Project, worker: Worker) -> dict[str, tuple[ts.Module, Any]]:
    """Method name -> (module, ``method_definition``) of the backend's ``WorkerEntrypoint``
    classes (and any ``RpcTarget``): what an RPC call on its binding runs."""

    def compute() -> dict[str, tuple[ts.Module, Any]]:
        main = worker.main
        graph: ts.ModuleGraph = project.ts_graph
        entry = graph.load(main) if main is not None and main.suffix in ts.EXTENSIONS else None
        out: dict[str, tuple[ts.Module, Any]] = {}
        for module in graph.reachable(entry) if entry is not None else []:
            for definition in module.defs.values():
                if definition is None or definition.type != "class_declaration":
                    continue
                heritage = next((c for c in definition.children if c.type == "class_heritage"), None)
                if heritage is None or not re.search(r"WorkerEntrypoint|RpcTarget", ts.text(heritage)):
                    continue
                body = definition.child_by_field_name("body")
                for member in body.named_children if body is not None else []:
                    name = member.child_by_field_name("name") if member.type == "method_definition" else None
                    if name is not None:
                        out.setdefault(ts.text(name), (module, member))
        return out

    return project.memo(("rpc-methods", str(worker.config.path)), compute)


def backend_rpc_params(project: Project, worker: Worker) -> dict[str, list[str]]:
    """Method name -> parameter names of the backend's ``WorkerEntrypoint`` classes (and any
    ``RpcTarget``), so an argument named ``id`` still reads as ``userId`` when the method says so."""
    out: dict[str, list[str]] = {}
    for name, (_, member) in backend_rpc_methods(project, worker).items():
        params = member.child_by_field_name("parameters")
        names = []
        for param in params.named_children if params is not None else []:
            pattern = param.child_by_field_name("pattern") or param
            names.append(ts.text(pattern) if pattern.type == "identifier" else "")
        out[name] = names
    return out


#: calls that sign a credential: `jwt.sign(...)`, `new SignJWT(...)`, `signToken(...)`
_SIGNS = re.compile(
    r"^(?:sign|signJwt|signJWT|signToken|createToken|issueToken|mintToken|generateToken|SignJWT)$"
)


def mints_credential(project: Project, worker: Worker, method: str) -> str | None:
    """``file:line call`` where the backend's RPC ``method`` signs a token, when it takes no
    argument: it issues a credential to whoever calls it, proving nothing about the caller (a
    ``login(email, password)`` checks what it is given). None otherwise."""
    found = backend_rpc_methods(project, worker).get(method.rsplit(".", 1)[-1])
    if found is None:
        return None
    module, member = found
    params = member.child_by_field_name("parameters")
    if params is not None and params.named_children:
        return None
    for sub in ts.walk(member):
        if sub.type not in ("call_expression", "new_expression"):
            continue
        callee = sub.child_by_field_name("function") or sub.child_by_field_name("constructor")
        name = ts.text(callee).rsplit(".", 1)[-1] if callee is not None else ""
        if _SIGNS.match(name):
            line, _ = module.position(sub)
            return f"{module.rel}:{line} {ts.text(callee)}(...)"
    return None


def rpc_identity_args(project: Project, pair: Pair, call: ProxyCall) -> list[IdentityArg]:
    """Arguments of an RPC call that carry an identity taken from client-controlled input: the
    value comes from the query, body, path or a header, and its key, variable or the backend
    parameter it lands in names the caller (``userId``, ``accountId``, ``email``)."""
    graph: ts.ModuleGraph = project.ts_graph
    params = backend_rpc_params(project, pair.backend).get(call.method, [])
    found: list[IdentityArg] = []
    for index, arg in enumerate(ts.arguments(call.node)):
        param = params[index] if index < len(params) else None
        arg = ts.unwrap(arg)
        candidates: list[tuple[Any, str | None]] = []
        if arg is not None and arg.type == "object":  # `{ userId, title }`
            for member in arg.named_children:
                if member.type == "shorthand_property_identifier":
                    candidates.append((member, ts.text(member)))
                elif member.type == "pair":
                    key = member.child_by_field_name("key")
                    name = ts.string_value(key) or ts.text(key) if key is not None else None
                    candidates.append((member.child_by_field_name("value"), name))
        else:
            candidates.append((arg, param))
        for value, label in candidates:
            source = _value_input(graph, call.module, value)
            if source is None:
                continue
            name = next((n for n in (source[1], label) if names_who(n)), None)
            if name is not None:
                found.append(IdentityArg(call.module, value, name, source[0]))
    return found


def _value_input(graph: ts.ModuleGraph, module: ts.Module, value: Any) -> tuple[str, str | None] | None:
    if value is not None and value.type == "shorthand_property_identifier":
        return _variable_input(graph, module, value, 0)
    return client_input(graph, module, value)


def passes_request(call: ProxyCall) -> bool:
    """An RPC call handed the client's whole request (``c.req.raw``, ``request``): its headers and
    body reach the backend as with ``fetch``."""
    for arg in ts.arguments(call.node):
        arg = ts.unwrap(arg)
        if arg is None:
            continue
        if arg.type == "identifier" and ts.text(arg) in ("request", "req"):
            return True
        if arg.type == "member_expression" and ts.text(arg).endswith(".req.raw"):
            return True
    return False
