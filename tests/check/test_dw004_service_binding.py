"""DW004 on real layouts: judge only what is deployed, and accept every name the backend deploys under."""

from __future__ import annotations

import json
import re
from pathlib import Path

from dualworker_cli.check.engine import run
from tests.check.fixtures import copy_fixture, found, lint
from tests.check.helpers import findings_for
from tests.test_check_support import front, make_project


def _scripts(folder: Path, **scripts: str) -> None:
    (folder / "package.json").write_text(json.dumps({"name": folder.name, "scripts": scripts}))


def test_top_level_skeleton_without_services_is_not_judged() -> None:
    assert lint("binding-env-only").findings == []


def test_top_level_without_binding_is_flagged_when_deployed(tmp_path: Path) -> None:
    root = copy_fixture("binding-env-only", tmp_path)
    _scripts(root / "web", deploy="wrangler deploy")
    result = run(root)
    assert found(result) == [("DW004", "web/wrangler.jsonc", 3)]
    assert "has no `API` service binding to `api`" in result.findings[0].message


def test_top_level_named_only_by_deploy_commands_for_envs_is_not_judged(tmp_path: Path) -> None:
    root = copy_fixture("binding-env-only", tmp_path)
    _scripts(root / "web", deploy="wrangler deploy --env production")
    data = (root / "web" / "wrangler.jsonc").read_text()
    (root / "web" / "wrangler.jsonc").write_text(data.replace('"main"', '"services": [],\n  "main"'))
    assert run(root).findings == []


def test_binding_to_the_backends_env_worker_name_is_the_backend() -> None:
    assert lint("binding-backend-env-name").findings == []


def test_binding_to_an_unknown_worker_is_still_flagged(tmp_path: Path) -> None:
    root = copy_fixture("binding-backend-env-name", tmp_path)
    path = root / "web" / "wrangler.jsonc"
    path.write_text(path.read_text().replace('"service": "api-dev"', '"service": "api-old"', 1))
    result = run(root)
    assert [f.rule for f in result.findings] == ["DW004"]
    assert re.search(
        r"`API` points to `api-old`, a Worker no config in this project defines", result.findings[0].message
    )


def test_env_blocks_that_are_never_deployed_need_no_binding() -> None:
    assert lint("binding-env-vars-only").findings == []


def test_a_deployed_env_block_without_binding_is_flagged(tmp_path: Path) -> None:
    root = copy_fixture("binding-env-vars-only", tmp_path)
    _scripts(root / "web", deploy="wrangler deploy", **{"deploy:prod": "wrangler deploy --env production"})
    result = run(root)
    assert found(result) == [("DW004", "web/wrangler.toml", 13)]
    assert result.findings[0].message.startswith("env.production has no `API` service binding")


def test_self_binding_resolves_to_itself_and_remote_bindings_are_not_unknown() -> None:
    """workers-sdk's playgrounds: many configs named `worker`, one binding its own name for a named
    entrypoint; another binding Workers deployed from elsewhere with `remote: true`."""
    result = lint("binding-self-and-remote")
    assert result.findings == []
    assert [(p.front.label, p.backend.label) for p in result.project.pairs] == [("web", "api")]
    assert result.project.ambiguities == []


def test_binding_another_configs_shared_name_is_still_ambiguous(tmp_path: Path) -> None:
    root = copy_fixture("binding-self-and-remote", tmp_path)
    path = root / "playground" / "same-worker" / "wrangler.jsonc"
    path.write_text(path.read_text().replace('"name": "worker"', '"name": "caller"'))
    result = run(root)
    assert found(result) == [
        ("DW004", "playground/same-worker/wrangler.jsonc", 7),
        ("DW004", "playground/same-worker/wrangler.jsonc", 8),
    ]
    assert "equally near" in result.findings[0].message
    # a remote binding calls whatever is deployed under the name: not paired, and not an error
    path.write_text(path.read_text().replace('"service": "worker"', '"service": "worker", "remote": true'))
    assert run(root).findings == []


