"""Which environments of a Worker are really deployed, read from the project's own deploy commands.

A config's top level is often a local skeleton (``wrangler dev``) while only ``env.staging`` and
``env.production`` are ever deployed; reporting that the top level has a public URL or lacks a
binding is then wrong. The deploy commands say which environments go out: ``package.json``
scripts (the Worker's own package, or any package whose script names the config with
``-c``/``--config``) and GitHub workflow steps. When nothing deploys a Worker, every environment
counts: we cannot tell, and a linter must not guess in the lenient direction.
"""

from __future__ import annotations

import os
import re
import shlex
from dataclasses import dataclass
from pathlib import Path

from dualworker_cli.check.model import Project, Worker
from dualworker_cli.check.parse import paths

#: the top level of a config (``wrangler deploy`` with no ``--env``, or ``--env ""``)
TOP = ""
_SPLIT = re.compile(r"&&|\|\||;|\|")
_ENV_ASSIGN = re.compile(r"\bCLOUDFLARE_ENV=(['\"]?)([A-Za-z0-9_-]*)\1")
_VITE_MODE = re.compile(r"\bvite\s+build\b[^&|;]*?--mode[= ](['\"]?)([A-Za-z0-9_-]+)\1")
_RUN_SCRIPT = re.compile(r"\b(?:npm|pnpm|yarn|bun)\s+(?:run\s+)?([A-Za-z0-9:_.-]+)")
_WORKFLOW_DIR = re.compile(r"(?:working-directory|workingDirectory)\s*:\s*['\"]?([^'\"\n#]+)")


@dataclass(frozen=True)
class Deploys:
    """The environments deploy commands send out (``TOP`` for the top level) and where that was read.

    ``envs`` is None when no command deploys the Worker: every environment then counts.
    """

    envs: frozenset[str] | None
    evidence: tuple[str, ...] = ()

    def deployed(self, env: str | None) -> bool:
        """Is ``env`` (None or "" for the top level) deployed?"""
        return self.envs is None or (env or TOP) in self.envs


@dataclass(frozen=True)
class _Command:
    env: str | None  # None: not given on the command line
    config: str | None
    cwd: str | None


def _wrangler_deploys(segment: str) -> _Command | None:
    """A ``wrangler deploy`` / ``versions upload`` command in one shell segment (not a dry run,
    not ``pages deploy``): its ``--env``, ``--config`` and ``--cwd``."""
    try:
        words = shlex.split(segment)
    except ValueError:
        words = segment.split()
    for i, word in enumerate(words):
        if not (word == "wrangler" or word.endswith("/wrangler")):
            continue
        rest = words[i + 1 :]
        if not rest:
            return None
        if rest[0] in ("deploy", "publish"):
            args = rest[1:]
        elif rest[:2] == ["versions", "upload"]:
            args = rest[2:]
        else:
            return None
        if "--dry-run" in args:
            return None
        return _Command(_option(args, "--env", "-e"), _option(args, "--config", "-c"), _option(args, "--cwd"))
    return None


def _option(args: list[str], *names: str) -> str | None:
    for i, arg in enumerate(args):
        for name in names:
            if arg == name and i + 1 < len(args):
                return args[i + 1]
            if arg.startswith(name + "="):
                return arg[len(name) + 1 :]
    return None


def _build_env(script: str, scripts: dict[str, str], envs: set[str], depth: int = 0) -> str | None:
    """``CLOUDFLARE_ENV=x`` (or ``vite build --mode x`` naming one of the config's environments)
    in a script or the scripts it runs: the Vite plugin picks the environment at build time, and
    ``wrangler deploy`` then takes the built config as it is."""
    found = _ENV_ASSIGN.search(script)
    if found:
        return found.group(2)
    mode = _VITE_MODE.search(script)
    if mode and mode.group(2) in envs:
        return mode.group(2)
    if depth < 3:
        for name in _RUN_SCRIPT.findall(script):
            if name in scripts:
                env = _build_env(scripts[name], scripts, envs, depth + 1)
                if env is not None:
                    return env
    return None


_CD = re.compile(r"^\s*cd\s+(['\"]?)([^'\"\s]+)\1\s*$")


def _commands_in(text: str) -> list[tuple[str, _Command]]:
    """The deploy commands of a script, each with the folder an earlier ``cd dir &&`` moved to
    (``cd workers/api && npx wrangler deploy`` deploys ``workers/api``)."""
    out = []
    moved: str | None = None
    for segment in _SPLIT.split(text):
        cd = _CD.match(segment)
        if cd:
            moved = os.path.join(moved, cd.group(2)) if moved else cd.group(2)
            continue
        command = _wrangler_deploys(segment)
        if command is not None:
            if moved:
                cwd = os.path.join(moved, command.cwd) if command.cwd else moved
                command = _Command(command.env, command.config, cwd)
            out.append((text, command))
    return out


def _package_scripts(path: Path) -> dict[str, str]:
    data = paths.read_json(path)
    scripts = data.get("scripts") if isinstance(data, dict) else None
    return {k: v for k, v in scripts.items() if isinstance(v, str)} if isinstance(scripts, dict) else {}


@dataclass(frozen=True)
class _Deploy:
    """One deploy command, resolved: what it deploys (a config file, or the config found in a
    folder) and how the environment is chosen."""

    config: Path | None
    folder: Path
    env: str | None
    build_script: str  # the script text, for CLOUDFLARE_ENV / vite --mode (needs the Worker's envs)
    scripts: dict[str, str]
    evidence: str


