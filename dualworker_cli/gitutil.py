"""The one way dualworker runs git itself (Copier runs its own git calls).

Every call is bounded (``timeout``), captures text output, never raises on a non-zero exit
(callers read ``returncode``), and never prompts for credentials.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

#: Environment that keeps git from ever waiting on a terminal (credentials, editors).
NO_PROMPT = {"GIT_TERMINAL_PROMPT": "0", "GIT_ASKPASS": "true", "GCM_INTERACTIVE": "never"}


def git(cwd: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run ``git ARGS`` in ``cwd``; a timeout or a missing git is a failed result, not an exception."""
    try:
        return subprocess.run(
            ["git", *args],
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=timeout,
            env={**os.environ, **NO_PROMPT},
            check=False,
        )
    except subprocess.TimeoutExpired:
        message = f"fatal: git timed out after {timeout:.0f} s"
        return subprocess.CompletedProcess(["git", *args], 124, "", message)
    except FileNotFoundError:
        return subprocess.CompletedProcess(["git", *args], 127, "", "fatal: git not found on PATH")


def first_error(result: subprocess.CompletedProcess[str]) -> str:
    """git's own first ``fatal:``/``error:`` line (the last line is often boilerplate)."""
    lines = [line.strip() for line in (result.stderr or result.stdout).splitlines() if line.strip()]
    found = next((line for line in lines if line.startswith(("fatal:", "error:"))), None)
    return found or (lines[-1] if lines else "failed")


def template_inputs(source: Path) -> list[str]:
    """The paths of a template checkout that decide what Copier renders.

    ``copier.yml`` (or ``.yaml``), ``template_migrations/`` and the ``_subdirectory`` it names; a
    template without ``_subdirectory`` renders the whole repository, so everything counts.
    """
    names = ("copier.yml", "copier.yaml")
    config = next((source / name for name in names if (source / name).is_file()), None)
    if config is None:
        return ["."]
    text = config.read_text(encoding="utf-8")
    match = re.search(r"^_subdirectory:\s*['\"]?([^'\"\s#]+)", text, re.MULTILINE)
    if match is None or match[1] in {".", "./"}:
        return ["."]
    return ["copier.yml", "copier.yaml", "template_migrations", match[1]]


def uncommitted_template_paths(source: Path) -> list[str] | None:
    """Uncommitted (or untracked, not ignored) paths among the template inputs; None when git cannot tell."""
    status = git(source, "status", "--porcelain", "--untracked-files=all", "--", *template_inputs(source))
    if status.returncode != 0:
        return None
    return [line[3:] for line in status.stdout.splitlines() if len(line) > 3]


def head_commit(source: Path) -> str | None:
    """The full id of HEAD, or None (no commits yet, not a repository)."""
    result = git(source, "rev-parse", "--verify", "-q", "HEAD^{commit}")
    return result.stdout.strip() or None if result.returncode == 0 else None
