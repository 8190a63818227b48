"""`dualworker new` on a real terminal: the questions, the summary and the last confirmation.

Driven through a pseudo-terminal, because prompt_toolkit talks to a TTY, not to pipes.
"""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

import yaml

DOWN, SPACE, ENTER = "\x1b[B", " ", "\r"


CPR_REQUEST, CPR_REPLY = "\x1b[6n", "\x1b[1;1R"


def _read_until(fd: int, needle: str, buffer: list[str], timeout: float = 20.0) -> None:
    """Read the terminal until ``needle`` appears (bounded).

    Answers prompt_toolkit's cursor position requests as a terminal does (cursor top left);
    unanswered, each prompt waits a second for the reply before it draws.
    """
    deadline = time.monotonic() + timeout
    while needle not in "".join(buffer):
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise AssertionError(f"timed out waiting for {needle!r}; screen:\n{''.join(buffer)[-2000:]}")
        ready, _, _ = select.select([fd], [], [], min(remaining, 0.5))
        if ready:
            before = "".join(buffer).count(CPR_REQUEST)
            try:
                buffer.append(os.read(fd, 65536).decode(errors="replace"))
            except OSError:
                break
            for _ in range("".join(buffer).count(CPR_REQUEST) - before):
                os.write(fd, CPR_REPLY.encode())


def _run_interactive(
    cwd: Path, args: list[str], steps: list[tuple[str, str]], template: Path | None = None
) -> tuple[int, str]:
    """Start the CLI on a pty; for each (prompt text, keys) wait for the text then type the keys.

    ``template``: render that plain copy of the template (DUALWORKER_TEMPLATE, as `--template`
    would) instead of this checkout, which Copier clones first (1-2 s more per test). The
    questions are the same; one test below keeps the default source.
    """
    main_fd, child_fd = pty.openpty()
    env = {k: v for k, v in os.environ.items() if k != "DUALWORKER_TEMPLATE"}
    env.update(TERM="xterm", COLUMNS="100", LINES="40")
    if template is not None:
        env["DUALWORKER_TEMPLATE"] = str(template)
    proc = subprocess.Popen(
        [sys.executable, "-m", "dualworker_cli", *args],
        cwd=cwd,
        stdin=child_fd,
        stdout=child_fd,
        stderr=child_fd,
        env=env,
        close_fds=True,
    )
    os.close(child_fd)
    screen: list[str] = []
    try:
        for prompt, keys in steps:
            _read_until(main_fd, prompt, screen)
            for key in keys:
                os.write(main_fd, key.encode())
                time.sleep(0.05)
        code = proc.wait(timeout=60)
        _read_until(main_fd, "", screen, timeout=0.1)
        while True:  # drain what is left
            ready, _, _ = select.select([main_fd], [], [], 0.2)
            if not ready:
                break
            try:
                data = os.read(main_fd, 65536)
            except OSError:
                break
            if not data:
                break
            screen.append(data.decode(errors="replace"))
    finally:
        if proc.poll() is None:
            proc.kill()
        os.close(main_fd)
    return code, "".join(screen)


def test_tty_questions_summary_and_confirm(tmp_path: Path, template_copy: Path) -> None:
    # Untick "queue" (the first choice), keep the others; pick the second auth mode (jwks); take the
    # first frontend offered (react); confirm.
    code, screen = _run_interactive(
        tmp_path,
        ["new", "demo", "--no-install", "--no-git"],
        [
            ("Which patterns", SPACE + ENTER),
            ("How should the User Worker verify tokens", DOWN + ENTER),
            ("Which frontend", ENTER),
            ("Create the project?", "y"),
        ],
        template_copy,
    )
    assert code == 0, screen
    assert "Data Worker (private)" in screen  # the summary table was shown
    assert screen.index("React single-page app") < screen.index("Static demo page")  # react first
    answers = yaml.safe_load((tmp_path / "demo" / ".copier-answers.yml").read_text())
    assert answers["patterns"] == ["websocket", "workflow"]
    assert answers["auth_mode"] == "jwks"
    assert answers["frontend"] == "react"


def test_tty_static_frontend_is_the_second_choice(tmp_path: Path, template_copy: Path) -> None:
    code, screen = _run_interactive(
        tmp_path,
        ["new", "demo", "-p", "none", "--auth", "secret", "--no-install", "--no-git"],
        [("Which frontend", DOWN + ENTER), ("Create the project?", "y")],
        template_copy,
    )
    assert code == 0, screen
    answers = yaml.safe_load((tmp_path / "demo" / ".copier-answers.yml").read_text())
    assert answers["frontend"] == "static"
    assert (tmp_path / "demo/apps/user-application/public/index.html").is_file()


def test_tty_declined_writes_nothing(tmp_path: Path) -> None:
    code, screen = _run_interactive(
        tmp_path,
        ["new", "demo", "-p", "queue", "--auth", "secret", "--frontend", "react", "--no-install", "--no-git"],
        [("Create the project?", "n")],
    )
    assert code == 1, screen
    assert "aborted: nothing was written" in screen
    assert list(tmp_path.iterdir()) == []


def test_tty_with_defaults_flag_asks_nothing(tmp_path: Path) -> None:
    """The one TTY test that renders the default source (this checkout), like a user's first run."""
    code, screen = _run_interactive(tmp_path, ["new", "demo", "-y", "--no-install", "--no-git"], [])
    assert code == 0, screen
    assert "Which patterns" not in screen
    assert (tmp_path / "demo" / ".copier-answers.yml").is_file()
