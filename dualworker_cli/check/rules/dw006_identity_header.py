"""DW006: the proxy forwards client headers without removing the identity header."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from dualworker_cli.check.analysis import (
    Code,
    FrontAnalysis,
    ProxyCall,
    _function_key,
    declared_value,
    front_analysis,
)
from dualworker_cli.check.backend_analysis import path_matches
from dualworker_cli.check.identity import Identity, header_read_paths, pair_identity
from dualworker_cli.check.model import Finding, Project, Rule, Severity
from dualworker_cli.check.parse import typescript as ts
from dualworker_cli.check.parse.typescript import Module
from dualworker_cli.check.request_paths import Handlers, function_uses, paths_at


def _member_name(node: Any) -> str | None:
    if node is not None and node.type == "member_expression":
        prop = node.child_by_field_name("property")
        return ts.text(prop) if prop is not None else None
    return None


def _spreads_client_headers(node: Any) -> bool:
    """``...c.req.header()`` or ``...Object.fromEntries(<x>.headers)``: a plain object of the
    client's headers with lower-case keys, to which an ``X-User-Id`` key is merely added."""
    arg = ts.unwrap(node.named_children[0]) if node.named_children else None
    if arg is None or arg.type != "call_expression":
        return False
    func = arg.child_by_field_name("function")
    name = _member_name(func)
    if name == "header" and not ts.arguments(arg):
        return True
    return name == "fromEntries" and "headers" in ts.text(arg)


#: properties of the incoming request that carry none of its headers (`c.req.raw.body`)
_NOT_HEADERS = frozenset(
    {"body", "url", "method", "signal", "cf", "redirect", "arrayBuffer", "text", "json", "formData", "blob"}
)


def _init_sets_headers(init: Any) -> bool:
    """``{ headers: ... }`` (or ``{ headers }``) as a RequestInit: it replaces the input's headers."""
    init = ts.unwrap(init)
    if init is None or init.type != "object":
        return False
    for member in init.named_children:
        if member.type == "shorthand_property_identifier" and ts.text(member) == "headers":
            return True
        key = member.child_by_field_name("key") if member.type == "pair" else None
        if key is not None and (ts.string_value(key) or ts.text(key)) == "headers":
            return True
    return False


def _headers_replaced(node: Any) -> bool:
    """``node`` is the input of ``new Request(node, { headers })`` or ``X.fetch(node, { headers })``,
    whose init replaces every header the input had."""
    args = node.parent
    call = args.parent if args is not None and args.type == "arguments" else None
    if call is None or call.type not in ("new_expression", "call_expression"):
        return False
    items = args.named_children
    return len(items) >= 2 and items[0] == node and _init_sets_headers(items[1])


def _reads_one_header(member: Any) -> bool:
    """``<x>.headers.get("Content-Type")`` / ``.has(...)``: one value, not the whole set."""
    parent = member.parent
    return (
        parent is not None
        and parent.type == "member_expression"
        and _member_name(parent) in ("get", "has")
        and parent.parent is not None
        and parent.parent.type == "call_expression"
    )


def _uses_client_headers(module: Module, node: Any, call: Any = None) -> bool:
    """Does ``node`` pass the client's headers on? ``call`` (the binding call, when ``node``
    contains it) ends the search: what runs after it - say, on the response - sends nothing."""
    for sub in ts.nodes_in(module, node, "member_expression", "call_expression"):
        if call is not None and sub.start_byte >= call.end_byte:
            break
        name = _member_name(sub)
        if name == "raw":
            parent = sub.parent
            if (
                parent is not None
                and parent.type == "member_expression"
                and _member_name(parent) in (*_NOT_HEADERS, "headers")
            ):
                continue  # `c.req.raw.body`; `c.req.raw.headers` is judged as `headers`
            if _headers_replaced(sub):
                continue  # `new Request(c.req.raw, { headers: fresh })`: judged by `fresh`
            return True
        if name == "headers" and not _reads_one_header(sub):
            return True
        # `c.req.header()` is every header; `c.req.header("Authorization")` reads one value
        if (
            sub.type == "call_expression"
            and _member_name(sub.child_by_field_name("function")) == "header"
            and not ts.arguments(sub)
        ):
            return True
    return False


