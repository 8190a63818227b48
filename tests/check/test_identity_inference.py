"""Identity inference (issue 8, shape 1): which header the backend trusts, observed in the code."""

from __future__ import annotations

from pathlib import Path

import pytest

from dualworker_cli.check.engine import run
from dualworker_cli.check.identity import is_plumbing, names_caller, names_who, pair_identity, trusted_headers
from tests.test_check_support import BACKEND_TS, FRONT_TS, make_project

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "check"


@pytest.mark.parametrize(
    ("header", "who"),
    [
        ("account-id", True),
        ("X-User-Id", True),
        ("x-tenant-id", True),
        ("Cf-Access-Authenticated-User-Email", True),
        ("Authorization", False),  # a credential the backend verifies itself
        ("x-session-token", False),
        ("Content-Type", False),
        ("X-Request-Id", False),
        ("x-sub", True),  # a token's subject
        ("x-user-subs", True),
        ("x-listener-subs", False),  # subscriptions, not who
    ],
)
def test_names_caller(header: str, who: bool) -> None:
    assert names_caller(header) is who


def test_plumbing_headers() -> None:
    assert all(is_plumbing(h) for h in ("Upgrade", "content-type", "Sec-WebSocket-Protocol", "traceparent"))
    assert not is_plumbing("x-user-id")


def test_trusted_headers_channel_names_and_fallback() -> None:
    # both sides use it: the channel, whatever it is called; plumbing never counts
    assert trusted_headers({"x-auth-context", "content-type"}, {"x-auth-context", "content-type"}) == {
        "x-auth-context"
    }
    # only the backend reads it: trusted when its name says who, not when it is a credential
    assert trusted_headers({"account-id", "authorization"}, set()) == {"account-id"}
    # the client's own credentials are verified by the backend that reads them, whoever sets them
    assert trusted_headers({"authorization", "cookie"}, {"authorization", "cookie"}) == set()
    assert trusted_headers(None, {"cookie", "x-user-id"}) == {"x-user-id"}
    # backend code unknown: what the front sets is the evidence
    assert trusted_headers(None, {"x-user-id", "accept"}) == {"x-user-id"}
    assert trusted_headers(set(), {"x-user-id"}) == set()


def test_rpc_argument_names() -> None:
    assert all(names_who(n) for n in ("userId", "user_id", "ownerId", "accountId", "email", "uid", "user"))
    assert not any(names_who(n) for n in ("noteId", "slug", "category", "id", "quantity", None))


def test_backend_read_through_a_constant_in_an_imported_module() -> None:
    result = run(FIXTURES / "identity-account-id")
    identity = pair_identity(result.project, result.project.pairs[0])
    assert identity.headers == ("account-id",)
    assert identity.source == "inferred"
    assert identity.describe() == "account-id (read accounts/src/lib/account.ts:4)"


def test_backend_that_verifies_tokens_itself_trusts_no_header() -> None:
    result = run(FIXTURES / "identity-backend-verifies-token")
    identity = pair_identity(result.project, result.project.pairs[0])
    assert identity.headers == ()
    assert identity.describe().startswith("none found (notes-api reads no header naming the caller")


def test_blueprint_header_is_read_and_set() -> None:
    result = run(FIXTURES / "blueprint")
    identity = pair_identity(result.project, result.project.pairs[0])
    assert identity.describe() == (
        "X-User-Id (read apps/data-service/src/hono/app.ts:8, "
        "set apps/user-application/worker/hono/app.ts:16)"
    )


def test_channel_header_set_by_the_front_and_read_through_destructured_headers(tmp_path: Path) -> None:
    """A header with no "who" in its name counts once both sides use it; the backend reads it
    from a destructured `headers`."""
    back = dict(BACKEND_TS)
    back["src/index.ts"] = BACKEND_TS["src/index.ts"].replace(
        'return new Response(request.headers.get("X-User-Id"));',
        'const { headers } = request;\n    return new Response(headers.get("X-Auth-Context"));',
    )
    files = dict(FRONT_TS)
    files["src/proxy.ts"] = """export async function proxy(c) {
  const headers = new Headers(c.req.raw.headers);
  headers.append("X-Auth-Context", JSON.stringify({ sub: c.get("userId") }));
  return c.env.BACKEND_SERVICE.fetch(new Request(c.req.raw, { headers }));
}
"""
    result = run(make_project(tmp_path, front_ts=files, backend_ts=back))
    identity = pair_identity(result.project, result.project.pairs[0])
    assert identity.headers == ("x-auth-context",)
    assert [(f.rule, f.path, f.line) for f in result.findings] == [("DW006", "web/src/proxy.ts", 4)]


