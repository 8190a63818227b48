"""DW005 on RPC service bindings (issue 8, shape 4): `env.BACKEND.method(args)` reaches the
backend like `fetch` does; without auth, an identity argument the client chose is the hole."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from dualworker_cli.check.analysis import front_analysis
from dualworker_cli.check.engine import run
from tests.check.helpers import findings_for, front_findings, where, write_tree
from tests.test_check_support import FRONT_TS, lint, make_project, rules_of

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "check"


def test_hono_routes_passing_client_identity_to_rpc() -> None:
    result = run(FIXTURES / "rpc-identity-from-client")
    assert where(result) == [
        ("DW005", "apps/web/src/routes/notes.ts", 8),
        ("DW005", "apps/web/src/routes/notes.ts", 16),
    ]
    first, second = (f.message for f in result.findings)
    assert "`GET /api/notes`" in first and "`userId` from the query string to `NOTES.listNotes()`" in first
    assert "`DELETE /api/notes/:noteId`" in second and "`ownerId` from the request body" in second


def test_rpc_calls_are_recognised_in_every_shape() -> None:
    """`c.env.NOTES.m()`, a destructured `{ NOTES }` and a stub in a variable are RPC calls."""
    result = run(FIXTURES / "rpc-identity-from-client")
    analysis = front_analysis(result.project, result.project.pairs[0])
    assert sorted((c.kind, c.method) for c in analysis.proxy_calls) == [
        ("rpc", "deleteNote"),
        ("rpc", "listNotes"),
        ("rpc", "listNotes"),
        ("rpc", "listTags"),
    ]


def test_plain_fetch_handler_identity_named_by_the_backend_parameter() -> None:
    result = run(FIXTURES / "rpc-plain-fetch-handler")
    assert where(result) == [("DW005", "front/src/index.ts", 15)]
    assert "`accountId` from the query string to `LEDGER.charge()`" in result.findings[0].message


def test_plain_fetch_handler_with_a_token_check_is_clean(tmp_path: Path) -> None:
    root = tmp_path / "project"
    shutil.copytree(FIXTURES / "rpc-plain-fetch-handler", root)
    index = root / "front" / "src" / "index.ts"
    index.write_text(
        index.read_text().replace(
            "    const { pathname, searchParams } = new URL(request.url);\n",
            "    const { pathname, searchParams } = new URL(request.url);\n"
            '    if (!(await verifyToken(request))) return new Response("unauthorized", { status: 401 });\n',
        )
        + "\nasync function verifyToken(request: Request) {\n"
        + '  return request.headers.has("Authorization");\n}\n'
    )
    assert where(run(root)) == []


def test_public_reads_and_session_identities_are_clean() -> None:
    assert where(run(FIXTURES / "rpc-identity-clean")) == []


RPC_ROUTE = """import {{ Hono }} from "hono";

const app = new Hono();
app.{method}("{path}", async (c) => {{
  {body}
}});
export default app;
"""


@pytest.mark.parametrize(
    ("method", "path", "body", "source"),
    [
        (
            "get",
            "/u/:userId",
            'return c.json(await c.env.BACKEND_SERVICE.profile(c.req.param("userId")));',
            "URL path",
        ),
        (
            "get",
            "/me",
            'return c.json(await c.env.BACKEND_SERVICE.profile(c.req.header("x-account-id")));',
            "header",
        ),
        (
            "post",
            "/notes",
            "const body = await c.req.json();\n"
            "  return c.json(await c.env.BACKEND_SERVICE.addNote({ userId: body.uid, text: body.text }));",
            "request body",
        ),
        (
            "get",
            "/notes",
            'const email = new URL(c.req.url).searchParams.get("email");\n'
            "  return c.json(await c.env.BACKEND_SERVICE.notesOf(email));",
            "query string",
        ),
    ],
)
def test_client_sources(tmp_path: Path, method: str, path: str, body: str, source: str) -> None:
    index = RPC_ROUTE.format(method=method, path=path, body=body)
    result = run(make_project(tmp_path, front_ts={**FRONT_TS, "src/index.ts": index}))
    found = [f for f in result.findings if f.rule == "DW005"]
    assert len(found) == 1 and f"from the {source}" in found[0].message.replace(
        "a request header", "the header"
    )


def test_rpc_without_identity_is_a_public_read(tmp_path: Path) -> None:
    body = 'return c.json(await c.env.BACKEND_SERVICE.search(c.req.query("q"), Number(c.req.query("page"))));'
    index = RPC_ROUTE.format(method="get", path="/search", body=body)
    result = run(make_project(tmp_path, front_ts={**FRONT_TS, "src/index.ts": index}))
    assert [f for f in result.findings if f.rule == "DW005"] == []


def test_rpc_handed_the_raw_request_counts_like_fetch(tmp_path: Path) -> None:
    index = RPC_ROUTE.format(
        method="all", path="/api/*", body="return c.env.BACKEND_SERVICE.handle(c.req.raw);"
    )
    result = run(make_project(tmp_path, front_ts={**FRONT_TS, "src/index.ts": index}))
    found = [f for f in result.findings if f.rule == "DW005"]
    assert len(found) == 1 and "reaches `BACKEND_SERVICE` but no auth middleware" in found[0].message


def test_route_with_fetch_and_rpc_keeps_the_proxy_rule(tmp_path: Path) -> None:
    body = "await c.env.BACKEND_SERVICE.touch();\n  return c.env.BACKEND_SERVICE.fetch(c.req.url);"
    index = RPC_ROUTE.format(method="get", path="/api/x", body=body)
    result = run(make_project(tmp_path, front_ts={**FRONT_TS, "src/index.ts": index}))
    assert len([f for f in result.findings if f.rule == "DW005"]) == 1


def test_auth_in_the_hono_handler_before_the_call_protects_the_route() -> None:
    result = run(FIXTURES / "route-auth-in-handler")
    assert where(result) == [("DW005", "web/src/index.ts", 20)]
    assert result.findings[0].message.startswith("`GET /reports/:id` reaches `API`")


def test_binding_calls_only_background_code_runs_are_not_routes() -> None:
    """A Durable Object's alarm and the `scheduled` handler call the backend: no client request."""
    result = run(FIXTURES / "background-binding-calls")
    assert where(result) == []
    analysis = front_analysis(result.project, result.project.pairs[0])
    assert sorted(c.module.rel for c in analysis.background_calls) == ["web/src/jobs.ts", "web/src/report.ts"]


