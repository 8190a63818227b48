"""DW004's env comparison: env names matched by stage, the deprecated `environment` key read."""

from __future__ import annotations

from dualworker_cli.check.model import env_kind
from tests.check.fixtures import found, lint


def test_dev_and_development_and_environment_key_are_clean() -> None:
    assert lint("env-names").findings == []


def test_environment_key_pointing_at_another_stage_is_flagged() -> None:
    result = lint("env-names-crossed")
    assert found(result) == [("DW004", "web/wrangler.jsonc", 18)]
    assert "env.dev: `API` points to `api` (environment `production`), expected `api-development`" in (
        result.findings[0].message
    )


def test_env_kinds() -> None:
    assert env_kind("dev") == env_kind("Development") == "development"
    assert env_kind("prod") == env_kind("production") == "production"
    assert env_kind("stg") == env_kind("staging")
    assert env_kind("eu-west") == "eu-west"
