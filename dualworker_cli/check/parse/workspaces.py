"""Workspace packages: ``import { x } from "@acme/auth"`` in an npm/pnpm/yarn monorepo.

Real monorepos keep auth middleware, proxies and Hono apps in shared packages of their own. A bare
specifier resolves to such a package when the nearest workspace root at or above the importing
file (``workspaces`` in package.json, or ``pnpm-workspace.yaml``) lists a folder whose package.json
has that ``name``. Inside the package, the file is the one its ``exports`` map names (preferring
TypeScript sources over built ``dist`` output, which a checkout rarely has), else ``<pkg>/<sub>``
or ``<pkg>/src/<sub>``; the bare package is ``exports["."]``, ``types``, ``module``, ``main`` or
``src/index.ts``. Nothing outside the scanned root and nothing under ``node_modules`` is read.
Everything is read once per run (:func:`clear`).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

from dualworker_cli.check.parse import paths

#: folders never searched for workspace packages
_SKIP = frozenset({"node_modules", ".git", ".wrangler", "dist", "build", ".next", ".turbo", ".output", "out"})
#: export conditions in the order a Worker bundler (or TypeScript) would pick them
_CONDITIONS = ("types", "import", "workerd", "worker", "module", "default", "browser", "node", "require")
#: build-output folders whose sources usually sit in ``src`` (``dist/auth/x.js`` -> ``src/auth/x.ts``)
_BUILD_DIRS = frozenset({"dist", "build", "lib", "out", "esm", "cjs", "es", "types"})

#: folder -> its workspace root, and folder -> its package.json (path strings: every importing
#: folder of a monorepo is asked about, with its parents)
_ROOT_OF: dict[str, Path | None] = {}
_PACKAGES: dict[Path, dict[str, Path]] = {}
_MANIFESTS: dict[str, dict[str, Any]] = {}


def clear() -> None:
    """Forget what an earlier run read (a new ModuleGraph starts afresh)."""
    _ROOT_OF.clear()
    _PACKAGES.clear()
    _MANIFESTS.clear()


def _manifest(folder: Path | str) -> dict[str, Any]:
    """``folder/package.json`` as a dict ({} when missing or unreadable)."""
    key = str(folder)
    found = _MANIFESTS.get(key)
    if found is None:
        data: Any = {}
        path = os.path.join(key, "package.json")
        if paths.is_file(path):
            data = paths.read_json(Path(path))  # None when unreadable; discovery read most already
        found = _MANIFESTS[key] = data if isinstance(data, dict) else {}
    return found


def _pnpm_globs(path: Path) -> list[str]:
    """The ``packages:`` list of a pnpm-workspace.yaml (block or flow style; no YAML library)."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return []
    globs: list[str] = []
    inside = False
    for raw in lines:
        line = raw.split(" #", 1)[0].rstrip()
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if not line[0].isspace() and not line.startswith("-"):
            key, _, rest = line.partition(":")
            inside = key.strip() == "packages"
            if inside and rest.strip().startswith("["):
                items = rest.strip()[1:].rstrip("]").split(",")
                globs += [g.strip().strip("'\"") for g in items if g.strip()]
                inside = False
            continue
        item = line.strip()
        if inside and item.startswith("-"):
            globs.append(item[1:].strip().strip("'\""))
    return [g for g in globs if g]


def _workspace_globs(folder: Path | str) -> list[str] | None:
    """The package globs of a workspace root at ``folder``; None when it is not one."""
    pnpm = os.path.join(folder, "pnpm-workspace.yaml")
    if paths.is_file(pnpm):
        return _pnpm_globs(Path(pnpm))
    workspaces = _manifest(folder).get("workspaces")
    if isinstance(workspaces, dict):  # yarn classic: { packages: [...], nohoist: [...] }
        workspaces = workspaces.get("packages")
    if isinstance(workspaces, list):
        return [g for g in workspaces if isinstance(g, str)]
    return None


def _root_of(folder: Path, boundary: Path) -> Path | None:
    """The nearest workspace root at or above ``folder``, not above ``boundary``."""
    chain: list[str] = []
    current, top = str(folder), str(boundary)  # path strings: no Path per parent
    inside = top if top.endswith("/") else top + "/"
    found: Path | None = None
    while True:
        if current in _ROOT_OF:
            found = _ROOT_OF[current]
            break
        chain.append(current)
        if _workspace_globs(current) is not None:
            found = Path(current)
            break
        if current == top or not current.startswith(inside):  # `boundary in current.parents`
            break
        current = os.path.dirname(current)
    for seen in chain:
        _ROOT_OF[seen] = found
    return found


def _glob_regex(pattern: str) -> re.Pattern[str]:
    """A workspace glob (``apps/*/server``, ``packages/**``) as a regex over relative folders."""
    out = []
    for i, part in enumerate(pattern.strip("/").removeprefix("./").split("/")):
        sep = "/" if i else ""
        if part == "**":
            out.append(f"(?:{sep}[^/]+)*" if i else "(?:[^/]+(?:/[^/]+)*)?")
        else:
            chars = ("[^/]*" if c == "*" else "[^/]" if c == "?" else re.escape(c) for c in part)
            out.append(sep + "".join(chars))
    return re.compile("^" + "".join(out).lstrip("/") + "$")