def test_background_helper_also_reached_from_fetch_is_judged(tmp_path: Path) -> None:
    root = tmp_path / "project"
    shutil.copytree(FIXTURES / "background-binding-calls", root)
    index = root / "web" / "src" / "index.ts"
    text = index.read_text().replace(
        'import { nightlyReport } from "./report";',
        'import { pollJobs } from "./jobs";\nimport { nightlyReport } from "./report";',
    )
    check = "    const user = await verifySession(request);"
    text = text.replace(check, '    if (url.pathname === "/jobs") return pollJobs(env);\n' + check)
    index.write_text(text)
    result = run(root)
    assert where(result) == [("DW005", "web/src/jobs.ts", 2)]
    assert "outside any Hono route" in result.findings[0].message


def test_health_probes_carry_nothing_to_authenticate() -> None:
    result = run(FIXTURES / "health-probe")
    assert where(result) == [("DW005", "web/src/index.ts", 14)]
    assert result.findings[0].message.startswith("`POST /status/echo`")


def test_destructive_rpc_without_auth_and_sign_up() -> None:
    """`deleteAllUsers()` with no auth is the hole (once per handler); `createUser(email)` from the
    form is a sign-up; the backend's code the front imports only for types is not the front's."""
    result = run(FIXTURES / "rpc-destructive-and-signup")
    assert where(result) == [("DW005", "web/src/index.ts", 21)]
    assert "`USERS.deleteAllUsers()`, which deletes data, with no auth step" in result.findings[0].message
    analysis = front_analysis(result.project, result.project.pairs[0])
    assert {c.module.rel for c in analysis.proxy_calls} == {"web/src/index.ts"}


HELPER_FRONT = """import { handleUser } from "./user";

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const url = new URL(request.url);
    const match = url.pathname.match(/^\\/user\\/(?<name>[a-z0-9-]+)$/);
    if (match) {
      const { name } = match.groups || {};
      return handleUser({ request, username: name, LEDGER: env.LEDGER });
    }
    return new Response("not found", { status: 404 });
  },
};
"""
HELPER_USER = """type Args = { username: string; LEDGER: Service };

export const handleUser = async ({ username, LEDGER }: Args) => {
  const store = await LEDGER.storeForUser(username);
  return Response.json(await store.list());
};
"""


def test_identity_passed_through_a_helper_parameter_is_followed(tmp_path: Path) -> None:
    """`handleUser({ username })` with the name from a path regex: the helper's RPC call gets an
    identity the client chose, one call (and one module) away from the request."""
    root = tmp_path / "project"
    shutil.copytree(FIXTURES / "rpc-plain-fetch-handler", root)
    (root / "front" / "src" / "index.ts").write_text(HELPER_FRONT)
    (root / "front" / "src" / "user.ts").write_text(HELPER_USER)
    result = run(root)
    assert where(result) == [("DW005", "front/src/user.ts", 4)]
    assert "`username` from the URL path to `LEDGER.storeForUser()`" in result.findings[0].message


def test_upsert_of_a_client_chosen_user_is_not_a_sign_up(tmp_path: Path) -> None:
    root = tmp_path / "project"
    shutil.copytree(FIXTURES / "rpc-plain-fetch-handler", root)
    index = root / "front" / "src" / "index.ts"
    index.write_text(
        index.read_text().replace(
            "env.LEDGER.charge(id, cents)", 'env.LEDGER.upsertUser(searchParams.get("username"))'
        )
    )
    assert ("DW005", "front/src/index.ts", 15) in where(run(root))
    index.write_text(index.read_text().replace("upsertUser", "createUser"))
    assert ("DW005", "front/src/index.ts", 15) not in where(run(root))


#: a proxy that rebuilds the headers correctly (DW006 stays quiet)
SAFE_PROXY = """(c) => {
  const headers = new Headers(c.req.raw.headers);
  headers.delete("X-User-Id");
  headers.set("X-User-Id", c.get("userId"));
  return c.env.BACKEND_SERVICE.fetch(new Request(c.req.raw, { headers }));
}"""


FRESH_PROXY = '(c) => c.env.BACKEND_SERVICE.fetch(new Request(c.req.url, { headers: { "X-User-Id": "u" } }))'


PLAIN_HELPER = """import {{ authenticate }} from "./auth";

async function forward(request: Request, env: Env, userId: string) {{
  return env.BACKEND_SERVICE.fetch(new Request(request.url, {{ headers: {{ "X-User-Id": userId }} }}));
}}

export default {{
  async fetch(request: Request, env: Env): Promise<Response> {{
{body}
  }},
}} satisfies ExportedHandler<Env>;
"""


PLAIN_FETCH = """export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname.startsWith("/api/internal/")) {
      %s
      const headers = new Headers(request.headers);
      headers.set("X-User-Id", userId);
      return env.BACKEND_SERVICE.fetch(new Request(request, { headers }));
    }
    return new Response("not found", { status: 404 });
  },
};
"""


