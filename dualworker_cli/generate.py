"""`dualworker new`: validate the answers, render the Copier template atomically, set up git and npm.

Copier is imported inside the functions that need it, never at module import, so that
`dualworker --help` and `dualworker check` stay fast.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import threading
import warnings
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dualworker_cli import __version__
from dualworker_cli.errors import DualworkerError
from dualworker_cli.gitutil import git as _git

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
FRONTENDS: dict[str, str] = {
    "react": "React single-page app (Vite + the Cloudflare Vite plugin, typed API client)",
    "static": "Static demo page (plain HTML + JS, no build step)",
}
#: The template's own default (copier.yml) is `static`, so that projects generated before the
#: question existed keep their page on update; `dualworker new` generates this one unless told.
NEW_FRONTEND = "react"
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
        bad = "".join(dict.fromkeys(char for char in name if char not in _WORKER_NAME_CHARS))  # in order
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


def suggest_name(name: str) -> str:
    """A valid name close to ``name``: `My_App 2` -> `my-app-2` (``myapp`` when nothing is left)."""
    import re

    longest = WORKER_NAME_MAX - len("-production") - len("-user")  # NAME-user-production fits
    cleaned = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:longest].strip("-")
    return cleaned or "myapp"


@dataclass
class Answers:
    """Everything the template needs; ``data`` holds the `--data` overrides."""

    project_name: str
    patterns: list[str] = field(default_factory=lambda: list(PATTERNS))
    auth_mode: str = "secret"
    frontend: str = "static"
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
            "frontend": self.frontend,
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
            hint = {
                "patterns": " (use --pattern)",
                "auth_mode": " (use --auth)",
                "frontend": " (use --frontend)",
                "project_name": " (it is NAME, the folder's name)",
            }.get(key, "")
            raise DualworkerError(f"--data {key}: unknown answer{hint}; known: {known}")
        data[key] = value.strip()
    return data


def normalize_patterns(patterns: Sequence[str]) -> list[str]:
    """Accept `-p queue -p workflow` and `-p queue,workflow`; keep the canonical order.

    `none` means no pattern, so it cannot stand next to one; an empty value is a mistake
    (an unset shell variable, say), not a silent `none`.
    """
    chosen: set[str] = set()
    none = False
    for raw in patterns:
        parts = [part.strip().lower() for part in raw.split(",") if part.strip()]
        if not parts:
            raise DualworkerError(f"--pattern {raw!r}: empty; give {', '.join(PATTERNS)} or none")
        for name in parts:
            if name == "none":
                none = True
                continue
            if name not in PATTERNS:
                raise DualworkerError(
                    f"--pattern {name!r}: unknown pattern; choose from {', '.join(PATTERNS)} (or none)"
                )
            chosen.add(name)
    ordered = [p for p in PATTERNS if p in chosen]
    if none and ordered:
        raise DualworkerError(
            f"--pattern none cannot be combined with {', '.join(ordered)}: drop one of them"
        )
    return ordered


def validate(answers: Answers) -> None:
    """Check every name before anything is written, so a bad name never leaves files behind."""
    if problem := worker_name_problem(answers.project_name):
        raise DualworkerError(f"project name {answers.project_name!r} {problem}")
    for key, suffix in (("user_worker_name", "-user"), ("data_worker_name", "-data")):
        value = getattr(answers, key)
        if problem := worker_name_problem(value):
            hint = ""
            if key not in answers.data:  # derived from NAME: say how to get a valid one
                longest = WORKER_NAME_MAX - len(f"{suffix}-{max(ENVIRONMENTS, key=len)}")
                hint = f" (NAME{suffix}): use a NAME of at most {longest} characters, or --data {key}=<name>"
            raise DualworkerError(f"{key} {value!r} {problem}{hint}")
    if answers.user_worker_name == answers.data_worker_name:
        raise DualworkerError("user_worker_name and data_worker_name must differ")
    if answers.auth_mode not in AUTH_MODES:
        raise DualworkerError(f"--auth {answers.auth_mode!r}: choose one of {', '.join(AUTH_MODES)}")
    if answers.frontend not in FRONTENDS:
        raise DualworkerError(f"--frontend {answers.frontend!r}: choose one of {', '.join(FRONTENDS)}")
    date = answers.data.get("compatibility_date")
    if date is not None:
        validate_compatibility_date(date)


def validate_compatibility_date(date: str) -> None:
    """Wrangler's form (YYYY-MM-DD, a real day), and not in the future: Cloudflare refuses to deploy
    a Worker whose compatibility date is later than today (UTC), and Miniflare refuses to run it."""
    import datetime
    import re

    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", date):
            raise ValueError(date)
        day = datetime.date.fromisoformat(date)
    except ValueError:
        raise DualworkerError(f"compatibility_date {date!r}: expected YYYY-MM-DD") from None
    today = datetime.datetime.now(datetime.UTC).date()
    if day > today:
        raise DualworkerError(
            f"compatibility_date {date!r} is in the future (today is {today.isoformat()} UTC): "
            "Cloudflare refuses to deploy it; use today's date or an earlier one"
        )


def check_destination(dest: Path) -> None:
    """Refuse to render over anything (a non-empty folder, a file) or where nothing can be written."""
    if dest.is_dir():
        try:
            # A fresh clone of an empty repository (`gh repo clone x && dualworker new x`) holds
            # only `.git`: the project goes next to it and is committed into that repository.
            occupied = any(entry.name != ".git" or not entry.is_dir() for entry in dest.iterdir())
        except OSError as exc:
            raise DualworkerError(
                f"{dest}: cannot read the folder ({exc.strerror}); choose another"
            ) from None
        if occupied:
            raise DualworkerError(
                f"{dest}: destination is not empty; choose another name or remove the folder"
            )
    elif dest.is_file():
        raise DualworkerError(f"{dest}: a file with that name exists; choose another project name")
    elif dest.exists() or dest.is_symlink():
        raise DualworkerError(f"{dest}: something that is not a folder has that name; choose another")
    # The folder that will receive the project (or the nearest one that exists above it).
    existing = dest if dest.is_dir() else dest.parent
    while not existing.exists() and not existing.is_symlink() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise DualworkerError(
            f"{existing}: is not a folder, so {dest} cannot be created there; choose another path"
        )
    if not os.access(existing, os.W_OK | os.X_OK):
        raise DualworkerError(f"{existing}: folder not writable; choose a folder you can write to")


def check_source(src: str | Path | None) -> str:
    """The Copier source to render from; a local ``--template`` must be a Copier template folder.

    Checked before any question or file: Copier would render a folder without ``copier.yml``
    as a template with no questions (a project of stray files), or fail with a traceback.
    A local path is made absolute, because Copier records it for later updates.
    """
    if src is None:
        return str(template_source())
    from dualworker_cli.versioning import is_local_source, local_path

    source = str(src)
    if not is_local_source(source):
        return source
    folder = local_path(source)
    shown = f"--template {source} (or DUALWORKER_TEMPLATE)"
    if not folder.exists():
        raise DualworkerError(f"{shown}: no such folder; point it at a clone of the dualworker template")
    if not folder.is_dir():
        raise DualworkerError(f"{shown}: not a folder; point it at a clone of the dualworker template")
    if not any((folder / name).is_file() for name in ("copier.yml", "copier.yaml")):
        raise DualworkerError(
            f"{shown}: {folder} has no copier.yml, so it is not a Copier template; "
            "point it at a clone of the dualworker template"
        )
    return source if source.startswith("file://") else str(folder.resolve())


def source_version(
    source: str, *, default: bool, shown: str = "", notice: Callable[[str], None] | None = None
) -> tuple[str | None, bool]:
    """Which version of ``source`` to render, and whether to record it as the packaged release.

    Returns ``(vcs_ref, pin)``: ``vcs_ref`` None lets Copier choose (its latest release tag);
    ``pin`` True records the canonical URL and ``v<version>`` (see `dualworker_cli.versioning`).
    The rule: never record a ``_commit`` that a later update cannot find in ``_src_path``.

    * The wheel's template (``default``, not a git checkout): pinned to the release it is.
    * A git checkout whose template inputs (copier.yml, template/, template_migrations/) are
      committed: its HEAD commit by id. Other untracked or edited files (a project generated
      inside the checkout, `.venv`, edits to the CLI) change nothing that is rendered, and naming
      the commit keeps Copier from snapshotting them into a throw-away commit that exists nowhere.
    * dualworker's own checkout (``default``) with uncommitted template edits (development):
      those edits are rendered and recorded as the packaged release ``v<version>``, exactly what
      a wheel built from this checkout records. Refusing would make every template edit need a
      commit before a test can render it; the recorded release is findable once tagged.
    * A ``--template`` checkout with uncommitted template edits and no release tag to render
      instead: refused (exit 2). Copier would record a throw-away commit, and that fork has no
      release to stand for it.
    """
    from dualworker_cli.gitutil import head_commit, uncommitted_template_paths
    from dualworker_cli.versioning import is_local_source, list_releases, local_path, release_tag

    if not is_local_source(source):
        return None, False
    folder = local_path(source)
    if not (folder / ".git").exists():
        return None, default  # the wheel's template folder, or a plain --template folder / bare mirror
    if not default:
        try:
            if list_releases(source):
                return None, False  # Copier renders the latest release tag: a clean, findable commit
        except OSError:
            pass
    dirty = uncommitted_template_paths(folder)
    head = head_commit(folder)
    if dirty == [] and head is not None:
        return head, False
    listed = ", ".join((dirty or [])[:3]) + (", ..." if dirty and len(dirty) > 3 else "")
    what = f"uncommitted template changes ({listed})" if dirty else "no commit to record"
    if default:
        if notice is not None:
            notice(
                f"the template checkout {folder} has {what}: rendered as they are and recorded as "
                f"release {release_tag()}, as a wheel built from it would; commit them first to "
                "record that commit instead"
            )
        return "HEAD", True
    raise DualworkerError(
        f"--template {shown} (or DUALWORKER_TEMPLATE): {folder} has {what} and no release tag: "
        "a project rendered from it would record a commit that exists nowhere, so no update could "
        "find its template version; commit them first; nothing was written"
    )


def _copier_failure(exc: Exception) -> str:
    """One line from a Copier or git failure: git's own ``fatal:`` line when there is one."""
    text = str(exc)
    found = [line[line.index("fatal:") :].strip() for line in text.splitlines() if "fatal:" in line]
    return (found[-1] if found else " ".join(text.split()))[:300]


