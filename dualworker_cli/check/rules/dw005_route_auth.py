"""DW005: a User Worker route that reaches the backend binding runs without auth middleware."""

from __future__ import annotations

import re
from collections.abc import Iterator

from dualworker_cli.check.analysis import (
    AUTH_NAME,
    FrontAnalysis,
    ProxyCall,
    front_analysis,
    front_authenticates_anywhere,
    method_token,
)
from dualworker_cli.check.backend_analysis import holds_state
from dualworker_cli.check.identity import IdentityArg, pair_identity, passes_request, rpc_identity_args
from dualworker_cli.check.model import Finding, Pair, Project, Rule, Severity
from dualworker_cli.check.parse import typescript as ts
from dualworker_cli.check.rules.common import health_probe


def _rpc_only(calls: list[ProxyCall]) -> bool:
    """The route reaches the backend only through RPC methods (no fetch, no request handed over)."""
    return bool(calls) and all(c.kind == "rpc" and not passes_request(c) for c in calls)


#: RPC methods that create the identity they are given (sign-up): the client choosing it is the point
_CREATES_IDENTITY = re.compile(
    r"(?:create|register|sign_?up|insert|new)_?(?:user|account|member|profile)s?|sign_?up|register",
    re.I,
)
#: RPC methods that destroy data: without auth, anyone can call them
_DESTRUCTIVE = re.compile(r"(?:delete|remove|drop|purge|wipe|destroy|truncate|erase)(?:[A-Z_]|$)")


def _last(method: str) -> str:
    return method.rsplit(".", 1)[-1]


def _identity_args(project: Project, pair: Pair, call: ProxyCall) -> list[IdentityArg]:
    """The client-chosen identity arguments of an RPC call, unless the method signs the identity up."""
    if _CREATES_IDENTITY.fullmatch(_last(call.method)):
        return []
    return rpc_identity_args(project, pair, call)


def _destructive(calls: list[ProxyCall]) -> list[ProxyCall]:
    """RPC calls that delete data (``deleteAllUsers()``), the first per function: one finding each."""
    seen: set[tuple[str, int]] = set()
    out = []
    for call in calls:
        if call.kind != "rpc" or not _DESTRUCTIVE.match(_last(call.method)) or AUTH_NAME.search(call.method):
            continue
        function = ts.enclosing_function(call.node) or call.node
        key = (str(call.module.path), function.id)
        if key not in seen:
            seen.add(key)
            out.append(call)
    return out


def _destructive_message(pair: Pair, call: ProxyCall) -> str:
    return (
        f"calls `{pair.binding}.{call.method}()`, which deletes data, with no auth step before it: "
        "anyone who can reach this Worker can call it"
    )


def _identity_message(pair: Pair, call: ProxyCall, arg: IdentityArg) -> str:
    return (
        f"passes `{arg.name}` from {arg.source} to `{pair.binding}.{call.method}()`: anyone can "
        "act as any user by changing it"
    )


