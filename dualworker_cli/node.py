"""Find a Node.js that current Wrangler accepts (>= 22.12) before running npm.

Wrangler refuses older Node with an error buried in npm's output; checking first lets
the CLI skip the install and say exactly what to install instead.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass

MIN_NODE: tuple[int, int, int] = (22, 12, 0)
INSTALL_HINT = (
    "install Node.js >= 22.12 (https://nodejs.org, or `nvm install 22`), "
    "then run `npm install` in the project"
)


@dataclass(frozen=True)
class NodeStatus:
    """What was found on PATH; ``problem`` is None when npm can be used."""

    node: str | None
    npm: str | None
    version: tuple[int, int, int] | None
    problem: str | None


def parse_node_version(text: str) -> tuple[int, int, int] | None:
    """Parse ``v22.12.0`` (what ``node --version`` prints) into a tuple."""
    match = re.search(r"v?(\d+)\.(\d+)\.(\d+)", text.strip())
    if not match:
        return None
    major, minor, patch = (int(part) for part in match.groups())
    return (major, minor, patch)


def detect_node() -> NodeStatus:
    """Look up node and npm on PATH and judge whether Wrangler will run."""
    node = shutil.which("node")
    npm = shutil.which("npm")
    if node is None or npm is None:
        missing = "node" if node is None else "npm"
        return NodeStatus(node, npm, None, f"{missing} not found on PATH: {INSTALL_HINT}")
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
