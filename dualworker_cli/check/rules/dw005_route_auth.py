"""DW005: a User Worker route that reaches the backend binding runs without auth middleware."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from dualworker_cli.check.analysis import (
    AUTH_FLOW_PATH,
    AUTH_NAME,
    FrontAnalysis,
    ProxyCall,
    RouteReport,
    declared_value,
    front_analysis,
    front_authenticates_anywhere,
    in_scope,
    method_token,
    module_facts,
    unauthenticated_callers,
)
from dualworker_cli.check.backend_analysis import backend_authenticates, holds_state
from dualworker_cli.check.identity import (
    IdentityArg,
    mints_credential,
    pair_identity,
    passes_request,
    rpc_identity_args,
)
from dualworker_cli.check.model import Finding, Pair, Project, Rule, Severity
from dualworker_cli.check.parse import typescript as ts
from dualworker_cli.check.reach import default_bindings, environments
from dualworker_cli.check.rules.common import (
    CREDENTIAL_READER,
    forwards_client_request,
    health_probe,
    probe_path_in,
)


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


#: RPC methods that only read: `getUser(id)`, `listPosts(authorId)`, `findProfile(handle)`
_READS = re.compile(r"(?:get|list|find|read|lookup|search|fetch|load|count|has|is)(?:[A-Z_]|$)")


def _result_name(call: Any) -> str | None:
    """The variable an RPC call's (awaited) result is stored in: ``store`` for ``store = await
    env.B.getStore(name)`` or ``const store = ...``; None when it is destructured or used at once."""
    node = call
    while node.parent is not None and node.parent.type in ("await_expression", "parenthesized_expression"):
        node = node.parent
    parent = node.parent
    if parent is None:
        return None
    if parent.type == "variable_declarator":
        target = parent.child_by_field_name("name")
    elif parent.type == "assignment_expression":
        target = parent.child_by_field_name("left")
    else:
        return None
    return ts.text(target) if target is not None and target.type == "identifier" else None


def _public_lookup(call: ProxyCall) -> bool:
    """A read by key whose answer is used as data (``const { name } = await env.API.getUser(id)``
    for a profile page): in a front that authenticates nobody, the id picks a public record, it
    does not claim to be the caller. Not when the answer is used as a capability (``store =
    await env.STORE.getStoreForUser(name); store.addTask(...)``: an object that acts as the user)."""
    if not _READS.match(_last(call.method)):
        return False
    name = _result_name(call.node)
    if name is None:
        return True
    scope = ts.enclosing_function(call.node) or call.module.root
    return re.search(rf"\b{re.escape(name)}\s*(?:\?\.|\.)\s*\w+\s*\(", ts.text(scope)) is None


def _identity_args(
    project: Project, pair: Pair, call: ProxyCall, public_app: bool = False
) -> list[IdentityArg]:
    """The client-chosen identity arguments of an RPC call, unless the method signs the identity up,
    is the authentication itself (``login``, ``verifySession``), or - in a front that authenticates
    nobody - reads a public record by its key."""
    method = _last(call.method)
    if (
        _CREATES_IDENTITY.fullmatch(method)
        or AUTH_NAME.search(method)
        or (public_app and _public_lookup(call))
    ):
        return []  # sign-up, or the backend checks the credential it is given (`login(email, password)`)
    return rpc_identity_args(project, pair, call)


def _dangerous(project: Project, pair: Pair, calls: list[ProxyCall]) -> list[tuple[ProxyCall, str]]:
    """RPC calls that need no identity argument to be the hole, with what they do: deleting data
    (``deleteAllUsers()``) or issuing a credential to anyone (``seed()`` signing a token while
    taking nothing to check); the first per function, one finding each."""
    seen: set[tuple[str, int]] = set()
    out = []
    for call in calls:
        if call.kind != "rpc" or AUTH_NAME.search(call.method):
            continue
        if _DESTRUCTIVE.match(_last(call.method)):
            what = "which deletes data"
        elif minted := mints_credential(project, pair.backend, call.method):
            what = f"which issues a signed credential while checking nothing (`{minted}`)"
        else:
            continue
        function = ts.enclosing_function(call.node) or call.node
        key = (str(call.module.path), function.id)
        if key not in seen:
            seen.add(key)
            out.append((call, what))
    return out


def _dangerous_message(pair: Pair, call: ProxyCall, what: str) -> str:
    return (
        f"calls `{pair.binding}.{call.method}()`, {what}, with no auth step before it: "
        "anyone who can reach this Worker can call it"
    )


#: the names of headers that carry a credential
_CREDENTIAL_NAME = (
    r"(?:proxy-)?(?:authorization|x-api-key|api-key"
    r"|x-[a-z0-9-]*(?:token|secret|signature|key|auth)[a-z0-9-]*)"
)
#: a credential header set in code (`Authorization: ...`, `"X-Service-Token", env.X`) or a bearer value
_CREDENTIAL_SET = re.compile(
    rf"""(?ix)
    (?:^|[\s{{,(])["']?{_CREDENTIAL_NAME}
    ["']?\s*[:,]
    | ["'`]bearer\s
    """
)


def _adds_credential(analysis: FrontAnalysis, call: ProxyCall, route: RouteReport | None = None) -> bool:
    """Does the front set a credential header (``Authorization: Bearer ${env.API_TOKEN}``,
    ``X-Service-Token``) or a bearer value on the way to the binding call: in the call's function
    and what it calls, in the route's handlers, or in the callers of the helper holding the call?
    Then the front lends the request an authority a stranger calling the backend directly lacks."""
    nodes = _on_the_way(analysis, call, route)
    return any(_CREDENTIAL_SET.search(ts.text(node)) and _lends(module, node) for module, node in nodes)


def _on_the_way(
    analysis: FrontAnalysis, call: ProxyCall, route: RouteReport | None = None
) -> list[tuple[Any, Any]]:
    """The code that prepares a binding call: its function and what it calls, the route's
    handlers, and the callers of the helper holding the call."""
    nodes = list(call.scope)
    if route is not None and analysis.code is not None:
        nodes += [found for module, node in route.chain for found in analysis.code.closure(module, node)]
    function = ts.enclosing_function(call.node)
    for module, site in (
        unauthenticated_callers(analysis, call.module, call.node) if function is not None else []
    ):
        nodes.append((module, ts.enclosing_function(site) or site))
    return nodes


def _private_worker_as_itself(project: Project, pair: Pair, analysis: FrontAnalysis, call: ProxyCall) -> bool:
    """Is the calling Worker private (the backend of another pair, with no public URL in any
    environment: only its own fronts reach it), and does the call carry nothing of the client's
    request but the Worker's own secret (``x-internal-key: env.INTERNAL_KEY`` to a fixed internal
    path)? Then it is that Worker acting as itself for a request its front already let in (a
    Worker mailing through the auth Worker's ``/internal/send-email``, publishing a change): where
    an auth step is missing, the pair of the front that reaches it shows it."""
    worker = pair.front
    if project.mode == "dualworker.toml" or not project.pairs_of(worker, "backend"):
        return False
    envs = environments(project, worker)
    if not envs or any(reach.public for reach in envs):
        return False
    return not forwards_client_request(call) and _adds_credential(analysis, call)


def _passes_users_credential(call: ProxyCall) -> bool:
    """Does the call carry the signed-in user's own credential (``authorization: `Bearer
    ${token}``` with ``token = await getToken(request)``) and no credential of the front's? A
    backend that authenticates requests itself then checks that user: the front needs no auth
    step of its own before the call (without a token, the backend refuses)."""
    module = call.module
    values = [value for node in _sent_with(module, call.node) for value in _credential_values(node)]
    return bool(values) and all(_users_own(module, value) for value in values)


def _sent_with(module: Any, call: Any) -> list[Any]:
    """What a binding call sends: its arguments, and the values of the locals they name
    (``const headers = {...}; env.API.fetch(url, { headers })``)."""
    args = ts.arguments(call)
    out = list(args)
    names = {
        ts.text(n)
        for arg in args
        for n in ts.walk(arg)
        if n.type in ("identifier", "shorthand_property_identifier")
    }
    for decl, pattern, value in module_facts(module).declarators:
        if decl.start_byte >= call.start_byte:
            break
        if (
            pattern.type == "identifier"
            and ts.text(pattern) in names
            and in_scope(decl, call)
            and value is not None
        ):
            out.append(value)
    return out


#: credential headers a front may set, the user's session cookie among them
_CREDENTIAL_HEADER = re.compile(rf"cookie|{_CREDENTIAL_NAME}", re.I)
#: a value taken from the client's request: its cookie, its headers, what a reader of it answers
_FROM_CLIENT = re.compile(r"\b(?:request|req|c\.req|cookies?|getCookie)\b", re.I)
_FROM_ENV = re.compile(r"\benv\b|process\.env|secret", re.I)


def _credential_values(node: Any) -> list[Any]:
    """The values of credential headers set under ``node``: ``{ authorization: v }``,
    ``headers.set("X-Api-Key", v)``."""
    values = []
    for sub in ts.walk(node):
        if sub.type == "pair":
            key = sub.child_by_field_name("key")
            name = (ts.string_value(key) or ts.text(key)) if key is not None else ""
            if _CREDENTIAL_HEADER.fullmatch(name):
                values.append(sub.child_by_field_name("value"))
        elif sub.type == "call_expression":
            found = ts.method_call(sub)
            args = ts.arguments(sub)
            if found is not None and found[1] in ("set", "append") and len(args) == 2:
                name = ts.string_value(args[0]) or ""
                if _CREDENTIAL_HEADER.fullmatch(name):
                    values.append(args[1])
    return [v for v in values if v is not None]


def _users_own(module: Any, value: Any, depth: int = 0) -> bool:
    """Is a credential value the signed-in user's own token (from their cookie or request, or what
    ``getToken(request)`` answers), not a secret of the front's (``env.API_TOKEN``)?"""
    text = ts.text(value)
    if _FROM_CLIENT.search(text) and not _FROM_ENV.search(text):
        return True
    if depth > 2:
        return False
    for sub in ts.walk(value):
        if sub.type != "identifier":
            continue
        if _USER_TOKEN_PARAMETER.fullmatch(ts.text(sub)) and _is_parameter(sub):
            return True  # `api(env, token, path)`: a helper handed the user's token
        init = ts.unwrap_await(declared_value(module, sub))
        if init is not None and init.type == "call_expression":
            func = ts.text(init.child_by_field_name("function"))
            if CREDENTIAL_READER.search(func) and _FROM_CLIENT.search(ts.text(init)):
                return True  # `const token = await getToken(request, env)`
        if init is not None and _users_own(module, init, depth + 1):
            return True
    return False


#: parameter names that hold the user's own token (`apiKey`, `serviceToken`, `secret` do not)
_USER_TOKEN_PARAMETER = re.compile(
    r"(?:access_?|id_?|session_?|user_?|bearer_?)?token|jwt|accessToken|idToken", re.I
)


def _is_parameter(ident: Any) -> bool:
    """Is ``ident`` a parameter of a function around it?"""
    function = ts.enclosing_function(ident)
    while function is not None:
        params = function.child_by_field_name("parameters")
        for param in params.named_children if params is not None else []:
            pattern = param.child_by_field_name("pattern") or param
            if ts.text(pattern) == ts.text(ident):
                return True
        function = ts.enclosing_function(function)
    return False


def _lends(module: Any, node: Any) -> bool:
    """Does the credential set under ``node`` come from the front (a secret, a constant) rather
    than from the user (their session token, passed on as ``Bearer``)? The user's own token gives a
    stranger calling the backend directly nothing: they would need a token of their own. Unknown
    shapes count as lent."""
    values = _credential_values(node)
    return not values or not all(_users_own(module, value) for value in values)


def _bypass_is_public(project: Project, pair: Pair, public_app: bool) -> bool:
    """:func:`_bypass_public`, once per pair, and only for a pair with an open route: it reads the
    backend's code."""
    key = (
        "bypass-public",
        str(pair.front.config.path),
        str(pair.backend.config.path),
        pair.binding,
        public_app,
    )
    return project.memo(key, lambda: _bypass_public(project, pair, public_app))


def _bypass_public(project: Project, pair: Pair, public_app: bool) -> bool:
    """Is the backend's own public URL already what a front route without auth offers? In a
    hand-written project, when the binding reaches the backend's default export, every deployed
    environment of the backend has a public URL, the backend authenticates requests itself (a
    public API with its own sessions or tokens) and trusts no identity header of the front, a
    stranger can send the backend the same request directly: the hole, if any, is the backend's
    (DW001/DW002/DW003/DW012 report it), not a missing middleware in the front."""
    if project.mode == "dualworker.toml" or public_app:
        return False
    if pair_identity(project, pair).headers:
        return False
    if not any(
        b.binding == pair.binding and b.front is pair.front for b in default_bindings(project, pair.backend)
    ):
        return False
    envs = environments(project, pair.backend)
    return bool(envs) and all(reach.public for reach in envs) and backend_authenticates(project, pair.backend)


#: context variables an auth middleware sets (`c.set("user", ...)`) for handlers to read
_AUTH_VARIABLE = re.compile(
    r"auth|user|user_?id|session|account|account_?id|identity|claims|jwt_?payload|principal|"
    r"current_?user|viewer|me",
    re.I,
)
_CONTEXT_NAMES = frozenset({"c", "ctx", "context"})


def _assumed_auth(analysis: FrontAnalysis, route: RouteReport) -> str | None:
    """What shows that a route's handler expects an authenticated caller although no auth runs
    before it: it reads a context variable an auth middleware would set (``c.get("auth")``,
    ``c.var.user``) that nothing on its way sets, or its OpenAPI definition declares ``security``.
    The author meant the route to be behind auth and forgot to mount it there. Not when a
    middleware on its way mentions auth (``(c, next) => jwt(...)(c, next)``): that may be the auth
    step, setting the variable in library code."""
    if analysis.code is None or any(AUTH_NAME.search(ts.text(node)) for _, node in route.chain[:-1]):
        return None
    spec = route.registration.spec
    if spec is not None and spec.get("security"):
        return f"its OpenAPI definition declares `security: {spec['security']}`"
    read, written = None, set()
    for module, handler in route.chain:
        for mod, node in analysis.code.closure(module, handler):
            for call in module_facts(mod).calls_in(node):
                args = call.args
                key = ts.string_value(args[0]) if args else None
                receiver = ts.text(ts.unwrap(call.obj))
                if key is None or receiver not in _CONTEXT_NAMES:
                    continue
                if call.method == "set":
                    written.add(key)
                elif call.method == "get" and read is None and _AUTH_VARIABLE.fullmatch(key):
                    read = key
    if read is not None and read not in written:
        return f'its handler reads `c.get("{read}")`, which no middleware on its way sets'
    return None


def route_file_path(rel: str) -> str | None:
    """The URL path a framework's file-based route serves (React Router flat routes, TanStack,
    Remix): ``app/routes/sso.start.tsx`` -> ``/sso/start``, ``routes/users.$id.tsx`` ->
    ``/users/:id``; None outside a ``routes/`` folder."""
    _, sep, tail = rel.rpartition("routes/")
    if not sep:
        return None
    stem = re.sub(r"\.[cm]?[jt]sx?$", "", tail)
    segments = []
    for part in re.split(r"[./]", stem):
        if part in ("", "_index", "index", "route", "_layout") or (
            part.startswith("(") and part.endswith(")")
        ):
            continue
        segments.append(":" + part[1:] if part.startswith("$") else part.lstrip("_"))
    return "/" + "/".join(segments)


def _auth_flow_file(module: Any) -> bool:
    """Is the module a framework route of the sign-in flow (``routes/sso.callback.tsx``,
    ``routes/login.tsx``)? Its binding calls are the authentication step itself."""
    path = route_file_path(module.rel)
    return path is not None and bool(AUTH_FLOW_PATH.search(path))


def _identity_message(pair: Pair, call: ProxyCall, arg: IdentityArg) -> str:
    return (
        f"passes `{arg.name}` from {arg.source} to `{pair.binding}.{call.method}()`: anyone can "
        "act as any user by changing it"
    )


def check(project: Project) -> Iterator[Finding]:
    for pair in project.mine(project.pairs):
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
            if route.protected or (route.calls and all(health_probe(c, analysis) for c in route.calls)):
                continue
            reg = route.registration
            shown = route.full_path if route.full_path is not None else "<dynamic path>"
            if _rpc_only(route.calls):
                # an RPC call without auth is fine when it passes nothing that says who (public
                # data); it is the hole when the client picks the identity argument
                flagged = False
                for call in route.calls:
                    for arg in _identity_args(project, pair, call, public_app):
                        flagged = True
                        yield RULE.at_node(
                            arg.module,
                            arg.node,
                            f"`{reg.method.upper()} {shown}` has no auth middleware and "
                            + _identity_message(pair, call, arg),
                        )
                for call, what in [] if flagged else _dangerous(project, pair, route.calls):
                    flagged = True
                    yield RULE.at_node(
                        call.module,
                        call.node,
                        f"`{reg.method.upper()} {shown}` has no auth middleware and "
                        + _dangerous_message(pair, call, what),
                    )
                evidence = None if flagged else _assumed_auth(analysis, route)
                if evidence is not None:
                    methods = ", ".join(sorted({f"`{pair.binding}.{c.method}()`" for c in route.calls}))
                    yield RULE.at_node(
                        reg.module,
                        method_token(reg.node),
                        f"`{reg.method.upper()} {shown}` runs no auth middleware, yet {evidence}: "
                        f"anyone can make it call {methods}",
                    )
                continue
            if public_app or (route.full_path is not None and AUTH_FLOW_PATH.search(route.full_path)):
                continue  # a public app's nature, or the sign-in/sign-up flow itself
            if _bypass_is_public(project, pair, public_app) and not any(
                _adds_credential(analysis, c, route) for c in route.calls
            ):
                continue
            yield RULE.at_node(
                reg.module,
                method_token(reg.node),
                f"`{reg.method.upper()} {shown}` reaches `{pair.binding}` but no auth middleware runs "
                "before it (inline or through an earlier `use` that covers the path), nor does the "
                "handler authenticate before the call",
            )
        for call in analysis.unguarded_calls:
            if health_probe(call, analysis) or public_app or _auth_flow_file(call.module):
                continue
            if _private_worker_as_itself(project, pair, analysis, call):
                continue
            if _passes_users_credential(call) and backend_authenticates(project, pair.backend):
                continue  # the backend checks the user's token the front passes on
            if _bypass_is_public(project, pair, public_app) and not _adds_credential(analysis, call):
                continue
            callers = [
                f"{module.rel}:{module.position(site)[0]}"
                for module, site in unauthenticated_callers(analysis, call.module, call.node)
                if not any(probe_path_in(arg) for arg in ts.arguments(site))
            ]
            yield RULE.at_node(
                call.module,
                call.node,
                f"`{pair.binding}` is called outside any Hono route (a plain handler, a framework's "
                "route or server function) and nothing before it authenticates (no auth middleware, "
                "no auth/verify/jwt/session call, no 401 answer)"
                + (f": reached that way from {', '.join(callers[:3])}" if callers else ""),
            )
        with_identity = set()
        for call in analysis.unguarded_rpc:
            if _auth_flow_file(call.module):
                continue  # a framework route of the sign-in flow: the call is the auth step
            args = _identity_args(project, pair, call, public_app)
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
        unchecked = [c for c in analysis.unguarded_rpc if id(c) not in with_identity]
        for call, what in _dangerous(project, pair, unchecked):
            yield RULE.at_node(
                call.module,
                call.node,
                "outside any Hono route, the handler " + _dangerous_message(pair, call, what),
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
    "`app.route(prefix, child)`; a child mounted at several prefixes is judged on each), and the "
    "handler itself does not authenticate before each binding "
    "call. A binding call in a handler (a Hono route's or a plain `fetch` handler's) is authenticated "
    "when it follows, in its function, a call named like auth/verify/jwt/session "
    "(`const s = await requireSession(c); if (s instanceof Response) return s;`), a check on an "
    "object named or typed so (`await this.#authorize.execute(req)` on an `AuthorizeRequest` field; "
    "not `auth.signOut()`), a thrown access error (`throw new UnauthorizedError()`) or a 401 answer; "
    "a function handed to a constructor (`new ProtectedController(authorizer, forward)`) is judged "
    "where the object calls it. The RPC methods of the front's own `WorkerEntrypoint` (all but "
    "`fetch` and what it calls) and of its named entrypoints run only when another Worker calls them "
    "through a service binding, never for a request on a URL: not judged here (the caller's routes "
    "are). "
    "RPC calls on the binding (`env.BACKEND.getNotes(userId)`, also through `c.env`, a destructured "
    "binding or a stub in a variable) reach the backend too: when a route or handler reaches it only "
    "through RPC, it is flagged if no auth runs before it AND an argument carries an identity taken "
    "from client input - the query (`c.req.query()`, `searchParams`), the body (`c.req.json()`), a "
    "path parameter or a header - named like `userId`/`accountId`/`email` (by its key, its variable or "
    "the backend method's parameter). An RPC call passing nothing that says who (a public read) is "
    "not flagged, unless the method deletes data (`delete`/`remove`/`drop`/`purge`/`wipe`/`destroy`"
    "...: `env.STORE.deleteAllUsers()`, reported once per function) or issues a credential while "
    "taking nothing to check (a backend method without parameters that signs a token: `seed()` "
    "returning `jwt.sign(...)`); a method that signs the identity "
    "up (`createUser`, `register`; not `upsertUser`, which can overwrite another's record) or is the "
    "authentication itself (`login(email, password)`) may take it from the client, and in a front "
    "that authenticates nobody a read whose answer is used as data (`const { name } = await "
    "env.API.getUser(id)`, a public profile) looks a record up rather than acting as its owner - "
    "unless the answer is used to act (`store = await env.API.getStoreFor(id); store.addTask()`). "
    "Calls are followed into functions, class methods (`this.m()`; `client.m()` to the project's "
    "classes with a method `m`, narrowed by declared types) and client objects the binding is handed "
    "to (`new SyncClient(env.SYNC)` calling `this.binding.x()`). `@hono/zod-openapi` routes "
    "(`router.openapi(createRoute({ method, path, middleware }), handler)`) and a Pages project's "
    "Functions (file-based paths, `_middleware` first) are routes too. An RPC route with no auth "
    'middleware whose code expects a signed-in caller - it reads `c.get("auth")` (or `user`, '
    "`session`, `jwtPayload`...) that nothing on its way sets, or its OpenAPI definition declares "
    "`security` - is reported whatever it passes. A call that carries only the signed-in user's own "
    "credential (`authorization: Bearer ${token}` with the token from their cookie or "
    "`getToken(request)`) to a backend that authenticates requests itself needs no auth step in the "
    "front; the sign-in flow's own route files (`routes/sso.callback.tsx`, `routes/login.tsx`) are "
    "the auth step. "
    "Framework fronts (TanStack Start, React Router) whose `main` only hands requests to the "
    "framework are read from their package's sources: a server function is authenticated by "
    "auth-named `.middleware([...])` in its `createServerFn()` chain (a tRPC procedure by an "
    "auth-named base such as `protectedProcedure`), and a helper shared by a health route and "
    "protected callers is judged per caller. Nor is a health "
    "probe: a request of the front's own to a health path (`/health`, `/healthz`, `/ping`...) "
    "that carries nothing of the client's request. "
    "Nor is a private Worker (the backend of another pair, with no public URL) calling a backend as "
    "itself: a fixed request carrying its own secret (`x-internal-key: env.INTERNAL_KEY`) and nothing "
    "of the client's; the pair of the front that reaches it shows a missing auth step. A client made "
    "by a factory (`httpVerifyClient(env.B)` returning `async (input) => b.fetch(...)`) calls the "
    "binding after the factory call, so an auth step before that call guards it. "
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
    sharded=True,
)
