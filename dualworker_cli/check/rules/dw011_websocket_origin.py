"""DW011: a WebSocket upgrade is forwarded to the backend without an Origin check."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from dualworker_cli.check.analysis import FrontAnalysis, authenticated_somewhere, front_analysis, method_token
from dualworker_cli.check.backend_analysis import (
    HANDSHAKE_METHODS,
    Target,
    forwarded,
    path_matches,
    request_path,
    target_analysis,
)
from dualworker_cli.check.identity import backend_reads
from dualworker_cli.check.model import Finding, Pair, Project, Rule, Severity
from dualworker_cli.check.parse import typescript as ts
from dualworker_cli.check.rules.common import forwards_client_request

WS_PATH = re.compile(r"(^|/)(ws|websockets?|sockets?|realtime)(/|:|$)", re.I)


def origin_checked(analysis: FrontAnalysis, pieces: list[tuple[Any, Any]]) -> bool:
    """Is the ``Origin`` header read on the way (``pieces`` and what they call), other than after
    an early return for GET requests? A cross-site write check that lets every GET through
    (``if (request.method === "GET") return null``) never sees a WebSocket handshake: it is a GET."""
    assert analysis.code is not None
    for piece in pieces:
        for module, node in analysis.code.closure(*piece):
            for string in ts.nodes_in(module, node, "string", "template_string"):
                if (ts.string_value(string) or "").lower() == "origin" and not _after_get_exit(string):
                    return True
    return False


def _after_get_exit(node: Any) -> bool:
    """Does the function around ``node`` return early for GET requests before reaching it?"""
    function = ts.enclosing_function(node)
    body = function.child_by_field_name("body") if function is not None else None
    for statement in body.named_children if body is not None and body.type == "statement_block" else []:
        if statement.start_byte >= node.start_byte:
            break
        if statement.type != "if_statement":
            continue
        condition = statement.child_by_field_name("condition")
        consequence = statement.child_by_field_name("consequence")
        if consequence is not None and consequence.type == "statement_block" and consequence.named_children:
            consequence = consequence.named_children[0]
        if (
            condition is not None
            and re.search(r"""["']GET["']""", ts.text(condition))
            and not re.search(r"!==|!=", ts.text(condition))
            and consequence is not None
            and consequence.type == "return_statement"
        ):
            return True
    return False


def _backend_reads_cookie(project: Project, pair: Pair) -> bool:
    """Does the backend read the ``Cookie`` header (a session it checks itself, which a forwarded
    upgrade carries, whoever authenticates)?"""
    reads, _ = backend_reads(project, pair.backend)
    return any(use.key == "cookie" for use in reads or [])


def forwards_websockets(strings: set[str], path: str | None) -> bool:
    """The route's code compares against "websocket" (the Upgrade value), or its path says ws.

    A bare mention of the ``Upgrade`` header is not enough: proxies often read it to refuse.
    """
    return "websocket" in strings or "websocketpair" in strings or bool(path and WS_PATH.search(path))


def backend_targets(project: Project, pair: Pair) -> list[Target]:
    """What the binding reaches on the backend, in every front block that has it (``services`` is
    not inherited, so an env block may bind another entrypoint, or be the only one binding)."""
    names: list[str | None] = []
    for _, block in pair.front.blocks():
        found = pair.binding_entry(block)
        if found is not None:
            entrypoint = found[1].get("entrypoint")
            name = entrypoint if isinstance(entrypoint, str) else None
            if name not in names:
                names.append(name)
    targets = (target_analysis(project, pair.backend, name) for name in names)
    return [t for t in targets if t is not None]


def _backend_ws(targets: list[Target], path: str | None) -> str:
    """Where the backend accepts upgrades for a request forwarded from ``path`` ("" when nowhere)."""
    for target in targets:
        if target.websocket_anywhere:
            return "every path"
        for served in target.paths:
            if served.websocket and path_matches(path, served.path, suffix=True):
                return served.label
    return ""


def _front_accepts(handlers: list[Any]) -> bool:
    """Is the route's handler Hono's ``upgradeWebSocket(...)``: the front accepts the socket and
    talks to the backend per message, so no client handshake is forwarded."""
    last = ts.unwrap(handlers[-1]) if handlers else None
    func = (
        last.child_by_field_name("function") if last is not None and last.type == "call_expression" else None
    )
    return func is not None and ts.text(func) == "upgradeWebSocket"


