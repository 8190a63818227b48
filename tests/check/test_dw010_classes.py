"""DW010: inheritable migrations, the declarative `exports` map, Python Workers."""

from __future__ import annotations

from tests.check.fixtures import found, lint


def test_env_only_migrations_do_not_cover_the_top_level() -> None:
    result = lint("do-migrations-env-only")
    assert found(result) == [("DW010", "api/wrangler.toml", 10)]
    assert "at the top level (env.production's `migrations` cover only that environment)" in (
        result.findings[0].message
    )


def test_top_level_migrations_are_inherited_and_exports_count() -> None:
    assert lint("do-migrations-inherited").findings == []


def test_python_worker_classes_are_not_called_unexported() -> None:
    assert [f for f in lint("python-backend").findings if f.rule == "DW010"] == []
