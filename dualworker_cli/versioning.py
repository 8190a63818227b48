"""Template versions: what a generated project records so that `copier update` can find its template.

Design
------
Template versions are this repository's PEP 440 git tags (``v0.1.0``, ``v0.2.0``...). Copier's
update re-renders the project's *old* template version (``_commit`` in ``.copier-answers.yml``,
fetched from ``_src_path``) and the new one, and merges the difference into the project. So both
keys must name something any later machine can fetch:

* Rendered from a **git source** (``--template``/``DUALWORKER_TEMPLATE`` pointing at a fork, a
  local clone, a URL): Copier records that source and ``git describe --tags`` of what it rendered.
  Nothing to add.
* Rendered from the **template packaged in the wheel** (the default for installed users): that
  folder is not a git repository and lives in a site-packages path that means nothing elsewhere,
  so Copier would record an unusable path and no ``_commit``. :func:`pin_packaged_source` rewrites
  the two keys to the canonical public repository :data:`TEMPLATE_URL` and the tag of the installed
  version, ``v<__version__>`` — the release that wheel was built from. Generating needs no network;
  a later plain ``copier update`` (or ``dualworker update``) fetches that tag and newer ones.
* Rendered from a **source checkout** (an editable install): the checkout path and its HEAD
  commit (``git describe``), rendered by commit id so that untracked files around it (a project
  generated inside the checkout, say) never turn into a throw-away commit that exists nowhere.
  Uncommitted edits to the template itself (development) are rendered and recorded like the
  wheel: ``v<__version__>`` at :data:`TEMPLATE_URL` (see `dualworker_cli.generate.source_version`).

Releases must therefore tag ``v<version>`` on the commit whose ``dualworker_cli/__init__.py``
has that version (``__version__``; pyproject.toml reads it from there).

This module never imports Copier: `dualworker check` uses it to look for newer versions.
"""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dualworker_cli import __version__

#: The canonical public home of the template; recorded for projects rendered from the wheel.
TEMPLATE_URL = "https://github.com/dualworker/dualworker.git"
ANSWERS_FILE = ".copier-answers.yml"
#: ``git ls-remote`` must never hang `dualworker check` or a CI job that is offline.
LS_REMOTE_TIMEOUT_S = 5.0
_DESCRIBE = re.compile(r"^(?P<tag>.+)-(?P<count>\d+)-g(?P<hash>[0-9a-f]+)$")


def release_tag(version: str = __version__) -> str:
    """The git tag of a released version: ``0.1.0`` -> ``v0.1.0``."""
    return f"v{version}"


def pin_packaged_source(answers_path: Path, version: str = __version__) -> None:
    """Record the canonical URL and the installed version's tag in a freshly rendered answers file.

    Line-based on purpose: the file was just written by the template's answers-file template
    (``_commit``/``_src_path`` first, one per line), and keeping Copier's own formatting makes
    the file identical to one Copier would write when rendering the same tag from git.
    """
    lines = answers_path.read_text(encoding="utf-8").splitlines(keepends=True)
    kept = [line for line in lines if not line.startswith(("_commit:", "_src_path:"))]
    pinned = [f"_commit: {release_tag(version)}\n", f"_src_path: {TEMPLATE_URL}\n"]
    at = next((i for i, line in enumerate(kept) if not line.startswith("#")), len(kept))
    answers_path.write_text("".join(kept[:at] + pinned + kept[at:]), encoding="utf-8")


def read_answers(project_root: Path) -> dict[str, Any] | None:
    """The project's `.copier-answers.yml` as a mapping, or None when missing or unreadable."""
    import yaml  # PyYAML ships with Copier's dependencies; small and fast to import

    path = project_root / ANSWERS_FILE
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return None
    return data if isinstance(data, dict) else None


def parse_version(ref: str) -> Any | None:
    """A ``packaging`` Version for a tag (``v0.2.0``) or a describe string (``v0.1.0-3-gabc``)."""
    from packaging.version import InvalidVersion, Version

    match = _DESCRIBE.match(ref)
    text = f"{match['tag']}.post{match['count']}+g{match['hash']}" if match else ref
    try:
        return Version(text)
    except InvalidVersion:
        return None


@dataclass(frozen=True)
class Release:
    """A tag that names a release, newest first when sorted descending."""

    tag: str
    version: Any