def test_dw005_chained_new_hono_with_auth_is_protected(tmp_path: Path) -> None:
    """`new Hono().use("*", auth).all(...)` (the RPC-friendly style) was not seen as routes at all,
    so the binding call was reported as "outside any Hono route" with no auth."""
    index = f"""import {{ Hono }} from "hono";
import {{ authMiddleware }} from "./auth";

const app = new Hono()
  .use("*", authMiddleware)
  .all("/api/internal/*", {SAFE_PROXY});

export default app;
"""
    assert front_findings(tmp_path, {"src/index.ts": index}) == []


def test_dw005_chained_use_then_route_on_an_app_is_protected(tmp_path: Path) -> None:
    """`app.use(auth).all(...)`: both calls start at `app`, so `use` was not seen as earlier."""
    index = f"""import {{ Hono }} from "hono";
import {{ authMiddleware }} from "./auth";

const app = new Hono();
app.use("/api/internal/*", authMiddleware).all("/api/internal/*", {SAFE_PROXY});
export default app;
"""
    assert front_findings(tmp_path, {"src/index.ts": index}) == []


def test_dw005_chained_route_then_use_is_still_flagged(tmp_path: Path) -> None:
    index = f"""import {{ Hono }} from "hono";
import {{ authMiddleware }} from "./auth";

const app = new Hono();
app.all("/api/internal/*", {SAFE_PROXY}).use("*", authMiddleware);
export default app;
"""
    found = front_findings(tmp_path, {"src/index.ts": index}, "DW005")
    assert where(found) == [("DW005", "web/src/index.ts", 5)]
    assert "`ALL /api/internal/*`" in found[0].message


def test_dw005_chained_default_export_without_auth_points_at_the_route(tmp_path: Path) -> None:
    index = f"""import {{ Hono }} from "hono";

export default new Hono()
  .get("/health", (c) => c.text("ok"))
  .all("/api/internal/*", {SAFE_PROXY});
"""
    found = front_findings(tmp_path, {"src/index.ts": index}, "DW005")
    assert where(found) == [("DW005", "web/src/index.ts", 5)]
    assert "`ALL /api/internal/*`" in found[0].message


def test_dw005_chained_sub_app_mounted_with_route(tmp_path: Path) -> None:
    index = f"""import {{ Hono }} from "hono";
import {{ authMiddleware }} from "./auth";

const internal = new Hono().use("*", authMiddleware).all("/*", {SAFE_PROXY});
const open = new Hono().all("/*", {SAFE_PROXY});
const app = new Hono().route("/api/internal", internal).route("/api/open", open);
export default app;
"""
    found = front_findings(tmp_path, {"src/index.ts": index}, "DW005")
    assert [f.message.split("`")[1] for f in found] == ["ALL /api/open/*"]


def test_dw005_base_path_in_a_chain(tmp_path: Path) -> None:
    """`new Hono().basePath("/api").use("/internal/*", auth).all("/internal/*", ...)`."""
    index = f"""import {{ Hono }} from "hono";
import {{ authMiddleware }} from "./auth";

const app = new Hono()
  .basePath("/api")
  .use("/internal/*", authMiddleware)
  .all("/internal/*", {SAFE_PROXY});
export default app;
"""
    assert front_findings(tmp_path, {"src/index.ts": index}) == []


def test_dw005_namespace_imported_proxy_behind_inline_auth(tmp_path: Path) -> None:
    """`app.all(path, authMiddleware, handlers.proxy)` with `import * as handlers`: the route was
    not seen to reach the binding, so the call was reported as unrouted and unauthenticated."""
    index = """import { Hono } from "hono";
import { authMiddleware } from "./auth";
import * as handlers from "./proxy";

const app = new Hono();
app.all("/api/internal/*", authMiddleware, handlers.proxy);
export default app;
"""
    proxy = f"export const proxy = {SAFE_PROXY};\n"
    assert front_findings(tmp_path, {"src/index.ts": index, "src/proxy.ts": proxy}) == []


def test_dw005_namespace_imported_proxy_without_auth_is_the_route(tmp_path: Path) -> None:
    index = """import { Hono } from "hono";
import * as handlers from "./proxy";

const app = new Hono();
app.all("/api/internal/*", handlers.proxy);
export default app;
"""
    proxy = f"export const proxy = {SAFE_PROXY};\n"
    found = front_findings(tmp_path, {"src/index.ts": index, "src/proxy.ts": proxy}, "DW005")
    assert where(found) == [("DW005", "web/src/index.ts", 5)]


def test_dw005_namespace_imported_auth_middleware(tmp_path: Path) -> None:
    index = f"""import {{ Hono }} from "hono";
import * as mw from "./middleware";

const app = new Hono();
app.all("/api/internal/*", mw.requireUser, {SAFE_PROXY});
export default app;
"""
    middleware = "export const requireUser = async (c, next) => { await next(); };\n"
    assert front_findings(tmp_path, {"src/index.ts": index, "src/middleware.ts": middleware}) == []


def test_dw005_hono_and_well_known_auth_middleware_by_name(tmp_path: Path) -> None:
    """`jwk(...)` (hono/jwk), `clerkMiddleware()` and `cloudflareAccess(...)` were not auth."""
    fresh = '(c) => c.env.BACKEND_SERVICE.fetch(new Request(c.req.url, { headers: { "X-User-Id": "u" } }))'
    index = f"""import {{ Hono }} from "hono";
import {{ jwk }} from "hono/jwk";
import {{ clerkMiddleware }} from "@hono/clerk-auth";
import {{ cloudflareAccess }} from "@hono/cloudflare-access";

const app = new Hono();
app.all("/api/internal/a/*", jwk({{ jwks_uri: "https://id.example/.well-known/jwks.json" }}), {fresh});
app.all("/api/internal/b/*", clerkMiddleware(), {fresh});
app.all("/api/internal/c/*", cloudflareAccess("team"), {fresh});
export default app;
"""
    assert front_findings(tmp_path, {"src/index.ts": index}) == []