def _forwards_incoming_request(call: Any) -> bool:
    """``env.B.fetch(request)`` or ``fetch(new Request(request, ...))`` where ``request`` is a
    parameter of an enclosing function - the incoming request, headers and all (plain Workers)."""
    params: set[str] = set()
    scope = ts.enclosing_function(call)
    while scope is not None:
        params |= {
            ts.text(p)
            for p in ts.walk(scope.child_by_field_name("parameters") or scope)
            if p.type == "identifier"
            and p.parent is not None
            and p.parent.type in ("required_parameter", "optional_parameter", "formal_parameters")
        }
        scope = ts.enclosing_function(scope)
    args = ts.arguments(call)
    # `X.fetch(url, request)`: a Request as the init passes on its headers too
    init = ts.unwrap(args[1]) if len(args) >= 2 else None
    if init is not None and init.type == "identifier" and ts.text(init) in params:
        return True
    first = ts.unwrap(args[0]) if args else None
    if first is not None and _headers_replaced(first):
        return False
    if first is not None and first.type == "new_expression":
        inner = first.child_by_field_name("arguments")
        first = ts.unwrap(inner.named_children[0]) if inner is not None and inner.named_children else None
        if first is not None and _headers_replaced(first):
            return False
    return first is not None and first.type == "identifier" and ts.text(first) in params


def _resolve_strings(code: Code, module: Module, node: Any, depth: int = 0) -> set[str]:
    """Lower-case string values an expression can have: literals, constants (arrays and objects
    too), and loop variables over such constants."""
    node = ts.unwrap(node)
    if node is None or depth > 8:
        return set()
    value = ts.string_value(node) if node.type in ("string", "template_string") else None
    if value is not None:
        return {value.lower()}
    if node.type in ("array", "object", "pair"):
        out: set[str] = set()
        for child in node.named_children:
            target = child.child_by_field_name("value") if child.type == "pair" else child
            out |= _resolve_strings(code, module, target, depth + 1)
        return out
    if node.type == "member_expression":
        return _resolve_strings(code, module, node.child_by_field_name("object"), depth + 1)
    if node.type == "subscript_expression":
        return _resolve_strings(code, module, node.child_by_field_name("object"), depth + 1)
    if node.type != "identifier":
        return set()
    name = ts.text(node)
    found = code.graph.resolve(module, name)
    if found is not None:
        return _resolve_strings(code, found[0], found[2], depth + 1)
    scope = node.parent
    while scope is not None:  # for (const h of LIST) / LIST.forEach((h) => ...)
        if scope.type == "for_in_statement" and ts.text(scope.child_by_field_name("left") or node) == name:
            return _resolve_strings(code, module, scope.child_by_field_name("right"), depth + 1)
        if scope.type == "arrow_function" and scope.parent is not None and scope.parent.type == "arguments":
            call = scope.parent.parent
            if call is not None and _member_name(call.child_by_field_name("function")) in ("forEach", "map"):
                obj = call.child_by_field_name("function").child_by_field_name("object")
                return _resolve_strings(code, module, obj, depth + 1)
        if scope.type in ("lexical_declaration", "variable_declaration"):
            break
        scope = scope.parent
    for sub in ts.nodes_in(module, module.root, "variable_declarator"):  # a local `const h = "x-user-id"`
        if ts.text(sub.child_by_field_name("name")) == name:
            return _resolve_strings(code, module, sub.child_by_field_name("value"), depth + 1)
    return set()