def test_dualworker_toml_overrides_inference(tmp_path: Path) -> None:
    settings = (
        '[front]\nconfig = "web/wrangler.jsonc"\n[backend]\nconfig = "core/wrangler.jsonc"\n'
        'identity_header = "X-Principal"\n'
    )
    result = run(make_project(tmp_path, settings=settings))
    identity = pair_identity(result.project, result.project.pairs[0])
    assert (identity.headers, identity.source) == (("x-principal",), "dualworker.toml")
    assert identity.describe() == "X-Principal (dualworker.toml:5)"


def test_toml_without_identity_header_still_infers(tmp_path: Path) -> None:
    settings = '[front]\nconfig = "web/wrangler.jsonc"\n[backend]\nconfig = "core/wrangler.jsonc"\n'
    result = run(make_project(tmp_path, settings=settings))
    identity = pair_identity(result.project, result.project.pairs[0])
    assert (identity.headers, identity.source) == (("x-user-id",), "inferred")


def test_backend_without_readable_code_falls_back_to_what_the_front_sets(tmp_path: Path) -> None:
    from tests.test_check_support import backend

    data = backend()
    data["main"] = "src/entry.py"  # a Python Worker: nothing we can read
    result = run(make_project(tmp_path, backend=data))
    identity = pair_identity(result.project, result.project.pairs[0])
    assert identity.headers == ("x-user-id",)
    assert "backend code not read" in identity.note


def test_report_header_says_which_header_and_where() -> None:
    import json

    from tests.test_check_cli import invoke

    _, out, _ = invoke(str(FIXTURES / "identity-account-id"), "--format", "json")
    config = json.loads(out)["config"]
    assert config["identity_header"] is None  # not configured: inferred per pair
    assert config["pairs"][0]["identity"] == {
        "headers": ["account-id"],
        "source": "inferred",
        "read_at": ["accounts/src/lib/account.ts:4"],
        "set_at": [],
        "note": "",
    }
    _, out, _ = invoke(str(FIXTURES / "identity-backend-verifies-token"))
    assert "identity header none found (notes-api reads no header naming the caller" in " ".join(out.split())


def test_key_header_checked_against_an_env_secret_is_a_credential_not_an_identity(tmp_path: Path) -> None:
    """Kwapso/kwapso_cpaa's `x-internal-key`, compared with `env.INTERNAL_KEY` (403 otherwise): a
    front forwarding the client's headers lets the client send a guess, not choose an identity."""
    backend_ts = dict(BACKEND_TS)
    backend_ts["src/index.ts"] = (
        "export default {\n  async fetch(request: Request, env: { INTERNAL_KEY: string; DB: D1Database }) {\n"
        '    if (request.headers.get("x-internal-key") !== env.INTERNAL_KEY) return new Response("no", '
        "{ status: 403 });\n"
        '    return Response.json(await env.DB.prepare("SELECT 1").all());\n  },\n};\n'
    )
    front_ts = dict(FRONT_TS)
    front_ts["src/proxy.ts"] = (
        "export async function proxy(c) {\n"
        '  const headers = new Headers({ "x-internal-key": c.env.INTERNAL_KEY });\n'
        "  return c.env.BACKEND_SERVICE.fetch(new Request(c.req.raw, { headers }));\n}\n"
    )
    result = run(make_project(tmp_path, front_ts=front_ts, backend_ts=backend_ts))
    assert pair_identity(result.project, result.project.pairs[0]).headers == ()
    assert [f for f in result.findings if f.rule == "DW006"] == []
