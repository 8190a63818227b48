"""DW010: inheritable migrations, the declarative `exports` map, Python Workers."""

from __future__ import annotations

from pathlib import Path

from tests.check.fixtures import found, lint
from tests.check.helpers import findings_for
from tests.test_check_support import BACKEND_TS, backend, make_project


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


def test_dw010_migration_lists_of_the_wrong_type_are_not_an_internal_error(tmp_path: Path) -> None:
    from tests.test_check_support import backend

    data = backend()
    data["migrations"] = [{"tag": "v1", "new_sqlite_classes": True, "renamed_classes": 1.5}]
    found = [f for f in lint(make_project(tmp_path, backend=data)).findings if f.rule == "DW010"]
    # the staging binding inherits the (broken) top-level list, and says so
    assert {f.message for f in found} == {
        "Durable Object class `Room` has no migration (`new_sqlite_classes`)",
        "Durable Object class `Room` has no migration (`new_sqlite_classes`) in env.staging "
        "(it inherits the top level's `migrations`)",
    }


def test_dw010_unexported_class_and_missing_migration(tmp_path: Path) -> None:
    back = backend()
    back["durable_objects"]["bindings"].append({"name": "COUNTERS", "class_name": "Counter"})
    files = dict(BACKEND_TS)
    files["src/index.ts"] = files["src/index.ts"].replace(
        'export { ReportWorkflow } from "./workflow";\n', ""
    )
    messages = [
        f.message for f in findings_for(make_project(tmp_path, backend=back, backend_ts=files), "DW010")
    ]
    assert sorted(messages) == sorted(
        [
            "Durable Object class `Counter` is bound (top level) but `src/index.ts` does not export it",
            "Durable Object class `Counter` has no migration (`new_sqlite_classes`)",
            "Workflow class `ReportWorkflow` is bound (top level) but `src/index.ts` does not export it",
        ]
    )
