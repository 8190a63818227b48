"""Env blocks only `wrangler dev --env development` runs: what they bind, consume or lack does not
reach production (fixture dev-only-env-blocks; DW002/DW003/DW004/DW005/DW009/DW012)."""

from __future__ import annotations

from pathlib import Path

from tests.check.fixtures import copy_fixture, found, lint

REPORTED = [
    ("DW012", "notify/src/index.ts", 18),
    ("DW002", "notify/wrangler.toml", 15),
    ("DW003", "notify/wrangler.toml", 15),
    ("DW004", "web/wrangler.toml", 1),
]


def _edit(root: Path, rel: str, old: str, new: str) -> None:
    path = root / rel
    text = path.read_text()
    assert old in text, (rel, old)
    path.write_text(text.replace(old, new, 1))


def test_only_deployed_env_blocks_are_judged() -> None:
    result = lint("dev-only-env-blocks")
    assert found(result) == REPORTED
    dw002 = next(f for f in result.findings if f.rule == "DW002")
    assert "env.production" in dw002.message and "`NOTIFY` of `web` (env.production)" in dw002.message


def test_a_deployed_dev_block_makes_its_bindings_and_consumers_count(tmp_path: Path) -> None:
    """Deploy env.development too: the top level of notify is what web's env.development binds
    (public, trusting X-User-Id) and its consumer without a dead-letter queue drops messages."""
    root = copy_fixture("dev-only-env-blocks", tmp_path)
    for package in ("web", "notify", "payments"):
        _edit(
            root,
            f"{package}/package.json",
            '"dev": "wrangler dev --env development"',
            '"deploy:staging": "wrangler deploy --env development"',
        )
    now = found(lint(root))
    assert ("DW002", "notify/wrangler.toml", 1) in now and ("DW003", "notify/wrangler.toml", 1) in now
    assert ("DW009", "notify/wrangler.toml", 13) in now


def test_a_top_level_holding_data_counts_though_nothing_binds_it(tmp_path: Path) -> None:
    root = copy_fixture("dev-only-env-blocks", tmp_path)
    _edit(
        root,
        "notify/wrangler.toml",
        "[env.development]\n",
        '[[d1_databases]]\nbinding = "DB"\ndatabase_name = "notify"\n'
        'database_id = "00000000-0000-4000-8000-000000000002"\n\n[env.development]\n',
    )
    assert ("DW002", "notify/wrangler.toml", 1) in found(lint(root))


def test_a_binding_the_code_uses_must_be_in_every_deployed_block(tmp_path: Path) -> None:
    root = copy_fixture("dev-only-env-blocks", tmp_path)
    _edit(
        root,
        "web/src/index.ts",
        "export default app;",
        'app.get("/api/billing", (c) => c.env.PAYMENTS.fetch(c.req.raw));\n\nexport default app;',
    )
    dw004 = [f.message for f in lint(root).findings if f.rule == "DW004"]
    assert any("`PAYMENTS`" in m for m in dw004) and any("`NOTIFY`" in m for m in dw004)


def test_a_public_route_outside_the_password_flow_is_flagged(tmp_path: Path) -> None:
    root = copy_fixture("dev-only-env-blocks", tmp_path)
    _edit(root, "web/src/index.ts", "/account/request-password-reset", "/account/request-report")
    assert ("DW005", "web/src/index.ts", 20) in found(lint(root))
