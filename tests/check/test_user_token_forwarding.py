"""A backend-for-frontend passing the signed-in user's own token to a backend that verifies it
(fixture bff-user-token): no auth step is missing in the front (DW005), a token read from the
request is not the request (DW011), the sign-in flow's route file is the auth step, and public ids
in `vars` are no secrets (DW007)."""

from __future__ import annotations

import shutil
from pathlib import Path

from dualworker_cli.check.rules.dw005_route_auth import route_file_path
from tests.check.fixtures import fixture, found, lint

NAME = "bff-user-token"
SESSION = "console/src/session.ts"


def _copy(tmp_path: Path) -> Path:
    root = tmp_path / NAME
    shutil.copytree(fixture(NAME), root)
    return root


def _edit(root: Path, rel: str, old: str, new: str) -> None:
    path = root / rel
    assert old in path.read_text(), (rel, old)
    path.write_text(path.read_text().replace(old, new))


def test_user_token_passed_to_a_verifying_backend_is_clean() -> None:
    assert found(lint(NAME)) == []


def test_a_credential_of_the_fronts_own_needs_an_auth_step(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    _edit(root, SESSION, "authorization: `Bearer ${token}`", "authorization: `Bearer ${env.API_TOKEN}`")
    assert ("DW005", SESSION, 19) in found(lint(root))


def test_the_sign_in_flow_route_file_is_the_auth_step(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    (root / "console/src/routes/sso.callback.ts").rename(root / "console/src/routes/items.export.ts")
    _edit(root, "console/src/index.ts", "./routes/sso.callback", "./routes/items.export")
    assert ("DW005", "console/src/routes/items.export.ts", 6) in found(lint(root))
    assert route_file_path("app/routes/sso.start.tsx") == "/sso/start"
    assert route_file_path("app/routes/users.$id.edit.tsx") == "/users/:id/edit"
    assert route_file_path("src/routes/(auth)/login/index.tsx") == "/login"
    assert route_file_path("src/lib/session.ts") is None


def test_forwarding_the_clients_headers_passes_the_upgrade_on(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    _edit(
        root,
        "console/src/index.ts",
        "{ headers: { authorization: `Bearer ${token}` } }",
        "{ headers: request.headers }",
    )
    assert ("DW011", "console/src/index.ts", 15) in found(lint(root))


def test_public_ids_in_vars_are_not_secrets_but_random_keys_are(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    _edit(
        root,
        "api/wrangler.toml",
        'STRIPE_PRICE_PRO = "price_1TeoDI5uYJn3fmoQ9x8WD17L"',
        'STRIPE_PRICE_PRO = "price_1TeoDI5uYJn3fmoQ9x8WD17L"\nLICENSE = "Zx8s9PqL2mN4vB7cX1zR5tY3uW6oI0aE"',
    )
    assert [(rule, line) for rule, path, line in found(lint(root)) if rule == "DW007"] == [("DW007", 10)]