def test_a_binding_to_an_undefined_name_without_remote_is_flagged(tmp_path: Path) -> None:
    root = copy_fixture("binding-self-and-remote", tmp_path)
    path = root / "playground" / "remote" / "wrangler.jsonc"
    path.write_text(path.read_text().replace(', "remote": true', ""))
    result = run(root)
    assert found(result) == [
        ("DW004", "playground/remote/wrangler.jsonc", 6),
        ("DW004", "playground/remote/wrangler.jsonc", 9),
    ]
    assert "a Worker no config in this project defines" in result.findings[0].message


def test_dw004_env_without_binding(tmp_path: Path) -> None:
    data = front()
    del data["env"]["staging"]["services"]
    found = findings_for(make_project(tmp_path, front=data), "DW004")
    assert len(found) == 1
    assert "not inherited" in found[0].message
    assert found[0].fix is not None
    assert found[0].fix.value == {
        "binding": "BACKEND_SERVICE",
        "service": "shop-core-staging",
        "entrypoint": "InternalApi",
    }


def test_dw004_env_points_to_other_env_worker(tmp_path: Path) -> None:
    data = front()
    data["env"]["staging"]["services"][0]["service"] = "shop-core"
    found = findings_for(make_project(tmp_path, front=data), "DW004")
    assert len(found) == 1
    assert "expected `shop-core-staging`" in found[0].message


def test_dw004_no_binding_at_all_with_settings(tmp_path: Path) -> None:
    data = front()
    data["services"] = [{"binding": "OTHER", "service": "shop-core"}]
    settings = '[front]\nconfig = "web/wrangler.jsonc"\n[backend]\nconfig = "core/wrangler.jsonc"\n'
    settings += 'binding = "BACKEND_SERVICE"\n'
    found = findings_for(make_project(tmp_path, front=data, settings=settings), "DW004")
    assert any("has no `BACKEND_SERVICE` service binding" in f.message for f in found)


def test_dw004_unknown_worker(tmp_path: Path) -> None:
    data = front()
    data["services"][0]["service"] = "shop-core-typo"
    settings = '[front]\nconfig = "web/wrangler.jsonc"\n[backend]\nconfig = "core/wrangler.jsonc"\n'
    found = findings_for(make_project(tmp_path, front=data, settings=settings), "DW004")
    assert any("no config in this project defines" in f.message for f in found)


def test_unpaired_front_env_blocks_without_its_misnamed_binding_are_flagged(tmp_path: Path) -> None:
    """The front's only binding names no Worker (no pair): its deployed env blocks that lack the
    binding are reported too (services are not inherited); a block that has it, or one nobody
    deploys, is not."""
    data = front()
    data["services"] = [{"binding": "BACKEND_SERVICE", "service": "shop-cor"}]
    data["env"] = {"staging": {"vars": {"STAGE": "staging"}}, "dev": {"vars": {"STAGE": "dev"}}}
    root = make_project(tmp_path, front=data)
    _scripts(root / "web", deploy="wrangler deploy", **{"deploy:staging": "wrangler deploy --env staging"})
    result = run(root)
    shown = [(f.rule, f.line, f.message) for f in result.findings if f.rule == "DW004"]
    assert [(rule, line) for rule, line, _ in shown] == [("DW004", 15), ("DW004", 31)]  # env.staging
    assert "binds `shop-cor`, a Worker no config in this project defines" in shown[0][2]
    assert shown[1][2].startswith("env.staging has no `BACKEND_SERVICE` service binding")

    data["env"]["staging"]["services"] = [{"binding": "BACKEND_SERVICE", "service": "shop-cor-staging"}]
    root = make_project(tmp_path / "bound", front=data)
    _scripts(root / "web", deploy="wrangler deploy", **{"deploy:staging": "wrangler deploy --env staging"})
    result = run(root)
    assert [f.line for f in result.findings if f.rule == "DW004"] == [15, 38]  # both names are typos
    assert not any("has no `BACKEND_SERVICE` service binding" in f.message for f in result.findings)