def test_dw005_mount_prefix_from_a_constant(tmp_path: Path) -> None:
    """`app.route(PREFIX, internal)` was mounted at "", so the parent's `use("/api/internal/*")`
    did not cover the child's routes and the route was shown as `/*`."""
    index = f"""import {{ Hono }} from "hono";
import {{ authMiddleware }} from "./auth";

const PREFIX = "/api/internal";
const app = new Hono();
const internal = new Hono();
app.use("/api/internal/*", authMiddleware);
internal.all("/*", {FRESH_PROXY});
app.route(PREFIX, internal);
export default app;
"""
    assert front_findings(tmp_path, {"src/index.ts": index}) == []


def test_dw005_use_path_from_an_imported_constant_covers_only_that_path(tmp_path: Path) -> None:
    """`app.use(`${INTERNAL}/*`, auth)` was taken for `app.use("*", auth)`, protecting every route."""
    index = f"""import {{ Hono }} from "hono";
import {{ authMiddleware }} from "./auth";
import {{ INTERNAL, OTHER }} from "./paths";

const app = new Hono();
app.use(`${{INTERNAL}}/*`, authMiddleware);
app.all(INTERNAL + "/*", {FRESH_PROXY});
app.all(OTHER, {FRESH_PROXY});
export default app;
"""
    paths = 'export const INTERNAL = "/api/internal";\nexport const OTHER = `/api/other/*`;\n'
    found = front_findings(tmp_path, {"src/index.ts": index, "src/paths.ts": paths}, "DW005")
    assert [(f.line, f.message.split("`")[1]) for f in found] == [(8, "ALL /api/other/*")]


def test_dw005_plain_worker_authenticates_before_calling_the_helper(tmp_path: Path) -> None:
    """The binding call sits in `forward`, whose only caller authenticates first: it was flagged
    because only the functions around the call were searched, not its callers."""
    body = """    const userId = await authenticate(request, env);
    if (!userId) return new Response("unauthorized", { status: 401 });
    return forward(request, env, userId);"""
    auth = 'export async function authenticate(request: Request, env: Env) { return "u1"; }\n'
    files = {"src/index.ts": PLAIN_HELPER.format(body=body), "src/auth.ts": auth}
    assert front_findings(tmp_path, files) == []


def test_dw005_plain_worker_helper_called_without_auth(tmp_path: Path) -> None:
    body = '    return forward(request, env, request.headers.get("X-User-Id") ?? "");'
    auth = 'export async function authenticate(request: Request, env: Env) { return "u1"; }\n'
    found = front_findings(
        tmp_path, {"src/index.ts": PLAIN_HELPER.format(body=body), "src/auth.ts": auth}, "DW005"
    )
    assert where(found) == [("DW005", "web/src/index.ts", 4)]


def test_dw005_app_mount_is_a_route_under_its_path(tmp_path: Path) -> None:
    """`app.mount(path, handler)` was not a route: its binding call was "outside any Hono route"
    even behind `app.use("/api/internal/*", auth)`."""
    mount = (
        "(request, env) => env.BACKEND_SERVICE.fetch("
        'new Request(request.url, { headers: { "X-User-Id": "u" } }))'
    )
    index = f"""import {{ Hono }} from "hono";
import {{ authMiddleware }} from "./auth";

const app = new Hono();
app.use("/api/internal/*", authMiddleware);
app.mount("/api/internal", {mount});
app.mount("/api/open", {mount});
export default app;
"""
    found = front_findings(tmp_path, {"src/index.ts": index}, "DW005")
    assert [(f.line, f.message.split("`")[1]) for f in found] == [(7, "MOUNT /api/open/*")]


def test_dw005_local_apps_of_two_factories_are_two_apps(tmp_path: Path) -> None:
    """Two functions each building a local `app`: the admin app's `use("*", auth)` protected the
    internal app's proxy route (both were the app "app"), and `root.route(p, makeApp())` was not
    linked to the returned app."""
    index = f"""import {{ Hono }} from "hono";
import {{ authMiddleware }} from "./auth";

function adminApp() {{
  const app = new Hono();
  app.use("*", authMiddleware);
  app.all("/proxy/*", {FRESH_PROXY});
  return app;
}}
function internalApp() {{
  const app = new Hono();
  app.all("/*", {FRESH_PROXY});
  return app;
}}
const root = new Hono();
root.route("/admin", adminApp());
root.route("/api/internal", internalApp());
export default root;
"""
    found = front_findings(tmp_path, {"src/index.ts": index}, "DW005")
    assert [(f.line, f.message.split("`")[1]) for f in found] == [(12, "ALL /api/internal/*")]


def test_dw005_helper_also_exported_as_the_handler_is_not_guarded_by_its_callers(tmp_path: Path) -> None:
    """Following callers must not hide that the runtime calls the helper directly."""
    index = """import { authenticate } from "./auth";

async function forward(request: Request, env: Env) {
  return env.BACKEND_SERVICE.fetch(new Request(request.url, { headers: { "X-User-Id": "u" } }));
}
async function guarded(request: Request, env: Env) {
  if (!(await authenticate(request, env))) return new Response("unauthorized", { status: 401 });
  return forward(request, env);
}
export default { fetch: forward, guarded };
"""
    auth = "export async function authenticate(request: Request, env: Env) { return true; }\n"
    found = front_findings(tmp_path, {"src/index.ts": index, "src/auth.ts": auth}, "DW005")
    assert where(found) == [("DW005", "web/src/index.ts", 4)]


def test_dw005_recursive_factories_and_unknown_factories(tmp_path: Path) -> None:
    """`route(p, f())` with a self-recursive `f` must not recurse forever (internal error), and
    routes on an unresolvable factory's result (`factory().all(...)`) are still routes."""
    index = f"""import {{ Hono }} from "hono";
import {{ factory }} from "some-package";
import {{ authMiddleware }} from "./auth";

const app = new Hono();
function f() {{ return f(); }}
const g = () => h();
const h = () => g();
app.route("/x", f());
app.route("/y", g());
factory().all("/api/internal/*", authMiddleware, {FRESH_PROXY});
export default app;
"""
    assert front_findings(tmp_path, {"src/index.ts": index}) == []


