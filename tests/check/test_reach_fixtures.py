"""Fixture projects for Wrangler's reachability defaults (issue 8, shape 2) and the WebSocket
proxy to a public default export (shape 3): each shape has a flagged project and a clean one."""

from __future__ import annotations

from pathlib import Path

from dualworker_cli.check.engine import run
from dualworker_cli.check.model import Finding, Severity

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "check"
MINE = ("DW001", "DW002", "DW003", "DW011", "DW012")


def findings(name: str) -> list[Finding]:
    return [f for f in run(FIXTURES / name).findings if f.rule in MINE]


def test_routes_turn_workers_dev_and_preview_urls_off() -> None:
    """A backend with a (declared) route and no workers_dev/preview_urls key has no workers.dev URL
    and no preview URLs (getSubdomainValues: `workers_dev ?? routes.length === 0`); env.staging
    inherits the route; the default export serves only the public redirects, the binding names
    InternalApi: nothing to flag."""
    assert findings("reach-routes-default-off") == []


def test_env_block_resetting_routes_gets_workers_dev_back() -> None:
    found = findings("reach-env-routes-reset")
    by_rule = {f.rule: f for f in found}
    assert sorted(by_rule) == ["DW002", "DW003", "DW012"]
    for rule in ("DW002", "DW003"):
        assert by_rule[rule].path == "apps/links/wrangler.jsonc" and by_rule[rule].line == 9
        assert "env.staging" in by_rule[rule].message and by_rule[rule].severity is Severity.ERROR
        assert by_rule[rule].fix is not None and by_rule[rule].fix.keypath == ("env", "staging")
    dw012 = by_rule["DW012"]
    assert (dw012.path, dw012.line) == ("apps/links/src/index.ts", 26)  # `export default redirects`
    assert "env.staging: workers.dev URL `acme-links-staging.<account>.workers.dev`" in dw012.message
    assert "top level" not in dw012.message  # the top level has only its declared route


def test_websocket_proxy_to_public_default_export() -> None:
    """`/live` has no WebSocket word in it: the evidence is the backend's Durable Object stub fetch
    for `/live`. The binding exists only in env.production, without entrypoint."""
    found = findings("ws-proxy-public-backend")
    by_rule = {f.rule: f for f in found}
    # the feed implements a Durable Object: Cloudflare generates no preview URLs for it (no DW003)
    assert sorted(by_rule) == ["DW002", "DW011", "DW012"]
    dw011 = by_rule["DW011"]
    assert (dw011.path, dw011.line) == ("gateway/src/index.ts", 15)
    assert "the backend accepts upgrades at /live" in dw011.message
    dw012 = by_rule["DW012"]
    assert (dw012.path, dw012.line) == ("feed/src/index.ts", 11)
    assert "GET /live" in dw012.message and "env.production: workers.dev URL" in dw012.message
    assert by_rule["DW002"].severity is Severity.ERROR


def test_websocket_proxy_to_private_named_entrypoint() -> None:
    assert findings("ws-proxy-private-backend") == []
