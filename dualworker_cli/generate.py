"""`dualworker new`: validate the answers, render the Copier template atomically, set up git and npm.

Copier is imported inside the functions that need it, never at module import, so that
`dualworker --help` and `dualworker check` stay fast.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import warnings
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dualworker_cli import __version__
from dualworker_cli.errors import DualworkerError

PATTERNS: tuple[str, ...] = ("queue", "websocket", "workflow")
PATTERN_TITLES: dict[str, str] = {
    "queue": "Queue: fire-and-forget background jobs",
    "websocket": "WebSocket: real-time tunnel into a Durable Object",
    "workflow": "Workflow: long-running, retried steps",
}
AUTH_MODES: dict[str, str] = {
    "secret": "HS256 shared secret (a Worker secret)",
    "jwks": "JWKS: public keys of an identity provider",
}
#: Cloudflare rejects Worker names over 63 characters; Wrangler names env Workers `<name>-<env>`.
WORKER_NAME_MAX = 63
ENVIRONMENTS: tuple[str, ...] = ("staging", "production")
_WORKER_NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-")
#: Answers `--data` may set; NAME, patterns and auth have their own options.
DATA_KEYS: tuple[str, ...] = ("user_worker_name", "data_worker_name", "compatibility_date")
NPM_TIMEOUT_S = 15 * 60
QUIET_ENV = {"WRANGLER_SEND_METRICS": "false", "CLOUDFLARE_CF_FETCH_ENABLED": "false"}


def template_source() -> Path:
    """Where the Copier template lives: inside the wheel, or the source checkout."""
    packaged = Path(__file__).parent / "_template"
    if (packaged / "copier.yml").is_file():
        return packaged
    checkout = Path(__file__).resolve().parent.parent
    if (checkout / "copier.yml").is_file() and (checkout / "template").is_dir():
        return checkout
    raise DualworkerError(
        "the dualworker template is missing from this installation: reinstall the package", 1
    )


def worker_name_problem(name: str) -> str | None:
    """Why ``name`` is not a valid Cloudflare Worker name once the longest env suffix is added."""
    if not name:
        return "must not be empty"
    if set(name) - _WORKER_NAME_CHARS:
        bad = "".join(sorted(set(name) - _WORKER_NAME_CHARS))
        return f"may contain only lower-case letters, digits and dashes (found {bad!r})"
    if name.startswith("-") or name.endswith("-"):
        return "must not start or end with a dash"
    longest = max(len(f"{name}-{env}") for env in ENVIRONMENTS)
    if longest > WORKER_NAME_MAX:
        return (
            f"is too long: `{name}-production` would have {longest} characters, "
            f"Cloudflare allows {WORKER_NAME_MAX}"
        )
    return None


@dataclass
class Answers:
    """Everything the template needs; ``data`` holds the `--data` overrides."""

    project_name: str
    patterns: list[str] = field(default_factory=lambda: list(PATTERNS))
    auth_mode: str = "secret"
    data: dict[str, str] = field(default_factory=dict)

    @property
    def user_worker_name(self) -> str:
        return self.data.get("user_worker_name", f"{self.project_name}-user")

    @property
    def data_worker_name(self) -> str:
        return self.data.get("data_worker_name", f"{self.project_name}-data")

    def to_copier(self) -> dict[str, Any]:
        """The answers as Copier's ``data`` mapping."""
        return {
            "project_name": self.project_name,
            "patterns": list(self.patterns),
            "auth_mode": self.auth_mode,
            **self.data,
        }


def parse_data(items: Iterable[str]) -> dict[str, str]:
    """Turn repeated ``--data KEY=VALUE`` options into a mapping, refusing unknown keys."""
    data: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        key = key.strip()
        if not sep or not key:
            raise DualworkerError(f"--data {item!r}: expected KEY=VALUE, e.g. --data user_worker_name=web")
        if key not in DATA_KEYS:
            known = ", ".join(DATA_KEYS)
            hint = " (use --pattern / --auth)" if key in {"patterns", "auth_mode"} else ""
            raise DualworkerError(f"--data {key}: unknown answer{hint}; known: {known}")
        data[key] = value.strip()
    return data


def normalize_patterns(patterns: Sequence[str]) -> list[str]:
    """Accept `-p queue -p workflow` and `-p queue,workflow`; keep the canonical order."""
    chosen: set[str] = set()
    for raw in patterns:
        for part in raw.split(","):
            name = part.strip().lower()
            if not name or name == "none":
                continue
            if name not in PATTERNS:
                raise DualworkerError(
                    f"--pattern {name!r}: unknown pattern; choose from {', '.join(PATTERNS)} (or none)"
                )
            chosen.add(name)
    return [p for p in PATTERNS if p in chosen]


def validate(answers: Answers) -> None:
    """Check every name before anything is written, so a bad name never leaves files behind."""
    if problem := worker_name_problem(answers.project_name):
        raise DualworkerError(f"project name {answers.project_name!r} {problem}")
    for key in ("user_worker_name", "data_worker_name"):
        value = getattr(answers, key)
        if problem := worker_name_problem(value):
            raise DualworkerError(f"{key} {value!r} {problem}")
    if answers.user_worker_name == answers.data_worker_name:
        raise DualworkerError("user_worker_name and data_worker_name must differ")
    if answers.auth_mode not in AUTH_MODES:
        raise DualworkerError(f"--auth {answers.auth_mode!r}: choose one of {', '.join(AUTH_MODES)}")
    date = answers.data.get("compatibility_date")
    if date is not None:
        import datetime

        try:
            datetime.date.fromisoformat(date)
        except ValueError:
            raise DualworkerError(f"compatibility_date {date!r}: expected YYYY-MM-DD") from None