def test_dw005_route_without_auth(tmp_path: Path) -> None:
    files = dict(FRONT_TS)
    files["src/app.ts"] = files["src/app.ts"].replace('app.use("/api/internal/*", authMiddleware);\n', "")
    found = findings_for(make_project(tmp_path, front_ts=files), "DW005")
    assert [(f.path, f.line) for f in found] == [("web/src/app.ts", 8)]
    assert "ALL /api/internal/*" in found[0].message


def test_dw005_use_after_route_does_not_protect(tmp_path: Path) -> None:
    files = dict(FRONT_TS)
    files["src/app.ts"] = files["src/app.ts"].replace(
        'app.use("/api/internal/*", authMiddleware);\napp.all("/api/internal/*", proxy);\n',
        'app.all("/api/internal/*", proxy);\napp.use("/api/internal/*", authMiddleware);\n',
    )
    assert len(findings_for(make_project(tmp_path, front_ts=files), "DW005")) == 1


def test_dw005_use_on_narrower_path_does_not_cover(tmp_path: Path) -> None:
    files = dict(FRONT_TS)
    files["src/app.ts"] = files["src/app.ts"].replace(
        'app.use("/api/internal/*", authMiddleware);', 'app.use("/api/internal/admin/*", authMiddleware);'
    )
    assert len(findings_for(make_project(tmp_path, front_ts=files), "DW005")) == 1


def test_dw005_sub_app_mounted_behind_parent_use(tmp_path: Path) -> None:
    """app.use("/api/*", requireSession) then app.route("/api/internal", internal): covered."""
    files = dict(FRONT_TS)
    files["src/app.ts"] = """import { Hono } from "hono";
import { requireSession } from "./auth";
import internal from "./internal";

export const app = new Hono();
app.use("/api/*", requireSession);
app.route("/api/internal", internal);
"""
    files["src/internal.ts"] = """import { Hono } from "hono";
import { proxy } from "./proxy";
const internal = new Hono();
internal.all("/*", proxy);
export default internal;
"""
    files["src/auth.ts"] = files["src/auth.ts"].replace("authMiddleware", "requireSession")
    root = make_project(tmp_path, front_ts=files)
    result = lint(root)
    analysis = front_analysis(result.project, result.project.pairs[0])
    assert [(r.full_path, r.protected) for r in analysis.routes] == [("/api/internal/*", True)]
    assert "DW005" not in rules_of(result)
    # mounted before the middleware: not covered
    files["src/app.ts"] = files["src/app.ts"].replace(
        'app.use("/api/*", requireSession);\napp.route("/api/internal", internal);',
        'app.route("/api/internal", internal);\napp.use("/api/*", requireSession);',
    )
    other = make_project(tmp_path / "other", front_ts=files)
    assert rules_of(lint(other)).count("DW005") == 1


def test_dw005_plain_fetch_handler_without_auth(tmp_path: Path) -> None:
    files = {"src/index.ts": PLAIN_FETCH % 'const userId = url.searchParams.get("user") ?? "";'}
    found = findings_for(make_project(tmp_path, front_ts=files), "DW005")
    assert [(f.path, f.line) for f in found] == [("web/src/index.ts", 8)]
    assert "outside any Hono route" in found[0].message


def test_dw005_plain_fetch_handler_with_auth_call(tmp_path: Path) -> None:
    files = {"src/index.ts": PLAIN_FETCH % "const userId = await verifyToken(request, env);"}
    assert findings_for(make_project(tmp_path, front_ts=files), "DW005") == []


def test_dw005_binding_named_in_a_type_only_is_not_a_proxy(tmp_path: Path) -> None:
    files = dict(FRONT_TS)
    files["src/app.ts"] += (
        'app.get("/api/whoami", async (c: Context<{ Bindings: { BACKEND_SERVICE: Fetcher } }>) => '
        "c.json({}));\n"
    )
    assert findings_for(make_project(tmp_path, front_ts=files), "DW005") == []
    files["src/app.ts"] += 'app.get("/api/raw", async (c) => c.env["BACKEND_SERVICE"].fetch(c.req.raw));\n'
    found = findings_for(make_project(tmp_path / "b", front_ts=files), "DW005")
    assert [f.message.split("`")[1] for f in found] == ["GET /api/raw"]


def test_dw005_names_that_switch_auth_off_are_not_auth(tmp_path: Path) -> None:
    files = dict(FRONT_TS)
    files["src/app.ts"] = files["src/app.ts"].replace(
        'app.use("/api/internal/*", authMiddleware);\napp.all("/api/internal/*", proxy);',
        'const skipAuth = async (c, next) => next();\napp.all("/api/internal/*", skipAuth, proxy);',
    )
    found = findings_for(make_project(tmp_path, front_ts=files), "DW005")
    assert [f.message.split("`")[1] for f in found] == ["ALL /api/internal/*"]


def test_dw005_routes_registered_by_a_function_taking_the_app(tmp_path: Path) -> None:
    """`app.use("/api/*", auth)` then `registerInternal(app)` defined in another module: covered;
    registered before the `use`: not covered."""
    files = dict(FRONT_TS)
    files["src/internal.ts"] = """import { proxy } from "./proxy";
export function registerInternal(router) {
  router.all("/api/internal/*", proxy);
}
"""
    files["src/app.ts"] = """import { Hono } from "hono";
import { authMiddleware } from "./auth";
import { registerInternal } from "./internal";
export const app = new Hono();
app.get("/api/health", (c) => c.json({ ok: true }));
app.use("/api/*", authMiddleware);
registerInternal(app);
"""
    assert findings_for(make_project(tmp_path, front_ts=files), "DW005") == []
    files["src/app.ts"] = files["src/app.ts"].replace(
        'app.use("/api/*", authMiddleware);\nregisterInternal(app);',
        'registerInternal(app);\napp.use("/api/*", authMiddleware);',
    )
    found = findings_for(make_project(tmp_path / "b", front_ts=files), "DW005")
    assert [(f.path, f.line) for f in found] == [("web/src/internal.ts", 3)]


