"""DW005 on RPC service bindings (issue 8, shape 4): `env.BACKEND.method(args)` reaches the
backend like `fetch` does; without auth, an identity argument the client chose is the hole."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from dualworker_cli.check.analysis import front_analysis
from dualworker_cli.check.engine import run
from tests.test_check_support import FRONT_TS, make_project

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "check"


def where(result) -> list[tuple[str, str, int]]:
    return [(f.rule, f.path, f.line) for f in result.findings]


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
