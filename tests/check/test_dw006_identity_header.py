"""DW006 on the identity the backend really trusts (issue 8, shape 1)."""

from __future__ import annotations

import shutil
from pathlib import Path

from dualworker_cli.check.engine import run
from tests.test_check_support import FRONT_TS, make_project

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "check"


def where(result) -> list[tuple[str, str, int]]:
    return [(f.rule, f.path, f.line) for f in result.findings]


def test_backend_trusting_account_id_is_flagged_at_the_forward() -> None:
    result = run(FIXTURES / "identity-account-id")
    assert where(result) == [("DW006", "gateway/src/index.ts", 19)]
    message = result.findings[0].message
    assert "`account-id`" in message and "accounts/src/lib/account.ts:4" in message
    assert "X-User-Id" not in message


def test_deleting_the_inferred_header_is_clean(tmp_path: Path) -> None:
    root = tmp_path / "project"
    shutil.copytree(FIXTURES / "identity-account-id", root)
    index = root / "gateway" / "src" / "index.ts"
    index.write_text(
        index.read_text().replace(
            "  return c.env.ACCOUNTS.fetch(c.req.raw);",
            "  const headers = new Headers(c.req.raw.headers);\n"
            '  headers.set("account-id", c.get("accountId"));\n'
            "  return c.env.ACCOUNTS.fetch(new Request(c.req.raw, { headers }));",
        )
    )
    assert where(run(root)) == []


def test_deleting_only_x_user_id_does_not_protect_account_id(tmp_path: Path) -> None:
    """The old rule was satisfied by deleting `X-User-Id`, a header this backend never reads."""
    root = tmp_path / "project"
    shutil.copytree(FIXTURES / "identity-account-id", root)
    index = root / "gateway" / "src" / "index.ts"
    index.write_text(
        index.read_text().replace(
            "  return c.env.ACCOUNTS.fetch(c.req.raw);",
            '  const headers = new Headers(c.req.raw.headers);\n  headers.delete("X-User-Id");\n'
            "  return c.env.ACCOUNTS.fetch(new Request(c.req.raw, { headers }));",
        )
    )
    assert where(run(root)) == [("DW006", "gateway/src/index.ts", 21)]


def test_backend_that_trusts_no_header_is_not_flagged() -> None:
    """The edge forwards the client's request as is; the API checks the bearer token itself."""
    assert where(run(FIXTURES / "identity-backend-verifies-token")) == []


def test_blueprint_spread_still_flagged_with_where_the_header_is_read() -> None:
    result = run(FIXTURES / "blueprint")
    [finding] = [f for f in result.findings if f.rule == "DW006"]
    assert "apps/data-service/src/hono/app.ts:8" in finding.message


def test_dualworker_toml_header_wins(tmp_path: Path) -> None:
    """The backend reads X-User-Id (inferred), but the project says X-Principal: only that counts."""
    settings = (
        '[front]\nconfig = "web/wrangler.jsonc"\n[backend]\nconfig = "core/wrangler.jsonc"\n'
        'identity_header = "X-Principal"\n'
    )
    result = run(make_project(tmp_path, settings=settings))
    assert [f.message for f in result.findings if f.rule == "DW006"] == [
        "forwards the client's headers to `BACKEND_SERVICE` without deleting or overwriting `X-Principal` "
        "first (`identity_header` in dualworker.toml:5): a client can choose the identity the Data Worker "
        "trusts"
    ]


def test_rpc_calls_are_not_header_forwarding(tmp_path: Path) -> None:
    """An RPC method handed the client's headers is DW005's concern (auth), not a forwarded request."""
    files = dict(FRONT_TS)
    files["src/proxy.ts"] = """export async function proxy(c) {
  return c.json(await c.env.BACKEND_SERVICE.audit(Object.fromEntries(c.req.raw.headers)));
}
"""
    assert [f for f in run(make_project(tmp_path, front_ts=files)).findings if f.rule == "DW006"] == []