def _index(root: Path, packages: list[Path], workflows: list[Path]) -> list[_Deploy]:
    """Every deploy command of the project, read once (not once per Worker: monorepos have
    hundreds of packages)."""
    out: list[_Deploy] = []
    for package in packages:
        scripts = _package_scripts(package)
        for name, script in scripts.items():
            if "wrangler" not in script:
                continue
            for text, command in _commands_in(script):
                cwd = package.parent / command.cwd if command.cwd else package.parent
                config = _resolved(cwd / command.config) if command.config is not None else None
                evidence = f"{_rel(package, root)} scripts.{name}"
                out.append(_Deploy(config, _resolved(cwd), command.env, text, scripts, evidence))
    for workflow in workflows:
        try:
            text = workflow.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        if "wrangler" not in text:
            continue
        folders = [root / d.strip() for d in _WORKFLOW_DIR.findall(text)] or [root]
        for line in text.splitlines():
            for _, command in _commands_in(line.strip().removeprefix("- ").removeprefix("run:").strip()):
                for folder in folders:
                    cwd = folder / command.cwd if command.cwd else folder
                    config = _resolved(cwd / command.config) if command.config is not None else None
                    env = command.env if command.env is not None else TOP
                    out.append(_Deploy(config, _resolved(cwd), env, "", {}, _rel(workflow, root)))
    return out


def _resolved(path: Path) -> Path:
    try:
        return paths.resolve(path)
    except OSError:
        return path


def find_deploys(worker: Worker, deploys_index: list[_Deploy]) -> Deploys:
    """The deployed environments of ``worker`` according to the project's deploy commands."""
    envs: set[str] = set()
    evidence: list[str] = []
    unknown = False
    config, folder = _resolved(worker.config.path), _resolved(worker.root)
    for deploy in deploys_index:
        if (deploy.config != config) if deploy.config is not None else (deploy.folder != folder):
            continue
        env = deploy.env
        if env is None:
            env = _build_env(deploy.build_script, deploy.scripts, set(worker.envs))
        if env is None and _vite_build(deploy.build_script, deploy.scripts) and _uses_vite_plugin(worker):
            # the Vite plugin chose the environment at build time from CLOUDFLARE_ENV, which the
            # commands do not show (CI variables, a `.env.<mode>` file): it cannot be known
            unknown = True
        envs.add(env if env is not None else TOP)
        evidence.append(deploy.evidence)
    if not evidence or unknown:
        return Deploys(None, tuple(dict.fromkeys(evidence)))
    return Deploys(frozenset(envs), tuple(dict.fromkeys(evidence)))


def _vite_build(script: str, scripts: dict[str, str], depth: int = 0) -> bool:
    """Does the script (or a script it runs) build with Vite?"""
    if re.search(r"\bvite\s+build\b", script):
        return True
    return depth < 3 and any(
        _vite_build(scripts[name], scripts, depth + 1)
        for name in _RUN_SCRIPT.findall(script)
        if name in scripts
    )


def _uses_vite_plugin(worker: Worker) -> bool:
    """Is the Worker built by ``@cloudflare/vite-plugin`` (a vite.config beside its config)?"""
    for name in ("vite.config.ts", "vite.config.mts", "vite.config.js", "vite.config.mjs"):
        path = worker.root / name
        try:
            if path.is_file() and "@cloudflare/vite-plugin" in path.read_text(encoding="utf-8"):
                return True
        except (OSError, UnicodeDecodeError):
            continue
    return False


_SKIP = frozenset({"node_modules", ".wrangler", "dist", ".git", ".venv", "__pycache__", ".next", "build"})


def _project_files(root: Path) -> tuple[list[Path], list[Path]]:
    """Every package.json under ``root`` (dependency and build folders skipped) and the GitHub
    workflow files."""

    packages = []
    for current, dirs, files in paths.walk(root):
        dirs[:] = [d for d in dirs if d not in _SKIP]
        if "package.json" in files:
            packages.append(Path(current) / "package.json")
    workflows_dir = root / ".github" / "workflows"
    workflows = sorted(workflows_dir.glob("*.y*ml")) if workflows_dir.is_dir() else []
    return packages, workflows


def deploys(project: Project, worker: Worker) -> Deploys:
    """The deployed environments of ``worker`` (the project's commands are read once per run)."""
    index = project.memo(("deploy-index",), lambda: _index(project.root, *_project_files(project.root)))
    by_target = project.memo(("deploy-targets",), lambda: _by_target(index))
    key = ("deploys", str(worker.config.path))
    return project.memo(key, lambda: find_deploys(worker, _commands_for(worker, by_target)))


_ByTarget = dict[tuple[str, Path], list[tuple[int, _Deploy]]]


def _by_target(index: list[_Deploy]) -> _ByTarget:
    """The deploy commands by what they deploy (a config file, or a folder's config), numbered."""
    out: _ByTarget = {}
    for number, deploy in enumerate(index):
        key = ("config", deploy.config) if deploy.config is not None else ("folder", deploy.folder)
        out.setdefault(key, []).append((number, deploy))
    return out


def _commands_for(worker: Worker, by_target: _ByTarget) -> list[_Deploy]:
    """The commands that can deploy ``worker``, in project order: a lookup, where scanning every
    command for every Worker is quadratic in a monorepo."""
    found = by_target.get(("config", _resolved(worker.config.path)), [])
    found = found + by_target.get(("folder", _resolved(worker.root)), [])
    return [deploy for _, deploy in sorted(found, key=lambda item: item[0])]


def _rel(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)