def _guard_strings(code: Code, module: Module, node: Any) -> set[str]:
    """Strings the ``if`` conditions around ``node`` test against, e.g. ``INTERNAL.includes(name)``
    or ``name === "x-user-id"`` guarding a ``headers.delete(name)`` in a loop over all headers."""
    out: set[str] = set()
    current = node.parent
    while current is not None and current.type not in ts.FUNCTION_TYPES:
        if current.type == "if_statement":
            condition = current.child_by_field_name("condition")
            for sub in ts.walk(condition) if condition is not None else ():
                if sub.type in ("identifier", "string", "template_string"):
                    out |= _resolve_strings(code, module, sub)
        current = current.parent
    return out


def _removes(code: Code, call: ProxyCall, header: str) -> bool:
    """Some ``headers.delete(H)`` / ``headers.set(H, v)`` with H the identity header - directly,
    through a constant or loop over a list, or a delete guarded by a test against such a list -
    before the binding call (a delete on the response comes too late)."""
    for module, node in call.scope:
        stop = call.node.start_byte if _contains(module, node, call) else None
        for sub in ts.nodes_in(module, node, "call_expression"):
            if stop is not None and sub.start_byte >= stop:
                break
            if _writes_header(code, module, sub, header):
                return True
    return False


def _writes_header(code: Code, module: Module, call: Any, header: str) -> bool:
    """Is ``call`` a ``.set(H, v)`` / ``.delete(H)`` of the identity header (H directly, through a
    constant or a loop over a list), or a delete guarded by a test against such a list?"""
    method = _member_name(call.child_by_field_name("function"))
    args = ts.arguments(call)
    if method not in ("delete", "set") or not args:
        return False
    if header in _resolve_strings(code, module, args[0]):
        return True
    return method == "delete" and header in _guard_strings(code, module, call)


def _contains(module: Module, node: Any, call: ProxyCall) -> bool:
    return (
        module is call.module
        and node.start_byte <= call.node.start_byte
        and call.node.end_byte <= node.end_byte
    )


# ---------------------------------------------------------------------------------------------
# a request built from a URL: it carries only the headers its init gives it


def _is_url(module: Module, node: Any, depth: int = 0) -> bool:
    """Is ``node`` a URL rather than a Request (a string, ``new URL(...)``, ``<x>.url``, a variable
    holding one)? A request built from a URL starts with no headers at all."""
    node = ts.unwrap(node)
    if node is None or depth > 4:
        return False
    if node.type in ("string", "template_string"):
        return True
    if node.type == "binary_expression":  # `"https://internal" + path`: only strings are added
        return ts.text(node.child_by_field_name("operator")) == "+"
    if node.type == "new_expression":
        ctor = node.child_by_field_name("constructor")
        return ctor is not None and ts.text(ctor) == "URL"
    if node.type == "member_expression":
        return _member_name(node) in ("url", "href")
    if node.type == "identifier":
        value = declared_value(module, node)
        return value is not None and _is_url(module, value, depth + 1)
    return False


def _url_request_init(module: Module, call: Any) -> tuple[bool, Any]:
    """(built from a URL, its init or None) for the request the binding ``call`` sends:
    ``X.fetch(url, init)``, ``X.fetch(new Request(url, init))`` or a variable holding the latter."""
    args = [ts.unwrap(a) for a in ts.arguments(call)]
    if args and _is_url(module, args[0]):
        return True, args[1] if len(args) > 1 else None
    request = args[0] if len(args) == 1 else None
    for _ in range(4):
        if request is None or request.type != "identifier":
            break
        request = ts.unwrap(declared_value(module, request))
    if request is None or request.type != "new_expression":
        return False, None
    ctor = request.child_by_field_name("constructor")
    inner = [ts.unwrap(a) for a in ts.arguments(request)]
    if ctor is None or ts.text(ctor) != "Request" or not inner or not _is_url(module, inner[0]):
        return False, None
    return True, inner[1] if len(inner) > 1 else None


def _fresh_object(module: Module, node: Any) -> bool:
    """``{ "Content-Type": "application/json", "X-Request-Id": id }``: literal keys, no spread, and
    no value taken from the client's header set."""
    return all(
        pair.type == "comment"
        or (
            pair.type == "pair"
            and pair.child_by_field_name("key").type != "computed_property_name"
            and not _uses_client_headers(module, pair.child_by_field_name("value"))
        )
        for pair in node.named_children
    )