def test_framework_server_function_without_auth_middleware_reaches_the_backend() -> None:
    """TanStack Start: `main` only calls `handler.fetch(request)`; the server functions are read
    from the front's package. `saveNote` (no `.middleware([...])`) reaches the backend through the
    `callData` helper: reported at the helper's binding call, naming the unauthenticated caller."""
    result = run(FIXTURES / "framework-server-functions")
    assert where(result) == [("DW005", "app/src/lib/data.ts", 4)]
    message = result.findings[0].message
    assert "server function" in message and "reached that way from app/src/functions/notes.ts:15" in message
    assert "health.ts" not in message  # the health route sends a health path: nothing to authenticate


def test_framework_server_functions_behind_auth_middleware_are_clean() -> None:
    """`.middleware([requireSession])` in the `createServerFn()` chain authenticates the handler; the
    health route shares the helper with a health path."""
    assert where(run(FIXTURES / "framework-server-functions-clean")) == []


def test_public_lookup_by_path_id_is_clean_acting_through_the_answer_is_not() -> None:
    """A front that authenticates nobody: `const { name } = await env.API.getUser(userId)` reads a
    public profile (clean); `store = await env.API.getStoreFor(userId); store.addTask()` acts as
    that user (DW005 at the argument)."""
    result = run(FIXTURES / "rpc-public-lookup")
    assert where(result) == [("DW005", "web/src/index.ts", 15)]
    assert "`userId` from the URL path to `API.getStoreFor()`" in result.findings[0].message


def test_rpc_issuing_a_credential_without_auth_login_is_the_auth_itself() -> None:
    """`AUTH.seed()` signs a token while taking nothing to check: anyone gets a session (DW005).
    `AUTH.login(email, password)` checks what it is given before signing: the client choosing the
    email is the point of a login, not a spoofed identity."""
    result = run(FIXTURES / "rpc-credential-minting")
    assert where(result) == [("DW005", "app/src/index.ts", 9)]
    assert "issues a signed credential while checking nothing (`auth/src/index.ts:8 jwt.sign(...)`)" in (
        result.findings[0].message
    )


#: a route forwarding the client's body with the front's own credential (X-Service-Token)
_SERVICE_TOKEN_ROUTE = (
    'app.post("{path}", (c) =>\n'
    '  c.env.API.fetch(new Request("https://api/v1{path}", {{\n'
    '    method: "POST", body: c.req.raw.body, headers: {{ "X-Service-Token": c.env.SERVICE_TOKEN }},\n'
    "  }})),\n);"
)


def test_open_front_routes_to_a_public_self_authenticating_api_are_not_dw005(tmp_path: Path) -> None:
    """`api` is public (custom domain), checks the session cookie itself and trusts no header of
    the front: `/search` (a public page), `/auth/login` (the sign-in) and `/account/*` (behind the
    front's own `validateSession`, which itself asks the API) give a stranger nothing `api` does
    not. A route that adds the front's own `X-Service-Token` to an unauthenticated forward does."""
    from tests.check.fixtures import with_route

    assert where(run(FIXTURES / "public-api-behind-open-front")) == []
    root = with_route("public-api-behind-open-front", tmp_path, _SERVICE_TOKEN_ROUTE.format(path="/topics"))
    result = run(root)
    assert [(rule, path) for rule, path, _ in where(result)] == [("DW005", "web/src/index.ts")]
    assert "`POST /topics`" in result.findings[0].message


def test_the_auth_flow_itself_needs_no_auth_before_it(tmp_path: Path) -> None:
    """Sign-in, sign-up and token routes run before anyone is signed in: a front that forwards
    `/auth/register` with its own service credential is the registration, not a forgotten middleware."""
    from tests.check.fixtures import with_route

    route = _SERVICE_TOKEN_ROUTE.format(path="/auth/register")
    root = with_route("public-api-behind-open-front", tmp_path, route)
    assert where(run(root)) == []


def test_auth_use_case_injected_into_a_controller_guards_the_injected_forward() -> None:
    """`new GuardedProxy(new AuthorizeRequest(...), forward)`: the controller awaits
    `this.#authorize.execute()` (a check on an auth-typed field) before calling the injected
    `forward`, which calls the binding (clean). `this.auth.signOut()` before it is no check: DW005."""
    result = run(FIXTURES / "route-auth-injected-use-case")
    assert where(result) == [("DW005", "gateway/src/index.ts", 18)]
    assert "`ALL /files/*`" in result.findings[0].message


def test_a_sub_app_mounted_twice_is_judged_on_each_way_in() -> None:
    """A factory's app in a local variable, mounted at two prefixes: behind auth on both (clean);
    behind auth on one and open on the other (DW005, naming the open path)."""
    result = run(FIXTURES / "route-auth-subapp-mounted-twice")
    assert where(result) == [("DW005", "gateway/src/routes/reports.ts", 5)]
    assert "`GET /public/export`" in result.findings[0].message


def test_a_binding_chosen_with_a_fallback_is_a_binding_call() -> None:
    """`const dispatch = c.env.API_DISPATCH ?? c.env.API; dispatch.fetch(...)` calls `API`, so the
    401 answered before it in the handler is seen as the auth step of that call."""
    result = run(FIXTURES / "route-auth-subapp-mounted-twice")
    analysis = front_analysis(result.project, result.project.pairs[0])
    replay = [r for r in analysis.routes if r.full_path == "/webhooks/replay"]
    assert [(c.kind, c.module.position(c.node)[0]) for c in replay[0].calls] == [("fetch", 16)]
    assert replay[0].protected