def list_releases(source: str, timeout: float = LS_REMOTE_TIMEOUT_S) -> list[Release]:
    """Release tags of a template source, newest first; raises OSError when unreachable.

    Mirrors Copier's choice of "latest": tags that parse as PEP 440, pre-releases skipped.
    """
    source = _git_url(source)
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "GIT_ASKPASS": "true", "GCM_INTERACTIVE": "never"}
    try:
        proc = subprocess.run(
            ["git", "ls-remote", "--tags", "--refs", "--", source],
            capture_output=True,
            text=True,
            timeout=timeout,
            env=env,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise OSError(f"{source}: no answer within {timeout:.0f} s") from None
    except FileNotFoundError:
        raise OSError("git not found on PATH") from None
    if proc.returncode != 0:
        lines = proc.stderr.strip().splitlines()
        # git's first `fatal:` line says what is wrong; the last is boilerplate ("...the repository exists.")
        detail = next((line for line in lines if line.startswith("fatal:")), lines[-1] if lines else "")
        raise OSError(f"{source}: {detail or 'git ls-remote failed'}")
    releases = []
    for line in proc.stdout.splitlines():
        tag = line.partition("\t")[2].removeprefix("refs/tags/")
        version = parse_version(tag)
        if version is not None and not version.is_prerelease:
            releases.append(Release(tag, version))
    return sorted(releases, key=lambda r: r.version, reverse=True)


def ref_exists(source: str, ref: str, timeout: float = LS_REMOTE_TIMEOUT_S) -> bool:
    """Whether the source has a branch or tag named ``ref``; raises OSError when unreachable."""
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "GIT_ASKPASS": "true", "GCM_INTERACTIVE": "never"}
    try:
        proc = subprocess.run(
            ["git", "ls-remote", "--heads", "--tags", "--", _git_url(source), ref],
            capture_output=True,
            text=True,
            timeout=timeout,
            env=env,
            check=False,
        )
    except (subprocess.TimeoutExpired, FileNotFoundError) as exc:
        raise OSError(str(exc)) from None
    if proc.returncode != 0:
        raise OSError(proc.stderr.strip())
    names = {line.partition("\t")[2] for line in proc.stdout.splitlines()}
    return bool(names & {f"refs/heads/{ref}", f"refs/tags/{ref}", f"refs/tags/{ref}^{{}}"})


def _git_url(source: str) -> str:
    """What to hand to ``git ls-remote``: absolute local paths, expanded shortcuts."""
    if source.startswith("file://"):
        return source
    if is_local_source(source):
        return str(Path(source).expanduser().resolve())
    return expand_shortcut(source)


def local_path(source: str) -> Path:
    """The folder a local source names (``file://`` stripped)."""
    return Path(source.removeprefix("file://")).expanduser()


def expand_shortcut(source: str) -> str:
    """Copier's ``gh:owner/repo`` / ``gl:owner/repo`` / ``git+URL`` forms as URLs git understands."""
    if source.startswith("git+"):
        return source.removeprefix("git+")
    for prefix, host in (("gh:", "https://github.com/"), ("gl:", "https://gitlab.com/")):
        if source.startswith(prefix):
            path = source.removeprefix(prefix).removesuffix(".git")
            return f"{host}{path}.git"
    return source


def is_local_source(source: str) -> bool:
    """A filesystem path (or file:// URL) rather than a network URL: listing its tags is cheap."""
    if source.startswith("file://"):
        return True
    if re.match(r"^[a-z][a-z0-9+.-]*://", source) or re.match(r"^[\w.-]+@[\w.-]+:", source):
        return False
    return not source.startswith(("gh:", "gl:"))


def newer_template_version(project_root: Path, *, allow_network: bool | None = None) -> str | None:
    """The newest release tag of the project's template when it is newer than the project's, else None.

    For `dualworker check` (information, never a failure): returns None whenever the answer is
    unknown — no answers file, no recorded version, an unreachable source. Local sources are
    always asked; network sources only when ``allow_network`` (default: unless the environment
    sets ``DUALWORKER_OFFLINE=1``), with a short timeout so an offline machine loses seconds at
    most. Never imports Copier.
    """
    answers = read_answers(project_root)
    if not answers:
        return None
    source, commit = answers.get("_src_path"), answers.get("_commit")
    if not isinstance(source, str) or not isinstance(commit, str):
        return None
    current = parse_version(commit)
    if current is None:
        return None
    if allow_network is None:
        allow_network = os.environ.get("DUALWORKER_OFFLINE", "") not in {"1", "true", "yes"}
    if not is_local_source(source) and not allow_network:
        return None
    if is_local_source(source) and not local_path(source).exists():
        return None
    try:
        releases = list_releases(source)
    except OSError:
        return None
    if releases and releases[0].version > current:
        return releases[0].tag
    return None
