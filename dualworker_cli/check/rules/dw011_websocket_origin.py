"""DW011: a WebSocket upgrade is forwarded to the backend without an Origin check."""

from __future__ import annotations

import re
from collections.abc import Iterator

from dualworker_cli.check.analysis import FrontAnalysis, front_analysis, method_token
from dualworker_cli.check.model import Finding, Project, Rule, Severity

WS_PATH = re.compile(r"(^|/)(ws|websockets?|sockets?|realtime)(/|:|$)", re.I)


def forwards_websockets(strings: set[str], path: str | None) -> bool:
    """The route's code compares against "websocket" (the Upgrade value), or its path says ws.

    A bare mention of the ``Upgrade`` header is not enough: proxies often read it to refuse.
    """
    return "websocket" in strings or "websocketpair" in strings or bool(path and WS_PATH.search(path))


def check(project: Project) -> Iterator[Finding]:
    for pair in project.pairs:
        analysis: FrontAnalysis = front_analysis(project, pair)
        if analysis.code is None:
            continue
        for route in analysis.routes:
            strings: set[str] = set()
            for module, node in route.chain:
                strings |= analysis.code.strings(module, node)
            if not forwards_websockets(strings, route.full_path) or "origin" in strings:
                continue
            reg = route.registration
            line, col = reg.module.position(method_token(reg.node))
            yield RULE.at_pos(
                reg.module.rel,
                line,
                col,
                f"`{reg.method.upper()} {route.full_path}` forwards WebSocket upgrades to `{pair.binding}` "
                "without checking the `Origin` header",
            )
        for call in analysis.unrouted_calls:  # plain fetch handlers: the code around the call
            strings = {s for module, node in call.scope for s in analysis.code.strings(module, node)}
            if forwards_websockets(strings, None) and "origin" not in strings:
                line, col = call.module.position(call.node)
                yield RULE.at_pos(
                    call.module.rel,
                    line,
                    col,
                    f"forwards WebSocket upgrades to `{pair.binding}` without checking the `Origin` header",
                )


RULE = Rule(
    id="DW011",
    name="websocket-without-origin-check",
    title="WebSocket upgrade forwarded without an Origin check",
    severity=Severity.ERROR,
    what="Flags a User Worker route that reaches the backend binding and handles WebSocket upgrades "
    "(its code, middleware included, compares with `websocket`, or its path has a `ws`/`websocket` "
    "segment) but never reads the `Origin` header; likewise a binding call in a plain `fetch` handler "
    "whose code handles WebSocket upgrades.",
    why="Browsers send cookies with cross-site WebSocket handshakes and CORS does not apply to them. "
    "Without an Origin allow-list, any web page a signed-in user visits can open the socket as that "
    "user (cross-site WebSocket hijacking).",
    example='app.get("/api/ws", authMiddleware, (c) => c.env.BACKEND_SERVICE.fetch(c.req.raw))',
    fix='Compare `c.req.header("Origin")` with an allow-list (for example an `ALLOWED_ORIGINS` var) before '
    "forwarding, and answer 403 otherwise.",
    hint='Check c.req.header("Origin") against an allow-list',
    check=check,
)
