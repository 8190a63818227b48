"""What the User Worker's TypeScript does with the backend binding (for DW005, DW006, DW011).

We follow Hono's shape: ``app.<method>(path, ...handlers)``, ``app.use([path,] ...mw)``,
``app.route(prefix, child)`` and ``new Hono().basePath(p)``, across the files the Worker's
``main`` imports. A route "reaches the backend" when one of its handlers - or a function it
calls, in any module - touches ``<...>.<BINDING>``. A route is protected when an auth middleware
runs before it: inline, or an earlier ``use`` on its app (or on a parent before the mount)
whose path covers the route's path.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dualworker_cli.check.parse import paths as fs
from dualworker_cli.check.parse import typescript as ts

if TYPE_CHECKING:
    from dualworker_cli.check.model import Pair, Project, Worker

ROUTE_METHODS = frozenset({"get", "post", "put", "delete", "patch", "all", "options", "head", "on", "mount"})
_AUTH_WORDS = re.compile(
    # `jwk` (hono/jwk), `clerkMiddleware` (@hono/clerk-auth), `cloudflareAccess` (@hono/cloudflare-access)
    r"auth|jwt|jwk|bearer|session|verif|protect|require_?user|signed_?in|login|clerk|oidc|cloudflare_?access",
    re.I,
)
#: names that mention auth but say it is off: `noAuth`, `skipAuth`, `optionalAuth`, `publicRoute`...
_NOT_AUTH = re.compile(
    r"(?i:(?:^|_)(?:no|skip|without|optional|maybe|bypass|disable)_?(?:auth|jwt|session))"
    r"|(?:No|Skip|Without|Optional|Maybe|Bypass|Disable)(?:Auth|Jwt|JWT|Session)"
    r"|(?i:anonymous|unauth|^public|^anon|(?:auth|jwt|session)_?(?:optional|skip|off|disabled))"
)


class _AuthName:
    """Whether an identifier names auth middleware (and not its absence)."""

    @staticmethod
    def search(name: str) -> bool:
        return bool(_AUTH_WORDS.search(name)) and not _NOT_AUTH.search(name)


AUTH_NAME = _AuthName()
#: paths of the authentication flow itself (sign-in, sign-up, tokens, sessions, OAuth callbacks,
#: better-auth's `/api/auth/*`): they run before anyone is authenticated, by design
AUTH_FLOW_PATH = re.compile(
    r"(?:^|/)(?:auth|login|logout|log-in|log-out|signin|sign-in|signout|sign-out|signup|sign-up|register|sso|saml|oidc|"
    r"verify|verify-email|magic-link|token|refresh|oauth|oauth2|callback|session|sessions|password|"
    r"forgot-password|reset-password|[a-z-]*-password(?:-[a-z-]*)?|password-[a-z-]+)(?:/|$)",
    re.I,
)
MAX_CALL_DEPTH = 6

AppKey = tuple[str, str]  # (module path, variable name)


@dataclass
class Registration:
    """One ``app.<method>(...)`` call."""

    module: ts.Module
    node: Any
    app: AppKey
    method: str
    path: str | None
    handlers: list[Any]
    order: tuple[int, int]
    #: the base path in effect when a ``basePath(...)`` call sits in this call's own chain
    base: str | None = None
    #: an OpenAPI route's definition (``createRoute({...})``): its fields as source text
    spec: dict[str, str] | None = None


@dataclass
class RouteReport:
    registration: Registration
    full_path: str | None
    protected: bool
    chain: list[tuple[ts.Module, Any]]  # handler nodes that run for the route (middleware first)
    #: the binding calls the route's code makes (fetch and RPC), so rules can tell a proxy from
    #: an RPC call that passes nothing the client chose
    calls: list[ProxyCall] = field(default_factory=list)


#: the Fetcher methods that send an HTTP request (or a socket) to the backend: everything else
#: called on a service binding is an RPC method of its WorkerEntrypoint
FETCH_METHODS = frozenset({"fetch", "connect"})


@dataclass
class ProxyCall:
    """A binding call and the code that prepares it: ``<...>.<BINDING>.fetch(...)`` (kind
    ``fetch``, a forwarded HTTP request) or ``<...>.<BINDING>.someMethod(...)`` (kind ``rpc``,
    arguments passed to the backend's WorkerEntrypoint)."""

    module: ts.Module
    node: Any
    scope: list[tuple[ts.Module, Any]]
    kind: str = "fetch"
    #: the method called on the binding, ``users.get`` for ``env.B.users.get(...)``
    method: str = "fetch"


@dataclass
class FrontAnalysis:
    main_found: bool
    routes: list[RouteReport] = field(default_factory=list)
    proxy_calls: list[ProxyCall] = field(default_factory=list)
    #: binding calls outside every recognised route (a plain ``fetch`` handler, say)
    unrouted_calls: list[ProxyCall] = field(default_factory=list)
    #: the unrouted calls whose function shows no auth step before the call
    unguarded_calls: list[ProxyCall] = field(default_factory=list)
    #: RPC calls outside every recognised route with no auth step before them (DW005 then asks
    #: whether they pass an identity the client chose); ``unrouted_calls``/``unguarded_calls``
    #: hold fetch-style calls only, as the rules reading them (DW005, DW011) expect
    unguarded_rpc: list[ProxyCall] = field(default_factory=list)
    #: binding calls that only non-request code reaches (Durable Object classes, Workflows,
    #: ``scheduled``/``queue``/``tail``/``email`` handlers): no client request runs them, so they
    #: are in none of the lists above
    background_calls: list[ProxyCall] = field(default_factory=list)
    #: binding calls that only RPC methods of the front's ``WorkerEntrypoint`` reach (not its
    #: ``fetch``): another Worker's binding call runs them, no client request on a URL does, so
    #: the caller's own analysis judges the auth before it; in none of the lists above either
    rpc_method_calls: list[ProxyCall] = field(default_factory=list)
    #: binding calls in code the binding is handed to (``new AuthClient(env.AUTH)`` whose methods
    #: call ``this.binding.login(...)``, ``createClient(env.B)``): they say how the front reaches
    #: the backend (RPC or ``fetch``), not which request runs them, so no route judges them
    handoff_calls: list[ProxyCall] = field(default_factory=list)
    graph: ts.ModuleGraph | None = None
    code: Code | None = None
    modules: list[ts.Module] = field(default_factory=list)
    auth_names: set[str] = field(default_factory=set)
    #: the binding is named nowhere in the front's code (its entry's modules, its package's other
    #: sources): declared in the config but never used, so nothing reaches the backend through it
    unused: bool = False


# ---------------------------------------------------------------------------------------------
# path patterns


def _pattern_regex(pattern: str) -> re.Pattern[str]:
    out = []
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "*":
            out.append(".*")
            i += 1
        elif ch == ":":
            j = i + 1
            while j < len(pattern) and (pattern[j].isalnum() or pattern[j] == "_"):
                j += 1
            if j < len(pattern) and pattern[j] == "{":
                close = pattern.find("}", j)
                j = len(pattern) if close == -1 else close + 1
            if j < len(pattern) and pattern[j] == "?":
                j += 1
            out.append("[^/]*")
            i = j
        else:
            out.append(re.escape(ch))
            i += 1
    return re.compile("".join(out))


def _sample(path: str) -> str:
    """A concrete path the route pattern matches, deep enough to test wildcards."""
    sample = re.sub(r":[A-Za-z0-9_]+(\{[^}]*\})?\??", "x", path)
    return sample.replace("*", "x/y")


def covers(pattern: str | None, path: str | None) -> bool:
    """Does middleware mounted at ``pattern`` run for every request of route ``path``?"""
    if pattern is None or pattern in ("*", "/*"):
        return True
    if path is None:
        return False
    regex = _pattern_regex(pattern)
    sample = _sample(path)
    if regex.fullmatch(sample):
        return True
    # Hono's "/api/*" also matches "/api": treat a trailing "/*" as optional
    return pattern.endswith("/*") and _pattern_regex(pattern[:-2]).fullmatch(sample) is not None


def join_paths(prefix: str, path: str | None) -> str | None:
    if path is None:
        return None
    if not prefix:
        return path
    if path in ("", "/"):
        return prefix
    return prefix.rstrip("/") + "/" + path.lstrip("/")


# ---------------------------------------------------------------------------------------------
# code search


class Code:
    """Searches through a node and the functions it calls (resolved across modules)."""

    def __init__(self, graph: ts.ModuleGraph, binding: str) -> None:
        self.graph = graph
        self.binding = binding
        self._reach: dict[tuple[str, int], bool] = {}
        #: (module, function node id) -> uses of that function: the call node, or None where the
        #: function is used as a value; built on first use
        self.call_index: dict[tuple[str, int], list[tuple[ts.Module, Any]]] | None = None

    def closure(self, module: ts.Module, node: Any, depth: int = 0) -> list[tuple[ts.Module, Any]]:
        """``node`` plus the definitions of identifiers it uses, transitively (bounded). The
        same for every binding, so kept on the graph: rules ask it again for the same handlers."""
        cache = self.graph.__dict__.setdefault("_dw_closures", {})
        cache_key = (str(module.path), node.id)
        cached = cache.get(cache_key)
        if cached is None:
            cached = cache[cache_key] = self._closure(module, node)
        return cached

    def _closure(self, module: ts.Module, node: Any) -> list[tuple[ts.Module, Any]]:
        result: list[tuple[ts.Module, Any]] = []
        seen: set[tuple[str, int]] = set()
        todo = [(module, node, 0)]
        while todo:
            mod, current, level = todo.pop()
            key = (str(mod.path), current.id)
            if key in seen:
                continue
            seen.add(key)
            result.append((mod, current))
            if level >= MAX_CALL_DEPTH:
                continue
            top, namespaces = _top_level_names(mod)
            for sub in module_facts(mod).names_in(current):
                if sub.type == "identifier":
                    if sub.text not in top:
                        continue  # a local, a parameter or a global: `resolve` would say None
                    found = self.graph.resolve(mod, ts.text(sub))
                elif namespaces:  # `ns.proxy` from `import * as ns`
                    found = self.graph.resolve_member(mod, sub)
                else:
                    continue
                if found is not None and found[2].type != "class_declaration":
                    todo.append((found[0], found[2], level + 1))
            for call in module_facts(mod).calls_in(current):
                for target in method_targets(self.graph, mod, call):
                    todo.append((*target, level + 1))
        return result

    def touches_binding(self, node: Any) -> bool:
        """``x.BINDING``, ``const { BINDING } = env`` or ``env["BINDING"]`` - not a type's field."""
        for sub in ts.walk(node):
            if sub.type == "shorthand_property_identifier_pattern" and ts.text(sub) == self.binding:
                return True
            if (
                sub.type == "property_identifier"
                and ts.text(sub) == self.binding
                and sub.parent is not None
                and sub.parent.type in ("member_expression", "pair_pattern")
            ):
                return True
            if (
                sub.type == "string"
                and ts.string_value(sub) == self.binding
                and sub.parent is not None
                and (sub.parent.type == "subscript_expression")
            ):
                return True
        return False

    def reaches(self, module: ts.Module, node: Any) -> bool:
        """Does ``node`` or code it calls touch the binding? (The module's indexed binding spots
        answer in a bisect what :meth:`touches_binding` answers by walking.)"""
        return any(module_facts(m).touches(self.binding, n) for m, n in self.closure(module, node))

    def strings(self, module: ts.Module, node: Any) -> set[str]:
        out: set[str] = set()
        for mod, n in self.closure(module, node):
            for sub in ts.nodes_in(mod, n, "string", "template_string"):
                value = ts.string_value(sub)
                if value is not None:
                    out.add(value.lower())
        return out


#: methods of the language, the runtime and the usual libraries: a call of one of these on an
#: object of unknown type is far likelier theirs than a project class's method of the same name
_LIBRARY_METHOD_NAMES = """
then catch finally map filter reduce forEach find findIndex some every includes indexOf push pop
shift unshift slice splice join split replace replaceAll trim toLowerCase toUpperCase startsWith
endsWith match test exec concat sort reverse flat flatMap fill keys values entries get set has
delete clear add size json text arrayBuffer blob formData clone fetch connect send close log error
warn info debug trace parse stringify toString toJSON valueOf call apply bind all race resolve
reject header headers req res param params query body status redirect use route on off once emit
write end run prepare first raw batch dump put list head next assign freeze from of isArray now
random floor ceil round min max abs encode decode digest sign verify importKey exportKey getReader
getWriter pipeTo pipeThrough waitUntil passThroughOnException idFromName idFromString newUniqueId
accept acceptWebSocket getWebSockets setAlarm getAlarm deleteAlarm transaction insert update select
where returning execute findFirst findMany findUnique create upsert count groupBy openapi basePath
mount fire init start stop handle dispatch subscribe toISOString getTime padStart padEnd charAt
codePointAt at
"""
_LIBRARY_METHODS = frozenset(_LIBRARY_METHOD_NAMES.split())
#: most candidates a method name may have before it says too little about the callee
_MAX_METHOD_TARGETS = 4


def _class_members(module: ts.Module) -> dict[str, list[Any]]:
    """name -> functions of the module's top-level classes' methods (``m() {}`` and ``m = () =>
    {}`` fields), kept on the module."""
    cached = module.__dict__.get("_dw_members")
    if cached is not None:
        return cached
    members: dict[str, list[Any]] = {}
    for value in module.defs.values():
        cls = ts.unwrap(value)
        if cls is None or cls.type not in _CLASS_TYPES:
            continue
        for name, function in _members_of(cls):
            members.setdefault(name, []).append(function)
    module.__dict__["_dw_members"] = members
    return members


def _members_of(cls: Any) -> Iterator[tuple[str, Any]]:
    """(name, function) of a class's methods and arrow-function fields, constructor left out."""
    for name, member in _handler_members(cls) or []:
        if member.type == "method_definition":
            function = member
        elif member.type == "public_field_definition":
            function = ts.unwrap(member.child_by_field_name("value"))
        else:
            continue
        if function is not None and function.type in ts.FUNCTION_TYPES and name != "constructor":
            yield name, function


def _enclosing_class(node: Any) -> Any:
    """The class whose ``this`` a node sees (through arrow functions, not ``function``s)."""
    current = node.parent
    while current is not None:
        if current.type in _CLASS_TYPES:
            return current
        if current.type in ("function_declaration", "function_expression", "function"):
            return None
        current = current.parent
    return None


def method_targets(graph: ts.ModuleGraph, module: ts.Module, call: MemberCall) -> list[tuple[ts.Module, Any]]:
    """The project functions a method call may run: ``this.m()`` -> the enclosing class's ``m``;
    ``obj.m()`` -> every method ``m`` of a class in the modules the caller's module imports
    (directly or not), when they are few and ``m`` is no library method. Without types this is
    class-hierarchy analysis by name: a controller's ``service.registerRepo()`` reaches the
    client class that calls the binding, as it does at run time."""
    obj = ts.unwrap(call.obj)
    if obj is None:
        return []
    if obj.type == "this":
        cls = _enclosing_class(call.node)
        return [(module, f) for name, f in _members_of(cls) if name == call.method] if cls is not None else []
    if call.method in _LIBRARY_METHODS:
        return []
    cache = module.__dict__.setdefault("_dw_method_targets", {})
    found = cache.get(call.method)
    if found is None:
        found = [
            (other, function)
            for other in graph.reachable(module)
            for function in _class_members(other).get(call.method, ())
        ]
        cache[call.method] = found = found if len(found) <= _MAX_METHOD_TARGETS else []
    # a call in a method never runs that method again by name: `this.binding.getX()` inside the
    # client's own `getX()` is the binding's method
    function = ts.enclosing_function(call.node)
    own = _class_method(function) if function is not None else None
    if own is not None:
        found = [t for t in found if t[1].id != own.id or t[0].path != module.path]
    types = _receiver_classes(graph, module, obj) if found else set()
    if types:
        # `const ctl = createController(); ctl.register()`, `private client: UserClient`: only
        # the methods of a class that is (or implements) the declared type; a receiver declared
        # as something else (`private binding: TsunamiBinding`) runs none of them
        return [t for t in found if _class_name(t[1]) in types or types & _implements(t[1])]
    return found


def _implements(function: Any) -> set[str]:
    """The names in the heritage clause of the class around a method (``implements IUsers``)."""
    cls = _enclosing_class(function)
    return set(_TYPE_WORD.findall(_heritage(cls))) if cls is not None else set()


def _class_name(function: Any) -> str:
    cls = _enclosing_class(function)
    name = cls.child_by_field_name("name") if cls is not None else None
    return ts.text(name) if name is not None else ""


_TYPE_WORD = re.compile(r"\b[A-Z]\w*")


def _receiver_classes(graph: ts.ModuleGraph, module: ts.Module, obj: Any) -> set[str]:
    """Class names a receiver is declared or built as: its annotation, ``new C()``, or the return
    type (or ``return new C()``) of the function whose call made it."""
    if obj.type == "member_expression" and ts.unwrap(obj.child_by_field_name("object")).type == "this":
        prop = obj.child_by_field_name("property")
        names = set(_field_types(obj, ts.text(prop))) if prop is not None else set()
        return {word for name in names for word in _TYPE_WORD.findall(name)}
    if obj.type != "identifier":
        return set()
    names = set(_local_types(module, obj))
    for decl, pattern, value in module_facts(module).declarators:
        if decl.start_byte >= obj.start_byte:
            break
        if pattern.type != "identifier" or ts.text(pattern) != ts.text(obj) or not in_scope(decl, obj):
            continue
        value = ts.unwrap_await(value)
        target = (
            value.child_by_field_name("function")
            if value is not None and value.type == "call_expression"
            else None
        )
        found = (
            graph.resolve(module, ts.text(target))
            if target is not None and target.type == "identifier"
            else None
        )
        function = ts.unwrap(found[2]) if found is not None else None
        if function is None or function.type not in ts.FUNCTION_TYPES:
            continue
        names.update(_type_names(function.child_by_field_name("return_type")))
        for ret in ts.nodes_in(found[0], function, "return_statement"):
            if ret.named_children:
                names.update(_type_names(ret.named_children[0]))
    return {word for name in names for word in _TYPE_WORD.findall(name)}


def _top_level_names(module: ts.Module) -> tuple[frozenset[bytes], bool]:
    """The names ``graph.resolve`` can answer for in ``module`` (its definitions and imports, as
    the UTF-8 bytes a node's ``text`` is) and whether it has an ``import * as ns``. A closure tests
    every identifier of a function: most are locals, parameters or globals, which a set of bytes
    rules out without decoding each name. Kept on the module, as :func:`module_facts` is (the
    parse layer fills ``defs`` and ``imports`` when it loads the module and never again)."""
    cached = module.__dict__.get("_dw_top_names")
    if cached is None:
        names = frozenset(name.encode("utf-8") for name in (*module.defs, *module.imports))
        namespaces = any(imported == "*" for _, imported in module.imports.values())
        cached = module.__dict__["_dw_top_names"] = (names, namespaces)
    return cached


def method_token(call: Any) -> Any:
    """Where to point for ``app.all(...)``: the call itself, or - in a chain such as
    ``new Hono().use(a).all(...)``, which starts lines earlier - its ``.all`` token."""
    func = call.child_by_field_name("function")
    obj = func.child_by_field_name("object") if func is not None else None
    prop = func.child_by_field_name("property") if func is not None else None
    return call if obj is None or obj.type == "identifier" or prop is None else prop


def _is_auth(code: Code, module: ts.Module, node: Any, names: set[str]) -> bool:
    """Is this handler argument an auth middleware? By name (local or imported), or by shape:
    a middleware that can answer 401 and otherwise calls ``next()``."""
    node = ts.unwrap(node)
    ident = node
    if node.type == "call_expression":
        ident = node.child_by_field_name("function")
    if ident is not None and ident.type == "identifier":
        local = ts.text(ident)
        for name in (local, code.graph.imported_name(module, local)):
            if name in names or AUTH_NAME.search(name):
                return True
        found = code.graph.resolve(module, local)
        if found is not None and AUTH_NAME.search(found[1]):
            return True
    elif ident is not None and ident.type == "member_expression":  # `mw.requireAuth`, `ns.jwt(...)`
        prop = ident.child_by_field_name("property")
        name = ts.text(prop) if prop is not None else ""
        if name in names or AUTH_NAME.search(name):
            return True
    for _, sub in code.closure(module, node):
        body = ts.text(sub)
        if re.search(r"\b401\b", body) and re.search(r"\bnext\s*\(", body):
            return True
    return False


def _chain_root(node: Any) -> Any:
    """The expression at the root of ``app.use(...).get(...)`` or ``new Hono().use(...)`` chains."""
    obj = ts.unwrap(node)
    while obj is not None and obj.type in ("call_expression", "member_expression"):
        if obj.type == "call_expression":
            obj = obj.child_by_field_name("function")
        else:
            obj = obj.child_by_field_name("object")
        obj = ts.unwrap(obj)
    return obj


def _chain_base_paths(node: Any) -> list[str]:
    """The ``basePath("/x")`` arguments along the chain under ``node``, innermost first."""
    found: list[str] = []
    obj = ts.unwrap(node)
    while obj is not None and obj.type in ("call_expression", "member_expression"):
        call = ts.method_call(obj)
        if call is not None and call[1] == "basePath" and (args := ts.arguments(obj)):
            base = ts.string_value(args[0])
            if base is not None:
                found.append(base)
        obj = ts.unwrap(obj.child_by_field_name("function" if obj.type == "call_expression" else "object"))
    return found[::-1]


_STRING_TYPES = ("string", "template_string", "binary_expression")


def static_string(graph: ts.ModuleGraph, module: ts.Module, node: Any, depth: int = 0) -> str | None:
    """The value of a string expression known before running: a literal, a constant (also
    imported), a template literal or ``+`` of such; None when it depends on runtime values."""
    node = ts.unwrap(node)
    if node is None or depth > 12:
        return None
    if node.type == "string":
        return ts.string_value(node)
    if node.type == "template_string":
        parts = []
        for child in node.children:
            if child.type == "template_substitution":
                inner = child.named_children[0] if child.named_children else None
                value = static_string(graph, module, inner, depth + 1)
                if value is None:
                    return None
                parts.append(value)
            elif child.type in ("string_fragment", "escape_sequence"):
                parts.append(ts.text(child))
        return "".join(parts)
    if node.type == "binary_expression":
        operator = node.child_by_field_name("operator")
        if operator is None or ts.text(operator) != "+":
            return None
        left = static_string(graph, module, node.child_by_field_name("left"), depth + 1)
        right = static_string(graph, module, node.child_by_field_name("right"), depth + 1)
        return None if left is None or right is None else left + right
    if node.type == "identifier":
        found = graph.resolve(module, ts.text(node))
        if found is not None and found[2].type in _STRING_TYPES:
            return static_string(graph, found[0], found[2], depth + 1)
    return None


def _chain_owner(module: ts.Module, root: Any) -> AppKey:
    """The app a chain rooted at ``new Hono()`` builds: the variable (or default export) that
    receives the whole chain, or the ``new`` expression itself when nothing names it."""
    top = root
    wrappers = ("parenthesized_expression", "as_expression", "satisfies_expression")
    links = {"member_expression": "object", "call_expression": "function"}
    while top.parent is not None:
        parent = top.parent
        if parent.type not in wrappers and not (
            parent.type in links and parent.child_by_field_name(links[parent.type]) == top
        ):
            break
        top = parent
    parent = top.parent
    if parent is not None and parent.type == "variable_declarator":
        name = parent.child_by_field_name("name")
        if name is not None and name.type == "identifier":
            return _local_key(module, parent, ts.text(name)) or (str(module.path), ts.text(name))
    if parent is not None and parent.type == "export_statement":
        return (str(module.path), "default")
    return (str(module.path), f"<new@{root.start_byte}>")


_DECLARED: dict[tuple[str, int], set[str]] = {}


def _declares(module: ts.Module, function: Any, name: str) -> bool:
    """Does ``function`` declare ``name`` itself (a parameter, or a variable in its own body)?"""
    key = (str(module.path), function.id)
    if key not in _DECLARED:
        names = set(_parameter_names(function))
        for sub in ts.nodes_in(module, function, "variable_declarator"):
            if ts.enclosing_function(sub) == function:
                declared = sub.child_by_field_name("name")
                if declared is not None and declared.type == "identifier":
                    names.add(ts.text(declared))
        _DECLARED[key] = names
    return name in _DECLARED[key]


def _local_key(module: ts.Module, node: Any, name: str) -> AppKey | None:
    """The key of a variable declared inside a function (``name@<function offset>``), so that
    two functions' local ``app`` variables stay two apps; None at module level."""
    function = ts.enclosing_function(node)
    while function is not None:
        if _declares(module, function, name):
            return (str(module.path), f"{name}@{function.start_byte}")
        function = ts.enclosing_function(function)
    return None


def _local_value(module: ts.Module, ident: Any, local: AppKey) -> Any:
    """The value a function's local variable is declared with (``const sub = makeRoutes()``),
    found among the module's declarators in the function ``local`` names; None when absent."""
    name = ts.text(ident)
    for decl, pattern, value in module_facts(module).declarators:
        if decl.start_byte >= ident.start_byte:
            break
        if (
            decl.type == "variable_declarator"
            and pattern.type == "identifier"
            and ts.text(pattern) == name
            and _local_key(module, decl, name) == local
        ):
            return value
    return None


def _app_key(graph: ts.ModuleGraph, module: ts.Module, ident: Any, depth: int = 0) -> AppKey:
    name = ts.text(ident)
    local = _local_key(module, ident, name)
    if local is not None:
        # `const sub = createSubRoutes(); app.route("/x", sub)`: the app the factory returns, as
        # when it is mounted directly (`app.route("/x", createSubRoutes())`)
        value = ts.unwrap(_local_value(module, ident, local))
        if value is not None and value.type == "call_expression":
            returned = _returned_app(graph, module, value, depth + 1)
            if returned is not None:
                return returned
        return local
    found = graph.resolve(module, name)
    if found is not None:
        value = ts.unwrap(found[2])
        if value is not None and value.type == "call_expression":  # `const api = makeApi()`
            returned = _returned_app(graph, found[0], value, 0)
            if returned is not None:
                return returned
        return (str(found[0].path), found[1])
    return (str(module.path), name)


def _returned_app(graph: ts.ModuleGraph, module: ts.Module, call: Any, depth: int) -> AppKey | None:
    """``makeApp()``: the app the called function returns (``return app``, ``() => new Hono()...``)."""
    if depth > 8:  # `function f() { return f(); }`
        return None
    func = call.child_by_field_name("function")
    found = graph.resolve(module, ts.text(func)) if func is not None and func.type == "identifier" else None
    function = ts.unwrap(found[2]) if found is not None else None
    if function is None or function.type not in ts.FUNCTION_TYPES:
        return None
    body = function.child_by_field_name("body")
    if body is not None and body.type != "statement_block":
        return _app_for(graph, found[0], body, depth + 1)
    for sub in ts.nodes_in(found[0], function, "return_statement"):
        if ts.enclosing_function(sub) == function and sub.named_children:
            return _app_for(graph, found[0], sub.named_children[0], depth + 1)
    return None


def _app_for(graph: ts.ModuleGraph, module: ts.Module, node: Any, depth: int = 0) -> AppKey | None:
    """The app an expression is (``app``) or builds (``new Hono().use(...)``), else None."""
    node = ts.unwrap(node)
    if node is not None and node.type == "call_expression":
        func = node.child_by_field_name("function")
        if func is not None and func.type == "identifier":
            returned = _returned_app(graph, module, node, depth)
            if returned is not None:
                return returned
    root = _chain_root(node)
    if root is None:
        return None
    if root.type == "identifier":
        return _app_key(graph, module, root, depth)
    if root.type == "new_expression":
        return _chain_owner(module, root)
    return None


Mount = tuple[AppKey, str, tuple[int, int]]  # (parent app, prefix, order of the mount)


class Mounts(dict[AppKey, Mount]):
    """child app -> its first mount, as every reader of one path per route expects; ``also``
    keeps the other mounts of an app mounted more than once (``app.route("/app", sub)`` and
    ``app.route("/api/onboarding", sub)``), since each mount is its own way in."""

    def __init__(self) -> None:
        super().__init__()
        self.also: dict[AppKey, list[Mount]] = {}

    def add(self, child: AppKey, mount: Mount) -> None:
        if child not in self:
            self[child] = mount
        elif mount != self[child] and mount not in self.also.get(child, []):
            self.also.setdefault(child, []).append(mount)


#: at most this many ways in are judged per route (each mount of each app on its way up)
_MAX_MOUNT_VARIANTS = 8


def _mount_variants(app: AppKey, mounts: dict[AppKey, Mount]) -> list[dict[AppKey, Mount]]:
    """One mounts table per way a request reaches ``app`` (every choice of mount for the apps on
    its way up, first mounts first); ``[mounts]`` itself when each app there is mounted once."""
    also = getattr(mounts, "also", None)
    if not also:
        return [mounts]
    choices: list[dict[AppKey, Mount]] = []

    def walk(current: AppKey, chosen: dict[AppKey, Mount]) -> None:
        if len(choices) >= _MAX_MOUNT_VARIANTS:
            return
        if current not in mounts or current in chosen:
            choices.append(chosen)
            return
        for mount in [mounts[current], *also.get(current, [])]:
            walk(mount[0], {**chosen, current: mount})

    walk(app, {})
    if len(choices) == 1:
        return [mounts]
    return [{**mounts, **choice} for choice in choices]


def _collect(
    graph: ts.ModuleGraph, modules: list[ts.Module]
) -> tuple[list[Registration], dict[AppKey, tuple[AppKey, str, tuple[int, int]]], dict[AppKey, str]]:
    """All registrations, mounts (child -> parent, prefix, order) and basePaths."""
    _DECLARED.clear()  # keyed by node ids, which are only unique within one parse
    registrations: list[Registration] = []
    mounts = Mounts()
    base_paths: dict[AppKey, str] = {}
    for module in modules:
        for name, value in module.defs.items():
            bases = _chain_base_paths(value) if ts.unwrap(value).type == "call_expression" else []
            root = _chain_root(value) if bases else None
            if root is None:
                continue
            key = (str(module.path), name)
            base_paths[key] = "".join(b.rstrip("/") for b in bases)
            if root.type == "identifier":  # `const v1 = app.basePath("/v1")` shares app's router
                parent = _app_key(graph, module, root)
                if parent != key:
                    mounts.setdefault(key, (parent, "", (module.order, value.start_byte)))
        for member_call in module_facts(module).calls:
            node, method = member_call.node, member_call.method
            method_name, fields = method, {}
            if method not in ROUTE_METHODS and method not in ("use", "route", "openapi"):
                continue
            func = node.child_by_field_name("function")
            obj = func.child_by_field_name("object")
            if _binding_receiver(obj):
                continue  # `env.CACHE.put(key, value)`: a KV/R2 call, not a route
            app = _app_for(graph, module, obj)
            if app is None:
                continue
            args = ts.arguments(node)
            # the `.method` token, not the call's start: in `app.use(a).all(b)` both calls start
            # at `app`, but `use` runs first
            prop = func.child_by_field_name("property")
            order = (module.order, prop.start_byte if prop is not None else node.start_byte)
            if method == "route":
                child = _app_for(graph, module, args[1]) if len(args) >= 2 else None
                if child is not None and child != app:
                    mounts.add(child, (app, static_string(graph, module, args[0]) or "", order))
                continue
            if method == "on" and args:
                args = args[1:]
            path: str | None
            if method == "openapi":  # `router.openapi(createRoute({ method, path }), handler)`
                spec = _openapi_route(graph, module, args[0]) if len(args) >= 2 else None
                if spec is None:
                    continue
                method, path, middleware, fields = spec
                handlers = [*middleware, args[1]]
            elif args and (
                args[0].type in ("string", "template_string")
                or static_string(graph, module, args[0]) is not None
            ):
                path, handlers = static_string(graph, module, args[0]), args[1:]
            elif method == "use":
                path, handlers = "*", args
            else:
                path, handlers = None, args[1:]
            if method == "mount":  # `app.mount("/api", handler, options?)` serves everything under it
                path, handlers = join_paths(path, "*") if path is not None else None, handlers[:1]
            if not handlers:
                continue
            chain_bases = _chain_base_paths(obj)
            base = None
            if chain_bases:
                own = base_paths.get(app, "") if _chain_root(obj).type == "identifier" else ""
                base = own + "".join(b.rstrip("/") for b in chain_bases)
            registrations.append(
                Registration(
                    module,
                    node,
                    app,
                    method,
                    path,
                    handlers,
                    order,
                    base,
                    fields if method_name == "openapi" else None,
                )
            )
    _link_app_parameters(graph, modules, registrations, mounts)
    return registrations, mounts, base_paths


_ENV_OBJECT = re.compile(r"(?:^|\.)env$")


def _object_of(graph: ts.ModuleGraph, module: ts.Module, node: Any) -> tuple[ts.Module, Any] | None:
    """The object literal a route definition is: inline, ``createRoute({...})``, or a constant
    (also imported) holding either."""
    node = ts.unwrap(node)
    if node is not None and node.type == "identifier":
        found = graph.resolve(module, ts.text(node))
        if found is None:
            return None
        module, node = found[0], ts.unwrap(found[2])
    if node is not None and node.type == "call_expression":
        args = ts.arguments(node)
        node = ts.unwrap(args[0]) if args else None
    return (module, node) if node is not None and node.type == "object" else None


def _openapi_route(
    graph: ts.ModuleGraph, module: ts.Module, node: Any
) -> tuple[str, str | None, list[Any], dict[str, str]] | None:
    """(method, Hono path, middleware, fields as text) of a ``@hono/zod-openapi`` route
    definition: its ``path`` uses ``{param}`` where Hono writes ``:param``, and its ``middleware``
    runs before the handler."""
    found = _object_of(graph, module, node)
    if found is None:
        return None
    where, obj = found
    fields: dict[str, Any] = {}
    for pair in obj.named_children:
        key = pair.child_by_field_name("key") if pair.type == "pair" else None
        if key is not None:
            fields[ts.string_value(key) or ts.text(key)] = pair.child_by_field_name("value")
    method = static_string(graph, where, fields["method"]) if "method" in fields else None
    if method is None:
        return None
    path = static_string(graph, where, fields["path"]) if "path" in fields else None
    if path is not None:
        path = re.sub(r"\{(\w+)\}", r":\1", path)
    middleware = ts.unwrap(fields.get("middleware"))
    if middleware is None:
        handlers = []
    elif middleware.type == "array":
        handlers = list(middleware.named_children)
    else:
        handlers = [middleware]
    return method.lower(), path, handlers, {name: ts.text(value) for name, value in fields.items() if value}


def _binding_receiver(obj: Any) -> bool:
    """Is ``obj`` a binding (``env.CACHE``, ``c.env.BUCKET``, ``this.env.KV``)? Its ``put``/``get``/
    ``delete`` are storage calls, never Hono routes."""
    obj = ts.unwrap(obj)
    if obj is None or obj.type != "member_expression":
        return False
    inner = obj.child_by_field_name("object")
    return inner is not None and bool(_ENV_OBJECT.search(ts.text(inner)))


def _parameter_names(function: Any) -> list[str]:
    params = function.child_by_field_name("parameters")
    if params is None:
        single = function.child_by_field_name("parameter")
        return [ts.text(single)] if single is not None else []
    names = []
    for param in params.named_children:
        pattern = param.child_by_field_name("pattern") or param
        names.append(ts.text(pattern) if pattern.type == "identifier" else "")
    return names


def _link_app_parameters(
    graph: ts.ModuleGraph,
    modules: list[ts.Module],
    registrations: list[Registration],
    mounts: dict[AppKey, tuple[AppKey, str, tuple[int, int]]],
) -> None:
    """``registerRoutes(app)``: routes registered on the parameter ``app`` inside that function
    belong to the app passed in, as if mounted at "" when the call runs."""
    apps = {reg.app for reg in registrations}
    for module in modules:
        for node in module_facts(module).plain_calls:
            func = node.child_by_field_name("function")
            found = graph.resolve(module, ts.text(func))
            function = ts.unwrap(found[2]) if found is not None else None
            if function is None or function.type not in ts.FUNCTION_TYPES:
                continue
            names = _parameter_names(function)
            for index, arg in enumerate(ts.arguments(node)):
                if arg.type != "identifier" or index >= len(names) or not names[index]:
                    continue
                parent = _app_key(graph, module, arg)
                child = (str(found[0].path), f"{names[index]}@{function.start_byte}")
                if parent in apps and child in apps and child != parent:
                    mounts.setdefault(child, (parent, "", (module.order, node.start_byte)))


def _prefix(
    app: AppKey,
    mounts: dict[AppKey, tuple[AppKey, str, tuple[int, int]]],
    base_paths: dict[AppKey, str],
    seen: frozenset[AppKey] = frozenset(),
    own: str | None = None,
) -> str:
    own = base_paths.get(app, "") if own is None else own
    if app in seen or app not in mounts:
        return own
    parent, prefix, _ = mounts[app]
    return (join_paths(_prefix(parent, mounts, base_paths, seen | {app}), prefix) or "").rstrip("/") + own


# ---------------------------------------------------------------------------------------------
# per-module facts: one tree-sitter query pass, cached on the module


@dataclass
class MemberCall:
    """``obj.method(args)``."""

    node: Any
    obj: Any
    method: str
    args: list[Any]


@dataclass
class ModuleFacts:
    """What the binding, header and client-input questions need from one module, collected by a
    single tree-sitter query (C, not a Python walk), so each question filters a short list."""

    calls: list[MemberCall] = field(default_factory=list)
    #: (declarator, name or destructuring pattern, value), in source order
    declarators: list[tuple[Any, Any, Any]] = field(default_factory=list)
    #: object literals used as headers: ``{ headers: {...} }`` and ``new Headers({...})``
    header_objects: list[Any] = field(default_factory=list)
    #: ``f(...)`` calls of a plain identifier
    plain_calls: list[Any] = field(default_factory=list)
    #: identifiers and ``ns.x`` member expressions, by start byte (``closure`` follows them)
    names: list[Any] = field(default_factory=list)
    name_starts: list[int] = field(default_factory=list)
    #: where a name could touch a binding (``x.NAME``, ``{ NAME }``, ``{ NAME: y }``,
    #: ``x["NAME"]``): name -> sorted start bytes
    binding_spots: dict[str, list[int]] = field(default_factory=dict)

    def names_in(self, node: Any) -> list[Any]:
        """Identifiers (and ``ns.x``) inside ``node``, in source order."""
        lo = bisect.bisect_left(self.name_starts, node.start_byte)
        hi = bisect.bisect_left(self.name_starts, node.end_byte)
        return self.names[lo:hi]

    def calls_in(self, node: Any) -> list[MemberCall]:
        """``obj.method(...)`` calls inside ``node``, outer first."""
        starts = self.__dict__.get("_call_starts")
        if starts is None:
            starts = self.__dict__["_call_starts"] = [c.node.start_byte for c in self.calls]
        lo = bisect.bisect_left(starts, node.start_byte)
        hi = bisect.bisect_left(starts, node.end_byte, lo)
        return self.calls[lo:hi]

    def touches(self, name: str, node: Any) -> bool:
        """Is there a binding spot for ``name`` inside ``node``?"""
        starts = self.binding_spots.get(name)
        if not starts:
            return False
        index = bisect.bisect_left(starts, node.start_byte)
        return index < len(starts) and starts[index] < node.end_byte


_FACTS_SOURCE = """
(call_expression function: (member_expression object: (_) @obj property: (property_identifier) @method)
  arguments: (arguments) @args) @call
(variable_declarator name: (_) @name value: (_) @value) @decl
(pair key: (_) @key value: (object) @object)
(new_expression constructor: (identifier) @ctor arguments: (arguments . (object) @init))
(call_expression function: (identifier)) @plain
(identifier) @name
(member_expression object: (identifier) property: (property_identifier)) @nsmember
(member_expression property: (property_identifier) @spot)
(pair_pattern key: (property_identifier) @spot)
(shorthand_property_identifier_pattern) @spot
(subscript_expression index: (string) @spotstring)
(assignment_expression left: (identifier) @name right: (_) @value) @decl
"""
#: (language id, with the node index) -> (query, its language, the index of its first
#: ``ts.INDEX_PATTERNS`` pattern)
_QUERIES: dict[tuple[int, bool], tuple[Any, Any, int]] = {}


def module_facts(module: ts.Module) -> ModuleFacts:
    """The module's facts, computed on first use and kept on the module (the parse layer knows
    nothing about analyses, so the cache lives here, as an attribute it does not declare).

    The same query collects the module's node index (``ts.nodes_in``) unless it exists already:
    every module's facts are asked for, and walking the tree once for both saves a third of
    the query time."""
    cached = module.__dict__.get("_dw_facts")
    if cached is not None:
        return cached
    import tree_sitter

    language = module.tree.language
    with_index = not ts.has_node_index(module)
    query = _QUERIES.get((id(language), with_index))
    if query is None:
        facts_only = tree_sitter.Query(language, _FACTS_SOURCE)
        source = _FACTS_SOURCE + ts.INDEX_PATTERNS
        combined = tree_sitter.Query(language, source) if with_index else facts_only
        query = _QUERIES[(id(language), with_index)] = (combined, language, facts_only.pattern_count)
    facts = ModuleFacts()
    names, spots = facts.names, facts.binding_spots
    indexed: dict[str, list[Any]] = {kind: [] for kind in ts.INDEXED_TYPES}
    first_index = query[2]
    keep = [indexed[kind].append for kind in ts.INDEXED_TYPES]  # by pattern, from first_index on
    # the most frequent patterns first (indexed nodes, identifiers, property names, calls); ts.text inlined
    for index, captures in tree_sitter.QueryCursor(query[0]).matches(module.root):
        if index >= first_index:
            for nodes in captures.values():
                keep[index - first_index](nodes[0])
        elif index == 5:
            names.append(captures["name"][0])
        elif 7 <= index <= 9:
            spot = captures["spot"][0]
            spots.setdefault(spot.text.decode("utf-8", "replace"), []).append(spot.start_byte)
        elif index == 0:
            method = captures["method"][0].text.decode("utf-8", "replace")
            args = captures["args"][0].named_children
            facts.calls.append(MemberCall(captures["call"][0], captures["obj"][0], method, args))
        elif index == 6:
            names.append(captures["nsmember"][0])
        elif index == 1:
            facts.declarators.append((captures["decl"][0], captures["name"][0], captures["value"][0]))
        elif index == 2:
            key = captures["key"][0]
            if (ts.string_value(key) or ts.text(key)) == "headers":
                facts.header_objects.append(captures["object"][0])
        elif index == 3:
            if ts.text(captures["ctor"][0]) == "Headers":
                facts.header_objects.append(captures["init"][0])
        elif index == 4:
            facts.plain_calls.append(captures["plain"][0])
        elif index == 10:
            spot = captures["spotstring"][0]
            facts.binding_spots.setdefault(ts.string_value(spot) or "", []).append(spot.start_byte)
        else:  # `service = env.API` (a `let` assigned later): a name bound to a value, like a declarator
            facts.declarators.append((captures["decl"][0], captures["name"][0], captures["value"][0]))
    if with_index:
        ts.keep_node_index(module, indexed)
    # pre-order (outer call first, as a tree walk visits them): chains share their start byte
    facts.calls.sort(key=lambda c: (c.node.start_byte, -c.node.end_byte))
    facts.plain_calls = ts.pre_order(facts.plain_calls)
    facts.name_starts, facts.names = ts.pre_order_starts(names)
    for starts in facts.binding_spots.values():
        starts.sort()
    facts.declarators.sort(key=lambda d: d[0].start_byte)
    module.__dict__["_dw_facts"] = facts
    return facts


def in_scope(definition: Any, use: Any) -> bool:
    """Is a declaration at ``definition`` visible at ``use``: at module level, or inside a
    function that also contains ``use``? (Block scoping is ignored: names rarely repeat.)"""
    function = ts.enclosing_function(definition)
    return function is None or function.start_byte <= use.start_byte < function.end_byte


def declared_value(module: ts.Module, ident: Any) -> Any:
    """The value the nearest visible declaration of ``ident`` gives it, or None."""
    name = ts.text(ident)
    for decl, pattern, value in reversed(module_facts(module).declarators):
        if (
            decl.start_byte < ident.start_byte
            and pattern.type == "identifier"
            and ts.text(pattern) == name
            and in_scope(decl, ident)
        ):
            return value
    return None


def binding_path(node: Any, binding: str) -> list[str] | None:
    """``c.env.B.users`` -> ``["users"]`` when ``B`` is the binding: the properties read after
    the binding (``[]`` for the binding itself), or None when the expression is not the binding."""
    node = ts.unwrap(node)
    after: list[str] = []
    while node is not None:
        if node.type == "member_expression":
            prop = node.child_by_field_name("property")
            name = ts.text(prop) if prop is not None else ""
            if name == binding:
                return after[::-1]
            after.append(name)
            node = ts.unwrap(node.child_by_field_name("object"))
        elif node.type == "subscript_expression":
            index = node.child_by_field_name("index")
            if index is not None and ts.string_value(index) == binding:
                return after[::-1]
            return None
        else:
            return None
    return None


def _stub_path(
    code: Code, module: ts.Module, obj: Any, facts: ModuleFacts, depth: int = 0
) -> list[str] | None:
    """Like :func:`binding_path`, also through a variable holding the binding or a stub from it:
    ``const api = c.env.B``, ``const { B } = env``, ``const { B: api } = c.env``, ``const x = api``."""
    found = binding_path(obj, code.binding)
    if found is not None:
        return found
    if _table_dispatched(module, obj, code.binding):
        return []
    after: list[str] = []
    node = ts.unwrap(obj)
    while node is not None and node.type == "member_expression":
        prop = node.child_by_field_name("property")
        after.append(ts.text(prop) if prop is not None else "")
        node = ts.unwrap(node.child_by_field_name("object"))
    if node is None or node.type != "identifier":
        return None
    name = ts.text(node)
    if name == code.binding:  # a destructured `{ BACKEND_SERVICE }`, as a parameter or a local
        return after[::-1]
    for decl, pattern, value in facts.declarators:
        if decl.start_byte >= obj.start_byte:
            break
        kind = pattern.type  # the name first: a scope test walks up the tree
        if kind == "identifier" and ts.text(pattern) == name:
            if not in_scope(decl, obj):
                continue
            inner = next(
                (p for v in _alternatives(value) if (p := binding_path(v, code.binding)) is not None), None
            )
            if inner is None and depth < 4 and ts.unwrap(value).type in ("identifier", "member_expression"):
                inner = _stub_path(code, module, ts.unwrap(value), facts, depth + 1)
            if inner is not None:
                return inner + after[::-1]
        elif (
            kind == "object_pattern"
            and in_scope(decl, obj)
            and _binds(pattern, name)
            and code.touches_binding(pattern)
        ):
            return after[::-1]
    return None


def _table_dispatched(module: ts.Module, obj: Any, binding: str) -> bool:
    """``env[upstream]`` where ``const upstream = DOORS[key]`` and ``DOORS`` is an object literal
    one of whose values names the binding (``"GET /api/realtime": "REALTIME"``): a gateway
    dispatching by a table reaches every binding the table names."""
    node = ts.unwrap(obj)
    lookup = (
        _declared_as(module, node.child_by_field_name("index"), "subscript_expression")
        if (node is not None and node.type == "subscript_expression")
        else None
    )
    literal = _declared_as(module, lookup.child_by_field_name("object"), "object") if lookup else None
    return literal is not None and any(
        pair.type == "pair" and ts.string_value(pair.child_by_field_name("value")) == binding
        for pair in literal.named_children
    )


def _declared_as(module: ts.Module, name: Any, kind: str) -> Any:
    """The value of the declaration of the identifier ``name``, when it is a ``kind`` node."""
    name = ts.unwrap(name)
    value = (
        ts.unwrap(declared_value(module, name)) if name is not None and name.type == "identifier" else None
    )
    return value if value is not None and value.type == kind else None


def _alternatives(value: Any) -> list[Any]:
    """The expressions a value can be: both sides of ``a ?? b`` / ``a || b``, the right of ``a && b``
    and both branches of ``c ? a : b`` (``const api = env.API_DISPATCH ?? env.API`` holds either
    binding), else itself."""
    node = ts.unwrap(value)
    if node is None:
        return []
    operator = ts.text(node.child_by_field_name("operator")) if node.type == "binary_expression" else ""
    if operator in ("??", "||"):
        sides = [node.child_by_field_name("left"), node.child_by_field_name("right")]
    elif operator == "&&":  # `env && env.API`: the binding, once its holder is there
        sides = [node.child_by_field_name("right")]
    elif node.type == "ternary_expression":
        sides = [node.child_by_field_name("consequence"), node.child_by_field_name("alternative")]
    else:
        return [node]
    return [alt for side in sides for alt in _alternatives(side)]


def binding_calls(code: Code, module: ts.Module) -> list[tuple[Any, str, str]]:
    """(call, kind, method) for every call on the binding in ``module``: ``X.fetch(...)`` /
    ``X.connect(...)`` (kind ``fetch``) and any other method, an RPC call (kind ``rpc``), where X
    is the binding, a stub read from it, or a variable holding either."""
    facts = module_facts(module)
    found = []
    for call in facts.calls:
        path = _stub_path(code, module, call.obj, facts)
        if path is None or any(p in FETCH_METHODS for p in path):
            continue  # `env.B.fetch(req).then(...)` is not a call on the binding
        kind = "fetch" if not path and call.method in FETCH_METHODS else "rpc"
        found.append((call.node, kind, ".".join([*path, call.method])))
    return found


def _binds(pattern: Any, name: str) -> bool:
    """Does the destructuring ``pattern`` bind the local ``name``?"""
    for sub in ts.walk(pattern):
        if sub.type == "shorthand_property_identifier_pattern" and ts.text(sub) == name:
            return True
        if sub.type == "pair_pattern":
            value = sub.child_by_field_name("value")
            if value is not None and value.type == "identifier" and ts.text(value) == name:
                return True
    return False


def covering_uses(
    reg: Registration,
    by_app: dict[AppKey, list[Registration]],
    mounts: dict[AppKey, tuple[AppKey, str, tuple[int, int]]],
    base_paths: dict[AppKey, str],
    prefix: str,
    full: str | None,
) -> Iterator[Registration]:
    """The ``use`` registrations that run before ``reg`` and cover its path ``full``: earlier ones on
    its own app, then on each parent app before the mount (Hono runs middleware in that order)."""
    app, limit, app_prefix = reg.app, reg.order, prefix
    seen: set[AppKey] = set()
    while True:
        seen.add(app)
        for use in by_app.get(app, []):
            if use.method != "use" or use.order >= limit or use is reg:
                continue
            use_prefix = _prefix(use.app, mounts, base_paths, own=use.base) if use.base else app_prefix
            if covers(join_paths(use_prefix, use.path) if use.path != "*" else None, full):
                yield use
        if app not in mounts or mounts[app][0] in seen:
            return
        parent, _, mount_order = mounts[app]
        app, limit, app_prefix = parent, mount_order, _prefix(parent, mounts, base_paths)


_CALLS = ("call_expression", "new_expression")
MAX_HANDOFF_DEPTH = 3


def _callee(graph: ts.ModuleGraph, module: ts.Module, call: Any) -> tuple[ts.Module, Any] | None:
    """The function or class a call or ``new`` names, wherever the module graph defines it."""
    target = call.child_by_field_name("function" if call.type == "call_expression" else "constructor")
    target = ts.unwrap(target)
    if target is None:
        return None
    if target.type == "identifier":
        found = graph.resolve(module, ts.text(target))
    else:
        found = graph.resolve_member(module, target)
    if found is None:
        return None
    node = found[2]
    if node.type == "variable_declarator":  # `const make = (b) => ...`
        node = node.child_by_field_name("value")
    return (found[0], ts.unwrap(node)) if node is not None else None


def _calls_on(node: Any, receiver: str) -> Iterator[tuple[Any, str]]:
    """``receiver.method(...)`` calls under ``node`` (``receiver`` as text: ``binding`` or
    ``this.binding``), with the method name."""
    for sub in ts.walk(node):
        found = ts.method_call(sub) if sub.type == "call_expression" else None
        if found is not None:
            obj = found[0].child_by_field_name("object")
            if obj is not None and ts.text(ts.unwrap(obj)) == receiver:
                yield sub, found[1]


def _handed(
    graph: ts.ModuleGraph, module: ts.Module, call: Any, index: int, depth: int
) -> Iterator[tuple[ts.Module, Any, str]]:
    """Binding calls in the function or class that ``call`` hands the binding to as argument
    ``index``: calls on the parameter (a function) or on the field the constructor keeps it in
    (a class: a parameter property, or ``this.f = param``), and further hand-offs, bounded."""
    found = _callee(graph, module, call)
    if found is None or depth > MAX_HANDOFF_DEPTH:
        return
    mod, node = found
    if node.type in _CLASS_TYPES:
        body = node.child_by_field_name("body")
        for field_name in _fields_for_parameter(node, index):
            for site, method in _calls_on(body, f"this.{field_name}"):
                yield mod, site, method
        return
    if node.type not in ts.FUNCTION_TYPES:
        return
    params = _parameter_names(node)
    if index >= len(params) or not params[index]:
        return
    name = params[index]
    for site, method in _calls_on(node, name):
        yield mod, site, method
    for sub in ts.walk(node):
        if sub.type in _CALLS:
            for i, arg in enumerate(ts.arguments(sub)):
                if ts.text(ts.unwrap(arg)) == name:
                    yield from _handed(graph, mod, sub, i, depth + 1)


_WRAPPERS = frozenset(
    {
        "member_expression",
        "subscript_expression",
        "as_expression",
        "satisfies_expression",
        "parenthesized_expression",
        "non_null_expression",
    }
)


def _argument_sites(code: Code, module: ts.Module, facts: ModuleFacts) -> Iterator[tuple[Any, int, Any]]:
    """(call, index, argument) where an argument mentions the binding (``f(env.B)``, ``new C(env.B
    as X)``) or a local holding it (``const api = env.B; f(api)``). Found from the module's indexed
    binding spots and names, not by walking every node."""
    spots = [module.root.descendant_for_byte_range(b, b) for b in facts.binding_spots.get(code.binding, [])]
    aliases = {
        ts.text(pattern)
        for _, pattern, value in facts.declarators
        if pattern.type == "identifier" and value is not None and facts.touches(code.binding, value)
    }
    uses = [n for n in facts.names if n.type == "identifier" and ts.text(n) in aliases] if aliases else []
    for node in [*spots, *uses]:
        current = node
        while current is not None and current.parent is not None and current.parent.type in _WRAPPERS:
            current = current.parent
        parent = current.parent if current is not None else None
        if (
            parent is None
            or parent.type != "arguments"
            or parent.parent is None
            or parent.parent.type not in _CALLS
        ):
            continue
        index = next((i for i, arg in enumerate(parent.named_children) if arg.id == current.id), None)
        if index is not None:
            yield parent.parent, index, current


def handoff_calls(code: Code, graph: ts.ModuleGraph, modules: list[ts.Module]) -> list[ProxyCall]:
    """Binding calls made by code the front hands its binding to (see ``FrontAnalysis``)."""
    out: list[ProxyCall] = []
    seen: set[tuple[str, int]] = set()
    for module in modules:
        if code.binding not in module.source:
            continue
        facts = module_facts(module)
        for call, index, arg in _argument_sites(code, module, facts):
            if _stub_path(code, module, arg, facts) != []:
                continue
            for mod, site, method in _handed(graph, module, call, index, 0):
                if (str(mod.path), site.id) in seen:
                    continue
                seen.add((str(mod.path), site.id))
                kind = "fetch" if method in FETCH_METHODS else "rpc"
                scope = ts.enclosing_function(site) or site
                out.append(ProxyCall(mod, site, code.closure(mod, scope), kind, method))
    return out


def front_analysis(project: Project, pair: Pair) -> FrontAnalysis:
    """The analysis of ``pair.front`` for ``pair.binding``, computed once per run."""
    key = ("front", str(pair.front.config.path), pair.binding)
    return project.memo(key, lambda: analyse_front(project, pair))


#: the handlers a Pages Function exports (``onRequest`` for every method)
_PAGES_HANDLER = re.compile(r"onRequest(Get|Post|Put|Patch|Delete|Head|Options)?")


def pages_functions(worker: Any) -> list[Path]:
    """The Pages Functions of a Pages project without ``main``: every script under its
    ``functions/`` folder (its file-based routes and ``_middleware`` files), tests left out."""
    if not getattr(worker, "pages", False) or worker.main is not None:
        return []
    top = worker.root / "functions"
    found = []
    for folder, dirs, files in fs.walk(top):
        dirs[:] = [d for d in dirs if d not in ("node_modules",) and d not in _NOT_SOURCE_DIRS]
        for name in files:
            if name.endswith(ts.EXTENSIONS) and not _NOT_SOURCE_FILE.search(name):
                found.append(Path(folder) / name)
    return sorted(found)


def _pages_route(top: Path, file: Path) -> tuple[str, bool]:
    """(Hono-style path, is middleware) of a Pages Function file: ``api/[[path]].js`` serves
    ``/api/*``, ``users/[id].ts`` ``/users/:id``, ``index.js`` its folder; ``_middleware.js`` runs
    before everything under its folder."""
    parts = list(file.relative_to(top).with_suffix("").parts)
    middleware = parts[-1] == "_middleware"
    if middleware or parts[-1] == "index":
        parts = parts[:-1]
    segments = []
    for part in parts:
        if part.startswith("[[") and part.endswith("]]"):
            segments.append("*")
        elif part.startswith("[") and part.endswith("]"):
            segments.append(":" + part[1:-1])
        else:
            segments.append(part)
    path = "/" + "/".join(segments)
    if middleware:
        path = path.rstrip("/") + "/*"
    return path, middleware


def _pages_registrations(graph: ts.ModuleGraph, top: Path, files: list[Path]) -> list[Registration]:
    """Each exported ``onRequest*`` handler as a route (``use`` for a ``_middleware``) of one app,
    middleware of outer folders first, all before the routes: the order Pages runs them in."""
    app: AppKey = (str(top), "pages")
    out = []
    for file in files:
        module = graph.load(file)
        if module is None:
            continue
        path, middleware = _pages_route(top, file)
        for exported in sorted(graph.export_names(module)):
            match = _PAGES_HANDLER.fullmatch(exported)
            found = graph.resolve_export(module, exported) if match else None
            if found is None or found[2] is None:
                continue
            node = ts.unwrap(found[2])
            if node.type == "variable_declarator":
                node = ts.unwrap(node.child_by_field_name("value"))
            if node is None:
                continue
            handlers = list(node.named_children) if node.type == "array" else [node]
            method = "use" if middleware else (match.group(1) or "all").lower()  # type: ignore[union-attr]
            order = (path.count("/"), 0) if middleware else (1000, len(out))
            out.append(Registration(found[0], node, app, method, path, handlers, order))
    return out


def analyse_front(project: Project, pair: Pair) -> FrontAnalysis:
    """Routes and proxy calls of ``pair.front`` with their protection status."""
    main = pair.front.main
    graph: ts.ModuleGraph = project.ts_graph
    functions = pages_functions(pair.front)
    if functions:  # a Pages project: its Functions are its routes
        entries = [m for m in (graph.load(f) for f in functions) if m is not None]
    elif main is None or not fs.is_file(main):
        return FrontAnalysis(main_found=False)
    else:
        entries = [graph.load(main)]  # type: ignore[list-item]
    if not entries:
        return FrontAnalysis(main_found=False)
    entry = entries[0]
    modules = list({m.path: m for e in entries for m in graph.reachable(e)}.values())
    code = Code(graph, pair.binding)
    auth_names = set(project.settings.auth_middleware)
    registrations, mounts, base_paths = _collect(graph, modules)
    if functions:
        registrations += _pages_registrations(graph, pair.front.root / "functions", functions)

    def auth_in(reg: Registration, handlers: list[Any]) -> bool:
        return any(_is_auth(code, reg.module, h, auth_names) for h in handlers)

    by_app: dict[AppKey, list[Registration]] = {}
    for reg in registrations:
        by_app.setdefault(reg.app, []).append(reg)

    def report(reg: Registration, table: dict[AppKey, Mount]) -> RouteReport:
        prefix = _prefix(reg.app, table, base_paths, own=reg.base)
        full = join_paths(prefix, reg.path)
        chain: list[tuple[ts.Module, Any]] = []
        protected = auth_in(reg, reg.handlers[:-1])
        for use in covering_uses(reg, by_app, table, base_paths, prefix, full):
            chain.extend((use.module, h) for h in use.handlers)
            if auth_in(use, use.handlers):
                protected = True
        chain.extend((reg.module, h) for h in reg.handlers)
        return RouteReport(reg, full, protected, chain)

    analysis = FrontAnalysis(main_found=True, graph=graph, code=code, modules=modules, auth_names=auth_names)
    for reg in registrations:
        if not any(code.reaches(reg.module, h) for h in reg.handlers):
            continue
        # a sub-app mounted twice is reached both ways: the route is as open as its most open way in
        ways = [report(reg, table) for table in _mount_variants(reg.app, mounts)]
        analysis.routes.append(next((way for way in ways if not way.protected), ways[0]))

    calls: list[ProxyCall] = []
    runtime = set().union(*(_runtime_modules(graph, e) for e in entries))
    for module in modules:
        if module.path not in runtime:
            continue  # reached only through `import type`: none of its code runs in this Worker
        for node, kind, method in binding_calls(code, module):
            scope = ts.enclosing_function(node) or node
            calls.append(ProxyCall(module, node, code.closure(module, scope), kind, method))
    if not calls:
        # a framework front (TanStack Start, React Router...): its `main` hands requests to the
        # framework, whose routes and server functions `main` never imports; read them instead
        extra = framework_modules(project, pair, graph, {m.path for m in modules})
        if extra is None:
            analysis.unused = not any(_uses_binding(m, pair.binding) for m in modules)
            extra = []
        for module in extra:
            runtime |= _runtime_modules(graph, module)
            for node, kind, method in binding_calls(code, module):
                scope = ts.enclosing_function(node) or node
                calls.append(ProxyCall(module, node, code.closure(module, scope), kind, method))
        modules = modules + [m for m in _closure_of(graph, extra) if m.path not in {n.path for n in modules}]
        analysis.modules = modules
    analysis.handoff_calls = handoff_calls(code, graph, modules)
    routed: set[tuple[str, int]] = set()
    for route in analysis.routes:
        nodes = {(str(m.path), n.id) for h_mod, h in route.chain for m, n in code.closure(h_mod, h)}
        # the calls a route makes through a client object it is handed count as its own
        route.calls = [
            call for call in (*calls, *analysis.handoff_calls) if _inside(call.module, call.node, nodes)
        ]
        routed |= nodes
        # auth written in the handler itself (`const s = await requireSession(c); if (s instanceof
        # Response) return s;`) before every binding call counts, as in a plain fetch handler
        if not route.protected and route.calls:
            route.protected = all(
                _guarded(code, c.module, c.node, auth_names, modules, within=nodes) for c in route.calls
            )
    scopes: tuple[set[tuple[str, int]], ...] | None = None
    for proxy_call in calls:
        analysis.proxy_calls.append(proxy_call)
        if _inside(proxy_call.module, proxy_call.node, routed):
            continue
        if scopes is None and not functions:  # a Pages Function's code runs for requests only
            scopes = _entry_scopes(code, entry, modules, pair.front)
        if scopes is not None and not _inside(proxy_call.module, proxy_call.node, scopes[0]):
            if _inside(proxy_call.module, proxy_call.node, scopes[1]):
                analysis.background_calls.append(proxy_call)
                continue
            if _inside(proxy_call.module, proxy_call.node, scopes[2]):
                analysis.rpc_method_calls.append(proxy_call)
                continue
        if proxy_call.kind == "fetch":
            analysis.unrouted_calls.append(proxy_call)
        guarded = _guarded(code, proxy_call.module, proxy_call.node, auth_names, modules)
        if not guarded:
            (analysis.unguarded_calls if proxy_call.kind == "fetch" else analysis.unguarded_rpc).append(
                proxy_call
            )
    return analysis


#: folders of a front's package that hold no code its Worker runs
_NOT_SOURCE_DIRS = frozenset({"test", "tests", "__tests__", "e2e", "fixtures", "scripts", "build", "public"})
_NOT_SOURCE_FILE = re.compile(
    r"\.(?:test|spec|stories|d)\.[cm]?[jt]sx?$|(?:^|/)(?:vite|vitest|playwright)\.config\."
)
#: at most this many files of a framework front are read: past that, its routes stay unread
MAX_FRAMEWORK_FILES = 2000


def framework_modules(
    project: Project, pair: Pair, graph: ts.ModuleGraph, known: set[Any]
) -> list[ts.Module] | None:
    """The source modules of ``pair.front``'s package that its ``main`` does not import, when
    one of them uses the binding: a framework's file-based routes and server functions
    (TanStack Start's ``createServerFn``, React Router loaders) run in the Worker although the
    entry only calls ``handler.fetch(request)``. The package is the front config's folder,
    without build output, tests and the folders of other Workers' configs. None when neither
    these files nor what they import use the binding (nothing to read); empty when the package
    is too large to read."""
    from dualworker_cli.check.discover import SKIP_DIRS

    top = pair.front.config.path.parent
    others = {str(w.config.path.parent) for w in project.workers if w.config.path.parent != top}
    found: list[Any] = []
    for folder, dirs, files in fs.walk(top):
        dirs[:] = [
            d
            for d in dirs
            if d not in SKIP_DIRS and d not in _NOT_SOURCE_DIRS and f"{folder}/{d}" not in others
        ]
        for name in files:
            if name.endswith(ts.EXTENSIONS) and not _NOT_SOURCE_FILE.search(name):
                found.append(f"{folder}/{name}")
        if len(found) > MAX_FRAMEWORK_FILES:
            return []
    loaded = [m for f in sorted(found) if (m := graph.load(Path(f))) is not None and m.path not in known]
    # the binding may be read in a workspace package the routes import (`createClientFromEnv(env)`)
    if not any(_uses_binding(m, binding=pair.binding) for m in _closure_of(graph, loaded)):
        return None
    return loaded


def _uses_binding(module: ts.Module, binding: str) -> bool:
    """Does the module touch ``binding`` as a value (``env.B``, ``const { B } = env``,
    ``env["B"]``)? A type's field (``type Env = { B: Fetcher }``) is no use."""
    return binding in module.source and module_facts(module).touches(binding, module.root)


def _closure_of(graph: ts.ModuleGraph, roots: list[ts.Module]) -> list[ts.Module]:
    """``roots`` and the modules they import, each once, in order."""
    seen: dict[Any, ts.Module] = {}
    for root in roots:
        for module in graph.reachable(root):
            seen.setdefault(module.path, module)
    return list(seen.values())


def _runtime_modules(graph: ts.ModuleGraph, entry: ts.Module) -> set[Any]:
    """Paths of the modules ``entry`` imports for their values (an ``import type`` loads no code: a
    front importing its backend's types does not run the backend)."""
    seen: set[Any] = set()
    todo = [entry]
    while todo:
        module = todo.pop()
        if module.path in seen:
            continue
        seen.add(module.path)
        types_only: set[str] = set()
        for stmt in module.root.named_children:
            if stmt.type == "import_statement" and any(c.type == "type" for c in stmt.children):
                types_only |= {ts.text(n) for n in ts.walk(stmt) if n.type == "identifier"}
        targets = [t for name, (t, _) in module.imports.items() if name not in types_only]
        targets += [t for t, _ in module.reexports]
        todo.extend(graph.modules[t] for t in targets if t is not None and t in graph.modules)
    return seen


#: members of the default export that no client request runs (cron, queue batches, tail events,
#: inbound email, a Durable Object alarm)
_BACKGROUND_HANDLERS = frozenset({"scheduled", "queue", "tail", "trace", "email", "alarm"})
_BACKGROUND_CLASS = re.compile(r"\b(?:DurableObject|WorkflowEntrypoint)\b")
_ENTRYPOINT_CLASS = re.compile(r"\bWorkerEntrypoint\b")
_CLASS_TYPES = ("class_declaration", "class", "abstract_class_declaration")


def _handler_members(node: Any) -> list[tuple[str, Any]] | None:
    """(name, node) of the members of a handler object or class; None for any other shape."""
    if node.type == "object":
        members = node.named_children
    elif node.type in _CLASS_TYPES:
        body = node.child_by_field_name("body")
        members = body.named_children if body is not None else []
    else:
        return None
    out = []
    for member in members:
        name = member.child_by_field_name("name") or member.child_by_field_name("key")
        if member.type == "shorthand_property_identifier":
            name = member
        if name is not None:
            out.append((ts.string_value(name) or ts.text(name), member))
    return out


def _background_class_names(worker: Any) -> set[str]:
    """Classes the config runs as Durable Objects or Workflows (its own, not another script's)."""
    names: set[str] = set()
    for _, block in worker.blocks():
        durable = block.get("durable_objects")
        entries = durable.get("bindings") if isinstance(durable, dict) else None
        workflows = block.get("workflows")
        for entry in (entries if isinstance(entries, list) else []) + (
            workflows if isinstance(workflows, list) else []
        ):
            if (
                isinstance(entry, dict)
                and isinstance(entry.get("class_name"), str)
                and not entry.get("script_name")
            ):
                names.add(entry["class_name"])
    return names


def _heritage(definition: Any) -> str:
    """The ``extends ...``/``implements ...`` text of a class ("" for anything else)."""
    heritage = next((c for c in definition.children if c.type == "class_heritage"), None)
    return ts.text(heritage) if heritage is not None else ""


def _this_members(node: Any) -> set[str]:
    """The names of ``this.x`` read inside ``node`` (``this.#x`` as ``#x``)."""
    out = set()
    for sub in ts.walk(node):
        if sub.type == "member_expression":
            obj, prop = sub.child_by_field_name("object"), sub.child_by_field_name("property")
            if obj is not None and obj.type == "this" and prop is not None:
                out.add(ts.text(prop))
    return out


def _split_entrypoint(members: list[tuple[str, Any]]) -> tuple[list[Any], list[Any]]:
    """(request, rpc) members of a ``WorkerEntrypoint`` default export: ``fetch``, the constructor,
    fields and the methods they reach through ``this.x`` run for a request on its URL; every other
    method only runs when another Worker calls it over its service binding (RPC)."""
    by_name = dict(members)
    request = {n for n, m in members if n in ("fetch", "constructor") or m.type != "method_definition"}
    todo = list(request)
    while todo:
        for name in _this_members(by_name[todo.pop()]):
            if name in by_name and name not in request:
                request.add(name)
                todo.append(name)
    return [by_name[n] for n in request], [m for n, m in members if n not in request]


def _entry_scopes(
    code: Code, entry: ts.Module, modules: list[ts.Module], worker: Any
) -> tuple[set[tuple[str, int]], set[tuple[str, int]], set[tuple[str, int]]]:
    """The code client requests run (from the default export's ``fetch`` - or all of it when its
    shape is not a plain handler object or class), the code only background entry points run
    (its ``scheduled``/``queue``/... members, Durable Object and Workflow classes) and the code
    only RPC runs (the other methods of a ``WorkerEntrypoint``, all of a named one's: no URL
    reaches them, only a Worker holding a service binding to this one)."""
    request: list[tuple[ts.Module, Any]] = []
    background: list[tuple[ts.Module, Any]] = []
    rpc: list[tuple[ts.Module, Any]] = []
    found = code.graph.resolve_export(entry, "default")
    default = ts.unwrap(found[2]) if found is not None and found[2] is not None else None
    if default is not None:
        module = found[0]  # type: ignore[index]
        members = _handler_members(default)
        if members is None:
            request.append((module, default))
        background += [(module, m) for n, m in members or [] if n in _BACKGROUND_HANDLERS]
        members = [(n, m) for n, m in members or [] if n not in _BACKGROUND_HANDLERS]
        if default.type in _CLASS_TYPES and _ENTRYPOINT_CLASS.search(_heritage(default)):
            on_url, on_rpc = _split_entrypoint(members)
            request += [(module, m) for m in on_url]
            rpc += [(module, m) for m in on_rpc]
        else:
            request += [(module, m) for _, m in members]
    classes = _background_class_names(worker)
    for module in modules:
        for name, definition in module.defs.items():
            if definition is None or definition.type not in _CLASS_TYPES:
                continue
            heritage = _heritage(definition)
            if name in classes or _BACKGROUND_CLASS.search(heritage):
                background.append((module, definition))
            elif _ENTRYPOINT_CLASS.search(heritage) and (default is None or definition.id != default.id):
                rpc.append((module, definition))

    def nodes(roots: list[tuple[ts.Module, Any]]) -> set[tuple[str, int]]:
        return {(str(m.path), n.id) for mod, root in roots for m, n in code.closure(mod, root)}

    return nodes(request), nodes(background) if background else set(), nodes(rpc) if rpc else set()


def _inside(module: ts.Module, node: Any, nodes: set[tuple[str, int]]) -> bool:
    current = node
    while current is not None:
        if (str(module.path), current.id) in nodes:
            return True
        current = current.parent
    return False


def _function_key(module: ts.Module, function: Any) -> tuple[str, int] | None:
    """(module, node id) of the top-level definition a function is (``function f`` or
    ``const f = () => ...``), so its call sites can be found; None for anything else."""
    node = function
    if node.parent is not None and node.parent.type == "variable_declarator":
        node = node.parent.child_by_field_name("value")
    for definition in module.defs.values():
        if definition is not None and definition.id == node.id:
            return (str(module.path), node.id)
    return None


_NAMING_PARENTS = frozenset(
    {"function_declaration", "variable_declarator", "import_specifier", "export_specifier", "import_clause"}
)


def _call_sites(
    code: Code, modules: list[ts.Module], key: tuple[str, int]
) -> list[tuple[ts.Module, Any]] | None:
    """Calls ``f(...)`` of the function ``key`` in ``modules`` (indexed once per analysis); None
    when the function is also used as a value (``export default { fetch: f }``, a callback), since
    whoever receives it may call it with no auth step before."""
    index = code.call_index
    if index is None:
        index = {}
        for module in modules:
            for node in ts.walk(module.root):
                if node.type != "identifier" or node.parent is None or node.parent.type in _NAMING_PARENTS:
                    continue
                found = code.graph.resolve(module, ts.text(node))
                if found is None or found[2].type not in ts.FUNCTION_TYPES:
                    continue
                parent = node.parent
                is_call = parent.type == "call_expression" and parent.child_by_field_name("function") == node
                index.setdefault((str(found[0].path), found[2].id), []).append(
                    (module, parent if is_call else None)
                )
        code.call_index = index
    sites = index.get(key, [])
    if any(site is None for _, site in sites):
        return None
    return sites


def _guarded(
    code: Code,
    module: ts.Module,
    call: Any,
    names: set[str],
    modules: list[ts.Module],
    depth: int = 0,
    within: set[tuple[str, int]] | None = None,
) -> bool:
    """A binding call outside Hono routes (a plain ``fetch`` handler): does its function, or one
    around it, call something auth-like (by name) or answer 401 before reaching it? When the call
    sits in a helper (``forward(request, env)``), every place that calls the helper must be -
    every place in ``within`` (a route's code), when the question is about one route: another
    route calling the same helper is judged on its own."""
    if _guarded_here(module, call, names):
        return True
    function = ts.enclosing_function(call)
    key = _function_key(module, function) if function is not None and depth < 4 else None
    sites = _call_sites(code, modules, key) if key is not None else None
    if sites is None and key is None and function is not None and depth < 4:
        sites = _method_sites(code, modules, module, function)
    if sites and within is not None:
        sites = [(m, site) for m, site in sites if _inside(m, site, within)] or sites
    if sites:
        return all(_guarded(code, m, site, names, modules, depth + 1, within) for m, site in sites)
    if function is None or depth >= 4:
        return False
    if _injected_guarded(code, module, function, names, modules, depth):
        return True
    # a client a factory returns (`const verify = httpVerifyClient(env.API)`: `(api) => async (input)
    # => api.fetch(...)`) runs only after the factory is called: where that call is guarded, so is it
    return _made_by_factory(function) and _guarded(code, module, function, names, modules, depth + 1, within)


def _made_by_factory(function: Any) -> bool:
    """Is ``function`` what another function returns: an arrow's body, or a returned value?"""
    parent = function.parent
    if parent is None:
        return False
    if parent.type == "arrow_function":
        return parent.child_by_field_name("body") == function
    if parent.type == "parenthesized_expression":
        parent = parent.parent
    return (
        parent is not None and parent.type == "return_statement" and ts.enclosing_function(parent) is not None
    )


def _class_method(function: Any) -> Any:
    """The class method a function runs as: itself (``m() {}``, ``m = () => {}``), or the method
    around a callback it is passed as (``this.run(() => this.binding.x())``); None otherwise."""
    current = function
    while current is not None:
        parent = current.parent
        if current.type == "method_definition" or (
            parent is not None and parent.type == "public_field_definition"
        ):
            return current if _enclosing_class(current) is not None else None
        if parent is None or parent.type != "arguments":
            return None
        current = ts.enclosing_function(current)
    return None


def _method_sites(
    code: Code, modules: list[ts.Module], module: ts.Module, function: Any
) -> list[tuple[ts.Module, Any]] | None:
    """The calls ``x.m(...)`` in ``modules`` that may run the class method around ``function``
    (:func:`method_targets`), so a client class's binding call is judged where the route calls
    the client; None when it is no class method or nothing calls it."""
    method = _class_method(function)
    if method is None:
        return None
    index = code.__dict__.get("_method_sites")
    if index is None:
        index = code.__dict__["_method_sites"] = {}
        for other in modules:
            for call in module_facts(other).calls:
                if ts.unwrap(call.obj) is not None and ts.unwrap(call.obj).type == "this":
                    continue  # a class's call of its own method: its callers are what counts
                for target_module, target in method_targets(code.graph, other, call):
                    index.setdefault((str(target_module.path), target.id), []).append((other, call.node))
    return index.get((str(module.path), method.id)) or None


def _injected_guarded(
    code: Code, module: ts.Module, function: Any, names: set[str], modules: list[ts.Module], depth: int
) -> bool:
    """A named function handed to a constructor (``new ProtectedController(authorizer, fetchFn)``)
    runs where the object calls it: is every call of it, there and where the function is called
    directly, after an auth step? Only for a function whose every use is seen (one local to its
    function or module, not exported)."""
    name = _function_name(function)
    scope = ts.enclosing_function(function) or module.root
    if not name or (scope is module.root and name in module.exports.values()):
        return False
    uses = [
        n
        for n in ts.walk(scope)
        if n.type == "identifier" and ts.text(n) == name and n.parent.type not in _NAMING_PARENTS
    ]
    for use in uses:
        parent = use.parent
        if parent.type == "call_expression" and parent.child_by_field_name("function") == use:
            if not _guarded(code, module, parent, names, modules, depth + 1):
                return False
        elif (
            parent.type == "arguments"
            and parent.parent is not None
            and parent.parent.type == "new_expression"
        ):
            index = parent.named_children.index(use)
            if not _constructed_calls_guarded(code, module, parent.parent, index, names):
                return False
        else:
            return False
    return bool(uses)


def _constructed_calls_guarded(code: Code, module: ts.Module, new: Any, index: int, names: set[str]) -> bool:
    """``new C(..., fn)`` with ``fn`` at ``index``: does class C keep it in a field (a parameter
    property, ``this.#fetch = fetchFn``) and call it only after an auth step in the calling method
    (``await this.#useCase.execute(...)`` on an ``AuthorizeRequest``)? False when it does anything
    else with it (passes it on), or when C is not found."""
    ctor = new.child_by_field_name("constructor")
    found = (
        code.graph.resolve(module, ts.text(ctor)) if ctor is not None and ctor.type == "identifier" else None
    )
    cls = ts.unwrap(found[2]) if found is not None else None
    if cls is None or cls.type not in _CLASS_TYPES:
        return False
    fields = _fields_for_parameter(cls, index)
    uses = [
        n
        for n in ts.walk(cls)
        if n.type == "member_expression"
        and n.child_by_field_name("object").type == "this"
        and ts.text(n.child_by_field_name("property")) in fields
    ]
    calls = [n.parent for n in uses if n.parent.type == "call_expression"]
    stores = [
        n
        for n in uses
        if n.parent.type == "assignment_expression" and n.parent.child_by_field_name("left") == n
    ]
    if not calls or len(calls) + len(stores) != len(uses):
        return False
    return all(_guarded_here(found[0], c, names) for c in calls)  # type: ignore[index]


def _constructor_parameters(cls: Any) -> tuple[Any, list[Any]]:
    """(constructor, its parameter nodes) of a class; (None, []) without a constructor."""
    body = cls.child_by_field_name("body")
    for member in body.named_children if body is not None else []:
        name = member.child_by_field_name("name")
        if member.type == "method_definition" and name is not None and ts.text(name) == "constructor":
            params = member.child_by_field_name("parameters")
            return member, list(params.named_children) if params is not None else []
    return None, []


def _fields_for_parameter(cls: Any, index: int) -> set[str]:
    """The fields the constructor keeps its parameter ``index`` in: a parameter property
    (``private fetchFn: F``, ``readonly fetchFn: F``) or ``this.x = fetchFn`` assignments."""
    constructor, params = _constructor_parameters(cls)
    if constructor is None or index >= len(params):
        return set()
    pattern = params[index].child_by_field_name("pattern")
    if pattern is None or pattern.type != "identifier":
        return set()
    name = ts.text(pattern)
    modifiers = ("accessibility_modifier", "readonly")  # `private x: T`, `readonly x: T`
    fields = {name} if any(c.type in modifiers for c in params[index].children) else set()
    for sub in ts.walk(constructor):
        if (
            sub.type == "assignment_expression"
            and ts.text(ts.unwrap(sub.child_by_field_name("right"))) == name
        ):
            left = sub.child_by_field_name("left")
            if left.type == "member_expression" and left.child_by_field_name("object").type == "this":
                fields.add(ts.text(left.child_by_field_name("property")))
    return fields


def parameter_arguments(
    analysis: FrontAnalysis, module: ts.Module, node: Any, name: str
) -> list[tuple[ts.Module, Any, Any]] | None:
    """What every caller passes for parameter ``name`` of the function around ``node``
    (``fetchDataService("/health")`` for ``path``): (module, call, argument) per call site; None
    when ``name`` is no parameter of it, the function is also used as a value, or it has no callers."""
    function = ts.enclosing_function(node)
    if function is None or analysis.code is None:
        return None
    params = _parameter_names(function)
    if name not in params:
        return None
    key = _function_key(module, function)
    sites = _call_sites(analysis.code, analysis.modules, key) if key is not None else None
    if not sites:
        return None
    out = []
    for site_module, site in sites:
        args = ts.arguments(site)
        index = params.index(name)
        if index >= len(args):
            return None
        out.append((site_module, site, args[index]))
    return out


def authenticated_before(analysis: FrontAnalysis, module: ts.Module, node: Any) -> bool:
    """Does an auth step run before ``node`` on every way to it (its function's own checks, a
    server function's middleware, or every caller's)?"""
    return analysis.code is not None and _guarded(
        analysis.code, module, node, analysis.auth_names, analysis.modules
    )


def unauthenticated_callers(
    analysis: FrontAnalysis, module: ts.Module, node: Any
) -> list[tuple[ts.Module, Any]]:
    """The places that call the helper around ``node`` with no auth step before
    (a server function without auth middleware calling ``callData(...)``), so a finding at the
    helper's binding call can say which caller to fix; empty when ``node`` is in no such helper."""
    code = analysis.code
    function = ts.enclosing_function(node)
    key = _function_key(module, function) if function is not None and code is not None else None
    sites = _call_sites(code, analysis.modules, key) if code is not None and key is not None else None
    out = []
    for site_module, site in sites or []:
        if not _guarded(code, site_module, site, analysis.auth_names, analysis.modules):  # type: ignore[arg-type]
            out.append((site_module, site))
    return out


def authenticated_somewhere(analysis: FrontAnalysis, call: ProxyCall, depth: int = 0) -> bool:
    """Does an auth step run before ``call`` on at least one way to it: in its function, or before
    one of the places that call the function (``proxy(request)`` after a session check on one path)?"""
    return analysis.code is not None and _guarded_any(analysis, call.module, call.node, depth)


def _guarded_any(analysis: FrontAnalysis, module: ts.Module, call: Any, depth: int) -> bool:
    code = analysis.code
    assert code is not None
    if _guarded_here(module, call, analysis.auth_names):
        return True
    function = ts.enclosing_function(call)
    key = _function_key(module, function) if function is not None and depth < 4 else None
    if key is None:
        return False
    _call_sites(code, analysis.modules, key)  # builds the index
    sites = (code.call_index or {}).get(key, [])
    return any(site is not None and _guarded_any(analysis, m, site, depth + 1) for m, site in sites)


#: the methods that end a tRPC procedure's builder chain with its handler
_PROCEDURE_METHODS = frozenset({"query", "mutation", "subscription"})


def _chain_guard(function: Any, names: set[str]) -> bool:
    """Is ``function`` the handler of a builder chain that authenticates first: a TanStack Start
    server function ``createServerFn().middleware([authMiddleware]).handler(fn)``, or a tRPC
    procedure built on an auth-named base (``protectedProcedure.input(...).mutation(fn)``)?"""
    parent = function.parent
    if parent is None or parent.type != "arguments" or parent.parent is None:
        return False
    current = ts.unwrap(parent.parent.child_by_field_name("function"))
    final = current.child_by_field_name("property") if current.type == "member_expression" else None
    procedure = final is not None and ts.text(final) in _PROCEDURE_METHODS
    while current is not None:
        current = ts.unwrap(current)
        if current.type == "identifier":
            name = ts.text(current)
            return procedure and (name in names or AUTH_NAME.search(name))
        if current.type == "member_expression":
            prop = current.child_by_field_name("property")
            if prop is not None and ts.text(prop) == "middleware" and current.parent is not None:
                args = current.parent.child_by_field_name("arguments")
                if args is not None and any(
                    n.type == "identifier" and (ts.text(n) in names or AUTH_NAME.search(ts.text(n)))
                    for n in ts.walk(args)
                ):
                    return True
            current = current.child_by_field_name("object")
        elif current.type == "call_expression":
            current = current.child_by_field_name("function")
        else:
            return False
    return False


def _function_name(function: Any) -> str:
    """The name a function is known by: ``function f``, ``const f = () =>``, a method ``f()``."""
    name = function.child_by_field_name("name")
    if name is None and function.parent is not None and function.parent.type == "variable_declarator":
        name = function.parent.child_by_field_name("name")
    return ts.text(name) if name is not None else ""


#: names of functions that keep or change data about auth (`storeGithubOAuthDetails`,
#: `deleteSession`): they mention auth without being an auth step
_STORES = re.compile(r"(?:store|save|persist|put|update|delete|remove|list|add)(?:[A-Z_]|$)")


def _guarded_here(module: ts.Module, call: Any, names: set[str]) -> bool:
    """Does the function around ``call`` (or one around it) take an auth step before it: an
    auth-named call, a check on an auth-named object, a 401 answer or a thrown access error?"""
    scope = ts.enclosing_function(call)
    while scope is not None:
        if _chain_guard(scope, names):
            return True
        name = _function_name(scope)
        if name and (name in names or (AUTH_NAME.search(name) and not _STORES.match(name))):
            return True  # the call is the auth step itself (`validateSession` asking an auth service)
        for sub in ts.nodes_in(module, scope, "number", "call_expression", "new_expression"):
            if sub.start_byte >= call.start_byte:
                break
            if sub.type == "number" and ts.text(sub) in ("401", "403"):
                return True
            if sub.type == "new_expression" and _throws_denied(sub):
                return True
            if sub.type == "call_expression":
                func = sub.child_by_field_name("function")
                name_node = func.child_by_field_name("property") if func.type == "member_expression" else func
                name = ts.text(name_node) if name_node is not None else ""
                if name in names or AUTH_NAME.search(name):
                    return True
                if func.type == "member_expression" and _auth_check(module, func, name, names):
                    return True
        scope = ts.enclosing_function(scope)
    return False


#: errors that refuse access (`throw new UnauthorizedException()`, `PermissionDeniedError`): thrown
#: before the binding call, they end the request as a 401/403 does
_DENIED_ERROR = re.compile(
    r"Unauthori[sz]ed|Unauthenticated|Forbidden|PermissionDenied|AccessDenied|NotAuthori[sz]ed|"
    r"NotAuthenticated|AuthenticationError|AuthorizationError"
)


def _throws_denied(new: Any) -> bool:
    """``throw new UnauthorizedError()`` (the ``new`` of it)."""
    parent = new.parent
    ctor = new.child_by_field_name("constructor")
    return (
        parent is not None
        and parent.type == "throw_statement"
        and ctor is not None
        and bool(_DENIED_ERROR.search(ts.text(ctor)))
    )


#: methods that run a check (`execute` of a use case, `verify`, `check`...): on an auth-named object
#: they are the auth step (`this.authorizeRequest.execute(req)`), unlike `auth.signOut()`
_CHECK_VERB = re.compile(
    r"(?:execute|run|invoke|check|verify|validate|authori[sz]e|authenticate|assert|ensure|require|guard|can)"
    r"(?:[A-Z_]\w*)?"
)


def _auth_check(module: ts.Module, func: Any, method: str, names: set[str]) -> bool:
    """``receiver.method(...)``: a check verb on a receiver that says it is auth, by its own name
    (``authorizer``, ``this.#auth``) or by the type or class it is declared with (a field
    ``readonly #useCase: AuthorizeRequest``, ``const uc = new AuthorizeRequest(...)``)."""
    if not _CHECK_VERB.fullmatch(method):
        return False
    return any(
        name in names or AUTH_NAME.search(name)
        for name in _receiver_names(module, func.child_by_field_name("object"))
    )


def _receiver_names(module: ts.Module, receiver: Any) -> Iterator[str]:
    """The names that say what ``receiver`` is: its own, then its declared types and classes."""
    receiver = ts.unwrap(receiver)
    if receiver is None:
        return
    if receiver.type == "identifier":
        yield ts.text(receiver)
        yield from _local_types(module, receiver)
    elif receiver.type == "member_expression":
        obj, prop = receiver.child_by_field_name("object"), receiver.child_by_field_name("property")
        if prop is None:
            return
        yield ts.text(prop).lstrip("#")
        if obj is not None and obj.type == "this":
            yield from _field_types(receiver, ts.text(prop))


def _type_names(node: Any) -> list[str]:
    """The type or class a declaration names: a type annotation's text, a ``new C()`` value's C."""
    if node is None:
        return []
    if node.type == "type_annotation":
        return [ts.text(node).lstrip(":").strip()]
    node = ts.unwrap_await(node)
    ctor = (
        node.child_by_field_name("constructor")
        if node is not None and node.type == "new_expression"
        else None
    )
    return [ts.text(ctor)] if ctor is not None else []


def _local_types(module: ts.Module, ident: Any) -> list[str]:
    """Types of a local name: a parameter's annotation, a ``const x = new C()`` in scope."""
    name = ts.text(ident)
    out = []
    function = ts.enclosing_function(ident)
    while function is not None:
        params = function.child_by_field_name("parameters")
        for param in params.named_children if params is not None else []:
            pattern = param.child_by_field_name("pattern")
            if pattern is not None and ts.text(pattern) == name:
                out += _type_names(param.child_by_field_name("type"))
        function = ts.enclosing_function(function)
    for decl, pattern, value in module_facts(module).declarators:
        if decl.start_byte >= ident.start_byte:
            break
        if pattern.type == "identifier" and ts.text(pattern) == name and in_scope(decl, ident):
            out += _type_names(decl.child_by_field_name("type")) + _type_names(value)
    return out


def _field_types(node: Any, name: str) -> list[str]:
    """Types of ``this.<name>`` in the class around ``node``: the field's annotation or value,
    the constructor parameter property of that name, or what the constructor assigns to it."""
    cls = node.parent
    while cls is not None and cls.type not in _CLASS_TYPES:
        cls = cls.parent
    if cls is None:
        return []
    out = []
    body = cls.child_by_field_name("body")
    for member in body.named_children if body is not None else []:
        field_name = member.child_by_field_name("name")
        if (
            member.type == "public_field_definition"
            and field_name is not None
            and ts.text(field_name) == name
        ):
            out += _type_names(member.child_by_field_name("type")) + _type_names(
                member.child_by_field_name("value")
            )
    _, params = _constructor_parameters(cls)
    for index, param in enumerate(params):
        if name in _fields_for_parameter(cls, index):
            out += _type_names(param.child_by_field_name("type"))
    return out


def _own_folders(worker: Worker) -> tuple[str, ...]:
    """Path prefixes of the Worker's own code: its config's folder and its entry's."""
    folders = {str(worker.root)}
    if worker.main is not None:
        folders.add(str(worker.main.parent))
    return tuple(folder.rstrip("/") + "/" for folder in folders)


def front_authenticates_anywhere(project: Project, pair: Pair) -> bool:
    """Does the front's code authenticate anything at all: a protected route, an auth-named call
    (``verifySession``, ``jwt(...)``, ``requireAuth``), or a 401 answer? A front with none is a
    public app by design (a demo, a test fixture, a proxy for public data), and an unauthenticated
    route in it is its nature, not a forgotten middleware (DW005 stays quiet for hand-written
    projects; a front with auth elsewhere is where a route without it is a mistake)."""

    def compute() -> bool:
        analysis = front_analysis(project, pair)
        if analysis.code is None:
            return True  # cannot tell: keep the rule
        if any(route.protected for route in analysis.routes):
            return True
        own = _own_folders(pair.front)
        for module in analysis.modules or []:
            if not str(module.path).startswith(own):
                continue  # a shared package (a proof-of-work `verify` behind `export *`) is not the front
            facts = module_facts(module)
            names = [c.method for c in facts.calls] + [
                ts.text(n.child_by_field_name("function")) for n in facts.plain_calls
            ]
            if any(name in analysis.auth_names or AUTH_NAME.search(name) for name in names):
                return True
            if "401" in module.source and any(
                n.type == "number" and ts.text(n) == "401" for n in ts.walk(module.root)
            ):
                return True
        # a server function's auth middleware, a session check before the call
        return any(authenticated_somewhere(analysis, call) for call in analysis.proxy_calls)

    return project.memo(("front-authenticates", str(pair.front.config.path), pair.binding), compute)
