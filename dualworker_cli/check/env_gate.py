"""Auth that a var switches off: ``if (!shouldEnforce) return next();`` where ``shouldEnforce``
comes from ``c.env.ENVIRONMENT === "production"``. A backend written that way checks its callers
in the environments whose ``vars`` turn it on and lets everyone through in the others (a deployed
``env.dev`` with ``ENVIRONMENT = "development"``), so its public URL relies on the front there.

The condition is evaluated, not pattern-matched: local ``const`` values, destructured defaults of
the factory's options (overridden by an object literal at its call sites) and ``env.VAR`` reads
are substituted into a small evaluator of ``=== !== == != && || !`` over strings and booleans.
Anything else is unknown, and an unknown condition decides nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from dualworker_cli.check.parse import paths as fs
from dualworker_cli.check.parse import typescript as ts

if TYPE_CHECKING:
    from dualworker_cli.check.model import Project, Worker

#: ``env.VAR`` (``c.env.VAR``, ``this.env.VAR``) somewhere in a module: the cheap pre-filter
_ENV_READ = re.compile(r"\benv\.[A-Z][A-Z0-9_]*\b")
_UNKNOWN = object()
#: an early pass-through: `return next()`, `return await next()`, `await next(); return`
_EARLY_NEXT = re.compile(r"return\s+(?:await\s+)?next\(\)|await\s+next\(\);?\s*return\b")
MAX_DEPTH = 8


@dataclass(frozen=True)
class EnvGate:
    """The early ``return next()`` of an auth middleware and how to evaluate its condition."""

    module: ts.Module
    condition: Any
    #: identifier -> (module, expression) of the values the condition may read
    values: dict[str, tuple[ts.Module, Any]]
    where: str

    def bypassed(self, variables: dict[str, Any]) -> bool | None:
        """Does the gate let every request through with these ``vars``? None: cannot tell."""
        result = _evaluate(self.module, self.condition, self.values, variables, 0)
        return result if isinstance(result, bool) else None


def _is_next_return(node: Any) -> bool:
    """``return next()`` / ``return await next()`` / ``{ await next(); return; }``."""
    text = re.sub(r"\s+", "", ts.text(node))
    return bool(re.match(r"^\{?(?:return(?:await)?next\(\);?|await next\(\);?return;?)\}?$", text))


def _rejects(node: Any) -> bool:
    return any(n.type == "number" and ts.text(n) in ("401", "403") for n in ts.walk(node))


def _string(node: Any) -> str | None:
    return ts.string_value(node) if node.type in ("string", "template_string") else None


def _declared_values(module: ts.Module, scopes: list[Any]) -> dict[str, tuple[ts.Module, Any]]:
    """``const x = expr`` and ``const { a = "lit" } = options`` in the given function bodies."""
    values: dict[str, tuple[ts.Module, Any]] = {}
    for scope in scopes:
        for node in ts.walk(scope):
            if node.type == "variable_declarator":
                name, value = node.child_by_field_name("name"), node.child_by_field_name("value")
                if name is not None and name.type == "identifier" and value is not None:
                    values.setdefault(ts.text(name), (module, value))
                elif name is not None and name.type == "object_pattern":
                    for part in name.named_children:
                        if part.type == "object_assignment_pattern":
                            left, right = part.child_by_field_name("left"), part.child_by_field_name("right")
                            if left is not None and right is not None:
                                values.setdefault(ts.text(left), (module, right))
            elif node.type == "required_parameter" or node.type == "optional_parameter":
                pattern, value = node.child_by_field_name("pattern"), node.child_by_field_name("value")
                if pattern is not None and pattern.type == "identifier" and value is not None:
                    values.setdefault(ts.text(pattern), (module, value))
    return values


def _evaluate(
    module: ts.Module,
    node: Any,
    values: dict[str, tuple[ts.Module, Any]],
    variables: dict[str, Any],
    depth: int,
) -> Any:
    if node is None or depth > MAX_DEPTH:
        return _UNKNOWN
    node = ts.unwrap(node)
    kind = node.type
    if kind in ("true", "false"):
        return kind == "true"
    if kind in ("string", "template_string"):
        value = _string(node)
        return value if value is not None else _UNKNOWN
    if kind == "identifier":
        found = values.get(ts.text(node))
        return _evaluate(found[0], found[1], values, variables, depth + 1) if found else _UNKNOWN
    if kind == "member_expression":
        obj, prop = node.child_by_field_name("object"), node.child_by_field_name("property")
        if obj is not None and prop is not None and re.search(r"(?:^|\.)env$", ts.text(obj)):
            value = variables.get(ts.text(prop))
            return value if isinstance(value, (str, bool)) else None  # unset var: undefined
        return _UNKNOWN
    if kind == "unary_expression" and ts.text(node).lstrip().startswith("!"):
        inner = _evaluate(module, node.child_by_field_name("argument"), values, variables, depth + 1)
        return _UNKNOWN if inner is _UNKNOWN else not inner
    if kind == "binary_expression":
        op = node.child_by_field_name("operator")
        operator = ts.text(op) if op is not None else ""
        left = _evaluate(module, node.child_by_field_name("left"), values, variables, depth + 1)
        right = _evaluate(module, node.child_by_field_name("right"), values, variables, depth + 1)
        if operator in ("&&", "||"):
            sides = [bool(side) if side is not _UNKNOWN else _UNKNOWN for side in (left, right)]
            if operator == "&&":
                return False if False in sides else (_UNKNOWN if _UNKNOWN in sides else True)
            return True if True in sides else (_UNKNOWN if _UNKNOWN in sides else False)
        if operator in ("===", "==", "!==", "!="):
            if left is _UNKNOWN or right is _UNKNOWN:
                return _UNKNOWN
            same = left == right
            return same if operator in ("===", "==") else not same
    return _UNKNOWN


def _call_site_values(
    project: Project, modules: list[ts.Module], factory: str
) -> dict[str, tuple[ts.Module, Any]]:
    """Option values passed as an object literal where ``factory(...)`` is called (one value per
    key; a key given different values at different call sites is left out: it cannot be told)."""
    seen: dict[str, list[tuple[ts.Module, Any]]] = {}
    for module in modules:
        if factory not in module.source:
            continue
        for node in ts.nodes_in(module, module.root, "call_expression"):
            func = node.child_by_field_name("function")
            if func is None or ts.text(func).rsplit(".", 1)[-1] != factory:
                continue
            args = ts.arguments(node)
            if args and ts.unwrap(args[0]).type == "object":
                for pair in ts.unwrap(args[0]).named_children:
                    if pair.type == "pair":
                        key, value = pair.child_by_field_name("key"), pair.child_by_field_name("value")
                        if key is not None and value is not None:
                            seen.setdefault(ts.string_value(key) or ts.text(key), []).append((module, value))
    return {k: v[0] for k, v in seen.items() if len({ts.text(n) for _, n in v}) == 1}


def env_gate(project: Project, backend: Worker) -> EnvGate | None:
    """The first var-dependent early ``return next()`` before a 401/403 in the backend's code."""

    def compute() -> EnvGate | None:
        main = backend.main
        if main is None or not fs.is_file(main) or main.suffix not in ts.EXTENSIONS:
            return None
        graph: ts.ModuleGraph = project.ts_graph
        entry = graph.load(main)
        modules = graph.reachable(entry) if entry is not None else []
        for module in modules:
            source = module.source
            if (
                not _EARLY_NEXT.search(source)
                or not _ENV_READ.search(source)
                or not re.search(r"\b40[13]\b", source)
            ):
                continue  # no early `return next()`, no var read, no rejection: nothing to evaluate
            for node in ts.walk(module.root):
                if node.type != "if_statement":
                    continue
                body = node.child_by_field_name("consequence")
                condition = node.child_by_field_name("condition")
                function = ts.enclosing_function(node)
                if body is None or condition is None or function is None or not _is_next_return(body):
                    continue
                after = [n for n in ts.walk(function) if n.start_byte > node.end_byte]
                if not any(n.type == "number" and ts.text(n) in ("401", "403") for n in after):
                    continue
                scopes = [function]
                outer = ts.enclosing_function(function)
                while outer is not None:
                    scopes.append(outer)
                    outer = ts.enclosing_function(outer)
                values = _declared_values(module, scopes)
                factory = scopes[-1]
                name = factory.child_by_field_name("name")
                if name is not None and len(scopes) > 1:
                    values = {**values, **_call_site_values(project, modules, ts.text(name))}
                if not _ENV_READ.search(
                    " ".join(ts.text(v[1]) for v in values.values()) + ts.text(condition)
                ):
                    continue
                line, _ = module.position(node)
                gate = EnvGate(module, condition, values, f"{module.rel}:{line}")
                if gate.bypassed({}) is not None:  # a var decides it, not the path or the request
                    return gate
        return None

    return project.memo(("env-gate", str(backend.config.path)), compute)