def check_destination(dest: Path) -> None:
    """Refuse to render over anything: a non-empty folder or a file."""
    if dest.is_file():
        raise DualworkerError(f"{dest}: a file with that name exists; choose another project name")
    if dest.is_dir() and any(dest.iterdir()):
        raise DualworkerError(f"{dest}: destination is not empty; choose another name or remove the folder")


def render(answers: Answers, dest: Path, src: str | Path | None = None, vcs_ref: str | None = None) -> Path:
    """Render into a temporary sibling folder and move it into place.

    The rename is atomic on one filesystem, so an error or Ctrl-C during rendering leaves
    neither a half-written project nor the temporary folder behind. ``vcs_ref`` picks a
    template version of a git ``src`` (default: its latest release tag, as Copier does).
    A project rendered from the template packaged in the wheel records the canonical git URL
    and the installed version's tag instead of the site-packages path (see
    `dualworker_cli.versioning`), so `copier update` works on it later.
    """
    from copier import run_copy
    from copier.errors import CopierError, DirtyLocalWarning

    dest = dest.resolve()
    check_destination(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    source = str(src) if src is not None else str(template_source())
    if src is not None and Path(source).expanduser().exists():
        # Copier records a local source as given; a relative path would break `update` elsewhere.
        source = str(Path(source).expanduser().resolve())
    staging = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", dir=dest.parent))
    try:
        target = staging / dest.name
        kwargs: dict[str, Any] = {}
        if vcs_ref is not None:
            kwargs["vcs_ref"] = vcs_ref
        elif src is None and (Path(source) / ".git").exists():
            kwargs["vcs_ref"] = "HEAD"  # a source checkout: render what is there, not the last tag
        try:
            with warnings.catch_warnings():
                # A source checkout with uncommitted edits is expected during development.
                warnings.simplefilter("ignore", DirtyLocalWarning)
                run_copy(
                    source,
                    target,
                    data=answers.to_copier(),
                    defaults=True,
                    overwrite=True,
                    quiet=True,
                    **kwargs,
                )
        except (CopierError, ValueError) as exc:
            raise DualworkerError(f"template: {exc}") from None
        if src is None and not (Path(source) / ".git").exists():
            from dualworker_cli.versioning import ANSWERS_FILE, pin_packaged_source

            pin_packaged_source(target / ANSWERS_FILE)
        if dest.is_dir():
            dest.rmdir()  # empty (checked above); replaced by the rendered folder
        target.rename(dest)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return dest


def _git(dest: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], cwd=dest, capture_output=True, text=True, timeout=120, check=False)


def git_init(dest: Path) -> str | None:
    """Create the repository and the first commit (`copier update` needs both).

    Returns a warning to show instead of failing: the project itself is fine without git.
    """
    if shutil.which("git") is None:
        return "git not found: skipped `git init` (install git before `dualworker update`)"
    identity: list[str] = []
    if not _git(dest, "config", "user.email").stdout.strip():
        identity = ["-c", "user.name=dualworker", "-c", "user.email=dualworker@localhost"]
    steps = (
        ("init", "-q"),
        ("add", "-A"),
        (*identity, "commit", "-q", "--no-verify", "-m", f"Initial commit from dualworker {__version__}"),
    )
    for step in steps:
        result = _git(dest, *step)
        if result.returncode != 0:
            detail = (result.stderr or result.stdout).strip().splitlines()[-1:] or ["failed"]
            return f"git {step[-1] if step[0] != 'init' else 'init'}: {detail[0]}"
    return None


@dataclass
class NpmResult:
    """Outcome of `npm install`: ``tail`` keeps npm's last lines for the error message."""

    ok: bool
    tail: list[str]
    seconds: float


def npm_install(dest: Path, npm: str, on_line: Any = None) -> NpmResult:
    """Run `npm install`, streaming lines to ``on_line`` and keeping a tail for errors."""
    import time

    env = {**os.environ, **QUIET_ENV}
    tail: deque[str] = deque(maxlen=25)
    start = time.monotonic()
    try:
        proc = subprocess.Popen(
            [npm, "install", "--no-audit", "--no-fund"],
            cwd=dest,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=env,
        )
    except OSError as exc:
        return NpmResult(False, [str(exc)], 0.0)
    assert proc.stdout is not None
    try:
        for line in proc.stdout:
            line = line.rstrip()
            if line:
                tail.append(line)
                if on_line is not None:
                    on_line(line)
            if time.monotonic() - start > NPM_TIMEOUT_S:
                proc.kill()
                tail.append(f"npm install timed out after {NPM_TIMEOUT_S} s")
                break
        proc.wait(timeout=60)
    except BaseException:
        proc.kill()
        raise
    return NpmResult(proc.returncode == 0, list(tail), time.monotonic() - start)
