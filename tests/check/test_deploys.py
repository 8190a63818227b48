"""Deployed environments: read from package.json scripts and GitHub workflows, never guessed."""

from __future__ import annotations

import json
from pathlib import Path

from dualworker_cli.check.deploys import TOP, deploys
from dualworker_cli.check.discover import discover


def _pair(root: Path, backend_scripts: dict[str, str] | None, front_scripts: dict[str, str] | None) -> Path:
    for name, config, scripts in (
        (
            "web",
            {
                "name": "web",
                "main": "src/index.ts",
                "services": [{"binding": "API", "service": "core"}],
                "env": {"staging": {"services": [{"binding": "API", "service": "core-staging"}]}},
            },
            front_scripts,
        ),
        (
            "core",
            {
                "name": "core",
                "main": "src/index.ts",
                "kv_namespaces": [{"binding": "KV"}],
                "env": {"staging": {}, "production": {}},
            },
            backend_scripts,
        ),
    ):
        folder = root / "apps" / name
        folder.mkdir(parents=True)
        (folder / "wrangler.json").write_text(json.dumps(config))
        if scripts is not None:
            (folder / "package.json").write_text(json.dumps({"name": name, "scripts": scripts}))
    return root


def _envs(root: Path) -> dict[str, frozenset[str] | None]:
    project = discover(root)
    return {w.config.rel.split("/")[1]: deploys(project, w).envs for w in project.workers}


def test_env_flags_in_the_workers_own_scripts(tmp_path: Path) -> None:
    root = _pair(
        tmp_path,
        {
            "deploy:staging": "wrangler deploy --env staging",
            "deploy:prod": "npx wrangler deploy -e=production",
            "dev": "wrangler dev --env staging",
            "check": "wrangler deploy --dry-run --outdir dist",
        },
        {"deploy": "npm run build && wrangler deploy"},
    )
    assert _envs(root) == {"core": frozenset({"staging", "production"}), "web": frozenset({TOP})}


def test_no_deploy_command_means_every_env_counts(tmp_path: Path) -> None:
    root = _pair(tmp_path, {"dev": "wrangler dev"}, None)
    project = discover(root)
    core = next(w for w in project.workers if w.name == "core")
    assert deploys(project, core).envs is None
    assert deploys(project, core).deployed(None) and deploys(project, core).deployed("staging")


def test_root_script_with_config_flag_and_empty_env(tmp_path: Path) -> None:
    root = _pair(tmp_path, None, None)
    (root / "package.json").write_text(
        json.dumps(
            {
                "scripts": {
                    "deploy": "wrangler deploy -c apps/core/wrangler.json --env='' "
                    "&& wrangler deploy --config apps/web/wrangler.json",
                    "deploy:staging": "wrangler deploy -c apps/core/wrangler.json --env staging",
                }
            }
        )
    )
    assert _envs(root) == {"core": frozenset({TOP, "staging"}), "web": frozenset({TOP})}


def test_vite_build_mode_naming_an_env_selects_it(tmp_path: Path) -> None:
    root = _pair(
        tmp_path,
        None,
        {
            "build:staging": "vite build --mode staging",
            "deploy:staging": "npm run build:staging && wrangler deploy",
        },
    )
    assert _envs(root)["web"] == frozenset({"staging"})


def test_github_workflow_step(tmp_path: Path) -> None:
    root = _pair(tmp_path, None, None)
    workflows = root / ".github" / "workflows"
    workflows.mkdir(parents=True)
    (workflows / "deploy.yml").write_text(
        "jobs:\n  deploy:\n    steps:\n      - run: npx wrangler deploy --env production\n"
        "        working-directory: apps/core\n"
    )
    assert _envs(root) == {"core": frozenset({"production"}), "web": None}


def test_backend_deploying_only_an_env_is_judged_there(tmp_path: Path) -> None:
    """The top level is never deployed: an env block with its own workers.dev is reported alone."""
    from dualworker_cli.check.engine import run

    root = _pair(tmp_path, {"deploy": "wrangler deploy --env staging"}, None)
    findings = [f for f in run(root).findings if f.rule == "DW002"]
    assert [("env.staging" in f.message) for f in findings] == [True]


def test_vite_plugin_build_without_a_visible_env_is_unknown(tmp_path: Path) -> None:
    """`vite build && wrangler deploy` with @cloudflare/vite-plugin: the environment comes from
    CLOUDFLARE_ENV at build time (CI variables, `.env.<mode>`), which no command shows."""
    root = _pair(tmp_path, None, {"build": "vite build", "deploy": "npm run build && wrangler deploy"})
    vite = root / "apps" / "web" / "vite.config.ts"
    vite.write_text(
        'import { cloudflare } from "@cloudflare/vite-plugin";\nexport default { plugins: [cloudflare()] };\n'
    )
    assert _envs(root)["web"] is None
    vite.unlink()  # a plain `wrangler deploy` after some other build deploys the top level
    assert _envs(root)["web"] == frozenset({TOP})


def test_root_script_changing_folder_before_deploying(tmp_path: Path) -> None:
    """`cd apps/core && npx wrangler deploy --env production` deploys apps/core, not the root."""
    root = _pair(tmp_path, None, None)
    (root / "package.json").write_text(
        json.dumps(
            {
                "scripts": {
                    "deploy:core": "cd apps/core && npx wrangler deploy --env production",
                    "deploy:web": "cd apps && cd web && wrangler deploy",
                }
            }
        )
    )
    assert _envs(root) == {"core": frozenset({"production"}), "web": frozenset({TOP})}