def _literal_write(module: Module, use: Any) -> bool:
    """Is ``use`` (a headers variable) written with a literal name and a value not taken from the
    client's header set: ``h["X-Request-Id"] = id``, ``h.Accept = v``, ``h.set("A", v)``,
    ``h.delete(x)``?"""
    parent = use.parent
    target = parent.parent if parent is not None else None
    if target is None:
        return False
    if target.type == "assignment_expression" and target.child_by_field_name("left") == parent:
        index = parent.child_by_field_name("index")
        literal = parent.type == "member_expression" or (index is not None and index.type == "string")
        return literal and not _uses_client_headers(module, target.child_by_field_name("right"))
    if parent.type != "member_expression" or target.type != "call_expression":
        return False
    method, args = _member_name(parent), ts.arguments(target)
    if method == "delete":
        return True
    return (
        method in ("set", "append")
        and len(args) == 2
        and args[0].type == "string"
        and not _uses_client_headers(module, args[1])
    )


def _fresh_writes(module: Module, ident: Any, value: Any, call: Any) -> bool:
    """Between ``value`` (the declaration of the headers variable ``ident`` names) and ``call``,
    is the variable only written with literal names? Passing it to a helper, or a name chosen at
    run time, may copy the client's headers in."""
    name = ts.text(ident)
    for use in ts.walk(ts.enclosing_function(call) or module.root):
        if use.start_byte >= call.start_byte:
            break
        later = use.type == "identifier" and use.start_byte >= value.end_byte
        if later and ts.text(use) == name and not _literal_write(module, use):
            return False
    return True


def _fresh_headers(module: Module, node: Any, call: Any, depth: int = 0) -> bool:
    """Does the ``headers`` of a request's init hold none of the client's headers: a literal object,
    ``new Headers()`` / ``new Headers({...})``, or a variable declared as one and only written with
    literal names before ``call``?"""
    node = ts.unwrap(node)
    if node is None or depth > 4:
        return False
    if node.type == "object":
        return _fresh_object(module, node)
    if node.type == "new_expression":
        ctor = node.child_by_field_name("constructor")
        args = ts.arguments(node)
        return (
            ctor is not None
            and ts.text(ctor) == "Headers"
            and (not args or (len(args) == 1 and _fresh_headers(module, args[0], call, depth + 1)))
        )
    if node.type in ("identifier", "shorthand_property_identifier"):
        value = declared_value(module, node)
        return (
            value is not None
            and _fresh_headers(module, value, call, depth + 1)
            and _fresh_writes(module, node, value, call)
        )
    return False


def _sends_fresh_headers(module: Module, call: Any) -> bool:
    """Is the request the binding ``call`` sends built from a URL with headers of the front's own
    (or none)? Then the client's headers reach the backend only as data - in a JSON body, say -
    which no header read of the backend sees."""
    from_url, init = _url_request_init(module, call)
    if not from_url:
        return False
    if init is None:
        return True
    if init.type != "object":
        return False
    for member in init.named_children:
        if member.type == "spread_element":
            return False
        if member.type == "shorthand_property_identifier" and ts.text(member) == "headers":
            return _fresh_headers(module, member, call)
        key = member.child_by_field_name("key") if member.type == "pair" else None
        if key is not None and (ts.string_value(key) or ts.text(key)) == "headers":
            return _fresh_headers(module, member.child_by_field_name("value"), call)
    return True


# ---------------------------------------------------------------------------------------------
# per call path: the places a forwarding helper is called from, and the paths they serve


@dataclass
class _Entry:
    """One way a request reaches the binding call: the call itself, or a place that calls the
    forwarding helper (``proxy(request, env)``) with ``arg`` as the request it forwards."""

    module: Module
    node: Any
    arg: Any
    direct: bool