def check(project: Project) -> Iterator[Finding]:
    for pair in project.pairs:
        if project.mode != "dualworker.toml" and holds_state(project, pair.backend) is None:
            continue  # a stateless backend (a greeting, an echo): nothing behind the binding to protect
        # a front with no auth anywhere, to a backend that trusts no identity header, is a public
        # app by design (a demo, a fixture): its open routes are its nature; RPC calls that let the
        # client pick the identity argument are still the hole
        public_app = (
            project.mode != "dualworker.toml"
            and not front_authenticates_anywhere(project, pair)
            and not pair_identity(project, pair).headers
        )
        analysis: FrontAnalysis = front_analysis(project, pair)
        for route in analysis.routes:
            if route.protected or (route.calls and all(health_probe(c) for c in route.calls)):
                continue
            reg = route.registration
            shown = route.full_path if route.full_path is not None else "<dynamic path>"
            if _rpc_only(route.calls):
                # an RPC call without auth is fine when it passes nothing that says who (public
                # data); it is the hole when the client picks the identity argument
                flagged = False
                for call in route.calls:
                    for arg in _identity_args(project, pair, call):
                        flagged = True
                        yield RULE.at_node(
                            arg.module,
                            arg.node,
                            f"`{reg.method.upper()} {shown}` has no auth middleware and "
                            + _identity_message(pair, call, arg),
                        )
                for call in [] if flagged else _destructive(route.calls):
                    yield RULE.at_node(
                        call.module,
                        call.node,
                        f"`{reg.method.upper()} {shown}` has no auth middleware and "
                        + _destructive_message(pair, call),
                    )
                continue
            if public_app:
                continue
            yield RULE.at_node(
                reg.module,
                method_token(reg.node),
                f"`{reg.method.upper()} {shown}` reaches `{pair.binding}` but no auth middleware runs "
                "before it (inline or through an earlier `use` that covers the path), nor does the "
                "handler authenticate before the call",
            )
        for call in analysis.unguarded_calls:
            if health_probe(call) or public_app:
                continue
            yield RULE.at_node(
                call.module,
                call.node,
                f"`{pair.binding}` is called outside any Hono route and nothing before it in the "
                "handler authenticates (no auth/verify/jwt/session call, no 401 answer)",
            )
        with_identity = set()
        for call in analysis.unguarded_rpc:
            args = _identity_args(project, pair, call)
            if args or passes_request(call):
                with_identity.add(id(call))
            if passes_request(call) and not args:
                yield RULE.at_node(
                    call.module,
                    call.node,
                    f"`{pair.binding}.{call.method}()` receives the client's request outside any Hono "
                    "route and nothing before it in the handler authenticates",
                )
            for arg in args:
                yield RULE.at_node(
                    arg.module,
                    arg.node,
                    "outside any Hono route, with no auth step before it, the handler "
                    + _identity_message(pair, call, arg),
                )
        for call in _destructive([c for c in analysis.unguarded_rpc if id(c) not in with_identity]):
            yield RULE.at_node(
                call.module,
                call.node,
                "outside any Hono route, the handler " + _destructive_message(pair, call),
            )


RULE = Rule(
    id="DW005",
    name="proxy-route-without-auth",
    title="Route reaching the Data Worker is not behind auth",
    severity=Severity.ERROR,
    what="Follows the User Worker's Hono app (from `main` through its imports) and flags every route "
    "whose handler - or a function it calls - uses the backend binding, when no auth middleware runs "
    "before it: neither inline (`app.all(path, authMiddleware, proxy)`) nor through an earlier "
    "`app.use(pattern, authMiddleware)` whose pattern covers the route (parent apps included for "
    "`app.route(prefix, child)`), and the handler itself does not authenticate before each binding "
    "call. A binding call in a handler (a Hono route's or a plain `fetch` handler's) is authenticated "
    "when it follows, in its function, a call named like auth/verify/jwt/session "
    "(`const s = await requireSession(c); if (s instanceof Response) return s;`) or a 401 answer. "
    "RPC calls on the binding (`env.BACKEND.getNotes(userId)`, also through `c.env`, a destructured "
    "binding or a stub in a variable) reach the backend too: when a route or handler reaches it only "
    "through RPC, it is flagged if no auth runs before it AND an argument carries an identity taken "
    "from client input - the query (`c.req.query()`, `searchParams`), the body (`c.req.json()`), a "
    "path parameter or a header - named like `userId`/`accountId`/`email` (by its key, its variable or "
    "the backend method's parameter). An RPC call passing nothing that says who (a public read) is "
    "not flagged, unless the method deletes data (`delete`/`remove`/`drop`/`purge`/`wipe`/`destroy`"
    "...: `env.STORE.deleteAllUsers()`, reported once per function); a method that signs the identity "
    "up (`createUser`, `register`; not `upsertUser`, which can overwrite another's record) may take it"
    " from the client. Nor is a health "
    "probe: a request of the front's own to a health path (`/health`, `/healthz`, `/ping`...) "
    "that carries nothing of the client's request. "
    "Auth middleware is recognised by name (auth, jwt, jwk, bearer, session, clerk, cloudflareAccess, "
    "verify, ... or `[front] auth_middleware` in `dualworker.toml`) or by shape (answers 401, else "
    "calls `next()`).",
    why="The Data Worker believes whatever identity the User Worker sends. A proxy route without auth "
    "lets anonymous callers act as anybody - or as nobody, which internal code rarely expects.",
    example='app.all("/api/internal/*", proxyToBackend)  // no auth before the proxy',
    fix='Put the middleware in front of the handler, `app.all("/api/internal/*", authMiddleware, '
    'proxyToBackend)`, or register `app.use("/api/internal/*", authMiddleware)` before the route. '
    "Hono runs middleware in registration order: a `use` added after the route does not protect it.",
    hint="Put the auth middleware before the handler, or app.use() it earlier; take RPC identities "
    "from the verified session, never from the request",
    check=check,
)
