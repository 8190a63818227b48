"""Which request paths reach a piece of code: the path tests written around it (DW006).

A node runs for the paths of the Hono route whose handler holds it, of the ``if`` whose test
(``url.pathname.startsWith("/api/v1/")``, ``path === "/upload"``, ``||`` of such tests) guards it,
or of the ``case "/x":`` it sits in; inside a top-level function it runs for the paths of every
place that calls the function (or passes it as a route handler). ``None`` means every path: a
node no test restricts, a function also used as a value, a path only known at run time.
"""

from __future__ import annotations

import re
from typing import Any

from dualworker_cli.check.analysis import _function_key, module_facts
from dualworker_cli.check.parse import typescript as ts

#: (module path, handler node id) -> the route's full path (None when not static)
Handlers = dict[tuple[str, int], str | None]

_PATH = re.compile(r"^/[\w\-./:*{}]*$")
_MAX_DEPTH = 4


def _path_literal(node: Any) -> str | None:
    node = ts.unwrap(node)
    if node is None or node.type not in ("string", "template_string"):
        return None
    value = ts.string_value(node)
    return value if value is not None and _PATH.match(value) else None


def condition_paths(condition: Any) -> set[str] | None:
    """The paths for which ``condition`` holds, when it is made of path tests: ``x === "/a"``,
    ``x.startsWith("/a/")`` (``/a/*``), joined by ``||`` (all of them) or ``&&`` (either side's);
    None for anything else (a negation, ``includes``, a test of something that is not a path)."""
    node = ts.unwrap(condition)
    if node is None:
        return None
    if node.type == "binary_expression":
        operator = ts.text(node.child_by_field_name("operator"))
        left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
        if operator == "||":
            a, b = condition_paths(left), condition_paths(right)
            return a | b if a is not None and b is not None else None
        if operator == "&&":
            a = condition_paths(left)
            return a if a is not None else condition_paths(right)
        if operator in ("===", "=="):
            value = _path_literal(right) or _path_literal(left)
            return {value} if value is not None else None
        return None
    if node.type == "call_expression":
        found = ts.method_call(node)
        args = ts.arguments(node)
        if found is not None and found[1] == "startsWith" and len(args) == 1:
            value = _path_literal(args[0])
            return {value.rstrip("/") + "/*"} if value is not None else None
    return None


def _case_paths(case: Any) -> set[str] | None:
    """``case "/a": case "/b": ...``: this case's value and those of the empty cases before it."""
    out: set[str] = set()
    current = case
    while current is not None and current.type == "switch_case":
        value = current.child_by_field_name("value")
        path = _path_literal(value) if value is not None else None
        if path is None:
            return None
        out.add(path)
        current = current.prev_named_sibling
        if current is None or current.type != "switch_case" or len(current.named_children) > 1:
            break
    return out


def lexical_paths(module: ts.Module, node: Any, handlers: Handlers) -> tuple[bool, set[str] | None]:
    """(found, paths) from the innermost route handler or path test around ``node`` in its own
    function nesting; found False when nothing up to the top-level function restricts it."""
    child, current = node, node.parent
    while current is not None:
        key = (str(module.path), current.id)
        if key in handlers:
            path = handlers[key]
            return True, {path} if path is not None else None
        if current.type == "if_statement" and current.child_by_field_name("consequence") == child:
            paths = condition_paths(current.child_by_field_name("condition"))
            if paths is not None:
                return True, paths
        if current.type == "ternary_expression" and current.child_by_field_name("consequence") == child:
            paths = condition_paths(current.child_by_field_name("condition"))
            if paths is not None:
                return True, paths
        if current.type == "switch_case" and child != current.child_by_field_name("value"):
            paths = _case_paths(current)
            if paths is not None:
                return True, paths
        child, current = current, current.parent
    return False, None


def function_uses(
    graph: ts.ModuleGraph, modules: list[ts.Module], module: ts.Module, function: Any
) -> list[tuple[ts.Module, Any, bool]]:
    """Where the top-level ``function`` of ``module`` is named in ``modules``: (module, the call
    node or the naming identifier, is a call). Imports under another name and ``ns.f`` count."""
    holder = function.parent if function.parent is not None else None
    name_node = function.child_by_field_name("name")
    if name_node is None and holder is not None and holder.type == "variable_declarator":
        name_node = holder.child_by_field_name("name")
    if name_node is None:
        return []
    name = ts.text(name_node)
    target = ts.unwrap(function).id
    out: list[tuple[ts.Module, Any, bool]] = []
    for mod in modules:
        aliases = {name} | {local for local, (_, orig) in mod.imports.items() if orig == name}
        for ident in module_facts(mod).names:
            if ident.type == "identifier":
                if ts.text(ident) not in aliases or ident.id == name_node.id:
                    continue
                parent = ident.parent
                if parent is not None and parent.type in (
                    "import_specifier",
                    "export_specifier",
                    "import_clause",
                    "variable_declarator",
                    "function_declaration",
                ):
                    continue
                found = graph.resolve(mod, ts.text(ident))
                use = ident
            else:  # `ns.f`
                prop = ident.child_by_field_name("property")
                if prop is None or ts.text(prop) != name:
                    continue
                found = graph.resolve_member(mod, ident)
                use = ident
                parent = ident.parent
            if found is None or ts.unwrap(found[2]) is None or ts.unwrap(found[2]).id != target:
                continue
            if str(found[0].path) != str(module.path):
                continue
            is_call = (
                parent is not None
                and parent.type == "call_expression"
                and parent.child_by_field_name("function") == use
            )
            out.append((mod, parent if is_call else use, is_call))
    return out


def paths_at(
    graph: ts.ModuleGraph,
    modules: list[ts.Module],
    module: ts.Module,
    node: Any,
    handlers: Handlers,
    depth: int = 0,
) -> set[str] | None:
    """The paths for which ``node`` runs (see the module docstring); None: every path."""
    found, paths = lexical_paths(module, node, handlers)
    if found:
        return paths
    function = ts.enclosing_function(node)
    outer = function
    while outer is not None:  # the top-level function holding `node`
        function, outer = outer, ts.enclosing_function(outer)
    if function is None or depth >= _MAX_DEPTH or _function_key(module, function) is None:
        return None
    uses = function_uses(graph, modules, module, function)
    if not uses:
        return None
    out: set[str] = set()
    for mod, use, is_call in uses:
        # a route handler: passed by name, or a factory's call (`app.use("/a/*", tenantMiddleware())`)
        # whose returned middleware runs on that route; only there do we know when it runs
        registered = handlers.get((str(mod.path), use.id), False)
        if registered is not False:
            more = {registered} if registered is not None else None
        elif is_call:
            more = paths_at(graph, modules, mod, use, handlers, depth + 1)
        else:
            more = None
        if more is None:
            return None
        out |= more
    return out
