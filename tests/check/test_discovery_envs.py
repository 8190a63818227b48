"""DW004's env comparison: env names matched by stage, the deprecated `environment` key read."""

from __future__ import annotations

from pathlib import Path

from dualworker_cli.check.model import env_kind
from tests.check.fixtures import copy_fixture, found, lint


def test_dev_and_development_and_environment_key_are_clean() -> None:
    assert lint("env-names").findings == []


def test_environment_key_production_is_the_worker_itself_not_its_production_env() -> None:
    result = lint("env-names-crossed")
    assert found(result) == [("DW004", "web/wrangler.jsonc", 18)]
    assert "env.dev: `API` points to `api` (environment `production`), expected `api-development`" in (
        result.findings[0].message
    )


def test_environment_key_naming_a_wrangler_env_reaches_no_worker() -> None:
    result = lint("service-environment-removed")
    assert found(result) == [("DW004", "web/wrangler.jsonc", 19)]
    message = result.findings[0].message
    assert "env.dev: `API` names the service environment `development` of `api`" in message
    assert "reaches no Worker; bind `api-development`" in message


def test_environment_key_names_the_env_of_a_legacy_env_false_backend(tmp_path: Path) -> None:
    root = copy_fixture("service-environment-removed", tmp_path)
    config = root / "api" / "wrangler.toml"
    config.write_text(config.read_text().replace('name = "api"', 'name = "api"\nlegacy_env = false'))
    assert lint(root).findings == []


def test_env_kinds() -> None:
    assert env_kind("dev") == env_kind("Development") == "development"
    assert env_kind("prod") == env_kind("production") == "production"
    assert env_kind("stg") == env_kind("staging")
    assert env_kind("eu-west") == "eu-west"


def test_environment_key_production_matches_an_env_block_deploying_under_the_top_level_name(
    tmp_path: Path,
) -> None:
    """`env.production` with `name = "api"` deploys the Worker `api`: binding `{ service: "api",
    environment: "production" }` there reaches exactly that Worker."""
    root = copy_fixture("env-names", tmp_path)
    api = root / "api" / "wrangler.toml"
    api.write_text(api.read_text().replace("[env.production]", '[env.production]\nname = "api"'))
    web = root / "web" / "wrangler.jsonc"
    text = web.read_text()
    assert text.count('"service": "api-production"') == 1
    web.write_text(
        text.replace(
            '"service": "api-production"', '"service": "api",\n          "environment": "production"'
        )
    )
    assert lint(root).findings == []