def test_rpc_methods_of_a_worker_entrypoint_are_not_client_reachable() -> None:
    """Only another Worker's binding reaches the RPC methods of the front's `WorkerEntrypoint` (and
    a named entrypoint): their binding calls are not DW005's. Its `fetch` is on a URL, and so is
    `this.forget()`, which `fetch` calls: DW005 there."""
    result = run(FIXTURES / "rpc-entrypoint-methods")
    assert where(result) == [("DW005", "registry/src/index.ts", 15)]
    analysis = front_analysis(result.project, result.project.pairs[0])
    assert sorted(c.module.position(c.node)[0] for c in analysis.rpc_method_calls) == [20, 26, 30, 36]


def test_a_thrown_access_error_before_the_call_is_an_auth_step(tmp_path: Path) -> None:
    """`if (!ok) throw new PermissionDeniedError()` ends the request before the binding call, as a
    401 answer does; `throw new RangeError()` does not."""
    root = tmp_path / "project"
    shutil.copytree(FIXTURES / "rpc-entrypoint-methods", root)
    index = root / "registry" / "src" / "index.ts"
    source = index.read_text()
    check = "    if (!(await this.env.STORE.canEdit(id))) throw new {}();\n"
    call = "    await this.env.STORE.deleteItem(id);\n"
    index.write_text(source.replace(call, check.format("PermissionDeniedError") + call))
    assert where(run(root)) == []
    index.write_text(source.replace(call, check.format("RangeError") + call))
    assert where(run(root)) == [("DW005", "registry/src/index.ts", 16)]


def _anonymous_gateway(root: Path, gateway_extra: str = "") -> Path:
    """A gateway with no accounts (it forwards every /v1/* path to a stateful backend) that imports
    an error class from a workspace package whose barrel also re-exports a proof-of-work `verify`."""
    files = {
        "package.json": '{"name": "mono", "private": true, "workspaces": ["apps/*", "packages/*"]}',
        "packages/kit/package.json": '{"name": "@acme/kit", "main": "src/index.ts"}',
        "packages/kit/src/index.ts": 'export * from "./errors";\nexport * from "./pow";\n',
        "packages/kit/src/errors.ts": "export class ApiError extends Error {}\n",
        "packages/kit/src/pow.ts": "export async function verifyChallenge(key: CryptoKey, data: ArrayBuffer, "
        'sig: ArrayBuffer) {\n  return crypto.subtle.verify("HMAC", key, sig, data);\n}\n',
        "apps/gateway/package.json": '{"name": "gateway"}',
        "apps/gateway/wrangler.jsonc": '{"name": "gateway", "main": "src/index.ts", "compatibility_date": '
        '"2026-11-01", "services": [{"binding": "NODE", "service": "node"}]}',
        "apps/gateway/src/index.ts": 'import { Hono } from "hono";\nimport { ApiError } from "@acme/kit";\n'
        + gateway_extra
        + "const app = new Hono<{ Bindings: { NODE: Fetcher } }>();\n"
        'app.all("/v1/*", (c) => c.env.NODE.fetch(c.req.raw));\n'
        'app.onError((e, c) => c.json({ error: e instanceof ApiError ? e.message : "internal" }, 400));\n'
        "export default app;\n",
        "apps/node/package.json": '{"name": "node"}',
        "apps/node/wrangler.jsonc": '{"name": "node", "main": "src/index.ts", "compatibility_date": '
        '"2026-11-01", "workers_dev": false, "d1_databases": [{"binding": "DB", "database_name": "n", '
        '"database_id": "x"}]}',
        "apps/node/src/index.ts": "export default {\n"
        "  async fetch(request: Request, env: { DB: D1Database }) {\n"
        '    const { results } = await env.DB.prepare("SELECT * FROM tunnels").all();\n'
        "    return Response.json(results);\n  },\n};\n",
    }
    return write_tree(root, files)


def test_front_without_auth_of_its_own_is_a_public_app_whatever_its_packages_verify(tmp_path: Path) -> None:
    """An auth-named call in a shared package's code (reached through `export *`) is not the front
    authenticating: its open routes are the app's nature (tuanngocptn/nport's gateway)."""
    assert [f.rule for f in run(_anonymous_gateway(tmp_path)).findings if f.rule == "DW005"] == []


def test_front_that_verifies_somewhere_still_has_its_open_route_flagged(tmp_path: Path) -> None:
    root = _anonymous_gateway(
        tmp_path,
        'import { verifyChallenge } from "@acme/kit";\n'
        "export async function gate(key: CryptoKey, d: ArrayBuffer, s: ArrayBuffer) {\n"
        "  return verifyChallenge(key, d, s);\n}\n",
    )
    assert where(run(root)) == [("DW005", "apps/gateway/src/index.ts", 8)]