def check(project: Project) -> Iterator[Finding]:
    for pair in project.mine(project.pairs):
        analysis: FrontAnalysis = front_analysis(project, pair)
        if analysis.code is None:
            continue
        targets = backend_targets(project, pair)
        fwd = forwarded(project, pair)
        fetching = {label for label, _, _ in fwd.routes} if fwd is not None else set()
        for route in analysis.routes:
            # no auth: nobody's session to ride on (DW005 reports the route); nothing forwarded: no
            # upgrade reaches the backend
            if not route.protected or not any(forwards_client_request(c) for c in route.calls):
                continue
            if _front_accepts(route.registration.handlers):
                continue  # the front ends the socket itself: the backend gets its requests, not the upgrade
            strings: set[str] = set()
            for module, node in route.chain:
                strings |= analysis.code.strings(module, node)
            if "origin" in strings and origin_checked(analysis, route.chain):
                continue
            reg = route.registration
            backend_ws = ""
            # a route that reads `Upgrade` itself either refuses upgrades or compares with "websocket"
            # (caught above); only a route that never looks forwards the backend's upgrades blindly
            if (
                reg.method in HANDSHAKE_METHODS
                and "upgrade" not in strings
                and f"{reg.method.upper()} {route.full_path}" in fetching
            ):
                backend_ws = _backend_ws(
                    [t for t in targets if t.websocket_at(route.full_path)], route.full_path
                )
            if not forwards_websockets(strings, route.full_path) and not backend_ws:
                continue
            seen = f" (the backend accepts upgrades at {backend_ws})" if backend_ws else ""
            yield RULE.at_node(
                reg.module,
                method_token(reg.node),
                f"`{reg.method.upper()} {route.full_path}` forwards WebSocket upgrades to `{pair.binding}`"
                f"{seen} without checking the `Origin` header",
            )
        for call in analysis.unrouted_calls:  # plain fetch handlers: the code around the call
            if not forwards_client_request(call):
                continue
            # a session to ride on: the front's, or the cookie the backend checks on the upgrade
            if not authenticated_somewhere(analysis, call) and not _backend_reads_cookie(project, pair):
                continue
            strings = {s for module, node in call.scope for s in analysis.code.strings(module, node)}
            if "origin" in strings and origin_checked(analysis, call.scope):
                continue
            path = request_path(call.node)  # `B.fetch(new Request("https://x/p"))`: only /p
            backend_ws = _backend_ws(targets, path) if "upgrade" not in strings else ""
            if forwards_websockets(strings, None) or backend_ws:
                yield RULE.at_node(
                    call.module,
                    call.node,
                    f"forwards WebSocket upgrades to `{pair.binding}` without checking the `Origin` header",
                )


RULE = Rule(
    id="DW011",
    name="websocket-without-origin-check",
    title="WebSocket upgrade forwarded without an Origin check",
    severity=Severity.ERROR,
    what="Flags a User Worker route that reaches the backend binding and handles WebSocket upgrades "
    "but never reads the `Origin` header; likewise a binding call in a plain `fetch` handler. A route "
    "handles upgrades when its code (middleware included) compares with `websocket`, its path has a "
    "`ws`/`websocket` segment, or - whatever its name (`/live`, `/events-socket`) - it is a GET/ALL "
    "route that forwards with `.fetch()`, never reads `Upgrade` itself (a proxy that reads it to refuse "
    "upgrades is fine), and reaches a backend path that accepts upgrades: the backend target "
    "(default export, or the `entrypoint` bound in any env block) compares with `websocket`, creates a "
    "`WebSocketPair`, calls `acceptWebSocket`/`upgradeWebSocket`, or hands the request to a Durable "
    "Object stub (`stub.fetch(request)`) for that path (Hono route or `url.pathname` comparison), or "
    "before any routing. Only an upgrade that rides on a signed-in session counts: the route (or, for "
    "a plain handler, one way to the call) runs an auth step first, and the `.fetch()` passes the "
    "client's request or its headers on (`c.req.raw`, `request`, `new Request(url, c.req.raw)`, "
    "`new Headers(request.headers)`; a token read from it, `getToken(request)`, is not it). A route "
    "whose handler is Hono's `upgradeWebSocket(...)` accepts the socket in the front and forwards no "
    'handshake. A fixed request (`fetch("https://api/jobs")`), and calls '
    "only Durable Object classes, Workflows or `scheduled`/`queue` handlers make, are not flagged. "
    "A plain handler's upgrade also rides on a session when the backend checks the `Cookie` the "
    "forwarded request carries, whoever authenticates. An `Origin` read behind an early return for "
    "GET requests (a cross-site write check) does not count: the handshake is a GET. A binding picked "
    "from a dispatch table (`env[DOORS[key]].fetch(request)`) is each binding the table names.",
    why="Browsers send cookies with cross-site WebSocket handshakes and CORS does not apply to them. "
    "Without an Origin allow-list, any web page a signed-in user visits can open the socket as that "
    "user (cross-site WebSocket hijacking).",
    example='app.get("/api/ws", authMiddleware, (c) => c.env.BACKEND_SERVICE.fetch(c.req.raw))',
    fix='Compare `c.req.header("Origin")` with an allow-list (for example an `ALLOWED_ORIGINS` var) before '
    "forwarding, and answer 403 otherwise.",
    hint='Check c.req.header("Origin") against an allow-list',
    check=check,
    sharded=True,
)
