"""DW007 (secret vars): flagged shapes and their clean variants."""

from __future__ import annotations

from pathlib import Path

from dualworker_cli.check.engine import run
from tests.check.helpers import PLAIN_BACKEND, findings_for, two_workers
from tests.test_check_support import front, lint, make_project


def test_dw007_numbers_booleans_ids_and_site_keys_are_not_secrets(tmp_path: Path) -> None:
    from tests.test_check_support import front

    data = front()
    data["vars"] = {
        "TOKEN_EXPIRY_MINUTES": 60,
        "MAX_TOKENS": 1024,
        "ENABLE_API_KEY_AUTH": True,
        "TURNSTILE_SITE_KEY": "0x4AAAAAAAB3kdTyxVqNQZ9k",
        "STRIPE_PUBLISHABLE_KEY": "pk_live_51HxYzAbCdEfGhIjKlMnOpQr",
        "CACHE_KEY_PREFIX": "notes:v1:",
        "COMMIT_SHA": "0123456789abcdef0123456789abcdef01234567",
        "CLOUDFLARE_ACCOUNT_ID": "0123456789abcdef0123456789abcdef",
        "BUILD_UUID": "a1b2c3d4-e5f6-7890-abcd-ef1234567890",
        "CURATED_OPEN_KEY": "curated/open.json",  # an R2 object key, not a secret
        "AVATAR_KEY": "uploads/avatars/",
        "WEBHOOK_KEY": "https://hooks.example.com/notify",
        # still flagged:
        "SIGNING_KEY": "q8Zt3/Xv0bN9yW2mRkP4sL7cJd1hF6gA",  # base64 with a slash: still random
        "JWT_SECRET": "change-me",
        "STRIPE_KEY": "sk_live_51HxYzAbCdEfGhIjKlMnOpQrStUv",
        "UPSTREAM": "sk_live_51HxYzAbCdEfGhIjKlMnOpQrStUv",
    }
    found = [f for f in lint(make_project(tmp_path, front=data)).findings if f.rule == "DW007"]
    assert sorted(f.message.split("`")[1] for f in found) == [
        "vars.JWT_SECRET",
        "vars.SIGNING_KEY",
        "vars.STRIPE_KEY",
        "vars.UPSTREAM",
    ]


def test_dw007_secret_name_and_random_value(tmp_path: Path) -> None:
    data = front()
    data["vars"]["JWT_SECRET"] = "dev"
    data["env"]["staging"]["vars"] = {"SIGNATURE": "q8Zr2LbX0vTn4Kp9Wm7Ys3Hd6Fj1Ga5C"}
    found = findings_for(make_project(tmp_path, front=data), "DW007")
    assert len(found) == 2
    assert "name looks like a secret" in found[0].message
    assert "random key" in found[1].message


def test_dw007_hash_of_a_token_is_not_the_token(tmp_path: Path) -> None:
    backend = {
        **PLAIN_BACKEND,
        "vars": {"WEBHOOK_VERIFY_TOKEN_HASH": "local-placeholder-hash", "ADMIN_TOKEN": "dev-admin"},
    }
    front = {
        "name": "site",
        "main": "src/index.ts",
        "compatibility_date": "2026-01-01",
        "services": [{"binding": "API", "service": "api"}],
    }
    findings = [f for f in run(two_workers(tmp_path, front, backend)).findings if f.rule == "DW007"]
    assert [f.message.split("`")[1] for f in findings] == ["vars.ADMIN_TOKEN"]


def test_dw007_password_of_a_loopback_database_is_a_test_fixture(tmp_path: Path) -> None:
    local = {"DB_HOSTNAME": "127.0.0.1", "DB_USERNAME": "testuser", "DB_PASSWORD": "testpassword"}
    remote = {**local, "DB_HOSTNAME": "db.example.com"}
    front = {
        "name": "site",
        "main": "src/index.ts",
        "compatibility_date": "2026-01-01",
        "services": [{"binding": "API", "service": "api"}],
    }
    for variables, expected in ((local, []), (remote, ["vars.DB_PASSWORD"])):
        root = tmp_path / variables["DB_HOSTNAME"]
        root.mkdir()
        findings = run(two_workers(root, front, {**PLAIN_BACKEND, "vars": variables})).findings
        assert [f.message.split("`")[1] for f in findings if f.rule == "DW007"] == expected
