"""DW005: a User Worker route that reaches the backend binding runs without auth middleware."""

from __future__ import annotations

from collections.abc import Iterator

from dualworker_cli.check.analysis import FrontAnalysis, front_analysis, method_token
from dualworker_cli.check.model import Finding, Project, Rule, Severity


def check(project: Project) -> Iterator[Finding]:
    for pair in project.pairs:
        analysis: FrontAnalysis = front_analysis(project, pair)
        for route in analysis.routes:
            if route.protected:
                continue
            reg = route.registration
            line, col = reg.module.position(method_token(reg.node))
            shown = route.full_path if route.full_path is not None else "<dynamic path>"
            yield RULE.at_pos(
                reg.module.rel,
                line,
                col,
                f"`{reg.method.upper()} {shown}` reaches `{pair.binding}` but no auth middleware runs "
                "before it (inline or through an earlier `use` that covers the path)",
            )
        for call in analysis.unguarded_calls:
            line, col = call.module.position(call.node)
            yield RULE.at_pos(
                call.module.rel,
                line,
                col,
                f"`{pair.binding}` is called outside any Hono route and nothing before it in the "
                "handler authenticates (no auth/verify/jwt/session call, no 401 answer)",
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
    "`app.route(prefix, child)`). A binding call outside any Hono route (a plain `fetch` handler) "
    "must follow, in its function, a call named like auth/verify/jwt/session or a 401 answer. "
    "Auth middleware is recognised by name (auth, jwt, jwk, bearer, session, clerk, cloudflareAccess, "
    "verify, ... or `[front] auth_middleware` in `dualworker.toml`) or by shape (answers 401, else "
    "calls `next()`).",
    why="The Data Worker believes whatever identity the User Worker sends. A proxy route without auth "
    "lets anonymous callers act as anybody - or as nobody, which internal code rarely expects.",
    example='app.all("/api/internal/*", proxyToBackend)  // no auth before the proxy',
    fix='Put the middleware in front of the handler, `app.all("/api/internal/*", authMiddleware, '
    'proxyToBackend)`, or register `app.use("/api/internal/*", authMiddleware)` before the route. '
    "Hono runs middleware in registration order: a `use` added after the route does not protect it.",
    hint="Put the auth middleware before the handler, or app.use() it earlier",
    check=check,
)