def render(
    answers: Answers,
    dest: Path,
    src: str | Path | None = None,
    vcs_ref: str | None = None,
    notice: Callable[[str], None] | None = None,
) -> Path:
    """Render into a temporary folder and move it into place.

    A new destination is a temporary sibling folder renamed into place: atomic on one
    filesystem, so an error or Ctrl-C leaves neither a half-written project, the temporary folder,
    nor parent folders it created. An existing empty destination (`dualworker new .`, or a folder
    made beforehand) is kept — a shell may be inside it, or it may be a mount point — and the
    rendered entries are moved into it; on failure the ones already moved are removed.
    ``vcs_ref`` picks a template version of a git ``src`` (default: its latest release tag, as
    Copier does). A project rendered from the template packaged in the wheel records the
    canonical git URL and the installed version's tag instead of the site-packages path (see
    `dualworker_cli.versioning`), so `copier update` works on it later. ``notice`` receives
    what the user should know about the recorded version (see :func:`source_version`).
    """
    from copier import run_copy
    from copier.errors import CopierError, DirtyLocalWarning
    from plumbum import ProcessExecutionError

    dest = dest.resolve()
    check_destination(dest)
    source = check_source(src)
    in_place = dest.is_dir()
    created = _missing_parents(dest)
    moved: list[Path] = []
    staging: Path | None = None
    done = False
    try:
        try:
            dest.parent.mkdir(parents=True, exist_ok=True)
            staging = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", dir=dest if in_place else dest.parent))
        except OSError as exc:
            raise DualworkerError(
                f"{dest}: cannot write there ({exc.strerror or exc}); nothing was written, "
                "choose a folder you can write to"
            ) from None
        target = staging / dest.name
        kwargs: dict[str, Any] = {}
        pin = False
        if vcs_ref is not None:
            kwargs["vcs_ref"] = vcs_ref
        else:
            ref, pin = source_version(source, default=src is None, shown=str(src), notice=notice)
            if ref is not None:
                kwargs["vcs_ref"] = ref
        try:
            with warnings.catch_warnings():
                # Only a source checkout's uncommitted template edits get here, recorded as the
                # packaged release (see source_version); Copier's warning about them is noise.
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
        except (CopierError, ValueError, ProcessExecutionError) as exc:
            where = f" (--template {src})" if src is not None else ""
            raise DualworkerError(f"template{where}: {_copier_failure(exc)}; nothing was written") from None
        if not target.is_dir():
            raise DualworkerError(f"template {source} rendered no project; nothing was written")
        if pin:
            from dualworker_cli.versioning import ANSWERS_FILE, pin_packaged_source

            pin_packaged_source(target / ANSWERS_FILE)
        try:
            if in_place:
                for entry in sorted(target.iterdir()):
                    entry.rename(dest / entry.name)
                    moved.append(dest / entry.name)
            else:
                target.rename(dest)
        except OSError as exc:
            raise DualworkerError(
                f"{dest}: could not move the project into place ({exc.strerror or exc}); nothing was written",
                1,
            ) from None
        done = True
    finally:
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
        if not done:
            for path in moved:
                if path.is_dir() and not path.is_symlink():
                    shutil.rmtree(path, ignore_errors=True)
                else:
                    path.unlink(missing_ok=True)
            for folder in created:  # deepest first; only if still empty
                try:
                    folder.rmdir()
                except OSError:
                    break
    return dest