def _request_root(node: Any) -> Any:
    """``x`` in ``new Request(x)`` / ``new Request(x, init)``: the request whose URL is kept."""
    node = ts.unwrap(node)
    while node is not None and node.type == "new_expression":
        ctor = node.child_by_field_name("constructor")
        args = ts.arguments(node)
        if ctor is None or ts.text(ctor) != "Request" or not args:
            break
        node = ts.unwrap(args[0])
    return node


def _param_index(function: Any, name: str) -> int | None:
    params = function.child_by_field_name("parameters")
    for index, param in enumerate(params.named_children if params is not None else []):
        pattern = param.child_by_field_name("pattern") or param
        if pattern.type == "identifier" and ts.text(pattern) == name:
            return index
    return None


def _keeps_url(module: Module, node: Any, depth: int = 0) -> bool:
    """Is the request forwarded as ``node`` sent to the URL the client asked for (``request``,
    ``c.req.raw``, ``new Request(request, init)``, ``new Request(c.req.url, init)``)? A path test
    in the front only says what the backend sees when the front does not rewrite the URL."""
    root = _request_root(node)
    if root is None or depth > 4:
        return False
    if root.type == "member_expression":
        name = _member_name(root)
        obj = ts.unwrap(root.child_by_field_name("object"))
        if name == "raw":
            return True
        return name == "url" and obj is not None and (obj.type == "identifier" or _member_name(obj) == "req")
    if root.type != "identifier":
        return False
    function = ts.enclosing_function(root)
    while function is not None:
        if _param_index(function, ts.text(root)) is not None:
            return True
        function = ts.enclosing_function(function)
    value = declared_value(module, root)
    return value is not None and _keeps_url(module, value, depth + 1)


def _fixed_path(module: Module, node: Any, depth: int = 0) -> str | None:
    """The path of the URL the request forwarded as ``node`` is sent to when the front writes it
    out (``new Request("https://internal/api/auth/session", init)``, ``X.fetch("https://x/a", init)``,
    a variable holding either): whatever path the client asked for, the backend sees this one."""
    root = _request_root(node)
    if root is None or depth > 4:
        return None
    if root.type == "identifier":
        value = declared_value(module, root)
        return _fixed_path(module, value, depth + 1) if value is not None else None
    url = ts.string_value(root) if root.type in ("string", "template_string") else None
    if url is None:
        return None
    parsed = urlsplit(url)
    return (parsed.path or "/") if parsed.scheme and parsed.netloc else None


def _entries(analysis: FrontAnalysis, module: Module, node: Any, arg: Any, depth: int = 0) -> list[_Entry]:
    """Where the request ``arg`` forwarded at ``node`` comes from: when it is a parameter of a
    top-level helper every caller of which is known, the callers (recursively), else ``node``."""
    root = _request_root(arg)
    function = ts.enclosing_function(node)
    if depth < 4 and root is not None and root.type == "identifier" and function is not None:
        index = _param_index(function, ts.text(root))
        if index is not None and _function_key(module, function) is not None and analysis.graph is not None:
            uses = function_uses(analysis.graph, analysis.modules, module, function)
            if uses and all(is_call for _, _, is_call in uses):
                out: list[_Entry] = []
                for mod, call, _ in uses:
                    args = ts.arguments(call)
                    if index < len(args):
                        out += _entries(analysis, mod, call, args[index], depth + 1)
                return out
    return [_Entry(module, node, arg, depth == 0)]


def _root_name(node: Any) -> str | None:
    """``proxied`` in ``proxied.headers.set``."""
    node = ts.unwrap(node)
    while node is not None and node.type in ("member_expression", "call_expression", "subscript_expression"):
        node = ts.unwrap(node.child_by_field_name("object") or node.child_by_field_name("function"))
    return ts.text(node) if node is not None and node.type == "identifier" else None