def _folders(root: Path, globs: list[str]) -> Iterator[Path]:
    """Folders under ``root`` (with a package.json) that the globs select, negations applied."""
    include = [g for g in globs if not g.startswith("!")]
    exclude = [g[1:] for g in globs if g.startswith("!")]
    if not include:
        return
    deep = any("**" in g for g in include)
    depth = max(len(g.strip("/").split("/")) for g in include)
    regexes = [_glob_regex(g) for g in include]
    top = os.fspath(root)
    prefix = top if top.endswith(os.sep) else top + os.sep
    for current, dirs, files in paths.walk(top):  # the listings discovery already read
        rel = current[len(prefix) :].replace(os.sep, "/") if current != top else "."
        level = 0 if rel == "." else rel.count("/") + 1
        dirs[:] = sorted(d for d in dirs if d not in _SKIP and not d.startswith("."))
        if not deep and level >= depth:
            dirs[:] = []
        if rel == "." or "package.json" not in files:
            continue
        if any(r.match(rel) for r in regexes) and not any(fnmatchcase(rel, g.strip("/")) for g in exclude):
            yield Path(current)


def packages(root: Path) -> dict[str, Path]:
    """Package ``name`` -> folder for the workspace rooted at ``root`` (indexed once per run)."""
    if root not in _PACKAGES:
        index: dict[str, Path] = {}
        for folder in _folders(root, _workspace_globs(root) or []):
            name = _manifest(folder).get("name")
            if isinstance(name, str) and name and name not in index:
                index[name] = folder
        _PACKAGES[root] = index
    return _PACKAGES[root]


def _split(spec: str) -> tuple[str, str]:
    """``@scope/pkg/sub/x`` -> (``@scope/pkg``, ``sub/x``); ``pkg/sub`` -> (``pkg``, ``sub``)."""
    parts = spec.split("/")
    count = 2 if spec.startswith("@") else 1
    return "/".join(parts[:count]), "/".join(parts[count:])


def _targets(value: Any) -> list[str]:
    """The paths an ``exports`` value names, best condition first (nested conditions, arrays)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [t for item in value for t in _targets(item)]
    if isinstance(value, dict):
        keys = [k for k in _CONDITIONS if k in value] + [k for k in value if k not in _CONDITIONS]
        return [t for k in keys for t in _targets(value[k])]
    return []


def _export_targets(exports: Any, sub: str) -> list[str]:
    """What ``exports`` maps ``./sub`` (``.`` for the bare package) to, patterns included."""
    key = f"./{sub}" if sub else "."
    if isinstance(exports, (str, list)) or (
        isinstance(exports, dict) and not any(k.startswith(".") for k in exports)
    ):
        return _targets(exports) if key == "." else []
    if not isinstance(exports, dict):
        return []
    if key in exports:
        return _targets(exports[key])
    best: tuple[int, list[str]] | None = None
    for pattern, value in exports.items():
        prefix, star, suffix = pattern.partition("*")
        fits = key.startswith(prefix) and key.endswith(suffix) and len(key) >= len(prefix + suffix)
        if not star or not fits:
            continue
        middle = key[len(prefix) : len(key) - len(suffix)]
        found = [t.replace("*", middle) for t in _targets(value)]
        if best is None or len(prefix) > best[0]:
            best = (len(prefix), found)
    return best[1] if best is not None else []


def _source_candidates(folder: Path, target: str) -> list[Path]:
    """``target`` inside the package, then the source a built path comes from (dist -> src)."""
    rel = target.removeprefix("./")
    out = [folder / rel]
    parts = rel.split("/")
    if len(parts) > 1 and parts[0] in _BUILD_DIRS:
        stem = "/".join(parts[1:]).removesuffix(".d.ts")
        out += [folder / "src" / stem, folder / stem]
    return out


def resolve(
    base: Path, spec: str, boundary: Path, file_for: Callable[[Path, Path], Path | None]
) -> Path | None:
    """The workspace file a bare ``spec`` imported from ``base`` names, or None."""
    if not spec or spec.startswith((".", "/")) or ":" in spec:
        return None
    root = _root_of(base.parent, boundary)
    if root is None:
        return None
    name, sub = _split(spec)
    folder = packages(root).get(name)
    if folder is None:
        return None
    manifest = _manifest(folder)
    candidates: list[Path] = []
    if "exports" in manifest:
        for target in _export_targets(manifest["exports"], sub):
            candidates += _source_candidates(folder, target)
    if sub:
        candidates += [folder / sub, folder / "src" / sub]
    else:
        for key in ("types", "module", "main"):
            value = manifest.get(key)
            if isinstance(value, str):
                candidates += _source_candidates(folder, value)
        candidates += [folder / "src" / "index", folder / "index"]
    resolved: Path | None = None
    for candidate in candidates:
        if candidate.name.endswith(".d.ts") or "node_modules" in candidate.parts:
            continue
        found = file_for(candidate.resolve(), boundary)
        if found is None or found.name.endswith(".d.ts"):
            continue
        if found.suffix in (".ts", ".tsx", ".mts"):
            return found
        resolved = resolved or found  # a .js file: keep looking for the TypeScript source
    return resolved