def _factory_client_front(root: Path, auth: str) -> Path:
    """A route that makes a client with a curried factory (`httpLookupClient(env.VERIFIER)` returns
    `async (input) => verifier.fetch(...)`) and calls it; ``auth`` runs before, in the handler."""
    files = {
        "web/wrangler.jsonc": '{"name": "web", "main": "src/index.ts", "compatibility_date": "2026-11-01", '
        '"services": [{"binding": "VERIFIER", "service": "verifier"}]}',
        "web/src/client.ts": "export const httpLookupClient =\n"
        "  (verifier: Fetcher) =>\n"
        "  async (input: { token: string }) => {\n"
        '    const res = await verifier.fetch(new Request("https://v.internal/v1/lookup", {\n'
        '      method: "POST", body: JSON.stringify(input) }));\n'
        "    return res.json();\n"
        "  };\n",
        "web/src/index.ts": 'import { Hono } from "hono";\nimport { httpLookupClient } from "./client";\n'
        'import { authenticate } from "./auth";\n'
        "const app = new Hono<{ Bindings: { VERIFIER: Fetcher } }>();\n"
        'app.post("/:workspace/mcp", async (c) => {\n'
        + auth
        + "  const lookup = httpLookupClient(c.env.VERIFIER);\n"
        '  return c.json(await lookup({ token: c.req.header("x-token") ?? "" }));\n'
        "});\n"
        'app.get("/me", async (c) => c.json(await authenticate(c.req.header("Authorization"))));\n'
        "export default app;\n",
        "web/src/auth.ts": "export async function authenticate(header?: string) {\n"
        '  if (!header) throw new Error("no token");\n  return { sub: header };\n}\n',
        "verifier/wrangler.jsonc": '{"name": "verifier", "main": "src/index.ts", "compatibility_date": '
        '"2026-11-01", "workers_dev": false, "kv_namespaces": [{"binding": "GRANTS", "id": "x"}]}',
        "verifier/src/index.ts": "export default {\n"
        "  async fetch(request: Request, env: { GRANTS: KVNamespace }) {\n"
        "    return new Response(await env.GRANTS.get(new URL(request.url).pathname));\n  },\n};\n",
    }
    return write_tree(root, files)


def test_client_made_by_a_factory_after_the_handlers_auth_step_is_guarded(tmp_path: Path) -> None:
    """getpact/pact's MCP route: `authenticate()` (401 on failure), then `httpLookupClient(...)`."""
    auth = (
        '  try {\n    await authenticate(c.req.header("Authorization"));\n  } catch {\n'
        '    return c.json({ error: "unauthorized" }, 401);\n  }\n'
    )
    assert [f for f in run(_factory_client_front(tmp_path, auth)).findings if f.rule == "DW005"] == []


def test_client_made_by_a_factory_without_auth_is_flagged_at_the_route(tmp_path: Path) -> None:
    assert where(run(_factory_client_front(tmp_path, ""))) == [("DW005", "web/src/index.ts", 5)]


def _middle_worker(root: Path, content_public: bool) -> Path:
    """Kwapso/kwapso_cpaa's mesh: a gateway forwards /api/content/* to a content Worker (which
    checks the session itself on its pages); the content Worker mails through the auth Worker's
    `/internal/send-email` with its own `x-internal-key`, from a path its own checks do not see."""
    private = {"workers_dev": False, "preview_urls": False}
    files = {
        "gateway/wrangler.jsonc": json.dumps(
            {"name": "gw", "main": "src/index.ts", "compatibility_date": "2026-11-01"}
            | {"services": [{"binding": "CONTENT", "service": "content"}]}
        ),
        "gateway/src/index.ts": "export default {\n  fetch(request: Request, env: { CONTENT: Fetcher }) {\n"
        "    return env.CONTENT.fetch(request);\n  },\n};\n",
        "content/wrangler.jsonc": json.dumps(
            {"name": "content", "main": "src/index.ts", "compatibility_date": "2026-11-01"}
            | ({"workers_dev": True} if content_public else private)
            | {"services": [{"binding": "AUTH", "service": "auth"}]}
        ),
        "content/src/index.ts": 'import { verifySession } from "./session";\n'
        "type Env = { AUTH: Fetcher; INTERNAL_KEY: string };\n"
        "async function mail(env: Env, to: string) {\n"
        '  const headers = { "x-internal-key": env.INTERNAL_KEY };\n'
        '  await env.AUTH.fetch("https://auth/internal/send-email", {\n'
        '    method: "POST", headers, body: JSON.stringify({ to }) });\n'
        "}\n"
        "export default {\n  async fetch(request: Request, env: Env) {\n"
        '    if (new URL(request.url).pathname === "/api/content/notify") {\n'
        '      await mail(env, "ops@example.com");\n      return new Response("queued");\n    }\n'
        "    return Response.json(await verifySession(request, env));\n  },\n};\n",
        "content/src/session.ts": "export async function verifySession(\n"
        "  request: Request,\n  env: { AUTH: Fetcher },\n) {\n"
        '  const res = await env.AUTH.fetch("https://auth/session", { headers: request.headers });\n'
        '  if (!res.ok) throw new Response("unauthorized", { status: 401 });\n  return res.json();\n}\n',
        "auth/wrangler.jsonc": json.dumps(
            {"name": "auth", "main": "src/index.ts", "compatibility_date": "2026-11-01"}
            | private
            | {"d1_databases": [{"binding": "DB", "database_name": "a", "database_id": "x"}]}
        ),
        "auth/src/index.ts": "export default {\n"
        "  async fetch(request: Request, env: { DB: D1Database; INTERNAL_KEY: string }) {\n"
        '    if (request.headers.get("x-internal-key") !== env.INTERNAL_KEY) {\n'
        '      return new Response("", { status: 403 });\n    }\n'
        '    return Response.json(await env.DB.prepare("SELECT 1").all());\n  },\n};\n',
    }
    return write_tree(root, files)


def test_private_worker_calling_as_itself_with_its_own_secret_is_not_a_route_without_auth(
    tmp_path: Path,
) -> None:
    result = run(_middle_worker(tmp_path, content_public=False))
    assert [f for f in result.findings if f.rule == "DW005" and f.path.startswith("content/")] == []


def test_public_worker_lending_its_secret_to_an_unauthenticated_path_is_flagged(tmp_path: Path) -> None:
    result = run(_middle_worker(tmp_path, content_public=True))
    assert [(f.rule, f.path, f.line) for f in result.findings if f.rule == "DW005"] == [
        ("DW005", "content/src/index.ts", 5)
    ]