def _removed_at(code: Code, entry: _Entry, header: str) -> bool:
    """A ``headers.set(H, v)`` / ``headers.delete(H)`` on the request handed to the helper (or
    the Headers it was built from) before the helper is called."""
    module, site = entry.module, entry.node
    arg = ts.unwrap(entry.arg)
    related = {ts.text(n) for n in ts.walk(arg) if n.type == "identifier"}
    for ident in [n for n in ts.walk(arg) if n.type == "identifier"]:
        value = declared_value(module, ident)
        if value is not None:
            related |= {ts.text(n) for n in ts.walk(value) if n.type == "identifier"}
    scope = ts.enclosing_function(site) or module.root
    for sub in ts.nodes_in(module, scope, "call_expression"):
        if sub.start_byte >= site.start_byte:
            break
        func = sub.child_by_field_name("function")
        if _member_name(func) not in ("delete", "set") or not ts.arguments(sub):
            continue
        if _root_name(func.child_by_field_name("object")) in related and _writes_header(
            code, module, sub, header
        ):
            return True
    return False


def _front_handlers(analysis: FrontAnalysis) -> Handlers:
    return {
        (str(route.registration.module.path), ts.unwrap(h).id): route.full_path
        for route in analysis.routes
        for h in route.registration.handlers
    }


def _at_risk(
    analysis: FrontAnalysis,
    entry: _Entry,
    headers: list[str],
    read_paths: dict[str, set[str] | None],
    handlers: Handlers,
) -> list[str]:
    """The ``headers`` the backend reads on a path ``entry`` forwards (all of them when either
    side's paths are unknown)."""
    front: set[str] | None = None
    fixed = _fixed_path(entry.module, entry.arg)
    if fixed is not None:
        front = {fixed}
    elif analysis.graph is not None and _keeps_url(entry.module, entry.arg):
        front = paths_at(analysis.graph, analysis.modules, entry.module, entry.node, handlers)
    out = []
    for header in headers:
        back = read_paths.get(header)
        if front is None or back is None or any(path_matches(f, b) for f in front for b in back):
            out.append(header)
    return out


def _where(entry: _Entry) -> str:
    return f"{entry.module.rel}:{entry.module.position(entry.node)[0]}"


def _evidence(identity: Identity, header: str) -> str:
    """Why we think the backend trusts ``header``: where it is configured, read or set."""
    if identity.source == "dualworker.toml":
        return f"`identity_header` in {identity.note}"
    read = next((u.where for u in identity.reads if u.key == header), None)
    if read is not None:
        return f"the backend reads it at {read}"
    written = next((u.where for u in identity.sets if u.key == header), None)
    return f"the front sets it at {written}" if written else "inferred"


def check(project: Project) -> Iterator[Finding]:
    for pair in project.mine(project.pairs):
        analysis: FrontAnalysis = front_analysis(project, pair)
        if analysis.code is None:
            continue
        identity = pair_identity(project, pair)
        if not identity.headers:
            continue  # the backend trusts no header we can see: forwarding headers spoofs nothing
        handlers: Handlers | None = None
        for call in analysis.proxy_calls:
            if call.kind != "fetch":
                continue  # RPC arguments are DW005's business
            if _sends_fresh_headers(call.module, call.node):
                continue
            spread = next(
                (
                    (m, s)
                    for m, n in call.scope
                    for s in ts.nodes_in(m, n, "spread_element")
                    if _spreads_client_headers(s)
                ),
                None,
            )
            client = spread is not None or (
                _forwards_incoming_request(call.node)
                or any(
                    _uses_client_headers(m, n, call.node if _contains(m, n, call) else None)
                    for m, n in call.scope
                )
            )
            if not client:
                continue
            missing = list(identity.headers)
            if spread is None:
                missing = [h for h in missing if not _removes(code=analysis.code, call=call, header=h)]
            if not missing:
                continue
            # judge each way a request reaches the call, on the paths the backend reads the header
            if handlers is None:
                handlers = _front_handlers(analysis)
            # a configured header is trusted wherever it arrives
            configured = identity.source == "dualworker.toml"
            read_paths = {} if configured else header_read_paths(project, pair.backend)
            args = ts.arguments(call.node)
            risky: dict[str, _Entry] = {}
            for entry in _entries(analysis, call.module, call.node, args[0] if args else call.node):
                left = missing
                if not entry.direct and spread is None:
                    left = [h for h in left if not _removed_at(analysis.code, entry, h)]
                for header in _at_risk(analysis, entry, left, read_paths, handlers):
                    risky.setdefault(header, entry)
            missing = [h for h in missing if h in risky]
            if not missing:
                continue
            entry = risky[missing[0]]
            via = (
                "" if entry.direct else f"; the client's request reaches it from the call at {_where(entry)}"
            )
            if spread is not None:
                module, node = spread
                header = identity.name(missing[0])
                yield RULE.at_node(
                    module,
                    node,
                    f"`{ts.text(node)}` copies the client's headers with lower-case keys into a plain "
                    f"object: a client-sent `{header.lower()}` survives next to `{header}` and the "
                    f'Data Worker reads "<spoofed>, <real>" ({_evidence(identity, missing[0])}{via})',
                )
                continue
            names = ", ".join(f"`{identity.name(h)}`" for h in missing)
            yield RULE.at_node(
                call.module,
                call.node,
                f"forwards the client's headers to `{pair.binding}` without deleting or overwriting "
                f"{names} first ({_evidence(identity, missing[0])}{via}): a client can choose the "
                "identity the Data Worker trusts",
            )