def _missing_parents(dest: Path) -> list[Path]:
    """The parent folders of ``dest`` that do not exist yet, deepest first."""
    missing = []
    folder = dest.parent
    while not folder.exists() and folder != folder.parent:
        missing.append(folder)
        folder = folder.parent
    return missing


def enclosing_repository(folder: Path) -> Path | None:
    """The git work tree ``folder`` already belongs to (a monorepo), unless git ignores ``folder``."""
    if shutil.which("git") is None:
        return None
    top = _git(folder, "rev-parse", "--show-toplevel")
    if top.returncode != 0 or not top.stdout.strip():
        return None
    if _git(folder, "check-ignore", "-q", "--no-index", ".").returncode == 0:
        return None  # an ignored folder is no part of that repository: it gets its own
    root = Path(top.stdout.strip())
    if root.resolve() == folder.resolve():
        return None  # the project folder is the repository's root (an empty clone): commit there
    return root


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


def npm_install(
    dest: Path, npm: str, on_line: Any = None, env: dict[str, str] | None = None, args: Sequence[str] = ()
) -> NpmResult:
    """Run `npm install` (or ``npm ARGS``), streaming lines to ``on_line``, keeping a tail for errors.

    ``env`` defaults to this process's environment (the Node to use must come first on its PATH).
    """
    import time

    env = {**(os.environ if env is None else env), **QUIET_ENV}
    tail: deque[str] = deque(maxlen=25)
    start = time.monotonic()
    try:
        proc = subprocess.Popen(
            [npm, *(args or ("install", "--no-audit", "--no-fund"))],
            cwd=dest,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=env,
            start_new_session=True,  # its own process group: a kill reaches npm's scripts too
        )
    except OSError as exc:
        return NpmResult(False, [str(exc)], 0.0)

    def kill() -> None:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except OSError:
            proc.kill()

    assert proc.stdout is not None
    # A watchdog, not a check between lines: npm waiting on the network may print nothing for minutes.
    timed_out = threading.Event()

    def expire() -> None:
        timed_out.set()
        kill()

    watchdog = threading.Timer(NPM_TIMEOUT_S, expire)
    watchdog.daemon = True
    watchdog.start()
    try:
        for line in proc.stdout:
            line = line.rstrip()
            if line:
                tail.append(line)
                if on_line is not None:
                    on_line(line)
        proc.wait(timeout=60)
    except BaseException:
        kill()
        raise
    finally:
        watchdog.cancel()
    if timed_out.is_set():
        tail.append(f"npm {' '.join(args) or 'install'} timed out after {NPM_TIMEOUT_S} s")
        return NpmResult(False, list(tail), time.monotonic() - start)
    return NpmResult(proc.returncode == 0, list(tail), time.monotonic() - start)