RULE = Rule(
    id="DW006",
    name="identity-header-spoofable",
    title="Proxy forwards a client-sent identity header",
    severity=Severity.ERROR,
    what="Looks at each `<...>.BACKEND_SERVICE.fetch(...)` call in the User Worker and the code that "
    "builds its request. Flags spreading `c.req.header()` (or `Object.fromEntries(headers)`) into a "
    'plain object, and forwarding the client\'s headers without a `headers.delete("X-User-Id")` or '
    '`headers.set("X-User-Id", id)` (a constant or a list of internal headers works too). The identity '
    "header is observed, not assumed: a header the backend reads (`c.req.header(X)`, "
    "`request.headers.get(X)`, in any module its `main` imports) that the front also sets before the "
    "call, or whose name says who the caller is (`account-id`, `x-tenant-id`). Plumbing headers "
    "(`Content-Type`, `Upgrade`, tracing ids) never count, nor credentials the backend checks itself "
    "(`Authorization`, `Cookie`) unless the front sets them. A backend that trusts no header is not "
    "flagged; `[backend] identity_header` in `dualworker.toml` overrides the inference, and the report "
    "header says which header was used and where it was seen. A forwarding helper "
    "(`proxy(request, env)`) is judged at each place that calls it, with the request passed there; "
    'where the front\'s path test (`path.startsWith("/api/v1/")`, a Hono route) is known and the URL '
    'is kept, or the front writes the URL out (`new Request("https://internal/auth/session", init)`), '
    "only paths on which the backend reads the header count (a middleware factory's read, "
    '`app.use("/api/v1/*", tenant())`, counts on the paths it is mounted on). A request built from a URL '
    "with headers of the front's own (literal names) carries none of the client's, even when the "
    "client's headers travel in its body. RPC calls are DW005's.",
    why='`c.req.header()` returns lower-case keys. In `{ ...c.req.header(), "X-User-Id": userId }` a '
    "client-sent `x-user-id: victim` is a different key, so both survive; `new Request(..., { headers })` "
    'then joins them and the Data Worker reads `"victim, user-123"` (verified in workerd). The blueprint\'s '
    "own snippet has this bug.",
    example='new Request(c.req.raw, {\n  headers: { ...c.req.header(), "X-User-Id": userId },\n})',
    fix="Copy into a `Headers` object, delete the identity header (and other internal headers), then "
    'set it:\n\n```ts\nconst headers = new Headers(c.req.raw.headers);\nheaders.delete("X-User-Id");\n'
    'headers.set("X-User-Id", userId);\n'
    "return c.env.BACKEND_SERVICE.fetch(new Request(c.req.raw, { headers }));\n```",
    hint="new Headers(...), delete the identity header, then set it",
    check=check,
    sharded=True,
)
